//! One file per operation family: request types, pure builders, pure parsers.

pub mod qr_payment;
pub mod refund;
pub mod third_party;
pub mod token;

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
    let mut req = HttpRequest::new(Method::Post, config.transaction_url(operation))
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
