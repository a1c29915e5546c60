//! The provider-neutral [`PaymentProvider`] over [`EpayClient`].

use payments_core::{
    CallbackEvent, Capabilities, CreatePayment, Error, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    RefundRequest, Result, StatusReport,
};

use crate::PROVIDER;
use crate::callback;
use crate::client::EpayClient;
use crate::config::Language;
use crate::operations::transaction::{ChargeRequest, OperationStatus, RefundOperation};
use crate::operations::widget::WidgetPayment;

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
    let status = client
        .check_status_expecting(order, payment.amount.map(|a| a.currency()))
        .await?;
    status
        .transaction
        .map(|t| t.id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::invalid_input("order_id", format!("ePay has no transaction for invoice {order:?}")))
}

/// - `create_payment`: a payment token with the derived `secret_hash` (needs
///   the callback key), then [`PaymentOutcome::RequiresWidget`] with the
///   `halyk.pay` object (`callback_url` becomes `postLink` and
///   `failurePostLink`; `order_id` is the invoice id, 6 to 15 digits;
///   `language` is `rus`, `kaz` or `eng`). `authorize_only` is a terminal
///   setting at ePay and is ignored.
/// - `payment_status`: by `order_id` (the invoice id); an answer without
///   `currency` is read in `amount`'s currency when given (never assumed).
/// - `refund`, `cancel`, `capture` (= charge, full or partial): by
///   `transaction_id` (ePay's transaction UUID from the callback or the
///   status), or, without one, by `order_id` through a status check. A
///   refund always carries an `externalID` (`refund_id`, or a generated one
///   returned in `operation_id`); ePay reporting that id as used is
///   [`OperationOutcome::AlreadyProcessed`].
/// - `verify_callback`: every postLink is [`CallbackEvent::unconfirmed`]
///   (ePay signs nothing). A body with a `secret_hash` is first
///   authenticated against the callback key (when one is configured); a body
///   without one (invoice links) is accepted as a claim. `confirm_callback`
///   (the core default) queries the status and binds invoice, transaction,
///   amount, currency and outcome.
impl PaymentProvider for EpayClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.capture = true;
        caps.partial_capture = true;
        caps.idempotent_refund = true;
        caps.confirm_callback = true;
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
        // No default currency: a status without one is read in the currency
        // of the payment's own amount, when the caller gave it.
        self.check_status_expecting(invoice_id, payment.amount.map(|a| a.currency()))
            .await?
            .to_report()
    }

    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let id = transaction_id(self, &request.payment).await?;
        let mut op = match request.amount {
            Some(a) => RefundOperation::partial(&id, a),
            None => RefundOperation::full(&id),
        };
        op.external_id = request.refund_id.clone();
        let (operation_id, status) = self.refund_transaction(&op).await?;
        Ok(match status {
            OperationStatus::AlreadyProcessed => OperationOutcome::AlreadyProcessed {
                operation_id: Some(operation_id),
                provider_ref: Some(id),
            },
            _ => OperationOutcome::Accepted {
                provider_ref: Some(id),
                operation_id: Some(operation_id),
            },
        })
    }

    async fn cancel(&self, payment: &PaymentRef) -> Result<OperationOutcome> {
        let id = transaction_id(self, payment).await?;
        self.cancel_transaction(&id).await?;
        Ok(OperationOutcome::Accepted {
            provider_ref: Some(id),
            operation_id: None,
        })
    }

    async fn capture(&self, payment: &PaymentRef, amount: Option<payments_core::Money>) -> Result<OperationOutcome> {
        let id = transaction_id(self, payment).await?;
        let req = match amount {
            Some(a) => ChargeRequest::partial(&id, a),
            None => ChargeRequest::full(&id),
        };
        self.charge(&req).await?;
        Ok(OperationOutcome::Accepted {
            provider_ref: Some(id),
            operation_id: None,
        })
    }

    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        // ePay signs nothing in a postLink: a secret_hash authenticates the
        // sender, not the outcome, so every event is unconfirmed.
        let link = match self.config().callback_key() {
            Some(key) if callback::has_secret_hash(body)? => callback::verify_post_link_derived(body, key)?,
            _ => callback::parse_post_link(body)?,
        };
        Ok(CallbackEvent::unconfirmed(
            PROVIDER,
            link.to_report(),
            link.dedupe_key(),
        ))
    }
}
