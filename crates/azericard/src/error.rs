//! AzeriCard's codes as typed enums, and how they map to core statuses and errors.
//!
//! Every enum keeps an `Unknown` fallback holding the text as received: a
//! code the SDK does not know is never read as success.

use payments_core::PaymentStatus;

/// Transaction type (`TRTYPE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrType {
    /// `0`: pre-authorization, funds held until completion (21) or reversal.
    PreAuthorization,
    /// `1`: purchase, authorization with capture.
    Purchase,
    /// `3`: scheduled recurring (MIT) charge of a stored card [U: srustamov only].
    RecurringCharge,
    /// `21`: completion (capture) of a pre-authorization.
    Completion,
    /// `22`: return of a payment (integrify: refund; srustamov: online reversal).
    Return,
    /// `24`: cancellation (integrify: cancel/release; srustamov: offline reversal).
    Cancel,
    /// `90`: status query.
    Status,
    /// Any other value, as received.
    Unknown(String),
}

impl TrType {
    /// The wire code.
    pub fn code(&self) -> &str {
        match self {
            TrType::PreAuthorization => "0",
            TrType::Purchase => "1",
            TrType::RecurringCharge => "3",
            TrType::Completion => "21",
            TrType::Return => "22",
            TrType::Cancel => "24",
            TrType::Status => "90",
            TrType::Unknown(s) => s,
        }
    }

    /// Parses a wire code; unknown codes are kept.
    pub fn from_code(code: &str) -> TrType {
        match code.trim() {
            "0" => TrType::PreAuthorization,
            "1" => TrType::Purchase,
            "3" => TrType::RecurringCharge,
            "21" => TrType::Completion,
            "22" => TrType::Return,
            "24" => TrType::Cancel,
            "90" => TrType::Status,
            other => TrType::Unknown(other.to_owned()),
        }
    }
}

/// The gateway's action code (`ACTION`) in callbacks and status responses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `0`: completed successfully.
    Approved,
    /// `1`: duplicate transaction detected.
    Duplicate,
    /// `2`: declined.
    Declined,
    /// `3`: processing fault.
    ProcessingFault,
    /// `6`: repeat of a declined transaction.
    RepeatOfDeclined,
    /// `7`: repeat of a transaction that failed authentication.
    RepeatOfFailedAuthentication,
    /// `8`: repeat of a transaction interrupted without a response.
    RepeatOfInterrupted,
    /// Any other value, as received.
    Unknown(String),
}

impl Action {
    /// Parses a wire code; unknown codes are kept.
    pub fn from_code(code: &str) -> Action {
        match code.trim() {
            "0" => Action::Approved,
            "1" => Action::Duplicate,
            "2" => Action::Declined,
            "3" => Action::ProcessingFault,
            "6" => Action::RepeatOfDeclined,
            "7" => Action::RepeatOfFailedAuthentication,
            "8" => Action::RepeatOfInterrupted,
            other => Action::Unknown(other.to_owned()),
        }
    }

    /// The wire code.
    pub fn code(&self) -> &str {
        match self {
            Action::Approved => "0",
            Action::Duplicate => "1",
            Action::Declined => "2",
            Action::ProcessingFault => "3",
            Action::RepeatOfDeclined => "6",
            Action::RepeatOfFailedAuthentication => "7",
            Action::RepeatOfInterrupted => "8",
            Action::Unknown(s) => s,
        }
    }

    /// A short English description.
    pub fn describe(&self) -> &'static str {
        match self {
            Action::Approved => "transaction completed successfully",
            Action::Duplicate => "duplicate transaction detected",
            Action::Declined => "transaction declined",
            Action::ProcessingFault => "transaction processing fault",
            Action::RepeatOfDeclined => "repeat of a declined transaction",
            Action::RepeatOfFailedAuthentication => "repeat of a transaction that failed authentication",
            Action::RepeatOfInterrupted => "repeat of a transaction interrupted without a response",
            Action::Unknown(_) => "unknown gateway action",
        }
    }
}

/// The outcome of an authorization as its callback reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationOutcome {
    /// ACTION 0 and RC `00`.
    Approved,
    /// ACTION 1: the gateway saw this transaction before. Look the order up
    /// (status query) before fulfilling it.
    Duplicate,
    /// Declined, with the action and the ISO 8583 response code.
    Declined {
        /// The gateway action.
        action: Action,
        /// The RC as received.
        rc: String,
    },
    /// ACTION 3: a processing fault; the outcome must be confirmed with a status query.
    Fault,
    /// An ACTION/RC combination the SDK does not know (for example ACTION 0
    /// with an RC other than `00`); never treated as success.
    Unknown {
        /// The gateway action.
        action: Action,
        /// The RC as received.
        rc: String,
    },
}

impl AuthorizationOutcome {
    /// Classifies ACTION and RC. Success needs both ACTION 0 and RC `00`.
    pub fn from_codes(action: &Action, rc: &str) -> AuthorizationOutcome {
        match action {
            Action::Approved if rc == "00" => AuthorizationOutcome::Approved,
            Action::Duplicate => AuthorizationOutcome::Duplicate,
            Action::Declined
            | Action::RepeatOfDeclined
            | Action::RepeatOfFailedAuthentication
            | Action::RepeatOfInterrupted => AuthorizationOutcome::Declined {
                action: action.clone(),
                rc: rc.to_owned(),
            },
            Action::ProcessingFault => AuthorizationOutcome::Fault,
            Action::Approved | Action::Unknown(_) => AuthorizationOutcome::Unknown {
                action: action.clone(),
                rc: rc.to_owned(),
            },
        }
    }

    /// The provider-neutral status after an authorization of type `trtype`.
    pub fn status(&self, trtype: &TrType) -> PaymentStatus {
        match self {
            AuthorizationOutcome::Approved => match trtype {
                TrType::PreAuthorization => PaymentStatus::Authorized,
                TrType::Purchase | TrType::RecurringCharge | TrType::Completion => PaymentStatus::Succeeded,
                TrType::Return => PaymentStatus::Refunded,
                TrType::Cancel => PaymentStatus::Cancelled,
                TrType::Status | TrType::Unknown(_) => {
                    PaymentStatus::Unknown(format!("approved TRTYPE {}", trtype.code()))
                }
            },
            AuthorizationOutcome::Declined { .. } => PaymentStatus::Declined,
            AuthorizationOutcome::Duplicate => PaymentStatus::Unknown("duplicate".to_owned()),
            AuthorizationOutcome::Fault => PaymentStatus::Unknown("processing fault".to_owned()),
            AuthorizationOutcome::Unknown { action, rc } => {
                PaymentStatus::Unknown(format!("ACTION {} RC {rc}", action.code()))
            }
        }
    }
}

/// The bare code a server-to-server MPI call (21, 22, 24) answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayCode {
    /// `0`: accepted.
    Success,
    /// `1`: duplicate request.
    Duplicate,
    /// `2`: a parameter was wrong.
    WrongParameter,
    /// `3`: P_SIGN did not verify at the gateway.
    WrongSignature,
    /// Any other code, as received.
    Unknown(String),
}

impl GatewayCode {
    /// Parses a trimmed code.
    pub fn from_code(code: &str) -> GatewayCode {
        match code.trim() {
            "0" => GatewayCode::Success,
            "1" => GatewayCode::Duplicate,
            "2" => GatewayCode::WrongParameter,
            "3" => GatewayCode::WrongSignature,
            other => GatewayCode::Unknown(other.to_owned()),
        }
    }

    /// The wire code.
    pub fn code(&self) -> &str {
        match self {
            GatewayCode::Success => "0",
            GatewayCode::Duplicate => "1",
            GatewayCode::WrongParameter => "2",
            GatewayCode::WrongSignature => "3",
            GatewayCode::Unknown(s) => s,
        }
    }

    /// A short English description.
    pub fn describe(&self) -> &'static str {
        match self {
            GatewayCode::Success => "success",
            GatewayCode::Duplicate => "duplicate request",
            GatewayCode::WrongParameter => "wrong parameter",
            GatewayCode::WrongSignature => "wrong P_SIGN",
            GatewayCode::Unknown(_) => "unknown code",
        }
    }
}

/// The MT system's `ResponseCode`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferCode {
    /// `0`: success.
    Success,
    /// `105`: the payment is not pending; cannot confirm or decline.
    NotPending,
    /// `106`: the input does not match the signature.
    SignatureMismatch,
    /// `112`: payment not found.
    NotFound,
    /// `116`: already confirmed, completion in progress.
    AlreadyConfirmed,
    /// Any other code, as received.
    Unknown(String),
}

impl TransferCode {
    /// Parses a code.
    pub fn from_code(code: &str) -> TransferCode {
        match code.trim() {
            "0" => TransferCode::Success,
            "105" => TransferCode::NotPending,
            "106" => TransferCode::SignatureMismatch,
            "112" => TransferCode::NotFound,
            "116" => TransferCode::AlreadyConfirmed,
            other => TransferCode::Unknown(other.to_owned()),
        }
    }

    /// The wire code.
    pub fn code(&self) -> &str {
        match self {
            TransferCode::Success => "0",
            TransferCode::NotPending => "105",
            TransferCode::SignatureMismatch => "106",
            TransferCode::NotFound => "112",
            TransferCode::AlreadyConfirmed => "116",
            TransferCode::Unknown(s) => s,
        }
    }
}

/// The receiver card's status in a transfer callback (`CardStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardStatus {
    /// `our_active`: known to AzeriCard, active.
    OurActive,
    /// `our_inactive`: known, inactive (blocked, expired).
    OurInactive,
    /// `foreign`: not in AzeriCard's database.
    Foreign,
    /// Any other value, as received.
    Unknown(String),
}

impl CardStatus {
    /// Parses a value.
    pub fn from_code(code: &str) -> CardStatus {
        match code {
            "our_active" => CardStatus::OurActive,
            "our_inactive" => CardStatus::OurInactive,
            "foreign" => CardStatus::Foreign,
            other => CardStatus::Unknown(other.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknowns_are_kept() {
        for c in ["0", "1", "3", "21", "22", "24", "90", "7"] {
            assert_eq!(TrType::from_code(c).code(), c);
        }
        assert_eq!(TrType::from_code("7"), TrType::Unknown("7".into()));
        for c in ["0", "1", "2", "3", "6", "7", "8", "99"] {
            assert_eq!(Action::from_code(c).code(), c);
        }
        for c in ["0", "1", "2", "3", "x"] {
            assert_eq!(GatewayCode::from_code(c).code(), c);
        }
        for c in ["0", "105", "106", "112", "116", "5"] {
            assert_eq!(TransferCode::from_code(c).code(), c);
        }
        assert_eq!(CardStatus::from_code("foreign"), CardStatus::Foreign);
        assert_eq!(CardStatus::from_code("x"), CardStatus::Unknown("x".into()));
    }

    #[test]
    fn only_action_0_with_rc_00_is_approved() {
        assert_eq!(
            AuthorizationOutcome::from_codes(&Action::Approved, "00"),
            AuthorizationOutcome::Approved
        );
        assert!(matches!(
            AuthorizationOutcome::from_codes(&Action::Approved, "05"),
            AuthorizationOutcome::Unknown { .. }
        ));
        assert!(matches!(
            AuthorizationOutcome::from_codes(&Action::Declined, "05"),
            AuthorizationOutcome::Declined { .. }
        ));
        assert!(matches!(
            AuthorizationOutcome::from_codes(&Action::Unknown("9".into()), "00"),
            AuthorizationOutcome::Unknown { .. }
        ));
        let approved = AuthorizationOutcome::Approved;
        assert_eq!(approved.status(&TrType::PreAuthorization), PaymentStatus::Authorized);
        assert_eq!(approved.status(&TrType::Purchase), PaymentStatus::Succeeded);
        assert_eq!(approved.status(&TrType::Return), PaymentStatus::Refunded);
        assert_eq!(approved.status(&TrType::Cancel), PaymentStatus::Cancelled);
        assert!(matches!(
            AuthorizationOutcome::Fault.status(&TrType::Purchase),
            PaymentStatus::Unknown(_)
        ));
    }
}
