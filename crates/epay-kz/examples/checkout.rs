//! A checkout with ePay against the sandbox, end to end: payment token and
//! `halyk.pay` object, the (simulated) customer pays on the sandbox's page,
//! ePay's real postLink arrives at a listener this example starts, and it is
//! acted on only the safe way: verify its `secret_hash`, then confirm it with
//! the status query (same invoice, transaction, amount and currency).
//!
//! Start the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`; the test client is listed by
//! `GET /_sandbox/merchants`), then:
//!
//! ```text
//! EPAY_CLIENT_ID=test EPAY_CLIENT_SECRET=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG \
//! EPAY_TERMINAL_ID=67e34d63-102f-4bd1-898e-370781d0074d \
//! EPAY_OAUTH_URL=http://127.0.0.1:8080/epay/oauth2/token EPAY_API_URL=http://127.0.0.1:8080/epay/api \
//! EPAY_WIDGET_URL=http://127.0.0.1:8080/epay/payform/payment-api.js \
//! SANDBOX_URL=http://127.0.0.1:8080 \
//! cargo run -p epay-kz --example epay_checkout
//! ```
//!
//! (`EPAY_CALLBACK_KEY` is optional: without it the example stores a random
//! `secret_hash`, as a shop without a callback key does.) `SANDBOX_URL` is for
//! the step that stands for the customer's browser: it approves the payment
//! the way the sandbox's page does (`POST {SANDBOX_URL}/epay/payform/approve`
//! with the invoice and its payment token, the call `docs/sandbox/epay.md`
//! gives for widget payments). The postLink goes to
//! `http://127.0.0.1:<free port>/epay/post-link`, served by this example; a
//! real shop receives it on a public URL (see the `axum` feature).
//!
//! Exits 2 when the configuration is incomplete (every missing setting named),
//! 1 when any step fails (no postLink within 10 s, a bad `secret_hash`, a
//! failed payment, a status that does not confirm it), 0 when the confirmed
//! payment matches the order.

use std::process::ExitCode;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use epay_kz::callback::{self, PostLink};
use epay_kz::signature::new_secret_hash;
use epay_kz::{EpayClient, EpayConfig, WidgetPayment};
use payments_core::http::HttpClient;
use payments_core::{Call, Currency, HttpRequest, Money, Secret};
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error>;

/// How long the example waits for ePay's postLink after the approval.
const POST_LINK_WAIT: Duration = Duration::from_secs(10);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let (config, sandbox) = match (EpayConfig::from_env(), std::env::var("SANDBOX_URL")) {
        (Ok(config), Ok(sandbox)) if !sandbox.trim().is_empty() => (config, sandbox),
        (config, sandbox) => {
            if let Err(e) = config {
                eprintln!("missing configuration: {e}");
            }
            if !sandbox.is_ok_and(|s| !s.trim().is_empty()) {
                eprintln!("missing configuration: SANDBOX_URL is not set");
            }
            eprintln!("set the EPAY_* variables and SANDBOX_URL as the header of this example says");
            return ExitCode::from(2);
        }
    };
    match run(config, sandbox.trim().trim_end_matches('/')).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: EpayConfig, sandbox: &str) -> Result<(), BoxError> {
    let client = EpayClient::new(config)?;
    let amount = Money::parse_major("150.50", Currency::KZT)?;
    let invoice_id = unique_invoice_id()?;

    // 0. The shop's postLink endpoint: a listener on a free loopback port.
    let (post_links, listener_url) = start_listener().await?;
    println!("postLink listener on {listener_url}");
    let payment = WidgetPayment::new(invoice_id.as_str(), amount)
        .description("Order from the example")
        .post_links(
            format!("{listener_url}/epay/post-link"),
            format!("{listener_url}/epay/failure-post-link"),
        );

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

    // 2. SANDBOX ONLY, standing for the customer's browser: press Approve on
    //    the payment page for this invoice and its payment token.
    let token = object
        .access_token()
        .ok_or("the halyk.pay object carries no payment token")?;
    approve(sandbox, &invoice_id, &token).await?;
    println!("customer paid invoice {invoice_id} on the payment page");

    // 3. The postLink ePay sent to the listener, exactly as received.
    let (path, body) = receive(post_links).await?;
    if path != "/epay/post-link" {
        return Err(format!("ePay reported a failed payment on {path}: nothing to fulfil").into());
    }

    // 4. Verify the secret_hash (proves the sender knows the payment's hash,
    //    nothing more), then confirm with the status query.
    let claim = match &stored_hash {
        None => client.verify_post_link(&body)?,
        Some(hash) => callback::verify_post_link(&body, hash)?,
    };
    let PostLink::Success(success) = &claim else {
        return Err(format!(
            "the postLink reports a failed payment for invoice {}",
            claim.invoice_id()
        )
        .into());
    };
    if success.invoice_id != invoice_id {
        return Err(format!("the postLink is for invoice {}, not {invoice_id}", success.invoice_id).into());
    }
    println!("postLink secret_hash verified: invoice {invoice_id}");
    let status = client.confirm_post_link(&claim, amount).await?;
    let transaction = status
        .transaction
        .as_ref()
        .ok_or("the confirming status carries no transaction")?;
    let state = transaction.status_name.as_ref().map_or("unknown", |s| s.as_str());
    println!(
        "confirmed by the status query: invoice {invoice_id} paid {} KZT ({state}, transaction {}); fulfil it once (key {})",
        amount.to_major_string(),
        transaction.id,
        claim.dedupe_key()
    );
    Ok(())
}

/// A 12-digit invoiceId from the clock (6-15 digits, unique per payment), so
/// reruns never collide.
fn unique_invoice_id() -> Result<String, BoxError> {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros();
    Ok(format!("{:012}", micros % 1_000_000_000_000))
}

/// Starts the postLink endpoint on a free loopback port; answers the
/// receiving end of (path, body) pairs and the listener's base URL.
async fn start_listener() -> Result<(mpsc::Receiver<(String, Bytes)>, String), BoxError> {
    let (sender, receiver) = mpsc::channel::<(String, Bytes)>(8);
    let app = Router::new()
        .route("/epay/post-link", post(received))
        .route("/epay/failure-post-link", post(received))
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("the postLink listener stopped: {e}");
        }
    });
    Ok((receiver, url))
}

/// The shop's postLink handler: hands the body on and answers 200 (ePay
/// retries on anything else).
async fn received(
    State(sender): State<mpsc::Sender<(String, Bytes)>>,
    uri: axum::http::Uri,
    body: Bytes,
) -> StatusCode {
    match sender.send((uri.path().to_owned(), body)).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The first postLink delivered, waiting at most [`POST_LINK_WAIT`].
async fn receive(mut post_links: mpsc::Receiver<(String, Bytes)>) -> Result<(String, Bytes), BoxError> {
    match tokio::time::timeout(POST_LINK_WAIT, post_links.recv()).await {
        Ok(Some(delivered)) => Ok(delivered),
        Ok(None) => Err("the postLink listener stopped before a postLink arrived".into()),
        Err(_) => Err(format!("no postLink arrived within {} s", POST_LINK_WAIT.as_secs()).into()),
    }
}

/// The sandbox's Approve button for `invoice_id`, paid with its test card.
async fn approve(sandbox: &str, invoice_id: &str, token: &Secret<String>) -> Result<(), BoxError> {
    let http = HttpClient::new()?;
    let url = format!("{sandbox}/epay/payform/approve");
    let request = HttpRequest::post_form(
        url.as_str(),
        &[("invoiceId", invoice_id), ("token", token.expose_secret().as_str())],
    )
    .header("Accept", "application/json");
    let answer = http.execute(&Call::moves_money("browser", "approve"), request).await?;
    if answer.status != 200 {
        return Err(format!(
            "the sandbox did not approve invoice {invoice_id}: HTTP {}",
            answer.status
        )
        .into());
    }
    let outcome: serde_json::Value = serde_json::from_slice(&answer.body)?;
    match outcome.get("code").and_then(|c| c.as_str()) {
        Some("ok") => Ok(()),
        code => Err(format!("the sandbox did not approve invoice {invoice_id}: code {code:?}").into()),
    }
}
