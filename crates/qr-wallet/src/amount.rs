//! Exact decimals from the wallet API's number spellings: JSON numbers
//! (`0.13`, `100.0000`), Turkish-formatted strings (`"1,00"`, `"1.234,56"`),
//! English-formatted strings (`"1,234.56"`), and the TR QR's 12-digit kuruş
//! strings (`"000000070062"`).
//!
//! Nothing here passes through a float: the text is checked character by
//! character and handed to [`Decimal::from_str_exact`], so the scale the
//! provider sent (`100.0000` has four fraction digits) is kept.
//!
//! `"1.500"` is 1,500 TL written the Turkish way and 1.5 written the English
//! way. When a field's format is not known, such a string is an error rather
//! than a guess ([`DecimalFormat::Unknown`]); JSON number literals are never
//! ambiguous (JSON has one spelling).

use payments_core::{Currency, Decimal, Error, Money, Result};

/// How a decimal string is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecimalFormat {
    /// Comma before the fraction, dots grouping the integer part in threes (`"1.234,56"`).
    Turkish,
    /// Dot before the fraction, commas grouping the integer part in threes
    /// (`"1,234.56"`); JSON number literals are this without grouping.
    English,
    /// Either: read when only one convention fits, an error when both do
    /// (`"1.500"`, `"1,500"`).
    Unknown,
}

/// Parses a decimal string whose format is not known: Turkish (`"1,00"`,
/// `"1.234,56"`) or English (`"0.13"`, `"1,234.56"`), rejecting text that
/// reads differently in the two conventions.
///
/// Ambiguous: one separator followed by exactly three digits after an integer
/// part of one to three digits that does not start with 0 (`"1.500"`,
/// `"12,345"`, `"-1.500"`). Use [`parse_decimal_as`] when the field's format
/// is known. Signs other than a leading `-`, exponents, spaces and empty text
/// are rejected. `field` names the value in the error.
///
/// ```
/// use qr_wallet::parse_decimal;
///
/// assert_eq!(parse_decimal("1,00", "Kdv")?.to_string(), "1.00");
/// assert_eq!(parse_decimal("1.234,56", "amount")?.to_string(), "1234.56");
/// assert_eq!(parse_decimal("100.0000", "amount")?.to_string(), "100.0000");
/// assert_eq!(parse_decimal("0.500", "amount")?.to_string(), "0.500");
/// assert!(parse_decimal("1.500", "amount").is_err()); // 1,500 TL or 1.5?
/// assert!(parse_decimal("1,2,3", "amount").is_err());
/// assert!(parse_decimal("1e3", "amount").is_err());
/// # Ok::<(), payments_core::Error>(())
/// ```
pub fn parse_decimal(text: &str, field: &'static str) -> Result<Decimal> {
    parse_decimal_as(text, DecimalFormat::Unknown, field)
}

/// Parses a decimal string written in `format`.
///
/// ```
/// use qr_wallet::{DecimalFormat, parse_decimal_as};
///
/// assert_eq!(parse_decimal_as("1.500", DecimalFormat::Turkish, "amount")?.to_string(), "1500");
/// assert_eq!(parse_decimal_as("1.500", DecimalFormat::English, "amount")?.to_string(), "1.500");
/// assert!(parse_decimal_as("1,5", DecimalFormat::English, "amount").is_err());
/// # Ok::<(), payments_core::Error>(())
/// ```
pub fn parse_decimal_as(text: &str, format: DecimalFormat, field: &'static str) -> Result<Decimal> {
    let invalid = |reason: &str| Error::invalid_input(field, format!("{reason} in decimal {text:?}"));
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if body.is_empty() {
        return Err(invalid("no digits"));
    }
    let format = match format {
        DecimalFormat::Unknown => resolve_format(body)
            .ok_or_else(|| invalid("ambiguous between Turkish and English formatting (thousands or decimals?)"))?,
        known => known,
    };
    let (decimal_sep, group_sep) = match format {
        DecimalFormat::Turkish => (',', '.'),
        _ => ('.', ','),
    };
    let (int_raw, frac_part) = match body.split_once(decimal_sep) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if frac_part.is_some_and(|f| f.contains([decimal_sep, group_sep])) {
        return Err(invalid("misplaced separator"));
    }
    let int_part = ungroup(int_raw, group_sep).ok_or_else(|| invalid("misplaced thousands separator"))?;
    if int_part.is_empty() || !int_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("bad integer part"));
    }
    let mut canonical = String::with_capacity(text.len() + 1);
    if negative {
        canonical.push('-');
    }
    canonical.push_str(&int_part);
    if let Some(frac) = frac_part {
        if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("bad fraction part"));
        }
        canonical.push('.');
        canonical.push_str(frac);
    }
    Decimal::from_str_exact(&canonical).map_err(|e| invalid(&format!("out of range ({e})")))
}

/// The one convention that can read `body` (no sign), or `None` when both can.
fn resolve_format(body: &str) -> Option<DecimalFormat> {
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    match (dots, commas) {
        // Both present: the last one is the decimal separator.
        (d, c) if d > 0 && c > 0 => {
            if body.rfind(',') > body.rfind('.') {
                Some(DecimalFormat::Turkish)
            } else {
                Some(DecimalFormat::English)
            }
        }
        // Several of one kind can only be grouping.
        (d, 0) if d > 1 => Some(DecimalFormat::Turkish),
        (0, c) if c > 1 => Some(DecimalFormat::English),
        (1, 0) | (0, 1) => {
            let sep = if dots == 1 { '.' } else { ',' };
            let (int, frac) = body.split_once(sep)?;
            let could_group = frac.len() == 3
                && (1..=3).contains(&int.len())
                && !int.starts_with('0')
                && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
            if could_group {
                None
            } else if sep == '.' {
                Some(DecimalFormat::English)
            } else {
                Some(DecimalFormat::Turkish)
            }
        }
        _ => Some(DecimalFormat::English),
    }
}

/// Removes thousands separators (`1.234.567` -> `1234567`); `None` when a
/// group is not three digits or the first group is empty or longer than three.
fn ungroup(int_part: &str, sep: char) -> Option<String> {
    if !int_part.contains(sep) {
        return Some(int_part.to_owned());
    }
    let mut groups = int_part.split(sep);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

/// The decimal of a JSON value: a number literal exactly as written (JSON has
/// one spelling), or a string in `string_format`. Exponents are rejected.
pub(crate) fn decimal_from_json(raw: &str, string_format: DecimalFormat, field: &'static str) -> Result<Decimal> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        let text: String =
            serde_json::from_str(raw).map_err(|_| Error::invalid_input(field, "is not a JSON string"))?;
        return parse_decimal_as(text.trim(), string_format, field);
    }
    if raw.bytes().any(|b| b == b'e' || b == b'E') {
        return Err(Error::invalid_input(field, format!("exponent not accepted in {raw:?}")));
    }
    if raw.contains(',') {
        return Err(Error::invalid_input(field, format!("not a JSON number: {raw:?}")));
    }
    parse_decimal_as(raw, DecimalFormat::English, field)
}

/// Length of the TR QR's zero-padded kuruş amounts (`"000000070062"`).
pub const KURUS_DIGITS: usize = 12;

/// Reads a TR QR amount: a 12-digit string is kuruş (minor units:
/// `"000000070062"` is 700.62 TRY); anything else is a TRY decimal, from a
/// JSON number or an unambiguous string (see [`parse_decimal`]).
///
/// ```
/// use qr_wallet::amount::tr_qr_amount;
///
/// assert_eq!(tr_qr_amount("\"000000070062\"", "amount")?.to_major_string(), "700.62");
/// assert_eq!(tr_qr_amount("700.62", "amount")?.minor(), 70062);
/// # Ok::<(), payments_core::Error>(())
/// ```
pub fn tr_qr_amount(raw: &str, field: &'static str) -> Result<Money> {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'))
        && inner.len() == KURUS_DIGITS
        && inner.bytes().all(|b| b.is_ascii_digit())
    {
        let minor: i64 = inner
            .parse()
            .map_err(|_| Error::invalid_input(field, format!("{inner:?} is not a kuruş amount")))?;
        return Ok(Money::from_minor(minor, Currency::TRY));
    }
    try_money(decimal_from_json(raw, DecimalFormat::Unknown, field)?, field)
}

/// The TRY amount `amount` as the API expects it: a JSON number with exactly
/// the currency's fraction digits (`10.50`). Other currencies, zero and
/// negative amounts are rejected before anything is sent.
pub(crate) fn wire_amount(amount: Money, field: &'static str) -> Result<String> {
    if amount.currency() != Currency::TRY {
        return Err(Error::invalid_input(
            field,
            format!("the wallet API settles in TRY, not {}", amount.currency()),
        ));
    }
    if !amount.is_positive() {
        return Err(Error::invalid_input(field, "must be greater than zero"));
    }
    Ok(amount.to_major_string())
}

/// A non-negative decimal in TRY as [`Money`]; extra significant fraction digits are an error.
pub(crate) fn try_money(value: Decimal, field: &'static str) -> Result<Money> {
    Money::from_decimal(value, Currency::TRY)
        .map_err(|e| Error::invalid_input(field, format!("{value} is not a TRY amount: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::str::FromStr as _;

    fn plain(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn turkish_and_json_spellings() {
        assert_eq!(parse_decimal("1,00", "f").unwrap().to_string(), "1.00");
        assert_eq!(parse_decimal("0,00", "f").unwrap().to_string(), "0.00");
        assert_eq!(parse_decimal("1.234,5", "f").unwrap(), plain("1234.5"));
        assert_eq!(parse_decimal("12.345.678,90", "f").unwrap(), plain("12345678.90"));
        assert_eq!(parse_decimal("1,234.56", "f").unwrap(), plain("1234.56"));
        assert_eq!(parse_decimal("1,234,567", "f").unwrap(), plain("1234567"));
        assert_eq!(parse_decimal("-3,5", "f").unwrap(), plain("-3.5"));
        assert_eq!(parse_decimal("0.13", "f").unwrap().to_string(), "0.13");
        assert_eq!(parse_decimal("100.0000", "f").unwrap().scale(), 4);
        assert_eq!(parse_decimal("7", "f").unwrap(), plain("7"));
        assert_eq!(parse_decimal("0.500", "f").unwrap(), plain("0.5"));
        assert_eq!(parse_decimal("1234.567", "f").unwrap(), plain("1234.567"));
        assert_eq!(parse_decimal("1.2345", "f").unwrap(), plain("1.2345"));
        assert_eq!(parse_decimal("1.234.567", "f").unwrap(), plain("1234567"));
        for bad in [
            "",
            "-",
            ",5",
            "5,",
            "1,2,3",
            "1.2.3",
            "1.23.456",
            "1234.567.890",
            "12.34,5",
            "1.2345,0",
            "1 000,00",
            "+1",
            "1e3",
            "0x10",
            "1.",
            ".5",
            "--1",
            "1,0a",
            "١٢",
            "1,234.5.6",
        ] {
            let err = parse_decimal(bad, "Kdv").unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "Kdv"),
                "{bad}: {err}"
            );
        }
        assert!(parse_decimal("99999999999999999999999999999999", "f").is_err());
    }

    #[test]
    fn ambiguous_money_strings_are_errors_unless_the_format_is_known() {
        for ambiguous in ["1.500", "1,500", "-1.500", "12.345", "999,999", "100.000"] {
            let err = parse_decimal(ambiguous, "amount").unwrap_err();
            assert!(err.to_string().contains("ambiguous"), "{ambiguous}: {err}");
        }
        assert_eq!(
            parse_decimal_as("1.500", DecimalFormat::Turkish, "f").unwrap(),
            plain("1500")
        );
        assert_eq!(
            parse_decimal_as("1,500", DecimalFormat::Turkish, "f").unwrap(),
            plain("1.5")
        );
        assert_eq!(
            parse_decimal_as("1.500", DecimalFormat::English, "f").unwrap(),
            plain("1.5")
        );
        assert_eq!(
            parse_decimal_as("1,500", DecimalFormat::English, "f").unwrap(),
            plain("1500")
        );
        assert!(parse_decimal_as("1,5", DecimalFormat::English, "f").is_err());
        assert!(parse_decimal_as("1.5", DecimalFormat::Turkish, "f").is_err());
        // A JSON number has one spelling: never ambiguous.
        assert_eq!(
            decimal_from_json("1.500", DecimalFormat::Unknown, "f")
                .unwrap()
                .to_string(),
            "1.500"
        );
        assert!(decimal_from_json("\"1.500\"", DecimalFormat::Unknown, "f").is_err());
        assert_eq!(
            decimal_from_json("\"1.500\"", DecimalFormat::Turkish, "f").unwrap(),
            plain("1500")
        );
    }

    #[test]
    fn json_values() {
        let u = DecimalFormat::Unknown;
        assert_eq!(decimal_from_json("0.13", u, "f").unwrap().to_string(), "0.13");
        assert_eq!(decimal_from_json("\"1,00\"", u, "f").unwrap().to_string(), "1.00");
        assert_eq!(decimal_from_json("100.0000", u, "f").unwrap().to_string(), "100.0000");
        assert!(decimal_from_json("1e2", u, "f").is_err());
        assert!(decimal_from_json("true", u, "f").is_err());
        assert!(decimal_from_json("null", u, "f").is_err());
    }

    #[test]
    fn kurus_amounts_are_exact() {
        assert_eq!(tr_qr_amount("\"000000070062\"", "amount").unwrap().minor(), 70062);
        assert_eq!(
            tr_qr_amount("\"999999999999\"", "amount").unwrap().minor(),
            999_999_999_999
        );
        assert_eq!(tr_qr_amount("\"000000000000\"", "amount").unwrap().minor(), 0);
        assert_eq!(tr_qr_amount("700.62", "amount").unwrap().minor(), 70062);
        // Eleven or thirteen digits are not the kuruş form; as a decimal, "70062" is 70062 TRY.
        assert_eq!(tr_qr_amount("\"00000070062\"", "amount").unwrap().minor(), 7_006_200);
        assert!(tr_qr_amount("700.625", "amount").is_err());
        assert!(tr_qr_amount("\"1.500\"", "amount").is_err());
    }

    #[test]
    fn wire_amounts() {
        assert_eq!(
            wire_amount(Money::from_minor(1050, Currency::TRY), "amount").unwrap(),
            "10.50"
        );
        assert!(wire_amount(Money::from_minor(1050, Currency::AZN), "amount").is_err());
        assert!(wire_amount(Money::from_minor(0, Currency::TRY), "amount").is_err());
        assert_eq!(try_money(plain("100.0000"), "a").unwrap().minor(), 10000);
        assert!(try_money(plain("0.001"), "a").is_err());
    }
}
