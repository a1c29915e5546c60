//! EPoint's JSON conventions: how payloads are written and how loosely typed
//! response fields are read.
//!
//! Payloads are written exactly as the Python client integrify (the one
//! client reported as tested against the real EPoint) writes them:
//! `json.dumps` defaults, i.e. `", "` and `": "` separators and non-ASCII
//! escaped as `\uXXXX`, with optional fields sent as `null`. That makes our
//! bytes identical to the spec's vectors. Amounts are JSON strings with
//! exactly two decimals (`"10.50"`).

use std::io;
use std::str::FromStr as _;

use payments_core::{Error, Money, Result};
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Python `json.dumps` formatting (default separators, `ensure_ascii=True`).
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        // serde_json escapes quotes, backslashes and control characters itself;
        // Python also escapes DEL and everything beyond ASCII.
        let mut rest = fragment;
        // A byte >= 0x7f is DEL or the lead byte of a non-ASCII character
        // (continuation bytes follow their lead), so `pos` is a char boundary.
        // Scanning bytes instead of chars: the JSON is mostly ASCII.
        while let Some(pos) = rest.bytes().position(|b| b >= 0x7f) {
            let (plain, tail) = rest.split_at(pos);
            writer.write_all(plain.as_bytes())?;
            let mut chars = tail.chars();
            if let Some(ch) = chars.next() {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
            rest = chars.as_str();
        }
        writer.write_all(rest.as_bytes())
    }
}

/// Serializes a payload the way EPoint's reference client does.
pub(crate) fn to_json<T: Serialize>(payload: &T) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    payload
        .serialize(&mut ser)
        .map_err(|e| Error::invalid_input("payload", format!("cannot serialize JSON: {e}")))?;
    Ok(out)
}

/// True when `json` is (at most whitespace, then) a JSON object. serde's
/// derived structs also accept arrays (`["success"]`), which EPoint never sends.
pub(crate) fn is_object(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// True when `json` is (at most whitespace, then) a JSON array.
pub(crate) fn is_array(json: &[u8]) -> bool {
    json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
}

/// An amount on the wire: a JSON string with the currency's decimals (`"10.50"`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WireAmount(pub(crate) Money);

impl Serialize for WireAmount {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(16);
        self.0.write_major(&mut text);
        serializer.serialize_str(&text)
    }
}

/// The raw JSON text of a value: a string's content, or a number's digits.
/// Decimals are read from this text so that `10.5` never becomes a float.
/// Borrowed from the body (every answer and callback is parsed from a byte
/// slice): no copy unless the string has escapes.
enum Scalar<'de> {
    Text(std::borrow::Cow<'de, str>),
    Number(&'de str),
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<Scalar<'de>>, D::Error> {
    let raw: Option<&'de RawValue> = Option::deserialize(deserializer)?;
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => match text.get(1..text.len() - 1) {
            Some(inner) if !inner.contains('\\') => Ok(Some(Scalar::Text(inner.into()))),
            _ => serde_json::from_str::<String>(text)
                .map(|s| Some(Scalar::Text(s.into())))
                .map_err(D::Error::custom),
        },
        Some(b'-' | b'0'..=b'9') => Ok(Some(Scalar::Number(text))),
        Some(b'n') => Ok(None),
        _ => Err(D::Error::custom(format!("expected a string or a number, found {text}"))),
    }
}

/// An optional text field that EPoint may send as a string or an integer
/// (`"100"` or `100`); `null` and absence are `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<String>, D::Error> {
    struct TextVisitor;

    impl<'de> serde::de::Visitor<'de> for TextVisitor {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string, an integer or null")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
            Ok(Some(v))
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }

        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> std::result::Result<Self::Value, D2::Error> {
            d.deserialize_any(TextVisitor)
        }
    }

    deserializer.deserialize_option(TextVisitor)
}

/// An optional decimal amount sent as a JSON number (`10.5`) or string
/// (`"10.50"`), read from its exact text, never through a float. `null`,
/// absence and `""` are `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Decimal>, D::Error> {
    let text = match scalar(deserializer)? {
        None => return Ok(None),
        Some(Scalar::Text(t)) if t.trim().is_empty() => return Ok(None),
        Some(Scalar::Text(t)) => t,
        Some(Scalar::Number(t)) => t.into(),
    };
    parse_decimal(text.trim())
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("invalid amount {text:?}")))
}

/// A decimal from plain (`10.50`) or scientific (`1E-7`) notation.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// An optional operation code sent as `"100"` or `100`.
pub(crate) fn opt_operation_code<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<crate::status::OperationCode>, D::Error> {
    Ok(opt_text(deserializer)?.map(|t| crate::status::OperationCode::parse(&t)))
}

/// Any JSON value where `null` counts as absent.
pub(crate) fn opt_value<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<serde_json::Value>, D::Error> {
    Ok(Option::<serde_json::Value>::deserialize(deserializer)?.filter(|v| !v.is_null()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::Currency;

    #[test]
    fn python_separators_and_ascii_escapes() {
        #[derive(Serialize)]
        struct P<'a> {
            a: &'a str,
            b: Option<&'a str>,
            c: Vec<u8>,
            d: WireAmount,
        }
        let json = to_json(&P {
            a: "Ödəniş \"q\" / \u{7f}\n\u{1F600}",
            b: None,
            c: vec![1, 2],
            d: WireAmount(Money::from_minor(1050, Currency::AZN)),
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"a": "\u00d6d\u0259ni\u015f \"q\" / \u007f\n\ud83d\ude00", "b": null, "c": [1, 2], "d": "10.50"}"#
        );
    }

    #[derive(Deserialize, Debug)]
    struct R {
        #[serde(default, deserialize_with = "opt_decimal")]
        amount: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_text")]
        code: Option<String>,
    }

    #[test]
    fn amounts_and_codes_are_read_exactly() {
        let cases = [
            (r#"{"amount": 10.50, "code": "000"}"#, Some("10.50"), Some("000")),
            (r#"{"amount": "10.50", "code": 100}"#, Some("10.50"), Some("100")),
            (r#"{"amount": 0.30000000000000004}"#, Some("0.30000000000000004"), None),
            (r#"{"amount": "1E-7"}"#, Some("0.0000001"), None),
            (r#"{"amount": null, "code": null}"#, None, None),
            (r#"{"amount": ""}"#, None, None),
            (r#"{}"#, None, None),
        ];
        for (json, amount, code) in cases {
            let r: R = serde_json::from_str(json).unwrap();
            assert_eq!(r.amount.map(|d| d.to_string()).as_deref(), amount, "{json}");
            assert_eq!(r.code.as_deref(), code, "{json}");
        }
        for bad in [
            r#"{"amount": "ten"}"#,
            r#"{"amount": true}"#,
            r#"{"code": {}}"#,
            r#"{"amount": [1]}"#,
        ] {
            assert!(serde_json::from_str::<R>(bad).is_err(), "{bad}");
        }
    }
}
