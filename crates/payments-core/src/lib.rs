//! Core of the payments SDK for the payment providers of Azerbaijan,
//! Kazakhstan and Turkey.
//!
//! This crate holds what every provider crate shares:
//!
//! - [`Money`] and [`Currency`]: exact amounts in integer minor units; parsing
//!   and formatting are strict and never pass through a float.
//! - [`Secret`]: keys, passwords and tokens with a redacted `Debug`.
//! - [`Error`]: one taxonomy that always says whether money could have moved
//!   ([`Error::delivery`], [`Error::outcome_unknown`]).
//! - [`crypto`]: SHA-1, MD5, HMAC-SHA256, base64, hex and constant-time comparison.
//! - [`http`]: sans-I/O [`HttpRequest`]/[`HttpResponse`] and the one executor,
//!   [`http::HttpClient`] (feature `http`, on by default): a shared `reqwest`
//!   client, timeouts, one deadline per call across retries, a response size
//!   cap, retries for idempotent calls only, `tracing` spans without bodies or
//!   secrets, and errors that say NotSent only for a failure to connect.
//! - [`token_cache::TokenCache`]: the single-flight OAuth token cache.
//! - [`PaymentProvider`]: the provider-neutral trait and its result types.
//! - [`CallbackEvent`] / [`ConfirmedEvent`]: what a callback's signature
//!   proves, and the only type whose outcome a merchant may act on.
//! - [`store`]: where state between calls lives: replay and dedupe stores
//!   ([`store::OnceStore`]) and shared OAuth tokens ([`store::TokenStore`]);
//!   in memory by default, in Redis with the `redis` feature.
//! - [`json`]: exact JSON scalars; [`ids`]: merchant operation ids;
//!   [`auth`]: the bearer-token 401 wrapper.
//!
//! # Example
//!
//! ```
//! use payments_core::{Currency, Delivery, Error, Money, Secret};
//!
//! let amount = Money::parse_major("10.50", Currency::AZN)?;
//! assert_eq!(amount.minor(), 1050);
//! assert_eq!(amount.to_major_string(), "10.50");
//!
//! let key = Secret::from("private-key");
//! assert_eq!(format!("{key:?}"), "Secret([REDACTED])");
//!
//! let err = Error::invalid_input("order_id", "must be numeric");
//! assert_eq!(err.delivery(), Delivery::NotSent);
//! assert!(!err.outcome_unknown());
//! # Ok::<(), payments_core::Error>(())
//! ```
//!
//! # Features
//! - `http` (default): the reqwest-based executor.
//! - `rustls` (default) / `native-tls`: the TLS backend of the executor.
//!   The workspace's reqwest carries no TLS feature of its own, so
//!   `--no-default-features --features native-tls` builds without rustls and
//!   aws-lc-rs (CI checks this with `cargo tree`).
//! - `test-util`: the [`conformance`] suite for provider crates.
//! - `redis`: the Redis (or Valkey) stores of [`store`] for merchants running
//!   several instances (see `docs/redis.md`).

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod auth;
pub mod callback;
pub mod clock;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod conformance;
pub mod crypto;
pub mod currency;
pub mod error;
pub mod event;
pub mod http;
pub mod ids;
pub mod json;
pub mod money;
pub mod provider;
pub mod secret;
pub mod store;
pub mod token_cache;

pub use currency::Currency;
pub use error::{Delivery, Error, Result};
pub use event::{CallbackEvent, ConfirmedBy, ConfirmedEvent};
pub use http::{Call, CallOptions, CallSafety, HttpRequest, HttpResponse, Method};
pub use money::{Money, MoneyError};
pub use provider::{
    Capabilities, CreatePayment, Decline, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef, PaymentStatus,
    RefundRequest, StatusReport,
};
pub use secret::Secret;

/// Re-exported so that provider crates and users name the same versions.
pub use rust_decimal::Decimal;

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
