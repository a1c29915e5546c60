//! Settling a payment with a card (the issuer's decision, the transaction,
//! a saved card) and the postLink / failurePostLink deliveries that follow.

use rust_decimal::Decimal;

use super::credentials::{MAGIC_DECLINE_AMOUNT, cards};
use super::error::{ApiError, codes};
use super::model::{PaymentOrder, SavedCard, TxStatus, Txn};
use super::store::State;
use super::store::tail6;
use super::util::{card_info, kz_time, random_digits, uuid};
use crate::json::Json;

/// Why the issuer declines, if it does: `(reason, reasonCode)`.
fn issuer_decision(card: &str, amount: Decimal) -> Option<(&'static str, &'static str)> {
    if amount == Decimal::from(MAGIC_DECLINE_AMOUNT) {
        return Some(("Insufficient funds", "51"));
    }
    match card {
        cards::DECLINE_DO_NOT_HONOR => Some(("Do not honor", "05")),
        cards::DECLINE_INSUFFICIENT_FUNDS => Some(("Insufficient funds", "51")),
        cards::DECLINE_3DS => Some(("3-D Secure authentication failed", "2028")),
        _ => None,
    }
}

/// Pays (or fails) an order with a card and delivers the postLink or failurePostLink.
pub(super) fn settle(state: &State, order: PaymentOrder, card: &str, payer_declined: bool) -> Result<Txn, ApiError> {
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::invalid("card: must be 12 to 19 digits"));
    }
    let decision = if payer_declined {
        Some(("Payment declined by the payer", "05"))
    } else {
        issuer_decision(card, order.amount)
    };
    let now = state.now();
    let (mask, card_type) = card_info(card);
    let txn = {
        let mut store = state.store();
        // Paid on this terminal, or an invoiceId with the same last 6 digits is.
        let tail_key = (order.terminal.clone(), tail6(&order.invoice_id));
        if store.paid_tails.contains_key(&tail_key, now) {
            return Err(ApiError::bad(
                codes::DUPLICATE,
                "invoiceId: already paid on this terminal (or its last 6 digits are)",
            ));
        }
        let two_step = store.two_step.get(&order.terminal).copied().unwrap_or(false) && !order.is_verification();
        let txn_id = uuid();
        let status = match decision {
            Some(_) => TxStatus::Failed,
            None if card == cards::TIMEOUT_3DS => TxStatus::Pending3ds,
            None if two_step => TxStatus::Auth,
            None => TxStatus::Charge,
        };
        let card_id = if let Some(saved) = &order.saved_card_id {
            saved.clone()
        } else if (order.card_save || order.is_verification()) && status.is_paid() {
            let id = uuid();
            let card = SavedCard {
                id: id.clone(),
                terminal: order.terminal.clone(),
                account_id: order.account_id.clone(),
                mask: mask.clone(),
                card_type: card_type.clone(),
                number: card.to_owned(),
                transaction_id: txn_id.clone(),
                created: now,
                active: true,
            };
            store.cards.insert(id.clone(), card, now);
            id
        } else {
            String::new()
        };
        store.next_seq += 1;
        let txn = Txn {
            id: txn_id,
            seq: store.next_seq,
            status,
            amount: order.amount,
            charged: if status == TxStatus::Charge {
                order.amount
            } else {
                Decimal::ZERO
            },
            refunded: Decimal::ZERO,
            created: now,
            card_mask: mask,
            card_type,
            card_id,
            approval_code: if status.is_paid() {
                random_digits(6)
            } else {
                String::new()
            },
            reference: random_digits(12),
            int_reference: random_digits(16),
            reason: decision.map(|d| d.0).unwrap_or_default().to_owned(),
            reason_code: decision.map(|d| d.1).unwrap_or("00").to_owned(),
            secure: card == cards::DECLINE_3DS,
            refunds: Vec::new(),
            order,
        };
        store.txns.insert(txn.id.clone(), txn.clone(), now);
        store.latest.insert(
            (txn.order.terminal.clone(), txn.order.invoice_id.clone()),
            txn.id.clone(),
            now,
        );
        if txn.status.is_paid() {
            store.paid_tails.insert(tail_key, txn.id.clone(), now);
        }
        txn
    };
    deliver(state, &txn);
    Ok(txn)
}

/// Sends the postLink (success) or failurePostLink (failure) body, if a link was given.
pub(super) fn deliver(state: &State, txn: &Txn) {
    if txn.status == TxStatus::Pending3ds {
        return;
    }
    let (link, body) = if txn.status == TxStatus::Failed {
        (&txn.order.failure_post_link, failure_body(state, txn))
    } else {
        (&txn.order.post_link, success_body(state, txn))
    };
    if let Some(link) = link {
        state.shared.deliveries.deliver(
            "epay",
            link.trim().to_owned(),
            "application/json",
            body.render().into_bytes(),
        );
    }
}

fn ip_fields() -> [(&'static str, Json); 7] {
    [
        ("ip", Json::str("127.0.0.1")),
        ("ipCity", Json::str("Almaty")),
        ("ipCountry", Json::str("KZ")),
        ("ipDistrict", Json::str("Almaty")),
        ("ipLatitude", Json::Num("43.238949".into())),
        ("ipLongitude", Json::Num("76.889709".into())),
        ("ipRegion", Json::str("Almaty")),
    ]
}

/// The fields both postLink bodies end with: ip, card issuer, payer, result
/// reason, terminal, and the echoed secret_hash (absent for invoice links).
fn push_card_and_payer_fields(body: &mut Json, txn: &Txn) {
    let o = &txn.order;
    for (k, v) in ip_fields() {
        body.push(k, v);
    }
    for (k, v) in [
        ("issuer", Json::str("HALYK BANK")),
        ("language", Json::str(o.language.clone())),
        ("name", Json::str(o.name.clone())),
        ("phone", Json::str(o.phone.clone())),
        ("reason", Json::str(txn.reason.clone())),
        ("reasonCode", Json::str(txn.reason_code.clone())),
        ("reference", Json::str(txn.reference.clone())),
        ("secure", Json::str(if txn.secure { "yes" } else { "no" })),
        ("secureDetails", Json::str("")),
        ("terminal", Json::str(o.terminal.clone())),
    ] {
        body.push(k, v);
    }
    if o.invoice_link_id.is_none() {
        body.push("secret_hash", Json::str(o.secret_hash.clone()));
    }
}

/// The postLink JSON of an approved payment.
pub(super) fn success_body(state: &State, txn: &Txn) -> Json {
    let o = &txn.order;
    let mut body = Json::obj([
        ("accountId", Json::str(o.account_id.clone())),
        ("amount", Json::dec(txn.amount)),
        ("approvalCode", Json::str(txn.approval_code.clone())),
        ("cardId", Json::str(txn.card_id.clone())),
        ("cardMask", Json::str(txn.card_mask.clone())),
        ("cardType", Json::str(txn.card_type.clone())),
        ("code", Json::str("ok")),
        ("currency", Json::str(o.currency.clone())),
        ("dateTime", Json::str(kz_time(state.now()))),
        ("description", Json::str(o.description.clone())),
        ("email", Json::str(o.email.clone())),
        ("id", Json::str(txn.id.clone())),
        ("invoiceId", Json::str(o.invoice_id.clone())),
    ]);
    push_card_and_payer_fields(&mut body, txn);
    body
}

/// The failurePostLink JSON of a declined payment.
pub(super) fn failure_body(state: &State, txn: &Txn) -> Json {
    let o = &txn.order;
    let mut body = Json::obj([
        ("accountId", Json::str(o.account_id.clone())),
        ("amount", Json::dec(txn.amount)),
        ("cardMask", Json::str(txn.card_mask.clone())),
        ("cardType", Json::str(txn.card_type.clone())),
        ("code", Json::str("error")),
        ("currency", Json::str(o.currency.clone())),
        ("dateTime", Json::str(kz_time(state.now()))),
        ("description", Json::str(o.description.clone())),
        ("email", Json::str(o.email.clone())),
        ("id", Json::str(txn.id.clone())),
        ("invoiceId", Json::str(o.invoice_id.clone())),
        ("invoiceIdAlt", Json::str(o.invoice_id_alt.clone())),
    ]);
    push_card_and_payer_fields(&mut body, txn);
    body
}
