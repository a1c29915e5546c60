//! Small helpers: ids, the platform's time formats, request fields and money rules.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::envelope::QrError;
use crate::json::RawObject;

pub(super) fn random_text(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rand::random::<u32>() as usize % alphabet.len().max(1);
            alphabet.get(i).copied().map(char::from).unwrap_or('0')
        })
        .collect()
}

/// `len` random digits, the first one not zero.
pub(super) fn digits_nonzero(len: usize) -> String {
    let mut s = random_text(b"123456789", 1);
    s.push_str(&random_text(b"0123456789", len.saturating_sub(1)));
    s
}

/// Turkish local time without a zone and with 2 fraction digits, as the seed's
/// `SessionExpireDate` (`2021-04-01T08:38:40.51`).
pub(super) fn tr_local(t: OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(3, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond() / 10
    )
}

/// UTC with 7 fraction digits and an offset (`2022-01-10T14:31:49.6376785+00:00`).
pub(super) fn utc_7(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100
    )
}

/// Longest string field accepted (the platform's limits are not published).
pub const MAX_TEXT_LEN: usize = 512;

/// A required member sent as a string or a number, as text (status 1 / 999 when absent).
pub(super) fn required_text(obj: &RawObject<'_>, key: &str) -> Result<String, QrError> {
    let t = optional_text(obj, key)?.unwrap_or_default();
    if t.is_empty() {
        return Err(QrError::validation(format!("'{key}' must not be empty.")));
    }
    Ok(t)
}

/// An optional member sent as a string or a number, as trimmed text.
pub(super) fn optional_text(obj: &RawObject<'_>, key: &str) -> Result<Option<String>, QrError> {
    let t = obj
        .text(key)
        .map_err(|_| QrError::unreadable(key))?
        .map(|t| t.trim().to_owned());
    if t.as_ref().is_some_and(|t| t.len() > MAX_TEXT_LEN) {
        return Err(QrError::validation(format!(
            "The length of '{key}' must be {MAX_TEXT_LEN} characters or fewer."
        )));
    }
    Ok(t)
}

/// A correlation id: digits only, sent as a JSON number of any size or a string.
pub(super) fn correlation_id(obj: &RawObject<'_>) -> Result<String, QrError> {
    let id = obj
        .text("tx_correlation_id")
        .map_err(|_| QrError::unreadable("tx_correlation_id"))?
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| QrError::missing_number("tx_correlation_id"))?;
    if id.len() > 40 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(QrError::unreadable("tx_correlation_id"));
    }
    Ok(id)
}

/// Largest amount the platform accepts (Katalon's validation message).
pub const MAX_AMOUNT: i64 = 999_999_999;

/// A TRY amount: absent or unreadable → HTTP 400 framework answer; outside
/// 0..999999999 → status 1 / 999; below 0.01 or more than 2 decimals → status 2 / 315.
pub(super) fn money(obj: &RawObject<'_>, key: &str, label: &str) -> Result<Decimal, QrError> {
    let d = obj
        .decimal(key)
        .map_err(|_| QrError::unreadable(key))?
        .ok_or_else(|| QrError::missing_number(key))?;
    if d.is_sign_negative() || d > Decimal::from(MAX_AMOUNT) {
        return Err(QrError::validation(format!(
            "'{label}' must be between 0 and {MAX_AMOUNT}. You entered {d}."
        )));
    }
    let d = d.normalize();
    if d < Decimal::new(1, 2) || d.scale() > 2 {
        return Err(QrError::amount());
    }
    Ok(d)
}

/// `currency_code`: TRY only.
pub(super) fn currency(obj: &RawObject<'_>) -> Result<(), QrError> {
    let c = required_text(obj, "currency_code")?;
    if c != "TRY" {
        return Err(QrError::validation("'Currency Code' must be TRY.".to_owned()));
    }
    Ok(())
}
