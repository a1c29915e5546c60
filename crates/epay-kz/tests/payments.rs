#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Widget, status, charge/cancel/refund, saved cards, recurring, transfers and
//! the PaymentProvider trait against wiremock.

mod common;

use common::*;
use epay_kz::signature::derive_secret_hash;
use epay_kz::{
    ChargeRequest, PaymentFrequency, RefundOperation, SavedCardPayment, StatusName, TransferCard, TransferKind,
    TransferRequest, WidgetPayment,
};
use payments_core::{
    CreatePayment, Currency, Error, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest, Secret,
};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TX: &str = "4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7";

async fn mount_payment_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("invoiceID="))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("PAY-TOKEN", "\"1200\"")))
        .mount(server)
        .await;
}

fn status_body(status_name: &str, amount: &str) -> String {
    format!(
        r#"{{"resultCode":"100","resultMessage":"SUCCESS","transaction":{{"id":"{TX}","invoiceID":"000001234567","amount":{amount},"currency":"KZT","statusName":"{status_name}","cardMask":"440563...5096"}}}}"#
    )
}

#[tokio::test]
async fn widget_payment_fetches_a_payment_token_with_the_derived_hash() {
    let server = MockServer::start().await;
    mount_payment_token(&server).await;
    let client = client(&server);
    let payment = WidgetPayment::new("000001234567", Money::from_minor(15050, Currency::KZT))
        .description("Order 1234567")
        .post_links("https://shop.example/post", "https://shop.example/fail")
        .back_links("https://shop.example/ok", "https://shop.example/ko");
    let object = client.widget_payment(&payment).await.unwrap();
    let hash = derive_secret_hash(&Secret::from(CLIENT_SECRET), "000001234567");
    let sent = requests_to(&server, TOKEN_PATH).await;
    assert_eq!(
        body(&sent[0]),
        format!(
            "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment\
             &client_id=test&client_secret={CLIENT_SECRET}&invoiceID=000001234567&amount=150.50&currency=KZT\
             &terminal={TERMINAL}&secret_hash={}&postLink=https%3A%2F%2Fshop.example%2Fpost\
             &failurePostLink=https%3A%2F%2Fshop.example%2Ffail",
            hash.expose_secret()
        )
    );
    assert_eq!(
        object.as_json(),
        format!(
            r#"{{"invoiceId":"000001234567","backLink":"https://shop.example/ok","failureBackLink":"https://shop.example/ko","postLink":"https://shop.example/post","failurePostLink":"https://shop.example/fail","language":"rus","description":"Order 1234567","terminal":"{TERMINAL}","amount":150.50,"currency":"KZT","cardSave":false,"recurrent":false,"autoBackLink":false,"auth":{{"access_token":"PAY-TOKEN","expires_in":"1200","refresh_token":"R-PAY-TOKEN","scope":"webapi payment","token_type":"Bearer"}}}}"#
        )
    );
    let page = client.widget_page(&object);
    assert!(page.contains(&format!(
        "<script src=\"{}/epay/payform/payment-api.js\"></script>",
        server.uri()
    )));
    assert!(page.contains("halyk.pay({\"invoiceId\":\"000001234567\""));

    // Invalid widget input costs no token.
    let bad = WidgetPayment::new("000001234567", Money::from_minor(100, Currency::KZT)).description("x".repeat(200));
    assert!(
        matches!(client.widget_payment(&bad).await, Err(Error::InvalidInput { field, .. }) if field == "description")
    );
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn create_payment_through_the_trait_is_a_widget() {
    let server = MockServer::start().await;
    mount_payment_token(&server).await;
    let client = client(&server);
    let req = CreatePayment::new("000001234567", Money::from_minor(10000, Currency::KZT))
        .language("eng")
        .callback_url("https://shop.example/cb")
        .success_url("https://shop.example/ok");
    match client.create_payment(&req).await.unwrap() {
        PaymentOutcome::RequiresWidget { script_url, payload } => {
            assert_eq!(script_url, format!("{}/epay/payform/payment-api.js", server.uri()));
            assert_eq!(payload["amount"], 100);
            assert_eq!(payload["language"], "eng");
            assert_eq!(payload["postLink"], "https://shop.example/cb");
            assert_eq!(payload["failurePostLink"], "https://shop.example/cb");
            assert_eq!(payload["backLink"], "https://shop.example/ok");
            assert_eq!(payload["auth"]["access_token"], "PAY-TOKEN");
        }
        other => panic!("{other:?}"),
    }
    let bad = CreatePayment::new("000001234567", Money::from_minor(10000, Currency::KZT)).language("ru");
    assert!(matches!(client.create_payment(&bad).await, Err(Error::InvalidInput { field, .. }) if field == "language"));
}

#[tokio::test]
async fn status_is_a_get_with_the_service_token() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .respond_with(ResponseTemplate::new(200).set_body_string(status_body("AUTH", "150.5")))
        .mount(&server)
        .await;
    let client = client(&server);
    let s = client.check_status("000001234567").await.unwrap();
    let t = s.transaction.as_ref().unwrap();
    assert_eq!(t.status_name, Some(StatusName::Auth));
    assert_eq!(t.amount, Some(Money::from_minor(15050, Currency::KZT)));
    let sent = requests_to(&server, &format!("{API}/check-status/payment/transaction/000001234567")).await;
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer SVC"));
    assert!(sent[0].body.is_empty());

    let report = client.payment_status(&PaymentRef::order("000001234567")).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Authorized);
    assert_eq!(report.transaction_id.as_deref(), Some(TX));
    assert!(matches!(
        client.payment_status(&PaymentRef::transaction(TX)).await,
        Err(Error::InvalidInput { field, .. }) if field == "order_id"
    ));
}

#[tokio::test]
async fn a_declined_status_is_ok() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .respond_with(ResponseTemplate::new(200).set_body_string(status_body("REJECT", "100")))
        .mount(&server)
        .await;
    let client = client(&server);
    payments_core::conformance::declined_status_is_ok(&client.payment_status(&PaymentRef::order("000001234567")).await);
}

#[tokio::test]
async fn charge_cancel_refund_send_exact_requests_once() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    for op in ["charge", "cancel", "refund"] {
        Mock::given(method("POST"))
            .and(path(format!("{API}/operation/{TX}/{op}")))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    let client = client(&server);
    client
        .charge(&ChargeRequest::partial(TX, Money::from_minor(10000, Currency::KZT)))
        .await
        .unwrap();
    client.cancel_transaction(TX).await.unwrap();
    client
        .refund_transaction(&RefundOperation::partial(TX, Money::from_minor(1050, Currency::KZT)).external_id("rf-1"))
        .await
        .unwrap();
    let outcome = client
        .refund(&RefundRequest::full(PaymentRef::transaction(TX)).with_refund_id("rf-2"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        OperationOutcome::Accepted {
            provider_ref: Some(TX.into()),
            operation_id: Some("rf-2".into()),
        }
    );
    let outcome = client.cancel(&PaymentRef::transaction(TX)).await.unwrap();
    assert!(matches!(outcome, OperationOutcome::Accepted { .. }));

    let charge = requests_to(&server, &format!("{API}/operation/{TX}/charge")).await;
    assert_eq!(charge.len(), 1);
    assert_eq!(charge[0].url.query(), Some("amount=100"));
    assert_eq!(header(&charge[0], "authorization"), Some("Bearer SVC"));
    let refunds = requests_to(&server, &format!("{API}/operation/{TX}/refund")).await;
    assert_eq!(refunds.len(), 2);
    assert_eq!(refunds[0].url.query(), Some("amount=10.50&externalID=rf-1"));
    assert_eq!(refunds[1].url.query(), Some("externalID=rf-2"));
    assert_eq!(
        requests_to(&server, &format!("{API}/operation/{TX}/cancel"))
            .await
            .len(),
        2
    );

    // Under 10 KZT: rejected before sending.
    let err = client
        .refund(&RefundRequest::partial(
            PaymentRef::transaction(TX),
            Money::from_minor(999, Currency::KZT),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));
    assert!(matches!(
        client.cancel(&PaymentRef::default()).await,
        Err(Error::InvalidInput { field, .. }) if field == "transaction_id"
    ));
    assert_eq!(
        requests_to(&server, &format!("{API}/operation/{TX}/refund"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn refund_by_order_id_finds_the_transaction_through_the_status() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .respond_with(ResponseTemplate::new(200).set_body_string(status_body("CHARGE", "100")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000009999999")))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"resultCode":"102","resultMessage":"Invoice not found"}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/operation/{TX}/refund")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client(&server);
    let outcome = client
        .refund(&RefundRequest::partial(
            PaymentRef::order("000001234567"),
            Money::from_minor(5000, Currency::KZT),
        ))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        OperationOutcome::Accepted {
            provider_ref: Some(TX.into()),
            operation_id: None,
        }
    );
    let sent = requests_to(&server, &format!("{API}/operation/{TX}/refund")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url.query(), Some("amount=50"));
    let err = client.cancel(&PaymentRef::order("000009999999")).await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "order_id"),
        "{err:?}"
    );
    // Unpaid: pending, with ePay's code.
    let report = client.payment_status(&PaymentRef::order("000009999999")).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Pending);
    assert_eq!(report.code.as_deref(), Some("102"));
}

#[tokio::test]
async fn a_400_from_an_operation_is_a_provider_error_sent_once() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/operation/{TX}/refund")))
        .and(query_param("amount", "5000"))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"code":1373,"message":"Refund amount exceeds"}"#))
        .mount(&server)
        .await;
    let err = client(&server)
        .refund_transaction(&RefundOperation::partial(TX, Money::from_minor(500000, Currency::KZT)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider { code: Some(c), message: Some(m), http_status: Some(400), .. }
        if c == "1373" && m == "Refund amount exceeds")
    );
    assert_eq!(
        requests_to(&server, &format!("{API}/operation/{TX}/refund"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn saved_card_payment_uses_a_payment_token() {
    let server = MockServer::start().await;
    mount_payment_token(&server).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/payments/cards/auth")))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"id":"{TX}","invoiceID":"000001234568","amount":25,"currency":"KZT","statusName":"AUTH","reference":"612"}}"#
        )))
        .mount(&server)
        .await;
    let client = client(&server);
    let req = SavedCardPayment::new(
        "000001234568",
        Money::from_minor(2500, Currency::KZT),
        "card-1",
        "user-1",
        "Monthly",
    );
    let r = client.pay_with_saved_card(&req).await.unwrap();
    assert_eq!(r.transaction_id.as_deref(), Some(TX));
    assert_eq!(r.status_name, Some(StatusName::Auth));
    let sent = requests_to(&server, &format!("{API}/payments/cards/auth")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer PAY-TOKEN"));
    assert_eq!(
        body(&sent[0]),
        format!(
            r#"{{"amount":25,"currency":"KZT","terminalId":"{TERMINAL}","invoiceId":"000001234568","description":"Monthly","accountId":"user-1","language":"rus","paymentType":"cardId","cardId":{{"id":"card-1"}}}}"#
        )
    );
    let token_req = requests_to(&server, TOKEN_PATH).await;
    assert!(body(&token_req[0]).contains("&invoiceID=000001234568&amount=25&currency=KZT&"));
}

#[tokio::test]
async fn recurring_subscription_and_transfers() {
    let server = MockServer::start().await;
    // Mounted first: the service-token mock would match this request too.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("scope=transfer"))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("XFER", "900")))
        .mount(&server)
        .await;
    mount_service_token(&server, "SVC").await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/recurrent/subscribe")))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"s1","status":"ACTIVE"}"#))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/chpayment/transfer")))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"id":"x-1","orderId":"7654321","amount":1000,"currency":"KZT","code":"ok","statusName":"CHARGE"}"#,
        ))
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .subscribe_recurrent(TX, PaymentFrequency::Quarterly)
        .await
        .unwrap();
    let sub = requests_to(&server, &format!("{API}/recurrent/subscribe")).await;
    assert_eq!(header(&sub[0], "authorization"), Some("Bearer SVC"));
    assert_eq!(
        body(&sub[0]),
        format!(r#"{{"transactionId":"{TX}","paymentFrequency":"QUARTERLY"}}"#)
    );

    let payout = TransferRequest::new(TransferKind::Oct, "7654321", Money::from_minor(100000, Currency::KZT)).receiver(
        TransferCard::Saved {
            card_id: "card-7".into(),
        },
    );
    let r = client.transfer(&payout).await.unwrap();
    assert_eq!(r.transaction_id.as_deref(), Some("x-1"));
    assert_eq!(r.status_name, Some(StatusName::Charge));
    let sent = requests_to(&server, &format!("{API}/chpayment/transfer")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer XFER"));
    assert_eq!(
        body(&sent[0]),
        format!(
            r#"{{"order":{{"id":"7654321","amount":1000,"currency":"KZT","terminalId":"{TERMINAL}"}},"card":{{"receiver":{{"cardId":"card-7"}}}}}}"#
        )
    );
    let token_bodies: Vec<String> = requests_to(&server, TOKEN_PATH)
        .await
        .iter()
        .map(|r| body(r).to_owned())
        .collect();
    assert!(
        token_bodies
            .iter()
            .any(|b| b.starts_with("grant_type=client_credentials&scope=transfer&client_id=test&"))
    );
}

#[tokio::test]
async fn conformance() {
    let server = MockServer::start().await;
    let client = client(&server);
    payments_core::conformance::unsupported_operations_return_unsupported(&client).await;
    payments_core::conformance::assert_no_secret_in_debug(&client, &[CLIENT_SECRET, PASSWORD]);
    payments_core::conformance::forged_callback_is_rejected(
        &client,
        br#"{"code":"ok","invoiceId":"000001234567","amount":100,"id":"t","secret_hash":"forged"}"#,
    );
    let genuine = epay_kz::callback::testing::success_body(
        &Secret::from(CLIENT_SECRET),
        "000001234567",
        TX,
        Money::from_minor(100, Currency::KZT),
    );
    payments_core::conformance::genuine_callback_is_accepted(&client, &genuine);
    assert_eq!(client.name(), "epay-kz");
    assert!(server.received_requests().await.unwrap().is_empty());
}
