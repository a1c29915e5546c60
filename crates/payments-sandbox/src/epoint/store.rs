//! EPoint's in-memory records: transactions, saved cards, token payments,
//! invoices and B2B transfers, each in a [`Bounded`] store (limits in
//! [`limits`], documented in `docs/sandbox/epoint.md`).

use payments_core::Money;
use serde_json::Value;
use time::OffsetDateTime;

use super::bounded::{Bounded, Limits};

/// The limits of each store.
pub mod limits {
    use super::Limits;

    /// Transactions (hosted-page sessions included): 50,000 or 64 MiB, oldest evicted.
    pub const TRANSACTIONS: Limits = Limits {
        max_entries: 50_000,
        max_bytes: 64 << 20,
        ttl: None,
    };
    /// Saved cards: 20,000 or 8 MiB, oldest evicted.
    pub const CARDS: Limits = Limits {
        max_entries: 20_000,
        max_bytes: 8 << 20,
        ttl: None,
    };
    /// Invoices: 10,000 or 32 MiB, oldest evicted.
    pub const INVOICES: Limits = Limits {
        max_entries: 10_000,
        max_bytes: 32 << 20,
        ttl: None,
    };
    /// B2B transfers: 10,000 or 16 MiB, oldest evicted.
    pub const B2B: Limits = Limits {
        max_entries: 10_000,
        max_bytes: 16 << 20,
        ttl: None,
    };
}

/// Which request created a transaction; decides the callback's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `request`.
    Pay,
    /// `checkout` (the browser form variant of `request`).
    Checkout,
    /// `payment-request`.
    PaymentRequest,
    /// `amex-request`.
    AmexRequest,
    /// `payment-change-sum`.
    PaymentChangeSum,
    /// `pre-auth-request`: a hold, captured with `pre-auth-complete`.
    PreAuth,
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
    /// `wallet/payment`.
    WalletPay,
    /// `installment-request`.
    Installment,
    /// `token/widget`.
    Widget,
    /// `token/payment` (paid later through Apple Pay or Google Pay).
    TokenPayment,
    /// `token/split-payment`.
    TokenSplitPayment,
}

impl Kind {
    /// Whether the customer pays on a hosted page and EPoint sends a callback.
    pub fn has_callback(self) -> bool {
        matches!(
            self,
            Kind::Pay
                | Kind::Checkout
                | Kind::PaymentRequest
                | Kind::AmexRequest
                | Kind::PaymentChangeSum
                | Kind::PreAuth
                | Kind::SaveCard
                | Kind::PayAndSaveCard
                | Kind::SplitPay
                | Kind::SplitPayAndSaveCard
                | Kind::WalletPay
                | Kind::Installment
        )
    }

    /// Whether the operation saves the customer's card.
    pub fn saves_card(self) -> bool {
        matches!(self, Kind::SaveCard | Kind::PayAndSaveCard | Kind::SplitPayAndSaveCard)
    }

    /// Whether the hosted page is the token widget's.
    pub fn is_widget(self) -> bool {
        self == Kind::Widget
    }

    /// Whether a split share goes to another EPoint user.
    pub fn is_split(self) -> bool {
        matches!(
            self,
            Kind::SplitPay | Kind::SplitPayAndSaveCard | Kind::SplitExecutePay | Kind::TokenSplitPayment
        )
    }

    /// Whether the transaction is a payment token (Apple/Google Pay).
    pub fn is_token_payment(self) -> bool {
        matches!(self, Kind::TokenPayment | Kind::TokenSplitPayment)
    }
}

/// A transaction's state, as get-status reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    /// Waiting for the customer (hosted page) or the bank.
    New,
    /// Paid (possibly partly refunded); for a hold: authorized.
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
    /// The amount (none for card registration); for a hold, the held amount.
    pub amount: Option<Money>,
    /// A hold's captured amount, once `pre-auth-complete` ran.
    pub captured: Option<Money>,
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
    /// `is_installment: 1` was sent.
    pub is_installment: bool,
    /// The wallet of a `wallet/payment`.
    pub wallet_id: Option<String>,
    /// The installment card and months of an `installment-request`.
    pub installment: Option<(String, u32)>,
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

impl Transaction {
    /// What can be refunded at most: the amount paid, or a hold's captured part.
    pub fn captured_amount(&self) -> Option<Money> {
        match self.kind {
            Kind::SaveCard | Kind::Payout => None,
            Kind::PreAuth => self.captured,
            _ if self.status == TxStatus::Success || self.status == TxStatus::Returned => self.amount,
            _ => None,
        }
    }

    /// Rough memory use, for the store's byte cap.
    pub(super) fn size(&self) -> usize {
        let s = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        512 + s(&self.order_id)
            + s(&self.description)
            + s(&self.success_redirect_url)
            + s(&self.error_redirect_url)
            + s(&self.split_user)
            + s(&self.wallet_id)
            + if self.other_attr.is_null() {
                0
            } else {
                self.other_attr.to_string().len()
            }
    }
}

/// A saved card's state, as get-status-card reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStatus {
    /// Registered, the customer has not entered it yet.
    New,
    /// Usable.
    Active,
    /// The registration was declined.
    Rejected,
}

impl CardStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            CardStatus::New => "new",
            CardStatus::Active => "active",
            CardStatus::Rejected => "rejected",
        }
    }
}

/// A saved card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// `ce` + 8 digits (the form of the spec's vector E3).
    pub id: String,
    /// The owning merchant's public key.
    pub merchant: String,
    /// Registered with `refund: 1`: a card that receives payouts, not one that pays.
    pub payout: bool,
    /// State.
    pub status: CardStatus,
    /// The registration's description.
    pub description: Option<String>,
    /// Masked number, once active.
    pub mask: Option<String>,
    /// Cardholder name, once active.
    pub holder: Option<String>,
    /// `MM/YY`, once active.
    pub expiry: Option<String>,
}

impl Card {
    /// True once the customer entered the card on the hosted page.
    pub fn active(&self) -> bool {
        self.status == CardStatus::Active
    }
}

/// An invoice's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    /// Created, not paid.
    WaitingForPayment,
    /// Paid.
    Paid,
    /// Cancelled.
    Canceled,
}

impl InvoiceStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::WaitingForPayment => "waiting_for_payment",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Canceled => "canceled",
        }
    }
}

/// An invoice (`invoices/create`).
#[derive(Debug, Clone)]
pub struct Invoice {
    /// Numeric id.
    pub id: i64,
    /// The owning merchant.
    pub merchant: String,
    /// State.
    pub status: InvoiceStatus,
    /// Every field as last accepted (create or update), in wire form.
    pub fields: serde_json::Map<String, Value>,
    /// SMS sent so far (send-sms).
    pub sms_sent: Vec<String>,
    /// E-mails sent so far (send-email).
    pub emails_sent: Vec<String>,
    /// Created at.
    pub created_at: OffsetDateTime,
}

/// A B2B transfer's state (upper case on the wire, unlike the rest of the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum B2bStatus {
    /// Accepted.
    Pending,
    /// At the bank.
    Processing,
    /// Paid out.
    Success,
    /// Failed.
    Failed,
}

impl B2bStatus {
    /// The wire value of the status call.
    pub fn as_str(self) -> &'static str {
        match self {
            B2bStatus::Pending => "PENDING",
            B2bStatus::Processing => "PROCESSING",
            B2bStatus::Success => "SUCCESS",
            B2bStatus::Failed => "FAILED",
        }
    }
}

/// A B2B bank transfer.
#[derive(Debug, Clone)]
pub struct B2bTransfer {
    /// The merchant.
    pub merchant: String,
    /// The merchant's order id.
    pub order_id: String,
    /// EPoint's `bulkId`.
    pub bulk_id: String,
    /// Amount.
    pub amount: Money,
    /// Payee IBAN (upper case).
    pub iban: String,
    /// Payee name.
    pub name: String,
    /// Where the webhook goes.
    pub webhook_url: Option<String>,
    /// State.
    pub status: B2bStatus,
    /// The terminal state it will reach (chosen by the magic amount); `None` never ends.
    pub outcome: Option<(B2bStatus, Option<String>)>,
    /// Whether the webhook was sent.
    pub webhook_sent: bool,
    /// Created at.
    pub created_at: OffsetDateTime,
}

#[derive(Debug)]
pub(super) struct Store {
    pub(super) transactions: Bounded<String, Transaction>,
    pub(super) cards: Bounded<String, Card>,
    pub(super) invoices: Bounded<i64, Invoice>,
    pub(super) b2b: Bounded<String, B2bTransfer>,
    pub(super) token_payments: std::collections::HashMap<i64, String>,
    next_tx: u64,
    next_card: u64,
    next_token: i64,
    next_invoice: i64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            transactions: Bounded::new(limits::TRANSACTIONS),
            cards: Bounded::new(limits::CARDS),
            invoices: Bounded::new(limits::INVOICES),
            b2b: Bounded::new(limits::B2B),
            token_payments: std::collections::HashMap::new(),
            next_tx: 0,
            next_card: 0,
            next_token: 0,
            next_invoice: 0,
        }
    }
}

impl Store {
    pub(super) fn new_transaction_id(&mut self) -> String {
        self.next_tx += 1;
        format!("te{:09}", self.next_tx)
    }

    pub(super) fn new_card_id(&mut self) -> String {
        self.next_card += 1;
        format!("ce{:08}", self.next_card)
    }

    pub(super) fn new_token_id(&mut self) -> i64 {
        self.next_token += 1;
        self.next_token
    }

    pub(super) fn new_invoice_id(&mut self) -> i64 {
        self.next_invoice += 1;
        self.next_invoice
    }

    /// Stores a transaction; an evicted token payment loses its id mapping too.
    pub(super) fn put_transaction(&mut self, tx: Transaction, now: OffsetDateTime) {
        let size = tx.size();
        for (_, old) in self.transactions.insert(tx.id.clone(), tx, size, now) {
            if let Some(t) = old.token_payment_id {
                self.token_payments.remove(&t);
            }
        }
    }

    /// Stores a card.
    pub(super) fn put_card(&mut self, card: Card, now: OffsetDateTime) {
        let size = 256 + card.description.as_ref().map_or(0, String::len);
        self.cards.insert(card.id.clone(), card, size, now);
    }
}
