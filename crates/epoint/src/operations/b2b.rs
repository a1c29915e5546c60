//! B2B bank transfers \[U\]: a transfer from the merchant's EPoint balance to
//! a company or person's bank account (`b2b/payment`), its status
//! (`GET b2b/payment/{order_id}`), and the **unsigned** webhook sent when it
//! ends.
//!
//! Known from one source only (the m56 sandbox and its PyPI client, which
//! marks them "not exercised against production"); they may differ in
//! production. Differences from the rest of the API, as that source shows
//! them: the signed pair travels as a JSON object whatever the configured
//! encoding; errors use real HTTP status codes (`422 {"detail": ...}`); the
//! status call is an unsigned GET; statuses are upper case.
//!
//! The webhook carries no signature: anyone can post one. [`parse_webhook`]
//! returns an [`UnconfirmedB2bWebhook`] that cannot be acted on; only
//! [`UnconfirmedB2bWebhook::confirm`] with the status call's answer (order,
//! amount and a terminal status that agrees) yields a [`ConfirmedB2bTransfer`].

use std::fmt::Write as _;

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Money, Result, Secret};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{check_amount, check_documented, check_opt_url, check_text, signed_request_as};
use crate::config::{EpointConfig, RequestEncoding};
use crate::error::{read_json, read_private_json, reject_server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_decimal, opt_text};

/// Longest `description` of a transfer.
pub const MAX_B2B_DESCRIPTION_LEN: usize = 255;

/// A bank transfer (`b2b/payment`) \[U\].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct B2bPaymentRequest {
    /// The merchant's unique id of this transfer.
    pub order_id: String,
    /// The amount, in AZN (the payload carries no currency).
    pub amount: Money,
    /// The payment purpose (at most 255 characters).
    pub description: String,
    /// The payee's IBAN (`AZ` + 18 to 32 letters or digits; upper-cased before sending).
    pub iban: Secret<String>,
    /// The payee's name.
    pub name: String,
    /// The payee's tax id: 10 digits ending in 1 (person) or 2 (company).
    pub tin: Secret<String>,
    /// The payee bank's code (e.g. `505141`).
    pub bank_code: String,
    /// The payee bank's name.
    pub bank_name: Option<String>,
    /// The payee's e-mail.
    pub email: Option<Secret<String>>,
    /// The payee's address.
    pub address: Option<Secret<String>>,
    /// Additional information.
    pub additional_info: Option<String>,
    /// Description of a bulk.
    pub bulk_description: Option<String>,
    /// Where EPoint posts the (unsigned) webhook when the transfer ends.
    pub webhook_url: Option<String>,
}

impl B2bPaymentRequest {
    /// A transfer of `amount` to `iban` of payee `name` (tax id `tin`) at bank `bank_code`.
    pub fn new(order_id: impl Into<String>, amount: Money, description: impl Into<String>, payee: B2bPayee) -> Self {
        B2bPaymentRequest {
            order_id: order_id.into(),
            amount,
            description: description.into(),
            iban: payee.iban,
            name: payee.name,
            tin: payee.tin,
            bank_code: payee.bank_code,
            bank_name: None,
            email: None,
            address: None,
            additional_info: None,
            bulk_description: None,
            webhook_url: None,
        }
    }

    /// Sets the webhook URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Sets the payee bank's name.
    pub fn bank_name(mut self, name: impl Into<String>) -> Self {
        self.bank_name = Some(name.into());
        self
    }

    /// Sets the payee's e-mail.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(Secret::new(email.into()));
        self
    }

    /// Sets the payee's address.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(Secret::new(address.into()));
        self
    }

    /// Sets additional information.
    pub fn additional_info(mut self, text: impl Into<String>) -> Self {
        self.additional_info = Some(text.into());
        self
    }

    /// Sets the bulk description.
    pub fn bulk_description(mut self, text: impl Into<String>) -> Self {
        self.bulk_description = Some(text.into());
        self
    }
}

/// Who receives a bank transfer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct B2bPayee {
    /// IBAN.
    pub iban: Secret<String>,
    /// Name.
    pub name: String,
    /// Tax id.
    pub tin: Secret<String>,
    /// Bank code.
    pub bank_code: String,
}

impl B2bPayee {
    /// A payee.
    pub fn new(
        iban: impl Into<String>,
        name: impl Into<String>,
        tin: impl Into<String>,
        bank_code: impl Into<String>,
    ) -> Self {
        B2bPayee {
            iban: Secret::new(iban.into()),
            name: name.into(),
            tin: Secret::new(tin.into()),
            bank_code: bank_code.into(),
        }
    }
}

#[derive(Serialize)]
struct B2bWire<'a> {
    public_key: &'a str,
    order_id: &'a str,
    amount: WireAmount,
    description: &'a str,
    iban: &'a str,
    name: &'a str,
    tin: &'a str,
    bank_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bank_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_info: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bulk_description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_url: Option<&'a str>,
}

fn check_iban(iban: &str) -> Result<String> {
    let upper = iban.trim().to_ascii_uppercase();
    let body = upper.strip_prefix("AZ").unwrap_or("");
    if !(18..=32).contains(&body.len()) || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // Never echo the value: it identifies an account.
        return Err(Error::invalid_input(
            "iban",
            "must be AZ followed by 18 to 32 letters or digits",
        ));
    }
    Ok(upper)
}

fn check_tin(tin: &str) -> Result<()> {
    let ok = tin.len() == 10 && tin.bytes().all(|b| b.is_ascii_digit()) && matches!(tin.as_bytes()[9], b'1' | b'2');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "tin",
            "must be 10 digits ending in 1 (person) or 2 (company)",
        ))
    }
}

/// Builds the signed `b2b/payment` call \[U\]: always a JSON body
/// `{"data": ..., "signature": ...}`; optional fields left unset are not sent.
pub fn build_b2b_payment(config: &EpointConfig, request: &B2bPaymentRequest) -> Result<HttpRequest> {
    check_text("order_id", &request.order_id, super::MAX_ORDER_ID_LEN)?;
    check_amount("amount", request.amount)?;
    check_documented("amount", request.amount)?;
    check_text("description", &request.description, MAX_B2B_DESCRIPTION_LEN)?;
    let iban = check_iban(request.iban.expose_secret())?;
    check_text("name", &request.name, 255)?;
    check_tin(request.tin.expose_secret())?;
    check_text("bank_code", &request.bank_code, 64)?;
    check_opt_url("webhook_url", request.webhook_url.as_deref())?;
    let wire = B2bWire {
        public_key: config.public_key(),
        order_id: &request.order_id,
        amount: WireAmount(request.amount),
        description: &request.description,
        iban: &iban,
        name: &request.name,
        tin: request.tin.expose_secret(),
        bank_code: &request.bank_code,
        bank_name: request.bank_name.as_deref(),
        email: request.email.as_ref().map(|e| e.expose_secret().as_str()),
        address: request.address.as_ref().map(|a| a.expose_secret().as_str()),
        additional_info: request.additional_info.as_deref(),
        bulk_description: request.bulk_description.as_deref(),
        webhook_url: request.webhook_url.as_deref(),
    };
    signed_request_as(config, "b2b/payment", &wire, RequestEncoding::Json)
}

/// EPoint's answer to a transfer \[U\].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct B2bPaymentResponse {
    /// `success`, or a refusal.
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The order id, echoed.
    #[serde(default, deserialize_with = "opt_text")]
    pub order_id: Option<String>,
    /// The bulk id (`bulkId` on the wire).
    #[serde(default, rename = "bulkId", deserialize_with = "opt_text")]
    pub bulk_id: Option<String>,
}

/// Parses the `b2b/payment` answer; a non-2xx answer (`422 {"detail"}`) is an [`Error::Provider`].
pub fn parse_b2b_payment(response: &HttpResponse) -> Result<B2bPaymentResponse> {
    let body: B2bPaymentResponse = read_json(response)?;
    reject_server_error(&body.status, body.message.as_deref(), response)?;
    Ok(body)
}

/// Builds the status query `GET <base>/api/1/b2b/payment/{order_id}` \[U\]
/// (unsigned in the one source; the order id is percent-encoded).
pub fn build_b2b_status(config: &EpointConfig, order_id: &str) -> Result<HttpRequest> {
    check_text("order_id", order_id, super::MAX_ORDER_ID_LEN)?;
    let mut path = String::from("b2b/payment/");
    for piece in form_urlencoded::byte_serialize(order_id.as_bytes()) {
        // form encoding writes a space as `+`; a path needs `%20`.
        if piece == "+" {
            path.push_str("%20");
        } else {
            let _ = write!(path, "{piece}");
        }
    }
    Ok(HttpRequest::get(config.endpoint(&path)))
}

wire_enum! {
    /// A transfer's state as the status call reports it (upper case on the wire).
    B2bStatus {
        /// Accepted, not started.
        Pending = "PENDING",
        /// Under way.
        Processing = "PROCESSING",
        /// Done: the money left.
        Success = "SUCCESS",
        /// Failed: the money did not leave.
        Failed = "FAILED",
    }
}

impl B2bStatus {
    /// True for `SUCCESS` and `FAILED`.
    pub fn is_final(&self) -> bool {
        matches!(self, B2bStatus::Success | B2bStatus::Failed)
    }
}

/// A transfer's state \[U\].
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct B2bStatusResponse {
    /// The state.
    pub status: B2bStatus,
    /// The order id.
    #[serde(default, deserialize_with = "opt_text")]
    pub order_id: Option<String>,
    /// The bulk id.
    #[serde(default, rename = "bulkId", deserialize_with = "opt_text")]
    pub bulk_id: Option<String>,
    /// The amount, exactly as sent (AZN).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// The payee's IBAN.
    #[serde(default, deserialize_with = "opt_secret")]
    pub payee_iban: Option<Secret<String>>,
    /// The payee's name.
    #[serde(default, deserialize_with = "opt_text")]
    pub payee_name: Option<String>,
    /// Whether the webhook was sent.
    #[serde(default)]
    pub webhook_sent: Option<bool>,
    /// Creation time, as sent.
    #[serde(default, deserialize_with = "opt_text")]
    pub created_at: Option<String>,
    /// EPoint's trace id.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
}

fn opt_secret<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Secret<String>>, D::Error> {
    Ok(opt_text(d)?.map(Secret::new))
}

/// Parses the status answer; 404 (unknown order) is an [`Error::Provider`] with HTTP 404.
pub fn parse_b2b_status(response: &HttpResponse) -> Result<B2bStatusResponse> {
    if !response.body.is_empty() && !crate::wire::is_object(&response.body) && response.is_success() {
        return Err(Error::unreadable_redacted(
            crate::PROVIDER,
            response.status,
            "the B2B status answer is not a JSON object",
            None,
        ));
    }
    read_private_json(response)
}

/// What an unsigned B2B webhook claims \[U\]. Nothing here is proof: confirm
/// it with [`UnconfirmedB2bWebhook::confirm`] before acting.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct UnconfirmedB2bWebhook {
    /// The claimed order id.
    #[serde(deserialize_with = "required_text")]
    pub order_id: String,
    /// The claimed outcome (`success`/`failed`, lower case).
    pub status: Status,
    /// The claimed amount.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub amount: Option<Decimal>,
    /// The claimed payee IBAN.
    #[serde(default, deserialize_with = "opt_secret")]
    pub payee_iban: Option<Secret<String>>,
    /// The claimed payee name.
    #[serde(default, deserialize_with = "opt_text")]
    pub payee_name: Option<String>,
    /// The claimed error message.
    #[serde(default, deserialize_with = "opt_text")]
    pub error_message: Option<String>,
    /// A trace id, when sent.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
}

fn required_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    opt_text(d)?
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| serde::de::Error::custom("order_id is missing"))
}

/// Reads an (unsigned) B2B webhook body (`application/json`). A body that is
/// not a JSON object with `order_id` and `status` is an
/// [`Error::MalformedCallback`].
pub fn parse_webhook(body: &[u8]) -> Result<UnconfirmedB2bWebhook> {
    payments_core::callback::check_size(body, payments_core::callback::MAX_CALLBACK_BYTES)?;
    if !crate::wire::is_object(body) {
        return Err(Error::malformed_callback("B2B webhook is not a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| Error::malformed_callback(format!("B2B webhook: {e}")))
}

/// A B2B transfer whose final state the status call confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfirmedB2bTransfer {
    /// The order id.
    pub order_id: String,
    /// The amount the status call reported.
    pub amount: Money,
    /// `SUCCESS` or `FAILED`, as the status call reported it.
    pub status: B2bStatus,
}

impl UnconfirmedB2bWebhook {
    /// Binds the claim to the status call's answer: the same order, the
    /// expected amount (`expected`, in AZN) in both, a final status, and the
    /// webhook's outcome agreeing with it. The result is the QUERIED state.
    /// A mismatch is an [`Error::Mismatch`] naming the field (the status
    /// call's answer is authoritative; the webhook is not).
    pub fn confirm(&self, queried: &B2bStatusResponse, expected: Money) -> Result<ConfirmedB2bTransfer> {
        let mismatch = |field: &'static str, why: &str| Error::mismatch(field, format!("B2B webhook: {why}"));
        check_documented("amount", expected)?;
        if queried.order_id.as_deref() != Some(self.order_id.as_str()) {
            return Err(mismatch("order_id", "the status call is about another order"));
        }
        let as_money = |d: Decimal| Money::from_decimal(d, Currency::AZN).ok();
        let queried_amount = queried.amount.and_then(as_money);
        if queried_amount != Some(expected) {
            return Err(mismatch(
                "amount",
                "the status call does not report the expected amount",
            ));
        }
        if let Some(claimed) = self.amount
            && as_money(claimed) != Some(expected)
        {
            return Err(mismatch("amount", "the webhook claims another amount"));
        }
        if !queried.status.is_final() {
            return Err(mismatch("status", "the transfer is not final yet"));
        }
        let agrees = match queried.status {
            B2bStatus::Success => self.status.is_success(),
            _ => self.status.is_declined(),
        };
        if !agrees {
            return Err(mismatch(
                "status",
                "the webhook's outcome disagrees with the status call",
            ));
        }
        Ok(ConfirmedB2bTransfer {
            order_id: self.order_id.clone(),
            amount: expected,
            status: queried.status.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::crypto;

    fn payee() -> B2bPayee {
        B2bPayee::new("az21nabz00000000137010001944", "Technology LLC", "1234567892", "505141")
    }

    #[test]
    fn b2b_payment_is_a_json_envelope_with_the_spec_payload() {
        let config = EpointConfig::new("i000000001", "test-private-key").unwrap();
        let req = B2bPaymentRequest::new(
            "b2b-0001",
            Money::parse_major("1000.00", Currency::AZN).unwrap(),
            "Advance payment",
            payee(),
        )
        .webhook_url("https://shop.example/b2b");
        let http = build_b2b_payment(&config, &req).unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/b2b/payment");
        assert_eq!(http.header_value("Content-Type"), Some("application/json"));
        let env: serde_json::Value = serde_json::from_slice(&http.body).unwrap();
        let data = env["data"].as_str().unwrap();
        assert_eq!(
            String::from_utf8(crypto::base64_decode(data.as_bytes()).unwrap()).unwrap(),
            r#"{"public_key": "i000000001", "order_id": "b2b-0001", "amount": "1000.00", "description": "Advance payment", "iban": "AZ21NABZ00000000137010001944", "name": "Technology LLC", "tin": "1234567892", "bank_code": "505141", "webhook_url": "https://shop.example/b2b"}"#
        );
        assert_eq!(env["signature"], crate::testing::sign(config.private_key(), data));
        assert!(!format!("{req:?}").contains("137010001944"));
    }

    #[test]
    fn bad_payee_data_is_refused_without_echoing_it() {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let amount = Money::from_minor(100, Currency::AZN);
        for (payee, field) in [
            (
                B2bPayee::new("DE21NABZ00000000137010001944", "n", "1234567892", "505141"),
                "iban",
            ),
            (B2bPayee::new("AZ21", "n", "1234567892", "505141"), "iban"),
            (
                B2bPayee::new("AZ21NABZ00000000137010001944", "n", "1234567893", "505141"),
                "tin",
            ),
            (
                B2bPayee::new("AZ21NABZ00000000137010001944", "n", "12345", "505141"),
                "tin",
            ),
        ] {
            let err = build_b2b_payment(&config, &B2bPaymentRequest::new("o", amount, "d", payee)).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field: f, .. } if f == field),
                "{err:?}"
            );
            assert!(!err.to_string().contains("1234567893") && !err.to_string().contains("0000013701"));
        }
        let usd = B2bPaymentRequest::new("o", Money::from_minor(100, Currency::USD), "d", payee());
        assert!(build_b2b_payment(&config, &usd).is_err());
    }

    #[test]
    fn status_path_is_encoded() {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let http = build_b2b_status(&config, "b2b 1/x").unwrap();
        assert_eq!(http.url, "https://epoint.az/api/1/b2b/payment/b2b%201%2Fx");
    }

    fn queried(status: &str, amount: &str, order: &str) -> B2bStatusResponse {
        serde_json::from_str(&format!(
            r#"{{"status":"{status}","order_id":"{order}","amount":"{amount}"}}"#
        ))
        .unwrap()
    }

    #[test]
    fn webhook_is_confirmed_only_by_an_agreeing_status() {
        let hook = parse_webhook(br#"{"order_id":"b2b-0001","status":"success","amount":"1000.00"}"#).unwrap();
        let expected = Money::parse_major("1000.00", Currency::AZN).unwrap();
        let ok = hook
            .confirm(&queried("SUCCESS", "1000.00", "b2b-0001"), expected)
            .unwrap();
        assert_eq!(ok.status, B2bStatus::Success);
        for (q, why) in [
            (queried("PROCESSING", "1000.00", "b2b-0001"), "final"),
            (queried("FAILED", "1000.00", "b2b-0001"), "disagrees"),
            (queried("SUCCESS", "999.00", "b2b-0001"), "expected amount"),
            (queried("SUCCESS", "1000.00", "b2b-0002"), "another order"),
        ] {
            let err = hook.confirm(&q, expected).unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
        assert!(matches!(parse_webhook(b"[1]"), Err(Error::MalformedCallback { .. })));
        assert!(matches!(
            parse_webhook(br#"{"status":"success"}"#),
            Err(Error::MalformedCallback { .. })
        ));
    }
}
