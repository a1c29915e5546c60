//! Server-to-server charges of a stored card, the cardholder absent:
//! unscheduled merchant-initiated (§7.2, TRTYPE 1, `MERCH_TRAN_STATE=M`)
//! and scheduled recurring (§7.4, TRTYPE 3).
//!
//! From srustamov/laravel-azericard 4.x only \[U\]. Form-urlencoded POST to
//! the token `cgi_link`; signed like an authorization (AMOUNT, CURRENCY,
//! TERMINAL, TRTYPE, TIMESTAMP, NONCE, MERCH_URL; vectors A5, A6); TOKEN,
//! EXT_NET_REF, MERCH_TRAN_STATE and MERCH_RN_ID are not signed. The answer
//! is the bare code of a completion ([`parse_follow_up`](super::completion::parse_follow_up)).
//! Not idempotent: sent once; after a timeout, ask the status (TRTYPE 90).

use std::fmt;

use payments_core::{Error, HttpRequest, Money, Result, Secret};
use time::OffsetDateTime;

use crate::config::AzericardConfig;
use crate::operations::authorization::rn_id;
use crate::signature::{AUTHORIZATION_FIELDS, mac_source_of_pairs, sign_mac};
use crate::validate;

/// Which stored-card charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredChargeKind {
    /// §7.2: an unscheduled merchant-initiated charge (TRTYPE 1,
    /// `MERCH_TRAN_STATE=M`, `MERCH_RN_ID`), after a §7.1 registration.
    Unscheduled,
    /// §7.4: a scheduled recurring charge (TRTYPE 3), after a §7.3 registration.
    Recurring,
}

/// A server-to-server charge of a stored card. `Debug` redacts the TOKEN.
#[derive(Clone)]
#[non_exhaustive]
pub struct StoredCardCharge {
    /// Unscheduled MIT or scheduled recurring.
    pub kind: StoredChargeKind,
    /// ORDER: 6 to 32 digits, a new one per charge.
    pub order: String,
    /// AMOUNT and CURRENCY.
    pub amount: Money,
    /// TOKEN: the saved card from the registration callback (28 characters).
    pub token: Secret<String>,
    /// EXT_NET_REF from the registration callback.
    pub ext_net_ref: String,
    /// MERCH_RN_ID (unscheduled only); 8 fresh random bytes as hex when `None`.
    pub merchant_rn_id: Option<String>,
    /// TIMESTAMP; the configured clock's time when `None`.
    pub timestamp: Option<OffsetDateTime>,
    /// NONCE; fresh random bytes when `None`.
    pub nonce: Option<String>,
}

impl fmt::Debug for StoredCardCharge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCardCharge")
            .field("kind", &self.kind)
            .field("order", &self.order)
            .field("amount", &self.amount)
            .field("token", &self.token)
            .field("ext_net_ref", &self.ext_net_ref)
            .finish_non_exhaustive()
    }
}

impl StoredCardCharge {
    /// §7.2: an unscheduled merchant-initiated charge.
    pub fn unscheduled(
        order: impl Into<String>,
        amount: Money,
        token: impl Into<Secret<String>>,
        ext_net_ref: impl Into<String>,
    ) -> Self {
        StoredCardCharge {
            kind: StoredChargeKind::Unscheduled,
            order: order.into(),
            amount,
            token: token.into(),
            ext_net_ref: ext_net_ref.into(),
            merchant_rn_id: None,
            timestamp: None,
            nonce: None,
        }
    }

    /// §7.4: a scheduled recurring charge.
    pub fn recurring(
        order: impl Into<String>,
        amount: Money,
        token: impl Into<Secret<String>>,
        ext_net_ref: impl Into<String>,
    ) -> Self {
        StoredCardCharge {
            kind: StoredChargeKind::Recurring,
            ..StoredCardCharge::unscheduled(order, amount, token, ext_net_ref)
        }
    }

    /// Fixes MERCH_RN_ID (unscheduled charges).
    pub fn merchant_rn_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_rn_id = Some(id.into());
        self
    }

    /// Fixes TIMESTAMP (tests).
    pub fn timestamp(mut self, at: OffsetDateTime) -> Self {
        self.timestamp = Some(at);
        self
    }

    /// Fixes NONCE (tests).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// Builds the signed form POST of a stored-card charge (fields in
/// srustamov's order, P_SIGN last).
pub fn build_stored_charge(config: &AzericardConfig, request: &StoredCardCharge) -> Result<HttpRequest> {
    let key = config.require_merchant_key()?;
    let merchant_url = config
        .merchant_url
        .as_deref()
        .ok_or_else(|| Error::config("missing for a stored-card charge: merchant_url (AZERICARD_MERCHANT_URL)"))?;
    validate::order(&request.order)?;
    let amount = validate::amount(request.amount)?;
    let token = request.token.expose_secret();
    if token.len() != 28 || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_input("token", "must be 28 printable ASCII characters"));
    }
    validate::signed_ascii("ext_net_ref", &request.ext_net_ref, 1, 64)?;
    let (timestamp, nonce) = validate::stamp(&config.clock, request.timestamp, request.nonce.as_deref())?;
    let trtype = match request.kind {
        StoredChargeKind::Unscheduled => "1",
        StoredChargeKind::Recurring => "3",
    };
    let mut fields: Vec<(&str, String)> = vec![
        ("AMOUNT", amount),
        ("CURRENCY", config.currency_format.format(request.amount.currency())),
        ("ORDER", request.order.clone()),
        ("TERMINAL", config.terminal.clone()),
        ("TRTYPE", trtype.to_owned()),
        ("MERCH_URL", merchant_url.to_owned()),
        ("TIMESTAMP", timestamp),
        ("NONCE", nonce),
    ];
    match request.kind {
        StoredChargeKind::Unscheduled => {
            fields.push(("MERCH_TRAN_STATE", "M".to_owned()));
            fields.push(("EXT_NET_REF", request.ext_net_ref.clone()));
            fields.push(("MERCH_RN_ID", rn_id(request.merchant_rn_id.as_deref())?));
        }
        StoredChargeKind::Recurring => {
            fields.push(("EXT_NET_REF", request.ext_net_ref.clone()));
        }
    }
    fields.push(("TOKEN", token.clone()));
    let p_sign = sign_mac(key, &mac_source_of_pairs(AUTHORIZATION_FIELDS, &fields))?;
    fields.push(("P_SIGN", p_sign));
    Ok(HttpRequest::post_form(config.token_cgi_link_url(), &fields))
}
