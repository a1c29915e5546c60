//! A terminal's settings: which completion/reversal signing order it accepts
//! and which gateway key signs its messages.

use super::mac;

/// The field order of the completion/reversal (21, 22, 24) P_SIGN a terminal
/// accepts; the other order is answered with code `3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpOrder {
    /// `AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER, RRN, INT_REF` (srustamov,
    /// the OpenCart module, the "verbatim from the specification" tests;
    /// vectors A2b, A8b): the default.
    AmountFirst,
    /// `ORDER, AMOUNT, CURRENCY, TERMINAL, TRTYPE, RRN, INT_REF` (integrify
    /// and its PHP port; vectors A2, A8).
    OrderFirst,
}

impl FollowUpOrder {
    /// The signed fields, in order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            FollowUpOrder::AmountFirst => mac::fields::COMPLETION_ALT,
            FollowUpOrder::OrderFirst => mac::fields::COMPLETION,
        }
    }
}

/// The size of the gateway key that signs a terminal's callbacks and status answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayKeySize {
    /// RSA-2048 (512 hex characters of P_SIGN): the default.
    Rsa2048,
    /// RSA-1024 (256 hex characters, the limit integrify parses): an option,
    /// for clients that must accept an older gateway key.
    Rsa1024,
}

/// A terminal's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalConfig {
    /// Which completion/reversal signing order it accepts.
    pub follow_up_order: FollowUpOrder,
    /// Which gateway key signs its callbacks and status answers.
    pub gateway_key: GatewayKeySize,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            follow_up_order: FollowUpOrder::AmountFirst,
            gateway_key: GatewayKeySize::Rsa2048,
        }
    }
}
