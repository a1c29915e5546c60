//! The wallet snapshot that money-moving answers carry (`sender_wallet_info`,
//! `wallet_info`): ids and limits in the clear; the holder's name, e-mail,
//! phone number, tax number and balances as personal data, kept in
//! [`Secret`]s or left out of `Debug`.

use std::fmt;

use payments_core::{Decimal, Secret};
use serde::Deserialize;

use crate::wire;

/// Available and unavailable parts of a balance. `Debug` shows neither (a
/// balance is personal data).
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// Usable now.
    #[serde(default, alias = "avaiable", deserialize_with = "wire::opt_decimal")]
    pub available: Option<Decimal>,
    /// Held (Katalon's samples misspell it `unavaiable` / `unavailble`).
    #[serde(
        default,
        alias = "unavaiable",
        alias = "unavailble",
        deserialize_with = "wire::opt_decimal"
    )]
    pub unavailable: Option<Decimal>,
}

impl fmt::Debug for Balance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Balance([REDACTED])")
    }
}

/// The wallet's transaction limits (per KYC level, not personal).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TransactionLimits {
    /// Highest balance allowed.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub max_balance: Option<Decimal>,
    /// Top-up limit by credit card.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub topup_credit_limit: Option<Decimal>,
    /// Top-up limit in cash.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub topup_cash_limit: Option<Decimal>,
    /// Withdrawal limit.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub withdrawal_limit: Option<Decimal>,
    /// Payment limit.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub payment_limit: Option<Decimal>,
    /// Wallet-to-wallet transfer limit.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub wallet_to_wallet_limit: Option<Decimal>,
}

/// A wallet after a payment or refund (`sender_wallet_info`, `wallet_info`).
///
/// `Debug` shows the ids, account type and limits; never the holder's name,
/// e-mail, phone number, tax number, balances or KYC data.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct WalletInfo {
    /// Wallet id (digits kept exactly).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub id: Option<String>,
    /// Holder's name (personal data).
    #[serde(default, deserialize_with = "wire::opt_secret")]
    pub name: Option<Secret<String>>,
    /// Account number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub account_number: Option<String>,
    /// Account type (`Personal`, ...).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub account_type: Option<String>,
    /// Creation time as sent (`2021-09-20T10:52:35.5927212+00:00`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub created_date_utc: Option<String>,
    /// Wallet number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub number: Option<String>,
    /// Phone country code.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub phone_country_code: Option<String>,
    /// Phone number (personal data).
    #[serde(default, deserialize_with = "wire::opt_secret")]
    pub phone_number: Option<Secret<String>>,
    /// E-mail address (personal data).
    #[serde(default, deserialize_with = "wire::opt_secret")]
    pub email: Option<Secret<String>>,
    /// Tax number (personal data; ApproveQRPayment, Payment).
    #[serde(default, deserialize_with = "wire::opt_secret")]
    pub tax_number: Option<Secret<String>>,
    /// Total balance (personal data: not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub total_balance: Option<Decimal>,
    /// Incoming total this month (ApproveQRPayment, Payment; not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub monthly_incoming_total: Option<Decimal>,
    /// Outgoing total this month (not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub monthly_outgoing_total: Option<Decimal>,
    /// Access level id (1 = active).
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub access_level_status_id: Option<i64>,
    /// Access level (`Aktif`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub access_level_status: Option<String>,
    /// Payment balance.
    #[serde(default)]
    pub payment_balance: Option<Balance>,
    /// Cash balance.
    #[serde(default)]
    pub cash_balance: Option<Balance>,
    /// Limits.
    #[serde(default)]
    pub transaction_limits: Option<TransactionLimits>,
    /// KYC level status, as JSON text (its shape is not documented).
    #[serde(default, deserialize_with = "wire::opt_json")]
    pub kyc_level_status: Option<String>,
    /// Currency code (`TRY`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub currency_code: Option<String>,
    /// KYC information as JSON text (personal data: not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_json")]
    pub user_kyc_info: Option<String>,
    /// Top-up default flag (ApproveQRPayment, Payment).
    #[serde(default)]
    pub is_topup_default: Option<bool>,
    /// Whether a loyalty record is required (ApproveQRPayment, Payment).
    #[serde(default)]
    pub loyalty_record_required: Option<bool>,
    /// Tenant id (Payment).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tenant_id: Option<String>,
}

impl fmt::Debug for WalletInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WalletInfo")
            .field("id", &self.id)
            .field("account_number", &self.account_number)
            .field("account_type", &self.account_type)
            .field("number", &self.number)
            .field("access_level_status", &self.access_level_status)
            .field("currency_code", &self.currency_code)
            .field("transaction_limits", &self.transaction_limits)
            .finish_non_exhaustive()
    }
}
