//! The wallet's own QR payment requests \[U: one weak source\]: a merchant
//! wallet creates a QR for an amount, the payer reads and approves it, and
//! either side checks its status.

use payments_core::{Decimal, Error, HttpRequest, HttpResponse, Money, PaymentStatus, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::third_party::{CompletedPayment, CreatedQrCode, parse_completed, parse_created_qr};
use super::{api_request, check_text};
use crate::amount::{try_money, wire_amount};
use crate::{QrWalletConfig, wire};

/// Path segment of CreateQRPayment.
pub const CREATE: &str = "CreateQRPayment";
/// Path segment of ReadQRPayment.
pub const READ: &str = "ReadQRPayment";
/// Path segment of ApproveQRPayment.
pub const APPROVE: &str = "ApproveQRPayment";
/// Path segment of CheckQRPaymentStatus.
pub const CHECK_STATUS: &str = "CheckQRPaymentStatus";

/// CreateQRPayment: a payment request the payer's wallet app scans.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateQrPayment {
    /// The merchant's order id (unique; a repeat is code 301).
    pub ext_order_id: String,
    /// The receiving account number.
    pub account_number: String,
    /// The receiving wallet number.
    pub receiver_wallet_number: String,
    /// The amount (TRY).
    pub amount: Money,
    /// Shown to the payer.
    pub description: Option<String>,
}

impl CreateQrPayment {
    /// A request for `amount` into the given account and wallet.
    pub fn new(
        ext_order_id: impl Into<String>,
        account_number: impl Into<String>,
        receiver_wallet_number: impl Into<String>,
        amount: Money,
    ) -> Self {
        CreateQrPayment {
            ext_order_id: ext_order_id.into(),
            account_number: account_number.into(),
            receiver_wallet_number: receiver_wallet_number.into(),
            amount,
            description: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

#[derive(Serialize)]
struct CreateBody<'a> {
    ext_order_id: &'a str,
    account_number: &'a str,
    receiver_wallet_number: &'a str,
    currency_code: &'a str,
    amount: &'a RawValue,
    description: &'a str,
}

/// Builds CreateQRPayment: `{"ext_order_id", "account_number",
/// "receiver_wallet_number", "currency_code": "TRY", "amount": 10.50, "description"}`.
pub fn build_create_qr_payment(
    config: &QrWalletConfig,
    token: &Secret<String>,
    req: &CreateQrPayment,
) -> Result<HttpRequest> {
    check_text(&req.ext_order_id, "ext_order_id")?;
    check_text(&req.account_number, "account_number")?;
    check_text(&req.receiver_wallet_number, "receiver_wallet_number")?;
    let amount = wire::raw_number(wire_amount(req.amount, "amount")?, "amount")?;
    let body = wire::to_body(&CreateBody {
        ext_order_id: &req.ext_order_id,
        account_number: &req.account_number,
        receiver_wallet_number: &req.receiver_wallet_number,
        currency_code: req.amount.currency().alpha_code(),
        amount: &amount,
        description: req.description.as_deref().unwrap_or(""),
    })?;
    Ok(api_request(config, token, CREATE, body))
}

/// Parses CreateQRPayment's answer (the QR code to show).
pub fn parse_create_qr_payment(resp: &HttpResponse) -> Result<CreatedQrCode> {
    parse_created_qr(resp)
}

#[derive(Serialize)]
struct QrCodeBody<'a> {
    qr_code: &'a str,
}

fn qr_code_request(
    config: &QrWalletConfig,
    token: &Secret<String>,
    operation: &str,
    qr_code: &str,
) -> Result<HttpRequest> {
    if qr_code.is_empty() {
        return Err(Error::invalid_input("qr_code", "is required"));
    }
    let body = wire::to_body(&QrCodeBody { qr_code })?;
    Ok(api_request(config, token, operation, body))
}

/// Builds ReadQRPayment: `{"qr_code"}`.
pub fn build_read_qr_payment(config: &QrWalletConfig, token: &Secret<String>, qr_code: &str) -> Result<HttpRequest> {
    qr_code_request(config, token, READ, qr_code)
}

/// A QR payment request as the payer sees it (ReadQRPayment).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct QrPaymentDetails {
    /// Who is paid.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub receiver_name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub description: Option<String>,
    /// The amount asked.
    #[serde(deserialize_with = "wire::decimal")]
    pub amount: Decimal,
    /// The QR code.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub qr_code: Option<String>,
    /// Currency code (`TRY`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub currency_code: Option<String>,
    /// When the request expires, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub expire_date: Option<String>,
}

impl QrPaymentDetails {
    /// The amount as TRY [`Money`]; another currency is an error.
    pub fn amount_money(&self) -> Result<Money> {
        match self.currency_code.as_deref() {
            None | Some("TRY") => try_money(self.amount, "amount"),
            Some(other) => Err(Error::invalid_input(
                "currency_code",
                format!("unexpected currency {other:?}"),
            )),
        }
    }
}

/// Parses ReadQRPayment's answer.
pub fn parse_read_qr_payment(resp: &HttpResponse) -> Result<QrPaymentDetails> {
    let payload = wire::open(resp)?;
    let payload = wire::require_payload(resp, payload)?;
    wire::decode(resp, payload, "ReadQRPayment payload")
}

/// ApproveQRPayment: the payer pays a QR payment request from a wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApproveQrPayment {
    /// The QR code read.
    pub qr_code: String,
    /// The payer's account number.
    pub account_number: String,
    /// The payer's wallet number.
    pub sender_wallet_number: String,
}

impl ApproveQrPayment {
    /// An approval of `qr_code` from the payer's account and wallet.
    pub fn new(
        qr_code: impl Into<String>,
        account_number: impl Into<String>,
        sender_wallet_number: impl Into<String>,
    ) -> Self {
        ApproveQrPayment {
            qr_code: qr_code.into(),
            account_number: account_number.into(),
            sender_wallet_number: sender_wallet_number.into(),
        }
    }
}

#[derive(Serialize)]
struct ApproveBody<'a> {
    qr_code: &'a str,
    account_number: &'a str,
    sender_wallet_number: &'a str,
}

/// Builds ApproveQRPayment: `{"qr_code", "account_number", "sender_wallet_number"}`.
pub fn build_approve_qr_payment(
    config: &QrWalletConfig,
    token: &Secret<String>,
    req: &ApproveQrPayment,
) -> Result<HttpRequest> {
    if req.qr_code.is_empty() {
        return Err(Error::invalid_input("qr_code", "is required"));
    }
    check_text(&req.account_number, "account_number")?;
    check_text(&req.sender_wallet_number, "sender_wallet_number")?;
    let body = wire::to_body(&ApproveBody {
        qr_code: &req.qr_code,
        account_number: &req.account_number,
        sender_wallet_number: &req.sender_wallet_number,
    })?;
    Ok(api_request(config, token, APPROVE, body))
}

/// Parses ApproveQRPayment's answer (shaped like Complete's).
pub fn parse_approve_qr_payment(resp: &HttpResponse) -> Result<CompletedPayment> {
    parse_completed(resp)
}

/// Builds CheckQRPaymentStatus: `{"qr_code"}`.
pub fn build_check_qr_payment_status(
    config: &QrWalletConfig,
    token: &Secret<String>,
    qr_code: &str,
) -> Result<HttpRequest> {
    qr_code_request(config, token, CHECK_STATUS, qr_code)
}

/// A QR payment's status (CheckQRPaymentStatus). \[U\]: no source shows the
/// payload, so the status is read from a `status` (or `payment_status`,
/// `state`) field, and anything unrecognised is [`PaymentStatus::Unknown`];
/// the other fields are picked up when present.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QrPaymentStatusReport {
    /// The provider-neutral status.
    pub status: PaymentStatus,
    /// The status as sent.
    pub raw_status: Option<String>,
    /// The amount, when sent (exact).
    pub amount: Option<Decimal>,
    /// The paying transaction's id, once paid.
    pub transaction_id: Option<String>,
    /// The payment's correlation id, once paid (what refunds take).
    pub tx_correlation_id: Option<String>,
    /// The merchant's order id, when sent.
    pub ext_order_id: Option<String>,
    /// The payload as JSON text.
    pub payload: Option<String>,
}

impl QrPaymentStatusReport {
    fn unknown(payload: Option<String>) -> Self {
        QrPaymentStatusReport {
            status: PaymentStatus::Unknown(String::new()),
            raw_status: None,
            amount: None,
            transaction_id: None,
            tx_correlation_id: None,
            ext_order_id: None,
            payload,
        }
    }
}

/// Maps a status word or number as sent. Unknown values never become success.
pub fn map_qr_status(raw: &str) -> PaymentStatus {
    match raw.trim().to_ascii_lowercase().as_str() {
        "paid" | "completed" | "complete" | "approved" | "success" | "successful" | "odendi" | "ödendi" => {
            PaymentStatus::Succeeded
        }
        "pending" | "created" | "waiting" | "new" | "beklemede" => PaymentStatus::Pending,
        "expired" => PaymentStatus::Expired,
        "cancelled" | "canceled" | "iptal" => PaymentStatus::Cancelled,
        "refunded" | "iade" => PaymentStatus::Refunded,
        "partially_refunded" | "partiallyrefunded" => PaymentStatus::PartiallyRefunded,
        "declined" | "failed" | "rejected" => PaymentStatus::Declined,
        other => PaymentStatus::Unknown(other.to_owned()),
    }
}

/// Parses CheckQRPaymentStatus's answer.
pub fn parse_check_qr_payment_status(resp: &HttpResponse) -> Result<QrPaymentStatusReport> {
    let payload = wire::open(resp)?;
    let Some(text) = payload else {
        return Ok(QrPaymentStatusReport::unknown(None));
    };
    let trimmed = text.trim();
    let mut report = QrPaymentStatusReport::unknown(Some(trimmed.to_owned()));
    if trimmed.starts_with('{') {
        let wire::Members(members) = wire::decode(resp, trimmed, "status payload")?;
        for (key, value) in &members {
            let key = key.trim();
            match key {
                "status" | "payment_status" | "state" if report.raw_status.is_none() => {
                    report.raw_status = Some(raw_text(value.get()));
                }
                "amount" => report.amount = crate::amount::decimal_from_json(value.get(), "amount").ok(),
                "transaction_id" => report.transaction_id = wire::member_text(value),
                "tx_correlation_id" => report.tx_correlation_id = wire::member_text(value),
                "ext_order_id" => report.ext_order_id = wire::member_text(value),
                _ => {}
            }
        }
    } else {
        report.raw_status = Some(raw_text(trimmed));
    }
    if let Some(raw) = report.raw_status.as_deref() {
        report.status = map_qr_status(raw);
    }
    Ok(report)
}

fn raw_text(raw: &str) -> String {
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.trim().to_owned())
}
