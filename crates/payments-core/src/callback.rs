//! Helpers shared by the providers' callback handling.

use crate::error::{Error, Result};
use crate::money::Money;

/// Largest callback body accepted before any parsing (64 KiB). Real callbacks
/// are a few hundred bytes; a larger body is rejected without being decoded.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

/// Rejects a body larger than `limit` before anything else looks at it.
pub fn check_size(body: &[u8], limit: usize) -> Result<()> {
    if body.len() > limit {
        return Err(Error::malformed_callback(format!(
            "body of {} bytes exceeds the {limit}-byte limit",
            body.len()
        )));
    }
    Ok(())
}

/// Parses an `application/x-www-form-urlencoded` body into ordered pairs.
/// Rejects bodies over [`MAX_CALLBACK_BYTES`] and bodies that are not UTF-8.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>> {
    check_size(body, MAX_CALLBACK_BYTES)?;
    if std::str::from_utf8(body).is_err() {
        return Err(Error::malformed_callback("form body is not UTF-8"));
    }
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

/// The value of `name` in parsed form pairs; a field sent twice is rejected,
/// since an attacker could otherwise make the verifier and the decoder read
/// different values.
pub fn form_field<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>> {
    let mut found = None;
    for (k, v) in pairs {
        if k == name {
            if found.is_some() {
                return Err(Error::malformed_callback(format!(
                    "field {name} appears more than once"
                )));
            }
            found = Some(v.as_str());
        }
    }
    Ok(found)
}

/// Checks only that a callback is about `expected_order` and exactly
/// `expected_amount` (value and currency). Says nothing about the outcome.
/// A difference is an [`Error::Mismatch`] naming `order_id`, `currency` or
/// `amount`.
pub fn ensure_matches(
    got_order: Option<&str>,
    got_amount: Option<Money>,
    expected_order: &str,
    expected_amount: Money,
) -> Result<()> {
    match got_order {
        Some(o) if o == expected_order => {}
        Some(o) => {
            return Err(Error::mismatch(
                "order_id",
                format!("callback is for order {o:?}, expected {expected_order:?}"),
            ));
        }
        None => return Err(Error::mismatch("order_id", "callback carries no order id")),
    }
    match got_amount {
        Some(a) if a == expected_amount => Ok(()),
        Some(a) if a.currency() != expected_amount.currency() => Err(Error::mismatch(
            "currency",
            format!(
                "callback currency {} differs from the expected {}",
                a.currency(),
                expected_amount.currency()
            ),
        )),
        Some(a) => Err(Error::mismatch(
            "amount",
            format!("callback amount {a} differs from the expected {expected_amount}"),
        )),
        None => Err(Error::mismatch("amount", "callback carries no amount")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_parsing_and_duplicates() {
        let pairs = parse_form(b"data=a%2Bb&signature=x+y").unwrap();
        assert_eq!(form_field(&pairs, "data").unwrap(), Some("a+b"));
        assert_eq!(form_field(&pairs, "signature").unwrap(), Some("x y"));
        assert_eq!(form_field(&pairs, "nope").unwrap(), None);
        let dup = parse_form(b"a=1&a=2").unwrap();
        assert!(form_field(&dup, "a").is_err());
        assert!(parse_form(&vec![b'a'; MAX_CALLBACK_BYTES + 1]).is_err());
        assert!(parse_form(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn ensure_matches_names_the_field() {
        use crate::Currency;
        let m = Money::from_minor(1050, Currency::AZN);
        let field = |r: Result<()>| match r {
            Err(Error::Mismatch { field, .. }) => field.into_owned(),
            other => format!("{other:?}"),
        };
        assert!(ensure_matches(Some("o1"), Some(m), "o1", m).is_ok());
        assert_eq!(field(ensure_matches(Some("o2"), Some(m), "o1", m)), "order_id");
        assert_eq!(
            field(ensure_matches(
                Some("o1"),
                Some(Money::from_minor(1051, Currency::AZN)),
                "o1",
                m
            )),
            "amount"
        );
        assert_eq!(
            field(ensure_matches(
                Some("o1"),
                Some(Money::from_minor(1050, Currency::USD)),
                "o1",
                m
            )),
            "currency"
        );
        assert_eq!(field(ensure_matches(None, Some(m), "o1", m)), "order_id");
        assert_eq!(field(ensure_matches(Some("o1"), None, "o1", m)), "amount");
    }
}
