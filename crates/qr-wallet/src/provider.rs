//! `PaymentProvider` for the wallet: status and refunds.
//!
//! `create_payment` is [`Error::Unsupported`]: a wallet QR payment is not a
//! hosted page the core outcomes describe (the payer scans a code in the
//! wallet app), and CreateQRPayment needs the merchant's wallet and account
//! numbers, which [`CreatePayment`](payments_core::CreatePayment) does not
//! carry. Use [`QrWalletClient::create_qr_payment`] directly. `cancel` and
//! callbacks are unsupported: no source documents a cancel, and the
//! platform's webhooks (top-ups, payouts; [`crate::webhook`]) are not about
//! payments this trait tracks.

use payments_core::{
    Capabilities, Error, OperationOutcome, PaymentProvider, PaymentRef, RefundRequest, Result, StatusReport, ids,
};

use crate::error::{RefundRefusal, refund_refusal};
use crate::operations::refund::RefundPayment;
use crate::{PROVIDER, QrWalletClient, TxCorrelationId};

/// The [`PaymentRef::extra`] key holding a QR code for `payment_status`.
pub const EXTRA_QR_CODE: &str = "qr_code";
/// The [`PaymentRef::extra`] key holding the payment's `tx_correlation_id`,
/// which `refund` sends (status reports set it when the answer has it).
pub const EXTRA_TX_CORRELATION_ID: &str = "tx_correlation_id";

impl PaymentProvider for QrWalletClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// Status and refunds, full and partial, idempotent by refund id
    /// (`ext_transaction_id`; a reuse is code 301). No hosted payment, no
    /// cancel, no callbacks, no capture.
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::NONE;
        caps.payment_status = true;
        caps.refund = true;
        caps.partial_refund = true;
        caps.idempotent_refund = true;
        caps
    }

    /// CheckQRPaymentStatus for the QR code in `extra["qr_code"]`, else in
    /// `transaction_id`. The report carries what `refund` needs: the QR code
    /// and `tx_correlation_id` in `extra`, the amount (TRY) and the order, so
    /// `report.payment_ref()` can be passed to `refund` and back to `payment_status`.
    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let qr_code = match payment.extra.get(EXTRA_QR_CODE) {
            Some(code) => code.as_str(),
            None => payment.require_transaction()?,
        };
        let report = self.check_qr_payment_status(qr_code).await?;
        let amount = match (report.amount, report.currency_code.as_deref()) {
            (None, _) => None,
            (Some(a), None | Some("TRY")) => Some(crate::amount::try_money(a, "amount")?),
            (Some(_), Some(other)) => {
                return Err(Error::unreadable(
                    PROVIDER,
                    200,
                    format!("CheckQRPaymentStatus: unexpected currency {other:?}"),
                    b"",
                    None,
                ));
            }
        };
        let mut out = StatusReport::new(report.status)
            .with_order(
                report
                    .ext_order_id
                    .filter(|o| !o.is_empty())
                    .or_else(|| payment.order_id.clone()),
            )
            .with_transaction(report.transaction_id.or_else(|| payment.transaction_id.clone()))
            .with_amount(amount.or(payment.amount))
            .with_code(
                report
                    .qr_status_code
                    .map(|c| c.to_string())
                    .or(report.raw_status.clone()),
                report.raw_status,
            )
            .with_extra(EXTRA_QR_CODE, report.qr_code.unwrap_or_else(|| qr_code.to_owned()));
        let correlation = report
            .tx_correlation_id
            .or_else(|| payment.extra.get(EXTRA_TX_CORRELATION_ID).cloned());
        if let Some(id) = correlation {
            out = out.with_extra(EXTRA_TX_CORRELATION_ID, id);
        }
        Ok(out)
    }

    /// RefundPaymentInstant: `tx_correlation_id` from
    /// `extra["tx_correlation_id"]` (what status reports carry), else
    /// `transaction_id`; `refund_id` is the refund's `ext_transaction_id`,
    /// generated ([`ids::new_operation_id`]) when none is given and returned
    /// in `Accepted::operation_id`; the amount is the request's or, for a full
    /// refund, the payment's.
    ///
    /// A business refusal is `Ok(Declined)`. Code 301 (this refund id was
    /// already used) is `Ok(AlreadyProcessed)`: the earlier refund with this
    /// id was applied (or may have been); never retry with a new id. 500/501
    /// are outcome-unknown errors; validation and unknown codes are errors.
    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let correlation = match request.payment.extra.get(EXTRA_TX_CORRELATION_ID) {
            Some(id) => id.as_str(),
            None => request.payment.require_transaction()?,
        };
        let id = TxCorrelationId::parse(correlation)?;
        let ext_id = request.refund_id.clone().unwrap_or_else(ids::new_operation_id);
        let amount = request
            .amount
            .or(request.payment.amount)
            .ok_or_else(|| Error::invalid_input("amount", "a full refund needs the payment's amount"))?;
        match self
            .refund_payment(&RefundPayment::new(ext_id.as_str(), id, amount))
            .await
        {
            Ok(done) => Ok(OperationOutcome::Accepted {
                provider_ref: done.reference().map(str::to_owned),
                operation_id: Some(ext_id),
            }),
            Err(e) => match refund_refusal(&e) {
                Some(RefundRefusal::Declined(decline)) => Ok(OperationOutcome::Declined(decline)),
                Some(RefundRefusal::AlreadyUsed) => Ok(OperationOutcome::AlreadyProcessed {
                    operation_id: Some(ext_id),
                    provider_ref: None,
                }),
                None => Err(e),
            },
        }
    }
}
