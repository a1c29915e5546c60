//! The emulator's state: one lock around bounded maps, held only for short
//! look-ups and updates (never while matching a search pattern or rendering).
//!
//! | store | cap | time to live |
//! |---|---|---|
//! | access tokens | [`MAX_TOKENS`] | 900 s |
//! | refresh tokens (share the access token's grant, copy nothing) | [`MAX_TOKENS`] | [`REFRESH_LIFETIME_SECS`] |
//! | page sessions | [`MAX_SESSIONS`] | 900 s |
//! | transactions | [`MAX_TXNS`] | none (oldest evicted) |
//! | invoice links | [`MAX_INVOICES`] | none (oldest evicted) |
//! | saved cards | [`MAX_CARDS`] | none (oldest evicted) |
//! | subscriptions, transfers, QR bills | [`MAX_TXNS`] | none (oldest evicted) |
//!
//! Worst case, with every field at its bound (links 1 KiB, free text 256 B):
//! about 6 KiB per transaction or session and 2.5 KiB per token, so roughly
//! 120 MiB for full transaction stores plus 25 MiB of tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use time::{Duration, OffsetDateTime};

use super::credentials::{Client, default_clients};
use super::credentials::{
    INVOICE_TERMINAL, OCT_TERMINAL, P2P_TERMINAL, QR_TERMINAL, REFRESH_LIFETIME_SECS, TEST_TERMINAL,
    TOKEN_LIFETIME_SECS,
};
use super::model::{Invoice, QrBill, SavedCard, Session, Token, Transfer, Txn};
use super::util::{card_info, uuid};
use crate::Shared;
use crate::bounded::BoundedMap;

/// Access (and refresh) tokens kept at most.
pub const MAX_TOKENS: usize = 10_000;
/// Hosted-page sessions kept at most.
pub const MAX_SESSIONS: usize = 5_000;
/// Transactions (and transfers, subscriptions, QR bills) kept at most.
pub const MAX_TXNS: usize = 20_000;
/// Invoice links kept at most.
pub const MAX_INVOICES: usize = 20_000;
/// Saved cards kept at most.
pub const MAX_CARDS: usize = 20_000;
/// Refunds recorded per transaction at most (further partial refunds are refused).
pub const MAX_REFUNDS_PER_TXN: usize = 100;

#[derive(Debug)]
pub(super) struct Store {
    pub(super) tokens: BoundedMap<String, Arc<Token>>,
    pub(super) refresh_tokens: BoundedMap<String, Arc<Token>>,
    pub(super) txns: BoundedMap<String, Txn>,
    pub(super) invoices: BoundedMap<String, Arc<Invoice>>,
    pub(super) cards: BoundedMap<String, SavedCard>,
    pub(super) sessions: BoundedMap<String, Session>,
    pub(super) subscriptions: BoundedMap<String, String>,
    pub(super) transfers: BoundedMap<String, Transfer>,
    pub(super) qr_bills: BoundedMap<String, QrBill>,
    /// Indexes, so no request scans a whole store under the lock:
    /// (terminal, last 6 digits of a paid invoiceId) -> transaction id.
    pub(super) paid_tails: BoundedMap<(String, String), String>,
    /// (terminal, invoiceId) -> its latest transaction id.
    pub(super) latest: BoundedMap<(String, String), String>,
    /// Last 6 digits of every invoice link's invoice_id.
    pub(super) invoice_tails: BoundedMap<String, ()>,
    /// (terminal, last 6 digits of a transferred order id).
    pub(super) paid_transfer_tails: BoundedMap<(String, String), ()>,
    /// (terminal, order id) -> its latest transfer id.
    pub(super) latest_transfer: BoundedMap<(String, String), String>,
    /// Access token -> its QR bill number (one bill per token).
    pub(super) bill_by_token: BoundedMap<String, String>,
    pub(super) two_step: HashMap<String, bool>,
    pub(super) next_seq: u64,
    /// Whether created invoice links carry the seed's stray leading spaces.
    pub(super) plain_invoice_urls: bool,
}

impl Store {
    fn new() -> Store {
        let token_ttl = Some(Duration::seconds(TOKEN_LIFETIME_SECS));
        let mut two_step = HashMap::new();
        two_step.insert(TEST_TERMINAL.to_owned(), true);
        for t in [INVOICE_TERMINAL, P2P_TERMINAL, OCT_TERMINAL, QR_TERMINAL] {
            two_step.insert(t.to_owned(), false);
        }
        Store {
            tokens: BoundedMap::new(MAX_TOKENS, token_ttl),
            refresh_tokens: BoundedMap::new(MAX_TOKENS, Some(Duration::seconds(REFRESH_LIFETIME_SECS))),
            txns: BoundedMap::new(MAX_TXNS, None),
            invoices: BoundedMap::new(MAX_INVOICES, None),
            cards: BoundedMap::new(MAX_CARDS, None),
            sessions: BoundedMap::new(MAX_SESSIONS, token_ttl),
            subscriptions: BoundedMap::new(MAX_TXNS, None),
            transfers: BoundedMap::new(MAX_TXNS, None),
            qr_bills: BoundedMap::new(MAX_TXNS, None),
            paid_tails: BoundedMap::new(MAX_TXNS, None),
            latest: BoundedMap::new(MAX_TXNS, None),
            invoice_tails: BoundedMap::new(MAX_INVOICES, None),
            paid_transfer_tails: BoundedMap::new(MAX_TXNS, None),
            latest_transfer: BoundedMap::new(MAX_TXNS, None),
            bill_by_token: BoundedMap::new(MAX_TXNS, None),
            two_step,
            next_seq: 0,
            plain_invoice_urls: false,
        }
    }

    /// The latest transaction of an invoiceId on a terminal (an index look-up).
    pub(super) fn latest_txn(&self, terminal: &str, invoice_id: &str, now: OffsetDateTime) -> Option<&Txn> {
        let id = self.latest.get(&(terminal.to_owned(), invoice_id.to_owned()), now)?;
        self.txns.get(id, now)
    }

    /// The latest transaction of an invoiceId on any terminal (a scan: test helper only).
    fn latest_txn_anywhere(&self, invoice_id: &str, now: OffsetDateTime) -> Option<&Txn> {
        self.txns
            .values(now)
            .filter(|t| t.order.invoice_id == invoice_id)
            .max_by_key(|t| (t.created, t.seq))
    }
}

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    pub(super) shared: Arc<Shared>,
    store: Mutex<Store>,
    clients: Mutex<Vec<Client>>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        State {
            shared,
            store: Mutex::new(Store::new()),
            clients: Mutex::new(default_clients()),
        }
    }

    fn clients(&self) -> MutexGuard<'_, Vec<Client>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A registered API client by id.
    pub(super) fn client(&self, id: &str) -> Option<Client> {
        self.clients().iter().find(|c| c.id == id).cloned()
    }

    /// For the diagnosis: whether `username` is a password-grant user of
    /// `client_id`, and whether `password` is its password (constant time).
    pub(crate) fn user_check(&self, client_id: &str, username: &str, password: &str) -> (bool, bool) {
        let mut known = false;
        let mut matches = false;
        for (c, u, p) in super::credentials::USERS {
            if c == client_id && payments_core::crypto::constant_time_eq(u.as_bytes(), username.as_bytes()) {
                known = true;
                matches = payments_core::crypto::constant_time_eq(p.as_bytes(), password.as_bytes());
            }
        }
        (known, matches)
    }

    /// A client's current secret (for the control API's answers: test credentials).
    pub(crate) fn client_secret(&self, client_id: &str) -> Option<String> {
        self.client(client_id).map(|c| c.secret)
    }

    /// The client that owns a terminal.
    pub fn terminal_owner(&self, terminal: &str) -> Option<String> {
        self.clients()
            .iter()
            .find(|c| c.terminals.iter().any(|t| t == terminal))
            .map(|c| c.id.clone())
    }

    /// The terminals of a registered client.
    pub fn client_terminals(&self, client_id: &str) -> Option<Vec<String>> {
        self.client(client_id).map(|c| c.terminals)
    }

    /// Registers an API client with its secret and terminals, or updates one
    /// (a new secret, terminals added); returns true when it is new. A new
    /// terminal is one-step unless [`State::set_two_step`] says otherwise.
    pub fn add_client(&self, client_id: &str, client_secret: &str, terminals: &[String]) -> bool {
        let mut clients = self.clients();
        match clients.iter_mut().find(|c| c.id == client_id) {
            Some(c) => {
                c.secret = client_secret.to_owned();
                for t in terminals {
                    if !c.terminals.contains(t) {
                        c.terminals.push(t.clone());
                    }
                }
                false
            }
            None => {
                clients.push(Client {
                    id: client_id.to_owned(),
                    secret: client_secret.to_owned(),
                    terminals: terminals.to_vec(),
                });
                true
            }
        }
    }

    /// Replaces a client's secret (tokens already issued stay valid until they
    /// expire, as at ePay); false for an unknown client.
    pub fn rotate_client_secret(&self, client_id: &str, client_secret: &str) -> bool {
        match self.clients().iter_mut().find(|c| c.id == client_id) {
            Some(c) => {
                c.secret = client_secret.to_owned();
                true
            }
            None => false,
        }
    }

    /// Whether a terminal is two-step (approval authorizes) or one-step.
    pub fn is_two_step(&self, terminal: &str) -> bool {
        self.store().two_step.get(terminal).copied().unwrap_or(false)
    }

    /// What the sandbox knows of an access token, for the diagnosis: the
    /// client, scope, grant and when it expires (`None`: unknown or expired).
    pub(crate) fn token_facts(&self, token: &str) -> Option<serde_json::Value> {
        let now = self.now();
        let t = self.store().tokens.get(token, now).cloned()?;
        let (grant, terminal, invoice) = match &t.grant {
            super::model::Grant::Payment(p) => (
                "payment (client_credentials with invoiceID)",
                Some(p.terminal.clone()),
                Some(p.invoice_id.clone()),
            ),
            super::model::Grant::Service { terminal } => (
                "service (client_credentials with terminal)",
                Some(terminal.clone()),
                None,
            ),
            super::model::Grant::Merchant => ("client (client_credentials without terminal)", None, None),
            super::model::Grant::TransferForm => ("P2P form (scope transfer, no invoice)", None, None),
            super::model::Grant::Password { .. } => ("password", None, None),
        };
        Some(serde_json::json!({
            "client_id": t.client_id,
            "scope": t.scope,
            "grant": grant,
            "terminal": terminal,
            "invoice_id": invoice,
        }))
    }

    /// The stored `secret_hash` of the latest payment of an invoiceId (for the
    /// diagnosis only: it is compared, never shown).
    pub(crate) fn secret_hash_of(&self, invoice_id: &str) -> Option<String> {
        let now = self.now();
        self.store()
            .latest_txn_anywhere(invoice_id, now)
            .map(|t| t.order.secret_hash.clone())
    }

    pub(super) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn now(&self) -> OffsetDateTime {
        use payments_core::clock::Clock;
        self.shared.clock.now()
    }

    /// The OAuth token URL (`{base}/epay/oauth2/token`).
    pub fn token_url(&self) -> String {
        format!("{}/epay/oauth2/token", self.shared.base_url)
    }

    /// The API base URL (`{base}/epay/api`); operation paths follow the spec under it.
    pub fn api_url(&self) -> String {
        format!("{}/epay/api", self.shared.base_url)
    }

    /// The invoice search URL (no public document names one; this is the sandbox's).
    pub fn invoice_search_url(&self) -> String {
        format!("{}/epay/api/invoice/search", self.shared.base_url)
    }

    /// The widget script URL, to use instead of ePay's `payment-api.js`.
    pub fn widget_script_url(&self) -> String {
        format!("{}/epay/payform/payment-api.js", self.shared.base_url)
    }

    /// The URL a test POSTs to approve a widget payment
    /// (form `invoiceId` + `token`, a page `session`, or the `halyk.pay` object as JSON).
    pub fn approve_url(&self) -> String {
        format!("{}/epay/payform/approve", self.shared.base_url)
    }

    /// The URL a test POSTs to decline a widget payment (same inputs as [`State::approve_url`]).
    pub fn decline_url(&self) -> String {
        format!("{}/epay/payform/decline", self.shared.base_url)
    }

    /// Makes a terminal one-step (`false`: approval charges) or two-step
    /// (`true`: approval authorizes; charge or cancel follows). The test terminal
    /// starts two-step, the others one-step.
    pub fn set_two_step(&self, terminal: &str, two_step: bool) {
        self.store().two_step.insert(terminal.to_owned(), two_step);
    }

    /// Makes newly created invoice links report clean `invoice_url`/`merchant_id`
    /// (`true`) instead of the seed's stray leading space (`false`, the default).
    pub fn set_plain_invoice_urls(&self, plain: bool) {
        self.store().plain_invoice_urls = plain;
    }

    /// Saves a card for a terminal, as a `cardSave: true` payment would, and returns its `cardId`.
    pub fn save_card(&self, terminal: &str, card_number: &str) -> String {
        self.save_card_for(terminal, "", card_number)
    }

    /// Saves a card for a terminal and a merchant account (`accountId`), and returns its `cardId`.
    pub fn save_card_for(&self, terminal: &str, account_id: &str, card_number: &str) -> String {
        let id = uuid();
        let (mask, card_type) = card_info(card_number);
        let now = self.now();
        let card = SavedCard {
            id: id.clone(),
            terminal: terminal.to_owned(),
            account_id: account_id.to_owned(),
            mask,
            card_type,
            number: card_number.to_owned(),
            transaction_id: uuid(),
            created: now,
            active: true,
        };
        self.store().cards.insert(id.clone(), card, now);
        id
    }

    /// A live payment token issued for `invoice_id` (not a transfer one),
    /// which the payment page would be opened with: the control API approves
    /// or declines a widget payment with it, as the page's buttons do. Stays
    /// inside the sandbox (never shown).
    pub(crate) fn widget_payment_token(&self, invoice_id: &str) -> Option<String> {
        let now = self.now();
        let store = self.store();
        store.tokens.iter(now).find_map(|(key, token)| match &token.grant {
            super::model::Grant::Payment(scope) if scope.invoice_id == invoice_id && !scope.transfer => {
                Some(key.clone())
            }
            _ => None,
        })
    }

    /// The `statusName` of the latest transaction of an invoiceId, if any.
    pub fn payment_status(&self, invoice_id: &str) -> Option<String> {
        let now = self.now();
        let store = self.store();
        store
            .latest_txn_anywhere(invoice_id, now)
            .map(|t| t.status.name().to_owned())
    }

    /// Sends the latest transaction's postLink (or failurePostLink) of an
    /// invoiceId again; false if none, still in 3-D Secure, or without a link.
    pub fn trigger_postlink(&self, invoice_id: &str) -> bool {
        let now = self.now();
        let txn = self.store().latest_txn_anywhere(invoice_id, now).cloned();
        match txn {
            Some(t) if t.status != super::model::TxStatus::Pending3ds => {
                let link = if t.status == super::model::TxStatus::Failed {
                    &t.order.failure_post_link
                } else {
                    &t.order.post_link
                };
                if link.is_none() {
                    return false;
                }
                super::postlink::deliver(self, &t);
                true
            }
            _ => false,
        }
    }

    /// The API clients and terminals (published test credentials, and any
    /// the control API added), for the control API.
    pub fn merchants(&self) -> serde_json::Value {
        use super::credentials::*;
        let clients: Vec<serde_json::Value> = self
            .clients()
            .iter()
            .map(|c| {
                let (usage, user) = match c.id.as_str() {
                    TEST_CLIENT_ID => (
                        "payments and saved cards (first terminal), transfers (password grant)",
                        Some((P2P_USERNAME, P2P_PASSWORD)),
                    ),
                    INVOICE_CLIENT_ID => (
                        "invoice links (password grant)",
                        Some((INVOICE_USERNAME, INVOICE_PASSWORD)),
                    ),
                    QR_CLIENT_ID => ("QR by API", None),
                    _ => ("payments (added over the control API)", None),
                };
                serde_json::json!({
                    "client_id": c.id, "client_secret": c.secret, "terminals": c.terminals,
                    "two_step": c.terminals.iter().map(|t| self.is_two_step(t)).collect::<Vec<_>>(),
                    "use": usage,
                    "username": user.map(|u| u.0), "password": user.map(|u| u.1),
                })
            })
            .collect();
        serde_json::json!({
            "clients": clients,
            "callback": "postLink / failurePostLink of each payment token (no dashboard setting)",
        })
    }

    /// The newest `limit` payments and invoice links, newest first, as the console shows them.
    pub fn recent_payments(&self, limit: usize) -> Vec<serde_json::Value> {
        let now = self.now();
        let (mut txns, mut links): (Vec<Txn>, Vec<Invoice>) = {
            let store = self.store();
            (
                store.txns.values(now).cloned().collect(),
                store.invoices.values(now).map(|i| (**i).clone()).collect(),
            )
        };
        txns.sort_by_key(|t| std::cmp::Reverse((t.created, t.seq)));
        links.sort_by(|a, b| (b.created, &b.id).cmp(&(a.created, &a.id)));
        let mut out: Vec<serde_json::Value> = links
            .iter()
            .take(limit)
            .map(|i| {
                let state = invoice_status(i, now);
                serde_json::json!({
                    "id": i.id, "kind": "invoice link", "order_id": i.invoice_id,
                    "amount": i.amount.to_string(), "currency": i.currency, "state": state,
                    "page": (state == "ACTIVE").then(|| format!("{}/epay/api/redirect/invoice-link/{}", self.shared.base_url, i.id)),
                })
            })
            .collect();
        out.extend(txns.iter().take(limit).map(|t| {
            serde_json::json!({
                "id": t.order.invoice_id, "kind": "payment", "order_id": t.order.invoice_id,
                "amount": t.amount.to_string(), "currency": t.order.currency, "state": t.status.name(),
                "page": null,
            })
        }));
        out.truncate(limit);
        out
    }

    /// The status of an invoice link by ePay's id (`ACTIVE`, `CHARGED`, `EXPIRED`, `DEACTIVATED`).
    pub fn invoice_link_status(&self, id: &str) -> Option<String> {
        let now = self.now();
        self.store()
            .invoices
            .get(id, now)
            .map(|i| invoice_status(i, now).to_owned())
    }

    /// The status name of a transfer by its order id (`CHARGE`, `FAILED`, ...;
    /// a scan: for tests).
    pub fn transfer_status(&self, order_id: &str) -> Option<String> {
        let now = self.now();
        self.store()
            .transfers
            .values(now)
            .filter(|t| t.order_id == order_id)
            .max_by_key(|t| t.created)
            .map(|t| t.status.name().to_owned())
    }

    /// Sums over every stored transaction: `(charged, refunded)` per currency,
    /// for invariant checks (refunds never exceed captures).
    pub fn totals(&self) -> Vec<(String, rust_decimal::Decimal, rust_decimal::Decimal)> {
        let now = self.now();
        let store = self.store();
        let mut sums: HashMap<String, (rust_decimal::Decimal, rust_decimal::Decimal)> = HashMap::new();
        for t in store.txns.values(now) {
            let e = sums.entry(t.order.currency.clone()).or_default();
            e.0 += t.charged;
            e.1 += t.refunded;
        }
        sums.into_iter().map(|(c, (a, b))| (c, a, b)).collect()
    }

    /// True when every stored transaction has refunded no more than it charged
    /// and charged no more than it authorized.
    pub fn transactions_consistent(&self) -> bool {
        let now = self.now();
        self.store()
            .txns
            .values(now)
            .all(|t| t.refunded <= t.charged && t.charged <= t.amount)
    }

    /// How many entries each store holds: `(name, len, cap)`.
    pub fn store_sizes(&self) -> Vec<(&'static str, usize, usize)> {
        let s = self.store();
        vec![
            ("tokens", s.tokens.len(), s.tokens.cap()),
            ("refresh_tokens", s.refresh_tokens.len(), s.refresh_tokens.cap()),
            ("sessions", s.sessions.len(), s.sessions.cap()),
            ("transactions", s.txns.len(), s.txns.cap()),
            ("invoices", s.invoices.len(), s.invoices.cap()),
            ("cards", s.cards.len(), s.cards.cap()),
            ("transfers", s.transfers.len(), s.transfers.cap()),
            ("qr_bills", s.qr_bills.len(), s.qr_bills.cap()),
        ]
    }
}

/// The last 6 digits of an invoiceId (the whole id when shorter).
pub(super) fn tail6(id: &str) -> String {
    id.get(id.len().saturating_sub(6)..).unwrap_or(id).to_owned()
}

pub(super) fn invoice_status(inv: &Invoice, now: OffsetDateTime) -> &'static str {
    if inv.status == "ACTIVE" && now >= inv.expires {
        "EXPIRED"
    } else {
        inv.status
    }
}
