//! ePay (Halyk Bank, Kazakhstan) for the payments SDK.
//!
//! - **Tokens**: invoice-scoped tokens (payments, card verification,
//!   transfers, payouts, QR, host-to-host) fetched per operation and never
//!   cached, as ePay's pages require ([`EpayClient::payment_token`]); tokens
//!   without invoice fields (service, cards, legacy lookup, transfer status,
//!   password grants) cached with one fetch for many concurrent callers.
//! - **Invoice links**: [`EpayClient::create_invoice`],
//!   [`EpayClient::search_invoices`], [`EpayClient::deactivate_invoice`].
//! - **Payment page**: [`EpayClient::widget_payment`] builds the object
//!   `halyk.pay` takes; [`EpayClient::widget_page`] a minimal HTML page.
//! - **Status and operations**: [`EpayClient::check_status`],
//!   [`EpayClient::charge`], [`EpayClient::cancel_transaction`],
//!   [`EpayClient::refund_transaction`] (idempotent: an `externalID` always),
//!   [`EpayClient::operation_lookup`] (legacy).
//! - **Saved cards**: [`EpayClient::list_cards`], [`EpayClient::deactivate_card`],
//!   card verification ([`WidgetPayment::card_verification`], amount 0 USD),
//!   [`EpayClient::pay_with_saved_card`] \[U\], recurring
//!   [`EpayClient::subscribe_recurrent`] \[U\] with the payment's own token.
//! - **Transfers and payouts** \[U\]: [`EpayClient::transfer`],
//!   [`EpayClient::payout`], [`EpayClient::transfer_status`],
//!   [`EpayClient::transfer_list`].
//! - **Host-to-host** (production only, PCI DSS): [`EpayClient::host_payment`]
//!   (card cryptogram, Apple Pay, Google Pay, HalykID \[U\]);
//!   **QR** \[U\]: [`EpayClient::qr_payment`], [`EpayClient::qr_status`];
//!   **installments** \[U\]: [`EpayClient::terminal_info`] and the calls after it.
//! - **postLink callbacks**: every postLink is an unconfirmed claim (ePay
//!   signs nothing): [`callback::parse_post_link`] (invoice links carry no
//!   `secret_hash`), [`callback::verify_post_link`] (a stored random hash),
//!   [`callback::verify_post_link_derived`] (a dedicated callback key), then
//!   [`EpayClient::confirm_post_link`] binds invoice, transaction, amount,
//!   currency and outcome through a status query.
//! - [`payments_core::PaymentProvider`] is implemented for [`EpayClient`].
//!
//! \[U\] marks operations built on a single source (often ePay's official
//! SDK where ePay's public page stops before the request): provisional
//! shapes, configurable URLs.
//!
//! Every operation is a pure builder and parser in [`operations`]; the client
//! only sends through the shared [`payments_core::http::HttpClient`].
//!
//! Amounts are [`payments_core::Money`]; on the wire they are decimal major
//! units, integral when whole (`100`, as ePay's samples) and with exactly two
//! fraction digits otherwise (`10.50`).
//!
//! # Example
//!
//! ```no_run
//! use epay_kz::{EpayClient, EpayConfig, callback::PostLink, operations::widget::WidgetPayment};
//! use payments_core::{Currency, Money};
//!
//! # async fn run(body: &[u8]) -> payments_core::Result<()> {
//! let config = EpayConfig::builder("test", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG", "67e34d63-102f-4bd1-898e-370781d0074d")
//!     .post_link("https://shop.example/epay/post-link")
//!     .callback_key("a-dedicated-random-key")
//!     .build()?;
//! let client = EpayClient::new(config)?;
//!
//! // Checkout: a payment token and the halyk.pay object for the browser.
//! let amount = Money::parse_major("150.50", Currency::KZT)?;
//! let object = client
//!     .widget_payment(&WidgetPayment::new("000001234567", amount).description("Order 1234567"))
//!     .await?;
//! let page = client.widget_page(&object);
//! # let _ = page;
//!
//! // postLink: a claim (authenticated by its secret_hash); fulfil only
//! // after the status query confirms invoice, transaction, amount and outcome.
//! let claim = client.verify_post_link(body)?;
//! if let PostLink::Success(_) = &claim {
//!     let status = client.confirm_post_link(&claim, amount).await?;
//!     # let _ = status;
//! }
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `rustls` (default) / `native-tls`: the TLS backend of the executor.
//! - `axum`: [`axum_extract::ReceivedPostLink`], an extractor that
//!   authenticates a postLink with a hash (401 when it does not match),
//!   accepts one without (invoice links) as an unauthenticated claim, and
//!   answers 400 for malformed bodies.

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum_extract;
pub mod callback;
mod client;
pub mod config;
pub mod error;
pub mod operations;
mod provider;
pub mod signature;
pub mod validate;
mod wire;

pub use client::{EpayClient, EpayClientBuilder, QrPayment};
pub use config::{Environment, EpayConfig, EpayConfigBuilder, Language};
pub use error::{ResultCode, StatusName};
pub use operations::cards::SavedCard;
pub use operations::cryptopay::{HomebankCard, HostPayment, HostPaymentResult, PaymentType, Secure3d};
pub use operations::invoice::{
    CreateInvoice, ExpirePeriod, Invoice, InvoicePage, InvoiceSearch, InvoiceStatus, SearchFilter, SearchMethod,
    SortOrder,
};
pub use operations::legacy::LegacyOperation;
pub use operations::qr::{QrCode, QrRequest, QrState, QrStatus};
pub use operations::saved_card::{CardPaymentResult, PaymentFrequency, SavedCardPayment};
pub use operations::status::{StatusResponse, Transaction};
pub use operations::token::{AccessToken, PaymentTokenRequest};
pub use operations::transaction::{ChargeRequest, OperationStatus, RefundOperation};
pub use operations::transfer::{
    CardCredential, CardExpiry, TransferKind, TransferList, TransferListQuery, TransferReceiver, TransferRequest,
    TransferResult, TransferSender, TransferStatus,
};
pub use operations::widget::{WidgetObject, WidgetPayment};

/// The provider's name in errors, traces and [`payments_core::PaymentProvider::name`].
pub const PROVIDER: &str = "epay-kz";

/// This crate's README (shown on crates.io), compiled as a doctest so its
/// example cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
