//! Host-to-host payments: `POST {api}/payment/cryptopay` with the payment
//! token (card cryptogram, Apple Pay, Google Pay, HalykID, card verification),
//! and the HalykID card list (`GET {api}/hb-cards`).
//!
//! **Production only and PCI DSS**: ePay's Apple Pay and Google Pay pages say
//! the integration can only be carried out in production, and sending card
//! cryptograms requires PCI DSS certification. The cryptogram is produced by
//! the caller (RSA PKCS#1 v1.5 under ePay's public key over
//! `{"hpan","expDate","cvc","terminalId"}`, per the official SDK \[U\]) and
//! passed here as an opaque secret. The URL is configuration
//! ([`crate::EpayConfigBuilder::cryptopay_url`]): ePay's pages and its SDK
//! disagree on the `/api` prefix. The body is ePay's docs tables plus the
//! SDK's fields; SDK-only fields (`paymentType` values, `osuvoxCardId`,
//! `not3d`, the `x-homebank-auth` header, the HalykID card list) are \[U\].

use std::fmt;

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::config::{EpayConfig, Language};
use crate::error::api_error;
use crate::operations::token::check_operation_amount;
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// `paymentType` of a host-to-host payment (the official SDK's values) \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaymentType {
    /// `applePay`: the Apple Pay token goes in `applePay`.
    ApplePay,
    /// `halykId`: a Homebank card chosen by `osuvoxCardId`.
    HalykId,
    /// `masterPass`.
    MasterPass,
    /// `cardVerification`: save a card without paying (amount 0 USD).
    CardVerification,
    /// Any other value ePay documents later.
    Other(String),
}

impl PaymentType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            PaymentType::ApplePay => "applePay",
            PaymentType::HalykId => "halykId",
            PaymentType::MasterPass => "masterPass",
            PaymentType::CardVerification => "cardVerification",
            PaymentType::Other(s) => s,
        }
    }
}

/// A host-to-host payment. `Debug` shows neither the cryptogram nor the
/// Homebank token.
#[derive(Clone)]
#[non_exhaustive]
pub struct HostPayment {
    /// The merchant's invoice id (6 to 15 digits), as in the payment token.
    pub invoice_id: String,
    /// `invoiceIdAlt`.
    pub invoice_id_alt: Option<String>,
    /// The amount, as in the payment token (zero only for card verification, USD).
    pub amount: Money,
    /// The card holder (`name`).
    pub name: String,
    /// The encrypted card cryptogram (`cryptogram`); HalykID payments have none.
    pub cryptogram: Option<Secret<String>>,
    /// Description (at most 125 bytes).
    pub description: String,
    /// `accountId`: the customer in the merchant's system (key of the saved-card list).
    pub account_id: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `postLink`; the configuration's default when `None`.
    pub post_link: Option<String>,
    /// `failurePostLink`; the configuration's default when `None`.
    pub failure_post_link: Option<String>,
    /// `backLink` (SDK only); the configuration's default when `None`.
    pub back_link: Option<String>,
    /// `failureBackLink` (SDK only); the configuration's default when `None`.
    pub failure_back_link: Option<String>,
    /// `cardSave`.
    pub card_save: bool,
    /// `data`: extra JSON text shown in reports.
    pub data: Option<String>,
    /// `language`; the configuration's default when `None`.
    pub language: Option<Language>,
    /// `paymentType`, when not a plain card cryptogram.
    pub payment_type: Option<PaymentType>,
    /// `applePay`: the Apple Pay token object as received from Apple.
    pub apple_pay: Option<Box<RawValue>>,
    /// `osuvoxCardId`: the chosen Homebank card's `systemAttributeId` (HalykID).
    pub osuvox_card_id: Option<String>,
    /// The Homebank token sent as `x-homebank-auth: Bearer ...` (HalykID).
    pub homebank_token: Option<Secret<String>>,
    /// `Self-Cert` header of Apple Pay payments (SDK).
    pub self_cert: Option<bool>,
}

impl fmt::Debug for HostPayment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostPayment")
            .field("invoice_id", &self.invoice_id)
            .field("amount", &self.amount)
            .field("payment_type", &self.payment_type)
            .field("card_save", &self.card_save)
            .finish_non_exhaustive()
    }
}

impl HostPayment {
    /// A card-cryptogram payment (also Google Pay, whose token the merchant
    /// decrypts into a cryptogram).
    pub fn card(
        invoice_id: impl Into<String>,
        amount: Money,
        name: impl Into<String>,
        cryptogram: Secret<String>,
        description: impl Into<String>,
    ) -> Self {
        HostPayment {
            invoice_id: invoice_id.into(),
            invoice_id_alt: None,
            amount,
            name: name.into(),
            cryptogram: Some(cryptogram),
            description: description.into(),
            account_id: None,
            email: None,
            phone: None,
            post_link: None,
            failure_post_link: None,
            back_link: None,
            failure_back_link: None,
            card_save: false,
            data: None,
            language: None,
            payment_type: None,
            apple_pay: None,
            osuvox_card_id: None,
            homebank_token: None,
            self_cert: None,
        }
    }

    /// An Apple Pay payment: `token` is the Apple Pay token JSON object;
    /// `cryptogram` the SDK's placeholder cryptogram \[U\].
    pub fn apple_pay(
        invoice_id: impl Into<String>,
        amount: Money,
        name: impl Into<String>,
        cryptogram: Secret<String>,
        description: impl Into<String>,
        token: &str,
    ) -> Result<Self> {
        let raw = RawValue::from_string(token.to_owned())
            .ok()
            .filter(|r| r.get().trim_start().starts_with('{'))
            .ok_or_else(|| Error::invalid_input("apple_pay", "must be the Apple Pay token JSON object"))?;
        let mut p = HostPayment::card(invoice_id, amount, name, cryptogram, description);
        p.payment_type = Some(PaymentType::ApplePay);
        p.apple_pay = Some(raw);
        Ok(p)
    }

    /// A HalykID payment with the Homebank card `osuvox_card_id` (its
    /// `systemAttributeId` from [`crate::EpayClient::halyk_id_cards`]) \[U\].
    pub fn halyk_id(
        invoice_id: impl Into<String>,
        amount: Money,
        description: impl Into<String>,
        osuvox_card_id: impl Into<String>,
        homebank_token: Secret<String>,
    ) -> Self {
        let mut p = HostPayment::card(invoice_id, amount, "", Secret::from(""), description);
        p.cryptogram = None;
        p.payment_type = Some(PaymentType::HalykId);
        p.osuvox_card_id = Some(osuvox_card_id.into());
        p.homebank_token = Some(homebank_token);
        p
    }

    /// Card verification: saves the card without paying (amount 0 USD, `cardSave`).
    pub fn card_verification(
        invoice_id: impl Into<String>,
        name: impl Into<String>,
        cryptogram: Secret<String>,
        description: impl Into<String>,
    ) -> Self {
        let mut p = HostPayment::card(
            invoice_id,
            Money::from_minor(0, Currency::USD),
            name,
            cryptogram,
            description,
        );
        p.payment_type = Some(PaymentType::CardVerification);
        p.card_save = true;
        p
    }

    /// True for card verification (the only zero-amount payment).
    pub fn is_card_verification(&self) -> bool {
        self.payment_type == Some(PaymentType::CardVerification)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::invoice_id("invoice_id", &self.invoice_id)?;
        check_operation_amount(self.amount, self.is_card_verification())?;
        validate::description("description", &self.description)?;
        validate::required("description", &self.description)?;
        let halyk = self.payment_type == Some(PaymentType::HalykId);
        if halyk {
            validate::required("osuvox_card_id", self.osuvox_card_id.as_deref().unwrap_or(""))?;
            if self.homebank_token.as_ref().is_none_or(Secret::is_empty) {
                return Err(Error::invalid_input("homebank_token", "is required for HalykID"));
            }
        } else {
            validate::required("name", &self.name)?;
            if self.cryptogram.as_ref().is_none_or(Secret::is_empty) {
                return Err(Error::invalid_input("cryptogram", "is required"));
            }
        }
        if self.payment_type == Some(PaymentType::ApplePay) && self.apple_pay.is_none() {
            return Err(Error::invalid_input("apple_pay", "is required for Apple Pay"));
        }
        if let Some(e) = &self.email {
            validate::email("email", e)?;
        }
        if let Some(d) = &self.data {
            serde_json::from_str::<serde::de::IgnoredAny>(d)
                .map_err(|_| Error::invalid_input("data", "must be a JSON text"))?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostPaymentWire<'a> {
    amount: wire::JsonAmount,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cryptogram: Option<&'a str>,
    invoice_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id_alt: Option<&'a str>,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_back_link: Option<&'a str>,
    card_save: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terminal_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apple_pay: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    osuvox_card_id: Option<&'a str>,
    #[serde(rename = "not3d", skip_serializing_if = "Option::is_none")]
    not_3d: Option<bool>,
}

/// Builds `POST` to the configured cryptopay URL with the payment token
/// issued for this invoice and amount.
pub fn build_host_payment(config: &EpayConfig, p: &HostPayment, payment_token: &Secret<String>) -> Result<HttpRequest> {
    p.validate()?;
    let pick = |own: &Option<String>, default: &Option<String>| own.clone().or_else(|| default.clone());
    let post_link = pick(&p.post_link, &config.post_link);
    let failure_post_link = pick(&p.failure_post_link, &config.failure_post_link);
    let back_link = pick(&p.back_link, &config.back_link);
    let failure_back_link = pick(&p.failure_back_link, &config.failure_back_link);
    for (name, v) in [
        ("post_link", &post_link),
        ("failure_post_link", &failure_post_link),
        ("back_link", &back_link),
        ("failure_back_link", &failure_back_link),
    ] {
        validate::opt_url(name, v.as_deref())?;
    }
    let halyk = p.payment_type == Some(PaymentType::HalykId);
    // The SDK sends the terminal with Apple Pay and HalykID payments.
    let with_terminal = matches!(p.payment_type, Some(PaymentType::ApplePay | PaymentType::HalykId));
    let body = HostPaymentWire {
        amount: wire::amount_json(p.amount)?,
        currency: p.amount.currency().alpha_code(),
        name: Some(p.name.as_str()).filter(|n| !n.is_empty()),
        cryptogram: p.cryptogram.as_ref().map(|c| c.expose_secret().as_str()),
        invoice_id: &p.invoice_id,
        invoice_id_alt: p.invoice_id_alt.as_deref(),
        description: &p.description,
        account_id: p.account_id.as_deref(),
        email: p.email.as_deref(),
        phone: p.phone.as_deref(),
        post_link: post_link.as_deref(),
        failure_post_link: failure_post_link.as_deref(),
        back_link: back_link.as_deref(),
        failure_back_link: failure_back_link.as_deref(),
        card_save: p.card_save,
        data: p.data.as_deref(),
        language: p.language.unwrap_or(config.language).as_str(),
        payment_type: p.payment_type.as_ref().map(PaymentType::as_str),
        terminal_id: with_terminal.then_some(config.terminal_id.as_str()),
        apple_pay: p.apple_pay.as_deref(),
        osuvox_card_id: p.osuvox_card_id.as_deref(),
        not_3d: halyk.then_some(false),
    };
    let mut req = wire::json_request(Method::Post, config.cryptopay_url.clone(), &body)?.bearer(payment_token);
    if let Some(t) = &p.homebank_token {
        req = req.header("x-homebank-auth", format!("Bearer {}", t.expose_secret()));
    }
    if let Some(c) = p.self_cert {
        req = req.header("Self-Cert", if c { "true" } else { "false" });
    }
    Ok(req)
}

/// The 3-D Secure step a host-to-host payment may need: post `PaReq`, `MD`
/// and `TermUrl` to `action` (the issuer's ACS) from the customer's browser \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Secure3d {
    /// `paReq`.
    pub pa_req: String,
    /// `md`.
    pub md: String,
    /// `termURL`.
    pub term_url: String,
    /// `action`: the ACS URL.
    pub action: String,
}

/// ePay's answer to a host-to-host payment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HostPaymentResult {
    /// `id`: ePay's transaction id.
    pub id: String,
    /// `amount`.
    pub amount: Option<Money>,
    /// `currency` as stated.
    pub currency: Option<Currency>,
    /// `invoiceID`.
    pub invoice_id: Option<String>,
    /// `accountId`.
    pub account_id: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// `intReference`.
    pub int_reference: Option<String>,
    /// `cardID`: the saved card, when the card was saved.
    pub card_id: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `language`.
    pub language: Option<String>,
    /// `secure3D`: present when the customer must pass 3-D Secure first.
    pub secure_3d: Option<Secure3d>,
}

#[derive(Deserialize)]
struct ResultWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(rename = "invoiceID", alias = "invoiceId", default, deserialize_with = "opt_text")]
    invoice_id: Option<String>,
    #[serde(rename = "accountId", alias = "accountID", default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(rename = "intReference", default, deserialize_with = "opt_text")]
    int_reference: Option<String>,
    #[serde(rename = "cardID", alias = "cardId", default, deserialize_with = "opt_text")]
    card_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    language: Option<String>,
    #[serde(rename = "secure3D", default)]
    secure_3d: Option<Secure3dWire>,
}

#[derive(Deserialize)]
struct Secure3dWire {
    #[serde(rename = "paReq", default, deserialize_with = "opt_text")]
    pa_req: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    md: Option<String>,
    #[serde(rename = "termURL", alias = "termUrl", default, deserialize_with = "opt_text")]
    term_url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    action: Option<String>,
}

/// Parses the host-to-host answer; `expected` (the payment's currency) reads
/// an amount sent without `currency`. ePay's `{code, message}` is a provider error.
pub fn parse_host_payment(resp: &HttpResponse, expected: Currency) -> Result<HostPaymentResult> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: ResultWire = wire::json_object(resp)?;
    let stated = wire::parse_currency(w.currency.as_deref(), resp.status)?;
    let Some(id) = w.id.filter(|s| !s.is_empty()) else {
        // An answer without a transaction: ePay's `{code, message}` when it has one.
        let err = api_error(resp);
        return Err(if err.provider_code().is_some() {
            err
        } else {
            Error::unreadable(PROVIDER, resp.status, "payment answer without id", &resp.body, None)
        });
    };
    let secure_3d = match w.secure_3d {
        None => None,
        Some(s) => {
            let need = |v: Option<String>, f: &str| {
                v.filter(|s| !s.is_empty())
                    .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, format!("secure3D without {f}"), b"", None))
            };
            Some(Secure3d {
                pa_req: need(s.pa_req, "paReq")?,
                md: need(s.md, "md")?,
                term_url: need(s.term_url, "termURL")?,
                action: need(s.action, "action")?,
            })
        }
    };
    Ok(HostPaymentResult {
        id,
        amount: wire::parse_amount(w.amount.as_deref(), stated.unwrap_or(expected), resp.status, "amount")?,
        currency: stated,
        invoice_id: w.invoice_id,
        account_id: w.account_id,
        reference: w.reference,
        int_reference: w.int_reference,
        card_id: w.card_id.filter(|s| !s.is_empty()),
        description: w.description,
        email: w.email,
        phone: w.phone,
        language: w.language,
        secure_3d,
    })
}

/// A Homebank card offered for HalykID payment \[U\].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HomebankCard {
    /// `aliasName`.
    pub alias_name: Option<String>,
    /// `isHidden`.
    pub is_hidden: Option<bool>,
    /// `systemAttributeId`: what `osuvoxCardId` takes.
    pub system_attribute_id: String,
    /// `cardInfo.cardMask`.
    pub card_mask: Option<String>,
    /// `cardInfo.currency`.
    pub currency: Option<String>,
    /// `cardInfo.cardType`.
    pub card_type: Option<String>,
    /// `cardInfo.isVirtual`.
    pub is_virtual: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HomebankCardWire {
    #[serde(default, deserialize_with = "opt_text")]
    alias_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    is_hidden: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    system_attribute_id: Option<String>,
    #[serde(default)]
    card_info: Option<CardInfoWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardInfoWire {
    #[serde(default, deserialize_with = "opt_text")]
    card_mask: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    is_virtual: Option<String>,
}

/// Builds `GET {api}/hb-cards?invoiceId=...` with the payment token and the
/// customer's Homebank token in `x-homebank-auth` \[U\].
pub fn build_halyk_id_cards(
    config: &EpayConfig,
    invoice_id: &str,
    payment_token: &Secret<String>,
    homebank_token: &Secret<String>,
) -> Result<HttpRequest> {
    validate::invoice_id("invoice_id", invoice_id)?;
    if homebank_token.is_empty() {
        return Err(Error::invalid_input("homebank_token", "is required"));
    }
    Ok(
        HttpRequest::get(config.api(&format!("/hb-cards?invoiceId={invoice_id}")))
            .bearer(payment_token)
            .header("x-homebank-auth", format!("Bearer {}", homebank_token.expose_secret())),
    )
}

/// Parses the Homebank card list (a JSON array).
pub fn parse_halyk_id_cards(resp: &HttpResponse) -> Result<Vec<HomebankCard>> {
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
    let cards: Vec<HomebankCardWire> = resp.json(PROVIDER)?;
    let flag = |v: Option<String>| v.map(|s| s == "true");
    cards
        .into_iter()
        .map(|c| {
            let info = c.card_info;
            Ok(HomebankCard {
                system_attribute_id: c.system_attribute_id.filter(|s| !s.is_empty()).ok_or_else(|| {
                    Error::unreadable(PROVIDER, resp.status, "a card without systemAttributeId", b"", None)
                })?,
                alias_name: c.alias_name,
                is_hidden: flag(c.is_hidden),
                card_mask: info.as_ref().and_then(|i| i.card_mask.clone()),
                currency: info.as_ref().and_then(|i| i.currency.clone()),
                card_type: info.as_ref().and_then(|i| i.card_type.clone()),
                is_virtual: flag(info.and_then(|i| i.is_virtual)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EpayConfig {
        EpayConfig::builder("test", "s", "67e34d63-102f-4bd1-898e-370781d0074d")
            .api_url("https://api.test")
            .build()
            .unwrap()
    }

    #[test]
    fn a_card_payment_is_exact_and_hides_the_cryptogram() {
        let mut p = HostPayment::card(
            "000001234567",
            Money::from_minor(15050, Currency::KZT),
            "JOHN DOE",
            Secret::from("CRYPTO=="),
            "Order 1",
        );
        p.account_id = Some("u1".into());
        p.card_save = true;
        assert!(!format!("{p:?}").contains("CRYPTO"));
        let http = build_host_payment(&cfg(), &p, &Secret::from("PAY")).unwrap();
        assert_eq!(http.url, "https://api.test/payment/cryptopay");
        assert_eq!(http.header_value("authorization"), Some("Bearer PAY"));
        assert_eq!(http.header_value("content-type"), Some("application/json"));
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"amount":150.50,"currency":"KZT","name":"JOHN DOE","cryptogram":"CRYPTO==","invoiceId":"000001234567","description":"Order 1","accountId":"u1","cardSave":true,"language":"rus"}"#
        );
    }

    #[test]
    fn apple_pay_halyk_id_and_card_verification() {
        let p = HostPayment::apple_pay(
            "123456",
            Money::from_minor(100, Currency::KZT),
            "J",
            Secret::from("C"),
            "d",
            r#"{"paymentData":{"version":"EC_v1"}}"#,
        )
        .unwrap();
        let mut p = p;
        p.self_cert = Some(true);
        let http = build_host_payment(&cfg(), &p, &Secret::from("PAY")).unwrap();
        assert_eq!(http.header_value("self-cert"), Some("true"));
        assert!(std::str::from_utf8(&http.body).unwrap().ends_with(
            r#""paymentType":"applePay","terminalId":"67e34d63-102f-4bd1-898e-370781d0074d","applePay":{"paymentData":{"version":"EC_v1"}}}"#
        ));
        assert!(
            HostPayment::apple_pay(
                "123456",
                Money::from_minor(1, Currency::KZT),
                "J",
                Secret::from("C"),
                "d",
                "[1]"
            )
            .is_err()
        );

        let h = HostPayment::halyk_id(
            "123456",
            Money::from_minor(100, Currency::KZT),
            "d",
            "sa-1",
            Secret::from("HB"),
        );
        let http = build_host_payment(&cfg(), &h, &Secret::from("PAY")).unwrap();
        assert_eq!(http.header_value("x-homebank-auth"), Some("Bearer HB"));
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"amount":1,"currency":"KZT","invoiceId":"123456","description":"d","cardSave":false,"language":"rus","paymentType":"halykId","terminalId":"67e34d63-102f-4bd1-898e-370781d0074d","osuvoxCardId":"sa-1","not3d":false}"#
        );
        assert!(!format!("{h:?}").contains("HB"));

        let v = HostPayment::card_verification("123456", "J", Secret::from("C"), "save");
        let body = build_host_payment(&cfg(), &v, &Secret::from("PAY")).unwrap().body;
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            r#"{"amount":0,"currency":"USD","name":"J","cryptogram":"C","invoiceId":"123456","description":"save","cardSave":true,"language":"rus","paymentType":"cardVerification"}"#
        );
        // Zero anywhere else is refused.
        let zero = HostPayment::card(
            "123456",
            Money::from_minor(0, Currency::USD),
            "J",
            Secret::from("C"),
            "d",
        );
        assert!(matches!(build_host_payment(&cfg(), &zero, &Secret::from("P")),
            Err(Error::InvalidInput { field, .. }) if field == "amount"));
        let no_crypto = HostPayment::card(
            "123456",
            Money::from_minor(1, Currency::KZT),
            "J",
            Secret::from(""),
            "d",
        );
        assert!(matches!(build_host_payment(&cfg(), &no_crypto, &Secret::from("P")),
            Err(Error::InvalidInput { field, .. }) if field == "cryptogram"));
    }

    #[test]
    fn answers() {
        let body = r#"{"id":"tx-1","amount":150.5,"currency":"KZT","invoiceID":"000001234567","accountId":"u1","phone":"","email":"","description":"Order 1","reference":"612345678901","language":"rus","cardID":"card-1","intReference":"I1"}"#;
        let r = parse_host_payment(&HttpResponse::new(200, body), Currency::USD).unwrap();
        assert_eq!(r.id, "tx-1");
        assert_eq!(r.amount, Some(Money::from_minor(15050, Currency::KZT)));
        assert_eq!(r.card_id.as_deref(), Some("card-1"));
        assert_eq!(r.secure_3d, None);
        let three_ds = r#"{"id":"tx-2","amount":"1","secure3D":{"paReq":"PA","md":"MD","termURL":"https://t","action":"https://acs"}}"#;
        let r = parse_host_payment(&HttpResponse::new(200, three_ds), Currency::USD).unwrap();
        assert_eq!(r.amount, Some(Money::from_minor(100, Currency::USD)));
        assert_eq!(r.secure_3d.unwrap().action, "https://acs");
        let err = parse_host_payment(
            &HttpResponse::new(400, r#"{"code":1234,"message":"bad cryptogram"}"#),
            Currency::KZT,
        )
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("1234"));
        let err =
            parse_host_payment(&HttpResponse::new(200, r#"{"code":1234,"message":"x"}"#), Currency::KZT).unwrap_err();
        assert_eq!(err.provider_code(), Some("1234"));
        assert!(matches!(
            parse_host_payment(&HttpResponse::new(200, "{}"), Currency::KZT),
            Err(Error::UnreadableResponse { .. })
        ));
    }

    #[test]
    fn homebank_cards() {
        let http = build_halyk_id_cards(&cfg(), "123456", &Secret::from("PAY"), &Secret::from("HB")).unwrap();
        assert_eq!(http.url, "https://api.test/hb-cards?invoiceId=123456");
        assert_eq!(http.header_value("x-homebank-auth"), Some("Bearer HB"));
        let body = r#"[{"aliasName":"Main","isHidden":false,"systemAttributeId":"sa-1","cardInfo":{"cardMask":"4405...5096","iban":"KZ00","currency":"KZT","currentBalance":10.5,"cardType":"VISA","isVirtual":false},"limit":[]}]"#;
        let cards = parse_halyk_id_cards(&HttpResponse::new(200, body)).unwrap();
        assert_eq!(cards[0].system_attribute_id, "sa-1");
        assert_eq!(cards[0].card_mask.as_deref(), Some("4405...5096"));
        assert_eq!(cards[0].is_virtual, Some(false));
        assert!(parse_halyk_id_cards(&HttpResponse::new(200, "{}")).is_err());
    }
}
