//! Exact decimals from the wallet API's two number spellings: JSON numbers
//! (`0.13`, `100.0000`) and Turkish-formatted strings (`"1,00"`, `"1.234,56"`).
//!
//! Nothing here passes through a float: the text is checked character by
//! character and handed to [`Decimal::from_str_exact`], so the scale the
//! provider sent (`100.0000` has four fraction digits) is kept.

use payments_core::{Currency, Decimal, Error, Money, Result};

/// Parses a decimal written either the JSON way (`"0.13"`, `"-5"`) or the
/// Turkish way (`"1,00"`, `"1.234,56"`).
///
/// The rule: when the text holds a comma, the comma is the decimal separator
/// and dots may only group the integer part in threes; without a comma, a
/// single dot is the decimal separator (`"1.234"` is 1.234) and several dots
/// group an integer (`"1.234.567"`). Signs other than a leading `-`,
/// exponents, spaces and empty text are rejected. `field` names the value in
/// the error.
///
/// ```
/// use qr_wallet::parse_decimal;
///
/// assert_eq!(parse_decimal("1,00", "Kdv")?.to_string(), "1.00");
/// assert_eq!(parse_decimal("1.234,56", "amount")?.to_string(), "1234.56");
/// assert_eq!(parse_decimal("100.0000", "amount")?.to_string(), "100.0000");
/// assert!(parse_decimal("1,2,3", "amount").is_err());
/// assert!(parse_decimal("1e3", "amount").is_err());
/// # Ok::<(), payments_core::Error>(())
/// ```
pub fn parse_decimal(text: &str, field: &'static str) -> Result<Decimal> {
    let invalid = |reason: &str| Error::invalid_input(field, format!("{reason} in decimal {text:?}"));
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if body.is_empty() {
        return Err(invalid("no digits"));
    }
    let (int_part, frac_part) = if body.contains(',') {
        let mut parts = body.split(',');
        let int_part = parts.next().unwrap_or_default();
        let frac_part = parts.next().unwrap_or_default();
        if parts.next().is_some() {
            return Err(invalid("more than one decimal comma"));
        }
        (
            ungroup(int_part).ok_or_else(|| invalid("misplaced thousands separator"))?,
            Some(frac_part),
        )
    } else if body.matches('.').count() > 1 {
        // Several dots cannot be a decimal point: a Turkish grouped integer.
        (
            ungroup(body).ok_or_else(|| invalid("misplaced thousands separator"))?,
            None,
        )
    } else {
        // One dot is the decimal point ("1.234" is 1.234, not 1234).
        match body.split_once('.') {
            Some((i, f)) => (i.to_owned(), Some(f)),
            None => (body.to_owned(), None),
        }
    };
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

/// Removes Turkish thousands dots (`1.234.567` -> `1234567`); `None` when a
/// group is not three digits.
fn ungroup(int_part: &str) -> Option<String> {
    if !int_part.contains('.') {
        return Some(int_part.to_owned());
    }
    let mut groups = int_part.split('.');
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

/// The text of a JSON value holding a decimal: a number literal as written, or
/// a string in either spelling. Exponents are rejected.
pub(crate) fn decimal_from_json(raw: &str, field: &'static str) -> Result<Decimal> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        let text: String =
            serde_json::from_str(raw).map_err(|_| Error::invalid_input(field, "is not a JSON string"))?;
        return parse_decimal(text.trim(), field);
    }
    if raw.bytes().any(|b| b == b'e' || b == b'E') {
        return Err(Error::invalid_input(field, format!("exponent not accepted in {raw:?}")));
    }
    if raw.contains(',') {
        return Err(Error::invalid_input(field, format!("not a JSON number: {raw:?}")));
    }
    parse_decimal(raw, field)
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
        assert_eq!(parse_decimal("-3,5", "f").unwrap(), plain("-3.5"));
        assert_eq!(parse_decimal("0.13", "f").unwrap().to_string(), "0.13");
        assert_eq!(parse_decimal("100.0000", "f").unwrap().scale(), 4);
        assert_eq!(parse_decimal("7", "f").unwrap(), plain("7"));
        assert_eq!(parse_decimal("1.234", "f").unwrap(), plain("1.234"));
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
    fn json_values() {
        assert_eq!(decimal_from_json("0.13", "f").unwrap().to_string(), "0.13");
        assert_eq!(decimal_from_json("\"1,00\"", "f").unwrap().to_string(), "1.00");
        assert_eq!(decimal_from_json("100.0000", "f").unwrap().to_string(), "100.0000");
        assert!(decimal_from_json("1e2", "f").is_err());
        assert!(decimal_from_json("true", "f").is_err());
        assert!(decimal_from_json("null", "f").is_err());
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
