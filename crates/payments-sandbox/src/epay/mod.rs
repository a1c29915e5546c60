//! The ePay (Halyk Bank, Kazakhstan) emulator, under `/epay`.
//!
//! Paths (relative to [`crate::Sandbox::epay_url`]):
//!
//! | method | path | auth |
//! |---|---|---|
//! | POST | `/oauth2/token` | form: client credentials, password or refresh grant |
//! | POST | `/api/invoice` | password-grant token (invoice user) |
//! | POST | `/api/invoice/search` | password-grant token (invoice user) |
//! | PUT | `/api/deactivate/invoice-links/{id}` | password-grant token (invoice user) |
//! | GET | `/api/redirect/invoice-link/{id}` | none (the payer's page) |
//! | POST | `/api/redirect/invoice-link/{id}/approve`, `/decline` | none (the page's buttons) |
//! | GET | `/api/check-status/payment/transaction/{invoiceId}` | service token |
//! | POST | `/api/operation/{id}/charge`, `/cancel`, `/refund` | service token |
//! | POST | `/api/payments/cards/auth` | payment token |
//! | GET | `/api/cards/{accountId}` | client token (with or without terminal) |
//! | POST | `/api/card/deactivate/{cardID}` | client token (with or without terminal) |
//! | POST | `/api/recurrent/subscribe` | service token or the payment's token |
//! | POST | `/api/p2p/transfer`, `/api/chdebit/transfer` | per-transfer token, scope `transfer`, P2P terminal |
//! | POST | `/api/chpayment/transfer` | per-payout token, OCT terminal |
//! | GET | `/api/check-status/p2p/transaction/{order}` | service token of the transfer's terminal |
//! | POST | `/api/p2p/operations` | password-grant token (P2P user), scope `transfer` |
//! | POST | `/api/payment/cryptopay`, `/payment/cryptopay` | payment token |
//! | GET | `/api/public.rsa` | none: the cryptogram key |
//! | POST | `/api/payment/qr/generate` | payment token (QR terminal) |
//! | GET | `/api/qr?billNumber=` | the bill's payment token |
//! | POST | `/sandbox/qr/{billNumber}/scan`, `/pay`, `/reject` | none: the payer's side |
//! | GET | `/payform/payment-api.js` | none: defines `halyk.pay(obj)` |
//! | POST | `/payform/pay` | the `halyk.pay` object (its `auth` holds the payment token) |
//! | POST | `/payform/approve`, `/payform/decline` | a page session, or `invoiceId` + `token`, or the `halyk.pay` object |
//!
//! One concern per module: [`credentials`] (test data), `model` (what is
//! stored), `store` (the bounded stores and [`State`]), `error` ([`ApiError`]),
//! `oauth`, `status`, `operation`, `saved_cards`, `transfer`, `cryptopay`, `qr`,
//! `invoice` (+ `like`), `payform` and `page` (hosted pages), `postlink`
//! (settling and callbacks). See `docs/sandbox/epay.md` for the strictness
//! table, scenarios and limits.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};

pub mod credentials;
mod cryptopay;
mod error;
mod invoice;
mod like;
mod model;
mod oauth;
mod operation;
mod page;
mod payform;
mod postlink;
mod qr;
mod saved_cards;
mod status;
mod store;
mod transfer;
mod util;

pub use credentials::*;
pub use error::{ApiError, codes};
pub use invoice::MAX_FIELD_LEN;
pub use oauth::MAX_SECRET_HASH_LEN;
pub use payform::MAX_WIDGET_FIELD_LEN;
pub use store::{MAX_CARDS, MAX_INVOICES, MAX_REFUNDS_PER_TXN, MAX_SESSIONS, MAX_TOKENS, MAX_TXNS, State};
pub use util::{CURRENCIES, MAX_LINK_LEN};

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
            get(status::check_status),
        )
        .route("/api/operation/{id}/charge", post(operation::charge))
        .route("/api/operation/{id}/cancel", post(operation::cancel))
        .route("/api/operation/{id}/refund", post(operation::refund))
        .route("/api/payments/cards/auth", post(saved_cards::card_auth))
        .route("/api/cards/{account_id}", get(saved_cards::list))
        .route("/api/card/deactivate/{card_id}", post(saved_cards::deactivate))
        .route("/api/recurrent/subscribe", post(saved_cards::subscribe))
        .route("/api/p2p/transfer", post(transfer::p2p))
        .route("/api/chdebit/transfer", post(transfer::aft))
        .route("/api/chpayment/transfer", post(transfer::oct))
        .route("/api/check-status/p2p/transaction/{order}", get(transfer::status))
        .route("/api/p2p/operations", post(transfer::list))
        .route("/api/payment/cryptopay", post(cryptopay::pay))
        .route("/payment/cryptopay", post(cryptopay::pay))
        .route("/api/public.rsa", get(cryptopay::public_rsa))
        .route("/api/payment/qr/generate", post(qr::generate))
        .route("/api/qr", get(qr::status))
        .route("/sandbox/qr/{bill}/{action}", post(qr::act))
        .route("/payform/payment-api.js", get(payform::script))
        .route("/payform/pay", post(payform::pay))
        .route("/payform/approve", post(payform::approve))
        .route("/payform/decline", post(payform::decline))
        .with_state(state)
}
