//! The ePay emulator, driven by a plain reqwest client written here (never the
//! epay-kz crate), with a tiny axum receiver for postLink deliveries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use payments_sandbox::Sandbox;
use payments_sandbox::epay::{self, cards, codes};
use serde_json::Value;

type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// A merchant endpoint that records every JSON body it is sent, per path.
async fn receiver() -> (String, Received) {
    let seen: Received = Arc::default();
    async fn record(State(seen): State<Received>, uri: axum::http::Uri, body: Bytes) -> &'static str {
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        seen.lock().unwrap().push((uri.path().to_owned(), v));
        "OK"
    }
    let app = Router::new()
        .route("/ok", post(record))
        .route("/fail", post(record))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

async fn wait_received(seen: &Received, path: &str) -> Value {
    for _ in 0..300 {
        if let Some((_, v)) = seen.lock().unwrap().iter().find(|(p, _)| p == path) {
            return v.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("nothing delivered to {path}");
}

struct Ctx {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Ctx {
    async fn new() -> Ctx {
        Ctx {
            sandbox: Sandbox::start().await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.epay_url())
    }

    async fn token_raw(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/oauth2/token"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn token(&self, form: &[(&str, &str)]) -> String {
        let resp = self.token_raw(form).await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    async fn service_token(&self, client: &str, secret: &str, terminal: &str) -> String {
        self.token(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", client),
            ("client_secret", secret),
            ("terminal", terminal),
        ])
        .await
    }

    async fn test_service_token(&self) -> String {
        self.service_token(epay::TEST_CLIENT_ID, epay::TEST_CLIENT_SECRET, epay::TEST_TERMINAL)
            .await
    }

    async fn payment_token(&self, invoice_id: &str, amount: &str, links: Option<&str>) -> String {
        let ok = links.map(|b| format!("{b}/ok")).unwrap_or_default();
        let fail = links.map(|b| format!("{b}/fail")).unwrap_or_default();
        self.token(&[
            ("grant_type", "client_credentials"),
            ("scope", "payment"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("invoiceID", invoice_id),
            ("amount", amount),
            ("currency", "KZT"),
            ("terminal", epay::TEST_TERMINAL),
            ("secret_hash", "merchant-secret-42"),
            ("postLink", &ok),
            ("failurePostLink", &fail),
        ])
        .await
    }

    async fn password_token(&self) -> String {
        self.token(&[
            ("grant_type", "password"),
            ("username", epay::INVOICE_USERNAME),
            ("password", epay::INVOICE_PASSWORD),
            ("scope", "api"),
            ("client_id", epay::INVOICE_CLIENT_ID),
            ("client_secret", epay::INVOICE_CLIENT_SECRET),
        ])
        .await
    }

    async fn status(&self, token: &str, invoice_id: &str) -> Value {
        let resp = self
            .http
            .get(self.url(&format!("/api/check-status/payment/transaction/{invoice_id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    async fn operation(&self, token: &str, id: &str, op: &str, query: &str) -> (u16, String) {
        let resp = self
            .http
            .post(self.url(&format!("/api/operation/{id}/{op}{query}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    /// Approves by the plain HTTP call documented for tests.
    async fn approve(&self, invoice_id: &str, token: &str, card: &str) -> Value {
        let resp = self
            .http
            .post(self.url("/payform/approve"))
            .header("accept", "application/json")
            .form(&[("invoiceId", invoice_id), ("token", token), ("card", card)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }
}

fn error_code(body: &str) -> i64 {
    let v: Value = serde_json::from_str(body).unwrap();
    assert!(v["message"].is_string(), "{body}");
    v["code"].as_i64().unwrap()
}

#[tokio::test]
async fn service_token_is_issued_and_expires_with_the_clock() {
    let ctx = Ctx::new().await;
    let resp = ctx
        .token_raw(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::TEST_TERMINAL),
        ])
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["expires_in"], "900");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], epay::DEFAULT_SCOPE);
    assert!(v["refresh_token"].as_str().unwrap().len() >= 20);
    let token = v["access_token"].as_str().unwrap().to_owned();

    let s = ctx.status(&token, "000000123").await;
    assert_eq!(s["resultCode"], "102");

    // Missing and unknown tokens.
    let resp = ctx
        .http
        .get(ctx.url("/api/check-status/payment/transaction/000000123"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::UNAUTHORIZED);
    let resp = ctx
        .http
        .get(ctx.url("/api/check-status/payment/transaction/000000123"))
        .bearer_auth("NOT-A-TOKEN")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // Still valid at 899 s, expired at 900 s.
    ctx.sandbox.clock().advance(Duration::from_secs(899));
    assert_eq!(ctx.status(&token, "000000123").await["resultCode"], "102");
    ctx.sandbox.clock().advance(Duration::from_secs(1));
    let resp = ctx
        .http
        .get(ctx.url("/api/check-status/payment/transaction/000000123"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().contains_key("www-authenticate"));
    let body = resp.text().await.unwrap();
    assert_eq!(error_code(&body), codes::UNAUTHORIZED);
    assert!(body.contains("expired"), "{body}");

    // A refresh grant issues a fresh token.
    let refreshed = ctx
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", v["refresh_token"].as_str().unwrap()),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(ctx.status(&refreshed, "000000123").await["resultCode"], "102");
}

#[tokio::test]
async fn bad_credentials_and_requests_are_refused() {
    let ctx = Ctx::new().await;
    let resp = ctx
        .token_raw(&[
            ("grant_type", "client_credentials"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", "wrong"),
            ("terminal", epay::TEST_TERMINAL),
        ])
        .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::UNAUTHORIZED);

    let resp = ctx
        .token_raw(&[
            ("grant_type", "client_credentials"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::INVOICE_TERMINAL),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::WRONG_TERMINAL);

    let resp = ctx
        .token_raw(&[
            ("grant_type", "client_credentials"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::TEST_TERMINAL),
            ("invoiceID", "12ab"),
            ("amount", "100"),
            ("currency", "KZT"),
        ])
        .await;
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert_eq!(error_code(&body), codes::INVALID_REQUEST);
    assert!(body.contains("invoiceID"), "{body}");

    let resp = ctx
        .token_raw(&[
            ("grant_type", "password"),
            ("username", epay::INVOICE_USERNAME),
            ("password", "nope"),
            ("client_id", epay::INVOICE_CLIENT_ID),
            ("client_secret", epay::INVOICE_CLIENT_SECRET),
        ])
        .await;
    assert_eq!(resp.status(), 401);

    // A payment token cannot read statuses.
    let pay = ctx.payment_token("000000777", "100", None).await;
    let resp = ctx
        .http
        .get(ctx.url("/api/check-status/payment/transaction/000000777"))
        .bearer_auth(&pay)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn widget_page_approve_delivers_postlink_then_charge_and_refund_limits() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;

    let js = ctx.http.get(ctx.url("/payform/payment-api.js")).send().await.unwrap();
    assert_eq!(js.status(), 200);
    assert!(js.headers()["content-type"].to_str().unwrap().contains("javascript"));
    let js = js.text().await.unwrap();
    assert!(js.contains("window.halyk") && js.contains("pay: function"), "{js}");

    let token = ctx.payment_token("000001001", "1000", Some(&merchant)).await;
    let widget = serde_json::json!({
        "invoiceId": "000001001",
        "invoiceIdAlt": "8564546",
        "backLink": "https://shop.example/ok",
        "failureBackLink": "https://shop.example/fail",
        "postLink": format!("{merchant}/ok"),
        "failurePostLink": format!("{merchant}/fail"),
        "language": "rus",
        "description": "Order 1001",
        "accountId": "user-7",
        "terminal": epay::TEST_TERMINAL,
        "amount": 1000,
        "currency": "KZT",
        "name": "IVAN",
        "email": "buyer@example.kz",
        "phone": "77771234567",
        "data": "{\"statement\":{\"name\":\"Ivan\"}}",
        "cardSave": true,
        "auth": {"access_token": token, "expires_in": "900", "token_type": "Bearer"}
    });
    // The page halyk.pay opens (the script form-posts the object as `payment`).
    let page = ctx
        .http
        .post(ctx.url("/payform/pay"))
        .form(&[("payment", widget.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let session = page.headers()["x-sandbox-session"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form") && html.contains("Approve") && html.contains(&session),
        "{html}"
    );
    assert!(html.contains("000001001") && html.contains("1000.00 KZT"));

    // The page's Approve button.
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .form(&[("session", session.as_str()), ("card", cards::VISA_OK)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Payment approved") && html.contains("https://shop.example/ok"),
        "{html}"
    );

    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["code"], "ok");
    assert_eq!(post["secret_hash"], "merchant-secret-42");
    assert_eq!(post["invoiceId"], "000001001");
    assert_eq!(post["amount"], 1000);
    assert_eq!(post["currency"], "KZT");
    assert_eq!(post["terminal"], epay::TEST_TERMINAL);
    assert_eq!(post["accountId"], "user-7");
    assert_eq!(post["cardMask"], "440563******5096");
    assert_eq!(post["cardType"], "VISA");
    assert_eq!(post["approvalCode"].as_str().unwrap().len(), 6);
    assert!(!post["cardId"].as_str().unwrap().is_empty(), "cardSave gives a cardId");
    let txn_id = post["id"].as_str().unwrap().to_owned();

    // The delivery log shows the exact body.
    let rec = ctx
        .sandbox
        .deliveries()
        .wait_for(Duration::from_secs(3), |r| r.provider == "epay")
        .await
        .unwrap();
    assert_eq!(rec.url, format!("{merchant}/ok"));
    assert_eq!(rec.content_type, "application/json");
    assert_eq!(serde_json::from_slice::<Value>(&rec.body).unwrap(), post);

    // The session is single use.
    let again = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .form(&[("session", session.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);

    let service = ctx.test_service_token().await;
    let s = ctx.status(&service, "000001001").await;
    assert_eq!(s["resultCode"], "100");
    assert_eq!(s["transaction"]["statusName"], "AUTH");
    assert_eq!(s["transaction"]["id"], txn_id.as_str());
    assert_eq!(s["transaction"]["invoiceID"], "000001001");
    assert_eq!(s["transaction"]["amount"], 1000);

    // Refund before charge is refused; partial charge 600 of 1000.
    let (st, body) = ctx.operation(&service, &txn_id, "refund", "?amount=100").await;
    assert_eq!((st, error_code(&body)), (400, codes::INVALID_STATE));
    let (st, body) = ctx.operation(&service, &txn_id, "charge", "?amount=1000.01").await;
    assert_eq!((st, error_code(&body)), (400, codes::AMOUNT_TOO_LARGE));
    let (st, body) = ctx.operation(&service, &txn_id, "charge", "?amount=600").await;
    assert_eq!((st, body.as_str()), (200, ""));
    let s = ctx.status(&service, "000001001").await;
    assert_eq!(s["transaction"]["statusName"], "CHARGE");
    assert_eq!(s["transaction"]["amount"], 600);

    // Refunds: minimum 10 KZT, never beyond the charged 600.
    let (st, body) = ctx.operation(&service, &txn_id, "refund", "?amount=9.99").await;
    assert_eq!((st, error_code(&body)), (400, codes::AMOUNT_TOO_SMALL));
    let (st, body) = ctx.operation(&service, &txn_id, "refund", "?amount=601").await;
    assert_eq!((st, error_code(&body)), (400, codes::AMOUNT_TOO_LARGE));
    let (st, _) = ctx
        .operation(&service, &txn_id, "refund", "?amount=100&externalID=r-1")
        .await;
    assert_eq!(st, 200);
    // The same externalID again moves nothing.
    let (st, _) = ctx
        .operation(&service, &txn_id, "refund", "?amount=100&externalID=r-1")
        .await;
    assert_eq!(st, 200);
    let (st, _) = ctx.operation(&service, &txn_id, "refund", "?amount=500").await;
    assert_eq!(st, 200);
    let (st, body) = ctx.operation(&service, &txn_id, "refund", "?amount=10").await;
    assert_eq!((st, error_code(&body)), (400, codes::AMOUNT_TOO_LARGE));
    let s = ctx.status(&service, "000001001").await;
    assert_eq!(s["transaction"]["statusName"], "REFUND");
    assert_eq!(s["transaction"]["payoutAmount"], 0);

    // Unknown transaction.
    let (st, body) = ctx.operation(&service, "no-such-id", "cancel", "").await;
    assert_eq!((st, error_code(&body)), (400, codes::NOT_FOUND));
}

#[tokio::test]
async fn decline_delivers_failure_postlink_and_retry_can_succeed() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let token = ctx.payment_token("000002002", "2500.50", Some(&merchant)).await;

    let out = ctx.approve("000002002", &token, cards::DECLINE_DO_NOT_HONOR).await;
    assert_eq!(out["statusName"], "FAILED");
    assert_eq!(out["code"], "error");
    let fail = wait_received(&seen, "/fail").await;
    assert_eq!(fail["code"], "error");
    assert_eq!(fail["reasonCode"], "05");
    assert_eq!(fail["reason"], "Do not honor");
    assert_eq!(fail["invoiceId"], "000002002");
    assert_eq!(fail["secret_hash"], "merchant-secret-42");
    // The amount is an exact JSON number (checked on the raw bytes, never through a float).
    let rec = ctx
        .sandbox
        .deliveries()
        .wait_for(Duration::from_secs(3), |r| r.url.ends_with("/fail"))
        .await
        .unwrap();
    assert!(String::from_utf8(rec.body).unwrap().contains("\"amount\":2500.5,"));

    let service = ctx.test_service_token().await;
    assert_eq!(
        ctx.status(&service, "000002002").await["transaction"]["statusName"],
        "FAILED"
    );

    // After a failure the same invoiceId may be paid; after success it may not.
    let out = ctx.approve("000002002", &token, cards::MASTERCARD_OK).await;
    assert_eq!(out["statusName"], "AUTH");
    let ok = wait_received(&seen, "/ok").await;
    assert_eq!(ok["cardType"], "MASTERCARD");
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .form(&[("invoiceId", "000002002"), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::DUPLICATE);

    // Cancel the authorization; nothing more after that.
    let id = out["id"].as_str().unwrap();
    assert_eq!(ctx.operation(&service, id, "cancel", "").await.0, 200);
    assert_eq!(
        ctx.status(&service, "000002002").await["transaction"]["statusName"],
        "CANCEL"
    );
    let (st, body) = ctx.operation(&service, id, "cancel", "").await;
    assert_eq!((st, error_code(&body)), (400, codes::INVALID_STATE));
    let (st, body) = ctx.operation(&service, id, "charge", "").await;
    assert_eq!((st, error_code(&body)), (400, codes::INVALID_STATE));

    // The decline button, through the halyk.pay object posted as JSON.
    let token = ctx.payment_token("000002003", "100", Some(&merchant)).await;
    let widget = serde_json::json!({"invoiceId": "000002003", "amount": 100, "auth": {"access_token": token}});
    let resp = ctx
        .http
        .post(ctx.url("/payform/decline"))
        .header("accept", "application/json")
        .json(&widget)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["statusName"], "FAILED");

    // A widget object that disagrees with its token is refused.
    let token = ctx.payment_token("000002004", "100", None).await;
    let widget = serde_json::json!({"invoiceId": "000002004", "amount": 101, "auth": {"access_token": token}});
    let resp = ctx
        .http
        .post(ctx.url("/payform/pay"))
        .json(&widget)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("amount"));

    // An expired payment token cannot pay.
    ctx.sandbox.clock().advance(Duration::from_secs(901));
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .form(&[("invoiceId", "000002004"), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn invoice_links_create_search_pay_deactivate_and_expire() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let token = ctx.password_token().await;
    let create = |invoice_id: &str| {
        serde_json::json!({
            "shop_id": epay::INVOICE_SHOP_ID,
            "account_id": "0003413423",
            "invoice_id": invoice_id,
            "amount": 100,
            "language": "rus",
            "description": "asdasdasdas",
            "expire_period": "1d",
            "recipient_contact": "EXAMPLE@halykbank.kz",
            "recipient_contact_sms": "+77771111111",
            "notifier_contact_sms": "",
            "currency": "KZT",
            "post_link": format!("{merchant}/ok"),
            "failure_post_link": format!("{merchant}/fail"),
            "back_link": "https://shop.example/back",
            "failure_back_link": "https://shop.example/fail"
        })
    };
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice"))
        .bearer_auth(&token)
        .json(&create("254581242323123"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let inv: Value = resp.json().await.unwrap();
    assert_eq!(inv["status"], "ACTIVE");
    assert_eq!(inv["amount"], 100);
    assert_eq!(inv["updated_date"], "0001-01-01T00:00:00Z");
    assert_eq!(inv["terminal_id"], epay::INVOICE_TERMINAL);
    let url = inv["invoice_url"].as_str().unwrap();
    assert!(url.starts_with(" http"), "the seed's stray space: {url:?}");
    let id = inv["id"].as_str().unwrap().to_owned();
    assert_eq!(
        url.trim(),
        format!("{}/api/redirect/invoice-link/{id}", ctx.sandbox.epay_url())
    );

    // Duplicate invoice_id, bad fields, wrong token kind.
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice"))
        .bearer_auth(&token)
        .json(&create("254581242323123"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::DUPLICATE);
    // The seed's table (6 to 15 digits, phone "+7" and 10 digits) wins over
    // its own sample (17 digits, "+777711111111"): both are refused.
    for (field, value) in [
        ("invoice_id", "25458124232312321"),
        ("recipient_contact_sms", "+777711111111"),
        ("post_link", "javascript:alert(1)"),
    ] {
        let mut bad = create("123456781");
        bad[field] = value.into();
        let resp = ctx
            .http
            .post(ctx.url("/api/invoice"))
            .bearer_auth(&token)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{field}");
        assert!(resp.text().await.unwrap().contains(field));
    }
    // A repeated key is refused, not resolved to either value.
    let dup = r#"{"shop_id":"04f25a4b-d2bd-4dd8-b3a7-9390be4774c4","amount":100,"amount":1}"#;
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(dup)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("duplicate key"));
    let mut bad = create("123456789");
    bad["language"] = "fra".into();
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("language"));
    let service = ctx.test_service_token().await;
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice"))
        .bearer_auth(&service)
        .json(&create("123456780"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // The payer's page, then its Approve button.
    let page = ctx.http.get(url.trim()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Approve") && html.contains("254581242323123"), "{html}");
    let resp = ctx
        .http
        .post(format!("{}/approve", url.trim()))
        .form(&[("card", cards::VISA_OK)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["code"], "ok");
    assert_eq!(post["invoiceId"], "254581242323123");
    assert_eq!(post["terminal"], epay::INVOICE_TERMINAL);
    assert!(post.get("secret_hash").is_none());

    // Search finds it CHARGED.
    let search = |method: &str, values: Vec<&str>| {
        serde_json::json!({
            "paging": {"skip": 0, "limit": 20},
            "searchParameters": [{"name": "invoice_id", "method": method, "searchParameter": values}],
            "orderParameters": {"field": "id", "typeOrder": "DESC"}
        })
    };
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice/search"))
        .bearer_auth(&token)
        .json(&search("=", vec!["254581242323123"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let found: Value = resp.json().await.unwrap();
    assert_eq!(found["TotalCount"], 1);
    assert_eq!(found["Records"][0]["status"], "CHARGED");
    assert_eq!(found["Records"][0]["card_save"], false);
    assert_eq!(found["Records"][0]["id"], id.as_str());
    assert!(found["Records"][0]["invoice_url"].as_str().unwrap().starts_with("http"));

    // Deactivating a paid link changes nothing.
    let resp = ctx
        .http
        .put(ctx.url(&format!("/api/deactivate/invoice-links/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        ctx.sandbox.providers().epay.invoice_link_status(&id).unwrap(),
        "CHARGED"
    );

    // Refund the invoice payment with the invoice client's service token.
    let service = ctx
        .service_token(
            epay::INVOICE_CLIENT_ID,
            epay::INVOICE_CLIENT_SECRET,
            epay::INVOICE_TERMINAL,
        )
        .await;
    let s = ctx.status(&service, "254581242323123").await;
    assert_eq!(s["transaction"]["statusName"], "CHARGE");
    let txn = s["transaction"]["id"].as_str().unwrap();
    assert_eq!(ctx.operation(&service, txn, "refund", "?amount=40").await.0, 200);
    let (st, body) = ctx.operation(&service, txn, "refund", "?amount=60.01").await;
    assert_eq!((st, error_code(&body)), (400, codes::AMOUNT_TOO_LARGE));
    // The test client cannot touch the invoice terminal's payment.
    let other = ctx.test_service_token().await;
    let (st, body) = ctx.operation(&other, txn, "refund", "?amount=10").await;
    assert_eq!((st, error_code(&body)), (400, codes::WRONG_TERMINAL));

    // A second link: like/in search, deactivate, then paying is refused.
    for n in ["200220241201", "200220241202"] {
        let resp = ctx
            .http
            .post(ctx.url("/api/invoice"))
            .bearer_auth(&token)
            .json(&create(n))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice/search"))
        .bearer_auth(&token)
        .json(&search("like", vec!["2002202412%"]))
        .send()
        .await
        .unwrap();
    let found: Value = resp.json().await.unwrap();
    assert_eq!(found["TotalCount"], 2);
    let second = found["Records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["invoice_id"] == "200220241201")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = ctx
        .http
        .put(ctx.url(&format!("/api/deactivate/invoice-links/{second}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .http
        .post(ctx.url(&format!("/api/redirect/invoice-link/{second}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::LINK_INACTIVE);

    // Search rules: invoice_id filter mandatory, between takes two values.
    let no_invoice = serde_json::json!({
        "paging": {"skip": 0, "limit": 20},
        "searchParameters": [{"name": "status", "method": "=", "searchParameter": ["ACTIVE"]}]
    });
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice/search"))
        .bearer_auth(&token)
        .json(&no_invoice)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice/search"))
        .bearer_auth(&token)
        .json(&search("between", vec!["1"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // The third link expires with the clock (1d); tokens expire too.
    ctx.sandbox.clock().advance(Duration::from_secs(86_400));
    let token = ctx.password_token().await;
    let resp = ctx
        .http
        .post(ctx.url("/api/invoice/search"))
        .bearer_auth(&token)
        .json(&search("in", vec!["200220241201", "200220241202"]))
        .send()
        .await
        .unwrap();
    let found: Value = resp.json().await.unwrap();
    let statuses: Vec<&str> = found["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(found["TotalCount"], 2);
    assert!(
        statuses.contains(&"DEACTIVATED") && statuses.contains(&"EXPIRED"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn saved_card_recurrent_and_transfers() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let state = &ctx.sandbox.providers().epay;
    let card_id = state.save_card(epay::TEST_TERMINAL, cards::VISA_OK);

    let token = ctx.payment_token("000003003", "300", Some(&merchant)).await;
    let auth_body = |card: &str| {
        serde_json::json!({
            "amount": 300,
            "currency": "KZT",
            "name": "IVAN",
            "terminalId": epay::TEST_TERMINAL,
            "invoiceId": "000003003",
            "description": "subscription",
            "accountId": "user-7",
            "email": "buyer@example.kz",
            "phone": "77771234567",
            "backLink": "https://shop.example/ok",
            "failureBackLink": "https://shop.example/fail",
            "postLink": format!("{merchant}/ok"),
            "failurePostLink": format!("{merchant}/fail"),
            "language": "rus",
            "paymentType": "cardId",
            "cardId": {"id": card}
        })
    };
    let resp = ctx
        .http
        .post(ctx.url("/api/payments/cards/auth"))
        .bearer_auth(&token)
        .json(&auth_body("no-such-card"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::NOT_FOUND);

    let resp = ctx
        .http
        .post(ctx.url("/api/payments/cards/auth"))
        .bearer_auth(&token)
        .json(&auth_body(&card_id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let paid: Value = resp.json().await.unwrap();
    assert_eq!(paid["status"], "AUTH");
    assert_eq!(paid["cardID"], card_id.as_str());
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["cardId"], card_id.as_str());
    assert_eq!(post["invoiceId"], "000003003");

    // Service tokens cannot pay with a card.
    let service = ctx.test_service_token().await;
    let resp = ctx
        .http
        .post(ctx.url("/api/payments/cards/auth"))
        .bearer_auth(&service)
        .json(&auth_body(&card_id))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // The magic amount declines.
    let token = ctx.payment_token("000003004", "666", Some(&merchant)).await;
    let mut body = auth_body(&card_id);
    body["amount"] = 666.into();
    body["invoiceId"] = "000003004".into();
    let resp = ctx
        .http
        .post(ctx.url("/api/payments/cards/auth"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(error_code(&resp.text().await.unwrap()), codes::DECLINED);

    // Recurring subscription on the paid transaction.
    let resp = ctx
        .http
        .post(ctx.url("/api/recurrent/subscribe"))
        .bearer_auth(&service)
        .json(&serde_json::json!({"transactionId": paid["id"], "paymentFrequency": "MONTHLY"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .http
        .post(ctx.url("/api/recurrent/subscribe"))
        .bearer_auth(&service)
        .json(&serde_json::json!({"transactionId": paid["id"], "paymentFrequency": "DAILY"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // Transfers need their own per-transfer token: a service token or a
    // transfer token without an invoice is refused (see tests/epay_operations.rs).
    let transfer = serde_json::json!({
        "order": {"id": "000004004", "amount": 1500, "currency": "KZT", "terminalId": epay::P2P_TERMINAL},
        "card": {
            "sender": {"cardCred": cards::VISA_OK, "transferType": "TYPEPAN", "cvc": "321", "expire": {"month": 1, "year": 2027}},
            "receiver": {"cardCred": cards::MASTERCARD_OK, "transferType": "TYPEPAN"}
        }
    });
    let form_token = ctx
        .token(&[
            ("grant_type", "client_credentials"),
            ("scope", "transfer"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::P2P_TERMINAL),
        ])
        .await;
    for token in [&service, &form_token] {
        let resp = ctx
            .http
            .post(ctx.url("/api/p2p/transfer"))
            .bearer_auth(token)
            .json(&transfer)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
    }
}

#[tokio::test]
async fn token_accepts_multipart_form_data_as_the_seed_sends_it() {
    let ctx = Ctx::new().await;
    let boundary = "----sandboxBoundary7MA4YWxk";
    let mut body = String::new();
    for (k, v) in [
        ("grant_type", "password"),
        ("username", epay::INVOICE_USERNAME),
        ("password", epay::INVOICE_PASSWORD),
        ("scope", "api"),
        ("client_id", epay::INVOICE_CLIENT_ID),
        ("client_secret", epay::INVOICE_CLIENT_SECRET),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let resp = ctx
        .http
        .post(ctx.url("/oauth2/token"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["scope"], epay::DEFAULT_SCOPE);
    assert_eq!(v["expires_in"], "900");

    // Truncated multipart and JSON bodies are refused.
    let resp = ctx
        .http
        .post(ctx.url("/oauth2/token"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body[..body.len() / 2].to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = ctx
        .http
        .post(ctx.url("/oauth2/token"))
        .json(&serde_json::json!({"grant_type": "password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn concurrent_approvals_pay_an_invoice_once() {
    let ctx = Arc::new(Ctx::new().await);
    let token = ctx.payment_token("000005005", "100", None).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let ctx = ctx.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            ctx.http
                .post(ctx.url("/payform/approve"))
                .form(&[("invoiceId", "000005005"), ("token", token.as_str())])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 400, 400, 400, 400, 400, 400, 400]);
    assert_eq!(
        ctx.sandbox.providers().epay.payment_status("000005005").unwrap(),
        "AUTH"
    );
}

#[tokio::test]
async fn timeouts_leave_the_outcome_to_a_status_check() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let token = ctx.payment_token("000006006", "1000", Some(&merchant)).await;

    // The 3-D Secure step never completes: no postLink, status "in progress".
    let out = ctx.approve("000006006", &token, cards::TIMEOUT_3DS).await;
    assert_eq!(out["code"], "pending");
    assert_eq!(out["statusName"], "3D");
    let service = ctx.test_service_token().await;
    let s = ctx.status(&service, "000006006").await;
    assert_eq!(s["resultCode"], "107");
    assert_eq!(s["transaction"]["statusName"], "3D");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(seen.lock().unwrap().is_empty());
    assert!(ctx.sandbox.deliveries().records().is_empty());

    // The payer retries with a good card.
    let out = ctx.approve("000006006", &token, cards::VISA_OK).await;
    assert_eq!(out["statusName"], "AUTH");
    let id = out["id"].as_str().unwrap().to_owned();
    assert_eq!(ctx.status(&service, "000006006").await["resultCode"], "100");

    // A charge of the magic amount is applied, then answered 504 without a body.
    let (st, body) = ctx.operation(&service, &id, "charge", "?amount=504").await;
    assert_eq!((st, body.as_str()), (504, ""));
    let s = ctx.status(&service, "000006006").await;
    assert_eq!(s["transaction"]["statusName"], "CHARGE");
    assert_eq!(s["transaction"]["amount"], 504);
}
