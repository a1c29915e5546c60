//! Transfers: P2P (`/p2p/transfer`), AFT (`/chdebit/transfer`), OCT payouts
//! (`/chpayment/transfer`), their status by order and the operations list.
//!
//! Each transfer needs its own token, issued for the order: client
//! credentials with `invoiceID` (= `order.id`), `amount`, `currency` and
//! `terminal` (P2P and AFT: the P2P terminal with scope `transfer`; OCT: the
//! OCT terminal, with scope `transfer` or the long payment scope, as the
//! withdrawal page shows). The body must repeat the token's order exactly; a
//! token pays one transfer, and an order id paid once cannot be paid again.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::HeaderMap;
use axum::response::Response;
use rust_decimal::Decimal;

use super::credentials::{MAGIC_DECLINE_AMOUNT, OCT_TERMINAL, P2P_TERMINAL, P2P_USERNAME, cards};
use super::error::{ApiError, codes, ok_json};
use super::like::like;
use super::model::{Grant, Transfer, TransferKind, TransferSide, TxStatus};
use super::oauth::{authorize, require_user, service_terminal};
use super::operation::required_body;
use super::store::State;
use super::store::tail6;
use super::util::{bounded_text, card_info, kz_time, optional_link, random_digits, uuid};
use crate::json::{FieldError, Json, RawObject, raw_to_text};

/// `POST /epay/api/p2p/transfer`.
pub(super) async fn p2p(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    transfer(state, headers, body, TransferKind::P2p)
}

/// `POST /epay/api/chdebit/transfer` (AFT).
pub(super) async fn aft(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    transfer(state, headers, body, TransferKind::Aft)
}

/// `POST /epay/api/chpayment/transfer` (OCT payout).
pub(super) async fn oct(state: AxumState<Arc<State>>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    transfer(state, headers, body, TransferKind::Oct)
}

fn nested(prefix: &str) -> impl Fn(FieldError) -> ApiError + '_ {
    move |e| ApiError::invalid(format!("{prefix}.{}", e.message()))
}

/// One card side: `transferType` TYPEPAN (card number, with `cvc` and
/// `expire` for a sender), TYPECARDID (a saved card of the terminal) or
/// TYPEPHONE (receiver only: `phone` and 12-digit `iin`).
fn side(
    state: &State,
    obj: &RawObject<'_>,
    prefix: &str,
    terminal: &str,
    sender: bool,
) -> Result<(TransferSide, String), ApiError> {
    let f = nested(prefix);
    let transfer_type = obj
        .string("transferType")
        .map_err(&f)?
        .unwrap_or_else(|| "TYPEPAN".to_owned());
    match transfer_type.as_str() {
        "TYPEPAN" => {
            let pan = obj.required_string("cardCred").map_err(&f)?;
            if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::invalid(format!("{prefix}.cardCred: must be 12 to 19 digits")));
            }
            if sender {
                let cvc = obj.required_string("cvc").map_err(&f)?;
                if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::invalid(format!("{prefix}.cvc: must be 3 or 4 digits")));
                }
                let expire = obj
                    .object("expire")
                    .map_err(&f)?
                    .ok_or_else(|| ApiError::invalid(format!("{prefix}.expire: required")))?;
                let month = expire.text("month").map_err(&f)?.and_then(|m| m.parse::<u8>().ok());
                let year = expire.text("year").map_err(&f)?.and_then(|y| y.parse::<u16>().ok());
                if !month.is_some_and(|m| (1..=12).contains(&m)) || year.is_none() {
                    return Err(ApiError::invalid(format!(
                        "{prefix}.expire: month 1-12 and year required"
                    )));
                }
            }
            let (mask, card_type) = card_info(&pan);
            Ok((
                TransferSide {
                    card_id: String::new(),
                    pan: mask,
                    card_type,
                    transfer_type,
                },
                pan,
            ))
        }
        "TYPECARDID" => {
            let id = obj.required_string("cardCred").map_err(&f)?;
            let now = state.now();
            let card = state
                .store()
                .cards
                .get(&id, now)
                .filter(|c| c.active && c.terminal == terminal)
                .cloned()
                .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, format!("{prefix}.cardCred: no such saved card")))?;
            Ok((
                TransferSide {
                    card_id: card.id.clone(),
                    pan: card.mask.clone(),
                    card_type: card.card_type.clone(),
                    transfer_type,
                },
                card.number,
            ))
        }
        "TYPEPHONE" if !sender => {
            let phone = obj.required_string("phone").map_err(&f)?;
            let iin = obj.required_string("iin").map_err(&f)?;
            if iin.len() != 12 || !iin.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::invalid(format!("{prefix}.iin: must be 12 digits")));
            }
            let digits = phone.trim_start_matches('+');
            if digits.len() != 11 || !digits.starts_with('7') || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::invalid(format!("{prefix}.phone: must be 7 and 10 digits")));
            }
            Ok((
                TransferSide {
                    card_id: String::new(),
                    pan: String::new(),
                    card_type: String::new(),
                    transfer_type,
                },
                cards::VISA_OK.to_owned(),
            ))
        }
        other => Err(ApiError::invalid(format!(
            "{prefix}.transferType: unsupported {other:?}"
        ))),
    }
}

/// Why the issuer declines a sender card or amount: `(reason, code)`.
fn decision(sender_pan: Option<&str>, amount: Decimal) -> Option<&'static str> {
    if amount == Decimal::from(MAGIC_DECLINE_AMOUNT) {
        return Some("Insufficient funds");
    }
    match sender_pan {
        Some(cards::DECLINE_DO_NOT_HONOR) => Some("Do not honor"),
        Some(cards::DECLINE_INSUFFICIENT_FUNDS) => Some("Insufficient funds"),
        Some(cards::DECLINE_3DS) => Some("3-D Secure authentication failed"),
        _ => None,
    }
}

fn transfer(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
    kind: TransferKind,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let scope = match &token.grant {
        Grant::Payment(scope) => scope.clone(),
        Grant::TransferForm => {
            return Err(ApiError::unauthorized(
                "a transfer needs its own token with invoiceID, amount and currency",
            ));
        }
        _ => return Err(ApiError::unauthorized("a transfer needs a per-transfer token")),
    };
    let terminal_ok = match kind {
        TransferKind::P2p | TransferKind::Aft => scope.transfer && scope.terminal == P2P_TERMINAL,
        TransferKind::Oct => scope.terminal == OCT_TERMINAL,
    };
    if !terminal_ok {
        return Err(ApiError::unauthorized(format!(
            "{} needs a token for the {} terminal{}",
            kind.name(),
            if kind == TransferKind::Oct { "OCT" } else { "P2P" },
            if kind == TransferKind::Oct {
                ""
            } else {
                " with scope \"transfer\""
            }
        )));
    }
    let obj = required_body(&body)?;
    let f = ApiError::field;
    let order = obj
        .object("order")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("order: required"))?;
    let of = nested("order");
    let order_id = order
        .text("id")
        .map_err(&of)?
        .ok_or_else(|| ApiError::invalid("order.id: required"))?;
    if order_id != scope.invoice_id {
        return Err(ApiError::invalid("order.id: differs from the token's invoiceID"));
    }
    let amount = order
        .decimal("amount")
        .map_err(&of)?
        .ok_or_else(|| ApiError::invalid("order.amount: required"))?;
    if amount != scope.amount || amount <= Decimal::ZERO {
        return Err(ApiError::invalid("order.amount: differs from the token's amount"));
    }
    let currency = order.required_string("currency").map_err(&of)?;
    if currency != scope.currency {
        return Err(ApiError::invalid("order.currency: differs from the token's currency"));
    }
    let terminal = order.required_string("terminalId").map_err(&of)?;
    if terminal != scope.terminal {
        return Err(ApiError::bad(
            codes::WRONG_TERMINAL,
            "order.terminalId: differs from the token's terminal",
        ));
    }
    for key in ["backLink", "failureBackLink", "postLink", "failurePostLink"] {
        optional_link(&format!("order.{key}"), order.string(key).map_err(&of)?.as_deref())?;
    }
    if let Some(foreign) = order.raw("foreign")
        && !matches!(foreign, "true" | "false")
    {
        return Err(ApiError::invalid("order.foreign: must be a boolean"));
    }
    let description = bounded_text(&order, "description", 125)?;
    let email = bounded_text(&order, "senderEmail", super::util::MAX_TEXT_LEN)?;
    let card = obj
        .object("card")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("card: required"))?;
    let (need_sender, need_receiver) = match kind {
        TransferKind::P2p => (true, true),
        TransferKind::Aft => (true, false),
        TransferKind::Oct => (false, true),
    };
    let cf = nested("card");
    let sender = match (need_sender, card.object("sender").map_err(&cf)?) {
        (true, Some(o)) => Some(side(&state, &o, "card.sender", &scope.terminal, true)?),
        (true, None) => return Err(ApiError::invalid("card.sender: required")),
        (false, Some(_)) => {
            return Err(ApiError::invalid(
                "card.sender: not allowed on a payout (the registered corporate card pays)",
            ));
        }
        (false, None) => None,
    };
    let receiver = match (need_receiver, card.object("receiver").map_err(&cf)?) {
        (true, Some(o)) => Some(side(&state, &o, "card.receiver", &scope.terminal, false)?),
        (true, None) => return Err(ApiError::invalid("card.receiver: required")),
        (false, _) => None,
    };
    let reason = decision(sender.as_ref().map(|(_, pan)| pan.as_str()), amount);
    let now = state.now();
    let record = {
        let mut store = state.store();
        // One transfer per token: it is spent whatever the outcome.
        let token_text = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        store.tokens.remove(&token_text, now);
        let tail_key = (scope.terminal.clone(), tail6(&order_id));
        if store.paid_transfer_tails.contains_key(&tail_key, now) {
            return Err(ApiError::bad(
                codes::DUPLICATE,
                "order.id: already transferred on this terminal",
            ));
        }
        let record = Transfer {
            id: uuid(),
            kind,
            order_id: order_id.clone(),
            terminal: scope.terminal.clone(),
            amount,
            currency: currency.clone(),
            description,
            email,
            status: if reason.is_some() {
                TxStatus::Failed
            } else {
                TxStatus::Charge
            },
            reason: reason.unwrap_or_default().to_owned(),
            reference: random_digits(12),
            int_reference: random_digits(16),
            created: now,
            sender: sender.map(|(s, _)| s).unwrap_or_default(),
            receiver: receiver.map(|(r, _)| r).unwrap_or_default(),
        };
        store.transfers.insert(record.id.clone(), record.clone(), now);
        store.latest_transfer.insert(
            (record.terminal.clone(), record.order_id.clone()),
            record.id.clone(),
            now,
        );
        if record.status.is_paid() {
            store.paid_transfer_tails.insert(tail_key, (), now);
        }
        record
    };
    if let Some(reason) = reason {
        return Err(ApiError::bad(codes::DECLINED, reason));
    }
    Ok(ok_json(&transfer_answer(&record)))
}

/// The answer of a transfer (the official SDK's `TransferResponseBody` fields).
fn transfer_answer(t: &Transfer) -> Json {
    Json::obj([
        ("id", Json::str(t.id.clone())),
        ("amount", Json::dec(t.amount)),
        ("fee", Json::int(0)),
        ("accountID", Json::str("")),
        ("currency", Json::str(t.currency.clone())),
        ("email", Json::str(t.email.clone())),
        ("description", Json::str(t.description.clone())),
        ("reference", Json::str(t.reference.clone())),
        ("orderID", Json::str(t.order_id.clone())),
        ("senderCardID", Json::str(t.sender.card_id.clone())),
        ("senderCardPAN", Json::str(t.sender.pan.clone())),
        ("senderCardType", Json::str(t.sender.card_type.clone())),
        ("senderTransferType", Json::str(t.sender.transfer_type.clone())),
        ("receiverCardID", Json::str(t.receiver.card_id.clone())),
        ("receiverCardPAN", Json::str(t.receiver.pan.clone())),
        ("receiverCardType", Json::str(t.receiver.card_type.clone())),
        ("receiverTransferType", Json::str(t.receiver.transfer_type.clone())),
        ("intReference", Json::str(t.int_reference.clone())),
        ("terminalID", Json::str(t.terminal.clone())),
    ])
}

fn p2p_json(t: &Transfer) -> Json {
    Json::obj([
        ("id", Json::str(t.id.clone())),
        ("createdDate", Json::str(kz_time(t.created))),
        ("invoiceID", Json::str(t.order_id.clone())),
        ("amount", Json::dec(t.amount)),
        ("amountBonus", Json::int(0)),
        (
            "payoutAmount",
            Json::dec(if t.status.is_paid() { t.amount } else { Decimal::ZERO }),
        ),
        ("currency", Json::str(t.currency.clone())),
        ("cardType", Json::str(t.receiver.card_type.clone())),
        ("terminal", Json::str(t.terminal.clone())),
        ("terminalID", Json::str("88888882")),
        ("accountID", Json::str("")),
        ("description", Json::str(t.description.clone())),
        ("language", Json::str("rus")),
        ("reference", Json::str(t.reference.clone())),
        ("operationType", Json::str(t.kind.name())),
        ("statusName", Json::str(t.status.name())),
        ("reason", Json::str(t.reason.clone())),
    ])
}

/// `GET /epay/api/check-status/p2p/transaction/{order}`: service token of the
/// transfer's terminal. Found: `{"result":{"code":"100",...},"transaction":{"p2p":{...}}}`;
/// not found: `result.code` "102".
pub(super) async fn status(
    AxumState(state): AxumState<Arc<State>>,
    Path(order): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let terminal = service_terminal(&token)?;
    let now = state.now();
    let store = state.store();
    let found = store
        .latest_transfer
        .get(&(terminal, order), now)
        .and_then(|id| store.transfers.get(id, now));
    let body = match found {
        Some(t) => Json::obj([
            (
                "result",
                Json::obj([("code", Json::str("100")), ("message", Json::str("SUCCESS"))]),
            ),
            ("transaction", Json::obj([("p2p", p2p_json(t))])),
        ]),
        None => Json::obj([(
            "result",
            Json::obj([
                ("code", Json::str("102")),
                ("message", Json::str("Transaction not found")),
            ]),
        )]),
    };
    Ok(ok_json(&body))
}

/// Fields the operations list filters and orders on.
const LIST_FIELDS: [&str; 5] = ["created_at", "invoice_id", "amount", "status", "terminal"];

fn list_field(t: &Transfer, name: &str) -> String {
    match name {
        "created_at" => kz_time(t.created),
        "invoice_id" => t.order_id.clone(),
        "amount" => t.amount.normalize().to_string(),
        "status" => t.status.name().to_owned(),
        _ => t.terminal.clone(),
    }
}

/// `POST /epay/api/p2p/operations`: password-grant token (the sandbox's P2P
/// user, scope `transfer`); body `{paging:{page,size}, searchParameters, orderParameters}`
/// with a mandatory `created_at` `between` filter. Answer (not documented;
/// the sandbox's choice, as the invoice search): `{TotalCount, Records}`.
pub(super) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    require_user(&token, P2P_USERNAME)?;
    if !token.scope.split_whitespace().any(|s| s == "transfer") {
        return Err(ApiError::unauthorized("the operations list needs scope \"transfer\""));
    }
    let obj = required_body(&body)?;
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
    let skip = count("page")?;
    let size = count("size")?;
    if size == 0 || size > 1000 {
        return Err(ApiError::invalid("paging.size: 1 to 1000"));
    }
    let params = obj
        .array("searchParameters")
        .map_err(f)?
        .ok_or_else(|| ApiError::invalid("searchParameters: required"))?;
    let mut filters = Vec::new();
    for raw in params {
        let p = RawObject::parse_checked(raw).map_err(|e| ApiError::invalid(e.message("searchParameters")))?;
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
            "=" | "<" | ">" | "<=" | ">=" => values.len() == 1,
            "like" => values.len() == 1 && values.iter().all(|v| v.contains('%')),
            "between" => values.len() == 2,
            "in" => !values.is_empty(),
            _ => return Err(ApiError::invalid(format!("method: unsupported {method:?}"))),
        };
        if !arity_ok {
            return Err(ApiError::invalid(format!(
                "searchParameter: wrong values for method {method:?}"
            )));
        }
        if !LIST_FIELDS.contains(&name.as_str()) {
            return Err(ApiError::invalid(format!("name: unknown field {name:?}")));
        }
        filters.push((name, method, values));
    }
    if !filters.iter().any(|(n, m, _)| n == "created_at" && m == "between") {
        return Err(ApiError::invalid(
            "searchParameters: a created_at between filter (the transaction period) is required",
        ));
    }
    let desc = match obj.object("orderParameters").map_err(f)? {
        Some(o) => match o.string("typeOrder").map_err(f)?.as_deref() {
            None | Some("DESC") => true,
            Some("ASC") => false,
            Some(_) => return Err(ApiError::invalid("typeOrder: must be ASC or DESC")),
        },
        None => true,
    };
    let now = state.now();
    // Snapshot under the lock; filter (with `like`) outside it.
    let snapshot: Vec<Transfer> = state.store().transfers.values(now).cloned().collect();
    let mut found: Vec<&Transfer> = snapshot
        .iter()
        .filter(|t| {
            filters.iter().all(|(name, method, values)| {
                let v = list_field(t, name);
                let first = values.first().map(String::as_str).unwrap_or_default();
                let cmp = |a: &str, b: &str| {
                    if name == "amount"
                        && let (Some(x), Some(y)) = (crate::json::parse_decimal(a), crate::json::parse_decimal(b))
                    {
                        return x.cmp(&y);
                    }
                    a.cmp(b)
                };
                use std::cmp::Ordering::*;
                match method.as_str() {
                    "=" => cmp(&v, first) == Equal,
                    "<" => cmp(&v, first) == Less,
                    ">" => cmp(&v, first) == Greater,
                    "<=" => cmp(&v, first) != Greater,
                    ">=" => cmp(&v, first) != Less,
                    "in" => values.iter().any(|x| cmp(&v, x) == Equal),
                    "like" => like(first, &v),
                    "between" => {
                        let last = values.get(1).map(String::as_str).unwrap_or_default();
                        cmp(&v, first) != Less && cmp(&v, last) != Greater
                    }
                    _ => false,
                }
            })
        })
        .collect();
    found.sort_by_key(|t| t.created);
    if desc {
        found.reverse();
    }
    let total = found.len();
    let records: Vec<Json> = found.into_iter().skip(skip).take(size).map(p2p_json).collect();
    Ok(ok_json(&Json::obj([
        ("TotalCount", Json::int(i64::try_from(total).unwrap_or(i64::MAX))),
        ("Records", Json::Arr(records)),
    ])))
}
