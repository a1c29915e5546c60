//! Pays a partner's QR code from a wallet: Begin, show the sale, Complete.
//!
//! ```text
//! QR_WALLET_API_URL=http://127.0.0.1:8080/qr QR_WALLET_IDENTITY_URL=http://127.0.0.1:8080/qr/identity \
//! QR_WALLET_CLIENT_ID=demo QR_WALLET_CLIENT_SECRET=demo-secret QR_WALLET_PROVIDER_ID=112233 \
//! cargo run -p qr-wallet --example qr_checkout -- <wallet_number> <qr_code>
//! ```

use qr_wallet::{BeginThirdPartyPayment, CompleteThirdPartyPayment, QrWalletClient, QrWalletConfig, QrWalletErrorCode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(wallet), Some(qr_code)) = (args.next(), args.next()) else {
        eprintln!("usage: qr_checkout <wallet_number> <qr_code>");
        std::process::exit(2);
    };
    let client = QrWalletClient::new(QrWalletConfig::from_env()?)?;

    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(&wallet, qr_code))
        .await?;
    let sale = &begun.payment_data;
    println!(
        "{} ({}, {}): {} TRY, session expires {:?}",
        sale.merchant_name.as_deref().unwrap_or("?"),
        sale.city_name.as_deref().unwrap_or("?"),
        sale.product_name.as_deref().unwrap_or("?"),
        sale.request_amount,
        sale.session_expire_date.map(|e| e.at(client.config().session_offset())),
    );

    // from_begun carries the session expiry: an expired session is refused before sending.
    match client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(&wallet, &begun))
        .await
    {
        Ok(done) => {
            println!(
                "paid: transaction {} charged {:?}",
                done.transaction_id, done.charged_amount
            );
            if let Some(balance) = done.sender_wallet_info.and_then(|w| w.payment_balance) {
                println!("wallet balance now {:?}", balance.available);
            }
        }
        Err(e) if QrWalletErrorCode::of(&e) == Some(QrWalletErrorCode::InsufficientBalance) => {
            println!("declined: insufficient balance");
        }
        Err(e) if e.outcome_unknown() => {
            println!("outcome unknown ({e}); check the payment before retrying");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
