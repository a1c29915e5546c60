//! 64 concurrent callers with an expired token cause exactly one token fetch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use qr_wallet::BeginThirdPartyPayment;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_callers_with_an_expired_token_fetch_it_once() {
    let (server, client, clock) = setup().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_body(TOKEN)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // The second token is slow, so that all callers pile up behind the fetch.
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(token_body(TOKEN_2))
                .set_delay(Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(tx("Begin3rdPartyQRCodePayment")))
        .respond_with(json(BEGIN_SAMPLE))
        .mount(&server)
        .await;

    client.access_token().await.unwrap();
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 1);
    clock.advance(Duration::from_secs(3600));

    let mut tasks = Vec::new();
    for i in 0..64 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .begin_third_party_payment(&BeginThirdPartyPayment::new(format!("w{i}"), "qr"))
                .await
        }));
    }
    for t in tasks {
        let begun = t.await.unwrap().unwrap();
        assert_eq!(begun.tx_correlation_id.as_str(), "7777777777777777777");
    }
    // Exactly one fetch after expiry.
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 2);
    let begins = hits(&server, &tx("Begin3rdPartyQRCodePayment")).await;
    assert_eq!(begins.len(), 64);
    for r in begins {
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {TOKEN_2}")
        );
    }
}
