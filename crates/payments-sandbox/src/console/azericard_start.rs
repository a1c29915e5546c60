//! `POST /_sandbox/azericard/start` (JSON) and `GET /_sandbox/azericard/start`
//! (an HTML page that posts itself): an AzeriCard authorization form (TRTYPE
//! 1 or 0) built and P_SIGN-signed server-side with the project's throwaway
//! merchant test key, as a shop would, so the console (or a person with only a
//! browser) can start an AzeriCard payment. The browser then posts the form to
//! `/azericard/cgi-bin/cgi_link` itself, exactly like a cardholder leaving a
//! shop, and lands on the hosted page. BACKREF defaults to `/_sandbox/sink`,
//! so the callback shows up delivered in the delivery log.
//!
//! Signing the form creates nothing in the sandbox: an order exists only once
//! the form is posted. A sandbox started with another merchant public key
//! (`--azericard-merchant-public-key`) cannot accept this key's signature, so
//! the route refuses with 409 instead of handing out a form that fails.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature;
use axum::body::Bytes;
use axum::extract::{Query, State as Ax};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use payments_core::{Currency, Money};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::azericard::mac::{fields, mac_source, pem_to_der};
use crate::control::{Control, optional_json};
use crate::scenario::{html_escape, random_digits, random_hex_upper};

/// The private half of `DEFAULT_MERCHANT_PUBLIC_KEY_PEM` (a throwaway key that
/// signs nothing but sandbox forms; the same file as
/// `tests/data/azericard-merchant-test-key.pem`).
const MERCHANT_TEST_KEY_PEM: &str = include_str!("azericard-merchant-test-key.pem");

/// What to start; every field optional (`curl -X POST` works).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Start {
    /// AMOUNT in AZN major units (default `10.00`); a magic amount
    /// (`x.51`-`x.54`) picks its scenario.
    amount: Option<String>,
    /// 1 purchase (default) or 0 pre-authorization.
    trtype: Option<u8>,
    /// DESC (default `console test`).
    description: Option<String>,
    /// Where the callback goes (default: the sandbox's own `/_sandbox/sink`).
    backref: Option<String>,
}

/// A refusal: `{"error": ...}` with a status, as the control API answers.
struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({"error": self.1}))).into_response()
    }
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal(status, message.into())
}

/// The signed form.
struct SignedForm {
    /// Where the browser posts it (`cgi_link`).
    action: String,
    /// The fields in order, P_SIGN last.
    fields: Vec<(&'static str, String)>,
}

fn signed_form(c: &Control, req: &Start) -> Result<SignedForm, Refusal> {
    let amount_text = req.amount.as_deref().unwrap_or("10.00").trim();
    let amount = Money::parse_major(amount_text, Currency::AZN)
        .ok()
        .filter(|m| m.is_positive())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "amount: a positive AZN amount, e.g. 10.00"))?;
    let trtype = match req.trtype.unwrap_or(1) {
        t @ (0 | 1) => t,
        _ => {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "trtype: 1 (purchase) or 0 (pre-authorization)",
            ));
        }
    };
    let base = &c.shared.base_url;
    let backref = req.backref.clone().unwrap_or_else(|| format!("{base}/_sandbox/sink"));
    let description = req.description.clone().unwrap_or_else(|| "console test".to_owned());
    let mut f: Vec<(&'static str, String)> = vec![
        ("AMOUNT", amount.to_major_string()),
        ("CURRENCY", "AZN".to_owned()),
        // Digits only, unique enough for a session of tests.
        ("ORDER", random_digits(12)),
        ("DESC", description),
        ("MERCH_NAME", "Sandbox console".to_owned()),
        ("MERCH_URL", format!("{base}/")),
        ("TERMINAL", crate::azericard::TEST_TERMINAL.to_owned()),
        ("TRTYPE", trtype.to_string()),
        ("COUNTRY", "AZ".to_owned()),
        ("MERCH_GMT", "+4".to_owned()),
        ("TIMESTAMP", c.providers.azericard.gateway_timestamp()),
        ("NONCE", random_hex_upper(32).to_lowercase()),
        ("BACKREF", backref),
        ("LANG", "EN".to_owned()),
    ];
    let source = mac_source(fields::AUTHORIZATION, |n| {
        f.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str())
    });
    let p_sign =
        sign(&source).ok_or_else(|| refuse(StatusCode::INTERNAL_SERVER_ERROR, "the merchant test key did not load"))?;
    if !c.providers.azericard.merchant_key_verifies(&source, &p_sign) {
        return Err(refuse(
            StatusCode::CONFLICT,
            "this sandbox verifies P_SIGN with another merchant key (--azericard-merchant-public-key): \
             start AzeriCard payments from your shop",
        ));
    }
    f.push(("P_SIGN", p_sign));
    Ok(SignedForm {
        action: format!("{base}/azericard/cgi-bin/cgi_link"),
        fields: f,
    })
}

/// Lower-case hex RSA-SHA256 (PKCS#1 v1.5) with the merchant test key.
fn sign(source: &str) -> Option<String> {
    let der = pem_to_der(MERCHANT_TEST_KEY_PEM)?;
    let pair = KeyPair::from_der(&der).ok()?;
    let mut sig = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        source.as_bytes(),
        &mut sig,
    )
    .ok()?;
    Some(payments_core::crypto::hex_lower(&sig))
}

/// `POST`: `{action, method, order, fields: [[name, value], ...]}`.
pub(crate) async fn start_json(Ax(c): Ax<Arc<Control>>, body: Bytes) -> Response {
    let req: Start = match optional_json(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    match signed_form(&c, &req) {
        Ok(SignedForm { action, fields: f }) => {
            let order = f.iter().find(|(k, _)| *k == "ORDER").map(|(_, v)| v.clone());
            tracing::info!(order = order.as_deref().unwrap_or(""), "azericard: console form signed");
            let pairs: Vec<Value> = f.iter().map(|(k, v)| json!([k, v])).collect();
            axum::Json(json!({"action": action, "method": "POST", "order": order, "fields": pairs})).into_response()
        }
        Err(r) => r.into_response(),
    }
}

/// `GET ?amount=&trtype=`: a page whose form posts itself to `cgi_link`
/// (a button too, for a browser without scripts).
pub(crate) async fn start_page(Ax(c): Ax<Arc<Control>>, Query(req): Query<Start>) -> Response {
    match signed_form(&c, &req) {
        Ok(SignedForm { action, fields: f }) => {
            let inputs: String = f
                .iter()
                .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", html_escape(v)))
                .collect();
            Html(format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>To AzeriCard</title></head><body>\
                 <form id=\"azericard-form\" method=\"post\" action=\"{}\">{inputs}\
                 <button id=\"start-page\" type=\"submit\">Continue to the AzeriCard page</button></form>\
                 <script>document.getElementById('azericard-form').submit();</script></body></html>",
                html_escape(&action)
            ))
            .into_response()
        }
        Err(r) => r.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_key_signs_what_the_default_public_key_verifies() {
        let sig = sign("4100005AZN817201234").unwrap();
        assert_eq!(sig.len(), 512);
        let der = pem_to_der(crate::azericard::DEFAULT_MERCHANT_PUBLIC_KEY_PEM).unwrap();
        let key = aws_lc_rs::signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der);
        let raw = payments_core::crypto::hex_decode(sig.as_bytes()).unwrap();
        assert!(key.verify(b"4100005AZN817201234", &raw).is_ok());
        assert!(key.verify(b"4100006AZN817201234", &raw).is_err());
    }
}
