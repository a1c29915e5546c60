//! Strict JSON reading: a document with a key repeated in any object is
//! refused, where `serde_json` would silently keep the last value. Used for
//! EPoint's request envelope and payload, and AzeriCard's JSON bodies.
//!
//! The duplicate check runs on the raw text with the sandbox's exact scanner
//! (`crate::json`), so no number of the document passes through a float here;
//! amounts are read from their own digits (see `envelope::Signed::raw`).

use serde_json::{Map, Value};

use crate::json::RawObject;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not JSON (or trailing bytes).
    Syntax,
    /// A key appears twice in one object.
    Duplicate(String),
}

/// Parses `bytes` as one JSON value, refusing duplicate keys at any depth.
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::Syntax)?;
    let value: Value = serde_json::from_str(text).map_err(|_| JsonError::Syntax)?;
    check_duplicates(text)?;
    Ok(value)
}

/// [`parse`], and the value must be an object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(JsonError::Syntax),
    }
}

/// Walks every object and array of `raw` (already known to be valid JSON).
fn check_duplicates(raw: &str) -> Result<(), JsonError> {
    let raw = raw.trim();
    if raw.starts_with('{') {
        let obj = RawObject::parse_checked(raw).map_err(|e| match e {
            crate::json::JsonError::DuplicateKey(k) => JsonError::Duplicate(k),
            crate::json::JsonError::Malformed => JsonError::Syntax,
        })?;
        for key in obj.keys() {
            if let Some(value) = obj.raw(key) {
                check_duplicates(value)?;
            }
        }
    } else if raw.starts_with('[') {
        for item in crate::json::split_array(raw).ok_or(JsonError::Syntax)? {
            check_duplicates(item)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_any_depth() {
        assert_eq!(parse(br#"{"a":1,"a":2}"#), Err(JsonError::Duplicate("a".into())));
        assert_eq!(
            parse(br#"{"x":[{"b":1,"b":1}]}"#),
            Err(JsonError::Duplicate("b".into()))
        );
        assert_eq!(parse(br#"{"a":1} x"#), Err(JsonError::Syntax));
        assert_eq!(
            parse(br#"{"a":"\u00d6","n":10.5,"z":null}"#).unwrap(),
            serde_json::json!({"a":"Ö","n":10.5,"z":null})
        );
        assert!(parse_object(b"[1]").is_err());
    }
}
