//! One dependency for every supported payment provider of Azerbaijan,
//! Kazakhstan and Turkey.
//!
//! Each provider is behind a feature and re-exported as a module:
//!
//! | feature | module | provider |
//! |---|---|---|
//! | `epoint` | [`epoint`](crate#features) | EPoint (Azerbaijan) |
//! | `azericard` | `azericard` | AzeriCard (Azerbaijan) |
//! | `epay-kz` | `epay_kz` | ePay, Halyk Bank (Kazakhstan) |
//! | `qr-wallet` | `qr_wallet` | wallet QR payments (Turkey) |
//!
//! `full` enables all four; `axum` enables the callback extractors of the
//! enabled providers; `rustls` (default) or `native-tls` picks the TLS
//! backend. The core types of [`payments_core`] are always re-exported at the
//! root, and [`AnyProvider`] picks a provider at run time, for merchants who
//! choose it from configuration.
//!
//! ```
//! use payments::{Currency, Money};
//!
//! let amount = Money::parse_major("25.00", Currency::KZT)?;
//! assert_eq!(amount.to_major_string(), "25.00");
//! # Ok::<(), payments::Error>(())
//! ```
//!
//! # Features
//! Without provider features this crate is only the core; a user of one
//! provider compiles nothing of the others.

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use payments_core::*;

#[cfg(feature = "azericard")]
#[cfg_attr(docsrs, doc(cfg(feature = "azericard")))]
pub use azericard;
#[cfg(feature = "epay-kz")]
#[cfg_attr(docsrs, doc(cfg(feature = "epay-kz")))]
pub use epay_kz;
#[cfg(feature = "epoint")]
#[cfg_attr(docsrs, doc(cfg(feature = "epoint")))]
pub use epoint;
#[cfg(feature = "qr-wallet")]
#[cfg_attr(docsrs, doc(cfg(feature = "qr-wallet")))]
pub use qr_wallet;

mod any;

pub use any::{AnyProvider, ProviderKind};

/// The top-level README's quick start, compiled as a doctest so it cannot
/// drift from the API (`cargo test -p payments --all-features --doc`).
#[cfg(all(doctest, feature = "epoint"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeQuickStart;

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
