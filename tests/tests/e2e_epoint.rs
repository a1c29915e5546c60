//! EPoint end to end: the client crate (through the `payments` facade)
//! against the sandbox's independent reading of the same spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use payments::{
    AnyProvider, CreatePayment, Currency, Error, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use payments_tests::epoint_setup::EpointSetup as Setup;

async fn setup() -> Setup {
    Setup::start(reqwest::Client::new()).await.unwrap()
}

/// Creates a payment and returns the hosted page URL and the transaction id.
async fn create(provider: &AnyProvider, order: &str, amount: Money) -> (String, String) {
    let outcome = provider
        .create_payment(&CreatePayment::new(order, amount).description("Order at Test Shop"))
        .await;
    match outcome.unwrap() {
        PaymentOutcome::RequiresRedirect { url, provider_ref } => (url, provider_ref.unwrap()),
        other => panic!("expected a redirect, got {other:?}"),
    }
}

/// What the customer does on the hosted page.
async fn press(web: &reqwest::Client, page: &str, action: &str, card: &str) -> String {
    payments_tests::epoint_setup::press(web, page, action, card)
        .await
        .unwrap()
}

#[tokio::test]
async fn pay_approve_callback_status_partial_refund() {
    let s = setup().await;
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    let (page, transaction) = create(&s.provider, "ORD-2026-000123", amount).await;
    assert!(page.starts_with(&s.sandbox.epoint_url()), "{page}");

    // Before the customer acts, the payment is pending.
    let before = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(amount))
        .await
        .unwrap();
    assert_eq!(before.status, PaymentStatus::Pending);

    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1, "one callback delivered");
    let event = got[0].verified.as_ref().expect("the callback verifies");
    assert!(event.is_confirmed(), "EPoint signs the whole data");
    assert_eq!(event.claimed().status, PaymentStatus::Succeeded);
    // The currency came back signed in the other_attr echo; the report
    // round-trips into what a refund needs.
    assert_eq!(event.payment_ref().amount, Some(amount));
    assert_eq!(event.claimed().transaction_id.as_deref(), Some(transaction.as_str()));
    payments::callback::ensure_matches(
        event.claimed().order_id.as_deref(),
        event.claimed().amount,
        "ORD-2026-000123",
        amount,
    )
    .unwrap();
    let confirmed = event
        .clone()
        .into_confirmed()
        .expect("EPoint callbacks confirm by signature");
    confirmed.ensure_paid("ORD-2026-000123", amount).unwrap();
    assert!(
        confirmed
            .ensure_paid("ORD-2026-000123", Money::parse_major("10.51", Currency::AZN).unwrap())
            .is_err()
    );

    let status = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(amount))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(status.order_id.as_deref(), Some("ORD-2026-000123"));
    assert_eq!(status.amount, Some(amount));

    let payment = PaymentRef::transaction(&transaction).with_amount(amount);
    let partial = Money::parse_major("2.50", Currency::AZN).unwrap();
    let refund = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), partial))
        .await
        .unwrap();
    assert!(matches!(refund, OperationOutcome::Accepted { .. }), "{refund:?}");
    assert_eq!(
        s.sandbox
            .providers()
            .epoint
            .transaction(&transaction)
            .unwrap()
            .refunded
            .map(|m| m.minor()),
        Some(250)
    );

    // More than what remains is a decline, a value, and moves nothing.
    let too_much = Money::parse_major("8.01", Currency::AZN).unwrap();
    let refused = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), too_much))
        .await
        .unwrap();
    assert!(matches!(refused, OperationOutcome::Declined(_)), "{refused:?}");
    assert_eq!(
        s.sandbox
            .providers()
            .epoint
            .transaction(&transaction)
            .unwrap()
            .refunded
            .map(|m| m.minor()),
        Some(250)
    );

    // The rest, then the payment reads as refunded.
    let rest = s.provider.refund(&RefundRequest::full(payment)).await.unwrap();
    assert!(matches!(rest, OperationOutcome::Accepted { .. }), "{rest:?}");
    let after = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(amount))
        .await
        .unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_declined_card_is_a_value_in_callback_and_status() {
    let s = setup().await;
    let amount = Money::parse_major("5.00", Currency::AZN).unwrap();
    let (page, transaction) = create(&s.provider, "ORD-DECLINE-1", amount).await;
    assert_eq!(press(&s.web, &page, "approve", "4000000000000002").await, "declined");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0].verified.as_ref().expect("a signed decline verifies");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
    let status = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(amount))
        .await;
    payments_core::conformance::declined_status_is_ok(&status);
}

#[tokio::test]
async fn a_forged_or_tampered_callback_is_rejected() {
    let s = setup().await;
    let amount = Money::parse_major("1.00", Currency::AZN).unwrap();
    let (page, _) = create(&s.provider, "ORD-FORGE-1", amount).await;
    press(&s.web, &page, "approve", "4111111111111111").await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let genuine = got[0].body.to_vec();
    assert!(s.provider.verify_callback(&genuine).is_ok());

    // Flip one character of the signed data.
    let text = String::from_utf8(genuine.clone()).unwrap();
    let pos = text.find("data=").unwrap() + 10;
    let mut bytes = genuine.clone();
    bytes[pos] = if bytes[pos] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        s.provider.verify_callback(&bytes),
        Err(Error::SignatureInvalid { .. })
    ));

    // A callback signed with another key.
    let forged = payments::epoint::sign_callback(
        &serde_json::json!({"order_id": "ORD-FORGE-1", "status": "success", "amount": 1000}),
        &payments::Secret::from("not-the-merchant-key"),
    );
    payments_core::conformance::forged_callback_is_rejected(s.provider.as_ref(), forged.as_bytes());

    // The receiver answered the sandbox 200 for the genuine one only. The
    // receiver logs the body before the sandbox reads its answer: wait for
    // the delivery log to catch up (a race, not a retry).
    let mut records = s.sandbox.deliveries().records();
    for _ in 0..100 {
        if records.iter().all(|r| r.delivered) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        records = s.sandbox.deliveries().records();
    }
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r.delivered && r.attempts == 1), "{records:?}");
}
