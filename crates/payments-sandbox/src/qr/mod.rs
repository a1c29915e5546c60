//! The Turkish QR wallet emulator (Sipay's wallet API on WalletGate, "STS
//! API"), under `/qr`.
//!
//! Paths (relative to [`crate::Sandbox::qr_url`]); every API call is a POST
//! with `Authorization: Bearer`, `Content-Type: application/json`:
//!
//! | path | success code | notes |
//! |---|---|---|
//! | `/identity/connect/token` | — | form: `client_credentials`, scope `sts_api` |
//! | `/api/v1/Transaction/Create3rdPartyQrCode` | `"100"` | \[U\] mints a partner POS QR |
//! | `/api/v1/Transaction/Begin3rdPartyQRCodePayment` | `"100"` | seed |
//! | `/api/v1/Transaction/Complete3rdPartyQRCodePayment` | `"100"` | seed; debits once |
//! | `/api/v1/Transaction/CreateQrCode`, `/BeginQrCodePayment` | `"100"` | \[U\] provisional (Katalon only) |
//! | `/api/v1/Transaction/CreateQRPayment` | `null` | Katalon |
//! | `/api/v1/Transaction/ReadQRPayment` | `null` | Sipay |
//! | `/api/v1/Transaction/ApproveQRPayment` | `"100"` | Sipay |
//! | `/api/v1/Transaction/CheckQRPaymentStatus` | `null` | `qr_status_code` 100/200/300/400 |
//! | `/api/v1/Transaction/Payment` | `"100"` | wallet → business |
//! | `/api/v1/Transaction/RefundPaymentInstant` | `"100"` | partial allowed |
//! | `/api/v1/Transaction/RefundPayment` | `null` | \[U\] full refunds only (Katalon) |
//! | `/api/v1/Transaction/ReadTRQRCode`, `/GetTRQRCode` | `null` | TR Karekod |
//! | `/api/v1/Account/AddProviderMediaToWallet` | `"100"` | payload `true` |
//! | `/api/v1/TransactionData/SummaryRecordByFilter` | `"100"` | reconciliation |
//! | `/api/v1/TransactionData/TransactionReceipt` | `"100"` | \[U\] |
//! | `/sandbox/topup`, `/sandbox/withdraw` | — | sandbox: move money and send the webhooks |
//! | `/sandbox/pay/{qr_code}` | — | sandbox: the payer's wallet app as a page (GET shows, POST pays) |
//!
//! Answers are described in `envelope`; one concern per module: `identity`,
//! `partner`, `merchant`, `payment`, `refund`, `trqr`, `data`, `webhook`,
//! `store`, `model`, `util`. See `docs/sandbox/qr.md` for the strictness
//! table, wallets, error codes and limits.

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

mod data;
mod envelope;
mod identity;
mod merchant;
mod model;
mod partner;
mod payment;
mod refund;
mod store;
mod trqr;
mod util;
mod wallet_page;
mod webhook;

pub use envelope::QrError;
pub use store::{MAX_PAYMENTS, MAX_QR_CODES, MAX_SESSIONS, MAX_TOKENS, PartnerQr, State, TrQrCode};
pub use util::{MAX_AMOUNT, MAX_TEXT_LEN};

/// The sandbox's identity-server client id.
pub const CLIENT_ID: &str = "sandbox-qr-client";
/// The sandbox's identity-server client secret.
pub const CLIENT_SECRET: &str = "sandbox-qr-secret";
/// The only scope the identity server grants.
pub const SCOPE: &str = "sts_api";
/// Token lifetime (`expires_in`), seconds of the sandbox clock.
pub const TOKEN_LIFETIME_SECS: i64 = 3600;
/// How long a Begin session may be completed (`SessionExpireDate`).
pub const SESSION_LIFETIME_SECS: i64 = 180;
/// How long a QR code (partner, provider or CreateQRPayment) may be paid.
pub const QR_LIFETIME_SECS: i64 = 600;

/// A QR amount (TRY) whose payment (Complete3rdPartyQRCodePayment,
/// ApproveQRPayment or Payment) is applied and then answered with HTTP 504
/// and no envelope: a gateway timeout after the money moved.
pub const MAGIC_TIMEOUT_AMOUNT: i64 = 504;
/// A Payment amount (TRY) that is applied and then answered status 2 / code
/// 501 ("try again"): the outcome is unknown until SummaryRecordByFilter.
pub const MAGIC_TRY_AGAIN_AMOUNT: i64 = 501;

/// The integration partner ids accepted as `provider_id` (the seed's two
/// examples, and Sipay's "Metropol" in either case).
pub const PROVIDER_IDS: [&str; 4] = ["112233", "eeeeeeee", "Metropol", "metropol"];
/// A personal wallet with 1000.00 TRY.
pub const TEST_WALLET: &str = "5000000001";
/// The test wallet's account number.
pub const TEST_WALLET_ACCOUNT: &str = "EEEEEE010";
/// A business wallet with 250.00 TRY (receiver of CreateQRPayment and Payment tests).
pub const SECOND_WALLET: &str = "5000000003";
/// The second wallet's account number.
pub const SECOND_WALLET_ACCOUNT: &str = "EEEEEE030";
/// A personal wallet with 0.10 TRY: any real payment answers 311 (insufficient balance).
pub const POOR_WALLET: &str = "5000000002";
/// The business wallet credited by partner QR payments.
pub const MERCHANT_WALLET: &str = "7777777777";
/// The merchant wallet's account number.
pub const MERCHANT_ACCOUNT: &str = "EEEEEEOE00";
/// Largest balance of a wallet (the `max_balance` limit reported in
/// `transaction_limits`); a top-up beyond it fails with 310.
pub const MAX_BALANCE: i64 = 50_000;

/// Envelope codes. Documented ones first; the rest are the sandbox's choices
/// where the documents are silent (see `docs/sandbox/qr.md`).
pub mod codes {
    /// Success (status 0) on the endpoints whose samples show it.
    pub const OK: &str = "100";
    /// Wallet not found (or the provider is not enabled on it).
    pub const WALLET_NOT_FOUND: &str = "300";
    /// Duplicate: ext_order_id / ext_transaction_id reused (refund ids too),
    /// or a session / QR code already paid.
    pub const DUPLICATE: &str = "301";
    /// Sender and receiver must be different wallets.
    pub const SAME_WALLET: &str = "303";
    /// No business (corporate) account for the receiver.
    pub const NOT_BUSINESS: &str = "304";
    /// Account number does not match the wallet.
    pub const ACCOUNT_MISMATCH: &str = "306";
    /// Wallet limit of the KYC level too low (top-up webhook).
    pub const LIMIT: &str = "310";
    /// Insufficient balance.
    pub const INSUFFICIENT_BALANCE: &str = "311";
    /// No record: unknown transaction, correlation id or QR code.
    pub const NO_RECORD: &str = "312";
    /// Invalid amount (below 0.01, more than 2 decimals, beyond what is left to refund).
    pub const INVALID_AMOUNT: &str = "315";
    /// QR code (or Begin session) expired.
    pub const EXPIRED: &str = "324";
    /// Top-up with an already used bank receipt number (webhook).
    pub const RECEIPT_REUSED: &str = "360";
    /// System error ("Sistem Hatası!").
    pub const SYSTEM_ERROR: &str = "500";
    /// Could not be done, try again (outcome unknown).
    pub const TRY_AGAIN: &str = "501";
    /// Field validation (status 1, HTTP 400).
    pub const VALIDATION: &str = "999";
    /// ReadTRQRCode could not read the code.
    pub const TR_QR_UNREADABLE: &str = "2";
}

pub(crate) fn router(state: Arc<State>) -> Router {
    const T: &str = "/api/v1/Transaction";
    const D: &str = "/api/v1/TransactionData";
    Router::new()
        .route("/identity/connect/token", post(identity::token))
        .route(&format!("{T}/Create3rdPartyQrCode"), post(partner::create_qr))
        .route(&format!("{T}/Begin3rdPartyQRCodePayment"), post(partner::begin))
        .route(&format!("{T}/Complete3rdPartyQRCodePayment"), post(partner::complete))
        .route(&format!("{T}/CreateQrCode"), post(partner::create_provider_qr))
        .route(&format!("{T}/BeginQrCodePayment"), post(partner::begin_provider))
        .route(&format!("{T}/CreateQRPayment"), post(merchant::create))
        .route(&format!("{T}/ReadQRPayment"), post(merchant::read))
        .route(&format!("{T}/ApproveQRPayment"), post(merchant::approve))
        .route(&format!("{T}/CheckQRPaymentStatus"), post(merchant::check_status))
        .route(&format!("{T}/Payment"), post(payment::pay))
        .route(&format!("{T}/RefundPayment"), post(refund::refund))
        .route(&format!("{T}/RefundPaymentInstant"), post(refund::refund_instant))
        .route(&format!("{T}/ReadTRQRCode"), post(trqr::read))
        .route(&format!("{T}/GetTRQRCode"), post(trqr::get))
        .route(
            "/api/v1/Account/AddProviderMediaToWallet",
            post(payment::add_provider_media),
        )
        .route(&format!("{D}/SummaryRecordByFilter"), post(data::summary))
        .route(&format!("{D}/TransactionReceipt"), post(data::receipt))
        .route("/sandbox/topup", post(webhook::topup))
        .route(
            "/sandbox/pay/{qr_code}",
            axum::routing::get(wallet_page::show).post(wallet_page::submit),
        )
        .route("/sandbox/withdraw", post(webhook::withdraw))
        .with_state(state)
}
