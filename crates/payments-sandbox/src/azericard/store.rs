//! AzeriCard's in-memory records, each in a bounded store (limits in
//! [`limits`], documented in `docs/sandbox/azericard.md`): orders and their
//! hosted pages, saved cards (tokens), used NONCEs, card transfers.

use payments_core::Money;

use time::OffsetDateTime;

use crate::epoint::bounded::Bounded;

/// The limits of each store.
pub mod limits {
    use crate::epoint::bounded::Limits;

    /// Orders (and their hosted pages): 50,000 or 64 MiB, oldest evicted.
    pub const ORDERS: Limits = Limits {
        max_entries: 50_000,
        max_bytes: 64 << 20,
        ttl: None,
    };
    /// Saved cards (tokens): 20,000, oldest evicted.
    pub const TOKENS: Limits = Limits {
        max_entries: 20_000,
        max_bytes: 16 << 20,
        ttl: None,
    };
    /// Used NONCEs: kept 2 hours (a TIMESTAMP is accepted ±1 hour, so a
    /// replay after that is refused by its TIMESTAMP), at most 200,000.
    pub const NONCES: Limits = Limits {
        max_entries: 200_000,
        max_bytes: 32 << 20,
        ttl: Some(time::Duration::hours(2)),
    };
    /// Card transfers: 10,000 or 16 MiB, oldest evicted.
    pub const TRANSFERS: Limits = Limits {
        max_entries: 10_000,
        max_bytes: 16 << 20,
        ttl: None,
    };
}

/// The stored-credential agreement a card was registered under (srustamov §7 \[U\]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// `MIT_AGREEMENT=Y`: scheduled recurring (TRTYPE 3 charges); `N`: unscheduled MIT.
    pub scheduled: bool,
    /// `MERCH_RN_ID` of the registration.
    pub merch_rn_id: String,
    /// `RECUR_FREQ`: minimum days between two authorizations (scheduled only).
    pub frequency_days: Option<u32>,
    /// `RECUR_EXP`: the last day charges are accepted (scheduled only).
    pub expiry: Option<time::Date>,
}

/// A saved card (TOKEN).
#[derive(Debug, Clone)]
pub struct StoredCard {
    /// The 28-character token.
    pub token: String,
    /// The terminal that registered it.
    pub terminal: String,
    /// Masked PAN.
    pub mask: String,
    /// The MIT/recurring agreement, when registered with one.
    pub agreement: Option<Agreement>,
    /// `EXT_NET_REF` of the registration (MIT and recurring registrations only).
    pub ext_net_ref: Option<String>,
    /// The last approved authorization with this card (registration included).
    pub last_authorization: OffsetDateTime,
}

#[derive(Debug)]
pub(super) struct Store {
    pub(super) orders: Bounded<String, Order>,
    pub(super) pages: Bounded<String, String>,
    pub(super) tokens: Bounded<String, StoredCard>,
    pub(super) nonces: Bounded<String, ()>,
    pub(super) transfers: Bounded<String, super::Transfer>,
    pub(super) operations: Bounded<String, String>,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            orders: Bounded::new(limits::ORDERS),
            pages: Bounded::new(limits::ORDERS),
            tokens: Bounded::new(limits::TOKENS),
            nonces: Bounded::new(limits::NONCES),
            transfers: Bounded::new(limits::TRANSFERS),
            operations: Bounded::new(limits::TRANSFERS),
        }
    }
}

impl Store {
    /// Stores an order and its page; an evicted order takes its page along.
    pub(super) fn put_order(&mut self, order: Order, now: OffsetDateTime) {
        let size = 768 + order.description.len() + order.backref.len() + order.amount_text.len();
        self.pages.insert(order.int_ref.clone(), order.order.clone(), 64, now);
        for (_, old) in self.orders.insert(order.order.clone(), order, size, now) {
            self.pages.remove(&old.int_ref);
        }
    }

    /// Stores a saved card.
    pub(super) fn put_token(&mut self, card: StoredCard, now: OffsetDateTime) {
        self.tokens.insert(card.token.clone(), card, 256, now);
    }

    /// Records a NONCE; false if it was used within the window.
    pub(super) fn use_nonce(&mut self, nonce: &str, now: OffsetDateTime) -> bool {
        let key = nonce.to_ascii_lowercase();
        if self.nonces.contains(&key, now) {
            return false;
        }
        self.nonces.insert(key, (), 48, now);
        true
    }

    /// Stores a transfer under its SRN and OperationID.
    pub(super) fn put_transfer(&mut self, t: super::Transfer, now: OffsetDateTime) {
        let size = 512 + t.receiver.len() + t.redirect_link.len();
        self.operations.insert(t.operation_id.clone(), t.srn.clone(), 64, now);
        for (_, old) in self.transfers.insert(t.srn.clone(), t, size, now) {
            self.operations.remove(&old.operation_id);
        }
    }
}

/// A follow-up (21, 22, 24) recorded on an order, for the status query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// 21, 22 or 24.
    pub trtype: u8,
    /// AMOUNT as sent.
    pub amount_text: String,
    /// AMOUNT parsed.
    pub amount: Money,
    /// When the gateway accepted it.
    pub at: OffsetDateTime,
}

/// An order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// Waiting on the hosted page (or the bank never answered).
    Pending,
    /// Approved: captured (TRTYPE 1, 3) or held (TRTYPE 0).
    Approved,
    /// Declined.
    Declined,
    /// A hold completed with TRTYPE 21.
    Completed,
    /// A hold released with TRTYPE 22/24.
    Reversed,
    /// Everything captured was refunded.
    Refunded,
}

impl OrderState {
    /// The text of the status answer's `Transaction state`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Pending => "Pending",
            OrderState::Approved => "Approved",
            OrderState::Declined => "Declined",
            OrderState::Completed => "Completed",
            OrderState::Reversed => "Reversed",
            OrderState::Refunded => "Refunded",
        }
    }
}

/// How a stored card is used by an order (the `/token/cgi_link` flows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenUse {
    /// `TOKEN_ACTION=REGISTER` (§6.1), optionally with an MIT/recurring
    /// agreement (§7.1, §7.3).
    Register(Option<Agreement>),
    /// A browser payment with a `TOKEN` (§6.2, or §6.3 with `MERCH_TRAN_STATE=C`).
    Pay(String),
    /// A server-to-server charge with a `TOKEN` (§7.2 MIT, §7.4 recurring).
    Charge(String),
}

/// One authorization (ORDER).
#[derive(Debug, Clone)]
pub struct Order {
    /// ORDER.
    pub order: String,
    /// TERMINAL.
    pub terminal: String,
    /// TRTYPE of the authorization: 0 (hold), 1 (purchase) or 3 (recurring).
    pub trtype: u8,
    /// AMOUNT as sent (echoed and signed as text).
    pub amount_text: String,
    /// AMOUNT parsed.
    pub amount: Money,
    /// CURRENCY as sent.
    pub currency: String,
    /// DESC (empty for server-to-server charges).
    pub description: String,
    /// BACKREF: where the callback goes (empty for server-to-server charges).
    pub backref: String,
    /// INT_REF (the hosted page's id).
    pub int_ref: String,
    /// RRN.
    pub rrn: String,
    /// APPROVAL once approved.
    pub approval: Option<String>,
    /// ACTION once settled.
    pub action: Option<String>,
    /// RC once settled.
    pub rc: Option<String>,
    /// State.
    pub state: OrderState,
    /// Captured (purchase, or completion of a hold).
    pub captured: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// Masked card once approved.
    pub card_mask: Option<String>,
    /// The stored-card flow, if any.
    pub token_use: Option<TokenUse>,
    /// The saved-card token, once registered or used.
    pub token: Option<String>,
    /// `EXT_NET_REF` of an MIT/recurring registration, once approved.
    pub ext_net_ref: Option<String>,
    /// Completions and reversals, in order.
    pub follow_ups: Vec<FollowUp>,
    /// When the gateway accepted it.
    pub created_at: OffsetDateTime,
}

/// A card transfer (MT).
#[derive(Debug, Clone)]
pub struct Transfer {
    /// OperationID (16 digits).
    pub operation_id: String,
    /// The merchant's SRN.
    pub srn: String,
    /// Amount as sent.
    pub amount: String,
    /// Cur as sent (`944`).
    pub cur: String,
    /// ReceiverCredentials.
    pub receiver: String,
    /// RedirectLink.
    pub redirect_link: String,
    /// `new` (waiting for the card), `pending`, `confirmed`, `declined`, `cancelled`.
    pub status: String,
    /// Masked receiver card, once entered.
    pub receiver_pan: Option<String>,
    /// `our_active`, `our_inactive` or `foreign`.
    pub card_status: Option<String>,
    /// RRN, once confirmed.
    pub rrn: Option<String>,
}
