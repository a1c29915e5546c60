//! EPoint operations of this wave end to end: the client crate (through the
//! `payments` facade) against the sandbox's independent reading of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::epoint::{EpointClient, EpointConfig};
use payments::{
    AnyProvider, CreatePayment, Currency, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use payments_sandbox::Sandbox;
use payments_tests::receiver::Receiver;

struct Setup {
    sandbox: Sandbox,
    client: EpointClient,
    provider: Arc<AnyProvider>,
    receiver: Receiver,
    web: reqwest::Client,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let state = &sandbox.providers().epoint;
    let config = EpointConfig::builder()
        .public_key(state.public_key())
        .private_key(state.private_key())
        .base_url(sandbox.epoint_url())
        .success_redirect_url("https://shop.example/ok")
        .failed_redirect_url("https://shop.example/fail")
        .build()
        .unwrap();
    let client = EpointClient::new(config.clone()).unwrap();
    let provider = Arc::new(AnyProvider::from(EpointClient::new(config).unwrap()));
    let verifier = provider.clone();
    let receiver = Receiver::start(Arc::new(move |body: &[u8]| verifier.verify_callback(body)))
        .await
        .unwrap();
    assert!(state.set_callback_url(state.public_key(), &receiver.url));
    Setup {
        sandbox,
        client,
        provider,
        receiver,
        web: reqwest::Client::new(),
    }
}

/// What the customer does on the hosted page.
async fn press(web: &reqwest::Client, page: &str, action: &str, card: &str) -> String {
    let resp = web
        .post(page)
        .form(&[("action", action), ("card", card)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()
        .get("x-sandbox-outcome")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

fn azn(major: &str) -> Money {
    Money::parse_major(major, Currency::AZN).unwrap()
}

#[tokio::test]
async fn hold_approve_signed_callback_partial_capture_then_refund_within_capture() {
    let s = setup().await;
    let amount = azn("20.00");
    let outcome = s
        .provider
        .create_payment(
            &CreatePayment::new("ORD-HOLD-1", amount)
                .description("Hold at Test Shop")
                .authorize_only(true),
        )
        .await
        .unwrap();
    let (page, transaction) = match outcome {
        PaymentOutcome::RequiresRedirect { url, provider_ref } => (url, provider_ref.unwrap()),
        other => panic!("expected a redirect, got {other:?}"),
    };
    assert_eq!(page, format!("{}/pay/{transaction}", s.sandbox.epoint_url()));
    let held = s.sandbox.providers().epoint.transaction(&transaction).unwrap();
    assert_eq!(held.amount, Some(amount));
    assert_eq!(held.order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(held.captured, None);
    assert_eq!(
        held.other_attr,
        serde_json::json!({"currency": "AZN", "authorize_only": true})
    );

    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1, "one callback delivered");
    let event = got[0].verified.as_ref().expect("the hold's callback verifies");
    assert!(event.is_confirmed());
    assert_eq!(event.claimed().status, PaymentStatus::Authorized);
    assert_eq!(event.claimed().order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(event.claimed().amount, Some(amount));
    assert_eq!(event.claimed().transaction_id.as_deref(), Some(transaction.as_str()));
    let confirmed = event.clone().into_confirmed().expect("signed");
    confirmed.ensure_authorized("ORD-HOLD-1", amount).unwrap();
    assert!(confirmed.ensure_paid("ORD-HOLD-1", amount).is_err(), "a hold is not a sale");
    assert!(confirmed.ensure_authorized("ORD-HOLD-1", azn("20.01")).is_err());
    assert!(confirmed.ensure_authorized("ORD-HOLD-2", amount).is_err());

    // A hold is not refundable before it is completed.
    let payment = confirmed.payment_ref();
    assert_eq!(payment.transaction_id.as_deref(), Some(transaction.as_str()));
    assert_eq!(payment.amount, Some(amount));
    let early = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("1.00")))
        .await
        .unwrap();
    assert!(matches!(early, OperationOutcome::Declined(_)), "{early:?}");

    // More than the hold is refused and captures nothing.
    let over = s.provider.capture(&payment, Some(azn("20.01"))).await.unwrap();
    assert!(matches!(over, OperationOutcome::Declined(_)), "{over:?}");
    assert_eq!(s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured, None);

    // Partial capture.
    let captured = azn("12.30");
    let capture = s.provider.capture(&payment, Some(captured)).await.unwrap();
    match &capture {
        OperationOutcome::Accepted { provider_ref, operation_id } => {
            assert_eq!(provider_ref.as_deref(), Some(transaction.as_str()));
            assert_eq!(operation_id, &None);
        }
        other => panic!("expected the capture accepted, got {other:?}"),
    }
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured,
        Some(captured)
    );
    // A second completion is refused.
    let again = s.provider.capture(&payment, Some(azn("1.00"))).await.unwrap();
    assert!(matches!(again, OperationOutcome::Declined(_)), "{again:?}");

    // The status now reads the captured amount.
    let status = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(status.order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(status.amount, Some(captured));

    // Refunds stay within the captured amount.
    let refund = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("2.30")))
        .await
        .unwrap();
    assert!(matches!(refund, OperationOutcome::Accepted { .. }), "{refund:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(azn("2.30"))
    );
    let beyond = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("10.01")))
        .await
        .unwrap();
    assert!(matches!(beyond, OperationOutcome::Declined(_)), "{beyond:?}");
    let rest = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("10.00")))
        .await
        .unwrap();
    assert!(matches!(rest, OperationOutcome::Accepted { .. }), "{rest:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(captured)
    );
    let after = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
}
