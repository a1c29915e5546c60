//! ePay's codes mapped into the core errors and statuses.

use payments_core::{Error, HttpResponse, PaymentStatus};

use crate::PROVIDER;
use crate::wire::ErrorBody;

/// The error for a non-success response: ePay's `{code, message}` (or an
/// OAuth `{error, error_description}`) when the body holds one, otherwise a
/// generic provider error with the HTTP status.
pub(crate) fn api_error(resp: &HttpResponse) -> Error {
    match serde_json::from_slice::<ErrorBody>(&resp.body) {
        Ok(body) if body.code.is_some() || body.message.is_some() => {
            resp.locate(Error::provider(PROVIDER, body.code, body.message, Some(resp.status)))
        }
        Ok(body) if body.error.is_some() => resp.locate(Error::provider(
            PROVIDER,
            body.error,
            body.error_description,
            Some(resp.status),
        )),
        _ => resp.status_error(PROVIDER),
    }
}

/// Like [`api_error`] for responses that may echo credentials (token
/// endpoints): only the parsed code and message are kept, never an excerpt.
pub(crate) fn token_error(resp: &HttpResponse) -> Error {
    match serde_json::from_slice::<ErrorBody>(&resp.body) {
        Ok(body) => resp.locate(Error::provider(
            PROVIDER,
            body.error.or(body.code),
            body.error_description.or(body.message),
            Some(resp.status),
        )),
        Err(_) => resp.locate(Error::provider(PROVIDER, None, None, Some(resp.status))),
    }
}

/// `resultCode` of a status check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResultCode {
    /// 100: the transaction was found.
    Found,
    /// 101: the payment was rejected.
    Rejected,
    /// 102: no payment for this invoice id.
    InvoiceNotFound,
    /// 103: an error at ePay.
    Error,
    /// 104: the token carries no terminal.
    NoTerminalInToken,
    /// 106: wrong terminal.
    WrongTerminal,
    /// 107: the payment is in progress.
    InProgress,
    /// 109: the terminal does not belong to this client.
    ForeignTerminal,
    /// A code the SDK does not know, as sent.
    Unknown(String),
}

impl ResultCode {
    /// Reads a code as sent (`"100"`).
    pub fn parse(code: &str) -> ResultCode {
        match code.trim() {
            "100" => ResultCode::Found,
            "101" => ResultCode::Rejected,
            "102" => ResultCode::InvoiceNotFound,
            "103" => ResultCode::Error,
            "104" => ResultCode::NoTerminalInToken,
            "106" => ResultCode::WrongTerminal,
            "107" => ResultCode::InProgress,
            "109" => ResultCode::ForeignTerminal,
            other => ResultCode::Unknown(other.to_owned()),
        }
    }

    /// The wire code.
    pub fn as_str(&self) -> &str {
        match self {
            ResultCode::Found => "100",
            ResultCode::Rejected => "101",
            ResultCode::InvoiceNotFound => "102",
            ResultCode::Error => "103",
            ResultCode::NoTerminalInToken => "104",
            ResultCode::WrongTerminal => "106",
            ResultCode::InProgress => "107",
            ResultCode::ForeignTerminal => "109",
            ResultCode::Unknown(s) => s,
        }
    }
}

/// `statusName` of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatusName {
    /// `AUTH`: funds held, awaiting charge or cancel.
    Auth,
    /// `CHARGE`: charged.
    Charge,
    /// `CANCEL`: the authorization was cancelled.
    Cancel,
    /// `CANCEL_OLD`: cancelled (older form).
    CancelOld,
    /// `REFUND`: refunded.
    Refund,
    /// `FAILED`: the payment failed.
    Failed,
    /// `3D`: waiting for 3-D Secure.
    ThreeDs,
    /// `NEW`: created, not paid.
    New,
    /// `REJECT`: rejected.
    Reject,
    /// A status the SDK does not know, as sent.
    Unknown(String),
}

impl StatusName {
    /// Reads a status as sent.
    pub fn parse(name: &str) -> StatusName {
        match name.trim() {
            "AUTH" => StatusName::Auth,
            "CHARGE" => StatusName::Charge,
            "CANCEL" => StatusName::Cancel,
            "CANCEL_OLD" => StatusName::CancelOld,
            "REFUND" => StatusName::Refund,
            "FAILED" => StatusName::Failed,
            "3D" => StatusName::ThreeDs,
            "NEW" => StatusName::New,
            "REJECT" => StatusName::Reject,
            other => StatusName::Unknown(other.to_owned()),
        }
    }

    /// The wire name.
    pub fn as_str(&self) -> &str {
        match self {
            StatusName::Auth => "AUTH",
            StatusName::Charge => "CHARGE",
            StatusName::Cancel => "CANCEL",
            StatusName::CancelOld => "CANCEL_OLD",
            StatusName::Refund => "REFUND",
            StatusName::Failed => "FAILED",
            StatusName::ThreeDs => "3D",
            StatusName::New => "NEW",
            StatusName::Reject => "REJECT",
            StatusName::Unknown(s) => s,
        }
    }

    /// The provider-neutral status. ePay does not say whether a refund was
    /// partial, so `REFUND` maps to [`PaymentStatus::Refunded`].
    pub fn to_payment_status(&self) -> PaymentStatus {
        match self {
            StatusName::Auth => PaymentStatus::Authorized,
            StatusName::Charge => PaymentStatus::Succeeded,
            StatusName::Cancel | StatusName::CancelOld => PaymentStatus::Cancelled,
            StatusName::Refund => PaymentStatus::Refunded,
            StatusName::Failed | StatusName::Reject => PaymentStatus::Declined,
            StatusName::ThreeDs | StatusName::New => PaymentStatus::Pending,
            StatusName::Unknown(s) => PaymentStatus::Unknown(s.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknowns_are_kept() {
        for code in ["100", "101", "102", "103", "104", "106", "107", "109", "999"] {
            assert_eq!(ResultCode::parse(code).as_str(), code);
        }
        assert_eq!(ResultCode::parse("105"), ResultCode::Unknown("105".into()));
        for name in [
            "AUTH",
            "CHARGE",
            "CANCEL",
            "CANCEL_OLD",
            "REFUND",
            "FAILED",
            "3D",
            "NEW",
            "REJECT",
        ] {
            assert_eq!(StatusName::parse(name).as_str(), name);
        }
        assert_eq!(
            StatusName::parse("PARTIAL").to_payment_status(),
            PaymentStatus::Unknown("PARTIAL".into())
        );
        assert_eq!(StatusName::Charge.to_payment_status(), PaymentStatus::Succeeded);
        assert_eq!(StatusName::Auth.to_payment_status(), PaymentStatus::Authorized);
        assert_eq!(StatusName::Reject.to_payment_status(), PaymentStatus::Declined);
        assert_eq!(StatusName::CancelOld.to_payment_status(), PaymentStatus::Cancelled);
        assert_eq!(StatusName::ThreeDs.to_payment_status(), PaymentStatus::Pending);
    }

    #[test]
    fn error_bodies() {
        let e = api_error(&HttpResponse::new(400, r#"{"code": 1373, "message": "Wrong amount"}"#));
        assert!(
            matches!(&e, Error::Provider { code: Some(c), message: Some(m), http_status: Some(400), .. }
            if c == "1373" && m == "Wrong amount")
        );
        let e = api_error(&HttpResponse::new(502, "<html>bad gateway</html>"));
        assert!(matches!(
            &e,
            Error::Provider {
                code: None,
                http_status: Some(502),
                ..
            }
        ));
        assert!(e.is_transient());
        let e = token_error(&HttpResponse::new(
            401,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        ));
        assert_eq!(e.provider_code(), Some("invalid_client"));
        let e = token_error(&HttpResponse::new(500, "secret-echo"));
        assert!(!format!("{e:?}{e}").contains("secret-echo"));
    }
}
