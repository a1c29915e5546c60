//! The platform's webhooks (docs.businessapi.sipay.com.tr): top-up success,
//! top-up failure and bank-transfer (payout) results, posted to a URL the
//! tenant registers. **No source documents a signature or any other
//! authentication**, and no webhook exists for QR payments.
//!
//! So a webhook is a hint, never proof: [`parse_webhook`] reads what it
//! *claims*, and [`WalletWebhook::is_confirmed`] is always false. Confirm
//! the claim with SummaryRecordByFilter (by `id` or `ext_transaction_id`)
//! before acting on it; [`WalletWebhook::confirmation_query`] builds that query.

use std::fmt;

use payments_core::{CallbackEvent, Decimal, Error, PaymentStatus, Result, StatusReport};
use serde::Deserialize;

use crate::operations::transaction_data::{TransactionFilter, TransactionRecord};
use crate::wire;

/// Largest webhook body accepted, in bytes.
pub const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// A failed top-up (`result_code` 300, 310, 360, 361).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TopUpFailure {
    /// Tenant id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tenant_id: Option<String>,
    /// The failure's code (see [`QrWalletErrorCode`](crate::QrWalletErrorCode)).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub result_code: Option<String>,
    /// The failure's text.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub result_message: Option<String>,
    /// The wallet.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub wallet_number: Option<String>,
    /// Description (not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub description: Option<String>,
    /// The amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub amount: Option<Decimal>,
    /// Currency code.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub currency_code: Option<String>,
}

impl fmt::Debug for TopUpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopUpFailure")
            .field("result_code", &self.result_code)
            .field("result_message", &self.result_message)
            .field("wallet_number", &self.wallet_number)
            .field("amount", &self.amount)
            .field("currency_code", &self.currency_code)
            .finish_non_exhaustive()
    }
}

/// A bank transfer (payout) result.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BankTransferResult {
    /// Tenant id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tenant_id: Option<String>,
    /// The amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub amount: Option<Decimal>,
    /// Currency code.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub currency_code: Option<String>,
    /// The merchant's id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub ext_transaction_id: Option<String>,
    /// Withdrawal request id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub request_withdraw_id: Option<String>,
    /// The platform's transaction id (19 digits, exact).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub transaction_id: Option<String>,
    /// Wallet number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub wallet_number: Option<String>,
    /// Status before processing.
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub before_process_status: Option<i64>,
    /// Status after processing (1 in the success sample, 2 in the failure sample).
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub after_process_status: Option<i64>,
    /// Transfer state, as sent.
    #[serde(default, deserialize_with = "wire::opt_json")]
    pub money_transfer_state: Option<String>,
    /// Response code, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub response_code: Option<String>,
    /// Response message, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub response_message: Option<String>,
    /// Receiving IBAN (personal data: not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub to_iban: Option<String>,
    /// Receiving name (personal data: not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub to_name: Option<String>,
}

impl fmt::Debug for BankTransferResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BankTransferResult")
            .field("transaction_id", &self.transaction_id)
            .field("ext_transaction_id", &self.ext_transaction_id)
            .field("amount", &self.amount)
            .field("currency_code", &self.currency_code)
            .field("after_process_status", &self.after_process_status)
            .field("response_code", &self.response_code)
            .finish_non_exhaustive()
    }
}

/// What a webhook claims. Unauthenticated: never act on it before
/// confirming with SummaryRecordByFilter.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalletWebhook {
    /// A completed top-up: one transaction record (boxed: it is large).
    TopUp(Box<TransactionRecord>),
    /// A failed top-up.
    TopUpFailed(TopUpFailure),
    /// A bank transfer (payout) result.
    BankTransfer(BankTransferResult),
}

impl WalletWebhook {
    /// Always false: no source documents how webhooks are authenticated.
    pub fn is_confirmed(&self) -> bool {
        false
    }

    /// The outcome the webhook claims (not proof of anything).
    pub fn claimed_status(&self) -> PaymentStatus {
        match self {
            WalletWebhook::TopUp(r) => r.status(),
            WalletWebhook::TopUpFailed(_) => PaymentStatus::Declined,
            WalletWebhook::BankTransfer(b) => match b.after_process_status {
                Some(1) => PaymentStatus::Succeeded,
                Some(2) => PaymentStatus::Declined,
                Some(other) => PaymentStatus::Unknown(other.to_string()),
                None => PaymentStatus::Unknown(String::new()),
            },
        }
    }

    /// A key to drop repeated deliveries: the kind and the transaction's
    /// identity (platform id, else the merchant's id, else the failure's
    /// wallet, code and amount).
    pub fn dedupe_key(&self) -> String {
        match self {
            WalletWebhook::TopUp(r) => format!(
                "qr-wallet:topup:{}",
                r.id.as_deref().or(r.ext_transaction_id.as_deref()).unwrap_or_default()
            ),
            WalletWebhook::TopUpFailed(f) => format!(
                "qr-wallet:topup-failed:{}:{}:{}",
                f.wallet_number.as_deref().unwrap_or_default(),
                f.result_code.as_deref().unwrap_or_default(),
                f.amount.map(|a| a.normalize().to_string()).unwrap_or_default()
            ),
            WalletWebhook::BankTransfer(b) => format!(
                "qr-wallet:bank-transfer:{}",
                b.transaction_id
                    .as_deref()
                    .or(b.ext_transaction_id.as_deref())
                    .unwrap_or_default()
            ),
        }
    }

    /// The claim as an unconfirmed core [`CallbackEvent`] (order =
    /// `ext_transaction_id`, transaction = the platform's id, amount in TRY,
    /// the claimed status), to confirm with
    /// [`QrWalletClient::confirm_webhook`](crate::QrWalletClient::confirm_webhook).
    pub fn event(&self) -> Result<CallbackEvent> {
        let claimed = match self {
            WalletWebhook::TopUp(r) => r.status_report()?,
            WalletWebhook::TopUpFailed(f) => StatusReport::new(PaymentStatus::Declined)
                .with_amount(try_amount(f.amount, f.currency_code.as_deref())?)
                .with_code(f.result_code.clone(), f.result_message.clone()),
            WalletWebhook::BankTransfer(b) => StatusReport::new(self.claimed_status())
                .with_order(b.ext_transaction_id.clone())
                .with_transaction(b.transaction_id.clone())
                .with_amount(try_amount(b.amount, b.currency_code.as_deref())?)
                .with_code(b.response_code.clone(), b.response_message.clone()),
        };
        Ok(CallbackEvent::unconfirmed(crate::PROVIDER, claimed, self.dedupe_key()))
    }

    /// The SummaryRecordByFilter query that confirms a top-up (by `id`) or a
    /// bank transfer (by `ext_transaction_id`, else `transaction_id`).
    /// `None` for a failed top-up (it has no transaction; failed operations
    /// do not appear in SummaryRecordByFilter) or one without ids.
    pub fn confirmation_query(&self) -> Option<TransactionFilter> {
        match self {
            WalletWebhook::TopUp(r) => match (&r.id, &r.ext_transaction_id) {
                (Some(id), _) => Some(TransactionFilter::by_id(id.clone())),
                (None, Some(ext)) => Some(TransactionFilter::by_ext_transaction_id(ext.clone())),
                (None, None) => None,
            },
            WalletWebhook::TopUpFailed(_) => None,
            WalletWebhook::BankTransfer(b) => match (&b.ext_transaction_id, &b.transaction_id) {
                (Some(ext), _) => Some(TransactionFilter::by_ext_transaction_id(ext.clone())),
                (None, Some(id)) => Some(TransactionFilter::by_id(id.clone())),
                (None, None) => None,
            },
        }
    }
}

fn try_amount(amount: Option<Decimal>, currency: Option<&str>) -> Result<Option<payments_core::Money>> {
    match (amount, currency) {
        (None, _) => Ok(None),
        (Some(a), Some("TRY")) => crate::amount::try_money(a, "amount").map(Some),
        (Some(_), other) => Err(Error::malformed_callback(format!(
            "webhook amount in {other:?}, not TRY"
        ))),
    }
}

/// Reads a webhook body. The kind is told by its fields: a transaction
/// record (`transaction_type_id` / `transaction_status_id`) is a top-up; a
/// body with `request_withdraw_id` or `after_process_status` a bank
/// transfer; one with `result_message` and `result_code` a failed top-up.
///
/// Numbers with leading zeros (`"wallet_id": 00000001123456`, which a
/// documentation sample shows and JSON forbids) are read as digit strings.
/// Errors are [`Error::MalformedCallback`] and never echo the body.
pub fn parse_webhook(body: &[u8]) -> Result<WalletWebhook> {
    if body.len() > MAX_WEBHOOK_BYTES {
        return Err(Error::malformed_callback(format!(
            "webhook body larger than {MAX_WEBHOOK_BYTES} bytes"
        )));
    }
    let text = std::str::from_utf8(body).map_err(|_| Error::malformed_callback("webhook body is not UTF-8"))?;
    let text = quote_leading_zero_numbers(text);
    let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| Error::malformed_callback(format!("webhook body is not a JSON object: {e}")))?;
    let has = |k: &str| value.contains_key(k);
    let decode = |what: &str| Error::malformed_callback(format!("webhook body is not a readable {what}"));
    if has("transaction_type_id") || has("transaction_status_id") {
        return serde_json::from_str(&text)
            .map(|r| WalletWebhook::TopUp(Box::new(r)))
            .map_err(|_| decode("transaction record"));
    }
    if has("request_withdraw_id") || has("after_process_status") {
        return serde_json::from_str(&text)
            .map(WalletWebhook::BankTransfer)
            .map_err(|_| decode("bank transfer result"));
    }
    if has("result_message") && has("result_code") {
        return serde_json::from_str(&text)
            .map(WalletWebhook::TopUpFailed)
            .map_err(|_| decode("failed top-up"));
    }
    Err(Error::malformed_callback("unknown webhook kind"))
}

/// `: 0001234` (outside strings) becomes `: "0001234"`, so that the
/// documentation's invalid JSON reads with every digit kept.
fn quote_leading_zero_numbers(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    let mut in_string = false;
    let mut after_colon = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b':' => after_colon = true,
            b'0' if after_colon && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = i + bytes[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 8));
                buf.push_str(&text[copied..i]);
                buf.push('"');
                buf.push_str(&text[i..end]);
                buf.push('"');
                copied = end;
                i = end;
                after_colon = false;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => after_colon = false,
        }
        i += 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            std::borrow::Cow::Owned(buf)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn leading_zero_numbers_become_strings() {
        assert_eq!(
            quote_leading_zero_numbers(r#"{"wallet_id": 00000001123456,"a":"0012","b":0,"c":0.5}"#),
            r#"{"wallet_id": "00000001123456","a":"0012","b":0,"c":0.5}"#
        );
        assert!(matches!(
            quote_leading_zero_numbers(r#"{"a":1}"#),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
