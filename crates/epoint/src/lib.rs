//! EPoint (Azerbaijan) client for the payments SDK.
//!
//! Every EPoint operation is a signed form POST of `data` (base64 JSON) and
//! `signature` = base64(SHA1(private_key + data + private_key)) to
//! `<base URL>/api/1/<operation>`. This crate offers every operation EPoint
//! documents (the 15 the reference client wraps, and pre-authorization,
//! checkout, card status, e-wallets, invoices, installments, B2B transfers,
//! the `request` family, token split payments and the heartbeat) as methods
//! of [`EpointClient`], each also as a pure builder/parser pair in
//! [`operations`]. Operations known from one source only are marked `[U]`
//! in their docs: they may differ in production. Callbacks are verified
//! (constant time, over the exact `data` received, before decoding) and
//! decoded by [`callback::verify_and_decode`]; [`EpointClient`] implements
//! [`payments_core::PaymentProvider`] (holds and captures included).
//!
//! Only AZN is documented by EPoint: every builder refuses another currency,
//! and none is ever assumed where EPoint's answers omit it. Every answer's
//! `trace_id` is kept and shown in errors.
//!
//! Amounts go out as JSON strings with two decimals (`"10.50"`), built from
//! [`Money`](payments_core::Money), never from a float. A decline
//! (`status: error|failed`) is an `Ok` value; `server_error` is an
//! [`Error::Provider`](payments_core::Error::Provider).
//!
//! # Example
//!
//! ```no_run
//! use epoint::{EpointClient, EpointConfig, PayRequest, StatusRequest};
//! use payments_core::{Currency, Money};
//!
//! # async fn run() -> payments_core::Result<()> {
//! let config = EpointConfig::builder()
//!     .public_key("i000000001")
//!     .private_key("your-private-key")
//!     .success_redirect_url("https://shop.example/ok")
//!     .failed_redirect_url("https://shop.example/fail")
//!     .build()?; // or EpointConfig::from_env()?
//! let client = EpointClient::new(config)?;
//!
//! let amount = Money::parse_major("10.50", Currency::AZN)?;
//! let payment = client.pay(&PayRequest::new("order-0001", amount).description("Test payment")).await?;
//! if payment.status.is_success() {
//!     println!("send the customer to {:?}", payment.redirect_url);
//! }
//! if let Some(transaction) = payment.transaction {
//!     let status = client.get_status(&StatusRequest::new(transaction)).await?;
//!     println!("{:?}", status.status);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Requests are sans-I/O and can be checked without a server:
//!
//! ```
//! use epoint::{EpointConfig, PayRequest};
//! use epoint::operations::payment::build_pay;
//! use payments_core::{Currency, Money};
//!
//! let config = EpointConfig::builder()
//!     .public_key("i000000001")
//!     .private_key("test-private-key")
//!     .success_redirect_url("https://shop.example/ok")
//!     .failed_redirect_url("https://shop.example/fail")
//!     .build()?;
//! let request = PayRequest::new("order-0001", Money::parse_major("10.50", Currency::AZN)?)
//!     .description("Test payment");
//! let http = build_pay(&config, &request)?;
//! assert_eq!(http.url, "https://epoint.az/api/1/request");
//! // The spec's vector V1, byte for byte.
//! assert!(std::str::from_utf8(&http.body).unwrap().ends_with("&signature=PEzmTr8b%2FRG%2FTYzUg2DOl8rS1T0%3D"));
//! # Ok::<(), payments_core::Error>(())
//! ```
//!
//! # Features
//! - `rustls` (default) / `native-tls`: the TLS backend of the shared executor.
//! - `axum`: [`axum::VerifiedCallback`], an extractor answering 400 for a
//!   malformed callback and 401 for a bad signature.

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

// First: its `wire_enum!` macro is used by the operation modules.
#[macro_use]
pub mod status;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
pub mod callback;
mod client;
pub mod config;
pub mod error;
pub mod operations;
pub mod refs;
pub mod signature;
mod wire;

pub use callback::{
    Callback, CallbackError, CallbackKind, OTHER_ATTR_CURRENCY, sign_callback, try_verify_and_decode, verify_and_decode,
};
pub use client::{EpointClient, EpointClientBuilder};
pub use config::{EpointConfig, EpointConfigBuilder, Language, PRODUCTION_BASE_URL, RequestEncoding};
pub use error::PROVIDER;
pub use operations::b2b::{
    B2bPayee, B2bPaymentRequest, B2bPaymentResponse, B2bStatus, B2bStatusResponse, ConfirmedB2bTransfer,
    UnconfirmedB2bWebhook,
};
pub use operations::card_status::{CardStatus, CardStatusRequest, CardStatusResponse};
pub use operations::checkout::CheckoutForm;
pub use operations::heartbeat::Heartbeat;
pub use operations::installment::{
    InstallmentCard, InstallmentOffers, InstallmentOffersRequest, InstallmentPaymentRequest,
};
pub use operations::invoice::{
    Invoice, InvoiceListRequest, InvoiceListType, InvoiceRecord, InvoiceResponse, InvoiceStatus, SortOrder,
};
pub use operations::payment::{
    CardPurpose, CardRedirectResponse, PayAndSaveCardRequest, PayRequest, RedirectResponse, SaveCardRequest,
};
pub use operations::preauth::{PreAuthCompleteRequest, PreAuthRequest};
pub use operations::refund::{ReverseRequest, ReverseResponse};
pub use operations::saved_card::{PaymentResponse, PayoutRequest, SavedCardPayRequest};
pub use operations::split::{Split, SplitPayAndSaveCardRequest, SplitPayRequest, SplitSavedCardPayRequest};
pub use operations::status::{StatusRequest, StatusResponse};
pub use operations::token::{
    ApplePaySession, ApplePaySessionRequest, TokenPayment, TokenPaymentId, TokenPaymentRequest, TokenPaymentResponse,
    WalletPayRequest, WalletPayResponse, WidgetRequest, WidgetResponse,
};
pub use operations::wallet::{Wallet, WalletPaymentRequest, WalletStatusResponse};
pub use status::{ExtendedStatus, OperationCode, Status};

/// Test helpers: sign callbacks as EPoint does, for your handler's tests.
pub mod testing {
    pub use crate::callback::{sign_callback, sign_callback_json, sign_callback_json_text, sign_callback_text};
    pub use crate::signature::{sign, sign_json};
}

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
