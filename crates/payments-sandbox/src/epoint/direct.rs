//! The direct (server-to-server) card operations: `execute-pay`,
//! `split-execute-pay`, `refund-request` (payout), `pre-auth-complete` and
//! `reverse`. The answer is final; no callback follows.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::HeaderMap;
use payments_core::{Currency, Money};
use serde_json::{Map, Value, json};

use super::bank::{apply_outcome, bank_response, base_response, new_transaction, put};
use super::envelope::{Answer, error, open, reply};
use super::fields::{DESCRIPTION_MAX, DIRECT, ID_MAX, ORDER_ID_MAX, PRE_AUTH_COMPLETE, REVERSE, SPLIT_DIRECT};
use super::hosted::split_fields;
use super::store::{Kind, TxStatus};
use super::{State, lock};
use crate::scenario::{self, Outcome};

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
