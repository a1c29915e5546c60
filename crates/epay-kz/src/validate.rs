//! Checks of caller input, run before anything is sent. Each violation is an
//! invalid-input error naming the field.

use payments_core::{Error, Result};

/// Longest description ePay accepts, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 125;

/// An invoice id: digits only, 6 to 15 of them.
pub fn invoice_id(field: &'static str, id: &str) -> Result<()> {
    if !(6..=15).contains(&id.len()) {
        return Err(Error::invalid_input(
            field,
            format!("must be 6 to 15 digits, got {} characters", id.len()),
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(field, "must contain digits only"));
    }
    Ok(())
}

/// A description of at most 125 bytes.
pub fn description(field: &'static str, text: &str) -> Result<()> {
    if text.len() > MAX_DESCRIPTION_BYTES {
        return Err(Error::invalid_input(
            field,
            format!("is {} bytes, at most {MAX_DESCRIPTION_BYTES} are allowed", text.len()),
        ));
    }
    Ok(())
}

/// A phone number in the invoice API's format: `+7` and 10 digits.
pub fn phone(field: &'static str, phone: &str) -> Result<()> {
    let ok = phone
        .strip_prefix("+7")
        .is_some_and(|rest| rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be +7 followed by 10 digits"))
    }
}

/// A plausible e-mail address (one `@` with text on both sides, no spaces).
pub fn email(field: &'static str, email: &str) -> Result<()> {
    let ok = match email.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && !host.is_empty() && !host.contains('@') && !email.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "is not an e-mail address"))
    }
}

/// A required, non-blank value.
pub fn required(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(field, "is required"))
    } else {
        Ok(())
    }
}

/// An identifier that goes into a URL path: letters, digits, `-` and `_`.
pub fn path_id(field: &'static str, id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 64 {
        return Err(Error::invalid_input(field, "must be 1 to 64 characters"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(Error::invalid_input(
            field,
            "may contain only letters, digits, '-' and '_'",
        ));
    }
    Ok(())
}

/// An optional URL: absolute http(s) with a host, no whitespace or control
/// characters. (A cheap check on a hot path; ePay validates the rest.)
pub fn opt_url(field: &'static str, value: Option<&str>) -> Result<()> {
    if let Some(v) = value {
        let rest = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        let ok = rest.is_some_and(|r| {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.starts_with(':')
        }) && !v.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(Error::invalid_input(field, "must be an absolute http(s) URL"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(r: Result<()>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn invoice_ids() {
        assert!(invoice_id("invoice_id", "123456").is_ok());
        assert!(invoice_id("invoice_id", "123456789012345").is_ok());
        assert_eq!(field_of(invoice_id("invoice_id", "12345")), "invoice_id");
        assert_eq!(field_of(invoice_id("invoice_id", "1234567890123456")), "invoice_id");
        assert_eq!(field_of(invoice_id("invoice_id", "12345a")), "invoice_id");
        assert_eq!(field_of(invoice_id("invoice_id", "１２３４５６")), "invoice_id");
    }

    #[test]
    fn descriptions_phones_emails() {
        assert!(description("description", &"a".repeat(125)).is_ok());
        assert_eq!(field_of(description("description", &"a".repeat(126))), "description");
        // 63 two-byte letters are 126 bytes.
        assert!(description("description", &"ә".repeat(63)).is_err());
        assert!(phone("recipient_contact_sms", "+77771234567").is_ok());
        assert_eq!(
            field_of(phone("recipient_contact_sms", "+777711111111")),
            "recipient_contact_sms"
        );
        assert!(phone("p", "87771234567").is_err());
        assert!(phone("p", "+7777123456a").is_err());
        assert!(email("e", "a@b.kz").is_ok());
        assert!(email("e", "ab.kz").is_err());
        assert!(email("e", "a @b.kz").is_err());
        assert!(path_id("id", "39400628-6ebd-4640-9a25-116fb847db37").is_ok());
        assert!(path_id("id", "../x").is_err());
        assert!(path_id("id", "").is_err());
        assert!(opt_url("u", Some("https//mail.ru")).is_err());
        assert!(opt_url("u", Some("https://mail.ru")).is_ok());
        assert!(opt_url("u", None).is_ok());
        assert!(opt_url("u", Some("http://127.0.0.1:8080/cb?x=1")).is_ok());
        for bad in [
            "http://",
            "https:///x",
            "ftp://x",
            "https://a b",
            "https://:80/x",
            "//x",
            "https://x\n",
        ] {
            assert!(opt_url("u", Some(bad)).is_err(), "{bad}");
        }
    }
}
