#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! postLink: authentication, decoding, and confirmation through the status.

mod common;

use common::*;
use epay_kz::callback::{self, PostLink, testing};
use epay_kz::signature::derive_secret_hash;
use payments_core::{Currency, Error, Money, PaymentProvider, PaymentStatus, Secret};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TX: &str = "4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7";

/// A success postLink as the spec lists its fields, with the derived hash.
fn spec_success_body(secret_hash: &str) -> String {
    format!(
        r#"{{"accountId":"user-1","amount":150.5,"approvalCode":"178644","cardId":"c-77","cardMask":"440563...5096",
        "cardType":"VISA","code":"ok","currency":"KZT","dateTime":"2026-11-23T10:15:30","description":"Order",
        "email":"payer@example.kz","id":"{TX}","invoiceId":"000001234567","ip":"10.0.0.1","ipCity":"Almaty",
        "ipCountry":"KZ","ipDistrict":"","ipLatitude":43.25,"ipLongitude":76.95,"issuer":"HALYK BANK",
        "language":"rus","name":"TEST PAYER","phone":"77771234567","reason":"","reasonCode":"0",
        "reference":"612345678901","secret_hash":"{secret_hash}","secure":"yes","secureDetails":"","terminal":"{TERMINAL}"}}"#
    )
}

#[test]
fn the_spec_success_body_decodes_every_field() {
    let key = Secret::from(CLIENT_SECRET);
    let hash = derive_secret_hash(&key, "000001234567");
    let body = spec_success_body(hash.expose_secret());
    let PostLink::Success(s) = callback::verify_post_link_derived(body.as_bytes(), &key).unwrap() else {
        panic!()
    };
    assert_eq!(s.transaction_id, TX);
    assert_eq!(s.invoice_id, "000001234567");
    assert_eq!(s.amount, Money::from_minor(15050, Currency::KZT));
    assert_eq!(s.approval_code.as_deref(), Some("178644"));
    assert_eq!(s.card_id.as_deref(), Some("c-77"));
    assert_eq!(s.details.account_id.as_deref(), Some("user-1"));
    assert_eq!(s.details.ip_latitude.as_deref(), Some("43.25"));
    assert_eq!(s.details.reason_code.as_deref(), Some("0"));
    assert_eq!(s.details.terminal.as_deref(), Some(TERMINAL));
    // The stored-hash scheme accepts the same body with the stored value.
    assert!(callback::verify_post_link(body.as_bytes(), &hash).is_ok());
    assert!(matches!(
        callback::verify_post_link(body.as_bytes(), &Secret::from("other")),
        Err(Error::SignatureInvalid { .. })
    ));
}

#[test]
fn the_failure_body_is_a_declined_event_through_the_trait() {
    let server_uri = "http://127.0.0.1:9";
    let cfg = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .callback_key("separate-callback-key")
        .api_url(format!("{server_uri}/epay/api"))
        .build()
        .unwrap();
    let client = epay_kz::EpayClient::builder(cfg).http_client(http()).build().unwrap();
    let key = Secret::from("separate-callback-key");
    let body = format!(
        r#"{{"code":"error","reason":"Insufficient funds","reasonCode":"51","invoiceId":"000001234567",
        "invoiceIdAlt":"alt-1","cardMask":"552204...6736","secret_hash":"{}"}}"#,
        derive_secret_hash(&key, "000001234567").expose_secret()
    );
    let event = client.verify_callback(body.as_bytes()).unwrap();
    assert_eq!(event.provider(), "epay-kz");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
    assert_eq!(event.claimed().code.as_deref(), Some("51"));
    assert_eq!(event.claimed().message.as_deref(), Some("Insufficient funds"));
    assert_eq!(event.claimed().order_id.as_deref(), Some("000001234567"));
    let PostLink::Failure(f) = client.verify_post_link(body.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(f.invoice_id_alt.as_deref(), Some("alt-1"));
    assert_eq!(f.amount, None);
    // The client secret is not the key when a callback key is configured.
    let with_secret = testing::success_body(
        &Secret::from(CLIENT_SECRET),
        "000001234567",
        TX,
        Money::from_minor(1, Currency::KZT),
    );
    assert!(matches!(
        client.verify_callback(&with_secret),
        Err(Error::SignatureInvalid { .. })
    ));
}

async fn mount_status(server: &MockServer, body: String) {
    mount_service_token(server, "SVC").await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

fn status(status_name: &str, amount: &str, invoice: &str) -> String {
    format!(
        r#"{{"resultCode":"100","resultMessage":"SUCCESS","transaction":{{"id":"{TX}","invoiceID":"{invoice}","amount":{amount},"currency":"KZT","statusName":"{status_name}"}}}}"#
    )
}

#[tokio::test]
async fn confirm_checks_invoice_amount_and_status() {
    let amount = Money::from_minor(15050, Currency::KZT);
    let body = testing::success_body(&Secret::from(CLIENT_SECRET), "000001234567", TX, amount);

    let server = MockServer::start().await;
    mount_status(&server, status("CHARGE", "150.50", "000001234567")).await;
    let client = client(&server);
    let link = client.verify_post_link(&body).unwrap();
    let confirmed = client.confirm_post_link(&link, amount).await.unwrap();
    assert_eq!(confirmed.transaction.unwrap().id, TX);
    // The expected amount differs from the callback's: no request needed.
    let err = client
        .confirm_post_link(&link, Money::from_minor(15051, Currency::KZT))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));

    for (status_body, field) in [
        (status("CHARGE", "150.49", "000001234567"), "amount"),
        (status("REFUND", "150.50", "000001234567"), "status"),
        (status("CHARGE", "150.50", "000001234599"), "invoice_id"),
    ] {
        let server = MockServer::start().await;
        mount_status(&server, status_body).await;
        let err = client_for(&server).confirm_post_link(&link, amount).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { field: ref f, .. } if f == field),
            "{field}: {err:?}"
        );
    }

    let server = MockServer::start().await;
    mount_status(
        &server,
        r#"{"resultCode":"102","resultMessage":"Invoice not found"}"#.to_owned(),
    )
    .await;
    let err = client_for(&server).confirm_post_link(&link, amount).await.unwrap_err();
    assert_eq!(err.provider_code(), Some("102"));
}

fn client_for(server: &MockServer) -> epay_kz::EpayClient {
    common::client(server)
}
