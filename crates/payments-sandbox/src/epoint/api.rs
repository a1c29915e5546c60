//! The `/api/1/...` operations.

use std::str::FromStr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as Ax};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use payments_core::clock::Clock;
use payments_core::{Currency, Money};
use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;

use super::envelope::{Signed, error, open};
use super::store::{Card, Kind, Transaction, TxStatus};
use super::{State, lock};
use crate::scenario::{self, Outcome};

type Handler = Result<Response, Response>;

fn finish(r: Handler) -> Response {
    r.unwrap_or_else(|e| e)
}

const ORDER_ID_MAX: usize = 255;
const DESCRIPTION_MAX: usize = 1000;
const URL_MAX: usize = 2048;

/// The bank's action code and message for an outcome.
pub(super) fn bank_result(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Approve => ("000", "Approved"),
        Outcome::Decline => ("100", "Declined"),
        Outcome::InsufficientFunds => ("116", "Insufficient funds"),
        Outcome::ThreeDsFailed => ("100", "3-D Secure authentication failed"),
        Outcome::Timeout => ("911", "Issuer timed out"),
    }
}

/// Records a settled outcome on a transaction (not for [`Outcome::Timeout`]
/// on hosted pages, which leaves the transaction pending).
pub(super) fn apply_outcome(tx: &mut Transaction, outcome: Outcome, card: Option<&str>, holder: Option<&str>) {
    let (code, message) = bank_result(outcome);
    tx.code = Some(code.to_owned());
    tx.message = Some(message.to_owned());
    tx.bank_transaction = Some(scenario::random_hex_upper(8));
    if outcome == Outcome::Approve {
        tx.status = TxStatus::Success;
        tx.rrn = Some(scenario::random_digits(12));
        tx.card_mask = Some(scenario::mask(card));
        tx.card_name = Some(holder.unwrap_or("TEST CARDHOLDER").to_owned());
    } else {
        tx.status = TxStatus::Error;
    }
}

pub(super) fn bank_response(tx: &Transaction) -> Option<String> {
    let code = tx.code.as_deref()?;
    Some(if tx.status == TxStatus::Error {
        format!("DECLINED {code}")
    } else {
        format!("APPROVED {code}")
    })
}

pub(super) fn operation_code(kind: Kind) -> &'static str {
    if kind == Kind::SaveCard { "001" } else { "100" }
}

/// An amount as a JSON number (`10.5`), as EPoint's callbacks carry it.
pub(super) fn amount_number(m: Money) -> Value {
    serde_json::Number::from_str(&m.to_major_string()).map_or(Value::Null, Value::Number)
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.into());
    }
}

/// The "Base" response of a direct operation.
fn base_response(tx: &Transaction) -> Map<String, Value> {
    let mut m = Map::new();
    let status = if tx.status == TxStatus::Error {
        "failed"
    } else {
        "success"
    };
    m.insert("status".into(), status.into());
    put(&mut m, "message", tx.message.clone());
    put(&mut m, "code", tx.code.clone());
    m.insert("transaction".into(), tx.id.clone().into());
    put(&mut m, "bank_transaction", tx.bank_transaction.clone());
    put(&mut m, "bank_response", bank_response(tx));
    m.insert("operation_code".into(), operation_code(tx.kind).into());
    put(&mut m, "rrn", tx.rrn.clone());
    put(&mut m, "card_mask", tx.card_mask.clone());
    put(&mut m, "card_name", tx.card_name.clone());
    put(&mut m, "amount", tx.amount.map(|a| a.to_major_string()));
    m
}

fn new_transaction(state: &State, merchant: &str, kind: Kind) -> Transaction {
    let now = state.shared.clock.now();
    Transaction {
        id: String::new(),
        merchant: merchant.to_owned(),
        kind,
        amount: None,
        refunded: None,
        order_id: None,
        description: None,
        other_attr: Value::Null,
        card_id: None,
        split_user: None,
        split_amount: None,
        status: TxStatus::New,
        code: None,
        message: None,
        rrn: None,
        bank_transaction: None,
        card_mask: None,
        card_name: None,
        success_redirect_url: None,
        error_redirect_url: None,
        token_payment_id: None,
        created_at: now,
        updated_at: now,
    }
}

fn split_fields(s: &Signed, amount: Money) -> Result<(String, Money), Response> {
    let user = s.req_str("split_user", 255)?;
    let split = s.req_amount("split_amount")?;
    if split.minor() > amount.minor() {
        return Err(error("split_amount: must not exceed amount"));
    }
    Ok((user, split))
}

// ---- hosted-page operations (1, 3, 5, 8, 10) ----

fn hosted(state: &State, headers: &HeaderMap, body: &[u8], kind: Kind) -> Handler {
    let s = open(state, headers, body)?;
    let mut tx = new_transaction(state, &s.merchant, kind);
    if kind != Kind::SaveCard {
        let amount = s.req_amount("amount")?;
        s.currency()?;
        tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
        tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
        tx.success_redirect_url = s.opt_str("success_redirect_url", URL_MAX)?;
        tx.error_redirect_url = s.opt_str("error_redirect_url", URL_MAX)?;
        if matches!(kind, Kind::SplitPay | Kind::SplitPayAndSaveCard) {
            let (user, split) = split_fields(&s, amount)?;
            tx.split_user = Some(user);
            tx.split_amount = Some(split);
        }
        if matches!(kind, Kind::Pay | Kind::SplitPay) {
            tx.other_attr = s.other_attr();
        }
        tx.amount = Some(amount);
    }
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    let mut m = Map::new();
    m.insert("status".into(), "success".into());
    if kind != Kind::SaveCard {
        m.insert("transaction".into(), tx.id.clone().into());
    }
    m.insert("redirect_url".into(), state.payment_page_url(&tx.id).into());
    if kind.saves_card() {
        let card_id = store.new_card_id();
        store.cards.insert(
            card_id.clone(),
            Card {
                id: card_id.clone(),
                merchant: s.merchant.clone(),
                active: false,
                mask: None,
                holder: None,
            },
        );
        tx.card_id = Some(card_id.clone());
        m.insert("card_id".into(), card_id.into());
    }
    store.transactions.insert(tx.id.clone(), tx);
    Ok(Json(Value::Object(m)).into_response())
}

pub(super) async fn pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(hosted(&st, &headers, &body, Kind::Pay))
}

pub(super) async fn save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(hosted(&st, &headers, &body, Kind::SaveCard))
}

pub(super) async fn pay_and_save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(hosted(&st, &headers, &body, Kind::PayAndSaveCard))
}

pub(super) async fn split_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(hosted(&st, &headers, &body, Kind::SplitPay))
}

pub(super) async fn split_pay_and_save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(hosted(&st, &headers, &body, Kind::SplitPayAndSaveCard))
}

// ---- status ----

fn status_of(state: &State, headers: &HeaderMap, body: &[u8]) -> Handler {
    let s = open(state, headers, body)?;
    let id = s.req_str("transaction", 64)?;
    let store = lock(&state.store);
    let tx = store
        .transactions
        .get(&id)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    let mut m = Map::new();
    m.insert("status".into(), tx.status.as_str().into());
    put(&mut m, "message", tx.message.clone());
    put(&mut m, "code", tx.code.clone());
    m.insert("transaction".into(), tx.id.clone().into());
    put(&mut m, "bank_transaction", tx.bank_transaction.clone());
    put(&mut m, "bank_response", bank_response(tx));
    m.insert("operation_code".into(), operation_code(tx.kind).into());
    put(&mut m, "rrn", tx.rrn.clone());
    put(&mut m, "card_mask", tx.card_mask.clone());
    put(&mut m, "card_name", tx.card_name.clone());
    put(&mut m, "amount", tx.amount.map(|a| a.to_major_string()));
    put(&mut m, "order_id", tx.order_id.clone());
    put(&mut m, "card_id", tx.card_id.clone());
    put(&mut m, "split_amount", tx.split_amount.map(|a| a.to_major_string()));
    m.insert("other_attr".into(), tx.other_attr.clone());
    Ok(Json(Value::Object(m)).into_response())
}

pub(super) async fn get_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(status_of(&st, &headers, &body))
}

/// Seed 002 documents get-status as a GET with query parameters: accept
/// `?data=...&signature=...` too.
pub(super) async fn get_status_query(Ax(st): Ax<Arc<State>>, RawQuery(query): RawQuery) -> Response {
    finish(status_of(&st, &HeaderMap::new(), query.unwrap_or_default().as_bytes()))
}

// ---- direct operations (4, 6, 9) ----

async fn direct(state: &State, headers: &HeaderMap, body: &[u8], kind: Kind) -> Handler {
    let s = open(state, headers, body)?;
    let amount = s.req_amount("amount")?;
    s.currency()?;
    let mut tx = new_transaction(state, &s.merchant, kind);
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    let card_id = s.req_str("card_id", 64)?;
    if kind == Kind::SplitExecutePay {
        let (user, split) = split_fields(&s, amount)?;
        tx.split_user = Some(user);
        tx.split_amount = Some(split);
    }
    tx.amount = Some(amount);
    let card = state
        .card(&card_id)
        .filter(|c| c.merchant == s.merchant && c.active)
        .ok_or_else(|| error("card_id: card not found or not registered"))?;
    tx.card_id = Some(card_id);
    let outcome = scenario::outcome_for_amount(amount.minor());
    if outcome == Outcome::Timeout {
        tokio::time::sleep(state.timeout_delay()).await;
    }
    apply_outcome(&mut tx, outcome, None, card.holder.as_deref());
    if outcome == Outcome::Approve {
        tx.card_mask = card.mask.clone();
    }
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    let mut m = base_response(&tx);
    if kind == Kind::SplitExecutePay {
        put(&mut m, "split_amount", tx.split_amount.map(|a| a.to_major_string()));
    }
    store.transactions.insert(tx.id.clone(), tx);
    Ok(Json(Value::Object(m)).into_response())
}

pub(super) async fn execute_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(direct(&st, &headers, &body, Kind::ExecutePay).await)
}

pub(super) async fn split_execute_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(direct(&st, &headers, &body, Kind::SplitExecutePay).await)
}

pub(super) async fn payout(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(direct(&st, &headers, &body, Kind::Payout).await)
}

// ---- refund (7) ----

fn refund(state: &State, headers: &HeaderMap, body: &[u8]) -> Handler {
    let s = open(state, headers, body)?;
    let id = s.req_str("transaction", 64)?;
    s.currency()?;
    let requested = s.opt_amount("amount")?;
    let mut store = lock(&state.store);
    let tx = store
        .transactions
        .get_mut(&id)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    if tx.status == TxStatus::Returned {
        return Err(error("Transaction is already fully refunded"));
    }
    if !tx.kind.captures() || tx.status != TxStatus::Success {
        return Err(error("Transaction cannot be refunded"));
    }
    let captured = tx.amount.unwrap_or(Money::zero(Currency::AZN));
    let refunded = tx.refunded.unwrap_or(Money::zero(Currency::AZN));
    let remaining = captured.minor().saturating_sub(refunded.minor());
    let amount = requested.map_or(remaining, Money::minor);
    if remaining <= 0 {
        return Err(error("Transaction is already fully refunded"));
    }
    if amount > remaining {
        return Err(error("Refund amount exceeds the captured amount"));
    }
    let total = refunded.minor().saturating_add(amount);
    tx.refunded = Some(Money::from_minor(total, Currency::AZN));
    if total >= captured.minor() {
        tx.status = TxStatus::Returned;
    }
    tx.updated_at = state.shared.clock.now();
    Ok(Json(json!({"status": "success", "message": "Approved"})).into_response())
}

pub(super) async fn reverse(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(refund(&st, &headers, &body))
}

// ---- widget and token payments (11-15) ----

fn create_widget(state: &State, headers: &HeaderMap, body: &[u8]) -> Handler {
    let s = open(state, headers, body)?;
    let mut tx = new_transaction(state, &s.merchant, Kind::Widget);
    tx.amount = Some(s.req_amount("amount")?);
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    let url = format!("{}/epoint/widget/{}", state.shared.base_url, tx.id);
    store.transactions.insert(tx.id.clone(), tx);
    Ok(Json(json!({"status": "success", "widget_url": url})).into_response())
}

pub(super) async fn widget(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(create_widget(&st, &headers, &body))
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(super) fn token_payment_json(tx: &Transaction, base_url: &str) -> Value {
    json!({
        "id": tx.token_payment_id,
        "transaction": tx.id,
        "rrn": tx.rrn,
        "short_link": format!("{base_url}/epoint/pay/{}", tx.id),
        "bank_order_id": tx.bank_transaction,
        "total": tx.amount.map(|a| a.to_major_string()),
        "card_name": tx.card_name,
        "card_mask": tx.card_mask,
        "description": tx.description,
        "merchant_order_id": tx.order_id,
        "other_attr": tx.other_attr,
        "created_at": rfc3339(tx.created_at),
        "updated_at": rfc3339(tx.updated_at),
    })
}

fn create_token_payment(state: &State, headers: &HeaderMap, body: &[u8]) -> Handler {
    let s = open(state, headers, body)?;
    let mut tx = new_transaction(state, &s.merchant, Kind::TokenPayment);
    tx.amount = Some(s.req_amount("amount")?);
    s.currency()?;
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    tx.other_attr = s.other_attr();
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    let token_id = store.new_token_id();
    tx.token_payment_id = Some(token_id);
    store.token_payments.insert(token_id, tx.id.clone());
    let body = token_payment_json(&tx, &state.shared.base_url);
    store.transactions.insert(tx.id.clone(), tx);
    Ok(Json(body).into_response())
}

pub(super) async fn token_payment(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(create_token_payment(&st, &headers, &body))
}

fn apple_session_of(state: &State, headers: &HeaderMap, body: &[u8]) -> Handler {
    let s = open(state, headers, body)?;
    let origin = s.req_str("origin", URL_MAX)?;
    let domain = origin
        .split("://")
        .nth(1)
        .unwrap_or(&origin)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    if domain.is_empty() {
        return Err(error("origin: must be a page origin such as https://shop.example"));
    }
    let now_ms = state.shared.clock.now().unix_timestamp().saturating_mul(1000);
    Ok(Json(json!({
        "epochTimestamp": now_ms,
        "expiresAt": now_ms.saturating_add(3_600_000),
        "merchantSessionIdentifier": format!("SSH{}", scenario::random_hex_upper(32)),
        "nonce": scenario::random_hex_upper(8).to_lowercase(),
        "merchantIdentifier": scenario::random_hex_upper(64),
        "domainName": domain,
        "displayName": "EPoint Sandbox",
        "signature": scenario::random_hex_upper(64),
        "operationalAnalyticsIdentifier": format!("EPoint Sandbox:{}", scenario::random_hex_upper(16)),
        "retries": 0,
        "pspId": scenario::random_hex_upper(64),
    }))
    .into_response())
}

pub(super) async fn apple_session(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(apple_session_of(&st, &headers, &body))
}

async fn token_pay(state: &State, headers: &HeaderMap, body: &[u8], wallet: &str) -> Handler {
    let s = open(state, headers, body)?;
    let id: i64 = match s.payload.get("id") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(t)) => t.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| error("id: the token payment's id is required"))?;
    if s.payload.get("token").is_none_or(Value::is_null) {
        return Err(error("token: is required"));
    }
    if let Some(contact) = s.payload.get("billingContact")
        && !(contact.is_null() || contact.is_object())
    {
        return Err(error("billingContact: must be an object"));
    }
    let (tx_id, amount) = {
        let store = lock(&state.store);
        let tx = store
            .token_payments
            .get(&id)
            .and_then(|t| store.transactions.get(t))
            .filter(|t| t.merchant == s.merchant)
            .ok_or_else(|| error("Payment not found"))?;
        if tx.status != TxStatus::New {
            return Err(error("Payment already processed"));
        }
        (tx.id.clone(), tx.amount)
    };
    let outcome = scenario::outcome_for_amount(amount.map_or(0, Money::minor));
    if outcome == Outcome::Timeout {
        tokio::time::sleep(state.timeout_delay()).await;
    }
    let mut store = lock(&state.store);
    let tx = store
        .transactions
        .get_mut(&tx_id)
        .filter(|t| t.status == TxStatus::New)
        .ok_or_else(|| error("Payment already processed"))?;
    let holder = format!("{wallet} PAY USER");
    apply_outcome(tx, outcome, None, Some(&holder));
    tx.updated_at = state.shared.clock.now();
    let result = json!({
        "transaction": tx.id,
        "code": tx.code,
        "rrn": tx.rrn,
        "bank_transaction": tx.bank_transaction,
        "card_mask": tx.card_mask,
    });
    let status = if tx.status == TxStatus::Success {
        "success"
    } else {
        "failed"
    };
    Ok(Json(json!({"status": status, "message": tx.message, "result": result})).into_response())
}

pub(super) async fn apple_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(token_pay(&st, &headers, &body, "APPLE").await)
}

pub(super) async fn google_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    finish(token_pay(&st, &headers, &body, "GOOGLE").await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_is_a_json_number() {
        assert_eq!(
            amount_number(Money::from_minor(1050, Currency::AZN)).to_string(),
            "10.5"
        );
    }
}
