//! [`AzericardConfig`]: terminal, merchant details, the two hosts and the
//! three keys (merchant private key, gateway public key, MT transfer secret).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use payments_core::clock::{SharedClock, system_clock};
use payments_core::{Currency, Error, Result, Secret};

use crate::keys::{GatewayPublicKey, MerchantKey};
use crate::language::Language;
use crate::signature::FollowUpSigningOrder;
use crate::validate;
use payments_core::store::{MemoryOnceStore, SharedOnceStore};

/// Which AzeriCard hosts to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://testmpi.3dsecure.az` and `https://testmt.azericard.com`.
    Test,
    /// `https://mpi.3dsecure.az` and `https://mt.azericard.com`.
    Production,
}

impl Environment {
    /// The MPI (e-Commerce Gateway) base URL.
    pub const fn mpi_base_url(self) -> &'static str {
        match self {
            Environment::Test => "https://testmpi.3dsecure.az",
            Environment::Production => "https://mpi.3dsecure.az",
        }
    }

    /// The MT (card transfer) base URL.
    pub const fn mt_base_url(self) -> &'static str {
        match self {
            Environment::Test => "https://testmt.azericard.com",
            Environment::Production => "https://mt.azericard.com",
        }
    }

    /// Parses `test` or `prod`/`production` (any case). Anything else is a
    /// configuration error, never a silent fallback to the test hosts.
    pub fn parse(text: &str) -> Result<Environment> {
        match text.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Environment::Test),
            "prod" | "production" => Ok(Environment::Production),
            _ => Err(Error::config(format!(
                "AZERICARD_ENV must be `test` or `prod`, not {:?}",
                text.chars().take(32).collect::<String>()
            ))),
        }
    }
}

/// How `CURRENCY` is written in MPI requests. Most clients send the alpha
/// code (`AZN`); some deployments are configured for the numeric code (`944`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CurrencyFormat {
    /// ISO 4217 alpha code, `AZN` (the default; the spec's vectors use it).
    #[default]
    Alpha,
    /// ISO 4217 numeric code, `944`.
    Numeric,
}

impl CurrencyFormat {
    /// The currency as this format writes it.
    pub fn format(self, currency: Currency) -> String {
        match self {
            CurrencyFormat::Alpha => currency.alpha_code().to_owned(),
            CurrencyFormat::Numeric => currency.numeric_code_str(),
        }
    }
}

/// MPI paths appended to the MPI base URL.
pub(crate) const CGI_LINK_PATH: &str = "/cgi-bin/cgi_link";
pub(crate) const TOKEN_CGI_LINK_PATH: &str = "/token/cgi_link";
/// MT paths appended to the MT base URL.
pub(crate) const MT_START_PATH: &str = "/payment/view";
pub(crate) const MT_CONFIRM_PATH: &str = "/api/confirm";
pub(crate) const MT_DECLINE_PATH: &str = "/api/decline";

/// The AzeriCard configuration. Cheap to clone; `Debug` shows no key.
///
/// The MPI gateway (RSA P_SIGN, merchant private key; callbacks verified with
/// AzeriCard's public key) and the MT transfer system (MD5 with a shared
/// secret) are separate systems with separate hosts and keys; each key is
/// needed only by the operations that use it.
#[derive(Clone)]
pub struct AzericardConfig {
    pub(crate) terminal: String,
    pub(crate) mpi_base_url: String,
    pub(crate) mt_base_url: String,
    pub(crate) merchant_key: Option<MerchantKey>,
    pub(crate) gateway_keys: Vec<GatewayPublicKey>,
    pub(crate) transfer_secret: Option<Arc<Secret<String>>>,
    pub(crate) transfer_merchant: Option<String>,
    pub(crate) merchant_name: Option<String>,
    pub(crate) merchant_url: Option<String>,
    pub(crate) merchant_email: Option<String>,
    pub(crate) callback_url: Option<String>,
    pub(crate) language: Language,
    pub(crate) country: Option<String>,
    pub(crate) merchant_gmt: Option<String>,
    pub(crate) currency_format: CurrencyFormat,
    pub(crate) follow_up_order: FollowUpSigningOrder,
    pub(crate) callback_max_age: Duration,
    pub(crate) transfer_callback_max_age: Duration,
    pub(crate) replay_retention: Duration,
    pub(crate) replay_store: SharedOnceStore,
    pub(crate) custom_replay_store: bool,
    pub(crate) clock: SharedClock,
}

impl AzericardConfig {
    /// A builder for the terminal id the bank assigned (`TERMINAL`, 8 characters).
    pub fn builder(terminal: impl Into<String>) -> AzericardConfigBuilder {
        AzericardConfigBuilder::new(terminal.into())
    }

    /// Reads the configuration from the process environment; see
    /// [`AzericardConfig::from_lookup`] for the variables.
    pub fn from_env() -> Result<AzericardConfig> {
        AzericardConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (a variable name to its value).
    ///
    /// | variable | setting |
    /// |---|---|
    /// | `AZERICARD_MERCHANT_ID` (required) | terminal id |
    /// | `AZERICARD_ENV` | `test` (default when unset) or `prod`; anything else is an error |
    /// | `AZERICARD_KEY_FILE_PATH` | merchant RSA private key, PEM file |
    /// | `AZERICARD_GATEWAY_PUBLIC_KEY_PATH` | AzeriCard's public key(s) for callbacks: PEM file(s), several separated by `,` during a key rotation |
    /// | `AZERICARD_GATEWAY_KEY_LEGACY_1024` | `true` to accept a 1024-bit gateway key (legacy; see [`GatewayPublicKey::from_pem_legacy`]) |
    /// | `AZERICARD_FOLLOW_UP_ORDER` | `sources` (default) or `integrify`: the signing order of 21/22/24 ([`FollowUpSigningOrder`]) |
    /// | `AZERICARD_TRANSFER_KEY` | MT transfer secret |
    /// | `AZERICARD_TRANSFER_MERCHANT` | MT `Merchant` name |
    /// | `AZERICARD_MERCHANT_NAME` / `_URL` / `_EMAIL` | MERCH_NAME, MERCH_URL, EMAIL |
    /// | `AZERICARD_CALLBACK_URL` | BACKREF |
    /// | `AZERICARD_INTERFACE_LANG` | LANG (default `az`) |
    /// | `AZERICARD_MPI_URL`, `AZERICARD_MT_URL` | host overrides |
    /// | `AZERICARD_CURRENCY_FORMAT` | `alpha` (default) or `numeric` |
    ///
    /// Every problem found (a missing terminal id, an unreadable key, a bad
    /// value) is reported at once, in one [`Error::Config`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<AzericardConfig> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut problems: Vec<String> = Vec::new();
        let mut note = |r: Result<()>| {
            if let Err(e) = r {
                problems.push(config_message(&e));
            }
        };
        let terminal = get("AZERICARD_MERCHANT_ID");
        if terminal.is_none() {
            note(Err(Error::config("AZERICARD_MERCHANT_ID (terminal id) is not set")));
        }
        let mut b = AzericardConfig::builder(terminal.unwrap_or_default());
        if let Some(env) = get("AZERICARD_ENV") {
            match Environment::parse(&env) {
                Ok(e) => b = b.environment(e),
                Err(e) => note(Err(e)),
            }
        }
        if let Some(path) = get("AZERICARD_KEY_FILE_PATH") {
            match MerchantKey::from_pem_file(path) {
                Ok(k) => b = b.merchant_key(k),
                Err(e) => note(Err(Error::config(format!(
                    "AZERICARD_KEY_FILE_PATH: {}",
                    config_message(&e)
                )))),
            }
        }
        let legacy = get("AZERICARD_GATEWAY_KEY_LEGACY_1024").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if let Some(paths) = get("AZERICARD_GATEWAY_PUBLIC_KEY_PATH") {
            for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let loaded = if legacy {
                    GatewayPublicKey::from_pem_file_legacy(path)
                } else {
                    GatewayPublicKey::from_pem_file(path)
                };
                match loaded {
                    Ok(k) => b = b.gateway_public_key(k),
                    Err(e) => note(Err(Error::config(format!(
                        "AZERICARD_GATEWAY_PUBLIC_KEY_PATH: {}",
                        config_message(&e)
                    )))),
                }
            }
        }
        if let Some(v) = get("AZERICARD_FOLLOW_UP_ORDER") {
            match FollowUpSigningOrder::parse(&v) {
                Ok(o) => b = b.follow_up_signing_order(o),
                Err(e) => note(Err(e)),
            }
        }
        if let Some(secret) = get("AZERICARD_TRANSFER_KEY") {
            b = b.transfer_secret(secret);
        }
        if let Some(v) = get("AZERICARD_TRANSFER_MERCHANT") {
            b = b.transfer_merchant(v);
        }
        if let Some(v) = get("AZERICARD_MERCHANT_NAME") {
            b = b.merchant_name(v);
        }
        if let Some(v) = get("AZERICARD_MERCHANT_URL") {
            b = b.merchant_url(v);
        }
        if let Some(v) = get("AZERICARD_MERCHANT_EMAIL") {
            b = b.merchant_email(v);
        }
        if let Some(v) = get("AZERICARD_CALLBACK_URL") {
            b = b.callback_url(v);
        }
        if let Some(v) = get("AZERICARD_INTERFACE_LANG") {
            b = b.language(v);
        }
        if let Some(v) = get("AZERICARD_MPI_URL") {
            b = b.mpi_base_url(v);
        }
        if let Some(v) = get("AZERICARD_MT_URL") {
            b = b.mt_base_url(v);
        }
        if let Some(v) = get("AZERICARD_CURRENCY_FORMAT") {
            match v.trim().to_ascii_lowercase().as_str() {
                "alpha" => b = b.currency_format(CurrencyFormat::Alpha),
                "numeric" => b = b.currency_format(CurrencyFormat::Numeric),
                _ => note(Err(Error::config(
                    "AZERICARD_CURRENCY_FORMAT must be `alpha` or `numeric`",
                ))),
            }
        }
        match b.build() {
            Ok(c) if problems.is_empty() => Ok(c),
            Ok(_) => Err(joined(problems)),
            Err(e) => {
                // The builder's own list; a terminal left empty above is already named.
                if !(terminal_missing(&problems) && config_message(&e).starts_with("terminal")) {
                    problems.push(config_message(&e));
                }
                Err(joined(problems))
            }
        }
    }

    /// MERCH_NAME, MERCH_URL and BACKREF, which every browser form needs;
    /// every missing one is named at once. `callback_url` may come from the
    /// request instead of the configuration.
    pub(crate) fn require_form_settings<'a>(
        &'a self,
        callback_url: Option<&'a str>,
    ) -> Result<(&'a str, &'a str, &'a str)> {
        let key = self.require_merchant_key().err();
        match (
            self.merchant_name.as_deref(),
            self.merchant_url.as_deref(),
            callback_url.or(self.callback_url.as_deref()),
            key,
        ) {
            (Some(name), Some(url), Some(back), None) => Ok((name, url, back)),
            (name, url, back, key) => {
                let mut missing = Vec::new();
                if key.is_some() {
                    missing.push("merchant_key (AZERICARD_KEY_FILE_PATH)");
                }
                if name.is_none() {
                    missing.push("merchant_name (AZERICARD_MERCHANT_NAME)");
                }
                if url.is_none() {
                    missing.push("merchant_url (AZERICARD_MERCHANT_URL)");
                }
                if back.is_none() {
                    missing.push("callback_url (AZERICARD_CALLBACK_URL)");
                }
                Err(Error::config(format!(
                    "missing for a payment form: {}",
                    missing.join(", ")
                )))
            }
        }
    }

    /// Sets the clock; the default replay store follows it.
    pub(crate) fn set_clock(&mut self, clock: SharedClock) {
        if !self.custom_replay_store {
            self.replay_store = Arc::new(MemoryOnceStore::new().with_clock(clock.clone()));
        }
        self.clock = clock;
    }

    /// The signing order of completion and reversal.
    pub fn follow_up_signing_order(&self) -> FollowUpSigningOrder {
        self.follow_up_order
    }

    /// How old (or how far in the future) a transfer callback's Timestamp may be.
    pub fn transfer_callback_max_age(&self) -> Duration {
        self.transfer_callback_max_age
    }

    /// The terminal id.
    pub fn terminal(&self) -> &str {
        &self.terminal
    }

    /// The MPI base URL in use.
    pub fn mpi_base_url(&self) -> &str {
        &self.mpi_base_url
    }

    /// The MT base URL in use.
    pub fn mt_base_url(&self) -> &str {
        &self.mt_base_url
    }

    /// The URL of the MPI's `cgi_link` (authorization, completion, reversal, status).
    pub fn cgi_link_url(&self) -> String {
        format!("{}{CGI_LINK_PATH}", self.mpi_base_url)
    }

    /// The URL of the MPI's token `cgi_link` (card-token flows).
    pub fn token_cgi_link_url(&self) -> String {
        format!("{}{TOKEN_CGI_LINK_PATH}", self.mpi_base_url)
    }

    /// How long an authorization callback stays acceptable after its TIMESTAMP.
    pub fn callback_max_age(&self) -> Duration {
        self.callback_max_age
    }

    pub(crate) fn require_merchant_key(&self) -> Result<&MerchantKey> {
        self.merchant_key.as_ref().ok_or_else(|| {
            Error::config("the merchant private key is required for MPI requests (AZERICARD_KEY_FILE_PATH)")
        })
    }

    pub(crate) fn require_gateway_keys(&self) -> Result<&[GatewayPublicKey]> {
        if self.gateway_keys.is_empty() {
            return Err(Error::config(
                "gateway_public_key (AZERICARD_GATEWAY_PUBLIC_KEY_PATH): AzeriCard's public key is required to verify callbacks",
            ));
        }
        Ok(&self.gateway_keys)
    }

    pub(crate) fn require_transfer(&self) -> Result<(&str, &str)> {
        let secret = self.transfer_secret.as_ref().ok_or_else(|| {
            Error::config("the MT transfer secret is required for transfers (AZERICARD_TRANSFER_KEY)")
        })?;
        let merchant = self.transfer_merchant.as_deref().ok_or_else(|| {
            Error::config("the MT merchant name is required for transfers (AZERICARD_TRANSFER_MERCHANT)")
        })?;
        Ok((merchant, secret.expose_secret()))
    }

    pub(crate) fn require_transfer_secret(&self) -> Result<&str> {
        self.transfer_secret
            .as_ref()
            .map(|s| s.expose_secret().as_str())
            .ok_or_else(|| Error::config("the MT transfer secret is required for transfers (AZERICARD_TRANSFER_KEY)"))
    }
}

impl fmt::Debug for AzericardConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzericardConfig")
            .field("terminal", &self.terminal)
            .field("mpi_base_url", &self.mpi_base_url)
            .field("mt_base_url", &self.mt_base_url)
            .field("merchant_key", &self.merchant_key)
            .field("gateway_keys", &self.gateway_keys)
            .field("transfer_secret", &self.transfer_secret.as_ref().map(|_| "[REDACTED]"))
            .field("transfer_merchant", &self.transfer_merchant)
            .field("merchant_name", &self.merchant_name)
            .field("merchant_url", &self.merchant_url)
            .field("callback_url", &self.callback_url)
            .field("language", &self.language)
            .field("currency_format", &self.currency_format)
            .field("follow_up_order", &self.follow_up_order)
            .field("callback_max_age", &self.callback_max_age)
            .field("transfer_callback_max_age", &self.transfer_callback_max_age)
            .finish_non_exhaustive()
    }
}

/// Builder for [`AzericardConfig`]; [`AzericardConfigBuilder::build`] validates.
#[derive(Debug)]
pub struct AzericardConfigBuilder {
    config: AzericardConfig,
    mpi_override: Option<String>,
    mt_override: Option<String>,
    environment: Environment,
}

impl AzericardConfigBuilder {
    fn new(terminal: String) -> Self {
        AzericardConfigBuilder {
            config: AzericardConfig {
                terminal,
                mpi_base_url: String::new(),
                mt_base_url: String::new(),
                merchant_key: None,
                gateway_keys: Vec::new(),
                transfer_secret: None,
                transfer_merchant: None,
                merchant_name: None,
                merchant_url: None,
                merchant_email: None,
                callback_url: None,
                language: Language::Az,
                country: None,
                merchant_gmt: None,
                currency_format: CurrencyFormat::Alpha,
                follow_up_order: FollowUpSigningOrder::Sources,
                callback_max_age: Duration::from_secs(3600),
                transfer_callback_max_age: Duration::from_secs(6 * 3600),
                replay_retention: Duration::from_secs(24 * 3600),
                replay_store: Arc::new(MemoryOnceStore::new()),
                custom_replay_store: false,
                clock: system_clock(),
            },
            mpi_override: None,
            mt_override: None,
            environment: Environment::Test,
        }
    }

    /// Test (default) or production hosts.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Overrides the MPI base URL (scheme, host and optional path prefix, for
    /// example `http://127.0.0.1:8080/azericard`); paths are appended to it.
    pub fn mpi_base_url(mut self, url: impl Into<String>) -> Self {
        self.mpi_override = Some(url.into());
        self
    }

    /// Overrides the MT base URL; paths are appended to it.
    pub fn mt_base_url(mut self, url: impl Into<String>) -> Self {
        self.mt_override = Some(url.into());
        self
    }

    /// The merchant's RSA private key (signs P_SIGN).
    pub fn merchant_key(mut self, key: MerchantKey) -> Self {
        self.config.merchant_key = Some(key);
        self
    }

    /// Adds one of AzeriCard's public keys (verifies callbacks). Never the
    /// merchant's own key. Call it again to configure several keys at once
    /// during a rotation: a callback verifies when any of them accepts it.
    pub fn gateway_public_key(mut self, key: GatewayPublicKey) -> Self {
        self.config.gateway_keys.push(key);
        self
    }

    /// The signing order of completion and reversal (21/22/24); the default
    /// is [`FollowUpSigningOrder::Sources`].
    pub fn follow_up_signing_order(mut self, order: FollowUpSigningOrder) -> Self {
        self.config.follow_up_order = order;
        self
    }

    /// How old (or how far in the future) a transfer callback's `Timestamp`
    /// may be (default 6 hours: the MT does not say which time zone it
    /// writes, and Baku time is UTC+4). Replays inside the window are caught
    /// by the signed `OperationID`.
    pub fn transfer_callback_max_age(mut self, age: Duration) -> Self {
        self.config.transfer_callback_max_age = age;
        self
    }

    /// The MT transfer secret (MD5 key).
    pub fn transfer_secret(mut self, secret: impl Into<Secret<String>>) -> Self {
        self.config.transfer_secret = Some(Arc::new(secret.into()));
        self
    }

    /// The MT `Merchant` value (company name, 1-16 characters).
    pub fn transfer_merchant(mut self, name: impl Into<String>) -> Self {
        self.config.transfer_merchant = Some(name.into());
        self
    }

    /// MERCH_NAME: the merchant name as the cardholder knows it (1-50).
    pub fn merchant_name(mut self, name: impl Into<String>) -> Self {
        self.config.merchant_name = Some(name.into());
        self
    }

    /// MERCH_URL: the merchant's web site (1-250, signed).
    pub fn merchant_url(mut self, url: impl Into<String>) -> Self {
        self.config.merchant_url = Some(url.into());
        self
    }

    /// EMAIL: the merchant's notification address (up to 80).
    pub fn merchant_email(mut self, email: impl Into<String>) -> Self {
        self.config.merchant_email = Some(email.into());
        self
    }

    /// BACKREF: where the gateway posts the result (1-250).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.config.callback_url = Some(url.into());
        self
    }

    /// LANG: the payment page's language (default [`Language::Az`]).
    pub fn language(mut self, lang: impl Into<Language>) -> Self {
        self.config.language = lang.into();
        self
    }

    /// COUNTRY: the merchant's country (2 letters) when it differs from the gateway's.
    pub fn country(mut self, country: impl Into<String>) -> Self {
        self.config.country = Some(country.into());
        self
    }

    /// MERCH_GMT: the merchant's UTC offset (for example `+4`) when it differs.
    pub fn merchant_gmt(mut self, offset: impl Into<String>) -> Self {
        self.config.merchant_gmt = Some(offset.into());
        self
    }

    /// How CURRENCY is written (alpha by default).
    pub fn currency_format(mut self, format: CurrencyFormat) -> Self {
        self.config.currency_format = format;
        self
    }

    /// How old a callback's TIMESTAMP may be (default one hour); also the
    /// tolerated clock skew into the future.
    pub fn callback_max_age(mut self, age: Duration) -> Self {
        self.config.callback_max_age = age;
        self
    }

    /// How long an accepted callback's signed key is remembered (default 24
    /// hours; at least the callback windows).
    pub fn replay_retention(mut self, keep: Duration) -> Self {
        self.config.replay_retention = keep;
        self
    }

    /// The replay store of accepted callback keys: core's in-memory,
    /// age-evicting [`MemoryOnceStore`] by default; a shared store (Redis)
    /// when several processes receive callbacks.
    pub fn replay_store(mut self, store: SharedOnceStore) -> Self {
        self.config.replay_store = store;
        self.config.custom_replay_store = true;
        self
    }

    /// The clock used for TIMESTAMP, callback freshness and the default
    /// replay store (system clock by default).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.config.set_clock(clock);
        self
    }

    /// Validates and builds the configuration. Every problem is reported at
    /// once, each naming its setting.
    pub fn build(self) -> Result<AzericardConfig> {
        let mut c = self.config;
        let mut problems: Vec<String> = Vec::new();
        let mut check = |r: Result<()>| {
            if let Err(e) = r {
                problems.push(config_message(&e));
            }
        };
        if c.terminal.len() != 8 || !c.terminal.bytes().all(|b| b.is_ascii_alphanumeric()) {
            check(Err(Error::config(
                "terminal (AZERICARD_MERCHANT_ID) must be 8 ASCII letters or digits",
            )));
        }
        match base_url(
            self.mpi_override,
            self.environment.mpi_base_url(),
            "mpi_base_url (AZERICARD_MPI_URL)",
        ) {
            Ok(u) => c.mpi_base_url = u,
            Err(e) => check(Err(e)),
        }
        match base_url(
            self.mt_override,
            self.environment.mt_base_url(),
            "mt_base_url (AZERICARD_MT_URL)",
        ) {
            Ok(u) => c.mt_base_url = u,
            Err(e) => check(Err(e)),
        }
        if let Some(v) = &c.merchant_name {
            check(validate::text("merchant_name", v, 1, 50));
        }
        if let Some(v) = &c.merchant_url {
            check(validate::signed_ascii("merchant_url", v, 1, 250));
        }
        if let Some(v) = &c.merchant_email {
            check(validate::text("merchant_email", v, 1, 80));
        }
        if let Some(v) = &c.callback_url {
            check(validate::text("callback_url", v, 1, 250));
        }
        check(validate::language(c.language.code()));
        if let Some(v) = &c.country
            && (v.len() != 2 || !v.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            check(Err(Error::config("country must be 2 letters")));
        }
        if let Some(v) = &c.merchant_gmt {
            check(validate::text("merchant_gmt", v, 1, 5));
        }
        if let Some(v) = &c.transfer_merchant {
            check(validate::text("transfer_merchant", v, 1, 16));
        }
        if c.transfer_secret.as_ref().is_some_and(|s| s.is_empty()) {
            check(Err(Error::config("transfer_secret (AZERICARD_TRANSFER_KEY) is empty")));
        }
        if problems.is_empty() {
            Ok(c)
        } else {
            Err(joined(problems))
        }
    }
}

/// The text of a problem for a combined configuration error: a config
/// error's message, or an invalid-input error's field and reason.
fn config_message(e: &Error) -> String {
    match e {
        Error::Config { message, .. } => message.clone(),
        Error::InvalidInput { field, reason } => format!("{field} {reason}"),
        other => other.to_string(),
    }
}

fn terminal_missing(problems: &[String]) -> bool {
    problems.iter().any(|p| p.starts_with("AZERICARD_MERCHANT_ID"))
}

/// One problem: its full message. Several: each setting named with the
/// first words of its problem, so that all fit in one bounded error text.
fn joined(problems: Vec<String>) -> Error {
    if let [one] = problems.as_slice() {
        return Error::config(one.clone());
    }
    let short: Vec<String> = problems
        .iter()
        .map(|p| p.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    Error::config(format!("{} problems: {}", short.len(), short.join("; ")))
}

fn base_url(overridden: Option<String>, default: &str, what: &str) -> Result<String> {
    let url = overridden.unwrap_or_else(|| default.to_owned());
    let url = url.trim().trim_end_matches('/').to_owned();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Error::config(format!("{what} must start with http:// or https://")))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(Error::config(format!(
            "{what} must be a base URL without query or fragment"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn env_selects_hosts_and_rejects_unknown_env() {
        let c = AzericardConfig::from_lookup(env(&[("AZERICARD_MERCHANT_ID", "17201234")])).unwrap();
        assert_eq!(c.cgi_link_url(), "https://testmpi.3dsecure.az/cgi-bin/cgi_link");
        assert_eq!(c.mt_base_url(), "https://testmt.azericard.com");
        let c = AzericardConfig::from_lookup(env(&[("AZERICARD_MERCHANT_ID", "17201234"), ("AZERICARD_ENV", "prod")]))
            .unwrap();
        assert_eq!(c.token_cgi_link_url(), "https://mpi.3dsecure.az/token/cgi_link");
        assert_eq!(c.mt_base_url(), "https://mt.azericard.com");
        let err = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_MERCHANT_ID", "17201234"),
            ("AZERICARD_ENV", "staging"),
        ]))
        .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err}");
        assert!(AzericardConfig::from_lookup(env(&[])).is_err());
    }

    #[test]
    fn env_reads_keys_and_overrides() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let c = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_MERCHANT_ID", "17201234"),
            (
                "AZERICARD_KEY_FILE_PATH",
                &format!("{dir}/tests/data/azericard-test-key.pem"),
            ),
            (
                "AZERICARD_GATEWAY_PUBLIC_KEY_PATH",
                &format!("{dir}/tests/data/azericard-test-key.pub.pem"),
            ),
            ("AZERICARD_TRANSFER_KEY", "transfer-secret"),
            ("AZERICARD_TRANSFER_MERCHANT", "TESTSHOP"),
            ("AZERICARD_MPI_URL", "http://127.0.0.1:9/azericard/"),
            ("AZERICARD_MT_URL", "http://127.0.0.1:9/azericard-mt"),
            ("AZERICARD_CURRENCY_FORMAT", "numeric"),
            ("AZERICARD_INTERFACE_LANG", "en"),
        ]))
        .unwrap();
        assert_eq!(c.cgi_link_url(), "http://127.0.0.1:9/azericard/cgi-bin/cgi_link");
        assert_eq!(c.mt_base_url(), "http://127.0.0.1:9/azericard-mt");
        assert_eq!(c.currency_format, CurrencyFormat::Numeric);
        assert!(c.require_merchant_key().is_ok() && c.require_gateway_keys().is_ok());
        assert_eq!(c.require_transfer().unwrap(), ("TESTSHOP", "transfer-secret"));
        let debug = format!("{c:?}");
        assert!(!debug.contains("transfer-secret"), "{debug}");
    }

    #[test]
    fn builder_validates() {
        assert!(AzericardConfig::builder("1234").build().is_err());
        assert!(
            AzericardConfig::builder("17201234")
                .mpi_base_url("ftp://x")
                .build()
                .is_err()
        );
        assert!(AzericardConfig::builder("17201234").language("aze").build().is_err());
        assert!(
            AzericardConfig::builder("17201234")
                .merchant_name("x".repeat(51))
                .build()
                .is_err()
        );
        assert!(
            AzericardConfig::builder("17201234")
                .transfer_secret("")
                .build()
                .is_err()
        );
        let c = AzericardConfig::builder("17201234").build().unwrap();
        assert!(matches!(c.require_merchant_key(), Err(Error::Config { .. })));
        assert!(matches!(c.require_gateway_keys(), Err(Error::Config { .. })));
        assert!(matches!(c.require_transfer(), Err(Error::Config { .. })));
    }

    #[test]
    fn every_problem_is_listed_at_once_naming_the_real_setting() {
        let err = AzericardConfig::builder("1234")
            .mpi_base_url("ftp://x")
            .merchant_name("x".repeat(51))
            .language("aze")
            .transfer_secret("")
            .build()
            .unwrap_err()
            .to_string();
        for named in [
            "terminal",
            "mpi_base_url",
            "merchant_name",
            "language",
            "transfer_secret",
        ] {
            assert!(err.contains(named), "{named} missing from {err}");
        }
        let err = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_ENV", "staging"),
            ("AZERICARD_FOLLOW_UP_ORDER", "other"),
            ("AZERICARD_KEY_FILE_PATH", "/nonexistent/key.pem"),
            ("AZERICARD_GATEWAY_PUBLIC_KEY_PATH", "/nonexistent/gateway.pem"),
            ("AZERICARD_CURRENCY_FORMAT", "roman"),
        ]))
        .unwrap_err()
        .to_string();
        for named in [
            "AZERICARD_MERCHANT_ID",
            "AZERICARD_ENV",
            "AZERICARD_FOLLOW_UP_ORDER",
            "AZERICARD_KEY_FILE_PATH",
            "AZERICARD_GATEWAY_PUBLIC_KEY_PATH",
            "AZERICARD_CURRENCY_FORMAT",
        ] {
            assert!(err.contains(named), "{named} missing from {err}");
        }
        // A form needs MERCH_NAME, MERCH_URL and BACKREF: all missing ones are named.
        let c = AzericardConfig::builder("17201234").build().unwrap();
        let err = c.require_form_settings(None).unwrap_err().to_string();
        for named in ["merchant_key", "merchant_name", "merchant_url", "callback_url"] {
            assert!(err.contains(named), "{named} missing from {err}");
        }
        assert!(!err.contains("description"), "{err}");
    }

    #[test]
    fn several_gateway_key_paths_load_for_a_rotation() {
        let dir = env!("CARGO_MANIFEST_DIR");
        let paths = format!("{dir}/tests/data/azericard-test-key.pub.pem, {dir}/tests/data/azericard-test-key.pub.pem");
        let c = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_MERCHANT_ID", "17201234"),
            ("AZERICARD_GATEWAY_PUBLIC_KEY_PATH", &paths),
        ]))
        .unwrap();
        assert_eq!(c.require_gateway_keys().unwrap().len(), 2);
        let legacy = format!("{dir}/tests/data/legacy-1024.pub.pem");
        let refused = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_MERCHANT_ID", "17201234"),
            ("AZERICARD_GATEWAY_PUBLIC_KEY_PATH", &legacy),
        ]));
        assert!(refused.unwrap_err().to_string().contains("legacy"));
        let accepted = AzericardConfig::from_lookup(env(&[
            ("AZERICARD_MERCHANT_ID", "17201234"),
            ("AZERICARD_GATEWAY_PUBLIC_KEY_PATH", &legacy),
            ("AZERICARD_GATEWAY_KEY_LEGACY_1024", "true"),
        ]))
        .unwrap();
        assert!(accepted.require_gateway_keys().unwrap()[0].is_legacy());
    }
}
