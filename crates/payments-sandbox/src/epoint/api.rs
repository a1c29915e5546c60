//! The card operations under `/api/1/`: hosted-page requests (pay, checkout,
//! the request family, pre-authorization, card registration, splits),
//! get-status, direct charges and payouts with saved cards, get-status-card,
//! pre-auth-complete and reverse.

use std::str::FromStr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State as Ax};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use payments_core::{Currency, Money};
use serde_json::{Map, Value, json};

use super::envelope::{Answer, ApiError, Fields, Language, Signed, error, open, reply, server_error};
use super::store::{Card, CardStatus, Kind, Transaction, TxStatus};
use super::{Feature, State, lock};
use crate::scenario::{self, Outcome, html_escape};

pub(super) const ORDER_ID_MAX: usize = 255;
pub(super) const DESCRIPTION_MAX: usize = 1000;
/// Longest id (`te…`, `ce…`, wallet and installment ids) accepted.
pub(super) const ID_MAX: usize = 64;

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

/// `001` card registration, `200` registration with the first payment, `100` a payment.
pub(super) fn operation_code(kind: Kind) -> &'static str {
    match kind {
        Kind::SaveCard => "001",
        Kind::PayAndSaveCard | Kind::SplitPayAndSaveCard => "200",
        _ => "100",
    }
}

/// An amount as a JSON number (`10.5`), as EPoint's callbacks carry it.
pub(super) fn amount_number(m: Money) -> Value {
    serde_json::Number::from_str(&m.to_major_string()).map_or(Value::Null, Value::Number)
}

pub(super) fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
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

pub(super) fn new_transaction(state: &State, merchant: &str, kind: Kind) -> Transaction {
    let now = state.now();
    Transaction {
        id: String::new(),
        merchant: merchant.to_owned(),
        kind,
        amount: None,
        captured: None,
        refunded: None,
        order_id: None,
        description: None,
        other_attr: Value::Null,
        card_id: None,
        split_user: None,
        split_amount: None,
        is_installment: false,
        wallet_id: None,
        installment: None,
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

pub(super) fn split_fields(s: &Signed, amount: Money) -> Result<(String, Money), ApiError> {
    let user = s.req_str("split_user", ORDER_ID_MAX)?;
    let split = s.req_amount("split_amount")?;
    if split.minor() > amount.minor() {
        return Err(error("split_amount: must not exceed amount"));
    }
    Ok((user, split))
}

// ---- field lists (docs/sandbox/epoint.md, "Strictness") ----

const PAY_FIELDS: &[&str] = &[
    "amount",
    "currency",
    "order_id",
    "success_redirect_url",
    "error_redirect_url",
    "description",
    "other_attr",
    "is_installment",
];
const REQUEST: Fields = Fields {
    names: PAY_FIELDS,
    language: Language::Optional,
};
/// payment-request: the `request` family with `language` required (m56).
const PAYMENT_REQUEST: Fields = Fields {
    names: PAY_FIELDS,
    language: Language::Required,
};
/// amex-request and payment-change-sum: no `is_installment` in any source.
const REQUEST_FAMILY: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "other_attr",
    ],
    language: Language::Required,
};
const PRE_AUTH: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "other_attr",
    ],
    language: Language::Required,
};
const PRE_AUTH_COMPLETE: Fields = Fields {
    names: &["transaction", "amount"],
    language: Language::Refused,
};
const SAVE_CARD: Fields = Fields {
    names: &["refund", "description", "success_redirect_url", "error_redirect_url"],
    language: Language::Optional,
};
const PAY_AND_SAVE: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "refund",
    ],
    language: Language::Optional,
};
const SPLIT_PAY: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "split_user",
        "split_amount",
        "other_attr",
    ],
    language: Language::Optional,
};
const SPLIT_PAY_AND_SAVE: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "success_redirect_url",
        "error_redirect_url",
        "description",
        "split_user",
        "split_amount",
    ],
    language: Language::Optional,
};
const GET_STATUS: Fields = Fields {
    names: &["transaction"],
    language: Language::Optional,
};
const CARD_STATUS: Fields = Fields {
    names: &["card_id"],
    language: Language::Refused,
};
const DIRECT: Fields = Fields {
    names: &["amount", "currency", "order_id", "card_id", "description"],
    language: Language::Optional,
};
const SPLIT_DIRECT: Fields = Fields {
    names: &[
        "amount",
        "currency",
        "order_id",
        "card_id",
        "split_user",
        "split_amount",
        "description",
    ],
    language: Language::Optional,
};
const REVERSE: Fields = Fields {
    names: &["transaction", "currency", "amount"],
    language: Language::Optional,
};

// ---- hosted-page operations ----

/// Reads the fields every paying hosted operation shares into `tx`.
pub(super) fn payment_fields(s: &Signed, tx: &mut Transaction) -> Result<Money, ApiError> {
    let amount = s.req_amount("amount")?;
    s.currency()?;
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    tx.success_redirect_url = s.opt_url("success_redirect_url")?;
    tx.error_redirect_url = s.opt_url("error_redirect_url")?;
    tx.amount = Some(amount);
    Ok(amount)
}

/// Stores a pending hosted-page transaction (and the card it registers) and
/// returns it with its id.
pub(super) fn store_hosted(state: &State, mut tx: Transaction, payout_card: bool) -> Transaction {
    let now = state.now();
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    if tx.kind.saves_card() {
        let card_id = store.new_card_id();
        store.put_card(
            Card {
                id: card_id.clone(),
                merchant: tx.merchant.clone(),
                payout: payout_card,
                status: CardStatus::New,
                description: tx.description.clone(),
                mask: None,
                holder: None,
                expiry: None,
            },
            now,
        );
        tx.card_id = Some(card_id);
    }
    store.put_transaction(tx.clone(), now);
    tx
}

/// The answer of a hosted-page request.
pub(super) fn hosted_answer(state: &State, tx: &Transaction) -> Response {
    let mut m = Map::new();
    m.insert("status".into(), "success".into());
    // card-registration has no transaction in its answer; payment-change-sum's
    // documented answer omits it (m56 withholds it).
    if !matches!(tx.kind, Kind::SaveCard | Kind::PaymentChangeSum) {
        m.insert("transaction".into(), tx.id.clone().into());
    }
    m.insert("redirect_url".into(), state.payment_page_url(&tx.id).into());
    if let Some(card) = &tx.card_id {
        m.insert("card_id".into(), card.clone().into());
    }
    reply(Value::Object(m))
}

/// Validates a hosted-page request and stores its pending transaction.
fn hosted_tx(state: &State, s: &Signed, kind: Kind) -> Result<Transaction, ApiError> {
    let mut tx = new_transaction(state, &s.merchant, kind);
    let mut payout_card = false;
    match kind {
        Kind::SaveCard => {
            payout_card = s.opt_flag("refund", true)?.unwrap_or(false);
            tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
            tx.success_redirect_url = s.opt_url("success_redirect_url")?;
            tx.error_redirect_url = s.opt_url("error_redirect_url")?;
        }
        _ => {
            let amount = payment_fields(s, &mut tx)?;
            if kind == Kind::PayAndSaveCard {
                // integrify requires it here (seed 002 says optional): the stricter reading.
                if tx.description.is_none() {
                    return Err(error("description: is required"));
                }
                payout_card = s.opt_flag("refund", true)?.unwrap_or(false);
            }
            if kind.is_split() {
                let (user, split) = split_fields(s, amount)?;
                tx.split_user = Some(user);
                tx.split_amount = Some(split);
            }
            if !matches!(kind, Kind::PayAndSaveCard | Kind::SplitPayAndSaveCard) {
                tx.other_attr = s.other_attr()?;
            }
            if matches!(kind, Kind::Pay | Kind::Checkout | Kind::PaymentRequest) {
                tx.is_installment = s.opt_flag("is_installment", false)?.unwrap_or(false);
                if tx.is_installment && !state.has_feature(&s.merchant, Feature::Installments) {
                    return Err(error("is_installment: installments are not enabled for this merchant"));
                }
            }
            if kind == Kind::AmexRequest && !state.has_feature(&s.merchant, Feature::Amex) {
                return Err(error("AMEX payments are not enabled for this merchant"));
            }
        }
    }
    Ok(store_hosted(state, tx, payout_card))
}

fn hosted(state: &State, headers: &HeaderMap, body: &[u8], kind: Kind, fields: Fields) -> Answer {
    let s = open(state, headers, body, fields)?;
    let tx = hosted_tx(state, &s, kind)?;
    Ok(hosted_answer(state, &tx))
}

pub(super) async fn pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::Pay, REQUEST)
}

pub(super) async fn payment_request(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::PaymentRequest, PAYMENT_REQUEST)
}

pub(super) async fn amex_request(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::AmexRequest, REQUEST_FAMILY)
}

pub(super) async fn payment_change_sum(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::PaymentChangeSum, REQUEST_FAMILY)
}

pub(super) async fn pre_auth_request(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::PreAuth, PRE_AUTH)
}

pub(super) async fn save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::SaveCard, SAVE_CARD)
}

pub(super) async fn pay_and_save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::PayAndSaveCard, PAY_AND_SAVE)
}

pub(super) async fn split_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::SplitPay, SPLIT_PAY)
}

pub(super) async fn split_pay_and_save_card(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    hosted(&st, &headers, &body, Kind::SplitPayAndSaveCard, SPLIT_PAY_AND_SAVE)
}

/// `checkout`: the customer's browser posts the hidden `data` and `signature`
/// fields (a form only); EPoint answers with its payment page (here a 303 to
/// it). A refused form gets an HTML page naming the reason, with the JSON
/// status in `x-epoint-status`.
pub(super) async fn checkout(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    let refused = |status: &str, message: &str| {
        let html = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>EPoint: payment refused</title></head>\
             <body><h1>Payment refused</h1><p>{}</p></body></html>",
            html_escape(message)
        );
        (
            StatusCode::BAD_REQUEST,
            [("x-epoint-status", status.to_owned())],
            Html(html),
        )
            .into_response()
    };
    let (data, signature) = match super::envelope::envelope_fields(&headers, &body, false) {
        Ok(pair) => pair,
        Err(m) => return refused("server_error", &m),
    };
    let s = match super::envelope::verify(&st, &data, &signature) {
        Ok(s) => s,
        Err(m) => return refused("server_error", &m),
    };
    match s
        .check_fields(REQUEST)
        .and_then(|()| hosted_tx(&st, &s, Kind::Checkout))
    {
        Ok(tx) => Redirect::to(&format!("/epoint/pay/{}", tx.id)).into_response(),
        Err(e) => refused(e.status, &e.message),
    }
}

// ---- status ----

fn status_of(state: &State, s: &Signed) -> Answer {
    let id = s.req_str("transaction", ID_MAX)?;
    let tx = state
        .transaction(&id)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    let mut m = Map::new();
    m.insert("status".into(), tx.status.as_str().into());
    put(&mut m, "message", tx.message.clone());
    put(&mut m, "code", tx.code.clone());
    m.insert("transaction".into(), tx.id.clone().into());
    put(&mut m, "bank_transaction", tx.bank_transaction.clone());
    put(&mut m, "bank_response", bank_response(&tx));
    m.insert("operation_code".into(), operation_code(tx.kind).into());
    put(&mut m, "rrn", tx.rrn.clone());
    put(&mut m, "card_mask", tx.card_mask.clone());
    put(&mut m, "card_name", tx.card_name.clone());
    // A completed hold reports what was captured, not what was held.
    let amount = if tx.kind == Kind::PreAuth {
        tx.captured.or(tx.amount)
    } else {
        tx.amount
    };
    put(&mut m, "amount", amount.map(|a| a.to_major_string()));
    put(&mut m, "order_id", tx.order_id.clone());
    put(&mut m, "card_id", tx.card_id.clone());
    put(&mut m, "split_amount", tx.split_amount.map(|a| a.to_major_string()));
    m.insert("other_attr".into(), tx.other_attr.clone());
    Ok(reply(Value::Object(m)))
}

pub(super) async fn get_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, GET_STATUS)?;
    status_of(&st, &s)
}

/// Seed 002 documents get-status as a GET with query parameters: accept
/// `?data=...&signature=...` too (nothing else in the query).
pub(super) async fn get_status_query(Ax(st): Ax<Arc<State>>, RawQuery(query): RawQuery) -> Answer {
    let query = query.unwrap_or_default();
    let (data, signature) = match super::envelope::form_pair(query.as_bytes()) {
        Ok((Some(d), Some(s))) => (d, s),
        Ok(_) => return Err(server_error("data and signature are required")),
        Err(m) => return Err(server_error(&m)),
    };
    let s = super::envelope::verify(&st, &data, &signature).map_err(|m| server_error(&m))?;
    s.check_fields(GET_STATUS)?;
    status_of(&st, &s)
}

/// `get-status-card`: a saved card's state.
pub(super) async fn card_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, CARD_STATUS)?;
    let id = s.req_str("card_id", ID_MAX)?;
    let card = st
        .card(&id)
        .filter(|c| c.merchant == s.merchant)
        .ok_or_else(|| error("Card not found"))?;
    Ok(reply(json!({
        "id": card.id,
        "name": card.holder,
        "mask": card.mask,
        "status": card.status.as_str(),
        "expired_date": card.expiry,
        "description": card.description,
    })))
}

// ---- direct operations (execute-pay, split-execute-pay, refund-request) ----

async fn direct(state: &State, headers: &HeaderMap, body: &[u8], kind: Kind) -> Answer {
    let fields = if kind == Kind::SplitExecutePay {
        SPLIT_DIRECT
    } else {
        DIRECT
    };
    let s = open(state, headers, body, fields)?;
    let amount = s.req_amount("amount")?;
    s.currency()?;
    let mut tx = new_transaction(state, &s.merchant, kind);
    tx.order_id = Some(s.req_str("order_id", ORDER_ID_MAX)?);
    tx.description = s.opt_str("description", DESCRIPTION_MAX)?;
    let card_id = s.req_str("card_id", ID_MAX)?;
    if kind == Kind::SplitExecutePay {
        let (user, split) = split_fields(&s, amount)?;
        tx.split_user = Some(user);
        tx.split_amount = Some(split);
    }
    tx.amount = Some(amount);
    let card = state
        .card(&card_id)
        .filter(|c| c.merchant == s.merchant && c.active())
        .ok_or_else(|| error("card_id: card not found or not registered"))?;
    // A card registered with refund=1 receives payouts; one registered with
    // refund=0 pays (PDF-md, rafo, m56).
    if card.payout != (kind == Kind::Payout) {
        return Err(error(if card.payout {
            "card_id: a payout card (refund=1) cannot pay"
        } else {
            "card_id: the card was not registered for payouts (refund=1)"
        }));
    }
    tx.card_id = Some(card_id);
    let outcome = scenario::outcome_for_amount(amount.minor());
    if outcome == Outcome::Timeout {
        tokio::time::sleep(state.timeout_delay()).await;
    }
    apply_outcome(&mut tx, outcome, None, card.holder.as_deref());
    if outcome == Outcome::Approve {
        tx.card_mask = card.mask.clone();
    }
    let now = state.now();
    let mut store = lock(&state.store);
    tx.id = store.new_transaction_id();
    let mut m = base_response(&tx);
    if kind == Kind::SplitExecutePay {
        put(&mut m, "split_amount", tx.split_amount.map(|a| a.to_major_string()));
    }
    store.put_transaction(tx, now);
    drop(store);
    Ok(reply(Value::Object(m)))
}

pub(super) async fn execute_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    direct(&st, &headers, &body, Kind::ExecutePay).await
}

pub(super) async fn split_execute_pay(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    direct(&st, &headers, &body, Kind::SplitExecutePay).await
}

pub(super) async fn payout(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    direct(&st, &headers, &body, Kind::Payout).await
}

// ---- pre-auth-complete ----

/// Captures all or part of an approved hold, once.
pub(super) async fn pre_auth_complete(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, PRE_AUTH_COMPLETE)?;
    let id = s.req_str("transaction", ID_MAX)?;
    let amount = s.req_amount("amount")?;
    let now = st.now();
    let mut store = lock(&st.store);
    let tx = store
        .transactions
        .get_mut(&id, now)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    if tx.kind != Kind::PreAuth {
        return Err(error("transaction: not a pre-authorization"));
    }
    if tx.captured.is_some() {
        return Err(error("Pre-authorization is already completed"));
    }
    if tx.status != TxStatus::Success {
        return Err(error("Pre-authorization is not approved"));
    }
    if amount.minor() > tx.amount.map_or(0, Money::minor) {
        return Err(error("amount: exceeds the pre-authorized amount"));
    }
    tx.captured = Some(amount);
    tx.updated_at = now;
    let mut m = Map::new();
    m.insert("status".into(), "success".into());
    m.insert("message".into(), "Approved".into());
    m.insert("transaction".into(), tx.id.clone().into());
    put(&mut m, "bank_transaction", tx.bank_transaction.clone());
    put(&mut m, "bank_response", bank_response(tx));
    put(&mut m, "rrn", tx.rrn.clone());
    put(&mut m, "card_mask", tx.card_mask.clone());
    put(&mut m, "card_name", tx.card_name.clone());
    m.insert("amount".into(), amount.to_major_string().into());
    drop(store);
    Ok(reply(Value::Object(m)))
}

// ---- reverse ----

pub(super) async fn reverse(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, REVERSE)?;
    let id = s.req_str("transaction", ID_MAX)?;
    s.currency()?;
    let requested = s.opt_amount("amount")?;
    let now = st.now();
    let mut store = lock(&st.store);
    let tx = store
        .transactions
        .get_mut(&id, now)
        .filter(|t| t.merchant == s.merchant)
        .ok_or_else(|| error("Transaction not found"))?;
    if tx.status == TxStatus::Returned {
        return Err(error("Transaction is already fully refunded"));
    }
    // An uncompleted hold cannot be reversed: no source shows how to release one.
    let captured = tx
        .captured_amount()
        .filter(|_| tx.status == TxStatus::Success)
        .ok_or_else(|| error("Transaction cannot be refunded"))?;
    let refunded = tx.refunded.unwrap_or(Money::zero(Currency::AZN));
    let remaining = captured.minor().saturating_sub(refunded.minor());
    if remaining <= 0 {
        return Err(error("Transaction is already fully refunded"));
    }
    let amount = requested.map_or(remaining, Money::minor);
    if amount > remaining {
        return Err(error("Refund amount exceeds the captured amount"));
    }
    let total = refunded.minor().saturating_add(amount);
    tx.refunded = Some(Money::from_minor(total, Currency::AZN));
    if total >= captured.minor() {
        tx.status = TxStatus::Returned;
    }
    tx.updated_at = now;
    drop(store);
    Ok(reply(json!({"status": "success", "message": "Approved"})))
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
