#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Completion, reversal, status and MT transfers against wiremock: exact
//! method, path, headers and body; parsed answers; fault paths.

mod common;

use azericard::{
    Action, FollowUpRequest, GatewayCode, ReversalKind, StatusRequest, TrType, TransferCode, TransferDecision,
    TransferStart,
};
use common::*;
use payments_core::{
    Currency, Delivery, Error, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus, RefundRequest,
};
use time::macros::datetime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CGI: &str = "/azericard/cgi-bin/cgi_link";

fn azn(minor: i64) -> Money {
    Money::from_minor(minor, Currency::AZN)
}

fn a2_request() -> FollowUpRequest {
    FollowUpRequest::completion("100001", azn(1050), "412345678901", "A1B2C3D4E5F60718")
        .timestamp(datetime!(2025-01-01 12:15 UTC))
        .nonce("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
}

async fn server_answering(path_: &str, status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(path_))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.to_owned()))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn completion_a2_exact_request_and_success() {
    let server = server_answering(CGI, 200, "0\n").await;
    let client = client_at(&server.uri(), &clock());
    let response = client.complete(&a2_request()).await.unwrap();
    assert!(response.is_success());
    assert_eq!(response.code, GatewayCode::Success);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), CGI);
    assert_eq!(
        r.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/x-www-form-urlencoded"
    );
    let expected = pairs(&[
        ("ORDER", "100001"),
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
        ("TERMINAL", "17201234"),
        ("TRTYPE", "21"),
        ("TIMESTAMP", "20250101121500"),
        ("NONCE", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ("P_SIGN", A2_P_SIGN),
    ]);
    assert_eq!(form_pairs(&r.body), expected);
    assert_eq!(r.body, encode(&expected).into_bytes());
}

#[tokio::test]
async fn reversals_22_and_24_are_signed_with_their_trtype() {
    for (kind, trtype) in [(ReversalKind::Return, "22"), (ReversalKind::Cancel, "24")] {
        let server = server_answering(CGI, 200, "0").await;
        let client = client_at(&server.uri(), &clock());
        let req = FollowUpRequest::reversal(kind, "100001", azn(500), "412345678901", "A1B2C3D4E5F60718")
            .timestamp(datetime!(2025-01-01 12:15 UTC))
            .nonce("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        assert!(client.reverse(&req).await.unwrap().is_success());
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        let fields = form_pairs(&requests[0].body);
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(get("TRTYPE"), trtype);
        assert_eq!(get("AMOUNT"), "5.00");
        let src = azericard::signature::mac_source_of_pairs(azericard::signature::COMPLETION_FIELDS, &fields);
        assert_eq!(
            src,
            format!("610000145.003AZN8172012342{trtype}1241234567890116A1B2C3D4E5F60718")
        );
        azericard::signature::verify_mac(&gateway_key(), &src, &get("P_SIGN")).unwrap();
    }
}

#[tokio::test]
async fn follow_up_codes_map_to_outcomes() {
    let payment = PaymentRef::order("100001")
        .with_amount(azn(1050))
        .with_extra("RRN", "412345678901")
        .with_extra("INT_REF", "A1B2C3D4E5F60718");
    // Duplicate: a decline (Ok), wrong P_SIGN / parameter / unknown: provider errors.
    let server = server_answering(CGI, 200, "1").await;
    let client = client_at(&server.uri(), &clock());
    let out = client.refund(&RefundRequest::full(payment.clone())).await;
    payments_core::conformance::declined_operation_is_ok(&out);
    for body in ["3", "2", "77"] {
        let server = server_answering(CGI, 200, body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client.cancel(&payment).await.unwrap_err();
        assert_eq!(err.provider_code(), Some(body), "{err}");
        assert_eq!(err.delivery(), Delivery::ProviderAnswered);
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
    let server = server_answering(CGI, 200, "0").await;
    let client = client_at(&server.uri(), &clock());
    let out = client
        .refund(&RefundRequest::partial(payment.clone(), azn(250)))
        .await
        .unwrap();
    assert_eq!(out, OperationOutcome::accepted());
    let fields = form_pairs(&server.received_requests().await.unwrap()[0].body);
    assert!(fields.contains(&("TRTYPE".to_owned(), "22".to_owned())));
    assert!(fields.contains(&("AMOUNT".to_owned(), "2.50".to_owned())));
    // Missing identifiers are caller errors naming the field, sent nowhere.
    let err = client
        .refund(&RefundRequest::full(PaymentRef::order("100001").with_amount(azn(1))))
        .await;
    assert!(matches!(err, Err(Error::InvalidInput { ref field, .. }) if field == "RRN"));
}

#[tokio::test]
async fn money_moving_fault_paths_are_sent_once() {
    for (status, body, delivery) in [
        (500, "internal", Delivery::ProviderAnswered),
        (503, "", Delivery::ProviderAnswered),
        (200, "", Delivery::Unreadable),
        (200, "<html>oops</html>", Delivery::Unreadable),
        (200, "{\"ACTION\":", Delivery::Unreadable),
    ] {
        let server = server_answering(CGI, status, body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client.complete(&a2_request()).await.unwrap_err();
        assert_eq!(err.delivery(), delivery, "{status} {body:?}: {err}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "never retried");
    }
}

#[tokio::test]
async fn status_a3_exact_request_and_json_answer() {
    let answer = r#"{"ACTION":"0","Response code":"00","Transaction Status message":"Approved","TERMINAL":"17201234",
        "Card number":"416973******1234","Transaction amount":"10.50","Transaction currency":"AZN",
        "Transaction date":"20250101120100","Transaction state":"Closed","Merchant order id":"100001",
        "Banks approval code":"123456","Transaction RRN":"412345678901","INT_REF":"A1B2C3D4E5F60718",
        "Original transaction TRTYPE":"1","Timestamp":"20250101130000","Nonce":"aa","P_SIGN":"00"}"#;
    let server = server_answering(CGI, 200, answer).await;
    let client = client_at(&server.uri(), &clock());
    let req = StatusRequest::new("100001", TrType::Purchase)
        .timestamp(datetime!(2025-01-01 13:00 UTC))
        .nonce("00112233445566778899aabbccddeeff");
    let status = client.status(&req).await.unwrap();
    assert_eq!(status.action, Some(Action::Approved));
    assert_eq!(status.rc.as_deref(), Some("00"));
    assert_eq!(status.order.as_deref(), Some("100001"));
    assert_eq!(status.rrn.as_deref(), Some("412345678901"));
    assert_eq!(status.int_ref.as_deref(), Some("A1B2C3D4E5F60718"));
    assert_eq!(status.approval.as_deref(), Some("123456"));
    assert_eq!(status.masked_card.as_deref(), Some("416973******1234"));
    assert_eq!(status.original_trtype, Some(TrType::Purchase));
    assert_eq!(status.amount_in(Currency::AZN), Some(azn(1050)));
    let report = status.report(&TrType::Purchase, Some(Currency::AZN));
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.transaction_id.as_deref(), Some("A1B2C3D4E5F60718"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.path(), CGI);
    let expected = pairs(&[
        ("ORDER", "100001"),
        ("TERMINAL", "17201234"),
        ("TRTYPE", "90"),
        ("TIMESTAMP", "20250101130000"),
        ("NONCE", "00112233445566778899aabbccddeeff"),
        ("TRAN_TRTYPE", "1"),
        ("P_SIGN", A3_P_SIGN),
    ]);
    assert_eq!(requests[0].body, encode(&expected).into_bytes());
}

#[tokio::test]
async fn status_form_answer_and_declined_status_is_ok() {
    let server = server_answering(CGI, 200, "ACTION=2&RC=05&ORDER=100001&AMOUNT=10.50").await;
    let client = client_at(&server.uri(), &clock());
    let result = client
        .payment_status(&PaymentRef::order("100001").with_amount(azn(1050)))
        .await;
    payments_core::conformance::declined_status_is_ok(&result);
    let report = result.unwrap();
    assert_eq!(report.order_id.as_deref(), Some("100001"));
    assert_eq!(report.amount, Some(azn(1050)));
    let fields = form_pairs(&server.received_requests().await.unwrap()[0].body);
    assert!(fields.contains(&("TRAN_TRTYPE".to_owned(), "1".to_owned())));
}

#[tokio::test]
async fn status_without_action_is_pending_or_unknown() {
    for (body, expected) in [
        (
            r#"{"ACTION":"","Transaction state":"Pending","Merchant order id":"100001"}"#,
            PaymentStatus::Pending,
        ),
        (
            r#"{"Transaction state":"Frozen"}"#,
            PaymentStatus::Unknown("Frozen".to_owned()),
        ),
        (
            r#"{"ACTION":"3","Response code":"2","Transaction Status message":"ORDER: not found"}"#,
            PaymentStatus::Unknown("processing fault".to_owned()),
        ),
    ] {
        let server = server_answering(CGI, 200, body).await;
        let client = client_at(&server.uri(), &clock());
        let report = client.payment_status(&PaymentRef::order("100001")).await.unwrap();
        assert_eq!(report.status, expected, "{body}");
    }
}

#[tokio::test]
async fn status_fault_paths_and_retries() {
    // 5xx is retried (idempotent): 3 attempts, then the provider error.
    let server = server_answering(CGI, 503, "busy").await;
    let client = client_at(&server.uri(), &clock());
    let err = client
        .status(&StatusRequest::new("100001", TrType::Purchase))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::ProviderAnswered);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    for body in ["", "{\"ACTION\":", "[1,2]", "just text", "A=1&A=2"] {
        let server = server_answering(CGI, 200, body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client
            .status(&StatusRequest::new("100001", TrType::Purchase))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }), "{body:?}: {err}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
    let err = client_at("http://127.0.0.1:9", &clock())
        .status(&StatusRequest::new("100001", TrType::Status))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "original_trtype"));
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client_at(&uri, &clock());
    let err = client.complete(&a2_request()).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::NotSent, "{err}");
}

fn signed_confirm_answer() -> String {
    let sig = azericard::signature::transfer_signature(
        &[
            "OP1",
            "SRN000001",
            "412345678901",
            "10.50",
            "944",
            "416973******1234",
            "success",
            "20250101123001",
            "0",
            "Success",
        ],
        TRANSFER_SECRET,
    );
    format!(
        r#"{{"OperationId":"OP1","SRN":"SRN000001","RRN":"412345678901","Amount":"10.50","Cur":"944","ReceiverPan":"416973******1234","Status":"success","Timestamp":"20250101123001","ResponseCode":0,"Message":"Success","Signature":"{sig}"}}"#
    )
}

#[tokio::test]
async fn transfer_confirm_t2_exact_request_and_signed_answer() {
    let server = server_answering("/azericard-mt/api/confirm", 200, &signed_confirm_answer()).await;
    let client = client_at(&server.uri(), &clock());
    let req = TransferDecision::new("SRN000001", azn(1050)).timestamp(datetime!(2025-01-01 12:30 UTC));
    let answer = client.confirm_transfer(&req).await.unwrap();
    assert!(answer.is_success());
    assert_eq!(answer.operation_id.as_deref(), Some("OP1"));
    assert_eq!(answer.rrn.as_deref(), Some("412345678901"));
    assert_eq!(answer.receiver_pan.as_deref(), Some("416973******1234"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "POST");
    assert_eq!(requests[0].url.path(), "/azericard-mt/api/confirm");
    assert_eq!(
        requests[0].headers.get("content-type").unwrap().to_str().unwrap(),
        "application/json"
    );
    assert_eq!(
        String::from_utf8(requests[0].body.clone()).unwrap(),
        r#"{"Merchant":"TESTSHOP","SRN":"SRN000001","Amount":"10.50","Cur":"944","Timestamp":"20250101123000","Signature":"3e963129aa1728ef0106d27ad139501e"}"#
    );
}

#[tokio::test]
async fn transfer_answers_are_verified() {
    // A forged success is rejected; an unsigned success too.
    let forged = signed_confirm_answer().replace("\"10.50\"", "\"100.50\"");
    let unsigned = r#"{"OperationId":"OP1","SRN":"SRN000001","ResponseCode":"0","Message":"Success"}"#;
    for body in [forged.as_str(), unsigned] {
        let server = server_answering("/azericard-mt/api/confirm", 200, body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client
            .confirm_transfer(&TransferDecision::new("SRN000001", azn(1050)))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::SignatureInvalid { .. }), "{err}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
    // An unsigned failure is reported with its code.
    let server = server_answering(
        "/azericard-mt/api/decline",
        200,
        r#"{"ResponseCode":112,"Message":"payment not found"}"#,
    )
    .await;
    let client = client_at(&server.uri(), &clock());
    let answer = client
        .decline_transfer(&TransferDecision::new("SRN000001", azn(1050)))
        .await
        .unwrap();
    assert_eq!(answer.code, TransferCode::NotFound);
    assert!(!answer.is_success());
    // Fault paths: 5xx, malformed, empty; each sent once.
    for (status, body) in [(500, "oops"), (200, "{\"Resp"), (200, ""), (200, "[]")] {
        let server = server_answering("/azericard-mt/api/confirm", status, body).await;
        let client = client_at(&server.uri(), &clock());
        let err = client
            .confirm_transfer(&TransferDecision::new("SRN000001", azn(1050)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Provider { .. } | Error::UnreadableResponse { .. }),
            "{status} {body:?}: {err}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    }
}

#[test]
fn transfer_start_t1_url() {
    let client = client_at("https://testmt.azericard.com", &clock());
    let url = client
        .transfer_start_url(&TransferStart::new(
            "SRN000001",
            azn(1050),
            "Ali Aliyev",
            "https://s.az",
        ))
        .unwrap();
    assert_eq!(
        url,
        "https://testmt.azericard.com/azericard-mt/payment/view?Merchant=TESTSHOP&SRN=SRN000001&Amount=10.50&Cur=944&ReceiverCredentials=Ali+Aliyev&RedirectLink=https%3A%2F%2Fs.az&Signature=a9480e5145666acbc860b863bc7ddd8d"
    );
    let err = client
        .transfer_start_url(&TransferStart::new("SRN0000000001", azn(1050), "A", "https://s.az"))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "srn"));
}

fn short_timeout_client(base: &str) -> azericard::AzericardClient {
    let http = payments_core::http::HttpClient::builder()
        .timeout(std::time::Duration::from_millis(300))
        .max_response_bytes(64 * 1024)
        .retry_policy(
            payments_core::http::RetryPolicy::default()
                .max_attempts(2)
                .base_delay(std::time::Duration::from_millis(1))
                .max_delay(std::time::Duration::from_millis(2)),
        )
        .jitter(payments_core::http::NoJitter)
        .build()
        .unwrap();
    azericard::AzericardClient::with_http_client(config_at(base, &clock()), http)
}

#[tokio::test]
async fn response_timeout_oversized_body_and_wrong_content_type() {
    // A completion that times out may have been processed: MaybeSent, sent once.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("0")
                .set_delay(std::time::Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let client = short_timeout_client(&server.uri());
    let err = client.complete(&a2_request()).await.unwrap_err();
    assert_eq!(err.delivery(), Delivery::MaybeSent, "{err}");
    assert!(err.outcome_unknown());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // The status query is idempotent: retried, then MaybeSent.
    let err = client
        .status(&StatusRequest::new("100001", TrType::Purchase))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::MaybeSent, "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A body over the executor's cap is unreadable, never parsed.
    let huge = "0".repeat(128 * 1024);
    let server = server_answering(CGI, 200, &huge).await;
    let err = short_timeout_client(&server.uri())
        .complete(&a2_request())
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::Unreadable, "{err}");

    // An HTML error page with 200 where a code or JSON was expected.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html")
                .set_body_string("<html><body>Transaction rejected</body></html>"),
        )
        .mount(&server)
        .await;
    let client = short_timeout_client(&server.uri());
    assert!(matches!(
        client.complete(&a2_request()).await,
        Err(Error::UnreadableResponse { .. })
    ));
    assert!(matches!(
        client.status(&StatusRequest::new("100001", TrType::Purchase)).await,
        Err(Error::UnreadableResponse { .. })
    ));
    assert!(matches!(
        client
            .confirm_transfer(&TransferDecision::new("SRN000001", azn(1050)))
            .await,
        Err(Error::UnreadableResponse { .. })
    ));
}
