#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `PaymentProvider` for `EpointClient`: the core conformance suite and the
//! mapping of each trait method onto EPoint's operations.

mod common;

use common::{PRIVATE_KEY, answer, client, json, key, only_request};
use epoint::callback::sign_callback;
use payments_core::conformance;
use payments_core::{
    Capabilities, CreatePayment, Currency, Error, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use serde_json::json;
use wiremock::MockServer;

fn azn(minor: i64) -> Money {
    Money::from_minor(minor, Currency::AZN)
}

#[tokio::test]
async fn conformance_suite() {
    let server = MockServer::start().await;
    let client = client(&server);
    conformance::unsupported_operations_return_unsupported(&client).await;
    conformance::assert_no_secret_in_debug(&client, &[PRIVATE_KEY]);
    conformance::assert_no_secret_in_debug(client.config(), &[PRIVATE_KEY]);
    conformance::forged_callback_is_rejected(&client, b"data=eyJzdGF0dXMiOiJzdWNjZXNzIn0%3D&signature=forged");
    let genuine = sign_callback(
        &json!({"status": "success", "order_id": "o1", "amount": "10.00"}),
        &key(),
    );
    conformance::genuine_callback_is_accepted(&client, genuine.as_bytes());
    assert!(server.received_requests().await.unwrap().is_empty());

    answer(
        &server,
        "request",
        json(json!({"status": "error", "message": "Declined"})),
    )
    .await;
    answer(
        &server,
        "get-status",
        json(json!({"status": "error", "message": "Declined", "code": "116"})),
    )
    .await;
    answer(
        &server,
        "reverse",
        json(json!({"status": "failed", "message": "Too much"})),
    )
    .await;
    conformance::decline_is_ok(&client.create_payment(&CreatePayment::new("o1", azn(1000))).await);
    conformance::declined_status_is_ok(&client.payment_status(&PaymentRef::transaction("te1")).await);
    conformance::declined_operation_is_ok(
        &client
            .refund(&RefundRequest::full(
                PaymentRef::transaction("te1").with_amount(azn(1000)),
            ))
            .await,
    );
}

#[tokio::test]
async fn capabilities_and_cancel() {
    let server = MockServer::start().await;
    let client = client(&server);
    let caps = client.capabilities();
    let mut expected = Capabilities::ALL;
    expected.cancel = false;
    expected.idempotent_refund = false;
    assert_eq!(caps, expected);
    assert_eq!(client.name(), "epoint");
    let err = client.cancel(&PaymentRef::transaction("te1")).await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { provider: "epoint", .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn authorize_only_holds_and_capture_completes() {
    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-request",
        json(json!({"status": "success", "transaction": "te2", "redirect_url": "https://epoint.az/h/2"})),
    )
    .await;
    let client = client(&server);
    let outcome = client
        .create_payment(&CreatePayment::new("o2", azn(1050)).authorize_only(true))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        PaymentOutcome::RequiresRedirect {
            url: "https://epoint.az/h/2".into(),
            provider_ref: Some("te2".into())
        }
    );
    assert_eq!(
        only_request(&server, "pre-auth-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "o2", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": null, "other_attr": {"authorize_only": true, "currency": "AZN"}}"#
    );

    // The hold's callback, echoing other_attr, is a signed Authorized event
    // whose payment_ref() is what capture needs.
    let body = sign_callback(
        &json!({"status": "success", "order_id": "o2", "transaction": "te2", "amount": 10.5,
                "other_attr": {"currency": "AZN", "authorize_only": true}}),
        &key(),
    );
    let event = client.verify_callback(body.as_bytes()).unwrap();
    assert!(event.is_confirmed());
    let hold = event.payment_ref();
    let confirmed = client.confirm_callback(event).await.unwrap();
    confirmed.ensure_authorized("o2", azn(1050)).unwrap();

    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-complete",
        json(json!({"status": "success", "transaction": "te2"})),
    )
    .await;
    let client = common::client(&server);
    let outcome = client.capture(&hold, Some(azn(800))).await.unwrap();
    assert_eq!(
        outcome,
        OperationOutcome::Accepted {
            provider_ref: Some("te2".into()),
            operation_id: None
        }
    );
    assert_eq!(
        only_request(&server, "pre-auth-complete").await,
        r#"{"public_key": "i000000001", "transaction": "te2", "amount": "8.00"}"#
    );
    // A full capture sends the hold's amount; without one it is refused before sending.
    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-complete",
        json(json!({"status": "error", "message": "expired"})),
    )
    .await;
    let client = common::client(&server);
    assert!(matches!(
        client.capture(&hold, None).await.unwrap(),
        OperationOutcome::Declined(_)
    ));
    assert_eq!(
        only_request(&server, "pre-auth-complete").await,
        r#"{"public_key": "i000000001", "transaction": "te2", "amount": "10.50"}"#
    );
    let err = client.capture(&PaymentRef::transaction("te2"), None).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "payment.amount"));
}

#[tokio::test]
async fn with_options_keeps_the_configuration() {
    let server = MockServer::start().await;
    answer(&server, "get-status", json(json!({"status": "new"}))).await;
    let client = client(&server).with_options(
        payments_core::http::CallOptions::new()
            .timeout(std::time::Duration::from_secs(5))
            .correlation_id("corr-1"),
    );
    let report = client.payment_status(&PaymentRef::transaction("te1")).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Pending);
    assert_eq!(
        only_request(&server, "get-status").await,
        r#"{"public_key": "i000000001", "language": "az", "transaction": "te1"}"#
    );
}

#[tokio::test]
async fn create_payment_is_a_redirect() {
    let server = MockServer::start().await;
    answer(
        &server,
        "request",
        json(json!({"status": "success", "transaction": "te1", "redirect_url": "https://epoint.az/p/1"})),
    )
    .await;
    let request = CreatePayment::new("o1", azn(1050))
        .description("Order 1")
        .language("en")
        .success_url("https://shop.example/s")
        .failure_url("https://shop.example/f");
    let outcome = client(&server).create_payment(&request).await.unwrap();
    assert_eq!(
        outcome,
        PaymentOutcome::RequiresRedirect {
            url: "https://epoint.az/p/1".into(),
            provider_ref: Some("te1".into())
        }
    );
    assert_eq!(
        only_request(&server, "request").await,
        r#"{"public_key": "i000000001", "language": "en", "amount": "10.50", "currency": "AZN", "order_id": "o1", "success_redirect_url": "https://shop.example/s", "error_redirect_url": "https://shop.example/f", "description": "Order 1", "other_attr": {"currency": "AZN"}}"#
    );
    let err = client(&server)
        .create_payment(&CreatePayment::new("o1", azn(1)).language("de"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "language"));
}

#[tokio::test]
async fn create_payment_without_redirect_is_unreadable() {
    let server = MockServer::start().await;
    answer(&server, "request", json(json!({"status": "success"}))).await;
    let err = client(&server)
        .create_payment(&CreatePayment::new("o1", azn(1)))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn payment_status_maps_the_extended_status() {
    for (status, expected) in [
        ("new", PaymentStatus::Pending),
        ("success", PaymentStatus::Succeeded),
        ("returned", PaymentStatus::Refunded),
        ("error", PaymentStatus::Declined),
        ("odd", PaymentStatus::Unknown("odd".into())),
    ] {
        let server = MockServer::start().await;
        answer(
            &server,
            "get-status",
            json(json!({"status": status, "order_id": "o1", "amount": 10.5, "code": "000", "message": "m"})),
        )
        .await;
        let report = client(&server)
            .payment_status(&PaymentRef::transaction("te1").with_amount(azn(1050)))
            .await
            .unwrap();
        assert_eq!(report.status, expected);
        assert_eq!(report.order_id.as_deref(), Some("o1"));
        assert_eq!(report.transaction_id.as_deref(), Some("te1"));
        assert_eq!(report.amount, Some(azn(1050)));
        assert_eq!(report.code.as_deref(), Some("000"));
        assert_eq!(report.message.as_deref(), Some("m"));
    }
    let server = MockServer::start().await;
    let err = client(&server)
        .payment_status(&PaymentRef::order("o1"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "transaction_id"));
    // The answer carries an amount but no currency, and the caller named none: refused, not guessed.
    let server = MockServer::start().await;
    answer(
        &server,
        "get-status",
        json(json!({"status": "success", "amount": 10.5})),
    )
    .await;
    let err = client(&server)
        .payment_status(&PaymentRef::transaction("te1"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "payment.amount"),
        "{err:?}"
    );
}

#[tokio::test]
async fn refund_full_and_partial() {
    let server = MockServer::start().await;
    answer(&server, "reverse", json(json!({"status": "success"}))).await;
    let client = client(&server);
    let outcome = client
        .refund(&RefundRequest::partial(PaymentRef::transaction("te1"), azn(525)))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        OperationOutcome::Accepted {
            provider_ref: Some("te1".into()),
            operation_id: None,
        }
    );
    client
        .refund(&RefundRequest::full(
            PaymentRef::transaction("te1").with_amount(azn(1050)),
        ))
        .await
        .unwrap();
    // A full refund without the payment's currency is refused before sending.
    let err = client
        .refund(&RefundRequest::full(PaymentRef::transaction("te1")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "payment.amount"),
        "{err:?}"
    );
    let requests = server.received_requests().await.unwrap();
    let payloads: Vec<String> = requests
        .iter()
        .map(|r| {
            let pairs: Vec<(String, String)> = form_urlencoded::parse(&r.body).into_owned().collect();
            String::from_utf8(payments_core::crypto::base64_decode(pairs[0].1.as_bytes()).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(
        payloads,
        [
            r#"{"public_key": "i000000001", "language": "az", "transaction": "te1", "currency": "AZN", "amount": "5.25"}"#,
            r#"{"public_key": "i000000001", "language": "az", "transaction": "te1", "currency": "AZN", "amount": null}"#,
        ]
    );
}

#[tokio::test]
async fn verify_callback_through_the_trait() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = sign_callback(&json!({"status": "failed", "order_id": "o1", "code": "116"}), &key());
    let event = client.verify_callback(body.as_bytes()).unwrap();
    assert!(event.is_confirmed(), "EPoint signs the whole data");
    assert_eq!(event.dedupe_key(), "epoint:-:o1:failed");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
    assert_eq!(event.claimed().code.as_deref(), Some("116"));
    let forged = sign_callback(&json!({"status": "success"}), &payments_core::Secret::from("x"));
    assert!(matches!(
        client.verify_callback(forged.as_bytes()),
        Err(Error::SignatureInvalid { .. })
    ));
}

#[tokio::test]
async fn a_decline_names_the_trace_id() {
    let server = MockServer::start().await;
    answer(
        &server,
        "reverse",
        json(json!({"status": "failed", "message": "Too much", "trace_id": "t-r"})),
    )
    .await;
    let outcome = client(&server)
        .refund(&RefundRequest::partial(PaymentRef::transaction("te1"), azn(100)))
        .await
        .unwrap();
    match outcome {
        OperationOutcome::Declined(d) => assert_eq!(d.message.as_deref(), Some("Too much (trace_id t-r)")),
        other => panic!("{other:?}"),
    }
}
