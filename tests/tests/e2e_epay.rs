//! ePay (Halyk Bank) end to end: the client crate (through the `payments`
//! facade) against the sandbox's independent reading of the same spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::epay_kz::{ChargeRequest, EpayClient, EpayConfig};
use payments::{
    AnyProvider, CreatePayment, Currency, Error, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use payments_sandbox::Sandbox;
use payments_sandbox::epay::{self as sandbox_epay, cards};
use payments_tests::receiver::Receiver;

struct Setup {
    sandbox: Sandbox,
    provider: Arc<AnyProvider>,
    receiver: Receiver,
    web: reqwest::Client,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let state = &sandbox.providers().epay;
    let config = EpayConfig::builder(
        sandbox_epay::TEST_CLIENT_ID,
        sandbox_epay::TEST_CLIENT_SECRET,
        sandbox_epay::TEST_TERMINAL,
    )
    .oauth_url(state.token_url())
    .api_url(state.api_url())
    .invoice_search_url(state.invoice_search_url())
    .widget_script_url(state.widget_script_url())
    .callback_key("merchant-callback-key")
    .build()
    .unwrap();
    let provider = Arc::new(AnyProvider::from(EpayClient::new(config).unwrap()));
    let verifier = provider.clone();
    let receiver = Receiver::start(Arc::new(move |body: &[u8]| verifier.verify_callback(body)))
        .await
        .unwrap();
    Setup {
        sandbox,
        provider,
        receiver,
        web: reqwest::Client::new(),
    }
}

fn epay(provider: &AnyProvider) -> &EpayClient {
    match provider {
        AnyProvider::EpayKz(c) => c,
        other => panic!("not ePay: {other:?}"),
    }
}

/// Creates a widget payment and returns the `halyk.pay` object.
async fn create(s: &Setup, invoice: &str, amount: Money) -> serde_json::Value {
    let request = CreatePayment::new(invoice, amount)
        .description("Order at Test Shop")
        .callback_url(&s.receiver.url);
    match s.provider.create_payment(&request).await.unwrap() {
        PaymentOutcome::RequiresWidget { script_url, payload } => {
            assert_eq!(script_url, s.sandbox.providers().epay.widget_script_url());
            payload
        }
        other => panic!("expected a widget, got {other:?}"),
    }
}

/// What the payer does in the sandbox's payment page.
async fn press(s: &Setup, button_url: String, object: &serde_json::Value, card: &str) -> serde_json::Value {
    let token = object["auth"]["access_token"].as_str().unwrap();
    let invoice = object["invoiceId"].as_str().unwrap();
    let resp = s
        .web
        .post(button_url)
        .header("accept", "application/json")
        .form(&[("invoiceId", invoice), ("token", token), ("card", card)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn widget_approve_postlink_status_charge_refund() {
    let s = setup().await;
    let amount = Money::parse_major("150.00", Currency::KZT).unwrap();
    let object = create(&s, "000001001", amount).await;
    assert_eq!(object["invoiceId"], "000001001");
    assert_eq!(object["terminal"], sandbox_epay::TEST_TERMINAL);

    let page = press(&s, s.sandbox.providers().epay.approve_url(), &object, cards::VISA_OK).await;
    assert_eq!(page["code"], "ok", "{page}");

    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0]
        .verified
        .as_ref()
        .expect("the postLink verifies by its secret_hash");
    // postLink says only "ok" (approved); whether funds are held or captured
    // depends on the terminal, which is what the status check below tells.
    assert_eq!(event.claimed().status, PaymentStatus::Succeeded);
    payments::callback::ensure_matches(
        event.claimed().order_id.as_deref(),
        event.claimed().amount,
        "000001001",
        amount,
    )
    .unwrap();
    let transaction = event.claimed().transaction_id.clone().unwrap();

    // The test terminal is two-step: approval holds the funds.
    let held = s
        .provider
        .payment_status(&PaymentRef::order("000001001"))
        .await
        .unwrap();
    assert_eq!(held.status, PaymentStatus::Authorized);
    assert_eq!(held.transaction_id.as_deref(), Some(transaction.as_str()));
    assert_eq!(held.amount, Some(amount));

    epay(&s.provider)
        .charge(&ChargeRequest::full(&transaction))
        .await
        .unwrap();
    let charged = s
        .provider
        .payment_status(&PaymentRef::order("000001001"))
        .await
        .unwrap();
    assert_eq!(charged.status, PaymentStatus::Succeeded);

    // Below ePay's 10 KZT minimum: refused before anything is sent.
    let tiny = Money::parse_major("5.00", Currency::KZT).unwrap();
    let err = s
        .provider
        .refund(&RefundRequest::partial(PaymentRef::transaction(&transaction), tiny))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");

    let part = Money::parse_major("50.00", Currency::KZT).unwrap();
    let refund = RefundRequest::partial(PaymentRef::transaction(&transaction), part).with_refund_id("refund-1");
    let outcome = s.provider.refund(&refund).await.unwrap();
    assert!(matches!(outcome, OperationOutcome::Accepted { .. }), "{outcome:?}");
    let after = s
        .provider
        .payment_status(&PaymentRef::order("000001001"))
        .await
        .unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
    assert_eq!(after.amount, Some(Money::parse_major("100.00", Currency::KZT).unwrap()));

    // More than what remains: the provider's 400 is a provider error.
    let too_much = Money::parse_major("100.01", Currency::KZT).unwrap();
    let err = s
        .provider
        .refund(&RefundRequest::partial(PaymentRef::transaction(&transaction), too_much))
        .await
        .unwrap_err();
    assert_eq!(err.provider_code(), Some("4"), "{err:?}");
}

#[tokio::test]
async fn cancel_releases_an_authorization() {
    let s = setup().await;
    let amount = Money::parse_major("20.00", Currency::KZT).unwrap();
    let object = create(&s, "000001002", amount).await;
    press(
        &s,
        s.sandbox.providers().epay.approve_url(),
        &object,
        cards::MASTERCARD_OK,
    )
    .await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let transaction = got[0]
        .verified
        .as_ref()
        .unwrap()
        .claimed()
        .transaction_id
        .clone()
        .unwrap();
    let outcome = s.provider.cancel(&PaymentRef::transaction(&transaction)).await.unwrap();
    assert!(matches!(outcome, OperationOutcome::Accepted { .. }));
    let status = s
        .provider
        .payment_status(&PaymentRef::order("000001002"))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Cancelled);
}

#[tokio::test]
async fn a_declined_card_reaches_the_failure_post_link_and_reads_declined() {
    let s = setup().await;
    let amount = Money::parse_major("30.00", Currency::KZT).unwrap();
    let object = create(&s, "000001003", amount).await;
    let page = press(
        &s,
        s.sandbox.providers().epay.approve_url(),
        &object,
        cards::DECLINE_INSUFFICIENT_FUNDS,
    )
    .await;
    assert_eq!(page["code"], "error", "{page}");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0].verified.as_ref().expect("a failure postLink verifies");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
    let status = s.provider.payment_status(&PaymentRef::order("000001003")).await;
    payments_core::conformance::declined_status_is_ok(&status);
}

#[tokio::test]
async fn an_expired_service_token_is_refreshed_after_the_server_answers_401() {
    let s = setup().await;
    let amount = Money::parse_major("40.00", Currency::KZT).unwrap();
    let object = create(&s, "000001004", amount).await;
    press(&s, s.sandbox.providers().epay.approve_url(), &object, cards::VISA_OK).await;
    s.receiver.wait_for(1, Duration::from_secs(5)).await;
    // The first status call caches a service token.
    s.provider
        .payment_status(&PaymentRef::order("000001004"))
        .await
        .unwrap();
    // The sandbox's clock moves past the token's 900 s; the client's own clock
    // does not, so it still holds the token and learns of the expiry by a 401.
    s.sandbox.clock().advance(Duration::from_secs(901));
    let status = s
        .provider
        .payment_status(&PaymentRef::order("000001004"))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Authorized);
}

#[tokio::test]
async fn a_forged_post_link_is_rejected() {
    let s = setup().await;
    let amount = Money::parse_major("60.00", Currency::KZT).unwrap();
    let object = create(&s, "000001005", amount).await;
    press(&s, s.sandbox.providers().epay.approve_url(), &object, cards::VISA_OK).await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let genuine: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();

    let mut forged = genuine.clone();
    forged["secret_hash"] = serde_json::Value::String("guessed".into());
    payments_core::conformance::forged_callback_is_rejected(s.provider.as_ref(), forged.to_string().as_bytes());

    // The right hash of another invoice does not authenticate this one.
    let mut moved = genuine.clone();
    moved["invoiceId"] = serde_json::Value::String("000009999".into());
    assert!(s.provider.verify_callback(moved.to_string().as_bytes()).is_err());
}
