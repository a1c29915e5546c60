//! Invoices (`invoices/create`, `update`, `view`, `list`, `send-sms`,
//! `send-email`): payment requests EPoint hosts and can send to the payer.
//!
//! Requests: EPoint's API document v1.0.3 and three clients agree on paths
//! and fields. Answers are \[U\] (one sandbox only). `0` is a value:
//! `display: 0` and `save_as_template: 0` are always sent. Dates go out as
//! `YYYY-MM-DD`. Invoices carry no currency: the sum must be in AZN.
//! `invoice_images[]` cannot travel inside the signed JSON and is not offered.
//! Payer data (name, phone, e-mail, TIN) is kept in [`Secret`]s.

use payments_core::{Error, HttpRequest, HttpResponse, Money, Result, Secret};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;
use time::macros::format_description;

use super::{MAX_DESCRIPTION_LEN, check_amount, check_documented, check_opt_text, check_text, signed_request};
use crate::config::EpointConfig;
use crate::error::{read_private_json, reject_server_error};
use crate::status::Status;
use crate::wire::{WireAmount, opt_decimal, opt_text};

const DATE: &[time::format_description::FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// A date on the wire: `YYYY-MM-DD`.
struct WireDate(Date);

impl Serialize for WireDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let text = self.0.format(DATE).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

fn exposed(secret: Option<&Secret<String>>) -> Option<&str> {
    secret.map(|s| s.expose_secret().as_str())
}

/// An invoice's content, for `create` and `update`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Invoice {
    /// The amount (`sum`), in AZN.
    pub sum: Money,
    /// `display` (required): show the invoice in the merchant's public list.
    pub display: bool,
    /// `save_as_template` (required): keep it as a reusable template.
    pub save_as_template: bool,
    /// `status_installment`: payable in installments; `None` sends `null`.
    pub status_installment: Option<bool>,
    /// The payer's name.
    pub name: Option<Secret<String>>,
    /// Description (at most 1000 characters).
    pub description: Option<String>,
    /// The payer's phone.
    pub phone: Option<Secret<String>>,
    /// The payer's e-mail.
    pub email: Option<Secret<String>>,
    /// The payer's tax id (`inn`).
    pub inn: Option<Secret<String>>,
    /// A contract number.
    pub contract_number: Option<String>,
    /// The merchant's own id of this invoice.
    pub merchant_order_id: Option<String>,
    /// First day of the payment period (required).
    pub period_from: Date,
    /// Last day of the payment period (required).
    pub period_to: Date,
}

impl Invoice {
    /// An invoice of `sum` payable from `period_from` to `period_to`,
    /// not displayed and not a template (both sent as `0`).
    pub fn new(sum: Money, period_from: Date, period_to: Date) -> Self {
        Invoice {
            sum,
            display: false,
            save_as_template: false,
            status_installment: None,
            name: None,
            description: None,
            phone: None,
            email: None,
            inn: None,
            contract_number: None,
            merchant_order_id: None,
            period_from,
            period_to,
        }
    }

    /// Sets `display`.
    pub fn display(mut self, yes: bool) -> Self {
        self.display = yes;
        self
    }

    /// Sets `save_as_template`.
    pub fn save_as_template(mut self, yes: bool) -> Self {
        self.save_as_template = yes;
        self
    }

    /// Sets `status_installment`.
    pub fn installment(mut self, yes: bool) -> Self {
        self.status_installment = Some(yes);
        self
    }

    /// Sets the payer's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(Secret::new(name.into()));
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets the payer's phone.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(Secret::new(phone.into()));
        self
    }

    /// Sets the payer's e-mail.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(Secret::new(email.into()));
        self
    }

    /// Sets the payer's tax id.
    pub fn inn(mut self, inn: impl Into<String>) -> Self {
        self.inn = Some(Secret::new(inn.into()));
        self
    }

    /// Sets the contract number.
    pub fn contract_number(mut self, number: impl Into<String>) -> Self {
        self.contract_number = Some(number.into());
        self
    }

    /// Sets the merchant's own id.
    pub fn merchant_order_id(mut self, id: impl Into<String>) -> Self {
        self.merchant_order_id = Some(id.into());
        self
    }

    fn check(&self) -> Result<()> {
        check_amount("sum", self.sum)?;
        check_documented("sum", self.sum)?;
        if self.period_to < self.period_from {
            return Err(Error::invalid_input("period_to", "is before period_from"));
        }
        check_opt_text("description", self.description.as_deref(), MAX_DESCRIPTION_LEN)?;
        for (field, value) in [
            ("name", exposed(self.name.as_ref())),
            ("phone", exposed(self.phone.as_ref())),
            ("email", exposed(self.email.as_ref())),
            ("inn", exposed(self.inn.as_ref())),
            ("contract_number", self.contract_number.as_deref()),
            ("merchant_order_id", self.merchant_order_id.as_deref()),
        ] {
            // Reasons never echo the value: these fields hold personal data.
            check_opt_text(field, value, 255)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct InvoiceWire<'a> {
    public_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    sum: WireAmount,
    display: u8,
    save_as_template: u8,
    status_installment: Option<u8>,
    name: Option<&'a str>,
    description: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
    inn: Option<&'a str>,
    contract_number: Option<&'a str>,
    merchant_order_id: Option<&'a str>,
    period_from: WireDate,
    period_to: WireDate,
}

fn invoice_wire<'a>(config: &'a EpointConfig, id: Option<u64>, invoice: &'a Invoice) -> Result<InvoiceWire<'a>> {
    invoice.check()?;
    Ok(InvoiceWire {
        public_key: config.public_key(),
        id,
        sum: WireAmount(invoice.sum),
        display: u8::from(invoice.display),
        save_as_template: u8::from(invoice.save_as_template),
        status_installment: invoice.status_installment.map(u8::from),
        name: exposed(invoice.name.as_ref()),
        description: invoice.description.as_deref(),
        phone: exposed(invoice.phone.as_ref()),
        email: exposed(invoice.email.as_ref()),
        inn: exposed(invoice.inn.as_ref()),
        contract_number: invoice.contract_number.as_deref(),
        merchant_order_id: invoice.merchant_order_id.as_deref(),
        period_from: WireDate(invoice.period_from),
        period_to: WireDate(invoice.period_to),
    })
}

/// Builds the signed `invoices/create` call.
pub fn build_create_invoice(config: &EpointConfig, invoice: &Invoice) -> Result<HttpRequest> {
    signed_request(config, "invoices/create", &invoice_wire(config, None, invoice)?)
}

/// Builds the signed `invoices/update` call (`id` then every create field;
/// the sandbox refuses updates unless the invoice is still waiting for payment).
pub fn build_update_invoice(config: &EpointConfig, id: u64, invoice: &Invoice) -> Result<HttpRequest> {
    signed_request(config, "invoices/update", &invoice_wire(config, Some(id), invoice)?)
}

#[derive(Serialize)]
struct IdWire<'a> {
    public_key: &'a str,
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
}

/// Builds the signed `invoices/view` call.
pub fn build_view_invoice(config: &EpointConfig, id: u64) -> Result<HttpRequest> {
    let wire = IdWire {
        public_key: config.public_key(),
        id,
        phone: None,
        email: None,
    };
    signed_request(config, "invoices/view", &wire)
}

/// Builds the signed `invoices/send-sms` call (the invoice's link by SMS to `phone`).
pub fn build_send_invoice_sms(config: &EpointConfig, id: u64, phone: &Secret<String>) -> Result<HttpRequest> {
    check_text("phone", phone.expose_secret(), 255)?;
    let wire = IdWire {
        public_key: config.public_key(),
        id,
        phone: Some(phone.expose_secret()),
        email: None,
    };
    signed_request(config, "invoices/send-sms", &wire)
}

/// Builds the signed `invoices/send-email` call.
pub fn build_send_invoice_email(config: &EpointConfig, id: u64, email: &Secret<String>) -> Result<HttpRequest> {
    check_text("email", email.expose_secret(), 255)?;
    let wire = IdWire {
        public_key: config.public_key(),
        id,
        phone: None,
        email: Some(email.expose_secret()),
    };
    signed_request(config, "invoices/send-email", &wire)
}

/// Which invoices `list` returns (`type`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvoiceListType {
    /// `incoming`.
    Incoming,
    /// `outgoing`.
    Outgoing,
    /// `static` (templates).
    Static,
    /// Any other value, sent as given.
    Other(String),
}

impl InvoiceListType {
    fn as_str(&self) -> &str {
        match self {
            InvoiceListType::Incoming => "incoming",
            InvoiceListType::Outgoing => "outgoing",
            InvoiceListType::Static => "static",
            InvoiceListType::Other(s) => s,
        }
    }
}

/// The order of `list` (`order`): EPoint's document says "ascending,
/// descending", the one sandbox that serves it reads `asc`/`desc`; this
/// SDK sends `asc`/`desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortOrder {
    /// `asc`.
    Ascending,
    /// `desc`.
    Descending,
}

/// A query of the merchant's invoices (`invoices/list`); filters left unset are not sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct InvoiceListRequest {
    /// `type`.
    pub kind: Option<InvoiceListType>,
    /// `order`.
    pub order: Option<SortOrder>,
}

impl InvoiceListRequest {
    /// Every invoice, in EPoint's default order.
    pub fn new() -> Self {
        InvoiceListRequest::default()
    }

    /// Sets `type`.
    pub fn kind(mut self, kind: InvoiceListType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets `order`.
    pub fn order(mut self, order: SortOrder) -> Self {
        self.order = Some(order);
        self
    }
}

#[derive(Serialize)]
struct ListWire<'a> {
    public_key: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<&'static str>,
}

/// Builds the signed `invoices/list` call.
pub fn build_list_invoices(config: &EpointConfig, request: &InvoiceListRequest) -> Result<HttpRequest> {
    let wire = ListWire {
        public_key: config.public_key(),
        kind: request.kind.as_ref().map(InvoiceListType::as_str),
        order: request.order.map(|o| match o {
            SortOrder::Ascending => "asc",
            SortOrder::Descending => "desc",
        }),
    };
    signed_request(config, "invoices/list", &wire)
}

wire_enum! {
    /// An invoice's state (open).
    InvoiceStatus {
        /// Not paid yet.
        WaitingForPayment = "waiting_for_payment",
        /// Paid.
        Paid = "paid",
        /// Canceled.
        Canceled = "canceled",
    }
}

fn opt_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    opt_text(d)?
        .map(|t| {
            t.parse::<u64>()
                .map_err(|_| serde::de::Error::custom("invoice id is not a number"))
        })
        .transpose()
}

fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Secret<String>>, D::Error> {
    Ok(opt_text(d)?.map(Secret::new))
}

fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<bool>, D::Error> {
    match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Bool(b)) => Ok(Some(b)),
        Some(v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(serde::de::Error::custom("expected 0, 1 or a boolean")),
        },
    }
}

fn opt_date<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Date>, D::Error> {
    let Some(text) = opt_text(d)? else { return Ok(None) };
    // A date, or a date-time whose first ten characters are the date.
    let day = text
        .get(..10)
        .filter(|_| matches!(text.as_bytes().get(10), None | Some(b'T' | b' ')));
    day.and_then(|d| Date::parse(d, DATE).ok())
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("invalid date {text:?}")))
}

/// An invoice as EPoint returns it (`view`, `list`) \[U\]: every field optional.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct InvoiceRecord {
    /// The invoice id.
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The sum, exactly as sent (AZN).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub sum: Option<Decimal>,
    /// The state.
    #[serde(default)]
    pub status: Option<InvoiceStatus>,
    /// The payer's name.
    #[serde(default, deserialize_with = "opt_secret")]
    pub name: Option<Secret<String>>,
    /// Description.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
    /// The payer's phone.
    #[serde(default, deserialize_with = "opt_secret")]
    pub phone: Option<Secret<String>>,
    /// The payer's e-mail.
    #[serde(default, deserialize_with = "opt_secret")]
    pub email: Option<Secret<String>>,
    /// The payer's tax id.
    #[serde(default, deserialize_with = "opt_secret")]
    pub inn: Option<Secret<String>>,
    /// Contract number.
    #[serde(default, deserialize_with = "opt_text")]
    pub contract_number: Option<String>,
    /// The merchant's own id.
    #[serde(default, deserialize_with = "opt_text")]
    pub merchant_order_id: Option<String>,
    /// `display` (`0`/`1` or a boolean on the wire).
    #[serde(default, deserialize_with = "opt_flag")]
    pub display: Option<bool>,
    /// `save_as_template`.
    #[serde(default, deserialize_with = "opt_flag")]
    pub save_as_template: Option<bool>,
    /// `status_installment`.
    #[serde(default, deserialize_with = "opt_flag")]
    pub status_installment: Option<bool>,
    /// First day of the payment period.
    #[serde(default, deserialize_with = "opt_date")]
    pub period_from: Option<Date>,
    /// Last day of the payment period.
    #[serde(default, deserialize_with = "opt_date")]
    pub period_to: Option<Date>,
    /// Creation time, as sent.
    #[serde(default, deserialize_with = "opt_text")]
    pub created_at: Option<String>,
}

impl InvoiceRecord {
    /// The sum as [`Money`] in AZN (invoices take AZN only).
    pub fn sum_money(&self) -> Result<Option<Money>> {
        self.sum
            .map(|s| Money::from_decimal(s, payments_core::Currency::AZN))
            .transpose()
            .map_err(|e| Error::invalid_input("sum", format!("invoice sum: {e}")))
    }
}

/// The answer of `create`, `update`, `send-sms`, `send-email`, `view` and
/// `list` \[U\]: `status`, `message`, `trace_id`, and `id` (create),
/// `invoice` (view) or `invoices` (list).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct InvoiceResponse {
    /// `success`, or `error`/`failed` (a value).
    pub status: Status,
    /// EPoint's message.
    #[serde(default, deserialize_with = "opt_text")]
    pub message: Option<String>,
    /// EPoint's trace id.
    #[serde(default, deserialize_with = "opt_text")]
    pub trace_id: Option<String>,
    /// The new invoice's id (`create`).
    #[serde(default, deserialize_with = "opt_id")]
    pub id: Option<u64>,
    /// The invoice (`view`).
    #[serde(default)]
    pub invoice: Option<InvoiceRecord>,
    /// The invoices (`list`).
    #[serde(default)]
    pub invoices: Vec<InvoiceRecord>,
}

/// Parses any invoice answer; `server_error` is an `Err`. A bare JSON
/// array (one client's reading of `list`) becomes `status: success` with `invoices`.
pub fn parse_invoice(response: &HttpResponse) -> Result<InvoiceResponse> {
    // One client reads `list` as a bare array. Chosen by the first byte, not
    // by an untagged enum: that would buffer the body and lose exact decimals.
    if !crate::wire::is_array(&response.body) {
        let body: InvoiceResponse = read_private_json(response)?;
        reject_server_error(&body.status, body.message.as_deref(), response)?;
        return Ok(body);
    }
    match read_private_json::<Vec<InvoiceRecord>>(response) {
        Err(e) => Err(e),
        Ok(invoices) => Ok(InvoiceResponse {
            status: Status::Success,
            message: None,
            trace_id: None,
            id: None,
            invoice: None,
            invoices,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, crypto};
    use time::macros::date;

    fn data(http: &HttpRequest) -> String {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&http.body).into_owned().collect();
        String::from_utf8(crypto::base64_decode(pairs[0].1.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn zero_is_a_value_and_dates_are_dates() {
        let config = EpointConfig::new("i000000001", "k").unwrap();
        let invoice = Invoice::new(
            Money::from_minor(2500, Currency::AZN),
            date!(2026 - 01 - 05),
            date!(2026 - 02 - 01),
        );
        let json = data(&build_create_invoice(&config, &invoice).unwrap());
        assert_eq!(
            json,
            r#"{"public_key": "i000000001", "sum": "25.00", "display": 0, "save_as_template": 0, "status_installment": null, "name": null, "description": null, "phone": null, "email": null, "inn": null, "contract_number": null, "merchant_order_id": null, "period_from": "2026-01-05", "period_to": "2026-02-01"}"#
        );
        let backwards = Invoice::new(
            Money::from_minor(1, Currency::AZN),
            date!(2026 - 02 - 01),
            date!(2026 - 01 - 01),
        );
        assert!(build_create_invoice(&config, &backwards).is_err());
        let usd = Invoice::new(
            Money::from_minor(1, Currency::USD),
            date!(2026 - 01 - 01),
            date!(2026 - 01 - 01),
        );
        assert!(
            matches!(build_create_invoice(&config, &usd), Err(Error::InvalidInput { field, .. }) if field == "sum")
        );
    }

    #[test]
    fn records_read_flags_dates_and_hide_personal_data() {
        let r = parse_invoice(&HttpResponse::new(
            200,
            r#"{"status":"success","invoice":{"id":"12","sum":"25.00","status":"waiting_for_payment","phone":"+994501234567","display":0,"save_as_template":true,"period_from":"2026-01-05","period_to":"2026-02-01T00:00:00Z"}}"#,
        ))
        .unwrap();
        let inv = r.invoice.unwrap();
        assert_eq!(inv.id, Some(12));
        assert_eq!(inv.display, Some(false));
        assert_eq!(inv.save_as_template, Some(true));
        assert_eq!(inv.period_from, Some(date!(2026 - 01 - 05)));
        assert_eq!(inv.period_to, Some(date!(2026 - 02 - 01)));
        assert_eq!(inv.status, Some(InvoiceStatus::WaitingForPayment));
        assert_eq!(inv.sum_money().unwrap(), Some(Money::from_minor(2500, Currency::AZN)));
        assert!(!format!("{inv:?}").contains("994501234567"));
        let bad = parse_invoice(&HttpResponse::new(
            200,
            r#"{"status":"success","invoice":{"phone":"+994501234567","sum":"x"}}"#,
        ))
        .unwrap_err();
        assert!(!format!("{bad} {bad:?}").contains("994501234567"), "{bad:?}");
        let list = parse_invoice(&HttpResponse::new(200, r#"[{"id":1},{"id":2}]"#)).unwrap();
        assert_eq!(list.invoices.len(), 2);
        assert!(
            parse_invoice(&HttpResponse::new(
                200,
                r#"{"status":"success","invoice":{"period_from":"05.01.2026"}}"#
            ))
            .is_err()
        );
    }
}
