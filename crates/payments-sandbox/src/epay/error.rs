//! ePay's error answer: an HTTP status plus the `{code, message}` body.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::json::{FieldError, Json, JsonError};

/// An ePay error; handlers return `Result<_, ApiError>`.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: i64,
    message: String,
}

/// Error codes of the `{code, message}` body (the sandbox's own numbering,
/// except [`NO_CARDS`](codes::NO_CARDS), seen in a third-party client).
pub mod codes {
    /// Malformed request, missing or invalid field.
    pub const INVALID_REQUEST: i64 = 1;
    /// Transaction or invoice link not found.
    pub const NOT_FOUND: i64 = 2;
    /// The operation is not allowed in the transaction's current state.
    pub const INVALID_STATE: i64 = 3;
    /// The amount exceeds what may be charged or refunded.
    pub const AMOUNT_TOO_LARGE: i64 = 4;
    /// The amount is below the minimum (refunds: 10 KZT).
    pub const AMOUNT_TOO_SMALL: i64 = 5;
    /// The invoiceId was already paid (or the invoice_id already used).
    pub const DUPLICATE: i64 = 6;
    /// The token's terminal differs from the transaction's.
    pub const WRONG_TERMINAL: i64 = 7;
    /// The issuer declined the payment.
    pub const DECLINED: i64 = 8;
    /// The invoice link expired or was deactivated.
    pub const LINK_INACTIVE: i64 = 9;
    /// Missing, unknown or expired token, or wrong credentials (HTTP 401).
    pub const UNAUTHORIZED: i64 = 401;
    /// No saved cards for the account (a third-party client's reading \[U\]).
    pub const NO_CARDS: i64 = 1373;
}

impl ApiError {
    /// HTTP 400 with a code.
    pub(crate) fn bad(code: i64, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// HTTP 400, [`codes::INVALID_REQUEST`].
    pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::bad(codes::INVALID_REQUEST, message)
    }

    /// HTTP 401.
    pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: codes::UNAUTHORIZED,
            message: message.into(),
        }
    }

    /// A bad member of a JSON body.
    pub(crate) fn field(e: FieldError) -> ApiError {
        ApiError::invalid(e.message())
    }

    /// A refused JSON body.
    pub(crate) fn json(e: JsonError) -> ApiError {
        ApiError::invalid(e.message("body"))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `code` of the body.
    pub fn code(&self) -> i64 {
        self.code
    }

    fn body(&self) -> String {
        Json::obj([
            ("code", Json::int(self.code)),
            ("message", Json::str(self.message.clone())),
        ])
        .render()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        // The same short message as the body, for the request log and curl -i;
        // a credential refusal also names the tool that says which part is wrong.
        let hint = if self.status == StatusCode::UNAUTHORIZED {
            format!("{} (details: POST /_sandbox/epay/diagnose)", self.message)
        } else {
            self.message.clone()
        };
        if let Some(v) = crate::control::requests::hint_value(&hint) {
            headers.insert(crate::control::requests::HINT_HEADER, v);
        }
        (self.status, headers, self.body()).into_response()
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// HTTP 200 with a JSON body.
pub(crate) fn ok_json(body: &Json) -> Response {
    json_response(StatusCode::OK, body.render())
}
