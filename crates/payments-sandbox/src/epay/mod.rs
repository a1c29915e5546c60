//! The ePay (Halyk Bank, Kazakhstan) emulator, under `/epay`.
//!
//! Paths (relative to [`crate::Sandbox::epay_url`]):
//!
//! | method | path | auth |
//! |---|---|---|
//! | POST | `/oauth2/token` | form: client credentials, password or refresh grant |
//! | POST | `/api/invoice` | password-grant token |
//! | POST | `/api/invoice/search` | password-grant token |
//! | PUT | `/api/deactivate/invoice-links/{id}` | password-grant token |
//! | GET | `/api/redirect/invoice-link/{id}` | none (the payer's page) |
//! | POST | `/api/redirect/invoice-link/{id}/approve`, `/decline` | none (the page's buttons) |
//! | GET | `/api/check-status/payment/transaction/{invoiceId}` | service token |
//! | POST | `/api/operation/{id}/charge`, `/cancel`, `/refund` | service token |
//! | POST | `/api/payments/cards/auth` | payment token |
//! | POST | `/api/recurrent/subscribe` | service token |
//! | POST | `/api/p2p/transfer`, `/api/chdebit/transfer`, `/api/chpayment/transfer` | token with scope `transfer` |
//! | GET | `/payform/payment-api.js` | none: defines `halyk.pay(obj)` |
//! | POST | `/payform/pay` | the `halyk.pay` object (its `auth` holds the payment token) |
//! | POST | `/payform/approve`, `/payform/decline` | a page session, or `invoiceId` + `token`, or the `halyk.pay` object |
//!
//! See `docs/sandbox/epay.md` for credentials, magic inputs and scenarios.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::Shared;

mod api;
mod invoice;
pub(crate) mod json;
mod oauth;
mod page;
mod payform;

use json::Json;

/// ePay's published test client id.
pub const TEST_CLIENT_ID: &str = "test";
/// ePay's published test client secret.
pub const TEST_CLIENT_SECRET: &str = "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG";
/// ePay's published test terminal (two-step: approval leaves the payment in AUTH).
pub const TEST_TERMINAL: &str = "67e34d63-102f-4bd1-898e-370781d0074d";
/// The invoice-links test client id (from the seed).
pub const INVOICE_CLIENT_ID: &str = "halykfinanceUSD";
/// The invoice-links test client secret (from the seed).
pub const INVOICE_CLIENT_SECRET: &str = "U01gQZVL##lJ$NhJ";
/// The invoice-links user name for the password grant (from the seed).
pub const INVOICE_USERNAME: &str = "halykfinanceUSD@halykbank.nb";
/// The invoice-links password for the password grant (from the seed).
pub const INVOICE_PASSWORD: &str = "XVp36qar";
/// The invoice-links terminal (one-step: approval leaves the payment in CHARGE).
pub const INVOICE_TERMINAL: &str = "d9d7978c-d6ee-4ec0-8cda-165251a4bf16";
/// The invoice-links shop id (from the seed).
pub const INVOICE_SHOP_ID: &str = "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4";
/// The merchant id reported on invoice links (from the seed).
pub const MERCHANT_ID: &str = "ad638b1d-e515-4b9c-aab3-d3500735f6eb";
/// Lifetime of every token, in seconds (`expires_in` is sent as the string `"900"`, as in the seed).
pub const TOKEN_LIFETIME_SECS: i64 = 900;
/// The scope reported on tokens when the request asks for `api` or nothing.
pub const DEFAULT_SCOPE: &str = "webapi usermanagement email_send verification statement statistics payment";
/// Smallest refund, in KZT.
pub const MIN_REFUND_KZT: i64 = 10;

/// Test cards. Any other 16-digit number is approved like the first.
pub mod cards {
    /// VISA, approved.
    pub const VISA_OK: &str = "4405639704015096";
    /// Mastercard, approved.
    pub const MASTERCARD_OK: &str = "5522042705066736";
    /// Declined: reasonCode 05 "Do not honor".
    pub const DECLINE_DO_NOT_HONOR: &str = "4000000000000002";
    /// Declined: reasonCode 51 "Insufficient funds".
    pub const DECLINE_INSUFFICIENT_FUNDS: &str = "4000000000009995";
    /// Declined: 3-D Secure authentication failed (reasonCode 2028).
    pub const DECLINE_3DS: &str = "4000000000003063";
    /// Times out: the payment stays in 3-D Secure (statusName `3D`, check-status
    /// resultCode `107`), no postLink is sent, and the invoiceId may be paid again.
    pub const TIMEOUT_3DS: &str = "4000000000000259";
}

/// An operation amount (charge or refund) that is applied and then answered with
/// HTTP 504 and no body, as a gateway timeout after the money moved: the client
/// must treat the outcome as unknown and check the status.
pub const MAGIC_TIMEOUT_AMOUNT: i64 = 504;

/// An amount (in any currency) that the issuer always declines with reasonCode 51,
/// whatever the card: for flows where the test does not pick the card (saved cards).
pub const MAGIC_DECLINE_AMOUNT: i64 = 666;

/// A registered API client.
#[derive(Debug, Clone, Copy)]
struct ClientDef {
    id: &'static str,
    secret: &'static str,
    terminal: &'static str,
}

const CLIENTS: [ClientDef; 2] = [
    ClientDef {
        id: TEST_CLIENT_ID,
        secret: TEST_CLIENT_SECRET,
        terminal: TEST_TERMINAL,
    },
    ClientDef {
        id: INVOICE_CLIENT_ID,
        secret: INVOICE_CLIENT_SECRET,
        terminal: INVOICE_TERMINAL,
    },
];

fn client(id: &str) -> Option<ClientDef> {
    CLIENTS.iter().copied().find(|c| c.id == id)
}

/// What an access token allows.
#[derive(Debug, Clone)]
enum Grant {
    /// A payment token scoped to one invoice.
    Payment(PaymentScope),
    /// A service token for a terminal.
    Service { terminal: String },
    /// A password-grant token of the invoice-links user.
    Password,
}

/// The payment a payment token was issued for.
#[derive(Debug, Clone)]
struct PaymentScope {
    invoice_id: String,
    amount: Decimal,
    currency: String,
    terminal: String,
    secret_hash: String,
    post_link: Option<String>,
    failure_post_link: Option<String>,
}

#[derive(Debug, Clone)]
struct Token {
    client_id: String,
    scope: String,
    expires_at: OffsetDateTime,
    grant: Grant,
}

/// A transaction's state, as `statusName` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxStatus {
    Auth,
    Charge,
    Cancel,
    Refund,
    Failed,
    /// Waiting for the payer's 3-D Secure step, which never comes (the "timeout" card).
    Pending3ds,
}

impl TxStatus {
    fn name(self) -> &'static str {
        match self {
            TxStatus::Auth => "AUTH",
            TxStatus::Charge => "CHARGE",
            TxStatus::Cancel => "CANCEL",
            TxStatus::Refund => "REFUND",
            TxStatus::Failed => "FAILED",
            TxStatus::Pending3ds => "3D",
        }
    }

    fn id(self) -> &'static str {
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
    fn is_paid(self) -> bool {
        !matches!(self, TxStatus::Failed | TxStatus::Pending3ds)
    }
}

/// What the payer gave: from a payment token plus the `halyk.pay` object, or an invoice link.
#[derive(Debug, Clone, Default)]
struct PaymentOrder {
    invoice_id: String,
    invoice_id_alt: String,
    amount: Decimal,
    currency: String,
    terminal: String,
    secret_hash: String,
    post_link: Option<String>,
    failure_post_link: Option<String>,
    back_link: String,
    failure_back_link: String,
    description: String,
    account_id: String,
    language: String,
    name: String,
    email: String,
    phone: String,
    data: String,
    card_save: bool,
    /// The saved card paid with (`/payments/cards/auth`).
    saved_card_id: Option<String>,
    invoice_link_id: Option<String>,
}

#[derive(Debug, Clone)]
struct Txn {
    id: String,
    /// Creation order (the sandbox clock may stand still between payments).
    seq: u64,
    order: PaymentOrder,
    status: TxStatus,
    /// Authorized amount.
    amount: Decimal,
    charged: Decimal,
    refunded: Decimal,
    created: OffsetDateTime,
    card_mask: String,
    card_type: String,
    card_id: String,
    approval_code: String,
    reference: String,
    int_reference: String,
    reason: String,
    reason_code: String,
    secure: bool,
    refunds: Vec<(String, Decimal)>,
}

#[derive(Debug, Clone)]
struct SavedCard {
    terminal: String,
    mask: String,
    card_type: String,
    number: String,
}

#[derive(Debug, Clone)]
struct Invoice {
    id: String,
    invoice_id: String,
    amount: Decimal,
    language: String,
    currency: String,
    description: String,
    account_id: String,
    recipient_contact: String,
    recipient_contact_sms: String,
    notifier_contact_sms: String,
    expire_period: String,
    post_link: String,
    failure_post_link: String,
    back_link: String,
    failure_back_link: String,
    created: OffsetDateTime,
    expires: OffsetDateTime,
    updated: Option<OffsetDateTime>,
    /// ACTIVE, CHARGED or DEACTIVATED (EXPIRED is derived from the clock).
    status: &'static str,
}

/// A payment page opened by `halyk.pay` (or the POST it makes).
#[derive(Debug, Clone)]
struct Session {
    token: String,
    order: PaymentOrder,
}

#[derive(Debug, Default)]
struct Store {
    tokens: HashMap<String, Token>,
    refresh_tokens: HashMap<String, Token>,
    txns: HashMap<String, Txn>,
    invoices: HashMap<String, Invoice>,
    cards: HashMap<String, SavedCard>,
    sessions: HashMap<String, Session>,
    subscriptions: HashMap<String, String>,
    two_step: HashMap<String, bool>,
    next_seq: u64,
    /// Whether created invoice links carry the seed's stray leading spaces.
    plain_invoice_urls: bool,
}

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    shared: Arc<Shared>,
    store: Mutex<Store>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        let mut store = Store::default();
        store.two_step.insert(TEST_TERMINAL.to_owned(), true);
        store.two_step.insert(INVOICE_TERMINAL.to_owned(), false);
        State {
            shared,
            store: Mutex::new(store),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> OffsetDateTime {
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
    /// starts two-step, the invoice-links terminal one-step.
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
        let id = uuid();
        let (mask, card_type) = card_info(card_number);
        self.store().cards.insert(
            id.clone(),
            SavedCard {
                terminal: terminal.to_owned(),
                mask,
                card_type,
                number: card_number.to_owned(),
            },
        );
        id
    }

    /// The `statusName` of the latest transaction of an invoiceId, if any.
    pub fn payment_status(&self, invoice_id: &str) -> Option<String> {
        let store = self.store();
        latest_txn(&store, None, invoice_id).map(|t| t.status.name().to_owned())
    }

    /// The status of an invoice link by ePay's id (`ACTIVE`, `CHARGED`, `EXPIRED`, `DEACTIVATED`).
    pub fn invoice_link_status(&self, id: &str) -> Option<String> {
        let now = self.now();
        self.store().invoices.get(id).map(|i| invoice_status(i, now).to_owned())
    }
}

fn latest_txn<'a>(store: &'a Store, terminal: Option<&str>, invoice_id: &str) -> Option<&'a Txn> {
    store
        .txns
        .values()
        .filter(|t| t.order.invoice_id == invoice_id && terminal.is_none_or(|term| t.order.terminal == term))
        .max_by_key(|t| (t.created, t.seq))
}

fn invoice_status(inv: &Invoice, now: OffsetDateTime) -> &'static str {
    if inv.status == "ACTIVE" && now >= inv.expires {
        "EXPIRED"
    } else {
        inv.status
    }
}

/// An ePay error: HTTP status plus the `{code, message}` body.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: i64,
    message: String,
}

/// Error codes of the `{code, message}` body (the sandbox's own numbering).
pub mod codes {
    /// Malformed request, missing or invalid field.
    pub const INVALID_REQUEST: i64 = 1;
    /// Transaction or invoice link not found.
    pub const NOT_FOUND: i64 = 2;
    /// The operation is not allowed in the transaction's current state.
    pub const INVALID_STATE: i64 = 3;
    /// The amount exceeds what may be charged or refunded.
    pub const AMOUNT_TOO_LARGE: i64 = 4;
    /// The amount is below the minimum (refunds: 10 KZT).
    pub const AMOUNT_TOO_SMALL: i64 = 5;
    /// The invoiceId was already paid (or the invoice_id already used).
    pub const DUPLICATE: i64 = 6;
    /// The token's terminal differs from the transaction's.
    pub const WRONG_TERMINAL: i64 = 7;
    /// The issuer declined the payment.
    pub const DECLINED: i64 = 8;
    /// The invoice link expired or was deactivated.
    pub const LINK_INACTIVE: i64 = 9;
    /// Missing, unknown or expired token, or wrong credentials (HTTP 401).
    pub const UNAUTHORIZED: i64 = 401;
}

impl ApiError {
    fn bad(code: i64, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::bad(codes::INVALID_REQUEST, message)
    }

    fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: codes::UNAUTHORIZED,
            message: message.into(),
        }
    }

    fn field(e: json::FieldError) -> ApiError {
        ApiError::invalid(e.message())
    }

    fn body(&self) -> String {
        Json::obj([
            ("code", Json::int(self.code)),
            ("message", Json::str(self.message.clone())),
        ])
        .render()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        (self.status, headers, self.body()).into_response()
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A random lowercase UUID-shaped id.
fn uuid() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(13..16).unwrap_or_default(),
        h.get(17..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

/// A random string of `len` characters from `alphabet`.
fn random_text(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rand::random::<u32>() as usize % alphabet.len().max(1);
            alphabet.get(i).copied().map(char::from).unwrap_or('0')
        })
        .collect()
}

fn random_digits(len: usize) -> String {
    random_text(b"0123456789", len)
}

/// `440563******5096` and the brand.
fn card_info(number: &str) -> (String, String) {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let mask = if digits.len() >= 10 {
        format!(
            "{}{}{}",
            digits.get(..6).unwrap_or_default(),
            "*".repeat(digits.len() - 10),
            digits.get(digits.len() - 4..).unwrap_or_default()
        )
    } else {
        "****".to_owned()
    };
    let brand = match digits.chars().next() {
        Some('4') => "VISA",
        Some('5') | Some('2') => "MASTERCARD",
        _ => "UNKNOWN",
    };
    (mask, brand.to_owned())
}

/// Time as ePay writes it: RFC 3339 in Almaty time (+06:00, as the seed's samples).
fn kz_time(t: OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(6, 0, 0).unwrap_or(time::UtcOffset::UTC);
    t.to_offset(offset)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route("/api/invoice", post(invoice::create))
        .route("/api/invoice/search", post(invoice::search))
        .route("/api/deactivate/invoice-links/{id}", put(invoice::deactivate))
        .route("/api/redirect/invoice-link/{id}", get(invoice::page))
        .route("/api/redirect/invoice-link/{id}/approve", post(invoice::approve))
        .route("/api/redirect/invoice-link/{id}/decline", post(invoice::decline))
        .route(
            "/api/check-status/payment/transaction/{invoice_id}",
            get(api::check_status),
        )
        .route("/api/operation/{id}/charge", post(api::charge))
        .route("/api/operation/{id}/cancel", post(api::cancel))
        .route("/api/operation/{id}/refund", post(api::refund))
        .route("/api/payments/cards/auth", post(api::card_auth))
        .route("/api/recurrent/subscribe", post(api::subscribe))
        .route("/api/p2p/transfer", post(api::p2p))
        .route("/api/chdebit/transfer", post(api::aft))
        .route("/api/chpayment/transfer", post(api::oct))
        .route("/payform/payment-api.js", get(payform::script))
        .route("/payform/pay", post(payform::pay))
        .route("/payform/approve", post(payform::approve))
        .route("/payform/decline", post(payform::decline))
        .with_state(state)
}
