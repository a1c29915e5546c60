//! The hosted card page and the callback posted to BACKREF.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State as Ax};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::mac::{fields, mac_source};
use super::store::StoredCard;
use super::{Order, OrderState, State, TokenUse, lock};
use crate::scenario::{self, Outcome, html_escape};

/// The page's form (also what a test posts).
#[derive(Debug, Deserialize)]
pub(super) struct PageForm {
    /// `approve` or `decline`.
    action: String,
    /// The card number typed (default: an approved test card).
    card: Option<String>,
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}\
         button{{font-size:1.1em;margin-right:1em}}.ok{{color:#060}}.err{{color:#a00}}\
         table.scenarios{{font-size:.9em;margin:.4em 0}}td,th{{text-align:left;padding:0 .5em 0 0}}</style></head><body>\
         <h1>{t}</h1>{body}<p><small>AzeriCard sandbox: no real money moves.</small></p></body></html>",
        t = html_escape(title)
    )
}

fn summary(o: &Order) -> String {
    format!(
        "<table><tr><th>Amount</th><td id=\"amount\">{} {}</td></tr><tr><th>Order</th><td><code id=\"order\">{}</code></td></tr>\
         <tr><th>Description</th><td>{}</td></tr><tr><th>Type</th><td>{}</td></tr></table>{}",
        // The parsed amount with the currency's digits (`10.5` is sent as is, shown as 10.50).
        o.amount.to_major_string(),
        o.amount.currency(),
        html_escape(&o.order),
        html_escape(&o.description),
        if o.trtype == 0 { "pre-authorization" } else { "purchase" },
        result_line(o)
    )
}

/// The settled result with the codes the callback carries; a decline says why.
fn result_line(o: &Order) -> String {
    let (Some(action), Some(rc)) = (o.action.as_deref(), o.rc.as_deref()) else {
        return String::new();
    };
    let (class, why) = match (o.state, rc) {
        (OrderState::Pending, _) => return String::new(),
        (OrderState::Declined, "51") => ("err", "Declined: insufficient funds"),
        (OrderState::Declined, _) => ("err", "Declined by the issuer (do not honour or 3-D Secure failed)"),
        _ => ("ok", "Approved"),
    };
    format!(
        "<p class=\"{class}\" id=\"result\">{why} (ACTION {}, RC {})</p>",
        html_escape(action),
        html_escape(rc)
    )
}

fn order_of(st: &State, int_ref: &str) -> Option<Order> {
    let now = st.now();
    let store = lock(&st.store);
    store
        .pages
        .get(int_ref, now)
        .and_then(|o| store.orders.get(o, now))
        .filter(|o| o.int_ref == int_ref)
        .cloned()
}

pub(super) async fn show(Ax(st): Ax<Arc<State>>, Path(int_ref): Path<String>) -> Response {
    let Some(o) = order_of(&st, &int_ref) else {
        return (StatusCode::NOT_FOUND, Html(page("Order not found", ""))).into_response();
    };
    if o.state != OrderState::Pending {
        return Html(page(&format!("Order {}", o.state.as_str()), &summary(&o))).into_response();
    }
    let card_input = match &o.token_use {
        Some(TokenUse::Pay(_)) => "<p>Paying with the saved card.</p>".to_owned(),
        _ => format!(
            "<p><label>Card number <input name=\"card\" value=\"{}\" size=\"22\"></label> \
             <label>Expiry <input value=\"10/27\" size=\"5\"></label> <label>CVV <input value=\"931\" size=\"3\"></label></p>\
             <p><label>SMS code <input value=\"1111\" size=\"4\"></label></p>",
            scenario::DEFAULT_CARD
        ),
    };
    let body = format!(
        "{}<form method=\"post\" action=\"/azericard/pay/{}\">{card_input}\
         <p><button name=\"action\" value=\"approve\">Approve</button>\
         <button name=\"action\" value=\"decline\">Decline</button></p></form>{}",
        summary(&o),
        html_escape(&int_ref),
        crate::hosted::scenarios_html("azericard")
    );
    Html(page("AzeriCard payment", &body)).into_response()
}

pub(super) async fn submit(
    Ax(st): Ax<Arc<State>>,
    Path(int_ref): Path<String>,
    Form(form): Form<PageForm>,
) -> Response {
    let now = st.now();
    let order = {
        let mut store = lock(&st.store);
        let Some(order_id) = store.pages.get(&int_ref, now).cloned() else {
            return (StatusCode::NOT_FOUND, Html(page("Order not found", ""))).into_response();
        };
        let paying_token = match store.orders.get(&order_id, now).and_then(|o| o.token_use.clone()) {
            Some(TokenUse::Pay(t)) => Some(t),
            _ => None,
        };
        let saved_mask = paying_token
            .as_ref()
            .and_then(|t| store.tokens.get(t, now))
            .map(|c| c.mask.clone());
        let Some(o) = store.orders.get_mut(&order_id, now).filter(|o| o.int_ref == int_ref) else {
            return (StatusCode::NOT_FOUND, Html(page("Order not found", ""))).into_response();
        };
        if o.state != OrderState::Pending {
            return (StatusCode::CONFLICT, Html(page("Already processed", &summary(o)))).into_response();
        }
        let outcome = match form.action.as_str() {
            "approve" if saved_mask.is_some() => scenario::outcome_for_amount(o.amount.minor()),
            "approve" => scenario::outcome(form.card.as_deref(), Some(o.amount.minor())),
            "decline" => Outcome::Decline,
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    Html(page("action must be approve or decline", "")),
                )
                    .into_response();
            }
        };
        if outcome == Outcome::Timeout {
            return (
                [("x-sandbox-outcome", "timeout")],
                Html(page(
                    "The bank did not answer",
                    "<p>The order stays pending; no callback is sent.</p>",
                )),
            )
                .into_response();
        }
        let (action, rc) = match outcome {
            Outcome::Approve => ("0", "00"),
            Outcome::InsufficientFunds => ("2", "51"),
            _ => ("2", "05"),
        };
        o.action = Some(action.to_owned());
        o.rc = Some(rc.to_owned());
        let mut new_card = None;
        if outcome == Outcome::Approve {
            o.state = OrderState::Approved;
            o.approval = Some(scenario::random_digits(6));
            o.card_mask = Some(
                saved_mask
                    .clone()
                    .unwrap_or_else(|| scenario::mask(form.card.as_deref())),
            );
            if o.trtype == 1 {
                o.captured = o.amount;
            }
            match &o.token_use {
                Some(TokenUse::Register(agreement)) => {
                    let preset = st.take_preset(&o.order);
                    let token = preset.token.unwrap_or_else(|| scenario::random_hex_upper(28));
                    o.token = Some(token.clone());
                    if agreement.is_some() {
                        o.ext_net_ref = Some(preset.ext_net_ref.unwrap_or_else(|| scenario::random_hex_upper(16)));
                    }
                    new_card = Some(StoredCard {
                        token,
                        terminal: o.terminal.clone(),
                        mask: o.card_mask.clone().unwrap_or_default(),
                        agreement: agreement.clone(),
                        ext_net_ref: o.ext_net_ref.clone(),
                        last_authorization: now,
                    });
                }
                Some(TokenUse::Pay(t) | TokenUse::Charge(t)) => o.token = Some(t.clone()),
                None => {}
            }
        } else {
            o.state = OrderState::Declined;
        }
        let o = o.clone();
        if let Some(card) = new_card {
            store.put_token(card, now);
        } else if let (OrderState::Approved, Some(TokenUse::Pay(t))) = (o.state, &o.token_use)
            && let Some(card) = store.tokens.get_mut(t, now)
        {
            card.last_authorization = now;
        }
        o
    };
    deliver_callback(&st, &order);
    let approved = order.state == OrderState::Approved;
    let title = if approved {
        "Payment approved"
    } else {
        "Payment declined"
    };
    let body = format!(
        "{}<p>The result was posted to <code>{}</code>.</p>",
        summary(&order),
        html_escape(&order.backref)
    );
    (
        [("x-sandbox-outcome", if approved { "approved" } else { "declined" })],
        Html(page(title, &body)),
    )
        .into_response()
}

/// The callback's form fields, P_SIGN last (signed with the gateway key over
/// [`fields::CALLBACK`]).
pub(super) fn callback_fields(st: &State, o: &Order) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("TERMINAL", o.terminal.clone()),
        ("TRTYPE", o.trtype.to_string()),
        ("ORDER", o.order.clone()),
        ("AMOUNT", o.amount_text.clone()),
        ("CURRENCY", o.currency.clone()),
        ("ACTION", o.action.clone().unwrap_or_default()),
        ("RC", o.rc.clone().unwrap_or_default()),
        ("APPROVAL", o.approval.clone().unwrap_or_default()),
        ("RRN", o.rrn.clone()),
        ("INT_REF", o.int_ref.clone()),
        ("TIMESTAMP", st.timestamp()),
        ("NONCE", scenario::random_hex_upper(32).to_lowercase()),
    ];
    if o.token_use.is_some() {
        f.push(("CARD", o.card_mask.clone().unwrap_or_default()));
        f.push(("TOKEN", o.token.clone().unwrap_or_default()));
    }
    if let Some(ext) = &o.ext_net_ref {
        f.push(("EXT_NET_REF", ext.clone()));
    }
    let source = mac_source(fields::CALLBACK, |n| {
        f.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str())
    });
    f.push(("P_SIGN", st.gateway_for(&o.terminal).sign(&source)));
    f
}

pub(super) fn deliver_callback(st: &State, o: &Order) {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in callback_fields(st, o) {
        form.append_pair(k, &v);
    }
    st.shared.deliveries.deliver(
        "azericard",
        o.backref.clone(),
        "application/x-www-form-urlencoded",
        form.finish().into_bytes(),
    );
}
