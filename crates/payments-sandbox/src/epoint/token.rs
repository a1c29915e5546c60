//! The Apple Pay / Google Pay operations: `token/widget`, `token/payment`,
//! `token/split-payment` [U], `token/apple/session`, `token/apple/pay` and
//! `token/google/pay`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::HeaderMap;
use payments_core::Money;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use super::bank::{apply_outcome, new_transaction};
use super::envelope::{Answer, URL_MAX, error, open, reply};
use super::fields::{APPLE_SESSION, TOKEN_PAY, TOKEN_PAYMENT, TOKEN_SPLIT_PAYMENT, WIDGET};
use super::fields::{DESCRIPTION_MAX, ORDER_ID_MAX};
use super::hosted::{payment_fields, split_fields};
use super::store::{Kind, Transaction, TxStatus};
use super::{State, lock};
use crate::scenario::{self, Outcome};

pub(super) async fn widget(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, WIDGET)?;
    let mut tx = new_transaction(&st, &s.merchant, Kind::Widget);
    tx.amount = Some(s.req_amount("amount")?);
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = Some(s.req_str("description", DESCRIPTION_MAX)?);
    let now = st.now();
    let mut store = lock(&st.store);
    tx.id = store.new_transaction_id();
    let url = format!("{}/epoint/widget/{}", st.shared.base_url, tx.id);
    store.put_transaction(tx, now);
    drop(store);
    Ok(reply(json!({"status": "success", "widget_url": url})))
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// The token payment object (also the widget's browser message payload).
pub(super) fn token_payment_json(tx: &Transaction, base_url: &str) -> Value {
    let mut v = json!({
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
    });
    if let (Value::Object(m), Some(split)) = (&mut v, tx.split_amount) {
        m.insert("split_user".into(), json!(tx.split_user));
        m.insert("split_amount".into(), json!(split.to_major_string()));
    }
    v
}

fn store_token_payment(st: &State, mut tx: Transaction) -> Value {
    let now = st.now();
    let mut store = lock(&st.store);
    tx.id = store.new_transaction_id();
    let token_id = store.new_token_id();
    tx.token_payment_id = Some(token_id);
    store.token_payments.insert(token_id, tx.id.clone());
    let body = token_payment_json(&tx, &st.shared.base_url);
    store.put_transaction(tx, now);
    body
}

pub(super) async fn token_payment(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, TOKEN_PAYMENT)?;
    let mut tx = new_transaction(&st, &s.merchant, Kind::TokenPayment);
    tx.amount = Some(s.req_amount("amount")?);
    s.currency()?;
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    Ok(reply(store_token_payment(&st, tx)))
}

/// `token/split-payment` [U]: a token payment whose `split_amount` goes to `split_user`.
pub(super) async fn token_split_payment(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, TOKEN_SPLIT_PAYMENT)?;
    let mut tx = new_transaction(&st, &s.merchant, Kind::TokenSplitPayment);
    let amount = payment_fields(&s, &mut tx)?;
    let (user, split) = split_fields(&s, amount)?;
    tx.split_user = Some(user);
    tx.split_amount = Some(split);
    tx.other_attr = s.other_attr()?;
    Ok(reply(store_token_payment(&st, tx)))
}

pub(super) async fn apple_session(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, APPLE_SESSION)?;
    let origin = s.req_str("origin", URL_MAX)?;
    let domain = origin
        .strip_prefix("https://")
        .unwrap_or_default()
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    // Apple Pay runs only on HTTPS pages.
    if domain.is_empty() {
        return Err(error(
            "origin: must be an https page origin such as https://shop.example",
        ));
    }
    let now_ms = st.now().unix_timestamp().saturating_mul(1000);
    Ok(reply(json!({
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
    })))
}

async fn token_pay(st: &State, headers: &HeaderMap, body: &[u8], wallet: &str) -> Answer {
    let s = open(st, headers, body, TOKEN_PAY)?;
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
    let now = st.now();
    let (tx_id, amount) = {
        let store = lock(&st.store);
        let tx = store
            .token_payments
            .get(&id)
            .and_then(|t| store.transactions.get(t, now))
            .filter(|t| t.merchant == s.merchant)
            .ok_or_else(|| error("Payment not found"))?;
        if tx.status != TxStatus::New {
            return Err(error("Payment already processed"));
        }
        (tx.id.clone(), tx.amount)
    };
    let outcome = scenario::outcome_for_amount(amount.map_or(0, Money::minor));
    if outcome == Outcome::Timeout {
        tokio::time::sleep(st.timeout_delay()).await;
    }
    let now = st.now();
    let mut store = lock(&st.store);
    let tx = store
        .transactions
        .get_mut(&tx_id, now)
        .filter(|t| t.status == TxStatus::New)
        .ok_or_else(|| error("Payment already processed"))?;
    let holder = format!("{wallet} PAY USER");
    apply_outcome(tx, outcome, None, Some(&holder));
    tx.updated_at = now;
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
    let message = tx.message.clone();
    drop(store);
    Ok(reply(json!({"status": status, "message": message, "result": result})))
}

pub(super) async fn apple_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    token_pay(&st, &headers, &body, "APPLE").await
}

pub(super) async fn google_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    token_pay(&st, &headers, &body, "GOOGLE").await
}
