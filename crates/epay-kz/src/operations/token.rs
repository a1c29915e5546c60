//! OAuth tokens: the per-payment token, the service token, the password-grant
//! token of invoice links and the transfer token.

use std::fmt;
use std::time::Duration;

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result, Secret};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// A token as ePay returns it. `Debug` shows no token.
#[derive(Clone)]
pub struct AccessToken {
    /// The bearer token.
    pub access_token: Secret<String>,
    /// Its lifetime (`expires_in`, sent as a string or a number).
    pub expires_in: Duration,
    /// The refresh token, when sent.
    pub refresh_token: Option<Secret<String>>,
    /// The granted scope.
    pub scope: Option<String>,
    /// The token type (`Bearer`).
    pub token_type: String,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &self.access_token)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

impl AccessToken {
    /// The token as the JSON object the widget takes in `auth` (the token
    /// response, with `expires_in` as a string of seconds as in ePay's samples).
    /// It carries the token in clear: hand it to the customer's page only.
    pub fn to_auth_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("access_token".into(), self.access_token.expose_secret().clone().into());
        map.insert("expires_in".into(), self.expires_in.as_secs().to_string().into());
        if let Some(r) = &self.refresh_token {
            map.insert("refresh_token".into(), r.expose_secret().clone().into());
        }
        if let Some(s) = &self.scope {
            map.insert("scope".into(), s.clone().into());
        }
        map.insert("token_type".into(), self.token_type.clone().into());
        serde_json::Value::Object(map)
    }
}

/// A payment token request: scoped to one invoice and amount, never cached.
#[derive(Clone)]
#[non_exhaustive]
pub struct PaymentTokenRequest {
    /// The merchant's invoice id (6 to 15 digits).
    pub invoice_id: String,
    /// The amount of the payment.
    pub amount: Money,
    /// The per-payment secret ePay echoes to postLink
    /// (see [`crate::signature::derive_secret_hash`]).
    pub secret_hash: Secret<String>,
    /// Where ePay posts the result of a successful payment.
    pub post_link: Option<String>,
    /// Where ePay posts the result of a failed payment.
    pub failure_post_link: Option<String>,
}

impl fmt::Debug for PaymentTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentTokenRequest")
            .field("invoice_id", &self.invoice_id)
            .field("amount", &self.amount)
            .field("secret_hash", &"[REDACTED]")
            .field("post_link", &self.post_link)
            .field("failure_post_link", &self.failure_post_link)
            .finish()
    }
}

impl PaymentTokenRequest {
    /// A token request for `invoice_id` and `amount` with an explicit `secret_hash`.
    pub fn new(invoice_id: impl Into<String>, amount: Money, secret_hash: Secret<String>) -> Self {
        PaymentTokenRequest {
            invoice_id: invoice_id.into(),
            amount,
            secret_hash,
            post_link: None,
            failure_post_link: None,
        }
    }

    /// A token request whose `secret_hash` is derived from the configuration's
    /// callback key (see [`crate::signature`]).
    pub fn derived(config: &EpayConfig, invoice_id: impl Into<String>, amount: Money) -> Result<Self> {
        let invoice_id = invoice_id.into();
        let secret_hash = crate::signature::derive_secret_hash(config.callback_key(), &invoice_id)?;
        let mut req = PaymentTokenRequest::new(invoice_id, amount, secret_hash);
        req.post_link = config.post_link.clone();
        req.failure_post_link = config.failure_post_link.clone();
        Ok(req)
    }

    /// Sets `postLink`.
    pub fn post_link(mut self, url: impl Into<String>) -> Self {
        self.post_link = Some(url.into());
        self
    }

    /// Sets `failurePostLink`.
    pub fn failure_post_link(mut self, url: impl Into<String>) -> Self {
        self.failure_post_link = Some(url.into());
        self
    }
}

/// Builds the payment token request (`client_credentials` scoped to one invoice).
pub fn build_payment_token(config: &EpayConfig, req: &PaymentTokenRequest) -> Result<HttpRequest> {
    validate::invoice_id("invoice_id", &req.invoice_id)?;
    wire::check_amount("amount", req.amount, true)?;
    if req.secret_hash.is_empty() {
        return Err(Error::invalid_input("secret_hash", "is required"));
    }
    validate::opt_url("post_link", req.post_link.as_deref())?;
    validate::opt_url("failure_post_link", req.failure_post_link.as_deref())?;
    let amount = wire::format_amount(req.amount);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("scope", &config.scope),
        ("client_id", &config.client_id),
        ("client_secret", config.client_secret.expose_secret()),
        ("invoiceID", &req.invoice_id),
        ("amount", &amount),
        ("currency", req.amount.currency().alpha_code()),
        ("terminal", &config.terminal_id),
        ("secret_hash", req.secret_hash.expose_secret()),
    ];
    if let Some(v) = &req.post_link {
        pairs.push(("postLink", v));
    }
    if let Some(v) = &req.failure_post_link {
        pairs.push(("failurePostLink", v));
    }
    Ok(HttpRequest::post_form(config.oauth_url.as_str(), &pairs))
}

/// Builds the service token request (status, charge, cancel, refund).
pub fn build_service_token(config: &EpayConfig) -> Result<HttpRequest> {
    Ok(HttpRequest::post_form(
        config.oauth_url.as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("scope", config.scope.as_str()),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret().as_str()),
            ("terminal", config.terminal_id.as_str()),
        ],
    ))
}

/// Builds the transfer token request (scope `transfer` by default).
pub fn build_transfer_token(config: &EpayConfig) -> Result<HttpRequest> {
    Ok(HttpRequest::post_form(
        config.oauth_url.as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("scope", config.transfer_scope.as_str()),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret().as_str()),
            ("terminal", config.terminal_id.as_str()),
        ],
    ))
}

/// Builds the password-grant token request of invoice links (needs
/// [`crate::EpayConfigBuilder::credentials`]).
pub fn build_password_token(config: &EpayConfig) -> Result<HttpRequest> {
    let (Some(username), Some(password)) = (&config.username, &config.password) else {
        return Err(Error::config(
            "invoice links need a username and password (EPAY_USERNAME, EPAY_PASSWORD)",
        ));
    };
    Ok(HttpRequest::post_form(
        config.oauth_url.as_str(),
        &[
            ("grant_type", "password"),
            ("username", username.as_str()),
            ("password", password.expose_secret().as_str()),
            ("scope", config.invoice_scope.as_str()),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret().as_str()),
        ],
    ))
}

#[derive(Deserialize)]
struct TokenWire {
    access_token: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    expires_in: Option<Box<RawValue>>,
    refresh_token: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    scope: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    token_type: Option<String>,
}

/// Parses a token response. Errors keep no excerpt of the body (it may hold a token).
pub fn parse_token(resp: &HttpResponse) -> Result<AccessToken> {
    if !resp.is_success() {
        return Err(crate::error::token_error(resp));
    }
    let wire: TokenWire = serde_json::from_slice(&resp.body)
        .map_err(|e| Error::unreadable_redacted(PROVIDER, resp.status, format!("token response: {e}"), None))?;
    let access_token = wire.access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        Error::unreadable_redacted(PROVIDER, resp.status, "token response without access_token", None)
    })?;
    let expires_in = match wire.expires_in.as_deref().and_then(wire::raw_text) {
        None => Duration::ZERO,
        Some(text) => text.trim().parse::<u64>().map(Duration::from_secs).map_err(|_| {
            Error::unreadable_redacted(
                PROVIDER,
                resp.status,
                format!("expires_in is not a whole number of seconds: {text:?}"),
                None,
            )
        })?,
    };
    Ok(AccessToken {
        access_token: Secret::new(access_token),
        expires_in,
        refresh_token: wire.refresh_token.filter(|t| !t.is_empty()).map(Secret::new),
        scope: wire.scope,
        token_type: wire.token_type.unwrap_or_else(|| "Bearer".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::Currency;

    fn config() -> EpayConfig {
        EpayConfig::builder(
            "halykfinanceUSD",
            "U01gQZVL##lJ$NhJ",
            "d9d7978c-d6ee-4ec0-8cda-165251a4bf16",
        )
        .credentials("halykfinanceUSD@halykbank.nb", "XVp36qar")
        .build()
        .unwrap()
    }

    #[test]
    fn the_seed_token_response_parses_with_a_string_expires_in() {
        // The seed's sample, without its stray closing brace.
        let body = r#"{
  "access_token": "IRPNGDU-PBYMXBCXTC5AMG",
  "expires_in": "900",
  "refresh_token": "O8EGZOGOVVAQGUAADC_WBG",
  "scope": "webapi usermanagement email_send verification statement statistics payment",
  "token_type": "Bearer"}"#;
        let t = parse_token(&HttpResponse::new(200, body)).unwrap();
        assert_eq!(t.access_token.expose_secret(), "IRPNGDU-PBYMXBCXTC5AMG");
        assert_eq!(t.expires_in, Duration::from_secs(900));
        assert_eq!(t.refresh_token.unwrap().expose_secret(), "O8EGZOGOVVAQGUAADC_WBG");
        assert_eq!(t.token_type, "Bearer");
        let t = parse_token(&HttpResponse::new(200, r#"{"access_token":"A","expires_in":7200}"#)).unwrap();
        assert_eq!(t.expires_in, Duration::from_secs(7200));
    }

    #[test]
    fn token_errors_hide_the_body() {
        let err = parse_token(&HttpResponse::new(
            200,
            r#"{"access_token":"LEAK","expires_in":"soon"}"#,
        ))
        .unwrap_err();
        assert!(!format!("{err:?}{err}").contains("LEAK"), "{err:?}");
        let err = parse_token(&HttpResponse::new(200, r#"{"access_token":"LEAK""#)).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }));
        assert!(!format!("{err:?}{err}").contains("LEAK"));
        let err = parse_token(&HttpResponse::new(200, r#"{"expires_in":"900"}"#)).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }));
        let err = parse_token(&HttpResponse::new(400, r#"{"error":"invalid_grant"}"#)).unwrap_err();
        assert_eq!(err.provider_code(), Some("invalid_grant"));
    }

    #[test]
    fn password_grant_body_matches_the_seed() {
        let req = build_password_token(&config()).unwrap();
        assert_eq!(req.url, "https://testoauth.homebank.kz/epay2/oauth2/token");
        assert_eq!(
            std::str::from_utf8(&req.body).unwrap(),
            "grant_type=password&username=halykfinanceUSD%40halykbank.nb&password=XVp36qar&scope=api\
             &client_id=halykfinanceUSD&client_secret=U01gQZVL%23%23lJ%24NhJ"
        );
        let no_creds = EpayConfig::builder("a", "b", "c").build().unwrap();
        assert!(matches!(build_password_token(&no_creds), Err(Error::Config { .. })));
    }

    #[test]
    fn payment_token_body_is_exact() {
        let req = PaymentTokenRequest::new(
            "000001234567",
            Money::from_minor(15050, Currency::KZT),
            Secret::from("hash-1"),
        )
        .post_link("https://shop.example/epay/post")
        .failure_post_link("https://shop.example/epay/fail");
        let http = build_payment_token(&config(), &req).unwrap();
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment\
             &client_id=halykfinanceUSD&client_secret=U01gQZVL%23%23lJ%24NhJ&invoiceID=000001234567&amount=150.50\
             &currency=KZT&terminal=d9d7978c-d6ee-4ec0-8cda-165251a4bf16&secret_hash=hash-1\
             &postLink=https%3A%2F%2Fshop.example%2Fepay%2Fpost&failurePostLink=https%3A%2F%2Fshop.example%2Fepay%2Ffail"
        );
        assert!(!format!("{req:?}").contains("hash-1"));
        let bad = PaymentTokenRequest::new("12a", Money::from_minor(100, Currency::KZT), Secret::from("h"));
        assert!(
            matches!(build_payment_token(&config(), &bad), Err(Error::InvalidInput { field, .. }) if field == "invoice_id")
        );
        let zero = PaymentTokenRequest::new("123456", Money::from_minor(0, Currency::KZT), Secret::from("h"));
        assert!(
            matches!(build_payment_token(&config(), &zero), Err(Error::InvalidInput { field, .. }) if field == "amount")
        );
        let nohash = PaymentTokenRequest::new("123456", Money::from_minor(10, Currency::KZT), Secret::from(""));
        assert!(
            matches!(build_payment_token(&config(), &nohash), Err(Error::InvalidInput { field, .. }) if field == "secret_hash")
        );
    }

    #[test]
    fn service_token_body_is_exact() {
        let req = build_service_token(&config()).unwrap();
        assert_eq!(
            std::str::from_utf8(&req.body).unwrap(),
            "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment\
             &client_id=halykfinanceUSD&client_secret=U01gQZVL%23%23lJ%24NhJ&terminal=d9d7978c-d6ee-4ec0-8cda-165251a4bf16"
        );
    }
}
