//! EPoint's in-memory records: transactions and saved cards.

use std::collections::HashMap;

use payments_core::Money;
use serde_json::Value;
use time::OffsetDateTime;

/// Which request created a transaction; decides the callback's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `request`.
    Pay,
    /// `card-registration`.
    SaveCard,
    /// `card-registration-with-pay`.
    PayAndSaveCard,
    /// `split-request`.
    SplitPay,
    /// `split-card-registration-with-pay`.
    SplitPayAndSaveCard,
    /// `execute-pay`.
    ExecutePay,
    /// `split-execute-pay`.
    SplitExecutePay,
    /// `refund-request` (payout to a saved card).
    Payout,
    /// `token/widget`.
    Widget,
    /// `token/payment` (paid later through Apple Pay or Google Pay).
    TokenPayment,
}

impl Kind {
    /// Whether the customer pays on a hosted page and EPoint sends a callback.
    pub fn has_callback(self) -> bool {
        matches!(
            self,
            Kind::Pay | Kind::SaveCard | Kind::PayAndSaveCard | Kind::SplitPay | Kind::SplitPayAndSaveCard
        )
    }

    /// Whether the operation saves the customer's card.
    pub fn saves_card(self) -> bool {
        matches!(self, Kind::SaveCard | Kind::PayAndSaveCard | Kind::SplitPayAndSaveCard)
    }

    /// Whether money is captured (and so can be refunded).
    pub fn captures(self) -> bool {
        !matches!(self, Kind::SaveCard | Kind::Payout)
    }
}

/// A transaction's state, as get-status reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// Waiting for the customer (hosted page) or the bank.
    New,
    /// Paid (possibly partly refunded).
    Success,
    /// Fully refunded.
    Returned,
    /// Declined or failed.
    Error,
}

impl TxStatus {
    /// The wire value of get-status's extended status.
    pub fn as_str(self) -> &'static str {
        match self {
            TxStatus::New => "new",
            TxStatus::Success => "success",
            TxStatus::Returned => "returned",
            TxStatus::Error => "error",
        }
    }
}

/// One transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// `te` + 9 digits.
    pub id: String,
    /// The merchant's public key.
    pub merchant: String,
    /// The request that created it.
    pub kind: Kind,
    /// The amount (none for card registration).
    pub amount: Option<Money>,
    /// Refunded so far.
    pub refunded: Option<Money>,
    /// The merchant's order id.
    pub order_id: Option<String>,
    /// The description sent.
    pub description: Option<String>,
    /// `other_attr` as sent (echoed in the callback).
    pub other_attr: Value,
    /// The saved card used or registered.
    pub card_id: Option<String>,
    /// The split receiver's EPoint user id.
    pub split_user: Option<String>,
    /// The split receiver's share.
    pub split_amount: Option<Money>,
    /// Current state.
    pub status: TxStatus,
    /// The bank's 3-character action code once settled.
    pub code: Option<String>,
    /// The human-readable result.
    pub message: Option<String>,
    /// Retrieval reference number (success only).
    pub rrn: Option<String>,
    /// The bank's transaction id.
    pub bank_transaction: Option<String>,
    /// Masked card number.
    pub card_mask: Option<String>,
    /// Cardholder name.
    pub card_name: Option<String>,
    /// Where the customer lands after success.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after a failure.
    pub error_redirect_url: Option<String>,
    /// The integer id of a token payment.
    pub token_payment_id: Option<i64>,
    /// Created at (sandbox clock).
    pub created_at: OffsetDateTime,
    /// Last change (sandbox clock).
    pub updated_at: OffsetDateTime,
}

/// A saved card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// `ce` + 9 digits.
    pub id: String,
    /// The owning merchant's public key.
    pub merchant: String,
    /// True once the customer entered the card on the hosted page.
    pub active: bool,
    /// Masked number, once active.
    pub mask: Option<String>,
    /// Cardholder name, once active.
    pub holder: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) transactions: HashMap<String, Transaction>,
    pub(super) cards: HashMap<String, Card>,
    pub(super) token_payments: HashMap<i64, String>,
    next_tx: u64,
    next_card: u64,
    next_token: i64,
}

impl Store {
    pub(super) fn new_transaction_id(&mut self) -> String {
        self.next_tx += 1;
        format!("te{:09}", self.next_tx)
    }

    pub(super) fn new_card_id(&mut self) -> String {
        self.next_card += 1;
        format!("ce{:09}", self.next_card)
    }

    pub(super) fn new_token_id(&mut self) -> i64 {
        self.next_token += 1;
        self.next_token
    }
}
