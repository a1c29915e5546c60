//! Pre-authorization: hold an amount on the customer's card
//! (`pre-auth-request`, hosted page, callback), then capture all or part of
//! it (`pre-auth-complete`).
//!
//! Sources: EPoint's API document v1.0.3 and four independent clients agree
//! on both paths and their fields. Capturing less than the hold is \[U\]
//! (two weak sources); how long a hold lives and how to release one without
//! capturing are not documented anywhere.
//!
//! Until completed, the held money is not credited: EPoint shows it as
//! pending balance in the business panel.

use payments_core::{HttpRequest, HttpResponse, Money, Result};
use serde::Serialize;

use super::payment::{Installment, PayRequest, RedirectResponse, parse_pay, pay_wire};
use super::saved_card::{PaymentResponse, parse_payment};
use super::{check_amount, check_documented, check_text, signed_request};
use crate::config::EpointConfig;
use crate::wire::WireAmount;

/// A hold (`pre-auth-request`): the same fields as a payment
/// ([`PayRequest`]) without `is_installment`.
pub type PreAuthRequest = PayRequest;

/// Builds the signed `pre-auth-request` call (vector E1).
pub fn build_pre_auth(config: &EpointConfig, request: &PreAuthRequest) -> Result<HttpRequest> {
    let wire = pay_wire(config, request, Installment::Refused("pre-auth-request"))?;
    signed_request(config, "pre-auth-request", &wire)
}

/// Parses the `pre-auth-request` answer (`status`, `transaction`,
/// `redirect_url`, `message`, `trace_id`). Keep `transaction`: the capture needs it.
pub fn parse_pre_auth(response: &HttpResponse) -> Result<RedirectResponse> {
    parse_pay(response)
}

/// A capture of a hold (`pre-auth-complete`), fully or partly.
///
/// The payload is exactly `public_key`, `transaction`, `amount`: no
/// `language`, no `currency` (all five sources). The amount must therefore
/// be in AZN, the hold's only documented currency.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreAuthCompleteRequest {
    /// The hold's transaction id (`te...`).
    pub transaction: String,
    /// The amount to capture: the whole hold, or less (partial capture is
    /// \[U\]; a sandbox refuses more than the hold).
    pub amount: Money,
}

impl PreAuthCompleteRequest {
    /// A capture of `amount` of the hold `transaction`.
    pub fn new(transaction: impl Into<String>, amount: Money) -> Self {
        PreAuthCompleteRequest {
            transaction: transaction.into(),
            amount,
        }
    }
}

#[derive(Serialize)]
struct PreAuthCompleteWire<'a> {
    public_key: &'a str,
    transaction: &'a str,
    amount: WireAmount,
}

/// Builds the signed `pre-auth-complete` call (vector E2).
pub fn build_pre_auth_complete(config: &EpointConfig, request: &PreAuthCompleteRequest) -> Result<HttpRequest> {
    check_text("transaction", &request.transaction, 255)?;
    check_amount("amount", request.amount)?;
    check_documented("amount", request.amount)?;
    let wire = PreAuthCompleteWire {
        public_key: config.public_key(),
        transaction: &request.transaction,
        amount: WireAmount(request.amount),
    };
    signed_request(config, "pre-auth-complete", &wire)
}

/// Parses the `pre-auth-complete` answer. Every field but `status` is
/// optional (the document lists none; clients read `transaction`, `rrn`,
/// `card_mask`, `amount`, ...). A decline is `Ok`; `server_error` is an `Err`.
pub fn parse_pre_auth_complete(response: &HttpResponse) -> Result<PaymentResponse> {
    parse_payment(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, Error, crypto};

    fn config() -> EpointConfig {
        EpointConfig::builder()
            .public_key("i000000001")
            .private_key("test-private-key")
            .success_redirect_url("https://shop.example/ok")
            .failed_redirect_url("https://shop.example/fail")
            .build()
            .unwrap()
    }

    fn fields(req: &HttpRequest) -> (String, String) {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&req.body).into_owned().collect();
        assert_eq!(pairs.len(), 2);
        (pairs[0].1.clone(), pairs[1].1.clone())
    }

    #[test]
    fn pre_auth_matches_vector_e1() {
        let req = PreAuthRequest::new("order-0002", Money::parse_major("10.50", Currency::AZN).unwrap())
            .description("Hotel deposit");
        let http = build_pre_auth(&config(), &req).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/pre-auth-request");
        let (data, signature) = fields(&http);
        assert_eq!(
            String::from_utf8(crypto::base64_decode(data.as_bytes()).unwrap()).unwrap(),
            r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "order-0002", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Hotel deposit", "other_attr": null}"#
        );
        assert_eq!(
            data,
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAiYW1vdW50IjogIjEwLjUwIiwgImN1cnJlbmN5IjogIkFaTiIsICJvcmRlcl9pZCI6ICJvcmRlci0wMDAyIiwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIiwgImRlc2NyaXB0aW9uIjogIkhvdGVsIGRlcG9zaXQiLCAib3RoZXJfYXR0ciI6IG51bGx9"
        );
        assert_eq!(signature, "5HcfpgngGPLa0yQXySgmT5bZKss=");
    }

    #[test]
    fn pre_auth_complete_matches_vector_e2() {
        let req = PreAuthCompleteRequest::new("te000000002", Money::parse_major("8.00", Currency::AZN).unwrap());
        let http = build_pre_auth_complete(&config(), &req).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/pre-auth-complete");
        let (data, signature) = fields(&http);
        assert_eq!(
            data,
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDIiLCAiYW1vdW50IjogIjguMDAifQ=="
        );
        assert_eq!(signature, "WW691g3niBZL9fWDO4Gva/MRSqU=");
    }

    #[test]
    fn refuses_what_the_hold_does_not_take() {
        let usd = PreAuthCompleteRequest::new("te1", Money::from_minor(800, Currency::USD));
        assert!(matches!(
            build_pre_auth_complete(&config(), &usd),
            Err(Error::InvalidInput { field, .. }) if field == "amount"
        ));
        let zero = PreAuthCompleteRequest::new("te1", Money::from_minor(0, Currency::AZN));
        assert!(build_pre_auth_complete(&config(), &zero).is_err());
        let installment = PreAuthRequest::new("o", Money::from_minor(100, Currency::AZN)).installment(true);
        assert!(matches!(
            build_pre_auth(&config(), &installment),
            Err(Error::InvalidInput { field, .. }) if field == "is_installment"
        ));
    }
}
