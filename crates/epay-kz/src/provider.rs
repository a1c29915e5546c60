//! The provider-neutral [`PaymentProvider`] over [`EpayClient`].

use payments_core::{
    CallbackEvent, Capabilities, CreatePayment, Error, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    RefundRequest, Result, StatusReport,
};

use crate::client::EpayClient;
use crate::config::Language;
use crate::operations::transaction::RefundOperation;
use crate::operations::widget::WidgetPayment;
use crate::{PROVIDER, callback};

/// The transaction id of `payment`: given, or found by its order (invoice) id.
async fn transaction_id(client: &EpayClient, payment: &PaymentRef) -> Result<String> {
    if let Some(id) = payment.transaction_id.as_deref() {
        return Ok(id.to_owned());
    }
    let Some(order) = payment.order_id.as_deref() else {
        return Err(Error::invalid_input(
            "transaction_id",
            "is required (or an order_id to look it up)",
        ));
    };
    let status = client.check_status(order).await?;
    status
        .transaction
        .map(|t| t.id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::invalid_input("order_id", format!("ePay has no transaction for invoice {order:?}")))
}

/// - `create_payment`: a payment token with the derived `secret_hash`, then
///   [`PaymentOutcome::RequiresWidget`] with the `halyk.pay` object
///   (`callback_url` becomes `postLink` and `failurePostLink`; `order_id` is
///   the invoice id, 6 to 15 digits; `language` is `rus`, `kaz` or `eng`).
///   `authorize_only` is a terminal setting at ePay and is ignored.
/// - `payment_status`: by `order_id` (the invoice id).
/// - `refund`, `cancel`: by `transaction_id` (ePay's transaction UUID from the
///   callback or the status), or, without one, by `order_id` through a status
///   check; the refund's `refund_id` becomes `externalID`.
/// - `verify_callback`: postLink JSON with the derived `secret_hash`.
impl PaymentProvider for EpayClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.capture = false;
        caps.partial_capture = false;
        caps.idempotent_refund = false;
        caps
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        let mut payment = WidgetPayment::new(request.order_id.clone(), request.amount);
        payment.description = request.description.clone();
        payment.language = request.language.as_deref().map(Language::parse).transpose()?;
        payment.back_link = request.success_url.clone();
        payment.failure_back_link = request.failure_url.clone();
        payment.post_link = request.callback_url.clone();
        payment.failure_post_link = request.callback_url.clone();
        let object = self.widget_payment(&payment).await?;
        Ok(PaymentOutcome::RequiresWidget {
            script_url: self.config().widget_script_url().to_owned(),
            payload: object.to_value(),
        })
    }

    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let invoice_id = payment.require_order()?;
        self.check_status(invoice_id).await?.to_report()
    }

    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let id = &transaction_id(self, &request.payment).await?;
        let mut op = match request.amount {
            Some(a) => RefundOperation::partial(id, a),
            None => RefundOperation::full(id),
        };
        op.external_id = request.refund_id.clone();
        self.refund_transaction(&op).await?;
        Ok(OperationOutcome::Accepted {
            provider_ref: Some(id.to_owned()),
            operation_id: op.external_id.clone(),
        })
    }

    async fn cancel(&self, payment: &PaymentRef) -> Result<OperationOutcome> {
        let id = &transaction_id(self, payment).await?;
        self.cancel_transaction(id).await?;
        Ok(OperationOutcome::Accepted {
            provider_ref: Some(id.to_owned()),
            operation_id: None,
        })
    }

    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        let link = callback::verify_post_link_derived(body, self.config().callback_key())?;
        // ePay signs nothing in a postLink: the secret_hash authenticates the
        // sender, not the outcome, so the event is unconfirmed.
        let report = link.to_report();
        let key = format!(
            "{PROVIDER}:{}:{}",
            report.order_id.as_deref().unwrap_or("-"),
            report.transaction_id.as_deref().unwrap_or("-")
        );
        Ok(CallbackEvent::unconfirmed(PROVIDER, report, key))
    }
}
