//! The EPoint emulator, under `/epoint`.
//!
//! Every operation is a POST of `data` (base64 of a JSON payload) and
//! `signature` (`base64(sha1(private_key + data + private_key))`) to
//! `/epoint/api/1/<operation>`, as a form or a JSON object. Answers are JSON
//! with HTTP 200 even on errors, as EPoint does. Hosted pages live at
//! `/epoint/pay/{transaction}` (approve/decline form) and
//! `/epoint/widget/{transaction}`.
//!
//! EPoint sends callbacks to a URL set per merchant in its dashboard, not per
//! request; here that is [`State::set_callback_url`] (or
//! `POST /epoint/sandbox/callback-url` with `public_key` and `url`, or
//! [`crate::SandboxOptions::epoint_callback_url`]).

// Handlers return `Result<Response, Response>`: the error is the answer sent
// at once, so its size does not matter.
#![allow(clippy::result_large_err)]

mod api;
mod envelope;
mod page;
mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use envelope::{sign, signed_body};
pub use page::callback_payload;
pub use store::{Card, Kind, Transaction, TxStatus};

use crate::Shared;

/// The default merchant's public key (`public_key` in every request).
pub const TEST_PUBLIC_KEY: &str = "i000000001";
/// The default merchant's private (signing) key.
pub const TEST_PRIVATE_KEY: &str = "test-private-key";

/// The emulator's state: merchants, transactions, saved cards.
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
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let mut merchants = HashMap::new();
        merchants.insert(
            TEST_PUBLIC_KEY.to_owned(),
            Merchant {
                private_key: TEST_PRIVATE_KEY.to_owned(),
                callback_url: None,
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

    /// Registers another merchant (or replaces its private key).
    pub fn add_merchant(&self, public_key: &str, private_key: &str) {
        let mut merchants = lock(&self.merchants);
        let callback_url = merchants.get(public_key).and_then(|m| m.callback_url.clone());
        merchants.insert(
            public_key.to_owned(),
            Merchant {
                private_key: private_key.to_owned(),
                callback_url,
            },
        );
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
        lock(&self.store).transactions.get(id).cloned()
    }

    /// A saved card by its id (`ce...`).
    pub fn card(&self, id: &str) -> Option<Card> {
        lock(&self.store).cards.get(id).cloned()
    }

    /// The URL of the hosted payment page of a transaction.
    pub fn payment_page_url(&self, transaction: &str) -> String {
        format!("{}/epoint/pay/{transaction}", self.shared.base_url)
    }

    fn private_key_of(&self, public_key: &str) -> Option<String> {
        lock(&self.merchants).get(public_key).map(|m| m.private_key.clone())
    }

    fn timeout_delay(&self) -> Duration {
        *lock(&self.timeout_delay)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/api/1/request", post(api::pay))
        .route("/api/1/get-status", post(api::get_status).get(api::get_status_query))
        .route("/api/1/card-registration", post(api::save_card))
        .route("/api/1/execute-pay", post(api::execute_pay))
        .route("/api/1/card-registration-with-pay", post(api::pay_and_save_card))
        .route("/api/1/refund-request", post(api::payout))
        .route("/api/1/reverse", post(api::reverse))
        .route("/api/1/split-request", post(api::split_pay))
        .route("/api/1/split-execute-pay", post(api::split_execute_pay))
        .route(
            "/api/1/split-card-registration-with-pay",
            post(api::split_pay_and_save_card),
        )
        .route("/api/1/token/widget", post(api::widget))
        .route("/api/1/token/payment", post(api::token_payment))
        .route("/api/1/token/apple/session", post(api::apple_session))
        .route("/api/1/token/apple/pay", post(api::apple_pay))
        .route("/api/1/token/google/pay", post(api::google_pay))
        .route("/pay/{transaction}", get(page::show).post(page::submit))
        .route(
            "/widget/{transaction}",
            get(page::show_widget).post(page::submit_widget),
        )
        .route("/sandbox/callback-url", post(page::set_callback_url))
        .with_state(state)
}
