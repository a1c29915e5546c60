//! One dependency for every supported payment provider of Azerbaijan,
//! Kazakhstan and Turkey.
//!
//! Each provider is behind a feature (`epoint`, `azericard`, `epay-kz`,
//! `qr-wallet`; `full` for all) and re-exported as a module; the core types of
//! [`payments_core`] are always re-exported at the root. [`AnyProvider`] picks
//! a provider at run time, for merchants who choose it from configuration.
//!
//! ```
//! use payments::{Currency, Money};
//!
//! let amount = Money::parse_major("25.00", Currency::KZT)?;
//! assert_eq!(amount.to_major_string(), "25.00");
//! # Ok::<(), payments::Error>(())
//! ```

pub use payments_core::*;

mod any;

pub use any::AnyProvider;
