//! Saved cards: pay with one (`/payments/cards/auth`), list them
//! (`/cards/{accountId}`), deactivate one (`/card/deactivate/{cardID}`), and
//! recurring subscriptions on a paid transaction.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::{ApiError, codes, ok_json};
use super::model::{Grant, PaymentOrder, TxStatus};
use super::oauth::{authorize, payment_scope_of, service_terminal};
use super::operation::required_body;
use super::postlink::settle;
use super::store::State;
use super::util::{kz_time, optional_link, uuid};
use crate::json::Json;

/// `POST /epay/api/payments/cards/auth`: pay with a saved card, under a payment token.
pub(super) async fn card_auth(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    {
        let token = authorize(&state, &headers)?;
        let scope = payment_scope_of(&token)?;
        if scope.transfer {
            return Err(ApiError::unauthorized("a transfer token cannot pay with a saved card"));
        }
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
        let now = state.now();
        let card = state
            .store()
            .cards
            .get(&card_id, now)
            .filter(|c| c.terminal == scope.terminal && c.active)
            .cloned()
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "cardId: no such active saved card on this terminal"))?;
        let s = |key: &str| {
            let max = if key == "description" {
                125
            } else {
                super::util::MAX_TEXT_LEN
            };
            super::util::bounded_text(&obj, key, max)
        };
        // The token's links win; the body's are checked and used only when the token has none.
        let link = |key: &str, token_link: &Option<String>| -> Result<Option<String>, ApiError> {
            let own = optional_link(key, obj.string(key).map_err(f)?.as_deref())?;
            Ok(token_link.clone().or(own))
        };
        let back = |key: &str| -> Result<String, ApiError> {
            Ok(optional_link(key, obj.string(key).map_err(f)?.as_deref())?.unwrap_or_default())
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
            back_link: back("backLink")?,
            failure_back_link: back("failureBackLink")?,
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
        Ok(ok_json(&body))
    }
}

/// `POST /epay/api/recurrent/subscribe`: with a service token of the
/// transaction's terminal, or the payment's own token (as the official SDK does).
pub(super) async fn subscribe(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    {
        let token = authorize(&state, &headers)?;
        let (terminal, own_invoice) = match &token.grant {
            Grant::Payment(scope) if !scope.transfer => (scope.terminal.clone(), Some(scope.invoice_id.clone())),
            _ => (service_terminal(&token)?, None),
        };
        let obj = required_body(&body)?;
        let f = ApiError::field;
        let transaction_id = obj.required_string("transactionId").map_err(f)?;
        let frequency = obj.required_string("paymentFrequency").map_err(f)?;
        if !["WEEKLY", "MONTHLY", "QUARTERLY"].contains(&frequency.as_str()) {
            return Err(ApiError::invalid(
                "paymentFrequency: must be WEEKLY, MONTHLY or QUARTERLY",
            ));
        }
        let now = state.now();
        let mut store = state.store();
        let txn = store
            .txns
            .get(&transaction_id, now)
            .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "transaction not found"))?;
        if own_invoice.is_some_and(|inv| inv != txn.order.invoice_id) {
            return Err(ApiError::unauthorized("the payment token belongs to another invoice"));
        }
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
        store.subscriptions.insert(id.clone(), transaction_id.clone(), now);
        let body = Json::obj([
            ("id", Json::str(id)),
            ("transactionId", Json::str(transaction_id)),
            ("paymentFrequency", Json::str(frequency)),
            ("status", Json::str("ACTIVE")),
        ]);
        Ok(ok_json(&body))
    }
}

/// The terminals a token may see saved cards of: a service token its own,
/// a terminal-less client token every terminal of its client.
fn card_terminals(state: &State, token: &super::model::Token) -> Result<Vec<String>, ApiError> {
    let client = state
        .client(&token.client_id)
        .ok_or_else(|| ApiError::unauthorized("unknown client"))?;
    match &token.grant {
        Grant::Merchant => Ok(client.terminals),
        Grant::Service { terminal } => Ok(client.terminals.into_iter().filter(|t| t == terminal).collect()),
        _ => Err(ApiError::unauthorized(
            "saved cards need a client_credentials token (with or without terminal)",
        )),
    }
}

/// `GET /epay/api/cards/{accountId}`: the account's active saved cards, a JSON
/// array with PascalCase keys; none: HTTP 400 `{"code":1373,...}` [U].
pub(super) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    Path(account_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let terminals = card_terminals(&state, &token)?;
    let now = state.now();
    let mut found: Vec<_> = state
        .store()
        .cards
        .values(now)
        .filter(|c| c.active && c.account_id == account_id && terminals.contains(&c.terminal))
        .cloned()
        .collect();
    if found.is_empty() {
        return Err(ApiError::bad(codes::NO_CARDS, "cards not found"));
    }
    found.sort_by_key(|c| c.created);
    let items = found
        .iter()
        .map(|c| {
            Json::obj([
                ("ID", Json::str(c.id.clone())),
                ("TransactionId", Json::str(c.transaction_id.clone())),
                ("MerchantID", Json::str(super::credentials::MERCHANT_ID)),
                ("CardHash", Json::str(card_hash(&c.number))),
                ("CardMask", Json::str(c.mask.clone())),
                ("PayerName", Json::str("")),
                ("Reference", Json::str("")),
                ("IntReference", Json::str("")),
                (
                    "Token",
                    Json::str(card_hash(&c.id).get(..32).unwrap_or_default().to_owned()),
                ),
                ("Terminal", Json::str("88888881")),
                ("CreatedDate", Json::str(kz_time(c.created))),
                ("PaymentAvailable", Json::Bool(false)),
                ("AccountID", Json::str(c.account_id.clone())),
            ])
        })
        .collect();
    Ok(ok_json(&Json::Arr(items)))
}

fn card_hash(text: &str) -> String {
    payments_core::crypto::hex_lower(&payments_core::crypto::sha256(&[text.as_bytes()]))
}

/// `POST /epay/api/card/deactivate/{cardID}`: HTTP 200 `{"status": ...}`;
/// repeating it answers the same (not money-moving, safe to retry).
pub(super) async fn deactivate(
    AxumState(state): AxumState<Arc<State>>,
    Path(card_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = authorize(&state, &headers)?;
    let terminals = card_terminals(&state, &token)?;
    let now = state.now();
    let mut store = state.store();
    let card = store
        .cards
        .get_mut(&card_id, now)
        .filter(|c| terminals.contains(&c.terminal))
        .ok_or_else(|| ApiError::bad(codes::NOT_FOUND, "cardID: no such saved card"))?;
    card.active = false;
    Ok((
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        Json::obj([("status", Json::str("card successfully deactivated"))]).render(),
    )
        .into_response())
}
