#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Token handling: caching, single flight, 401 refresh, fetch failures.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use epay_kz::PaymentTokenRequest;
use payments_core::clock::ManualClock;
use payments_core::{Currency, Error, Money, Secret};
use wiremock::matchers::{header as header_is, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const STATUS_OK: &str = r#"{"resultCode":"100","resultMessage":"OK","transaction":{"id":"tx-1","invoiceID":"000001234567","amount":100,"currency":"KZT","statusName":"CHARGE"}}"#;

async fn mount_status(server: &MockServer, token: &str, status: u16) {
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .and(header_is("Authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_string(if status == 200 { STATUS_OK } else { "" }))
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_service_token_is_fetched_once_with_the_exact_form() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC-1").await;
    mount_status(&server, "SVC-1", 200).await;
    let client = client(&server);
    for _ in 0..3 {
        client.check_status("000001234567").await.unwrap();
    }
    let tokens = requests_to(&server, TOKEN_PATH).await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(body(&tokens[0]), SERVICE_TOKEN_BODY);
    assert_eq!(
        header(&tokens[0], "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        requests_to(&server, &format!("{API}/check-status/payment/transaction/000001234567"))
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC-1").await;
    mount_status(&server, "SVC-1", 200).await;
    let clock = ManualClock::starting_now();
    let client = client_with_clock(&server, &clock);
    client.check_status("000001234567").await.unwrap();
    clock.advance(Duration::from_secs(839));
    client.check_status("000001234567").await.unwrap();
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    clock.advance(Duration::from_secs(1));
    client.check_status("000001234567").await.unwrap();
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_callers_with_an_expired_token_cause_one_fetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(token_json("SVC-1", "\"900\""))
                .set_delay(Duration::from_millis(50)),
        )
        .mount(&server)
        .await;
    mount_status(&server, "SVC-1", 200).await;
    let clock = ManualClock::starting_now();
    let client = client_with_clock(&server, &clock);
    client.check_status("000001234567").await.unwrap();
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 1);
    clock.advance(Duration::from_secs(3600));

    let mut handles = Vec::new();
    for _ in 0..64 {
        let client = client.clone();
        handles.push(tokio::spawn(async move { client.check_status("000001234567").await }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap().unwrap().result_code, epay_kz::ResultCode::Found);
    }
    // One fetch before expiry, exactly one for the 64 callers after it.
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
}

#[tokio::test]
async fn a_401_drops_the_token_and_retries_once_with_a_new_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("OLD", "7200")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("NEW", "7200")))
        .mount(&server)
        .await;
    mount_status(&server, "OLD", 401).await;
    mount_status(&server, "NEW", 200).await;
    let client = client(&server);
    let status = client.check_status("000001234567").await.unwrap();
    assert_eq!(status.transaction.unwrap().id, "tx-1");
    let calls = requests_to(&server, &format!("{API}/check-status/payment/transaction/000001234567")).await;
    let auth: Vec<_> = calls
        .iter()
        .map(|r| header(r, "authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, ["Bearer OLD", "Bearer NEW"]);
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
    // The new token stays cached.
    client.check_status("000001234567").await.unwrap();
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_as_an_error_after_one_retry() {
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC").await;
    mount_status(&server, "SVC", 401).await;
    let client = client(&server);
    let err = client.check_status("000001234567").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                http_status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 2);
    assert_eq!(
        requests_to(&server, &format!("{API}/check-status/payment/transaction/000001234567"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn token_fetch_failures_are_typed_and_nothing_is_sent_to_the_api() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"error":"invalid_client","error_description":"client authentication failed"}"#),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.check_status("000001234567").await.unwrap_err();
    assert_eq!(err.provider_code(), Some("invalid_client"));
    assert!(matches!(
        err,
        Error::Provider {
            http_status: Some(401),
            ..
        }
    ));
    assert!(
        requests_to(&server, &format!("{API}/check-status/payment/transaction/000001234567"))
            .await
            .is_empty()
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"access_token":"LEAKED-TOKEN","expires_in":"#))
        .mount(&server)
        .await;
    let err = client_for(&server).check_status("000001234567").await.unwrap_err();
    assert!(matches!(err, Error::UnreadableResponse { .. }), "{err:?}");
    assert!(!format!("{err:?} {err}").contains("LEAKED-TOKEN"));

    // A 503 from the token endpoint is retried (token calls are idempotent).
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = client_for(&server).check_status("000001234567").await.unwrap_err();
    assert!(err.is_transient());
    assert_eq!(requests_to(&server, TOKEN_PATH).await.len(), 3);
}

fn client_for(server: &MockServer) -> epay_kz::EpayClient {
    common::client(server)
}

#[tokio::test]
async fn payment_tokens_are_never_cached_and_carry_the_invoice() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("PAY", "1200")))
        .mount(&server)
        .await;
    let client = client(&server);
    let req = PaymentTokenRequest::new(
        "000001234567",
        Money::from_minor(15050, Currency::KZT),
        Secret::from("hash-value"),
    )
    .post_link("https://shop.example/post");
    let t1 = client.payment_token(&req).await.unwrap();
    let t2 = client.payment_token(&req).await.unwrap();
    assert_eq!(t1.access_token.expose_secret(), "PAY");
    assert_eq!(t2.expires_in, Some(Duration::from_secs(1200)));
    let seen = requests_to(&server, TOKEN_PATH).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(
        body(&seen[0]),
        "grant_type=client_credentials&scope=webapi+usermanagement+email_send+verification+statement+statistics+payment\
         &client_id=test&client_secret=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG&invoiceID=000001234567&amount=150.50\
         &currency=KZT&terminal=67e34d63-102f-4bd1-898e-370781d0074d&secret_hash=hash-value\
         &postLink=https%3A%2F%2Fshop.example%2Fpost"
    );
}

#[tokio::test]
async fn invoice_tokens_use_the_password_grant_and_are_separate_from_service_tokens() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(wiremock::matchers::body_string_contains("grant_type=password"))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("INV", "\"900\"")))
        .mount(&server)
        .await;
    mount_service_token(&server, "SVC").await;
    mount_status(&server, "SVC", 200).await;
    Mock::given(method("PUT"))
        .and(path(format!("{API}/deactivate/invoice-links/abc-1")))
        .and(header_is("Authorization", "Bearer INV"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = Arc::new(client(&server));
    client.deactivate_invoice("abc-1").await.unwrap();
    client.check_status("000001234567").await.unwrap();
    client.deactivate_invoice("abc-1").await.unwrap();
    let tokens = requests_to(&server, TOKEN_PATH).await;
    assert_eq!(tokens.len(), 2);
    assert_eq!(
        body(&tokens[0]),
        "grant_type=password&username=halykfinanceUSD%40halykbank.nb&password=XVp36qar&scope=api&client_id=test&client_secret=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"
    );
}

#[tokio::test]
async fn instances_sharing_a_token_store_fetch_one_token() {
    use payments_core::store::{MemoryTokenStore, TokenStore};
    let server = MockServer::start().await;
    mount_service_token(&server, "SVC-1").await;
    mount_status(&server, "SVC-1", 200).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let instances: Vec<_> = (0..4)
        .map(|_| {
            epay_kz::EpayClient::builder(config(&server))
                .http_client(http())
                .token_store(store.clone())
                .build()
                .unwrap()
        })
        .collect();
    let mut calls = Vec::new();
    for i in 0..32 {
        let client = instances[i % 4].clone();
        calls.push(tokio::spawn(async move { client.check_status("000001234567").await }));
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        requests_to(&server, TOKEN_PATH).await.len(),
        1,
        "four instances, one token fetch"
    );
}
