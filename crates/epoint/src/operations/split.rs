//! Split payments: part of the amount goes to another EPoint user
//! (`split-request`, `split-execute-pay`, `split-card-registration-with-pay`).
//! The split amount must not exceed the total; that is checked before sending.

use std::cmp::Ordering;

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result};
use serde::Serialize;

use super::payment::{CardRedirectResponse, OtherAttr, RedirectResponse, parse_pay, parse_save_card};
use super::saved_card::{PaymentResponse, parse_payment};
use super::token::{TokenPaymentResponse, parse_create_token_payment};
use super::{Hosted, MAX_DESCRIPTION_LEN, check_opt_text, check_order, check_text, currency_code, signed_request};
use crate::config::{EpointConfig, Language};
use crate::wire::WireAmount;

/// Who receives the split part and how much.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Split {
    /// The EPoint user id that receives `amount` (`split_user` on the wire).
    pub user: String,
    /// The part of the total that goes to `user` (`split_amount`).
    pub amount: Money,
}

impl Split {
    /// `amount` of the payment goes to EPoint user `user`.
    pub fn new(user: impl Into<String>, amount: Money) -> Self {
        Split {
            user: user.into(),
            amount,
        }
    }
}

/// The split part: positive, same currency, not more than the total.
fn check_split(total: Money, split: &Split) -> Result<()> {
    check_text("split_user", &split.user, 255)?;
    super::check_amount("split_amount", split.amount)?;
    match split.amount.checked_cmp(total) {
        Ok(Ordering::Greater) => Err(Error::invalid_input(
            "split_amount",
            format!("{} exceeds the total {}", split.amount, total),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(Error::invalid_input("split_amount", e.to_string())),
    }
}

/// A hosted split payment (`/api/1/split-request`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SplitPayRequest {
    /// The total amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// The split part.
    pub split: Split,
    /// Description shown to the customer.
    pub description: Option<String>,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
    /// Extra attributes echoed in the callback.
    pub other_attr: Option<OtherAttr>,
}

impl SplitPayRequest {
    /// A split payment of `amount` for `order_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, split: Split) -> Self {
        SplitPayRequest {
            amount,
            order_id: order_id.into(),
            split,
            description: None,
            language: None,
            success_redirect_url: None,
            error_redirect_url: None,
            other_attr: None,
        }
    }
}

optional_setters!(SplitPayRequest {
    description,
    language,
    success_redirect_url,
    error_redirect_url,
    other_attr
});

#[derive(Serialize)]
struct SplitPayWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
    description: Option<&'a str>,
    split_user: &'a str,
    split_amount: WireAmount,
    other_attr: Option<&'a OtherAttr>,
}

/// Builds the signed `split-request` call.
pub fn build_split_pay(config: &EpointConfig, request: &SplitPayRequest) -> Result<HttpRequest> {
    signed_request(config, "split-request", &split_pay_wire(config, request)?)
}

/// Builds the signed `token/split-payment` call \[U\]: "the split payment for
/// Apple Pay and Google Pay", known from one source only (PyPI `epoint`
/// 0.4.0), which sends the fields of `split-request` and notes that the
/// docs give no field for the wallet token. It may differ in production.
pub fn build_token_split_payment(config: &EpointConfig, request: &SplitPayRequest) -> Result<HttpRequest> {
    signed_request(config, "token/split-payment", &split_pay_wire(config, request)?)
}

/// Parses the `token/split-payment` answer \[U\] like `token/payment`'s (its
/// wallet counterpart without a split): the answer is documented nowhere.
pub fn parse_token_split_payment(response: &HttpResponse) -> Result<TokenPaymentResponse> {
    parse_create_token_payment(response)
}

fn split_pay_wire<'a>(config: &'a EpointConfig, request: &'a SplitPayRequest) -> Result<SplitPayWire<'a>> {
    check_order(&request.order_id, request.amount)?;
    check_split(request.amount, &request.split)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    let wire = SplitPayWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
        description: request.description.as_deref(),
        split_user: &request.split.user,
        split_amount: WireAmount(request.split.amount),
        other_attr: request.other_attr.as_ref(),
    };
    Ok(wire)
}

/// Parses the `split-request` answer.
pub fn parse_split_pay(response: &HttpResponse) -> Result<RedirectResponse> {
    parse_pay(response)
}

/// A split payment with a saved card (`/api/1/split-execute-pay`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SplitSavedCardPayRequest {
    /// The total amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// The saved card (`ce...`).
    pub card_id: String,
    /// The split part.
    pub split: Split,
    /// Description.
    pub description: Option<String>,
}

impl SplitSavedCardPayRequest {
    /// A split charge of `amount` on `card_id`.
    pub fn new(order_id: impl Into<String>, amount: Money, card_id: impl Into<String>, split: Split) -> Self {
        SplitSavedCardPayRequest {
            amount,
            order_id: order_id.into(),
            card_id: card_id.into(),
            split,
            description: None,
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
}

#[derive(Serialize)]
struct SplitSavedCardPayWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    card_id: &'a str,
    split_user: &'a str,
    split_amount: WireAmount,
    description: Option<&'a str>,
}

/// Builds the signed `split-execute-pay` call.
pub fn build_split_pay_with_saved_card(
    config: &EpointConfig,
    request: &SplitSavedCardPayRequest,
) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_text("card_id", &request.card_id, 255)?;
    check_split(request.amount, &request.split)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let wire = SplitSavedCardPayWire {
        public_key: config.public_key(),
        language: config.language(),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        card_id: &request.card_id,
        split_user: &request.split.user,
        split_amount: WireAmount(request.split.amount),
        description: request.description.as_deref(),
    };
    signed_request(config, "split-execute-pay", &wire)
}

/// Parses the `split-execute-pay` answer (with `split_amount`).
pub fn parse_split_pay_with_saved_card(response: &HttpResponse) -> Result<PaymentResponse> {
    parse_payment(response)
}

/// A hosted split payment that also saves the card (`/api/1/split-card-registration-with-pay`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SplitPayAndSaveCardRequest {
    /// The total amount.
    pub amount: Money,
    /// The merchant's unique order id.
    pub order_id: String,
    /// The split part.
    pub split: Split,
    /// Description shown to the customer.
    pub description: Option<String>,
    /// The page language; the configuration's when `None`.
    pub language: Option<Language>,
    /// Where the customer lands after success; the configuration's when `None`.
    pub success_redirect_url: Option<String>,
    /// Where the customer lands after failure; the configuration's when `None`.
    pub error_redirect_url: Option<String>,
}

impl SplitPayAndSaveCardRequest {
    /// A split payment of `amount` for `order_id` that saves the card.
    pub fn new(order_id: impl Into<String>, amount: Money, split: Split) -> Self {
        SplitPayAndSaveCardRequest {
            amount,
            order_id: order_id.into(),
            split,
            description: None,
            language: None,
            success_redirect_url: None,
            error_redirect_url: None,
        }
    }
}

optional_setters!(SplitPayAndSaveCardRequest {
    description,
    language,
    success_redirect_url,
    error_redirect_url
});

#[derive(Serialize)]
struct SplitPayAndSaveCardWire<'a> {
    public_key: &'a str,
    language: Language,
    amount: WireAmount,
    currency: &'static str,
    order_id: &'a str,
    success_redirect_url: Option<&'a str>,
    error_redirect_url: Option<&'a str>,
    description: Option<&'a str>,
    split_user: &'a str,
    split_amount: WireAmount,
}

/// Builds the signed `split-card-registration-with-pay` call.
pub fn build_split_pay_and_save_card(
    config: &EpointConfig,
    request: &SplitPayAndSaveCardRequest,
) -> Result<HttpRequest> {
    check_order(&request.order_id, request.amount)?;
    check_split(request.amount, &request.split)?;
    check_opt_text("description", request.description.as_deref(), MAX_DESCRIPTION_LEN)?;
    let hosted = Hosted::resolve(
        config,
        request.success_redirect_url.as_deref(),
        request.error_redirect_url.as_deref(),
    )?;
    let wire = SplitPayAndSaveCardWire {
        public_key: config.public_key(),
        language: request.language.unwrap_or(config.language()),
        amount: WireAmount(request.amount),
        currency: currency_code(request.amount.currency())?,
        order_id: &request.order_id,
        success_redirect_url: hosted.success,
        error_redirect_url: hosted.error,
        description: request.description.as_deref(),
        split_user: &request.split.user,
        split_amount: WireAmount(request.split.amount),
    };
    signed_request(config, "split-card-registration-with-pay", &wire)
}

/// Parses the `split-card-registration-with-pay` answer.
pub fn parse_split_pay_and_save_card(response: &HttpResponse) -> Result<CardRedirectResponse> {
    parse_save_card(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::Currency;

    #[test]
    fn split_amount_is_checked_before_sending() {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let azn = |m| Money::from_minor(m, Currency::AZN);
        let ok = SplitPayRequest::new("o1", azn(1000), Split::new("u1", azn(1000)));
        assert!(build_split_pay(&config, &ok).is_ok());
        let cases = [
            (Split::new("u1", azn(1001)), "split_amount"),
            (Split::new("u1", azn(0)), "split_amount"),
            (Split::new("u1", Money::from_minor(10, Currency::USD)), "split_amount"),
            (Split::new("", azn(10)), "split_user"),
        ];
        for (split, field) in cases {
            let req = SplitPayRequest::new("o1", azn(1000), split.clone());
            let card = SplitSavedCardPayRequest::new("o1", azn(1000), "ce1", split.clone());
            let save = SplitPayAndSaveCardRequest::new("o1", azn(1000), split);
            for result in [
                build_split_pay(&config, &req),
                build_split_pay_with_saved_card(&config, &card),
                build_split_pay_and_save_card(&config, &save),
            ] {
                assert!(
                    matches!(&result, Err(Error::InvalidInput { field: f, .. }) if f == field),
                    "{result:?}"
                );
            }
        }
    }
}
