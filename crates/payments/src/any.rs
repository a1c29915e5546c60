//! A provider chosen at run time.

use std::fmt;
use std::str::FromStr;

use payments_core::{
    CallbackEvent, Capabilities, ConfirmedEvent, CreatePayment, Error, Money, OperationOutcome, PaymentOutcome,
    PaymentProvider, PaymentRef, RefundRequest, Result, StatusReport,
};

/// The providers this SDK knows, whether or not their feature is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProviderKind {
    /// EPoint (Azerbaijan).
    Epoint,
    /// AzeriCard (Azerbaijan).
    Azericard,
    /// ePay, Halyk Bank (Kazakhstan).
    EpayKz,
    /// Wallet QR payments (Turkey).
    QrWallet,
}

impl ProviderKind {
    /// The provider's name, as `PaymentProvider::name` returns it.
    pub const fn name(self) -> &'static str {
        match self {
            ProviderKind::Epoint => "epoint",
            ProviderKind::Azericard => "azericard",
            ProviderKind::EpayKz => "epay-kz",
            ProviderKind::QrWallet => "qr-wallet",
        }
    }

    /// True when this build includes the provider (its feature is on).
    pub const fn is_enabled(self) -> bool {
        match self {
            ProviderKind::Epoint => cfg!(feature = "epoint"),
            ProviderKind::Azericard => cfg!(feature = "azericard"),
            ProviderKind::EpayKz => cfg!(feature = "epay-kz"),
            ProviderKind::QrWallet => cfg!(feature = "qr-wallet"),
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProviderKind {
    type Err = Error;

    /// Accepts `epoint`, `azericard`, `epay-kz` (or `epay`), `qr-wallet` (or `qr`), in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "epoint" => Ok(ProviderKind::Epoint),
            "azericard" => Ok(ProviderKind::Azericard),
            "epay-kz" | "epay_kz" | "epay" => Ok(ProviderKind::EpayKz),
            "qr-wallet" | "qr_wallet" | "qr" => Ok(ProviderKind::QrWallet),
            other => Err(Error::config(format!(
                "unknown provider {other:?}: expected epoint, azericard, epay-kz or qr-wallet"
            ))),
        }
    }
}

/// One of the enabled providers, chosen at run time.
///
/// An enum rather than `Box<dyn PaymentProvider>`: the trait's async methods
/// return `impl Future`, which keeps them free of boxing but not object-safe;
/// the enum dispatches with a `match`, costs nothing, and a merchant can still
/// reach each provider's own client (and its provider-specific operations)
/// through the variant.
///
/// ```no_run
/// # async fn run() -> payments::Result<()> {
/// use payments::{AnyProvider, CreatePayment, Currency, Money, PaymentProvider};
///
/// // PAYMENTS_PROVIDER=epoint plus that provider's own variables.
/// let provider = AnyProvider::from_env(std::env::var("PAYMENTS_PROVIDER").unwrap_or_default().parse()?)?;
/// let outcome = provider
///     .create_payment(&CreatePayment::new("ORD-1", Money::parse_major("10.00", Currency::AZN)?))
///     .await?;
/// # let _ = outcome; Ok(()) }
/// ```
// A client is built once per process and lives as long; boxing the larger
// variants would buy nothing but an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum AnyProvider {
    /// EPoint.
    #[cfg(feature = "epoint")]
    #[cfg_attr(docsrs, doc(cfg(feature = "epoint")))]
    Epoint(epoint::EpointClient),
    /// AzeriCard.
    #[cfg(feature = "azericard")]
    #[cfg_attr(docsrs, doc(cfg(feature = "azericard")))]
    Azericard(azericard::AzericardClient),
    /// ePay.
    #[cfg(feature = "epay-kz")]
    #[cfg_attr(docsrs, doc(cfg(feature = "epay-kz")))]
    EpayKz(epay_kz::EpayClient),
    /// QR wallet.
    #[cfg(feature = "qr-wallet")]
    #[cfg_attr(docsrs, doc(cfg(feature = "qr-wallet")))]
    QrWallet(qr_wallet::QrWalletClient),
}

// Provider clients have inherent methods of the same names (with their own
// types), so the trait's methods are always called by their full path.
macro_rules! dispatch {
    ($self:expr, $p:ident => $body:expr) => {
        match *$self {
            #[cfg(feature = "epoint")]
            AnyProvider::Epoint(ref $p) => $body,
            #[cfg(feature = "azericard")]
            AnyProvider::Azericard(ref $p) => $body,
            #[cfg(feature = "epay-kz")]
            AnyProvider::EpayKz(ref $p) => $body,
            #[cfg(feature = "qr-wallet")]
            AnyProvider::QrWallet(ref $p) => $body,
        }
    };
}

impl AnyProvider {
    /// Builds the chosen provider's client from its environment variables
    /// (see each provider crate's `from_env`). A provider whose feature is off
    /// is a configuration error.
    pub fn from_env(kind: ProviderKind) -> Result<AnyProvider> {
        match kind {
            #[cfg(feature = "epoint")]
            ProviderKind::Epoint => Ok(AnyProvider::Epoint(epoint::EpointClient::from_env()?)),
            #[cfg(feature = "azericard")]
            ProviderKind::Azericard => Ok(AnyProvider::Azericard(azericard::AzericardClient::new(
                azericard::AzericardConfig::from_env()?,
            )?)),
            #[cfg(feature = "epay-kz")]
            ProviderKind::EpayKz => Ok(AnyProvider::EpayKz(epay_kz::EpayClient::new(
                epay_kz::EpayConfig::from_env()?,
            )?)),
            #[cfg(feature = "qr-wallet")]
            ProviderKind::QrWallet => Ok(AnyProvider::QrWallet(qr_wallet::QrWalletClient::new(
                qr_wallet::QrWalletConfig::from_env()?,
            )?)),
            #[allow(unreachable_patterns)]
            other => Err(Error::config(format!(
                "provider {other} is not enabled in this build: turn on the `payments` feature {:?}",
                other.name()
            ))),
        }
    }

    /// Which provider this is.
    pub fn kind(&self) -> ProviderKind {
        match *self {
            #[cfg(feature = "epoint")]
            AnyProvider::Epoint(_) => ProviderKind::Epoint,
            #[cfg(feature = "azericard")]
            AnyProvider::Azericard(_) => ProviderKind::Azericard,
            #[cfg(feature = "epay-kz")]
            AnyProvider::EpayKz(_) => ProviderKind::EpayKz,
            #[cfg(feature = "qr-wallet")]
            AnyProvider::QrWallet(_) => ProviderKind::QrWallet,
        }
    }
}

#[cfg(feature = "epoint")]
#[cfg_attr(docsrs, doc(cfg(feature = "epoint")))]
impl From<epoint::EpointClient> for AnyProvider {
    fn from(client: epoint::EpointClient) -> Self {
        AnyProvider::Epoint(client)
    }
}

#[cfg(feature = "azericard")]
#[cfg_attr(docsrs, doc(cfg(feature = "azericard")))]
impl From<azericard::AzericardClient> for AnyProvider {
    fn from(client: azericard::AzericardClient) -> Self {
        AnyProvider::Azericard(client)
    }
}

#[cfg(feature = "epay-kz")]
#[cfg_attr(docsrs, doc(cfg(feature = "epay-kz")))]
impl From<epay_kz::EpayClient> for AnyProvider {
    fn from(client: epay_kz::EpayClient) -> Self {
        AnyProvider::EpayKz(client)
    }
}

#[cfg(feature = "qr-wallet")]
#[cfg_attr(docsrs, doc(cfg(feature = "qr-wallet")))]
impl From<qr_wallet::QrWalletClient> for AnyProvider {
    fn from(client: qr_wallet::QrWalletClient) -> Self {
        AnyProvider::QrWallet(client)
    }
}

impl PaymentProvider for AnyProvider {
    fn name(&self) -> &'static str {
        dispatch!(self, p => PaymentProvider::name(p))
    }

    fn capabilities(&self) -> Capabilities {
        dispatch!(self, p => PaymentProvider::capabilities(p))
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        let _ = request;
        dispatch!(self, p => PaymentProvider::create_payment(p, request).await)
    }

    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let _ = payment;
        dispatch!(self, p => PaymentProvider::payment_status(p, payment).await)
    }

    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let _ = request;
        dispatch!(self, p => PaymentProvider::refund(p, request).await)
    }

    async fn cancel(&self, payment: &PaymentRef) -> Result<OperationOutcome> {
        let _ = payment;
        dispatch!(self, p => PaymentProvider::cancel(p, payment).await)
    }

    async fn capture(&self, payment: &PaymentRef, amount: Option<Money>) -> Result<OperationOutcome> {
        let _ = (payment, amount);
        dispatch!(self, p => PaymentProvider::capture(p, payment, amount).await)
    }

    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        let _ = body;
        dispatch!(self, p => PaymentProvider::verify_callback(p, body))
    }

    async fn confirm_callback(&self, event: CallbackEvent) -> Result<ConfirmedEvent> {
        let _ = &event;
        dispatch!(self, p => PaymentProvider::confirm_callback(p, event).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_kinds_parse() {
        assert_eq!("EPoint".parse::<ProviderKind>().unwrap(), ProviderKind::Epoint);
        assert_eq!("epay".parse::<ProviderKind>().unwrap(), ProviderKind::EpayKz);
        assert_eq!("qr-wallet".parse::<ProviderKind>().unwrap(), ProviderKind::QrWallet);
        assert_eq!(" azericard ".parse::<ProviderKind>().unwrap(), ProviderKind::Azericard);
        assert!(matches!("paypal".parse::<ProviderKind>(), Err(Error::Config { .. })));
        assert_eq!(ProviderKind::EpayKz.to_string(), "epay-kz");
    }
}
