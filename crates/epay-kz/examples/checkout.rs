//! A checkout with ePay: payment token, the halyk.pay page, then what to do
//! with the postLink.
//!
//! Against the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`; the test client is listed by
//! `GET /_sandbox/merchants`):
//!
//! ```text
//! EPAY_CLIENT_ID=test EPAY_CLIENT_SECRET=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG \
//! EPAY_TERMINAL_ID=67e34d63-102f-4bd1-898e-370781d0074d \
//! EPAY_OAUTH_URL=http://127.0.0.1:8080/epay/oauth2/token EPAY_API_URL=http://127.0.0.1:8080/epay/api \
//! cargo run -p epay-kz --example epay_checkout
//! ```
//!
//! (`EPAY_CALLBACK_KEY` is optional.) It exits with status 2 naming every
//! missing variable when the configuration is incomplete. It does not
//! receive a real postLink (that needs a public URL): it builds one locally,
//! says so, and shows that such a claim is only acted on after the status
//! query confirms it (for an unpaid invoice it is not: nothing is fulfilled).

use std::process::ExitCode;

use epay_kz::callback::testing;
use epay_kz::signature::new_secret_hash;
use epay_kz::{EpayClient, EpayConfig, WidgetPayment};
use payments_core::{Currency, Money};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match EpayConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("missing configuration: {e}");
            eprintln!("set the EPAY_* variables (for example against the sandbox; see the module docs)");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: EpayConfig) -> Result<(), Box<dyn std::error::Error>> {
    let client = EpayClient::new(config)?;
    let amount = Money::parse_major("150.50", Currency::KZT)?;
    // invoiceId: 6-15 digits, unique per payment; a clock-derived one keeps reruns apart.
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros();
    let invoice_id = format!("{:012}", micros % 1_000_000_000_000);
    let invoice_id = invoice_id.as_str();
    let payment = WidgetPayment::new(invoice_id, amount).description("Order from the example");

    // 1. The page the customer's browser opens. With a callback key the
    //    secret_hash is derived; without one, a random hash the shop stores.
    let (object, stored_hash) = match client.config().callback_key() {
        Some(_) => (client.widget_payment(&payment).await?, None),
        None => {
            let hash = new_secret_hash();
            eprintln!("no EPAY_CALLBACK_KEY: using a random secret_hash (a real shop stores it with the order)");
            (
                client.widget_payment_with_hash(&payment, hash.clone()).await?,
                Some(hash),
            )
        }
    };
    println!("{}", client.widget_page(&object));

    // 2. SIMULATED: ePay would POST the result to postLink. This example has
    //    no public URL, so it builds a body locally the way ePay would.
    eprintln!("SIMULATED postLink: built locally by this example, not sent by ePay");
    let body = match (client.config().callback_key(), &stored_hash) {
        (Some(key), _) => testing::success_body(key, invoice_id, "simulated-transaction", amount),
        (None, Some(hash)) => testing::body_with(
            "ok",
            invoice_id,
            Some("simulated-transaction"),
            amount,
            hash.expose_secret(),
            "Approved",
            "00",
        ),
        (None, None) => return Err("no secret_hash".into()),
    };
    let claim = match &stored_hash {
        None => client.verify_post_link(&body)?,
        Some(hash) => epay_kz::callback::verify_post_link(&body, hash)?,
    };
    eprintln!(
        "the simulated postLink is authentic but only a claim: invoice {}, key {}",
        claim.invoice_id(),
        claim.dedupe_key()
    );

    // 3. Only a status query that agrees makes it actionable.
    match client.confirm_post_link(&claim, amount).await {
        Ok(status) => eprintln!("confirmed by ePay's status: {:?}", status.result_code),
        Err(e) => eprintln!("NOT confirmed (expected for a simulated postLink): {e}; nothing to fulfil"),
    }
    Ok(())
}
