//! Card transfers with the `transfer`-scope token: P2P, AFT (debit a card)
//! and OCT (pay out to a card).
//!
//! One public source shows these calls, only as far as the URL paths and the
//! `{order, card: {sender, receiver}}` shape: the field names inside are that
//! source's and may need adjusting against ePay's contract.

use std::fmt;

use payments_core::{Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::config::EpayConfig;
use crate::operations::saved_card::{CardPaymentResult, parse_saved_card_payment};
use crate::{validate, wire};

/// Which transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// Card to card: `{api}/p2p/transfer`, sender and receiver.
    P2p,
    /// Account funding (debit the sender's card): `{api}/chdebit/transfer`.
    Aft,
    /// Payout to the receiver's card: `{api}/chpayment/transfer`.
    Oct,
}

impl TransferKind {
    /// The API path.
    pub const fn path(self) -> &'static str {
        match self {
            TransferKind::P2p => "/p2p/transfer",
            TransferKind::Aft => "/chdebit/transfer",
            TransferKind::Oct => "/chpayment/transfer",
        }
    }
}

/// A card in a transfer: a saved card id or a full card. `Debug` shows no card data.
#[derive(Clone)]
#[non_exhaustive]
pub enum TransferCard {
    /// A card saved earlier (`{"cardId": ...}`).
    Saved {
        /// The saved card id.
        card_id: String,
    },
    /// A full card (`{"cardNumber", "expDate", "cvc", "name"}`).
    Pan {
        /// The card number.
        number: Secret<String>,
        /// Expiry as `MMYY`, when needed.
        exp_date: Option<String>,
        /// The CVC, when needed (sender cards).
        cvc: Option<Secret<String>>,
        /// The card holder.
        name: Option<String>,
    },
}

impl fmt::Debug for TransferCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferCard::Saved { card_id } => f.debug_struct("Saved").field("card_id", card_id).finish(),
            TransferCard::Pan { .. } => f.write_str("Pan([REDACTED])"),
        }
    }
}

impl TransferCard {
    fn validate(&self, field: &'static str) -> Result<()> {
        match self {
            TransferCard::Saved { card_id } => validate::required(field, card_id),
            TransferCard::Pan { number, exp_date, .. } => {
                let n = number.expose_secret();
                if !(12..=19).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid_input(field, "card number must be 12 to 19 digits"));
                }
                if let Some(e) = exp_date
                    && (e.len() != 4 || !e.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(Error::invalid_input(field, "expiry must be MMYY"));
                }
                Ok(())
            }
        }
    }
}

impl Serialize for TransferCard {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self {
            TransferCard::Saved { card_id } => m.serialize_entry("cardId", card_id)?,
            TransferCard::Pan {
                number,
                exp_date,
                cvc,
                name,
            } => {
                m.serialize_entry("cardNumber", number.expose_secret())?;
                if let Some(e) = exp_date {
                    m.serialize_entry("expDate", e)?;
                }
                if let Some(c) = cvc {
                    m.serialize_entry("cvc", c.expose_secret())?;
                }
                if let Some(n) = name {
                    m.serialize_entry("name", n)?;
                }
            }
        }
        m.end()
    }
}

/// A transfer request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransferRequest {
    /// Which transfer.
    pub kind: TransferKind,
    /// The merchant's order id (6 to 15 digits, like an invoice id).
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// Description (at most 125 bytes).
    pub description: Option<String>,
    /// The card debited (P2P, AFT).
    pub sender: Option<TransferCard>,
    /// The card credited (P2P, OCT).
    pub receiver: Option<TransferCard>,
}

impl TransferRequest {
    /// A transfer of `amount` for `order_id`.
    pub fn new(kind: TransferKind, order_id: impl Into<String>, amount: Money) -> Self {
        TransferRequest {
            kind,
            order_id: order_id.into(),
            amount,
            description: None,
            sender: None,
            receiver: None,
        }
    }

    /// Sets the sender's card.
    pub fn sender(mut self, card: TransferCard) -> Self {
        self.sender = Some(card);
        self
    }

    /// Sets the receiver's card.
    pub fn receiver(mut self, card: TransferCard) -> Self {
        self.receiver = Some(card);
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    fn validate(&self) -> Result<()> {
        validate::invoice_id("order_id", &self.order_id)?;
        wire::check_amount("amount", self.amount, true)?;
        if let Some(d) = &self.description {
            validate::description("description", d)?;
        }
        let (needs_sender, needs_receiver) = match self.kind {
            TransferKind::P2p => (true, true),
            TransferKind::Aft => (true, false),
            TransferKind::Oct => (false, true),
        };
        match &self.sender {
            Some(c) => c.validate("sender")?,
            None if needs_sender => return Err(Error::invalid_input("sender", "is required for this transfer")),
            None => {}
        }
        match &self.receiver {
            Some(c) => c.validate("receiver")?,
            None if needs_receiver => return Err(Error::invalid_input("receiver", "is required for this transfer")),
            None => {}
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct TransferWire<'a> {
    order: OrderWire<'a>,
    card: CardsWire<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderWire<'a> {
    id: &'a str,
    amount: wire::JsonAmount,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    terminal_id: &'a str,
}

#[derive(Serialize)]
struct CardsWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a TransferCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<&'a TransferCard>,
}

/// Builds the transfer request (transfer-scope token).
pub fn build_transfer(config: &EpayConfig, req: &TransferRequest, token: &Secret<String>) -> Result<HttpRequest> {
    req.validate()?;
    let body = TransferWire {
        order: OrderWire {
            id: &req.order_id,
            amount: wire::amount_json(req.amount)?,
            currency: req.amount.currency().alpha_code(),
            description: req.description.as_deref(),
            terminal_id: &config.terminal_id,
        },
        card: CardsWire {
            sender: req.sender.as_ref(),
            receiver: req.receiver.as_ref(),
        },
    };
    Ok(wire::json_request(Method::Post, config.api(req.kind.path()), &body)?.bearer(token))
}

/// Parses the transfer answer, leniently like the saved-card answer.
pub fn parse_transfer(resp: &HttpResponse) -> Result<CardPaymentResult> {
    parse_saved_card_payment(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::Currency;

    fn cfg() -> EpayConfig {
        EpayConfig::builder("test", "s", "term-1")
            .api_url("https://api.test")
            .build()
            .unwrap()
    }

    #[test]
    fn p2p_body_and_rules() {
        let pan = TransferCard::Pan {
            number: Secret::from("4405639704015096"),
            exp_date: Some("0127".into()),
            cvc: Some(Secret::from("321")),
            name: None,
        };
        let req = TransferRequest::new(TransferKind::P2p, "1234567", Money::from_minor(100000, Currency::KZT))
            .sender(pan.clone())
            .receiver(TransferCard::Saved { card_id: "c-2".into() });
        assert!(!format!("{req:?}").contains("4405639704015096"));
        let http = build_transfer(&cfg(), &req, &Secret::from("T")).unwrap();
        assert_eq!(http.url, "https://api.test/p2p/transfer");
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"order":{"id":"1234567","amount":1000,"currency":"KZT","terminalId":"term-1"},"card":{"sender":{"cardNumber":"4405639704015096","expDate":"0127","cvc":"321"},"receiver":{"cardId":"c-2"}}}"#
        );
        let no_receiver = TransferRequest::new(TransferKind::Oct, "1234567", Money::from_minor(100, Currency::KZT));
        assert!(matches!(build_transfer(&cfg(), &no_receiver, &Secret::from("T")),
            Err(Error::InvalidInput { field, .. }) if field == "receiver"));
        let aft = TransferRequest::new(TransferKind::Aft, "1234567", Money::from_minor(100, Currency::KZT)).sender(
            TransferCard::Pan {
                number: Secret::from("44056397"),
                exp_date: None,
                cvc: None,
                name: None,
            },
        );
        assert!(matches!(build_transfer(&cfg(), &aft, &Secret::from("T")),
            Err(Error::InvalidInput { field, .. }) if field == "sender"));
    }
}
