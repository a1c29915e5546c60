//! `POST /_sandbox/epay/diagnose` and `POST /_sandbox/qr/diagnose`: neither
//! provider signs its requests or callbacks, so what goes wrong is a
//! credential, a token, or (ePay) the `secret_hash` a postLink echoes. Each
//! check says what it compared and, when it fails, the likely mistake. A
//! secret, token or `secret_hash` is compared (in constant time), never shown.

use payments_core::crypto;
use serde_json::{Map, Value, json};

use super::ControlError;

mod epay;
mod qr;

pub(super) use epay::epay;
pub(super) use qr::qr;

/// The list of checks and the first failure's explanation.
#[derive(Debug, Default)]
pub(super) struct Report {
    checks: Vec<Value>,
}

impl Report {
    pub(super) fn check(&mut self, name: &str, ok: bool, detail: impl Into<String>) {
        self.checks
            .push(json!({"check": name, "ok": ok, "detail": detail.into()}));
    }

    pub(super) fn finish(self, extra: Value) -> Value {
        let mistake = self.checks.iter().find(|c| c["ok"] == false).map(|c| {
            format!(
                "{}: {}",
                c["check"].as_str().unwrap_or(""),
                c["detail"].as_str().unwrap_or("")
            )
        });
        let mut out = json!({
            "ok": mistake.is_none(),
            "likely_mistake": mistake,
            "checks": self.checks,
        });
        if let (Some(o), Value::Object(e)) = (out.as_object_mut(), extra) {
            o.extend(e);
        }
        out
    }
}

/// Form fields given as a JSON object or as the urlencoded text sent.
pub(super) fn form_fields(v: &Value, name: &str) -> Result<Map<String, Value>, ControlError> {
    match v {
        Value::Object(o) => Ok(o.clone()),
        Value::String(text) => {
            let mut out = Map::new();
            for (k, val) in form_urlencoded::parse(text.as_bytes()).into_owned() {
                if out.insert(k.clone(), Value::String(val)).is_some() {
                    return Err(ControlError::bad(format!("{name}: {k} sent twice (refused)")));
                }
            }
            Ok(out)
        }
        _ => Err(ControlError::bad(format!(
            "{name}: the form fields as a JSON object, or the urlencoded body as a string"
        ))),
    }
}

pub(super) fn text<'a>(form: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    form.get(key).and_then(Value::as_str)
}

pub(super) fn eq(a: &str, b: &str) -> bool {
    crypto::constant_time_eq(a.as_bytes(), b.as_bytes())
}

/// Why a secret that does not match may still be "the right one", or `None`.
pub(super) fn secret_mistake(sent: &str, expected: &str) -> Option<&'static str> {
    if sent.is_empty() {
        Some("empty")
    } else if eq(sent.trim(), expected) {
        Some("whitespace around it: send it exactly")
    } else if expected.starts_with(sent) && expected.len() > sent.len() {
        Some("cut short: an unencoded `&`, `#` or `+` in a form value ends or changes it; percent-encode the value")
    } else if sent.contains('%') && percent_decode(sent).is_some_and(|d| eq(&d, expected)) {
        Some("encoded twice: percent-encode the value once (the form encoding)")
    } else if eq(&sent.replace(' ', "+"), expected) {
        Some("`+` arrived as a space: percent-encode `+` as %2B")
    } else {
        None
    }
}

/// The detail of a password check: "matches", or a generic mismatch (the
/// expected value is not at hand here, so only the shape is checked).
pub(super) fn secret_mistake_or(sent: &str, ok: bool, mismatch: &str) -> String {
    if ok {
        "matches".to_owned()
    } else if sent.is_empty() {
        "empty".to_owned()
    } else if sent != sent.trim() {
        "whitespace around it: send it exactly".to_owned()
    } else {
        mismatch.to_owned()
    }
}

pub(super) fn percent_decode(text: &str) -> Option<String> {
    let pairs = format!("x={text}");
    form_urlencoded::parse(pairs.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
}
