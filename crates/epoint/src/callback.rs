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
//! callback.ensure_matches("order-1", Money::parse_major("10.50", Currency::AZN)?)?;
//! # Ok::<(), payments_core::Error>(())
//! ```

use std::borrow::Cow;

use payments_core::callback::MAX_CALLBACK_BYTES;
use payments_core::{CallbackEvent, Currency, Error, Money, PaymentStatus, Result, Secret, StatusReport};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::{PROVIDER, operation_status};
use crate::refs;
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

    /// Checks only that the callback is about `order_id` and exactly
    /// `amount`; says nothing about the outcome (check `status` too, or use
    /// the trait's `ConfirmedEvent::ensure_paid`). A mismatch is an
    /// [`Error::Mismatch`] naming `order_id` or `amount`.
    pub fn ensure_matches(&self, order_id: &str, amount: Money) -> Result<()> {
        // An amount with more digits than the currency has is never "equal".
        let got = self
            .amount_in(amount.currency())
            .map_err(|e| Error::mismatch("amount", e.to_string()))?;
        payments_core::callback::ensure_matches(self.order_id.as_deref(), got, order_id, amount)
    }

    /// The currency named under [`OTHER_ATTR_CURRENCY`] in the signed
    /// `other_attr` echo, when the payment was created with one (the trait's
    /// `create_payment` always adds it; add it to your own requests with
    /// `.other_attr("currency", "AZN")`). EPoint's callback has no currency
    /// field of its own.
    pub fn signed_currency(&self) -> Option<Currency> {
        self.other_attr
            .as_ref()?
            .get(OTHER_ATTR_CURRENCY)?
            .as_str()
            .and_then(Currency::from_alpha)
    }

    /// The provider-neutral report of this callback, its amount read in
    /// `currency` (the payment's: EPoint's callback carries none). Carries the
    /// transaction, order and amount a refund or capture needs.
    pub fn to_report(&self, currency: Currency) -> Result<StatusReport> {
        let report = StatusReport::new(self.outcome())
            .with_order(self.order_id.clone())
            .with_transaction(self.transaction.clone())
            .with_amount(self.amount_in(currency)?)
            .with_code(self.code.clone(), self.message.clone());
        Ok(self.with_extras(report))
    }

    /// True when the payment was created as a hold: the signed `other_attr`
    /// echo carries `"authorize_only": true` (the trait's `create_payment`
    /// with `authorize_only` adds it; EPoint's callback has no field that
    /// tells a hold from a sale).
    pub fn is_hold(&self) -> bool {
        self.other_attr
            .as_ref()
            .and_then(|a| a.get(OTHER_ATTR_AUTHORIZE_ONLY))
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    }

    /// The key to deduplicate deliveries of this callback on: the provider,
    /// then the signed transaction (or, for a card registration, the card),
    /// order and outcome. EPoint may deliver the same callback more than once.
    pub fn dedupe_key(&self) -> String {
        format!(
            "{PROVIDER}:{}:{}:{}",
            self.transaction.as_deref().or(self.card_id.as_deref()).unwrap_or("-"),
            self.order_id.as_deref().unwrap_or("-"),
            self.status.as_str()
        )
    }

    /// The provider-neutral event: [`CallbackEvent::signed`], because
    /// EPoint signs the whole `data` (order, amount and outcome). Its amount
    /// is read in the currency the signed `other_attr` names
    /// ([`Callback::signed_currency`]); without one the report carries no
    /// amount (the raw text is kept under [`refs::EXTRA_UNPRICED_AMOUNT`]),
    /// so `ConfirmedEvent::ensure_paid` refuses it instead of guessing a
    /// currency: call [`Callback::to_report`] with the order's currency.
    pub fn to_event(&self) -> Result<CallbackEvent> {
        let report = match self.signed_currency() {
            Some(currency) => self.to_report(currency)?,
            None => {
                let report = StatusReport::new(self.outcome())
                    .with_order(self.order_id.clone())
                    .with_transaction(self.transaction.clone())
                    .with_code(self.code.clone(), self.message.clone());
                let report = match self.amount {
                    Some(raw) => report.with_extra(refs::EXTRA_UNPRICED_AMOUNT, raw.to_string()),
                    None => report,
                };
                self.with_extras(report)
            }
        };
        Ok(CallbackEvent::signed(PROVIDER, report, self.dedupe_key()))
    }

    /// `success` of a hold is `Authorized` (funds held, not captured).
    fn outcome(&self) -> PaymentStatus {
        match operation_status(&self.status) {
            PaymentStatus::Succeeded if self.is_hold() => PaymentStatus::Authorized,
            other => other,
        }
    }

    fn with_extras(&self, mut report: StatusReport) -> StatusReport {
        for (key, value) in [
            (refs::EXTRA_CARD_ID, &self.card_id),
            (refs::EXTRA_RRN, &self.rrn),
            (refs::EXTRA_TRACE_ID, &self.trace_id),
        ] {
            if let Some(value) = value {
                report = report.with_extra(key, value.clone());
            }
        }
        report
    }
}

/// The `other_attr` key marking a hold: `"authorize_only"`.
pub const OTHER_ATTR_AUTHORIZE_ONLY: &str = "authorize_only";

/// The `other_attr` key under which the payment's currency travels (and is
/// echoed, signed, in the callback): `"currency"`.
pub const OTHER_ATTR_CURRENCY: &str = "currency";

/// Why a callback was refused. Three kinds a handler can tell apart:
///
/// - [`CallbackError::MalformedEnvelope`]: the body is not the envelope
///   EPoint sends (over [`MAX_CALLBACK_BYTES`], not a form or a JSON object,
///   `data` or `signature` missing, repeated, or empty). Nothing was verified.
/// - [`CallbackError::SignatureMismatch`]: both fields are there but the
///   signature is not over `data` with this key (a forgery, another
///   merchant's key, or a body altered on the way).
/// - [`CallbackError::UndecodableData`]: the signature verified, so EPoint
///   (or whoever holds the key) signed it, but `data` is not base64, not
///   UTF-8, not a JSON object, or a field has a type EPoint never sends.
///   Worth an alert: it is not noise from the internet.
///
/// Converted into [`payments_core::Error`]: the first and last become
/// [`Error::MalformedCallback`] whose reason starts with `malformed envelope:`
/// or `signed data does not decode:`, the second [`Error::SignatureInvalid`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The body is not a well-formed `data` + `signature` envelope.
    #[error("malformed envelope: {0}")]
    MalformedEnvelope(String),
    /// The signature does not match `data`.
    #[error("EPoint callback signature does not match its data")]
    SignatureMismatch,
    /// The signature matched, but `data` does not decode.
    #[error("signed data does not decode: {0}")]
    UndecodableData(String),
}

impl From<CallbackError> for Error {
    fn from(err: CallbackError) -> Error {
        match err {
            CallbackError::SignatureMismatch => Error::signature_invalid(err.to_string()),
            other => Error::malformed_callback(other.to_string()),
        }
    }
}

fn envelope_error(reason: impl Into<String>) -> CallbackError {
    CallbackError::MalformedEnvelope(reason.into())
}

#[derive(Deserialize)]
struct JsonEnvelope<'a> {
    #[serde(borrow)]
    data: Cow<'a, str>,
    #[serde(borrow)]
    signature: Cow<'a, str>,
}

/// The two fields as received, and whether they came as a form (where a
/// `+` that was not percent-encoded arrives as a space).
struct Envelope<'a> {
    data: Cow<'a, str>,
    signature: Cow<'a, str>,
    form: bool,
}

/// Takes `data` and `signature` out of a form or JSON body, without decoding `data`.
fn envelope(body: &[u8]) -> Result<Envelope<'_>, CallbackError> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(envelope_error(format!(
            "body exceeds the {MAX_CALLBACK_BYTES}-byte limit"
        )));
    }
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let env = if body.get(start) == Some(&b'{') {
        let env: JsonEnvelope<'_> = serde_json::from_slice(body)
            .map_err(|e| envelope_error(format!("JSON body without data and signature strings: {e}")))?;
        Envelope {
            data: env.data,
            signature: env.signature,
            form: false,
        }
    } else {
        if std::str::from_utf8(body).is_err() {
            return Err(envelope_error("form body is not UTF-8"));
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
                return Err(envelope_error(format!("field {name} appears more than once")));
            }
        }
        Envelope {
            data: data.ok_or_else(|| envelope_error("field data is missing"))?,
            signature: signature.ok_or_else(|| envelope_error("field signature is missing"))?,
            form: true,
        }
    };
    if env.data.is_empty() {
        return Err(envelope_error("field data is empty"));
    }
    if env.signature.is_empty() {
        return Err(envelope_error("field signature is empty"));
    }
    Ok(env)
}

/// A naive form encoder leaves `+` as is and a decoder then reads a space;
/// base64 has no spaces, so a space can only be such a `+`.
fn restore_plus(value: &str) -> Cow<'_, str> {
    if value.contains(' ') {
        Cow::Owned(value.replace(' ', "+"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Checks the signature over the exact `data` text received; only when that
/// fails, and only for a form body with a space in it, tries again with the
/// spaces read back as `+`. Returns the `data` text that verified.
fn verified_data<'a>(env: &'a Envelope<'a>, private_key: &Secret<String>) -> Result<Cow<'a, str>, CallbackError> {
    if signature::verify(private_key, &env.data, &env.signature) {
        return Ok(Cow::Borrowed(env.data.as_ref()));
    }
    if env.form && (env.data.contains(' ') || env.signature.contains(' ')) {
        let data = restore_plus(&env.data);
        if signature::verify(private_key, &data, &restore_plus(&env.signature)) {
            return Ok(data);
        }
    }
    Err(CallbackError::SignatureMismatch)
}

/// The verified `data`, base64-decoded, checked to be UTF-8 (once: the
/// decoder then reads it as `&str` and does not check again) and a JSON object.
fn verified_json(body: &[u8], private_key: &Secret<String>) -> Result<String, CallbackError> {
    let env = envelope(body)?;
    let data = verified_data(&env, private_key)?;
    let json = signature::base64_decode(data.as_bytes())
        .ok_or_else(|| CallbackError::UndecodableData("data is not base64".into()))?;
    let json = String::from_utf8(json).map_err(|_| CallbackError::UndecodableData("data is not UTF-8".into()))?;
    if !crate::wire::is_object(json.as_bytes()) {
        return Err(CallbackError::UndecodableData("data is not a JSON object".into()));
    }
    Ok(json)
}

/// Verifies a callback body and returns the verified `data`, base64-decoded,
/// checked to be UTF-8 and a JSON object, not interpreted further.
pub fn try_verify(body: &[u8], private_key: &Secret<String>) -> Result<Vec<u8>, CallbackError> {
    verified_json(body, private_key).map(String::into_bytes)
}

/// Like [`try_verify`], with the error as a [`payments_core::Error`].
pub fn verify(body: &[u8], private_key: &Secret<String>) -> Result<Vec<u8>> {
    try_verify(body, private_key).map_err(Error::from)
}

/// Verifies a callback body (form or JSON), then decodes it, telling the
/// three kinds of failure apart ([`CallbackError`]). Nothing is decoded
/// before the signature is checked.
pub fn try_verify_and_decode(body: &[u8], private_key: &Secret<String>) -> Result<Callback, CallbackError> {
    let json = verified_json(body, private_key)?;
    // Typed straight from the text: no generic value in between, and
    // `from_str` skips the UTF-8 check `from_slice` would repeat per string.
    serde_json::from_str(&json).map_err(|e| CallbackError::UndecodableData(format!("not an EPoint callback: {e}")))
}

/// Verifies a callback body (form or JSON), then decodes it.
///
/// Errors: [`Error::SignatureInvalid`] for a signature that does not match;
/// [`Error::MalformedCallback`] for a malformed envelope (reason
/// `malformed envelope: ...`) or signed data that does not decode (reason
/// `signed data does not decode: ...`). Use [`try_verify_and_decode`] to
/// match on the kind.
pub fn verify_and_decode(body: &[u8], private_key: &Secret<String>) -> Result<Callback> {
    try_verify_and_decode(body, private_key).map_err(Error::from)
}

/// Signs a callback payload the way EPoint does and returns the form body
/// (`data=...&signature=...`, percent-encoded). For tests of callback handlers.
/// The JSON text is `payload` serialized compactly; use
/// [`sign_callback_text`] to choose the exact bytes.
pub fn sign_callback(payload: &serde_json::Value, private_key: &Secret<String>) -> String {
    sign_callback_text(&payload.to_string(), private_key)
}

/// Like [`sign_callback`], as the JSON body `{"data": "...", "signature": "..."}`.
pub fn sign_callback_json(payload: &serde_json::Value, private_key: &Secret<String>) -> String {
    sign_callback_json_text(&payload.to_string(), private_key)
}

/// Signs exactly `json_text` (base64 of its UTF-8 bytes, nothing
/// reformatted) and returns the form body. Reproduces EPoint's bytes for a
/// given JSON text, e.g. the spec's vector V4 from V3's JSON.
///
/// ```
/// use epoint::callback::sign_callback_text;
/// use payments_core::Secret;
///
/// let body = sign_callback_text(r#"{"status":"success"}"#, &Secret::from("k"));
/// assert!(body.starts_with("data=eyJzdGF0dXMiOiJzdWNjZXNzIn0%3D&signature="));
/// ```
pub fn sign_callback_text(json_text: &str, private_key: &Secret<String>) -> String {
    let signed = signature::sign_json(private_key, json_text.as_bytes());
    crate::operations::form_body(&signed.data, &signed.signature)
}

/// Like [`sign_callback_text`], as the JSON body `{"data": "...", "signature": "..."}`.
pub fn sign_callback_json_text(json_text: &str, private_key: &Secret<String>) -> String {
    let signed = signature::sign_json(private_key, json_text.as_bytes());
    serde_json::json!({"data": signed.data, "signature": signed.signature}).to_string()
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
        cb.ensure_matches("order-0001", Money::from_minor(1050, Currency::AZN))
            .unwrap();
    }

    const V3_JSON: &str = r#"{"order_id":"order-0001","status":"success","code":"000","message":"Approved","transaction":"te000000001","bank_transaction":"8E5E2C1A","bank_response":"APPROVED 000","operation_code":"100","rrn":"412345678901","card_name":"TEST USER","card_mask":"416973******1234","amount":10.5,"other_attr":null}"#;

    #[test]
    fn sign_callback_text_reproduces_vector_v4() {
        assert_eq!(sign_callback_text(V3_JSON, &key()), V4_BODY);
    }

    #[test]
    fn the_three_failure_kinds_are_told_apart() {
        let k = key();
        for body in [
            "signature=abc".to_owned(),
            "data=abc".to_owned(),
            "data=&signature=x".to_owned(),
            "data=a&data=b&signature=x".to_owned(),
            "{\"data\": 1}".to_owned(),
            "x".repeat(MAX_CALLBACK_BYTES + 1),
        ] {
            assert!(
                matches!(
                    try_verify_and_decode(body.as_bytes(), &k),
                    Err(CallbackError::MalformedEnvelope(_))
                ),
                "{body:.40}"
            );
        }
        let forged = sign_callback_text(V3_JSON, &Secret::from("other-key"));
        assert_eq!(
            try_verify_and_decode(forged.as_bytes(), &k),
            Err(CallbackError::SignatureMismatch)
        );
        // Signed with the right key, but the data is not what EPoint sends.
        let signed = |data: &str| {
            let sig = signature::sign(&k, data);
            crate::operations::form_body(data, &sig)
        };
        let not_utf8 = payments_core::crypto::base64_encode(&[0x7b, 0xff, 0x7d]);
        for (body, why) in [
            (signed("***"), "not base64"),
            (signed(&not_utf8), "not UTF-8"),
            (sign_callback_text("[1]", &k), "not a JSON object"),
            (
                sign_callback_text(r#"{"status":"success","amount":"ten"}"#, &k),
                "not an EPoint callback",
            ),
        ] {
            match try_verify_and_decode(body.as_bytes(), &k) {
                Err(CallbackError::UndecodableData(reason)) => assert!(reason.contains(why), "{reason}"),
                other => panic!("{why}: {other:?}"),
            }
        }
        let core: Error = CallbackError::UndecodableData("data is not base64".into()).into();
        assert!(
            matches!(&core, Error::MalformedCallback { reason } if reason.starts_with("signed data does not decode"))
        );
        let core: Error = CallbackError::MalformedEnvelope("field data is missing".into()).into();
        assert!(matches!(&core, Error::MalformedCallback { reason } if reason.starts_with("malformed envelope")));
    }

    #[test]
    fn exact_text_is_verified_first() {
        // A body whose data legitimately verifies as sent is never rewritten;
        // the `+` restoration is tried only after the exact text failed.
        let k = key();
        let env = Envelope {
            data: Cow::Borrowed("a b"),
            signature: Cow::Owned(signature::sign(&k, "a b")),
            form: true,
        };
        assert_eq!(verified_data(&env, &k).unwrap(), "a b");
        let env = Envelope {
            data: Cow::Borrowed("a b"),
            signature: Cow::Owned(signature::sign(&k, "a+b")),
            form: true,
        };
        assert_eq!(verified_data(&env, &k).unwrap(), "a+b");
        let json = Envelope {
            data: Cow::Borrowed("a b"),
            signature: Cow::Owned(signature::sign(&k, "a+b")),
            form: false,
        };
        assert_eq!(verified_data(&json, &k), Err(CallbackError::SignatureMismatch));
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
