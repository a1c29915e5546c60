//! Server-to-server charges of a stored card on `/token/cgi_link`
//! (srustamov §7 [U]): the unscheduled merchant-initiated charge (TRTYPE 1,
//! `MERCH_TRAN_STATE=M`, §7.2) and the scheduled recurring charge (TRTYPE 3,
//! §7.4). The answer is the bare code: `0` approved, `1` duplicate, `2` wrong
//! parameter or declined (the status query tells which), `3` wrong P_SIGN;
//! no callback follows. The timeout scenario answers nothing in time
//! (HTTP 504 after the delay) and leaves the order pending.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use payments_core::{Currency, Money};

use super::checks::{
    Rejected, amount, check_fresh, check_signature, currency, only, order_number, plain, rejected, terminal, wrong,
};
use super::form::{Fields, allowed};
use super::mac::fields;
use super::{Order, OrderState, State, TokenUse, lock};
use crate::scenario::{self, Outcome};

/// Runs a charge; `recurring` is TRTYPE 3 (§7.4), otherwise §7.2.
pub(super) async fn charge(st: &State, f: &Fields, recurring: bool) -> Response {
    match settle(st, f, recurring) {
        Ok(Outcome::Timeout) => {
            tokio::time::sleep(st.timeout_delay()).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Ok(Outcome::Approve) => plain(0),
        Ok(_) => rejected(&wrong("declined by the issuer")),
        Err(r) => rejected(&r),
    }
}

fn settle(st: &State, f: &Fields, recurring: bool) -> Result<Outcome, Rejected> {
    only(
        f,
        if recurring {
            allowed::RECURRING_CHARGE
        } else {
            allowed::MIT_CHARGE
        },
    )?;
    check_signature(st, f, fields::AUTHORIZATION)?;
    let (terminal, _) = terminal(st, f)?;
    let amount_value = amount(f)?;
    let currency = currency(f)?;
    let order = order_number(f)?;
    let merch_url = f.req("MERCH_URL", 1, 250)?;
    if !(merch_url.starts_with("https://") || merch_url.starts_with("http://")) {
        return Err(wrong("MERCH_URL: must be an http(s) URL"));
    }
    if !recurring {
        let rn = f.req("MERCH_RN_ID", 8, 32)?;
        if !rn.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(wrong("MERCH_RN_ID: must be hex"));
        }
    }
    let ext_net_ref = f.req("EXT_NET_REF", 1, 64)?;
    let token = f.req("TOKEN", 28, 28)?;
    check_fresh(st, f)?;
    let now = st.now();
    let mut store = lock(&st.store);
    let card = store
        .tokens
        .get_mut(token, now)
        .filter(|c| c.terminal == terminal)
        .ok_or_else(|| wrong("TOKEN: unknown card token"))?;
    let agreement = card
        .agreement
        .clone()
        .ok_or_else(|| wrong("TOKEN: not registered for merchant-initiated charges"))?;
    if agreement.scheduled != recurring {
        return Err(wrong(if recurring {
            "TOKEN: registered for unscheduled charges (MIT_AGREEMENT=N), not TRTYPE 3"
        } else {
            "TOKEN: registered for scheduled recurring charges (MIT_AGREEMENT=Y): use TRTYPE 3"
        }));
    }
    if card.ext_net_ref.as_deref() != Some(ext_net_ref) {
        return Err(wrong("EXT_NET_REF: not the registration's"));
    }
    if recurring {
        if agreement.expiry.is_some_and(|exp| now.date() > exp) {
            return Err(wrong("RECUR_EXP: the recurring agreement has expired"));
        }
        let min = time::Duration::days(i64::from(agreement.frequency_days.unwrap_or(0)));
        if now - card.last_authorization < min {
            return Err(wrong("RECUR_FREQ: too soon after the previous authorization"));
        }
    }
    let outcome = scenario::outcome_for_amount(amount_value.minor());
    let mask = card.mask.clone();
    if outcome == Outcome::Approve {
        card.last_authorization = now;
    }
    if store
        .orders
        .get(order, now)
        .is_some_and(|o| o.state != OrderState::Declined)
    {
        return Err(Rejected {
            code: 1,
            reason: "ORDER already used".into(),
        });
    }
    let zero = Money::zero(Currency::AZN);
    let (state, action, rc) = match outcome {
        Outcome::Approve => (OrderState::Approved, Some("0"), Some("00")),
        Outcome::Timeout => (OrderState::Pending, None, None),
        Outcome::InsufficientFunds => (OrderState::Declined, Some("2"), Some("51")),
        _ => (OrderState::Declined, Some("2"), Some("05")),
    };
    let approved = outcome == Outcome::Approve;
    store.put_order(
        Order {
            order: order.to_owned(),
            terminal,
            trtype: if recurring { 3 } else { 1 },
            amount_text: f.get("AMOUNT").unwrap_or_default().to_owned(),
            amount: amount_value,
            currency: currency.to_owned(),
            description: String::new(),
            backref: String::new(),
            int_ref: scenario::random_hex_upper(16),
            rrn: scenario::random_digits(12),
            approval: approved.then(|| scenario::random_digits(6)),
            action: action.map(str::to_owned),
            rc: rc.map(str::to_owned),
            state,
            captured: if approved { amount_value } else { zero },
            refunded: zero,
            card_mask: approved.then_some(mask),
            token_use: Some(TokenUse::Charge(token.to_owned())),
            token: Some(token.to_owned()),
            ext_net_ref: Some(ext_net_ref.to_owned()),
            follow_ups: Vec::new(),
            created_at: now,
        },
        now,
    );
    Ok(outcome)
}
