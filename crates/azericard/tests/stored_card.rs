#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Stored-card, MIT and recurring flows (srustamov only [U]): exact form
//! fields, exact server-to-server bodies, P_SIGN vectors A5-A7, answers.

mod common;

use azericard::operations::authorization::build_authorization;
use azericard::{AuthorizationRequest, FollowUpOutcome, StoredCardCharge};
use common::*;
use payments_core::{Currency, Error, Money};
use time::macros::{date, datetime};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN_CGI: &str = "/azericard/token/cgi_link";
const TOKEN: &str = "1234567890123456789012345678";
const A5_P_SIGN: &str = "4179602dd8c1ee6b95325ce0da6e1224784ec5146057e14b9427a86f6f03cd594f17a358df0d2eb9d733c68077272e077109f04470a930f0344ba60ba6a59fe411ef190260cc98c5f56bd3b41a9c067f40e457bceba9c668463f381ff4a9afcdb4a339c38dc34cf3d9c86bed88be5fe396a4045d39d9366aacbcf832857269af22dba4f17ee2586631b7c3189a907845d973b0e96730693fbbc10cd34a6deec43ffe02c2e6df5a7930197d1d7e14b3d06dbe590d96f10ab6eed971ea79e33b88969505ebc9b9e8d73596c7fd2b010f864b3047757415b746444efcaf36495ed030ec1af5d070433f1f87407d1a3b2bc67c8e915ddc7ff86427b20a429cb07e8a";
const A6_P_SIGN: &str = "3a713facb400c625e5b6695464406182afbc0d014cb8fb7c19e3f16f15bdcf09013ff0e352505e0ac37fa7a5658a29100465c637a38c2ff3d147031a1beac4d3b0b7acf9187e3843ae0b3e10e113f858589ec15c5fd5d3ac0fb34d18eb724053fdb3a7dee6cd7926f2acf09cfbe1a552af62e9d007695b71c7f8e43ce3ec6f3addd26e52fb6cb57d54f4f53d50ee0f4fbd8f660937f6a2796c5bf0d5ba05f7faf85f79c0e4ba833b748bd8e61bd0529a51118638d1d333ab258d97dd896180d70d93ad360529bde01398d5dd92794621d49cefdb9a9d54a0aa1b6a60c7fa2173ad7ab6857ef6ceb612c732728bca0628d4873b2d9235b95ea36513f36b46f233";
const A7_P_SIGN: &str = "9d52aa1f61cd454ff7621fbb500bc28a84d9f9e2f6f76c1ff527c51cd9a38d7c5d46ca0fcf7a1d80e04bd619740adcd7a7528534b91f01b131caa3fe415484074b0651e6ce71c0c32089f538ec1b42a673cc2317413e287e83fdc16f8fdb7c660bbf39be2e8dd5297f86a7e3f54e184ab1709a26dafa214e307c05335bf62e049b119b5f96863270943c903a5877b28bae6b1dab6eefb607f78c97de383caa2fea3beb4106741e3222cd20651f762f60d587d45fb007fa86b78dca6d29449e86bf7e842c813429376f1a55728f01e4f80f5ce506fefbc0ac3980003f6f326831b2164c6e6f09cdc610c5bd4afada6d9f9b6fd5b8afb62cce3376c24e9dadbe53";

fn azn(minor: i64) -> Money {
    Money::from_minor(minor, Currency::AZN)
}

async fn gateway(answer: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_CGI))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer.to_owned()))
        .mount(&server)
        .await;
    server
}

fn a5_charge() -> StoredCardCharge {
    StoredCardCharge::unscheduled("100002", azn(2500), TOKEN, "NETREF123456")
        .merchant_rn_id("abcdef0123456789")
        .timestamp(datetime!(2025-01-02 09:00 UTC))
        .nonce("0a1b2c3d4e5f6071")
}

#[tokio::test]
async fn a5_unscheduled_mit_charge_exact_body() {
    let server = gateway("0").await;
    let client = client_at(&server.uri(), &clock());
    let out = client.charge_stored_card(&a5_charge()).await.unwrap();
    assert_eq!(out.outcome, FollowUpOutcome::Accepted);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let expected = pairs(&[
        ("AMOUNT", "25.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100002"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "1"),
        ("MERCH_URL", "https://shop.example"),
        ("TIMESTAMP", "20250102090000"),
        ("NONCE", "0a1b2c3d4e5f6071"),
        ("MERCH_TRAN_STATE", "M"),
        ("EXT_NET_REF", "NETREF123456"),
        ("MERCH_RN_ID", "abcdef0123456789"),
        ("TOKEN", TOKEN),
        ("P_SIGN", A5_P_SIGN),
    ]);
    assert_eq!(requests[0].body, encode(&expected).into_bytes());
    let src = azericard::signature::mac_source_of_pairs(azericard::signature::AUTHORIZATION_FIELDS, &expected);
    assert_eq!(
        src,
        "525.003AZN817201234111420250102090000160a1b2c3d4e5f607120https://shop.example"
    );
}

#[tokio::test]
async fn a6_scheduled_recurring_charge_is_trtype_3_without_mit_state() {
    let server = gateway("0").await;
    let client = client_at(&server.uri(), &clock());
    let charge = StoredCardCharge::recurring("100002", azn(2500), TOKEN, "NETREF123456")
        .timestamp(datetime!(2025-01-02 09:00 UTC))
        .nonce("0a1b2c3d4e5f6071");
    client.charge_stored_card(&charge).await.unwrap();
    let expected = pairs(&[
        ("AMOUNT", "25.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100002"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "3"),
        ("MERCH_URL", "https://shop.example"),
        ("TIMESTAMP", "20250102090000"),
        ("NONCE", "0a1b2c3d4e5f6071"),
        ("EXT_NET_REF", "NETREF123456"),
        ("TOKEN", TOKEN),
        ("P_SIGN", A6_P_SIGN),
    ]);
    assert_eq!(
        server.received_requests().await.unwrap()[0].body,
        encode(&expected).into_bytes()
    );
}

#[tokio::test]
async fn charge_answers_duplicate_decline_and_faults() {
    for (body, outcome) in [
        ("1", Some(FollowUpOutcome::Duplicate)),
        ("ACTION=1", Some(FollowUpOutcome::Duplicate)),
        ("ACTION=0&RC=00", Some(FollowUpOutcome::Accepted)),
    ] {
        let server = gateway(body).await;
        let client = client_at(&server.uri(), &clock());
        assert_eq!(
            client.charge_stored_card(&a5_charge()).await.unwrap().outcome,
            outcome.unwrap()
        );
    }
    let server = gateway("ACTION=2&RC=51").await;
    let client = client_at(&server.uri(), &clock());
    let out = client.charge_stored_card(&a5_charge()).await.unwrap();
    assert!(matches!(out.outcome, FollowUpOutcome::Declined { ref rc, .. } if rc.as_deref() == Some("51")));
    for body in ["ACTION=3", "9"] {
        let server = gateway(body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client.charge_stored_card(&a5_charge()).await.unwrap_err();
        assert!(err.outcome_unknown(), "{body}: {err}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "never resent");
    }
}

#[tokio::test]
async fn charge_input_is_checked_and_the_token_never_shows() {
    let client = client_at("http://127.0.0.1:9", &clock());
    let short = StoredCardCharge::unscheduled("100002", azn(2500), "short", "NETREF123456");
    assert!(matches!(
        client.charge_stored_card(&short).await,
        Err(Error::InvalidInput { ref field, .. }) if field == "token"
    ));
    let debug = format!("{:?}", a5_charge());
    assert!(!debug.contains(TOKEN), "{debug}");
}

#[test]
fn a7_recurring_registration_form() {
    let request = AuthorizationRequest::register_for_recurring_charges(
        "100003",
        azn(1),
        "Subscription",
        30,
        date!(2027 - 12 - 31),
    )
    .merchant_rn_id("abcdef0123456789")
    .timestamp(datetime!(2025-01-02 08:00 UTC))
    .nonce("abcdef0123456789")
    .language("az");
    let form = build_authorization(&config(), &request).unwrap();
    assert_eq!(form.url, "https://testmpi.3dsecure.az/azericard/token/cgi_link");
    let expected = pairs(&[
        ("AMOUNT", "0.01"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100003"),
        ("DESC", "Subscription"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", TERMINAL),
        ("EMAIL", "shop@example.az"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", "20250102080000"),
        ("NONCE", "abcdef0123456789"),
        ("BACKREF", "https://shop.example/azericard/callback"),
        ("LANG", "az"),
        ("TOKEN_ACTION", "REGISTER"),
        ("MERCH_TRAN_STATE", "S"),
        ("MERCH_RN_ID", "abcdef0123456789"),
        ("MIT_AGREEMENT", "Y"),
        ("RECUR_FREQ", "30"),
        ("RECUR_EXP", "20271231"),
        ("P_SIGN", A7_P_SIGN),
    ]);
    assert_eq!(form.fields, expected);
}

#[test]
fn unscheduled_registration_and_cardholder_initiated_forms() {
    let reg = AuthorizationRequest::register_for_unscheduled_charges("100004", azn(100), "Card on file")
        .timestamp(datetime!(2025-01-02 08:00 UTC))
        .nonce("abcdef0123456789");
    let form = build_authorization(&config(), &reg).unwrap();
    assert_eq!(form.field("TRTYPE"), Some("1"));
    assert_eq!(form.field("TOKEN_ACTION"), Some("REGISTER"));
    assert_eq!(form.field("MERCH_TRAN_STATE"), Some("S"));
    assert_eq!(form.field("MIT_AGREEMENT"), Some("N"));
    let rn = form.field("MERCH_RN_ID").unwrap();
    assert!(rn.len() == 16 && rn.bytes().all(|b| b.is_ascii_hexdigit()), "{rn}");
    assert_eq!(form.field("RECUR_FREQ"), None);

    let cit = AuthorizationRequest::purchase("100005", azn(100), "Order")
        .with_card_token(TOKEN)
        .cardholder_initiated();
    let form = build_authorization(&config(), &cit).unwrap();
    assert_eq!(form.url, "https://testmpi.3dsecure.az/azericard/token/cgi_link");
    assert_eq!(form.field("MERCH_TRAN_STATE"), Some("C"));
    assert_eq!(form.field("TOKEN"), Some(TOKEN));
    assert!(!format!("{form:?}").contains(TOKEN));
    // A saved-card form never becomes a core PaymentOutcome, whose Debug prints fields.
    assert!(matches!(form.into_outcome(), Err(Error::InvalidInput { .. })));

    // Misuse is a typed error naming the field.
    let bad = AuthorizationRequest::purchase("100005", azn(100), "Order").cardholder_initiated();
    assert!(build_authorization(&config(), &bad).is_err());
    let bad = AuthorizationRequest::register_for_recurring_charges("100006", azn(1), "Sub", 0, date!(2027 - 12 - 31));
    assert!(matches!(
        build_authorization(&config(), &bad),
        Err(Error::InvalidInput { ref field, .. }) if field == "frequency_days"
    ));
}
