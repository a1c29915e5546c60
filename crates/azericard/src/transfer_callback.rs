//! The MT transfer callback: MD5 over the field values concatenated
//! without separators, then the transfer secret.
//!
//! Because nothing separates the values, the same signature covers every
//! way of re-cutting the concatenation: a genuine callback with
//! `Response Code=116` and an empty `Message` can be re-sent with the last
//! Timestamp digit moved into the code and the code into the message
//! (`Response Code=0`, `Message=116`), and the MD5 still matches. So every
//! field's documented format is checked after the signature and before any
//! value is believed (OperationID 16-20 digits, Amount with exactly two
//! decimals, Cur 3 digits, ReceiverPAN a 16-character masked PAN, Status
//! letters, Timestamp 14 digits, Response Code a number without leading
//! zeros); with fixed-format neighbours no boundary can move. SRN is the
//! merchant's own free text: a shift between SRN and Amount is caught by
//! [`TransferCallback::ensure_matches`] against the merchant's record.
//!
//! Then ([`verify_transfer_callback`], async) the Timestamp must be within
//! the configured window and the signed OperationID (with Status) and the
//! Signature itself must not have been accepted before.

use payments_core::{Currency, Error, Money, Result};

use crate::config::AzericardConfig;
use crate::error::{CardStatus, TransferCode};
use crate::signature::{TRANSFER_CALLBACK_FIELDS, verify_transfer_signature};
use crate::validate;

/// A verified MT transfer callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferCallback {
    /// `OperationID`: AzeriCard's operation number (16-20 digits).
    pub operation_id: String,
    /// `SRN`: the merchant's operation number.
    pub srn: String,
    /// `Amount` in `Cur`.
    pub amount: Money,
    /// `CardStatus`.
    pub card_status: CardStatus,
    /// `ReceiverPAN`, masked.
    pub receiver_pan: String,
    /// `Status` (for example `pending`).
    pub status: String,
    /// `Timestamp`, as received (14 digits).
    pub timestamp: String,
    /// `Response Code`.
    pub code: TransferCode,
    /// `Message`.
    pub message: String,
    /// `Signature`, lowercase (the replay key of this exact message).
    pub signature: String,
}

impl TransferCallback {
    /// Checks SRN and amount (value and currency) against the merchant's
    /// record of the transfer it started. Says nothing about the outcome
    /// (see [`TransferCallback::code`] and [`TransferCallback::status`]).
    pub fn ensure_matches(&self, srn: &str, amount: Money) -> Result<()> {
        payments_core::callback::ensure_matches(Some(&self.srn), Some(self.amount), srn, amount)
    }
}

/// Parses a transfer callback body: a JSON object or a form body (sources do
/// not say which the MT sends, so both are accepted).
fn transfer_pairs(body: &[u8]) -> Result<Vec<(String, String)>> {
    payments_core::callback::check_size(body, payments_core::callback::MAX_CALLBACK_BYTES)?;
    let trimmed = body.trim_ascii_start();
    if trimmed.first() == Some(&b'{') {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| Error::malformed_callback("body is not valid JSON"))?;
        let serde_json::Value::Object(map) = value else {
            return Err(Error::malformed_callback("body is not a JSON object"));
        };
        let mut pairs = Vec::with_capacity(map.len());
        for (k, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(Error::malformed_callback(format!("{k} is not a string or number"))),
            };
            pairs.push((k, text));
        }
        Ok(pairs)
    } else {
        payments_core::callback::parse_form(body)
    }
}

/// The slot of a transfer-callback key in [`TRANSFER_CALLBACK_FIELDS`] order
/// (10 = `Signature`), accepting both spellings seen across sources.
fn transfer_slot(key: &str) -> Option<usize> {
    Some(match key {
        "OperationID" | "OperationId" => 0,
        "SRN" => 1,
        "Amount" => 2,
        "Cur" => 3,
        "CardStatus" => 4,
        "ReceiverPAN" | "ReceiverPan" => 5,
        "Status" => 6,
        "Timestamp" => 7,
        "Response Code" | "ResponseCode" => 8,
        "Message" => 9,
        "Signature" => 10,
        _ => return None,
    })
}

fn digits(v: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit())
}

/// Amount with exactly two decimals and no leading zero (`0.50`, `10.50`).
fn two_decimals(v: &str) -> bool {
    let Some((int, frac)) = v.split_once('.') else {
        return false;
    };
    digits(int, 1, 12) && (int == "0" || !int.starts_with('0')) && digits(frac, 2, 2)
}

/// A masked PAN of 16 characters: digits and `*`, starting and ending with digits.
fn masked_pan(v: &str) -> bool {
    v.len() == 16
        && v.bytes().all(|b| b.is_ascii_digit() || b == b'*')
        && v.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && v.as_bytes().last().is_some_and(u8::is_ascii_digit)
}

/// Checks each value's documented format; the first violation is named.
fn check_formats(values: &[&str; 10]) -> Result<()> {
    let [
        operation_id,
        srn,
        amount,
        cur,
        card_status,
        pan,
        status,
        timestamp,
        code,
        message,
    ] = *values;
    let bad = |name: &str, what: &str| Err(Error::malformed_callback(format!("{name} is not {what}")));
    if !digits(operation_id, 16, 20) {
        return bad("OperationID", "16 to 20 digits");
    }
    if validate::signed_ascii("srn", srn, 1, 12).is_err() {
        return bad("SRN", "1 to 12 printable ASCII characters");
    }
    if !two_decimals(amount) {
        return bad("Amount", "an amount with two decimals");
    }
    if !digits(cur, 3, 3) {
        return bad("Cur", "a 3-digit currency code");
    }
    if card_status.is_empty() || !card_status.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return bad("CardStatus", "lowercase letters and `_`");
    }
    if !masked_pan(pan) {
        return bad("ReceiverPAN", "a 16-character masked card number");
    }
    if status.is_empty() || !status.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
        return bad("Status", "letters");
    }
    if validate::parse_timestamp(timestamp).is_none() {
        return bad("Timestamp", "14 digits YYYYMMDDHHMMSS");
    }
    if !digits(code, 1, 4) || (code.len() > 1 && code.starts_with('0')) {
        return bad("Response Code", "a number");
    }
    if message.chars().any(char::is_control) {
        return bad("Message", "text without control characters");
    }
    Ok(())
}

/// Verifies and decodes an MT transfer callback.
///
/// Order of checks: the MD5 `Signature` over the exact received values (in
/// [`TRANSFER_CALLBACK_FIELDS`] order, absent as empty) plus the transfer
/// secret, in constant time ([`Error::SignatureInvalid`]); each field's
/// documented format ([`Error::MalformedCallback`], see the module docs for
/// why this must come before trusting any value); `Timestamp` within
/// [`AzericardConfig::transfer_callback_max_age`]; the signed `OperationID`
/// with `Status`, and the `Signature`, never accepted before
/// ([`Error::ReplayedCallback`]).
pub async fn verify_transfer_callback(config: &AzericardConfig, body: &[u8]) -> Result<TransferCallback> {
    let callback = verify_transfer_callback_signature(config, body)?;
    let at = validate::parse_timestamp(&callback.timestamp)
        .ok_or_else(|| Error::malformed_callback("Timestamp is not YYYYMMDDHHMMSS"))?;
    crate::replay::check_window(config, at, config.transfer_callback_max_age, "Timestamp")?;
    // The Signature key catches every re-cut of the same signed bytes; the
    // OperationID key catches a resend of the same event.
    crate::replay::mark_once(
        config,
        &format!("{}:mt-sig:{}", crate::PROVIDER, callback.signature),
        "this transfer callback was already accepted",
    )
    .await?;
    crate::replay::mark_once(
        config,
        &format!(
            "{}:mt-op:{}:{}",
            crate::PROVIDER,
            callback.operation_id,
            callback.status
        ),
        "a callback for this OperationID and Status was already accepted",
    )
    .await?;
    Ok(callback)
}

/// Verifies and decodes an MT transfer callback without the window and
/// replay checks (for re-reading a stored callback). Prefer [`verify_transfer_callback`].
pub fn verify_transfer_callback_signature(config: &AzericardConfig, body: &[u8]) -> Result<TransferCallback> {
    let secret = config.require_transfer_secret()?;
    let pairs = transfer_pairs(body)?;
    // One pass: each known field once (in either spelling), so the verifier
    // and the decoder cannot read different values.
    let mut slots: [Option<&str>; 11] = [None; 11];
    for (key, value) in &pairs {
        if let Some(slot) = transfer_slot(key).and_then(|i| slots.get_mut(i)) {
            if slot.is_some() {
                return Err(Error::malformed_callback(format!("{key} appears more than once")));
            }
            *slot = Some(value.as_str());
        }
    }
    let signature = slots[10]
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::malformed_callback("Signature is missing"))?;
    let mut values: [&str; 10] = [""; 10];
    for (value, slot) in values.iter_mut().zip(slots) {
        *value = slot.unwrap_or("");
    }
    verify_transfer_signature(&values, secret, signature)?;
    for (name, v) in TRANSFER_CALLBACK_FIELDS.iter().zip(values) {
        if v.is_empty() && *name != "Message" {
            return Err(Error::malformed_callback(format!("{name} is missing")));
        }
    }
    check_formats(&values)?;

    let [
        operation_id,
        srn,
        amount,
        cur,
        card_status,
        receiver_pan,
        status,
        timestamp,
        code,
        message,
    ] = values;
    let currency: Currency = cur
        .parse()
        .map_err(|_| Error::malformed_callback("Cur is not a known currency code"))?;
    let amount = Money::parse_major(amount, currency)
        .map_err(|e| Error::malformed_callback(format!("Amount is not a valid amount: {e}")))?;
    Ok(TransferCallback {
        operation_id: operation_id.to_owned(),
        srn: srn.to_owned(),
        amount,
        card_status: CardStatus::from_code(card_status),
        receiver_pan: receiver_pan.to_owned(),
        status: status.to_owned(),
        timestamp: timestamp.to_owned(),
        code: TransferCode::from_code(code),
        message: message.to_owned(),
        signature: signature.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(two_decimals("10.50") && two_decimals("0.01"));
        for bad in ["10.5", "010.50", "10", ".50", "10.500", "1e2.00", "-1.00"] {
            assert!(!two_decimals(bad), "{bad}");
        }
        assert!(masked_pan("416973******1234"));
        assert!(!masked_pan("416973******123") && !masked_pan("*16973******1234"));
    }
}
