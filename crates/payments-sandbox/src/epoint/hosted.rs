//! The hosted-page operations: `request`, `checkout`, `payment-request`,
//! `amex-request`, `payment-change-sum`, `pre-auth-request`,
//! `card-registration`, `card-registration-with-pay` and the split variants.
//! Each stores a pending transaction; the customer settles it on
//! `/epoint/pay/{transaction}` and EPoint sends the callback.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use payments_core::Money;
use serde_json::{Map, Value};

use super::bank::new_transaction;
use super::envelope::{Answer, ApiError, Fields, Signed, error, open, reply};
use super::fields::{
    DESCRIPTION_MAX, ORDER_ID_MAX, PAY_AND_SAVE, PAYMENT_REQUEST, PRE_AUTH, REQUEST, REQUEST_FAMILY, SAVE_CARD,
    SPLIT_PAY, SPLIT_PAY_AND_SAVE,
};
use super::store::{Card, CardStatus, Kind, Transaction};
use super::{Feature, State, lock};
use crate::scenario::html_escape;

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

pub(super) fn split_fields(s: &Signed, amount: Money) -> Result<(String, Money), ApiError> {
    let user = s.req_str("split_user", ORDER_ID_MAX)?;
    let split = s.req_amount("split_amount")?;
    if split.minor() > amount.minor() {
        return Err(error("split_amount: must not exceed amount"));
    }
    Ok((user, split))
}
