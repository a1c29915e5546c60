//! Merchants and fixtures over HTTP, and the start-up config file with the
//! same shapes: EPoint merchants (keys, features, callback URL) and saved
//! cards; AzeriCard terminals (follow-up signing order, gateway key size),
//! the merchant public key and saved cards (TOKEN); ePay API clients (secret,
//! terminals, one- or two-step) and saved cards; QR wallets and the identity
//! server's credentials.
//!
//! Every create is an upsert (a config file can be applied to a running
//! sandbox again): `201` when new, `200` when it changed an existing one.
//! Keys a caller leaves out are made up and returned: they are test keys of
//! the caller's own fixture.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as Ax};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Control, ControlError, callback_target, optional_json};
use crate::ProviderStates;
use crate::scenario::random_hex_upper;

type Reply = Result<Response, ControlError>;

fn reply(created: bool, body: Value) -> Response {
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    (status, axum::Json(body)).into_response()
}

/// A made-up secret: `prefix` + 32 lower-case hex digits.
fn made_up(prefix: &str) -> String {
    format!("{prefix}{}", random_hex_upper(32).to_ascii_lowercase())
}

fn non_empty(name: &str, value: &str, max: usize) -> Result<(), ControlError> {
    if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(ControlError::bad(format!("{name}: 1-{max} printable characters")));
    }
    Ok(())
}

// ---------------------------------------------------------------- EPoint

/// `POST /_sandbox/epoint/merchants`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpointMerchant {
    public_key: Option<String>,
    /// Default: kept for an existing merchant, made up for a new one.
    private_key: Option<String>,
    callback_url: Option<String>,
    /// `wallets`, `installments`, `amex`: exactly these are granted when given.
    features: Option<Vec<String>>,
}

fn epoint_feature(name: &str) -> Result<crate::epoint::Feature, ControlError> {
    use crate::epoint::Feature;
    match name {
        "wallets" => Ok(Feature::Wallets),
        "installments" => Ok(Feature::Installments),
        "amex" => Ok(Feature::Amex),
        other => Err(ControlError::bad(format!(
            "features: {other:?} is not one of wallets, installments, amex"
        ))),
    }
}

const EPOINT_FEATURES: [&str; 3] = ["wallets", "installments", "amex"];

fn epoint_merchant_json(p: &ProviderStates, public_key: &str, private_key: &str) -> Value {
    let listed = p.epoint.merchants();
    let entry = listed.iter().find(|m| m["public_key"] == public_key);
    json!({
        "public_key": public_key,
        "private_key": private_key,
        "callback_url": entry.map(|m| m["callback_url"].clone()),
        "features": entry.map(|m| m["features"].clone()),
    })
}

pub(crate) fn epoint_merchant(p: &ProviderStates, req: EpointMerchant) -> Result<(bool, Value), ControlError> {
    let public_key = req
        .public_key
        .ok_or_else(|| ControlError::bad("public_key: required (e.g. i000000042)"))?;
    non_empty("public_key", &public_key, 64)?;
    let features = match &req.features {
        Some(names) => Some(names.iter().map(|n| epoint_feature(n)).collect::<Result<Vec<_>, _>>()?),
        None => None,
    };
    let callback = req.callback_url.as_deref().map(callback_target).transpose()?;
    let existing = p.epoint.private_key_of(&public_key);
    let created = existing.is_none();
    let private_key = match (req.private_key, existing) {
        (Some(k), _) => {
            non_empty("private_key", &k, 256)?;
            k
        }
        (None, Some(k)) => k,
        (None, None) => made_up("sk-"),
    };
    p.epoint.add_merchant(&public_key, &private_key);
    if let Some(url) = callback {
        p.epoint.set_callback_url(&public_key, &url);
    }
    if let Some(features) = features {
        for name in EPOINT_FEATURES {
            if let Ok(f) = epoint_feature(name) {
                p.epoint.set_feature(&public_key, f, features.contains(&f));
            }
        }
    }
    tracing::info!(merchant = %public_key, created, "epoint merchant set");
    Ok((created, epoint_merchant_json(p, &public_key, &private_key)))
}

async fn epoint_merchant_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = epoint_merchant(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rotate {
    /// The new private key / secret; made up when absent.
    private_key: Option<String>,
    client_secret: Option<String>,
}

async fn epoint_rotate(Ax(c): Ax<Arc<Control>>, Path(public_key): Path<String>, body: Bytes) -> Reply {
    let req: Rotate = optional_json(&body)?;
    if req.client_secret.is_some() {
        return Err(ControlError::bad("EPoint rotates private_key"));
    }
    if !c.providers.epoint.has_merchant(&public_key) {
        return Err(ControlError::not_found(format!("merchant {public_key}: unknown")));
    }
    let key = req.private_key.unwrap_or_else(|| made_up("sk-"));
    non_empty("private_key", &key, 256)?;
    c.providers.epoint.add_merchant(&public_key, &key);
    tracing::info!(merchant = %public_key, "epoint private key rotated");
    Ok(reply(false, epoint_merchant_json(&c.providers, &public_key, &key)))
}

async fn epoint_features(Ax(c): Ax<Arc<Control>>, Path(public_key): Path<String>, body: Bytes) -> Reply {
    let req: serde_json::Map<String, Value> = optional_json(&body)?;
    if !c.providers.epoint.has_merchant(&public_key) {
        return Err(ControlError::not_found(format!("merchant {public_key}: unknown")));
    }
    let mut changes = Vec::new();
    for (name, on) in &req {
        let feature = epoint_feature(name)?;
        let on = on
            .as_bool()
            .ok_or_else(|| ControlError::bad(format!("{name}: true or false")))?;
        changes.push((feature, on));
    }
    for (feature, on) in changes {
        c.providers.epoint.set_feature(&public_key, feature, on);
    }
    let key = c.providers.epoint.private_key_of(&public_key).unwrap_or_default();
    let mut v = epoint_merchant_json(&c.providers, &public_key, &key);
    if let Some(o) = v.as_object_mut() {
        o.remove("private_key");
    }
    Ok(reply(false, v))
}

/// `POST /_sandbox/epoint/cards`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpointCard {
    /// The merchant's public key (default: the test merchant).
    merchant: Option<String>,
    /// The card number (default: the approved test card).
    card: Option<String>,
    /// Registered with `refund: 1` (receives payouts).
    #[serde(default)]
    payout: bool,
}

fn card_number(card: Option<String>, default: &str) -> Result<String, ControlError> {
    let card = card.unwrap_or_else(|| default.to_owned());
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ControlError::bad("card: 12-19 digits"));
    }
    Ok(card)
}

pub(crate) fn epoint_card(p: &ProviderStates, req: EpointCard) -> Result<(bool, Value), ControlError> {
    let merchant = req
        .merchant
        .unwrap_or_else(|| crate::epoint::TEST_PUBLIC_KEY.to_owned());
    let card = card_number(req.card, crate::scenario::DEFAULT_CARD)?;
    let id = p
        .epoint
        .add_saved_card(&merchant, &card, req.payout)
        .ok_or_else(|| ControlError::not_found(format!("merchant {merchant}: unknown")))?;
    tracing::info!(merchant = %merchant, card_id = %id, "epoint saved card added");
    Ok((
        true,
        json!({"card_id": id, "merchant": merchant, "mask": crate::scenario::mask(Some(&card)), "payout": req.payout, "status": "active"}),
    ))
}

async fn epoint_card_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = epoint_card(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

// ---------------------------------------------------------------- AzeriCard

/// `POST /_sandbox/azericard/terminals`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AzeriTerminal {
    terminal: Option<String>,
    /// `amount_first` (default) or `order_first`: the completion/reversal signing order.
    follow_up_order: Option<String>,
    /// `rsa2048` (default) or `rsa1024`: the gateway key that signs its callbacks.
    gateway_key: Option<String>,
}

pub(crate) fn azericard_terminal(p: &ProviderStates, req: AzeriTerminal) -> Result<(bool, Value), ControlError> {
    use crate::azericard::{FollowUpOrder, GatewayKeySize, TerminalConfig};
    let terminal = req
        .terminal
        .ok_or_else(|| ControlError::bad("terminal: required (8 characters)"))?;
    if terminal.len() != 8 || !terminal.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ControlError::bad("terminal: 8 letters or digits"));
    }
    let old = p.azericard.terminal_config(&terminal);
    let mut config = old.unwrap_or_default();
    match req.follow_up_order.as_deref() {
        None => {}
        Some("amount_first") => config.follow_up_order = FollowUpOrder::AmountFirst,
        Some("order_first") => config.follow_up_order = FollowUpOrder::OrderFirst,
        Some(other) => {
            return Err(ControlError::bad(format!(
                "follow_up_order: {other:?} is not amount_first or order_first"
            )));
        }
    }
    match req.gateway_key.as_deref() {
        None => {}
        Some("rsa2048") => config.gateway_key = GatewayKeySize::Rsa2048,
        Some("rsa1024") => config.gateway_key = GatewayKeySize::Rsa1024,
        Some(other) => {
            return Err(ControlError::bad(format!(
                "gateway_key: {other:?} is not rsa2048 or rsa1024"
            )));
        }
    }
    let TerminalConfig {
        follow_up_order,
        gateway_key,
    } = config;
    p.azericard.set_terminal(&terminal, config);
    tracing::info!(terminal = %terminal, "azericard terminal set");
    let base = p.azericard.base_url();
    Ok((
        old.is_none(),
        json!({
            "terminal": terminal,
            "follow_up_order": if follow_up_order == FollowUpOrder::OrderFirst { "order_first" } else { "amount_first" },
            "follow_up_fields": follow_up_order.fields(),
            "gateway_key": if gateway_key == GatewayKeySize::Rsa1024 { "rsa1024" } else { "rsa2048" },
            "gateway_public_key": if gateway_key == GatewayKeySize::Rsa1024 {
                format!("{base}/azericard/gateway-public-key-1024.pem")
            } else {
                format!("{base}/azericard/gateway-public-key.pem")
            },
        }),
    ))
}

async fn azericard_terminal_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = azericard_terminal(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

/// `PUT /_sandbox/azericard/merchant-key`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AzeriMerchantKey {
    /// The merchant's RSA public key, PEM (`BEGIN PUBLIC KEY`).
    public_key_pem: Option<String>,
    /// Restore the project's throwaway test key.
    #[serde(default)]
    default: bool,
}

pub(crate) fn azericard_merchant_key(p: &ProviderStates, req: AzeriMerchantKey) -> Result<(bool, Value), ControlError> {
    if req.public_key_pem.as_deref().is_some_and(|k| k.contains("PRIVATE KEY")) {
        return Err(ControlError::bad(
            "public_key_pem: that is a private key; upload only the public half",
        ));
    }
    let pem = match (req.public_key_pem, req.default) {
        (Some(pem), false) => Some(pem),
        (None, true) => None,
        _ => return Err(ControlError::bad("give public_key_pem or default: true")),
    };
    p.azericard
        .set_merchant_public_key(pem.as_deref())
        .map_err(|e| ControlError::bad(format!("public_key_pem: {e}")))?;
    let bits = p.azericard.merchants()["merchant_public_key_bits"].clone();
    tracing::info!(default = pem.is_none(), "azericard merchant public key set");
    Ok((
        false,
        json!({"merchant_public_key_bits": bits, "default": pem.is_none(), "applies_to": "every terminal"}),
    ))
}

async fn azericard_merchant_key_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = azericard_merchant_key(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewayRotate {
    /// Restore the embedded test key instead of generating one.
    #[serde(default)]
    default: bool,
}

async fn azericard_gateway_rotate(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let req: GatewayRotate = optional_json(&body)?;
    let pem = c
        .providers
        .azericard
        .rotate_gateway_key(req.default)
        .map_err(|e| ControlError(StatusCode::CONFLICT, e.to_string()))?;
    tracing::info!(default = req.default, "azericard gateway key rotated");
    Ok(reply(
        false,
        json!({
            "gateway_public_key_pem": pem,
            "url": format!("{}/azericard/gateway-public-key.pem", c.providers.azericard.base_url()),
            "default": req.default,
            "applies_to": "terminals with gateway_key rsa2048 (callbacks and status answers from now on)",
        }),
    ))
}

/// `POST /_sandbox/azericard/stored-cards`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AzeriStoredCard {
    /// Default: the test terminal.
    terminal: Option<String>,
    /// 28 characters; made up when absent.
    token: Option<String>,
    /// The card number (masked in the record).
    card: Option<String>,
    /// `none` (default: token payments only), `unscheduled` (MIT) or `recurring` (TRTYPE 3).
    agreement: Option<String>,
    /// Recurring: minimum days between charges (default 1).
    frequency_days: Option<u32>,
    /// Recurring: last day, `YYYYMMDD` (default: none).
    expiry: Option<String>,
    /// MIT/recurring: EXT_NET_REF (made up when absent).
    ext_net_ref: Option<String>,
}

pub(crate) fn azericard_stored_card(p: &ProviderStates, req: AzeriStoredCard) -> Result<(bool, Value), ControlError> {
    use crate::azericard::{Agreement, StoredCard};
    let terminal = req
        .terminal
        .unwrap_or_else(|| crate::azericard::TEST_TERMINAL.to_owned());
    if p.azericard.terminal_config(&terminal).is_none() {
        return Err(ControlError::not_found(format!(
            "terminal {terminal}: unknown (POST /_sandbox/azericard/terminals)"
        )));
    }
    let token = req.token.unwrap_or_else(|| random_hex_upper(28));
    if token.len() != 28 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ControlError::bad("token: 28 letters or digits"));
    }
    let card = card_number(req.card, crate::scenario::DEFAULT_CARD)?;
    let scheduled = match req.agreement.as_deref().unwrap_or("none") {
        "none" => None,
        "unscheduled" => Some(false),
        "recurring" => Some(true),
        other => {
            return Err(ControlError::bad(format!(
                "agreement: {other:?} is not none, unscheduled or recurring"
            )));
        }
    };
    let expiry = match req.expiry.as_deref() {
        Some(text) => Some(crate::azericard::parse_date(text).ok_or_else(|| ControlError::bad("expiry: YYYYMMDD"))?),
        None => None,
    };
    let frequency = req.frequency_days.unwrap_or(1);
    if !(1..=99).contains(&frequency) {
        return Err(ControlError::bad("frequency_days: 1-99"));
    }
    let agreement = scheduled.map(|scheduled| Agreement {
        scheduled,
        merch_rn_id: random_hex_upper(16).to_ascii_lowercase(),
        frequency_days: scheduled.then_some(frequency),
        expiry: if scheduled { expiry } else { None },
    });
    let ext_net_ref = agreement
        .as_ref()
        .map(|_| req.ext_net_ref.unwrap_or_else(|| random_hex_upper(16)));
    let now = p.azericard.clock_now();
    // The last charge lies a full interval back, so the first charge may come at once.
    let last = now - time::Duration::days(i64::from(frequency));
    let mask = crate::scenario::mask(Some(&card));
    p.azericard.add_stored_card(StoredCard {
        token: token.clone(),
        terminal: terminal.clone(),
        mask: mask.clone(),
        agreement: agreement.clone(),
        ext_net_ref: ext_net_ref.clone(),
        last_authorization: last,
    });
    tracing::info!(terminal = %terminal, "azericard stored card added");
    Ok((
        true,
        json!({
            "token": token, "terminal": terminal, "card": mask,
            "agreement": match scheduled { None => "none", Some(false) => "unscheduled", Some(true) => "recurring" },
            "merch_rn_id": agreement.as_ref().map(|a| a.merch_rn_id.clone()),
            "ext_net_ref": ext_net_ref,
            "frequency_days": agreement.as_ref().and_then(|a| a.frequency_days),
            "expiry": req.expiry,
        }),
    ))
}

async fn azericard_stored_card_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = azericard_stored_card(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

// ---------------------------------------------------------------- ePay

/// `POST /_sandbox/epay/clients`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpayClient {
    client_id: Option<String>,
    /// Default: kept for an existing client, made up for a new one.
    client_secret: Option<String>,
    /// Terminal ids (default for a new client: one made-up uuid).
    terminals: Option<Vec<String>>,
    /// Whether its terminals are two-step (approval authorizes; default false).
    two_step: Option<bool>,
}

fn new_uuid() -> String {
    let h = random_hex_upper(32).to_ascii_lowercase();
    format!(
        "{}-{}-4{}-a{}-{}",
        h.get(0..8).unwrap_or_default(),
        h.get(8..12).unwrap_or_default(),
        h.get(13..16).unwrap_or_default(),
        h.get(17..20).unwrap_or_default(),
        h.get(20..32).unwrap_or_default()
    )
}

fn epay_client_json(p: &ProviderStates, client_id: &str, secret: &str) -> Value {
    let terminals = p.epay.client_terminals(client_id).unwrap_or_default();
    let two_step: Vec<bool> = terminals.iter().map(|t| p.epay.is_two_step(t)).collect();
    json!({"client_id": client_id, "client_secret": secret, "terminals": terminals, "two_step": two_step})
}

pub(crate) fn epay_client(p: &ProviderStates, req: EpayClient) -> Result<(bool, Value), ControlError> {
    let client_id = req.client_id.ok_or_else(|| ControlError::bad("client_id: required"))?;
    non_empty("client_id", &client_id, 64)?;
    let existing = p.epay.client_terminals(&client_id);
    let terminals = match (req.terminals, &existing) {
        (Some(t), _) => t,
        (None, Some(_)) => Vec::new(),
        (None, None) => vec![new_uuid()],
    };
    for t in &terminals {
        non_empty("terminals[]", t, 64)?;
    }
    let secret = match req.client_secret {
        Some(s) => {
            non_empty("client_secret", &s, 128)?;
            s
        }
        None => match &existing {
            Some(_) => p.epay.client_secret(&client_id).unwrap_or_default(),
            None => made_up(""),
        },
    };
    let created = p.epay.add_client(&client_id, &secret, &terminals);
    if let Some(two_step) = req.two_step {
        for t in &terminals {
            p.epay.set_two_step(t, two_step);
        }
    }
    tracing::info!(client = %client_id, created, "epay client set");
    Ok((created, epay_client_json(p, &client_id, &secret)))
}

async fn epay_client_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = epay_client(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

async fn epay_rotate(Ax(c): Ax<Arc<Control>>, Path(client_id): Path<String>, body: Bytes) -> Reply {
    let req: Rotate = optional_json(&body)?;
    if req.private_key.is_some() {
        return Err(ControlError::bad("ePay rotates client_secret"));
    }
    let secret = req.client_secret.unwrap_or_else(|| made_up(""));
    non_empty("client_secret", &secret, 128)?;
    if !c.providers.epay.rotate_client_secret(&client_id, &secret) {
        return Err(ControlError::not_found(format!("client {client_id}: unknown")));
    }
    tracing::info!(client = %client_id, "epay client secret rotated");
    Ok(reply(false, epay_client_json(&c.providers, &client_id, &secret)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpayTerminal {
    two_step: Option<bool>,
}

async fn epay_terminal(Ax(c): Ax<Arc<Control>>, Path(terminal): Path<String>, body: Bytes) -> Reply {
    let req: EpayTerminal = optional_json(&body)?;
    let two_step = req
        .two_step
        .ok_or_else(|| ControlError::bad("two_step: required (true or false)"))?;
    let owner = c.providers.epay.terminal_owner(&terminal).ok_or_else(|| {
        ControlError::not_found(format!(
            "terminal {terminal}: no client has it (POST /_sandbox/epay/clients)"
        ))
    })?;
    c.providers.epay.set_two_step(&terminal, two_step);
    tracing::info!(terminal = %terminal, two_step, "epay terminal set");
    Ok(reply(
        false,
        json!({"terminal": terminal, "client_id": owner, "two_step": two_step}),
    ))
}

/// `POST /_sandbox/epay/cards`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpayCard {
    /// Default: the published test terminal.
    terminal: Option<String>,
    /// The merchant's `accountId` of the customer (default: empty).
    account_id: Option<String>,
    /// Default: the approved VISA test card.
    card: Option<String>,
}

pub(crate) fn epay_card(p: &ProviderStates, req: EpayCard) -> Result<(bool, Value), ControlError> {
    let terminal = req.terminal.unwrap_or_else(|| crate::epay::TEST_TERMINAL.to_owned());
    if p.epay.terminal_owner(&terminal).is_none() {
        return Err(ControlError::not_found(format!(
            "terminal {terminal}: no client has it"
        )));
    }
    let card = card_number(req.card, crate::epay::cards::VISA_OK)?;
    let account = req.account_id.unwrap_or_default();
    if account.len() > 256 {
        return Err(ControlError::bad("account_id: at most 256 characters"));
    }
    let id = p.epay.save_card_for(&terminal, &account, &card);
    tracing::info!(terminal = %terminal, card_id = %id, "epay saved card added");
    Ok((
        true,
        json!({"card_id": id, "terminal": terminal, "account_id": account, "mask": crate::scenario::mask(Some(&card))}),
    ))
}

async fn epay_card_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = epay_card(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

// ---------------------------------------------------------------- QR wallet

/// `POST /_sandbox/qr/wallets`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QrWallet {
    wallet: Option<String>,
    account: Option<String>,
    /// TRY, a decimal string (default `1000.00`).
    balance: Option<String>,
    /// A business wallet (receives CreateQRPayment and Payment).
    #[serde(default)]
    business: bool,
}

pub(crate) fn qr_wallet(p: &ProviderStates, req: QrWallet) -> Result<(bool, Value), ControlError> {
    let wallet = req
        .wallet
        .ok_or_else(|| ControlError::bad("wallet: required (digits)"))?;
    if wallet.is_empty() || wallet.len() > 20 || !wallet.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ControlError::bad("wallet: 1-20 digits"));
    }
    let account = req.account.unwrap_or_else(|| format!("SBX{wallet}"));
    non_empty("account", &account, 32)?;
    let text = req.balance.unwrap_or_else(|| "1000.00".to_owned());
    let balance: rust_decimal::Decimal = text
        .parse()
        .ok()
        .filter(|d: &rust_decimal::Decimal| !d.is_sign_negative() && d.scale() <= 2)
        .filter(|d| *d <= rust_decimal::Decimal::from(crate::qr::MAX_BALANCE))
        .ok_or_else(|| ControlError::bad("balance: a decimal string, 0 to 50000, at most 2 decimals"))?;
    let created = !p.qr.has_wallet(&wallet);
    if req.business {
        p.qr.add_business_wallet(&wallet, &account, balance);
    } else {
        p.qr.add_wallet(&wallet, &account, balance);
    }
    tracing::info!(wallet = %wallet, created, "qr wallet set");
    Ok((
        created,
        json!({"wallet": wallet, "account": account, "balance": balance.to_string(), "business": req.business}),
    ))
}

async fn qr_wallet_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = qr_wallet(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

/// `POST /_sandbox/qr/credentials`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QrCredentials {
    /// Default: unchanged.
    client_id: Option<String>,
    /// Default: made up.
    client_secret: Option<String>,
}

pub(crate) fn qr_credentials(p: &ProviderStates, req: QrCredentials) -> Result<(bool, Value), ControlError> {
    let client_id = req.client_id.unwrap_or_else(|| p.qr.credentials().0);
    non_empty("client_id", &client_id, 64)?;
    let secret = req.client_secret.unwrap_or_else(|| made_up(""));
    non_empty("client_secret", &secret, 128)?;
    p.qr.set_credentials(&client_id, &secret);
    tracing::info!(client = %client_id, "qr credentials rotated");
    Ok((
        false,
        json!({"client_id": client_id, "client_secret": secret, "scope": crate::qr::SCOPE}),
    ))
}

async fn qr_credentials_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let (created, v) = qr_credentials(&c.providers, optional_json(&body)?)?;
    Ok(reply(created, v))
}

// ---------------------------------------------------------------- options

/// `PUT /_sandbox/{provider}/options`: the emulator-wide switches.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Options {
    /// EPoint, AzeriCard: how long a call with the timeout scenario waits (default 30 000).
    timeout_delay_ms: Option<u64>,
    /// ePay: invoice links without the seed's stray leading spaces.
    plain_invoice_urls: Option<bool>,
    /// QR: Begin3rdPartyQRCodePayment writes the seed's `" tx_correlation_id "` key.
    spaced_correlation_key: Option<bool>,
}

pub(crate) fn options(p: &ProviderStates, provider: &str, req: Options) -> Result<(bool, Value), ControlError> {
    let allowed: &[&str] = match provider {
        "epoint" | "azericard" => &["timeout_delay_ms"],
        "epay" => &["plain_invoice_urls"],
        "qr" => &["spaced_correlation_key"],
        other => {
            return Err(ControlError::not_found(format!(
                "provider {other}: unknown (epoint, azericard, epay, qr)"
            )));
        }
    };
    let given = [
        ("timeout_delay_ms", req.timeout_delay_ms.is_some()),
        ("plain_invoice_urls", req.plain_invoice_urls.is_some()),
        ("spaced_correlation_key", req.spaced_correlation_key.is_some()),
    ];
    if let Some((name, _)) = given.iter().find(|(n, on)| *on && !allowed.contains(n)) {
        return Err(ControlError::bad(format!(
            "{name}: not an option of {provider} ({})",
            allowed.join(", ")
        )));
    }
    let mut out = serde_json::Map::new();
    if let Some(ms) = req.timeout_delay_ms {
        if ms > 600_000 {
            return Err(ControlError::bad("timeout_delay_ms: at most 600000"));
        }
        let delay = std::time::Duration::from_millis(ms);
        if provider == "epoint" {
            p.epoint.set_timeout_delay(delay);
        } else {
            p.azericard.set_timeout_delay(delay);
        }
        out.insert("timeout_delay_ms".into(), json!(ms));
    }
    if let Some(on) = req.plain_invoice_urls {
        p.epay.set_plain_invoice_urls(on);
        out.insert("plain_invoice_urls".into(), json!(on));
    }
    if let Some(on) = req.spaced_correlation_key {
        p.qr.set_spaced_correlation_key(on);
        out.insert("spaced_correlation_key".into(), json!(on));
    }
    tracing::info!(provider, "options set");
    Ok((false, json!({"provider": provider, "set": out})))
}

async fn options_route(Ax(c): Ax<Arc<Control>>, Path(provider): Path<String>, body: Bytes) -> Reply {
    let (created, v) = options(&c.providers, &provider, optional_json(&body)?)?;
    Ok(reply(created, v))
}

// ---------------------------------------------------------------- config

/// The start-up config file and `POST /_sandbox/fixtures`: each section
/// holds the bodies of the routes above.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fixtures {
    #[serde(default)]
    epoint: EpointSection,
    #[serde(default)]
    azericard: AzeriSection,
    #[serde(default)]
    epay: EpaySection,
    #[serde(default)]
    qr: QrSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpointSection {
    options: Option<Options>,
    #[serde(default)]
    merchants: Vec<EpointMerchant>,
    #[serde(default)]
    cards: Vec<EpointCard>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AzeriSection {
    options: Option<Options>,
    merchant_key: Option<AzeriMerchantKey>,
    #[serde(default)]
    terminals: Vec<AzeriTerminal>,
    #[serde(default)]
    stored_cards: Vec<AzeriStoredCard>,
    transfer_callback_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpaySection {
    options: Option<Options>,
    #[serde(default)]
    clients: Vec<EpayClient>,
    #[serde(default)]
    cards: Vec<EpayCard>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct QrSection {
    options: Option<Options>,
    credentials: Option<QrCredentials>,
    #[serde(default)]
    wallets: Vec<QrWallet>,
    webhook_url: Option<String>,
}

/// Applies a fixtures document in order (EPoint, AzeriCard, ePay, QR; within
/// each, the order of the file) and returns what each entry answered.
/// Stops at the first refusal, saying which entry it was.
pub fn apply(providers: &ProviderStates, document: &Value) -> Result<Value, String> {
    let document = if document.is_null() {
        json!({})
    } else {
        document.clone()
    };
    let f: Fixtures = serde_json::from_value(document).map_err(|e| format!("config: {e}"))?;
    let at = |what: String| move |e: ControlError| format!("{what}: {}", e.1);
    let mut out = serde_json::Map::new();
    let mut list = |name: &str, items: Vec<Value>| {
        if !items.is_empty() {
            out.insert(name.to_owned(), Value::Array(items));
        }
    };
    let mut v = Vec::new();
    for (provider, o) in [
        ("epoint", f.epoint.options),
        ("azericard", f.azericard.options),
        ("epay", f.epay.options),
        ("qr", f.qr.options),
    ] {
        if let Some(o) = o {
            v.push(
                options(providers, provider, o)
                    .map_err(at(format!("{provider}.options")))?
                    .1,
            );
        }
    }
    list("options", std::mem::take(&mut v));
    for (i, m) in f.epoint.merchants.into_iter().enumerate() {
        v.push(
            epoint_merchant(providers, m)
                .map_err(at(format!("epoint.merchants[{i}]")))?
                .1,
        );
    }
    list("epoint.merchants", std::mem::take(&mut v));
    for (i, m) in f.epoint.cards.into_iter().enumerate() {
        v.push(epoint_card(providers, m).map_err(at(format!("epoint.cards[{i}]")))?.1);
    }
    list("epoint.cards", std::mem::take(&mut v));
    if let Some(k) = f.azericard.merchant_key {
        v.push(
            azericard_merchant_key(providers, k)
                .map_err(at("azericard.merchant_key".into()))?
                .1,
        );
    }
    list("azericard.merchant_key", std::mem::take(&mut v));
    for (i, t) in f.azericard.terminals.into_iter().enumerate() {
        v.push(
            azericard_terminal(providers, t)
                .map_err(at(format!("azericard.terminals[{i}]")))?
                .1,
        );
    }
    list("azericard.terminals", std::mem::take(&mut v));
    for (i, t) in f.azericard.stored_cards.into_iter().enumerate() {
        v.push(
            azericard_stored_card(providers, t)
                .map_err(at(format!("azericard.stored_cards[{i}]")))?
                .1,
        );
    }
    list("azericard.stored_cards", std::mem::take(&mut v));
    if let Some(url) = f.azericard.transfer_callback_url {
        let url = callback_target(&url).map_err(at("azericard.transfer_callback_url".into()))?;
        providers.azericard.set_transfer_callback_url(&url);
        v.push(json!({"transfer_callback_url": url}));
    }
    list("azericard.transfer_callback_url", std::mem::take(&mut v));
    for (i, c) in f.epay.clients.into_iter().enumerate() {
        v.push(epay_client(providers, c).map_err(at(format!("epay.clients[{i}]")))?.1);
    }
    list("epay.clients", std::mem::take(&mut v));
    for (i, c) in f.epay.cards.into_iter().enumerate() {
        v.push(epay_card(providers, c).map_err(at(format!("epay.cards[{i}]")))?.1);
    }
    list("epay.cards", std::mem::take(&mut v));
    if let Some(c) = f.qr.credentials {
        v.push(qr_credentials(providers, c).map_err(at("qr.credentials".into()))?.1);
    }
    list("qr.credentials", std::mem::take(&mut v));
    for (i, w) in f.qr.wallets.into_iter().enumerate() {
        v.push(qr_wallet(providers, w).map_err(at(format!("qr.wallets[{i}]")))?.1);
    }
    list("qr.wallets", std::mem::take(&mut v));
    if let Some(url) = f.qr.webhook_url {
        let url = callback_target(&url).map_err(at("qr.webhook_url".into()))?;
        providers.qr.set_webhook_url(&url);
        v.push(json!({"webhook_url": url}));
    }
    list("qr.webhook_url", v);
    Ok(json!({"applied": out}))
}

async fn fixtures_route(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Reply {
    let doc: Value = optional_json(&body)?;
    let v = apply(&c.providers, &doc).map_err(ControlError::bad)?;
    Ok(reply(false, v))
}

/// The fixture routes (paths under `/_sandbox`).
pub(crate) fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<Arc<Control>>)> {
    use axum::routing::{post, put};
    vec![
        ("/fixtures", post(fixtures_route)),
        ("/{provider}/options", put(options_route)),
        ("/epoint/merchants", post(epoint_merchant_route)),
        ("/epoint/merchants/{id}/rotate-key", post(epoint_rotate)),
        ("/epoint/merchants/{id}/features", put(epoint_features)),
        ("/epoint/cards", post(epoint_card_route)),
        ("/azericard/terminals", post(azericard_terminal_route)),
        ("/azericard/merchant-key", put(azericard_merchant_key_route)),
        ("/azericard/stored-cards", post(azericard_stored_card_route)),
        ("/azericard/gateway-key/rotate", post(azericard_gateway_rotate)),
        ("/epay/clients", post(epay_client_route)),
        ("/epay/clients/{id}/rotate-secret", post(epay_rotate)),
        ("/epay/terminals/{id}", put(epay_terminal)),
        ("/epay/cards", post(epay_card_route)),
        ("/qr/wallets", post(qr_wallet_route)),
        ("/qr/credentials", post(qr_credentials_route)),
    ]
}
