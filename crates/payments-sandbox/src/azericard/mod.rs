//! The AzeriCard emulator, under `/azericard`.
//!
//! MPI (card payments): `POST /azericard/cgi-bin/cgi_link` takes the
//! browser's authorization form (TRTYPE 0/1, P_SIGN verified with the
//! merchant's public key), the server-to-server completion (21), reversals
//! (22/24) and the status query (90); `POST /azericard/token/cgi_link` takes
//! the stored-card forms (register, pay with a TOKEN, cardholder-initiated,
//! MIT and recurring registrations) and the server-to-server MIT (TRTYPE 1,
//! `MERCH_TRAN_STATE=M`) and scheduled recurring (TRTYPE 3) charges. The
//! customer approves at `/azericard/pay/{INT_REF}` (with the scenario list),
//! and the result is posted to the request's BACKREF, signed with the
//! terminal's gateway key (public halves at
//! `GET /azericard/gateway-public-key.pem` and `…-1024.pem`).
//!
//! MT (card transfers): `GET /azericard/payment/view`, `POST
//! /azericard/api/confirm`, `POST /azericard/api/decline`, MD5-signed with the
//! transfer secret; the transfer callback goes to the URL set with
//! [`State::set_transfer_callback_url`].
//!
//! Every route, check and limit is in `docs/sandbox/azericard.md`.

// Handlers return `Result<Response, Response>`: the error is the answer sent
// at once, so its size does not matter.
#![allow(clippy::result_large_err)]

mod checks;
pub(crate) mod diagnosis;
mod form;
pub mod mac;
mod mit;
mod mpi;
mod mt;
mod page;
mod status;
mod store;
mod stored;
mod terminal;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use payments_core::clock::Clock;
use time::OffsetDateTime;

pub use store::{Agreement, FollowUp, Order, OrderState, StoredCard, TokenUse, Transfer, limits};
pub use terminal::{FollowUpOrder, GatewayKeySize, TerminalConfig};

use crate::Shared;

/// The test terminal (TERMINAL, AZERICARD_MERCHANT_ID).
pub const TEST_TERMINAL: &str = "17201234";
/// The MT merchant name (`Merchant`).
pub const TRANSFER_MERCHANT: &str = "TESTSHOP";
/// The MT signing secret (the spec's test-vector secret).
pub const TRANSFER_SECRET: &str = "transfer-secret";
/// The project's throwaway merchant public key (the default verifier of P_SIGN);
/// its private half is `crates/payments-sandbox/tests/data/azericard-merchant-test-key.pem`.
pub const DEFAULT_MERCHANT_PUBLIC_KEY_PEM: &str = include_str!("merchant-test-key.pub.pem");
/// The sandbox gateway's public key (verifies callbacks and status answers).
pub const GATEWAY_PUBLIC_KEY_PEM: &str = include_str!("gateway-test-key.pub.pem");
/// The sandbox's 1024-bit gateway public key, for terminals set to
/// [`GatewayKeySize::Rsa1024`].
pub const GATEWAY_1024_PUBLIC_KEY_PEM: &str = include_str!("gateway-test-key-1024.pub.pem");
/// How far TIMESTAMP may be from the gateway clock.
pub const TIMESTAMP_TOLERANCE: time::Duration = time::Duration::hours(1);

/// References a test fixes before approving an order, so spec vectors that
/// name them (A2-A8) can be sent byte for byte. Empty fields keep the
/// sandbox's random values.
#[derive(Debug, Clone, Default)]
pub struct Preset {
    /// RRN.
    pub rrn: Option<String>,
    /// INT_REF (also the hosted page's id).
    pub int_ref: Option<String>,
    /// TOKEN a registration returns.
    pub token: Option<String>,
    /// EXT_NET_REF an MIT/recurring registration returns.
    pub ext_net_ref: Option<String>,
}

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    shared: Arc<Shared>,
    merchant_key: MerchantKeySlot,
    gateway: std::sync::RwLock<Arc<mac::GatewayKey>>,
    gateway_1024: mac::GatewayKey,
    terminals: Mutex<HashMap<String, TerminalConfig>>,
    store: Mutex<store::Store>,
    presets: Mutex<HashMap<String, Preset>>,
    transfer_callback_url: Mutex<Option<String>>,
    timeout_delay: Mutex<Duration>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>, options: &crate::SandboxOptions) -> std::io::Result<Self> {
        let pem = options
            .azericard_merchant_public_key_pem
            .as_deref()
            .unwrap_or(DEFAULT_MERCHANT_PUBLIC_KEY_PEM);
        let mut terminals = HashMap::new();
        terminals.insert(TEST_TERMINAL.to_owned(), TerminalConfig::default());
        Ok(State {
            shared,
            merchant_key: MerchantKeySlot(std::sync::RwLock::new(Arc::new(mac::MerchantKey::from_pem(pem)?))),
            gateway: std::sync::RwLock::new(Arc::new(mac::GatewayKey::embedded()?)),
            gateway_1024: mac::GatewayKey::embedded_1024()?,
            terminals: Mutex::new(terminals),
            store: Mutex::new(store::Store::default()),
            presets: Mutex::new(HashMap::new()),
            transfer_callback_url: Mutex::new(None),
            timeout_delay: Mutex::new(Duration::from_secs(30)),
        })
    }

    /// Whether the merchant key this sandbox verifies P_SIGN with accepts
    /// `p_sign_hex` over `source` (the console checks that its own signed
    /// form will be accepted before handing it out).
    pub(crate) fn merchant_key_verifies(&self, source: &str, p_sign_hex: &str) -> bool {
        self.merchant_key.verify(source, p_sign_hex)
    }

    /// The gateway clock as TIMESTAMP (`YYYYMMDDHHMMSS`, UTC).
    pub(crate) fn gateway_timestamp(&self) -> String {
        self.timestamp()
    }

    /// TERMINAL of the test merchant, `17201234`.
    pub fn terminal(&self) -> &'static str {
        TEST_TERMINAL
    }

    /// Adds (or reconfigures) a terminal; every terminal verifies P_SIGN
    /// with the same merchant key.
    pub fn set_terminal(&self, terminal: &str, config: TerminalConfig) {
        lock(&self.terminals).insert(terminal.to_owned(), config);
    }

    /// A terminal's settings.
    pub fn terminal_config(&self, terminal: &str) -> Option<TerminalConfig> {
        lock(&self.terminals).get(terminal).copied()
    }

    /// Selects the completion/reversal signing order of a terminal; false if unknown.
    pub fn set_follow_up_order(&self, terminal: &str, order: FollowUpOrder) -> bool {
        match lock(&self.terminals).get_mut(terminal) {
            Some(c) => {
                c.follow_up_order = order;
                true
            }
            None => false,
        }
    }

    /// Selects the gateway key of a terminal; false if unknown.
    pub fn set_gateway_key(&self, terminal: &str, size: GatewayKeySize) -> bool {
        match lock(&self.terminals).get_mut(terminal) {
            Some(c) => {
                c.gateway_key = size;
                true
            }
            None => false,
        }
    }

    /// Replaces the merchant public key (PEM, SPKI `BEGIN PUBLIC KEY`) that
    /// verifies P_SIGN on every terminal: what a merchant uploads to AzeriCard.
    /// `None` restores the project's throwaway test key.
    pub fn set_merchant_public_key(&self, pem: Option<&str>) -> std::io::Result<()> {
        let key = mac::MerchantKey::from_pem(pem.unwrap_or(DEFAULT_MERCHANT_PUBLIC_KEY_PEM))?;
        *self.merchant_key.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(key);
        Ok(())
    }

    /// The merchant public key that verifies P_SIGN now.
    pub(crate) fn merchant_key(&self) -> Arc<mac::MerchantKey> {
        self.merchant_key.current()
    }

    /// Stores a saved card (TOKEN) for a terminal as an approved registration
    /// would, so MIT, recurring and token payments can start from it.
    pub fn add_stored_card(&self, card: StoredCard) {
        let now = self.now();
        lock(&self.store).put_token(card, now);
    }

    /// The gateway public key (PEM, SPKI) that verifies the default
    /// (2048-bit) callback P_SIGN.
    pub fn gateway_public_key_pem(&self) -> &'static str {
        self.gateway_2048().public_pem()
    }

    /// The gateway public key of one size.
    pub fn gateway_public_key_pem_of(&self, size: GatewayKeySize) -> &'static str {
        match size {
            GatewayKeySize::Rsa2048 => self.gateway_2048().public_pem(),
            GatewayKeySize::Rsa1024 => self.gateway_1024.public_pem(),
        }
    }

    /// Replaces the 2048-bit gateway key with a freshly generated one (what
    /// AzeriCard does when it rotates its key: merchants must fetch the new
    /// public half) and returns its public PEM; `default` restores the
    /// embedded test key. At most [`mac::MAX_GATEWAY_ROTATIONS`] generations
    /// per process (each public PEM lives as long as the process).
    pub fn rotate_gateway_key(&self, default: bool) -> std::io::Result<&'static str> {
        let key = if default {
            mac::GatewayKey::embedded()?
        } else {
            mac::GatewayKey::generated()?
        };
        let pem = key.public_pem();
        *self.gateway.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(key);
        Ok(pem)
    }

    fn gateway_2048(&self) -> Arc<mac::GatewayKey> {
        self.gateway.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// MT `Merchant`, `TESTSHOP`.
    pub fn transfer_merchant(&self) -> &'static str {
        TRANSFER_MERCHANT
    }

    /// MT secret, `transfer-secret`.
    pub fn transfer_secret(&self) -> &'static str {
        TRANSFER_SECRET
    }

    /// Where MT transfer callbacks go (AzeriCard configures it per merchant;
    /// no request field carries it).
    pub fn set_transfer_callback_url(&self, url: &str) {
        *lock(&self.transfer_callback_url) = Some(url.to_owned());
    }

    /// How long a server-to-server charge with the timeout scenario waits
    /// before giving up (default 30 s).
    pub fn set_timeout_delay(&self, delay: Duration) {
        *lock(&self.timeout_delay) = delay;
    }

    /// Fixes the references the next approval of `order` gives (test support
    /// for the spec vectors). Applies to an order authorized later, or to a
    /// pending one; returns the (possibly new) hosted page URL of a pending
    /// order.
    pub fn preset(&self, order: &str, preset: Preset) -> Option<String> {
        let now = self.shared.clock.now();
        let mut store = lock(&self.store);
        let pending = store
            .orders
            .get(order, now)
            .filter(|o| o.state == OrderState::Pending)
            .cloned();
        match pending {
            Some(mut o) => {
                if let Some(rrn) = &preset.rrn {
                    o.rrn.clone_from(rrn);
                }
                if let Some(int_ref) = &preset.int_ref {
                    store.pages.remove(&o.int_ref);
                    o.int_ref.clone_from(int_ref);
                }
                let url = self.payment_page_url(&o.int_ref);
                store.put_order(o, now);
                drop(store);
                lock(&self.presets).insert(order.to_owned(), preset);
                Some(url)
            }
            None => {
                drop(store);
                lock(&self.presets).insert(order.to_owned(), preset);
                None
            }
        }
    }

    /// An order by ORDER.
    pub fn order(&self, order: &str) -> Option<Order> {
        lock(&self.store).orders.get(order, self.shared.clock.now()).cloned()
    }

    /// A saved card by TOKEN.
    pub fn stored_card(&self, token: &str) -> Option<StoredCard> {
        lock(&self.store).tokens.get(token, self.shared.clock.now()).cloned()
    }

    /// A transfer by SRN.
    pub fn transfer(&self, srn: &str) -> Option<Transfer> {
        lock(&self.store).transfers.get(srn, self.shared.clock.now()).cloned()
    }

    /// How many orders, saved cards, remembered NONCEs and transfers are held.
    pub fn store_sizes(&self) -> [usize; 4] {
        let s = lock(&self.store);
        [s.orders.len(), s.tokens.len(), s.nonces.len(), s.transfers.len()]
    }

    /// The terminals with their settings, the MT merchant and its callback URL
    /// (for the control API; every key here is a throwaway test key).
    pub fn merchants(&self) -> serde_json::Value {
        serde_json::json!({
            "terminal": TEST_TERMINAL,
            "callback": "BACKREF of each request (no dashboard setting)",
            "gateway_public_key": format!("{}/azericard/gateway-public-key.pem", self.shared.base_url),
            "gateway_public_key_1024": format!("{}/azericard/gateway-public-key-1024.pem", self.shared.base_url),
            "transfer_merchant": TRANSFER_MERCHANT,
            "transfer_secret": TRANSFER_SECRET,
            "transfer_callback_url": self.transfer_callback_url(),
            "merchant_public_key_bits": self.merchant_key().bits(),
            "terminals": self.terminals_json(),
        })
    }

    fn terminals_json(&self) -> Vec<serde_json::Value> {
        let mut out: Vec<serde_json::Value> = lock(&self.terminals)
            .iter()
            .map(|(t, c)| {
                serde_json::json!({
                    "terminal": t,
                    "follow_up_order": match c.follow_up_order {
                        FollowUpOrder::AmountFirst => "amount_first",
                        FollowUpOrder::OrderFirst => "order_first",
                    },
                    "gateway_key": match c.gateway_key {
                        GatewayKeySize::Rsa2048 => "rsa2048",
                        GatewayKeySize::Rsa1024 => "rsa1024",
                    },
                })
            })
            .collect();
        out.sort_by(|a, b| a["terminal"].as_str().cmp(&b["terminal"].as_str()));
        out
    }

    /// Sends an order's callback to its BACKREF again; false if the order is
    /// unknown or still pending.
    pub fn trigger_callback(&self, order: &str) -> bool {
        match self.order(order) {
            Some(o) if o.state != OrderState::Pending => {
                page::deliver_callback(self, &o);
                true
            }
            _ => false,
        }
    }

    /// The newest `limit` orders, newest first, as the console shows them.
    pub fn recent_payments(&self, limit: usize) -> Vec<serde_json::Value> {
        let now = self.shared.clock.now();
        // Copied out so the sort runs without the store lock.
        let mut orders: Vec<Order> = lock(&self.store).orders.values(now).cloned().collect();
        orders.sort_by(|a, b| (b.created_at, &b.order).cmp(&(a.created_at, &a.order)));
        orders
            .into_iter()
            .take(limit)
            .map(|o| {
                serde_json::json!({
                    "id": o.order,
                    "kind": format!("TRTYPE {}", o.trtype),
                    "order_id": o.order,
                    "amount": o.amount_text,
                    "currency": o.currency,
                    "state": o.state.as_str(),
                    "page": (o.state == OrderState::Pending).then(|| self.payment_page_url(&o.int_ref)),
                })
            })
            .collect()
    }

    /// The hosted page of an order (by its INT_REF).
    pub fn payment_page_url(&self, int_ref: &str) -> String {
        format!("{}/azericard/pay/{int_ref}", self.shared.base_url)
    }

    fn transfer_callback_url(&self) -> Option<String> {
        lock(&self.transfer_callback_url).clone()
    }

    fn timeout_delay(&self) -> Duration {
        *lock(&self.timeout_delay)
    }

    fn peek_preset(&self, order: &str) -> Preset {
        lock(&self.presets).get(order).cloned().unwrap_or_default()
    }

    fn take_preset(&self, order: &str) -> Preset {
        lock(&self.presets).remove(order).unwrap_or_default()
    }

    /// The gateway key that signs a terminal's messages.
    fn gateway_for(&self, terminal: &str) -> GatewayRef<'_> {
        match self.terminal_config(terminal).map(|c| c.gateway_key) {
            Some(GatewayKeySize::Rsa1024) => GatewayRef::Fixed(&self.gateway_1024),
            _ => GatewayRef::Current(self.gateway_2048()),
        }
    }

    fn now(&self) -> OffsetDateTime {
        self.shared.clock.now()
    }

    /// The sandbox clock's time.
    pub(crate) fn clock_now(&self) -> OffsetDateTime {
        self.now()
    }

    /// The server's base URL.
    pub(crate) fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// `YYYYMMDDHHMMSS` of the gateway clock (UTC).
    fn timestamp(&self) -> String {
        format_timestamp(self.now())
    }
}

/// The merchant public key, replaceable while the sandbox runs (an upload
/// over the control API); every P_SIGN check reads the current one.
#[derive(Debug)]
struct MerchantKeySlot(std::sync::RwLock<Arc<mac::MerchantKey>>);

impl MerchantKeySlot {
    fn current(&self) -> Arc<mac::MerchantKey> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Checks a hex P_SIGN over `source` with the current key.
    fn verify(&self, source: &str, p_sign_hex: &str) -> bool {
        self.current().verify(source, p_sign_hex)
    }
}

/// The gateway key signing a message: the fixed 1024-bit one, or the current
/// (rotatable) 2048-bit one.
enum GatewayRef<'a> {
    Fixed(&'a mac::GatewayKey),
    Current(Arc<mac::GatewayKey>),
}

impl std::ops::Deref for GatewayRef<'_> {
    type Target = mac::GatewayKey;
    fn deref(&self) -> &mac::GatewayKey {
        match self {
            GatewayRef::Fixed(k) => k,
            GatewayRef::Current(k) => k,
        }
    }
}

pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(crate) fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let date = parse_date(text.get(0..8)?)?;
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u8>().ok());
    let clock = time::Time::from_hms(n(8..10)?, n(10..12)?, n(12..14)?).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

/// `YYYYMMDD`.
pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn gateway_public_key(axum::extract::State(st): axum::extract::State<Arc<State>>) -> axum::response::Response {
    (
        [("content-type", "application/x-pem-file")],
        st.gateway_public_key_pem_of(GatewayKeySize::Rsa2048),
    )
        .into_response()
}

async fn gateway_public_key_1024(
    axum::extract::State(st): axum::extract::State<Arc<State>>,
) -> axum::response::Response {
    (
        [("content-type", "application/x-pem-file")],
        st.gateway_public_key_pem_of(GatewayKeySize::Rsa1024),
    )
        .into_response()
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/cgi-bin/cgi_link", post(mpi::cgi_link))
        .route("/token/cgi_link", post(mpi::token_cgi_link))
        .route("/pay/{int_ref}", get(page::show).post(page::submit))
        .route("/gateway-public-key.pem", get(gateway_public_key))
        .route("/gateway-public-key-1024.pem", get(gateway_public_key_1024))
        .route("/payment/view", get(mt::start))
        .route("/payment/view/{operation}", post(mt::submit_card))
        .route("/api/confirm", post(mt::confirm))
        .route("/api/decline", post(mt::decline))
        .route("/sandbox/transfer-callback-url", post(mt::set_callback_url))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        let t = parse_timestamp("20250101120000").unwrap();
        assert_eq!(format_timestamp(t), "20250101120000");
        assert!(parse_timestamp("20251301120000").is_none());
        assert!(parse_timestamp("2025010112000").is_none());
        assert!(parse_date("20271231").is_some() && parse_date("20270231").is_none());
    }
}
