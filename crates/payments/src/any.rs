//! A provider chosen at run time.

use payments_core::{
    CallbackEvent, Capabilities, CreatePayment, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    RefundRequest, Result, StatusReport,
};

/// One of the enabled providers, chosen at run time.
///
/// An enum rather than `Box<dyn PaymentProvider>`: the trait's async methods
/// return `impl Future`, which keeps them free of boxing but not object-safe;
/// the enum dispatches with a `match`, costs nothing, and a merchant can still
/// reach each provider's own client (and its provider-specific operations)
/// through the variant.
#[derive(Debug)]
#[non_exhaustive]
pub enum AnyProvider {}

impl PaymentProvider for AnyProvider {
    fn name(&self) -> &'static str {
        match *self {}
    }

    fn capabilities(&self) -> Capabilities {
        match *self {}
    }

    async fn create_payment(&self, _request: &CreatePayment) -> Result<PaymentOutcome> {
        match *self {}
    }

    async fn payment_status(&self, _payment: &PaymentRef) -> Result<StatusReport> {
        match *self {}
    }

    async fn refund(&self, _request: &RefundRequest) -> Result<OperationOutcome> {
        match *self {}
    }

    async fn cancel(&self, _payment: &PaymentRef) -> Result<OperationOutcome> {
        match *self {}
    }

    fn verify_callback(&self, _body: &[u8]) -> Result<CallbackEvent> {
        match *self {}
    }
}
