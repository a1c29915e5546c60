//! One file per operation family: request types, pure builders, pure parsers.

pub mod account;
pub mod own_qr;
pub mod payment;
pub mod qr_payment;
pub mod refund;
pub mod third_party;
pub mod token;
pub mod tr_qr;
pub mod transaction_data;

use payments_core::{HttpRequest, Method, Secret};

use crate::QrWalletConfig;

/// A JSON POST to `{api}/v1/Transaction/{operation}` with the bearer token
/// and, when configured, the `x-client-id` header.
pub(crate) fn api_request(
    config: &QrWalletConfig,
    token: &Secret<String>,
    operation: &str,
    body: Vec<u8>,
) -> HttpRequest {
    api_request_at(config, token, "Transaction", operation, body)
}

/// A JSON POST to `{api}/v1/{controller}/{operation}` (`Account`,
/// `Transaction`, `TransactionData`), headers as [`api_request`].
pub(crate) fn api_request_at(
    config: &QrWalletConfig,
    token: &Secret<String>,
    controller: &str,
    operation: &str,
    body: Vec<u8>,
) -> HttpRequest {
    let mut req = HttpRequest::new(Method::Post, config.api_operation_url(controller, operation))
        .header("Content-Type", "application/json")
        .bearer(token);
    if let Some(x) = config.x_client_id() {
        req = req.header("x-client-id", x);
    }
    req.body(body)
}

/// A caller-supplied text field: non-empty, no control characters.
pub(crate) fn check_text(value: &str, field: &'static str) -> payments_core::Result<()> {
    if value.trim().is_empty() {
        return Err(payments_core::Error::invalid_input(field, "is required"));
    }
    if value.chars().any(char::is_control) {
        return Err(payments_core::Error::invalid_input(
            field,
            "contains control characters",
        ));
    }
    Ok(())
}

/// An answer whose shape no source shows (\[U\] operations): the payload's
/// JSON text, kept as sent. `Debug` shows it with personal data redacted.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawPayload {
    /// The payload as JSON text (`None` for a null payload).
    pub json: Option<String>,
}

impl std::fmt::Debug for RawPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.json.as_deref().map(crate::redact::personal_data);
        f.debug_struct("RawPayload").field("json", &shown).finish()
    }
}

/// Opens the envelope and keeps the payload as text.
pub(crate) fn parse_raw(
    resp: &payments_core::HttpResponse,
    operation: &'static str,
) -> payments_core::Result<RawPayload> {
    let payload = crate::wire::open(resp, operation)?;
    Ok(RawPayload {
        json: payload.map(|p| p.trim().to_owned()),
    })
}
