//! Exact amounts of money: integer minor units and a currency.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Currency;

/// Why an amount or currency was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The amount text was empty.
    #[error("amount is empty")]
    Empty,
    /// The amount carried a `+` or `-` sign; amounts are unsigned on the wire.
    #[error("amount must not carry a sign")]
    Sign,
    /// The amount used scientific notation (`1e3`).
    #[error("amount must not use an exponent")]
    Exponent,
    /// A character that is neither a digit nor the single decimal point.
    #[error("invalid character {found:?} at byte {position} of the amount")]
    InvalidCharacter {
        /// The offending character.
        found: char,
        /// Its byte offset in the input.
        position: usize,
    },
    /// A decimal point without digits on one side (`"10."`, `".5"`, `"."`).
    #[error("amount needs digits on both sides of the decimal point")]
    MissingDigits,
    /// Non-zero digits beyond what the currency's minor unit can hold.
    #[error("{currency} has {exponent} minor digits; the amount has non-zero digits beyond that")]
    TooManyFractionDigits {
        /// The currency of the amount.
        currency: Currency,
        /// The currency's exponent.
        exponent: u32,
    },
    /// The amount is negative.
    #[error("amount must not be negative")]
    Negative,
    /// The amount does not fit in 64-bit minor units.
    #[error("amount is too large")]
    Overflow,
    /// More significant digits than a `Decimal` holds exactly
    /// ([`Money::MAX_SIGNIFICANT_DIGITS`]): rejected, never rounded.
    #[error("amount has more than 28 significant digits")]
    TooManyDigits,
    /// Arithmetic or comparison between two currencies.
    #[error("currency mismatch: {left} and {right}")]
    CurrencyMismatch {
        /// Left operand's currency.
        left: Currency,
        /// Right operand's currency.
        right: Currency,
    },
    /// A currency code that is not known.
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
}

/// An exact amount of money: integer minor units of one currency.
///
/// Money never passes through a float. Parsing is strict: what a provider or a
/// caller sends either converts exactly, or is an error that says why.
///
/// ```
/// use payments_core::{Currency, Money};
///
/// let price = Money::parse_major("10.5", Currency::AZN)?;
/// assert_eq!(price.minor(), 1050);
/// assert_eq!(price.to_major_string(), "10.50");
///
/// // Trailing zeros are fine, extra significant digits are not.
/// assert_eq!(Money::parse_major("100.0000", Currency::TRY)?.minor(), 10000);
/// assert!(Money::parse_major("1.005", Currency::AZN).is_err());
///
/// let total = price.checked_add(Money::from_minor(50, Currency::AZN))?;
/// assert_eq!(total.to_major_string(), "11.00");
/// # Ok::<(), payments_core::money::MoneyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from integer minor units (cents, qəpik, tiyn, kuruş).
    pub const fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// Zero in the given currency.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// The most significant digits an amount read from text may have: what
    /// `rust_decimal::Decimal` holds exactly. Trailing and leading zeros do
    /// not count.
    pub const MAX_SIGNIFICANT_DIGITS: usize = 28;

    /// Parses a non-negative major-unit amount such as `"10.5"` or `"100.0000"`.
    ///
    /// Accepts ASCII digits with at most one decimal point that has digits on
    /// both sides. Fraction digits beyond the currency's exponent must be zero.
    /// Rejects empty input, signs, exponents, whitespace and anything else.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_text(text, currency, Grammar::CALLER)
    }

    /// Reads an amount exactly as a provider wrote it: a non-negative JSON
    /// number or decimal text (`"10.50"`, `"100.0000"`, `"1.05E+2"`).
    ///
    /// The exact path for amounts from a provider: the value is computed
    /// from the digits, never through a float or a rounding `Decimal`
    /// parser (`Decimal::from_str` rounds past 28 significant digits). More
    /// than [`Money::MAX_SIGNIFICANT_DIGITS`] significant digits is
    /// [`MoneyError::TooManyDigits`]; non-zero digits beyond the currency's
    /// exponent are [`MoneyError::TooManyFractionDigits`]; a negative amount
    /// is [`MoneyError::Negative`]; `+`, whitespace and anything else are errors.
    ///
    /// ```
    /// use payments_core::{Currency, Money, MoneyError};
    ///
    /// assert_eq!(Money::parse_provider("1.05E+2", Currency::AZN)?.minor(), 10500);
    /// assert_eq!(Money::parse_provider("10.500000", Currency::AZN)?.minor(), 1050);
    /// assert_eq!(
    ///     Money::parse_provider("10.00000000000000000000000000001", Currency::AZN),
    ///     Err(MoneyError::TooManyDigits)
    /// );
    /// # Ok::<(), MoneyError>(())
    /// ```
    pub fn parse_provider(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        parse_text(text, currency, Grammar::PROVIDER)
    }

    /// Converts a non-negative decimal in major units, with the same rule as
    /// [`Money::parse_major`]: trailing zeros beyond the exponent are fine,
    /// significant digits beyond it are an error.
    ///
    /// The conversion is exact, but a `Decimal` is only as exact as the
    /// parser that made it: `Decimal::from_str` silently rounds text with
    /// more than 28 significant digits. For an amount a provider sent as
    /// text, use [`Money::parse_provider`] (or an exact reader such as
    /// `Decimal::from_str_exact`).
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        let exponent = currency.exponent();
        let normalized = amount.normalize();
        if normalized.scale() > exponent {
            return Err(MoneyError::TooManyFractionDigits { currency, exponent });
        }
        let mantissa = normalized.mantissa().abs();
        let factor = pow10(exponent - normalized.scale()).ok_or(MoneyError::Overflow)?;
        let minor = i64::try_from(mantissa)
            .ok()
            .and_then(|m| m.checked_mul(factor))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { minor, currency })
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// True when the amount is greater than zero.
    pub const fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// True when the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// The amount as an exact decimal in major units, with the currency's scale (`10.50`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.exponent())
    }

    /// The major-unit text with exactly the currency's number of fraction digits:
    /// `"10.50"` for 1050 AZN, `"5"` for 5 JPY, `"1.250"` for 1250 BHD.
    pub fn to_major_string(self) -> String {
        let mut out = String::with_capacity(24);
        self.write_major(&mut out);
        out
    }

    /// Appends [`Money::to_major_string`]'s text to `out` without allocating a new string.
    pub fn write_major(self, out: &mut String) {
        use fmt::Write as _;
        let exponent = self.currency.exponent();
        let abs = self.minor.unsigned_abs();
        if self.minor < 0 {
            out.push('-');
        }
        if exponent == 0 {
            let _ = write!(out, "{abs}");
            return;
        }
        // `exponent` is at most 3, so the factor always fits.
        let factor = 10u64.pow(exponent);
        let _ = write!(
            out,
            "{}.{:0width$}",
            abs / factor,
            abs % factor,
            width = exponent as usize
        );
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self.minor.checked_add(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Subtracts an amount of the same currency.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self.minor.checked_sub(other.minor).ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// Compares two amounts of the same currency; a mismatch is an error, never `false`.
    pub fn checked_cmp(self, other: Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.minor.cmp(&other.minor))
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

/// What an amount's text may contain besides digits and one decimal point.
#[derive(Debug, Clone, Copy)]
struct Grammar {
    /// What a leading `-` means.
    minus: Minus,
    /// Whether an exponent (`e`/`E`, optional sign, digits) may follow.
    exponent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Minus {
    /// A sign is an error ([`MoneyError::Sign`]): caller input.
    Sign,
    /// A negative amount is an error ([`MoneyError::Negative`]): provider input.
    Negative,
    /// A negative amount is a value: the serde form of [`Money`].
    Allowed,
}

impl Grammar {
    const CALLER: Grammar = Grammar {
        minus: Minus::Sign,
        exponent: false,
    };
    const PROVIDER: Grammar = Grammar {
        minus: Minus::Negative,
        exponent: true,
    };
    const SERDE: Grammar = Grammar {
        minus: Minus::Allowed,
        exponent: false,
    };
}

/// The one exact text-to-minor-units conversion: the value is the digits
/// times a power of ten, computed in integers and checked at every step.
fn parse_text(text: &str, currency: Currency, grammar: Grammar) -> Result<Money, MoneyError> {
    #[derive(PartialEq, Eq)]
    enum Part {
        Int,
        Frac,
        Exp,
    }
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let negative = match text.as_bytes()[0] {
        b'+' => return Err(MoneyError::Sign),
        b'-' if grammar.minus == Minus::Sign => return Err(MoneyError::Sign),
        b'-' => true,
        _ => false,
    };
    let start = usize::from(negative);
    let (mut int, mut frac) = (start..start, start..start);
    let mut part = Part::Int;
    let mut exp_negative = false;
    let mut exp_digits = 0usize;
    let mut exp: i64 = 0;
    for (position, ch) in text[start..].char_indices().map(|(i, c)| (i + start, c)) {
        match (&part, ch) {
            (Part::Int, '0'..='9') => int.end = position + 1,
            (Part::Frac, '0'..='9') => frac.end = position + 1,
            (Part::Int, '.') => {
                if int.is_empty() {
                    return Err(MoneyError::MissingDigits);
                }
                part = Part::Frac;
                frac = position + 1..position + 1;
            }
            (Part::Int | Part::Frac, 'e' | 'E') if !int.is_empty() => {
                if !grammar.exponent {
                    return Err(MoneyError::Exponent);
                }
                if part == Part::Frac && frac.is_empty() {
                    return Err(MoneyError::MissingDigits);
                }
                part = Part::Exp;
            }
            (Part::Exp, '+' | '-') if exp_digits == 0 && text.as_bytes()[position - 1].eq_ignore_ascii_case(&b'e') => {
                exp_negative = ch == '-';
            }
            (Part::Exp, '0'..='9') => {
                exp_digits += 1;
                exp = exp.saturating_mul(10).saturating_add(i64::from(ch as u8 - b'0'));
            }
            (_, found) => return Err(MoneyError::InvalidCharacter { found, position }),
        }
    }
    if int.is_empty() || (part == Part::Frac && frac.is_empty()) || (part == Part::Exp && exp_digits == 0) {
        return Err(MoneyError::MissingDigits);
    }
    let exp = if exp_negative { -exp } else { exp };

    // value = digits(int ++ frac) * 10^(exp - frac.len()); strip the zeros
    // that carry no significance, then count what is left.
    let digits = || text[int.clone()].bytes().chain(text[frac.clone()].bytes());
    let total = int.len() + frac.len();
    let leading = digits().take_while(|&d| d == b'0').count();
    if leading == total {
        return Ok(Money::zero(currency));
    }
    let trailing = digits().rev().take_while(|&d| d == b'0').count();
    let significant = total - leading - trailing;
    if significant > Money::MAX_SIGNIFICANT_DIGITS {
        return Err(MoneyError::TooManyDigits);
    }
    let mantissa = digits()
        .skip(leading)
        .take(significant)
        .fold(0u128, |m, d| m * 10 + u128::from(d - b'0'));
    // Lengths are bounded by the text's length, far below i64::MAX.
    let shift = i64::try_from(trailing)
        .ok()
        .zip(i64::try_from(frac.len()).ok())
        .map(|(t, f)| {
            exp.saturating_add(t)
                .saturating_sub(f)
                .saturating_add(i64::from(currency.exponent()))
        })
        .ok_or(MoneyError::Overflow)?;
    if shift < 0 {
        return Err(MoneyError::TooManyFractionDigits {
            currency,
            exponent: currency.exponent(),
        });
    }
    let magnitude = u32::try_from(shift)
        .ok()
        .and_then(|s| 10u128.checked_pow(s))
        .and_then(|factor| mantissa.checked_mul(factor))
        .ok_or(MoneyError::Overflow)?;
    let minor = if negative {
        if grammar.minus == Minus::Negative {
            return Err(MoneyError::Negative);
        }
        i128::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .and_then(|m| i64::try_from(m).ok())
    } else {
        i64::try_from(magnitude).ok()
    }
    .ok_or(MoneyError::Overflow)?;
    Ok(Money { minor, currency })
}

fn pow10(exp: u32) -> Option<i64> {
    10i64.checked_pow(exp)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(24);
        self.write_major(&mut s);
        write!(f, "{s} {}", self.currency)
    }
}

/// Serialized as `{"amount": "10.50", "currency": "AZN"}`: the amount as text so
/// that no JSON reader turns it into a float. Negative amounts (`"-1.50"`)
/// round-trip; reading is as strict as [`Money::parse_major`] otherwise.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &self.to_major_string())?;
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw<'a> {
            #[serde(borrow)]
            amount: std::borrow::Cow<'a, str>,
            currency: Currency,
        }
        let raw = Raw::deserialize(deserializer)?;
        parse_text(&raw.amount, raw.currency, Grammar::SERDE).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn azn(text: &str) -> Result<Money, MoneyError> {
        Money::parse_major(text, Currency::AZN)
    }

    #[test]
    fn parses_valid_amounts() {
        assert_eq!(azn("10.5").unwrap().minor(), 1050);
        assert_eq!(azn("10.50").unwrap().minor(), 1050);
        assert_eq!(azn("10").unwrap().minor(), 1000);
        assert_eq!(azn("0.01").unwrap().minor(), 1);
        assert_eq!(azn("0").unwrap().minor(), 0);
        assert_eq!(azn("007.10").unwrap().minor(), 710);
        assert_eq!(Money::parse_major("100.0000", Currency::TRY).unwrap().minor(), 10000);
        assert_eq!(Money::parse_major("5", Currency::JPY).unwrap().minor(), 5);
        assert_eq!(Money::parse_major("5.000", Currency::JPY).unwrap().minor(), 5);
        assert_eq!(Money::parse_major("1.25", Currency::BHD).unwrap().minor(), 1250);
    }

    #[test]
    fn rejects_each_malformed_amount_with_its_exact_error() {
        assert_eq!(azn(""), Err(MoneyError::Empty));
        assert_eq!(azn("-1"), Err(MoneyError::Sign));
        assert_eq!(azn("+1"), Err(MoneyError::Sign));
        assert_eq!(azn("1e3"), Err(MoneyError::Exponent));
        assert_eq!(azn("1E3"), Err(MoneyError::Exponent));
        assert_eq!(
            azn("1.005"),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::AZN,
                exponent: 2
            })
        );
        assert_eq!(
            Money::parse_major("5.1", Currency::JPY),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::JPY,
                exponent: 0
            })
        );
        assert_eq!(azn("10."), Err(MoneyError::MissingDigits));
        assert_eq!(azn(".5"), Err(MoneyError::MissingDigits));
        assert_eq!(azn("."), Err(MoneyError::MissingDigits));
        assert_eq!(
            azn("1.2.3"),
            Err(MoneyError::InvalidCharacter {
                found: '.',
                position: 3
            })
        );
        assert_eq!(
            azn("1,00"),
            Err(MoneyError::InvalidCharacter {
                found: ',',
                position: 1
            })
        );
        assert_eq!(
            azn(" 1"),
            Err(MoneyError::InvalidCharacter {
                found: ' ',
                position: 0
            })
        );
        assert_eq!(
            azn("1 "),
            Err(MoneyError::InvalidCharacter {
                found: ' ',
                position: 1
            })
        );
        assert_eq!(
            azn("1-"),
            Err(MoneyError::InvalidCharacter {
                found: '-',
                position: 1
            })
        );
        assert_eq!(
            azn("abc"),
            Err(MoneyError::InvalidCharacter {
                found: 'a',
                position: 0
            })
        );
        assert_eq!(
            azn("e5"),
            Err(MoneyError::InvalidCharacter {
                found: 'e',
                position: 0
            })
        );
        assert_eq!(
            azn("NaN"),
            Err(MoneyError::InvalidCharacter {
                found: 'N',
                position: 0
            })
        );
        assert_eq!(
            azn("١٢"),
            Err(MoneyError::InvalidCharacter {
                found: '١',
                position: 0
            })
        );
        assert_eq!(azn("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(azn("99999999999999999999"), Err(MoneyError::Overflow));
    }

    #[test]
    fn largest_amount_parses_exactly() {
        assert_eq!(azn("92233720368547758.07").unwrap().minor(), i64::MAX);
    }

    #[test]
    fn formats_with_exactly_the_exponent_digits() {
        assert_eq!(Money::from_minor(1050, Currency::AZN).to_major_string(), "10.50");
        assert_eq!(Money::from_minor(5, Currency::AZN).to_major_string(), "0.05");
        assert_eq!(Money::from_minor(0, Currency::KZT).to_major_string(), "0.00");
        assert_eq!(Money::from_minor(-150, Currency::USD).to_major_string(), "-1.50");
        assert_eq!(Money::from_minor(7, Currency::JPY).to_major_string(), "7");
        assert_eq!(Money::from_minor(1250, Currency::BHD).to_major_string(), "1.250");
        assert_eq!(
            Money::from_minor(i64::MIN, Currency::AZN).to_major_string(),
            "-92233720368547758.08"
        );
        assert_eq!(Money::from_minor(1050, Currency::AZN).to_string(), "10.50 AZN");
    }

    #[test]
    fn from_decimal_follows_the_same_rule() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(Money::from_decimal(d("10.5"), Currency::AZN).unwrap().minor(), 1050);
        assert_eq!(
            Money::from_decimal(d("100.0000"), Currency::TRY).unwrap().minor(),
            10000
        );
        assert_eq!(Money::from_decimal(d("0"), Currency::TRY).unwrap().minor(), 0);
        assert_eq!(
            Money::from_decimal(d("1.001"), Currency::AZN),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::AZN,
                exponent: 2
            })
        );
        assert_eq!(Money::from_decimal(d("-1"), Currency::AZN), Err(MoneyError::Negative));
        assert_eq!(
            Money::from_decimal(d("79228162514264337593543950335"), Currency::AZN),
            Err(MoneyError::Overflow)
        );
        assert_eq!(Money::from_minor(1050, Currency::AZN).to_decimal(), d("10.50"));
        assert_eq!(Money::from_minor(1050, Currency::AZN).to_decimal().to_string(), "10.50");
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::from_minor(100, Currency::AZN);
        let b = Money::from_minor(50, Currency::AZN);
        assert_eq!(a.checked_add(b).unwrap().minor(), 150);
        assert_eq!(a.checked_sub(b).unwrap().minor(), 50);
        assert_eq!(a.checked_cmp(b).unwrap(), std::cmp::Ordering::Greater);
        let usd = Money::from_minor(1, Currency::USD);
        assert_eq!(
            a.checked_add(usd),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::AZN,
                right: Currency::USD
            })
        );
        assert_eq!(
            a.checked_sub(usd),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::AZN,
                right: Currency::USD
            })
        );
        assert_eq!(
            a.checked_cmp(usd),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::AZN,
                right: Currency::USD
            })
        );
        let max = Money::from_minor(i64::MAX, Currency::AZN);
        assert_eq!(
            max.checked_add(Money::from_minor(1, Currency::AZN)),
            Err(MoneyError::Overflow)
        );
        let min = Money::from_minor(i64::MIN, Currency::AZN);
        assert_eq!(
            min.checked_sub(Money::from_minor(1, Currency::AZN)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn provider_amounts_are_exact_or_errors() {
        let p = |s: &str| Money::parse_provider(s, Currency::AZN);
        assert_eq!(p("10.50").unwrap().minor(), 1050);
        assert_eq!(p("10.5").unwrap().minor(), 1050);
        assert_eq!(p("0").unwrap().minor(), 0);
        assert_eq!(p("-0.00").unwrap().minor(), 0);
        assert_eq!(p("1E+2").unwrap().minor(), 10000);
        assert_eq!(p("1.05e2").unwrap().minor(), 10500);
        assert_eq!(p("1e-2").unwrap().minor(), 1);
        assert_eq!(p("0e999999999999999999999").unwrap().minor(), 0);
        assert_eq!(Money::parse_provider("100.0000", Currency::TRY).unwrap().minor(), 10000);
        assert_eq!(Money::parse_provider("1.25", Currency::BHD).unwrap().minor(), 1250);
        assert_eq!(Money::parse_provider("7", Currency::JPY).unwrap().minor(), 7);
        // Zeros beyond 28 digits are exact, not significant.
        assert_eq!(p(&format!("10.5{}", "0".repeat(60))).unwrap().minor(), 1050);
        assert_eq!(p(&format!("{}10.5", "0".repeat(60))).unwrap().minor(), 1050);
        assert_eq!(p("92233720368547758.07").unwrap().minor(), i64::MAX);

        assert_eq!(
            p("1e-3"),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::AZN,
                exponent: 2
            })
        );
        assert_eq!(
            p("10.001"),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::AZN,
                exponent: 2
            })
        );
        assert_eq!(p("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(p("1e99999999999999999999"), Err(MoneyError::Overflow));
        assert_eq!(p("-1.00"), Err(MoneyError::Negative));
        assert_eq!(p("+1.00"), Err(MoneyError::Sign));
        assert_eq!(p(""), Err(MoneyError::Empty));
        assert_eq!(p("-"), Err(MoneyError::MissingDigits));
        assert_eq!(p("1e"), Err(MoneyError::MissingDigits));
        assert_eq!(p("1.e5"), Err(MoneyError::MissingDigits));
        assert_eq!(p(".5"), Err(MoneyError::MissingDigits));
        assert_eq!(
            p("e5"),
            Err(MoneyError::InvalidCharacter {
                found: 'e',
                position: 0
            })
        );
        assert_eq!(
            p("1e+-2"),
            Err(MoneyError::InvalidCharacter {
                found: '-',
                position: 3
            })
        );
        assert_eq!(
            p("1e2.0"),
            Err(MoneyError::InvalidCharacter {
                found: '.',
                position: 3
            })
        );
        assert_eq!(
            p(" 1"),
            Err(MoneyError::InvalidCharacter {
                found: ' ',
                position: 0
            })
        );
        assert_eq!(
            p("1,5"),
            Err(MoneyError::InvalidCharacter {
                found: ',',
                position: 1
            })
        );
    }

    /// The bug this guards against: `Decimal::from_str` rounds a 29th
    /// significant digit away, and the rounded value converts "exactly".
    #[test]
    fn more_than_28_significant_digits_is_an_error_not_a_rounding() {
        let text = "10.0000000000000000000000000001"; // 30 significant digits
        let rounded = Decimal::from_str(text).unwrap();
        assert_eq!(rounded.to_string(), "10.000000000000000000000000000");
        assert_eq!(Money::from_decimal(rounded, Currency::AZN).unwrap().minor(), 1000);
        assert!(Decimal::from_str_exact(text).is_err());
        assert_eq!(
            Money::parse_provider(text, Currency::AZN),
            Err(MoneyError::TooManyDigits)
        );
        assert_eq!(Money::parse_major(text, Currency::AZN), Err(MoneyError::TooManyDigits));
        let twenty_nine = "1000000000000000000000000000.1"; // 29 significant digits
        assert_eq!(
            Money::parse_provider(twenty_nine, Currency::AZN),
            Err(MoneyError::TooManyDigits)
        );
        let exactly = "0.1000000000000000000000000001"; // 28 significant digits
        assert_eq!(
            Money::parse_provider(exactly, Currency::AZN),
            Err(MoneyError::TooManyFractionDigits {
                currency: Currency::AZN,
                exponent: 2
            })
        );
    }

    #[test]
    fn serde_round_trips_negative_amounts() {
        for m in [
            Money::from_minor(-150, Currency::USD),
            Money::from_minor(-1, Currency::AZN),
            Money::from_minor(-7, Currency::JPY),
            Money::from_minor(-1250, Currency::BHD),
            Money::from_minor(i64::MIN, Currency::AZN),
            Money::from_minor(i64::MAX, Currency::KZT),
            Money::from_minor(0, Currency::TRY),
        ] {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&Money::from_minor(-150, Currency::USD)).unwrap(),
            r#"{"amount":"-1.50","currency":"USD"}"#
        );
        for bad in ["+1.00", "-", "--1", "1e2", "-1.001", " -1"] {
            let json = format!(r#"{{"amount":"{bad}","currency":"AZN"}}"#);
            assert!(serde_json::from_str::<Money>(&json).is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_uses_text_amounts() {
        let m = Money::from_minor(1050, Currency::AZN);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"10.50","currency":"AZN"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.001","currency":"AZN"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1.00","currency":"XXX"}"#).is_err());
    }
}
