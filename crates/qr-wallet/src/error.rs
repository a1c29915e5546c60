//! The wallet API's envelope codes mapped into the core error taxonomy.

use payments_core::{Decline, Error};

use crate::PROVIDER;
use crate::wire::Envelope;

/// The envelope code of a successful call (with status 0).
pub const SUCCESS_CODE: &str = "100";

/// The wallet API's known error codes (status 2 unless noted). The code
/// travels in [`Error::Provider`]'s `code` (for 500 and 501, in the provider
/// error kept as the source of an outcome-unknown [`Error::MaybeSent`]);
/// [`QrWalletErrorCode::of`] reads it back from either.
///
/// ```
/// use payments_core::Error;
/// use qr_wallet::QrWalletErrorCode;
///
/// let err = Error::provider("qr-wallet", Some("311".into()), None, Some(200));
/// assert_eq!(QrWalletErrorCode::of(&err), Some(QrWalletErrorCode::InsufficientBalance));
/// assert!(QrWalletErrorCode::InsufficientBalance.is_business_refusal());
/// assert!(QrWalletErrorCode::SystemError.is_outcome_unknown());
/// assert!(QrWalletErrorCode::Validation.is_invalid_input());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QrWalletErrorCode {
    /// 300: the wallet was not found (also a failed top-up webhook's code).
    WalletNotFound,
    /// 301: the external transaction id was already used. On a refund
    /// repeated with the same id: the earlier refund was applied (or may
    /// have been); never a decline.
    DuplicateExternalTransactionId,
    /// 303: sender and receiver must be different wallets.
    MustBeDifferentWallets,
    /// 304: no business (corporate) account for the number \[U\].
    BusinessAccountNotFound,
    /// 306: the IBAN does not match the name.
    IbanNameMismatch,
    /// 310: the wallet's KYC-level limit is too low (failed top-up webhook).
    KycLimitTooLow,
    /// 311: the balance is insufficient.
    InsufficientBalance,
    /// 312: no record for the transaction number \[U\] (reused with other texts).
    TransactionNotFound,
    /// 315: invalid amount ("Geçersiz tutar girişi."), also below 0.01 or
    /// already fully refunded \[U\].
    InvalidAmount,
    /// 322: the transaction was already cancelled \[U\].
    AlreadyCancelled,
    /// 324: the QR code expired ("Kare kod geçerlilik süresi doldu").
    QrCodeExpired,
    /// 360: top-up with an already used bank receipt number (webhook).
    ReceiptAlreadyUsed,
    /// 361: KYC-level limit or balance simulation failure (webhook).
    BalanceSimulationFailed,
    /// 500 on HTTP 200: "Sistem Hatası!" \[U\]. Not a refusal: the outcome is unknown.
    SystemError,
    /// 501: "could not be done, try again" \[U\]. Not a refusal: the outcome is unknown.
    TryAgain,
    /// 999 (status 1, HTTP 400), or an HTTP 400 validation object without a
    /// code (read as `"400"`): the request's fields were invalid \[U\].
    Validation,
    /// Status 2 without a code (read as `"2"`; ReadTRQRCode's failure
    /// sample, RefundPayment's code-less refusals).
    GeneralFailure,
    /// Any other code, as sent.
    Unknown(String),
}

impl QrWalletErrorCode {
    /// Maps a code as sent.
    pub fn from_code(code: &str) -> QrWalletErrorCode {
        match code.trim() {
            "300" => QrWalletErrorCode::WalletNotFound,
            "301" => QrWalletErrorCode::DuplicateExternalTransactionId,
            "303" => QrWalletErrorCode::MustBeDifferentWallets,
            "304" => QrWalletErrorCode::BusinessAccountNotFound,
            "306" => QrWalletErrorCode::IbanNameMismatch,
            "310" => QrWalletErrorCode::KycLimitTooLow,
            "311" => QrWalletErrorCode::InsufficientBalance,
            "312" => QrWalletErrorCode::TransactionNotFound,
            "315" => QrWalletErrorCode::InvalidAmount,
            "322" => QrWalletErrorCode::AlreadyCancelled,
            "324" => QrWalletErrorCode::QrCodeExpired,
            "360" => QrWalletErrorCode::ReceiptAlreadyUsed,
            "361" => QrWalletErrorCode::BalanceSimulationFailed,
            "500" => QrWalletErrorCode::SystemError,
            "501" => QrWalletErrorCode::TryAgain,
            "999" | "400" => QrWalletErrorCode::Validation,
            "2" => QrWalletErrorCode::GeneralFailure,
            other => QrWalletErrorCode::Unknown(other.to_owned()),
        }
    }

    /// The code of an error from this crate's wallet API answers; `None` for other errors.
    pub fn of(error: &Error) -> Option<QrWalletErrorCode> {
        match error {
            Error::Provider {
                provider: PROVIDER,
                code: Some(code),
                ..
            } => Some(QrWalletErrorCode::from_code(code)),
            Error::MaybeSent {
                provider: PROVIDER,
                source: Some(source),
                ..
            } => source.downcast_ref::<Error>().and_then(QrWalletErrorCode::of),
            _ => None,
        }
    }

    /// True for the refusals a caller can act on: the provider understood
    /// the request and said no (wallet, balance, amount, expiry, ...). Not
    /// 301 (already used), not 500/501 (unknown), not validation, not unknown codes.
    pub fn is_business_refusal(&self) -> bool {
        !matches!(
            self,
            QrWalletErrorCode::DuplicateExternalTransactionId
                | QrWalletErrorCode::SystemError
                | QrWalletErrorCode::TryAgain
                | QrWalletErrorCode::Validation
                | QrWalletErrorCode::GeneralFailure
                | QrWalletErrorCode::Unknown(_)
        )
    }

    /// 500 and 501: whether a money-moving call was applied is unknown until
    /// a status query (SummaryRecordByFilter by `ext_transaction_id`) says so.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, QrWalletErrorCode::SystemError | QrWalletErrorCode::TryAgain)
    }

    /// 999 / HTTP 400 validation: fix the input; nothing was done.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, QrWalletErrorCode::Validation)
    }
}

/// The error of an error envelope. The code is the envelope's code, or its
/// status number when the code is null; the message is `message`, else the
/// validation object's `title`. Codes 500 and 501 arrive on HTTP 200 but do
/// not say whether the call was applied: they become [`Error::MaybeSent`]
/// (outcome unknown) with the provider error as its source.
pub(crate) fn envelope_error(env: &Envelope<'_>, http_status: u16, operation: &'static str) -> Error {
    let code = env
        .code
        .clone()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| env.status.to_string());
    let message = env.message.clone().or_else(|| env.title.clone());
    let answered = Error::provider(PROVIDER, Some(code.clone()), message.clone(), Some(http_status));
    if QrWalletErrorCode::from_code(&code).is_outcome_unknown() {
        return Error::maybe_sent(
            PROVIDER,
            operation,
            format!(
                "the wallet API answered code {code} ({}); query the status before doing it again",
                message.as_deref().unwrap_or("no message")
            ),
            Some(Box::new(answered)),
            is_idempotent_operation(operation),
        );
    }
    answered
}

/// The operations that cannot move money (queries, and the setup call that
/// only enables a provider), by their path segment.
fn is_idempotent_operation(operation: &str) -> bool {
    use crate::operations::{account, qr_payment, third_party, tr_qr, transaction_data};
    [
        third_party::BEGIN,
        qr_payment::READ,
        qr_payment::CHECK_STATUS,
        tr_qr::READ_TR_QR,
        tr_qr::GET_TR_QR,
        transaction_data::SUMMARY_RECORD_BY_FILTER,
        transaction_data::TRANSACTION_RECEIPT,
        account::ADD_PROVIDER_MEDIA,
    ]
    .contains(&operation)
}

/// How a refund's error answer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefundRefusal {
    /// A business refusal: an `Ok` decline (the trait's contract).
    Declined(Decline),
    /// 301 on this refund's `ext_transaction_id`: already done (or maybe done).
    AlreadyUsed,
}

/// Reads a refund's error: business refusals are declines, 301 is "already
/// used"; anything else (500/501 unknown outcome, validation, token and
/// HTTP errors, unknown codes) stays an error.
pub(crate) fn refund_refusal(error: &Error) -> Option<RefundRefusal> {
    let Error::Provider {
        provider: PROVIDER,
        code: Some(code),
        message,
        http_status,
        ..
    } = error
    else {
        return None;
    };
    if http_status.is_some_and(|s| s >= 500) {
        return None;
    }
    match QrWalletErrorCode::from_code(code) {
        QrWalletErrorCode::DuplicateExternalTransactionId => Some(RefundRefusal::AlreadyUsed),
        known if known.is_business_refusal() => Some(RefundRefusal::Declined(Decline::new(
            Some(code.clone()),
            message.clone(),
        ))),
        _ => None,
    }
}

/// An answer that is not about what was expected (Complete charging another
/// amount than Begin showed): [`Error::Mismatch`]. The money moved, for the
/// other amount; never resend.
pub(crate) fn amount_mismatch(field: &'static str, reason: String) -> Error {
    Error::mismatch(field, reason)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use payments_core::Delivery;

    fn env(status: i64, code: Option<&str>, message: Option<&str>) -> Envelope<'static> {
        Envelope {
            status,
            code: code.map(str::to_owned),
            message: message.map(str::to_owned),
            title: None,
            payload: None,
        }
    }

    #[test]
    fn every_documented_code() {
        for (code, want) in [
            ("300", QrWalletErrorCode::WalletNotFound),
            ("301", QrWalletErrorCode::DuplicateExternalTransactionId),
            ("303", QrWalletErrorCode::MustBeDifferentWallets),
            ("304", QrWalletErrorCode::BusinessAccountNotFound),
            ("306", QrWalletErrorCode::IbanNameMismatch),
            ("310", QrWalletErrorCode::KycLimitTooLow),
            ("311", QrWalletErrorCode::InsufficientBalance),
            ("312", QrWalletErrorCode::TransactionNotFound),
            ("315", QrWalletErrorCode::InvalidAmount),
            ("322", QrWalletErrorCode::AlreadyCancelled),
            ("324", QrWalletErrorCode::QrCodeExpired),
            ("360", QrWalletErrorCode::ReceiptAlreadyUsed),
            ("361", QrWalletErrorCode::BalanceSimulationFailed),
            ("500", QrWalletErrorCode::SystemError),
            ("501", QrWalletErrorCode::TryAgain),
            ("999", QrWalletErrorCode::Validation),
            ("400", QrWalletErrorCode::Validation),
            ("2", QrWalletErrorCode::GeneralFailure),
            ("777", QrWalletErrorCode::Unknown("777".into())),
        ] {
            assert_eq!(QrWalletErrorCode::from_code(code), want, "{code}");
        }
        let refusals = [
            "300", "303", "304", "306", "310", "311", "312", "315", "322", "324", "360", "361",
        ];
        for code in refusals {
            let c = QrWalletErrorCode::from_code(code);
            assert!(
                c.is_business_refusal() && !c.is_outcome_unknown() && !c.is_invalid_input(),
                "{code}"
            );
        }
        for code in ["301", "500", "501", "999", "400", "2", "777"] {
            assert!(!QrWalletErrorCode::from_code(code).is_business_refusal(), "{code}");
        }
        let other = Error::provider("epoint", Some("300".into()), None, None);
        assert_eq!(QrWalletErrorCode::of(&other), None);
    }

    #[test]
    fn system_error_and_try_again_are_outcome_unknown() {
        for (code, text) in [
            ("500", "Sistem Hatası!"),
            ("501", "İşleminiz gerçekleştirilememiştir. Lütfen tekrar deneyiniz."),
        ] {
            let e = envelope_error(&env(2, Some(code), Some(text)), 200, "Payment");
            assert!(e.outcome_unknown(), "{code}: {e}");
            assert!(!e.safe_to_resend(), "{code}: {e}");
            let read = envelope_error(&env(2, Some(code), Some(text)), 200, "CheckQRPaymentStatus");
            assert!(read.outcome_unknown() && read.safe_to_resend(), "{code}: {read}");
            assert_eq!(e.delivery(), Delivery::MaybeSent);
            assert!(e.to_string().contains(text), "{e}");
            assert_eq!(QrWalletErrorCode::of(&e), Some(QrWalletErrorCode::from_code(code)));
            assert_eq!(refund_refusal(&e), None);
        }
    }

    #[test]
    fn refund_refusals() {
        let e = envelope_error(&env(2, Some("311"), Some("Yetersiz bakiye")), 200, "refund");
        assert_eq!(
            refund_refusal(&e),
            Some(RefundRefusal::Declined(Decline::new(
                Some("311".into()),
                Some("Yetersiz bakiye".into())
            )))
        );
        let dup = envelope_error(
            &env(2, Some("301"), Some("ext_transaction_id already used")),
            200,
            "refund",
        );
        assert_eq!(refund_refusal(&dup), Some(RefundRefusal::AlreadyUsed));
        // Validation: status 1, code 999, HTTP 400; and the code-less 400 object.
        let v = envelope_error(
            &env(1, Some("999"), Some("'Amount' must be between 0 and 999999999.")),
            400,
            "refund",
        );
        assert_eq!(QrWalletErrorCode::of(&v), Some(QrWalletErrorCode::Validation));
        assert_eq!(refund_refusal(&v), None);
        let v = envelope_error(&env(400, None, None), 400, "refund");
        assert_eq!(v.provider_code(), Some("400"));
        assert_eq!(refund_refusal(&v), None);
        for not_a_refusal in [
            Error::provider(PROVIDER, Some("invalid_client".into()), None, Some(400)),
            Error::provider(PROVIDER, None, None, Some(404)),
            Error::provider(PROVIDER, Some("311".into()), None, Some(503)),
            Error::provider(PROVIDER, Some("316".into()), None, Some(200)),
            Error::provider(PROVIDER, Some("2".into()), Some("Sistem Hatası!".into()), Some(200)),
            Error::provider("epoint", Some("311".into()), None, Some(200)),
        ] {
            assert_eq!(refund_refusal(&not_a_refusal), None, "{not_a_refusal}");
        }
    }
}
