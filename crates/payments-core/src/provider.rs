//! The `PaymentProvider` trait and the provider-neutral result types.

use std::collections::BTreeMap;
use std::future::Future;

use crate::error::{Error, Result};
use crate::event::{CallbackEvent, ConfirmedEvent};
use crate::money::Money;

/// A payment's state as the provider reports it, in provider-neutral terms.
///
/// Statuses the SDK does not recognise map to [`PaymentStatus::Unknown`],
/// never to success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentStatus {
    /// Created, the customer has not finished (or the provider has not decided).
    Pending,
    /// Funds are held (pre-authorization) and await completion or reversal.
    Authorized,
    /// The payment succeeded and the funds are captured.
    Succeeded,
    /// Part of the captured amount was refunded.
    PartiallyRefunded,
    /// The whole amount was refunded.
    Refunded,
    /// Voided or reversed before settlement.
    Cancelled,
    /// The payment was declined (card, issuer, 3-D Secure, insufficient funds).
    Declined,
    /// The payment expired before it was completed.
    Expired,
    /// A status the SDK does not know, as the provider sent it.
    Unknown(String),
}

impl PaymentStatus {
    /// True for states that will not change without a new operation.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            PaymentStatus::Succeeded
                | PaymentStatus::Refunded
                | PaymentStatus::Cancelled
                | PaymentStatus::Declined
                | PaymentStatus::Expired
        )
    }
}

/// Why a payment was declined, as the provider said it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Decline {
    /// The provider's code.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
}

impl Decline {
    /// A decline with code and message.
    pub fn new(code: Option<String>, message: Option<String>) -> Self {
        Decline { code, message }
    }
}

/// A request for a hosted payment (redirect, form post or widget).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatePayment {
    /// The merchant's order id.
    pub order_id: String,
    /// The amount to charge.
    pub amount: Money,
    /// Description shown to the customer.
    pub description: Option<String>,
    /// Interface language, in the provider's codes (validated by the provider).
    pub language: Option<String>,
    /// Where the customer returns after success.
    pub success_url: Option<String>,
    /// Where the customer returns after failure.
    pub failure_url: Option<String>,
    /// Where the provider posts the result, when it takes it per payment.
    pub callback_url: Option<String>,
    /// Hold the funds only (two-step payment), where the provider supports it.
    pub authorize_only: bool,
}

impl CreatePayment {
    /// A payment of `amount` for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money) -> Self {
        CreatePayment {
            order_id: order_id.into(),
            amount,
            description: None,
            language: None,
            success_url: None,
            failure_url: None,
            callback_url: None,
            authorize_only: false,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the language.
    pub fn language(mut self, lang: impl Into<String>) -> Self {
        self.language = Some(lang.into());
        self
    }

    /// Sets the success return URL.
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = Some(url.into());
        self
    }

    /// Sets the failure return URL.
    pub fn failure_url(mut self, url: impl Into<String>) -> Self {
        self.failure_url = Some(url.into());
        self
    }

    /// Sets the callback URL.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Asks for a pre-authorization instead of a purchase.
    pub fn authorize_only(mut self, yes: bool) -> Self {
        self.authorize_only = yes;
        self
    }
}

/// What the merchant must do next after creating a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentOutcome {
    /// Send the customer's browser to `url`.
    RequiresRedirect {
        /// The hosted payment page.
        url: String,
        /// The provider's id of the payment, when it gives one now.
        provider_ref: Option<String>,
    },
    /// Have the customer's browser POST `fields` to `url` (an HTML form).
    RequiresFormPost {
        /// The form's action.
        url: String,
        /// The form fields, in order.
        fields: Vec<(String, String)>,
    },
    /// Load the provider's script and call it with `payload` (a JSON object).
    RequiresWidget {
        /// The provider's script URL.
        script_url: String,
        /// The object to hand to the script.
        payload: serde_json::Value,
    },
    /// The payment finished without customer action.
    Completed(StatusReport),
    /// The provider declined the payment.
    Declined(Decline),
}

/// Which payment an operation is about. Providers identify payments
/// differently; each documents which fields it needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PaymentRef {
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// The provider's transaction id.
    pub transaction_id: Option<String>,
    /// The amount originally charged (some providers need it for refunds).
    pub amount: Option<Money>,
    /// Provider-specific identifiers (for example AzeriCard's `RRN` and `INT_REF`).
    pub extra: BTreeMap<String, String>,
}

impl PaymentRef {
    /// A reference by the provider's transaction id.
    pub fn transaction(id: impl Into<String>) -> Self {
        PaymentRef {
            transaction_id: Some(id.into()),
            ..PaymentRef::default()
        }
    }

    /// A reference by the merchant's order id.
    pub fn order(id: impl Into<String>) -> Self {
        PaymentRef {
            order_id: Some(id.into()),
            ..PaymentRef::default()
        }
    }

    /// Sets the order id.
    pub fn with_order(mut self, id: impl Into<String>) -> Self {
        self.order_id = Some(id.into());
        self
    }

    /// Sets the transaction id.
    pub fn with_transaction(mut self, id: impl Into<String>) -> Self {
        self.transaction_id = Some(id.into());
        self
    }

    /// Sets the original amount.
    pub fn with_amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Adds a provider-specific identifier.
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The transaction id, or an invalid-input error naming it.
    pub fn require_transaction(&self) -> Result<&str> {
        self.transaction_id
            .as_deref()
            .ok_or_else(|| Error::invalid_input("transaction_id", "is required"))
    }

    /// The order id, or an invalid-input error naming it.
    pub fn require_order(&self) -> Result<&str> {
        self.order_id
            .as_deref()
            .ok_or_else(|| Error::invalid_input("order_id", "is required"))
    }

    /// A provider-specific identifier, or an invalid-input error naming it.
    pub fn require_extra(&self, key: &'static str) -> Result<&str> {
        self.extra
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| Error::invalid_input(key, "is required"))
    }
}

/// A payment's status as reported by a status query or a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusReport {
    /// The provider-neutral status.
    pub status: PaymentStatus,
    /// The merchant's order id, when reported.
    pub order_id: Option<String>,
    /// The provider's transaction id, when reported.
    pub transaction_id: Option<String>,
    /// The amount, when reported.
    pub amount: Option<Money>,
    /// The provider's status or result code.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
    /// Provider-specific identifiers a follow-up operation needs (for
    /// example AzeriCard's `RRN` and `INT_REF`), under the keys the provider
    /// crate exports. [`StatusReport::payment_ref`] carries them over.
    pub extra: BTreeMap<String, String>,
}

impl StatusReport {
    /// A report with only a status.
    pub fn new(status: PaymentStatus) -> Self {
        StatusReport {
            status,
            order_id: None,
            transaction_id: None,
            amount: None,
            code: None,
            message: None,
            extra: BTreeMap::new(),
        }
    }

    /// Adds a provider-specific identifier.
    pub fn with_extra(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The reference that `refund`, `cancel`, `capture` and `payment_status`
    /// of the same provider take for this payment: order, transaction,
    /// amount (with its currency) and the provider-specific identifiers.
    pub fn payment_ref(&self) -> PaymentRef {
        PaymentRef {
            order_id: self.order_id.clone(),
            transaction_id: self.transaction_id.clone(),
            amount: self.amount,
            extra: self.extra.clone(),
        }
    }

    /// Sets the order id.
    pub fn with_order(mut self, id: Option<String>) -> Self {
        self.order_id = id;
        self
    }

    /// Sets the transaction id.
    pub fn with_transaction(mut self, id: Option<String>) -> Self {
        self.transaction_id = id;
        self
    }

    /// Sets the amount.
    pub fn with_amount(mut self, amount: Option<Money>) -> Self {
        self.amount = amount;
        self
    }

    /// Sets the code and message.
    pub fn with_code(mut self, code: Option<String>, message: Option<String>) -> Self {
        self.code = code;
        self.message = message;
        self
    }
}

/// A refund request: full when `amount` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundRequest {
    /// The payment to refund.
    pub payment: PaymentRef,
    /// The amount to refund; `None` for the full amount.
    pub amount: Option<Money>,
    /// The merchant's id for this refund, where the provider takes one.
    pub refund_id: Option<String>,
}

impl RefundRequest {
    /// A full refund.
    pub fn full(payment: PaymentRef) -> Self {
        RefundRequest {
            payment,
            amount: None,
            refund_id: None,
        }
    }

    /// A partial refund of `amount`.
    pub fn partial(payment: PaymentRef, amount: Money) -> Self {
        RefundRequest {
            payment,
            amount: Some(amount),
            refund_id: None,
        }
    }

    /// Sets the merchant's refund id.
    pub fn with_refund_id(mut self, id: impl Into<String>) -> Self {
        self.refund_id = Some(id.into());
        self
    }
}

/// The result of a refund, cancellation or capture the provider accepted or declined.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperationOutcome {
    /// Done.
    Accepted {
        /// The provider's id of the operation, when given.
        provider_ref: Option<String>,
        /// The merchant's id of this operation (a refund id) as sent; the
        /// SDK generates one when the caller gave none, where the provider
        /// takes one. Keep it: resending with the same id cannot refund twice.
        operation_id: Option<String>,
    },
    /// The provider declined it (for example, amount too large).
    Declined(Decline),
    /// The provider says this operation id was already used: an earlier
    /// request with the same id was applied (or may have been). Not a
    /// decline: never resend with a new id, query the status instead.
    AlreadyProcessed {
        /// The operation id the provider recognised.
        operation_id: Option<String>,
        /// The provider's id of the earlier operation, when given.
        provider_ref: Option<String>,
    },
}

impl OperationOutcome {
    /// An accepted operation without ids.
    pub fn accepted() -> Self {
        OperationOutcome::Accepted {
            provider_ref: None,
            operation_id: None,
        }
    }

    /// True when the provider applied the operation, now or earlier.
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            OperationOutcome::Accepted { .. } | OperationOutcome::AlreadyProcessed { .. }
        )
    }
}

/// What a provider implements of the common trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// `create_payment` is supported.
    pub create_payment: bool,
    /// `payment_status` is supported.
    pub payment_status: bool,
    /// `refund` with the full amount is supported.
    pub refund: bool,
    /// `refund` with a partial amount is supported.
    pub partial_refund: bool,
    /// `cancel` is supported.
    pub cancel: bool,
    /// `verify_callback` is supported.
    pub callbacks: bool,
    /// `confirm_callback` can turn this provider's callbacks into confirmed events.
    pub confirm_callback: bool,
    /// `capture` of a hold (`CreatePayment::authorize_only`) is supported.
    pub capture: bool,
    /// `capture` with a partial amount is supported.
    pub partial_capture: bool,
    /// `refund` sends a merchant refund id (generated when none is given),
    /// so a refund resent with the same id cannot refund twice.
    pub idempotent_refund: bool,
}

impl Capabilities {
    /// Nothing supported.
    pub const NONE: Capabilities = Capabilities {
        create_payment: false,
        payment_status: false,
        refund: false,
        partial_refund: false,
        cancel: false,
        callbacks: false,
        confirm_callback: false,
        capture: false,
        partial_capture: false,
        idempotent_refund: false,
    };

    /// Everything supported.
    pub const ALL: Capabilities = Capabilities {
        create_payment: true,
        payment_status: true,
        refund: true,
        partial_refund: true,
        cancel: true,
        callbacks: true,
        confirm_callback: true,
        capture: true,
        partial_capture: true,
        idempotent_refund: true,
    };
}

/// The operations every provider can offer, in provider-neutral terms.
///
/// Operations a provider lacks return [`Error::Unsupported`] (the default
/// implementations), never a silent no-op; [`PaymentProvider::capabilities`]
/// says which are real. Provider-specific operations (saved cards, split
/// payments, payouts, invoices, QR) are inherent methods of each client.
///
/// The methods return `Send` futures written with `impl Future`, so the trait
/// has no boxing cost. That makes it not object-safe: to choose a provider at
/// run time, use the `payments` facade's `AnyProvider` enum, which dispatches
/// with a `match` and keeps each provider's own types available.
pub trait PaymentProvider: Send + Sync {
    /// The provider's name (`"epoint"`, `"azericard"`, `"epay-kz"`, `"qr-wallet"`).
    fn name(&self) -> &'static str;

    /// What this provider supports.
    fn capabilities(&self) -> Capabilities;

    /// Creates a hosted payment and says what the customer must do next.
    fn create_payment(&self, request: &CreatePayment) -> impl Future<Output = Result<PaymentOutcome>> + Send {
        let _ = request;
        let provider = self.name();
        async move { Err(Error::unsupported(provider, "create_payment")) }
    }

    /// Queries a payment's status. Safe to retry.
    fn payment_status(&self, payment: &PaymentRef) -> impl Future<Output = Result<StatusReport>> + Send {
        let _ = payment;
        let provider = self.name();
        async move { Err(Error::unsupported(provider, "payment_status")) }
    }

    /// Refunds a payment, fully or partly.
    fn refund(&self, request: &RefundRequest) -> impl Future<Output = Result<OperationOutcome>> + Send {
        let _ = request;
        let provider = self.name();
        async move { Err(Error::unsupported(provider, "refund")) }
    }

    /// Cancels (voids or reverses) a payment.
    fn cancel(&self, payment: &PaymentRef) -> impl Future<Output = Result<OperationOutcome>> + Send {
        let _ = payment;
        let provider = self.name();
        async move { Err(Error::unsupported(provider, "cancel")) }
    }

    /// Captures a hold made with [`CreatePayment::authorize_only`], fully
    /// (`None`) or partly. Moves money: never resent by the SDK.
    fn capture(
        &self,
        payment: &PaymentRef,
        amount: Option<Money>,
    ) -> impl Future<Output = Result<OperationOutcome>> + Send {
        let _ = (payment, amount);
        let provider = self.name();
        async move { Err(Error::unsupported(provider, "capture")) }
    }

    /// Verifies a callback body (signature first) and decodes it into what
    /// the signature proves. The event is [`CallbackEvent::is_confirmed`]
    /// only when the signature covers the outcome; otherwise pass it to
    /// [`PaymentProvider::confirm_callback`] before acting on it.
    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        let _ = body;
        Err(Error::unsupported(self.name(), "verify_callback"))
    }

    /// Turns a verified callback into a [`ConfirmedEvent`], the only type
    /// whose outcome a merchant may act on.
    ///
    /// A signed event passes through. An unconfirmed one is confirmed by a
    /// status query ([`PaymentProvider::payment_status`] with the event's
    /// [`CallbackEvent::payment_ref`]) that must agree with the callback on
    /// order, amount, currency, transaction and outcome
    /// ([`ConfirmedEvent::by_status_query`]); the confirmed outcome is the
    /// queried one.
    fn confirm_callback(&self, event: CallbackEvent) -> impl Future<Output = Result<ConfirmedEvent>> + Send {
        async move {
            match event.into_confirmed() {
                Ok(confirmed) => Ok(confirmed),
                Err(event) => {
                    let queried = self.payment_status(&event.payment_ref()).await?;
                    ConfirmedEvent::by_status_query(event, queried)
                }
            }
        }
    }
}
