//! The platform's answers: the envelope `{status, code, message, payload}`
//! and the ASP.NET-style framework answers around it.
//!
//! | case | HTTP | body |
//! |---|---|---|
//! | success | 200 | `status` 0, `code` `"100"` or `null` (per endpoint, as Sipay's samples) |
//! | business refusal | 200 | `status` 2, `code` from [`super::codes`] |
//! | field validation | 400 | `status` 1, `code` `"999"`, an English message |
//! | required number missing, unreadable JSON, duplicate keys | 400 | `{"status":400,"title":...,"errors":{...}}` (no envelope) |
//! | wrong `Content-Type` | 415 | `{"status":415,"title":"Unsupported Media Type"}` |
//! | missing, unknown or expired token | 401 | empty, `WWW-Authenticate: Bearer error="invalid_token"` |

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::codes;
use crate::json::Json;

/// A refusal; handlers return `Result<Response, QrError>`.
#[derive(Debug, Clone)]
pub struct QrError {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Unauthorized(&'static str),
    UnsupportedMediaType,
    /// HTTP 400, the framework's validation object for one field.
    Framework {
        field: String,
        message: String,
    },
    /// HTTP 400, status 1, code 999.
    Validation(String),
    /// HTTP 200, status 2.
    Business {
        code: &'static str,
        message: String,
    },
}

impl QrError {
    /// A business refusal (status 2, HTTP 200).
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> QrError {
        QrError {
            kind: Kind::Business {
                code,
                message: message.into(),
            },
        }
    }

    /// A field validation failure (status 1, code 999, HTTP 400).
    pub(crate) fn validation(message: String) -> QrError {
        QrError {
            kind: Kind::Validation(message),
        }
    }

    /// A required number absent altogether (HTTP 400 framework object).
    pub(crate) fn missing_number(field: &str) -> QrError {
        QrError {
            kind: Kind::Framework {
                field: field.to_owned(),
                message: format!("The {field} field is required."),
            },
        }
    }

    /// A member that cannot be converted to its type (HTTP 400 framework object).
    pub(crate) fn unreadable(field: &str) -> QrError {
        QrError {
            kind: Kind::Framework {
                field: format!("$.{field}"),
                message: format!("The JSON value could not be converted ({field})."),
            },
        }
    }

    /// A body that is not one JSON object, or repeats a key (HTTP 400 framework object).
    pub(crate) fn body(message: String) -> QrError {
        QrError {
            kind: Kind::Framework {
                field: "$".to_owned(),
                message,
            },
        }
    }

    pub(crate) fn unauthorized(description: &'static str) -> QrError {
        QrError {
            kind: Kind::Unauthorized(description),
        }
    }

    pub(crate) fn unsupported_media_type() -> QrError {
        QrError {
            kind: Kind::UnsupportedMediaType,
        }
    }

    /// 315, invalid amount.
    pub(crate) fn amount() -> QrError {
        QrError::new(codes::INVALID_AMOUNT, "Geçersiz tutar girişi.")
    }

    /// 300, wallet not found.
    pub(crate) fn wallet() -> QrError {
        QrError::new(codes::WALLET_NOT_FOUND, "Cüzdan bulunamadı.")
    }

    /// 312, no record.
    pub(crate) fn no_record() -> QrError {
        QrError::new(codes::NO_RECORD, "Kayıt bulunamadı.")
    }

    /// The envelope code, for tests and logs (`None` for non-envelope answers).
    pub fn code(&self) -> Option<&'static str> {
        match &self.kind {
            Kind::Business { code, .. } => Some(code),
            Kind::Validation(_) => Some(codes::VALIDATION),
            _ => None,
        }
    }
}

impl std::fmt::Display for QrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Unauthorized(d) => write!(f, "401 {d}"),
            Kind::UnsupportedMediaType => write!(f, "415 unsupported media type"),
            Kind::Framework { field, message } => write!(f, "400 {field}: {message}"),
            Kind::Validation(m) => write!(f, "999 {m}"),
            Kind::Business { code, message } => write!(f, "{code} {message}"),
        }
    }
}

impl std::error::Error for QrError {}

fn json(status: StatusCode, body: &Json) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.render(),
    )
        .into_response()
}

impl IntoResponse for QrError {
    fn into_response(self) -> Response {
        // The same short message as the body, for the request log and curl -i.
        let text = match &self.kind {
            Kind::Unauthorized(_) => format!("{self} (details: POST /_sandbox/qr/diagnose)"),
            _ => self.to_string(),
        };
        let hint = crate::control::requests::hint_value(&text);
        let mut resp = self.into_provider_response();
        if let Some(v) = hint {
            resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
        }
        resp
    }
}

impl QrError {
    fn into_provider_response(self) -> Response {
        match self.kind {
            Kind::Unauthorized(description) => {
                let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
                let mut resp = StatusCode::UNAUTHORIZED.into_response();
                if let Ok(v) = header::HeaderValue::from_str(&challenge) {
                    resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                }
                resp
            }
            Kind::UnsupportedMediaType => json(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &Json::obj([
                    ("title", Json::str("Unsupported Media Type")),
                    ("status", Json::int(415)),
                ]),
            ),
            Kind::Framework { field, message } => json(
                StatusCode::BAD_REQUEST,
                &Json::obj([
                    ("title", Json::str("One or more validation errors occurred.")),
                    ("status", Json::int(400)),
                    ("errors", Json::Obj(vec![(field, Json::Arr(vec![Json::Str(message)]))])),
                ]),
            ),
            Kind::Validation(message) => envelope(
                StatusCode::BAD_REQUEST,
                1,
                Some(codes::VALIDATION),
                Some(&message),
                Json::Null,
            ),
            Kind::Business { code, message } => envelope(StatusCode::OK, 2, Some(code), Some(&message), Json::Null),
        }
    }
}

pub(super) fn envelope(
    http: StatusCode,
    status: i64,
    code: Option<&str>,
    message: Option<&str>,
    payload: Json,
) -> Response {
    let body = Json::obj([
        ("status", Json::int(status)),
        ("code", code.map(Json::str).unwrap_or(Json::Null)),
        ("message", message.map(Json::str).unwrap_or(Json::Null)),
        ("payload", payload),
    ]);
    json(http, &body)
}

/// Success with `code` "100" and "İşlem başarılı".
pub(super) fn success(payload: Json) -> Response {
    envelope(StatusCode::OK, 0, Some(codes::OK), Some("İşlem başarılı"), payload)
}

/// Success with `code` "100" and `message` null (the seed's Begin sample).
pub(super) fn success_quiet(payload: Json) -> Response {
    envelope(StatusCode::OK, 0, Some(codes::OK), None, payload)
}

/// Success with `code` and `message` null (ReadQRPayment, CheckQRPaymentStatus,
/// ReadTRQRCode, GetTRQRCode, CreateQRPayment, RefundPayment).
pub(super) fn success_null(payload: Json) -> Response {
    envelope(StatusCode::OK, 0, None, None, payload)
}

/// A business refusal that is answered after the money moved (501: "try
/// again"): the outcome is unknown to the client until it reconciles.
pub(super) fn after_commit(code: &'static str, message: &str) -> Response {
    envelope(StatusCode::OK, 2, Some(code), Some(message), Json::Null)
}

/// HTTP 504 without an envelope, as a proxy answers when the platform is slow.
pub(super) fn gateway_timeout() -> Response {
    (
        StatusCode::GATEWAY_TIMEOUT,
        [(header::CONTENT_TYPE, "text/plain")],
        "upstream request timeout",
    )
        .into_response()
}
