//! RefundPaymentInstant (documented by Sipay; the default) and RefundPayment
//! (\[U\]: Katalon only, refuses partial refunds there): full or partial.

use payments_core::{Decimal, HttpRequest, HttpResponse, Money, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{api_request, check_text};
use crate::amount::wire_amount;
use crate::wallet_info::WalletInfo;
use crate::{QrWalletConfig, TxCorrelationId, wire};

/// Path segment of RefundPayment.
pub const REFUND: &str = "RefundPayment";
/// Path segment of RefundPaymentInstant.
pub const REFUND_INSTANT: &str = "RefundPaymentInstant";

/// A refund of a wallet payment; a partial refund is a smaller `amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundPayment {
    /// The merchant's unique id for this refund.
    pub ext_transaction_id: String,
    /// The payment's correlation id.
    pub tx_correlation_id: TxCorrelationId,
    /// The amount to refund (TRY).
    pub amount: Money,
    /// Free text.
    pub description: Option<String>,
    /// RefundPaymentInstant (the default, documented) rather than RefundPayment \[U\].
    pub instant: bool,
}

impl RefundPayment {
    /// A refund of `amount` of the payment `tx_correlation_id`.
    pub fn new(ext_transaction_id: impl Into<String>, tx_correlation_id: TxCorrelationId, amount: Money) -> Self {
        RefundPayment {
            ext_transaction_id: ext_transaction_id.into(),
            tx_correlation_id,
            amount,
            description: None,
            instant: true,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// `false` sends RefundPayment \[U\] instead of RefundPaymentInstant.
    pub fn instant(mut self, yes: bool) -> Self {
        self.instant = yes;
        self
    }
}

#[derive(Serialize)]
struct RefundBody<'a> {
    ext_transaction_id: &'a str,
    tx_correlation_id: &'a RawValue,
    currency_code: &'a str,
    refund_amount: &'a RawValue,
    description: &'a str,
}

/// Builds RefundPayment(Instant): `{"ext_transaction_id", "tx_correlation_id": <digits>,
/// "currency_code": "TRY", "refund_amount": 10.50, "description"}`.
pub fn build_refund(config: &QrWalletConfig, token: &Secret<String>, req: &RefundPayment) -> Result<HttpRequest> {
    check_text(&req.ext_transaction_id, "ext_transaction_id")?;
    let id = wire::raw_number(req.tx_correlation_id.as_str().to_owned(), "tx_correlation_id")?;
    let amount = wire::raw_number(wire_amount(req.amount, "refund_amount")?, "refund_amount")?;
    let body = wire::to_body(&RefundBody {
        ext_transaction_id: &req.ext_transaction_id,
        tx_correlation_id: &id,
        currency_code: req.amount.currency().alpha_code(),
        refund_amount: &amount,
        description: req.description.as_deref().unwrap_or(""),
    })?;
    let operation = if req.instant { REFUND_INSTANT } else { REFUND };
    Ok(api_request(config, token, operation, body))
}

/// An accepted refund: RefundPaymentInstant's documented payload
/// (`transaction_id`, `ext_transaction_id`, `transaction_amount`,
/// `transaction_fee_amount`, `previous_amount`, `wallet_info`), and a
/// `refund_transaction_id` when one is sent. Every field is optional: a null
/// payload (Katalon's RefundPayment) is an accepted refund without details.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct RefundResult {
    /// The refund's own transaction id, when given.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub refund_transaction_id: Option<String>,
    /// The refund's transaction id (RefundPaymentInstant).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub transaction_id: Option<String>,
    /// The refund's `ext_transaction_id`, echoed.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub ext_transaction_id: Option<String>,
    /// The amount refunded.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub transaction_amount: Option<Decimal>,
    /// The refund's fee.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub transaction_fee_amount: Option<Decimal>,
    /// `previous_amount` as sent (meaning not documented).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub previous_amount: Option<Decimal>,
    /// The refunded wallet afterwards (no personal data in `Debug`).
    #[serde(default)]
    pub wallet_info: Option<WalletInfo>,
}

impl RefundResult {
    /// The best id of this refund: `refund_transaction_id`, else `transaction_id`.
    pub fn reference(&self) -> Option<&str> {
        self.refund_transaction_id.as_deref().or(self.transaction_id.as_deref())
    }
}

/// Parses a refund's answer (either endpoint).
pub fn parse_refund(resp: &HttpResponse) -> Result<RefundResult> {
    let payload = wire::open(resp, REFUND_INSTANT)?;
    match payload.map(str::trim) {
        None => Ok(RefundResult::default()),
        Some(text) if text.starts_with('{') => wire::decode(resp, text, "refund payload"),
        Some(text) => Err(wire::unreadable(
            resp.status,
            "refund payload is not an object",
            text.as_bytes(),
            None,
        )),
    }
}
