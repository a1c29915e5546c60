//! Wallet payments: the Apple Pay / Google Pay widget (`token/widget`) and
//! the token SDK flow (`token/payment`, `token/apple/session`,
//! `token/apple/pay`, `token/google/pay`).

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{
    MAX_DESCRIPTION_LEN, check_documented, check_opt_text, check_order, check_text, currency_code, signed_request,
};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, reject_server_error, server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_decimal, opt_text, opt_value};

/// A wallet widget (`/api/1/token/widget`): open `widget_url` in an iframe or
/// webview; confirm the result with `get-status`.
///
/// The widget takes no currency; EPoint charges AZN, so `amount` must be in AZN.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WidgetRequest {
    /// The amount (AZN).
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// Description (required).
    pub description: String,
}

impl WidgetRequest {
    /// A widget for `amount` on `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, description: impl Into<String>) -> Self {
        WidgetRequest {
            amount,
            order_id: order_id.into(),
            description: description.into(),
        }
    }
}

#[derive(Serialize)]
struct WidgetWire<'a> {
    public_key: &'a str,
    amount: WireAmount,
    order_id: &'a str,
    description: &'a str,
}

/// Builds the signed `token/widget` call (no `language`, no `currency`).
pub fn build_create_widget(config: &EpointConfig, request: &WidgetRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_documented("amount", request.amount)?;
    check_text("description", &request.description, MAX_DESCRIPTION_LEN)?;
    let wire = WidgetWire {
        public_key: config.public_key(),
        amount: WireAmount(request.amount),
        order_id: &request.order_id,
        description: &request.description,
    };
    signed_request(config, "token/widget", &wire)
}

/// EPoint's answer to a widget request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WidgetResponse {
    /// `success` or `error`.
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The widget page.
    #[serde(default, deserialize_with = "opt_text")]
    pub widget_url: Option<String>,
}

/// Parses the `token/widget` answer.
pub fn parse_create_widget(response: &HttpResponse) -> Result<WidgetResponse> {
    let body: WidgetResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// A token payment for the EPoint JS SDK (`/api/1/token/payment`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenPaymentRequest {
    /// The amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// Description.
    pub description: Option<String>,
    /// The language; the configuration's when `None`.
    pub language: Option<Language>,
}

impl TokenPaymentRequest {
    /// A token payment of `amount` for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money) -> Self {
        TokenPaymentRequest {
            amount,
            order_id: order_id.into(),
            description: None,
            language: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }
}

#[derive(Serialize)]
struct TokenPaymentWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    description: Option<&'a str>,
}

/// Builds the signed `token/payment` call.
pub fn build_create_token_payment(config: &EpointConfig, request: &TokenPaymentRequest) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let wire = TokenPaymentWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        description: request.description.as_deref(),
    };
    signed_request(config, "token/payment", &wire)
}

/// A token payment's id: EPoint sends an integer, kept exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TokenPaymentId {
    /// An integer id (what EPoint sends).
    Number(u64),
    /// A text id.
    Text(String),
}

impl From<u64> for TokenPaymentId {
    fn from(id: u64) -> Self {
        TokenPaymentId::Number(id)
    }
}

impl From<&str> for TokenPaymentId {
    fn from(id: &str) -> Self {
        TokenPaymentId::Text(id.to_owned())
    }
}

/// A created token payment: hand at least `id` and `total` to the front-end
/// `initTokenPay`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TokenPayment {
    /// The token payment's id (sent back as `id` in Apple/Google Pay calls).
    pub id: TokenPaymentId,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// EPoint's transaction id.
    #[serde(default, deserialize_with = "opt_text")]
    pub transaction: Option<String>,
    /// Retrieval reference number.
    #[serde(default, deserialize_with = "opt_text")]
    pub rrn: Option<String>,
    /// A short payment link.
    #[serde(default, deserialize_with = "opt_text")]
    pub short_link: Option<String>,
    /// The bank's order id.
    #[serde(default, deserialize_with = "opt_text")]
    pub bank_order_id: Option<String>,
    /// The total, exactly as sent.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub total: Option<Decimal>,
    /// Cardholder name.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_name: Option<String>,
    /// Masked card number.
    #[serde(default, deserialize_with = "opt_text")]
    pub card_mask: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// The merchant's `order_id`.
    #[serde(default, deserialize_with = "opt_text")]
    pub merchant_order_id: Option<String>,
    /// Extra attributes.
    #[serde(default, deserialize_with = "opt_value")]
    pub other_attr: Option<serde_json::Value>,
    /// Creation time (ISO-8601 text, as sent).
    #[serde(default, deserialize_with = "opt_text")]
    pub created_at: Option<String>,
    /// Last update time (ISO-8601 text, as sent).
    #[serde(default, deserialize_with = "opt_text")]
    pub updated_at: Option<String>,
}

/// EPoint's answer to a token-payment request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenPaymentResponse {
    /// The payment was created (EPoint sends no `status` then).
    Created(Box<TokenPayment>),
    /// EPoint declined to create it (`error`/`failed`).
    Declined {
        /// The status as sent.
        status: Status,
        /// EPoint's message.
        message: Option<String>,
        /// EPoint's trace id of this answer.
        trace_id: Option<String>,
    },
}

#[derive(Deserialize)]
struct TokenPaymentEnvelope {
    #[serde(default)]
    status: Option<Status>,
    #[serde(default, deserialize_with = "opt_text")]
    message: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    trace_id: Option<String>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// Parses the `token/payment` answer: an object with `id` is a created
/// payment; `server_error` is an `Err`; `error`/`failed` is a decline.
pub fn parse_create_token_payment(response: &HttpResponse) -> Result<TokenPaymentResponse> {
    let envelope: TokenPaymentEnvelope = read_json(response)?;
    match (envelope.status, envelope.id.filter(|v| !v.is_null())) {
        (Some(Status::ServerError), _) => Err(server_error(envelope.message.as_deref(), response)),
        (Some(status @ (Status::Error | Status::Failed)), _) => Ok(TokenPaymentResponse::Declined {
            status,
            message: envelope.message,
            trace_id: envelope.trace_id,
        }),
        (_, Some(_)) => Ok(TokenPaymentResponse::Created(read_json(response)?)),
        (status, None) => Err(Error::unreadable(
            crate::PROVIDER,
            response.status,
            format!(
                "token payment answer has no id (status {})",
                status.as_ref().map_or("absent", Status::as_str)
            ),
            &response.body,
            None,
        )),
    }
}

/// The Apple Pay merchant validation (`/api/1/token/apple/session`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplePaySessionRequest {
    /// The `Origin` of the merchant page that runs the EPoint SDK.
    pub origin: String,
}

impl ApplePaySessionRequest {
    /// A session for the page at `origin`.
    pub fn new(origin: impl Into<String>) -> Self {
        ApplePaySessionRequest { origin: origin.into() }
    }
}

#[derive(Serialize)]
struct AppleSessionWire<'a> {
    public_key: &'a str,
    origin: &'a str,
}

/// Builds the signed `token/apple/session` call.
pub fn build_apple_pay_session(config: &EpointConfig, request: &ApplePaySessionRequest) -> Result<HttpRequest> {
    check_text("origin", &request.origin, 2048)?;
    let wire = AppleSessionWire {
        public_key: config.public_key(),
        origin: &request.origin,
    };
    signed_request(config, "token/apple/session", &wire)
}

/// Apple's merchant session object, passed through unchanged to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApplePaySession {
    /// EPoint's `status`, when the answer carries one (`error` when it failed).
    pub status: Option<Status>,
    /// EPoint's message, when the answer carries one.
    pub message: Option<String>,
    /// EPoint's trace id, when the answer carries one.
    pub trace_id: Option<String>,
    /// The whole answer, to return to the EPoint SDK as is.
    pub session: serde_json::Value,
}

/// Parses the `token/apple/session` answer (a JSON object); `server_error` is an `Err`.
pub fn parse_apple_pay_session(response: &HttpResponse) -> Result<ApplePaySession> {
    let session: serde_json::Value = read_json(response)?;
    if !session.is_object() {
        return Err(Error::unreadable(
            crate::PROVIDER,
            response.status,
            "Apple Pay session is not a JSON object",
            &response.body,
            None,
        ));
    }
    let status = session.get("status").and_then(|s| s.as_str()).map(Status::parse);
    let message = session.get("message").and_then(|s| s.as_str()).map(str::to_owned);
    let trace_id = session.get("trace_id").and_then(|s| s.as_str()).map(str::to_owned);
    if let Some(status) = &status {
        reject_server_error(status, message.as_deref(), response)?;
    }
    Ok(ApplePaySession {
        status,
        message,
        trace_id,
        session,
    })
}

/// An Apple Pay or Google Pay payment with the wallet token the EPoint SDK
/// posted to the merchant (`/api/1/token/apple/pay`, `/api/1/token/google/pay`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalletPayRequest {
    /// The token payment's id.
    pub id: TokenPaymentId,
    /// The wallet's payment token, unchanged.
    pub token: serde_json::Value,
    /// The wallet's billing contact, unchanged (`billingContact` on the wire).
    pub billing_contact: Option<serde_json::Value>,
}

impl WalletPayRequest {
    /// A wallet payment for token payment `id`.
    pub fn new(id: impl Into<TokenPaymentId>, token: serde_json::Value) -> Self {
        WalletPayRequest {
            id: id.into(),
            token,
            billing_contact: None,
        }
    }

    /// Sets the billing contact.
    pub fn billing_contact(mut self, contact: serde_json::Value) -> Self {
        self.billing_contact = Some(contact);
        self
    }
}

#[derive(Serialize)]
struct WalletPayWire<'a> {
    public_key: &'a str,
    id: &'a TokenPaymentId,
    token: &'a serde_json::Value,
    #[serde(rename = "billingContact")]
    billing_contact: Option<&'a serde_json::Value>,
}

fn build_wallet_pay(config: &EpointConfig, path: &str, request: &WalletPayRequest) -> Result<HttpRequest> {
    if let TokenPaymentId::Text(id) = &request.id {
        check_text("id", id, 255)?;
    }
    if request.token.is_null() {
        return Err(Error::invalid_input("token", "must not be null"));
    }
    let wire = WalletPayWire {
        public_key: config.public_key(),
        id: &request.id,
        token: &request.token,
        billing_contact: request.billing_contact.as_ref(),
    };
    signed_request(config, path, &wire)
}

/// Builds the signed `token/apple/pay` call.
pub fn build_apple_pay(config: &EpointConfig, request: &WalletPayRequest) -> Result<HttpRequest> {
    build_wallet_pay(config, "token/apple/pay", request)
}

/// Builds the signed `token/google/pay` call.
pub fn build_google_pay(config: &EpointConfig, request: &WalletPayRequest) -> Result<HttpRequest> {
    build_wallet_pay(config, "token/google/pay", request)
}

/// EPoint's answer to an Apple Pay or Google Pay payment; return it to the SDK.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct WalletPayResponse {
    /// `success`, or a decline (`error`/`failed`).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id of this answer; quote it to EPoint support.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The payment processor's answer.
    #[serde(default, deserialize_with = "opt_value")]
    pub result: Option<serde_json::Value>,
    /// A 3-D Secure page, when one is needed.
    #[serde(default, deserialize_with = "opt_text")]
    pub redirect_url: Option<String>,
}

/// Parses the `token/apple/pay` or `token/google/pay` answer.
pub fn parse_wallet_pay(response: &HttpResponse) -> Result<WalletPayResponse> {
    let body: WalletPayResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// Parses the `token/apple/pay` answer.
pub fn parse_apple_pay(response: &HttpResponse) -> Result<WalletPayResponse> {
    parse_wallet_pay(response)
}

/// Parses the `token/google/pay` answer.
pub fn parse_google_pay(response: &HttpResponse) -> Result<WalletPayResponse> {
    parse_wallet_pay(response)
}
