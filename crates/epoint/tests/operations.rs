#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Every one of the 15 operations against wiremock: the exact signed payload
//! sent, and the parsed answer.

mod common;

use common::{answer, client, json, only_request};
use epoint::*;
use payments_core::{Currency, Decimal, Money};
use serde_json::json;
use wiremock::MockServer;

fn azn(text: &str) -> Money {
    Money::parse_major(text, Currency::AZN).unwrap()
}

fn dec(text: &str) -> Option<Decimal> {
    Some(text.parse().unwrap())
}

#[tokio::test]
async fn pay() {
    let server = MockServer::start().await;
    answer(
        &server,
        "request",
        json(json!({"status": "success", "transaction": "te000000001", "redirect_url": "https://epoint.az/pay/abc"})),
    )
    .await;
    let req = PayRequest::new("order-0001", azn("10.5"))
        .description("Test payment")
        .other_attr("customer_id", 42);
    let resp = client(&server).pay(&req).await.unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.transaction.as_deref(), Some("te000000001"));
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/pay/abc"));
    assert_eq!(resp.message, None);
    assert_eq!(
        only_request(&server, "request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "order-0001", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Test payment", "other_attr": {"customer_id": 42}}"#
    );
}

#[tokio::test]
async fn get_status() {
    let server = MockServer::start().await;
    answer(
        &server,
        "get-status",
        json(json!({
            "status": "success", "message": "Approved", "code": "000", "transaction": "te000000001",
            "bank_transaction": "8E5E2C1A", "bank_response": "APPROVED 000", "operation_code": "100",
            "rrn": "412345678901", "card_mask": "416973******1234", "card_name": "TEST USER",
            "amount": "99.99", "order_id": "order-0001", "other_attr": {"customer_id": 42}
        })),
    )
    .await;
    let resp = client(&server)
        .get_status(&StatusRequest::new("te000000001"))
        .await
        .unwrap();
    assert_eq!(resp.status, ExtendedStatus::Success);
    assert_eq!(resp.message.as_deref(), Some("Approved"));
    assert_eq!(resp.code.as_deref(), Some("000"));
    assert_eq!(resp.transaction.as_deref(), Some("te000000001"));
    assert_eq!(resp.bank_transaction.as_deref(), Some("8E5E2C1A"));
    assert_eq!(resp.bank_response.as_deref(), Some("APPROVED 000"));
    assert_eq!(resp.operation_code, Some(OperationCode::Payment));
    assert_eq!(resp.rrn.as_deref(), Some("412345678901"));
    assert_eq!(resp.card_mask.as_deref(), Some("416973******1234"));
    assert_eq!(resp.card_name.as_deref(), Some("TEST USER"));
    assert_eq!(resp.amount, dec("99.99"));
    assert_eq!(resp.order_id.as_deref(), Some("order-0001"));
    assert_eq!(resp.other_attr, Some(json!({"customer_id": 42})));
    assert_eq!(
        only_request(&server, "get-status").await,
        r#"{"public_key": "i000000001", "language": "az", "transaction": "te000000001"}"#
    );
}

#[tokio::test]
async fn save_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "card-registration",
        json(json!({"status": "success", "redirect_url": "https://epoint.az/card/x", "card_id": "ce000000001", "trace_id": "a1b2c3"})),
    )
    .await;
    let resp = client(&server)
        .save_card(
            &SaveCardRequest::for_payout()
                .language(Language::En)
                .description("Payout card")
                .success_redirect_url("https://shop.example/card-ok"),
        )
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.trace_id.as_deref(), Some("a1b2c3"));
    assert_eq!(resp.card_id.as_deref(), Some("ce000000001"));
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/card/x"));
    assert_eq!(resp.transaction, None);
    assert_eq!(
        only_request(&server, "card-registration").await,
        r#"{"public_key": "i000000001", "language": "en", "refund": 1, "description": "Payout card", "success_redirect_url": "https://shop.example/card-ok", "error_redirect_url": "https://shop.example/fail"}"#
    );
}

#[tokio::test]
async fn pay_with_saved_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "execute-pay",
        json(json!({
            "status": "success", "message": "Approved", "transaction": "te000000002",
            "bank_transaction": "BT2", "bank_response": "OK", "operation_code": 100, "rrn": "RRN2",
            "card_mask": "416973******1234", "card_name": "TEST USER", "amount": 49.5
        })),
    )
    .await;
    let resp = client(&server)
        .pay_with_saved_card(
            &SavedCardPayRequest::new("order-0002", azn("49.50"), "ce000000001").description("Monthly plan"),
        )
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.transaction.as_deref(), Some("te000000002"));
    assert_eq!(resp.bank_transaction.as_deref(), Some("BT2"));
    assert_eq!(resp.operation_code, Some(OperationCode::Payment));
    assert_eq!(resp.rrn.as_deref(), Some("RRN2"));
    assert_eq!(resp.amount, dec("49.5"));
    assert_eq!(resp.split_amount, None);
    assert_eq!(
        only_request(&server, "execute-pay").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "49.50", "currency": "AZN", "order_id": "order-0002", "card_id": "ce000000001", "description": "Monthly plan"}"#
    );
}

#[tokio::test]
async fn pay_and_save_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "card-registration-with-pay",
        json(json!({"status": "success", "transaction": "te3", "redirect_url": "https://epoint.az/p/3", "card_id": "ce3"})),
    )
    .await;
    let req = PayAndSaveCardRequest::new("order-0003", azn("150"), "Subscription")
        .success_redirect_url("https://shop.example/ok2");
    let resp = client(&server).pay_and_save_card(&req).await.unwrap();
    assert_eq!(resp.card_id.as_deref(), Some("ce3"));
    assert_eq!(resp.transaction.as_deref(), Some("te3"));
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/p/3"));
    assert_eq!(
        only_request(&server, "card-registration-with-pay").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "150.00", "currency": "AZN", "order_id": "order-0003", "success_redirect_url": "https://shop.example/ok2", "error_redirect_url": "https://shop.example/fail", "description": "Subscription"}"#
    );
}

#[tokio::test]
async fn payout() {
    let server = MockServer::start().await;
    answer(
        &server,
        "refund-request",
        json(json!({"status": "success", "transaction": "te4", "amount": "200.00", "rrn": "RRN4"})),
    )
    .await;
    let resp = client(&server)
        .payout(&PayoutRequest::new("payout-1", azn("200"), "ce000000001"))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.amount, dec("200.00"));
    assert_eq!(resp.rrn.as_deref(), Some("RRN4"));
    assert_eq!(
        only_request(&server, "refund-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "200.00", "currency": "AZN", "order_id": "payout-1", "card_id": "ce000000001", "description": null}"#
    );
}

#[tokio::test]
async fn refund_full() {
    let server = MockServer::start().await;
    answer(
        &server,
        "reverse",
        json(json!({"status": "success", "message": "Approved"})),
    )
    .await;
    let resp = client(&server)
        .reverse(&ReverseRequest::full("te000000001", Currency::AZN))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.message.as_deref(), Some("Approved"));
    assert_eq!(
        only_request(&server, "reverse").await,
        r#"{"public_key": "i000000001", "language": "az", "transaction": "te000000001", "currency": "AZN", "amount": null}"#
    );
}

#[tokio::test]
async fn refund_partial_is_vector_v2() {
    let server = MockServer::start().await;
    answer(&server, "reverse", json(json!({"status": "success"}))).await;
    let resp = client(&server)
        .reverse(&ReverseRequest::partial("te000000001", azn("5.25")))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    let requests = server.received_requests().await.unwrap();
    let body = String::from_utf8(requests[0].body.clone()).unwrap();
    assert_eq!(
        body,
        "data=eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDEiLCAiY3VycmVuY3kiOiAiQVpOIiwgImFtb3VudCI6ICI1LjI1In0%3D&signature=dQj8BNsspFCPR%2FAnJmD%2Ft3NfiWg%3D"
    );
}

#[tokio::test]
async fn split_pay() {
    let server = MockServer::start().await;
    answer(
        &server,
        "split-request",
        json(json!({"status": "success", "transaction": "te5", "redirect_url": "https://epoint.az/s/5"})),
    )
    .await;
    let req = SplitPayRequest::new("split-1", azn("100"), Split::new("partner-1", azn("40")))
        .description("Marketplace")
        .other_attr("product_id", "prod-999");
    let resp = client(&server).split_pay(&req).await.unwrap();
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/s/5"));
    assert_eq!(
        only_request(&server, "split-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "100.00", "currency": "AZN", "order_id": "split-1", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Marketplace", "split_user": "partner-1", "split_amount": "40.00", "other_attr": {"product_id": "prod-999"}}"#
    );
}

#[tokio::test]
async fn split_pay_with_saved_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "split-execute-pay",
        json(json!({"status": "success", "transaction": "te6", "amount": "100.00", "split_amount": "40.00"})),
    )
    .await;
    let req = SplitSavedCardPayRequest::new("split-2", azn("100"), "ce000000001", Split::new("partner-1", azn("40")));
    let resp = client(&server).split_pay_with_saved_card(&req).await.unwrap();
    assert_eq!(resp.amount, dec("100.00"));
    assert_eq!(resp.split_amount, dec("40.00"));
    assert_eq!(
        only_request(&server, "split-execute-pay").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "100.00", "currency": "AZN", "order_id": "split-2", "card_id": "ce000000001", "split_user": "partner-1", "split_amount": "40.00", "description": null}"#
    );
}

#[tokio::test]
async fn split_pay_and_save_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "split-card-registration-with-pay",
        json(json!({"status": "success", "transaction": "te7", "redirect_url": "https://epoint.az/s/7", "card_id": "ce7"})),
    )
    .await;
    let req = SplitPayAndSaveCardRequest::new("split-3", azn("100"), Split::new("partner-1", azn("0.01")))
        .description("Ödəniş")
        .language(Language::Ru);
    let resp = client(&server).split_pay_and_save_card(&req).await.unwrap();
    assert_eq!(resp.card_id.as_deref(), Some("ce7"));
    assert_eq!(
        only_request(&server, "split-card-registration-with-pay").await,
        r#"{"public_key": "i000000001", "language": "ru", "amount": "100.00", "currency": "AZN", "order_id": "split-3", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "\u00d6d\u0259ni\u015f", "split_user": "partner-1", "split_amount": "0.01"}"#
    );
}

#[tokio::test]
async fn create_widget() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/widget",
        json(json!({"status": "success", "widget_url": "https://epoint.az/widget/w1"})),
    )
    .await;
    let resp = client(&server)
        .create_widget(&WidgetRequest::new("w-1", azn("5"), "Widget"))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.widget_url.as_deref(), Some("https://epoint.az/widget/w1"));
    assert_eq!(
        only_request(&server, "token/widget").await,
        r#"{"public_key": "i000000001", "amount": "5.00", "order_id": "w-1", "description": "Widget"}"#
    );
}

#[tokio::test]
async fn create_token_payment() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/payment",
        json(json!({
            "id": 77, "transaction": "te8", "rrn": null, "short_link": "https://epoint.az/s/l",
            "bank_order_id": "BO8", "total": "12.34", "card_name": null, "card_mask": null,
            "description": null, "merchant_order_id": "t-1", "other_attr": null,
            "created_at": "2026-11-23T02:30:00Z", "updated_at": "2026-11-23T02:30:01Z"
        })),
    )
    .await;
    let resp = client(&server)
        .create_token_payment(&TokenPaymentRequest::new("t-1", azn("12.34")))
        .await
        .unwrap();
    let TokenPaymentResponse::Created(payment) = resp else {
        panic!("{resp:?}")
    };
    assert_eq!(payment.id, TokenPaymentId::Number(77));
    assert_eq!(payment.transaction.as_deref(), Some("te8"));
    assert_eq!(payment.total, dec("12.34"));
    assert_eq!(payment.short_link.as_deref(), Some("https://epoint.az/s/l"));
    assert_eq!(payment.bank_order_id.as_deref(), Some("BO8"));
    assert_eq!(payment.merchant_order_id.as_deref(), Some("t-1"));
    assert_eq!(payment.created_at.as_deref(), Some("2026-11-23T02:30:00Z"));
    assert_eq!(payment.rrn, None);
    assert_eq!(
        only_request(&server, "token/payment").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "12.34", "currency": "AZN", "order_id": "t-1", "description": null}"#
    );
}

#[tokio::test]
async fn create_token_payment_declined_is_a_value() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/payment",
        json(json!({"status": "error", "message": "limit"})),
    )
    .await;
    let resp = client(&server)
        .create_token_payment(&TokenPaymentRequest::new("t-1", azn("12.34")))
        .await
        .unwrap();
    assert_eq!(
        resp,
        TokenPaymentResponse::Declined {
            status: Status::Error,
            message: Some("limit".into()),
            trace_id: None
        }
    );
}

#[tokio::test]
async fn apple_pay_session() {
    let server = MockServer::start().await;
    let session = json!({"epochTimestamp": 1, "merchantSessionIdentifier": "SSH1", "signature": "abc"});
    answer(&server, "token/apple/session", json(session.clone())).await;
    let resp = client(&server)
        .apple_pay_session(&ApplePaySessionRequest::new("https://shop.example"))
        .await
        .unwrap();
    assert_eq!(resp.session, session);
    assert_eq!(resp.status, None);
    assert_eq!(
        only_request(&server, "token/apple/session").await,
        r#"{"public_key": "i000000001", "origin": "https://shop.example"}"#
    );
}

#[tokio::test]
async fn apple_pay() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/apple/pay",
        json(json!({"status": "success", "result": {"code": "00"}, "redirect_url": null})),
    )
    .await;
    let req = WalletPayRequest::new(77, json!({"paymentData": {"version": "EC_v1"}}));
    let resp = client(&server).apple_pay(&req).await.unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.result, Some(json!({"code": "00"})));
    assert_eq!(resp.redirect_url, None);
    assert_eq!(
        only_request(&server, "token/apple/pay").await,
        r#"{"public_key": "i000000001", "id": 77, "token": {"paymentData": {"version": "EC_v1"}}, "billingContact": null}"#
    );
}

#[tokio::test]
async fn google_pay() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/google/pay",
        json(json!({"status": "success", "redirect_url": "https://3ds.example/acs"})),
    )
    .await;
    let req = WalletPayRequest::new("77", json!({"signature": "MEUC"})).billing_contact(json!({"givenName": "John"}));
    let resp = client(&server).google_pay(&req).await.unwrap();
    assert_eq!(resp.redirect_url.as_deref(), Some("https://3ds.example/acs"));
    assert_eq!(
        only_request(&server, "token/google/pay").await,
        r#"{"public_key": "i000000001", "id": "77", "token": {"signature": "MEUC"}, "billingContact": {"givenName": "John"}}"#
    );
}

#[tokio::test]
async fn json_body_encoding() {
    let server = MockServer::start().await;
    answer(&server, "reverse", json(json!({"status": "success"}))).await;
    let config = EpointConfig::builder()
        .public_key("i000000001")
        .private_key("test-private-key")
        .base_url(format!("{}/epoint/", server.uri()))
        .encoding(RequestEncoding::Json)
        .build()
        .unwrap();
    let client = EpointClient::builder(config).build().unwrap();
    client
        .reverse(&ReverseRequest::partial("te000000001", azn("5.25")))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.path(), "/epoint/api/1/reverse");
    assert_eq!(requests[0].headers.get("content-type").unwrap(), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "data": "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDEiLCAiY3VycmVuY3kiOiAiQVpOIiwgImFtb3VudCI6ICI1LjI1In0=",
            "signature": "dQj8BNsspFCPR/AnJmD/t3NfiWg="
        })
    );
}
