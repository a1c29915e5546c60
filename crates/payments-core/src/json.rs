//! Exact JSON scalars: read numbers and ids from the text the provider
//! wrote, never through a float.
//!
//! Providers type the same field as a number in one answer and a string in
//! the next, send ids longer than any integer type, and write amounts that a
//! float would round. These helpers read a value's *text* (a string's
//! content, a number's digits as written) and convert it exactly. They are
//! the one copy the provider crates share.
//!
//! ```
//! use payments_core::json;
//! #[derive(serde::Deserialize)]
//! struct Answer {
//!     #[serde(deserialize_with = "json::de::text")]
//!     id: String,
//!     #[serde(default, deserialize_with = "json::de::opt_decimal")]
//!     amount: Option<payments_core::Decimal>,
//! }
//! let a: Answer = serde_json::from_str(r#"{"id": 12345678901234567890123, "amount": 10.10}"#).unwrap();
//! assert_eq!(a.id, "12345678901234567890123");
//! assert_eq!(a.amount.unwrap().to_string(), "10.10");
//! ```

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// Why a JSON value could not be read as a scalar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScalarError {
    /// An object or an array where a scalar was expected.
    #[error("expected a string, number or boolean, found {0}")]
    NotScalar(&'static str),
    /// A string whose escapes do not decode.
    #[error("invalid JSON string")]
    BadString,
    /// Not a decimal number.
    #[error("{0:?} is not a decimal number")]
    NotDecimal(String),
    /// More significant digits than a decimal holds exactly (28).
    #[error("{0:?} has more digits than can be held exactly")]
    TooPrecise(String),
    /// Not an integer in range.
    #[error("{0:?} is not an integer in range")]
    NotInteger(String),
}

/// The text of a scalar JSON value as written: a string's content
/// (unescaped; borrowed when it has no escapes), a number's digits,
/// `true`/`false`. `None` for `null`; an error for objects and arrays.
pub fn scalar_text(raw: &RawValue) -> std::result::Result<Option<Cow<'_, str>>, ScalarError> {
    scalar_text_str(raw.get())
}

/// [`scalar_text`] over the raw text of one JSON value.
pub fn scalar_text_str(raw: &str) -> std::result::Result<Option<Cow<'_, str>>, ScalarError> {
    let text = raw.trim();
    match text.as_bytes().first() {
        None => Err(ScalarError::NotScalar("nothing")),
        Some(b'{') => Err(ScalarError::NotScalar("an object")),
        Some(b'[') => Err(ScalarError::NotScalar("an array")),
        Some(b'"') => {
            if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
                && !inner.contains(['\\', '"'])
            {
                return Ok(Some(Cow::Borrowed(inner)));
            }
            serde_json::from_str::<String>(text)
                .map(|s| Some(Cow::Owned(s)))
                .map_err(|_| ScalarError::BadString)
        }
        _ if text == "null" => Ok(None),
        _ => Ok(Some(Cow::Borrowed(text))),
    }
}

/// An exact decimal from text: a plain decimal (`"10.50"`, `"-3"`) or a
/// JSON number with an exponent (`1e3`). Never rounds: a value with more
/// significant digits than [`Decimal`] holds (28) is an error.
pub fn decimal(text: &str) -> std::result::Result<Decimal, ScalarError> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !plain || !text.bytes().any(|b| b.is_ascii_digit()) {
        return Err(ScalarError::NotDecimal(crate::error::excerpt(text.as_bytes())));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    match parsed {
        Ok(d) => Ok(d),
        Err(rust_decimal::Error::Underflow) | Err(rust_decimal::Error::ExceedsMaximumPossibleValue) => {
            Err(ScalarError::TooPrecise(crate::error::excerpt(text.as_bytes())))
        }
        Err(_) => {
            // `from_str_exact` reports precision loss under several names;
            // tell "too many digits" apart from "not a number" by the digits.
            let digits = text.bytes().filter(u8::is_ascii_digit).count();
            let grammar = text
                .trim_start_matches(['-', '+'])
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
                && text.matches('.').count() <= 1;
            if digits > 28 && grammar {
                Err(ScalarError::TooPrecise(crate::error::excerpt(text.as_bytes())))
            } else {
                Err(ScalarError::NotDecimal(crate::error::excerpt(text.as_bytes())))
            }
        }
    }
}

/// An `i64` from text (a JSON number or a numeric string).
pub fn integer(text: &str) -> std::result::Result<i64, ScalarError> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ScalarError::NotInteger(crate::error::excerpt(text.as_bytes())))
}

/// Deserializes a JSON object (never an array, which serde would also map
/// onto a struct) from a provider's body.
pub fn object<'a, T: serde::Deserialize<'a>>(provider: &'static str, http_status: u16, body: &'a [u8]) -> Result<T> {
    let starts_with_brace = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !starts_with_brace {
        return Err(Error::unreadable(
            provider,
            http_status,
            "expected a JSON object",
            body,
            None,
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        // serde's message can quote the value it choked on: keep only its position.
        let reason = format!("unexpected JSON at line {} column {}", e.line(), e.column());
        Error::unreadable(provider, http_status, reason, body, None)
    })
}

/// `deserialize_with` helpers built on the readers above.
pub mod de {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, de::Error as _};
    use serde_json::value::RawValue;

    fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
        Option::<&'de RawValue>::deserialize(d)
    }

    /// Any scalar as text (strings, numbers with their exact digits,
    /// booleans); `null` or absent is `None`. Needs a borrowed input
    /// (`from_slice`/`from_str`).
    pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match raw(d)? {
            None => Ok(None),
            Some(r) => super::scalar_text(r)
                .map(|t| t.map(|t| t.trim().to_owned()))
                .map_err(D::Error::custom),
        }
    }

    /// As [`opt_text`], required.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        opt_text(d)?.ok_or_else(|| D::Error::custom("value is null"))
    }

    /// An exact decimal from a JSON number or a numeric string; `null`,
    /// absent or an empty string is `None`.
    pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        match opt_text(d)? {
            None => Ok(None),
            Some(t) if t.is_empty() => Ok(None),
            Some(t) => super::decimal(&t).map(Some).map_err(D::Error::custom),
        }
    }

    /// As [`opt_decimal`], required.
    pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        opt_decimal(d)?.ok_or_else(|| D::Error::custom("decimal is null"))
    }

    /// An integer from a JSON number or a numeric string; `null`, absent or
    /// an empty string is `None`.
    pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match opt_text(d)? {
            None => Ok(None),
            Some(t) if t.is_empty() => Ok(None),
            Some(t) => super::integer(&t).map(Some).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn scalars_read_as_written() {
        assert_eq!(scalar_text(&raw("\"abc\"")).unwrap().as_deref(), Some("abc"));
        assert_eq!(scalar_text(&raw("\"a\\\"b\"")).unwrap().as_deref(), Some("a\"b"));
        assert_eq!(
            scalar_text(&raw("7777777777777777777777")).unwrap().as_deref(),
            Some("7777777777777777777777")
        );
        assert_eq!(scalar_text(&raw("true")).unwrap().as_deref(), Some("true"));
        assert_eq!(scalar_text(&raw("null")).unwrap(), None);
        assert_eq!(scalar_text(&raw("{}")), Err(ScalarError::NotScalar("an object")));
        assert_eq!(scalar_text(&raw("[1]")), Err(ScalarError::NotScalar("an array")));
    }

    #[test]
    fn decimals_are_exact_or_refused() {
        assert_eq!(decimal("10.10").unwrap().to_string(), "10.10");
        assert_eq!(decimal("-0.5").unwrap().to_string(), "-0.5");
        assert_eq!(decimal("1e3").unwrap(), Decimal::from(1000));
        assert_eq!(decimal("0.1").unwrap().to_string(), "0.1");
        // What a decimal holds exactly is kept (96-bit mantissa, scale <= 28);
        // anything it would round is refused.
        assert_eq!(
            decimal("1.2345678901234567890123456789").unwrap().to_string(),
            "1.2345678901234567890123456789"
        );
        assert!(matches!(
            decimal("1.23456789012345678901234567891"),
            Err(ScalarError::TooPrecise(_))
        ));
        assert!(matches!(
            decimal("0.00000000000000000000000000001"),
            Err(ScalarError::TooPrecise(_))
        ));
        assert!(matches!(
            decimal("123456789012345678901234567890"),
            Err(ScalarError::TooPrecise(_))
        ));
        for bad in ["", "abc", "1,5", "0x10", "1.2.3", "-", "NaN"] {
            assert!(decimal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_helpers() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "de::text")]
            id: String,
            #[serde(default, deserialize_with = "de::opt_decimal")]
            amount: Option<Decimal>,
            #[serde(default, deserialize_with = "de::opt_int")]
            count: Option<i64>,
        }
        let t: T = serde_json::from_str(r#"{"id": " 42 ", "amount": "10.50", "count": "7"}"#).unwrap();
        assert_eq!(
            (t.id.as_str(), t.amount.unwrap().to_string(), t.count),
            ("42", "10.50".into(), Some(7))
        );
        let t: T = serde_json::from_str(r#"{"id": 1, "amount": null}"#).unwrap();
        assert_eq!((t.amount, t.count), (None, None));
        assert!(serde_json::from_str::<T>(r#"{"id": {}}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"id": 1, "amount": 1.23456789012345678901234567890}"#).is_err());
    }

    #[test]
    fn object_refuses_arrays_and_hides_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: u8,
        }
        assert!(object::<T>("p", 200, br#"{"a": 1}"#).is_ok());
        assert!(object::<T>("p", 200, b"[1]").is_err());
        let err = object::<T>("p", 200, br#"{"a": "secret-token-value"}"#).unwrap_err();
        match err {
            Error::UnreadableResponse { reason, .. } => assert!(!reason.contains("secret"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
