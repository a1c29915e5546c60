//! `GET /_sandbox/scenarios`: the test cards and magic amounts of every
//! provider, built from the same constants the emulators decide with.

use serde_json::{Value, json};

use crate::{epay, qr, scenario};

fn card(number: &str, outcome: &str, detail: &str) -> Value {
    json!({"card": number, "outcome": outcome, "detail": detail})
}

fn amount(rule: &str, outcome: &str, detail: &str) -> Value {
    json!({"amount": rule, "outcome": outcome, "detail": detail})
}

/// The shared EPoint/AzeriCard cards and amounts (the [`scenario`] module).
fn card_gateway(codes: &str) -> Value {
    let mut cards: Vec<Value> = scenario::APPROVED_CARDS
        .iter()
        .map(|c| card(c, "approve", "approved (any other 12-19 digit number too)"))
        .collect();
    cards.push(card(scenario::DECLINED_CARD, "decline", "declined by the issuer"));
    cards.push(card(
        scenario::INSUFFICIENT_FUNDS_CARD,
        "insufficient_funds",
        "insufficient funds",
    ));
    cards.push(card(
        scenario::THREE_DS_FAILED_CARD,
        "three_ds_failed",
        "3-D Secure authentication failed",
    ));
    cards.push(card(
        scenario::TIMEOUT_CARD,
        "timeout",
        "the bank never answers: stays pending, no callback",
    ));
    json!({
        "default_card": scenario::DEFAULT_CARD,
        "cards": cards,
        "amounts": [
            amount("minor units end in 51", "insufficient_funds", "wins over the card"),
            amount("minor units end in 52", "three_ds_failed", "wins over the card"),
            amount("minor units end in 53", "timeout", "stays pending, no callback"),
            amount("minor units end in 54", "decline", "wins over the card"),
        ],
        "codes": codes,
    })
}

/// The whole catalogue.
pub fn catalogue() -> Value {
    use epay::cards;
    json!({
        "epoint": card_gateway("approved: code 000; declined: 100; insufficient funds: 116"),
        "azericard": card_gateway("approved: RC 00 ACTION 0; declined: ACTION 2 (see docs/sandbox/azericard.md)"),
        "epay": {
            "default_card": cards::VISA_OK,
            "cards": [
                card(cards::VISA_OK, "approve", "VISA, approved"),
                card(cards::MASTERCARD_OK, "approve", "Mastercard, approved"),
                card(cards::DECLINE_DO_NOT_HONOR, "decline", "reasonCode 05 Do not honor"),
                card(cards::DECLINE_INSUFFICIENT_FUNDS, "insufficient_funds", "reasonCode 51 Insufficient funds"),
                card(cards::DECLINE_3DS, "three_ds_failed", "reasonCode 2028"),
                card(cards::TIMEOUT_3DS, "timeout", "stays in 3-D Secure (statusName 3D), no postLink"),
            ],
            "amounts": [
                amount(&epay::MAGIC_DECLINE_AMOUNT.to_string(), "insufficient_funds",
                    "any currency, any card: reasonCode 51 (saved cards, transfers, QR)"),
                amount(&epay::MAGIC_TIMEOUT_AMOUNT.to_string(), "timeout",
                    "charge or refund applied, then HTTP 504 with no body: check the status"),
            ],
        },
        "qr": {
            "wallets": [
                {"wallet": qr::TEST_WALLET, "account": qr::TEST_WALLET_ACCOUNT, "detail": "personal wallet with a balance"},
                {"wallet": qr::SECOND_WALLET, "account": qr::SECOND_WALLET_ACCOUNT, "detail": "business wallet, 250.00 TRY"},
                {"wallet": qr::POOR_WALLET, "detail": "0.10 TRY: any real payment answers 311 insufficient balance"},
                {"wallet": qr::MERCHANT_WALLET, "account": qr::MERCHANT_ACCOUNT, "detail": "merchant wallet credited by partner QR payments"},
            ],
            "amounts": [
                amount(&qr::MAGIC_TIMEOUT_AMOUNT.to_string(), "timeout", "the call answers late / outcome unknown"),
                amount(&qr::MAGIC_TRY_AGAIN_AMOUNT.to_string(), "try_again", "code 501: could not be done, try again"),
            ],
        },
    })
}
