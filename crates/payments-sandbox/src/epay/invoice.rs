//! Invoice links: create, search, deactivate, and the payer's page.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::credentials::{INVOICE_SHOP_ID, INVOICE_TERMINAL, INVOICE_USERNAME, MERCHANT_ID, cards};
use super::error::{ApiError, codes, json_response};
use super::like::like;
use super::model::{Invoice, PaymentOrder};
use super::oauth::{authorize, form, require_user};
use super::page::{buttons, esc, layout};
use super::postlink::settle;
use super::store::{State, invoice_status, tail6};
use super::util::{check_amount, check_link, kz_time, uuid};
use crate::json::{Json, RawObject, parse_decimal, raw_to_text};

/// Longest free-text field of an invoice (contacts, account id), in bytes; the
/// seed gives none, so the sandbox's bound.
pub const MAX_FIELD_LEN: usize = 255;

fn invoice_url(state: &State, id: &str) -> String {
    format!("{}/epay/api/redirect/invoice-link/{id}", state.shared.base_url)
}

/// The invoice JSON as ePay returns it; `stray` adds the seed's leading spaces.
fn invoice_json(state: &State, inv: &Invoice, now: OffsetDateTime, stray: bool, card_save: bool) -> Json {
    let pad = if stray { " " } else { "" };
    let mut j = Json::obj([
        ("id", Json::str(inv.id.clone())),
        ("shop_id", Json::str(INVOICE_SHOP_ID)),
        ("amount", Json::dec(inv.amount)),
        ("invoice_id", Json::str(inv.invoice_id.clone())),
        ("language", Json::str(inv.language.clone())),
        ("currency", Json::str(inv.currency.clone())),
        ("description", Json::str(inv.description.clone())),
        ("account_id", Json::str(inv.account_id.clone())),
        ("recipient_contact", Json::str(inv.recipient_contact.clone())),
        ("recipient_contact_sms", Json::str(inv.recipient_contact_sms.clone())),
        ("notifier_contact", Json::str("")),
        ("notifier_contact_sms", Json::str(inv.notifier_contact_sms.clone())),
        ("expire_period", Json::str(inv.expire_period.clone())),
        ("post_link", Json::str(inv.post_link.clone())),
        ("failure_post_link", Json::str(inv.failure_post_link.clone())),
        ("back_link", Json::str(inv.back_link.clone())),
        ("failure_back_link", Json::str(inv.failure_back_link.clone())),
        ("created_date", Json::str(kz_time(inv.created))),
        ("expire_date", Json::str(kz_time(inv.expires))),
        ("status", Json::str(invoice_status(inv, now))),
        (
            "updated_date",
            Json::str(
                inv.updated
                    .map(kz_time)
                    .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_owned()),
            ),
        ),
        (
            "invoice_url",
            Json::str(format!("{pad}{}", invoice_url(state, &inv.id))),
        ),
        ("merchant_id", Json::str(format!("{pad}{MERCHANT_ID}"))),
        ("terminal_id", Json::str(INVOICE_TERMINAL)),
    ]);
    if card_save {
        j.push("card_save", Json::Bool(false));
    }
    j
}

/// The fields a search may filter or order on.
const FIELDS: [&str; 15] = [
    "id",
    "shop_id",
    "amount",
    "invoice_id",
    "language",
    "currency",
    "description",
    "account_id",
    "recipient_contact",
    "recipient_contact_sms",
    "expire_period",
    "status",
    "created_date",
    "expire_date",
    "terminal_id",
];

/// A field's value as text, for search filters and ordering.
fn field_text(inv: &Invoice, name: &str, now: OffsetDateTime) -> Option<String> {
    Some(match name {
        "id" => inv.id.clone(),
        "shop_id" => INVOICE_SHOP_ID.to_owned(),
        "amount" => inv.amount.normalize().to_string(),
        "invoice_id" => inv.invoice_id.clone(),
        "language" => inv.language.clone(),
        "currency" => inv.currency.clone(),
        "description" => inv.description.clone(),
        "account_id" => inv.account_id.clone(),
        "recipient_contact" => inv.recipient_contact.clone(),
        "recipient_contact_sms" => inv.recipient_contact_sms.clone(),
        "expire_period" => inv.expire_period.clone(),
        "status" => invoice_status(inv, now).to_owned(),
        "created_date" => kz_time(inv.created),
        "expire_date" => kz_time(inv.expires),
        "terminal_id" => INVOICE_TERMINAL.to_owned(),
        _ => return None,
    })
}

fn compare(name: &str, a: &str, b: &str) -> Ordering {
    if name == "amount"
        && let (Some(x), Some(y)) = (parse_decimal(a), parse_decimal(b))
    {
        return x.cmp(&y);
    }
    a.cmp(b)
}

/// `POST /epay/api/invoice`.
pub(super) async fn create(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    {
        let token = authorize(&state, &headers)?;
        require_user(&token, INVOICE_USERNAME)?;
        let text = std::str::from_utf8(&body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
        let obj = RawObject::parse_checked(text).map_err(ApiError::json)?;
        let f = ApiError::field;
        let shop_id = obj.required_string("shop_id").map_err(f)?;
        if shop_id.trim() != INVOICE_SHOP_ID {
            return Err(ApiError::invalid("shop_id: unknown shop"));
        }
        let invoice_id = obj.text("invoice_id").map_err(f)?.unwrap_or_default();
        // The seed's table says 6 to 15 digits; its own sample has 17. The
        // stricter reading (the table, as for payments) wins.
        if !(6..=15).contains(&invoice_id.len()) || !invoice_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::invalid("invoice_id: must be 6 to 15 digits"));
        }
        let amount = obj
            .decimal("amount")
            .map_err(f)?
            .filter(|a| *a > Decimal::ZERO)
            .ok_or_else(|| ApiError::invalid("amount: required, positive"))?;
        let amount = check_amount("amount", amount)?;
        let language = obj.required_string("language").map_err(f)?;
        if !["rus", "kaz", "eng"].contains(&language.as_str()) {
            return Err(ApiError::invalid("language: must be rus, kaz or eng"));
        }
        let description = obj.required_string("description").map_err(f)?;
        if description.len() > 125 {
            return Err(ApiError::invalid("description: at most 125 bytes"));
        }
        let expire_period = obj.required_string("expire_period").map_err(f)?;
        let days: i64 = expire_period
            .strip_suffix('d')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
            .filter(|n| (1..=365).contains(n))
            .ok_or_else(|| ApiError::invalid("expire_period: must be like \"2d\" (1 to 365 days)"))?;
        let recipient_contact = obj.required_string("recipient_contact").map_err(f)?;
        if !recipient_contact.contains('@') {
            return Err(ApiError::invalid("recipient_contact: must be an e-mail address"));
        }
        let sms = obj.required_string("recipient_contact_sms").map_err(f)?;
        check_phone("recipient_contact_sms", &sms)?;
        let notifier = obj.string("notifier_contact_sms").map_err(f)?.unwrap_or_default();
        if !notifier.is_empty() {
            check_phone("notifier_contact_sms", &notifier)?;
        }
        let currency = obj.required_string("currency").map_err(f)?;
        if currency != "KZT" {
            return Err(ApiError::invalid("currency: must be KZT"));
        }
        let s = |key: &str| obj.string(key).map(|v| v.unwrap_or_default()).map_err(f);
        let link = |key: &str| -> Result<String, ApiError> {
            let v = s(key)?;
            if !v.trim().is_empty() {
                check_link(key, &v)?;
            }
            Ok(v)
        };
        let account_id = obj.text("account_id").map_err(f)?.unwrap_or_default();
        for (name, value) in [("account_id", &account_id), ("recipient_contact", &recipient_contact)] {
            if value.len() > MAX_FIELD_LEN {
                return Err(ApiError::invalid(format!("{name}: longer than {MAX_FIELD_LEN} bytes")));
            }
        }
        let now = state.now();
        let inv = Invoice {
            id: uuid(),
            invoice_id,
            amount,
            language,
            currency,
            description,
            account_id,
            recipient_contact,
            recipient_contact_sms: sms,
            notifier_contact_sms: notifier,
            expire_period,
            post_link: link("post_link")?,
            failure_post_link: link("failure_post_link")?,
            back_link: link("back_link")?,
            failure_back_link: link("failure_back_link")?,
            created: now,
            expires: now + time::Duration::days(days),
            updated: None,
            status: "ACTIVE",
        };
        let mut store = state.store();
        let tail = tail6(&inv.invoice_id);
        if store.invoice_tails.contains_key(&tail, now) {
            return Err(ApiError::bad(
                codes::DUPLICATE,
                "invoice_id: already used (or its last 6 digits are)",
            ));
        }
        store.invoice_tails.insert(tail, (), now);
        let stray = !store.plain_invoice_urls;
        let body = invoice_json(&state, &inv, now, stray, false).render();
        store.invoices.insert(inv.id.clone(), Arc::new(inv), now);
        Ok(json_response(StatusCode::OK, body))
    }
}

/// `+7` and 10 digits, as the seed's table writes it (`+7XXXXXXXXXX`). Its
/// sample (`+777711111111`) has 11 digits; the table, the stricter reading, wins.
fn check_phone(field: &str, phone: &str) -> Result<(), ApiError> {
    let ok = phone
        .strip_prefix("+7")
        .is_some_and(|rest| rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("{field}: must be +7 and 10 digits")))
    }
}

struct Filter {
    name: String,
    method: String,
    values: Vec<String>,
}

/// `POST /epay/api/invoice/search`.
pub(super) async fn search(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    {
        let token = authorize(&state, &headers)?;
        require_user(&token, INVOICE_USERNAME)?;
        let text = std::str::from_utf8(&body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
        let obj = RawObject::parse_checked(text).map_err(ApiError::json)?;
        let f = ApiError::field;
        let paging = obj
            .object("paging")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("paging: required"))?;
        let count = |key: &str| -> Result<usize, ApiError> {
            paging
                .text(key)
                .ok()
                .flatten()
                .and_then(|t| t.parse::<usize>().ok())
                .ok_or_else(|| ApiError::invalid(format!("paging.{key}: required, a non-negative integer")))
        };
        let skip = count("skip")?;
        let limit = count("limit")?;
        let params = obj
            .array("searchParameters")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("searchParameters: required"))?;
        let mut filters = Vec::new();
        for raw in params {
            let p = RawObject::parse(raw).ok_or_else(|| ApiError::invalid("searchParameters: objects expected"))?;
            let name = p.required_string("name").map_err(f)?;
            let method = p.required_string("method").map_err(f)?;
            let values = p
                .array("searchParameter")
                .map_err(f)?
                .ok_or_else(|| ApiError::invalid("searchParameter: required"))?
                .into_iter()
                .map(|v| raw_to_text(v).ok_or_else(|| ApiError::invalid("searchParameter: strings expected")))
                .collect::<Result<Vec<_>, _>>()?;
            let arity_ok = match method.as_str() {
                "=" => values.len() == 1,
                "like" => values.len() == 1 && values.iter().all(|v| v.contains('%')),
                "between" => values.len() == 2,
                "in" => !values.is_empty(),
                _ => return Err(ApiError::invalid(format!("method: unsupported {method:?}"))),
            };
            if !arity_ok {
                return Err(ApiError::invalid(format!(
                    "searchParameter: wrong values for method {method:?} (= 1, like 1 with %, between 2, in 1+)"
                )));
            }
            if !FIELDS.contains(&name.as_str()) {
                return Err(ApiError::invalid(format!("name: unknown field {name:?}")));
            }
            filters.push(Filter { name, method, values });
        }
        if !filters.iter().any(|flt| flt.name == "invoice_id") {
            return Err(ApiError::invalid("searchParameters: an invoice_id filter is required"));
        }
        let order = match obj.object("orderParameters").map_err(f)? {
            Some(o) => {
                let field = o
                    .string("field")
                    .map_err(f)?
                    .unwrap_or_else(|| "created_date".to_owned());
                let desc = match o.string("typeOrder").map_err(f)?.as_deref() {
                    None | Some("DESC") => true,
                    Some("ASC") => false,
                    Some(_) => return Err(ApiError::invalid("typeOrder: must be ASC or DESC")),
                };
                (field, desc)
            }
            None => ("created_date".to_owned(), true),
        };
        let now = state.now();
        // Snapshot (pointer copies) under the lock; match outside it, so a slow
        // pattern never holds up another request.
        let snapshot: Vec<Arc<Invoice>> = state.store().invoices.values(now).cloned().collect();
        let mut found: Vec<&Invoice> = snapshot
            .iter()
            .map(|inv| inv.as_ref())
            .filter(|inv| {
                filters.iter().all(|flt| {
                    let Some(value) = field_text(inv, &flt.name, now) else {
                        return false;
                    };
                    let first = flt.values.first().map(String::as_str).unwrap_or_default();
                    match flt.method.as_str() {
                        "=" => compare(&flt.name, &value, first) == Ordering::Equal,
                        "in" => flt
                            .values
                            .iter()
                            .any(|v| compare(&flt.name, &value, v) == Ordering::Equal),
                        "like" => like(first, &value),
                        "between" => {
                            let last = flt.values.get(1).map(String::as_str).unwrap_or_default();
                            compare(&flt.name, &value, first) != Ordering::Less
                                && compare(&flt.name, &value, last) != Ordering::Greater
                        }
                        _ => false,
                    }
                })
            })
            .collect();
        let (field, desc) = order;
        found.sort_by(|a, b| {
            let ka = field_text(a, &field, now).unwrap_or_default();
            let kb = field_text(b, &field, now).unwrap_or_default();
            let ord = compare(&field, &ka, &kb).then_with(|| a.created.cmp(&b.created));
            if desc { ord.reverse() } else { ord }
        });
        let total = found.len();
        let records: Vec<Json> = found
            .into_iter()
            .skip(skip)
            .take(limit)
            .map(|inv| invoice_json(&state, inv, now, false, true))
            .collect();
        let body = Json::obj([
            ("TotalCount", Json::int(i64::try_from(total).unwrap_or(i64::MAX))),
            ("Records", Json::Arr(records)),
        ]);
        Ok(json_response(StatusCode::OK, body.render()))
    }
}

/// `PUT /epay/api/deactivate/invoice-links/{id}`: 200 with an empty body.
pub(super) async fn deactivate(
    AxumState(state): AxumState<Arc<State>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = authorize(&state, &headers)?;
    require_user(&token, INVOICE_USERNAME)?;
    let now = state.now();
    let mut store = state.store();
    let inv = store
        .invoices
        .get_mut(&id, now)
        .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "invoice link not found"))?;
    // A paid link stays paid: deactivating does not touch a payment already made.
    if inv.status == "ACTIVE" {
        let inv = Arc::make_mut(inv);
        inv.status = "DEACTIVATED";
        inv.updated = Some(now);
    }
    Ok(StatusCode::OK)
}

/// `GET /epay/api/redirect/invoice-link/{id}`: the payer's page.
pub(super) async fn page(AxumState(state): AxumState<Arc<State>>, Path(id): Path<String>) -> Response {
    let now = state.now();
    let inv = state.store().invoices.get(&id, now).cloned();
    let Some(inv) = inv else {
        return (
            StatusCode::NOT_FOUND,
            layout("Invoice not found", "<p class=\"err\">No such invoice link.</p>"),
        )
            .into_response();
    };
    let status = invoice_status(&inv, now);
    let mut body = format!(
        "<p>Invoice <b id=\"invoice\">{inv_id}</b>: <b id=\"amount\">{amount} {cur}</b></p><p>{desc}</p>\
         <p>Status: <b id=\"status\">{status}</b>, valid until {exp}</p>",
        inv_id = esc(&inv.invoice_id),
        amount = esc(&crate::hosted::major(inv.amount, &inv.currency)),
        cur = esc(&inv.currency),
        desc = esc(&inv.description),
        exp = esc(&kz_time(inv.expires)),
    );
    if status == "ACTIVE" {
        body.push_str(&buttons(&format!("{id}/approve"), &format!("{id}/decline"), &[]));
    }
    (StatusCode::OK, layout("Invoice", &body)).into_response()
}

/// `POST /epay/api/redirect/invoice-link/{id}/approve` (form field `card` optional).
pub(super) async fn approve(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    pay(state, id, query, headers, body, true)
}

/// `POST /epay/api/redirect/invoice-link/{id}/decline`.
pub(super) async fn decline(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    pay(state, id, query, headers, body, false)
}

fn pay(
    AxumState(state): AxumState<Arc<State>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
    approve: bool,
) -> Result<Response, ApiError> {
    {
        let fields = form(&body);
        let card = fields
            .get("card")
            .or_else(|| query.get("card"))
            .map(|c| c.trim().replace(' ', ""))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| cards::VISA_OK.to_owned());
        let now = state.now();
        let inv = state
            .store()
            .invoices
            .get(&id, now)
            .cloned()
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "invoice link not found"))?;
        let status = invoice_status(&inv, now);
        if status != "ACTIVE" {
            return Err(ApiError::bad(codes::LINK_INACTIVE, format!("invoice link is {status}")));
        }
        let link = |l: &str| Some(l.trim().to_owned()).filter(|l| !l.is_empty());
        let order = PaymentOrder {
            invoice_id: inv.invoice_id.clone(),
            amount: inv.amount,
            currency: inv.currency.clone(),
            terminal: INVOICE_TERMINAL.to_owned(),
            post_link: link(&inv.post_link),
            failure_post_link: link(&inv.failure_post_link),
            back_link: inv.back_link.clone(),
            failure_back_link: inv.failure_back_link.clone(),
            description: inv.description.clone(),
            account_id: inv.account_id.clone(),
            language: inv.language.clone(),
            email: inv.recipient_contact.clone(),
            phone: inv.recipient_contact_sms.clone(),
            invoice_link_id: Some(inv.id.clone()),
            ..PaymentOrder::default()
        };
        let txn = settle(&state, order, &card, !approve)?;
        if txn.status.is_paid()
            && let Some(stored) = state.store().invoices.get_mut(&id, now)
        {
            let stored = Arc::make_mut(stored);
            stored.status = "CHARGED";
            stored.updated = Some(now);
        }
        Ok(super::page::outcome(&headers, &txn))
    }
}
