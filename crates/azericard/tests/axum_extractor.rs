#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The axum extractors: the confirmed extractor is the only way to an
//! outcome; the forged-decline attack never gets one. 200 genuine, 400
//! malformed or mismatching, 401 forged signature, 409 replayed, 503 gateway
//! unavailable, 500 unconfigured.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use azericard::axum::{ConfirmedAuthorizationCallback, VerifiedAuthorizationCallback, VerifiedTransferCallback};
use azericard::testing::{sign_authorization_callback, status_answer_for};
use azericard::{AzericardClient, AzericardConfig};
use common::*;
use payments_core::{Currency, Money};
use tower::ServiceExt;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn confirmed(ConfirmedAuthorizationCallback(event): ConfirmedAuthorizationCallback) -> String {
    let paid = event
        .ensure_paid("100001", Money::from_minor(1050, Currency::AZN))
        .is_ok();
    format!("{:?} paid={paid}", event.status())
}

async fn verified(VerifiedAuthorizationCallback(cb): VerifiedAuthorizationCallback) -> String {
    cb.dedupe_key()
}

async fn transfer(VerifiedTransferCallback(cb): VerifiedTransferCallback) -> String {
    cb.srn
}

fn app(client: AzericardClient) -> Router {
    Router::new()
        .route("/cb", post(confirmed))
        .route("/verified", post(verified))
        .route("/transfer", post(transfer))
        .with_state(client)
}

async fn call(app: &Router, uri: &str, body: impl Into<Body>) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(
            Request::post(uri)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.into())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn gateway_answering(status: u16, body: String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_genuine_callback_is_confirmed_once() {
    let fields = a4_fields("20250101120000", "aabbccddeeff00112233445566778899");
    let server = gateway_answering(200, status_answer_for(&fields)).await;
    let app = app(client_at(&server.uri(), &clock()));
    let body = encode(&fields);
    assert_eq!(
        call(&app, "/cb", body.clone()).await,
        (StatusCode::OK, "Succeeded paid=true".to_owned())
    );
    assert_eq!(call(&app, "/cb", body.clone()).await.0, StatusCode::CONFLICT);
    assert_eq!(
        call(&app, "/verified", body.clone()).await,
        (
            StatusCode::OK,
            "azericard:17201234:A1B2C3D4E5F60718:412345678901".to_owned()
        )
    );
    let forged = body.replace("AMOUNT=10.50", "AMOUNT=1.50");
    assert_eq!(call(&app, "/cb", forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&app, "/cb", "garbage").await.0, StatusCode::BAD_REQUEST);
    let huge = vec![b'a'; payments_core::callback::MAX_CALLBACK_BYTES + 1];
    assert_eq!(call(&app, "/cb", huge).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_forged_decline_never_gets_an_approval_through_the_extractor() {
    // A genuine decline...
    let mut fields = a4_fields("20250101120000", "aabbccddeeff00112233445566778899");
    fields.retain(|(k, _)| k != "P_SIGN");
    for (k, v) in &mut fields {
        match k.as_str() {
            "ACTION" => *v = "2".into(),
            "RC" => *v = "05".into(),
            "APPROVAL" => v.clear(),
            _ => {}
        }
    }
    let genuine = sign_authorization_callback(&key(), &fields).unwrap();
    // ...which the gateway reports truthfully.
    let server = gateway_answering(200, status_answer_for(&fields)).await;
    let app = app(client_at(&server.uri(), &clock()));
    // ...edited into an approval of another order, with a fresh NONCE.
    let forged = genuine
        .replace("ACTION=2", "ACTION=0")
        .replace("RC=05", "RC=00")
        .replace("ORDER=100001", "ORDER=100777")
        .replace(
            "NONCE=aabbccddeeff00112233445566778899",
            "NONCE=ffeeddccbbaa99887766554433221100",
        );
    let (status, text) = call(&app, "/cb", forged.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(!text.contains("paid=true"));
    // Same order, only the outcome edited: refused as well.
    let forged_same_order = genuine.replace("ACTION=2", "ACTION=0").replace("RC=05", "RC=00");
    let (status, text) = call(&app, "/cb", forged_same_order).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    // The genuine decline itself confirms as what it is.
    let (status, text) = call(&app, "/cb", genuine).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "Declined paid=false"));
}

#[tokio::test]
async fn a_gateway_that_cannot_answer_is_503_and_unconfigured_is_500() {
    let server = gateway_answering(503, String::new()).await;
    let app = app(client_at(&server.uri(), &clock()));
    let body = encode(&a4_fields("20250101120000", "aabbccddeeff00112233445566778899"));
    assert_eq!(call(&app, "/cb", body.clone()).await.0, StatusCode::SERVICE_UNAVAILABLE);

    let unconfigured = self::app(AzericardClient::new(AzericardConfig::builder(TERMINAL).build().unwrap()).unwrap());
    assert_eq!(
        call(&unconfigured, "/cb", body).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn transfer_extractor() {
    let app = app(client_at("http://127.0.0.1:9", &clock()));
    let t3 = azericard::testing::sign_transfer_callback(
        TRANSFER_SECRET,
        &[
            ("OperationID", "1234567890123456"),
            ("SRN", "SRN000001"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("CardStatus", "our_active"),
            ("ReceiverPAN", "416973******1234"),
            ("Status", "pending"),
            ("Timestamp", "20250101123500"),
            ("Response Code", "0"),
            ("Message", "Success"),
        ],
    );
    assert_eq!(
        call(&app, "/transfer", t3.clone()).await,
        (StatusCode::OK, "SRN000001".to_owned())
    );
    assert_eq!(call(&app, "/transfer", t3.clone()).await.0, StatusCode::CONFLICT);
    let forged = t3.replace("10.50", "10.51");
    let (status, text) = call(&app, "/transfer", forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!text.contains(TRANSFER_SECRET));
}
