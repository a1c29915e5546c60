//! AzeriCard end to end: the client crate (through the `payments` facade)
//! against the sandbox's independent reading of the same spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::azericard::{AzericardClient, AzericardConfig, FollowUpRequest, GatewayPublicKey, MerchantKey};
use payments::{
    AnyProvider, CreatePayment, Currency, Error, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use payments_sandbox::Sandbox;
use payments_sandbox::azericard as sandbox_azericard;
use payments_tests::receiver::Receiver;

const MERCHANT_KEY: &[u8] = include_bytes!("../../crates/azericard/tests/data/azericard-test-key.pem");

struct Setup {
    sandbox: Sandbox,
    provider: Arc<AnyProvider>,
    receiver: Receiver,
    web: reqwest::Client,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let gateway =
        GatewayPublicKey::from_pem(sandbox.providers().azericard.gateway_public_key_pem().as_bytes()).unwrap();
    // The receiver needs the client and the client needs the receiver's URL:
    // the receiver verifies through a slot filled once the client exists.
    let slot: Arc<std::sync::OnceLock<Arc<AnyProvider>>> = Arc::new(std::sync::OnceLock::new());
    let verifier = slot.clone();
    let receiver = Receiver::start(Arc::new(move |body: &[u8]| match verifier.get() {
        Some(p) => p.verify_callback(body),
        None => Err(Error::malformed_callback("client not ready")),
    }))
    .await
    .unwrap();
    let config = AzericardConfig::builder(sandbox_azericard::TEST_TERMINAL)
        .mpi_base_url(sandbox.azericard_url())
        .mt_base_url(sandbox.azericard_url())
        .merchant_key(MerchantKey::from_pem(MERCHANT_KEY).unwrap())
        .gateway_public_key(gateway)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .merchant_email("shop@example.az")
        .callback_url(&receiver.url)
        .build()
        .unwrap();
    let provider = Arc::new(AnyProvider::from(AzericardClient::new(config).unwrap()));
    let _ = slot.set(provider.clone());
    Setup {
        sandbox,
        provider,
        receiver,
        web: reqwest::Client::new(),
    }
}

fn azericard(provider: &AnyProvider) -> &AzericardClient {
    match provider {
        AnyProvider::Azericard(c) => c,
        other => panic!("not AzeriCard: {other:?}"),
    }
}

/// The customer's browser: posts the signed form, lands on the gateway's
/// page, presses a button. Returns the page's outcome header.
async fn checkout(s: &Setup, order: &str, amount: Money, hold: bool, card: &str) -> String {
    let request = CreatePayment::new(order, amount)
        .description(format!("Order {order}"))
        .authorize_only(hold);
    let (url, fields) = match s.provider.create_payment(&request).await.unwrap() {
        PaymentOutcome::RequiresFormPost { url, fields } => (url, fields),
        other => panic!("expected a form post, got {other:?}"),
    };
    assert_eq!(url, format!("{}/cgi-bin/cgi_link", s.sandbox.azericard_url()));
    let landed = s.web.post(&url).form(&fields).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    assert!(
        landed.headers().get("x-azericard-response-code").is_none(),
        "the gateway rejected the form"
    );
    let page = landed.url().clone();
    let pressed = s
        .web
        .post(page)
        .form(&[("action", "approve"), ("card", card)])
        .send()
        .await
        .unwrap();
    pressed
        .headers()
        .get("x-sandbox-outcome")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn preauthorize_callback_complete_status_refund() {
    let s = setup().await;
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    assert_eq!(
        checkout(&s, "000000123456", amount, true, "4111111111111111").await,
        "approved"
    );

    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0].verified.as_ref().expect("the gateway-signed callback verifies");
    assert_eq!(event.claimed().status, PaymentStatus::Authorized);
    payments::callback::ensure_matches(
        event.claimed().order_id.as_deref(),
        event.claimed().amount,
        "000000123456",
        amount,
    )
    .unwrap();

    // Replaying the same callback is refused (its NONCE was seen).
    let replay = s.provider.verify_callback(&got[0].body);
    assert!(matches!(replay, Err(Error::ReplayedCallback { .. })), "{replay:?}");

    // The fields a completion needs come from the callback's form.
    let form: Vec<(String, String)> = url_pairs(&got[0].body);
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    let (rrn, int_ref) = (field("RRN"), field("INT_REF"));

    let client = azericard(&s.provider);
    let done = client
        .complete(&FollowUpRequest::completion("000000123456", amount, &rrn, &int_ref))
        .await
        .unwrap();
    assert_eq!(done.code, payments::azericard::GatewayCode::Success, "{done:?}");

    let payment = PaymentRef::order("000000123456")
        .with_amount(amount)
        .with_extra("RRN", &rrn)
        .with_extra("INT_REF", &int_ref)
        .with_extra("TRTYPE", "21");
    let status = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded, "{status:?}");

    let part = Money::parse_major("4.00", Currency::AZN).unwrap();
    let refund = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), part))
        .await
        .unwrap();
    assert!(matches!(refund, OperationOutcome::Accepted { .. }), "{refund:?}");
    // More than what is left: the gateway's code 2 is a refusal, never a success.
    let too_much = Money::parse_major("6.51", Currency::AZN).unwrap();
    let refused = s.provider.refund(&RefundRequest::partial(payment, too_much)).await;
    assert!(!matches!(refused, Ok(OperationOutcome::Accepted { .. })), "{refused:?}");
}

#[tokio::test]
async fn purchase_declined_by_card_is_a_value() {
    let s = setup().await;
    let amount = Money::parse_major("3.00", Currency::AZN).unwrap();
    assert_eq!(
        checkout(&s, "000000123457", amount, false, "4000000000000002").await,
        "declined"
    );
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0].verified.as_ref().expect("a signed decline verifies");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
}

#[tokio::test]
async fn purchase_then_cancel_by_reversal() {
    let s = setup().await;
    let amount = Money::parse_major("7.25", Currency::AZN).unwrap();
    assert_eq!(
        checkout(&s, "000000123458", amount, false, "4111111111111111").await,
        "approved"
    );
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(
        got[0].verified.as_ref().unwrap().claimed().status,
        PaymentStatus::Succeeded
    );
    let form = url_pairs(&got[0].body);
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
    let payment = PaymentRef::order("000000123458")
        .with_amount(amount)
        .with_extra("RRN", field("RRN"))
        .with_extra("INT_REF", field("INT_REF"));
    let cancelled = s.provider.cancel(&payment).await.unwrap();
    assert!(matches!(cancelled, OperationOutcome::Accepted { .. }), "{cancelled:?}");
}

#[tokio::test]
async fn a_tampered_callback_is_rejected() {
    let s = setup().await;
    let amount = Money::parse_major("1.00", Currency::AZN).unwrap();
    checkout(&s, "000000123459", amount, false, "4111111111111111").await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let text = String::from_utf8(got[0].body.to_vec()).unwrap();
    let tampered = text.replacen("AMOUNT=1.00", "AMOUNT=100.00", 1);
    assert_ne!(tampered, text, "the callback carries AMOUNT=1.00: {text}");
    payments_core::conformance::forged_callback_is_rejected(s.provider.as_ref(), tampered.as_bytes());
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    payments_core::callback::parse_form(body).unwrap()
}
