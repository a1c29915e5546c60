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
//!   **AzeriCard's** key. Completion, reversal and status are
//!   server-to-server.
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
//! # Decisions where the sources disagree
//! (Source: `shared/specs/azericard.md`; the lists are in [`signature`].)
//! - **Signed fields of 21/22/24**: ORDER, AMOUNT, CURRENCY, TERMINAL,
//!   TRTYPE, RRN, INT_REF, integrify's order (the spec's vector A2).
//! - **Signed fields of the callback P_SIGN**: AMOUNT, TERMINAL, APPROVAL,
//!   RRN, INT_REF (Omnipay and the Django sample of AzeriCard's Java code;
//!   vector A4), verified with the gateway public key from the configuration,
//!   never the merchant's key. Since ACTION, RC and ORDER are not covered,
//!   confirm a callback with [`AzericardClient::confirm_callback`] before
//!   shipping.
//! - **22 vs 24**: both are offered ([`ReversalKind`]). `PaymentProvider::refund`
//!   sends 22 ("return payment": integrify, Omnipay), `PaymentProvider::cancel`
//!   sends 24 ("cancel": integrify).
//! - **AMOUNT**: exactly the currency's digits (`10.50`), from [`payments_core::Money`].
//! - **CURRENCY**: alpha (`AZN`) by default, numeric (`944`) by
//!   [`CurrencyFormat::Numeric`]. MT transfers always send the numeric code.
//! - **Status answers**: JSON with integrify's human-readable keys or
//!   `key=value&...`; both accepted. Completion/reversal answers: a bare code
//!   (`0` success), or ACTION/RC pairs.
//! - **MT answers**: their `Signature` is checked when present; an unsigned
//!   answer is accepted only as a failure, never as a success.
//! - **Transfer callback encoding** (unstated in the sources): JSON object or
//!   form body, both accepted, with both key spellings (`OperationID` /
//!   `OperationId`, `ReceiverPAN` / `ReceiverPan`, `Response Code` / `ResponseCode`).
//!
//! # Features
//! - `axum`: extractors that verify and decode callbacks (400 malformed, 401 bad signature).

pub mod callback;
pub mod client;
pub mod config;
pub mod error;
pub mod keys;
pub mod operations;
pub mod replay;
pub mod signature;
pub mod testing;
mod validate;
mod wire;

#[cfg(feature = "axum")]
pub mod axum;

/// The provider name used in errors and tracing.
pub const PROVIDER: &str = "azericard";

pub use callback::{AuthorizationCallback, TransferCallback, verify_authorization_callback, verify_transfer_callback};
pub use client::AzericardClient;
pub use config::{AzericardConfig, AzericardConfigBuilder, CurrencyFormat, Environment};
pub use error::{Action, AuthorizationOutcome, CardStatus, GatewayCode, TrType, TransferCode};
pub use keys::{GatewayPublicKey, MerchantKey};
pub use operations::authorization::{AuthorizationForm, AuthorizationKind, AuthorizationRequest, CardToken};
pub use operations::completion::{FollowUpRequest, FollowUpResponse, ReversalKind};
pub use operations::status::{StatusRequest, StatusResponse};
pub use operations::transfer::{TransferDecision, TransferDecisionKind, TransferResponse, TransferStart};
pub use replay::{InMemoryNonceStore, NonceStore};
