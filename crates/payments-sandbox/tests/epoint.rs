#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The EPoint emulator driven by a client written here (reqwest + SHA-1), not
//! by the epoint crate: two independent readings of the spec.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use payments_core::crypto;
use payments_sandbox::Sandbox;
use serde_json::{Value, json};

const PUBLIC: &str = "i000000001";
const PRIVATE: &str = "test-private-key";

fn sign(data: &str) -> String {
    crypto::base64_encode(&crypto::sha1(&[
        PRIVATE.as_bytes(),
        data.as_bytes(),
        PRIVATE.as_bytes(),
    ]))
}

fn envelope(payload: &Value) -> Vec<(String, String)> {
    let data = crypto::base64_encode(payload.to_string().as_bytes());
    let signature = sign(&data);
    vec![("data".into(), data), ("signature".into(), signature)]
}

/// Checks an answer's `trace_id` (32 lower-case hex, also in `X-Request-ID`)
/// and returns the answer without it.
async fn traced(resp: reqwest::Response) -> Value {
    assert_eq!(resp.status(), 200);
    let header = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let mut v: Value = resp.json().await.unwrap();
    if let Some(m) = v.as_object_mut() {
        let id = m.remove("trace_id").expect("trace_id in every answer");
        assert_eq!(id, header.as_str());
    }
    assert!(
        header.len() == 32 && header.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{header}"
    );
    v
}

async fn call(sandbox: &Sandbox, op: &str, payload: Value) -> Value {
    traced(
        reqwest::Client::new()
            .post(format!("{}/api/1/{op}", sandbox.epoint_url()))
            .form(&envelope(&payload))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A merchant endpoint that records every callback body.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/callback",
        post(move |body: String| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/callback"), seen)
}

/// Verifies a callback body as a merchant would and returns its data object.
fn verify_callback(body: &str) -> Value {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let field = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap();
    let data = field("data");
    assert_eq!(field("signature"), sign(&data), "callback signature");
    serde_json::from_slice(&crypto::base64_decode(data.as_bytes()).unwrap()).unwrap()
}

async fn wait_callbacks(seen: &Arc<Mutex<Vec<String>>>, n: usize) -> Vec<String> {
    for _ in 0..300 {
        let got = seen.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("callback not received");
}

async fn approve(url: &str, card: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .form(&[("action", "approve"), ("card", card), ("cardholder", "ALI ALIYEV")])
        .send()
        .await
        .unwrap()
}

fn pay_payload(amount: &str, order: &str) -> Value {
    json!({"public_key": PUBLIC, "language": "az", "amount": amount, "currency": "AZN", "order_id": order,
           "success_redirect_url": "https://shop.example/ok", "error_redirect_url": null,
           "description": "Test <payment>", "other_attr": {"user": "42"}})
}

#[tokio::test]
async fn spec_vector_v1_is_accepted_byte_for_byte() {
    let sandbox = Sandbox::start().await.unwrap();
    let data = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAiYW1vdW50IjogIjEwLjUwIiwgImN1cnJlbmN5IjogIkFaTiIsICJvcmRlcl9pZCI6ICJvcmRlci0wMDAxIiwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIiwgImRlc2NyaXB0aW9uIjogIlRlc3QgcGF5bWVudCIsICJvdGhlcl9hdHRyIjogbnVsbH0=";
    assert_eq!(sign(data), "PEzmTr8b/RG/TYzUg2DOl8rS1T0=");
    let resp: Value = reqwest::Client::new()
        .post(format!("{}/api/1/request", sandbox.epoint_url()))
        .form(&[("data", data), ("signature", "PEzmTr8b/RG/TYzUg2DOl8rS1T0=")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resp["status"], "success");
    let tx = resp["transaction"].as_str().unwrap();
    assert!(tx.starts_with("te"), "{tx}");
    assert_eq!(resp["redirect_url"], format!("{}/pay/{tx}", sandbox.epoint_url()));
    let stored = sandbox.providers().epoint.transaction(tx).unwrap();
    assert_eq!(stored.amount.unwrap().minor(), 1050);
    assert_eq!(stored.order_id.as_deref(), Some("order-0001"));
}

#[tokio::test]
async fn spec_vector_v2_as_a_json_envelope_passes_the_signature_check() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = json!({
        "data": "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDEiLCAiY3VycmVuY3kiOiAiQVpOIiwgImFtb3VudCI6ICI1LjI1In0=",
        "signature": "dQj8BNsspFCPR/AnJmD/t3NfiWg="
    });
    let resp = traced(
        reqwest::Client::new()
            .post(format!("{}/api/1/reverse", sandbox.epoint_url()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Signature accepted; the transaction simply does not exist yet.
    assert_eq!(resp, json!({"status": "error", "message": "Transaction not found"}));
}

#[tokio::test]
async fn bad_signature_and_unknown_merchant_are_rejected_in_epoints_format() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut fields = envelope(&pay_payload("10.00", "o-1"));
    fields[1].1 = crypto::base64_encode(&crypto::sha1(&[b"other-key", fields[0].1.as_bytes(), b"other-key"]));
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}/api/1/request", sandbox.epoint_url()))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let v = traced(resp).await;
    assert_eq!(
        v,
        json!({"status": "server_error", "message": "Signature did not match"})
    );

    let mut unknown = pay_payload("10.00", "o-1");
    unknown["public_key"] = json!("i999");
    let v = call(&sandbox, "request", unknown).await;
    assert_eq!(v["status"], "server_error");

    let v: Value = http
        .post(format!("{}/api/1/request", sandbox.epoint_url()))
        .form(&[("data", "e30=")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "server_error");
    assert!(sandbox.providers().epoint.transaction("te000000001").is_none());
}

#[tokio::test]
async fn invalid_fields_are_named() {
    let sandbox = Sandbox::start().await.unwrap();
    let v = call(&sandbox, "request", pay_payload("10.505", "o-1")).await;
    assert_eq!(v["status"], "error");
    assert!(v["message"].as_str().unwrap().starts_with("amount:"), "{v}");
    let mut p = pay_payload("10.00", "o-1");
    p["currency"] = json!("USD");
    let v = call(&sandbox, "request", p).await;
    assert_eq!(v["message"], "currency: USD is not supported");
    let mut p = pay_payload("10.00", "o-1");
    p.as_object_mut().unwrap().remove("order_id");
    let v = call(&sandbox, "request", p).await;
    assert_eq!(v["message"], "order_id: is required");
}

#[tokio::test]
async fn pay_approve_callback_status_and_refund_limits() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    assert!(sandbox.providers().epoint.set_callback_url(PUBLIC, &url));

    let created = call(&sandbox, "request", pay_payload("10.50", "order-0001")).await;
    assert_eq!(created["status"], "success");
    let tx = created["transaction"].as_str().unwrap().to_owned();
    let page_url = created["redirect_url"].as_str().unwrap();

    let page = reqwest::get(page_url).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("value=\"approve\"") && page.contains("Test &lt;payment&gt;"),
        "{page}"
    );
    let status = call(
        &sandbox,
        "get-status",
        json!({"public_key": PUBLIC, "language": "az", "transaction": tx}),
    )
    .await;
    assert_eq!(status["status"], "new");

    let resp = approve(page_url, "4169 7388 1234 5678").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-sandbox-outcome"], "approved");
    assert!(resp.text().await.unwrap().contains("https://shop.example/ok"));

    let bodies = wait_callbacks(&seen, 1).await;
    let cb = verify_callback(&bodies[0]);
    assert_eq!(cb["status"], "success");
    assert_eq!(cb["code"], "000");
    assert_eq!(cb["order_id"], "order-0001");
    assert_eq!(cb["transaction"], tx.as_str());
    assert_eq!(cb["amount"].to_string(), "10.5");
    assert_eq!(cb["card_mask"], "416973******5678");
    assert_eq!(cb["card_name"], "ALI ALIYEV");
    assert_eq!(cb["operation_code"], "100");
    assert_eq!(cb["other_attr"], json!({"user": "42"}));
    assert_eq!(cb["rrn"].as_str().unwrap().len(), 12);
    assert!(cb.get("card_id").is_none() && cb.get("split_amount").is_none(), "{cb}");
    let record = sandbox.deliveries().records().pop().unwrap();
    assert_eq!(
        (record.provider, record.delivered, record.attempts),
        ("epoint", true, 1)
    );

    // A second approval is refused: the page was used.
    assert_eq!(approve(page_url, "4111111111111111").await.status(), 409);

    let status = call(&sandbox, "get-status", json!({"public_key": PUBLIC, "transaction": tx})).await;
    assert_eq!(status["status"], "success");
    assert_eq!(status["amount"], "10.50");
    assert_eq!(status["order_id"], "order-0001");

    let refund = |amount: Value| {
        let sandbox = &sandbox;
        let tx = tx.clone();
        async move {
            call(
                sandbox,
                "reverse",
                json!({"public_key": PUBLIC, "language": "az", "transaction": tx, "currency": "AZN", "amount": amount}),
            )
            .await
        }
    };
    assert_eq!(
        refund(json!("5.25")).await,
        json!({"status": "success", "message": "Approved"})
    );
    assert_eq!(
        refund(json!("5.26")).await,
        json!({"status": "error", "message": "Refund amount exceeds the captured amount"})
    );
    assert_eq!(refund(Value::Null).await["status"], "success"); // the remaining 5.25
    let status = call(&sandbox, "get-status", json!({"public_key": PUBLIC, "transaction": tx})).await;
    assert_eq!(status["status"], "returned");
    assert_eq!(
        refund(json!("0.01")).await["message"],
        "Transaction is already fully refunded"
    );
    let stored = sandbox.providers().epoint.transaction(&tx).unwrap();
    assert_eq!(stored.refunded.unwrap().minor(), 1050);
}

#[tokio::test]
async fn declined_card_sends_a_failed_callback() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    let created = call(&sandbox, "request", pay_payload("20.00", "order-2")).await;
    let resp = approve(created["redirect_url"].as_str().unwrap(), "4000000000009995").await;
    assert_eq!(resp.headers()["x-sandbox-outcome"], "declined");
    let cb = verify_callback(&wait_callbacks(&seen, 1).await[0]);
    assert_eq!(cb["status"], "failed");
    assert_eq!(cb["code"], "116");
    assert!(cb.get("rrn").is_none());
    let tx = created["transaction"].as_str().unwrap();
    let status = call(&sandbox, "get-status", json!({"public_key": PUBLIC, "transaction": tx})).await;
    assert_eq!(status["status"], "error");
    let refund = call(
        &sandbox,
        "reverse",
        json!({"public_key": PUBLIC, "transaction": tx, "currency": "AZN"}),
    )
    .await;
    assert_eq!(refund["status"], "error");
}

#[tokio::test]
async fn decline_button_and_timeout_card() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    let a = call(&sandbox, "request", pay_payload("1.00", "o-a")).await;
    let resp = reqwest::Client::new()
        .post(a["redirect_url"].as_str().unwrap())
        .form(&[("action", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-sandbox-outcome"], "declined");
    assert_eq!(verify_callback(&wait_callbacks(&seen, 1).await[0])["code"], "100");

    let b = call(&sandbox, "request", pay_payload("1.00", "o-b")).await;
    let resp = approve(b["redirect_url"].as_str().unwrap(), "4000000000000119").await;
    assert_eq!(resp.headers()["x-sandbox-outcome"], "timeout");
    let status = call(
        &sandbox,
        "get-status",
        json!({"public_key": PUBLIC, "transaction": b["transaction"]}),
    )
    .await;
    assert_eq!(status["status"], "new");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn saved_card_flows_payout_and_split() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);

    let reg = call(
        &sandbox,
        "card-registration",
        json!({"public_key": PUBLIC, "language": "en"}),
    )
    .await;
    assert_eq!(reg["status"], "success");
    assert!(reg.get("transaction").is_none());
    let card_id = reg["card_id"].as_str().unwrap().to_owned();
    assert!(card_id.starts_with("ce"));

    // Not usable before the customer enters it.
    let early = call(
        &sandbox,
        "execute-pay",
        json!({"public_key": PUBLIC, "amount": "5.00", "currency": "AZN", "order_id": "s-0", "card_id": card_id}),
    )
    .await;
    assert_eq!(early["status"], "error");

    approve(reg["redirect_url"].as_str().unwrap(), "5167513336327283").await;
    let cb = verify_callback(&wait_callbacks(&seen, 1).await[0]);
    assert_eq!(cb["status"], "success");
    assert_eq!(cb["card_id"], card_id.as_str());
    assert_eq!(cb["operation_code"], "001");
    for absent in ["order_id", "transaction", "amount", "other_attr"] {
        assert!(cb.get(absent).is_none(), "{absent} in {cb}");
    }

    let paid = call(&sandbox, "execute-pay", json!({"public_key": PUBLIC, "language": "az", "amount": 49.5, "currency": "AZN", "order_id": "s-1", "card_id": card_id})).await;
    assert_eq!(paid["status"], "success", "{paid}");
    assert_eq!(paid["amount"], "49.50");
    assert_eq!(paid["card_mask"], "516751******7283");

    let poor = call(
        &sandbox,
        "execute-pay",
        json!({"public_key": PUBLIC, "amount": "3.51", "currency": "AZN", "order_id": "s-2", "card_id": card_id}),
    )
    .await;
    assert_eq!(poor["status"], "failed");
    assert_eq!(poor["code"], "116");

    let split = call(&sandbox, "split-execute-pay", json!({"public_key": PUBLIC, "amount": "100.00", "currency": "AZN", "order_id": "s-3", "card_id": card_id, "split_user": "u-2", "split_amount": "40.00"})).await;
    assert_eq!(split["status"], "success");
    assert_eq!(split["split_amount"], "40.00");
    let too_much = call(&sandbox, "split-execute-pay", json!({"public_key": PUBLIC, "amount": "10.00", "currency": "AZN", "order_id": "s-4", "card_id": card_id, "split_user": "u-2", "split_amount": "10.01"})).await;
    assert_eq!(too_much["message"], "split_amount: must not exceed amount");

    // A card registered to pay (refund absent = 0) receives no payout; one
    // registered with refund=1 does, and cannot pay. (This test used to pay
    // out to the debit card: the documents say a payout card is registered
    // with refund: 1.)
    let refused = call(&sandbox, "refund-request", json!({"public_key": PUBLIC, "amount": "200.00", "currency": "AZN", "order_id": "p-0", "card_id": card_id, "description": null})).await;
    assert_eq!(
        refused,
        json!({"status": "error", "message": "card_id: the card was not registered for payouts (refund=1)"})
    );
    let reg = call(&sandbox, "card-registration", json!({"public_key": PUBLIC, "language": "az", "refund": 1, "description": null, "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail"})).await;
    let payout_card = reg["card_id"].as_str().unwrap().to_owned();
    approve(reg["redirect_url"].as_str().unwrap(), "4127211288596748").await;
    wait_callbacks(&seen, 2).await;
    let cannot_pay = call(
        &sandbox,
        "execute-pay",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "s-9", "card_id": payout_card}),
    )
    .await;
    assert_eq!(cannot_pay["message"], "card_id: a payout card (refund=1) cannot pay");
    let payout = call(&sandbox, "refund-request", json!({"public_key": PUBLIC, "amount": "200.00", "currency": "AZN", "order_id": "p-1", "card_id": payout_card, "description": null})).await;
    assert_eq!(payout["status"], "success", "{payout}");
    assert_eq!(payout["card_mask"], "412721******6748");
    let payout_refund = call(
        &sandbox,
        "reverse",
        json!({"public_key": PUBLIC, "transaction": payout["transaction"], "currency": "AZN"}),
    )
    .await;
    assert_eq!(payout_refund["status"], "error");
}

#[tokio::test]
async fn split_pay_and_save_card_callback_fields() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    let created = call(&sandbox, "split-card-registration-with-pay", json!({"public_key": PUBLIC, "language": "az", "amount": "100.00", "currency": "AZN", "order_id": "sp-1", "success_redirect_url": null, "error_redirect_url": null, "description": null, "split_user": "u-2", "split_amount": "40.00"})).await;
    assert_eq!(created["status"], "success");
    assert!(created["card_id"].is_string() && created["transaction"].is_string());
    approve(created["redirect_url"].as_str().unwrap(), "4111111111111111").await;
    let cb = verify_callback(&wait_callbacks(&seen, 1).await[0]);
    assert!(cb.get("message").is_none(), "{cb}");
    assert_eq!(cb["split_amount"].to_string(), "40.0");
    assert_eq!(cb["card_id"], created["card_id"]);
}

#[tokio::test]
async fn get_status_as_a_get_with_query() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = call(&sandbox, "request", pay_payload("1.00", "q-1")).await;
    let fields = envelope(&json!({"public_key": PUBLIC, "transaction": created["transaction"]}));
    let v: Value = reqwest::Client::new()
        .get(format!("{}/api/1/get-status", sandbox.epoint_url()))
        .query(&fields)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "new");
}

#[tokio::test]
async fn widget_and_token_payments() {
    let sandbox = Sandbox::start().await.unwrap();
    let w = call(
        &sandbox,
        "token/widget",
        json!({"public_key": PUBLIC, "amount": "7.00", "order_id": "w-1", "description": "Widget"}),
    )
    .await;
    assert_eq!(w["status"], "success");
    let widget_url = w["widget_url"].as_str().unwrap();
    let resp = approve(widget_url, "4111111111111111").await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("postMessage({\"payment\""), "{html}");

    let tp = call(&sandbox, "token/payment", json!({"public_key": PUBLIC, "language": "az", "amount": "12.00", "currency": "AZN", "order_id": "t-1", "description": null})).await;
    assert!(tp.get("status").is_none());
    assert_eq!(tp["merchant_order_id"], "t-1");
    assert_eq!(tp["total"], "12.00");
    let id = tp["id"].as_i64().unwrap();

    let session = call(
        &sandbox,
        "token/apple/session",
        json!({"public_key": PUBLIC, "origin": "https://shop.example"}),
    )
    .await;
    assert_eq!(session["domainName"], "shop.example");

    let no_token = call(&sandbox, "token/google/pay", json!({"public_key": PUBLIC, "id": id})).await;
    assert_eq!(no_token["message"], "token: is required");
    let paid = call(
        &sandbox,
        "token/google/pay",
        json!({"public_key": PUBLIC, "id": id, "token": {"signature": "x"}, "billingContact": null}),
    )
    .await;
    assert_eq!(paid["status"], "success", "{paid}");
    let again = call(
        &sandbox,
        "token/apple/pay",
        json!({"public_key": PUBLIC, "id": id.to_string(), "token": "t"}),
    )
    .await;
    assert_eq!(again["message"], "Payment already processed");
    let status = call(
        &sandbox,
        "get-status",
        json!({"public_key": PUBLIC, "transaction": tp["transaction"]}),
    )
    .await;
    assert_eq!(status["status"], "success");
}

#[tokio::test]
async fn callback_url_can_be_set_over_http() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let ok = http
        .post(format!("{}/sandbox/callback-url", sandbox.epoint_url()))
        .form(&[("public_key", PUBLIC), ("url", "http://127.0.0.1:9/cb")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(
        sandbox.providers().epoint.callback_url(PUBLIC).as_deref(),
        Some("http://127.0.0.1:9/cb")
    );
    let unknown = http
        .post(format!("{}/sandbox/callback-url", sandbox.epoint_url()))
        .form(&[("public_key", "nobody"), ("url", "http://x")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_captured_amount() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = call(&sandbox, "request", pay_payload("10.00", "c-1")).await;
    approve(created["redirect_url"].as_str().unwrap(), "4111111111111111").await;
    let tx = created["transaction"].as_str().unwrap().to_owned();
    let sandbox = Arc::new(sandbox);
    let mut tasks = Vec::new();
    for _ in 0..25 {
        let sandbox = sandbox.clone();
        let tx = tx.clone();
        tasks.push(tokio::spawn(async move {
            call(
                &sandbox,
                "reverse",
                json!({"public_key": PUBLIC, "transaction": tx, "currency": "AZN", "amount": "1.00"}),
            )
            .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap()["status"] == "success" {
            ok += 1;
        }
    }
    assert_eq!(ok, 10);
    assert_eq!(
        sandbox
            .providers()
            .epoint
            .transaction(&tx)
            .unwrap()
            .refunded
            .unwrap()
            .minor(),
        1000
    );
}

#[tokio::test]
async fn magic_timeout_amount_answers_late_with_911() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.providers().epoint.set_timeout_delay(Duration::from_millis(300));
    let reg = call(&sandbox, "card-registration", json!({"public_key": PUBLIC})).await;
    approve(reg["redirect_url"].as_str().unwrap(), "4111111111111111").await;
    let started = std::time::Instant::now();
    let late = call(&sandbox, "execute-pay", json!({"public_key": PUBLIC, "amount": "1.53", "currency": "AZN", "order_id": "t-1", "card_id": reg["card_id"]})).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        (late["status"].as_str(), late["code"].as_str()),
        (Some("failed"), Some("911"))
    );
}

#[tokio::test]
async fn hostile_bodies_get_epoint_errors_not_crashes() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let bodies: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"data=&signature=".to_vec(),
        b"data=%%%&signature=x".to_vec(),
        b"data=bm90IGpzb24=&signature=x".to_vec(),
        b"data=W10=&signature=x".to_vec(),
        b"data=e30=&data=e30=&signature=x".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x3d],
        vec![b'a'; 70_000],
    ];
    for op in ["request", "get-status", "reverse", "token/apple/pay"] {
        for body in &bodies {
            for ct in ["application/x-www-form-urlencoded", "application/json"] {
                let resp = http
                    .post(format!("{}/api/1/{op}", sandbox.epoint_url()))
                    .header("content-type", ct)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200);
                let v: Value = resp.json().await.unwrap();
                assert_eq!(v["status"], "server_error", "{op} {v}");
            }
        }
    }
}
