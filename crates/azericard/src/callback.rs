//! Callbacks: verify first, then decode.
//!
//! - [`verify_authorization_callback`]: the gateway's form POST to BACKREF
//!   after an authorization (and its card-token variant with CARD and TOKEN).
//!   P_SIGN is verified with **AzeriCard's gateway public key** over
//!   [`CALLBACK_SIGNED_FIELDS`]
//!   before any field is trusted; then TIMESTAMP must lie within the
//!   configured window and NONCE must be new (replay protection).
//! - [`verify_transfer_callback`]: the MT's transfer callback, MD5 over the
//!   field values plus the transfer secret, compared in constant time.
//!
//! The callback's P_SIGN does not cover ACTION, RC, ORDER, TRTYPE, TIMESTAMP
//! or NONCE (as far as public sources show): before shipping goods for a
//! callback that travelled through the customer's browser, confirm it with a
//! status query ([`crate::AzericardClient::confirm_callback`]) and check the
//! order and amount ([`AuthorizationCallback::ensure_matches`]).

use std::fmt;

use payments_core::callback::{form_field, parse_form};
use payments_core::{CallbackEvent, Currency, Error, Money, Result, Secret, StatusReport};
use time::OffsetDateTime;

use crate::PROVIDER;
use crate::config::AzericardConfig;
use crate::error::{Action, AuthorizationOutcome, CardStatus, TrType, TransferCode};
use crate::signature::{
    CALLBACK_SIGNED_FIELDS, TRANSFER_CALLBACK_FIELDS, mac_source, verify_mac, verify_transfer_signature,
};
use crate::validate;

/// A verified authorization callback.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthorizationCallback {
    /// ORDER.
    pub order: String,
    /// TERMINAL (checked against the configuration).
    pub terminal: String,
    /// TRTYPE.
    pub trtype: TrType,
    /// TIMESTAMP (gateway time, UTC).
    pub timestamp: OffsetDateTime,
    /// NONCE.
    pub nonce: String,
    /// AMOUNT in CURRENCY (may include the buyer's fee, so it can differ from the request).
    pub amount: Money,
    /// ACTION.
    pub action: Action,
    /// RC (ISO 8583 field 39), as received.
    pub rc: String,
    /// APPROVAL (field 38); `None` when empty.
    pub approval: Option<String>,
    /// RRN (field 37); needed for completion and reversal.
    pub rrn: Option<String>,
    /// INT_REF; needed for completion and reversal.
    pub int_ref: Option<String>,
    /// CARD: masked PAN (token flows).
    pub masked_card: Option<String>,
    /// TOKEN: the saved-card token (token registration). A credential: kept in a [`Secret`].
    pub token: Option<Secret<String>>,
    /// ACTION and RC classified.
    pub outcome: AuthorizationOutcome,
}

impl AuthorizationCallback {
    /// True when the gateway approved (ACTION 0, RC 00).
    pub fn is_approved(&self) -> bool {
        self.outcome == AuthorizationOutcome::Approved
    }

    /// Checks only ORDER and AMOUNT against the merchant's record; says
    /// nothing about the outcome (ORDER, CURRENCY, ACTION and RC are not
    /// covered by P_SIGN: confirm by status query before acting).
    pub fn ensure_matches(&self, order: &str, amount: Money) -> Result<()> {
        payments_core::callback::ensure_matches(Some(&self.order), Some(self.amount), order, amount)
    }

    /// The provider-neutral event (transaction id = INT_REF).
    ///
    /// P_SIGN covers AMOUNT, TERMINAL, APPROVAL, RRN and INT_REF only, so
    /// the event is unconfirmed: ACTION, RC, ORDER and CURRENCY are claims
    /// until a status query confirms them. The dedupe key is built from the
    /// signed INT_REF and RRN.
    pub fn to_event(&self) -> CallbackEvent {
        let mut report = StatusReport::new(self.outcome.status(&self.trtype))
            .with_order(Some(self.order.clone()))
            .with_transaction(self.int_ref.clone())
            .with_amount(Some(self.amount))
            .with_code(Some(self.action.code().to_owned()), Some(self.rc.clone()))
            .with_extra("TRTYPE", self.trtype.code());
        if let Some(rrn) = &self.rrn {
            report = report.with_extra("RRN", rrn.clone());
        }
        if let Some(int_ref) = &self.int_ref {
            report = report.with_extra("INT_REF", int_ref.clone());
        }
        let key = format!(
            "{PROVIDER}:{}:{}",
            self.int_ref.as_deref().unwrap_or("-"),
            self.rrn.as_deref().unwrap_or("-")
        );
        CallbackEvent::unconfirmed(PROVIDER, report, key)
    }
}

impl fmt::Debug for AuthorizationCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCallback")
            .field("order", &self.order)
            .field("terminal", &self.terminal)
            .field("trtype", &self.trtype)
            .field("timestamp", &self.timestamp)
            .field("amount", &self.amount)
            .field("action", &self.action)
            .field("rc", &self.rc)
            .field("approval", &self.approval)
            .field("rrn", &self.rrn)
            .field("int_ref", &self.int_ref)
            .field("masked_card", &self.masked_card)
            .field("token", &self.token)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

fn non_empty(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty()).map(str::to_owned)
}

fn required<'a>(pairs: &'a [(String, String)], name: &'static str) -> Result<&'a str> {
    match form_field(pairs, name)? {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::malformed_callback(format!("{name} is missing"))),
    }
}

/// Verifies and decodes an authorization callback body
/// (`application/x-www-form-urlencoded`), with replay protection.
///
/// Order of checks: size cap and UTF-8; P_SIGN over the signed fields with
/// the gateway key ([`Error::SignatureInvalid`]); required fields and their
/// formats, TERMINAL equal to ours ([`Error::MalformedCallback`]); TIMESTAMP
/// within [`AzericardConfig::callback_max_age`] of now and NONCE not seen
/// before ([`Error::ReplayedCallback`]). Only a callback that passes all of
/// them records its NONCE.
pub fn verify_authorization_callback(config: &AzericardConfig, body: &[u8]) -> Result<AuthorizationCallback> {
    let callback = verify_authorization_callback_signature(config, body)?;
    check_freshness(config, &callback)?;
    Ok(callback)
}

/// Verifies and decodes an authorization callback without the replay checks
/// (for re-reading a stored callback). Prefer [`verify_authorization_callback`].
pub fn verify_authorization_callback_signature(config: &AzericardConfig, body: &[u8]) -> Result<AuthorizationCallback> {
    let key = config.require_gateway_key()?;
    let pairs = parse_form(body)?;
    let p_sign = required(&pairs, "P_SIGN")?;
    // Duplicated signed fields are rejected here, so the verifier and the
    // decoder cannot read different values.
    let mut signed: [Option<&str>; 5] = [None; 5];
    for (slot, name) in signed.iter_mut().zip(CALLBACK_SIGNED_FIELDS) {
        *slot = form_field(&pairs, name)?;
    }
    let source = mac_source(CALLBACK_SIGNED_FIELDS, |name| {
        CALLBACK_SIGNED_FIELDS
            .iter()
            .position(|n| *n == name)
            .and_then(|i| signed.get(i).copied().flatten())
    });
    verify_mac(key, &source, p_sign)?;
    decode_authorization(config, &pairs)
}

fn decode_authorization(config: &AzericardConfig, pairs: &[(String, String)]) -> Result<AuthorizationCallback> {
    let terminal = required(pairs, "TERMINAL")?;
    if terminal != config.terminal {
        return Err(Error::malformed_callback("TERMINAL is not this merchant's terminal"));
    }
    let order = required(pairs, "ORDER")?;
    let trtype = TrType::from_code(required(pairs, "TRTYPE")?);
    let timestamp_text = required(pairs, "TIMESTAMP")?;
    let timestamp = validate::parse_timestamp(timestamp_text)
        .ok_or_else(|| Error::malformed_callback("TIMESTAMP is not YYYYMMDDHHMMSS"))?;
    let nonce = required(pairs, "NONCE")?;
    validate::nonce(nonce).map_err(|_| Error::malformed_callback("NONCE is not 8 to 32 bytes of hex"))?;
    let currency_text = required(pairs, "CURRENCY")?;
    let currency: Currency = currency_text
        .parse()
        .map_err(|_| Error::malformed_callback("CURRENCY is not a known currency code"))?;
    let amount_text = required(pairs, "AMOUNT")?;
    let amount = Money::parse_major(amount_text, currency)
        .map_err(|e| Error::malformed_callback(format!("AMOUNT is not a valid amount: {e}")))?;
    let action = Action::from_code(required(pairs, "ACTION")?);
    let rc = required(pairs, "RC")?;
    if rc.len() > 8 {
        return Err(Error::malformed_callback("RC is longer than 8 characters"));
    }
    let outcome = AuthorizationOutcome::from_codes(&action, rc);
    Ok(AuthorizationCallback {
        order: order.to_owned(),
        terminal: terminal.to_owned(),
        trtype,
        timestamp,
        nonce: nonce.to_owned(),
        amount,
        action,
        rc: rc.to_owned(),
        approval: non_empty(form_field(pairs, "APPROVAL")?),
        rrn: non_empty(form_field(pairs, "RRN")?),
        int_ref: non_empty(form_field(pairs, "INT_REF")?),
        masked_card: non_empty(form_field(pairs, "CARD")?),
        token: non_empty(form_field(pairs, "TOKEN")?).map(Secret::new),
        outcome,
    })
}

fn check_freshness(config: &AzericardConfig, callback: &AuthorizationCallback) -> Result<()> {
    let now = config.clock.now();
    let window = time::Duration::try_from(config.callback_max_age).unwrap_or(time::Duration::MAX);
    let age = now - callback.timestamp;
    if age > window {
        return Err(Error::ReplayedCallback {
            reason: format!(
                "TIMESTAMP is {} s old, over the {} s window",
                age.whole_seconds(),
                window.whole_seconds()
            ),
        });
    }
    if -age > window {
        return Err(Error::ReplayedCallback {
            reason: "TIMESTAMP lies further in the future than the window allows".to_owned(),
        });
    }
    let key = format!("{}:{}", callback.terminal, callback.nonce.to_ascii_lowercase());
    let expires_at = callback
        .timestamp
        .saturating_add(window)
        .max(now.saturating_add(window));
    if !config.nonce_store.insert_if_new(&key, now, expires_at) {
        return Err(Error::ReplayedCallback {
            reason: "NONCE was already used".to_owned(),
        });
    }
    Ok(())
}

/// A verified MT transfer callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferCallback {
    /// `OperationID`: AzeriCard's operation number.
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
    /// `Timestamp`, as received.
    pub timestamp: String,
    /// `Response Code`.
    pub code: TransferCode,
    /// `Message`.
    pub message: String,
}

impl TransferCallback {
    /// Checks only SRN and amount against the merchant's record.
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
        parse_form(body)
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

/// Verifies and decodes an MT transfer callback: the MD5 `Signature` over
/// the exact received values (in [`TRANSFER_CALLBACK_FIELDS`] order, absent
/// as empty) plus the transfer secret is compared in constant time first.
pub fn verify_transfer_callback(config: &AzericardConfig, body: &[u8]) -> Result<TransferCallback> {
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
    for (name, v) in TRANSFER_CALLBACK_FIELDS.iter().zip(values) {
        if v.is_empty() && *name != "Message" {
            return Err(Error::malformed_callback(format!("{name} is missing")));
        }
    }
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
    })
}
