//! Private wire formats: the MT's JSON bodies and the MPI's loosely
//! specified answers (bare code, `key=value&...` or a JSON object).

use std::collections::BTreeMap;

use payments_core::{Error, HttpResponse, Result};
use serde::Serialize;

use crate::PROVIDER;
use crate::error::Action;

/// The MT confirm/decline body; field order is the wire order.
#[derive(Serialize)]
pub(crate) struct TransferDecisionBody<'a> {
    #[serde(rename = "Merchant")]
    pub merchant: &'a str,
    #[serde(rename = "SRN")]
    pub srn: &'a str,
    #[serde(rename = "Amount")]
    pub amount: &'a str,
    #[serde(rename = "Cur")]
    pub cur: &'a str,
    #[serde(rename = "Timestamp")]
    pub timestamp: &'a str,
    #[serde(rename = "Signature")]
    pub signature: &'a str,
}

fn body_text(response: &HttpResponse) -> Result<&str> {
    let text = std::str::from_utf8(&response.body)
        .map_err(|_| Error::unreadable(PROVIDER, response.status, "body is not UTF-8", &response.body, None))?
        .trim();
    if text.is_empty() {
        return Err(Error::unreadable(PROVIDER, response.status, "empty body", b"", None));
    }
    Ok(text)
}

/// The text of a JSON scalar as received: strings as they are, numbers in
/// their JSON spelling; `null` is absent.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A JSON object's scalar fields.
pub(crate) fn json_fields(response: &HttpResponse) -> Result<BTreeMap<String, String>> {
    let text = body_text(response)?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::unreadable(
            PROVIDER,
            response.status,
            format!("invalid JSON: {e}"),
            &response.body,
            Some(Box::new(e)),
        )
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(Error::unreadable(
            PROVIDER,
            response.status,
            "expected a JSON object",
            &response.body,
            None,
        ));
    };
    Ok(map
        .iter()
        .filter_map(|(k, v)| scalar_text(v).map(|t| (k.clone(), t)))
        .collect())
}

/// Fields of a JSON object or a `key=value&...` body.
pub(crate) fn keyed_fields(response: &HttpResponse) -> Result<BTreeMap<String, String>> {
    let text = body_text(response)?;
    if text.starts_with('{') {
        return json_fields(response);
    }
    if !text.contains('=') {
        return Err(Error::unreadable(
            PROVIDER,
            response.status,
            "expected a JSON object or key=value pairs",
            &response.body,
            None,
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        if out.insert(k.trim().to_owned(), v.into_owned()).is_some() {
            return Err(Error::unreadable(
                PROVIDER,
                response.status,
                "a field appears more than once",
                &response.body,
                None,
            ));
        }
    }
    Ok(out)
}

/// The code of a completion/reversal/charge answer, as sent.
pub(crate) enum FollowUpCode {
    /// A bare code (`0`, `1`, `2`, `3`, ...).
    Bare(String),
    /// ACTION and RC from a keyed body.
    Keyed {
        /// ACTION.
        action: Action,
        /// RC, when present and non-empty.
        rc: Option<String>,
    },
}

/// Reads a completion/reversal/charge answer: a bare code, or ACTION/RC in
/// a keyed body.
pub(crate) fn follow_up_code(response: &HttpResponse) -> Result<FollowUpCode> {
    let text = body_text(response)?;
    if text.len() <= 8 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Ok(FollowUpCode::Bare(text.to_owned()));
    }
    let fields = keyed_fields(response)?;
    let action = fields.get("ACTION").map(|a| Action::from_code(a)).ok_or_else(|| {
        Error::unreadable(
            PROVIDER,
            response.status,
            "no code and no ACTION in the answer",
            &response.body,
            None,
        )
    })?;
    let rc = fields.get("RC").map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    Ok(FollowUpCode::Keyed { action, rc })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn code(b: &str) -> Result<String> {
        follow_up_code(&HttpResponse::new(200, b.to_owned())).map(|c| match c {
            FollowUpCode::Bare(c) => c,
            FollowUpCode::Keyed { action, rc } => format!("ACTION {} RC {}", action.code(), rc.unwrap_or_default()),
        })
    }

    #[test]
    fn codes_in_every_accepted_shape() {
        assert_eq!(code(" 0\n").unwrap(), "0");
        assert_eq!(code("3").unwrap(), "3");
        assert_eq!(code("ACTION=0&RC=00").unwrap(), "ACTION 0 RC 00");
        assert_eq!(code("{\"ACTION\":1}").unwrap(), "ACTION 1 RC ");
        assert_eq!(code("ACTION=2&RC=05").unwrap(), "ACTION 2 RC 05");
        assert!(matches!(code(""), Err(Error::UnreadableResponse { .. })));
        assert!(matches!(code("<html>"), Err(Error::UnreadableResponse { .. })));
        assert!(matches!(code("A=1&A=2"), Err(Error::UnreadableResponse { .. })));
    }
}
