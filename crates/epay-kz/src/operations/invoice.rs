//! Invoice links (the seed document): create, search and deactivate, with the
//! password-grant token.

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{EpayConfig, Language};
use crate::error::api_error;
use crate::wire::{self, opt_text, text};
use crate::{PROVIDER, validate};

/// How long an invoice link stays payable: `Nd` (days) on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpirePeriod {
    days: u32,
}

impl ExpirePeriod {
    /// `days` days (at least 1).
    pub fn days(days: u32) -> Result<ExpirePeriod> {
        if days == 0 {
            return Err(Error::invalid_input("expire_period", "must be at least 1 day"));
        }
        Ok(ExpirePeriod { days })
    }

    /// Parses the wire form `Nd` (`"2d"`).
    pub fn parse(text: &str) -> Result<ExpirePeriod> {
        let days = text
            .strip_suffix('d')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u32>().ok())
            .ok_or_else(|| Error::invalid_input("expire_period", format!("{text:?} is not of the form Nd")))?;
        ExpirePeriod::days(days)
    }

    /// The number of days.
    pub fn as_days(self) -> u32 {
        self.days
    }

    /// The wire form.
    pub fn to_wire(self) -> String {
        format!("{}d", self.days)
    }
}

/// Written as `Nd` without an intermediate string.
impl Serialize for ExpirePeriod {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}d", self.days))
    }
}

/// A request to create an invoice link.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateInvoice {
    /// The merchant's account id in ePay (`account_id`).
    pub account_id: String,
    /// The merchant's invoice id: 6 to 15 digits.
    pub invoice_id: String,
    /// The amount, in KZT.
    pub amount: Money,
    /// Language of the invoice.
    pub language: Language,
    /// Description, at most 125 bytes.
    pub description: String,
    /// Validity.
    pub expire_period: ExpirePeriod,
    /// The payer's e-mail.
    pub recipient_contact: String,
    /// The payer's phone, `+7` and 10 digits.
    pub recipient_contact_sms: String,
    /// A phone for payment notifications, `+7` and 10 digits.
    pub notifier_contact_sms: Option<String>,
    /// Posted to after a successful payment.
    pub post_link: Option<String>,
    /// Posted to after a failed payment.
    pub failure_post_link: Option<String>,
    /// The customer returns here after success.
    pub back_link: Option<String>,
    /// The customer returns here after failure.
    pub failure_back_link: Option<String>,
}

impl CreateInvoice {
    /// An invoice with the required fields, language `rus` and a one-day validity.
    pub fn new(
        invoice_id: impl Into<String>,
        account_id: impl Into<String>,
        amount: Money,
        description: impl Into<String>,
        recipient_email: impl Into<String>,
        recipient_phone: impl Into<String>,
    ) -> Self {
        CreateInvoice {
            account_id: account_id.into(),
            invoice_id: invoice_id.into(),
            amount,
            language: Language::Rus,
            description: description.into(),
            expire_period: ExpirePeriod { days: 1 },
            recipient_contact: recipient_email.into(),
            recipient_contact_sms: recipient_phone.into(),
            notifier_contact_sms: None,
            post_link: None,
            failure_post_link: None,
            back_link: None,
            failure_back_link: None,
        }
    }

    /// Sets the language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Sets the validity.
    pub fn expire_period(mut self, period: ExpirePeriod) -> Self {
        self.expire_period = period;
        self
    }

    /// Sets the notification phone.
    pub fn notifier_contact_sms(mut self, phone: impl Into<String>) -> Self {
        self.notifier_contact_sms = Some(phone.into());
        self
    }

    /// Sets `post_link`.
    pub fn post_link(mut self, url: impl Into<String>) -> Self {
        self.post_link = Some(url.into());
        self
    }

    /// Sets `failure_post_link`.
    pub fn failure_post_link(mut self, url: impl Into<String>) -> Self {
        self.failure_post_link = Some(url.into());
        self
    }

    /// Sets `back_link`.
    pub fn back_link(mut self, url: impl Into<String>) -> Self {
        self.back_link = Some(url.into());
        self
    }

    /// Sets `failure_back_link`.
    pub fn failure_back_link(mut self, url: impl Into<String>) -> Self {
        self.failure_back_link = Some(url.into());
        self
    }

    fn validate(&self) -> Result<()> {
        validate::required("account_id", &self.account_id)?;
        validate::invoice_id("invoice_id", &self.invoice_id)?;
        if self.amount.currency() != Currency::KZT {
            return Err(Error::invalid_input(
                "currency",
                format!("invoice links are in KZT, not {}", self.amount.currency()),
            ));
        }
        wire::check_amount("amount", self.amount, true)?;
        validate::required("description", &self.description)?;
        validate::description("description", &self.description)?;
        validate::email("recipient_contact", &self.recipient_contact)?;
        validate::phone("recipient_contact_sms", &self.recipient_contact_sms)?;
        if let Some(p) = &self.notifier_contact_sms {
            validate::phone("notifier_contact_sms", p)?;
        }
        validate::opt_url("post_link", self.post_link.as_deref())?;
        validate::opt_url("failure_post_link", self.failure_post_link.as_deref())?;
        validate::opt_url("back_link", self.back_link.as_deref())?;
        validate::opt_url("failure_back_link", self.failure_back_link.as_deref())?;
        Ok(())
    }
}

#[derive(Serialize)]
struct CreateInvoiceWire<'a> {
    shop_id: &'a str,
    account_id: &'a str,
    invoice_id: &'a str,
    amount: wire::JsonAmount,
    language: &'a str,
    description: &'a str,
    expire_period: ExpirePeriod,
    recipient_contact: &'a str,
    recipient_contact_sms: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notifier_contact_sms: Option<&'a str>,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_back_link: Option<&'a str>,
}

/// Builds `POST {api}/invoice` (JSON, password-grant bearer token).
pub fn build_create_invoice(config: &EpayConfig, req: &CreateInvoice, token: &Secret<String>) -> Result<HttpRequest> {
    req.validate()?;
    let shop_id = config
        .shop_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Error::config("invoice links need a shop id (EPAY_SHOP_ID)"))?;
    let body = CreateInvoiceWire {
        shop_id,
        account_id: &req.account_id,
        invoice_id: &req.invoice_id,
        amount: wire::amount_json(req.amount)?,
        language: req.language.as_str(),
        description: &req.description,
        expire_period: req.expire_period,
        recipient_contact: &req.recipient_contact,
        recipient_contact_sms: &req.recipient_contact_sms,
        notifier_contact_sms: req.notifier_contact_sms.as_deref(),
        currency: "KZT",
        post_link: req.post_link.as_deref(),
        failure_post_link: req.failure_post_link.as_deref(),
        back_link: req.back_link.as_deref(),
        failure_back_link: req.failure_back_link.as_deref(),
    };
    Ok(wire::json_request(Method::Post, config.api("/invoice"), &body)?.bearer(token))
}

/// An invoice link's status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvoiceStatus {
    /// `ACTIVE`: payable.
    Active,
    /// `CHARGED`: paid.
    Charged,
    /// A status the SDK does not know, as sent.
    Unknown(String),
}

impl InvoiceStatus {
    fn parse(s: &str) -> InvoiceStatus {
        match s {
            "ACTIVE" => InvoiceStatus::Active,
            "CHARGED" => InvoiceStatus::Charged,
            other => InvoiceStatus::Unknown(other.to_owned()),
        }
    }
}

/// An invoice link as ePay returns it. Text values are trimmed (the samples
/// carry stray spaces); dates are kept as sent, with parsed accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invoice {
    /// ePay's id of the link (used to deactivate it).
    pub id: String,
    /// The shop id.
    pub shop_id: String,
    /// The amount.
    pub amount: Option<Money>,
    /// The merchant's invoice id.
    pub invoice_id: String,
    /// Language.
    pub language: String,
    /// Description.
    pub description: String,
    /// Account id.
    pub account_id: String,
    /// Payer e-mail.
    pub recipient_contact: String,
    /// Payer phone.
    pub recipient_contact_sms: String,
    /// Notification e-mail.
    pub notifier_contact: String,
    /// Notification phone.
    pub notifier_contact_sms: String,
    /// Validity as sent (`"2d"`).
    pub expire_period: String,
    /// Success post link.
    pub post_link: String,
    /// Failure post link.
    pub failure_post_link: String,
    /// Success back link.
    pub back_link: String,
    /// Failure back link.
    pub failure_back_link: String,
    /// Creation time as sent.
    pub created_date: String,
    /// Expiry time as sent.
    pub expire_date: String,
    /// Last update as sent (`0001-01-01T00:00:00Z` when never updated).
    pub updated_date: String,
    /// Status.
    pub status: InvoiceStatus,
    /// The link to send to the payer.
    pub invoice_url: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Terminal id.
    pub terminal_id: String,
    /// Whether the card is saved (search results).
    pub card_save: Option<bool>,
}

impl Invoice {
    /// The creation time, when it parses as RFC 3339.
    pub fn created_at(&self) -> Option<OffsetDateTime> {
        parse_date(&self.created_date)
    }

    /// The expiry time, when it parses as RFC 3339.
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        parse_date(&self.expire_date)
    }

    /// The last update, or `None` for ePay's "never" (year 1) and unparseable values.
    pub fn updated_at(&self) -> Option<OffsetDateTime> {
        parse_date(&self.updated_date)
    }
}

fn parse_date(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok().filter(|d| d.year() > 1)
}

#[derive(Deserialize)]
struct InvoiceWire {
    #[serde(default, deserialize_with = "text")]
    id: String,
    #[serde(default, deserialize_with = "text")]
    shop_id: String,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "text")]
    invoice_id: String,
    #[serde(default, deserialize_with = "text")]
    language: String,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "text")]
    description: String,
    #[serde(default, deserialize_with = "text")]
    account_id: String,
    #[serde(default, deserialize_with = "text")]
    recipient_contact: String,
    #[serde(default, deserialize_with = "text")]
    recipient_contact_sms: String,
    #[serde(default, deserialize_with = "text")]
    notifier_contact: String,
    #[serde(default, deserialize_with = "text")]
    notifier_contact_sms: String,
    #[serde(default, deserialize_with = "text")]
    expire_period: String,
    #[serde(default, deserialize_with = "text")]
    post_link: String,
    #[serde(default, deserialize_with = "text")]
    failure_post_link: String,
    #[serde(default, deserialize_with = "text")]
    back_link: String,
    #[serde(default, deserialize_with = "text")]
    failure_back_link: String,
    #[serde(default, deserialize_with = "text")]
    created_date: String,
    #[serde(default, deserialize_with = "text")]
    expire_date: String,
    #[serde(default, deserialize_with = "text")]
    updated_date: String,
    #[serde(default, deserialize_with = "text")]
    status: String,
    #[serde(default, deserialize_with = "text")]
    invoice_url: String,
    #[serde(default, deserialize_with = "text")]
    merchant_id: String,
    #[serde(default, deserialize_with = "text")]
    terminal_id: String,
    #[serde(default, deserialize_with = "opt_text")]
    card_save: Option<String>,
}

impl InvoiceWire {
    fn into_invoice(self, status: u16, expected: Option<Currency>) -> Result<Invoice> {
        let stated = wire::parse_currency(self.currency.as_deref(), status)?;
        let currency = wire::amount_currency(stated, expected, wire::has_amount(self.amount.as_deref()), status)?;
        let amount = wire::parse_amount_in(self.amount.as_deref(), currency, status, "amount")?;
        let card_save = match self.card_save.as_deref() {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                return Err(Error::unreadable(
                    PROVIDER,
                    status,
                    format!("card_save is not a boolean: {other:?}"),
                    b"",
                    None,
                ));
            }
        };
        Ok(Invoice {
            id: self.id,
            shop_id: self.shop_id,
            amount,
            invoice_id: self.invoice_id,
            language: self.language,
            description: self.description,
            account_id: self.account_id,
            recipient_contact: self.recipient_contact,
            recipient_contact_sms: self.recipient_contact_sms,
            notifier_contact: self.notifier_contact,
            notifier_contact_sms: self.notifier_contact_sms,
            expire_period: self.expire_period,
            post_link: self.post_link,
            failure_post_link: self.failure_post_link,
            back_link: self.back_link,
            failure_back_link: self.failure_back_link,
            created_date: self.created_date,
            expire_date: self.expire_date,
            updated_date: self.updated_date,
            status: InvoiceStatus::parse(&self.status),
            invoice_url: self.invoice_url,
            merchant_id: self.merchant_id,
            terminal_id: self.terminal_id,
            card_save,
        })
    }
}

/// Parses the create-invoice response; `expected` is the currency of the
/// request, used only when the answer states none.
pub fn parse_create_invoice(resp: &HttpResponse, expected: Currency) -> Result<Invoice> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let wire: InvoiceWire = wire::json_object(resp)?;
    if wire.id.is_empty() {
        return Err(Error::unreadable(
            PROVIDER,
            resp.status,
            "invoice without id",
            &resp.body,
            None,
        ));
    }
    wire.into_invoice(resp.status, Some(expected))
}

/// A search method and its arity rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMethod {
    /// `=`: exactly one value.
    Eq,
    /// `like`: exactly one value containing `%`.
    Like,
    /// `between`: exactly two values.
    Between,
    /// `in`: at least one value.
    In,
    /// `<`: one value (transfer list only).
    Lt,
    /// `>`: one value (transfer list only).
    Gt,
    /// `<=`: one value (transfer list only).
    Le,
    /// `>=`: one value (transfer list only).
    Ge,
}

impl SearchMethod {
    /// The wire form.
    pub const fn as_str(self) -> &'static str {
        match self {
            SearchMethod::Eq => "=",
            SearchMethod::Like => "like",
            SearchMethod::Between => "between",
            SearchMethod::In => "in",
            SearchMethod::Lt => "<",
            SearchMethod::Gt => ">",
            SearchMethod::Le => "<=",
            SearchMethod::Ge => ">=",
        }
    }
}

/// One search parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFilter {
    /// The field (`invoice_id`, `status`, `created_date`, ...).
    pub name: String,
    /// The method.
    pub method: SearchMethod,
    /// The values.
    pub values: Vec<String>,
}

impl SearchFilter {
    /// `name = value`.
    pub fn eq(name: impl Into<String>, value: impl Into<String>) -> Self {
        SearchFilter {
            name: name.into(),
            method: SearchMethod::Eq,
            values: vec![value.into()],
        }
    }

    /// `name like pattern` (the pattern must contain `%`).
    pub fn like(name: impl Into<String>, pattern: impl Into<String>) -> Self {
        SearchFilter {
            name: name.into(),
            method: SearchMethod::Like,
            values: vec![pattern.into()],
        }
    }

    /// `name between from and to`.
    pub fn between(name: impl Into<String>, from: impl Into<String>, to: impl Into<String>) -> Self {
        SearchFilter {
            name: name.into(),
            method: SearchMethod::Between,
            values: vec![from.into(), to.into()],
        }
    }

    /// `name in (values)`.
    pub fn one_of(name: impl Into<String>, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        SearchFilter {
            name: name.into(),
            method: SearchMethod::In,
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `name <op> value` with a comparison method (`<`, `>`, `<=`, `>=`), as
    /// the transfer list takes.
    pub fn compare(name: impl Into<String>, method: SearchMethod, value: impl Into<String>) -> Self {
        SearchFilter {
            name: name.into(),
            method,
            values: vec![value.into()],
        }
    }

    pub(crate) fn is_comparison(&self) -> bool {
        matches!(
            self.method,
            SearchMethod::Lt | SearchMethod::Gt | SearchMethod::Le | SearchMethod::Ge
        )
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::required("search_parameters.name", &self.name)?;
        let n = self.values.len();
        let ok = match self.method {
            SearchMethod::Eq | SearchMethod::Lt | SearchMethod::Gt | SearchMethod::Le | SearchMethod::Ge => n == 1,
            SearchMethod::Like => n == 1 && self.values.iter().all(|v| v.contains('%')),
            SearchMethod::Between => n == 2,
            SearchMethod::In => n >= 1,
        };
        if ok {
            return Ok(());
        }
        let rule = match self.method {
            SearchMethod::Eq | SearchMethod::Lt | SearchMethod::Gt | SearchMethod::Le | SearchMethod::Ge => {
                "a comparison takes exactly one value"
            }
            SearchMethod::Like => "like takes exactly one value containing %",
            SearchMethod::Between => "between takes exactly two values",
            SearchMethod::In => "in takes at least one value",
        };
        Err(Error::invalid_input(
            "search_parameters",
            format!("{}: {rule}, got {n}", self.name),
        ))
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// `ASC`.
    Asc,
    /// `DESC`.
    Desc,
}

/// An invoice search: paging, filters (an `invoice_id` filter is required) and order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoiceSearch {
    /// Records to skip.
    pub skip: u32,
    /// Records per page (1 to 1000).
    pub limit: u32,
    /// Filters.
    pub filters: Vec<SearchFilter>,
    /// Sort field and direction.
    pub order: (String, SortOrder),
}

impl InvoiceSearch {
    /// A search with one filter on `invoice_id`, first 20 records, newest first.
    pub fn invoice_id(filter: SearchFilter) -> Self {
        InvoiceSearch {
            skip: 0,
            limit: 20,
            filters: vec![filter],
            order: ("id".to_owned(), SortOrder::Desc),
        }
    }

    /// `invoice_id = id`.
    pub fn by_invoice_id(id: impl Into<String>) -> Self {
        InvoiceSearch::invoice_id(SearchFilter::eq("invoice_id", id))
    }

    /// Sets the paging.
    pub fn page(mut self, skip: u32, limit: u32) -> Self {
        self.skip = skip;
        self.limit = limit;
        self
    }

    /// Adds a filter.
    pub fn filter(mut self, filter: SearchFilter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Sets the order.
    pub fn order_by(mut self, field: impl Into<String>, order: SortOrder) -> Self {
        self.order = (field.into(), order);
        self
    }

    fn validate(&self) -> Result<()> {
        if !(1..=1000).contains(&self.limit) {
            return Err(Error::invalid_input("paging.limit", "must be 1 to 1000"));
        }
        for f in &self.filters {
            f.validate()?;
            if f.is_comparison() {
                return Err(Error::invalid_input(
                    "search_parameters",
                    "invoice search takes =, like, between and in only",
                ));
            }
        }
        if !self.filters.iter().any(|f| f.name == "invoice_id") {
            return Err(Error::invalid_input(
                "search_parameters",
                "an invoice_id filter is required",
            ));
        }
        validate::required("order_parameters.field", &self.order.0)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchWire<'a> {
    paging: Paging,
    search_parameters: Vec<FilterWire<'a>>,
    order_parameters: OrderWire<'a>,
}

#[derive(Serialize)]
struct Paging {
    skip: u32,
    limit: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FilterWire<'a> {
    pub(crate) name: &'a str,
    pub(crate) method: &'static str,
    pub(crate) search_parameter: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrderWire<'a> {
    pub(crate) field: &'a str,
    pub(crate) type_order: &'static str,
}

/// Builds the invoice search (`POST` to the configured search URL).
pub fn build_search_invoices(config: &EpayConfig, req: &InvoiceSearch, token: &Secret<String>) -> Result<HttpRequest> {
    let url = config.invoice_search_url.as_deref().ok_or_else(|| {
        Error::config("the invoice search URL is not configured (EPAY_INVOICE_SEARCH_URL): no public document names it")
    })?;
    req.validate()?;
    let body = SearchWire {
        paging: Paging {
            skip: req.skip,
            limit: req.limit,
        },
        search_parameters: req
            .filters
            .iter()
            .map(|f| FilterWire {
                name: &f.name,
                method: f.method.as_str(),
                search_parameter: &f.values,
            })
            .collect(),
        order_parameters: OrderWire {
            field: &req.order.0,
            type_order: match req.order.1 {
                SortOrder::Asc => "ASC",
                SortOrder::Desc => "DESC",
            },
        },
    };
    Ok(wire::json_request(Method::Post, url.to_owned(), &body)?.bearer(token))
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoicePage {
    /// Total matching records.
    pub total_count: u64,
    /// This page's records.
    pub records: Vec<Invoice>,
}

#[derive(Deserialize)]
struct PageWire {
    #[serde(rename = "TotalCount", alias = "totalCount", alias = "total_count", default)]
    total_count: Option<Box<RawValue>>,
    #[serde(rename = "Records", alias = "records", default)]
    records: Option<Vec<InvoiceWire>>,
}

/// Parses a search response (`{TotalCount, Records}`, PascalCase as in the seed).
pub fn parse_search_invoices(resp: &HttpResponse) -> Result<InvoicePage> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let wire: PageWire = wire::json_object(resp)?;
    let records = wire
        .records
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.into_invoice(resp.status, None))
        .collect::<Result<Vec<_>>>()?;
    let total_count = match wire.total_count.as_deref().and_then(wire::raw_text) {
        None => records.len() as u64,
        Some(t) => t
            .trim()
            .parse::<u64>()
            .map_err(|_| Error::unreadable(PROVIDER, resp.status, "TotalCount is not a count", &resp.body, None))?,
    };
    Ok(InvoicePage { total_count, records })
}

/// Builds `PUT {api}/deactivate/invoice-links/{id}` (`id` = ePay's link id).
pub fn build_deactivate_invoice(config: &EpayConfig, link_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::path_id("invoice_link_id", link_id)?;
    Ok(HttpRequest::new(Method::Put, config.api(&format!("/deactivate/invoice-links/{link_id}"))).bearer(token))
}

/// Parses the deactivation response: any 2xx is success.
pub fn parse_deactivate_invoice(resp: &HttpResponse) -> Result<()> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(api_error(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SEED_CREATE_RESPONSE: &str = r#"{
  "id": "19c435ae-fbe6-4761-863f-381f6a0fe824",
  "shop_id": "4e16cfde-f3e9-49c6-8cf9-2d3f080f739c",
  "amount": 100,
  "invoice_id": "25458124232312321",
  "language": "rus",
  "currency": "KZT",
  "description": "asdasdasdas",
  "account_id": "0003413423",
  "recipient_contact": "EXAMPLE@halykbank.kz",
  "recipient_contact_sms": "+777711111111",
  "notifier_contact": "",
  "notifier_contact_sms": "+777711111111",
  "expire_period": "2d",
  "post_link": "",
  "failure_post_link": "",
  "created_date": "2023-03-28T10:04:10.997074088+06:00",
  "expire_date": "2023-03-30T10:04:10.997074088+06:00",
  "status": "ACTIVE",
  "updated_date": "0001-01-01T00:00:00Z",
   "invoice_url": " https://testepay.homebank.kz/api/redirect/invoice-link/19c435ae-fbe6-4761-863f-381f6a0fe824",
  "merchant_id": " ad638b1d-e515-4b9c-aab3-d3500735f6eb",
  "terminal_id": "d9d7978c-d6ee-4ec0-8cda-165251a4bf16"
}"#;

    #[test]
    fn the_seed_create_response_parses_with_its_quirks() {
        let inv = parse_create_invoice(&HttpResponse::new(200, SEED_CREATE_RESPONSE), Currency::KZT).unwrap();
        assert_eq!(inv.id, "19c435ae-fbe6-4761-863f-381f6a0fe824");
        assert_eq!(inv.amount, Some(Money::from_minor(10000, Currency::KZT)));
        assert_eq!(inv.status, InvoiceStatus::Active);
        assert_eq!(
            inv.invoice_url,
            "https://testepay.homebank.kz/api/redirect/invoice-link/19c435ae-fbe6-4761-863f-381f6a0fe824"
        );
        assert_eq!(inv.merchant_id, "ad638b1d-e515-4b9c-aab3-d3500735f6eb");
        assert_eq!(inv.updated_at(), None);
        assert_eq!(inv.created_at().map(|d| d.year()), Some(2023));
        assert_eq!(inv.expire_period, "2d");
        assert_eq!(inv.card_save, None);
    }

    #[test]
    fn expire_periods() {
        assert_eq!(ExpirePeriod::parse("2d").unwrap().as_days(), 2);
        assert_eq!(ExpirePeriod::days(30).unwrap().to_wire(), "30d");
        for bad in ["", "d", "2", "2h", "-1d", "0d", " 2d", "2 d", "99999999999d"] {
            let err = ExpirePeriod::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "expire_period"),
                "{bad}"
            );
        }
    }

    #[test]
    fn search_arity_rules() {
        let ok = |f: SearchFilter| InvoiceSearch::invoice_id(f).validate();
        assert!(ok(SearchFilter::eq("invoice_id", "200220241201")).is_ok());
        assert!(ok(SearchFilter::like("invoice_id", "2002%")).is_ok());
        assert!(ok(SearchFilter::like("invoice_id", "2002")).is_err());
        assert!(ok(SearchFilter::between("invoice_id", "1", "2")).is_ok());
        assert!(ok(SearchFilter::one_of("invoice_id", ["1"])).is_ok());
        assert!(ok(SearchFilter::one_of("invoice_id", Vec::<String>::new())).is_err());
        let mut f = SearchFilter::between("invoice_id", "1", "2");
        f.values.push("3".into());
        assert!(matches!(ok(f), Err(Error::InvalidInput { field, .. }) if field == "search_parameters"));
        let no_invoice = InvoiceSearch {
            filters: vec![SearchFilter::eq("status", "ACTIVE")],
            ..InvoiceSearch::by_invoice_id("1")
        };
        assert!(no_invoice.validate().is_err());
        assert!(InvoiceSearch::by_invoice_id("1").page(0, 0).validate().is_err());
    }
}
