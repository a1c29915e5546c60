//! Heartbeat, wallets and installments: `GET /api/heartbeat`,
//! `wallet/status`, `wallet/payment`, `get-installment-request` and
//! `installment-request` (the last two [U]). Wallets and installments are
//! granted per merchant ([`Feature`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as Ax;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::bank::new_transaction;
use super::envelope::{Answer, ApiError, error, open, reply};
use super::fields::{DESCRIPTION_MAX, ID_MAX};
use super::fields::{INSTALLMENT_OPTIONS, INSTALLMENT_REQUEST, WALLET_PAYMENT, WALLET_STATUS};
use super::hosted::{hosted_answer, payment_fields, store_hosted};
use super::store::Kind;
use super::{Feature, State};

/// The sandbox's wallets: `(wallet_id, name)`.
pub const WALLETS: &[(&str, &str)] = &[("1", "Sandbox Wallet"), ("2", "Sandbox Bonus Wallet")];

/// The sandbox's installment cards: `(installment_card_id, name, months)`.
pub const INSTALLMENT_CARDS: &[(&str, &str, &[u32])] = &[
    ("1", "Sandbox Birkart", &[3, 6, 12]),
    ("2", "Sandbox Tamkart", &[2, 3, 6, 9, 12, 18]),
];

/// `GET /api/heartbeat` (EPoint's PDF): unsigned.
pub(super) async fn heartbeat() -> Response {
    reply(json!({"status": "ok"}))
}

fn require(st: &State, merchant: &str, feature: Feature, what: &str) -> Result<(), ApiError> {
    if st.has_feature(merchant, feature) {
        Ok(())
    } else {
        Err(error(&format!("{what} are not enabled for this merchant")))
    }
}

pub(super) async fn wallet_status(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, WALLET_STATUS)?;
    require(&st, &s.merchant, Feature::Wallets, "Wallet payments")?;
    let wallets: Vec<Value> = WALLETS
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    Ok(reply(json!({"status": "success", "wallets": wallets})))
}

pub(super) async fn wallet_payment(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, WALLET_PAYMENT)?;
    require(&st, &s.merchant, Feature::Wallets, "Wallet payments")?;
    let wallet = s.req_str("wallet_id", ID_MAX)?;
    if !WALLETS.iter().any(|(id, _)| *id == wallet) {
        return Err(error("wallet_id: unknown wallet"));
    }
    let mut tx = new_transaction(&st, &s.merchant, Kind::WalletPay);
    payment_fields(&s, &mut tx)?;
    tx.wallet_id = Some(wallet);
    let tx = store_hosted(&st, tx, false);
    Ok(hosted_answer(&st, &tx))
}

/// `get-installment-request`: a JSON **array** of the installment cards (m56).
pub(super) async fn installment_options(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, INSTALLMENT_OPTIONS)?;
    require(&st, &s.merchant, Feature::Installments, "Installments")?;
    s.currency()?;
    s.req_str("order_id", super::fields::ORDER_ID_MAX)?;
    s.opt_amount("amount")?;
    s.opt_str("description", DESCRIPTION_MAX)?;
    s.other_attr()?;
    let cards: Vec<Value> = INSTALLMENT_CARDS
        .iter()
        .map(|(id, name, months)| json!({"name": name, "installment_card_id": id, "installment_months": months}))
        .collect();
    Ok(reply(Value::Array(cards)))
}

pub(super) async fn installment_request(Ax(st): Ax<Arc<State>>, headers: HeaderMap, body: Bytes) -> Answer {
    let s = open(&st, &headers, &body, INSTALLMENT_REQUEST)?;
    require(&st, &s.merchant, Feature::Installments, "Installments")?;
    let mut tx = new_transaction(&st, &s.merchant, Kind::Installment);
    payment_fields(&s, &mut tx)?;
    tx.other_attr = s.other_attr()?;
    let card = s.req_str("installment_card_id", ID_MAX)?;
    let month = match s.payload.get("installment_month") {
        Some(Value::Number(n)) => n.as_u64().and_then(|m| u32::try_from(m).ok()),
        None | Some(Value::Null) => return Err(error("installment_month: is required")),
        Some(_) => None,
    }
    .ok_or_else(|| error("installment_month: must be a whole number of months"))?;
    let (_, _, months) = INSTALLMENT_CARDS
        .iter()
        .find(|(id, _, _)| *id == card)
        .ok_or_else(|| error("installment_card_id: unknown installment card"))?;
    if !months.contains(&month) {
        return Err(error("installment_month: not offered by this installment card"));
    }
    tx.installment = Some((card, month));
    let tx = store_hosted(&st, tx, false);
    Ok(hosted_answer(&st, &tx))
}
