//! One code path for every provider: the merchant picks it at run time with
//! `PAYMENTS_PROVIDER`, [`AnyProvider::from_env`] reads that provider's own
//! variables, and the same `create_payment` / `payment_status` calls run.
//!
//! Start the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`; test credentials: `GET /_sandbox/merchants`),
//! then, from the repository root, one of:
//!
//! ```text
//! PAYMENTS_PROVIDER=epoint EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=test-private-key \
//!   EPOINT_BASE_URL=http://127.0.0.1:8080/epoint \
//!   cargo run -p payments --features full --example any_provider
//!
//! PAYMENTS_PROVIDER=epay-kz EPAY_CLIENT_ID=test EPAY_CLIENT_SECRET=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG \
//!   EPAY_TERMINAL_ID=67e34d63-102f-4bd1-898e-370781d0074d EPAY_CALLBACK_KEY=example-callback-key \
//!   EPAY_OAUTH_URL=http://127.0.0.1:8080/epay/oauth2/token EPAY_API_URL=http://127.0.0.1:8080/epay/api \
//!   cargo run -p payments --features full --example any_provider
//!
//! PAYMENTS_PROVIDER=azericard AZERICARD_MERCHANT_ID=17201234 \
//!   AZERICARD_KEY_FILE_PATH=crates/payments-sandbox/tests/data/azericard-merchant-test-key.pem \
//!   AZERICARD_MPI_URL=http://127.0.0.1:8080/azericard \
//!   AZERICARD_MERCHANT_NAME="Test Shop" AZERICARD_MERCHANT_URL=https://shop.example \
//!   AZERICARD_CALLBACK_URL=http://127.0.0.1:8080/_sandbox/sink \
//!   cargo run -p payments --features full --example any_provider
//! ```
//!
//! (`EPAY_CALLBACK_KEY` is any secret of the shop's: the facade derives each
//! payment's `secret_hash` from it, which the postLink must echo.)
//!
//! It prints what the customer's browser must do next (redirect, form post or
//! widget) and, where the provider gave a reference, the payment's status.
//! Exits 2 naming every missing setting, 1 when a call fails.

use std::process::ExitCode;

use payments::{
    AnyProvider, CreatePayment, Currency, Money, PaymentOutcome, PaymentProvider, PaymentRef, ProviderKind,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let kind: ProviderKind = match std::env::var("PAYMENTS_PROVIDER").map(|v| v.parse()) {
        Ok(Ok(kind)) => kind,
        Ok(Err(e)) => {
            eprintln!("PAYMENTS_PROVIDER: {e}");
            return ExitCode::from(2);
        }
        Err(_) => {
            eprintln!("configuration error: PAYMENTS_PROVIDER is not set (epoint, azericard, epay-kz or qr-wallet)");
            return ExitCode::from(2);
        }
    };
    let provider = match AnyProvider::from_env(kind) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{kind}: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&provider).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every error says whether money could have moved.
            eprintln!("error: {e} (outcome unknown: {})", e.outcome_unknown());
            ExitCode::FAILURE
        }
    }
}

async fn run(provider: &AnyProvider) -> payments::Result<()> {
    // No default currency anywhere in the SDK: the merchant names it.
    let currency = match provider.kind() {
        ProviderKind::EpayKz => Currency::KZT,
        ProviderKind::QrWallet => Currency::TRY,
        _ => Currency::AZN,
    };
    let amount = Money::parse_major("10.50", currency)?;
    // 12 digits from the clock: valid as an order id for every provider, unique per run.
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let order = format!("{:012}", micros % 1_000_000_000_000);
    println!(
        "{}: creating payment {order} for {} {currency}",
        provider.name(),
        amount.to_major_string()
    );

    let request = CreatePayment::new(order.as_str(), amount).description("Order from the example");
    match provider.create_payment(&request).await? {
        PaymentOutcome::RequiresRedirect { url, provider_ref } => {
            println!("next: redirect the customer to {url}");
            if let Some(transaction) = provider_ref {
                let status = provider
                    .payment_status(
                        &PaymentRef::transaction(transaction)
                            .with_order(order.as_str())
                            .with_amount(amount),
                    )
                    .await?;
                println!(
                    "status: {:?} (not paid until a confirmed callback says so)",
                    status.status
                );
            }
        }
        PaymentOutcome::RequiresFormPost { url, fields } => {
            println!(
                "next: the customer's browser posts {} signed fields to {url}",
                fields.len()
            );
        }
        PaymentOutcome::RequiresWidget { script_url, payload } => {
            let keys: Vec<&str> = payload
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str())
                .collect();
            // The payload carries the payment token for the browser: print its field names only.
            println!(
                "next: load {script_url} and call it with an object of {} fields",
                keys.len()
            );
        }
        PaymentOutcome::Completed(report) => println!("completed without the customer: {:?}", report.status),
        PaymentOutcome::Declined(decline) => println!("declined: {decline:?}"),
        other => println!("{other:?}"),
    }
    Ok(())
}
