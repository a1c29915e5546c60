//! The EPoint emulator, under `/epoint`.
//!
//! Every operation is a POST of `data` (base64 of a JSON payload) and
//! `signature` (`base64(sha1(private_key + data + private_key))`) to
//! `/epoint/api/1/<operation>`, as a form or a JSON object. Answers are JSON
//! with HTTP 200 even on errors, as EPoint does, each with a `trace_id`
//! (also the `X-Request-ID` header); B2B transfers answer with real HTTP
//! status codes. Hosted pages live at `/epoint/pay/{transaction}`
//! (approve/decline form, with the scenario list) and
//! `/epoint/widget/{transaction}`; the heartbeat is `GET /epoint/api/heartbeat`.
//!
//! EPoint sends callbacks to a URL set per merchant in its dashboard, not per
//! request; here that is [`State::set_callback_url`] (or
//! `POST /epoint/sandbox/callback-url` with `public_key` and `url`).
//! Every route, check and limit is in `docs/sandbox/epoint.md`.

mod b2b;
mod bank;
pub mod bounded;
mod direct;
mod envelope;
mod fields;
mod hosted;
mod invoices;
pub(crate) mod json;
mod page;
mod services;
mod status;
mod store;
mod token;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use payments_core::clock::Clock;

pub use envelope::{sign, signed_body};
pub use page::callback_payload;
pub use store::{
    B2bStatus, B2bTransfer, Card, CardStatus, Invoice, InvoiceStatus, Kind, Transaction, TxStatus, limits,
};

use crate::Shared;

/// The default merchant's public key (`public_key` in every request).
pub const TEST_PUBLIC_KEY: &str = "i000000001";
/// The default merchant's private (signing) key.
pub const TEST_PRIVATE_KEY: &str = "test-private-key";

/// Operations EPoint grants per merchant on request (wallets, installments
/// and AMEX: refused with an error until granted). The test merchant has
/// them all; [`State::add_merchant`] merchants have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Feature {
    /// `wallet/status`, `wallet/payment`.
    Wallets,
    /// `get-installment-request`, `installment-request`, `is_installment: 1`.
    Installments,
    /// `amex-request`.
    Amex,
}

/// The emulator's state: merchants, transactions, saved cards, invoices,
/// B2B transfers.
#[derive(Debug)]
pub struct State {
    shared: Arc<Shared>,
    merchants: Mutex<HashMap<String, Merchant>>,
    store: Mutex<store::Store>,
    timeout_delay: Mutex<Duration>,
}

#[derive(Debug, Clone)]
struct Merchant {
    private_key: String,
    callback_url: Option<String>,
    features: Vec<Feature>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let mut merchants = HashMap::new();
        merchants.insert(
            TEST_PUBLIC_KEY.to_owned(),
            Merchant {
                private_key: TEST_PRIVATE_KEY.to_owned(),
                callback_url: None,
                features: vec![Feature::Wallets, Feature::Installments, Feature::Amex],
            },
        );
        State {
            shared,
            merchants: Mutex::new(merchants),
            store: Mutex::new(store::Store::default()),
            timeout_delay: Mutex::new(Duration::from_secs(30)),
        }
    }

    /// The default merchant's public key, `i000000001`.
    pub fn public_key(&self) -> &'static str {
        TEST_PUBLIC_KEY
    }

    /// The default merchant's private key, `test-private-key`.
    pub fn private_key(&self) -> &'static str {
        TEST_PRIVATE_KEY
    }

    /// Registers another merchant (or replaces its private key); a new
    /// merchant has no [`Feature`] granted.
    pub fn add_merchant(&self, public_key: &str, private_key: &str) {
        let mut merchants = lock(&self.merchants);
        let old = merchants.get(public_key).cloned();
        merchants.insert(
            public_key.to_owned(),
            Merchant {
                private_key: private_key.to_owned(),
                callback_url: old.as_ref().and_then(|m| m.callback_url.clone()),
                features: old.map(|m| m.features).unwrap_or_default(),
            },
        );
    }

    /// Whether a merchant with this public key exists.
    pub fn has_merchant(&self, public_key: &str) -> bool {
        lock(&self.merchants).contains_key(public_key)
    }

    /// Stores an active saved card of a merchant, as a completed card
    /// registration would (`payout`: registered with `refund: 1`, a card that
    /// receives payouts); returns its id (`ce...`), or `None` for an unknown merchant.
    pub fn add_saved_card(&self, public_key: &str, card_number: &str, payout: bool) -> Option<String> {
        if !self.has_merchant(public_key) {
            return None;
        }
        let now = self.now();
        let mut store = lock(&self.store);
        let id = store.new_card_id();
        store.put_card(
            Card {
                id: id.clone(),
                merchant: public_key.to_owned(),
                payout,
                status: store::CardStatus::Active,
                description: Some("added over the control API".to_owned()),
                mask: Some(crate::scenario::mask(Some(card_number))),
                holder: Some("SANDBOX TEST".to_owned()),
                expiry: Some("12/30".to_owned()),
            },
            now,
        );
        Some(id)
    }

    /// Grants or withdraws a [`Feature`]; false for an unknown merchant.
    pub fn set_feature(&self, public_key: &str, feature: Feature, on: bool) -> bool {
        match lock(&self.merchants).get_mut(public_key) {
            Some(m) => {
                m.features.retain(|f| *f != feature);
                if on {
                    m.features.push(feature);
                }
                true
            }
            None => false,
        }
    }

    /// Sets where callbacks of `public_key`'s payments go: EPoint's "callback
    /// URL" of the merchant dashboard. Returns false for an unknown merchant.
    pub fn set_callback_url(&self, public_key: &str, url: &str) -> bool {
        match lock(&self.merchants).get_mut(public_key) {
            Some(m) => {
                m.callback_url = Some(url.to_owned());
                true
            }
            None => false,
        }
    }

    /// The callback URL configured for `public_key`.
    pub fn callback_url(&self, public_key: &str) -> Option<String> {
        lock(&self.merchants)
            .get(public_key)
            .and_then(|m| m.callback_url.clone())
    }

    /// How long a server-to-server call with the timeout scenario waits before
    /// answering (default 30 s).
    pub fn set_timeout_delay(&self, delay: Duration) {
        *lock(&self.timeout_delay) = delay;
    }

    /// A transaction by its id (`te...`).
    pub fn transaction(&self, id: &str) -> Option<Transaction> {
        lock(&self.store).transactions.get(id, self.now()).cloned()
    }

    /// A saved card by its id (`ce...`).
    pub fn card(&self, id: &str) -> Option<Card> {
        lock(&self.store).cards.get(id, self.now()).cloned()
    }

    /// An invoice by its id.
    pub fn invoice(&self, id: i64) -> Option<Invoice> {
        lock(&self.store).invoices.get(&id, self.now()).cloned()
    }

    /// Sets an invoice's state (the sandbox has no invoice payment page: a
    /// test marks one paid or cancelled); false if unknown.
    pub fn set_invoice_status(&self, id: i64, status: InvoiceStatus) -> bool {
        let now = self.now();
        match lock(&self.store).invoices.get_mut(&id, now) {
            Some(inv) => {
                inv.status = status;
                true
            }
            None => false,
        }
    }

    /// A B2B transfer by its order id.
    pub fn b2b_transfer(&self, order_id: &str) -> Option<B2bTransfer> {
        lock(&self.store).b2b.get(order_id, self.now()).cloned()
    }

    /// How many transactions, cards, invoices and B2B transfers are held.
    pub fn store_sizes(&self) -> [usize; 4] {
        let s = lock(&self.store);
        [s.transactions.len(), s.cards.len(), s.invoices.len(), s.b2b.len()]
    }

    /// The URL of the hosted payment page of a transaction.
    pub fn payment_page_url(&self, transaction: &str) -> String {
        format!("{}/epoint/pay/{transaction}", self.shared.base_url)
    }

    /// Every merchant's public key, callback URL and features (for the control
    /// API); the private key only of the built-in test merchant.
    pub fn merchants(&self) -> Vec<serde_json::Value> {
        let merchants = lock(&self.merchants);
        let mut out: Vec<serde_json::Value> = merchants
            .iter()
            .map(|(public_key, m)| {
                serde_json::json!({
                    "public_key": public_key,
                    "private_key": (public_key == TEST_PUBLIC_KEY).then_some(TEST_PRIVATE_KEY),
                    "callback_url": m.callback_url,
                    "features": m.features.iter().map(|f| format!("{f:?}").to_lowercase()).collect::<Vec<_>>(),
                })
            })
            .collect();
        out.sort_by(|a, b| a["public_key"].as_str().cmp(&b["public_key"].as_str()));
        out
    }

    /// Sends a transaction's callback again (as after its hosted page); false if
    /// the transaction is unknown, still new, or has no callback.
    pub fn trigger_callback(&self, id: &str) -> bool {
        match self.transaction(id) {
            Some(tx)
                if tx.status != TxStatus::New
                    && tx.kind.has_callback()
                    && self.callback_url(&tx.merchant).is_some() =>
            {
                page::deliver_callback(self, &tx);
                true
            }
            _ => false,
        }
    }

    /// The newest `limit` transactions, newest first, as the console shows them.
    pub fn recent_payments(&self, limit: usize) -> Vec<serde_json::Value> {
        let now = self.now();
        // Copied out so the sort runs without the store lock.
        let mut txs: Vec<Transaction> = lock(&self.store).transactions.values(now).cloned().collect();
        txs.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        txs.into_iter()
            .take(limit)
            .map(|tx| {
                serde_json::json!({
                    "id": tx.id,
                    "kind": format!("{:?}", tx.kind),
                    "order_id": tx.order_id,
                    "amount": tx.amount.map(|a| a.to_major_string()),
                    "currency": tx.amount.map(|a| a.currency().to_string()),
                    "state": tx.status.as_str(),
                    "page": (tx.status == TxStatus::New && tx.kind.has_callback()).then(|| self.payment_page_url(&tx.id)),
                })
            })
            .collect()
    }

    pub(crate) fn private_key_of(&self, public_key: &str) -> Option<String> {
        lock(&self.merchants).get(public_key).map(|m| m.private_key.clone())
    }

    fn has_feature(&self, public_key: &str, feature: Feature) -> bool {
        lock(&self.merchants)
            .get(public_key)
            .is_some_and(|m| m.features.contains(&feature))
    }

    fn timeout_delay(&self) -> Duration {
        *lock(&self.timeout_delay)
    }

    fn now(&self) -> time::OffsetDateTime {
        self.shared.clock.now()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/heartbeat", get(services::heartbeat))
        .route("/api/1/request", post(hosted::pay))
        .route("/api/1/checkout", post(hosted::checkout))
        .route("/api/1/payment-request", post(hosted::payment_request))
        .route("/api/1/amex-request", post(hosted::amex_request))
        .route("/api/1/payment-change-sum", post(hosted::payment_change_sum))
        .route("/api/1/pre-auth-request", post(hosted::pre_auth_request))
        .route("/api/1/pre-auth-complete", post(direct::pre_auth_complete))
        .route(
            "/api/1/get-status",
            post(status::get_status).get(status::get_status_query),
        )
        .route("/api/1/card-registration", post(hosted::save_card))
        .route("/api/1/get-status-card", post(status::card_status))
        .route("/api/1/execute-pay", post(direct::execute_pay))
        .route("/api/1/card-registration-with-pay", post(hosted::pay_and_save_card))
        .route("/api/1/refund-request", post(direct::payout))
        .route("/api/1/reverse", post(direct::reverse))
        .route("/api/1/split-request", post(hosted::split_pay))
        .route("/api/1/split-execute-pay", post(direct::split_execute_pay))
        .route(
            "/api/1/split-card-registration-with-pay",
            post(hosted::split_pay_and_save_card),
        )
        .route("/api/1/wallet/status", post(services::wallet_status))
        .route("/api/1/wallet/payment", post(services::wallet_payment))
        .route("/api/1/get-installment-request", post(services::installment_options))
        .route("/api/1/installment-request", post(services::installment_request))
        .route("/api/1/invoices/create", post(invoices::create))
        .route("/api/1/invoices/update", post(invoices::update))
        .route("/api/1/invoices/view", post(invoices::view))
        .route("/api/1/invoices/list", post(invoices::list))
        .route("/api/1/invoices/send-sms", post(invoices::send_sms))
        .route("/api/1/invoices/send-email", post(invoices::send_email))
        .route("/api/1/b2b/payment", post(b2b::create))
        .route("/api/1/b2b/payment/{order_id}", get(b2b::status))
        .route("/api/1/token/widget", post(token::widget))
        .route("/api/1/token/payment", post(token::token_payment))
        .route("/api/1/token/split-payment", post(token::token_split_payment))
        .route("/api/1/token/apple/session", post(token::apple_session))
        .route("/api/1/token/apple/pay", post(token::apple_pay))
        .route("/api/1/token/google/pay", post(token::google_pay))
        .route("/pay/{transaction}", get(page::show).post(page::submit))
        .route(
            "/widget/{transaction}",
            get(page::show_widget).post(page::submit_widget),
        )
        .route("/sandbox/callback-url", post(page::set_callback_url))
        .with_state(state)
}
