//! Authorization (TRTYPE 0 and 1) and the card-token flows: a signed form the
//! customer's browser POSTs to the gateway.

use payments_core::{Error, Money, PaymentOutcome, Result};
use time::OffsetDateTime;

use crate::config::AzericardConfig;
use crate::error::TrType;
use crate::language::Language;
use crate::signature::{AUTHORIZATION_FIELDS, mac_source_of_pairs, sign_mac};
use crate::validate;

/// Purchase (capture at once) or pre-authorization (hold the funds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthorizationKind {
    /// TRTYPE 1: authorization with capture.
    #[default]
    Purchase,
    /// TRTYPE 0: the funds are held until completion (21) or reversal.
    PreAuthorization,
}

impl AuthorizationKind {
    fn trtype(self) -> TrType {
        match self {
            AuthorizationKind::Purchase => TrType::Purchase,
            AuthorizationKind::PreAuthorization => TrType::PreAuthorization,
        }
    }
}

/// What the authorization does with card tokens.
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CardToken {
    /// A plain card payment on `/cgi-bin/cgi_link`.
    #[default]
    None,
    /// Authorize and save the card (`TOKEN_ACTION=REGISTER` on `/token/cgi_link`);
    /// the callback carries the new TOKEN and the masked CARD.
    Register,
    /// Pay with a saved card token (`TOKEN` on `/token/cgi_link`).
    Use(String),
}

impl std::fmt::Debug for CardToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CardToken::None => f.write_str("None"),
            CardToken::Register => f.write_str("Register"),
            // A saved-card token charges the card: keep it out of logs.
            CardToken::Use(_) => f.write_str("Use([REDACTED])"),
        }
    }
}

/// How a stored card is used or registered (`MERCH_TRAN_STATE` and the MIT
/// extras). From srustamov/laravel-azericard 4.x only \[U\]: AzeriCard's own
/// document for these flows was not retrievable. None of these fields is
/// signed: P_SIGN stays the authorization list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredCredential {
    /// §6.3: the cardholder pays with a stored card (`MERCH_TRAN_STATE=C`,
    /// with [`CardToken::Use`]).
    CardholderInitiated,
    /// §7.1: register the card for unscheduled merchant-initiated charges
    /// (`MERCH_TRAN_STATE=S`, `MIT_AGREEMENT=N`, `MERCH_RN_ID`).
    RegisterUnscheduled {
        /// MERCH_RN_ID; 8 fresh random bytes as hex when `None`.
        merchant_rn_id: Option<String>,
    },
    /// §7.3: register the card for scheduled recurring charges
    /// (`MERCH_TRAN_STATE=S`, `MIT_AGREEMENT=Y`, `RECUR_FREQ`, `RECUR_EXP`, `MERCH_RN_ID`).
    RegisterRecurring {
        /// RECUR_FREQ: the minimum number of days between two charges (1 to 99).
        frequency_days: u8,
        /// RECUR_EXP: the last day of the agreement.
        expires: time::Date,
        /// MERCH_RN_ID; 8 fresh random bytes as hex when `None`.
        merchant_rn_id: Option<String>,
    },
}

/// An authorization request. ORDER, AMOUNT and DESC are per payment; the
/// merchant fields come from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// ORDER: 6 to 32 digits, its last 6 unique per terminal per day.
    pub order: String,
    /// AMOUNT and CURRENCY.
    pub amount: Money,
    /// DESC: 1 to 50 characters.
    pub description: String,
    /// TRTYPE 1 or 0.
    pub kind: AuthorizationKind,
    /// Card-token flow, if any.
    pub token: CardToken,
    /// Stored-credential (MIT/recurring) extras, if any.
    pub stored_credential: Option<StoredCredential>,
    /// BACKREF for this payment, overriding the configured callback URL.
    pub callback_url: Option<String>,
    /// LANG for this payment, overriding the configured language.
    pub language: Option<Language>,
    /// NAME: the cardholder's name (2 to 45 characters), optional.
    pub cardholder_name: Option<String>,
    /// TIMESTAMP; the configured clock's time when `None`.
    pub timestamp: Option<OffsetDateTime>,
    /// NONCE (hex, 8 to 32 bytes); 16 fresh random bytes when `None`.
    pub nonce: Option<String>,
}

impl AuthorizationRequest {
    /// A purchase (TRTYPE 1).
    pub fn purchase(order: impl Into<String>, amount: Money, description: impl Into<String>) -> Self {
        AuthorizationRequest {
            order: order.into(),
            amount,
            description: description.into(),
            kind: AuthorizationKind::Purchase,
            token: CardToken::None,
            stored_credential: None,
            callback_url: None,
            language: None,
            cardholder_name: None,
            timestamp: None,
            nonce: None,
        }
    }

    /// A pre-authorization (TRTYPE 0).
    pub fn pre_authorization(order: impl Into<String>, amount: Money, description: impl Into<String>) -> Self {
        AuthorizationRequest {
            kind: AuthorizationKind::PreAuthorization,
            ..AuthorizationRequest::purchase(order, amount, description)
        }
    }

    /// §7.1: a purchase (TRTYPE 1) that registers the card for unscheduled
    /// merchant-initiated charges. The callback carries TOKEN, CARD and
    /// EXT_NET_REF (unsigned: confirm the callback before storing them).
    pub fn register_for_unscheduled_charges(
        order: impl Into<String>,
        amount: Money,
        description: impl Into<String>,
    ) -> Self {
        let mut request = AuthorizationRequest::purchase(order, amount, description).register_card();
        request.stored_credential = Some(StoredCredential::RegisterUnscheduled { merchant_rn_id: None });
        request
    }

    /// §7.3: a purchase (TRTYPE 1) that registers the card for scheduled
    /// recurring charges every `frequency_days` (1 to 99) until `expires`.
    pub fn register_for_recurring_charges(
        order: impl Into<String>,
        amount: Money,
        description: impl Into<String>,
        frequency_days: u8,
        expires: time::Date,
    ) -> Self {
        let mut request = AuthorizationRequest::purchase(order, amount, description).register_card();
        request.stored_credential = Some(StoredCredential::RegisterRecurring {
            frequency_days,
            expires,
            merchant_rn_id: None,
        });
        request
    }

    /// §6.3: marks a payment with a saved card as cardholder-initiated
    /// (`MERCH_TRAN_STATE=C`). Use with [`AuthorizationRequest::with_card_token`].
    pub fn cardholder_initiated(mut self) -> Self {
        self.stored_credential = Some(StoredCredential::CardholderInitiated);
        self
    }

    /// Fixes MERCH_RN_ID of a MIT or recurring registration (tests, or a
    /// merchant that keeps one per agreement).
    pub fn merchant_rn_id(mut self, id: impl Into<String>) -> Self {
        if let Some(
            StoredCredential::RegisterUnscheduled { merchant_rn_id }
            | StoredCredential::RegisterRecurring { merchant_rn_id, .. },
        ) = &mut self.stored_credential
        {
            *merchant_rn_id = Some(id.into());
        }
        self
    }

    /// Also saves the card (token endpoint, `TOKEN_ACTION=REGISTER`).
    pub fn register_card(mut self) -> Self {
        self.token = CardToken::Register;
        self
    }

    /// Pays with a saved card token (token endpoint).
    pub fn with_card_token(mut self, token: impl Into<String>) -> Self {
        self.token = CardToken::Use(token.into());
        self
    }

    /// Sets BACKREF for this payment.
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets LANG for this payment.
    pub fn language(mut self, lang: impl Into<Language>) -> Self {
        self.language = Some(lang.into());
        self
    }

    /// Sets NAME (the cardholder's name).
    pub fn cardholder_name(mut self, name: impl Into<String>) -> Self {
        self.cardholder_name = Some(name.into());
        self
    }

    /// Fixes TIMESTAMP (tests, replays of a stored form).
    pub fn timestamp(mut self, at: OffsetDateTime) -> Self {
        self.timestamp = Some(at);
        self
    }

    /// Fixes NONCE (tests).
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// A signed form for the customer's browser: POST `fields` to `url`.
///
/// `Debug` redacts a saved-card TOKEN.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationForm {
    /// The form's action: the gateway's `cgi_link` or token `cgi_link`.
    pub url: String,
    /// The fields in order, P_SIGN last.
    pub fields: Vec<(String, String)>,
}

impl std::fmt::Debug for AuthorizationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), if k == "TOKEN" { "[REDACTED]" } else { v.as_str() }))
            .collect();
        f.debug_struct("AuthorizationForm")
            .field("url", &self.url)
            .field("fields", &fields)
            .finish()
    }
}

impl AuthorizationForm {
    /// The value of a field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The core outcome: [`PaymentOutcome::RequiresFormPost`].
    ///
    /// A form that carries a saved-card TOKEN is refused: the core type's
    /// `Debug` prints every field, and a TOKEN charges the card. Render such
    /// a form with [`AuthorizationForm::to_html`] or its `fields` instead.
    pub fn into_outcome(self) -> Result<PaymentOutcome> {
        if self.field("TOKEN").is_some() {
            return Err(Error::invalid_input(
                "card_token",
                "a saved-card form is not turned into a PaymentOutcome (its Debug would print the TOKEN); use to_html()",
            ));
        }
        Ok(PaymentOutcome::RequiresFormPost {
            url: self.url,
            fields: self.fields,
        })
    }

    /// A minimal HTML page that POSTs the form on load (with a button for
    /// browsers without JavaScript). Every value is HTML-escaped.
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(1024 + self.fields.len() * 64);
        html.push_str("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>AzeriCard</title></head>\n");
        html.push_str("<body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"");
        escape_html_into(&self.url, &mut html);
        html.push_str("\">\n");
        for (name, value) in &self.fields {
            html.push_str("<input type=\"hidden\" name=\"");
            escape_html_into(name, &mut html);
            html.push_str("\" value=\"");
            escape_html_into(value, &mut html);
            html.push_str("\">\n");
        }
        html.push_str("<noscript><button type=\"submit\">Continue</button></noscript>\n</form>\n</body></html>\n");
        html
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape_html_into(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Builds the signed authorization form. Pure apart from drawing a fresh
/// NONCE and reading the clock when the request leaves them open.
pub fn build_authorization(config: &AzericardConfig, request: &AuthorizationRequest) -> Result<AuthorizationForm> {
    let key = config.require_merchant_key()?;
    validate::order(&request.order)?;
    let amount = validate::amount(request.amount)?;
    validate::text("description", &request.description, 1, 50)?;
    let extras = stored_credential_fields(request)?;
    if let Some(url) = &request.callback_url {
        validate::text("callback_url", url, 1, 250)?;
    }
    let (merchant_name, merchant_url, backref) = config.require_form_settings(request.callback_url.as_deref())?;
    let language = match &request.language {
        Some(lang) => {
            validate::language(lang.code())?;
            lang.code()
        }
        None => config.language.code(),
    };
    if let Some(name) = &request.cardholder_name {
        validate::text("cardholder_name", name, 2, 45)?;
    }
    let url = match &request.token {
        CardToken::None => config.cgi_link_url(),
        CardToken::Register => config.token_cgi_link_url(),
        CardToken::Use(token) => {
            if token.is_empty() || token.len() > 64 || !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::invalid_input(
                    "card_token",
                    "must be 1 to 64 printable ASCII characters",
                ));
            }
            config.token_cgi_link_url()
        }
    };
    let (timestamp, nonce) = validate::stamp(&config.clock, request.timestamp, request.nonce.as_deref())?;

    let mut fields: Vec<(String, String)> = Vec::with_capacity(20);
    let mut push = |k: &str, v: &str| fields.push((k.to_owned(), v.to_owned()));
    push("AMOUNT", &amount);
    push("CURRENCY", &config.currency_format.format(request.amount.currency()));
    push("ORDER", &request.order);
    push("DESC", &request.description);
    push("MERCH_NAME", merchant_name);
    push("MERCH_URL", merchant_url);
    push("TERMINAL", &config.terminal);
    if let Some(email) = &config.merchant_email {
        push("EMAIL", email);
    }
    push("TRTYPE", request.kind.trtype().code());
    if let Some(country) = &config.country {
        push("COUNTRY", country);
    }
    if let Some(gmt) = &config.merchant_gmt {
        push("MERCH_GMT", gmt);
    }
    push("TIMESTAMP", &timestamp);
    push("NONCE", &nonce);
    push("BACKREF", backref);
    push("LANG", language);
    if let Some(name) = &request.cardholder_name {
        push("NAME", name);
    }
    match &request.token {
        CardToken::None => {}
        CardToken::Register => push("TOKEN_ACTION", "REGISTER"),
        CardToken::Use(token) => push("TOKEN", token),
    }
    for (k, v) in &extras {
        push(k, v);
    }
    let p_sign = sign_mac(key, &mac_source_of_pairs(AUTHORIZATION_FIELDS, &fields))?;
    fields.push(("P_SIGN".to_owned(), p_sign));
    Ok(AuthorizationForm { url, fields })
}

/// The unsigned stored-credential fields of a form, checked.
fn stored_credential_fields(request: &AuthorizationRequest) -> Result<Vec<(&'static str, String)>> {
    let Some(stored) = &request.stored_credential else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(5);
    match stored {
        StoredCredential::CardholderInitiated => {
            if !matches!(request.token, CardToken::Use(_)) {
                return Err(Error::invalid_input(
                    "stored_credential",
                    "a cardholder-initiated stored-card payment needs a card token",
                ));
            }
            out.push(("MERCH_TRAN_STATE", "C".to_owned()));
        }
        StoredCredential::RegisterUnscheduled { merchant_rn_id } => {
            out.push(("MERCH_TRAN_STATE", "S".to_owned()));
            out.push(("MERCH_RN_ID", rn_id(merchant_rn_id.as_deref())?));
            out.push(("MIT_AGREEMENT", "N".to_owned()));
        }
        StoredCredential::RegisterRecurring {
            frequency_days,
            expires,
            merchant_rn_id,
        } => {
            if !(1..=99).contains(frequency_days) {
                return Err(Error::invalid_input("frequency_days", "must be 1 to 99"));
            }
            out.push(("MERCH_TRAN_STATE", "S".to_owned()));
            out.push(("MERCH_RN_ID", rn_id(merchant_rn_id.as_deref())?));
            out.push(("MIT_AGREEMENT", "Y".to_owned()));
            out.push(("RECUR_FREQ", frequency_days.to_string()));
            out.push(("RECUR_EXP", validate::date(*expires)?));
        }
    }
    if matches!(
        stored,
        StoredCredential::RegisterUnscheduled { .. } | StoredCredential::RegisterRecurring { .. }
    ) && request.token != CardToken::Register
    {
        return Err(Error::invalid_input(
            "stored_credential",
            "a registration must register the card",
        ));
    }
    Ok(out)
}

/// MERCH_RN_ID: the given one checked, or 8 fresh random bytes as hex (srustamov).
pub(crate) fn rn_id(given: Option<&str>) -> Result<String> {
    match given {
        Some(id) => {
            if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(Error::invalid_input(
                    "merchant_rn_id",
                    "must be 1 to 32 letters or digits",
                ));
            }
            Ok(id.to_owned())
        }
        None => validate::random_hex(8),
    }
}
