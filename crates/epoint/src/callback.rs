//! EPoint's callback: the POST EPoint sends to the merchant's callback URL
//! (set in the EPoint dashboard) after a hosted-page operation.
//!
//! The body carries `data` (base64 JSON) and `signature`, as a form
//! (`data=...&signature=...`) or as a JSON object. [`verify_and_decode`]
//! rejects an oversized body first, checks the signature in constant time
//! over the exact `data` text, and only then decodes it.
//!
//! ```
//! use epoint::callback::{sign_callback, verify_and_decode};
//! use epoint::Status;
//! use payments_core::{Currency, Money, Secret};
//!
//! let key = Secret::from("test-private-key");
//! // What EPoint would send; in your tests, build callbacks the same way.
//! let body = sign_callback(
//!     &serde_json::json!({"status": "success", "order_id": "order-1", "amount": 10.5, "transaction": "te1"}),
//!     &key,
//! );
//! let callback = verify_and_decode(body.as_bytes(), &key)?;
//! assert_eq!(callback.status, Status::Success);
//! callback.check_expected("order-1", Money::parse_major("10.50", Currency::AZN)?)?;
//! # Ok::<(), payments_core::Error>(())
//! ```

use std::borrow::Cow;

use payments_core::callback::{MAX_CALLBACK_BYTES, check_size};
use payments_core::{CallbackEvent, Currency, Error, Money, Result, Secret, StatusReport, crypto};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::{PROVIDER, operation_status};
use crate::signature;
use crate::status::{OperationCode, Status};
use crate::wire::{opt_decimal, opt_text, opt_value};

/// A verified, decoded callback.
///
/// Every field but `status` is optional: which ones arrive depends on the
/// request kind ([`CallbackKind::absent_fields`]), and on a failed operation
/// everything beyond `status`, `message` and `code` may be absent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Callback {
    /// `success`, or `error`/`failed`.
    pub status: Status,
    /// EPoint's message (absent for the card-saving payments).
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The bank's 3-character action code, as sent (see [`crate::error::describe_bank_code`]).
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    /// EPoint's transaction id (absent for a card registration).
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction: Option<String>,
    /// The bank's transaction id.
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_transaction: Option<String>,
    /// The bank's raw answer.
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_response: Option<String>,
    /// `001` card registration, `100` payment.
    #[serde(default, deserialize_with = "crate::wire::opt_operation_code")]
    pub operation_code: Option<OperationCode>,
    /// Retrieval reference number (successful operations only).
    #[serde(default, deserialize_with = "opt_text")]
    pub rrn: Option<String>,
    /// Masked card number (`416973******1234`).
    #[serde(default, deserialize_with = "opt_text")]
    pub card_mask: Option<String>,
    /// Cardholder name.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_name: Option<String>,
    /// The payment amount, exactly as sent (number or string on the wire).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// The merchant's order id (absent for a card registration).
    #[serde(default, deserialize_with = "opt_text")]
    pub order_id: Option<String>,
    /// The saved card's id (card-saving requests only).
    #[serde(default, deserialize_with = "opt_text")]
    pub card_id: Option<String>,
    /// The split part (split payments only).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub split_amount: Option<Decimal>,
    /// The extra attributes sent with the request.
    #[serde(default, deserialize_with = "opt_value")]
    pub other_attr: Option<serde_json::Value>,
}

/// The hosted-page requests that are followed by a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallbackKind {
    /// After `pay` (`request`).
    Pay,
    /// After `save_card` (`card-registration`).
    SaveCard,
    /// After `pay_and_save_card` (`card-registration-with-pay`).
    PayAndSaveCard,
    /// After `split_pay` (`split-request`).
    SplitPay,
    /// After `split_pay_and_save_card` (`split-card-registration-with-pay`).
    SplitPayAndSaveCard,
}

impl CallbackKind {
    /// The fields that never arrive in this kind's callback, as EPoint's
    /// documentation lists them (they decode as `None`).
    pub const fn absent_fields(self) -> &'static [&'static str] {
        match self {
            CallbackKind::Pay => &["card_id", "split_amount"],
            CallbackKind::SaveCard => &["order_id", "transaction", "amount", "other_attr"],
            CallbackKind::PayAndSaveCard | CallbackKind::SplitPayAndSaveCard => &["message"],
            CallbackKind::SplitPay => &[],
        }
    }
}

impl Callback {
    /// True when the operation succeeded.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The amount as [`Money`] in `currency` (callbacks carry no currency;
    /// EPoint charges in the currency of the request).
    pub fn amount_in(&self, currency: Currency) -> Result<Option<Money>> {
        self.amount
            .map(|a| Money::from_decimal(a, currency))
            .transpose()
            .map_err(|e| Error::invalid_input("amount", format!("callback amount: {e}")))
    }

    /// Checks that the callback is about `order_id` and exactly `amount`.
    /// Call it before fulfilling an order; a mismatch is an
    /// [`Error::InvalidInput`] naming `order_id` or `amount`.
    pub fn check_expected(&self, order_id: &str, amount: Money) -> Result<()> {
        let got = self.amount_in(amount.currency())?;
        payments_core::callback::check_expected(self.order_id.as_deref(), got, order_id, amount)
    }

    /// The provider-neutral event (amounts read as AZN, EPoint's currency).
    pub fn to_event(&self) -> Result<CallbackEvent> {
        let amount = self.amount_in(Currency::AZN)?;
        let report = StatusReport::new(operation_status(&self.status))
            .with_order(self.order_id.clone())
            .with_transaction(self.transaction.clone())
            .with_amount(amount)
            .with_code(self.code.clone(), self.message.clone());
        Ok(CallbackEvent::new(PROVIDER, report))
    }
}

#[derive(Deserialize)]
struct JsonEnvelope<'a> {
    #[serde(borrow)]
    data: Cow<'a, str>,
    #[serde(borrow)]
    signature: Cow<'a, str>,
}

/// A naive form decoder turns `+` into a space; base64 has no spaces, so a
/// space can only be a `+` that was not percent-encoded.
fn restore_plus(value: Cow<'_, str>) -> Cow<'_, str> {
    if value.contains(' ') {
        Cow::Owned(value.replace(' ', "+"))
    } else {
        value
    }
}

/// Takes `data` and `signature` out of a form or JSON body, without decoding `data`.
fn envelope(body: &[u8]) -> Result<(Cow<'_, str>, Cow<'_, str>)> {
    check_size(body, MAX_CALLBACK_BYTES)?;
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    if body.get(start) == Some(&b'{') {
        let env: JsonEnvelope<'_> = serde_json::from_slice(body)
            .map_err(|e| Error::malformed_callback(format!("JSON body without data and signature strings: {e}")))?;
        return Ok((env.data, env.signature));
    }
    if std::str::from_utf8(body).is_err() {
        return Err(Error::malformed_callback("form body is not UTF-8"));
    }
    let (mut data, mut signature) = (None, None);
    for (name, value) in form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "data" => &mut data,
            "signature" => &mut signature,
            _ => continue,
        };
        // A repeated field could make the verifier and the decoder read different values.
        if slot.replace(value).is_some() {
            return Err(Error::malformed_callback(format!(
                "field {name} appears more than once"
            )));
        }
    }
    let data = data.ok_or_else(|| Error::malformed_callback("field data is missing"))?;
    let signature = signature.ok_or_else(|| Error::malformed_callback("field signature is missing"))?;
    Ok((restore_plus(data), restore_plus(signature)))
}

/// Verifies a callback body's signature and returns the verified `data` JSON
/// bytes, without interpreting them.
pub fn verify(body: &[u8], private_key: &Secret<String>) -> Result<Vec<u8>> {
    let (data, signature) = envelope(body)?;
    if data.is_empty() {
        return Err(Error::malformed_callback("field data is empty"));
    }
    if !signature::verify(private_key, &data, &signature) {
        return Err(Error::signature_invalid(
            "EPoint callback signature does not match its data",
        ));
    }
    crypto::base64_decode(data.as_bytes()).map_err(|_| Error::malformed_callback("data is not valid base64"))
}

/// Verifies a callback body (form or JSON), then decodes it.
///
/// Errors: a body over [`MAX_CALLBACK_BYTES`], a missing or repeated field,
/// bad base64 or JSON are [`Error::MalformedCallback`]; a signature that does
/// not match is [`Error::SignatureInvalid`]. Nothing is decoded before the
/// signature is checked.
pub fn verify_and_decode(body: &[u8], private_key: &Secret<String>) -> Result<Callback> {
    let json = verify(body, private_key)?;
    if !crate::wire::is_object(&json) {
        return Err(Error::malformed_callback("data is not a JSON object"));
    }
    serde_json::from_slice(&json).map_err(|e| Error::malformed_callback(format!("data is not a valid callback: {e}")))
}

/// Signs a callback payload the way EPoint does and returns the form body
/// (`data=...&signature=...`, percent-encoded). For tests of callback handlers.
pub fn sign_callback(payload: &serde_json::Value, private_key: &Secret<String>) -> String {
    let signed = sign_payload(payload, private_key);
    form_urlencoded_pairs(&[("data", &signed.data), ("signature", &signed.signature)])
}

/// Like [`sign_callback`], as the JSON body `{"data": "...", "signature": "..."}`.
pub fn sign_callback_json(payload: &serde_json::Value, private_key: &Secret<String>) -> String {
    let signed = sign_payload(payload, private_key);
    serde_json::json!({"data": signed.data, "signature": signed.signature}).to_string()
}

fn sign_payload(payload: &serde_json::Value, private_key: &Secret<String>) -> signature::SignedPayload {
    signature::sign_json(private_key, payload.to_string().as_bytes())
}

fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        form.append_pair(name, value);
    }
    form.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret<String> {
        Secret::from("test-private-key")
    }

    const V4_BODY: &str = "data=eyJvcmRlcl9pZCI6Im9yZGVyLTAwMDEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiOEU1RTJDMUEiLCJiYW5rX3Jlc3BvbnNlIjoiQVBQUk9WRUQgMDAwIiwib3BlcmF0aW9uX2NvZGUiOiIxMDAiLCJycm4iOiI0MTIzNDU2Nzg5MDEiLCJjYXJkX25hbWUiOiJURVNUIFVTRVIiLCJjYXJkX21hc2siOiI0MTY5NzMqKioqKioxMjM0IiwiYW1vdW50IjoxMC41LCJvdGhlcl9hdHRyIjpudWxsfQ%3D%3D&signature=%2BcgA6icUFZW%2Fxp5uKT5Zl6FPQ6k%3D";

    #[test]
    fn vector_v4_decodes_every_field() {
        let cb = verify_and_decode(V4_BODY.as_bytes(), &key()).unwrap();
        assert_eq!(cb.status, Status::Success);
        assert_eq!(cb.message.as_deref(), Some("Approved"));
        assert_eq!(cb.code.as_deref(), Some("000"));
        assert_eq!(cb.transaction.as_deref(), Some("te000000001"));
        assert_eq!(cb.bank_transaction.as_deref(), Some("8E5E2C1A"));
        assert_eq!(cb.bank_response.as_deref(), Some("APPROVED 000"));
        assert_eq!(cb.operation_code, Some(OperationCode::Payment));
        assert_eq!(cb.rrn.as_deref(), Some("412345678901"));
        assert_eq!(cb.card_mask.as_deref(), Some("416973******1234"));
        assert_eq!(cb.card_name.as_deref(), Some("TEST USER"));
        assert_eq!(cb.amount, Some(Decimal::new(105, 1)));
        assert_eq!(cb.order_id.as_deref(), Some("order-0001"));
        assert_eq!(cb.card_id, None);
        assert_eq!(cb.split_amount, None);
        assert_eq!(cb.other_attr, None);
        cb.check_expected("order-0001", Money::from_minor(1050, Currency::AZN))
            .unwrap();
    }

    #[test]
    fn unencoded_plus_is_restored() {
        // integrify rejects this body; base64 has no spaces, so we can recover the `+`.
        let raw = V4_BODY.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
        assert!(raw.contains("signature=+cgA"));
        assert!(verify_and_decode(raw.as_bytes(), &key()).is_ok());
    }

    #[test]
    fn json_envelope_is_accepted() {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(V4_BODY.as_bytes()).into_owned().collect();
        let body = serde_json::json!({"data": pairs[0].1, "signature": pairs[1].1}).to_string();
        let cb = verify_and_decode(format!("  {body}").as_bytes(), &key()).unwrap();
        assert_eq!(cb.order_id.as_deref(), Some("order-0001"));
    }
}
