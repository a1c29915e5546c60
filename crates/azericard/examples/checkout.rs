//! An AzeriCard purchase against the sandbox: build the RSA-signed form,
//! let the (simulated) customer pay, then take the gateway's callback the
//! only safe way: verify its signature, confirm it with a status query
//! (TRTYPE 90), check it is the order and amount expected.
//!
//! Start the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`), then, from the repository root:
//!
//! ```text
//! AZERICARD_MERCHANT_ID=17201234 \
//! AZERICARD_KEY_FILE_PATH=crates/payments-sandbox/tests/data/azericard-merchant-test-key.pem \
//! AZERICARD_GATEWAY_PUBLIC_KEY_PATH=crates/payments-sandbox/src/azericard/gateway-test-key.pub.pem \
//! AZERICARD_MPI_URL=http://127.0.0.1:8080/azericard \
//! AZERICARD_MERCHANT_NAME="Test Shop" AZERICARD_MERCHANT_URL=https://shop.example \
//! AZERICARD_CALLBACK_URL=http://127.0.0.1:8080/_sandbox/sink \
//! SANDBOX_URL=http://127.0.0.1:8080 \
//! cargo run -p azericard --example azericard_checkout
//! ```
//!
//! The keys are the sandbox's published throwaway test pair (`docs/sandbox/azericard.md`):
//! the merchant key the sandbox verifies P_SIGN with, and the gateway key it signs
//! callbacks and status answers with. `SANDBOX_URL` is for the steps that stand
//! for the customer's browser (post the form, press Approve) and for reading the
//! callback the sandbox delivered to `AZERICARD_CALLBACK_URL` (its built-in sink);
//! a real shop receives that callback on its own endpoint (see the `axum` feature).
//!
//! Exits 2 when the configuration is incomplete (every missing setting named),
//! 1 when a step fails, 0 when the confirmed payment matches the order.

use std::process::ExitCode;
use std::time::Duration;

use azericard::{AuthorizationRequest, AzericardClient, AzericardConfig};
use payments_core::http::HttpClient;
use payments_core::{Call, Currency, HttpRequest, Method, Money};

type BoxError = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (config, sandbox) = match (AzericardConfig::from_env(), std::env::var("SANDBOX_URL")) {
        (Ok(config), Ok(sandbox)) if !sandbox.trim().is_empty() => (config, sandbox),
        (config, sandbox) => {
            if let Err(e) = config {
                eprintln!("missing configuration: {e}");
            }
            if !sandbox.is_ok_and(|s| !s.trim().is_empty()) {
                eprintln!("missing configuration: SANDBOX_URL is not set");
            }
            eprintln!("set the AZERICARD_* variables and SANDBOX_URL as the header of this example says");
            return ExitCode::from(2);
        }
    };
    match run(config, sandbox.trim_end_matches('/')).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: AzericardConfig, sandbox: &str) -> Result<(), BoxError> {
    let client = AzericardClient::new(config)?;
    let amount = Money::parse_major("10.50", Currency::AZN)?;
    // ORDER: 6-32 digits, unique per terminal; a clock-derived one keeps reruns apart.
    let order = unique_order()?;

    // 1. The form the customer's browser posts to AzeriCard.
    let form = client.authorization_form(&AuthorizationRequest::purchase(
        &order,
        amount,
        "Order from the example",
    ))?;
    println!("form: POST {} with {} signed fields", form.url, form.fields.len());

    // 2. SANDBOX ONLY, standing for the customer's browser: post the form,
    //    press Approve on the hosted page.
    let http = HttpClient::new()?;
    let browser = Call::moves_money("browser", "post the payment form");
    let posted = http
        .execute(&browser, HttpRequest::post_form(&form.url, &form.fields))
        .await?;
    if !(200..400).contains(&posted.status) {
        return Err(format!("the gateway refused the form: HTTP {}", posted.status).into());
    }
    let approve = format!("{sandbox}/_sandbox/azericard/payments/{order}/approve");
    let approved = http
        .execute(
            &Call::moves_money("browser", "approve"),
            HttpRequest::new(Method::Post, approve),
        )
        .await?;
    if approved.status != 200 {
        return Err(format!("the sandbox did not approve ORDER {order}: HTTP {}", approved.status).into());
    }
    println!("customer paid ORDER {order} on the hosted page");

    // 3. The callback AzeriCard posted to BACKREF, exactly as sent (read back
    //    from the sandbox's delivery log: here it went to the sandbox's sink).
    let body = delivered_callback(&http, sandbox, &order).await?;

    // 4. Verify (proves AMOUNT, TERMINAL, APPROVAL, RRN, INT_REF only), confirm
    //    with a status query, and fulfil only a confirmed, matching payment.
    let callback = client.verify_authorization_callback(body.as_bytes())?;
    println!("callback signature verified");
    let confirmed = client.confirm_authorization_callback(callback).await?;
    confirmed.ensure_paid(&order, amount)?;
    println!(
        "confirmed by the status query: ORDER {order} paid {} AZN; fulfil it once (key {})",
        amount.to_major_string(),
        confirmed.dedupe_key()
    );
    Ok(())
}

/// A 12-digit ORDER from the clock.
fn unique_order() -> Result<String, BoxError> {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros();
    Ok(format!("{:012}", micros % 1_000_000_000_000))
}

/// The body of the sandbox's delivery of ORDER's callback, waiting up to 5 s.
async fn delivered_callback(http: &HttpClient, sandbox: &str, order: &str) -> Result<String, BoxError> {
    let url = format!("{sandbox}/_sandbox/deliveries?provider=azericard&limit=20");
    let needle = format!("ORDER={order}");
    for _ in 0..50 {
        let answer = http
            .execute(
                &Call::idempotent("sandbox", "deliveries"),
                HttpRequest::get(url.as_str()),
            )
            .await?;
        let deliveries: serde_json::Value = serde_json::from_slice(&answer.body)?;
        let list = deliveries.get("deliveries").and_then(|d| d.as_array());
        let found = list.into_iter().flatten().find_map(|d| {
            let body = d.get("body")?.as_str()?;
            body.split('&').any(|field| field == needle).then(|| body.to_owned())
        });
        if let Some(body) = found {
            return Ok(body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("no callback for ORDER {order} was delivered within 5 s").into())
}
