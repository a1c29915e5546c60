//! The Turkish QR wallet emulator ("STS API"), under `/qr`.
//!
//! Paths (relative to [`crate::Sandbox::qr_url`]):
//!
//! | method | path | auth |
//! |---|---|---|
//! | POST | `/identity/connect/token` | form: `client_credentials`, scope `sts_api` |
//! | POST | `/api/v1/Transaction/Create3rdPartyQrCode` | Bearer |
//! | POST | `/api/v1/Transaction/Begin3rdPartyQRCodePayment` | Bearer |
//! | POST | `/api/v1/Transaction/Complete3rdPartyQRCodePayment` | Bearer |
//! | POST | `/api/v1/Transaction/CreateQRPayment` | Bearer |
//! | POST | `/api/v1/Transaction/ReadQRPayment` | Bearer |
//! | POST | `/api/v1/Transaction/ApproveQRPayment` | Bearer |
//! | POST | `/api/v1/Transaction/CheckQRPaymentStatus` | Bearer |
//! | POST | `/api/v1/Transaction/RefundPayment`, `/RefundPaymentInstant` | Bearer |
//!
//! Every API answer is the envelope `{status, code, message, payload}` (HTTP 200,
//! errors included); only a missing or expired token is an HTTP 401.
//! See `docs/sandbox/qr.md` for credentials, wallets and error codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::Shared;
use crate::epay::json::{FieldError, Json};

mod identity;
mod merchant;
mod partner;
mod refund;

/// The sandbox's identity-server client id.
pub const CLIENT_ID: &str = "sandbox-qr-client";
/// The sandbox's identity-server client secret.
pub const CLIENT_SECRET: &str = "sandbox-qr-secret";
/// The only scope the identity server grants.
pub const SCOPE: &str = "sts_api";
/// Token lifetime (`expires_in`), seconds of the sandbox clock.
pub const TOKEN_LIFETIME_SECS: i64 = 3600;
/// How long a Begin3rdPartyQRCodePayment session may be completed (`SessionExpireDate`).
pub const SESSION_LIFETIME_SECS: i64 = 180;
/// How long a QR code (partner or CreateQRPayment) may be paid.
pub const QR_LIFETIME_SECS: i64 = 600;

/// A QR amount (TRY) whose payment (Complete3rdPartyQRCodePayment or
/// ApproveQRPayment) is applied and then answered with HTTP 504 and no envelope:
/// a gateway timeout after the money moved (CheckQRPaymentStatus shows PAID).
pub const MAGIC_TIMEOUT_AMOUNT: i64 = 504;

/// The integration partner ids accepted as `provider_id` (the seed's two examples).
pub const PROVIDER_IDS: [&str; 2] = ["112233", "eeeeeeee"];
/// A customer wallet with 1000.00 TRY.
pub const TEST_WALLET: &str = "5000000001";
/// The test wallet's account number.
pub const TEST_WALLET_ACCOUNT: &str = "EEEEEE010";
/// A second customer wallet with 250.00 TRY (receiver of CreateQRPayment tests).
pub const SECOND_WALLET: &str = "5000000003";
/// The second wallet's account number.
pub const SECOND_WALLET_ACCOUNT: &str = "EEEEEE030";
/// A wallet with 0.10 TRY: any real payment answers 311 (insufficient balance).
pub const POOR_WALLET: &str = "5000000002";
/// The merchant wallet credited by partner QR payments.
pub const MERCHANT_WALLET: &str = "7777777777";
/// The merchant wallet's account number.
pub const MERCHANT_ACCOUNT: &str = "EEEEEEOE00";

/// Envelope codes (`code`); success is `"100"` with `status` 0, errors have `status` 2.
pub mod codes {
    /// Success.
    pub const OK: &str = "100";
    /// Wallet not found.
    pub const WALLET_NOT_FOUND: &str = "300";
    /// Duplicate: ext_order_id / ext_transaction_id reused, or a session/QR already paid.
    pub const DUPLICATE: &str = "301";
    /// QR code not found.
    pub const QR_NOT_FOUND: &str = "302";
    /// QR session or QR code expired.
    pub const EXPIRED: &str = "303";
    /// Account number does not match the wallet.
    pub const ACCOUNT_MISMATCH: &str = "306";
    /// Unknown provider_id.
    pub const UNKNOWN_PROVIDER: &str = "307";
    /// Transaction (tx_correlation_id) not found.
    pub const TRANSACTION_NOT_FOUND: &str = "308";
    /// Insufficient balance.
    pub const INSUFFICIENT_BALANCE: &str = "311";
    /// Invalid amount.
    pub const INVALID_AMOUNT: &str = "315";
    /// Refund larger than the paid amount not yet refunded.
    pub const REFUND_TOO_LARGE: &str = "316";
    /// Missing or invalid field.
    pub const INVALID_REQUEST: &str = "400";
    /// Unreadable request ("Sistem Hatası!").
    pub const SYSTEM_ERROR: &str = "999";
}

#[derive(Debug, Clone)]
struct Wallet {
    id: String,
    number: String,
    name: String,
    account_number: String,
    balance: Decimal,
}

/// What a QR code pays.
#[derive(Debug, Clone)]
enum QrKind {
    /// A partner POS's QR (Create3rdPartyQrCode), paid by Begin/Complete.
    Partner { merchant_no: String, terminal_no: String },
    /// A wallet's QR (CreateQRPayment), paid by ApproveQRPayment.
    Wallet {
        ext_order_id: String,
        receiver_wallet: String,
        description: String,
    },
}

#[derive(Debug, Clone)]
struct QrCode {
    code: String,
    short_code: String,
    kind: QrKind,
    amount: Decimal,
    expires: OffsetDateTime,
    /// The payment's transaction_id once paid.
    paid_by: Option<String>,
}

#[derive(Debug, Clone)]
struct QrSession {
    correlation_id: String,
    wallet: String,
    provider_id: String,
    qr_code: String,
    amount: Decimal,
    sale_ref_code: String,
    terminal_txn: u32,
    expires: OffsetDateTime,
    completed: bool,
}

#[derive(Debug, Clone)]
struct Payment {
    transaction_id: String,
    correlation_id: String,
    sender_wallet: String,
    receiver_wallet: String,
    amount: Decimal,
    refunded: Decimal,
    paid_at: OffsetDateTime,
}

#[derive(Debug, Default)]
struct Store {
    tokens: HashMap<String, OffsetDateTime>,
    wallets: HashMap<String, Wallet>,
    qr_codes: HashMap<String, QrCode>,
    sessions: HashMap<String, QrSession>,
    payments: HashMap<String, Payment>,
    /// ext_transaction_id -> (payment transaction_id, amount, refund id).
    refunds: HashMap<String, (String, Decimal, String)>,
    spaced_correlation_key: bool,
}

impl Store {
    fn find_qr(&self, code: &str) -> Option<&QrCode> {
        self.qr_codes
            .get(code)
            .or_else(|| self.qr_codes.values().find(|q| q.short_code == code))
    }
}

/// A partner QR code minted by [`State::create_partner_qr`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerQr {
    /// The full QR code (`qr_code_type` 1).
    pub qr_code: String,
    /// The short code (`qr_code_type` 2).
    pub short_code: String,
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
        for (number, name, account, balance) in [
            (
                TEST_WALLET,
                "Test Cüzdan",
                TEST_WALLET_ACCOUNT,
                Decimal::new(100_000, 2),
            ),
            (
                SECOND_WALLET,
                "İkinci Cüzdan",
                SECOND_WALLET_ACCOUNT,
                Decimal::new(25_000, 2),
            ),
            (POOR_WALLET, "Boş Cüzdan", "EEEEEE020", Decimal::new(10, 2)),
            (MERCHANT_WALLET, "Test_58", MERCHANT_ACCOUNT, Decimal::ZERO),
        ] {
            store.wallets.insert(
                number.to_owned(),
                Wallet {
                    id: digits_nonzero(19),
                    number: number.to_owned(),
                    name: name.to_owned(),
                    account_number: account.to_owned(),
                    balance,
                },
            );
        }
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

    /// The identity server's token URL (`{base}/qr/identity/connect/token`).
    pub fn token_url(&self) -> String {
        format!("{}/qr/identity/connect/token", self.shared.base_url)
    }

    /// The API base (`{base}/qr/api`); the client appends `/v1/Transaction/...`.
    pub fn api_url(&self) -> String {
        format!("{}/qr/api", self.shared.base_url)
    }

    /// Mints a partner QR code (as `Create3rdPartyQrCode` does) for `amount` TRY,
    /// payable for [`QR_LIFETIME_SECS`] of the sandbox clock.
    pub fn create_partner_qr(&self, merchant_code: &str, terminal_code: &str, amount: Decimal) -> PartnerQr {
        let now = self.now();
        let qr = new_partner_qr(merchant_code.to_owned(), terminal_code.to_owned(), amount, now);
        let out = PartnerQr {
            qr_code: qr.code.clone(),
            short_code: qr.short_code.clone(),
        };
        self.store().qr_codes.insert(qr.code.clone(), qr);
        out
    }

    /// Adds (or replaces) a wallet with a TRY balance.
    pub fn add_wallet(&self, number: &str, account_number: &str, balance: Decimal) {
        self.store().wallets.insert(
            number.to_owned(),
            Wallet {
                id: digits_nonzero(19),
                number: number.to_owned(),
                name: "Sandbox".to_owned(),
                account_number: account_number.to_owned(),
                balance,
            },
        );
    }

    /// A wallet's balance.
    pub fn balance(&self, wallet_number: &str) -> Option<Decimal> {
        self.store().wallets.get(wallet_number).map(|w| w.balance)
    }

    /// Whether Begin3rdPartyQRCodePayment writes the correlation id under the seed's
    /// literal key `" tx_correlation_id "` (with spaces) instead of `tx_correlation_id`.
    pub fn set_spaced_correlation_key(&self, spaced: bool) {
        self.store().spaced_correlation_key = spaced;
    }
}

fn new_partner_qr(merchant_no: String, terminal_no: String, amount: Decimal, now: OffsetDateTime) -> QrCode {
    QrCode {
        code: format!("0002010102122651{}{}", merchant_no, digits_nonzero(16)),
        short_code: random_text(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", 6),
        kind: QrKind::Partner {
            merchant_no,
            terminal_no,
        },
        amount,
        expires: now + time::Duration::seconds(QR_LIFETIME_SECS),
        paid_by: None,
    }
}

/// An envelope error.
#[derive(Debug, Clone)]
pub(crate) struct QrError {
    code: &'static str,
    message: String,
}

impl QrError {
    fn new(code: &'static str, message: impl Into<String>) -> QrError {
        QrError {
            code,
            message: message.into(),
        }
    }

    fn field(e: FieldError) -> QrError {
        QrError::new(codes::INVALID_REQUEST, format!("Geçersiz istek: {}", e.message()))
    }

    fn missing(field: &str) -> QrError {
        QrError::new(codes::INVALID_REQUEST, format!("Geçersiz istek: {field}: required"))
    }

    fn amount() -> QrError {
        QrError::new(codes::INVALID_AMOUNT, "Geçersiz tutar girişi.")
    }

    fn wallet() -> QrError {
        QrError::new(codes::WALLET_NOT_FOUND, "Cüzdan bulunamadı.")
    }
}

impl IntoResponse for QrError {
    fn into_response(self) -> Response {
        envelope(2, self.code, Some(&self.message), Json::Null)
    }
}

fn envelope(status: i64, code: &str, message: Option<&str>, payload: Json) -> Response {
    let body = Json::obj([
        ("status", Json::int(status)),
        ("code", Json::str(code)),
        ("message", message.map(Json::str).unwrap_or(Json::Null)),
        ("payload", payload),
    ]);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.render(),
    )
        .into_response()
}

/// HTTP 504 without an envelope, as a proxy answers when the platform is slow.
fn gateway_timeout() -> Response {
    (
        StatusCode::GATEWAY_TIMEOUT,
        [(header::CONTENT_TYPE, "text/plain")],
        "upstream request timeout",
    )
        .into_response()
}

fn success(message: Option<&str>, payload: Json) -> Response {
    envelope(0, codes::OK, message, payload)
}

/// A TRY amount from the request: positive, at most 2 fraction digits.
fn money(value: Option<Decimal>) -> Result<Decimal, QrError> {
    let d = value.ok_or_else(QrError::amount)?.normalize();
    if d <= Decimal::ZERO || d.scale() > 2 {
        return Err(QrError::amount());
    }
    Ok(d)
}

fn random_text(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| {
            let i = rand::random::<u32>() as usize % alphabet.len().max(1);
            alphabet.get(i).copied().map(char::from).unwrap_or('0')
        })
        .collect()
}

/// `len` random digits, the first one not zero.
fn digits_nonzero(len: usize) -> String {
    let mut s = random_text(b"123456789", 1);
    s.push_str(&random_text(b"0123456789", len.saturating_sub(1)));
    s
}

/// Turkish local time without a zone and with 2 fraction digits, as the seed's
/// `SessionExpireDate` (`2021-04-01T08:38:40.51`).
fn tr_local(t: OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(3, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond() / 10
    )
}

/// UTC with 7 fraction digits, as the seed's `created_date_utc`.
fn utc_7(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond() / 100
    )
}

pub(crate) fn router(state: Arc<State>) -> Router {
    const T: &str = "/api/v1/Transaction";
    Router::new()
        .route("/identity/connect/token", post(identity::token))
        .route(&format!("{T}/Create3rdPartyQrCode"), post(partner::create_qr))
        .route(&format!("{T}/Begin3rdPartyQRCodePayment"), post(partner::begin))
        .route(&format!("{T}/Complete3rdPartyQRCodePayment"), post(partner::complete))
        .route(&format!("{T}/CreateQRPayment"), post(merchant::create))
        .route(&format!("{T}/ReadQRPayment"), post(merchant::read))
        .route(&format!("{T}/ApproveQRPayment"), post(merchant::approve))
        .route(&format!("{T}/CheckQRPaymentStatus"), post(merchant::check_status))
        .route(&format!("{T}/RefundPayment"), post(refund::refund))
        .route(&format!("{T}/RefundPaymentInstant"), post(refund::refund_instant))
        .with_state(state)
}
