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

/// Four instances (separate clients) sharing one token store fetch one
/// token between them, and a 401 on one drops the shared token for all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_sharing_a_token_store_fetch_one_token_and_share_a_401() {
    use std::sync::Arc;

    use payments_core::store::{MemoryTokenStore, TokenStore};
    let server = wiremock::MockServer::start().await;
    mount_token(&server).await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let instances: Vec<_> = (0..4)
        .map(|_| {
            qr_wallet::QrWalletClient::builder(config(&server))
                .http_client(http())
                .token_store(store.clone())
                .build()
                .unwrap()
        })
        .collect();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let client = instances[i % 4].clone();
        tasks.push(tokio::spawn(async move { client.access_token().await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().expose_secret(), TOKEN);
    }
    assert_eq!(hits(&server, TOKEN_PATH).await.len(), 1, "four instances, one fetch");
    // One instance's token is rejected: all four fetch anew, once.
    let rejected = instances[0].access_token().await.unwrap();
    instances[0].invalidate_token(&rejected).await;
    for client in &instances {
        client.access_token().await.unwrap();
    }
    assert_eq!(
        hits(&server, TOKEN_PATH).await.len(),
        2,
        "one fetch after the shared invalidation"
    );
}
