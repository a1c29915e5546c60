//! The emulated bank: the outcome of a scenario as EPoint's codes and
//! messages, and the answer fields built from a transaction.

use std::str::FromStr;

use payments_core::Money;
use serde_json::{Map, Value};

use super::State;
use super::store::{Kind, Transaction, TxStatus};
use crate::scenario::{self, Outcome};

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
pub(super) fn base_response(tx: &Transaction) -> Map<String, Value> {
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

#[cfg(test)]
mod tests {
    use payments_core::Currency;

    use super::*;

    #[test]
    fn amount_is_a_json_number() {
        assert_eq!(
            amount_number(Money::from_minor(1050, Currency::AZN)).to_string(),
            "10.5"
        );
    }
}
