//! ePay (Halyk Bank, Kazakhstan) for the payments SDK.
//!
//! - **Tokens**: the per-payment token ([`EpayClient::payment_token`], never
//!   cached), the service token (status, charge, cancel, refund), the
//!   password-grant token of invoice links and the transfer token, the last
//!   three cached with one fetch for many concurrent callers and refreshed
//!   once on a 401.
//! - **Invoice links**: [`EpayClient::create_invoice`],
//!   [`EpayClient::search_invoices`], [`EpayClient::deactivate_invoice`].
//! - **Payment page**: [`EpayClient::widget_payment`] builds the object
//!   `halyk.pay` takes; [`EpayClient::widget_page`] a minimal HTML page.
//! - **Status and operations**: [`EpayClient::check_status`],
//!   [`EpayClient::charge`], [`EpayClient::cancel_transaction`],
//!   [`EpayClient::refund_transaction`].
//! - **Saved cards, recurring, transfers**: [`EpayClient::pay_with_saved_card`],
//!   [`EpayClient::subscribe_recurrent`], [`EpayClient::transfer`].
//! - **postLink callbacks**: [`callback::verify_post_link_derived`] (no
//!   per-payment storage, see [`signature`]), [`callback::verify_post_link`]
//!   (a stored hash), and [`EpayClient::confirm_post_link`].
//! - [`payments_core::PaymentProvider`] is implemented for [`EpayClient`].
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
//! // postLink: authenticate, decode, then confirm through the status.
//! if let PostLink::Success(paid) = client.verify_post_link(body)? {
//!     let status = client.confirm_post_link(&PostLink::Success(paid.clone()), amount).await?;
//!     # let _ = status;
//! }
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `rustls` (default) / `native-tls`: the TLS backend of the executor.
//! - `axum`: [`axum_extract::VerifiedPostLink`], an extractor that verifies
//!   and decodes postLink (400 malformed, 401 bad `secret_hash`).

#[cfg(feature = "axum")]
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
pub use operations::invoice::{
    CreateInvoice, ExpirePeriod, Invoice, InvoicePage, InvoiceSearch, InvoiceStatus, SearchFilter, SearchMethod,
    SortOrder,
};
pub use operations::cards::SavedCard;
pub use operations::cryptopay::{HomebankCard, HostPayment, HostPaymentResult, PaymentType, Secure3d};
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
