//! Payment: wallet to business (walletapi.sipay.com.tr/en/transaction/payment),
//! and its loyalty variant (/en/loyalty/payment-loyalty).
//!
//! `hash_key`: no source gives its formula. Sipay marks it optional on
//! Payment (mandatory on the loyalty variant); the Katalon request that
//! expects success sends it empty. So it is sent as `""` unless the
//! integrator supplies a value; nothing is ever computed.

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result, Secret};
use serde::Serialize;
use serde_json::value::RawValue;

use super::third_party::{CompletedPayment, parse_paid};
use super::{api_request, check_text};
use crate::amount::wire_amount;
use crate::{QrWalletConfig, wire};

/// Path segment of Payment.
pub const PAYMENT: &str = "Payment";

/// Lowest amount the API accepts (Katalon's message "cannot be below 0.01") \[U\].
pub const MIN_AMOUNT_MINOR: i64 = 1;
/// Highest amount the API accepts ("must be between 0 and 999999999") \[U\].
pub const MAX_AMOUNT_MINOR: i64 = 999_999_999 * 100;

/// Loyalty points of the loyalty variant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Loyalty {
    /// Points earned.
    pub earn: i64,
    /// Points spent.
    pub burn: i64,
    /// Free data about the earning, as sent.
    pub earn_additional_data: Option<String>,
    /// Free data about the spending, as sent.
    pub burn_additional_data: Option<String>,
}

impl Loyalty {
    /// `earn` and `burn` points.
    pub fn new(earn: i64, burn: i64) -> Self {
        Loyalty {
            earn,
            burn,
            ..Loyalty::default()
        }
    }

    /// Sets `earn_additional_data`.
    pub fn earn_additional_data(mut self, data: impl Into<String>) -> Self {
        self.earn_additional_data = Some(data.into());
        self
    }

    /// Sets `burn_additional_data`.
    pub fn burn_additional_data(mut self, data: impl Into<String>) -> Self {
        self.burn_additional_data = Some(data.into());
        self
    }
}

/// Payment: a wallet pays a business wallet.
#[derive(Clone)]
#[non_exhaustive]
pub struct WalletPayment {
    /// The payer's account number.
    pub sender_account_number: String,
    /// The payer's wallet number.
    pub sender_wallet_number: String,
    /// The merchant's unique id (sent as `ext_transaction_id`, or `ext_order_id`
    /// in the loyalty variant). A repeat is code 301.
    pub ext_transaction_id: String,
    /// The receiving business wallet.
    pub receiver_wallet_number: String,
    /// The amount (TRY, 0.01 to 999,999,999).
    pub amount: Money,
    /// Business code (required by the loyalty variant).
    pub business_code: Option<String>,
    /// Description (required by the loyalty variant).
    pub description: Option<String>,
    /// `source_type`, as the integrator was told.
    pub source_type: Option<String>,
    /// `channel_type`, as the integrator was told.
    pub channel_type: Option<String>,
    /// `hash_key`: sent empty unless set (its formula is not documented).
    pub hash_key: Option<Secret<String>>,
    /// Loyalty points: makes this the loyalty variant.
    pub loyalty: Option<Loyalty>,
}

impl std::fmt::Debug for WalletPayment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletPayment")
            .field("sender_wallet_number", &self.sender_wallet_number)
            .field("ext_transaction_id", &self.ext_transaction_id)
            .field("receiver_wallet_number", &self.receiver_wallet_number)
            .field("amount", &self.amount)
            .field("business_code", &self.business_code)
            .field("hash_key", &self.hash_key)
            .field("loyalty", &self.loyalty)
            .finish_non_exhaustive()
    }
}

impl WalletPayment {
    /// A payment of `amount` from the sender's account and wallet to a business wallet.
    pub fn new(
        sender_account_number: impl Into<String>,
        sender_wallet_number: impl Into<String>,
        ext_transaction_id: impl Into<String>,
        receiver_wallet_number: impl Into<String>,
        amount: Money,
    ) -> Self {
        WalletPayment {
            sender_account_number: sender_account_number.into(),
            sender_wallet_number: sender_wallet_number.into(),
            ext_transaction_id: ext_transaction_id.into(),
            receiver_wallet_number: receiver_wallet_number.into(),
            amount,
            business_code: None,
            description: None,
            source_type: None,
            channel_type: None,
            hash_key: None,
            loyalty: None,
        }
    }

    /// Sets the business code.
    pub fn business_code(mut self, code: impl Into<String>) -> Self {
        self.business_code = Some(code.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets `source_type`.
    pub fn source_type(mut self, value: impl Into<String>) -> Self {
        self.source_type = Some(value.into());
        self
    }

    /// Sets `channel_type`.
    pub fn channel_type(mut self, value: impl Into<String>) -> Self {
        self.channel_type = Some(value.into());
        self
    }

    /// Sends this `hash_key` instead of `""` (the integrator's value; the SDK never computes one).
    pub fn hash_key(mut self, value: impl Into<Secret<String>>) -> Self {
        self.hash_key = Some(value.into());
        self
    }

    /// The loyalty variant: adds `loyalty`, names the id `ext_order_id`, and
    /// requires `business_code` and `description`.
    pub fn loyalty(mut self, points: Loyalty) -> Self {
        self.loyalty = Some(points);
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    sender_account_number: &'a str,
    sender_wallet_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ext_transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ext_order_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_code: Option<&'a str>,
    currency_code: &'a str,
    amount: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    receiver_wallet_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_type: Option<&'a str>,
    hash_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    loyalty: Option<LoyaltyBody<'a>>,
}

#[derive(Serialize)]
struct LoyaltyBody<'a> {
    earn: i64,
    burn: i64,
    earn_additional_data: Option<&'a str>,
    burn_additional_data: Option<&'a str>,
}

/// Builds Payment: `{"sender_account_number", "sender_wallet_number",
/// "ext_transaction_id", ["business_code"], "currency_code": "TRY", "amount": 10.50,
/// ["description"], "receiver_wallet_number", ["source_type"], ["channel_type"],
/// "hash_key": ""}`; the loyalty variant sends `ext_order_id` and adds
/// `"loyalty": {"earn", "burn", "earn_additional_data", "burn_additional_data"}`.
/// An empty `ext_transaction_id` is refused here (the API answers it with a
/// 500 "Sistem Hatası!"), as is an amount outside 0.01 to 999,999,999.
pub fn build_payment(config: &QrWalletConfig, token: &Secret<String>, req: &WalletPayment) -> Result<HttpRequest> {
    let id_field = if req.loyalty.is_some() {
        "ext_order_id"
    } else {
        "ext_transaction_id"
    };
    check_text(&req.sender_account_number, "sender_account_number")?;
    check_text(&req.sender_wallet_number, "sender_wallet_number")?;
    check_text(&req.ext_transaction_id, id_field)?;
    check_text(&req.receiver_wallet_number, "receiver_wallet_number")?;
    if req.loyalty.is_some() {
        check_text(req.business_code.as_deref().unwrap_or_default(), "business_code")?;
        check_text(req.description.as_deref().unwrap_or_default(), "description")?;
    }
    if !(MIN_AMOUNT_MINOR..=MAX_AMOUNT_MINOR).contains(&req.amount.minor()) {
        return Err(Error::invalid_input("amount", "must be between 0.01 and 999999999"));
    }
    let amount = wire::raw_number(wire_amount(req.amount, "amount")?, "amount")?;
    let id = Some(req.ext_transaction_id.as_str());
    let body = wire::to_body(&Body {
        sender_account_number: &req.sender_account_number,
        sender_wallet_number: &req.sender_wallet_number,
        ext_transaction_id: if req.loyalty.is_some() { None } else { id },
        ext_order_id: if req.loyalty.is_some() { id } else { None },
        business_code: req.business_code.as_deref(),
        currency_code: req.amount.currency().alpha_code(),
        amount: &amount,
        description: req.description.as_deref(),
        receiver_wallet_number: &req.receiver_wallet_number,
        source_type: req.source_type.as_deref(),
        channel_type: req.channel_type.as_deref(),
        hash_key: req.hash_key.as_ref().map_or("", |k| k.expose_secret().as_str()),
        loyalty: req.loyalty.as_ref().map(|l| LoyaltyBody {
            earn: l.earn,
            burn: l.burn,
            earn_additional_data: l.earn_additional_data.as_deref(),
            burn_additional_data: l.burn_additional_data.as_deref(),
        }),
    })?;
    Ok(api_request(config, token, PAYMENT, body))
}

/// Parses Payment's answer (shaped like Complete's, `sender_wallet_info`
/// with `tenant_id`) and checks that it charged the requested amount.
pub fn parse_payment(resp: &HttpResponse, req: &WalletPayment) -> Result<CompletedPayment> {
    let paid = parse_paid(resp, PAYMENT)?;
    paid.ensure_amount(req.amount.to_decimal())?;
    Ok(paid)
}
