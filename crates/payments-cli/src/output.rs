//! Printing typed answers as text or JSON, and the "working…" line.
//!
//! Core types carry no `Serialize` (secrets and provider internals must not
//! leak into JSON by accident), so the JSON shapes are built here, field by
//! field, from public fields only.

use std::io::Write;

use payments::{Delivery, Error, Money, OperationOutcome, PaymentStatus, StatusReport};
use serde_json::{Value, json};

/// Prints `message…` on standard error before something slow (a network call,
/// a compile, a key generation), so a person never watches a silent terminal.
pub fn working(message: &str) {
    let mut err = std::io::stderr();
    let _ = writeln!(err, "{message}…");
    let _ = err.flush();
}

/// A status as text: `Succeeded`, `Unknown(xyz)`.
pub fn status_text(status: &PaymentStatus) -> String {
    match status {
        PaymentStatus::Unknown(raw) => format!("Unknown({raw})"),
        other => format!("{other:?}"),
    }
}

/// Money as `{"amount": "10.50", "currency": "AZN"}` (text, never a float).
pub fn money_json(money: Option<Money>) -> Value {
    match money {
        Some(m) => json!({"amount": m.to_major_string(), "currency": m.currency().alpha_code()}),
        None => Value::Null,
    }
}

/// A status report as JSON.
pub fn report_json(report: &StatusReport) -> Value {
    json!({
        "status": status_text(&report.status),
        "final": report.status.is_final(),
        "order_id": report.order_id,
        "transaction_id": report.transaction_id,
        "amount": money_json(report.amount),
        "code": report.code,
        "message": report.message,
        "extra": report.extra,
    })
}

/// A status report as text lines.
pub fn report_text(report: &StatusReport) -> String {
    let mut out = format!("status:      {}\n", status_text(&report.status));
    let mut line = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            out.push_str(&format!("{name:<12} {v}\n"));
        }
    };
    line("order:", report.order_id.clone());
    line("transaction:", report.transaction_id.clone());
    line(
        "amount:",
        report
            .amount
            .map(|m| format!("{} {}", m.to_major_string(), m.currency().alpha_code())),
    );
    line("code:", report.code.clone());
    line("message:", report.message.clone());
    for (k, v) in &report.extra {
        out.push_str(&format!("extra:       {k}={v}\n"));
    }
    out
}

/// An operation outcome as JSON.
pub fn outcome_json(outcome: &OperationOutcome) -> Value {
    match outcome {
        OperationOutcome::Accepted {
            provider_ref,
            operation_id,
        } => json!({"outcome": "accepted", "provider_ref": provider_ref, "operation_id": operation_id}),
        OperationOutcome::Declined(d) => json!({"outcome": "declined", "code": d.code, "message": d.message}),
        OperationOutcome::AlreadyProcessed {
            operation_id,
            provider_ref,
        } => json!({"outcome": "already_processed", "provider_ref": provider_ref, "operation_id": operation_id}),
        other => json!({"outcome": "other", "debug": format!("{other:?}")}),
    }
}

/// An operation outcome as text.
pub fn outcome_text(outcome: &OperationOutcome) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    match outcome {
        OperationOutcome::Accepted {
            provider_ref,
            operation_id,
        } => format!(
            "accepted (provider ref {}, operation id {})",
            opt(provider_ref),
            opt(operation_id)
        ),
        OperationOutcome::Declined(d) => format!("declined: code {} {}", opt(&d.code), opt(&d.message)),
        OperationOutcome::AlreadyProcessed {
            operation_id,
            provider_ref,
        } => format!(
            "already processed: the provider applied an earlier request with this id (operation id {}, provider ref {}); do not retry with a new id",
            opt(operation_id),
            opt(provider_ref)
        ),
        other => format!("{other:?}"),
    }
}

/// What an error means for the money: the question after every failure.
pub fn money_verdict(err: &Error) -> &'static str {
    match (err.outcome_unknown(), err.safe_to_resend(), err.delivery()) {
        (true, false, _) => {
            "money MAY have moved: the provider may have applied the request; query the status before anything else, never repeat a payment"
        }
        (true, true, _) => {
            "the request may have reached the provider, but it moves no money twice when resent (idempotent): resending is safe"
        }
        (false, _, Delivery::NotSent) => "nothing was sent: money did not move; fix the cause and run it again",
        (false, _, Delivery::ProviderAnswered) => {
            "the provider refused the request: money did not move; resending the same request is safe"
        }
        _ => "money did not move by this command",
    }
}

/// An error as JSON: its text, delivery and the money verdict.
pub fn error_json(err: &Error) -> Value {
    json!({
        "error": err.to_string(),
        "delivery": format!("{:?}", err.delivery()),
        "outcome_unknown": err.outcome_unknown(),
        "safe_to_resend": err.safe_to_resend(),
        "transient": err.is_transient(),
        "provider_code": err.provider_code(),
        "money": money_verdict(err),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_says_whether_money_could_have_moved() {
        let cases = [
            (
                Error::maybe_sent("epoint", "refund", "timed out", None, false),
                "money MAY have moved",
            ),
            (
                Error::maybe_sent("epoint", "status", "timed out", None, true),
                "resending is safe",
            ),
            (
                Error::provider("epoint", Some("x".into()), None, Some(502)),
                "money MAY have moved",
            ),
            (
                Error::unreadable("epoint", 200, "not JSON", b"<html>", None),
                "money MAY have moved",
            ),
            (
                Error::not_sent("epoint", "refund", "connection refused", None),
                "nothing was sent",
            ),
            (
                Error::provider("epoint", Some("x".into()), None, Some(400)),
                "the provider refused the request",
            ),
            (Error::config("EPOINT_PUBLIC_KEY is not set"), "nothing was sent"),
        ];
        for (err, words) in cases {
            assert!(money_verdict(&err).contains(words), "{err:?}: {}", money_verdict(&err));
            let json = error_json(&err);
            assert_eq!(json["outcome_unknown"], err.outcome_unknown());
            assert_eq!(json["safe_to_resend"], err.safe_to_resend());
        }
    }

    #[test]
    fn money_is_text_in_json() {
        let m = Money::parse_major("10.50", payments::Currency::AZN).ok();
        assert_eq!(money_json(m), json!({"amount": "10.50", "currency": "AZN"}));
        assert_eq!(money_json(None), Value::Null);
    }
}
