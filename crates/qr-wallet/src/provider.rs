//! `PaymentProvider` for the wallet: status and refunds.
//!
//! `create_payment` is [`Error::Unsupported`]: a wallet QR payment is not a
//! hosted page the core outcomes describe (the payer scans a code in the
//! wallet app), and CreateQRPayment needs the merchant's wallet and account
//! numbers, which [`CreatePayment`](payments_core::CreatePayment) does not
//! carry. Use [`QrWalletClient::create_qr_payment`] directly. `cancel` and
//! callbacks are unsupported: no source documents them.

use payments_core::{
    Capabilities, Error, OperationOutcome, PaymentProvider, PaymentRef, RefundRequest, Result, StatusReport,
};

use crate::error::refusal_as_decline;
use crate::operations::refund::RefundPayment;
use crate::{PROVIDER, QrWalletClient, TxCorrelationId};

/// The [`PaymentRef::extra`] key holding a QR code for `payment_status`.
pub const EXTRA_QR_CODE: &str = "qr_code";

impl PaymentProvider for QrWalletClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::NONE;
        caps.payment_status = true;
        caps.refund = true;
        caps.partial_refund = true;
        caps
    }

    /// CheckQRPaymentStatus for the QR code in `extra["qr_code"]`, else in `transaction_id`.
    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let qr_code = match payment.extra.get(EXTRA_QR_CODE) {
            Some(code) => code.as_str(),
            None => payment.require_transaction()?,
        };
        let report = self.check_qr_payment_status(qr_code).await?;
        let amount = report.amount.and_then(|a| crate::amount::try_money(a, "amount").ok());
        Ok(StatusReport::new(report.status)
            .with_order(
                report
                    .ext_order_id
                    .filter(|o| !o.is_empty())
                    .or_else(|| payment.order_id.clone()),
            )
            .with_transaction(report.transaction_id.or_else(|| Some(qr_code.to_owned())))
            .with_amount(amount)
            .with_code(report.raw_status, None))
    }

    /// RefundPayment: `transaction_id` is the payment's `tx_correlation_id`,
    /// `refund_id` the refund's `ext_transaction_id` (required), the amount
    /// the request's or, for a full refund, the payment's. A refusal in the
    /// envelope (codes 300, 301, 306, 311, 315 and any other numeric code) is `Ok(Declined)`.
    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let id = TxCorrelationId::parse(request.payment.require_transaction()?)?;
        let ext_id = request
            .refund_id
            .as_deref()
            .ok_or_else(|| Error::invalid_input("refund_id", "is required (sent as ext_transaction_id)"))?;
        let amount = request
            .amount
            .or(request.payment.amount)
            .ok_or_else(|| Error::invalid_input("amount", "a full refund needs the payment's amount"))?;
        match self.refund_payment(&RefundPayment::new(ext_id, id, amount)).await {
            Ok(done) => Ok(OperationOutcome::Accepted {
                provider_ref: done.reference().map(str::to_owned),
                operation_id: Some(ext_id.to_owned()),
            }),
            Err(e) => match refusal_as_decline(&e) {
                Some(decline) => Ok(OperationOutcome::Declined(decline)),
                None => Err(e),
            },
        }
    }
}
