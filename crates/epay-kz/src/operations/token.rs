//! OAuth tokens: the per-payment token, the service token, the password-grant
//! token of invoice links and the transfer token.

use std::fmt;
use std::time::Duration;

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, Result, Secret};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::wire;
use crate::{PROVIDER, validate};

/// A token as ePay returns it. `Debug` shows no token.
#[derive(Clone)]
pub struct AccessToken {
    /// The bearer token.
    pub access_token: Secret<String>,
    /// Its lifetime (`expires_in`, sent as a string or a number); `None` when
    /// the answer has none (an unknown lifetime, not a zero one).
    pub expires_in: Option<Duration>,
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
    /// response, with `expires_in` as a string of seconds as in ePay's samples,
    /// left out when the answer had none).
    /// It carries the token in clear: hand it to the customer's page only.
    pub fn to_auth_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("access_token".into(), self.access_token.expose_secret().clone().into());
        if let Some(e) = self.expires_in {
            map.insert("expires_in".into(), e.as_secs().to_string().into());
        }
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

/// A token request scoped to one invoice (payment, card verification,
/// transfer, payout, QR, host-to-host): never cached, one per operation as
/// ePay's pages require.
#[derive(Clone)]
#[non_exhaustive]
pub struct PaymentTokenRequest {
    /// The merchant's invoice (or transfer order) id, 6 to 15 digits.
    pub invoice_id: String,
    /// The amount of the operation. Zero only for card verification (USD).
    pub amount: Money,
    /// The per-payment secret ePay echoes to postLink (see [`crate::signature`]).
    /// Payments always carry one. A token request of scope `transfer` (P2P,
    /// AFT, payouts with the default payout scope) without one still sends
    /// one: [`build_payment_token`] fills it in (see [`transfer_secret_hash`]),
    /// since ePay's token table lists `secret_hash` for P2P by API and P2P to
    /// the form.
    pub secret_hash: Option<Secret<String>>,
    /// Where ePay posts the result of a successful payment.
    pub post_link: Option<String>,
    /// Where ePay posts the result of a failed payment.
    pub failure_post_link: Option<String>,
    /// The terminal, when not the configuration's payment terminal.
    pub terminal: Option<String>,
    /// The scope, when not the configuration's payment scope.
    pub scope: Option<String>,
    card_verification: bool,
}

impl fmt::Debug for PaymentTokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentTokenRequest")
            .field("invoice_id", &self.invoice_id)
            .field("amount", &self.amount)
            .field("secret_hash", &self.secret_hash.as_ref().map(|_| "[REDACTED]"))
            .field("post_link", &self.post_link)
            .field("failure_post_link", &self.failure_post_link)
            .field("terminal", &self.terminal)
            .field("scope", &self.scope)
            .field("card_verification", &self.card_verification)
            .finish()
    }
}

impl PaymentTokenRequest {
    /// A token request for `invoice_id` and `amount` with an explicit `secret_hash`.
    pub fn new(invoice_id: impl Into<String>, amount: Money, secret_hash: Secret<String>) -> Self {
        PaymentTokenRequest {
            invoice_id: invoice_id.into(),
            amount,
            secret_hash: Some(secret_hash),
            post_link: None,
            failure_post_link: None,
            terminal: None,
            scope: None,
            card_verification: false,
        }
    }

    /// A token request without a caller-chosen `secret_hash` (transfers and
    /// payouts). With scope `transfer` one is still sent:
    /// [`build_payment_token`] fills in [`transfer_secret_hash`].
    pub fn without_hash(invoice_id: impl Into<String>, amount: Money) -> Self {
        PaymentTokenRequest {
            secret_hash: None,
            ..PaymentTokenRequest::new(invoice_id, amount, Secret::from(""))
        }
    }

    /// The token of ePay's card-verification flow, which saves a card without
    /// paying: amount 0 in USD (the only place a zero amount is accepted).
    /// ePay's English page calls `postLink` required here.
    pub fn card_verification(invoice_id: impl Into<String>, secret_hash: Secret<String>) -> Self {
        PaymentTokenRequest {
            card_verification: true,
            ..PaymentTokenRequest::new(invoice_id, Money::from_minor(0, Currency::USD), secret_hash)
        }
    }

    /// A token request whose `secret_hash` is derived from the configured
    /// callback key (see [`crate::signature`]); a configuration error without one.
    pub fn derived(config: &EpayConfig, invoice_id: impl Into<String>, amount: Money) -> Result<Self> {
        let invoice_id = invoice_id.into();
        let secret_hash = crate::signature::derive_secret_hash(config.require_callback_key()?, &invoice_id)?;
        let mut req = PaymentTokenRequest::new(invoice_id, amount, secret_hash);
        req.post_link = config.post_link.clone();
        req.failure_post_link = config.failure_post_link.clone();
        Ok(req)
    }

    /// True for the card-verification token.
    pub fn is_card_verification(&self) -> bool {
        self.card_verification
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

    /// Sets the terminal.
    pub fn terminal(mut self, terminal: impl Into<String>) -> Self {
        self.terminal = Some(terminal.into());
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

/// Checks an operation amount: positive, except the card-verification zero in USD.
pub(crate) fn check_operation_amount(amount: Money, card_verification: bool) -> Result<()> {
    if card_verification {
        if amount.currency() != Currency::USD || amount.minor() != 0 {
            return Err(Error::invalid_input(
                "amount",
                "card verification is amount 0 in USD, nothing else",
            ));
        }
        return Ok(());
    }
    wire::check_amount("amount", amount, true)
}

/// True when `scope` (space-separated, as ePay writes scopes) names the
/// `transfer` scope.
pub fn is_transfer_scope(scope: &str) -> bool {
    scope.split_whitespace().any(|s| s == "transfer")
}

/// The `secret_hash` sent in a `transfer`-scope token request whose caller
/// gave none. ePay's token table lists `secret_hash` in the P2P-by-API and
/// P2P-form token requests, so it is never left out there:
///
/// - with a configured callback key, the derived hash of the order id
///   ([`crate::signature::derive_secret_hash`]), so a postLink of the
///   transfer verifies like a payment's
///   ([`crate::EpayClient::verify_post_link`]);
/// - without one, a fresh random hash ([`crate::signature::new_secret_hash`])
///   the caller never sees: such a postLink cannot be authenticated, so
///   trust only [`crate::EpayClient::transfer_status`]. Set
///   [`crate::TransferRequest::secret_hash`] to keep your own.
pub fn transfer_secret_hash(config: &EpayConfig, invoice_id: &str) -> Result<Secret<String>> {
    match config.callback_key() {
        Some(key) => crate::signature::derive_secret_hash(key, invoice_id),
        None => Ok(crate::signature::new_secret_hash()),
    }
}

/// Builds the invoice-scoped token request (`client_credentials` with
/// `invoiceID`, `amount`, `currency`, `terminal`, `secret_hash`). A request
/// of scope `transfer` without a `secret_hash` gets
/// [`transfer_secret_hash`]: every transfer token request carries one.
pub fn build_payment_token(config: &EpayConfig, req: &PaymentTokenRequest) -> Result<HttpRequest> {
    validate::invoice_id("invoice_id", &req.invoice_id)?;
    check_operation_amount(req.amount, req.card_verification)?;
    if req.secret_hash.as_ref().is_some_and(Secret::is_empty) {
        return Err(Error::invalid_input("secret_hash", "is empty"));
    }
    validate::opt_url("post_link", req.post_link.as_deref())?;
    validate::opt_url("failure_post_link", req.failure_post_link.as_deref())?;
    if let Some(t) = &req.terminal {
        validate::required("terminal", t)?;
    }
    let amount = wire::format_amount(req.amount);
    let scope = req.scope.as_deref().unwrap_or(&config.scope);
    let generated = match &req.secret_hash {
        None if is_transfer_scope(scope) => Some(transfer_secret_hash(config, &req.invoice_id)?),
        _ => None,
    };
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("scope", scope),
        ("client_id", &config.client_id),
        ("client_secret", config.client_secret.expose_secret()),
        ("invoiceID", &req.invoice_id),
        ("amount", &amount),
        ("currency", req.amount.currency().alpha_code()),
        ("terminal", req.terminal.as_deref().unwrap_or(&config.terminal_id)),
    ];
    if let Some(h) = req.secret_hash.as_ref().or(generated.as_ref()) {
        pairs.push(("secret_hash", h.expose_secret()));
    }
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
    build_client_token(config, &config.scope, Some(&config.terminal_id))
}

/// Builds a `client_credentials` token request without invoice fields:
/// `scope`, the credentials and, when given, `terminal`. With scope
/// `transfer` (ePay's P2P redirect-to-form token) it also carries a fresh
/// random `secret_hash`, which ePay's token table lists there: with no
/// invoice to derive one from, use [`PaymentTokenRequest`] for a transfer
/// whose postLinks you verify.
pub fn build_client_token(config: &EpayConfig, scope: &str, terminal: Option<&str>) -> Result<HttpRequest> {
    let generated = is_transfer_scope(scope).then(crate::signature::new_secret_hash);
    let mut pairs: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("scope", scope),
        ("client_id", &config.client_id),
        ("client_secret", config.client_secret.expose_secret()),
    ];
    if let Some(t) = terminal {
        pairs.push(("terminal", t));
    }
    if let Some(h) = &generated {
        pairs.push(("secret_hash", h.expose_secret()));
    }
    Ok(HttpRequest::post_form(config.oauth_url.as_str(), &pairs))
}

/// Builds the password-grant token request of invoice links (needs
/// [`crate::EpayConfigBuilder::credentials`]).
pub fn build_password_token(config: &EpayConfig) -> Result<HttpRequest> {
    build_password_token_scoped(config, &config.invoice_scope)
}

/// Builds a password-grant token request with `scope` (`transfer` for the
/// transfer list).
pub fn build_password_token_scoped(config: &EpayConfig, scope: &str) -> Result<HttpRequest> {
    let (Some(username), Some(password)) = (&config.username, &config.password) else {
        return Err(Error::config(
            "this call needs the password grant: set a username and password (EPAY_USERNAME, EPAY_PASSWORD)",
        ));
    };
    Ok(HttpRequest::post_form(
        config.oauth_url.as_str(),
        &[
            ("grant_type", "password"),
            ("username", username.as_str()),
            ("password", password.expose_secret().as_str()),
            ("scope", scope),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret().as_str()),
        ],
    ))
}

/// Every field as raw JSON: reading a raw value never fails on a wrong type,
/// so no serde message (which would quote the value, possibly the token) is
/// produced for a token answer of the wrong shape.
#[derive(Deserialize)]
struct TokenWire<'a> {
    #[serde(default, borrow)]
    access_token: Option<&'a RawValue>,
    #[serde(default, borrow)]
    expires_in: Option<&'a RawValue>,
    #[serde(default, borrow)]
    refresh_token: Option<&'a RawValue>,
    #[serde(default, borrow)]
    scope: Option<&'a RawValue>,
    #[serde(default, borrow)]
    token_type: Option<&'a RawValue>,
}

/// A JSON string's content; anything else is `Err(())`. Never quotes the value.
fn json_string(raw: &RawValue) -> std::result::Result<String, ()> {
    if !raw.get().starts_with('"') {
        return Err(());
    }
    serde_json::from_str::<String>(raw.get()).map_err(|_| ())
}

/// Parses a token response. Errors keep no excerpt of the body and never
/// quote a value of it (it may hold a token).
pub fn parse_token(resp: &HttpResponse) -> Result<AccessToken> {
    if !resp.is_success() {
        return Err(crate::error::token_error(resp));
    }
    let unreadable = |reason: String| Error::unreadable_redacted(PROVIDER, resp.status, reason, None);
    if resp.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(unreadable("token response is not a JSON object".to_owned()));
    }
    let wire: TokenWire<'_> = serde_json::from_slice(&resp.body).map_err(|e| {
        // Category and position only: serde's own text may quote the body.
        unreadable(format!(
            "token response is not valid JSON ({:?} at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let access_token = wire
        .access_token
        .map(json_string)
        .transpose()
        .map_err(|()| unreadable("access_token is not a string".to_owned()))?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unreadable("token response without access_token".to_owned()))?;
    let refresh_token = wire
        .refresh_token
        .filter(|r| r.get() != "null")
        .map(json_string)
        .transpose()
        .map_err(|()| unreadable("refresh_token is not a string".to_owned()))?
        .filter(|t| !t.is_empty());
    let expires_text = wire
        .expires_in
        .map(payments_core::json::scalar_text)
        .transpose()
        .map_err(|_| unreadable("expires_in is not a number or a string".to_owned()))?
        .flatten();
    let expires_in = match expires_text {
        None => None,
        Some(text) if text.trim().is_empty() => None,
        Some(text) => Some(
            text.trim()
                .parse::<u64>()
                .map(Duration::from_secs)
                .map_err(|_| unreadable("expires_in is not a whole number of seconds".to_owned()))?,
        ),
    };
    let text = |raw: Option<&RawValue>| raw.and_then(wire::raw_str).map(|s| s.trim().to_owned());
    Ok(AccessToken {
        access_token: Secret::new(access_token),
        expires_in,
        refresh_token: refresh_token.map(Secret::new),
        scope: text(wire.scope),
        token_type: text(wire.token_type).unwrap_or_else(|| "Bearer".to_owned()),
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
        assert_eq!(t.expires_in, Some(Duration::from_secs(900)));
        assert_eq!(t.refresh_token.unwrap().expose_secret(), "O8EGZOGOVVAQGUAADC_WBG");
        assert_eq!(t.token_type, "Bearer");
        let t = parse_token(&HttpResponse::new(200, r#"{"access_token":"A","expires_in":7200}"#)).unwrap();
        assert_eq!(t.expires_in, Some(Duration::from_secs(7200)));
        // No expires_in is an unknown lifetime, not a zero one.
        let t = parse_token(&HttpResponse::new(200, r#"{"access_token":"A"}"#)).unwrap();
        assert_eq!(t.expires_in, None);
        assert!(t.to_auth_json().get("expires_in").is_none());
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
        // Wrong shapes: serde would quote the value ("invalid type: ... `LEAK`").
        for body in [
            r#"{"access_token":"LEAK","expires_in":{"LEAK":1}}"#,
            r#"{"access_token":"LEAK","refresh_token":12345678}"#,
            r#"{"access_token":12345678,"refresh_token":"LEAK"}"#,
            r#"{"access_token":["LEAK"]}"#,
            r#"["LEAK"]"#,
            r#"{"access_token":"LEAK","scope":"x",}"#,
        ] {
            let err = parse_token(&HttpResponse::new(200, body)).unwrap_err();
            assert!(matches!(err, Error::UnreadableResponse { .. }), "{body}");
            let text = format!("{err:?}{err}{:?}", std::error::Error::source(&err));
            assert!(!text.contains("LEAK") && !text.contains("12345678"), "{text}");
        }
        let err = parse_token(&HttpResponse::new(200, r#"{"expires_in":"900"}"#)).unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }));
        let err = parse_token(&HttpResponse::new(400, r#"{"error":"invalid_grant"}"#)).unwrap_err();
        assert_eq!(err.provider_code(), Some("invalid_grant"));
    }

    #[test]
    fn password_grant_body_matches_the_seed() {
        let req = build_password_token(&config()).unwrap();
        assert_eq!(req.url, "https://test-epay-oauth.epayment.kz/oauth2/token");
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
        // Zero is accepted exactly for card verification, in USD.
        let zero_usd = PaymentTokenRequest::new("123456", Money::from_minor(0, Currency::USD), Secret::from("h"));
        assert!(build_payment_token(&config(), &zero_usd).is_err());
        let verify = PaymentTokenRequest::card_verification("123456", Secret::from("h"))
            .post_link("https://shop.example/epay/post");
        assert_eq!(
            std::str::from_utf8(&build_payment_token(&config(), &verify).unwrap().body).unwrap(),
            "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment\
             &client_id=halykfinanceUSD&client_secret=U01gQZVL%23%23lJ%24NhJ&invoiceID=123456&amount=0\
             &currency=USD&terminal=d9d7978c-d6ee-4ec0-8cda-165251a4bf16&secret_hash=h\
             &postLink=https%3A%2F%2Fshop.example%2Fepay%2Fpost"
        );
        let mut tampered = verify.clone();
        tampered.amount = Money::from_minor(0, Currency::KZT);
        assert!(build_payment_token(&config(), &tampered).is_err());
        tampered.amount = Money::from_minor(100, Currency::USD);
        assert!(build_payment_token(&config(), &tampered).is_err());
        // A transfer token: its own terminal and scope, and a secret_hash
        // even without the caller's (ePay's token table lists it).
        let transfer = PaymentTokenRequest::without_hash("123456", Money::from_minor(500000, Currency::KZT))
            .terminal("40a348cb-68a3-45d5-9002-a4836d79c3b5")
            .scope("transfer");
        let prefix = "grant_type=client_credentials&scope=transfer&client_id=halykfinanceUSD\
                      &client_secret=U01gQZVL%23%23lJ%24NhJ&invoiceID=123456&amount=5000&currency=KZT\
                      &terminal=40a348cb-68a3-45d5-9002-a4836d79c3b5&secret_hash=";
        // No callback key: a fresh random 64-hex hash per request.
        let first = String::from_utf8(build_payment_token(&config(), &transfer).unwrap().body.to_vec()).unwrap();
        let second = String::from_utf8(build_payment_token(&config(), &transfer).unwrap().body.to_vec()).unwrap();
        for body in [&first, &second] {
            let hash = body.strip_prefix(prefix).unwrap_or_else(|| panic!("{body}"));
            assert_eq!(hash.len(), 64, "{body}");
            assert!(hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
        assert_ne!(first, second);
        // The generated hash stays out of Debug (the request shows no body).
        let http = build_payment_token(&config(), &transfer).unwrap();
        let body = String::from_utf8(http.body.to_vec()).unwrap();
        let hash = body.strip_prefix(prefix).unwrap();
        assert!(!format!("{http:?}").contains(hash));
        // With a callback key: the derived hash of the order id, exactly.
        let keyed = EpayConfig::builder(
            "halykfinanceUSD",
            "U01gQZVL##lJ$NhJ",
            "d9d7978c-d6ee-4ec0-8cda-165251a4bf16",
        )
        .callback_key("merchant-callback-key")
        .build()
        .unwrap();
        let derived = crate::signature::derive_secret_hash(&Secret::from("merchant-callback-key"), "123456").unwrap();
        assert_eq!(
            std::str::from_utf8(&build_payment_token(&keyed, &transfer).unwrap().body).unwrap(),
            format!("{prefix}{}", derived.expose_secret())
        );
        // The caller's own hash wins, and a space-separated scope naming
        // transfer counts as a transfer scope.
        let mut own = transfer.clone().scope("payment transfer");
        own.secret_hash = Some(Secret::from("caller-hash"));
        assert_eq!(
            std::str::from_utf8(&build_payment_token(&keyed, &own).unwrap().body).unwrap(),
            "grant_type=client_credentials&scope=payment+transfer&client_id=halykfinanceUSD\
             &client_secret=U01gQZVL%23%23lJ%24NhJ&invoiceID=123456&amount=5000&currency=KZT\
             &terminal=40a348cb-68a3-45d5-9002-a4836d79c3b5&secret_hash=caller-hash"
        );
        // Another scope without a hash sends none (e.g. a payout configured
        // with the long payment scope).
        let payment_scope = PaymentTokenRequest::without_hash("123456", Money::from_minor(500000, Currency::KZT))
            .scope("webapi payment");
        let body = build_payment_token(&keyed, &payment_scope).unwrap().body;
        assert!(!std::str::from_utf8(&body).unwrap().contains("secret_hash"));
        assert!(is_transfer_scope("transfer") && !is_transfer_scope("transfers") && !is_transfer_scope("payment"));
    }

    #[test]
    fn a_transfer_scope_client_token_carries_a_random_secret_hash() {
        let prefix = "grant_type=client_credentials&scope=transfer&client_id=halykfinanceUSD\
                      &client_secret=U01gQZVL%23%23lJ%24NhJ&terminal=40a348cb-68a3-45d5-9002-a4836d79c3b5&secret_hash=";
        let http = build_client_token(&config(), "transfer", Some("40a348cb-68a3-45d5-9002-a4836d79c3b5")).unwrap();
        let body = String::from_utf8(http.body.to_vec()).unwrap();
        let hash = body.strip_prefix(prefix).unwrap_or_else(|| panic!("{body}"));
        assert_eq!(hash.len(), 64);
        assert!(!format!("{http:?}").contains(hash));
        // Other scopes: no secret_hash.
        let other = build_client_token(&config(), "webapi payment", None).unwrap();
        assert_eq!(
            std::str::from_utf8(&other.body).unwrap(),
            "grant_type=client_credentials&scope=webapi+payment&client_id=halykfinanceUSD\
             &client_secret=U01gQZVL%23%23lJ%24NhJ"
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
