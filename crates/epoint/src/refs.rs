//! The `extra` keys EPoint's status reports and callback events carry, so
//! that `StatusReport::payment_ref()` round-trips into a refund, a capture or
//! a saved-card payment without a merchant writing keys by hand.
//!
//! What refund and capture need is the transaction (`PaymentRef.transaction_id`)
//! and the amount with its currency (`PaymentRef.amount`): EPoint's answers
//! carry no currency, so it comes from the request (see the guide).

/// The saved card (`ce...`) of a card-registration callback.
pub const EXTRA_CARD_ID: &str = "card_id";
/// The retrieval reference number of a successful payment.
pub const EXTRA_RRN: &str = "rrn";
/// EPoint's trace id of the answer or callback (quote it to EPoint support).
pub const EXTRA_TRACE_ID: &str = "trace_id";
/// A callback amount whose currency is unknown, as its exact decimal text.
pub const EXTRA_UNPRICED_AMOUNT: &str = "unpriced_amount";
