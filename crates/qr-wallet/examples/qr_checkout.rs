//! Pays a partner's QR code from a wallet: (mint a QR,) Begin, show the sale,
//! Complete, check the status.
//!
//! Against the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`, in another terminal; its test client and
//! wallets are listed by `GET /_sandbox/merchants`):
//!
//! ```text
//! QR_WALLET_API_URL=http://127.0.0.1:8080/qr/api QR_WALLET_IDENTITY_URL=http://127.0.0.1:8080/qr/identity \
//! QR_WALLET_CLIENT_ID=sandbox-qr-client QR_WALLET_CLIENT_SECRET=sandbox-qr-secret QR_WALLET_PROVIDER_ID=112233 \
//! cargo run -p qr-wallet --example qr_checkout -- 5000000001
//! ```
//!
//! `5000000001` is the sandbox's test wallet (1000.00 TRY). Without a second
//! argument the example first mints a partner QR for 25.00 TRY with
//! Create3rdPartyQrCode (the merchant side, \[U\]); pass a scanned code as
//! the second argument to pay that instead. Exits 2 (naming every missing
//! variable) when the configuration is incomplete, 1 when a call fails.

use payments_core::{Currency, Money};
use qr_wallet::{
    BeginThirdPartyPayment, CompleteThirdPartyPayment, CreateThirdPartyQrCode, QrWalletClient, QrWalletConfig,
    QrWalletErrorCode,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(wallet) = args.next() else {
        eprintln!("usage: qr_checkout <wallet_number> [qr_code]");
        std::process::exit(2);
    };
    let config = match QrWalletConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("set the QR_WALLET_* variables as this example's header says");
            std::process::exit(2);
        }
    };
    let client = QrWalletClient::new(config)?;

    let qr_code = match args.next() {
        Some(code) => code,
        None => {
            let amount = Money::parse_major("25.00", Currency::TRY)?;
            let created = client
                .create_third_party_qr_code(&CreateThirdPartyQrCode::new("MERCHANT01", "TERM0001", amount))
                .await?;
            let code = created
                .qr_code
                .ok_or("Create3rdPartyQrCode answered without a QR code")?;
            println!("minted a partner QR for {} TRY: {code}", amount.to_major_string());
            code
        }
    };

    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(&wallet, qr_code.as_str()))
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

    // from_begun carries the session expiry (an expired session is refused
    // before sending) and the amount shown (Complete must charge exactly that).
    match client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(&wallet, &begun))
        .await
    {
        Ok(done) => {
            println!(
                "paid: transaction {} charged {:?}",
                done.transaction_id, done.charged_amount
            );
            if let Some(balance) = done
                .sender_wallet_info
                .as_ref()
                .and_then(|w| w.payment_balance.as_ref())
            {
                println!("wallet balance now {:?}", balance.available);
            }
        }
        Err(e) if QrWalletErrorCode::of(&e) == Some(QrWalletErrorCode::InsufficientBalance) => {
            println!("declined: insufficient balance");
            return Ok(());
        }
        Err(e) if e.outcome_unknown() => {
            println!("outcome unknown ({e}); check the payment before retrying");
        }
        Err(e) => return Err(e.into()),
    }

    let status = client.check_qr_payment_status(&qr_code).await?;
    println!("status of the QR: {:?} ({:?})", status.status, status.raw_status);
    Ok(())
}
