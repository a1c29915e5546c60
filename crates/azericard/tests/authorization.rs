#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Authorization and card-token form posts: exact fields, P_SIGN, HTML.

mod common;

use azericard::operations::authorization::build_authorization;
use azericard::{AuthorizationRequest, AzericardConfig, CurrencyFormat};
use common::*;
use payments_core::{CreatePayment, Currency, Error, Money, PaymentOutcome, PaymentProvider};
use time::macros::datetime;

fn a1_request() -> AuthorizationRequest {
    AuthorizationRequest::purchase("100001", Money::from_minor(1050, Currency::AZN), "Order 100001")
        .timestamp(datetime!(2025-01-01 12:00 UTC))
        .nonce("f2b2dd7e603a7ada1234567890abcdef")
        .language("az")
}

#[test]
fn a1_form_has_exact_fields_and_p_sign() {
    let form = build_authorization(&config(), &a1_request()).unwrap();
    assert_eq!(form.url, "https://testmpi.3dsecure.az/azericard/cgi-bin/cgi_link");
    let expected = pairs(&[
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100001"),
        ("DESC", "Order 100001"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", "17201234"),
        ("EMAIL", "shop@example.az"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", "20250101120000"),
        ("NONCE", "f2b2dd7e603a7ada1234567890abcdef"),
        ("BACKREF", "https://shop.example/azericard/callback"),
        ("LANG", "az"),
        ("P_SIGN", A1_P_SIGN),
    ]);
    assert_eq!(form.fields, expected);
}

#[test]
fn default_host_is_the_test_mpi() {
    let config = AzericardConfig::builder(TERMINAL)
        .merchant_key(key())
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/cb")
        .build()
        .unwrap();
    let form = build_authorization(&config, &a1_request()).unwrap();
    assert_eq!(form.url, "https://testmpi.3dsecure.az/cgi-bin/cgi_link");
    assert_eq!(form.field("P_SIGN"), Some(A1_P_SIGN));
    assert_eq!(
        form.field("EMAIL"),
        None,
        "absent optional fields are omitted, never `None`"
    );
}

#[test]
fn pre_authorization_is_trtype_0_and_signed_as_such() {
    let req = AuthorizationRequest::pre_authorization("100001", Money::from_minor(1050, Currency::AZN), "Order 100001")
        .timestamp(datetime!(2025-01-01 12:00 UTC))
        .nonce("f2b2dd7e603a7ada1234567890abcdef");
    let form = build_authorization(&config(), &req).unwrap();
    assert_eq!(form.field("TRTYPE"), Some("0"));
    let src = azericard::signature::mac_source_of_pairs(azericard::signature::AUTHORIZATION_FIELDS, &form.fields);
    assert_eq!(
        src,
        "510.503AZN81720123410142025010112000032f2b2dd7e603a7ada1234567890abcdef20https://shop.example"
    );
    azericard::signature::verify_mac(&gateway_key(), &src, form.field("P_SIGN").unwrap()).unwrap();
    assert_ne!(form.field("P_SIGN"), Some(A1_P_SIGN));
}

#[test]
fn token_flows_go_to_the_token_endpoint_with_the_same_p_sign() {
    let register = build_authorization(&config(), &a1_request().register_card()).unwrap();
    assert_eq!(register.url, "https://testmpi.3dsecure.az/azericard/token/cgi_link");
    assert_eq!(register.field("TOKEN_ACTION"), Some("REGISTER"));
    assert_eq!(register.field("P_SIGN"), Some(A1_P_SIGN));

    let token = "T".repeat(28);
    let pay = build_authorization(&config(), &a1_request().with_card_token(token.clone())).unwrap();
    assert_eq!(pay.url, "https://testmpi.3dsecure.az/azericard/token/cgi_link");
    assert_eq!(pay.field("TOKEN"), Some(token.as_str()));
    assert_eq!(pay.field("TOKEN_ACTION"), None);
    assert_eq!(pay.field("P_SIGN"), Some(A1_P_SIGN));
    assert!(!format!("{:?}", a1_request().with_card_token(token.clone())).contains(&token));
}

#[test]
fn html_escapes_every_value() {
    let req = AuthorizationRequest::purchase(
        "100001",
        Money::from_minor(1050, Currency::AZN),
        "Tom's \"best\" <script>&",
    )
    .timestamp(datetime!(2025-01-01 12:00 UTC))
    .nonce("f2b2dd7e603a7ada1234567890abcdef");
    let form = build_authorization(&config(), &req).unwrap();
    let html = form.to_html();
    assert!(
        html.contains("<input type=\"hidden\" name=\"DESC\" value=\"Tom&#39;s &quot;best&quot; &lt;script&gt;&amp;\">")
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("action=\"https://testmpi.3dsecure.az/azericard/cgi-bin/cgi_link\""));
    assert!(html.contains(&format!("name=\"P_SIGN\" value=\"{}\"", form.field("P_SIGN").unwrap())));
    assert_eq!(html.matches("<input type=\"hidden\"").count(), form.fields.len());
}

#[test]
fn numeric_currency_format() {
    let config = AzericardConfig::builder(TERMINAL)
        .merchant_key(key())
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/cb")
        .currency_format(CurrencyFormat::Numeric)
        .build()
        .unwrap();
    let form = build_authorization(&config, &a1_request()).unwrap();
    assert_eq!(form.field("CURRENCY"), Some("944"));
    let src = azericard::signature::mac_source_of_pairs(azericard::signature::AUTHORIZATION_FIELDS, &form.fields);
    assert!(src.starts_with("510.503944817201234"), "{src}");
}

#[test]
fn fresh_nonce_and_clock_timestamp_by_default() {
    let req = AuthorizationRequest::purchase("100001", Money::from_minor(1050, Currency::AZN), "Order");
    let a = build_authorization(&config(), &req).unwrap();
    let b = build_authorization(&config(), &req).unwrap();
    assert_eq!(a.field("TIMESTAMP"), Some("20250101120000"));
    let nonce = a.field("NONCE").unwrap();
    assert_eq!(nonce.len(), 32);
    assert!(nonce.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_ne!(a.field("NONCE"), b.field("NONCE"));
}

fn field_of(err: Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field.into_owned(),
        Error::Money(_) => "amount".to_owned(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn invalid_input_names_the_field() {
    let c = config();
    let azn = |m| Money::from_minor(m, Currency::AZN);
    let cases: Vec<(AuthorizationRequest, &str)> = vec![
        (AuthorizationRequest::purchase("12345", azn(100), "d"), "order"),
        (AuthorizationRequest::purchase("12345X", azn(100), "d"), "order"),
        (AuthorizationRequest::purchase("1".repeat(33), azn(100), "d"), "order"),
        (AuthorizationRequest::purchase("100001", azn(0), "d"), "amount"),
        (AuthorizationRequest::purchase("100001", azn(-5), "d"), "amount"),
        (
            AuthorizationRequest::purchase("100001", azn(1_000_000_000_000), "d"),
            "amount",
        ),
        (AuthorizationRequest::purchase("100001", azn(100), ""), "description"),
        (
            AuthorizationRequest::purchase("100001", azn(100), "x".repeat(51)),
            "description",
        ),
        (
            AuthorizationRequest::purchase("100001", azn(100), "d").language("aze"),
            "language",
        ),
        (
            AuthorizationRequest::purchase("100001", azn(100), "d").nonce("xyz"),
            "nonce",
        ),
        (
            AuthorizationRequest::purchase("100001", azn(100), "d").cardholder_name("A"),
            "cardholder_name",
        ),
        (
            AuthorizationRequest::purchase("100001", azn(100), "d").callback_url(""),
            "callback_url",
        ),
        (
            AuthorizationRequest::purchase("100001", azn(100), "d").with_card_token(""),
            "card_token",
        ),
    ];
    for (req, field) in cases {
        assert_eq!(field_of(build_authorization(&c, &req).unwrap_err()), field, "{req:?}");
    }
}

#[test]
fn missing_configuration_is_a_config_error() {
    let req = a1_request();
    let no_key = AzericardConfig::builder(TERMINAL).build().unwrap();
    assert!(matches!(build_authorization(&no_key, &req), Err(Error::Config { .. })));
    let no_backref = AzericardConfig::builder(TERMINAL)
        .merchant_key(key())
        .merchant_name("n")
        .merchant_url("https://shop.example")
        .build()
        .unwrap();
    assert!(matches!(
        build_authorization(&no_backref, &req),
        Err(Error::Config { .. })
    ));
    assert!(
        AzericardConfig::builder(TERMINAL)
            .merchant_url("https://şop.az")
            .build()
            .is_err(),
        "a signed field must be ASCII"
    );
}

#[tokio::test]
async fn create_payment_requires_form_post() {
    let client = client_at("https://testmpi.3dsecure.az", &clock());
    let req = CreatePayment::new("100001", Money::from_minor(1050, Currency::AZN))
        .description("Order 100001")
        .authorize_only(true)
        .callback_url("https://shop.example/other-cb");
    match client.create_payment(&req).await.unwrap() {
        PaymentOutcome::RequiresFormPost { url, fields } => {
            assert_eq!(url, "https://testmpi.3dsecure.az/azericard/cgi-bin/cgi_link");
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            assert_eq!(get("TRTYPE"), Some("0"));
            assert_eq!(get("BACKREF"), Some("https://shop.example/other-cb"));
            assert_eq!(get("AMOUNT"), Some("10.50"));
            assert_eq!(fields.last().map(|(k, _)| k.as_str()), Some("P_SIGN"));
        }
        other => panic!("expected a form post, got {other:?}"),
    }
    // A description defaults to the merchant name.
    let req = CreatePayment::new("100002", Money::from_minor(100, Currency::AZN));
    match client.create_payment(&req).await.unwrap() {
        PaymentOutcome::RequiresFormPost { fields, .. } => {
            assert!(fields.contains(&("DESC".to_owned(), "Test Shop".to_owned())));
            assert!(fields.contains(&("TRTYPE".to_owned(), "1".to_owned())));
        }
        other => panic!("expected a form post, got {other:?}"),
    }
}
