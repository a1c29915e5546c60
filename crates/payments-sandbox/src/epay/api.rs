//! Status, operations on a transaction, saved-card payments, recurring
//! subscriptions and transfers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;

use super::json::{Json, RawObject, parse_decimal};
use super::oauth::{CURRENCIES, authorize, service_terminal};
use super::payform::settle;
use super::{
    ApiError, Grant, MAGIC_DECLINE_AMOUNT, MAGIC_TIMEOUT_AMOUNT, MIN_REFUND_KZT, PaymentOrder, State, TxStatus, Txn,
    codes, json_response, kz_time, latest_txn, uuid,
};

fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

fn body_object(body: &[u8]) -> Result<Option<RawObject<'_>>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::invalid("body: not UTF-8"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    RawObject::parse(text)
        .map(Some)
        .ok_or_else(|| ApiError::invalid("body: not a JSON object"))
}

fn required_body(body: &[u8]) -> Result<RawObject<'_>, ApiError> {
    body_object(body)?.ok_or_else(|| ApiError::invalid("body: required"))
}

/// The amount a transaction stands at now (see the docs).
fn current_amount(t: &Txn) -> Decimal {
    match t.status {
        TxStatus::Charge | TxStatus::Refund => t.charged - t.refunded,
        _ => t.amount,
    }
}

fn transaction_json(t: &Txn) -> Json {
    let o = &t.order;
    Json::obj([
        ("id", Json::str(t.id.clone())),
        ("createdDate", Json::str(kz_time(t.created))),
        ("invoiceID", Json::str(o.invoice_id.clone())),
        ("amount", Json::dec(current_amount(t))),
        ("amountBonus", Json::int(0)),
        ("payoutAmount", Json::dec(t.charged - t.refunded)),
        ("orgAmount", Json::dec(t.amount)),
        ("approvalCode", Json::str(t.approval_code.clone())),
        ("data", Json::str(o.data.clone())),
        ("currency", Json::str(o.currency.clone())),
        ("terminal", Json::str(o.terminal.clone())),
        ("terminalID", Json::str("88888881")),
        ("accountID", Json::str(o.account_id.clone())),
        ("description", Json::str(o.description.clone())),
        ("language", Json::str(o.language.clone())),
        ("cardMask", Json::str(t.card_mask.clone())),
        ("cardType", Json::str(t.card_type.clone())),
        ("issuer", Json::str("HALYK BANK")),
        ("reference", Json::str(t.reference.clone())),
        ("reason", Json::str(t.reason.clone())),
        ("reasonCode", Json::str(t.reason_code.clone())),
        ("intReference", Json::str(t.int_reference.clone())),
        ("secure", Json::Bool(t.secure)),
        ("secureDetails", Json::str("")),
        ("statusID", Json::str(t.status.id())),
        ("statusName", Json::str(t.status.name())),
        ("name", Json::str(o.name.clone())),
        ("email", Json::str(o.email.clone())),
        ("phone", Json::str(o.phone.clone())),
        ("cardID", Json::str(t.card_id.clone())),
        ("xlsRRN", Json::str(t.reference.clone())),
        ("ip", Json::str("127.0.0.1")),
        ("ipCountry", Json::str("KZ")),
        ("ipCity", Json::str("Almaty")),
        ("ipRegion", Json::str("Almaty")),
        ("ipDistrict", Json::str("Almaty")),
        ("ipLatitude", Json::Num("43.238949".into())),
        ("ipLongitude", Json::Num("76.889709".into())),
    ])
}

/// `GET /epay/api/check-status/payment/transaction/{invoiceId}`.
pub(super) async fn check_status(
    AxumState(state): AxumState<Arc<State>>,
    Path(invoice_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    respond((|| {
        let token = authorize(&state, &headers)?;
        let terminal = service_terminal(&token)?;
        let store = state.store();
        let body = match latest_txn(&store, Some(&terminal), &invoice_id) {
            Some(t) if t.status == TxStatus::Pending3ds => Json::obj([
                ("resultCode", Json::str("107")),
                ("resultMessage", Json::str("Transaction in progress")),
                ("transaction", transaction_json(t)),
            ]),
            Some(t) => Json::obj([
                ("resultCode", Json::str("100")),
                ("resultMessage", Json::str("SUCCESS")),
                ("transaction", transaction_json(t)),
            ]),
            None => Json::obj([
                ("resultCode", Json::str("102")),
                ("resultMessage", Json::str("Invoice not found")),
            ]),
        };
        Ok(json_response(StatusCode::OK, body.render()))
    })())
}

#[derive(Debug, Clone, Copy)]
enum Operation {
    Charge,
    Cancel,
    Refund,
}

/// `POST /epay/api/operation/{id}/charge`.
pub(super) async fn charge(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    operation(state, id, query, headers, body, Operation::Charge)
}

/// `POST /epay/api/operation/{id}/cancel`.
pub(super) async fn cancel(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    operation(state, id, query, headers, body, Operation::Cancel)
}

/// `POST /epay/api/operation/{id}/refund`.
pub(super) async fn refund(
    state: AxumState<Arc<State>>,
    id: Path<String>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    operation(state, id, query, headers, body, Operation::Refund)
}

/// The operation's amount: `?amount=` and/or `{"amount": ...}`, equal if both.
fn requested_amount(query: &HashMap<String, String>, body: &[u8]) -> Result<Option<Decimal>, ApiError> {
    let from_query = match query.get("amount").map(|a| a.trim()).filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_decimal(a).ok_or_else(|| ApiError::invalid("amount: must be a decimal"))?),
        None => None,
    };
    let from_body = match body_object(body)? {
        Some(obj) => obj.decimal("amount").map_err(ApiError::field)?,
        None => None,
    };
    match (from_query, from_body) {
        (Some(q), Some(b)) if q != b => Err(ApiError::invalid("amount: query and body disagree")),
        (q, b) => {
            let amount = q.or(b);
            if amount.is_some_and(|a| a <= Decimal::ZERO) {
                return Err(ApiError::invalid("amount: must be positive"));
            }
            Ok(amount)
        }
    }
}

fn operation(
    AxumState(state): AxumState<Arc<State>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
    op: Operation,
) -> Response {
    respond((|| {
        let token = authorize(&state, &headers)?;
        let terminal = service_terminal(&token)?;
        let amount = requested_amount(&query, &body)?;
        let mut store = state.store();
        let txn = store
            .txns
            .get_mut(&id)
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "transaction not found"))?;
        if txn.order.terminal != terminal {
            return Err(ApiError::bad(
                codes::WRONG_TERMINAL,
                "transaction belongs to another terminal",
            ));
        }
        match op {
            Operation::Charge => {
                if txn.status != TxStatus::Auth {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot charge a transaction in status {}", txn.status.name()),
                    ));
                }
                let amount = amount.unwrap_or(txn.amount);
                if amount > txn.amount {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_LARGE,
                        "amount exceeds the authorized amount",
                    ));
                }
                txn.charged = amount;
                txn.status = TxStatus::Charge;
                if amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT) {
                    return Ok(StatusCode::GATEWAY_TIMEOUT.into_response());
                }
            }
            Operation::Cancel => {
                if amount.is_some() {
                    return Err(ApiError::invalid("amount: cancel takes no amount"));
                }
                if txn.status != TxStatus::Auth {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot cancel a transaction in status {}", txn.status.name()),
                    ));
                }
                txn.status = TxStatus::Cancel;
            }
            Operation::Refund => {
                if !matches!(txn.status, TxStatus::Charge | TxStatus::Refund) {
                    return Err(ApiError::bad(
                        codes::INVALID_STATE,
                        format!("cannot refund a transaction in status {}", txn.status.name()),
                    ));
                }
                let remaining = txn.charged - txn.refunded;
                let amount = amount.unwrap_or(remaining);
                let external_id = query.get("externalID").map(|e| e.trim()).filter(|e| !e.is_empty());
                if let Some(ext) = external_id
                    && let Some((_, seen)) = txn.refunds.iter().find(|(e, _)| e == ext)
                {
                    // A repeated externalID is the same refund: answer it again, move nothing.
                    return if *seen == amount {
                        Ok(StatusCode::OK.into_response())
                    } else {
                        Err(ApiError::bad(
                            codes::DUPLICATE,
                            "externalID: already used with another amount",
                        ))
                    };
                }
                if txn.order.currency == "KZT" && amount < Decimal::from(MIN_REFUND_KZT) {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_SMALL,
                        "amount: the minimum refund is 10 KZT",
                    ));
                }
                if amount > remaining {
                    return Err(ApiError::bad(
                        codes::AMOUNT_TOO_LARGE,
                        "amount exceeds the charged amount not yet refunded",
                    ));
                }
                txn.refunded += amount;
                txn.refunds.push((external_id.unwrap_or_default().to_owned(), amount));
                txn.status = TxStatus::Refund;
                if amount == Decimal::from(MAGIC_TIMEOUT_AMOUNT) {
                    return Ok(StatusCode::GATEWAY_TIMEOUT.into_response());
                }
            }
        }
        Ok(StatusCode::OK.into_response())
    })())
}

/// `POST /epay/api/payments/cards/auth`: pay with a saved card, under a payment token.
pub(super) async fn card_auth(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    respond((|| {
        let token = authorize(&state, &headers)?;
        let Grant::Payment(scope) = token.grant else {
            return Err(ApiError::unauthorized("a payment token is required"));
        };
        let obj = required_body(&body)?;
        let f = ApiError::field;
        let invoice_id = obj.text("invoiceId").map_err(f)?.unwrap_or_default();
        if invoice_id != scope.invoice_id {
            return Err(ApiError::invalid(
                "invoiceId: differs from the payment token's invoiceID",
            ));
        }
        let amount = obj
            .decimal("amount")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("amount: required"))?;
        if amount != scope.amount {
            return Err(ApiError::invalid("amount: differs from the payment token's amount"));
        }
        let currency = obj.required_string("currency").map_err(f)?;
        if currency != scope.currency {
            return Err(ApiError::invalid("currency: differs from the payment token's currency"));
        }
        if let Some(terminal) = obj.string("terminalId").map_err(f)?
            && terminal != scope.terminal
        {
            return Err(ApiError::bad(
                codes::WRONG_TERMINAL,
                "terminalId: differs from the payment token's terminal",
            ));
        }
        if obj.required_string("paymentType").map_err(f)? != "cardId" {
            return Err(ApiError::invalid("paymentType: must be \"cardId\""));
        }
        let card_id = obj
            .object("cardId")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("cardId: required"))?
            .text("id")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("cardId.id: required"))?;
        let card = state
            .store()
            .cards
            .get(&card_id)
            .filter(|c| c.terminal == scope.terminal)
            .cloned()
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "cardId: no such saved card on this terminal"))?;
        let s = |key: &str| obj.text(key).map(|v| v.unwrap_or_default()).map_err(f);
        let link = |key: &str, fallback: &Option<String>| {
            obj.string(key)
                .map(|v| v.filter(|l| !l.trim().is_empty()).or_else(|| fallback.clone()))
                .map_err(f)
        };
        let order = PaymentOrder {
            invoice_id,
            invoice_id_alt: String::new(),
            amount,
            currency,
            terminal: scope.terminal.clone(),
            secret_hash: scope.secret_hash.clone(),
            post_link: link("postLink", &scope.post_link)?,
            failure_post_link: link("failurePostLink", &scope.failure_post_link)?,
            back_link: s("backLink")?,
            failure_back_link: s("failureBackLink")?,
            description: s("description")?,
            account_id: s("accountId")?,
            language: s("language")?,
            name: s("name")?,
            email: s("email")?,
            phone: s("phone")?,
            data: String::new(),
            card_save: false,
            saved_card_id: Some(card_id),
            invoice_link_id: None,
        };
        let txn = settle(&state, order, &card.number, false)?;
        if txn.status == TxStatus::Failed {
            return Err(ApiError::bad(codes::DECLINED, txn.reason));
        }
        let o = &txn.order;
        let body = Json::obj([
            ("id", Json::str(txn.id.clone())),
            ("accountId", Json::str(o.account_id.clone())),
            ("amount", Json::dec(txn.amount)),
            ("amountBonus", Json::int(0)),
            ("currency", Json::str(o.currency.clone())),
            ("description", Json::str(o.description.clone())),
            ("email", Json::str(o.email.clone())),
            ("invoiceID", Json::str(o.invoice_id.clone())),
            ("language", Json::str(o.language.clone())),
            ("phone", Json::str(o.phone.clone())),
            ("reference", Json::str(txn.reference.clone())),
            ("intReference", Json::str(txn.int_reference.clone())),
            ("secure3D", Json::Null),
            ("cardID", Json::str(txn.card_id.clone())),
            ("cardMask", Json::str(card.mask.clone())),
            ("cardType", Json::str(card.card_type.clone())),
            ("approvalCode", Json::str(txn.approval_code.clone())),
            ("fee", Json::int(0)),
            ("status", Json::str(txn.status.name())),
        ]);
        Ok(json_response(StatusCode::OK, body.render()))
    })())
}

/// `POST /epay/api/recurrent/subscribe`.
pub(super) async fn subscribe(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    respond((|| {
        let token = authorize(&state, &headers)?;
        let terminal = service_terminal(&token)?;
        let obj = required_body(&body)?;
        let f = ApiError::field;
        let transaction_id = obj.required_string("transactionId").map_err(f)?;
        let frequency = obj.required_string("paymentFrequency").map_err(f)?;
        if !["WEEKLY", "MONTHLY", "QUARTERLY"].contains(&frequency.as_str()) {
            return Err(ApiError::invalid(
                "paymentFrequency: must be WEEKLY, MONTHLY or QUARTERLY",
            ));
        }
        let mut store = state.store();
        let txn = store
            .txns
            .get(&transaction_id)
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "transaction not found"))?;
        if txn.order.terminal != terminal {
            return Err(ApiError::bad(
                codes::WRONG_TERMINAL,
                "transaction belongs to another terminal",
            ));
        }
        if !matches!(txn.status, TxStatus::Auth | TxStatus::Charge) {
            return Err(ApiError::bad(
                codes::INVALID_STATE,
                format!("cannot subscribe a transaction in status {}", txn.status.name()),
            ));
        }
        let id = uuid();
        store.subscriptions.insert(id.clone(), transaction_id.clone());
        let body = Json::obj([
            ("id", Json::str(id)),
            ("transactionId", Json::str(transaction_id)),
            ("paymentFrequency", Json::str(frequency)),
            ("status", Json::str("ACTIVE")),
        ]);
        Ok(json_response(StatusCode::OK, body.render()))
    })())
}

#[derive(Debug, Clone, Copy)]
enum Transfer {
    P2p,
    Aft,
    Oct,
}

/// `POST /epay/api/p2p/transfer`.
pub(super) async fn p2p(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    transfer(state, headers, body, Transfer::P2p)
}

/// `POST /epay/api/chdebit/transfer` (AFT).
pub(super) async fn aft(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    transfer(state, headers, body, Transfer::Aft)
}

/// `POST /epay/api/chpayment/transfer` (OCT payout).
pub(super) async fn oct(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Response {
    transfer(state, headers, body, Transfer::Oct)
}

fn transfer(AxumState(state): AxumState<Arc<State>>, headers: HeaderMap, body: Bytes, kind: Transfer) -> Response {
    respond((|| {
        let token = authorize(&state, &headers)?;
        if !token.scope.split_whitespace().any(|s| s == "transfer") {
            return Err(ApiError::unauthorized(
                "the token's scope does not include \"transfer\"",
            ));
        }
        let obj = required_body(&body)?;
        let f = ApiError::field;
        let order = obj
            .object("order")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("order: required"))?;
        let amount = order
            .decimal("amount")
            .map_err(|e| ApiError::invalid(format!("order.{}", e.message())))?
            .filter(|a| *a > Decimal::ZERO)
            .ok_or_else(|| ApiError::invalid("order.amount: required, positive"))?;
        let currency = order
            .string("currency")
            .map_err(|e| ApiError::invalid(format!("order.{}", e.message())))?
            .unwrap_or_else(|| "KZT".to_owned());
        if !CURRENCIES.contains(&currency.as_str()) {
            return Err(ApiError::invalid("order.currency: unsupported"));
        }
        let order_id = order
            .text("id")
            .ok()
            .flatten()
            .or_else(|| order.text("orderId").ok().flatten())
            .unwrap_or_default();
        let card = obj
            .object("card")
            .map_err(f)?
            .ok_or_else(|| ApiError::invalid("card: required"))?;
        let (need_sender, need_receiver) = match kind {
            Transfer::P2p => (true, true),
            Transfer::Aft => (true, false),
            Transfer::Oct => (false, true),
        };
        for (needed, key) in [(need_sender, "sender"), (need_receiver, "receiver")] {
            if needed && card.object(key).map_err(f)?.is_none_or(|o| o.keys().next().is_none()) {
                return Err(ApiError::invalid(format!("card.{key}: required")));
            }
        }
        if amount == Decimal::from(MAGIC_DECLINE_AMOUNT) {
            return Err(ApiError::bad(codes::DECLINED, "Insufficient funds"));
        }
        let body = Json::obj([
            ("id", Json::str(uuid())),
            ("orderId", Json::str(order_id)),
            ("amount", Json::dec(amount)),
            ("currency", Json::str(currency)),
            ("code", Json::str("ok")),
            ("statusName", Json::str("CHARGE")),
        ]);
        Ok(json_response(StatusCode::OK, body.render()))
    })())
}
