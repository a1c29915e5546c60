//! ISO 4217 currencies with their numeric codes and minor-unit exponents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency.
///
/// The list holds the currencies the supported providers settle in, plus two
/// with unusual exponents (JPY with 0, BHD with 3) so that amount codecs are
/// exercised beyond two decimals. There is deliberately no `Default`: a
/// payment in an unintended currency is a real loss, so every amount names
/// its currency explicitly.
///
/// ```
/// use payments_core::Currency;
///
/// let azn: Currency = "azn".parse()?;
/// assert_eq!(azn, Currency::AZN);
/// assert_eq!(azn.numeric_code(), 944);
/// assert_eq!("944".parse::<Currency>()?, Currency::AZN);
/// assert_eq!(azn.exponent(), 2);
/// # Ok::<(), payments_core::money::MoneyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[allow(clippy::upper_case_acronyms)]
pub enum Currency {
    /// Azerbaijani manat.
    AZN,
    /// United States dollar.
    USD,
    /// Euro.
    EUR,
    /// Pound sterling.
    GBP,
    /// Russian ruble.
    RUB,
    /// Turkish lira.
    TRY,
    /// Kazakhstani tenge.
    KZT,
    /// Uzbekistani som.
    UZS,
    /// Georgian lari.
    GEL,
    /// Japanese yen (no minor unit).
    JPY,
    /// Bahraini dinar (three minor digits).
    BHD,
}

impl Currency {
    /// Every currency this crate knows, in declaration order.
    pub const ALL: [Currency; 11] = [
        Currency::AZN,
        Currency::USD,
        Currency::EUR,
        Currency::GBP,
        Currency::RUB,
        Currency::TRY,
        Currency::KZT,
        Currency::UZS,
        Currency::GEL,
        Currency::JPY,
        Currency::BHD,
    ];

    /// The ISO 4217 alphabetic code, for example `"AZN"`.
    pub const fn alpha_code(self) -> &'static str {
        match self {
            Currency::AZN => "AZN",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
            Currency::GBP => "GBP",
            Currency::RUB => "RUB",
            Currency::TRY => "TRY",
            Currency::KZT => "KZT",
            Currency::UZS => "UZS",
            Currency::GEL => "GEL",
            Currency::JPY => "JPY",
            Currency::BHD => "BHD",
        }
    }

    /// The ISO 4217 numeric code, for example `944` for AZN.
    pub const fn numeric_code(self) -> u16 {
        match self {
            Currency::AZN => 944,
            Currency::USD => 840,
            Currency::EUR => 978,
            Currency::GBP => 826,
            Currency::RUB => 643,
            Currency::TRY => 949,
            Currency::KZT => 398,
            Currency::UZS => 860,
            Currency::GEL => 981,
            Currency::JPY => 392,
            Currency::BHD => 48,
        }
    }

    /// The numeric code as the three-digit string providers send (`"048"` for BHD).
    pub fn numeric_code_str(self) -> String {
        format!("{:03}", self.numeric_code())
    }

    /// Number of digits after the decimal point in the major unit.
    pub const fn exponent(self) -> u32 {
        match self {
            Currency::AZN
            | Currency::USD
            | Currency::EUR
            | Currency::GBP
            | Currency::RUB
            | Currency::TRY
            | Currency::KZT
            | Currency::UZS
            | Currency::GEL => 2,
            Currency::JPY => 0,
            Currency::BHD => 3,
        }
    }

    /// Looks a currency up by its ISO numeric code.
    pub fn from_numeric(code: u16) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.numeric_code() == code)
    }

    /// Looks a currency up by its alphabetic code, ignoring ASCII case.
    pub fn from_alpha(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.alpha_code().eq_ignore_ascii_case(code))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha_code())
    }
}

impl FromStr for Currency {
    type Err = crate::money::MoneyError;

    /// Accepts the alphabetic code in any case or the numeric code (`"944"`, `"48"`, `"048"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || crate::money::MoneyError::UnknownCurrency(s.chars().take(16).collect());
        if !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
            let code: u16 = s.parse().map_err(|_| unknown())?;
            return Currency::from_numeric(code).ok_or_else(unknown);
        }
        Currency::from_alpha(s).ok_or_else(unknown)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.alpha_code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_iso_4217() {
        let expected = [
            (Currency::AZN, "AZN", 944, 2),
            (Currency::USD, "USD", 840, 2),
            (Currency::EUR, "EUR", 978, 2),
            (Currency::GBP, "GBP", 826, 2),
            (Currency::RUB, "RUB", 643, 2),
            (Currency::TRY, "TRY", 949, 2),
            (Currency::KZT, "KZT", 398, 2),
            (Currency::JPY, "JPY", 392, 0),
            (Currency::BHD, "BHD", 48, 3),
        ];
        for (c, alpha, num, exp) in expected {
            assert_eq!(c.alpha_code(), alpha);
            assert_eq!(c.numeric_code(), num);
            assert_eq!(c.exponent(), exp);
        }
        assert_eq!(Currency::BHD.numeric_code_str(), "048");
    }

    #[test]
    fn parses_alpha_any_case_and_numeric() {
        assert_eq!("kzt".parse::<Currency>().unwrap(), Currency::KZT);
        assert_eq!("Try".parse::<Currency>().unwrap(), Currency::TRY);
        assert_eq!("398".parse::<Currency>().unwrap(), Currency::KZT);
        assert_eq!("048".parse::<Currency>().unwrap(), Currency::BHD);
        for bad in ["", "XXX", "9999", "94", "AZ", "AZNN", " AZN"] {
            assert!(bad.parse::<Currency>().is_err(), "{bad:?} must not parse");
        }
    }

    #[test]
    fn every_currency_round_trips_through_both_codes() {
        for c in Currency::ALL {
            assert_eq!(Currency::from_numeric(c.numeric_code()), Some(c));
            assert_eq!(c.alpha_code().parse::<Currency>().unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Currency>(&json).unwrap(), c);
        }
    }
}
