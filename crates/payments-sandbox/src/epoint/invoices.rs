//! `invoices/create`, `update`, `view`, `list`, `send-sms`, `send-email`
//! (requests: PDF-md; answers: m56 [U]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::envelope::{Answer, ApiError, Signed, error, open, reply};
use super::fields::{CREATE, LIST, SEND_EMAIL, SEND_SMS, UPDATE, VIEW};
use super::fields::{DESCRIPTION_MAX, ORDER_ID_MAX};
use super::store::{Invoice, InvoiceStatus};
use super::{Feature, State, lock};

/// `+` (optional) and 9-15 digits: the documents give no format, this is E.164's length.
pub(super) fn valid_phone(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or(p);
    (9..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// One `@`, a non-empty local part, a dotted domain, no spaces, at most 254 characters.
pub(super) fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(|c: char| c.is_whitespace() || c.is_control())
}

fn date(s: &Signed, name: &str) -> Result<time::Date, ApiError> {
    let text = s.req_str(name, 10)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&text, &format).map_err(|_| error(&format!("{name}: must be a date YYYY-MM-DD")))
}

/// Validates the create/update fields into their stored (wire) form.
fn invoice_fields(st: &State, s: &Signed) -> Result<Map<String, Value>, ApiError> {
    let mut m = Map::new();
    m.insert("sum".into(), s.req_amount("sum")?.to_major_string().into());
    m.insert("display".into(), u8::from(s.req_flag("display")?).into());
    m.insert(
        "save_as_template".into(),
        u8::from(s.req_flag("save_as_template")?).into(),
    );
    let installment = s.opt_flag("status_installment", false)?.unwrap_or(false);
    if installment && !st.has_feature(&s.merchant, Feature::Installments) {
        return Err(error(
            "status_installment: installments are not enabled for this merchant",
        ));
    }
    m.insert("status_installment".into(), u8::from(installment).into());
    m.insert("name".into(), s.opt_str("name", ORDER_ID_MAX)?.into());
    m.insert("description".into(), s.opt_str("description", DESCRIPTION_MAX)?.into());
    let phone = s.opt_str("phone", 16)?;
    if phone.as_deref().is_some_and(|p| !valid_phone(p)) {
        return Err(error("phone: must be + and 9-15 digits"));
    }
    m.insert("phone".into(), phone.into());
    let email = s.opt_str("email", 254)?;
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        return Err(error("email: not an e-mail address"));
    }
    m.insert("email".into(), email.into());
    let inn = s.opt_str("inn", 10)?;
    if inn
        .as_deref()
        .is_some_and(|t| t.len() != 10 || !t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(error("inn: must be 10 digits"));
    }
    m.insert("inn".into(), inn.into());
    m.insert(
        "contract_number".into(),
        s.opt_str("contract_number", ORDER_ID_MAX)?.into(),
    );
    m.insert(
        "merchant_order_id".into(),
        s.opt_str("merchant_order_id", ORDER_ID_MAX)?.into(),
    );
    let (from, to) = (date(s, "period_from")?, date(s, "period_to")?);
    if from > to {
        return Err(error("period_to: before period_from"));
    }
    m.insert("period_from".into(), from.to_string().into());
    m.insert("period_to".into(), to.to_string().into());
    Ok(m)
}

fn id(s: &Signed) -> Result<i64, ApiError> {
    match s.payload.get("id") {
        Some(Value::Number(n)) => n
            .as_i64()
            .filter(|i| *i > 0)
            .ok_or_else(|| error("id: must be a positive integer")),
        None | Some(Value::Null) => Err(error("id: is required")),
        Some(_) => Err(error("id: must be a number")),
    }
}

fn invoice_json(inv: &Invoice) -> Value {
    let mut m = inv.fields.clone();
    m.insert("id".into(), inv.id.into());
    m.insert("status".into(), inv.status.as_str().into());
    m.insert(
        "created_at".into(),
        inv.created_at.format(&Rfc3339).unwrap_or_default().into(),
    );
    Value::Object(m)
}

fn size(fields: &Map<String, Value>) -> usize {
    512 + Value::Object(fields.clone()).to_string().len()
}

pub(super) async fn create(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, CREATE)?;
    let fields = invoice_fields(&st, &s)?;
    let now = st.now();
    let bytes = size(&fields);
    let mut store = lock(&st.store);
    let id = store.new_invoice_id();
    let invoice = Invoice {
        id,
        merchant: s.merchant.clone(),
        status: InvoiceStatus::WaitingForPayment,
        fields,
        sms_sent: Vec::new(),
        emails_sent: Vec::new(),
        created_at: now,
    };
    store.invoices.insert(id, invoice, bytes, now);
    drop(store);
    Ok(reply(
        json!({"status": "success", "id": id, "message": "Invoice created"}),
    ))
}

/// Runs `f` on the merchant's invoice `id`.
fn with_invoice<T>(
    st: &State,
    s: &Signed,
    id: i64,
    f: impl FnOnce(&mut Invoice) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let now = st.now();
    let mut store = lock(&st.store);
    let inv = store
        .invoices
        .get_mut(&id, now)
        .filter(|i| i.merchant == s.merchant)
        .ok_or_else(|| error("Invoice not found"))?;
    f(inv)
}

pub(super) async fn update(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, UPDATE)?;
    let id = id(&s)?;
    let fields = invoice_fields(&st, &s)?;
    with_invoice(&st, &s, id, |inv| {
        if inv.status != InvoiceStatus::WaitingForPayment {
            return Err(error("Only an invoice waiting for payment can be updated"));
        }
        inv.fields = fields;
        Ok(())
    })?;
    Ok(reply(json!({"status": "success", "message": "Invoice updated"})))
}

pub(super) async fn view(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, VIEW)?;
    let id = id(&s)?;
    let invoice = with_invoice(&st, &s, id, |inv| Ok(invoice_json(inv)))?;
    Ok(reply(json!({"status": "success", "invoice": invoice})))
}

pub(super) async fn list(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, LIST)?;
    // PDF-md: incoming, outgoing, static. The sandbox's invoices are all
    // outgoing (sent by the merchant); `static` are the templates.
    let kind = s.opt_str("type", 16)?;
    if kind
        .as_deref()
        .is_some_and(|k| !matches!(k, "incoming" | "outgoing" | "static"))
    {
        return Err(error("type: must be incoming, outgoing or static"));
    }
    // PDF-md says "ascending, descending"; m56 reads asc/desc: both accepted.
    let descending = match s.opt_str("order", 16)?.as_deref() {
        None | Some("asc" | "ascending") => false,
        Some("desc" | "descending") => true,
        Some(_) => return Err(error("order: must be asc or desc")),
    };
    let now = st.now();
    // Only the matching records are copied under the lock; the JSON is built after.
    let matching: Vec<Invoice> = {
        let store = lock(&st.store);
        store
            .invoices
            .values(now)
            .filter(|i| i.merchant == s.merchant)
            .filter(|i| {
                let template = i.fields.get("save_as_template") == Some(&Value::from(1u8));
                match kind.as_deref() {
                    Some("incoming") => false,
                    Some("static") => template,
                    Some(_) => !template,
                    None => true,
                }
            })
            .cloned()
            .collect()
    };
    let mut invoices: Vec<Value> = matching.iter().map(invoice_json).collect();
    if descending {
        invoices.reverse();
    }
    Ok(reply(json!({"status": "success", "invoices": invoices})))
}

pub(super) async fn send_sms(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, SEND_SMS)?;
    let id = id(&s)?;
    let phone = s.req_str("phone", 16)?;
    if !valid_phone(&phone) {
        return Err(error("phone: must be + and 9-15 digits"));
    }
    with_invoice(&st, &s, id, |inv| {
        // Kept short: the record shows the sending, not an unbounded log.
        if inv.sms_sent.len() < 32 {
            inv.sms_sent.push(phone);
        }
        Ok(())
    })?;
    Ok(reply(json!({"status": "success", "message": "SMS sent"})))
}

pub(super) async fn send_email(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, SEND_EMAIL)?;
    let id = id(&s)?;
    let email = s.req_str("email", 254)?;
    if !valid_email(&email) {
        return Err(error("email: not an e-mail address"));
    }
    with_invoice(&st, &s, id, |inv| {
        if inv.emails_sent.len() < 32 {
            inv.emails_sent.push(email);
        }
        Ok(())
    })?;
    Ok(reply(json!({"status": "success", "message": "E-mail sent"})))
}
