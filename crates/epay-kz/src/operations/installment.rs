//! Installments and credit (Halyk "HomeShop") \[U\], as far as the sources go.
//!
//! ePay's Installment-credit page shows only the invoice-scoped payment
//! token; the flow after it is the official SDK's, all with that token:
//! the terminal's shop (`GET {api}/terminals/:terminalId`), the shop's credit
//! conditions (`GET {api}/credit-condition?shopId=`), an order
//! (`POST {api}/order`), then the customer finishes in the Homebank app
//! ([`homebank_link`]) while the merchant polls `GET {api}/order/status?orderId=`.
//! The SDK offers instalments only when conditions exist and the amount is at
//! least 5000 ([`MIN_INSTALLMENT_MAJOR`]).

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::error::api_error;
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// The smallest amount (major units) for which the SDK offers instalments.
pub const MIN_INSTALLMENT_MAJOR: i64 = 5000;

/// Builds `GET {api}/terminals/{terminal_id}`.
pub fn build_terminal_info(config: &EpayConfig, terminal_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("terminal_id", terminal_id)?;
    Ok(HttpRequest::get(config.api(&format!("/terminals/{terminal_id}"))).bearer(token))
}

/// A terminal and its shop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TerminalInfo {
    /// `id`.
    pub id: Option<String>,
    /// `terminalId`.
    pub terminal_id: Option<String>,
    /// `singleMessageScheme`.
    pub single_message_scheme: Option<bool>,
    /// `shop.id`: what credit conditions and orders take.
    pub shop_id: String,
    /// `shop.name`.
    pub shop_name: Option<String>,
    /// `shop.url`.
    pub shop_url: Option<String>,
    /// `shop.merchant.tradeName`.
    pub merchant_trade_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TerminalWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    terminal_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    single_message_scheme: Option<String>,
    #[serde(default)]
    shop: Option<ShopWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShopWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    url: Option<String>,
    #[serde(default)]
    merchant: Option<MerchantWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MerchantWire {
    #[serde(default, deserialize_with = "opt_text")]
    trade_name: Option<String>,
}

/// Parses the terminal answer; a terminal without a shop id is unreadable.
pub fn parse_terminal_info(resp: &HttpResponse) -> Result<TerminalInfo> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: TerminalWire = wire::json_object(resp)?;
    let shop = w.shop;
    Ok(TerminalInfo {
        id: w.id,
        terminal_id: w.terminal_id,
        single_message_scheme: w.single_message_scheme.map(|s| s == "true"),
        shop_id: shop
            .as_ref()
            .and_then(|s| s.id.clone())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "terminal without shop.id", &resp.body, None))?,
        shop_name: shop.as_ref().and_then(|s| s.name.clone()),
        shop_url: shop.as_ref().and_then(|s| s.url.clone()),
        merchant_trade_name: shop.and_then(|s| s.merchant).and_then(|m| m.trade_name),
    })
}

/// Builds `GET {api}/credit-condition?shopId=...`.
pub fn build_credit_conditions(config: &EpayConfig, shop_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("shop_id", shop_id)?;
    Ok(HttpRequest::get(config.api(&format!("/credit-condition?shopId={shop_id}"))).bearer(token))
}

/// A credit condition of the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditCondition {
    /// `id`: what an order takes.
    pub id: String,
    /// `monthCount`.
    pub month_count: u32,
    /// `interestRate`, as sent (exact text, no float).
    pub interest_rate: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConditionWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    month_count: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    interest_rate: Option<String>,
}

/// Parses the credit conditions (a JSON array; empty: no instalments).
pub fn parse_credit_conditions(resp: &HttpResponse) -> Result<Vec<CreditCondition>> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    if resp.body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
        return Err(Error::unreadable(
            PROVIDER,
            resp.status,
            "expected a JSON array",
            &resp.body,
            None,
        ));
    }
    let list: Vec<ConditionWire> = resp.json(PROVIDER)?;
    let bad = |what: &str| Error::unreadable(PROVIDER, resp.status, format!("credit condition: {what}"), b"", None);
    list.into_iter()
        .map(|c| {
            Ok(CreditCondition {
                id: c.id.filter(|s| !s.is_empty()).ok_or_else(|| bad("no id"))?,
                month_count: c
                    .month_count
                    .and_then(|m| m.parse().ok())
                    .ok_or_else(|| bad("monthCount is not a whole number"))?,
                interest_rate: c.interest_rate.unwrap_or_default(),
            })
        })
        .collect()
}

/// A credit order for an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditOrderRequest {
    /// `shopId` (from [`TerminalInfo::shop_id`]).
    pub shop_id: String,
    /// `orderId`: the invoice id of the payment token.
    pub order_id: String,
    /// `amount`.
    pub amount: Money,
    /// `creditConditionId`.
    pub credit_condition_id: String,
}

impl CreditOrderRequest {
    /// An order of `amount` for the invoice `order_id` under a credit condition.
    pub fn new(
        shop_id: impl Into<String>,
        order_id: impl Into<String>,
        amount: Money,
        credit_condition_id: impl Into<String>,
    ) -> Self {
        CreditOrderRequest {
            shop_id: shop_id.into(),
            order_id: order_id.into(),
            amount,
            credit_condition_id: credit_condition_id.into(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderWire<'a> {
    shop_id: &'a str,
    amount: wire::JsonAmount,
    order_id: &'a str,
    credit_condition_id: &'a str,
}

/// Builds `POST {api}/order` `{shopId, amount, orderId, creditConditionId}`.
pub fn build_credit_order(
    config: &EpayConfig,
    req: &CreditOrderRequest,
    token: &Secret<String>,
) -> Result<HttpRequest> {
    validate::required("shop_id", &req.shop_id)?;
    validate::invoice_id("order_id", &req.order_id)?;
    validate::required("credit_condition_id", &req.credit_condition_id)?;
    wire::check_amount("amount", req.amount, true)?;
    let body = OrderWire {
        shop_id: &req.shop_id,
        amount: wire::amount_json(req.amount)?,
        order_id: &req.order_id,
        credit_condition_id: &req.credit_condition_id,
    };
    Ok(wire::json_request(Method::Post, config.api("/order"), &body)?.bearer(token))
}

/// The created credit order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditOrder {
    /// `id`.
    pub id: String,
    /// `amount`.
    pub amount: Option<Money>,
    /// `approvedAmount`.
    pub approved_amount: Option<Money>,
    /// `approvedMonthCount`, as sent.
    pub approved_month_count: Option<String>,
    /// `approvedInterestRate`, as sent.
    pub approved_interest_rate: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreditOrderWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    approved_amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    approved_month_count: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    approved_interest_rate: Option<String>,
}

/// Parses the order answer; its amounts are in `currency`, the request's
/// (the answer carries none).
pub fn parse_credit_order(resp: &HttpResponse, currency: Currency) -> Result<CreditOrder> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: CreditOrderWire = wire::json_object(resp)?;
    Ok(CreditOrder {
        id: w
            .id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "order without id", &resp.body, None))?,
        amount: wire::parse_amount(w.amount.as_deref(), currency, resp.status, "amount")?,
        approved_amount: wire::parse_amount(w.approved_amount.as_deref(), currency, resp.status, "approvedAmount")?,
        approved_month_count: w.approved_month_count,
        approved_interest_rate: w.approved_interest_rate,
    })
}

/// Builds `GET {api}/order/status?orderId=...`.
pub fn build_credit_order_status(config: &EpayConfig, order_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("order_id", order_id)?;
    Ok(HttpRequest::get(config.api(&format!("/order/status?orderId={order_id}"))).bearer(token))
}

/// A credit order's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CreditOrderState {
    /// `NEW`.
    New,
    /// `SCAN`.
    Scan,
    /// `IN_PROGRESS`.
    InProgress,
    /// `ACCEPT`.
    Accept,
    /// `REJECT`.
    Reject,
    /// Anything else, as sent.
    Unknown(String),
}

#[derive(Deserialize)]
struct StateWire {
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<String>,
}

/// Parses the order status (`{id, name}`).
pub fn parse_credit_order_status(resp: &HttpResponse) -> Result<CreditOrderState> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: StateWire = wire::json_object(resp)?;
    Ok(match w.name.as_deref() {
        Some("NEW") => CreditOrderState::New,
        Some("SCAN") => CreditOrderState::Scan,
        Some("IN_PROGRESS") => CreditOrderState::InProgress,
        Some("ACCEPT") => CreditOrderState::Accept,
        Some("REJECT") => CreditOrderState::Reject,
        Some(other) => CreditOrderState::Unknown(other.to_owned()),
        None => return Err(Error::unreadable(PROVIDER, resp.status, "no name", &resp.body, None)),
    })
}

/// The link that opens the order in the Homebank app (shown as a QR by the
/// SDK): `https://developer.homebank.kz/epay?orderNumber=&shopName=&creditPeriod=` \[U\].
pub fn homebank_link(order_number: &str, shop_name: &str, credit_period_months: u32) -> String {
    let mut url = "https://developer.homebank.kz/epay?".to_owned();
    let start = url.len();
    let months = credit_period_months.to_string();
    form_urlencoded::Serializer::for_suffix(&mut url, start)
        .append_pair("orderNumber", order_number)
        .append_pair("shopName", shop_name)
        .append_pair("creditPeriod", &months)
        .finish();
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EpayConfig {
        EpayConfig::builder("test", "s", "t")
            .api_url("https://api.test")
            .build()
            .unwrap()
    }

    #[test]
    fn the_flow_is_exact() {
        let tok = Secret::from("PAY");
        let t = build_terminal_info(&cfg(), "67e34d63-102f-4bd1-898e-370781d0074d", &tok).unwrap();
        assert_eq!(t.url, "https://api.test/terminals/67e34d63-102f-4bd1-898e-370781d0074d");
        let info = parse_terminal_info(&HttpResponse::new(
            200,
            r#"{"id":"1","terminalId":"t","singleMessageScheme":false,"shop":{"id":"shop-1","name":"Test Shop","url":"https://shop.example","merchant":{"id":"m","tradeName":"TS","companyName":"TS LLP","description":"","phone":""}}}"#,
        ))
        .unwrap();
        assert_eq!(info.shop_id, "shop-1");
        assert_eq!(info.single_message_scheme, Some(false));
        assert_eq!(info.merchant_trade_name.as_deref(), Some("TS"));
        let c = build_credit_conditions(&cfg(), "shop-1", &tok).unwrap();
        assert_eq!(c.url, "https://api.test/credit-condition?shopId=shop-1");
        let conds = parse_credit_conditions(&HttpResponse::new(
            200,
            r#"[{"id":"c-3","shopId":"shop-1","monthCount":3,"interestRate":0},{"id":"c-12","shopId":"shop-1","monthCount":12,"interestRate":12.5}]"#,
        ))
        .unwrap();
        assert_eq!(conds[1].month_count, 12);
        assert_eq!(conds[1].interest_rate, "12.5");
        let req = CreditOrderRequest {
            shop_id: "shop-1".into(),
            order_id: "000001234567".into(),
            amount: Money::from_minor(15000050, Currency::KZT),
            credit_condition_id: "c-12".into(),
        };
        let o = build_credit_order(&cfg(), &req, &tok).unwrap();
        assert_eq!(o.url, "https://api.test/order");
        assert_eq!(
            std::str::from_utf8(&o.body).unwrap(),
            r#"{"shopId":"shop-1","amount":150000.50,"orderId":"000001234567","creditConditionId":"c-12"}"#
        );
        let order = parse_credit_order(
            &HttpResponse::new(200, r#"{"id":"o-1","amount":150000.5,"shopId":"shop-1","creditConditionId":"c-12","approvedAmount":150000.5,"approvedMonthCount":12,"approvedInterestRate":12.5}"#),
            Currency::KZT,
        )
        .unwrap();
        assert_eq!(order.approved_amount, Some(Money::from_minor(15000050, Currency::KZT)));
        assert_eq!(order.approved_month_count.as_deref(), Some("12"));
        let s = build_credit_order_status(&cfg(), "o-1", &tok).unwrap();
        assert_eq!(s.url, "https://api.test/order/status?orderId=o-1");
        assert_eq!(
            parse_credit_order_status(&HttpResponse::new(200, r#"{"id":"o-1","name":"IN_PROGRESS"}"#)).unwrap(),
            CreditOrderState::InProgress
        );
        assert_eq!(
            homebank_link("000001234567", "Test Shop", 12),
            "https://developer.homebank.kz/epay?orderNumber=000001234567&shopName=Test+Shop&creditPeriod=12"
        );
    }
}
