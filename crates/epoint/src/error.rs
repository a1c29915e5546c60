//! EPoint's answers mapped into the core error taxonomy and statuses.
//!
//! EPoint answers HTTP 200 even on errors; the `status` field decides.
//! `error`/`failed` is a decline (an `Ok` value); `server_error` (for example
//! "Signature did not match") means EPoint rejected the request itself and
//! becomes [`Error::Provider`].

use payments_core::{Error, HttpResponse, PaymentStatus, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::status::{ExtendedStatus, Status};

/// The provider name used in errors, tracing and [`payments_core::CallbackEvent`].
pub const PROVIDER: &str = "epoint";

/// Code given to [`Error::Provider`] when EPoint answers `status: server_error`.
pub const SERVER_ERROR_CODE: &str = "server_error";

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "crate::wire::opt_text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::opt_text")]
    message: Option<String>,
    /// m56's B2B errors (`422 {"detail": "..."}`).
    #[serde(default, deserialize_with = "crate::wire::opt_text")]
    detail: Option<String>,
    #[serde(default, deserialize_with = "crate::wire::opt_text")]
    trace_id: Option<String>,
}

#[derive(Deserialize)]
struct TraceOnly {
    #[serde(default, deserialize_with = "crate::wire::opt_text")]
    trace_id: Option<String>,
}

/// The `trace_id` of an answer: the body's field, else the `X-Request-ID`
/// header (the m56 sandbox sends both). EPoint support asks for it, so every
/// error built from an answer names it.
pub fn trace_id_of(response: &HttpResponse) -> Option<String> {
    serde_json::from_slice::<TraceOnly>(&response.body)
        .ok()
        .and_then(|t| t.trace_id)
        .or_else(|| response.header("x-request-id").map(str::to_owned))
}

/// `message (trace_id X)`: the message an error shows, with the trace id.
pub(crate) fn with_trace(message: Option<&str>, trace_id: Option<&str>) -> Option<String> {
    match (message, trace_id) {
        (m, None) => m.map(str::to_owned),
        (None, Some(t)) => Some(format!("trace_id {t}")),
        (Some(m), Some(t)) => Some(format!("{m} (trace_id {t})")),
    }
}

/// Reads a JSON response body. A non-2xx answer is an [`Error::Provider`]
/// (with EPoint's status and message when the body carries them); an empty or
/// non-JSON 2xx body is an [`Error::UnreadableResponse`].
pub(crate) fn read_json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    check_http_status(response)?;
    if !response.body.is_empty() && !crate::wire::is_object(&response.body) {
        return Err(Error::unreadable(
            PROVIDER,
            response.status,
            "the answer is not a JSON object",
            &response.body,
            None,
        ));
    }
    response.json::<T>(PROVIDER)
}

/// Like [`read_json`] for answers that may be a JSON array
/// (`get-installment-request`).
pub(crate) fn read_any_json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    check_http_status(response)?;
    response.json::<T>(PROVIDER)
}

/// Like [`read_any_json`] for answers holding personal data (invoices, B2B
/// payees): on failure the error keeps no excerpt and no serde message
/// (which may quote a value), only where the parse failed.
pub(crate) fn read_private_json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T> {
    check_http_status(response)?;
    serde_json::from_slice::<T>(&response.body).map_err(|e| {
        let reason = format!(
            "the answer does not have the documented shape (line {}, column {})",
            e.line(),
            e.column()
        );
        Error::unreadable_redacted(
            PROVIDER,
            response.status,
            with_trace(Some(&reason), trace_id_of(response).as_deref()).unwrap_or(reason),
            None,
        )
    })
}

/// A non-2xx answer as an [`Error::Provider`] with EPoint's status, message
/// and trace id when the body carries them.
fn check_http_status(response: &HttpResponse) -> Result<()> {
    if response.is_success() {
        return Ok(());
    }
    if let Ok(body) = serde_json::from_slice::<ErrorBody>(&response.body)
        && (body.status.is_some() || body.message.is_some() || body.detail.is_some())
    {
        let trace = body.trace_id.or_else(|| trace_id_of(response));
        return Err(response.locate(Error::provider(
            PROVIDER,
            body.status,
            with_trace(body.message.or(body.detail).as_deref(), trace.as_deref()),
            Some(response.status),
        )));
    }
    if let Some(trace) = trace_id_of(response) {
        return Err(response.locate(Error::provider(
            PROVIDER,
            None,
            with_trace(None, Some(&trace)),
            Some(response.status),
        )));
    }
    Err(response.status_error(PROVIDER))
}

/// The error for a `server_error` answer, naming its `trace_id`.
pub(crate) fn server_error(message: Option<&str>, response: &HttpResponse) -> Error {
    let trace = trace_id_of(response);
    Error::provider(
        PROVIDER,
        Some(SERVER_ERROR_CODE.to_owned()),
        with_trace(message, trace.as_deref()),
        Some(response.status),
    )
}

/// `Err` for `server_error`, `Ok` for every other status (declines included).
pub(crate) fn reject_server_error(status: &Status, message: Option<&str>, response: &HttpResponse) -> Result<()> {
    if matches!(status, Status::ServerError) {
        Err(server_error(message, response))
    } else {
        Ok(())
    }
}

/// The provider-neutral status of a `get-status` answer.
pub fn payment_status(status: &ExtendedStatus) -> PaymentStatus {
    match status {
        ExtendedStatus::New => PaymentStatus::Pending,
        ExtendedStatus::Success => PaymentStatus::Succeeded,
        ExtendedStatus::Returned => PaymentStatus::Refunded,
        ExtendedStatus::Error => PaymentStatus::Declined,
        ExtendedStatus::ServerError => PaymentStatus::Unknown(SERVER_ERROR_CODE.to_owned()),
        ExtendedStatus::Unknown(s) => PaymentStatus::Unknown(s.clone()),
    }
}

/// The provider-neutral status of an operation's or callback's `status`.
pub fn operation_status(status: &Status) -> PaymentStatus {
    match status {
        Status::Success => PaymentStatus::Succeeded,
        Status::Error | Status::Failed => PaymentStatus::Declined,
        Status::ServerError => PaymentStatus::Unknown(SERVER_ERROR_CODE.to_owned()),
        Status::Unknown(s) => PaymentStatus::Unknown(s.clone()),
    }
}

/// The meaning of a bank `code` (ISO 8583:1993 action code), in English.
/// `None` for codes outside the table; the raw code is always kept as sent.
pub fn describe_bank_code(code: &str) -> Option<&'static str> {
    let text = match code {
        "000" => "approved",
        "100" => "declined, no reason given",
        "101" => "declined: expired card",
        "102" => "declined: suspected fraud",
        "103" => "declined: card acceptor contact acquirer",
        "104" => "declined: restricted card",
        "105" => "declined: call acquirer security",
        "106" => "declined: allowable PIN tries exceeded",
        "107" => "declined: refer to card issuer",
        "108" => "declined: refer to issuer's special conditions",
        "109" => "declined: invalid merchant",
        "110" => "declined: invalid amount",
        "111" => "declined: invalid card number",
        "112" => "declined: PIN data required",
        "113" => "declined: unacceptable amount or fee",
        "114" => "declined: no account of the type requested",
        "115" => "declined: function not supported",
        "116" => "declined: insufficient funds",
        "117" => "declined: incorrect PIN",
        "118" => "declined: no card record",
        "119" => "declined: transaction not permitted to cardholder",
        "120" => "declined: transaction not permitted to terminal",
        "121" => "declined: exceeds withdrawal amount limit",
        "122" => "declined: security violation",
        "123" => "declined: exceeds withdrawal frequency limit",
        "124" => "declined: violation of law",
        "125" => "declined: card not effective",
        "126" => "declined: invalid PIN block",
        "127" => "declined: PIN length error",
        "128" => "declined: PIN key synchronisation error",
        "180" => "declined: counterfeit card",
        "181" => "declined: card misuse",
        "200" | "201" | "202" | "203" | "204" | "205" | "206" | "207" | "208" | "209" | "210" => {
            "declined: pick up card"
        }
        "900" => "advice acknowledged, no financial liability accepted",
        "901" => "advice acknowledged, financial liability accepted",
        "902" => "declined: invalid transaction",
        "903" => "declined: re-enter transaction",
        "904" => "declined: format error",
        "907" | "908" => "declined: card issuer or switch inoperative",
        "909" => "declined: system malfunction",
        "911" => "declined: card issuer timed out",
        "913" => "declined: duplicate transmission",
        "914" => "declined: cannot trace the original transaction",
        "916" => "declined: MAC incorrect",
        "923" => "declined: request in progress",
        "950" => "declined: violation of business arrangement",
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_2xx_keeps_epoint_status_and_message() {
        let r = HttpResponse::new(503, r#"{"status":"server_error","message":"down"}"#);
        let err = read_json::<serde_json::Value>(&r).unwrap_err();
        assert!(matches!(
            &err,
            Error::Provider {
                http_status: Some(503),
                ..
            }
        ));
        assert_eq!(err.provider_code(), Some("server_error"));
        assert!(err.is_transient());
        let err = read_json::<serde_json::Value>(&HttpResponse::new(502, "<html>bad gateway</html>")).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Provider {
                    http_status: Some(502),
                    code: None,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = read_json::<serde_json::Value>(&HttpResponse::new(200, "")).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }));
    }

    #[test]
    fn statuses_map() {
        assert_eq!(payment_status(&ExtendedStatus::Returned), PaymentStatus::Refunded);
        assert_eq!(payment_status(&ExtendedStatus::New), PaymentStatus::Pending);
        assert_eq!(operation_status(&Status::Failed), PaymentStatus::Declined);
        assert_eq!(
            operation_status(&Status::Unknown("odd".into())),
            PaymentStatus::Unknown("odd".into())
        );
        assert_eq!(describe_bank_code("116"), Some("declined: insufficient funds"));
        assert_eq!(describe_bank_code("XYZ"), None);
        let ok = HttpResponse::new(200, "{}");
        assert!(reject_server_error(&Status::Error, None, &ok).is_ok());
        assert_eq!(
            reject_server_error(&Status::ServerError, Some("Signature did not match"), &ok)
                .unwrap_err()
                .to_string(),
            "epoint error (HTTP 200): code server_error, Signature did not match"
        );
        let traced = HttpResponse::new(200, r#"{"status":"server_error","trace_id":"a1b2"}"#);
        assert_eq!(
            reject_server_error(&Status::ServerError, Some("Signature did not match"), &traced)
                .unwrap_err()
                .to_string(),
            "epoint error (HTTP 200): code server_error, Signature did not match (trace_id a1b2)"
        );
        let header = HttpResponse::new(502, "<html>").with_header("X-Request-ID", "h9");
        assert!(
            read_json::<serde_json::Value>(&header)
                .unwrap_err()
                .to_string()
                .contains("trace_id h9")
        );
        let detail = HttpResponse::new(422, r#"{"detail":"iban is invalid","trace_id":"t7"}"#);
        let err = read_json::<serde_json::Value>(&detail).unwrap_err();
        assert!(err.to_string().contains("iban is invalid (trace_id t7)"), "{err}");
    }
}
