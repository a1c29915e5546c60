//! Card transfers as ePay's pages and official SDK do them: P2P
//! (`{api}/p2p/transfer`), AFT (debit a card to the merchant,
//! `{api}/chdebit/transfer`) and OCT (payout to a card from the merchant's
//! registered corporate card, `{api}/chpayment/transfer`); the status of a
//! transfer by order (`check-status/p2p/transaction/:order`) and the transfer
//! list (`p2p/operations`, password grant).
//!
//! Each transfer gets **its own token** carrying the order's `invoiceID`,
//! amount, currency and the transfer terminal (ePay's P2P-by-API,
//! p2p-saved-cards and withdrawal pages, and the SDK); nothing is cached.
//! \[U\]: the request and answer bodies are shown only by the official SDK
//! (`TransferRequestBody.swift`, `TransferResponseBody.swift`); the list's
//! HTTP verb (POST) and answer are not shown anywhere. Sending card numbers
//! and CVCs needs PCI DSS certification (ePay's P2P-by-API page).

use std::fmt;

use payments_core::{Currency, Error, HttpRequest, HttpResponse, Method, Money, Result, Secret};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::config::EpayConfig;
use crate::error::api_error;
use crate::operations::invoice::{FilterWire, OrderWire, SearchFilter, SortOrder};
use crate::operations::token::PaymentTokenRequest;
use crate::wire::{self, opt_text};
use crate::{PROVIDER, validate};

/// Which transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// Card to card: `{api}/p2p/transfer`, sender and receiver.
    P2p,
    /// Account funding (debit the sender's card): `{api}/chdebit/transfer`, sender only.
    Aft,
    /// Payout to the receiver's card from the merchant's registered corporate
    /// card: `{api}/chpayment/transfer`, receiver only.
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

/// How a card is named: `cardCred` with its `transferType`. `Debug` shows no card number.
#[derive(Clone)]
#[non_exhaustive]
pub enum CardCredential {
    /// A card number (`transferType: "TYPEPAN"`).
    Pan(Secret<String>),
    /// A saved card's id (`transferType: "TYPECARDID"`).
    CardId(String),
    /// A phone number and the holder's IIN (`transferType: "TYPEPHONE"`,
    /// `phone`, `iin`; receivers only).
    Phone {
        /// The phone number.
        phone: String,
        /// The holder's IIN (12 digits).
        iin: String,
    },
}

impl fmt::Debug for CardCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardCredential::Pan(_) => f.write_str("Pan([REDACTED])"),
            CardCredential::CardId(id) => f.debug_tuple("CardId").field(id).finish(),
            CardCredential::Phone { .. } => f.write_str("Phone([REDACTED])"),
        }
    }
}

impl CardCredential {
    /// The wire `transferType`.
    pub const fn transfer_type(&self) -> &'static str {
        match self {
            CardCredential::Pan(_) => "TYPEPAN",
            CardCredential::CardId(_) => "TYPECARDID",
            CardCredential::Phone { .. } => "TYPEPHONE",
        }
    }

    fn validate(&self, field: &'static str) -> Result<()> {
        match self {
            CardCredential::Pan(n) => {
                let n = n.expose_secret();
                if !(12..=19).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid_input(field, "card number must be 12 to 19 digits"));
                }
                Ok(())
            }
            CardCredential::CardId(id) => validate::required(field, id),
            CardCredential::Phone { phone, iin } => {
                validate::required(field, phone)?;
                if iin.len() != 12 || !iin.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid_input(field, "IIN must be 12 digits"));
                }
                Ok(())
            }
        }
    }

    fn write<M: SerializeMap>(&self, m: &mut M) -> std::result::Result<(), M::Error> {
        match self {
            CardCredential::Pan(n) => m.serialize_entry("cardCred", n.expose_secret())?,
            CardCredential::CardId(id) => m.serialize_entry("cardCred", id)?,
            CardCredential::Phone { phone, iin } => {
                m.serialize_entry("phone", phone)?;
                m.serialize_entry("iin", iin)?;
            }
        }
        m.serialize_entry("transferType", self.transfer_type())
    }
}

/// A card's expiry, sent as `expire: {month: "MM", year: "YY"}` \[U\].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardExpiry {
    month: u8,
    year: u8,
}

impl CardExpiry {
    /// Month 1 to 12, two-digit year.
    pub fn new(month: u8, year: u8) -> Result<CardExpiry> {
        if !(1..=12).contains(&month) || year > 99 {
            return Err(Error::invalid_input(
                "expire",
                "month must be 1 to 12 and year two digits",
            ));
        }
        Ok(CardExpiry { month, year })
    }
}

impl Serialize for CardExpiry {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("month", &format_args!("{:02}", self.month))?;
        m.serialize_entry("year", &format_args!("{:02}", self.year))?;
        m.end()
    }
}

/// The card debited (P2P, AFT). `Debug` shows no card data.
#[derive(Clone)]
#[non_exhaustive]
pub struct TransferSender {
    /// The card.
    pub credential: CardCredential,
    /// Its expiry (card numbers).
    pub expire: Option<CardExpiry>,
    /// Its CVC (card numbers).
    pub cvc: Option<Secret<String>>,
    /// The card holder.
    pub name: Option<String>,
    /// Save the card.
    pub save: bool,
}

impl fmt::Debug for TransferSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferSender")
            .field("credential", &self.credential)
            .field("save", &self.save)
            .finish_non_exhaustive()
    }
}

impl TransferSender {
    /// A card number with expiry and CVC.
    pub fn card(number: impl Into<String>, expire: CardExpiry, cvc: impl Into<String>) -> Self {
        TransferSender {
            credential: CardCredential::Pan(Secret::new(number.into())),
            expire: Some(expire),
            cvc: Some(Secret::new(cvc.into())),
            name: None,
            save: false,
        }
    }

    /// A saved card.
    pub fn saved(card_id: impl Into<String>) -> Self {
        TransferSender {
            credential: CardCredential::CardId(card_id.into()),
            expire: None,
            cvc: None,
            name: None,
            save: false,
        }
    }

    /// Asks ePay to save the card.
    pub fn save(mut self, yes: bool) -> Self {
        self.save = yes;
        self
    }

    /// Sets the card holder.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn validate(&self) -> Result<()> {
        if matches!(self.credential, CardCredential::Phone { .. }) {
            return Err(Error::invalid_input(
                "sender",
                "a sender is a card number or a saved card",
            ));
        }
        self.credential.validate("sender")?;
        if let CardCredential::Pan(_) = self.credential
            && (self.expire.is_none() || self.cvc.as_ref().is_none_or(|c| !valid_cvc(c)))
        {
            return Err(Error::invalid_input(
                "sender",
                "a card number needs its expiry and a 3 or 4 digit CVC",
            ));
        }
        Ok(())
    }
}

fn valid_cvc(cvc: &Secret<String>) -> bool {
    let c = cvc.expose_secret();
    (3..=4).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit())
}

impl Serialize for TransferSender {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.credential.write(&mut m)?;
        if let Some(e) = &self.expire {
            m.serialize_entry("expire", e)?;
        }
        if let Some(c) = &self.cvc {
            m.serialize_entry("cvc", c.expose_secret())?;
        }
        if let Some(n) = &self.name {
            m.serialize_entry("name", n)?;
        }
        m.serialize_entry("save", &self.save)?;
        m.end()
    }
}

/// The card (or phone) credited (P2P, OCT). `Debug` shows no card data.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct TransferReceiver {
    /// The card or phone; `None` only until set.
    pub credential: Option<CardCredential>,
    /// Save the card.
    pub save: bool,
    /// `name`.
    pub name: Option<String>,
    /// `firstName`.
    pub first_name: Option<String>,
    /// `lastName`.
    pub last_name: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `country`.
    pub country: Option<String>,
    /// `docNumber`.
    pub doc_number: Option<String>,
    /// `address`.
    pub address: Option<String>,
}

impl fmt::Debug for TransferReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferReceiver")
            .field("credential", &self.credential)
            .field("save", &self.save)
            .finish_non_exhaustive()
    }
}

impl TransferReceiver {
    /// A card number.
    pub fn card(number: impl Into<String>) -> Self {
        TransferReceiver {
            credential: Some(CardCredential::Pan(Secret::new(number.into()))),
            ..TransferReceiver::default()
        }
    }

    /// A saved card.
    pub fn saved(card_id: impl Into<String>) -> Self {
        TransferReceiver {
            credential: Some(CardCredential::CardId(card_id.into())),
            ..TransferReceiver::default()
        }
    }

    /// A phone number and the holder's IIN.
    pub fn phone(phone: impl Into<String>, iin: impl Into<String>) -> Self {
        TransferReceiver {
            credential: Some(CardCredential::Phone {
                phone: phone.into(),
                iin: iin.into(),
            }),
            ..TransferReceiver::default()
        }
    }

    /// Asks ePay to save the card.
    pub fn save(mut self, yes: bool) -> Self {
        self.save = yes;
        self
    }

    /// Sets the holder's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    fn validate(&self) -> Result<()> {
        match &self.credential {
            Some(c) => c.validate("receiver"),
            None => Err(Error::invalid_input("receiver", "needs a card, saved card or phone")),
        }
    }
}

impl Serialize for TransferReceiver {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(c) = &self.credential {
            c.write(&mut m)?;
        }
        for (k, v) in [
            ("name", &self.name),
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
            ("city", &self.city),
            ("country", &self.country),
            ("docNumber", &self.doc_number),
            ("address", &self.address),
        ] {
            if let Some(v) = v {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("save", &self.save)?;
        m.end()
    }
}

/// A transfer: the order object and the cards.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransferRequest {
    /// Which transfer.
    pub kind: TransferKind,
    /// The order id (`order.id`, and `invoiceID` of its token): 6 to 15 digits.
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// Description (at most 125 bytes).
    pub description: Option<String>,
    /// `senderEmail`.
    pub sender_email: Option<String>,
    /// `foreign`: a card issued abroad (the SDK always sends `false`).
    pub foreign: bool,
    /// `postLink`; the configuration's default when `None`.
    pub post_link: Option<String>,
    /// `failurePostLink`; the configuration's default when `None`.
    pub failure_post_link: Option<String>,
    /// `backLink`; the configuration's default when `None`.
    pub back_link: Option<String>,
    /// `failureBackLink`; the configuration's default when `None`.
    pub failure_back_link: Option<String>,
    /// The card debited (P2P, AFT).
    pub sender: Option<TransferSender>,
    /// The card credited (P2P, OCT).
    pub receiver: Option<TransferReceiver>,
    /// The `secret_hash` of the transfer's token (ePay's token table lists
    /// one for P2P by API; postLinks then echo it). When `None`, a token of
    /// scope `transfer` still carries one:
    /// [`crate::operations::token::transfer_secret_hash`] (derived from the
    /// callback key when configured, random otherwise).
    pub secret_hash: Option<Secret<String>>,
}

impl TransferRequest {
    /// A transfer of `amount` for `order_id`.
    pub fn new(kind: TransferKind, order_id: impl Into<String>, amount: Money) -> Self {
        TransferRequest {
            kind,
            order_id: order_id.into(),
            amount,
            description: None,
            sender_email: None,
            foreign: false,
            post_link: None,
            failure_post_link: None,
            back_link: None,
            failure_back_link: None,
            sender: None,
            receiver: None,
            secret_hash: None,
        }
    }

    /// A payout (OCT) of `amount` to `receiver`, paid from the merchant's
    /// corporate card registered with ePay for the payout terminal.
    pub fn payout(order_id: impl Into<String>, amount: Money, receiver: TransferReceiver) -> Self {
        TransferRequest::new(TransferKind::Oct, order_id, amount).receiver(receiver)
    }

    /// Sets the sender.
    pub fn sender(mut self, card: TransferSender) -> Self {
        self.sender = Some(card);
        self
    }

    /// Sets the receiver.
    pub fn receiver(mut self, card: TransferReceiver) -> Self {
        self.receiver = Some(card);
        self
    }

    /// Sets the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets `senderEmail`.
    pub fn sender_email(mut self, email: impl Into<String>) -> Self {
        self.sender_email = Some(email.into());
        self
    }

    /// Sets `postLink` and `failurePostLink`.
    pub fn post_links(mut self, success: impl Into<String>, failure: impl Into<String>) -> Self {
        self.post_link = Some(success.into());
        self.failure_post_link = Some(failure.into());
        self
    }

    /// Sets the token's `secret_hash` (one stored by the caller, checked on
    /// postLinks with [`crate::callback::verify_post_link`]).
    pub fn secret_hash(mut self, hash: Secret<String>) -> Self {
        self.secret_hash = Some(hash);
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        validate::invoice_id("order_id", &self.order_id)?;
        wire::check_amount("amount", self.amount, true)?;
        if let Some(d) = &self.description {
            validate::description("description", d)?;
        }
        if let Some(e) = &self.sender_email {
            validate::email("sender_email", e)?;
        }
        for (name, v) in [
            ("post_link", &self.post_link),
            ("failure_post_link", &self.failure_post_link),
            ("back_link", &self.back_link),
            ("failure_back_link", &self.failure_back_link),
        ] {
            validate::opt_url(name, v.as_deref())?;
        }
        let (needs_sender, needs_receiver) = match self.kind {
            TransferKind::P2p => (true, true),
            TransferKind::Aft => (true, false),
            TransferKind::Oct => (false, true),
        };
        match (&self.sender, needs_sender) {
            (Some(c), true) => c.validate()?,
            (None, true) => return Err(Error::invalid_input("sender", "is required for this transfer")),
            (Some(_), false) => {
                return Err(Error::invalid_input(
                    "sender",
                    "a payout is paid from the registered corporate card: no sender",
                ));
            }
            (None, false) => {}
        }
        match (&self.receiver, needs_receiver) {
            (Some(c), true) => c.validate()?,
            (None, true) => return Err(Error::invalid_input("receiver", "is required for this transfer")),
            (Some(_), false) => return Err(Error::invalid_input("receiver", "an AFT debit has no receiver")),
            (None, false) => {}
        }
        Ok(())
    }

    /// The terminal of this transfer: the payout terminal for OCT, the
    /// transfer terminal otherwise.
    pub fn terminal<'a>(&self, config: &'a EpayConfig) -> &'a str {
        match self.kind {
            TransferKind::Oct => config.payout_terminal_id(),
            TransferKind::P2p | TransferKind::Aft => config.transfer_terminal_id(),
        }
    }

    /// The token request of this transfer: `invoiceID` = order id, the amount,
    /// its currency, the transfer terminal, scope `transfer` (payouts: the
    /// configured payout scope), the postLinks and the caller's `secret_hash`.
    /// Without the caller's, a scope `transfer` request is sent with
    /// [`crate::operations::token::transfer_secret_hash`] by
    /// [`crate::operations::token::build_payment_token`]: every transfer
    /// token request carries a `secret_hash`.
    pub fn token_request(&self, config: &EpayConfig) -> PaymentTokenRequest {
        let scope = match self.kind {
            TransferKind::Oct => &config.payout_scope,
            TransferKind::P2p | TransferKind::Aft => &config.transfer_scope,
        };
        let mut req = PaymentTokenRequest::without_hash(self.order_id.clone(), self.amount)
            .terminal(self.terminal(config))
            .scope(scope.clone());
        req.secret_hash = self.secret_hash.clone();
        req.post_link = self.post_link.clone().or_else(|| config.post_link.clone());
        req.failure_post_link = self
            .failure_post_link
            .clone()
            .or_else(|| config.failure_post_link.clone());
        req
    }
}

#[derive(Serialize)]
struct TransferWire<'a> {
    order: OrderBody<'a>,
    card: CardsWire<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderBody<'a> {
    id: &'a str,
    amount: wire::JsonAmount,
    currency: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    terminal_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_email: Option<&'a str>,
    foreign: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_back_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_post_link: Option<&'a str>,
}

#[derive(Serialize)]
struct CardsWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a TransferSender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<&'a TransferReceiver>,
}

/// Builds the transfer request with the transfer's own token.
pub fn build_transfer(config: &EpayConfig, req: &TransferRequest, token: &Secret<String>) -> Result<HttpRequest> {
    req.validate()?;
    let pick = |own: &Option<String>, default: &Option<String>| own.clone().or_else(|| default.clone());
    let post_link = pick(&req.post_link, &config.post_link);
    let failure_post_link = pick(&req.failure_post_link, &config.failure_post_link);
    let back_link = pick(&req.back_link, &config.back_link);
    let failure_back_link = pick(&req.failure_back_link, &config.failure_back_link);
    let body = TransferWire {
        order: OrderBody {
            id: &req.order_id,
            amount: wire::amount_json(req.amount)?,
            currency: req.amount.currency().alpha_code(),
            description: req.description.as_deref(),
            terminal_id: req.terminal(config),
            sender_email: req.sender_email.as_deref(),
            foreign: req.foreign,
            back_link: back_link.as_deref(),
            failure_back_link: failure_back_link.as_deref(),
            post_link: post_link.as_deref(),
            failure_post_link: failure_post_link.as_deref(),
        },
        card: CardsWire {
            sender: req.sender.as_ref(),
            receiver: req.receiver.as_ref(),
        },
    };
    Ok(wire::json_request(Method::Post, config.api(req.kind.path()), &body)?.bearer(token))
}

/// ePay's answer to a transfer (the SDK's `TransferResponseBody`) \[U\].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TransferResult {
    /// `id`: ePay's transaction id.
    pub id: String,
    /// `amount`.
    pub amount: Option<Money>,
    /// `fee`.
    pub fee: Option<Money>,
    /// `currency` as stated (`None` when the answer had none).
    pub currency: Option<Currency>,
    /// `accountID`.
    pub account_id: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// `intReference`.
    pub int_reference: Option<String>,
    /// `orderID`.
    pub order_id: Option<String>,
    /// `terminalID`.
    pub terminal_id: Option<String>,
    /// `senderCardID`.
    pub sender_card_id: Option<String>,
    /// `senderCardPAN` (masked by ePay).
    pub sender_card_pan: Option<String>,
    /// `senderCardType`.
    pub sender_card_type: Option<String>,
    /// `senderTransferType`.
    pub sender_transfer_type: Option<String>,
    /// `receiverCardID`.
    pub receiver_card_id: Option<String>,
    /// `receiverCardPAN` (masked by ePay).
    pub receiver_card_pan: Option<String>,
    /// `receiverCardType`.
    pub receiver_card_type: Option<String>,
    /// `receiverTransferType`.
    pub receiver_transfer_type: Option<String>,
}

#[derive(Deserialize)]
struct TransferResultWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    fee: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(rename = "accountID", alias = "accountId", default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(rename = "intReference", default, deserialize_with = "opt_text")]
    int_reference: Option<String>,
    #[serde(rename = "orderID", alias = "orderId", default, deserialize_with = "opt_text")]
    order_id: Option<String>,
    #[serde(rename = "terminalID", alias = "terminalId", default, deserialize_with = "opt_text")]
    terminal_id: Option<String>,
    #[serde(rename = "senderCardID", default, deserialize_with = "opt_text")]
    sender_card_id: Option<String>,
    #[serde(rename = "senderCardPAN", default, deserialize_with = "opt_text")]
    sender_card_pan: Option<String>,
    #[serde(rename = "senderCardType", default, deserialize_with = "opt_text")]
    sender_card_type: Option<String>,
    #[serde(rename = "senderTransferType", default, deserialize_with = "opt_text")]
    sender_transfer_type: Option<String>,
    #[serde(rename = "receiverCardID", default, deserialize_with = "opt_text")]
    receiver_card_id: Option<String>,
    #[serde(rename = "receiverCardPAN", default, deserialize_with = "opt_text")]
    receiver_card_pan: Option<String>,
    #[serde(rename = "receiverCardType", default, deserialize_with = "opt_text")]
    receiver_card_type: Option<String>,
    #[serde(rename = "receiverTransferType", default, deserialize_with = "opt_text")]
    receiver_transfer_type: Option<String>,
}

/// Parses the transfer answer; `expected` (the request's currency) is used
/// only when the answer states none. An answer without `id` is unreadable.
pub fn parse_transfer(resp: &HttpResponse, expected: Currency) -> Result<TransferResult> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: TransferResultWire = wire::json_object(resp)?;
    let stated = wire::parse_currency(w.currency.as_deref(), resp.status)?;
    let currency = stated.unwrap_or(expected);
    let id =
        w.id.filter(|s| !s.is_empty())
            .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "transfer answer without id", &resp.body, None))?;
    Ok(TransferResult {
        id,
        amount: wire::parse_amount(w.amount.as_deref(), currency, resp.status, "amount")?,
        fee: wire::parse_amount(w.fee.as_deref(), currency, resp.status, "fee")?,
        currency: stated,
        account_id: w.account_id,
        email: w.email,
        description: w.description,
        reference: w.reference,
        int_reference: w.int_reference,
        order_id: w.order_id,
        terminal_id: w.terminal_id,
        sender_card_id: w.sender_card_id,
        sender_card_pan: w.sender_card_pan,
        sender_card_type: w.sender_card_type,
        sender_transfer_type: w.sender_transfer_type,
        receiver_card_id: w.receiver_card_id,
        receiver_card_pan: w.receiver_card_pan,
        receiver_card_type: w.receiver_card_type,
        receiver_transfer_type: w.receiver_transfer_type,
    })
}

/// Builds `GET {api}/check-status/p2p/transaction/{order_id}` (a
/// `client_credentials` token with the transfer's terminal).
pub fn build_transfer_status(config: &EpayConfig, order_id: &str, token: &Secret<String>) -> Result<HttpRequest> {
    validate::invoice_id("order_id", order_id)?;
    Ok(HttpRequest::get(config.api(&format!("/check-status/p2p/transaction/{order_id}"))).bearer(token))
}

/// The status of a transfer (`{result: {code, message}, transaction: {p2p: {...}}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferStatus {
    /// `result.code` (`"100"`: found).
    pub code: String,
    /// `result.message`.
    pub message: String,
    /// `transaction.p2p`, when sent.
    pub transfer: Option<TransferTransaction>,
}

impl TransferStatus {
    /// True when ePay found the transfer (`result.code` 100).
    pub fn is_found(&self) -> bool {
        self.code == "100"
    }
}

/// A transfer as its status reports it (the fields ePay's page shows; the
/// rest of the object is beyond the public excerpt).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TransferTransaction {
    /// `id`.
    pub id: String,
    /// `createdDate`, as sent.
    pub created_date: Option<String>,
    /// `invoiceID`: the order id.
    pub invoice_id: String,
    /// `amount`.
    pub amount: Option<Money>,
    /// `amountBonus`.
    pub amount_bonus: Option<Money>,
    /// `payoutAmount`.
    pub payout_amount: Option<Money>,
    /// `currency` as stated.
    pub currency: Option<Currency>,
    /// `cardType`.
    pub card_type: Option<String>,
    /// `terminal`.
    pub terminal: Option<String>,
    /// `terminalID`.
    pub terminal_id: Option<String>,
    /// `accountID`.
    pub account_id: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `language`.
    pub language: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// `statusName`, when sent (not on the public excerpt).
    pub status_name: Option<String>,
}

#[derive(Deserialize)]
struct TransferStatusWire {
    #[serde(default)]
    result: Option<ResultWire>,
    #[serde(default)]
    transaction: Option<P2pHolder>,
}

#[derive(Deserialize)]
struct ResultWire {
    #[serde(default, deserialize_with = "opt_text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    message: Option<String>,
}

#[derive(Deserialize)]
struct P2pHolder {
    #[serde(default)]
    p2p: Option<P2pWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct P2pWire {
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    created_date: Option<String>,
    #[serde(rename = "invoiceID", alias = "invoiceId", default, deserialize_with = "opt_text")]
    invoice_id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount_bonus: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    payout_amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    terminal: Option<String>,
    #[serde(rename = "terminalID", alias = "terminalId", default, deserialize_with = "opt_text")]
    terminal_id: Option<String>,
    #[serde(rename = "accountID", alias = "accountId", default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    language: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    status_name: Option<String>,
}

/// Parses a transfer status; amounts without a stated currency are read in
/// `expected` when given, otherwise they are an unreadable answer.
pub fn parse_transfer_status(resp: &HttpResponse, expected: Option<Currency>) -> Result<TransferStatus> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let w: TransferStatusWire = wire::json_object(resp)?;
    let Some(result) = w.result else {
        return Err(Error::unreadable(PROVIDER, resp.status, "no result", &resp.body, None));
    };
    let code = result
        .code
        .ok_or_else(|| Error::unreadable(PROVIDER, resp.status, "no result.code", &resp.body, None))?;
    let transfer = match w.transaction.and_then(|t| t.p2p) {
        None => None,
        Some(p) => {
            let stated = wire::parse_currency(p.currency.as_deref(), resp.status)?;
            let currency = wire::amount_currency(stated, expected, wire::has_amount(p.amount.as_deref()), resp.status)?;
            let amount =
                |raw: &Option<Box<RawValue>>, f: &str| wire::parse_amount_in(raw.as_deref(), currency, resp.status, f);
            Some(TransferTransaction {
                amount: amount(&p.amount, "amount")?,
                amount_bonus: amount(&p.amount_bonus, "amountBonus")?,
                payout_amount: amount(&p.payout_amount, "payoutAmount")?,
                currency: stated,
                id: p.id.unwrap_or_default(),
                created_date: p.created_date,
                invoice_id: p.invoice_id.unwrap_or_default(),
                card_type: p.card_type,
                terminal: p.terminal,
                terminal_id: p.terminal_id,
                account_id: p.account_id,
                description: p.description,
                language: p.language,
                reference: p.reference,
                status_name: p.status_name,
            })
        }
    };
    Ok(TransferStatus {
        code,
        message: result.message.unwrap_or_default(),
        transfer,
    })
}

/// A query of the transfer list (`p2p/operations`): paging, filters (a
/// `created_at` filter is required) and order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferListQuery {
    /// `paging.page` (ePay's page calls it the number of records to skip).
    pub page: u32,
    /// `paging.size`: the page size (1 to 1000).
    pub size: u32,
    /// The filters.
    pub filters: Vec<SearchFilter>,
    /// The order field and direction.
    pub order: (String, SortOrder),
}

impl TransferListQuery {
    /// Transfers created between `from` and `to` (as ePay takes them, e.g.
    /// `2024-02-01T00:00:00+06:00`), newest first, 20 a page.
    pub fn created_between(from: impl Into<String>, to: impl Into<String>) -> Self {
        TransferListQuery {
            page: 0,
            size: 20,
            filters: vec![SearchFilter::between("created_at", from, to)],
            order: ("created_at".to_owned(), SortOrder::Desc),
        }
    }

    /// Sets paging.
    pub fn page(mut self, page: u32, size: u32) -> Self {
        self.page = page;
        self.size = size;
        self
    }

    /// Adds a filter.
    pub fn filter(mut self, filter: SearchFilter) -> Self {
        self.filters.push(filter);
        self
    }

    fn validate(&self) -> Result<()> {
        if !(1..=1000).contains(&self.size) {
            return Err(Error::invalid_input("paging.size", "must be 1 to 1000"));
        }
        for f in &self.filters {
            f.validate()?;
        }
        if !self.filters.iter().any(|f| f.name == "created_at") {
            return Err(Error::invalid_input(
                "search_parameters",
                "a created_at (transaction period) filter is required",
            ));
        }
        validate::required("order_parameters.field", &self.order.0)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListWire<'a> {
    paging: ListPaging,
    search_parameters: Vec<FilterWire<'a>>,
    order_parameters: OrderWire<'a>,
}

#[derive(Serialize)]
struct ListPaging {
    page: u32,
    size: u32,
}

/// Builds `POST {api}/p2p/operations` [U: the verb is not shown] with a
/// password-grant token of scope `transfer`.
pub fn build_transfer_list(config: &EpayConfig, q: &TransferListQuery, token: &Secret<String>) -> Result<HttpRequest> {
    q.validate()?;
    let body = ListWire {
        paging: ListPaging {
            page: q.page,
            size: q.size,
        },
        search_parameters: q
            .filters
            .iter()
            .map(|f| FilterWire {
                name: &f.name,
                method: f.method.as_str(),
                search_parameter: &f.values,
            })
            .collect(),
        order_parameters: OrderWire {
            field: &q.order.0,
            type_order: match q.order.1 {
                SortOrder::Asc => "ASC",
                SortOrder::Desc => "DESC",
            },
        },
    };
    Ok(wire::json_request(Method::Post, config.api("/p2p/operations"), &body)?.bearer(token))
}

/// The transfer list as ePay sent it: no public document shows its shape, so
/// the JSON text is returned as received (numbers untouched) \[U\].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferList {
    json: String,
}

impl TransferList {
    /// The answer's JSON text.
    pub fn as_json(&self) -> &str {
        &self.json
    }
}

/// Parses the transfer list: a 2xx JSON object or array, kept as text.
pub fn parse_transfer_list(resp: &HttpResponse) -> Result<TransferList> {
    if !resp.is_success() {
        return Err(api_error(resp));
    }
    let raw: Box<RawValue> = serde_json::from_slice(&resp.body)
        .map_err(|e| Error::unreadable(PROVIDER, resp.status, "not JSON", &resp.body, Some(Box::new(e))))?;
    if !matches!(raw.get().as_bytes().first(), Some(b'{' | b'[')) {
        return Err(Error::unreadable(
            PROVIDER,
            resp.status,
            "expected a JSON object or array",
            &resp.body,
            None,
        ));
    }
    Ok(TransferList {
        json: raw.get().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EpayConfig {
        EpayConfig::builder("test", "s", "term-1")
            .api_url("https://api.test")
            .transfer_terminal_id("40a348cb-68a3-45d5-9002-a4836d79c3b5")
            .payout_terminal_id("c36b282f-6819-4d4f-85df-a4bdc8a8f703")
            .build()
            .unwrap()
    }

    #[test]
    fn p2p_body_uses_card_cred_and_transfer_type() {
        let req = TransferRequest::new(TransferKind::P2p, "1234567", Money::from_minor(100000, Currency::KZT))
            .sender(TransferSender::card("4405639704015096", CardExpiry::new(1, 27).unwrap(), "321").save(true))
            .receiver(TransferReceiver::saved("c-2"))
            .sender_email("payer@example.kz")
            .post_links("https://shop.example/post", "https://shop.example/fail");
        assert!(!format!("{req:?}").contains("4405639704015096"));
        assert!(!format!("{req:?}").contains("321"));
        let http = build_transfer(&cfg(), &req, &Secret::from("T")).unwrap();
        assert_eq!(http.url, "https://api.test/p2p/transfer");
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"order":{"id":"1234567","amount":1000,"currency":"KZT","terminalId":"40a348cb-68a3-45d5-9002-a4836d79c3b5","senderEmail":"payer@example.kz","foreign":false,"postLink":"https://shop.example/post","failurePostLink":"https://shop.example/fail"},"card":{"sender":{"cardCred":"4405639704015096","transferType":"TYPEPAN","expire":{"month":"01","year":"27"},"cvc":"321","save":true},"receiver":{"cardCred":"c-2","transferType":"TYPECARDID","save":false}}}"#
        );
    }

    #[test]
    fn the_spec_oct_sample_is_what_a_payout_sends() {
        // The spec's constructed OCT sample, field for field.
        let req = TransferRequest::payout(
            "000000123456",
            Money::from_minor(500000, Currency::KZT),
            TransferReceiver::card("4405639704015096"),
        )
        .description("Payout");
        let mut req = req;
        req.post_link = Some("https://shop.example/epay/post".into());
        let http = build_transfer(&cfg(), &req, &Secret::from("T")).unwrap();
        assert_eq!(http.url, "https://api.test/chpayment/transfer");
        let sent: serde_json::Value = serde_json::from_slice(&http.body).unwrap();
        let sample: serde_json::Value = serde_json::from_str(
            r#"{"order":{"id":"000000123456","amount":5000,"currency":"KZT","description":"Payout","terminalId":"c36b282f-6819-4d4f-85df-a4bdc8a8f703","foreign":false,"postLink":"https://shop.example/epay/post"},"card":{"receiver":{"cardCred":"4405639704015096","transferType":"TYPEPAN","save":false}}}"#,
        )
        .unwrap();
        assert_eq!(sent, sample);
        let token = req.token_request(&cfg());
        assert_eq!(token.terminal.as_deref(), Some("c36b282f-6819-4d4f-85df-a4bdc8a8f703"));
        assert_eq!(token.scope.as_deref(), Some("transfer"));
        assert_eq!(token.invoice_id, "000000123456");
    }

    #[test]
    fn phone_receivers_and_rules() {
        let req = TransferRequest::payout(
            "1234567",
            Money::from_minor(100, Currency::KZT),
            TransferReceiver::phone("+77771234567", "900101300123"),
        );
        let http = build_transfer(&cfg(), &req, &Secret::from("T")).unwrap();
        assert!(std::str::from_utf8(&http.body).unwrap().contains(
            r#""receiver":{"phone":"+77771234567","iin":"900101300123","transferType":"TYPEPHONE","save":false}"#
        ));
        let field = |r: &TransferRequest| match build_transfer(&cfg(), r, &Secret::from("T")) {
            Err(Error::InvalidInput { field, .. }) => field.into_owned(),
            other => format!("{other:?}"),
        };
        let kzt = Money::from_minor(100, Currency::KZT);
        assert_eq!(
            field(&TransferRequest::new(TransferKind::Oct, "1234567", kzt)),
            "receiver"
        );
        assert_eq!(
            field(
                &TransferRequest::payout("1234567", kzt, TransferReceiver::card("1"))
                    .sender(TransferSender::saved("x"))
            ),
            "sender"
        );
        let no_cvc = TransferSender {
            cvc: None,
            ..TransferSender::card("4405639704015096", CardExpiry::new(1, 27).unwrap(), "1")
        };
        assert_eq!(
            field(&TransferRequest::new(TransferKind::Aft, "1234567", kzt).sender(no_cvc)),
            "sender"
        );
        assert!(CardExpiry::new(13, 27).is_err());
        assert_eq!(
            field(&TransferRequest::payout(
                "1234567",
                kzt,
                TransferReceiver::phone("+7", "12")
            )),
            "receiver"
        );
    }

    #[test]
    fn transfer_answers() {
        let body = r#"{"id":"t-1","amount":5000,"fee":"50.5","accountID":"","currency":"KZT","email":"a@b.kz","description":"Payout","reference":"612345678901","orderID":"000000123456","senderCardID":"","senderCardPAN":"","senderCardType":"","senderTransferType":"","receiverCardID":"rc-1","receiverCardPAN":"440563...5096","receiverCardType":"VISA","receiverTransferType":"TYPEPAN","intReference":"I1","terminalID":"c36b282f-6819-4d4f-85df-a4bdc8a8f703"}"#;
        let r = parse_transfer(&HttpResponse::new(200, body), Currency::USD).unwrap();
        assert_eq!(r.id, "t-1");
        assert_eq!(r.amount, Some(Money::from_minor(500000, Currency::KZT)));
        assert_eq!(r.fee, Some(Money::from_minor(5050, Currency::KZT)));
        assert_eq!(r.order_id.as_deref(), Some("000000123456"));
        assert_eq!(r.receiver_card_pan.as_deref(), Some("440563...5096"));
        assert_eq!(r.receiver_transfer_type.as_deref(), Some("TYPEPAN"));
        let no_currency =
            parse_transfer(&HttpResponse::new(200, r#"{"id":"t","amount":"1.5"}"#), Currency::USD).unwrap();
        assert_eq!(no_currency.amount, Some(Money::from_minor(150, Currency::USD)));
        assert!(parse_transfer(&HttpResponse::new(200, r#"{"amount":1}"#), Currency::KZT).is_err());
        let err = parse_transfer(
            &HttpResponse::new(400, r#"{"code":470,"message":"limit"}"#),
            Currency::KZT,
        )
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("470"));
    }

    #[test]
    fn status_by_order_parses_the_nested_shape() {
        let body = r#"{"result":{"code":"100","message":"SUCCESS"},"transaction":{"p2p":{"id":"p-1","createdDate":"2024-02-20T15:15:29+06:00","invoiceID":"000000123456","amount":5000,"amountBonus":0,"payoutAmount":5000,"currency":"KZT","cardType":"VISA","terminal":"c36b282f-6819-4d4f-85df-a4bdc8a8f703","terminalID":"88888881","accountID":"","description":"Payout","language":"RU","reference":"612345678901"}}}"#;
        let s = parse_transfer_status(&HttpResponse::new(200, body), None).unwrap();
        assert!(s.is_found());
        let t = s.transfer.unwrap();
        assert_eq!(t.id, "p-1");
        assert_eq!(t.invoice_id, "000000123456");
        assert_eq!(t.amount, Some(Money::from_minor(500000, Currency::KZT)));
        assert_eq!(t.terminal_id.as_deref(), Some("88888881"));
        let no_currency = r#"{"result":{"code":"100"},"transaction":{"p2p":{"id":"p","amount":1}}}"#;
        assert!(parse_transfer_status(&HttpResponse::new(200, no_currency), None).is_err());
        assert!(parse_transfer_status(&HttpResponse::new(200, no_currency), Some(Currency::EUR)).is_ok());
        assert!(parse_transfer_status(&HttpResponse::new(200, r#"{"resultCode":"100"}"#), None).is_err());
        let req = build_transfer_status(&cfg(), "000000123456", &Secret::from("S")).unwrap();
        assert_eq!(req.url, "https://api.test/check-status/p2p/transaction/000000123456");
    }

    #[test]
    fn the_list_query_is_exact() {
        let q = TransferListQuery::created_between("2024-02-01T00:00:00+06:00", "2024-02-29T23:59:59+06:00")
            .filter(SearchFilter::compare("amount", crate::SearchMethod::Ge, "1000"))
            .page(0, 50);
        let http = build_transfer_list(&cfg(), &q, &Secret::from("P")).unwrap();
        assert_eq!(http.url, "https://api.test/p2p/operations");
        assert_eq!(
            std::str::from_utf8(&http.body).unwrap(),
            r#"{"paging":{"page":0,"size":50},"searchParameters":[{"name":"created_at","method":"between","searchParameter":["2024-02-01T00:00:00+06:00","2024-02-29T23:59:59+06:00"]},{"name":"amount","method":">=","searchParameter":["1000"]}],"orderParameters":{"field":"created_at","typeOrder":"DESC"}}"#
        );
        let mut no_period = q.clone();
        no_period.filters.remove(0);
        assert!(build_transfer_list(&cfg(), &no_period, &Secret::from("P")).is_err());
        let list = parse_transfer_list(&HttpResponse::new(200, r#"{"total":1,"amount":10.50}"#)).unwrap();
        assert_eq!(list.as_json(), r#"{"total":1,"amount":10.50}"#);
        assert!(parse_transfer_list(&HttpResponse::new(200, "12")).is_err());
    }
}
