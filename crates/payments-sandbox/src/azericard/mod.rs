//! The AzeriCard emulator, under `/azericard`.
//!
//! MPI (card payments): `POST /azericard/cgi-bin/cgi_link` takes the
//! browser's authorization form (TRTYPE 0/1, P_SIGN verified with the
//! merchant's public key), the server-to-server completion (21), reversals
//! (22/24) and the status query (90); `POST /azericard/token/cgi_link` is the
//! card-token variant. The customer approves at `/azericard/pay/{INT_REF}`, and
//! the result is posted to the request's BACKREF, signed with the sandbox's
//! own gateway key (public half at `GET /azericard/gateway-public-key.pem`).
//!
//! MT (card transfers): `GET /azericard/payment/view`, `POST
//! /azericard/api/confirm`, `POST /azericard/api/decline`, MD5-signed with the
//! transfer secret; the transfer callback goes to the URL set with
//! [`State::set_transfer_callback_url`].

// Handlers return `Result<Response, Response>`: the error is the answer sent
// at once, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod mac;
mod mpi;
mod mt;
mod page;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use payments_core::Money;
use time::OffsetDateTime;

use crate::Shared;

/// The test terminal (TERMINAL, AZERICARD_MERCHANT_ID).
pub const TEST_TERMINAL: &str = "17201234";
/// The MT merchant name (`Merchant`).
pub const TRANSFER_MERCHANT: &str = "TESTSHOP";
/// The MT signing secret (the spec's test-vector secret).
pub const TRANSFER_SECRET: &str = "transfer-secret";
/// The project's throwaway merchant public key (the default verifier of P_SIGN);
/// its private half is `../shared/specs/vectors/azericard-test-key.pem`.
pub const DEFAULT_MERCHANT_PUBLIC_KEY_PEM: &str = include_str!("merchant-test-key.pub.pem");
/// The sandbox gateway's public key (verifies callbacks and status answers).
pub const GATEWAY_PUBLIC_KEY_PEM: &str = include_str!("gateway-test-key.pub.pem");
/// How far TIMESTAMP may be from the gateway clock.
pub const TIMESTAMP_TOLERANCE: time::Duration = time::Duration::hours(1);

/// An order's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderState {
    /// Waiting on the hosted page (or the bank never answered).
    Pending,
    /// Approved: captured (TRTYPE 1) or held (TRTYPE 0).
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

/// One authorization (ORDER).
#[derive(Debug, Clone)]
pub struct Order {
    /// ORDER.
    pub order: String,
    /// TRTYPE of the authorization: 0 (hold) or 1 (purchase).
    pub trtype: u8,
    /// AMOUNT as sent (echoed and signed as text).
    pub amount_text: String,
    /// AMOUNT parsed.
    pub amount: Money,
    /// CURRENCY as sent.
    pub currency: String,
    /// DESC.
    pub description: String,
    /// BACKREF: where the callback goes.
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
    /// Captured (purchase, or completion of a hold), in minor units.
    pub captured: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// Masked card once approved.
    pub card_mask: Option<String>,
    /// Card-token flow: `Some(None)` = register a new token, `Some(Some(t))` = pay with `t`.
    pub token_flow: Option<Option<String>>,
    /// The saved-card token, once registered or used.
    pub token: Option<String>,
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

#[derive(Debug, Default)]
struct Store {
    orders: HashMap<String, Order>,
    pages: HashMap<String, String>,
    tokens: HashMap<String, String>,
    nonces: HashSet<String>,
    transfers: HashMap<String, Transfer>,
    operations: HashMap<String, String>,
}

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    shared: Arc<Shared>,
    merchant_key: mac::MerchantKey,
    gateway: mac::GatewayKey,
    store: Mutex<Store>,
    transfer_callback_url: Mutex<Option<String>>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>, options: &crate::SandboxOptions) -> std::io::Result<Self> {
        let pem = options
            .azericard_merchant_public_key_pem
            .as_deref()
            .unwrap_or(DEFAULT_MERCHANT_PUBLIC_KEY_PEM);
        Ok(State {
            shared,
            merchant_key: mac::MerchantKey::from_pem(pem)?,
            gateway: mac::GatewayKey::embedded()?,
            store: Mutex::new(Store::default()),
            transfer_callback_url: Mutex::new(None),
        })
    }

    /// TERMINAL of the test merchant, `17201234`.
    pub fn terminal(&self) -> &'static str {
        TEST_TERMINAL
    }

    /// The gateway public key (PEM, SPKI) that verifies callback P_SIGN.
    pub fn gateway_public_key_pem(&self) -> &'static str {
        self.gateway.public_pem()
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

    /// An order by ORDER.
    pub fn order(&self, order: &str) -> Option<Order> {
        lock(&self.store).orders.get(order).cloned()
    }

    /// A transfer by SRN.
    pub fn transfer(&self, srn: &str) -> Option<Transfer> {
        lock(&self.store).transfers.get(srn).cloned()
    }

    /// The hosted page of an order (by its INT_REF).
    pub fn payment_page_url(&self, int_ref: &str) -> String {
        format!("{}/azericard/pay/{int_ref}", self.shared.base_url)
    }

    fn transfer_callback_url(&self) -> Option<String> {
        lock(&self.transfer_callback_url).clone()
    }

    /// `YYYYMMDDHHMMSS` of the gateway clock (UTC).
    fn timestamp(&self) -> String {
        use payments_core::clock::Clock;
        format_timestamp(self.shared.clock.now())
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
    let n = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn gateway_public_key(axum::extract::State(st): axum::extract::State<Arc<State>>) -> axum::response::Response {
    (
        [("content-type", "application/x-pem-file")],
        st.gateway_public_key_pem(),
    )
        .into_response()
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/cgi-bin/cgi_link", post(mpi::cgi_link))
        .route("/token/cgi_link", post(mpi::token_cgi_link))
        .route("/pay/{int_ref}", get(page::show).post(page::submit))
        .route("/gateway-public-key.pem", get(gateway_public_key))
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
    }
}
