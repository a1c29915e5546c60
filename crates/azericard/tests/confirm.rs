#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Confirmation: a callback's outcome counts only when a status query binds
//! ORDER, AMOUNT, CURRENCY, RRN, INT_REF and the outcome. The forged-decline
//! attack never yields an approval, through the crate API and the trait.

mod common;

use azericard::testing::{sign_authorization_callback, status_answer_for};
use azericard::{AzericardClient, EXTRA_INT_REF, EXTRA_RRN};
use common::*;
use payments_core::{ConfirmedBy, Currency, Error, Money, PaymentProvider, PaymentStatus};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CGI: &str = "/azericard/cgi-bin/cgi_link";
const TS: &str = "20250101120000";

fn azn(minor: i64) -> Money {
    Money::from_minor(minor, Currency::AZN)
}

/// A genuine callback signed with the test key standing in for AzeriCard's.
fn callback(fields: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
    let mut all = pairs(&[
        ("ORDER", "100001"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "1"),
        ("TIMESTAMP", TS),
        ("NONCE", "aabbccddeeff00112233445566778899"),
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("ACTION", "0"),
        ("RC", "00"),
        ("APPROVAL", "123456"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
    ]);
    for (k, v) in fields {
        match all.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = (*v).to_owned(),
            None => all.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    let body = sign_authorization_callback(&key(), &all).unwrap();
    (all, body)
}

/// Replaces unsigned fields of a signed body, keeping its P_SIGN.
fn edit(body: &str, edits: &[(&str, &str)]) -> String {
    let mut fields = form_pairs(body.as_bytes());
    for (k, v) in edits {
        fields.iter_mut().find(|(name, _)| name == k).unwrap().1 = (*v).to_owned();
    }
    encode(&fields)
}

/// JSON keys of a status answer to replace, or remove (`None`).
type Edits<'a> = Vec<(&'a str, Option<&'a str>)>;

/// A status answer for `fields`, with JSON keys replaced or removed (`None`).
fn answer(fields: &[(String, String)], edits: &[(&str, Option<&str>)]) -> String {
    let mut json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&status_answer_for(fields)).unwrap();
    for (k, v) in edits {
        match v {
            Some(v) => json.insert((*k).to_owned(), serde_json::Value::String((*v).to_owned())),
            None => json.remove(*k),
        };
    }
    serde_json::Value::Object(json).to_string()
}

async fn gateway(answer: String) -> (MockServer, AzericardClient) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CGI))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer))
        .mount(&server)
        .await;
    let client = client_at(&server.uri(), &clock());
    (server, client)
}

#[tokio::test]
async fn a_genuine_approval_confirms_once_and_round_trips() {
    let (fields, body) = callback(&[]);
    let (server, client) = gateway(answer(&fields, &[])).await;
    let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
    let confirmed = client.confirm_authorization_callback(cb).await.unwrap();
    assert_eq!(confirmed.confirmed_by(), ConfirmedBy::StatusQuery);
    assert_eq!(confirmed.status(), &PaymentStatus::Succeeded);
    confirmed.ensure_paid("100001", azn(1050)).unwrap();
    assert!(confirmed.ensure_paid("100002", azn(1050)).is_err());
    assert!(
        confirmed
            .ensure_paid("100001", Money::from_minor(1050, Currency::USD))
            .is_err()
    );
    assert_eq!(
        confirmed.dedupe_key(),
        "azericard:17201234:A1B2C3D4E5F60718:412345678901"
    );
    let r = confirmed.payment_ref();
    assert_eq!(r.extra.get(EXTRA_RRN).map(String::as_str), Some("412345678901"));
    assert_eq!(r.extra.get(EXTRA_INT_REF).map(String::as_str), Some("A1B2C3D4E5F60718"));
    assert_eq!(r.amount, Some(azn(1050)));

    // Exactly one status query, for the callback's ORDER and TRTYPE.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let sent = form_pairs(&requests[0].body);
    let get = |k: &str| sent.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("ORDER"), Some("100001"));
    assert_eq!(get("TRTYPE"), Some("90"));
    assert_eq!(get("TRAN_TRTYPE"), Some("1"));
    assert_eq!(get("TERMINAL"), Some(TERMINAL));

    // The same callback again: a replay, keyed on the signed INT_REF and RRN
    // (a fresh NONCE does not help).
    let again = edit(&body, &[("NONCE", "0123456789abcdef0123456789abcdef")]);
    let cb = client.verify_authorization_callback(again.as_bytes()).unwrap();
    let err = client.confirm_authorization_callback(cb.clone()).await.unwrap_err();
    assert!(matches!(err, Error::ReplayedCallback { .. }), "{err}");
    // After the merchant forgets it (its handler failed), it confirms again.
    client.forget_callback(confirmed.dedupe_key()).await.unwrap();
    client.confirm_authorization_callback(cb).await.unwrap();
}

#[tokio::test]
async fn a_genuine_pre_authorization_confirms_as_authorized_and_captures() {
    let (fields, body) = callback(&[("TRTYPE", "0")]);
    let (server, client) = gateway(answer(&fields, &[])).await;
    let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
    let confirmed = client.confirm_authorization_callback(cb).await.unwrap();
    confirmed.ensure_authorized("100001", azn(1050)).unwrap();
    assert!(confirmed.ensure_paid("100001", azn(1050)).is_err());
    // Capture from the confirmed event's reference: TRTYPE 21 with its RRN/INT_REF.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(CGI))
        .respond_with(ResponseTemplate::new(200).set_body_string("0"))
        .mount(&server)
        .await;
    let out = client.capture(&confirmed.payment_ref(), None).await.unwrap();
    assert!(out.is_done());
    let sent = form_pairs(&server.received_requests().await.unwrap()[0].body);
    for (k, v) in [
        ("TRTYPE", "21"),
        ("ORDER", "100001"),
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
    ] {
        assert!(sent.contains(&(k.to_owned(), v.to_owned())), "{k}={v} in {sent:?}");
    }
}

/// The attack of the issue: a genuine decline, with ACTION 2->0, RC 05->00,
/// a new ORDER and a new NONCE. The signature still verifies.
fn forged_decline() -> (Vec<(String, String)>, String) {
    let (genuine, body) = callback(&[("ACTION", "2"), ("RC", "05"), ("APPROVAL", "")]);
    let forged = edit(
        &body,
        &[
            ("ACTION", "0"),
            ("RC", "00"),
            ("ORDER", "100777"),
            ("NONCE", "ffeeddccbbaa99887766554433221100"),
        ],
    );
    (genuine, forged)
}

/// What the gateway truthfully says about ORDER 100777 in each scenario.
fn truths(genuine: &[(String, String)]) -> Vec<String> {
    vec![
        // Nobody paid order 100777.
        r#"{"Merchant order id":"100777","Transaction state":"pending"}"#.to_owned(),
        // Someone else's genuine approval of order 100777 (another transaction).
        answer(
            genuine,
            &[
                ("Merchant order id", Some("100777")),
                ("ACTION", Some("0")),
                ("Response code", Some("00")),
                ("Banks approval code", Some("777777")),
                ("Transaction RRN", Some("499999999999")),
                ("INT_REF", Some("FFFF000011112222")),
            ],
        ),
        // The decline itself, looked up under its own order: another order.
        answer(genuine, &[]),
        // A lying or mixed-up answer that names the forged order and the
        // genuine transaction as approved: the empty signed APPROVAL still
        // refuses it.
        answer(
            genuine,
            &[
                ("Merchant order id", Some("100777")),
                ("ACTION", Some("0")),
                ("Response code", Some("00")),
                ("Banks approval code", Some("123456")),
            ],
        ),
    ]
}

#[tokio::test]
async fn the_forged_decline_never_yields_an_approval_through_the_crate_api() {
    let (genuine, forged) = forged_decline();
    for truth in truths(&genuine) {
        let (_server, client) = gateway(truth.clone()).await;
        // It verifies: the edited fields are not signed...
        let cb = client.verify_authorization_callback(forged.as_bytes()).unwrap();
        // ...and it carries no outcome to act on; confirmation refuses it.
        let err = client.confirm_authorization_callback(cb).await.unwrap_err();
        assert!(matches!(err, Error::Mismatch { .. }), "{truth}: {err}");
    }
}

#[tokio::test]
async fn the_forged_decline_never_yields_an_approval_through_the_trait() {
    let (genuine, forged) = forged_decline();
    for truth in truths(&genuine) {
        let (_server, client) = gateway(truth.clone()).await;
        let event = client.verify_callback(forged.as_bytes()).unwrap();
        assert!(!event.is_confirmed());
        let err = client.confirm_callback(event).await.unwrap_err();
        assert!(matches!(err, Error::Mismatch { .. }), "{truth}: {err}");
        payments_core::conformance::forged_outcome_never_succeeds(&client, forged.as_bytes()).await;
    }
}

#[tokio::test]
async fn currency_edited_azn_to_usd_fails_confirmation() {
    let (genuine, body) = callback(&[]);
    for currency in ["USD", "840", "BHD"] {
        let edited = edit(&body, &[("CURRENCY", currency)]);
        let (_server, client) = gateway(answer(&genuine, &[])).await;
        let cb = client.verify_authorization_callback(edited.as_bytes()).unwrap();
        let err = client.confirm_authorization_callback(cb).await.unwrap_err();
        assert!(
            matches!(&err, Error::Mismatch { field, .. } if field == "currency" || field == "amount"),
            "{currency}: {err}"
        );
    }
}

#[tokio::test]
async fn a_status_answer_that_disagrees_on_any_bound_field_fails_naming_it() {
    let (fields, body) = callback(&[]);
    let cases: Vec<(&str, Edits)> = vec![
        ("order", vec![("Merchant order id", Some("100002"))]),
        ("order", vec![("Merchant order id", None)]),
        ("terminal", vec![("TERMINAL", Some("17209999"))]),
        ("amount", vec![("Transaction amount", Some("10.51"))]),
        ("amount", vec![("Transaction amount", None)]),
        ("currency", vec![("Transaction currency", Some("USD"))]),
        ("currency", vec![("Transaction currency", None)]),
        ("transaction", vec![("INT_REF", Some("A1B2C3D4E5F60719"))]),
        ("transaction", vec![("INT_REF", None)]),
        ("transaction", vec![("Transaction RRN", Some("412345678902"))]),
        ("transaction", vec![("Transaction RRN", None)]),
        ("outcome", vec![("ACTION", Some("2")), ("Response code", Some("05"))]),
        ("outcome", vec![("Banks approval code", Some("654321"))]),
        ("trtype", vec![("Original transaction TRTYPE", Some("0"))]),
    ];
    for (field, edits) in cases {
        let (_server, client) = gateway(answer(&fields, &edits)).await;
        let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
        let err = client.confirm_authorization_callback(cb).await.unwrap_err();
        assert!(
            matches!(&err, Error::Mismatch { field: f, .. } if f == field),
            "{edits:?}: expected a mismatch on {field}, got {err}"
        );
    }
}

#[tokio::test]
async fn an_empty_signed_approval_or_rrn_never_confirms_as_approved() {
    for empty in ["APPROVAL", "RRN"] {
        let (fields, body) = callback(&[(empty, "")]);
        // Even a gateway answer that says "approved" for the same transaction.
        let fake = answer(
            &fields,
            &[
                ("Banks approval code", Some("123456")),
                ("Transaction RRN", Some("412345678901")),
            ],
        );
        let (_server, client) = gateway(fake).await;
        let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
        let err = client.confirm_authorization_callback(cb).await.unwrap_err();
        assert!(matches!(err, Error::Mismatch { .. }), "{empty}: {err}");
    }
}

#[tokio::test]
async fn a_genuine_decline_confirms_as_declined() {
    let (fields, body) = callback(&[("ACTION", "2"), ("RC", "05"), ("APPROVAL", "")]);
    let (_server, client) = gateway(answer(&fields, &[])).await;
    let event = client.verify_callback(body.as_bytes()).unwrap();
    let confirmed = client.confirm_callback(event).await.unwrap();
    assert_eq!(confirmed.status(), &PaymentStatus::Declined);
    assert!(confirmed.ensure_paid("100001", azn(1050)).is_err());
}

#[tokio::test]
async fn a_gateway_that_cannot_answer_leaves_the_callback_unconfirmed_and_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(CGI))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client_at(&server.uri(), &clock());
    let (fields, body) = callback(&[]);
    let cb = client.verify_authorization_callback(body.as_bytes()).unwrap();
    let err = client.confirm_authorization_callback(cb.clone()).await.unwrap_err();
    assert!(
        !matches!(err, Error::ReplayedCallback { .. } | Error::Mismatch { .. }),
        "{err}"
    );
    // The replay key was released: once the gateway answers, it confirms.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(CGI))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer(&fields, &[])))
        .mount(&server)
        .await;
    client.confirm_authorization_callback(cb).await.unwrap();
}

/// Two instances (separate clients) sharing one replay store: a callback
/// confirmed on A is refused as a replay on B.
#[tokio::test]
async fn instances_sharing_a_replay_store_refuse_each_others_replays() {
    let (fields, body) = callback(&[]);
    let (server, _) = gateway(answer(&fields, &[])).await;
    let shared: payments_core::store::SharedOnceStore =
        std::sync::Arc::new(payments_core::store::MemoryOnceStore::new());
    let instance = || {
        AzericardClient::builder(config_at(&server.uri(), &clock()))
            .http_client(fast_http())
            .clock(std::sync::Arc::new(clock()))
            .replay_store(shared.clone())
            .build()
            .unwrap()
    };
    let (a, b) = (instance(), instance());
    let cb = a.verify_authorization_callback(body.as_bytes()).unwrap();
    a.confirm_authorization_callback(cb).await.unwrap();
    let cb = b.verify_authorization_callback(body.as_bytes()).unwrap();
    let err = b.confirm_authorization_callback(cb).await.unwrap_err();
    assert!(matches!(err, Error::ReplayedCallback { .. }), "{err}");
    // Without the shared store, B would have accepted it.
    let alone = AzericardClient::builder(config_at(&server.uri(), &clock()))
        .http_client(fast_http())
        .build()
        .unwrap();
    let cb = alone.verify_authorization_callback(body.as_bytes()).unwrap();
    alone.confirm_authorization_callback(cb).await.unwrap();
}
