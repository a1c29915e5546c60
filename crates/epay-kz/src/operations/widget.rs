//! The object `halyk.pay` takes, and a minimal page that calls it.

use std::fmt;

use payments_core::{Money, Result};
use serde::Serialize;

use crate::config::{EpayConfig, Language};
use crate::operations::token::AccessToken;
use crate::{validate, wire};

/// A payment for the widget / payment page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WidgetPayment {
    /// The merchant's invoice id (6 to 15 digits), the same as in the payment token.
    pub invoice_id: String,
    /// An alternative invoice id (`invoiceIdAlt`).
    pub invoice_id_alt: Option<String>,
    /// The amount, the same as in the payment token.
    pub amount: Money,
    /// Description (at most 125 bytes).
    pub description: Option<String>,
    /// Account id (the customer in the merchant's system).
    pub account_id: Option<String>,
    /// Language; the configuration's default when `None`.
    pub language: Option<Language>,
    /// `backLink`; the configuration's default when `None`.
    pub back_link: Option<String>,
    /// `failureBackLink`; the configuration's default when `None`.
    pub failure_back_link: Option<String>,
    /// `postLink`; the configuration's default when `None`.
    pub post_link: Option<String>,
    /// `failurePostLink`; the configuration's default when `None`.
    pub failure_post_link: Option<String>,
    /// Payer name.
    pub name: Option<String>,
    /// Payer e-mail.
    pub email: Option<String>,
    /// Payer phone.
    pub phone: Option<String>,
    /// Merchant data (a JSON string).
    pub data: Option<String>,
    /// Save the card (postLink then carries `cardId`).
    pub card_save: bool,
    /// Mark the payment as the first of a recurring series.
    pub recurrent: bool,
    /// Return to `backLink` without the result page.
    pub auto_back_link: bool,
    card_verification: bool,
}

impl WidgetPayment {
    /// A payment of `amount` for `invoice_id`.
    pub fn new(invoice_id: impl Into<String>, amount: Money) -> Self {
        WidgetPayment {
            invoice_id: invoice_id.into(),
            invoice_id_alt: None,
            amount,
            description: None,
            account_id: None,
            language: None,
            back_link: None,
            failure_back_link: None,
            post_link: None,
            failure_post_link: None,
            name: None,
            email: None,
            phone: None,
            data: None,
            card_save: false,
            recurrent: false,
            auto_back_link: false,
            card_verification: false,
        }
    }

    /// ePay's card-verification payment: saves the card without paying
    /// (amount 0 in USD, `cardSave`), the only zero-amount payment. The card
    /// id then arrives in postLink's `cardId` and in the card list. The
    /// widget object of this flow is beyond ePay's public excerpt: it is the
    /// ordinary object with the zero amount \[U\].
    pub fn card_verification(invoice_id: impl Into<String>) -> Self {
        WidgetPayment {
            card_save: true,
            card_verification: true,
            ..WidgetPayment::new(invoice_id, Money::from_minor(0, payments_core::Currency::USD))
        }
    }

    /// True for the card-verification payment.
    pub fn is_card_verification(&self) -> bool {
        self.card_verification
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

    /// Sets `backLink` and `failureBackLink`.
    pub fn back_links(mut self, success: impl Into<String>, failure: impl Into<String>) -> Self {
        self.back_link = Some(success.into());
        self.failure_back_link = Some(failure.into());
        self
    }

    /// Sets `postLink` and `failurePostLink`.
    pub fn post_links(mut self, success: impl Into<String>, failure: impl Into<String>) -> Self {
        self.post_link = Some(success.into());
        self.failure_post_link = Some(failure.into());
        self
    }

    /// Sets the account id.
    pub fn account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = Some(id.into());
        self
    }

    /// Sets payer details.
    pub fn payer(mut self, name: Option<String>, email: Option<String>, phone: Option<String>) -> Self {
        self.name = name;
        self.email = email;
        self.phone = phone;
        self
    }

    /// Asks ePay to save the card.
    pub fn card_save(mut self, yes: bool) -> Self {
        self.card_save = yes;
        self
    }

    /// Marks the payment as recurrent.
    pub fn recurrent(mut self, yes: bool) -> Self {
        self.recurrent = yes;
        self
    }
}

/// The `halyk.pay` object, serialized. It holds the payment token in `auth`:
/// hand it to the customer's browser only. `Debug` shows its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct WidgetObject {
    json: String,
    value: serde_json::Value,
}

impl fmt::Debug for WidgetObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WidgetObject")
            .field("json_len", &self.json.len())
            .finish()
    }
}

impl WidgetObject {
    /// The object as JSON text (the amount as an exact JSON number).
    pub fn as_json(&self) -> &str {
        &self.json
    }

    /// The payment token inside the object (`auth.access_token`): the token
    /// the official SDK subscribes recurring payments with.
    pub fn access_token(&self) -> Option<payments_core::Secret<String>> {
        self.value["auth"]["access_token"]
            .as_str()
            .map(|t| payments_core::Secret::new(t.to_owned()))
    }

    /// The object as a `serde_json::Value`. `Value` cannot hold an exact
    /// decimal, so a whole-tenge amount is a JSON integer and any other amount
    /// a string with two fraction digits (`"10.50"`); [`WidgetObject::as_json`]
    /// always has an exact number.
    pub fn to_value(&self) -> serde_json::Value {
        self.value.clone()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WidgetWire<'a, A> {
    invoice_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_id_alt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
    language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    terminal: &'a str,
    amount: A,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    card_save: bool,
    recurrent: bool,
    auto_back_link: bool,
    auth: &'a serde_json::Value,
}

/// Builds the `halyk.pay` object from the payment and its payment token (which
/// must have been issued for the same invoice id and amount).
pub fn build_widget_object(config: &EpayConfig, payment: &WidgetPayment, token: &AccessToken) -> Result<WidgetObject> {
    validate::invoice_id("invoice_id", &payment.invoice_id)?;
    crate::operations::token::check_operation_amount(payment.amount, payment.card_verification)?;
    if let Some(d) = &payment.description {
        validate::description("description", d)?;
    }
    if let Some(alt) = &payment.invoice_id_alt {
        validate::required("invoice_id_alt", alt)?;
    }
    if let Some(e) = &payment.email {
        validate::email("email", e)?;
    }
    if let Some(d) = &payment.data {
        serde_json::from_str::<serde::de::IgnoredAny>(d)
            .map_err(|_| payments_core::Error::invalid_input("data", "must be a JSON text"))?;
    }
    let pick = |own: &'_ Option<String>, default: &'_ Option<String>| own.clone().or_else(|| default.clone());
    let back_link = pick(&payment.back_link, &config.back_link);
    let failure_back_link = pick(&payment.failure_back_link, &config.failure_back_link);
    let post_link = pick(&payment.post_link, &config.post_link);
    let failure_post_link = pick(&payment.failure_post_link, &config.failure_post_link);
    validate::opt_url("back_link", back_link.as_deref())?;
    validate::opt_url("failure_back_link", failure_back_link.as_deref())?;
    validate::opt_url("post_link", post_link.as_deref())?;
    validate::opt_url("failure_post_link", failure_post_link.as_deref())?;
    let auth = token.to_auth_json();
    // The same object twice: exact JSON text, and a `Value` without a float.
    macro_rules! widget_wire {
        ($amount:expr) => {
            WidgetWire {
                invoice_id: &payment.invoice_id,
                invoice_id_alt: payment.invoice_id_alt.as_deref(),
                back_link: back_link.as_deref(),
                failure_back_link: failure_back_link.as_deref(),
                post_link: post_link.as_deref(),
                failure_post_link: failure_post_link.as_deref(),
                language: payment.language.unwrap_or(config.language).as_str(),
                description: payment.description.as_deref(),
                account_id: payment.account_id.as_deref(),
                terminal: &config.terminal_id,
                amount: $amount,
                currency: payment.amount.currency().alpha_code(),
                name: payment.name.as_deref(),
                email: payment.email.as_deref(),
                phone: payment.phone.as_deref(),
                data: payment.data.as_deref(),
                card_save: payment.card_save,
                recurrent: payment.recurrent,
                auto_back_link: payment.auto_back_link,
                auth: &auth,
            }
        };
    }
    let serialize_error =
        |e: serde_json::Error| payments_core::Error::invalid_input("widget", format!("cannot serialize: {e}"));
    let json = serde_json::to_string(&widget_wire!(wire::amount_json(payment.amount)?)).map_err(serialize_error)?;
    let value = serde_json::to_value(widget_wire!(value_amount(payment.amount))).map_err(serialize_error)?;
    Ok(WidgetObject { json, value })
}

/// A whole-tenge amount as a JSON integer, any other as a two-digit string.
fn value_amount(amount: Money) -> serde_json::Value {
    if amount.minor() % 100 == 0 {
        serde_json::Value::from(amount.minor() / 100)
    } else {
        serde_json::Value::from(amount.to_major_string())
    }
}

/// A minimal HTML page that loads the widget script and calls
/// `halyk.pay(object)`. The script URL is attribute-escaped and the object is
/// embedded so that no value can close the `<script>` element.
pub fn widget_page_html(script_url: &str, object: &WidgetObject) -> String {
    let mut out = String::with_capacity(object.json.len() + script_url.len() + 256);
    out.push_str("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Payment</title>\n<script src=\"");
    escape_attr(script_url, &mut out);
    out.push_str("\"></script>\n</head>\n<body>\n<script>\nhalyk.pay(");
    escape_script_json(&object.json, &mut out);
    out.push_str(");\n</script>\n</body>\n</html>\n");
    out
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// JSON is valid JavaScript once `<`, `>`, `&` and the two line separators
/// are written as `\u` escapes; they only occur inside JSON strings, where the
/// escape means the same character.
fn escape_script_json(json: &str, out: &mut String) {
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, Secret};
    use std::time::Duration;

    fn token() -> AccessToken {
        AccessToken {
            access_token: Secret::from("PAYTOKEN"),
            expires_in: Some(Duration::from_secs(1200)),
            refresh_token: None,
            scope: Some("payment".into()),
            token_type: "Bearer".into(),
        }
    }

    fn config() -> EpayConfig {
        EpayConfig::builder("test", "s", "67e34d63-102f-4bd1-898e-370781d0074d")
            .post_link("https://shop.example/post")
            .build()
            .unwrap()
    }

    #[test]
    fn the_object_is_exact() {
        let p = WidgetPayment::new("000001234567", Money::from_minor(15050, Currency::KZT))
            .description("Order </script><b>")
            .back_links("https://shop.example/ok", "https://shop.example/fail")
            .card_save(true);
        let obj = build_widget_object(&config(), &p, &token()).unwrap();
        assert_eq!(
            obj.as_json(),
            "{\"invoiceId\":\"000001234567\",\"backLink\":\"https://shop.example/ok\",\
             \"failureBackLink\":\"https://shop.example/fail\",\"postLink\":\"https://shop.example/post\",\
             \"language\":\"rus\",\"description\":\"Order </script><b>\",\
             \"terminal\":\"67e34d63-102f-4bd1-898e-370781d0074d\",\"amount\":150.50,\"currency\":\"KZT\",\
             \"cardSave\":true,\"recurrent\":false,\"autoBackLink\":false,\
             \"auth\":{\"access_token\":\"PAYTOKEN\",\"expires_in\":\"1200\",\"scope\":\"payment\",\"token_type\":\"Bearer\"}}"
        );
        assert!(!format!("{obj:?}").contains("PAYTOKEN"));
        let v = obj.to_value();
        assert_eq!(v["amount"], "150.50");
        assert_eq!(v["auth"]["access_token"], "PAYTOKEN");
        let whole = WidgetPayment::new("000001234567", Money::from_minor(10000, Currency::KZT));
        let v = build_widget_object(&config(), &whole, &token()).unwrap().to_value();
        assert_eq!(v["amount"], 100);

        let html = widget_page_html("https://x.test/p.js?a=1&b=\"2\"", &obj);
        assert!(
            html.contains("<script src=\"https://x.test/p.js?a=1&amp;b=&quot;2&quot;\"></script>"),
            "{html}"
        );
        assert!(html.contains("Order \\u003c/script\\u003e\\u003cb\\u003e"), "{html}");
        assert_eq!(html.matches("</script>").count(), 2);
    }

    #[test]
    fn card_verification_is_zero_usd_and_nothing_else_is_zero() {
        let v = WidgetPayment::card_verification("123456");
        let obj = build_widget_object(&config(), &v, &token()).unwrap();
        assert!(
            obj.as_json().contains(r#""amount":0,"currency":"USD","cardSave":true"#),
            "{}",
            obj.as_json()
        );
        assert_eq!(obj.access_token().unwrap().expose_secret(), "PAYTOKEN");
        let zero = WidgetPayment::new("123456", Money::from_minor(0, Currency::USD));
        assert!(matches!(build_widget_object(&config(), &zero, &token()),
            Err(payments_core::Error::InvalidInput { field, .. }) if field == "amount"));
        let mut paid = WidgetPayment::card_verification("123456");
        paid.amount = Money::from_minor(100, Currency::USD);
        assert!(build_widget_object(&config(), &paid, &token()).is_err());
    }

    #[test]
    fn inputs_are_checked() {
        let bad = WidgetPayment::new("12", Money::from_minor(100, Currency::KZT));
        assert!(build_widget_object(&config(), &bad, &token()).is_err());
        let mut bad = WidgetPayment::new("123456", Money::from_minor(100, Currency::KZT));
        bad.data = Some("{not json".into());
        assert!(matches!(build_widget_object(&config(), &bad, &token()),
            Err(payments_core::Error::InvalidInput { field, .. }) if field == "data"));
    }
}
