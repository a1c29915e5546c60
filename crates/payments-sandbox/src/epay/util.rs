//! Small helpers: ids, card masks, ePay's time format, link and amount rules.

use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::error::ApiError;

/// A random lowercase UUID-shaped id.
pub(super) fn uuid() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(13..16).unwrap_or_default(),
        h.get(17..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// A random string of `len` characters from `alphabet`.
pub(super) fn random_text(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rand::random::<u32>() as usize % alphabet.len().max(1);
            alphabet.get(i).copied().map(char::from).unwrap_or('0')
        })
        .collect()
}

pub(super) fn random_digits(len: usize) -> String {
    random_text(b"0123456789", len)
}

/// `440563******5096` and the brand.
pub(super) fn card_info(number: &str) -> (String, String) {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let mask = if digits.len() >= 10 {
        format!(
            "{}{}{}",
            digits.get(..6).unwrap_or_default(),
            "*".repeat(digits.len() - 10),
            digits.get(digits.len() - 4..).unwrap_or_default()
        )
    } else {
        "****".to_owned()
    };
    let brand = match digits.chars().next() {
        Some('4') => "VISA",
        Some('5') | Some('2') => "MASTERCARD",
        _ => "UNKNOWN",
    };
    (mask, brand.to_owned())
}

/// Time as ePay writes it: RFC 3339 in Almaty time (+06:00, as the seed's samples).
pub(super) fn kz_time(t: OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(6, 0, 0).unwrap_or(time::UtcOffset::UTC);
    t.to_offset(offset)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Longest URL accepted in a link field (postLink, backLink, ...).
pub const MAX_LINK_LEN: usize = 1024;

/// A link field: an absolute `http`/`https` URL of at most [`MAX_LINK_LEN`]
/// bytes. Any other scheme (`javascript:`, `data:`, `file:`) is refused: the
/// sandbox posts to postLinks and renders backLinks as anchors.
pub(super) fn check_link(field: &str, link: &str) -> Result<(), ApiError> {
    let l = link.trim();
    if l.len() > MAX_LINK_LEN {
        return Err(ApiError::invalid(format!("{field}: longer than {MAX_LINK_LEN} bytes")));
    }
    let lower = l.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| ApiError::invalid(format!("{field}: must be an http or https URL")))?;
    if rest.is_empty() || rest.starts_with('/') || l.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!("{field}: must be an http or https URL")));
    }
    Ok(())
}

/// An optional link: empty means absent; otherwise [`check_link`].
pub(super) fn optional_link(field: &str, link: Option<&str>) -> Result<Option<String>, ApiError> {
    match link.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(l) => {
            check_link(field, l)?;
            Ok(Some(l.to_owned()))
        }
    }
}

/// ePay's invoiceId rule for payments: digits only, 6 to 15 of them.
pub(super) fn check_invoice_id(field: &str, id: &str) -> Result<(), ApiError> {
    if (6..=15).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("{field}: must be 6 to 15 digits")))
    }
}

/// Currencies a payment may carry; each has 2 minor digits.
/// Currencies a payment token may name.
pub const CURRENCIES: [&str; 4] = ["KZT", "USD", "EUR", "RUB"];

/// An amount in major units: non-negative, at most 2 decimals (every
/// supported currency has 2 minor digits; `10.001` KZT is refused, never rounded).
pub(super) fn check_amount(field: &str, amount: Decimal) -> Result<Decimal, ApiError> {
    if amount.is_sign_negative() {
        return Err(ApiError::invalid(format!("{field}: must not be negative")));
    }
    if amount.normalize().scale() > 2 {
        return Err(ApiError::invalid(format!("{field}: at most 2 decimal places")));
    }
    Ok(amount)
}

/// Longest free-text field (name, email, phone, accountId, language, ...) of
/// a payment request, in bytes: the sandbox's bound (ePay's description has
/// its own, 125 bytes; `data` 1024).
pub const MAX_TEXT_LEN: usize = 256;

/// An optional text member (string or number) of at most `max` bytes.
pub(super) fn bounded_text(obj: &crate::json::RawObject<'_>, key: &str, max: usize) -> Result<String, ApiError> {
    let v = obj.text(key).map_err(ApiError::field)?.unwrap_or_default();
    if v.len() > max {
        return Err(ApiError::invalid(format!("{key}: longer than {max} bytes")));
    }
    Ok(v)
}
