//! What the emulator keeps: tokens, transactions, saved cards, invoice links,
//! page sessions, transfers and QR bills.

use std::sync::Arc;

use rust_decimal::Decimal;
use time::OffsetDateTime;

/// What an access token allows.
#[derive(Debug, Clone)]
pub(super) enum Grant {
    /// A token scoped to one invoice (payment page, saved card, cryptopay, QR,
    /// transfer when its scope says `transfer`).
    Payment(Arc<PaymentScope>),
    /// A service token for a terminal.
    Service { terminal: String },
    /// A client token without a terminal (saved-card list and deactivation).
    Merchant,
    /// A password-grant token of a user.
    Password { username: String },
    /// A transfer-scope token without an invoice (P2P redirect to form): the
    /// transfer API refuses it.
    TransferForm,
}

/// The payment a per-invoice token was issued for.
#[derive(Debug, Clone)]
pub(super) struct PaymentScope {
    pub(super) invoice_id: String,
    pub(super) amount: Decimal,
    pub(super) currency: String,
    pub(super) terminal: String,
    pub(super) secret_hash: String,
    pub(super) post_link: Option<String>,
    pub(super) failure_post_link: Option<String>,
    /// The token's scope names `transfer`.
    pub(super) transfer: bool,
}

/// An access token. Refresh tokens point at the same `Arc`, so a refresh
/// copies nothing and cannot change the grant.
#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) client_id: String,
    pub(super) scope: String,
    pub(super) grant: Grant,
}

/// A transaction's state, as `statusName` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxStatus {
    Auth,
    Charge,
    Cancel,
    Refund,
    Failed,
    /// Waiting for the payer's 3-D Secure step, which never comes (the "timeout" card).
    Pending3ds,
}

impl TxStatus {
    pub(super) fn name(self) -> &'static str {
        match self {
            TxStatus::Auth => "AUTH",
            TxStatus::Charge => "CHARGE",
            TxStatus::Cancel => "CANCEL",
            TxStatus::Refund => "REFUND",
            TxStatus::Failed => "FAILED",
            TxStatus::Pending3ds => "3D",
        }
    }

    pub(super) fn id(self) -> &'static str {
        match self {
            TxStatus::Auth => "2",
            TxStatus::Charge => "4",
            TxStatus::Cancel => "5",
            TxStatus::Refund => "6",
            TxStatus::Failed => "7",
            TxStatus::Pending3ds => "3",
        }
    }

    /// A payment that went through (so the invoiceId cannot be paid again).
    pub(super) fn is_paid(self) -> bool {
        !matches!(self, TxStatus::Failed | TxStatus::Pending3ds)
    }
}

/// What the payer gave: from a payment token plus the `halyk.pay` object, or an invoice link.
#[derive(Debug, Clone, Default)]
pub(super) struct PaymentOrder {
    pub(super) invoice_id: String,
    pub(super) invoice_id_alt: String,
    pub(super) amount: Decimal,
    pub(super) currency: String,
    pub(super) terminal: String,
    pub(super) secret_hash: String,
    pub(super) post_link: Option<String>,
    pub(super) failure_post_link: Option<String>,
    pub(super) back_link: String,
    pub(super) failure_back_link: String,
    pub(super) description: String,
    pub(super) account_id: String,
    pub(super) language: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) data: String,
    pub(super) card_save: bool,
    /// The saved card paid with (`/payments/cards/auth`).
    pub(super) saved_card_id: Option<String>,
    pub(super) invoice_link_id: Option<String>,
}

impl PaymentOrder {
    /// A card verification: amount 0 in USD, only saves the card.
    pub(super) fn is_verification(&self) -> bool {
        self.amount.is_zero() && self.currency == "USD"
    }
}

#[derive(Debug, Clone)]
pub(super) struct Txn {
    pub(super) id: String,
    /// Creation order (the sandbox clock may stand still between payments).
    pub(super) seq: u64,
    pub(super) order: PaymentOrder,
    pub(super) status: TxStatus,
    /// Authorized amount.
    pub(super) amount: Decimal,
    pub(super) charged: Decimal,
    pub(super) refunded: Decimal,
    pub(super) created: OffsetDateTime,
    pub(super) card_mask: String,
    pub(super) card_type: String,
    pub(super) card_id: String,
    pub(super) approval_code: String,
    pub(super) reference: String,
    pub(super) int_reference: String,
    pub(super) reason: String,
    pub(super) reason_code: String,
    pub(super) secure: bool,
    /// (externalID, amount) of each refund; at most [`super::store::MAX_REFUNDS_PER_TXN`].
    pub(super) refunds: Vec<(String, Decimal)>,
}

#[derive(Debug, Clone)]
pub(super) struct SavedCard {
    pub(super) id: String,
    pub(super) terminal: String,
    pub(super) account_id: String,
    pub(super) mask: String,
    pub(super) card_type: String,
    pub(super) number: String,
    pub(super) transaction_id: String,
    pub(super) created: OffsetDateTime,
    pub(super) active: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Invoice {
    pub(super) id: String,
    pub(super) invoice_id: String,
    pub(super) amount: Decimal,
    pub(super) language: String,
    pub(super) currency: String,
    pub(super) description: String,
    pub(super) account_id: String,
    pub(super) recipient_contact: String,
    pub(super) recipient_contact_sms: String,
    pub(super) notifier_contact_sms: String,
    pub(super) expire_period: String,
    pub(super) post_link: String,
    pub(super) failure_post_link: String,
    pub(super) back_link: String,
    pub(super) failure_back_link: String,
    pub(super) created: OffsetDateTime,
    pub(super) expires: OffsetDateTime,
    pub(super) updated: Option<OffsetDateTime>,
    /// ACTIVE, CHARGED or DEACTIVATED (EXPIRED is derived from the clock).
    pub(super) status: &'static str,
}

/// A payment page opened by `halyk.pay` (or the POST it makes).
#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) token: String,
    pub(super) order: PaymentOrder,
}

/// Which transfer API was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TransferKind {
    /// Card to card (`/p2p/transfer`).
    P2p,
    /// Card debit to the merchant (`/chdebit/transfer`).
    Aft,
    /// Payout to a card (`/chpayment/transfer`).
    Oct,
}

impl TransferKind {
    pub(super) fn name(self) -> &'static str {
        match self {
            TransferKind::P2p => "P2P",
            TransferKind::Aft => "AFT",
            TransferKind::Oct => "OCT",
        }
    }
}

/// One side of a transfer as stored (never the full card number).
#[derive(Debug, Clone, Default)]
pub(super) struct TransferSide {
    pub(super) card_id: String,
    pub(super) pan: String,
    pub(super) card_type: String,
    pub(super) transfer_type: String,
}

#[derive(Debug, Clone)]
pub(super) struct Transfer {
    pub(super) id: String,
    pub(super) kind: TransferKind,
    pub(super) order_id: String,
    pub(super) terminal: String,
    pub(super) amount: Decimal,
    pub(super) currency: String,
    pub(super) description: String,
    pub(super) email: String,
    pub(super) status: TxStatus,
    pub(super) reason: String,
    pub(super) reference: String,
    pub(super) int_reference: String,
    pub(super) created: OffsetDateTime,
    pub(super) sender: TransferSide,
    pub(super) receiver: TransferSide,
}

/// A QR-by-API bill.
#[derive(Debug, Clone)]
pub(super) struct QrBill {
    pub(super) bill_number: String,
    pub(super) qrcode: String,
    pub(super) order: PaymentOrder,
    pub(super) created: OffsetDateTime,
    /// NEW, SCANNED, PAID or REJECTED (REJECTED after 20 minutes is derived).
    pub(super) status: &'static str,
    pub(super) ret_code: String,
    pub(super) err_description: String,
    pub(super) transaction_id: Option<String>,
}
