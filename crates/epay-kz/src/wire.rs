//! Private wire helpers: the amount codec and lenient readers of ePay's JSON.
//!
//! ePay sends the same field as a string in one response and a number in
//! another (`expires_in`, `resultCode`, `code`), so fields whose type wanders
//! are read as raw JSON and interpreted here, never through a float.

use payments_core::{Currency, Error, Money, Result, json};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::PROVIDER;

/// The one amount codec: decimal major units, integral when the amount is a
/// whole number of units (`100`, as the seed's samples show) and with exactly
/// two fraction digits otherwise (`10.50`).
pub(crate) fn format_amount(amount: Money) -> String {
    let mut out = String::with_capacity(16);
    write_amount(amount, &mut out);
    out
}

/// Appends [`format_amount`]'s text to `out`.
pub(crate) fn write_amount(amount: Money, out: &mut String) {
    let minor = amount.minor();
    if minor % 100 == 0 {
        use std::fmt::Write as _;
        let _ = write!(out, "{}", minor / 100);
    } else {
        amount.write_major(out);
    }
}

/// An amount as a JSON number in a request body, written by [`format_amount`]'s rule.
pub(crate) enum JsonAmount {
    /// Whole units: an integer, no allocation.
    Whole(i64),
    /// Two fraction digits, as a raw number token (never a float).
    Exact(Box<RawValue>),
}

impl serde::Serialize for JsonAmount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            JsonAmount::Whole(units) => s.serialize_i64(*units),
            JsonAmount::Exact(raw) => raw.serialize(s),
        }
    }
}

/// The amount as a JSON number token, for request bodies.
pub(crate) fn amount_json(amount: Money) -> Result<JsonAmount> {
    if amount.minor() % 100 == 0 {
        return Ok(JsonAmount::Whole(amount.minor() / 100));
    }
    RawValue::from_string(format_amount(amount))
        .map(JsonAmount::Exact)
        .map_err(|e| Error::invalid_input("amount", format!("cannot encode: {e}")))
}

/// A JSON request: the body serialized into a buffer sized for ePay's bodies.
pub(crate) fn json_request<T: serde::Serialize>(
    method: payments_core::Method,
    url: String,
    body: &T,
) -> Result<payments_core::HttpRequest> {
    let mut buf = Vec::with_capacity(512);
    serde_json::to_writer(&mut buf, body)
        .map_err(|e| Error::invalid_input("body", format!("cannot serialize JSON: {e}")))?;
    Ok(payments_core::HttpRequest::new(method, url)
        .header("Content-Type", "application/json")
        .body(buf))
}

/// Checks an amount ePay can carry: non-negative, two minor digits.
pub(crate) fn check_amount(field: &'static str, amount: Money, positive: bool) -> Result<()> {
    if amount.currency().exponent() != 2 {
        return Err(Error::invalid_input(
            field,
            format!("{} is not a currency ePay takes", amount.currency()),
        ));
    }
    if amount.minor() < 0 || (positive && amount.minor() == 0) {
        return Err(Error::invalid_input(field, "must be greater than zero"));
    }
    Ok(())
}

/// The text of a scalar JSON value (the core's exact reader): a string's
/// content, a number's digits as written, `true`/`false`; `None` for null
/// and for objects or arrays.
pub(crate) fn raw_text(raw: &RawValue) -> Option<String> {
    raw_str(raw).map(std::borrow::Cow::into_owned)
}

/// Like [`raw_text`], borrowing when the value needs no unescaping.
pub(crate) fn raw_str(raw: &RawValue) -> Option<std::borrow::Cow<'_, str>> {
    json::scalar_text(raw).ok().flatten()
}

/// Any scalar as trimmed text ([`json::de::opt_text`]); null is `None`.
/// ePay's samples carry stray spaces (`" https://..."`), hence the trim.
pub(crate) use payments_core::json::de::opt_text;

/// Like [`opt_text`], an absent or null value reads as the empty string.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    Ok(opt_text(d)?.unwrap_or_default())
}

/// A raw amount as received (a number or a numeric string).
pub(crate) fn opt_raw<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Box<RawValue>>, D::Error> {
    Option::<Box<RawValue>>::deserialize(d)
}

/// Parses an amount in major units (a JSON number or a numeric string) exactly.
pub(crate) fn parse_amount(
    raw: Option<&RawValue>,
    currency: Currency,
    status: u16,
    field: &str,
) -> Result<Option<Money>> {
    let Some(text) = raw.and_then(raw_text) else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Money::parse_major(text, currency)
        .map(Some)
        .map_err(|e| Error::unreadable(PROVIDER, status, format!("{field}: {e}"), text.as_bytes(), None))
}

/// A currency code as ePay sends it (`None` when absent or blank); unknown
/// codes are an unreadable response. There is no default currency.
pub(crate) fn parse_currency(code: Option<&str>, status: u16) -> Result<Option<Currency>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => Currency::from_alpha(c)
            .map(Some)
            .ok_or_else(|| Error::unreadable(PROVIDER, status, format!("unknown currency {c:?}"), b"", None)),
    }
}

/// The currency amounts are read in: the one the answer states, else the one
/// the caller expects; an answer with amounts but neither is an error (ePay
/// serves several currencies, so none is assumed).
pub(crate) fn amount_currency(
    stated: Option<Currency>,
    expected: Option<Currency>,
    has_amount: bool,
    status: u16,
) -> Result<Option<Currency>> {
    match (stated.or(expected), has_amount) {
        (None, true) => Err(Error::unreadable(
            PROVIDER,
            status,
            "an amount without a currency (and no expected currency given)",
            b"",
            None,
        )),
        (c, _) => Ok(c),
    }
}

/// Like [`parse_amount`], with the currency resolved by [`amount_currency`].
pub(crate) fn parse_amount_in(
    raw: Option<&RawValue>,
    currency: Option<Currency>,
    status: u16,
    field: &str,
) -> Result<Option<Money>> {
    match currency {
        Some(c) => parse_amount(raw, c, status, field),
        None if raw.and_then(raw_str).is_some_and(|t| !t.trim().is_empty()) => Err(Error::unreadable(
            PROVIDER,
            status,
            format!("{field} without a currency"),
            b"",
            None,
        )),
        None => Ok(None),
    }
}

/// True when `raw` holds a non-blank amount.
pub(crate) fn has_amount(raw: Option<&RawValue>) -> bool {
    raw.and_then(raw_str).is_some_and(|t| !t.trim().is_empty())
}

/// Parses a JSON object body with the core reader (an array is not read
/// as a struct, and serde's message, which may quote the body, is dropped).
pub(crate) fn json_object<'a, T: serde::Deserialize<'a>>(resp: &'a payments_core::HttpResponse) -> Result<T> {
    json::object(PROVIDER, resp.status, &resp.body)
}

/// `{code, message}`: ePay's error body (the code may be a number or a string).
#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub error_description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_codec_is_integral_or_two_digits() {
        assert_eq!(format_amount(Money::from_minor(10000, Currency::KZT)), "100");
        assert_eq!(format_amount(Money::from_minor(1050, Currency::KZT)), "10.50");
        assert_eq!(format_amount(Money::from_minor(1001, Currency::KZT)), "10.01");
        assert_eq!(format_amount(Money::from_minor(0, Currency::USD)), "0");
        assert_eq!(format_amount(Money::from_minor(5, Currency::KZT)), "0.05");
        let json = |m| serde_json::to_string(&amount_json(Money::from_minor(m, Currency::KZT)).unwrap()).unwrap();
        assert_eq!(json(1050), "10.50");
        assert_eq!(json(10000), "100");
    }

    #[test]
    fn amounts_parse_from_numbers_and_strings_exactly() {
        let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
        let p = |s: &str| parse_amount(Some(&raw(s)), Currency::KZT, 200, "amount");
        assert_eq!(p("100").unwrap().unwrap().minor(), 10000);
        assert_eq!(p("10.5").unwrap().unwrap().minor(), 1050);
        assert_eq!(p("\" 10.50 \"").unwrap().unwrap().minor(), 1050);
        assert_eq!(p("null").unwrap(), None);
        assert!(p("1e3").is_err());
        assert!(p("-5").is_err());
        assert!(p("10.001").is_err());
        assert!(p("99999999999999999999").is_err());
    }

    #[test]
    fn amount_checks() {
        assert!(check_amount("amount", Money::from_minor(1, Currency::KZT), true).is_ok());
        assert!(check_amount("amount", Money::from_minor(0, Currency::KZT), true).is_err());
        assert!(check_amount("amount", Money::from_minor(0, Currency::USD), false).is_ok());
        assert!(check_amount("amount", Money::from_minor(-1, Currency::KZT), false).is_err());
        assert!(check_amount("amount", Money::from_minor(5, Currency::JPY), true).is_err());
    }
}
