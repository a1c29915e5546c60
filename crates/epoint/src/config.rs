//! Merchant configuration: keys, interface language, redirect URLs, base URL.

use std::fmt;

use payments_core::{Error, Result, Secret};
use serde::{Serialize, Serializer};

/// EPoint's production host. Every operation lives under `/api/1/` below it.
pub const PRODUCTION_BASE_URL: &str = "https://epoint.az";

/// Language of EPoint's hosted pages (`language` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// Azerbaijani (EPoint's default).
    #[default]
    Az,
    /// English.
    En,
    /// Russian.
    Ru,
}

impl Language {
    /// The wire code: `az`, `en` or `ru`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::Az => "az",
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    /// Parses `az`, `en` or `ru` (case-insensitive, surrounding spaces ignored).
    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "az" => Some(Language::Az),
            "en" => Some(Language::En),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How the two signed fields travel in the request body.
///
/// EPoint accepts both (see `docs/providers/epoint.md`); the form encoding is
/// the default because it is what EPoint itself uses for callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RequestEncoding {
    /// `application/x-www-form-urlencoded`: `data=...&signature=...`.
    #[default]
    Form,
    /// `application/json`: `{"data": "...", "signature": "..."}` (what the Python client integrify sends).
    Json,
}

/// The merchant's EPoint configuration.
///
/// `Debug` never shows the private key.
///
/// ```
/// use epoint::{EpointConfig, Language};
///
/// let config = EpointConfig::builder()
///     .public_key("i000000001")
///     .private_key("test-private-key")
///     .language(Language::En)
///     .success_redirect_url("https://shop.example/ok")
///     .failed_redirect_url("https://shop.example/fail")
///     .base_url("http://127.0.0.1:8080/epoint")
///     .build()?;
/// assert_eq!(config.base_url(), "http://127.0.0.1:8080/epoint");
/// assert!(!format!("{config:?}").contains("test-private-key"));
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct EpointConfig {
    public_key: String,
    private_key: Secret<String>,
    language: Language,
    success_redirect_url: Option<String>,
    error_redirect_url: Option<String>,
    base_url: String,
    encoding: RequestEncoding,
}

/// Builder of [`EpointConfig`].
#[derive(Clone, Debug, Default)]
pub struct EpointConfigBuilder {
    public_key: Option<String>,
    private_key: Option<Secret<String>>,
    language: Language,
    success_redirect_url: Option<String>,
    error_redirect_url: Option<String>,
    base_url: Option<String>,
    encoding: RequestEncoding,
}

impl EpointConfigBuilder {
    /// The merchant id EPoint issued (`public_key` on the wire, `i000...`).
    pub fn public_key(mut self, key: impl Into<String>) -> Self {
        self.public_key = Some(key.into());
        self
    }

    /// The signing secret.
    pub fn private_key(mut self, key: impl Into<Secret<String>>) -> Self {
        self.private_key = Some(key.into());
        self
    }

    /// The default language of the hosted pages (default `az`).
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Default `success_redirect_url` of hosted-page requests.
    pub fn success_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.success_redirect_url = Some(url.into());
        self
    }

    /// Default `error_redirect_url` of hosted-page requests (the seed's `EPOINT_FAILED_REDIRECT_URL`).
    pub fn failed_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.error_redirect_url = Some(url.into());
        self
    }

    /// The SDK-wide name of [`EpointConfigBuilder::success_redirect_url`].
    pub fn success_url(self, url: impl Into<String>) -> Self {
        self.success_redirect_url(url)
    }

    /// The SDK-wide name of [`EpointConfigBuilder::failed_redirect_url`].
    pub fn failure_url(self, url: impl Into<String>) -> Self {
        self.failed_redirect_url(url)
    }

    /// The base URL under which `/api/1/...` is appended (default [`PRODUCTION_BASE_URL`]).
    /// A trailing `/` is ignored.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The request body encoding (default [`RequestEncoding::Form`]).
    pub fn encoding(mut self, encoding: RequestEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Validates and builds the configuration. A missing or empty key, or a
    /// URL that does not parse, is an [`Error::Config`] naming the setting.
    pub fn build(self) -> Result<EpointConfig> {
        let public_key = self.public_key.filter(|k| !k.trim().is_empty());
        let private_key = self.private_key.filter(|k| !k.is_empty());
        let (public_key, private_key) = match (public_key, private_key) {
            (Some(p), Some(k)) => (p, k),
            (p, k) => {
                // Every missing setting at once.
                let missing: Vec<&str> = [(p.is_none(), "public_key"), (k.is_none(), "private_key")]
                    .into_iter()
                    .filter_map(|(gone, name)| gone.then_some(name))
                    .collect();
                return Err(Error::config(format!("missing or empty: {}", missing.join(", "))));
            }
        };
        let base_url = match self.base_url {
            Some(url) => check_url(&url, "base_url")?.trim_end_matches('/').to_owned(),
            None => PRODUCTION_BASE_URL.to_owned(),
        };
        if let Some(url) = &self.success_redirect_url {
            check_url(url, "success_redirect_url")?;
        }
        if let Some(url) = &self.error_redirect_url {
            check_url(url, "failed_redirect_url")?;
        }
        Ok(EpointConfig {
            public_key,
            private_key,
            language: self.language,
            success_redirect_url: self.success_redirect_url,
            error_redirect_url: self.error_redirect_url,
            base_url,
            encoding: self.encoding,
        })
    }
}

/// The text of a configuration error, to list it with others.
fn config_message(e: Error) -> String {
    match e {
        Error::Config { message, .. } => message,
        other => other.to_string(),
    }
}

/// Accepts absolute `http`/`https` URLs only.
fn check_url<'a>(url: &'a str, name: &str) -> Result<&'a str> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(url),
        Ok(_) => Err(Error::config(format!("{name} must be an absolute http(s) URL"))),
        Err(e) => Err(Error::Config {
            message: format!("{name} is not a valid URL"),
            source: Some(Box::new(e)),
        }),
    }
}

impl EpointConfig {
    /// A builder.
    pub fn builder() -> EpointConfigBuilder {
        EpointConfigBuilder::default()
    }

    /// A configuration with the two keys and every other setting at its default.
    pub fn new(public_key: impl Into<String>, private_key: impl Into<Secret<String>>) -> Result<EpointConfig> {
        EpointConfig::builder()
            .public_key(public_key)
            .private_key(private_key)
            .build()
    }

    /// Reads the seed's environment variables: `EPOINT_PUBLIC_KEY`,
    /// `EPOINT_PRIVATE_KEY` (both required), `EPOINT_INTERFACE_LANG`
    /// (`az`/`en`/`ru`, default `az`), `EPOINT_SUCCESS_REDIRECT_URL`,
    /// `EPOINT_FAILED_REDIRECT_URL`, and this SDK's `EPOINT_BASE_URL`
    /// (default [`PRODUCTION_BASE_URL`]).
    pub fn from_env() -> Result<EpointConfig> {
        EpointConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`EpointConfig::from_env`] with a custom variable source (for tests
    /// and secret stores). Empty values count as unset; a missing required
    /// variable is an [`Error::Config`] naming it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<EpointConfig> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // Every missing or invalid variable at once, not one per attempt.
        let mut problems: Vec<String> = Vec::new();
        let public_key = get("EPOINT_PUBLIC_KEY");
        let private_key = get("EPOINT_PRIVATE_KEY");
        let missing: Vec<&str> = [
            (public_key.is_none(), "EPOINT_PUBLIC_KEY"),
            (private_key.is_none(), "EPOINT_PRIVATE_KEY"),
        ]
        .into_iter()
        .filter_map(|(gone, name)| gone.then_some(name))
        .collect();
        if !missing.is_empty() {
            problems.push(format!("not set: {}", missing.join(", ")));
        }
        let mut builder = EpointConfig::builder();
        if let Some(lang) = get("EPOINT_INTERFACE_LANG") {
            match Language::parse(&lang) {
                Some(language) => builder = builder.language(language),
                None => problems.push(format!("EPOINT_INTERFACE_LANG must be az, en or ru, not {lang:?}")),
            }
        }
        let mut url = |name: &'static str| {
            let value = get(name)?;
            match check_url(&value, name) {
                Ok(_) => Some(value),
                Err(e) => {
                    problems.push(config_message(e));
                    None
                }
            }
        };
        let success = url("EPOINT_SUCCESS_REDIRECT_URL");
        let failed = url("EPOINT_FAILED_REDIRECT_URL");
        let base = url("EPOINT_BASE_URL");
        if !problems.is_empty() {
            return Err(Error::config(problems.join("; ")));
        }
        builder = builder
            .public_key(public_key.unwrap_or_default())
            .private_key(private_key.unwrap_or_default());
        if let Some(url) = success {
            builder = builder.success_redirect_url(url);
        }
        if let Some(url) = failed {
            builder = builder.failed_redirect_url(url);
        }
        if let Some(url) = base {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The merchant id sent as `public_key`.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The signing secret.
    pub fn private_key(&self) -> &Secret<String> {
        &self.private_key
    }

    /// The default hosted-page language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The default success redirect URL.
    pub fn success_redirect_url(&self) -> Option<&str> {
        self.success_redirect_url.as_deref()
    }

    /// The default failure redirect URL (`error_redirect_url` on the wire).
    pub fn error_redirect_url(&self) -> Option<&str> {
        self.error_redirect_url.as_deref()
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The request body encoding.
    pub fn encoding(&self) -> RequestEncoding {
        self.encoding
    }

    /// The heartbeat's URL: `<base>/api/heartbeat` (outside `/api/1/`, as
    /// EPoint's document gives it).
    pub fn heartbeat_url(&self) -> String {
        format!("{}/api/heartbeat", self.base_url)
    }

    /// The absolute URL of an operation: `<base>/api/1/<path>`.
    pub fn endpoint(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base_url.len() + 7 + path.len());
        url.push_str(&self.base_url);
        url.push_str("/api/1/");
        url.push_str(path);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn from_env_reads_every_variable() {
        let c = EpointConfig::from_lookup(env(&[
            ("EPOINT_PUBLIC_KEY", "i000000001"),
            ("EPOINT_PRIVATE_KEY", "test-private-key"),
            ("EPOINT_INTERFACE_LANG", "EN"),
            ("EPOINT_SUCCESS_REDIRECT_URL", "https://shop.example/ok"),
            ("EPOINT_FAILED_REDIRECT_URL", "https://shop.example/fail"),
            ("EPOINT_BASE_URL", "http://127.0.0.1:9/epoint/"),
        ]))
        .unwrap();
        assert_eq!(c.public_key(), "i000000001");
        assert_eq!(c.private_key().expose_secret(), "test-private-key");
        assert_eq!(c.language(), Language::En);
        assert_eq!(c.success_redirect_url(), Some("https://shop.example/ok"));
        assert_eq!(c.error_redirect_url(), Some("https://shop.example/fail"));
        assert_eq!(c.endpoint("request"), "http://127.0.0.1:9/epoint/api/1/request");
    }

    #[test]
    fn defaults() {
        let c = EpointConfig::from_lookup(env(&[("EPOINT_PUBLIC_KEY", "p"), ("EPOINT_PRIVATE_KEY", "k")])).unwrap();
        assert_eq!(c.language(), Language::Az);
        assert_eq!(c.base_url(), PRODUCTION_BASE_URL);
        assert_eq!(c.endpoint("get-status"), "https://epoint.az/api/1/get-status");
        assert_eq!(c.success_redirect_url(), None);
        assert_eq!(c.encoding(), RequestEncoding::Form);
    }

    #[test]
    fn every_missing_or_invalid_variable_is_named_in_one_error() {
        let err = EpointConfig::from_lookup(env(&[
            ("EPOINT_INTERFACE_LANG", "de"),
            ("EPOINT_SUCCESS_REDIRECT_URL", "nope"),
            ("EPOINT_FAILED_REDIRECT_URL", "ftp://x"),
            ("EPOINT_BASE_URL", "epoint.az"),
        ]))
        .unwrap_err()
        .to_string();
        for name in [
            "EPOINT_PUBLIC_KEY",
            "EPOINT_PRIVATE_KEY",
            "EPOINT_INTERFACE_LANG",
            "EPOINT_SUCCESS_REDIRECT_URL",
            "EPOINT_FAILED_REDIRECT_URL",
            "EPOINT_BASE_URL",
        ] {
            assert!(err.contains(name), "{name} missing from {err}");
        }
        assert!(
            err.starts_with("configuration error: not set: EPOINT_PUBLIC_KEY, EPOINT_PRIVATE_KEY; "),
            "{err}"
        );
    }

    #[test]
    fn missing_or_invalid_settings_name_the_variable() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("EPOINT_PRIVATE_KEY", "k")], "EPOINT_PUBLIC_KEY"),
            (&[("EPOINT_PUBLIC_KEY", "p")], "EPOINT_PRIVATE_KEY"),
            (
                &[("EPOINT_PUBLIC_KEY", "p"), ("EPOINT_PRIVATE_KEY", "  ")],
                "EPOINT_PRIVATE_KEY",
            ),
            (
                &[
                    ("EPOINT_PUBLIC_KEY", "p"),
                    ("EPOINT_PRIVATE_KEY", "k"),
                    ("EPOINT_INTERFACE_LANG", "de"),
                ],
                "EPOINT_INTERFACE_LANG",
            ),
            (
                &[
                    ("EPOINT_PUBLIC_KEY", "p"),
                    ("EPOINT_PRIVATE_KEY", "k"),
                    ("EPOINT_SUCCESS_REDIRECT_URL", "nope"),
                ],
                "EPOINT_SUCCESS_REDIRECT_URL",
            ),
            (
                &[
                    ("EPOINT_PUBLIC_KEY", "p"),
                    ("EPOINT_PRIVATE_KEY", "k"),
                    ("EPOINT_FAILED_REDIRECT_URL", "ftp://x"),
                ],
                "EPOINT_FAILED_REDIRECT_URL",
            ),
        ];
        for (vars, name) in cases {
            let err = EpointConfig::from_lookup(env(vars)).unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            assert!(err.to_string().contains(name), "{err} should name {name}");
        }
        let err = EpointConfig::builder()
            .public_key("p")
            .private_key("")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("private_key"));
        let err = EpointConfig::builder().private_key("k").build().unwrap_err();
        assert!(err.to_string().contains("public_key"));
        let err = EpointConfig::builder().build().unwrap_err().to_string();
        assert!(err.contains("public_key") && err.contains("private_key"), "{err}");
        let err = EpointConfig::from_lookup(env(&[])).unwrap_err().to_string();
        assert!(
            err.contains("EPOINT_PUBLIC_KEY") && err.contains("EPOINT_PRIVATE_KEY"),
            "{err}"
        );
        let err = EpointConfig::builder()
            .public_key("p")
            .private_key("k")
            .base_url("/relative")
            .build();
        assert!(err.unwrap_err().to_string().contains("base_url"));
    }

    #[test]
    fn debug_hides_the_private_key() {
        let c = EpointConfig::new("i000000001", "super-secret-key").unwrap();
        let text = format!("{c:?} {c:#?}");
        assert!(!text.contains("super-secret-key"), "{text}");
        assert!(text.contains("i000000001"));
    }
}
