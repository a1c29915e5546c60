#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The operations beyond integrify's 15, against wiremock: method, path,
//! content type, the exact decoded `data` and its signature, and the parsed
//! answer with its `trace_id`.

mod common;

use common::{PUBLIC_KEY, answer, client, json, key, only_request};
use epoint::*;
use payments_core::{Currency, Decimal, Error, Money, Secret, crypto};
use serde_json::json;
use time::macros::date;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn azn(text: &str) -> Money {
    Money::parse_major(text, Currency::AZN).unwrap()
}

#[tokio::test]
async fn pre_auth_request() {
    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-request",
        json(json!({"status": "success", "transaction": "te000000002", "redirect_url": "https://epoint.az/hold/x", "trace_id": "tr-1"})),
    )
    .await;
    let resp = client(&server)
        .pre_auth(&PreAuthRequest::new("order-0002", azn("10.50")).description("Hotel deposit"))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.transaction.as_deref(), Some("te000000002"));
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/hold/x"));
    assert_eq!(resp.trace_id.as_deref(), Some("tr-1"));
    // Vector E1's payload.
    assert_eq!(
        only_request(&server, "pre-auth-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "order-0002", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Hotel deposit", "other_attr": null}"#
    );
}

#[tokio::test]
async fn pre_auth_complete() {
    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-complete",
        json(json!({"status": "success", "message": "Completed", "transaction": "te000000002", "rrn": "412345678902", "amount": "8.00", "trace_id": "tr-2"})),
    )
    .await;
    let resp = client(&server)
        .pre_auth_complete(&PreAuthCompleteRequest::new("te000000002", azn("8.00")))
        .await
        .unwrap();
    assert_eq!(resp.status, Status::Success);
    assert_eq!(resp.rrn.as_deref(), Some("412345678902"));
    assert_eq!(resp.amount, Some(Decimal::new(800, 2)));
    assert_eq!(resp.trace_id.as_deref(), Some("tr-2"));
    // Vector E2's payload: no language, no currency.
    assert_eq!(
        only_request(&server, "pre-auth-complete").await,
        r#"{"public_key": "i000000001", "transaction": "te000000002", "amount": "8.00"}"#
    );
}

#[tokio::test]
async fn server_error_names_the_trace_id() {
    let server = MockServer::start().await;
    answer(
        &server,
        "pre-auth-complete",
        json(json!({"status": "server_error", "message": "Signature did not match", "trace_id": "a1b2c3d4"})),
    )
    .await;
    let err = client(&server)
        .pre_auth_complete(&PreAuthCompleteRequest::new("te1", azn("1.00")))
        .await
        .unwrap_err();
    assert_eq!(err.provider_code(), Some("server_error"));
    assert!(
        err.to_string().contains("Signature did not match (trace_id a1b2c3d4)"),
        "{err}"
    );
}

#[test]
fn checkout_form() {
    let server_less = EpointConfig::builder()
        .public_key(PUBLIC_KEY)
        .private_key(common::PRIVATE_KEY)
        .base_url("http://127.0.0.1:9/epoint")
        .build()
        .unwrap();
    let client = EpointClient::new(server_less).unwrap();
    let form = client
        .checkout_form(&PayRequest::new("order-0003", azn("5.00")).installment(false))
        .unwrap();
    assert_eq!(form.url, "http://127.0.0.1:9/epoint/api/1/checkout");
    assert_eq!(form.fields()[0], ("data", form.data.as_str()));
    assert_eq!(form.signature, testing::sign(&key(), &form.data));
    assert_eq!(
        String::from_utf8(crypto::base64_decode(form.data.as_bytes()).unwrap()).unwrap(),
        r#"{"public_key": "i000000001", "language": "az", "amount": "5.00", "currency": "AZN", "order_id": "order-0003", "success_redirect_url": null, "error_redirect_url": null, "description": null, "other_attr": null, "is_installment": 0}"#
    );
}

#[tokio::test]
async fn get_status_card() {
    let server = MockServer::start().await;
    answer(
        &server,
        "get-status-card",
        json(json!({"id": "ce00000001", "name": "TEST USER", "mask": "416973******1234", "status": "active", "expired_date": "12/29", "description": null, "trace_id": "tr-3"})),
    )
    .await;
    let resp = client(&server)
        .get_status_card(&CardStatusRequest::new("ce00000001"))
        .await
        .unwrap();
    assert_eq!(resp.status, CardStatus::Active);
    assert!(resp.status.is_chargeable());
    assert_eq!(resp.mask.as_deref(), Some("416973******1234"));
    assert_eq!(resp.expired_date.as_deref(), Some("12/29"));
    assert_eq!(resp.trace_id.as_deref(), Some("tr-3"));
    // Vector E3's payload.
    assert_eq!(
        only_request(&server, "get-status-card").await,
        r#"{"public_key": "i000000001", "card_id": "ce00000001"}"#
    );
}

#[tokio::test]
async fn wallet_status_and_payment() {
    let server = MockServer::start().await;
    answer(
        &server,
        "wallet/status",
        json(json!({"status": "success", "wallets": [{"id": "w1", "name": "m10"}], "trace_id": "tr-4"})),
    )
    .await;
    let resp = client(&server).wallet_status().await.unwrap();
    assert_eq!(resp.status, Some(Status::Success));
    assert_eq!(resp.trace_id.as_deref(), Some("tr-4"));
    let wallets = resp.wallets().unwrap();
    assert_eq!(wallets[0].id.as_deref(), Some("w1"));
    assert_eq!(wallets[0].name.as_deref(), Some("m10"));
    assert_eq!(resp.raw["wallets"][0]["name"], "m10");
    // Vector E4's payload.
    assert_eq!(
        only_request(&server, "wallet/status").await,
        r#"{"public_key": "i000000001"}"#
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "wallet/payment",
        json(json!({"status": "success", "transaction": "te9", "redirect_url": "https://epoint.az/w/9", "trace_id": "tr-5"})),
    )
    .await;
    let resp = client(&server)
        .wallet_payment(&WalletPaymentRequest::new("w1", "order-0009", azn("3.20")).description("Top-up"))
        .await
        .unwrap();
    assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/w/9"));
    assert_eq!(
        only_request(&server, "wallet/payment").await,
        r#"{"public_key": "i000000001", "language": "az", "wallet_id": "w1", "amount": "3.20", "currency": "AZN", "order_id": "order-0009", "description": "Top-up"}"#
    );
}

#[tokio::test]
async fn invoices() {
    let invoice = Invoice::new(azn("25.00"), date!(2026 - 01 - 05), date!(2026 - 02 - 01))
        .name("Aysel Mammadova")
        .phone("+994501234567")
        .merchant_order_id("inv-1");
    let expected_fields = r#""sum": "25.00", "display": 0, "save_as_template": 0, "status_installment": null, "name": "Aysel Mammadova", "description": null, "phone": "+994501234567", "email": null, "inn": null, "contract_number": null, "merchant_order_id": "inv-1", "period_from": "2026-01-05", "period_to": "2026-02-01"}"#;

    let server = MockServer::start().await;
    answer(
        &server,
        "invoices/create",
        json(json!({"status": "success", "id": 41, "trace_id": "t"})),
    )
    .await;
    let created = client(&server).create_invoice(&invoice).await.unwrap();
    assert_eq!(created.id, Some(41));
    assert_eq!(
        only_request(&server, "invoices/create").await,
        format!(r#"{{"public_key": "i000000001", {expected_fields}"#)
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "invoices/update",
        json(json!({"status": "success", "message": "updated"})),
    )
    .await;
    let updated = client(&server)
        .update_invoice(41, &invoice.clone().display(true))
        .await
        .unwrap();
    assert_eq!(updated.message.as_deref(), Some("updated"));
    assert_eq!(
        only_request(&server, "invoices/update").await,
        format!(
            r#"{{"public_key": "i000000001", "id": 41, {}"#,
            expected_fields.replace(r#""display": 0"#, r#""display": 1"#)
        )
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "invoices/view",
        json(json!({"status": "success", "invoice": {"id": 41, "sum": "25.00", "status": "paid", "period_from": "2026-01-05"}})),
    )
    .await;
    let viewed = client(&server).view_invoice(41).await.unwrap();
    let record = viewed.invoice.unwrap();
    assert_eq!(record.status, Some(InvoiceStatus::Paid));
    assert_eq!(record.period_from, Some(date!(2026 - 01 - 05)));
    assert_eq!(
        only_request(&server, "invoices/view").await,
        r#"{"public_key": "i000000001", "id": 41}"#
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "invoices/list",
        json(json!({"status": "success", "invoices": [{"id": 1}, {"id": 2}]})),
    )
    .await;
    let listed = client(&server)
        .list_invoices(
            &InvoiceListRequest::new()
                .kind(InvoiceListType::Static)
                .order(SortOrder::Descending),
        )
        .await
        .unwrap();
    assert_eq!(
        listed.invoices.iter().map(|i| i.id).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
    assert_eq!(
        only_request(&server, "invoices/list").await,
        r#"{"public_key": "i000000001", "type": "static", "order": "desc"}"#
    );

    let server = MockServer::start().await;
    answer(&server, "invoices/send-sms", json(json!({"status": "success"}))).await;
    client(&server)
        .send_invoice_sms(41, &Secret::from("+994501234567"))
        .await
        .unwrap();
    assert_eq!(
        only_request(&server, "invoices/send-sms").await,
        r#"{"public_key": "i000000001", "id": 41, "phone": "+994501234567"}"#
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "invoices/send-email",
        json(json!({"status": "error", "message": "bad e-mail"})),
    )
    .await;
    let refused = client(&server)
        .send_invoice_email(41, &Secret::from("payer@example.az"))
        .await
        .unwrap();
    assert_eq!(refused.status, Status::Error);
    assert_eq!(
        only_request(&server, "invoices/send-email").await,
        r#"{"public_key": "i000000001", "id": 41, "email": "payer@example.az"}"#
    );
}

#[tokio::test]
async fn installments() {
    let server = MockServer::start().await;
    answer(
        &server,
        "get-installment-request",
        json(json!([{"name": "Birkart", "installment_card_id": "ic1", "installment_months": [3, 6]}])),
    )
    .await;
    let offers = client(&server)
        .installment_offers(&InstallmentOffersRequest::new("order-0010", Currency::AZN).amount(azn("120.00")))
        .await
        .unwrap();
    assert_eq!(offers.cards[0].installment_card_id, "ic1");
    assert_eq!(offers.cards[0].installment_months, vec![3, 6]);
    assert_eq!(
        only_request(&server, "get-installment-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "120.00", "currency": "AZN", "order_id": "order-0010", "description": null}"#
    );

    let server = MockServer::start().await;
    answer(
        &server,
        "installment-request",
        json(json!({"status": "success", "transaction": "te10", "redirect_url": "https://epoint.az/i/10"})),
    )
    .await;
    let resp = client(&server)
        .installment_payment(&InstallmentPaymentRequest::new("order-0010", azn("120.00"), "ic1", 6))
        .await
        .unwrap();
    assert_eq!(resp.transaction.as_deref(), Some("te10"));
    assert_eq!(
        only_request(&server, "installment-request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "120.00", "currency": "AZN", "order_id": "order-0010", "installment_card_id": "ic1", "installment_month": 6, "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": null, "other_attr": null}"#
    );
}

#[tokio::test]
async fn is_installment_on_request() {
    let server = MockServer::start().await;
    answer(
        &server,
        "request",
        json(json!({"status": "success", "redirect_url": "https://epoint.az/p"})),
    )
    .await;
    client(&server)
        .pay(&PayRequest::new("order-0011", azn("60.00")).installment(true))
        .await
        .unwrap();
    assert_eq!(
        only_request(&server, "request").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "60.00", "currency": "AZN", "order_id": "order-0011", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": null, "other_attr": null, "is_installment": 1}"#
    );
}

fn b2b_request() -> B2bPaymentRequest {
    B2bPaymentRequest::new(
        "b2b-0001",
        azn("1000.00"),
        "Advance payment",
        B2bPayee::new("AZ21NABZ00000000137010001944", "Technology LLC", "1234567892", "505141"),
    )
    .webhook_url("https://shop.example/b2b")
}

#[tokio::test]
async fn b2b_payment_is_a_signed_json_envelope() {
    let server = MockServer::start().await;
    answer(
        &server,
        "b2b/payment",
        json(json!({"status": "success", "order_id": "b2b-0001", "bulkId": "bulk-77"})),
    )
    .await;
    let resp = client(&server).b2b_payment(&b2b_request()).await.unwrap();
    assert_eq!(resp.bulk_id.as_deref(), Some("bulk-77"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), "/epoint/api/1/b2b/payment");
    assert_eq!(req.headers.get("content-type").unwrap(), "application/json");
    let env: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    let data = env["data"].as_str().unwrap();
    assert_eq!(env["signature"], testing::sign(&key(), data));
    assert_eq!(
        String::from_utf8(crypto::base64_decode(data.as_bytes()).unwrap()).unwrap(),
        r#"{"public_key": "i000000001", "order_id": "b2b-0001", "amount": "1000.00", "description": "Advance payment", "iban": "AZ21NABZ00000000137010001944", "name": "Technology LLC", "tin": "1234567892", "bank_code": "505141", "webhook_url": "https://shop.example/b2b"}"#
    );
}

#[tokio::test]
async fn b2b_errors_use_http_codes() {
    let server = MockServer::start().await;
    answer(
        &server,
        "b2b/payment",
        ResponseTemplate::new(422).set_body_json(json!({"detail": "iban is invalid", "trace_id": "tr-9"})),
    )
    .await;
    let err = client(&server).b2b_payment(&b2b_request()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                http_status: Some(422),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("iban is invalid (trace_id tr-9)"), "{err}");
}

#[tokio::test]
async fn b2b_webhook_is_confirmed_by_the_status_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/epoint/api/1/b2b/payment/b2b-0001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": "SUCCESS", "order_id": "b2b-0001", "bulkId": "bulk-77", "amount": "1000.00",
            "payee_iban": "AZ21NABZ00000000137010001944", "payee_name": "Technology LLC",
            "webhook_sent": true, "created_at": "2026-12-01T10:00:00Z"
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let hook = b2b::parse_webhook(
        br#"{"order_id":"b2b-0001","status":"success","amount":"1000.00","payee_iban":"AZ21NABZ00000000137010001944","payee_name":"Technology LLC","error_message":null}"#,
    )
    .unwrap();
    let confirmed = client.confirm_b2b_webhook(&hook, azn("1000.00")).await.unwrap();
    assert_eq!(confirmed.status, B2bStatus::Success);
    assert_eq!(confirmed.amount, azn("1000.00"));
    let err = client.confirm_b2b_webhook(&hook, azn("999.00")).await.unwrap_err();
    assert!(err.to_string().contains("amount"), "{err}");
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.method.as_str() == "GET" && r.body.is_empty()));
    // Unsigned: no signature, no data.
    assert!(requests[0].url.query().is_none());
}

use epoint::operations::b2b;

#[tokio::test]
async fn request_family() {
    for (op, path_name) in [
        ("payment-request", "payment-request"),
        ("amex-request", "amex-request"),
        ("payment-change-sum", "payment-change-sum"),
    ] {
        let server = MockServer::start().await;
        answer(
            &server,
            path_name,
            json(json!({"status": "success", "redirect_url": "https://epoint.az/r", "trace_id": "t"})),
        )
        .await;
        let c = client(&server);
        let req = PayRequest::new("order-0012", azn("7.00"));
        let resp = match op {
            "payment-request" => c.payment_request(&req).await,
            "amex-request" => c.amex_request(&req).await,
            _ => c.payment_change_sum(&req).await,
        }
        .unwrap();
        assert_eq!(resp.redirect_url.as_deref(), Some("https://epoint.az/r"));
        assert_eq!(resp.transaction, None);
        assert_eq!(
            only_request(&server, path_name).await,
            r#"{"public_key": "i000000001", "language": "az", "amount": "7.00", "currency": "AZN", "order_id": "order-0012", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": null, "other_attr": null}"#,
            "{op}"
        );
    }
}

#[tokio::test]
async fn token_split_payment() {
    let server = MockServer::start().await;
    answer(
        &server,
        "token/split-payment",
        json(json!({"id": 5, "transaction": "te5", "total": "10.00", "trace_id": "t5"})),
    )
    .await;
    let req = SplitPayRequest::new("order-0013", azn("10.00"), Split::new("u7", azn("4.00")));
    match client(&server).token_split_payment(&req).await.unwrap() {
        TokenPaymentResponse::Created(p) => {
            assert_eq!(p.id, TokenPaymentId::Number(5));
            assert_eq!(p.trace_id.as_deref(), Some("t5"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        only_request(&server, "token/split-payment").await,
        r#"{"public_key": "i000000001", "language": "az", "amount": "10.00", "currency": "AZN", "order_id": "order-0013", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": null, "split_user": "u7", "split_amount": "4.00", "other_attr": null}"#
    );
}

#[tokio::test]
async fn heartbeat_is_an_unsigned_get_outside_api_1() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/epoint/api/heartbeat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "ok", "trace_id": "hb"})))
        .mount(&server)
        .await;
    let hb = client(&server).heartbeat().await.unwrap();
    assert!(hb.healthy);
    assert_eq!(hb.trace_id.as_deref(), Some("hb"));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].body.is_empty());

    let down = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/epoint/api/heartbeat"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&down)
        .await;
    let hb = client(&down).heartbeat().await.unwrap();
    assert!(!hb.healthy);
    assert_eq!(hb.http_status, 503);
}

#[tokio::test]
async fn every_builder_refuses_undocumented_currencies() {
    let server = MockServer::start().await;
    let c = client(&server);
    let usd = Money::from_minor(100, Currency::USD);
    let results = [
        c.pay(&PayRequest::new("o", usd)).await.map(|_| ()),
        c.pre_auth(&PreAuthRequest::new("o", usd)).await.map(|_| ()),
        c.pre_auth_complete(&PreAuthCompleteRequest::new("te1", usd))
            .await
            .map(|_| ()),
        c.checkout_form(&PayRequest::new("o", usd)).map(|_| ()),
        c.wallet_payment(&WalletPaymentRequest::new("w", "o", usd))
            .await
            .map(|_| ()),
        c.payment_request(&PayRequest::new("o", usd)).await.map(|_| ()),
        c.amex_request(&PayRequest::new("o", usd)).await.map(|_| ()),
        c.payment_change_sum(&PayRequest::new("o", usd)).await.map(|_| ()),
        c.installment_payment(&InstallmentPaymentRequest::new("o", usd, "ic", 3))
            .await
            .map(|_| ()),
        c.installment_offers(&InstallmentOffersRequest::new("o", Currency::USD))
            .await
            .map(|_| ()),
        c.pay_with_saved_card(&SavedCardPayRequest::new("o", usd, "ce1"))
            .await
            .map(|_| ()),
        c.payout(&PayoutRequest::new("o", usd, "ce1")).await.map(|_| ()),
        c.reverse(&ReverseRequest::full("te1", Currency::USD)).await.map(|_| ()),
        c.create_token_payment(&TokenPaymentRequest::new("o", usd))
            .await
            .map(|_| ()),
        c.create_widget(&WidgetRequest::new("o", usd, "d")).await.map(|_| ()),
        c.pay_and_save_card(&PayAndSaveCardRequest::new("o", usd, "d"))
            .await
            .map(|_| ()),
        c.split_pay(&SplitPayRequest::new("o", usd, Split::new("u", usd)))
            .await
            .map(|_| ()),
        c.create_invoice(&Invoice::new(usd, date!(2026 - 01 - 01), date!(2026 - 01 - 02)))
            .await
            .map(|_| ()),
        c.b2b_payment(&B2bPaymentRequest::new(
            "o",
            usd,
            "d",
            B2bPayee::new("AZ21NABZ00000000137010001944", "n", "1234567892", "505141"),
        ))
        .await
        .map(|_| ()),
    ];
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Err(Error::InvalidInput { reason, .. }) => assert!(reason.contains("USD"), "#{i}: {reason}"),
            other => panic!("#{i}: {other:?}"),
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}
