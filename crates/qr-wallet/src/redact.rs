//! Personal data out of error excerpts.
//!
//! Complete, ApproveQRPayment, Payment, refunds, status answers and webhooks
//! carry the payer's name, e-mail, phone number, balances and KYC data. An
//! error about such a body keeps an excerpt for diagnosis; the values of
//! those keys are replaced before the excerpt is taken, as secrets are.
//!
//! The scan is lexical (strings, keys, values), not a JSON parse, so it also
//! redacts a truncated or malformed body, which is exactly when an excerpt is kept.

/// Keys whose values are personal data (compared case-insensitively, trimmed).
/// Includes the misspellings of Katalon's webhook samples.
pub const PERSONAL_KEYS: &[&str] = &[
    "name",
    "receiver_name",
    "sender_name",
    "to_name",
    "from_name",
    "email",
    "phone_number",
    "phone",
    "gsm",
    "tax_number",
    "identity_number",
    "tckn",
    "iban",
    "to_iban",
    "card_no",
    "total_balance",
    "available",
    "unavailable",
    "avaiable",
    "unavaiable",
    "unavailble",
    "previous_amount",
    "monthly_incoming_total",
    "monthly_outgoing_total",
    "user_kyc_info",
    "from_user_kyc_info",
    "to_user_kyc_info",
];

/// What a redacted value becomes.
pub const REDACTED: &str = "\"[redacted]\"";

fn is_personal(key: &str) -> bool {
    let key = key.trim();
    PERSONAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

/// `text` with the value of every personal key replaced by `"[redacted]"`.
/// Borrowed unchanged when there is nothing to redact.
///
/// ```
/// use qr_wallet::redact::personal_data;
///
/// let body = r#"{"name":"Ayşe Yılmaz","email":"a@b.tr","payment_balance":{"available":796.00},"number":"7"}"#;
/// assert_eq!(
///     personal_data(body),
///     r#"{"name":"[redacted]","email":"[redacted]","payment_balance":{"available":"[redacted]"},"number":"7"}"#
/// );
/// // A truncated body is redacted too.
/// assert_eq!(personal_data(r#"{"phone_number":"+90 555"#), r#"{"phone_number":"[redacted]""#);
/// ```
pub fn personal_data(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `text` already in `out`
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        let end = string_end(bytes, i);
        i = end;
        // A key is a string followed by a colon.
        let mut j = skip_ws(bytes, end);
        if j >= bytes.len() || bytes[j] != b':' {
            continue;
        }
        let inner = &text[start + 1..end.saturating_sub(1).max(start + 1)];
        if !is_personal(inner) {
            continue;
        }
        j = skip_ws(bytes, j + 1);
        let value_end = value_end(bytes, j);
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..j]);
        buf.push_str(REDACTED);
        copied = value_end;
        i = value_end;
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            std::borrow::Cow::Owned(buf)
        }
    }
}

/// [`personal_data`] over bytes (lossy for invalid UTF-8), for error excerpts.
pub(crate) fn personal_data_bytes(body: &[u8]) -> Vec<u8> {
    personal_data(&String::from_utf8_lossy(body)).into_owned().into_bytes()
}

/// Index just past the string starting at `start` (a `"`), or the end of input.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Index just past the value starting at `i`: a string, a balanced object or
/// array, or a scalar up to the next delimiter; the end of input when cut off.
fn value_end(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        None => i,
        Some(b'"') => string_end(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut k = i;
            while k < bytes.len() {
                match bytes[k] {
                    b'"' => {
                        k = string_end(bytes, k);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return k + 1;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut k = i;
            while k < bytes.len() && !matches!(bytes[k], b',' | b'}' | b']') && !bytes[k].is_ascii_whitespace() {
                k += 1;
            }
            k
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_personal_value_shape() {
        let body = r#"{"sender_wallet_info":{"id":"7997","name":"Ayşe","email":"ayse@example.com","phone_number":"5551234567","total_balance":796.00,"payment_balance":{"available":796.00,"unavailable":0.00},"user_kyc_info":{"tckn":"12345678901","name":"x"},"tax_number":null},"transaction_amount":100.0000}"#;
        let r = personal_data(body);
        for leaked in ["Ayşe", "ayse@example.com", "5551234567", "796.00", "12345678901"] {
            assert!(!r.contains(leaked), "{leaked} in {r}");
        }
        assert!(r.contains(r#""id":"7997""#));
        assert!(r.contains(r#""transaction_amount":100.0000"#));
        assert!(
            r.contains(r#""user_kyc_info":"[redacted]","tax_number":"[redacted]"}"#),
            "{r}"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&r).is_ok(), "{r}");
    }

    #[test]
    fn escaped_quotes_and_cut_bodies() {
        let r = personal_data(r#"{"name":"A \"B\" C","Name ":"x","n":"name"}"#);
        assert_eq!(r, r#"{"name":"[redacted]","Name ":"[redacted]","n":"name"}"#);
        assert_eq!(personal_data(r#"{"email":"#), r#"{"email":"[redacted]""#);
        assert_eq!(personal_data(r#"{"available": 12"#), r#"{"available": "[redacted]""#);
        assert_eq!(
            personal_data(r#"{"user_kyc_info":{"a":["#),
            r#"{"user_kyc_info":"[redacted]""#
        );
        let plain = r#"{"qr_code":"Q","qr_status_code":100}"#;
        assert!(matches!(personal_data(plain), std::borrow::Cow::Borrowed(_)));
        assert_eq!(personal_data("\"name"), "\"name");
        assert_eq!(personal_data(""), "");
    }
}
