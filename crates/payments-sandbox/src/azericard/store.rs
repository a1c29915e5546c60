//! AzeriCard's in-memory records, each in a bounded store (limits in
//! [`limits`], documented in `docs/sandbox/azericard.md`): orders and their
//! hosted pages, saved cards (tokens), used NONCEs, card transfers.

use payments_core::Money;
use time::OffsetDateTime;

use super::Order;
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

/// The stored-credential agreement a card was registered under (srustamov §7 [U]).
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
