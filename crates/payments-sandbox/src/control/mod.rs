//! The control API under `/_sandbox/`: what a QA engineer drives with curl
//! from any language (clock, scenarios, merchants and callback URLs, approve
//! or decline a pending payment, the delivery and request logs). Its OpenAPI
//! document is served at [`OPENAPI_PATH`] and checked against [`ROUTES`] by
//! the tests; `docs/sandbox.md` ("Control API") has curl examples.
//!
//! Every answer is JSON; a refusal is `{"error": "..."}` with a 4xx status.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as Ax};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ProviderStates, Shared};

pub mod clock;
mod diagnose;
mod diagnose_credentials;
pub mod fixtures;
mod payments;
pub mod requests;
pub mod scenarios;

pub use clock::{ClockControl, ClockStart};
pub use requests::{RequestLog, RequestRecord};

/// Where the OpenAPI document of the control API is served.
pub const OPENAPI_PATH: &str = "/_sandbox/openapi.json";
/// The OpenAPI document (also in `docs/sandbox.md`).
pub const OPENAPI: &str = include_str!("openapi.json");
/// Entries a log listing returns at most by default (`?limit=` up to the log's cap).
pub const DEFAULT_LIMIT: usize = 100;

/// Every route mounted under `/_sandbox` (method, full path), in OpenAPI path syntax.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/_sandbox/openapi.json"),
    ("get", "/_sandbox/clock"),
    ("post", "/_sandbox/clock/freeze"),
    ("post", "/_sandbox/clock/resume"),
    ("post", "/_sandbox/clock/set"),
    ("post", "/_sandbox/clock/advance"),
    ("get", "/_sandbox/scenarios"),
    ("get", "/_sandbox/merchants"),
    ("put", "/_sandbox/{provider}/callback-url"),
    ("get", "/_sandbox/payments"),
    ("post", "/_sandbox/{provider}/payments/{id}/approve"),
    ("post", "/_sandbox/{provider}/payments/{id}/decline"),
    ("post", "/_sandbox/{provider}/payments/{id}/callback"),
    ("get", "/_sandbox/deliveries"),
    ("get", "/_sandbox/deliveries/{id}"),
    ("post", "/_sandbox/deliveries/{id}/resend"),
    ("get", "/_sandbox/requests"),
    ("post", "/_sandbox/sink"),
    ("post", "/_sandbox/epoint/diagnose"),
    ("post", "/_sandbox/azericard/diagnose"),
    ("post", "/_sandbox/epay/diagnose"),
    ("post", "/_sandbox/qr/diagnose"),
    ("post", "/_sandbox/fixtures"),
    ("put", "/_sandbox/{provider}/options"),
    ("post", "/_sandbox/epoint/merchants"),
    ("post", "/_sandbox/epoint/merchants/{id}/rotate-key"),
    ("put", "/_sandbox/epoint/merchants/{id}/features"),
    ("post", "/_sandbox/epoint/cards"),
    ("post", "/_sandbox/azericard/terminals"),
    ("put", "/_sandbox/azericard/merchant-key"),
    ("post", "/_sandbox/azericard/stored-cards"),
    ("post", "/_sandbox/azericard/gateway-key/rotate"),
    ("post", "/_sandbox/epay/clients"),
    ("post", "/_sandbox/epay/clients/{id}/rotate-secret"),
    ("put", "/_sandbox/epay/terminals/{id}"),
    ("post", "/_sandbox/epay/cards"),
    ("post", "/_sandbox/qr/wallets"),
    ("post", "/_sandbox/qr/credentials"),
    ("get", "/_sandbox/azericard/start"),
    ("post", "/_sandbox/azericard/start"),
];

/// What the control API works on. Built by [`crate::Sandbox`].
#[derive(Debug)]
pub struct Control {
    /// The clock's control side.
    pub clock: ClockControl,
    /// The request log (filled by [`requests::observe`]).
    pub requests: RequestLog,
    pub(crate) shared: Arc<Shared>,
    pub(crate) providers: Arc<ProviderStates>,
    /// The provider routes, without the control API, to drive hosted pages internally.
    pub(crate) provider_app: Router,
}

/// A control API refusal: `{"error": message}` with a status.
#[derive(Debug)]
pub(crate) struct ControlError(StatusCode, String);

impl ControlError {
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        ControlError(StatusCode::BAD_REQUEST, message.into())
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        ControlError(StatusCode::NOT_FOUND, message.into())
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({"error": self.1}))).into_response()
    }
}

type Answer = Result<axum::Json<Value>, ControlError>;

/// The control router (mounted at `/_sandbox`).
pub(crate) fn router(control: Arc<Control>) -> Router {
    let table: Vec<(&str, MethodRouter<Arc<Control>>)> = vec![
        ("/openapi.json", get(openapi)),
        ("/clock", get(clock_read)),
        ("/clock/freeze", post(clock_freeze)),
        ("/clock/resume", post(clock_resume)),
        ("/clock/set", post(clock_set)),
        ("/clock/advance", post(clock_advance)),
        ("/scenarios", get(scenarios_list)),
        ("/merchants", get(merchants)),
        ("/{provider}/callback-url", put(set_callback_url)),
        ("/payments", get(payments::recent)),
        ("/{provider}/payments/{id}/approve", post(payments::approve)),
        ("/{provider}/payments/{id}/decline", post(payments::decline)),
        ("/{provider}/payments/{id}/callback", post(payments::trigger_callback)),
        ("/deliveries", get(deliveries)),
        ("/deliveries/{id}", get(delivery)),
        ("/deliveries/{id}/resend", post(resend)),
        ("/requests", get(requests_list)),
        ("/sink", post(sink)),
        ("/epoint/diagnose", post(epoint_diagnose)),
        ("/azericard/diagnose", post(azericard_diagnose)),
        ("/epay/diagnose", post(epay_diagnose)),
        ("/qr/diagnose", post(qr_diagnose)),
    ];
    let table = table.into_iter().chain(fixtures::routes());
    let mut router = Router::new();
    for (path, method_router) in table {
        router = router.route(path, method_router);
    }
    router.with_state(control)
}

async fn epoint_diagnose(body: Bytes) -> Answer {
    Ok(axum::Json(diagnose::epoint(&body)?))
}

async fn azericard_diagnose(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Answer {
    let req: Value = optional_json(&body)?;
    let v = crate::azericard::diagnosis::diagnose(&c.providers.azericard, &req).map_err(ControlError::bad)?;
    Ok(axum::Json(v))
}

async fn epay_diagnose(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Answer {
    use payments_core::clock::Clock;
    Ok(axum::Json(diagnose_credentials::epay(
        &c.providers,
        c.shared.clock.now(),
        &body,
    )?))
}

async fn qr_diagnose(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Answer {
    use payments_core::clock::Clock;
    Ok(axum::Json(diagnose_credentials::qr(
        &c.providers,
        c.shared.clock.now(),
        &body,
    )?))
}

impl Control {
    /// Applies a fixtures document (the start-up config file's shape: see
    /// [`fixtures::apply`]) and returns what each entry answered.
    pub fn apply_fixtures(&self, document: &Value) -> Result<Value, String> {
        fixtures::apply(&self.providers, document)
    }
}

/// A merchant endpoint built in, for demos and the console: answers `200 OK`
/// to anything (point a callback URL at it to see deliveries succeed).
async fn sink() -> &'static str {
    "OK"
}

async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// A JSON body that may be empty (then `T::default()`), so `curl -X POST` works.
pub(crate) fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> Result<T, ControlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ControlError::bad(format!("body: {e}")))
}

fn clock_json(c: &Control) -> Value {
    let view = c.clock.view();
    json!({
        "now": view.now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "unix": view.now.unix_timestamp(),
        "frozen": view.frozen,
        "offset_seconds": view.offset_seconds,
    })
}

async fn clock_read(Ax(c): Ax<Arc<Control>>) -> Answer {
    Ok(axum::Json(clock_json(&c)))
}

async fn clock_freeze(Ax(c): Ax<Arc<Control>>) -> Answer {
    c.clock.freeze();
    tracing::info!("clock frozen");
    Ok(axum::Json(clock_json(&c)))
}

async fn clock_resume(Ax(c): Ax<Arc<Control>>) -> Answer {
    c.clock.resume();
    tracing::info!("clock running");
    Ok(axum::Json(clock_json(&c)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetClock {
    /// RFC 3339.
    at: Option<String>,
    /// Also freeze it there (default: keep the current mode).
    #[serde(default)]
    freeze: bool,
}

async fn clock_set(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Answer {
    let req: SetClock = optional_json(&body)?;
    let text = req
        .at
        .ok_or_else(|| ControlError::bad("at: required (RFC 3339, e.g. 2026-12-01T10:00:00Z)"))?;
    let at = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| ControlError::bad(format!("at: not RFC 3339: {e}")))?;
    c.clock.set(at, req.freeze);
    tracing::info!(at = %text, "clock set");
    Ok(axum::Json(clock_json(&c)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceClock {
    /// Seconds (non-negative).
    seconds: Option<u64>,
    /// Or a duration like `90s`, `15m`, `2h`, `1d`.
    by: Option<String>,
}

async fn clock_advance(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Answer {
    let req: AdvanceClock = optional_json(&body)?;
    let seconds = match (req.seconds, req.by.as_deref()) {
        (Some(s), None) => s,
        (None, Some(by)) => {
            let d = clock::parse_offset(by.trim_start_matches('+'))
                .filter(|d| !d.is_negative() && !by.starts_with('-'))
                .ok_or_else(|| ControlError::bad("by: expected a duration like 90s, 15m, 2h, 1d"))?;
            u64::try_from(d.whole_seconds()).map_err(|_| ControlError::bad("by: out of range"))?
        }
        _ => return Err(ControlError::bad("give exactly one of seconds or by")),
    };
    if seconds > 100 * 365 * 86_400 {
        return Err(ControlError::bad("seconds: at most a century"));
    }
    c.clock.advance(std::time::Duration::from_secs(seconds));
    tracing::info!(seconds, "clock advanced");
    Ok(axum::Json(clock_json(&c)))
}

async fn scenarios_list() -> Answer {
    Ok(axum::Json(scenarios::catalogue()))
}

async fn merchants(Ax(c): Ax<Arc<Control>>) -> Answer {
    let p = &c.providers;
    Ok(axum::Json(json!({
        "epoint": {"base_url": format!("{}/epoint", c.shared.base_url), "merchants": p.epoint.merchants()},
        "azericard": {"base_url": format!("{}/azericard", c.shared.base_url), "merchant": p.azericard.merchants()},
        "epay": {"base_url": format!("{}/epay", c.shared.base_url), "merchant": p.epay.merchants()},
        "qr": {"base_url": format!("{}/qr", c.shared.base_url), "merchant": p.qr.merchants()},
    })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallbackUrl {
    url: Option<String>,
    /// EPoint: the merchant's public key (default: the test merchant).
    merchant: Option<String>,
}

/// An absolute `http`/`https` URL (what a callback can be sent to).
fn callback_target(url: &str) -> Result<String, ControlError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| ControlError::bad(format!("url: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ControlError::bad("url: must be an absolute http or https URL"));
    }
    Ok(parsed.to_string())
}

async fn set_callback_url(Ax(c): Ax<Arc<Control>>, Path(provider): Path<String>, body: Bytes) -> Answer {
    let req: CallbackUrl = optional_json(&body)?;
    let url = callback_target(req.url.as_deref().ok_or_else(|| ControlError::bad("url: required"))?)?;
    let p = &c.providers;
    match provider.as_str() {
        "epoint" => {
            let merchant = req.merchant.unwrap_or_else(|| p.epoint.public_key().to_owned());
            if !p.epoint.set_callback_url(&merchant, &url) {
                return Err(ControlError::not_found(format!("merchant {merchant}: unknown")));
            }
            tracing::info!(provider, merchant = %merchant, url = %url, "callback URL set");
            Ok(axum::Json(
                json!({"provider": provider, "merchant": merchant, "callback_url": url}),
            ))
        }
        "azericard" => {
            p.azericard.set_transfer_callback_url(&url);
            tracing::info!(provider, url = %url, "MT transfer callback URL set");
            Ok(axum::Json(json!({
                "provider": provider, "transfer_callback_url": url,
                "note": "card payments call back BACKREF of each request",
            })))
        }
        "qr" => {
            p.qr.set_webhook_url(&url);
            tracing::info!(provider, url = %url, "webhook URL set");
            Ok(axum::Json(json!({"provider": provider, "webhook_url": url})))
        }
        "epay" => Err(ControlError(
            StatusCode::CONFLICT,
            "ePay takes postLink / failurePostLink in each payment token request; there is no merchant-level URL"
                .into(),
        )),
        other => Err(ControlError::not_found(format!(
            "provider {other}: unknown (epoint, azericard, epay, qr)"
        ))),
    }
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    provider: Option<String>,
}

fn delivery_json(r: &crate::DeliveryRecord) -> Value {
    json!({
        "id": r.id,
        "provider": r.provider,
        "target": r.url,
        "content_type": r.content_type,
        "body": String::from_utf8_lossy(&r.body),
        "attempts": r.attempts,
        "status": r.last_status,
        "delivered": r.delivered,
        "given_up": r.given_up,
        "pending": !r.delivered && !r.given_up,
        "resend_of": r.resend_of,
        "attempt_log": r.attempt_log.iter().map(|a| json!({
            "attempt": a.number,
            "status": a.status,
            "answer": a.answer,
            "error": a.error,
            "duration_ms": a.duration_ms,
        })).collect::<Vec<_>>(),
    })
}

async fn deliveries(Ax(c): Ax<Arc<Control>>, Query(q): Query<ListQuery>) -> Answer {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let items: Vec<Value> = c
        .shared
        .deliveries
        .records()
        .iter()
        .rev()
        .filter(|r| q.provider.as_deref().is_none_or(|p| p == r.provider))
        .take(limit)
        .map(delivery_json)
        .collect();
    Ok(axum::Json(json!({"deliveries": items})))
}

fn delivery_id(text: &str) -> Result<usize, ControlError> {
    text.parse().map_err(|_| ControlError::bad("id: a delivery number"))
}

async fn delivery(Ax(c): Ax<Arc<Control>>, Path(id): Path<String>) -> Answer {
    let id = delivery_id(&id)?;
    let record = c
        .shared
        .deliveries
        .record(id)
        .ok_or_else(|| ControlError::not_found(format!("delivery {id}: not in the log")))?;
    Ok(axum::Json(delivery_json(&record)))
}

async fn resend(Ax(c): Ax<Arc<Control>>, Path(id): Path<String>) -> Result<Response, ControlError> {
    let id = delivery_id(&id)?;
    let new = c
        .shared
        .deliveries
        .resend(id)
        .ok_or_else(|| ControlError::not_found(format!("delivery {id}: not in the log")))?;
    tracing::info!(delivery = id, resend = new, "callback resent");
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"id": new, "resend_of": id}))).into_response())
}

async fn requests_list(Ax(c): Ax<Arc<Control>>, Query(q): Query<ListQuery>) -> Answer {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    let items: Vec<Value> = c
        .requests
        .records()
        .iter()
        .rev()
        .filter(|r| q.provider.as_deref().is_none_or(|p| p == r.provider))
        .take(limit)
        .map(|r| {
            json!({
                "id": r.id,
                "at": r.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "method": r.method,
                "path": r.path,
                "provider": r.provider,
                "status": r.status,
                "duration_ms": r.duration_ms,
                "verified": r.verified,
                "hint": r.hint,
            })
        })
        .collect();
    Ok(axum::Json(json!({"requests": items})))
}
