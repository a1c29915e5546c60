#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The control API under `/_sandbox/`, driven over HTTP as a QA engineer's
//! curl would: every route, for every provider it serves.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature;
use axum::Router;
use axum::routing::post;
use payments_core::clock::Clock;
use payments_core::crypto;
use payments_sandbox::{Sandbox, epay, qr};
use serde_json::{Value, json};

const EPOINT_PRIVATE: &str = "test-private-key";

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
        format!("{}{path}", self.sandbox.base_url())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self.http.get(self.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    /// POST with no body at all (what `curl -X POST` sends).
    async fn post_empty(&self, path: &str) -> (u16, Value) {
        let resp = self.http.post(self.url(path)).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
}

/// A merchant endpoint answering `200 OK-<n>` and keeping every body.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let app = Router::new().route(
        "/cb",
        post(move |body: String| {
            let store = store.clone();
            async move {
                let mut s = store.lock().unwrap();
                s.push(body);
                format!("OK-{}", s.len())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/cb"), seen)
}

/// A loopback URL nothing listens on.
async fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/cb")
}

async fn wait_delivery(ctx: &Ctx, pred: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        let (_, v) = ctx.get("/_sandbox/deliveries").await;
        if let Some(d) = v["deliveries"].as_array().unwrap().iter().find(|d| pred(d)) {
            return d.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no matching delivery");
}

fn epoint_envelope(payload: &Value, private: &str) -> Vec<(String, String)> {
    let data = crypto::base64_encode(payload.to_string().as_bytes());
    let signature = crypto::base64_encode(&crypto::sha1(&[
        private.as_bytes(),
        data.as_bytes(),
        private.as_bytes(),
    ]));
    vec![("data".into(), data), ("signature".into(), signature)]
}

/// Starts an EPoint hosted payment; returns the transaction id.
async fn epoint_payment(ctx: &Ctx, amount: &str, order: &str) -> String {
    let payload = json!({
        "public_key": "i000000001", "amount": amount, "currency": "AZN", "language": "az",
        "order_id": order, "description": "control test",
    });
    let resp = ctx
        .http
        .post(format!("{}/api/1/request", ctx.sandbox.epoint_url()))
        .form(&epoint_envelope(&payload, EPOINT_PRIVATE))
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "success", "{v}");
    v["transaction"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_answer_is_marked_and_has_a_request_id() {
    let ctx = Ctx::new().await;
    let mut ids = Vec::new();
    for path in [
        "/_sandbox/clock",
        "/",
        "/epoint/api/heartbeat",
        "/no/such/route",
        "/epay/api/qr",
    ] {
        let resp = ctx.http.get(ctx.url(path)).send().await.unwrap();
        assert_eq!(resp.headers()["x-payments-sandbox"], "1", "{path}");
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(!id.is_empty(), "{path}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "request ids are unique: {ids:?}");
    // Even a body refused by the limits before any handler runs.
    let resp = ctx
        .http
        .post(ctx.url("/epay/oauth2/token"))
        .body(vec![b'a'; 20_000])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["x-payments-sandbox"], "1");
}

#[tokio::test]
async fn clock_read_freeze_set_advance_resume() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx.get("/_sandbox/clock").await;
    assert_eq!(status, 200);
    assert_eq!(v["frozen"], true, "the library's clock starts frozen: {v}");

    let (status, v) = ctx
        .send(
            reqwest::Method::POST,
            "/_sandbox/clock/set",
            json!({"at": "2026-12-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["now"], "2026-12-01T10:00:00Z");
    assert_eq!(ctx.sandbox.clock().now(), time::macros::datetime!(2026-12-01 10:00 UTC));

    let (_, v) = ctx
        .send(reqwest::Method::POST, "/_sandbox/clock/advance", json!({"seconds": 90}))
        .await;
    assert_eq!(v["now"], "2026-12-01T10:01:30Z");
    let (_, v) = ctx
        .send(reqwest::Method::POST, "/_sandbox/clock/advance", json!({"by": "2h"}))
        .await;
    assert_eq!(v["now"], "2026-12-01T12:01:30Z");
    assert_eq!(
        ctx.sandbox.clock().now(),
        time::macros::datetime!(2026-12-01 12:01:30 UTC)
    );

    // Running: wall time plus the offset it has now; advancing survives the ticks.
    let (_, v) = ctx.post_empty("/_sandbox/clock/resume").await;
    assert_eq!(v["frozen"], false);
    let (_, v) = ctx
        .send(
            reqwest::Method::POST,
            "/_sandbox/clock/set",
            json!({"at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(v["frozen"], false);
    let (_, v) = ctx
        .send(reqwest::Method::POST, "/_sandbox/clock/advance", json!({"by": "1d"}))
        .await;
    let offset = v["offset_seconds"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let now = ctx.sandbox.clock().now();
    assert!(now >= time::macros::datetime!(2030-01-02 00:00 UTC), "{now}");
    assert!(now < time::macros::datetime!(2030-01-02 00:01 UTC), "{now}");
    assert!(offset > 0);

    let (_, v) = ctx.post_empty("/_sandbox/clock/freeze").await;
    assert_eq!(v["frozen"], true);
    let frozen_at = ctx.sandbox.clock().now();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(ctx.sandbox.clock().now(), frozen_at);

    for bad in [
        json!({"at": "yesterday"}),
        json!({}),
        json!({"at": "2026-12-01T10:00:00Z", "extra": 1}),
    ] {
        let (status, v) = ctx.send(reqwest::Method::POST, "/_sandbox/clock/set", bad).await;
        assert_eq!(status, 400);
        assert!(v["error"].is_string());
    }
    for bad in [
        json!({"by": "-2h"}),
        json!({"by": "2x"}),
        json!({"seconds": 1, "by": "1s"}),
        json!({}),
    ] {
        let (status, _) = ctx.send(reqwest::Method::POST, "/_sandbox/clock/advance", bad).await;
        assert_eq!(status, 400);
    }
}

#[tokio::test]
async fn clock_expires_tokens_over_http() {
    let ctx = Ctx::new().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", qr::SCOPE),
        ("client_id", qr::CLIENT_ID),
        ("client_secret", qr::CLIENT_SECRET),
    ];
    let token: Value = ctx
        .http
        .post(format!("{}/identity/connect/token", ctx.sandbox.qr_url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let read = || async {
        ctx.http
            .post(format!("{}/api/v1/Transaction/ReadQRPayment", ctx.sandbox.qr_url()))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"qr_code":"nope"}"#)
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(read().await, 200);
    ctx.send(reqwest::Method::POST, "/_sandbox/clock/advance", json!({"by": "61m"}))
        .await;
    assert_eq!(read().await, 401);
    // The request log says why.
    let (_, v) = ctx.get("/_sandbox/requests?provider=qr").await;
    let last = &v["requests"][0];
    assert_eq!(last["path"], "/qr/api/v1/Transaction/ReadQRPayment");
    assert_eq!(last["status"], 401);
    assert_eq!(last["verified"], false);
    assert!(last["hint"].as_str().unwrap().contains("401"), "{last}");
}

#[tokio::test]
async fn scenario_catalogue_covers_every_provider() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx.get("/_sandbox/scenarios").await;
    assert_eq!(status, 200);
    let cards = |p: &str| -> Vec<(String, String)> {
        v[p]["cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["card"].as_str().unwrap().to_owned(),
                    c["outcome"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    for p in ["epoint", "azericard"] {
        let c = cards(p);
        assert!(c.contains(&("4000000000000002".into(), "decline".into())), "{p}");
        assert!(c.contains(&("4000000000000119".into(), "timeout".into())), "{p}");
        assert_eq!(v[p]["amounts"].as_array().unwrap().len(), 4);
    }
    let c = cards("epay");
    assert!(c.contains(&(epay::cards::VISA_OK.into(), "approve".into())));
    assert!(c.contains(&(
        epay::cards::DECLINE_INSUFFICIENT_FUNDS.into(),
        "insufficient_funds".into()
    )));
    assert_eq!(v["epay"]["amounts"][0]["amount"], "666");
    let wallets: Vec<&str> = v["qr"]["wallets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["wallet"].as_str().unwrap())
        .collect();
    assert!(wallets.contains(&qr::POOR_WALLET));
}

#[tokio::test]
async fn merchants_and_callback_urls() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx.get("/_sandbox/merchants").await;
    assert_eq!(status, 200);
    assert_eq!(v["epoint"]["merchants"][0]["public_key"], "i000000001");
    assert_eq!(v["epoint"]["merchants"][0]["callback_url"], Value::Null);
    assert_eq!(v["azericard"]["merchant"]["terminal"], "17201234");
    assert_eq!(v["epay"]["merchant"]["clients"][0]["client_id"], epay::TEST_CLIENT_ID);
    assert_eq!(v["qr"]["merchant"]["client_id"], qr::CLIENT_ID);

    let put = |provider: &str, body: Value| {
        let path = format!("/_sandbox/{provider}/callback-url");
        let ctx = &ctx;
        async move { ctx.send(reqwest::Method::PUT, &path, body).await }
    };
    let (status, _) = put("epoint", json!({"url": "http://127.0.0.1:9/epoint"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        ctx.sandbox.providers().epoint.callback_url("i000000001").as_deref(),
        Some("http://127.0.0.1:9/epoint")
    );
    let (status, _) = put("azericard", json!({"url": "http://127.0.0.1:9/mt"})).await;
    assert_eq!(status, 200);
    let (status, _) = put("qr", json!({"url": "http://127.0.0.1:9/qr"})).await;
    assert_eq!(status, 200);
    let (_, v) = ctx.get("/_sandbox/merchants").await;
    assert_eq!(v["epoint"]["merchants"][0]["callback_url"], "http://127.0.0.1:9/epoint");
    assert_eq!(
        v["azericard"]["merchant"]["transfer_callback_url"],
        "http://127.0.0.1:9/mt"
    );
    assert_eq!(v["qr"]["merchant"]["webhook_url"], "http://127.0.0.1:9/qr");

    assert_eq!(put("epoint", json!({"url": "javascript:alert(1)"})).await.0, 400);
    assert_eq!(put("epoint", json!({"url": "/relative"})).await.0, 400);
    assert_eq!(put("epoint", json!({})).await.0, 400);
    assert_eq!(
        put("epoint", json!({"url": "http://x.test/", "merchant": "nobody"}))
            .await
            .0,
        404
    );
    assert_eq!(put("epay", json!({"url": "http://x.test/"})).await.0, 409);
    assert_eq!(put("paypal", json!({"url": "http://x.test/"})).await.0, 404);
}

#[tokio::test]
async fn epoint_approve_by_api_then_deliveries_resend_and_trigger() {
    let ctx = Ctx::new().await;
    let (url, seen) = receiver().await;
    ctx.send(
        reqwest::Method::PUT,
        "/_sandbox/epoint/callback-url",
        json!({"url": url}),
    )
    .await;
    let tx = epoint_payment(&ctx, "12.50", "ord-ctl-1").await;

    // Listed as new, with its hosted page.
    let (_, v) = ctx.get("/_sandbox/payments").await;
    let listed = v["epoint"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == tx.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["state"], "new");
    assert_eq!(listed["amount"], "12.50");
    assert_eq!(listed["page"], format!("{}/epoint/pay/{tx}", ctx.sandbox.base_url()));

    // An empty POST approves with the default card.
    let (status, v) = ctx.post_empty(&format!("/_sandbox/epoint/payments/{tx}/approve")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "success");
    assert_eq!(
        ctx.sandbox.providers().epoint.transaction(&tx).unwrap().status.as_str(),
        "success"
    );
    // Twice is refused by the page itself.
    let (status, _) = ctx.post_empty(&format!("/_sandbox/epoint/payments/{tx}/approve")).await;
    assert_eq!(status, 409);

    let d = wait_delivery(&ctx, |d| d["delivered"] == true).await;
    assert_eq!(d["provider"], "epoint");
    assert_eq!(d["target"], url.as_str());
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["status"], 200);
    assert_eq!(d["attempt_log"][0]["answer"], "OK-1");
    assert_eq!(d["attempt_log"][0]["error"], Value::Null);
    assert_eq!(d["body"], seen.lock().unwrap()[0].as_str(), "the exact body sent");
    let id = d["id"].as_u64().unwrap();
    let (status, one) = ctx.get(&format!("/_sandbox/deliveries/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["body"], d["body"]);

    // Resend: the same bytes again, as a new delivery.
    let (status, v) = ctx.post_empty(&format!("/_sandbox/deliveries/{id}/resend")).await;
    assert_eq!(status, 202);
    let new_id = v["id"].as_u64().unwrap();
    assert_ne!(new_id, id);
    let again = wait_delivery(&ctx, |d| d["id"] == new_id && d["delivered"] == true).await;
    assert_eq!(again["resend_of"], id);
    assert_eq!(again["attempt_log"][0]["answer"], "OK-2");
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[1], seen[0], "the same bytes");
    }

    // Trigger: a freshly built callback for the transaction (a new trace_id).
    let (status, v) = ctx
        .post_empty(&format!("/_sandbox/epoint/payments/{tx}/callback"))
        .await;
    assert_eq!(status, 202, "{v}");
    let triggered = v["delivery"].as_u64().unwrap();
    wait_delivery(&ctx, |d| d["id"] == triggered && d["delivered"] == true).await;
    assert_eq!(seen.lock().unwrap().len(), 3);

    assert_eq!(ctx.get("/_sandbox/deliveries/99999").await.0, 404);
    assert_eq!(ctx.get("/_sandbox/deliveries/x").await.0, 400);
    assert_eq!(ctx.post_empty("/_sandbox/deliveries/99999/resend").await.0, 404);
    assert_eq!(ctx.post_empty("/_sandbox/epoint/payments/te999/approve").await.0, 404);
    assert_eq!(ctx.post_empty("/_sandbox/epoint/payments/te999/callback").await.0, 409);
    let (_, v) = ctx.get("/_sandbox/deliveries?provider=qr").await;
    assert!(v["deliveries"].as_array().unwrap().is_empty());
    let (_, v) = ctx.get("/_sandbox/deliveries?limit=1").await;
    assert_eq!(v["deliveries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn epoint_decline_by_api_with_a_scenario_card_and_a_dead_callback_url() {
    let ctx = Ctx::new().await;
    let dead = dead_url().await;
    ctx.send(
        reqwest::Method::PUT,
        "/_sandbox/epoint/callback-url",
        json!({"url": dead}),
    )
    .await;
    let tx = epoint_payment(&ctx, "3.00", "ord-ctl-2").await;
    let (status, v) = ctx
        .send(
            reqwest::Method::POST,
            &format!("/_sandbox/epoint/payments/{tx}/approve"),
            json!({"card": "4000000000009995"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["state"], "error", "the scenario card decides: {v}");
    assert_eq!(v["outcome"], "declined");
    let tx2 = epoint_payment(&ctx, "3.00", "ord-ctl-3").await;
    let (_, v) = ctx
        .post_empty(&format!("/_sandbox/epoint/payments/{tx2}/decline"))
        .await;
    assert_eq!(v["state"], "error");

    // Every attempt is logged with its error; the delivery gives up.
    let d = wait_delivery(&ctx, |d| d["given_up"] == true).await;
    assert_eq!(d["delivered"], false);
    assert_eq!(d["attempts"], 5);
    let log = d["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 5);
    assert!(
        log.iter().all(|a| a["status"].is_null() && a["error"].is_string()),
        "{d}"
    );
}

#[tokio::test]
async fn request_log_records_signature_verdicts() {
    let ctx = Ctx::new().await;
    epoint_payment(&ctx, "1.00", "ord-ctl-4").await;
    let payload =
        json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN", "language": "az", "order_id": "x"});
    let resp = ctx
        .http
        .post(format!("{}/api/1/request", ctx.sandbox.epoint_url()))
        .form(&epoint_envelope(&payload, "wrong-key"))
        .send()
        .await
        .unwrap();
    let hint = resp.headers()["x-sandbox-hint"].to_str().unwrap().to_owned();
    assert!(hint.to_lowercase().contains("signature"), "{hint}");
    assert!(!hint.contains("wrong-key") && !hint.contains(EPOINT_PRIVATE));
    let (status, v) = ctx.get("/_sandbox/requests?provider=epoint").await;
    assert_eq!(status, 200);
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2, "{v}");
    assert_eq!(reqs[0]["verified"], false);
    assert_eq!(reqs[0]["hint"], hint.as_str());
    assert_eq!(reqs[0]["method"], "POST");
    assert_eq!(reqs[0]["path"], "/epoint/api/1/request");
    assert_eq!(reqs[1]["verified"], true);
    assert_eq!(reqs[1]["status"], 200);
    assert!(reqs[1]["id"].as_str().unwrap().len() == 32, "EPoint's own trace id");
    // The control API's own reads are not logged; its writes are.
    let (_, v) = ctx.get("/_sandbox/requests").await;
    assert!(
        v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["provider"] != "sandbox")
    );
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains(EPOINT_PRIVATE));
}

// AzeriCard: a merchant signing with the project's throwaway test key.
fn p_sign(source: &str) -> String {
    let pem = include_str!("data/azericard-merchant-test-key.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = KeyPair::from_der(&crypto::base64_decode(body.trim().as_bytes()).unwrap()).unwrap();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        source.as_bytes(),
        &mut sig,
    )
    .unwrap();
    crypto::hex_lower(&sig)
}

fn mac(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| {
            if v.is_empty() {
                "-".to_owned()
            } else {
                format!("{}{v}", v.len())
            }
        })
        .collect()
}

#[tokio::test]
async fn azericard_approve_by_order_delivers_to_backref() {
    let ctx = Ctx::new().await;
    let (backref, seen) = receiver().await;
    let t = ctx.sandbox.clock().now();
    let ts = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let nonce = "0123456789abcdef0123456789abcdef";
    let sign = p_sign(&mac(&[
        "5.00",
        "AZN",
        "17201234",
        "1",
        &ts,
        nonce,
        "https://shop.example",
    ]));
    let fields = [
        ("AMOUNT", "5.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "880011"),
        ("DESC", "control"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", "17201234"),
        ("EMAIL", "shop@example.az"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", &ts),
        ("NONCE", nonce),
        ("BACKREF", &backref),
        ("LANG", "az"),
        ("P_SIGN", &sign),
    ];
    let resp = ctx
        .http
        .post(format!("{}/cgi-bin/cgi_link", ctx.sandbox.azericard_url()))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (_, v) = ctx.get("/_sandbox/payments").await;
    assert_eq!(v["azericard"][0]["id"], "880011");
    assert_eq!(v["azericard"][0]["state"], "Pending");

    let (status, v) = ctx.post_empty("/_sandbox/azericard/payments/880011/approve").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "Approved");
    let d = wait_delivery(&ctx, |d| d["provider"] == "azericard" && d["delivered"] == true).await;
    assert_eq!(d["target"], backref.as_str());
    assert!(d["body"].as_str().unwrap().contains("ORDER=880011"));
    assert_eq!(d["body"], seen.lock().unwrap()[0].as_str());

    let (status, _) = ctx.post_empty("/_sandbox/azericard/payments/880011/callback").await;
    assert_eq!(status, 202);
    assert_eq!(
        ctx.post_empty("/_sandbox/azericard/payments/999999/approve").await.0,
        404
    );
}

#[tokio::test]
async fn epay_invoice_link_declined_then_another_approved_by_api() {
    let ctx = Ctx::new().await;
    let (hook, seen) = receiver().await;
    let token: Value = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
        .form(&[
            ("grant_type", "password"),
            ("username", epay::INVOICE_USERNAME),
            ("password", epay::INVOICE_PASSWORD),
            ("scope", "api"),
            ("client_id", epay::INVOICE_CLIENT_ID),
            ("client_secret", epay::INVOICE_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut links = Vec::new();
    for invoice_id in ["700000001", "700000002"] {
        let inv: Value = ctx
            .http
            .post(format!("{}/api/invoice", ctx.sandbox.epay_url()))
            .bearer_auth(&token)
            .json(&json!({
                "shop_id": epay::INVOICE_SHOP_ID, "account_id": "0003413423", "invoice_id": invoice_id,
                "amount": 100, "language": "rus", "description": "control", "expire_period": "1d",
                "recipient_contact": "qa@example.kz", "recipient_contact_sms": "+77771111111",
                "notifier_contact_sms": "", "currency": "KZT",
                "post_link": hook, "failure_post_link": hook,
                "back_link": "https://shop.example/back", "failure_back_link": "https://shop.example/fail"
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        links.push(inv["id"].as_str().unwrap().to_owned());
    }
    let (status, v) = ctx
        .post_empty(&format!("/_sandbox/epay/payments/{}/decline", links[0]))
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = ctx
        .post_empty(&format!("/_sandbox/epay/payments/{}/approve", links[1]))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "CHARGED");
    assert_eq!(
        ctx.sandbox.providers().epay.payment_status("700000002").as_deref(),
        Some("CHARGE")
    );
    assert_eq!(
        ctx.sandbox.providers().epay.payment_status("700000001").as_deref(),
        Some("FAILED")
    );
    wait_delivery(&ctx, |d| {
        d["provider"] == "epay" && d["delivered"] == true && d["body"].as_str().unwrap().contains("700000002")
    })
    .await;
    let (status, _) = ctx.post_empty("/_sandbox/epay/payments/700000002/callback").await;
    assert_eq!(status, 202);
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen.lock().unwrap().len(), 3, "decline, approve, triggered");
    assert_eq!(ctx.post_empty("/_sandbox/epay/payments/nope/approve").await.0, 404);
}

#[tokio::test]
async fn qr_wallet_payment_approved_and_declined_by_api() {
    let ctx = Ctx::new().await;
    let token: Value = ctx
        .http
        .post(format!("{}/identity/connect/token", ctx.sandbox.qr_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", qr::SCOPE),
            ("client_id", qr::CLIENT_ID),
            ("client_secret", qr::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut codes = Vec::new();
    for ext in ["ctl-1", "ctl-2"] {
        let v: Value = ctx
            .http
            .post(format!("{}/api/v1/Transaction/CreateQRPayment", ctx.sandbox.qr_url()))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"ext_order_id":"{ext}","account_number":"{}","receiver_wallet_number":"{}","currency_code":"TRY","amount":25.50,"description":"Kahve"}}"#,
                qr::SECOND_WALLET_ACCOUNT,
                qr::SECOND_WALLET
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        codes.push(v["payload"]["qr_code"].as_str().unwrap().to_owned());
    }
    let before = ctx.sandbox.providers().qr.balance(qr::TEST_WALLET).unwrap();
    let (status, v) = ctx
        .post_empty(&format!("/_sandbox/qr/payments/{}/approve", codes[0]))
        .await;
    assert_eq!(status, 200, "{v}");
    let answer: Value = serde_json::from_str(v["answer"].as_str().unwrap()).unwrap();
    assert_eq!(answer["status"], 0, "{answer}");
    assert_eq!(
        ctx.sandbox.providers().qr.balance(qr::TEST_WALLET).unwrap(),
        before - rust_decimal::Decimal::new(2550, 2)
    );
    let (_, v) = ctx
        .post_empty(&format!("/_sandbox/qr/payments/{}/decline", codes[1]))
        .await;
    let answer: Value = serde_json::from_str(v["answer"].as_str().unwrap()).unwrap();
    assert_eq!(
        answer["code"],
        qr::codes::INSUFFICIENT_BALANCE,
        "the poor wallet pays: {answer}"
    );
    let (_, v) = ctx.get("/_sandbox/payments").await;
    let states: Vec<&str> = v["qr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"PAID") && states.contains(&"WAITING"), "{states:?}");
    assert_eq!(ctx.post_empty("/_sandbox/qr/payments/x/callback").await.0, 409);
    assert_eq!(ctx.post_empty("/_sandbox/paypal/payments/x/approve").await.0, 404);
}

#[tokio::test]
async fn openapi_document_matches_the_mounted_routes() {
    let ctx = Ctx::new().await;
    let (status, doc) = ctx.get(payments_sandbox::control::OPENAPI_PATH).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut mounted: Vec<(String, String)> = payments_sandbox::control::ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    mounted.sort();
    assert_eq!(documented, mounted);
    // Each is really mounted with that method: the router's own 404 has an
    // empty body, and a wrong method is 405.
    for (method, path) in &mounted {
        let concrete = path.replace("{provider}", "epoint").replace("{id}", "0");
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let resp = ctx
            .http
            .request(method.clone(), ctx.url(&concrete))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert_ne!(status, 405, "{method} {concrete}");
        assert!(
            !(status == 404 && body.is_empty()),
            "{method} {concrete} is not mounted"
        );
    }
    // And an undocumented path is not.
    let resp = ctx.http.get(ctx.url("/_sandbox/nothing")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn console_page_is_self_contained() {
    let ctx = Ctx::new().await;
    let resp = ctx.http.get(ctx.url("/")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = resp.text().await.unwrap();
    assert!(html.contains("<title>payments-sandbox console</title>"));
    // No external assets: nothing loaded from another origin.
    for external in ["src=\"http", "href=\"http", "src='http", "@import", "url(http", "<link"] {
        assert!(!html.contains(external), "{external}");
    }
    // Every control path the page calls exists in the OpenAPI document.
    let doc = payments_sandbox::control::OPENAPI;
    for path in [
        "/_sandbox/clock",
        "/_sandbox/payments",
        "/_sandbox/deliveries",
        "/_sandbox/requests",
        "/_sandbox/merchants",
        "/_sandbox/scenarios",
        "/_sandbox/sink",
    ] {
        assert!(html.contains(path), "{path}");
        assert!(doc.contains(&format!("\"{path}\"")), "{path}");
    }
}

#[tokio::test]
async fn epoint_signature_diagnosis_over_http() {
    let ctx = Ctx::new().await;
    let data = crypto::base64_encode(br#"{"public_key":"i000000001","amount":"1.00"}"#);
    let hex = crypto::hex_lower(&crypto::sha1(&[
        EPOINT_PRIVATE.as_bytes(),
        data.as_bytes(),
        EPOINT_PRIVATE.as_bytes(),
    ]));
    let (status, v) = ctx
        .send(
            reqwest::Method::POST,
            "/_sandbox/epoint/diagnose",
            json!({"data": data, "signature": hex, "private_key": EPOINT_PRIVATE}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["matches"], false);
    assert!(v["likely_mistake"].as_str().unwrap().starts_with("hex digest"), "{v}");
    assert_eq!(
        v["expected_signature"],
        crypto::base64_encode(&crypto::sha1(&[
            EPOINT_PRIVATE.as_bytes(),
            data.as_bytes(),
            EPOINT_PRIVATE.as_bytes()
        ]))
    );
    assert_eq!(v["signed_text"], format!("<private_key>{data}<private_key>"));
    assert!(!v.to_string().contains(EPOINT_PRIVATE));
    assert_eq!(ctx.post_empty("/_sandbox/epoint/diagnose").await.0, 400);
}

/// A payment page (widget) payment is approved or declined by its invoiceId,
/// as the page's own buttons would, and its postLink is delivered.
#[tokio::test]
async fn epay_widget_payments_are_approved_and_declined_by_invoice_id() {
    let ctx = Ctx::new().await;
    let (cb, seen) = receiver().await;
    let token = |invoice_id: &'static str| {
        let ctx = &ctx;
        let cb = cb.clone();
        async move {
            let resp = ctx
                .http
                .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "payment"),
                    ("client_id", epay::TEST_CLIENT_ID),
                    ("client_secret", epay::TEST_CLIENT_SECRET),
                    ("invoiceID", invoice_id),
                    ("amount", "150.50"),
                    ("currency", "KZT"),
                    ("terminal", epay::TEST_TERMINAL),
                    ("secret_hash", "merchant-secret-42"),
                    ("postLink", cb.as_str()),
                    ("failurePostLink", cb.as_str()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
        }
    };
    token("800000001").await;
    token("800000002").await;

    let (status, v) = ctx.post_empty("/_sandbox/epay/payments/800000001/approve").await;
    assert_eq!(status, 200, "{v}");
    // AUTH on a two-step terminal, CHARGE on a one-step one.
    let approved = v["state"].as_str().unwrap().to_owned();
    assert!(approved == "AUTH" || approved == "CHARGE", "{v}");
    let (status, v) = ctx
        .send(
            reqwest::Method::POST,
            "/_sandbox/epay/payments/800000002/decline",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["state"], "FAILED", "{v}");
    assert_eq!(
        ctx.sandbox.providers().epay.payment_status("800000001").as_deref(),
        Some(approved.as_str())
    );
    // Both links were posted to the merchant: the approval with code "ok".
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let bodies = seen.lock().unwrap().clone();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("800000001") && b.contains("\"code\":\"ok\"")),
        "{bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("800000002") && b.contains("\"code\":\"error\"")),
        "{bodies:?}"
    );
    // Neither outcome was posted twice or for the other invoice.
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    // An invoiceId with no payment token is still unknown.
    assert_eq!(ctx.post_empty("/_sandbox/epay/payments/899999999/approve").await.0, 404);
}
