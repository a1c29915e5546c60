//! Field checks run before anything is signed or sent. Each failure is an
//! invalid-input error naming the field.

use payments_core::{Error, Money, Result};
use time::OffsetDateTime;
use time::macros::format_description;

/// ORDER: 6 to 32 ASCII digits (the last 6 are the trace number, unique per terminal per day).
pub(crate) fn order(value: &str) -> Result<()> {
    if !(6..=32).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            "order",
            "must be 6 to 32 digits (left-pad shorter numbers with zeros)",
        ));
    }
    Ok(())
}

/// Free text of `min..=max` characters without control characters.
pub(crate) fn text(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::invalid_input(
            field,
            format!("must be {min} to {max} characters, got {n}"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(field, "must not contain control characters"));
    }
    Ok(())
}

/// A value that enters the MAC source: printable ASCII only, so that byte and
/// character lengths agree with every gateway implementation.
pub(crate) fn signed_ascii(field: &'static str, value: &str, min: usize, max: usize) -> Result<()> {
    text(field, value, min, max)?;
    if !value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(Error::invalid_input(field, "must be printable ASCII (it is signed)"));
    }
    Ok(())
}

/// LANG: two ASCII letters.
pub(crate) fn language(value: &str) -> Result<()> {
    if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid_input(
            "language",
            "must be 2 letters, for example `az` or `en`",
        ));
    }
    Ok(())
}

/// AMOUNT: a positive [`Money`] written with exactly its currency's digits, at most 12 characters.
pub(crate) fn amount(value: Money) -> Result<String> {
    if !value.is_positive() {
        return Err(Error::invalid_input("amount", "must be greater than zero"));
    }
    let text = value.to_major_string();
    if text.len() > 12 {
        return Err(Error::invalid_input("amount", "must be at most 12 characters"));
    }
    Ok(text)
}

/// RRN: 1 to 12 ASCII letters or digits (12 digits in practice).
pub(crate) fn rrn(value: &str) -> Result<()> {
    if !(1..=12).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid_input("rrn", "must be 1 to 12 letters or digits"));
    }
    Ok(())
}

/// INT_REF: 1 to 128 printable ASCII characters.
pub(crate) fn int_ref(value: &str) -> Result<()> {
    signed_ascii("int_ref", value, 1, 128)
}

/// NONCE: 8 to 32 bytes as hex (16 to 64 hex digits).
pub(crate) fn nonce(value: &str) -> Result<()> {
    if !(16..=64).contains(&value.len())
        || !value.len().is_multiple_of(2)
        || !value.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(Error::invalid_input("nonce", "must be 8 to 32 bytes as hex"));
    }
    Ok(())
}

/// A fresh NONCE: 16 random bytes, lowercase hex (32 digits, as integrify sends).
pub(crate) fn fresh_nonce() -> Result<String> {
    random_hex(16)
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::config("the system random generator failed"))?;
    Ok(payments_core::crypto::hex_lower(&bytes))
}

/// A date as `YYYYMMDD` (RECUR_EXP).
pub(crate) fn date(d: time::Date) -> Result<String> {
    d.format(format_description!("[year][month][day]"))
        .map_err(|e| Error::invalid_input("date", format!("cannot be formatted: {e}")))
}

/// TIMESTAMP and NONCE of one outgoing MPI request: the fixed values the
/// caller gave (checked), else the configured clock's time and 16 fresh
/// random bytes. Every signed request takes its pair from here.
pub(crate) fn stamp(
    clock: &payments_core::clock::SharedClock,
    at: Option<OffsetDateTime>,
    fixed_nonce: Option<&str>,
) -> Result<(String, String)> {
    let timestamp = timestamp(at.unwrap_or_else(|| clock.now()))?;
    let nonce = match fixed_nonce {
        Some(n) => {
            nonce(n)?;
            n.to_owned()
        }
        None => fresh_nonce()?,
    };
    Ok((timestamp, nonce))
}

/// TIMESTAMP: `YYYYMMDDHHMMSS` in UTC.
pub(crate) fn timestamp(at: OffsetDateTime) -> Result<String> {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!("[year][month][day][hour][minute][second]"))
        .map_err(|e| Error::invalid_input("timestamp", format!("cannot be formatted: {e}")))
}

/// Parses a `YYYYMMDDHHMMSS` UTC timestamp.
pub(crate) fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    time::PrimitiveDateTime::parse(text, format_description!("[year][month][day][hour][minute][second]"))
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use payments_core::Currency;

    #[test]
    fn checks_name_their_field() {
        for bad in ["12345", "12345a", &"1".repeat(33), ""] {
            assert!(matches!(order(bad), Err(Error::InvalidInput { field, .. }) if field == "order"));
        }
        order("000123").unwrap();
        assert!(amount(Money::zero(Currency::AZN)).is_err());
        assert_eq!(amount(Money::from_minor(1050, Currency::AZN)).unwrap(), "10.50");
        assert_eq!(amount(Money::from_minor(5, Currency::JPY)).unwrap(), "5");
        assert!(amount(Money::from_minor(1_000_000_000_000, Currency::AZN)).is_err());
        assert!(signed_ascii("merchant_url", "https://şop.az", 1, 250).is_err());
        assert!(text("description", "a\nb", 1, 50).is_err());
        assert!(nonce("abc").is_err());
        nonce(&fresh_nonce().unwrap()).unwrap();
        assert_ne!(fresh_nonce().unwrap(), fresh_nonce().unwrap());
    }

    #[test]
    fn timestamps_are_utc_yyyymmddhhmmss() {
        let t = time::macros::datetime!(2025-01-01 16:00:00 +4);
        assert_eq!(timestamp(t).unwrap(), "20250101120000");
        assert_eq!(
            parse_timestamp("20250101120000").unwrap(),
            time::macros::datetime!(2025-01-01 12:00 UTC)
        );
        assert!(parse_timestamp("2025010112000").is_none());
        assert!(parse_timestamp("20251301120000").is_none());
        assert!(parse_timestamp("2025010112000\u{0}").is_none());
    }
}
