//! The wallet API's envelope codes mapped into the core error taxonomy.

use payments_core::{Decline, Error};

use crate::PROVIDER;
use crate::wire::Envelope;

/// The envelope code of a successful call (with status 0).
pub const SUCCESS_CODE: &str = "100";

/// The wallet API's known error codes. The code travels in
/// [`Error::Provider`]'s `code`; [`QrWalletErrorCode::of`] reads it back.
///
/// ```
/// use payments_core::Error;
/// use qr_wallet::QrWalletErrorCode;
///
/// let err = Error::provider("qr-wallet", Some("311".into()), None, Some(200));
/// assert_eq!(QrWalletErrorCode::of(&err), Some(QrWalletErrorCode::InsufficientBalance));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrWalletErrorCode {
    /// 300: the wallet was not found.
    WalletNotFound,
    /// 301: the external transaction id was already used.
    DuplicateExternalTransactionId,
    /// 306: the IBAN does not match the name.
    IbanNameMismatch,
    /// 311: the balance is insufficient.
    InsufficientBalance,
    /// 315: invalid amount ("Geçersiz tutar girişi.").
    InvalidAmount,
    /// Any other code, as sent.
    Unknown(String),
}

impl QrWalletErrorCode {
    /// Maps a code as sent.
    pub fn from_code(code: &str) -> QrWalletErrorCode {
        match code.trim() {
            "300" => QrWalletErrorCode::WalletNotFound,
            "301" => QrWalletErrorCode::DuplicateExternalTransactionId,
            "306" => QrWalletErrorCode::IbanNameMismatch,
            "311" => QrWalletErrorCode::InsufficientBalance,
            "315" => QrWalletErrorCode::InvalidAmount,
            other => QrWalletErrorCode::Unknown(other.to_owned()),
        }
    }

    /// The code of a provider error from this crate; `None` for other errors.
    pub fn of(error: &Error) -> Option<QrWalletErrorCode> {
        match error {
            Error::Provider {
                provider: PROVIDER,
                code: Some(code),
                ..
            } => Some(QrWalletErrorCode::from_code(code)),
            _ => None,
        }
    }

    /// True for the business refusals a caller can act on (wallet, balance,
    /// amount, duplicate id): the provider understood the request and said no.
    pub fn is_business_refusal(&self) -> bool {
        !matches!(self, QrWalletErrorCode::Unknown(_))
    }
}

/// A provider error from an error envelope. The code is the envelope's code,
/// or its status number when the code is null.
pub(crate) fn envelope_error(env: &Envelope<'_>, http_status: u16) -> Error {
    let code = env.code.clone().unwrap_or_else(|| env.status.to_string());
    Error::provider(PROVIDER, Some(code), env.message.clone(), Some(http_status))
}

/// A refund the API refused in its envelope becomes an `Ok` decline (the
/// trait's contract). Envelope codes are numeric (300, 311, 315, ...); token
/// errors (`invalid_client`), HTTP-level failures and unreadable answers stay errors.
pub(crate) fn refusal_as_decline(error: &Error) -> Option<Decline> {
    match error {
        Error::Provider {
            provider: PROVIDER,
            code: Some(code),
            message,
            http_status,
        } if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) && http_status.is_none_or(|s| s < 500) => {
            Some(Decline::new(Some(code.clone()), message.clone()))
        }
        _ => None,
    }
}

/// A bounded excerpt of JSON text for error messages.
pub(crate) fn short(text: &str) -> String {
    payments_core::error::excerpt(text.as_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        for (code, want) in [
            ("300", QrWalletErrorCode::WalletNotFound),
            ("301", QrWalletErrorCode::DuplicateExternalTransactionId),
            ("306", QrWalletErrorCode::IbanNameMismatch),
            ("311", QrWalletErrorCode::InsufficientBalance),
            ("315", QrWalletErrorCode::InvalidAmount),
            ("999", QrWalletErrorCode::Unknown("999".into())),
        ] {
            assert_eq!(QrWalletErrorCode::from_code(code), want);
        }
        let other = Error::provider("epoint", Some("300".into()), None, None);
        assert_eq!(QrWalletErrorCode::of(&other), None);
        let e = Error::provider(PROVIDER, Some("311".into()), Some("Yetersiz bakiye".into()), Some(200));
        assert_eq!(
            refusal_as_decline(&e),
            Some(Decline::new(Some("311".into()), Some("Yetersiz bakiye".into())))
        );
        // Any envelope refusal (numeric code), e.g. a refund larger than what is left.
        let too_large = Error::provider(PROVIDER, Some("316".into()), None, Some(200));
        assert!(refusal_as_decline(&too_large).is_some());
        for not_a_refusal in [
            Error::provider(PROVIDER, Some("invalid_client".into()), None, Some(400)),
            Error::provider(PROVIDER, None, None, Some(404)),
            Error::provider(PROVIDER, Some("500".into()), None, Some(503)),
            Error::provider("epoint", Some("311".into()), None, Some(200)),
        ] {
            assert_eq!(refusal_as_decline(&not_a_refusal), None);
        }
    }
}
