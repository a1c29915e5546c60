//! The transaction correlation id that ties Begin to Complete.

use std::fmt;

use payments_core::{Error, Result};

/// The `tx_correlation_id` Begin returns and Complete (and refunds) send back.
///
/// The seed types it `int`, yet its sample value `7777777777777777777777` has
/// 22 digits and exceeds 64 bits. It is therefore kept as its decimal digits
/// and written on the wire as a JSON *number* made of exactly those digits, so
/// nothing is lost to `u64` or `f64`.
///
/// ```
/// use qr_wallet::TxCorrelationId;
///
/// let id = TxCorrelationId::parse("7777777777777777777777")?;
/// assert_eq!(id.as_str(), "7777777777777777777777");
/// assert!(TxCorrelationId::parse("12a").is_err());
/// assert!(TxCorrelationId::parse("007").is_err()); // not a JSON number
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxCorrelationId(String);

impl TxCorrelationId {
    /// Longest id accepted, in digits (far above anything seen; bounds hostile input).
    pub const MAX_DIGITS: usize = 64;

    /// Checks that `digits` is a non-empty run of ASCII digits without a
    /// leading zero (so that it is a valid JSON number denoting itself).
    pub fn parse(digits: &str) -> Result<TxCorrelationId> {
        let field = "tx_correlation_id";
        if digits.is_empty() {
            return Err(Error::invalid_input(field, "is empty"));
        }
        if digits.len() > Self::MAX_DIGITS {
            return Err(Error::invalid_input(
                field,
                format!("has more than {} digits", Self::MAX_DIGITS),
            ));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_input(field, format!("{digits:?} is not a digit string")));
        }
        if digits.len() > 1 && digits.starts_with('0') {
            return Err(Error::invalid_input(
                field,
                format!("{digits:?} has a leading zero and cannot be sent as a JSON number"),
            ));
        }
        Ok(TxCorrelationId(digits.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the id from a JSON value's text: a string of digits or a number literal.
    pub(crate) fn from_json(raw: &str) -> Result<TxCorrelationId> {
        let raw = raw.trim();
        if raw.starts_with('"') {
            let text: String = serde_json::from_str(raw)
                .map_err(|_| Error::invalid_input("tx_correlation_id", "is not a JSON string"))?;
            return TxCorrelationId::parse(text.trim());
        }
        TxCorrelationId::parse(raw)
    }
}

impl fmt::Display for TxCorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TxCorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TxCorrelationId({})", self.0)
    }
}

impl std::str::FromStr for TxCorrelationId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        TxCorrelationId::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn accepts_long_digit_strings_and_json_forms() {
        let id = TxCorrelationId::parse("7777777777777777777777").unwrap();
        assert_eq!(id.to_string(), "7777777777777777777777");
        assert_eq!(
            TxCorrelationId::from_json("\"7777777777777777777\"").unwrap().as_str(),
            "7777777777777777777"
        );
        assert_eq!(TxCorrelationId::from_json("\" 42 \"").unwrap().as_str(), "42");
        assert_eq!(
            TxCorrelationId::from_json("123456789012345678901234").unwrap().as_str(),
            "123456789012345678901234"
        );
        assert_eq!(TxCorrelationId::parse("0").unwrap().as_str(), "0");
        for bad in ["", "-1", "1.5", "1e5", "01", " 1", "x"] {
            assert!(TxCorrelationId::parse(bad).is_err(), "{bad}");
        }
        assert!(TxCorrelationId::from_json("1.0").is_err());
        assert!(TxCorrelationId::from_json("null").is_err());
        assert!(TxCorrelationId::parse(&"9".repeat(65)).is_err());
    }
}
