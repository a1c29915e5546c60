//! Client configuration: credentials, environment and every URL the client uses.

use std::time::Duration;

use payments_core::{Error, Result, Secret};

/// Default OAuth scope of payment and service tokens.
pub const DEFAULT_SCOPE: &str = "webapi usermanagement email_send verification statement statistics payment";
/// Default scope of the password-grant token for invoice links (the seed's first sample).
pub const DEFAULT_INVOICE_SCOPE: &str = "api";
/// Default scope of the per-transfer token (ePay's P2P pages and official SDK).
pub const DEFAULT_TRANSFER_SCOPE: &str = "transfer";
/// Scope of the token of the legacy operation lookup (`GET {api}/operation/:invoiceid`).
pub const DEFAULT_OPERATION_SCOPE: &str = "statement usermanagement operation";
/// Default path of host-to-host payments, appended to the API base.
pub const DEFAULT_CRYPTOPAY_PATH: &str = "/payment/cryptopay";
/// Default path of QR generation \[U\]: one third-party server shows it.
pub const DEFAULT_QR_GENERATE_PATH: &str = "/payment/qr/generate";
/// Default path of the QR status query \[U\]: the official SDK and one third-party server.
pub const DEFAULT_QR_STATUS_PATH: &str = "/qr";

/// The lifetime assumed for a token whose answer has no `expires_in`: the
/// seed's 900 s, the shortest ePay shows (a 401 refetches a token ePay
/// expired earlier, on the calls where resending is safe).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// An ePay environment: each comes with its OAuth, API and widget URLs, all overridable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// The current official test hosts (`test-epay-oauth.epayment.kz`,
    /// `test-epay-api.epayment.kz`), which ePay's official SDK uses today.
    Test,
    /// The older test hosts the seed document uses (`testoauth.homebank.kz/epay2`,
    /// `testepay.homebank.kz/api`); ePay's pages still show them.
    LegacyTest,
    /// Production (`epay-oauth.homebank.kz`, `epay-api.homebank.kz`).
    Production,
}

impl Environment {
    /// The OAuth token URL.
    pub const fn oauth_url(self) -> &'static str {
        match self {
            Environment::Test => "https://test-epay-oauth.epayment.kz/oauth2/token",
            Environment::LegacyTest => "https://testoauth.homebank.kz/epay2/oauth2/token",
            Environment::Production => "https://epay-oauth.homebank.kz/oauth2/token",
        }
    }

    /// The API base URL (no trailing slash). Production and the current test
    /// host have no `/api` prefix; the legacy test host has.
    pub const fn api_url(self) -> &'static str {
        match self {
            Environment::Test => "https://test-epay-api.epayment.kz",
            Environment::LegacyTest => "https://testepay.homebank.kz/api",
            Environment::Production => "https://epay-api.homebank.kz",
        }
    }

    /// The payment widget script (`halyk.pay`).
    pub const fn widget_script_url(self) -> &'static str {
        match self {
            Environment::Test | Environment::LegacyTest => "https://test-epay.epayment.kz/payform/payment-api.js",
            Environment::Production => "https://epay.homebank.kz/payform/payment-api.js",
        }
    }
}

/// Interface language: ePay accepts `rus`, `kaz` and `eng`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Russian (`rus`).
    #[default]
    Rus,
    /// Kazakh (`kaz`).
    Kaz,
    /// English (`eng`).
    Eng,
}

impl Language {
    /// The wire code.
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::Rus => "rus",
            Language::Kaz => "kaz",
            Language::Eng => "eng",
        }
    }

    /// Parses `rus`, `kaz` or `eng`; anything else is an invalid-input error naming `language`.
    pub fn parse(code: &str) -> Result<Language> {
        match code {
            "rus" => Ok(Language::Rus),
            "kaz" => Ok(Language::Kaz),
            "eng" => Ok(Language::Eng),
            other => Err(Error::invalid_input(
                "language",
                format!("{other:?} is not one of rus, kaz, eng"),
            )),
        }
    }
}

/// Everything the ePay client needs. Secrets are kept in [`Secret`]: `Debug` shows none.
///
/// ```
/// use epay_kz::{EpayConfig, Environment};
///
/// let config = EpayConfig::builder("test", "client-secret", "67e34d63-102f-4bd1-898e-370781d0074d")
///     .environment(Environment::Test)
///     .api_url("http://127.0.0.1:8080/epay/api")
///     .oauth_url("http://127.0.0.1:8080/epay/oauth2/token")
///     .build()?;
/// assert_eq!(config.api_url(), "http://127.0.0.1:8080/epay/api");
/// assert!(!format!("{config:?}").contains("client-secret"));
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EpayConfig {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret<String>,
    pub(crate) terminal_id: String,
    pub(crate) shop_id: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<Secret<String>>,
    pub(crate) environment: Environment,
    pub(crate) oauth_url: String,
    pub(crate) api_url: String,
    pub(crate) invoice_search_url: Option<String>,
    pub(crate) widget_script_url: String,
    pub(crate) scope: String,
    pub(crate) invoice_scope: String,
    pub(crate) transfer_scope: String,
    pub(crate) payout_scope: String,
    pub(crate) operation_scope: String,
    pub(crate) transfer_terminal_id: Option<String>,
    pub(crate) payout_terminal_id: Option<String>,
    pub(crate) cryptopay_url: String,
    pub(crate) qr_generate_path: String,
    pub(crate) qr_status_path: String,
    pub(crate) duplicate_codes: Vec<String>,
    pub(crate) default_token_lifetime: Duration,
    pub(crate) callback_key: Option<Secret<String>>,
    pub(crate) post_link: Option<String>,
    pub(crate) failure_post_link: Option<String>,
    pub(crate) back_link: Option<String>,
    pub(crate) failure_back_link: Option<String>,
    pub(crate) language: Language,
}

impl EpayConfig {
    /// A builder with the merchant's client id, client secret and terminal id.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        terminal_id: impl Into<String>,
    ) -> EpayConfigBuilder {
        EpayConfigBuilder {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
            terminal_id: terminal_id.into(),
            shop_id: None,
            username: None,
            password: None,
            environment: Environment::Test,
            oauth_url: None,
            api_url: None,
            invoice_search_url: None,
            widget_script_url: None,
            scope: DEFAULT_SCOPE.to_owned(),
            invoice_scope: DEFAULT_INVOICE_SCOPE.to_owned(),
            transfer_scope: DEFAULT_TRANSFER_SCOPE.to_owned(),
            payout_scope: DEFAULT_TRANSFER_SCOPE.to_owned(),
            operation_scope: DEFAULT_OPERATION_SCOPE.to_owned(),
            transfer_terminal_id: None,
            payout_terminal_id: None,
            cryptopay_url: None,
            qr_generate_path: DEFAULT_QR_GENERATE_PATH.to_owned(),
            qr_status_path: DEFAULT_QR_STATUS_PATH.to_owned(),
            duplicate_codes: Vec::new(),
            default_token_lifetime: DEFAULT_TOKEN_LIFETIME,
            callback_key: None,
            post_link: None,
            failure_post_link: None,
            back_link: None,
            failure_back_link: None,
            language: Language::Rus,
        }
    }

    /// Reads the configuration from the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `EPAY_CLIENT_ID`, `EPAY_CLIENT_SECRET`, `EPAY_TERMINAL_ID` | required credentials |
    /// | `EPAY_SHOP_ID` | shop id (invoice links) |
    /// | `EPAY_USERNAME`, `EPAY_PASSWORD` | password grant (invoice links, transfer list) |
    /// | `EPAY_ENV` | `test` (default, the current official test hosts), `test-legacy` or `prod` |
    /// | `EPAY_OAUTH_URL`, `EPAY_API_URL` | host overrides |
    /// | `EPAY_INVOICE_SEARCH_URL` | invoice search endpoint (no default) |
    /// | `EPAY_WIDGET_URL` | widget script override |
    /// | `EPAY_CALLBACK_KEY` | dedicated key of derived `secret_hash` values (no default) |
    /// | `EPAY_TRANSFER_TERMINAL_ID`, `EPAY_PAYOUT_TERMINAL_ID` | transfer and payout terminals |
    ///
    /// Every missing required variable is named in one error.
    pub fn from_env() -> Result<EpayConfig> {
        EpayConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`EpayConfig::from_env`], reading variables through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<EpayConfig> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut problems: Vec<String> = ["EPAY_CLIENT_ID", "EPAY_CLIENT_SECRET", "EPAY_TERMINAL_ID"]
            .into_iter()
            .filter(|name| get(name).is_none())
            .map(|name| format!("{name} is not set"))
            .collect();
        let environment = match get("EPAY_ENV").map(|e| e.trim().to_ascii_lowercase()).as_deref() {
            None | Some("test") => Environment::Test,
            Some("test-legacy" | "legacy-test" | "legacy") => Environment::LegacyTest,
            Some("prod" | "production") => Environment::Production,
            Some(_) => {
                problems.push("EPAY_ENV must be test, test-legacy or prod".to_owned());
                Environment::Test
            }
        };
        let credentials = match (get("EPAY_USERNAME"), get("EPAY_PASSWORD")) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            _ => {
                problems.push("EPAY_USERNAME and EPAY_PASSWORD must be set together".to_owned());
                None
            }
        };
        // Malformed URLs are listed with the missing variables, not one per attempt.
        for name in [
            "EPAY_OAUTH_URL",
            "EPAY_API_URL",
            "EPAY_INVOICE_SEARCH_URL",
            "EPAY_WIDGET_URL",
        ] {
            if let Some(Err(Error::Config { message, .. })) = get(name).map(|v| check_url(name, v)) {
                problems.push(message);
            }
        }
        if !problems.is_empty() {
            return Err(Error::config(problems.join("; ")));
        }
        let required = |name: &str| get(name).unwrap_or_default();
        let mut builder = EpayConfig::builder(
            required("EPAY_CLIENT_ID"),
            required("EPAY_CLIENT_SECRET"),
            required("EPAY_TERMINAL_ID"),
        )
        .environment(environment);
        if let Some((u, p)) = credentials {
            builder = builder.credentials(u, p);
        }
        if let Some(v) = get("EPAY_SHOP_ID") {
            builder = builder.shop_id(v);
        }
        if let Some(v) = get("EPAY_OAUTH_URL") {
            builder = builder.oauth_url(v);
        }
        if let Some(v) = get("EPAY_API_URL") {
            builder = builder.api_url(v);
        }
        if let Some(v) = get("EPAY_INVOICE_SEARCH_URL") {
            builder = builder.invoice_search_url(v);
        }
        if let Some(v) = get("EPAY_WIDGET_URL") {
            builder = builder.widget_script_url(v);
        }
        if let Some(v) = get("EPAY_CALLBACK_KEY") {
            builder = builder.callback_key(v);
        }
        if let Some(v) = get("EPAY_TRANSFER_TERMINAL_ID") {
            builder = builder.transfer_terminal_id(v);
        }
        if let Some(v) = get("EPAY_PAYOUT_TERMINAL_ID") {
            builder = builder.payout_terminal_id(v);
        }
        builder.build()
    }

    /// The OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The terminal id (a GUID).
    pub fn terminal_id(&self) -> &str {
        &self.terminal_id
    }

    /// The shop id, when configured.
    pub fn shop_id(&self) -> Option<&str> {
        self.shop_id.as_deref()
    }

    /// The environment.
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The OAuth token URL.
    pub fn oauth_url(&self) -> &str {
        &self.oauth_url
    }

    /// The API base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The invoice search URL, when configured.
    pub fn invoice_search_url(&self) -> Option<&str> {
        self.invoice_search_url.as_deref()
    }

    /// The widget script URL.
    pub fn widget_script_url(&self) -> &str {
        &self.widget_script_url
    }

    /// The default interface language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The dedicated key of the derived `secret_hash`, when configured. It is
    /// never derived from the client secret: rotating that secret would
    /// otherwise break every payment in flight. Without it, use a random
    /// per-payment hash ([`crate::signature::new_secret_hash`]) that the
    /// merchant stores.
    pub fn callback_key(&self) -> Option<&Secret<String>> {
        self.callback_key.as_ref()
    }

    /// The callback key, or a configuration error saying what to do instead.
    pub(crate) fn require_callback_key(&self) -> Result<&Secret<String>> {
        self.callback_key.as_ref().ok_or_else(|| {
            Error::config(
                "no callback key (EPAY_CALLBACK_KEY): set a dedicated key for derived secret_hash values, \
                 or pass a stored random hash (signature::new_secret_hash) to the *_with_hash methods",
            )
        })
    }

    /// The terminal of P2P and AFT transfers (the payment terminal unless set).
    pub fn transfer_terminal_id(&self) -> &str {
        self.transfer_terminal_id.as_deref().unwrap_or(&self.terminal_id)
    }

    /// The terminal of payouts (OCT): the payout terminal, else the transfer
    /// terminal, else the payment terminal.
    pub fn payout_terminal_id(&self) -> &str {
        self.payout_terminal_id
            .as_deref()
            .unwrap_or_else(|| self.transfer_terminal_id())
    }

    /// The host-to-host payment URL (`{api}/payment/cryptopay` unless set).
    pub fn cryptopay_url(&self) -> &str {
        &self.cryptopay_url
    }

    /// The lifetime assumed for a token answer without `expires_in`.
    pub fn default_token_lifetime(&self) -> Duration {
        self.default_token_lifetime
    }

    /// ePay codes configured as "this operation id was already used" \[U\].
    pub fn duplicate_operation_codes(&self) -> &[String] {
        &self.duplicate_codes
    }

    pub(crate) fn api(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.api_url.len() + path.len());
        url.push_str(&self.api_url);
        url.push_str(path);
        url
    }
}

/// Builder of [`EpayConfig`].
#[derive(Debug)]
pub struct EpayConfigBuilder {
    client_id: String,
    client_secret: Secret<String>,
    terminal_id: String,
    shop_id: Option<String>,
    username: Option<String>,
    password: Option<Secret<String>>,
    environment: Environment,
    oauth_url: Option<String>,
    api_url: Option<String>,
    invoice_search_url: Option<String>,
    widget_script_url: Option<String>,
    scope: String,
    invoice_scope: String,
    transfer_scope: String,
    payout_scope: String,
    operation_scope: String,
    transfer_terminal_id: Option<String>,
    payout_terminal_id: Option<String>,
    cryptopay_url: Option<String>,
    qr_generate_path: String,
    qr_status_path: String,
    duplicate_codes: Vec<String>,
    default_token_lifetime: Duration,
    callback_key: Option<Secret<String>>,
    post_link: Option<String>,
    failure_post_link: Option<String>,
    back_link: Option<String>,
    failure_back_link: Option<String>,
    language: Language,
}

impl EpayConfigBuilder {
    /// The environment whose hosts are used unless overridden (default: test).
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = env;
        self
    }

    /// The shop id (required for invoice links).
    pub fn shop_id(mut self, id: impl Into<String>) -> Self {
        self.shop_id = Some(id.into());
        self
    }

    /// Username and password of the password grant (invoice links).
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(Secret::new(password.into()));
        self
    }

    /// Overrides the OAuth token URL.
    pub fn oauth_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_url = Some(url.into());
        self
    }

    /// Overrides the API base URL (a trailing slash is removed).
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = Some(url.into());
        self
    }

    /// Sets the invoice search URL: no public document names it, so it has no default.
    pub fn invoice_search_url(mut self, url: impl Into<String>) -> Self {
        self.invoice_search_url = Some(url.into());
        self
    }

    /// Overrides the widget script URL.
    pub fn widget_script_url(mut self, url: impl Into<String>) -> Self {
        self.widget_script_url = Some(url.into());
        self
    }

    /// Overrides the scope of payment and service tokens.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Overrides the scope of the password-grant token (default `api`).
    pub fn invoice_scope(mut self, scope: impl Into<String>) -> Self {
        self.invoice_scope = scope.into();
        self
    }

    /// Overrides the scope of the transfer token (default `transfer`).
    pub fn transfer_scope(mut self, scope: impl Into<String>) -> Self {
        self.transfer_scope = scope.into();
        self
    }

    /// The dedicated key of the derived `secret_hash` (no default; never the
    /// client secret). See [`crate::signature`].
    pub fn callback_key(mut self, key: impl Into<String>) -> Self {
        self.callback_key = Some(Secret::new(key.into()));
        self
    }

    /// Overrides the scope of payout (OCT) tokens (default `transfer`, as the
    /// official SDK; ePay's withdrawal page shows the long payment scope).
    pub fn payout_scope(mut self, scope: impl Into<String>) -> Self {
        self.payout_scope = scope.into();
        self
    }

    /// Overrides the scope of the legacy operation lookup token.
    pub fn operation_scope(mut self, scope: impl Into<String>) -> Self {
        self.operation_scope = scope.into();
        self
    }

    /// The terminal of P2P and AFT transfers, when it is not the payment terminal.
    pub fn transfer_terminal_id(mut self, id: impl Into<String>) -> Self {
        self.transfer_terminal_id = Some(id.into());
        self
    }

    /// The terminal of payouts (OCT), registered with ePay with the corporate card.
    pub fn payout_terminal_id(mut self, id: impl Into<String>) -> Self {
        self.payout_terminal_id = Some(id.into());
        self
    }

    /// Overrides the full URL of host-to-host payments (ePay's pages show
    /// `/api/payment/cryptopay` on production, its SDK `/payment/cryptopay`).
    pub fn cryptopay_url(mut self, url: impl Into<String>) -> Self {
        self.cryptopay_url = Some(url.into());
        self
    }

    /// Overrides the QR generation path \[U\] (default `/payment/qr/generate`).
    pub fn qr_generate_path(mut self, path: impl Into<String>) -> Self {
        self.qr_generate_path = path.into();
        self
    }

    /// Overrides the QR status path \[U\] (default `/qr`).
    pub fn qr_status_path(mut self, path: impl Into<String>) -> Self {
        self.qr_status_path = path.into();
        self
    }

    /// ePay error codes that mean "this operation id was already used" \[U\]:
    /// no public document names one, so none is assumed (HTTP 409 always counts).
    pub fn duplicate_operation_codes(mut self, codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.duplicate_codes = codes.into_iter().map(Into::into).collect();
        self
    }

    /// The lifetime assumed for a token answer without `expires_in` (default 900 s).
    pub fn default_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_token_lifetime = lifetime;
        self
    }

    /// Default `postLink` of payments.
    pub fn post_link(mut self, url: impl Into<String>) -> Self {
        self.post_link = Some(url.into());
        self
    }

    /// Default `failurePostLink` of payments.
    pub fn failure_post_link(mut self, url: impl Into<String>) -> Self {
        self.failure_post_link = Some(url.into());
        self
    }

    /// Default `backLink` of payments.
    pub fn back_link(mut self, url: impl Into<String>) -> Self {
        self.back_link = Some(url.into());
        self
    }

    /// Default `failureBackLink` of payments.
    pub fn failure_back_link(mut self, url: impl Into<String>) -> Self {
        self.failure_back_link = Some(url.into());
        self
    }

    /// The SDK-wide name of [`EpayConfigBuilder::back_link`].
    pub fn success_url(self, url: impl Into<String>) -> Self {
        self.back_link(url)
    }

    /// The SDK-wide name of [`EpayConfigBuilder::failure_back_link`].
    pub fn failure_url(self, url: impl Into<String>) -> Self {
        self.failure_back_link(url)
    }

    /// The SDK-wide name of the callback URL: sets both `postLink` and
    /// `failurePostLink` (ePay posts failures to the second).
    pub fn callback_url(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.post_link(url.clone()).failure_post_link(url)
    }

    /// Default interface language (default `rus`).
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Checks and builds the configuration.
    pub fn build(self) -> Result<EpayConfig> {
        if self.client_id.trim().is_empty() {
            return Err(Error::config("client_id is empty"));
        }
        if self.client_secret.is_empty() {
            return Err(Error::config("client_secret is empty"));
        }
        if self.terminal_id.trim().is_empty() {
            return Err(Error::config("terminal_id is empty"));
        }
        if self.callback_key.as_ref().is_some_and(Secret::is_empty) {
            return Err(Error::config("callback_key is empty"));
        }
        let env = self.environment;
        let oauth_url = check_url(
            "oauth_url",
            self.oauth_url.unwrap_or_else(|| env.oauth_url().to_owned()),
        )?;
        let api_url = check_url("api_url", self.api_url.unwrap_or_else(|| env.api_url().to_owned()))?;
        let api_url = api_url.trim_end_matches('/').to_owned();
        let widget_script_url = check_url(
            "widget_script_url",
            self.widget_script_url
                .unwrap_or_else(|| env.widget_script_url().to_owned()),
        )?;
        let cryptopay_url = check_url(
            "cryptopay_url",
            self.cryptopay_url
                .unwrap_or_else(|| format!("{api_url}{DEFAULT_CRYPTOPAY_PATH}")),
        )?;
        for (name, path) in [
            ("qr_generate_path", &self.qr_generate_path),
            ("qr_status_path", &self.qr_status_path),
        ] {
            if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
                return Err(Error::config(format!("{name} must be a path starting with '/'")));
            }
        }
        if self.default_token_lifetime.is_zero() {
            return Err(Error::config("default_token_lifetime must be positive"));
        }
        let invoice_search_url = self
            .invoice_search_url
            .map(|u| check_url("invoice_search_url", u))
            .transpose()?;
        for (name, value) in [
            ("post_link", &self.post_link),
            ("failure_post_link", &self.failure_post_link),
            ("back_link", &self.back_link),
            ("failure_back_link", &self.failure_back_link),
        ] {
            if let Some(v) = value {
                check_url(name, v.clone())?;
            }
        }
        Ok(EpayConfig {
            client_id: self.client_id,
            client_secret: self.client_secret,
            terminal_id: self.terminal_id,
            shop_id: self.shop_id,
            username: self.username,
            password: self.password,
            environment: env,
            oauth_url,
            api_url,
            invoice_search_url,
            widget_script_url,
            scope: self.scope,
            invoice_scope: self.invoice_scope,
            transfer_scope: self.transfer_scope,
            payout_scope: self.payout_scope,
            operation_scope: self.operation_scope,
            transfer_terminal_id: self.transfer_terminal_id,
            payout_terminal_id: self.payout_terminal_id,
            cryptopay_url,
            qr_generate_path: self.qr_generate_path,
            qr_status_path: self.qr_status_path,
            duplicate_codes: self.duplicate_codes,
            default_token_lifetime: self.default_token_lifetime,
            callback_key: self.callback_key,
            post_link: self.post_link,
            failure_post_link: self.failure_post_link,
            back_link: self.back_link,
            failure_back_link: self.failure_back_link,
            language: self.language,
        })
    }
}

fn check_url(name: &str, value: String) -> Result<String> {
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(value),
        Ok(_) => Err(Error::config(format!("{name} must be an http or https URL"))),
        // The parse error names the problem, never the URL (which may carry credentials).
        Err(e) => Err(Error::config(format!("{name} is not a valid URL: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn from_lookup_reads_every_variable() {
        let cfg = EpayConfig::from_lookup(lookup(&[
            ("EPAY_CLIENT_ID", "test"),
            ("EPAY_CLIENT_SECRET", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"),
            ("EPAY_TERMINAL_ID", "67e34d63-102f-4bd1-898e-370781d0074d"),
            ("EPAY_SHOP_ID", "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4"),
            ("EPAY_USERNAME", "halykfinanceUSD@halykbank.nb"),
            ("EPAY_PASSWORD", "XVp36qar"),
            ("EPAY_ENV", "prod"),
            ("EPAY_API_URL", "http://127.0.0.1:9/epay/api/"),
            ("EPAY_INVOICE_SEARCH_URL", "http://127.0.0.1:9/epay/api/invoice/search"),
        ]))
        .unwrap();
        assert_eq!(cfg.environment(), Environment::Production);
        assert_eq!(cfg.oauth_url(), "https://epay-oauth.homebank.kz/oauth2/token");
        assert_eq!(cfg.api_url(), "http://127.0.0.1:9/epay/api");
        assert_eq!(
            cfg.widget_script_url(),
            "https://epay.homebank.kz/payform/payment-api.js"
        );
        assert_eq!(cfg.shop_id(), Some("04f25a4b-d2bd-4dd8-b3a7-9390be4774c4"));
        assert_eq!(cfg.username.as_deref(), Some("halykfinanceUSD@halykbank.nb"));
        assert_eq!(
            cfg.invoice_search_url(),
            Some("http://127.0.0.1:9/epay/api/invoice/search")
        );
        let aliases = EpayConfig::builder("a", "b", "c")
            .success_url("https://shop.example/ok")
            .failure_url("https://shop.example/ko")
            .callback_url("https://shop.example/epay/post")
            .build()
            .unwrap();
        assert_eq!(aliases.back_link.as_deref(), Some("https://shop.example/ok"));
        assert_eq!(aliases.failure_back_link.as_deref(), Some("https://shop.example/ko"));
        assert_eq!(aliases.post_link.as_deref(), Some("https://shop.example/epay/post"));
        assert_eq!(
            aliases.failure_post_link.as_deref(),
            Some("https://shop.example/epay/post")
        );
        // Never the client secret: no callback key unless one is configured.
        assert!(cfg.callback_key().is_none());
        let debug = format!("{cfg:?}{cfg:#?}");
        assert!(!debug.contains("yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"), "{debug}");
        assert!(!debug.contains("XVp36qar"), "{debug}");
    }

    #[test]
    fn every_missing_or_invalid_variable_is_named_in_one_error() {
        let err = EpayConfig::from_lookup(lookup(&[
            ("EPAY_CLIENT_ID", "x"),
            ("EPAY_ENV", "staging"),
            ("EPAY_PASSWORD", "p"),
            ("EPAY_OAUTH_URL", "ftp://oauth.test/token"),
            ("EPAY_API_URL", "not a url"),
        ]))
        .unwrap_err()
        .to_string();
        for name in [
            "EPAY_CLIENT_SECRET",
            "EPAY_TERMINAL_ID",
            "EPAY_ENV",
            "EPAY_USERNAME",
            "EPAY_OAUTH_URL",
            "EPAY_API_URL",
        ] {
            assert!(err.contains(name), "{name} missing from {err}");
        }
        assert!(!err.contains("EPAY_CLIENT_ID"), "{err}");
    }

    #[test]
    fn from_lookup_errors_name_the_variable() {
        let err = EpayConfig::from_lookup(lookup(&[("EPAY_CLIENT_ID", "x")])).unwrap_err();
        assert!(err.to_string().contains("EPAY_CLIENT_SECRET"), "{err}");
        assert!(err.to_string().contains("EPAY_TERMINAL_ID"), "{err}");
        let err = EpayConfig::from_lookup(lookup(&[("EPAY_ENV", "staging"), ("EPAY_USERNAME", "u")])).unwrap_err();
        for name in [
            "EPAY_CLIENT_ID",
            "EPAY_CLIENT_SECRET",
            "EPAY_TERMINAL_ID",
            "EPAY_ENV",
            "EPAY_PASSWORD",
        ] {
            assert!(err.to_string().contains(name), "{name}: {err}");
        }
        let err = EpayConfig::from_lookup(lookup(&[
            ("EPAY_CLIENT_ID", "x"),
            ("EPAY_CLIENT_SECRET", "y"),
            ("EPAY_TERMINAL_ID", "z"),
            ("EPAY_ENV", "staging"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("EPAY_ENV"), "{err}");
        let err = EpayConfig::from_lookup(lookup(&[
            ("EPAY_CLIENT_ID", "x"),
            ("EPAY_CLIENT_SECRET", "y"),
            ("EPAY_TERMINAL_ID", "z"),
            ("EPAY_USERNAME", "u"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("EPAY_PASSWORD"), "{err}");
    }

    #[test]
    fn defaults_are_the_test_hosts_and_urls_are_checked() {
        let cfg = EpayConfig::builder("a", "b", "c").build().unwrap();
        assert_eq!(cfg.oauth_url(), "https://test-epay-oauth.epayment.kz/oauth2/token");
        assert_eq!(cfg.api_url(), "https://test-epay-api.epayment.kz");
        assert_eq!(
            cfg.cryptopay_url(),
            "https://test-epay-api.epayment.kz/payment/cryptopay"
        );
        assert_eq!(cfg.default_token_lifetime(), DEFAULT_TOKEN_LIFETIME);
        assert_eq!(cfg.payout_terminal_id(), "c");
        let legacy = EpayConfig::builder("a", "b", "c")
            .environment(Environment::LegacyTest)
            .build()
            .unwrap();
        assert_eq!(legacy.oauth_url(), "https://testoauth.homebank.kz/epay2/oauth2/token");
        assert_eq!(legacy.api_url(), "https://testepay.homebank.kz/api");
        let legacy = EpayConfig::from_lookup(lookup(&[
            ("EPAY_CLIENT_ID", "x"),
            ("EPAY_CLIENT_SECRET", "y"),
            ("EPAY_TERMINAL_ID", "z"),
            ("EPAY_ENV", "test-legacy"),
            ("EPAY_TRANSFER_TERMINAL_ID", "p2p"),
        ]))
        .unwrap();
        assert_eq!(legacy.environment(), Environment::LegacyTest);
        assert_eq!(legacy.payout_terminal_id(), "p2p");
        assert!(EpayConfig::builder("a", "b", "c").qr_status_path("qr").build().is_err());
        assert_eq!(cfg.invoice_search_url(), None);
        assert!(EpayConfig::builder("a", "b", "c").api_url("ftp://x").build().is_err());
        assert!(
            EpayConfig::builder("a", "b", "c")
                .oauth_url("not a url")
                .build()
                .is_err()
        );
        assert!(EpayConfig::builder("a", "", "c").build().is_err());
        assert!(EpayConfig::builder("a", "b", " ").build().is_err());
        assert!(EpayConfig::builder("a", "b", "c").callback_key("").build().is_err());
        assert_eq!(
            EpayConfig::builder("a", "b", "c")
                .callback_key("k")
                .build()
                .unwrap()
                .callback_key()
                .map(|k| k.expose_secret().as_str()),
            Some("k")
        );
    }

    #[test]
    fn language_codes() {
        assert_eq!(Language::parse("kaz").unwrap(), Language::Kaz);
        assert_eq!(Language::Eng.as_str(), "eng");
        let err = Language::parse("ru").unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "language"));
    }
}
