//! Turkish wallet QR payments on the STS wallet API, built on [`payments_core`].
//!
//! A customer pays a partner's QR code from a wallet in two steps:
//! [`QrWalletClient::begin_third_party_payment`] reads the code and returns
//! the sale ([`PaymentData`]) with a [`TxCorrelationId`];
//! [`QrWalletClient::complete_third_party_payment`] pays it (and checks it
//! charged what Begin showed). The rest of Sipay's wallet API is on the same
//! client: the one-time AddProviderMediaToWallet, the platform's own QR
//! payment requests, TR Karekod (ReadTRQRCode, GetTRQRCode), wallet-to-business
//! Payment, refunds, reconciliation (SummaryRecordByFilter) and unconfirmed
//! [`webhook`]s. [`payments_core::PaymentProvider`] is implemented for status
//! and refunds.
//!
//! - Every call carries a bearer token from the identity server
//!   (client_credentials, scope `sts_api`) through the core single-flight
//!   token cache.
//! - The response envelope decides: success is status 0 with code `"100"`
//!   or `null` (Sipay documents both, per endpoint). Anything else is an
//!   error even on HTTP 200; [`QrWalletErrorCode`] names every documented
//!   code: business refusals, 301 "already used", 500/501 outcome unknown,
//!   999 validation.
//! - Numbers are read from their exact text: amounts become exact decimals
//!   (Turkish `"1,00"` included; `"1.500"`, ambiguous, is an error), TR QR
//!   kuruş strings exact minor units, and the correlation id, which exceeds
//!   64 bits, is sent back as a JSON number with exactly its digits.
//! - Personal data (names, e-mail, phone, balances) never shows in `Debug`
//!   or error excerpts ([`redact`]).
//!
//! Every operation is a pure builder and a pure parser in [`operations`], so
//! it can be checked without a server:
//!
//! ```
//! use payments_core::{HttpResponse, Secret};
//! use qr_wallet::operations::third_party::{build_begin, build_complete, parse_begin};
//! use qr_wallet::{BeginThirdPartyPayment, CompleteThirdPartyPayment, QrWalletConfig};
//!
//! let config = QrWalletConfig::builder()
//!     .api_url("http://127.0.0.1:8080/qr")
//!     .identity_url("http://127.0.0.1:8080/qr/identity")
//!     .client_id("client")
//!     .client_secret("secret")
//!     .provider_id("112233")
//!     .build()?;
//! let token = Secret::from("access-token");
//!
//! let req = build_begin(&config, &token, &BeginThirdPartyPayment::new("5000000001", "777B77"))?;
//! assert_eq!(req.url, "http://127.0.0.1:8080/qr/v1/Transaction/Begin3rdPartyQRCodePayment");
//! assert_eq!(
//!     &req.body[..],
//!     br#"{"wallet_number":"5000000001","provider_id":"112233","qr_code":"777B77","qr_code_type":1}"#
//! );
//!
//! let answer = HttpResponse::new(200, r#"{"status":0,"code":"100","message":null,"payload":{
//!     " tx_correlation_id ":"7777777777777777777777",
//!     "payment_data":"{\"RequestAmount\":0.13,\"Kdv\":\"1,00\",\"CurrencyId\":\"1\",\"SessionExpireDate\":\"2021-04-01T08:38:40.51\",\"ResponseCode\":0}"}}"#);
//! let begun = parse_begin(&answer)?;
//! assert_eq!(begun.payment_data.request_amount.to_string(), "0.13");
//! assert_eq!(begun.payment_data.kdv.map(|d| d.to_string()).as_deref(), Some("1.00"));
//! assert_eq!(begun.payment_data.amount()?.minor(), 13);
//!
//! let complete = build_complete(&config, &token, &CompleteThirdPartyPayment::from_begun("5000000001", &begun))?;
//! assert_eq!(
//!     &complete.body[..],
//!     br#"{"wallet_number":"5000000001","provider_id":"112233","tx_correlation_id":7777777777777777777777}"#
//! );
//! # Ok::<(), payments_core::Error>(())
//! ```
//!
//! The client sends them (see [`QrWalletClient`] for an async example).
//! Sources: a Turkish integration document for Begin/Complete, and weaker
//! public traces for the rest, marked \[U\] in these docs.

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod amount;
mod client;
pub mod config;
pub mod error;
mod ids;
pub mod operations;
mod provider;
pub mod redact;
mod session;
mod wallet_info;
pub mod webhook;
mod wire;

/// The provider's name in errors and tracing.
pub const PROVIDER: &str = "qr-wallet";

pub use amount::{DecimalFormat, parse_decimal, parse_decimal_as};
pub use client::{QrWalletClient, QrWalletClientBuilder};
pub use config::{QrWalletConfig, QrWalletConfigBuilder};
pub use error::QrWalletErrorCode;
pub use ids::TxCorrelationId;
pub use operations::RawPayload;
pub use operations::account::AddProviderMedia;
pub use operations::own_qr::CreateQrCode;
pub use operations::payment::{Loyalty, WalletPayment};
pub use operations::qr_payment::{ApproveQrPayment, CreateQrPayment, QrPaymentDetails, QrPaymentStatusReport};
pub use operations::refund::{RefundPayment, RefundResult};
pub use operations::third_party::{
    BeginThirdPartyPayment, BegunThirdPartyPayment, CompleteThirdPartyPayment, CompletedPayment,
    CreateThirdPartyQrCode, CreatedQrCode, ExtOrderId, PaymentData, QrCodeType,
};
pub use operations::tr_qr::{TrQrCode, TrQrState};
pub use operations::transaction_data::{SortOrder, TransactionFilter, TransactionPage, TransactionRecord};
pub use provider::{EXTRA_QR_CODE, EXTRA_TX_CORRELATION_ID};
pub use session::SessionExpiry;
pub use wallet_info::{Balance, TransactionLimits, WalletInfo};
pub use webhook::{WalletWebhook, parse_webhook};

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
