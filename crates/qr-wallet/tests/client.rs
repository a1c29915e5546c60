//! Every operation against wiremock: exact method, path, headers and body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use payments_core::{
    Currency, Delivery, Error, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus, RefundRequest,
};
use qr_wallet::{
    ApproveQrPayment, BeginThirdPartyPayment, CompleteThirdPartyPayment, CreateQrPayment, CreateThirdPartyQrCode,
    QrWalletErrorCode, RefundPayment, TxCorrelationId,
};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, ResponseTemplate};

fn assert_api_headers(req: &wiremock::Request, token: &str) {
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(
        req.headers.get("authorization").unwrap().to_str().unwrap(),
        format!("Bearer {token}")
    );
    assert_eq!(
        req.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json"
    );
}

#[tokio::test]
async fn begin_then_complete_with_exact_bodies() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_string(
            r#"{"wallet_number":"5000000001","provider_id":"112233","qr_code":"0002010102122653ABC","qr_code_type":1}"#,
        ))
        .respond_with(json(BEGIN_SAMPLE))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_string(
            r#"{"wallet_number":"5000000001","provider_id":"112233","tx_correlation_id":7777777777777777777}"#,
        ))
        .respond_with(json(&complete_sample_charging("0.1300")))
        .expect(1)
        .mount(&server)
        .await;

    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new("5000000001", "0002010102122653ABC"))
        .await
        .unwrap();
    assert_eq!(begun.tx_correlation_id.as_str(), "7777777777777777777");
    assert_eq!(begun.payment_data.request_amount.to_string(), "0.13");
    let done = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun("5000000001", &begun))
        .await
        .unwrap();
    assert_eq!(done.transaction_id, "55555560555665555555");
    // 0.1300 is the 0.13 Begin showed.
    assert_eq!(done.transaction_amount.to_string(), "0.1300");

    let begin = hits(&server, &tx("Begin3rdPartyQRCodePayment")).await;
    assert_api_headers(&begin[0], TOKEN);
    assert_eq!(begin[0].headers.get("x-client-id"), None);
    // One token for both calls.
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 1);
}

/// The seed's Complete sample with `transaction_amount` set to `amount`.
fn complete_sample_charging(amount: &str) -> String {
    COMPLETE_SAMPLE.replacen(
        r#""transaction_amount": 100.0000"#,
        &format!(r#""transaction_amount": {amount}"#),
        1,
    )
}

#[tokio::test]
async fn complete_charging_another_amount_than_begin_showed_is_reported() {
    // The seed's two samples disagree: Begin shows 0.13, Complete charged 100.0000.
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .respond_with(json(BEGIN_SAMPLE))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .respond_with(json(COMPLETE_SAMPLE))
        .expect(2)
        .mount(&server)
        .await;
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new("w1", "qr"))
        .await
        .unwrap();
    let err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun("w1", &begun))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("transaction_amount"), "{text}");
    assert!(text.contains("100.0000") && text.contains("0.13"), "{text}");
    assert!(text.contains("55555560555665555555"), "{text}");
    // The money moved for the other amount: a mismatch, never resent.
    assert!(
        matches!(&err, Error::Mismatch { field, .. } if field == "transaction_amount"),
        "{err:?}"
    );
    assert!(!err.safe_to_resend());
    // Without an expected amount nothing is checked.
    let done = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new("w1", begun.tx_correlation_id.clone()))
        .await
        .unwrap();
    assert_eq!(done.transaction_amount.to_string(), "100.0000");
}

#[tokio::test]
async fn the_big_correlation_id_goes_out_digit_for_digit() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .respond_with(json(COMPLETE_SAMPLE))
        .mount(&server)
        .await;
    let id = TxCorrelationId::parse("7777777777777777777777").unwrap();
    client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new("111111111", id).provider_id("eeeeeeee"))
        .await
        .unwrap();
    let sent = hits(&server, &tx("Complete3rdPartyQRCodePayment")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        std::str::from_utf8(&sent[0].body).unwrap(),
        r#"{"wallet_number":"111111111","provider_id":"eeeeeeee","tx_correlation_id":7777777777777777777777}"#
    );
}

#[tokio::test]
async fn an_expired_session_is_refused_before_sending() {
    let (server, client, clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .respond_with(json(BEGIN_SAMPLE))
        .mount(&server)
        .await;
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new("w1", "qr"))
        .await
        .unwrap();
    // 08:38:40.51 at +03:00 is 05:38:40.51 UTC; the clock starts at 05:30.
    clock.advance(Duration::from_secs(9 * 60));
    let err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun("w1", &begun))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "SessionExpireDate"),
        "{err}"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert!(hits(&server, &tx("Complete3rdPartyQRCodePayment")).await.is_empty());
}

#[tokio::test]
async fn error_envelope_on_http_200_is_a_provider_error_sent_once() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .respond_with(json(
            r#"{"status":2,"code":"311","message":"Yetersiz bakiye","payload":null}"#,
        ))
        .mount(&server)
        .await;
    let id = TxCorrelationId::parse("42").unwrap();
    let err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new("w", id))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Provider { http_status: Some(200), message: Some(m), .. } if m == "Yetersiz bakiye"));
    assert_eq!(
        QrWalletErrorCode::of(&err),
        Some(QrWalletErrorCode::InsufficientBalance)
    );
    assert!(!err.outcome_unknown());
    assert_eq!(hits(&server, &tx("Complete3rdPartyQRCodePayment")).await.len(), 1);
}

#[tokio::test]
async fn x_client_id_header_when_configured() {
    let server = wiremock::MockServer::start().await;
    let config = qr_wallet::QrWalletConfig::builder()
        .api_url(format!("{}/qr", server.uri()))
        .identity_url(format!("{}/identity", server.uri()))
        .client_id("merchant-client")
        .client_secret(CLIENT_SECRET)
        .provider_id("112233")
        .x_client_id("tenant-42")
        .build()
        .unwrap();
    let client = client_with(config, &clock());
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("ReadQRPayment")))
        .and(header("x-client-id", "tenant-42"))
        .and(body_string(r#"{"qr_code":"QR-1"}"#))
        .respond_with(json(&ok_envelope(
            r#"{"receiver_name":"Kafe","description":"kahve","amount":12.5,"qr_code":"QR-1","currency_code":"TRY","expire_date":"2026-11-23T10:00:00"}"#,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let d = client.read_qr_payment("QR-1").await.unwrap();
    assert_eq!(d.receiver_name.as_deref(), Some("Kafe"));
    assert_eq!(d.description.as_deref(), Some("kahve"));
    assert_eq!(d.amount.to_string(), "12.5");
    assert_eq!(d.amount_money().unwrap(), Money::from_minor(1250, Currency::TRY));
    assert_eq!(d.qr_code.as_deref(), Some("QR-1"));
    assert_eq!(d.currency_code.as_deref(), Some("TRY"));
    assert_eq!(d.expire_date.as_deref(), Some("2026-11-23T10:00:00"));
}

#[tokio::test]
async fn create_third_party_qr_code() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Create3rdPartyQrCode")))
        .and(body_string(
            r#"{"provider_id":"112233","data":{"MerchantCode":"0007777777","TerminalCode":"T1","TransactionAmount":10.50}}"#,
        ))
        .respond_with(json(&ok_envelope(r#""00020101021226530014TR.QR""#)))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_third_party_qr_code(&CreateThirdPartyQrCode::new(
            "0007777777",
            "T1",
            Money::from_minor(1050, Currency::TRY),
        ))
        .await
        .unwrap();
    assert_eq!(created.qr_code.as_deref(), Some("00020101021226530014TR.QR"));
    assert_api_headers(&hits(&server, &tx("Create3rdPartyQrCode")).await[0], TOKEN);
}

#[tokio::test]
async fn create_qr_payment() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("CreateQRPayment")))
        .and(body_string(
            r#"{"ext_order_id":"ORD-1","account_number":"ACC-9","receiver_wallet_number":"7777777777","currency_code":"TRY","amount":100.00,"description":"Sipariş 1"}"#,
        ))
        .respond_with(json(&ok_envelope(r#"{"qr_code":"QRP-55","expire_date":"2026-11-23T10:00:00"}"#)))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_qr_payment(
            &CreateQrPayment::new("ORD-1", "ACC-9", "7777777777", Money::from_minor(10000, Currency::TRY))
                .description("Sipariş 1"),
        )
        .await
        .unwrap();
    assert_eq!(created.qr_code.as_deref(), Some("QRP-55"));
    assert_eq!(
        created.payload.as_deref(),
        Some(r#"{"qr_code":"QRP-55","expire_date":"2026-11-23T10:00:00"}"#)
    );
    // Not TRY: refused before sending.
    let err = client
        .create_qr_payment(&CreateQrPayment::new(
            "ORD-2",
            "A",
            "W",
            Money::from_minor(1, Currency::AZN),
        ))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "amount"));
    assert_eq!(hits(&server, &tx("CreateQRPayment")).await.len(), 1);
}

#[tokio::test]
async fn approve_qr_payment() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("ApproveQRPayment")))
        .and(body_string(
            r#"{"qr_code":"QRP-55","account_number":"EEEEEE010","sender_wallet_number":"777777777"}"#,
        ))
        .respond_with(json(COMPLETE_SAMPLE))
        .expect(1)
        .mount(&server)
        .await;
    let paid = client
        .approve_qr_payment(&ApproveQrPayment::new("QRP-55", "EEEEEE010", "777777777"))
        .await
        .unwrap();
    assert_eq!(paid.transaction_id, "55555560555665555555");
    assert_eq!(paid.charged_amount.unwrap().to_string(), "100.0000");
}

#[tokio::test]
async fn check_status_and_trait_payment_status() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("CheckQRPaymentStatus")))
        .and(body_string(r#"{"qr_code":"QRP-55"}"#))
        .respond_with(json(&ok_envelope(
            r#"{"qr_code":"QRP-55","status":"PAID","amount":100.00,"currency_code":"TRY","ext_order_id":"ORD-1","transaction_id":"55555560555665555555","tx_correlation_id":"7777777777777777777777"}"#,
        )))
        .expect(2)
        .mount(&server)
        .await;
    let r = client.check_qr_payment_status("QRP-55").await.unwrap();
    assert_eq!(r.status, PaymentStatus::Succeeded);
    assert_eq!(r.raw_status.as_deref(), Some("PAID"));
    assert_eq!(r.amount.unwrap().to_string(), "100.00");
    assert_eq!(r.transaction_id.as_deref(), Some("55555560555665555555"));
    assert_eq!(r.tx_correlation_id.as_deref(), Some("7777777777777777777777"));
    assert_eq!(r.ext_order_id.as_deref(), Some("ORD-1"));

    let report = client
        .payment_status(&PaymentRef::order("ignored").with_extra("qr_code", "QRP-55"))
        .await
        .unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.order_id.as_deref(), Some("ORD-1"));
    assert_eq!(report.transaction_id.as_deref(), Some("55555560555665555555"));
    assert_eq!(report.amount, Some(Money::from_minor(10000, Currency::TRY)));
}

#[tokio::test]
async fn unknown_status_is_never_success() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("CheckQRPaymentStatus")))
        .respond_with(json(&ok_envelope(r#"{"status":7}"#)))
        .mount(&server)
        .await;
    let r = client.check_qr_payment_status("X").await.unwrap();
    assert_eq!(r.status, PaymentStatus::Unknown("7".into()));
}

#[tokio::test]
async fn refund_instant_by_default_and_the_katalon_refund() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    // Sipay's RefundPaymentInstant sample answer (walletapi.sipay.com.tr), abridged wallet_info.
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .and(body_string(
            r#"{"ext_transaction_id":"RF-1","tx_correlation_id":7777777777777777777777,"currency_code":"TRY","refund_amount":0.13,"description":"iade"}"#,
        ))
        .respond_with(json(&ok_envelope(
            r#"{"transaction_id":"2507286963749015584","ext_transaction_id":"RF-1","transaction_amount":0.1300,"transaction_fee_amount":0.0000,"previous_amount":100.0000,"wallet_info":{"id":"7997777777777777777","name":"Ayşe Yılmaz","email":"ayse@example.com","total_balance":796.13,"currency_code":"TRY"}}"#,
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPayment")))
        .and(body_string(
            r#"{"ext_transaction_id":"RF-2","tx_correlation_id":42,"currency_code":"TRY","refund_amount":5.00,"description":""}"#,
        ))
        .respond_with(json(r#"{"status":0,"code":null,"message":null,"payload":null}"#))
        .expect(1)
        .mount(&server)
        .await;
    let id = TxCorrelationId::parse("7777777777777777777777").unwrap();
    let r = client
        .refund_payment(&RefundPayment::new("RF-1", id, Money::from_minor(13, Currency::TRY)).description("iade"))
        .await
        .unwrap();
    assert_eq!(r.transaction_id.as_deref(), Some("2507286963749015584"));
    assert_eq!(r.ext_transaction_id.as_deref(), Some("RF-1"));
    assert_eq!(r.transaction_amount.unwrap().to_string(), "0.1300");
    assert_eq!(r.transaction_fee_amount.unwrap().to_string(), "0.0000");
    assert_eq!(r.previous_amount.unwrap().to_string(), "100.0000");
    assert_eq!(r.reference(), Some("2507286963749015584"));
    let w = r.wallet_info.as_ref().unwrap();
    assert_eq!(w.total_balance.unwrap().to_string(), "796.13");
    let shown = format!("{r:?}");
    for leaked in ["Ayşe", "ayse@example.com", "796.13"] {
        assert!(!shown.contains(leaked), "{leaked}: {shown}");
    }
    let r = client
        .refund_payment(
            &RefundPayment::new(
                "RF-2",
                TxCorrelationId::parse("42").unwrap(),
                Money::from_minor(500, Currency::TRY),
            )
            .instant(false),
        )
        .await
        .unwrap();
    assert_eq!(r.transaction_id, None);
}

#[tokio::test]
async fn trait_refund_maps_a_business_refusal_to_declined() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .and(body_string(
            r#"{"ext_transaction_id":"RF-9","tx_correlation_id":123,"currency_code":"TRY","refund_amount":100.00,"description":""}"#,
        ))
        .respond_with(json(r#"{"status":2,"code":"315","message":"Geçersiz tutar girişi.","payload":null}"#))
        .expect(1)
        .mount(&server)
        .await;
    let payment = PaymentRef::transaction("123").with_amount(Money::from_minor(10000, Currency::TRY));
    let out = client
        .refund(&RefundRequest::full(payment.clone()).with_refund_id("RF-9"))
        .await;
    payments_core::conformance::declined_operation_is_ok(&out);
    match out.unwrap() {
        OperationOutcome::Declined(d) => {
            assert_eq!(d.code.as_deref(), Some("315"));
            assert_eq!(d.message.as_deref(), Some("Geçersiz tutar girişi."));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn trait_refund_generates_an_id_and_301_on_the_same_id_is_already_processed() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .and(wiremock::matchers::body_string_contains(
            r#""ext_transaction_id":"RF-7""#,
        ))
        .respond_with(json(
            r#"{"status":2,"code":"301","message":"ext_transaction_id already used","payload":null}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .respond_with(json(&ok_envelope(r#"{"transaction_id":"2507286963749015590"}"#)))
        .mount(&server)
        .await;
    let payment = PaymentRef::transaction("123").with_amount(Money::from_minor(10000, Currency::TRY));

    // No refund id: one is generated, sent, and returned.
    let out = client.refund(&RefundRequest::full(payment.clone())).await.unwrap();
    let OperationOutcome::Accepted {
        provider_ref,
        operation_id: Some(id),
    } = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(provider_ref.as_deref(), Some("2507286963749015590"));
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let sent = hits(&server, &tx("RefundPaymentInstant")).await;
    assert_eq!(
        std::str::from_utf8(&sent[0].body).unwrap(),
        format!(
            r#"{{"ext_transaction_id":"{id}","tx_correlation_id":123,"currency_code":"TRY","refund_amount":100.00,"description":""}}"#
        )
    );

    // The same id again (a retry after an unknown outcome): 301 is already processed, never a decline.
    let out = client
        .refund(&RefundRequest::full(payment).with_refund_id("RF-7"))
        .await
        .unwrap();
    assert_eq!(
        out,
        OperationOutcome::AlreadyProcessed {
            operation_id: Some("RF-7".into()),
            provider_ref: None
        }
    );
}

#[tokio::test]
async fn status_reports_carry_what_refund_needs() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("CheckQRPaymentStatus")))
        .and(body_string(r#"{"qr_code":"QRP-55"}"#))
        .respond_with(json(
            r#"{"status":0,"code":null,"message":null,"payload":{"qr_code":"QRP-55","qr_status_code":200,"qr_status":"Approved","amount":25.00,"currency_code":"TRY","ext_order_id":"ORD-1","transaction_id":"55555560555665555555","tx_correlation_id":"7777777777777777777777"}}"#,
        ))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("RefundPaymentInstant")))
        .and(body_string(
            r#"{"ext_transaction_id":"RF-1","tx_correlation_id":7777777777777777777777,"currency_code":"TRY","refund_amount":25.00,"description":""}"#,
        ))
        .respond_with(json(&ok_envelope(r#"{"transaction_id":"1"}"#)))
        .expect(1)
        .mount(&server)
        .await;
    let report = client
        .payment_status(&PaymentRef::default().with_extra(qr_wallet::EXTRA_QR_CODE, "QRP-55"))
        .await
        .unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(Money::from_minor(2500, Currency::TRY)));
    assert_eq!(
        report.extra.get(qr_wallet::EXTRA_TX_CORRELATION_ID).map(String::as_str),
        Some("7777777777777777777777")
    );
    // payment_ref() round-trips: back into payment_status, and into a full refund.
    let again = client.payment_status(&report.payment_ref()).await.unwrap();
    assert_eq!(again, report);
    let out = client
        .refund(&RefundRequest::full(report.payment_ref()).with_refund_id("RF-1"))
        .await
        .unwrap();
    assert!(matches!(out, OperationOutcome::Accepted { .. }), "{out:?}");
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    let err = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new("", "qr"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "wallet_number"));
    let err = client
        .refund_payment(&RefundPayment::new(
            "RF",
            TxCorrelationId::parse("1").unwrap(),
            Money::from_minor(0, Currency::TRY),
        ))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "refund_amount"));
    // Not even a token was fetched.
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_401_refetches_the_token_once_and_resends() {
    let (server, client, _clock) = setup().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN_2)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Complete3rdPartyQRCodePayment")))
        .and(header("authorization", format!("Bearer {TOKEN_2}").as_str()))
        .respond_with(json(COMPLETE_SAMPLE))
        .mount(&server)
        .await;
    let done = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new(
            "w",
            TxCorrelationId::parse("1").unwrap(),
        ))
        .await
        .unwrap();
    assert_eq!(done.transaction_id, "55555560555665555555");
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 2);
    assert_eq!(hits(&server, &tx("Complete3rdPartyQRCodePayment")).await.len(), 2);
}

#[tokio::test]
async fn token_is_cached_until_shortly_before_expiry() {
    let (server, client, clock) = setup().await;
    mount_token(&server).await;
    client.access_token().await.unwrap();
    clock.advance(Duration::from_secs(3600 - 61));
    client.access_token().await.unwrap();
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 1);
    clock.advance(Duration::from_secs(1));
    client.access_token().await.unwrap();
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 2);
}

#[tokio::test]
async fn conformance() {
    let (server, client, _clock) = setup().await;
    payments_core::conformance::unsupported_operations_return_unsupported(&client).await;
    payments_core::conformance::assert_no_secret_in_debug(&client, &[CLIENT_SECRET]);
    payments_core::conformance::assert_no_secret_in_debug(client.config(), &[CLIENT_SECRET]);
    assert!(server.received_requests().await.unwrap().is_empty());
    let caps = client.capabilities();
    assert!(caps.payment_status && caps.refund && caps.partial_refund && caps.idempotent_refund);
    assert!(!caps.create_payment && !caps.cancel && !caps.callbacks && !caps.confirm_callback && !caps.capture);
    assert_eq!(client.name(), "qr-wallet");
}

#[tokio::test]
async fn a_401_on_a_money_call_without_an_id_is_not_resent() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("Create3rdPartyQrCode")))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let err = client
        .create_third_party_qr_code(&CreateThirdPartyQrCode::new(
            "M",
            "T",
            Money::from_minor(100, Currency::TRY),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Provider {
                http_status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(hits(&server, &tx("Create3rdPartyQrCode")).await.len(), 1);
    // The rejected token was dropped: the next call fetches a new one.
    client.access_token().await.unwrap();
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 2);
}

#[tokio::test]
async fn with_options_bounds_every_call_and_shares_the_token_cache() {
    let (server, client, _clock) = setup().await;
    mount_token(&server).await;
    Mock::given(method("POST"))
        .and(path(tx("ReadQRPayment")))
        .respond_with(json(&ok_envelope(r#"{"amount":1.00}"#)).set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    // The default timeout (1.5 s) lets the slow answer through.
    client.read_qr_payment("Q").await.unwrap();
    let hurried = client.with_options(
        payments_core::http::CallOptions::new()
            .timeout(Duration::from_millis(100))
            .correlation_id("order-42"),
    );
    assert_eq!(hurried.options().correlation_id.as_deref(), Some("order-42"));
    let err = hurried.read_qr_payment("Q").await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    // One token for both clients.
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 1);
}
