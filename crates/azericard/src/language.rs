//! [`Language`]: the payment page's language (`LANG`).

use std::fmt;

/// The language of AzeriCard's payment page (`LANG`, two letters).
///
/// `az` is the default (integrify); the sources also send `en` (Omnipay
/// sends the upper-case forms). Another two-letter code can be passed as
/// [`Language::Other`]; it is checked before anything is signed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Language {
    /// `az`: Azerbaijani (the default).
    #[default]
    Az,
    /// `en`: English.
    En,
    /// Any other code, sent as given (must be two ASCII letters).
    Other(String),
}

impl Language {
    /// The `LANG` value sent.
    pub fn code(&self) -> &str {
        match self {
            Language::Az => "az",
            Language::En => "en",
            Language::Other(code) => code,
        }
    }
}

impl From<&str> for Language {
    fn from(code: &str) -> Self {
        match code {
            "az" => Language::Az,
            "en" => Language::En,
            other => Language::Other(other.to_owned()),
        }
    }
}

impl From<String> for Language {
    fn from(code: String) -> Self {
        Language::from(code.as_str())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
