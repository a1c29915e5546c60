//! EPoint e-wallets: which wallets the merchant may use (`wallet/status`)
//! and a payment from one (`wallet/payment`, hosted page). Not to be
//! confused with Apple Pay / Google Pay ([`super::token`]).
//!
//! Requests: EPoint's API document v1.0.3 and three clients. The
//! `wallet/status` answer is documented nowhere: it is kept as opaque JSON,
//! with typed access to the two shapes clients read ([`WalletStatusResponse::wallets`]).
//! Wallets are enabled per merchant on request.

use payments_core::{HttpRequest, HttpResponse, Money, Result};
use serde::Serialize;

use super::payment::{RedirectResponse, parse_pay};
use super::{MAX_DESCRIPTION_LEN, check_opt_text, check_order, check_text, currency_code, signed_request};
use crate::config::{EpointConfig, Language};
use crate::error::{read_json, reject_server_error};
use crate::status::Status;
use crate::wire::WireAmount;

#[derive(Serialize)]
struct WalletStatusWire<'a> {
    public_key: &'a str,
}

/// Builds the signed `wallet/status` call (vector E4: `public_key` only).
pub fn build_wallet_status(config: &EpointConfig) -> Result<HttpRequest> {
    signed_request(
        config,
        "wallet/status",
        &WalletStatusWire {
            public_key: config.public_key(),
        },
    )
}

/// One wallet the merchant may take payments from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wallet {
    /// The id to pass as `wallet_id` (absent in the array shape when the
    /// object has no `id`).
    pub id: Option<String>,
    /// The display name.
    pub name: Option<String>,
}

/// The `wallet/status` answer: the whole JSON object, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalletStatusResponse {
    /// EPoint's `status`, when the answer carries one.
    pub status: Option<Status>,
    /// EPoint's message, when the answer carries one.
    pub message: Option<String>,
    /// EPoint's trace id, when the answer carries one.
    pub trace_id: Option<String>,
    /// The whole answer.
    pub raw: serde_json::Value,
}

fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl WalletStatusResponse {
    /// The wallets, read from either shape seen in clients: a `wallets`
    /// array of objects with `id`/`name` (the endorsed PHP client), or an
    /// object mapping wallet id to display name (the m56 sandbox, at the
    /// top level beside `status`/`message`/`trace_id`, or under `wallets`).
    /// `None` when the answer has neither shape.
    pub fn wallets(&self) -> Option<Vec<Wallet>> {
        const META: [&str; 3] = ["status", "message", "trace_id"];
        let object = self.raw.as_object()?;
        match object.get("wallets") {
            Some(serde_json::Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(|item| {
                        let item = item.as_object()?;
                        Some(Wallet {
                            id: item.get("id").and_then(text),
                            name: item.get("name").and_then(text),
                        })
                    })
                    .collect(),
            ),
            Some(serde_json::Value::Object(map)) => Some(
                map.iter()
                    .map(|(id, name)| Wallet {
                        id: Some(id.clone()),
                        name: text(name),
                    })
                    .collect(),
            ),
            Some(_) => None,
            None => {
                let wallets: Vec<Wallet> = object
                    .iter()
                    .filter(|(k, v)| !META.contains(&k.as_str()) && v.is_string())
                    .map(|(id, name)| Wallet {
                        id: Some(id.clone()),
                        name: text(name),
                    })
                    .collect();
                (!wallets.is_empty()).then_some(wallets)
            }
        }
    }
}

/// Parses the `wallet/status` answer (a JSON object); `server_error` is an `Err`.
pub fn parse_wallet_status(response: &HttpResponse) -> Result<WalletStatusResponse> {
    let raw: serde_json::Value = read_json(response)?;
    let field = |name: &str| raw.get(name).and_then(text);
    let status = field("status").map(|s| Status::parse(&s));
    let message = field("message");
    if let Some(status) = &status {
        reject_server_error(status, message.as_deref(), response)?;
    }
    Ok(WalletStatusResponse {
        status,
        message,
        trace_id: field("trace_id"),
        raw,
    })
}

/// A payment from an EPoint wallet (`/api/1/wallet/payment`): redirect the
/// customer to `redirect_url`. The callback after it is documented by one
/// sandbox only \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalletPaymentRequest {
    /// A wallet id from [`WalletStatusResponse::wallets`].
    pub wallet_id: String,
    /// The amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// Description (at most 1000 characters).
    pub description: Option<String>,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
}

impl WalletPaymentRequest {
    /// A payment of `amount` for `order_id` from wallet `wallet_id`.
    pub fn new(wallet_id: impl Into<String>, order_id: impl Into<String>, amount: Money) -> Self {
        WalletPaymentRequest {
            wallet_id: wallet_id.into(),
            amount,
            order_id: order_id.into(),
            description: None,
            language: None,
        }
    }
}

optional_setters!(WalletPaymentRequest { description, language });

#[derive(Serialize)]
struct WalletPaymentWire<'a> {
    public_key: &'a str,
    language: Language,
    wallet_id: &'a str,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    description: Option<&'a str>,
}

/// Builds the signed `wallet/payment` call.
pub fn build_wallet_payment(config: &EpointConfig, request: &WalletPaymentRequest) -> Result<HttpRequest> {
    check_text("wallet_id", &request.wallet_id, 255)?;
    check_order(&request.order_id, request.amount)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let wire = WalletPaymentWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        wallet_id: &request.wallet_id,
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        description: request.description.as_deref(),
    };
    signed_request(config, "wallet/payment", &wire)
}

/// Parses the `wallet/payment` answer (`status`, `transaction`, `redirect_url`, `message`, `trace_id`).
pub fn parse_wallet_payment(response: &HttpResponse) -> Result<RedirectResponse> {
    parse_pay(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_status_matches_vector_e4() {
        let config = EpointConfig::new("i000000001", "test-private-key").unwrap();
        let http = build_wallet_status(&config).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/wallet/status");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&http.body).into_owned().collect();
        assert_eq!(pairs[0].1, "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEifQ==");
        assert_eq!(pairs[1].1, "+NMNoeKSlziu8cxKz/DnsZ+ik/Y=");
    }

    fn wallets(body: &str) -> Option<Vec<(Option<String>, Option<String>)>> {
        let r = parse_wallet_status(&HttpResponse::new(200, body.to_owned())).unwrap();
        r.wallets().map(|w| w.into_iter().map(|w| (w.id, w.name)).collect())
    }

    #[test]
    fn both_wallet_shapes_are_read() {
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            wallets(r#"{"status":"success","wallets":[{"id":5,"name":"m10"},{"name":"Birbank"}]}"#),
            Some(vec![(s("5"), s("m10")), (None, s("Birbank"))])
        );
        assert_eq!(
            wallets(r#"{"status":"success","trace_id":"t","w1":"m10","w2":"Birbank"}"#),
            Some(vec![(s("w1"), s("m10")), (s("w2"), s("Birbank"))])
        );
        assert_eq!(wallets(r#"{"wallets":{"w1":"m10"}}"#), Some(vec![(s("w1"), s("m10"))]));
        assert_eq!(wallets(r#"{"status":"success"}"#), None);
        assert_eq!(wallets(r#"{"wallets":"none"}"#), None);
    }
}
