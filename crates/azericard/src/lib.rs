//! AzeriCard (Azerbaijan) for the payments SDK.
//!
//! AzeriCard runs two systems with two hosts and two keys:
//!
//! - **MPI** (e-Commerce Gateway, card payments with 3-D Secure): every
//!   request carries a `P_SIGN`, an RSA (SHA-256, PKCS#1 v1.5) signature by
//!   the merchant's private key, hex-encoded. The purchase itself is a form
//!   the customer's browser POSTs to the gateway
//!   ([`PaymentOutcome::RequiresFormPost`](payments_core::PaymentOutcome));
//!   the result comes back as a callback to BACKREF, signed with
//!   **AzeriCard's** key, covering only part of it (see below). Completion,
//!   reversal, status and stored-card charges are server-to-server.
//! - **MT** (card transfers, payouts to a customer's card): MD5 over the
//!   field values plus a shared secret.
//!
//! RSA is done with `aws-lc-rs` (already in the tree through rustls:
//! constant-time, no open timing advisory), in this crate only.
//!
//! # Example
//! ```
//! use azericard::{AuthorizationRequest, AzericardClient, AzericardConfig, MerchantKey};
//! use payments_core::{Currency, Money};
//!
//! # fn main() -> Result<(), payments_core::Error> {
//! let config = AzericardConfig::builder("17201234")
//!     .merchant_key(MerchantKey::from_pem(include_bytes!("../tests/data/azericard-test-key.pem"))?)
//!     .merchant_name("Test Shop")
//!     .merchant_url("https://shop.example")
//!     .callback_url("https://shop.example/azericard/callback")
//!     .mpi_base_url("http://127.0.0.1:8080/azericard") // a sandbox; omit for the test host
//!     .build()?;
//! let client = AzericardClient::new(config)?;
//!
//! let amount = Money::parse_major("10.50", Currency::AZN)?;
//! let form = client.authorization_form(&AuthorizationRequest::purchase("000123", amount, "Order 123"))?;
//! assert_eq!(form.url, "http://127.0.0.1:8080/azericard/cgi-bin/cgi_link");
//! assert_eq!(form.field("AMOUNT"), Some("10.50"));
//! assert_eq!(form.field("P_SIGN").map(str::len), Some(512));
//! let html = form.to_html(); // an auto-submitting page for the customer's browser
//! # assert!(html.contains("P_SIGN"));
//! # Ok(())
//! # }
//! ```
//!
//! # Callbacks: verified is not confirmed
//! The gateway's callback P_SIGN covers only AMOUNT, TERMINAL, APPROVAL, RRN
//! and INT_REF. ACTION, RC, ORDER and CURRENCY are not signed, so a genuine
//! *declined* callback can be edited into an "approval" for any order and
//! still verify. [`AzericardClient::verify_authorization_callback`] therefore
//! returns an [`AuthorizationCallback`] that exposes the signed fields and the
//! unsigned claims apart, with no approval accessor; the outcome comes only
//! from [`AzericardClient::confirm_authorization_callback`] (or the trait's
//! `confirm_callback`): a status query whose answer must agree with the
//! callback on ORDER, AMOUNT, CURRENCY, RRN, INT_REF and the outcome, giving
//! a [`payments_core::ConfirmedEvent`]. Ship on `ensure_paid` of that.
//!
//! # Decisions where the sources disagree
//! (Source: the provider notes compiled for this project; the lists are in [`signature`].)
//! - **Signed fields of 21/22/24**: AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER,
//!   RRN, INT_REF by default (three independent sources; vectors A2b, A8b);
//!   integrify's order (ORDER first; A2, A8) is selectable with
//!   [`FollowUpSigningOrder`] / `AZERICARD_FOLLOW_UP_ORDER=integrify`.
//! - **Signed fields of the callback P_SIGN**: AMOUNT, TERMINAL, APPROVAL,
//!   RRN, INT_REF (three sources; vector A4), verified with the configured
//!   gateway public key(s), never the merchant's key.
//! - **22 vs 24**: both are offered ([`ReversalKind`]). `PaymentProvider::refund`
//!   sends 22 (most sources: "return"/refund); `PaymentProvider::cancel`
//!   sends 24, which integrify and Omnipay read as "release a hold" and
//!   srustamov as "offline reversal of a settled payment". Ask AzeriCard.
//! - **0 vs 1**: 0 = pre-authorization (hold, completed with 21 =
//!   `PaymentProvider::capture`), 1 = purchase.
//! - **Stored card, MIT, recurring** (srustamov only \[U\]): registration forms
//!   ([`AuthorizationRequest::register_for_unscheduled_charges`],
//!   [`AuthorizationRequest::register_for_recurring_charges`]), the
//!   cardholder-initiated stored-card payment
//!   ([`AuthorizationRequest::cardholder_initiated`]) and server-to-server
//!   charges ([`StoredCardCharge`], TRTYPE 1 or 3), all signed with the
//!   authorization list (vectors A5-A7).
//! - **AMOUNT**: exactly the currency's digits (`10.50`), from [`payments_core::Money`].
//! - **CURRENCY**: alpha (`AZN`) by default, numeric (`944`) by
//!   [`CurrencyFormat::Numeric`]. MT transfers always send the numeric code.
//! - **Status answers**: JSON with integrify's human-readable keys or
//!   `key=value&...`; both accepted; an amount or currency that does not
//!   parse is an error. Completion/reversal/charge answers: a bare code, or
//!   ACTION/RC pairs ([`FollowUpOutcome`]; ACTION 3 is outcome-unknown).
//! - **MT answers**: their `Signature` is checked when present; an unsigned
//!   answer is accepted only as a failure, never as a success.
//! - **Transfer callback**: JSON object or form body, both key spellings;
//!   every field's format is checked before the MD5's meaning is trusted
//!   (see [`transfer_callback`]).
//!
//! # Features
//! - `axum`: extractors that verify, and confirm, callbacks.

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod callback;
pub mod client;
pub mod config;
pub mod confirm;
pub mod error;
mod key_shape;
pub mod keys;
pub mod language;
pub mod operations;
pub mod replay;
pub mod signature;
pub mod testing;
pub mod transfer_callback;
mod validate;
mod wire;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

/// The provider name used in errors and tracing.
pub const PROVIDER: &str = "azericard";

pub use callback::{
    AuthorizationCallback, ClaimedFields, EXTRA_APPROVAL, EXTRA_INT_REF, EXTRA_RRN, EXTRA_TRTYPE, SignedFields,
    verify_authorization_callback,
};
pub use client::{AzericardClient, AzericardClientBuilder};
pub use config::{AzericardConfig, AzericardConfigBuilder, CurrencyFormat, Environment};
pub use error::{Action, AuthorizationOutcome, CardStatus, GatewayCode, TrType, TransferCode};
pub use keys::{GatewayPublicKey, MerchantKey};
pub use language::Language;
pub use operations::authorization::{
    AuthorizationForm, AuthorizationKind, AuthorizationRequest, CardToken, StoredCredential,
};
pub use operations::completion::{FollowUpOutcome, FollowUpRequest, FollowUpResponse, ReversalKind};
pub use operations::status::{StatusRequest, StatusResponse};
pub use operations::stored_charge::{StoredCardCharge, StoredChargeKind};
pub use operations::transfer::{TransferDecision, TransferDecisionKind, TransferResponse, TransferStart};
pub use signature::FollowUpSigningOrder;
pub use transfer_callback::{TransferCallback, verify_transfer_callback};

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
