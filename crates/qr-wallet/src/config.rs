//! Client configuration: hosts, OAuth client credentials, provider id.

use payments_core::{Error, Result, Secret};
use time::UtcOffset;

/// Environment variable holding the API base URL.
pub const ENV_API_URL: &str = "QR_WALLET_API_URL";
/// Environment variable holding the identity server's base URL.
pub const ENV_IDENTITY_URL: &str = "QR_WALLET_IDENTITY_URL";
/// Environment variable holding the OAuth client id.
pub const ENV_CLIENT_ID: &str = "QR_WALLET_CLIENT_ID";
/// Environment variable holding the OAuth client secret.
pub const ENV_CLIENT_SECRET: &str = "QR_WALLET_CLIENT_SECRET";
/// Environment variable holding the integrator's provider id.
pub const ENV_PROVIDER_ID: &str = "QR_WALLET_PROVIDER_ID";
/// Optional environment variable holding the `x-client-id` header's value.
pub const ENV_X_CLIENT_ID: &str = "QR_WALLET_X_CLIENT_ID";

/// The public test API host (seen in public traces; no production host is public).
pub const TEST_API_URL: &str = "https://stsapitest.walletgate.io";
/// The public test identity server.
pub const TEST_IDENTITY_URL: &str = "https://idstest.walletgate.io";
/// The UAT API host.
pub const UAT_API_URL: &str = "https://stsapiuat.walletgate.io";
/// The UAT identity server.
pub const UAT_IDENTITY_URL: &str = "https://idsuat.walletgate.io";

/// The OAuth scope of the STS API.
pub const DEFAULT_SCOPE: &str = "sts_api";

/// Configuration of a [`QrWalletClient`](crate::QrWalletClient).
///
/// Both base URLs are required: no production host is public, so there is
/// no default; [`QrWalletConfigBuilder::test_hosts`] and
/// [`QrWalletConfigBuilder::uat_hosts`] fill in the known test hosts.
/// `Debug` never shows the client secret.
///
/// ```
/// use qr_wallet::QrWalletConfig;
///
/// let config = QrWalletConfig::builder()
///     .test_hosts()
///     .client_id("my-client")
///     .client_secret("my-secret")
///     .provider_id("112233")
///     .build()?;
/// assert_eq!(config.api_url(), "https://stsapitest.walletgate.io");
/// assert!(!format!("{config:?}").contains("my-secret"));
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct QrWalletConfig {
    api_url: String,
    identity_url: String,
    client_id: String,
    client_secret: Secret<String>,
    provider_id: String,
    x_client_id: Option<String>,
    scope: String,
    session_offset: UtcOffset,
}

impl QrWalletConfig {
    /// A builder.
    pub fn builder() -> QrWalletConfigBuilder {
        QrWalletConfigBuilder::default()
    }

    /// Reads `QR_WALLET_API_URL`, `QR_WALLET_IDENTITY_URL`, `QR_WALLET_CLIENT_ID`,
    /// `QR_WALLET_CLIENT_SECRET`, `QR_WALLET_PROVIDER_ID` and the optional
    /// `QR_WALLET_X_CLIENT_ID`.
    pub fn from_env() -> Result<QrWalletConfig> {
        QrWalletConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`QrWalletConfig::from_env`], reading variables through `lookup`
    /// (tests, secret stores).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<QrWalletConfig> {
        let required = [
            ENV_API_URL,
            ENV_IDENTITY_URL,
            ENV_CLIENT_ID,
            ENV_CLIENT_SECRET,
            ENV_PROVIDER_ID,
        ];
        let value = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // Every missing or malformed setting is named at once, not one per attempt.
        let missing: Vec<&str> = required.iter().copied().filter(|n| value(n).is_none()).collect();
        let mut problems: Vec<String> = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("environment variables not set: {}", missing.join(", ")));
        }
        for name in [ENV_API_URL, ENV_IDENTITY_URL] {
            if let Some(Err(Error::Config { message, .. })) = value(name).map(|v| base_url(Some(v), name)) {
                problems.push(message);
            }
        }
        if !problems.is_empty() {
            return Err(Error::config(problems.join("; ")));
        }
        let get = |name: &str| value(name).unwrap_or_default();
        let mut builder = QrWalletConfig::builder()
            .api_url(get(ENV_API_URL))
            .identity_url(get(ENV_IDENTITY_URL))
            .client_id(get(ENV_CLIENT_ID))
            .client_secret(get(ENV_CLIENT_SECRET))
            .provider_id(get(ENV_PROVIDER_ID));
        if let Some(x) = value(ENV_X_CLIENT_ID) {
            builder = builder.x_client_id(x);
        }
        builder.build()
    }

    /// The API base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The identity server's base URL, without a trailing slash.
    pub fn identity_url(&self) -> &str {
        &self.identity_url
    }

    /// The OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The OAuth client secret.
    pub fn client_secret(&self) -> &Secret<String> {
        &self.client_secret
    }

    /// The integrator's provider id, sent as `provider_id`.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }

    /// The `x-client-id` header's value, for tenants that need it.
    pub fn x_client_id(&self) -> Option<&str> {
        self.x_client_id.as_deref()
    }

    /// The OAuth scope (default `sts_api`).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The UTC offset assumed for `SessionExpireDate`, which carries no zone
    /// (default +03:00, Turkey's time all year since 2016).
    pub fn session_offset(&self) -> UtcOffset {
        self.session_offset
    }

    /// `{api}/v1/Transaction/{operation}`.
    #[cfg(test)]
    pub(crate) fn transaction_url(&self, operation: &str) -> String {
        self.api_operation_url("Transaction", operation)
    }

    /// `{api}/v1/{controller}/{operation}`.
    pub(crate) fn api_operation_url(&self, controller: &str, operation: &str) -> String {
        format!("{}/v1/{controller}/{operation}", self.api_url)
    }

    /// `{identity}/connect/token`.
    pub(crate) fn token_url(&self) -> String {
        format!("{}/connect/token", self.identity_url)
    }
}

/// Builder of [`QrWalletConfig`].
#[derive(Debug, Clone, Default)]
pub struct QrWalletConfigBuilder {
    api_url: Option<String>,
    identity_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret<String>>,
    provider_id: Option<String>,
    x_client_id: Option<String>,
    scope: Option<String>,
    session_offset: Option<UtcOffset>,
}

impl QrWalletConfigBuilder {
    /// The API base URL (the sandbox's is `http://127.0.0.1:PORT/qr`).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// The identity server's base URL (the token endpoint is `{identity}/connect/token`).
    pub fn identity_url(mut self, url: impl Into<String>) -> Self {
        self.identity_url = Some(url.into());
        self
    }

    /// The public test hosts (`stsapitest` / `idstest.walletgate.io`).
    pub fn test_hosts(self) -> Self {
        self.api_url(TEST_API_URL).identity_url(TEST_IDENTITY_URL)
    }

    /// The UAT hosts (`stsapiuat` / `idsuat.walletgate.io`).
    pub fn uat_hosts(self) -> Self {
        self.api_url(UAT_API_URL).identity_url(UAT_IDENTITY_URL)
    }

    /// The OAuth client id.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The OAuth client secret.
    pub fn client_secret(mut self, secret: impl Into<Secret<String>>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The integrator's provider id.
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// Sends `x-client-id: <value>` on API calls.
    pub fn x_client_id(mut self, value: impl Into<String>) -> Self {
        self.x_client_id = Some(value.into());
        self
    }

    /// Overrides the OAuth scope (default `sts_api`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The UTC offset assumed for zone-less `SessionExpireDate` values (default +03:00).
    pub fn session_offset(mut self, offset: UtcOffset) -> Self {
        self.session_offset = Some(offset);
        self
    }

    /// Checks and builds the configuration.
    pub fn build(self) -> Result<QrWalletConfig> {
        let api_url = base_url(self.api_url, "api_url")?;
        let identity_url = base_url(self.identity_url, "identity_url")?;
        let client_id = non_empty(self.client_id, "client_id")?;
        let client_secret = self
            .client_secret
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::config("client_secret is required"))?;
        let provider_id = non_empty(self.provider_id, "provider_id")?;
        let x_client_id = match self.x_client_id {
            Some(v) if v.trim().is_empty() || has_control(&v) => {
                return Err(Error::config("x_client_id must be printable and non-empty"));
            }
            other => other,
        };
        let scope = match self.scope {
            Some(s) if s.trim().is_empty() => return Err(Error::config("scope must not be empty")),
            Some(s) => s,
            None => DEFAULT_SCOPE.to_owned(),
        };
        let session_offset = match self.session_offset {
            Some(o) => o,
            None => UtcOffset::from_hms(3, 0, 0).map_err(|_| Error::config("bad default offset"))?,
        };
        Ok(QrWalletConfig {
            api_url,
            identity_url,
            client_id,
            client_secret,
            provider_id,
            x_client_id,
            scope,
            session_offset,
        })
    }
}

fn non_empty(value: Option<String>, name: &str) -> Result<String> {
    match value {
        Some(v) if !v.trim().is_empty() && !has_control(&v) => Ok(v),
        Some(_) => Err(Error::config(format!("{name} must be printable and non-empty"))),
        None => Err(Error::config(format!("{name} is required"))),
    }
}

fn has_control(v: &str) -> bool {
    v.chars().any(char::is_control)
}

fn base_url(value: Option<String>, name: &str) -> Result<String> {
    let raw = value.ok_or_else(|| {
        Error::config(format!(
            "{name} is required (no production host is public; use test_hosts() for the test hosts)"
        ))
    })?;
    let trimmed = raw.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|e| Error::Config {
        message: format!("{name} is not a valid URL"),
        source: Some(Box::new(e)),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::config(format!("{name} must be an http(s) URL with a host")));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config(format!("{name} must not carry a query or fragment")));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    const FULL: [(&str, &str); 5] = [
        (ENV_API_URL, "http://127.0.0.1:9000/qr/"),
        (ENV_IDENTITY_URL, "http://127.0.0.1:9000/qr/identity"),
        (ENV_CLIENT_ID, "cid"),
        (ENV_CLIENT_SECRET, "csecret-xyz"),
        (ENV_PROVIDER_ID, "112233"),
    ];

    #[test]
    fn from_lookup_reads_every_variable() {
        let c = QrWalletConfig::from_lookup(env(&FULL)).unwrap();
        assert_eq!(c.api_url(), "http://127.0.0.1:9000/qr");
        assert_eq!(c.transaction_url("X"), "http://127.0.0.1:9000/qr/v1/Transaction/X");
        assert_eq!(c.token_url(), "http://127.0.0.1:9000/qr/identity/connect/token");
        assert_eq!(c.client_id(), "cid");
        assert_eq!(c.client_secret().expose_secret(), "csecret-xyz");
        assert_eq!(c.provider_id(), "112233");
        assert_eq!(c.x_client_id(), None);
        assert_eq!(c.scope(), "sts_api");
        assert_eq!(c.session_offset(), UtcOffset::from_hms(3, 0, 0).unwrap());
        assert!(!format!("{c:?}").contains("csecret-xyz"));

        let mut with_x = FULL.to_vec();
        with_x.push((ENV_X_CLIENT_ID, "tenant-7"));
        assert_eq!(
            QrWalletConfig::from_lookup(env(&with_x)).unwrap().x_client_id(),
            Some("tenant-7")
        );

        for missing in FULL.iter().map(|(k, _)| *k) {
            let partial: Vec<_> = FULL.iter().copied().filter(|(k, _)| *k != missing).collect();
            let err = QrWalletConfig::from_lookup(env(&partial)).unwrap_err();
            assert!(err.to_string().contains(missing), "{err}");
        }
        // All of them at once.
        let err = QrWalletConfig::from_lookup(env(&[])).unwrap_err().to_string();
        for (name, _) in FULL {
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn every_missing_or_malformed_variable_is_named_in_one_error() {
        let err = QrWalletConfig::from_lookup(env(&[
            (ENV_API_URL, "ftp://qr.test/api"),
            (ENV_IDENTITY_URL, "not a url"),
            (ENV_CLIENT_ID, "cid"),
        ]))
        .unwrap_err()
        .to_string();
        for name in [ENV_API_URL, ENV_IDENTITY_URL, ENV_CLIENT_SECRET, ENV_PROVIDER_ID] {
            assert!(err.contains(name), "{name} missing from {err}");
        }
        assert!(!err.contains(ENV_CLIENT_ID), "{err}");
    }

    #[test]
    fn urls_are_required_and_checked() {
        let base = || {
            QrWalletConfig::builder()
                .client_id("c")
                .client_secret("s")
                .provider_id("p")
        };
        assert!(base().build().unwrap_err().to_string().contains("api_url"));
        assert!(
            base()
                .api_url("https://a.test")
                .build()
                .unwrap_err()
                .to_string()
                .contains("identity_url")
        );
        for bad in ["ftp://a.test", "not a url", "https://a.test/?x=1", "https://a.test/#f"] {
            assert!(
                base().api_url(bad).identity_url("https://i.test").build().is_err(),
                "{bad}"
            );
        }
        let c = base().uat_hosts().build().unwrap();
        assert_eq!(c.api_url(), UAT_API_URL);
        assert_eq!(c.identity_url(), UAT_IDENTITY_URL);
        assert!(base().test_hosts().client_secret("").build().is_err());
        assert!(base().test_hosts().provider_id(" ").build().is_err());
        assert!(base().test_hosts().x_client_id("a\nb").build().is_err());
    }
}
