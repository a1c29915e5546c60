//! The authorization callback: verify the signature, keep apart what it
//! proves and what it only claims.
//!
//! The gateway POSTs the result of an authorization to BACKREF, often
//! through the customer's browser. Its P_SIGN, verified with **AzeriCard's
//! gateway public key**, covers only [`CALLBACK_SIGNED_FIELDS`]: AMOUNT,
//! TERMINAL, APPROVAL, RRN and INT_REF. ACTION, RC, ORDER, CURRENCY, TRTYPE,
//! TIMESTAMP, NONCE, TOKEN, CARD and EXT_NET_REF are not signed: anyone who
//! holds a genuine *declined* callback can rewrite ACTION to 0, RC to 00 and
//! ORDER and CURRENCY to anything, and the signature still verifies.
//!
//! So [`AuthorizationCallback`] exposes the signed fields as facts and the
//! rest as [`ClaimedFields`], and has no "approved" accessor. An approval
//! comes only from confirmation: a status query (TRTYPE 90) that must agree
//! with the callback on ORDER, AMOUNT, CURRENCY, RRN, INT_REF and the
//! outcome ([`crate::AzericardClient::confirm_authorization_callback`], or
//! `PaymentProvider::confirm_callback`).
//!
//! Replay protection is keyed on signed material (TERMINAL, INT_REF, RRN)
//! and applied when the callback is confirmed: only callbacks whose
//! signature verified ever reach the store, so an attacker cannot fill it.

use std::fmt;

use payments_core::callback::{form_field, parse_form};
use payments_core::{Currency, Decimal, Error, Money, PaymentRef, Result, Secret, StatusReport};
use time::OffsetDateTime;

use crate::config::AzericardConfig;
use crate::error::{Action, AuthorizationOutcome, TrType};
use crate::signature::{CALLBACK_SIGNED_FIELDS, mac_source, verify_mac_any};
use crate::validate;

pub use crate::transfer_callback::{TransferCallback, verify_transfer_callback};

/// `PaymentRef::extra` / `StatusReport::extra` key: the RRN of the authorization.
pub const EXTRA_RRN: &str = "RRN";
/// `PaymentRef::extra` / `StatusReport::extra` key: the gateway's INT_REF.
pub const EXTRA_INT_REF: &str = "INT_REF";
/// `PaymentRef::extra` / `StatusReport::extra` key: the original TRTYPE (0 or 1).
pub const EXTRA_TRTYPE: &str = "TRTYPE";
/// `PaymentRef::extra` / `StatusReport::extra` key: the issuer's APPROVAL code.
pub const EXTRA_APPROVAL: &str = "APPROVAL";

/// The fields of a callback that the gateway's P_SIGN covers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedFields {
    /// AMOUNT, as signed (its currency is NOT signed).
    pub amount: Decimal,
    /// AMOUNT's exact text, as signed.
    pub amount_text: String,
    /// TERMINAL (checked against the configuration).
    pub terminal: String,
    /// APPROVAL (field 38); `None` when empty. Empty never confirms as approved.
    pub approval: Option<String>,
    /// RRN (field 37); `None` when empty. Empty never confirms as approved.
    pub rrn: Option<String>,
    /// INT_REF, the gateway's reference; `None` when empty.
    pub int_ref: Option<String>,
}

/// The fields of a callback that no signature covers: what the body
/// *claims*. None of them is proof of anything until a status query
/// confirms it.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClaimedFields {
    /// ORDER.
    pub order: String,
    /// TRTYPE.
    pub trtype: TrType,
    /// CURRENCY (a callback edited from AZN to USD still verifies).
    pub currency: Currency,
    /// TIMESTAMP (gateway time, UTC).
    pub timestamp: OffsetDateTime,
    /// NONCE.
    pub nonce: String,
    /// ACTION.
    pub action: Action,
    /// RC, as received.
    pub rc: String,
    /// ACTION and RC classified: what the body claims happened.
    pub outcome: AuthorizationOutcome,
    /// CARD: masked PAN (card registration flows).
    pub masked_card: Option<String>,
    /// TOKEN: the saved card (card registration flows). A credential, in a [`Secret`].
    pub token: Option<Secret<String>>,
    /// EXT_NET_REF: the network reference of a MIT/recurring registration \[U\].
    pub ext_net_ref: Option<String>,
}

impl fmt::Debug for ClaimedFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimedFields")
            .field("order", &self.order)
            .field("trtype", &self.trtype)
            .field("currency", &self.currency)
            .field("timestamp", &self.timestamp)
            .field("action", &self.action)
            .field("rc", &self.rc)
            .field("outcome", &self.outcome)
            .field("masked_card", &self.masked_card)
            .field("token", &self.token)
            .field("ext_net_ref", &self.ext_net_ref)
            .finish_non_exhaustive()
    }
}

/// An authorization callback whose P_SIGN verified.
///
/// [`AuthorizationCallback::signed`] is what the gateway's signature proves;
/// [`AuthorizationCallback::claimed`] is everything else. There is no
/// `is_approved()`: confirm the callback to learn the outcome.
#[derive(Debug, Clone)]
pub struct AuthorizationCallback {
    signed: SignedFields,
    claimed: ClaimedFields,
}

impl AuthorizationCallback {
    /// The fields the signature covers.
    pub fn signed(&self) -> &SignedFields {
        &self.signed
    }

    /// The unsigned fields, as the body claims them.
    pub fn claimed(&self) -> &ClaimedFields {
        &self.claimed
    }

    /// The replay and deduplication key: provider, TERMINAL, INT_REF and RRN,
    /// all signed (`-` for an empty one).
    pub fn dedupe_key(&self) -> String {
        dedupe_key(&self.signed)
    }

    /// What a status query, a refund, a cancellation or a capture of this
    /// payment needs: ORDER (claimed; confirmation checks it), AMOUNT in the
    /// claimed CURRENCY, and RRN, INT_REF, APPROVAL and TRTYPE in `extra`.
    pub fn payment_ref(&self) -> PaymentRef {
        self.claimed_report().payment_ref()
    }

    /// The report the body claims (status from the unsigned ACTION/RC), with
    /// the signed identifiers in `extra`. Proves nothing about the outcome.
    pub fn claimed_report(&self) -> StatusReport {
        let amount = Money::from_decimal(self.signed.amount, self.claimed.currency).ok();
        let mut report = StatusReport::new(self.claimed.outcome.status(&self.claimed.trtype))
            .with_order(Some(self.claimed.order.clone()))
            .with_transaction(self.signed.int_ref.clone())
            .with_amount(amount)
            .with_code(
                Some(self.claimed.action.code().to_owned()),
                Some(self.claimed.rc.clone()),
            )
            .with_extra(EXTRA_TRTYPE, self.claimed.trtype.code());
        for (key, value) in [
            (EXTRA_RRN, &self.signed.rrn),
            (EXTRA_INT_REF, &self.signed.int_ref),
            (EXTRA_APPROVAL, &self.signed.approval),
        ] {
            if let Some(v) = value {
                report = report.with_extra(key, v.clone());
            }
        }
        report
    }

    /// The provider-neutral event: always **unconfirmed**, since the outcome
    /// is not signed.
    pub fn into_event(self) -> payments_core::CallbackEvent {
        payments_core::CallbackEvent::unconfirmed(crate::PROVIDER, self.claimed_report(), self.dedupe_key())
    }
}

pub(crate) fn dedupe_key(signed: &SignedFields) -> String {
    format!(
        "{}:{}:{}:{}",
        crate::PROVIDER,
        signed.terminal,
        signed.int_ref.as_deref().unwrap_or("-"),
        signed.rrn.as_deref().unwrap_or("-")
    )
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
/// the configured gateway key(s) ([`Error::SignatureInvalid`]); required
/// fields and their formats, TERMINAL equal to ours
/// ([`Error::MalformedCallback`]); TIMESTAMP within
/// [`AzericardConfig::callback_max_age`] of now ([`Error::ReplayedCallback`]).
/// The replay store is consulted when the callback is confirmed
/// ([`crate::AzericardClient::confirm_authorization_callback`]), on its
/// signed TERMINAL, INT_REF and RRN.
pub fn verify_authorization_callback(config: &AzericardConfig, body: &[u8]) -> Result<AuthorizationCallback> {
    let callback = verify_authorization_callback_signature(config, body)?;
    check_freshness(config, &callback)?;
    Ok(callback)
}

/// Verifies and decodes an authorization callback without the replay checks
/// (for re-reading a stored callback). Prefer [`verify_authorization_callback`].
pub fn verify_authorization_callback_signature(config: &AzericardConfig, body: &[u8]) -> Result<AuthorizationCallback> {
    let keys = config.require_gateway_keys()?;
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
    verify_mac_any(keys, &source, p_sign)?;
    decode_authorization(config, &pairs)
}

/// AMOUNT as the gateway writes it: digits, optionally `.` and digits.
fn parse_amount(text: &str) -> Result<Decimal> {
    let well_formed = {
        let (int, frac) = text.split_once('.').unwrap_or((text, "0"));
        !int.is_empty()
            && !frac.is_empty()
            && int.len() <= 12
            && frac.len() <= 4
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
    };
    if !well_formed {
        return Err(Error::malformed_callback("AMOUNT is not a valid amount: not a decimal"));
    }
    text.parse::<Decimal>()
        .map_err(|_| Error::malformed_callback("AMOUNT is not a valid amount: not a decimal"))
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
    let currency: Currency = required(pairs, "CURRENCY")?
        .parse()
        .map_err(|_| Error::malformed_callback("CURRENCY is not a known currency code"))?;
    let amount_text = required(pairs, "AMOUNT")?;
    let amount = parse_amount(amount_text)?;
    // An amount with more digits than its currency has is malformed (and
    // would have no Money to confirm against).
    Money::from_decimal(amount, currency)
        .map_err(|e| Error::malformed_callback(format!("AMOUNT is not a valid amount in {currency}: {e}")))?;
    let action = Action::from_code(required(pairs, "ACTION")?);
    let rc = required(pairs, "RC")?;
    if rc.len() > 8 {
        return Err(Error::malformed_callback("RC is longer than 8 characters"));
    }
    let outcome = AuthorizationOutcome::from_codes(&action, rc);
    Ok(AuthorizationCallback {
        signed: SignedFields {
            amount,
            amount_text: amount_text.to_owned(),
            terminal: terminal.to_owned(),
            approval: non_empty(form_field(pairs, "APPROVAL")?),
            rrn: non_empty(form_field(pairs, "RRN")?),
            int_ref: non_empty(form_field(pairs, "INT_REF")?),
        },
        claimed: ClaimedFields {
            order: order.to_owned(),
            trtype,
            currency,
            timestamp,
            nonce: nonce.to_owned(),
            action,
            rc: rc.to_owned(),
            outcome,
            masked_card: non_empty(form_field(pairs, "CARD")?),
            token: non_empty(form_field(pairs, "TOKEN")?).map(Secret::new),
            ext_net_ref: non_empty(form_field(pairs, "EXT_NET_REF")?),
        },
    })
}

fn check_freshness(config: &AzericardConfig, callback: &AuthorizationCallback) -> Result<()> {
    // TIMESTAMP is unsigned: the window only sheds stale resends of genuine
    // bodies. Replays are caught at confirmation, on the signed identity.
    crate::replay::check_window(config, callback.claimed.timestamp, config.callback_max_age, "TIMESTAMP")
}
