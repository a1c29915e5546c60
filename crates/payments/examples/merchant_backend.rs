//! A merchant backend to copy: an axum server with
//!
//! - `POST /orders` (`{"amount": "10.50"}`): records the order, creates the
//!   payment with the provider and answers what the browser must do next;
//! - `POST /callback`: the provider's callback. Verify the signature, confirm
//!   the event (a status query where the signature does not prove the
//!   outcome), check it is *this* order's amount and currency, paid, then
//!   fulfil it **once** (the core's `OnceStore`, keyed on the event's
//!   `dedupe_key`), whatever the number of deliveries;
//! - `GET /orders/{id}`: whether the order was fulfilled.
//!
//! Against the sandbox with EPoint (its callbacks go to the URL of the
//! merchant's dashboard, which the sandbox takes as a flag):
//!
//! ```text
//! cargo run -p payments-sandbox -- --port 8080 --epoint-callback-url http://127.0.0.1:3000/callback
//! # (or: payments sandbox --port 8080 --epoint-callback-url http://127.0.0.1:3000/callback)
//!
//! PAYMENTS_PROVIDER=epoint EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=test-private-key \
//! EPOINT_BASE_URL=http://127.0.0.1:8080/epoint MERCHANT_ADDR=127.0.0.1:3000 \
//! cargo run -p payments --features full --example merchant_backend
//!
//! # or the whole loop in one command (SANDBOX ONLY), exiting 0 when done:
//! PAYMENTS_PROVIDER=epoint EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=test-private-key \
//! EPOINT_BASE_URL=http://127.0.0.1:8080/epoint MERCHANT_ADDR=127.0.0.1:3000 SANDBOX_URL=http://127.0.0.1:8080 \
//! cargo run -p payments --features full --example merchant_backend -- --once
//! ```
//!
//! With the first command, `curl -s -X POST localhost:3000/orders -H 'content-type: application/json' -d '{"amount":"10.50"}'`,
//! open the redirect URL it answers and press Approve (or
//! `curl -X POST localhost:8080/_sandbox/epoint/payments/<transaction>/approve`).
//!
//! With `--once` (and `SANDBOX_URL`) it plays the customer itself: creates
//! an order, approves it on the sandbox, waits for the fulfilment, has the
//! sandbox deliver the same callback again (ignored: already processed),
//! and exits 0.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use payments::http::HttpClient;
use payments::store::{MemoryOnceStore, OnceStore};
use payments::{
    AnyProvider, Call, CreatePayment, Currency, Error, HttpRequest, Method, Money, PaymentOutcome, PaymentProvider,
    PaymentStatus, ProviderKind,
};
use serde_json::{Value, json};

/// How long a processed event is remembered: longer than any provider redelivers.
const DEDUPE_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// What the shop knows about an order (a database table in a real shop).
#[derive(Debug, Clone)]
struct Order {
    amount: Money,
    fulfilled: bool,
}

struct App {
    provider: AnyProvider,
    orders: Mutex<HashMap<String, Order>>,
    /// One process: memory. Several instances: `payments::store::redis::RedisStore` (feature `redis`).
    processed: MemoryOnceStore,
}

type Shared = Arc<App>;

#[tokio::main]
async fn main() -> ExitCode {
    let once = std::env::args().any(|a| a == "--once");
    let (provider, addr) = match configuration() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("set the variables this example's header lists");
            return ExitCode::from(2);
        }
    };
    let sandbox = std::env::var("SANDBOX_URL").ok().filter(|s| !s.trim().is_empty());
    if once && (sandbox.is_none() || provider.kind() != ProviderKind::Epoint) {
        eprintln!("configuration error: --once needs SANDBOX_URL and PAYMENTS_PROVIDER=epoint");
        return ExitCode::from(2);
    }
    let app: Shared = Arc::new(App {
        provider,
        orders: Mutex::new(HashMap::new()),
        processed: MemoryOnceStore::new(),
    });
    let router = Router::new()
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(order_state))
        .route("/callback", post(callback))
        .with_state(app.clone());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("merchant backend listening on http://{addr}");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    if let (true, Some(sandbox)) = (once, sandbox) {
        let result = play_customer(&addr, sandbox.trim_end_matches('/')).await;
        server.abort();
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match server.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// The provider from `PAYMENTS_PROVIDER` and its own variables; the address from `MERCHANT_ADDR`.
fn configuration() -> payments::Result<(AnyProvider, String)> {
    let kind: ProviderKind = std::env::var("PAYMENTS_PROVIDER")
        .map_err(|_| Error::config("PAYMENTS_PROVIDER is not set (epoint, azericard, epay-kz or qr-wallet)"))?
        .parse()?;
    let provider = AnyProvider::from_env(kind)?;
    let addr = std::env::var("MERCHANT_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    Ok((provider, addr))
}

/// `POST /orders`: record the order first, then ask the provider.
async fn create_order(State(app): State<Shared>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let currency = match app.provider.kind() {
        ProviderKind::EpayKz => Currency::KZT,
        ProviderKind::QrWallet => Currency::TRY,
        _ => Currency::AZN,
    };
    let amount = match body
        .get("amount")
        .and_then(Value::as_str)
        .map(|a| Money::parse_major(a, currency))
    {
        Some(Ok(amount)) => amount,
        _ => return bad_request("amount: a decimal string such as \"10.50\""),
    };
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let order_id = format!("{:012}", micros % 1_000_000_000_000);
    if let Ok(mut orders) = app.orders.lock() {
        orders.insert(
            order_id.clone(),
            Order {
                amount,
                fulfilled: false,
            },
        );
    }
    let request = CreatePayment::new(order_id.as_str(), amount).description("Order from the merchant backend");
    match app.provider.create_payment(&request).await {
        Ok(PaymentOutcome::RequiresRedirect { url, provider_ref }) => (
            StatusCode::OK,
            Json(json!({"order_id": order_id, "redirect": url, "transaction": provider_ref})),
        ),
        Ok(PaymentOutcome::RequiresFormPost { url, fields }) => (
            StatusCode::OK,
            Json(json!({"order_id": order_id, "form": {"action": url, "fields": fields}})),
        ),
        Ok(PaymentOutcome::RequiresWidget { script_url, payload }) => (
            StatusCode::OK,
            Json(json!({"order_id": order_id, "widget": {"script": script_url, "object": payload}})),
        ),
        Ok(other) => (
            StatusCode::OK,
            Json(json!({"order_id": order_id, "outcome": format!("{other:?}")})),
        ),
        // Whether money could have moved decides what the shop tells the customer.
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(json!({"order_id": order_id, "error": e.to_string(), "outcome_unknown": e.outcome_unknown()})),
        ),
    }
}

fn bad_request(reason: &str) -> (StatusCode, Json<Value>) {
    (StatusCode::BAD_REQUEST, Json(json!({"error": reason})))
}

/// `GET /orders/{id}`.
async fn order_state(State(app): State<Shared>, Path(id): Path<String>) -> (StatusCode, Json<Value>) {
    let order = app.orders.lock().ok().and_then(|o| o.get(&id).cloned());
    match order {
        Some(o) => (
            StatusCode::OK,
            Json(json!({"order_id": id, "amount": o.amount.to_major_string(), "fulfilled": o.fulfilled})),
        ),
        None => (StatusCode::NOT_FOUND, Json(json!({"error": "no such order"}))),
    }
}

/// `POST /callback`: the raw body, exactly as the provider sent it.
///
/// 200 tells the provider to stop delivering: for a processed event, a
/// duplicate, and a confirmed decline. 400 for a callback that must never be
/// acted on (forged, malformed, not this order's amount). 503 when the outcome
/// could not be established now (status query failed): the provider delivers
/// again later.
async fn callback(State(app): State<Shared>, body: Bytes) -> StatusCode {
    match handle_callback(&app, &body).await {
        Ok(message) => {
            println!("callback: {message}");
            StatusCode::OK
        }
        Err(e) if e.is_transient() || e.outcome_unknown() || matches!(e, Error::StoreUnavailable { .. }) => {
            eprintln!("callback: try again later: {e}");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(e) => {
            eprintln!("callback rejected: {e}");
            StatusCode::BAD_REQUEST
        }
    }
}

async fn handle_callback(app: &App, body: &[u8]) -> payments::Result<String> {
    // 1. What the signature proves.
    let event = app.provider.verify_callback(body)?;
    // 2. Proven outcome: a status query binds order, amount, currency, transaction and outcome.
    let confirmed = app.provider.confirm_callback(event).await?;
    let order_id = confirmed.report().order_id.clone().unwrap_or_default();
    let expected = app.orders.lock().ok().and_then(|o| o.get(&order_id).map(|o| o.amount));
    let Some(amount) = expected else {
        return Err(Error::mismatch(
            "order_id",
            format!("no order {order_id:?} in this shop"),
        ));
    };
    // 3. This order, this amount and currency; a confirmed decline is answered 200, not fulfilled.
    confirmed.ensure_matches(&order_id, amount)?;
    if confirmed.status() != &PaymentStatus::Succeeded {
        return Ok(format!("order {order_id}: {:?}, nothing to fulfil", confirmed.status()));
    }
    confirmed.ensure_paid(&order_id, amount)?;
    // 4. Once per event, however many times it is delivered.
    if !app.processed.mark_once(confirmed.dedupe_key(), DEDUPE_FOR).await? {
        return Ok(format!(
            "order {order_id}: duplicate delivery ignored (already processed)"
        ));
    }
    if let Err(e) = fulfil(app, &order_id) {
        // Let the provider's next delivery try again.
        app.processed.release(confirmed.dedupe_key()).await?;
        return Err(e);
    }
    Ok(format!(
        "order {order_id} fulfilled ({} paid, confirmed)",
        amount.to_major_string()
    ))
}

/// Ship the goods (here: mark the order).
fn fulfil(app: &App, order_id: &str) -> payments::Result<()> {
    let mut orders = app.orders.lock().map_err(|_| Error::config("order table poisoned"))?;
    match orders.get_mut(order_id) {
        Some(order) => {
            order.fulfilled = true;
            Ok(())
        }
        None => Err(Error::mismatch("order_id", "order vanished")),
    }
}

/// SANDBOX ONLY: what a customer and the provider would do, to see the whole
/// loop run in one command.
async fn play_customer(addr: &str, sandbox: &str) -> Result<(), Box<dyn std::error::Error>> {
    let http = HttpClient::new()?;
    let call = Call::moves_money("customer", "checkout");
    let shop = format!("http://{addr}");
    let created = http
        .execute(
            &call,
            HttpRequest::json(Method::Post, format!("{shop}/orders"), &json!({"amount": "10.50"}))?,
        )
        .await?;
    let created: Value = serde_json::from_slice(&created.body)?;
    let order = created["order_id"].as_str().ok_or("no order id")?.to_owned();
    let transaction = created["transaction"]
        .as_str()
        .ok_or_else(|| format!("no transaction: {created}"))?;
    println!("order {order} created, customer sent to {}", created["redirect"]);

    let approve = format!("{sandbox}/_sandbox/epoint/payments/{transaction}/approve");
    let approved = http.execute(&call, HttpRequest::new(Method::Post, approve)).await?;
    if approved.status != 200 {
        return Err(format!("sandbox approve answered HTTP {}", approved.status).into());
    }
    wait_fulfilled(&http, &shop, &order).await?;
    println!("order {order} fulfilled after the confirmed callback");

    // The provider delivers the same callback again: it must not fulfil twice.
    let deliveries = http
        .execute(
            &Call::idempotent("sandbox", "deliveries"),
            HttpRequest::get(format!("{sandbox}/_sandbox/deliveries?provider=epoint&limit=1")),
        )
        .await?;
    let deliveries: Value = serde_json::from_slice(&deliveries.body)?;
    let id = deliveries["deliveries"][0]["id"]
        .as_u64()
        .ok_or("no delivery recorded")?;
    let resent = http
        .execute(
            &call,
            HttpRequest::new(Method::Post, format!("{sandbox}/_sandbox/deliveries/{id}/resend")),
        )
        .await?;
    if !(200..300).contains(&resent.status) {
        return Err(format!("sandbox resend answered HTTP {}", resent.status).into());
    }
    // Give the redelivery time to arrive and be answered.
    tokio::time::sleep(Duration::from_millis(500)).await;
    println!("done: one order, paid and fulfilled once");
    Ok(())
}

async fn wait_fulfilled(http: &HttpClient, shop: &str, order: &str) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..100 {
        let state = http
            .execute(
                &Call::idempotent("shop", "order"),
                HttpRequest::get(format!("{shop}/orders/{order}")),
            )
            .await?;
        let state: Value = serde_json::from_slice(&state.body)?;
        if state["fulfilled"] == Value::Bool(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("order {order} was not fulfilled within 10 s").into())
}
