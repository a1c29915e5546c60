#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The EPoint operations beyond integrify (spec "Operations beyond
//! integrify"), each over HTTP with exact signatures: spec vectors E1-E5 are
//! sent byte for byte. The client is written here (reqwest + SHA-1).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::post;
use payments_core::crypto;
use payments_sandbox::Sandbox;
use payments_sandbox::epoint::{Feature, InvoiceStatus};
use serde_json::{Value, json};

const PUBLIC: &str = "i000000001";
const PRIVATE: &str = "test-private-key";

fn sign_with(key: &str, data: &str) -> String {
    crypto::base64_encode(&crypto::sha1(&[key.as_bytes(), data.as_bytes(), key.as_bytes()]))
}

fn sign(data: &str) -> String {
    sign_with(PRIVATE, data)
}

fn encode(payload: &str) -> (String, String) {
    let data = crypto::base64_encode(payload.as_bytes());
    let signature = sign(&data);
    (data, signature)
}

async fn traced(resp: reqwest::Response) -> Value {
    let header = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    let mut v: Value = resp.json().await.unwrap();
    if let Some(m) = v.as_object_mut() {
        assert_eq!(m.remove("trace_id").expect("trace_id"), header.as_str());
    }
    assert_eq!(header.len(), 32);
    v
}

async fn post_pair(sandbox: &Sandbox, op: &str, data: &str, signature: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/1/{op}", sandbox.epoint_url()))
        .form(&[("data", data), ("signature", signature)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    traced(resp).await
}

async fn call(sandbox: &Sandbox, op: &str, payload: Value) -> Value {
    let (data, signature) = encode(&payload.to_string());
    post_pair(sandbox, op, &data, &signature).await
}

async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/cb",
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
    (format!("http://{addr}/cb"), seen)
}

async fn wait(seen: &Arc<Mutex<Vec<String>>>, n: usize) -> String {
    for _ in 0..300 {
        if let Some(b) = seen.lock().unwrap().get(n - 1).cloned() {
            return b;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("callback {n} not received");
}

fn verify_callback(body: &str) -> Value {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap();
    let data = get("data");
    assert_eq!(get("signature"), sign(&data));
    let v: Value = serde_json::from_slice(&crypto::base64_decode(data.as_bytes()).unwrap()).unwrap();
    assert_eq!(v["trace_id"].as_str().unwrap().len(), 32, "{v}");
    v
}

async fn approve(url: &str, card: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .form(&[
            ("action", "approve"),
            ("card", card),
            ("cardholder", "ALI ALIYEV"),
            ("expiry", "10/27"),
        ])
        .send()
        .await
        .unwrap()
}

const E1_DATA: &str = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAiYW1vdW50IjogIjEwLjUwIiwgImN1cnJlbmN5IjogIkFaTiIsICJvcmRlcl9pZCI6ICJvcmRlci0wMDAyIiwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIiwgImRlc2NyaXB0aW9uIjogIkhvdGVsIGRlcG9zaXQiLCAib3RoZXJfYXR0ciI6IG51bGx9";
const E1_SIGNATURE: &str = "5HcfpgngGPLa0yQXySgmT5bZKss=";
const E2_DATA: &str =
    "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDIiLCAiYW1vdW50IjogIjguMDAifQ==";
const E2_SIGNATURE: &str = "WW691g3niBZL9fWDO4Gva/MRSqU=";
const E3_DATA: &str = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAiY2FyZF9pZCI6ICJjZTAwMDAwMDAxIn0=";
const E3_SIGNATURE: &str = "vyuFmNuBC1DWbbEfHpHRJAEXrgo=";
const E4_DATA: &str = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEifQ==";
const E4_SIGNATURE: &str = "+NMNoeKSlziu8cxKz/DnsZ+ik/Y=";
const E5_DATA: &str = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAicmVmdW5kIjogMSwgImRlc2NyaXB0aW9uIjogbnVsbCwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIn0=";
const E5_SIGNATURE: &str = "R2EIFglpEXlIkx8i2Rn/QZ7NNpw=";

#[test]
fn spec_vectors_e1_to_e5_sign_as_written() {
    for (d, s) in [
        (E1_DATA, E1_SIGNATURE),
        (E2_DATA, E2_SIGNATURE),
        (E3_DATA, E3_SIGNATURE),
        (E4_DATA, E4_SIGNATURE),
        (E5_DATA, E5_SIGNATURE),
    ] {
        assert_eq!(sign(d), s);
    }
}

#[tokio::test]
async fn pre_auth_hold_then_partial_capture_with_vectors_e1_e2() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    // te000000001 goes to another payment, so the hold is E2's te000000002.
    call(
        &sandbox,
        "request",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "x"}),
    )
    .await;
    let hold = post_pair(&sandbox, "pre-auth-request", E1_DATA, E1_SIGNATURE).await;
    assert_eq!(hold["status"], "success", "{hold}");
    assert_eq!(hold["transaction"], "te000000002");
    let page = hold["redirect_url"].as_str().unwrap();
    assert!(
        reqwest::get(page)
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("4000000000009995"),
        "scenario list on the page"
    );

    // Not approved yet: nothing to capture.
    let early = post_pair(&sandbox, "pre-auth-complete", E2_DATA, E2_SIGNATURE).await;
    assert_eq!(
        early,
        json!({"status": "error", "message": "Pre-authorization is not approved"})
    );
    assert_eq!(
        approve(page, "4111111111111111").await.headers()["x-sandbox-outcome"],
        "approved"
    );
    let cb = verify_callback(&wait(&seen, 1).await);
    assert_eq!(
        (
            cb["status"].as_str(),
            cb["transaction"].as_str(),
            cb["order_id"].as_str()
        ),
        (Some("success"), Some("te000000002"), Some("order-0002"))
    );
    assert_eq!(cb["amount"].to_string(), "10.5");

    // The hold is not money yet: it cannot be refunded.
    let r = call(
        &sandbox,
        "reverse",
        json!({"public_key": PUBLIC, "transaction": "te000000002", "currency": "AZN"}),
    )
    .await;
    assert_eq!(r["message"], "Transaction cannot be refunded");
    // More than the hold, language (not a field here), then E2 itself.
    let over = call(
        &sandbox,
        "pre-auth-complete",
        json!({"public_key": PUBLIC, "transaction": "te000000002", "amount": "10.51"}),
    )
    .await;
    assert_eq!(over["message"], "amount: exceeds the pre-authorized amount");
    let lang = call(
        &sandbox,
        "pre-auth-complete",
        json!({"public_key": PUBLIC, "language": "az", "transaction": "te000000002", "amount": "8.00"}),
    )
    .await;
    assert_eq!(lang["message"], "language: not a field of this operation");
    let done = post_pair(&sandbox, "pre-auth-complete", E2_DATA, E2_SIGNATURE).await;
    assert_eq!(
        (
            done["status"].as_str(),
            done["transaction"].as_str(),
            done["amount"].as_str()
        ),
        (Some("success"), Some("te000000002"), Some("8.00"))
    );
    assert_eq!(done["rrn"], cb["rrn"]);
    let again = post_pair(&sandbox, "pre-auth-complete", E2_DATA, E2_SIGNATURE).await;
    assert_eq!(again["message"], "Pre-authorization is already completed");

    let status = call(
        &sandbox,
        "get-status",
        json!({"public_key": PUBLIC, "transaction": "te000000002"}),
    )
    .await;
    assert_eq!(
        (status["status"].as_str(), status["amount"].as_str()),
        (Some("success"), Some("8.00"))
    );
    let r = call(
        &sandbox,
        "reverse",
        json!({"public_key": PUBLIC, "transaction": "te000000002", "currency": "AZN", "amount": "8.01"}),
    )
    .await;
    assert_eq!(r["message"], "Refund amount exceeds the captured amount");
    let r = call(
        &sandbox,
        "reverse",
        json!({"public_key": PUBLIC, "transaction": "te000000002", "currency": "AZN"}),
    )
    .await;
    assert_eq!(r["status"], "success");
    // A capture of an ordinary payment is refused.
    let not_hold = call(
        &sandbox,
        "pre-auth-complete",
        json!({"public_key": PUBLIC, "transaction": "te000000001", "amount": "1.00"}),
    )
    .await;
    assert_eq!(not_hold["message"], "transaction: not a pre-authorization");
    // language is required on pre-auth-request.
    let no_lang = call(
        &sandbox,
        "pre-auth-request",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "h-2"}),
    )
    .await;
    assert_eq!(no_lang["message"], "language: is required");
}

#[tokio::test]
async fn payout_card_registration_e5_and_card_status_e3() {
    let sandbox = Sandbox::start().await.unwrap();
    let reg = post_pair(&sandbox, "card-registration", E5_DATA, E5_SIGNATURE).await;
    assert_eq!(reg["card_id"], "ce00000001", "{reg}");
    let new = post_pair(&sandbox, "get-status-card", E3_DATA, E3_SIGNATURE).await;
    assert_eq!(new["status"], "new");
    assert!(new["mask"].is_null());
    approve(reg["redirect_url"].as_str().unwrap(), "4127 2112 8859 6748").await;
    let active = post_pair(&sandbox, "get-status-card", E3_DATA, E3_SIGNATURE).await;
    assert_eq!(
        active,
        json!({"id": "ce00000001", "name": "ALI ALIYEV", "mask": "412721******6748", "status": "active", "expired_date": "10/27", "description": null})
    );
    assert!(sandbox.providers().epoint.card("ce00000001").unwrap().payout);
    let payout = call(&sandbox, "refund-request", json!({"public_key": PUBLIC, "amount": "15.00", "currency": "AZN", "order_id": "po-1", "card_id": "ce00000001"})).await;
    assert_eq!(payout["status"], "success", "{payout}");
    let unknown = call(
        &sandbox,
        "get-status-card",
        json!({"public_key": PUBLIC, "card_id": "ce99999999"}),
    )
    .await;
    assert_eq!(unknown, json!({"status": "error", "message": "Card not found"}));

    // A declined registration leaves the card rejected.
    let reg = call(
        &sandbox,
        "card-registration",
        json!({"public_key": PUBLIC, "refund": "0"}),
    )
    .await;
    approve(reg["redirect_url"].as_str().unwrap(), "4000000000000002").await;
    let card = call(
        &sandbox,
        "get-status-card",
        json!({"public_key": PUBLIC, "card_id": reg["card_id"]}),
    )
    .await;
    assert_eq!(card["status"], "rejected");
    let bad = call(
        &sandbox,
        "card-registration",
        json!({"public_key": PUBLIC, "refund": 2}),
    )
    .await;
    assert_eq!(bad["message"], "refund: must be 0 or 1");
}

#[tokio::test]
async fn wallets_status_e4_and_payment_with_callback() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    let wallets = post_pair(&sandbox, "wallet/status", E4_DATA, E4_SIGNATURE).await;
    assert_eq!(
        wallets,
        json!({"status": "success", "wallets": [{"id": "1", "name": "Sandbox Wallet"}, {"id": "2", "name": "Sandbox Bonus Wallet"}]})
    );
    let unknown = call(&sandbox, "wallet/payment", json!({"public_key": PUBLIC, "language": "en", "wallet_id": "9", "amount": "3.00", "currency": "AZN", "order_id": "wp-1"})).await;
    assert_eq!(unknown["message"], "wallet_id: unknown wallet");
    let paid = call(&sandbox, "wallet/payment", json!({"public_key": PUBLIC, "language": "en", "wallet_id": "1", "amount": "3.00", "currency": "AZN", "order_id": "wp-1", "description": "Top-up"})).await;
    assert_eq!(paid["status"], "success");
    approve(paid["redirect_url"].as_str().unwrap(), "4111111111111111").await;
    let cb = verify_callback(&wait(&seen, 1).await);
    assert_eq!(
        (cb["order_id"].as_str(), cb["status"].as_str()),
        (Some("wp-1"), Some("success"))
    );
    let tx = sandbox
        .providers()
        .epoint
        .transaction(paid["transaction"].as_str().unwrap())
        .unwrap();
    assert_eq!(tx.wallet_id.as_deref(), Some("1"));

    // A merchant without the grant is refused.
    sandbox.providers().epoint.add_merchant("i000000002", "other-key");
    let data = crypto::base64_encode(br#"{"public_key": "i000000002"}"#);
    let refused = post_pair(&sandbox, "wallet/status", &data, &sign_with("other-key", &data)).await;
    assert_eq!(refused["message"], "Wallet payments are not enabled for this merchant");
    assert!(
        sandbox
            .providers()
            .epoint
            .set_feature("i000000002", Feature::Wallets, true)
    );
    let granted = post_pair(&sandbox, "wallet/status", &data, &sign_with("other-key", &data)).await;
    assert_eq!(granted["status"], "success");
}

#[tokio::test]
async fn checkout_form_redirects_the_browser_to_the_page() {
    let sandbox = Sandbox::start().await.unwrap();
    let (data, signature) = encode(
        r#"{"public_key": "i000000001", "language": "az", "amount": "4.00", "currency": "AZN", "order_id": "co-1", "is_installment": 0}"#,
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/api/1/checkout", sandbox.epoint_url());
    let resp = http
        .post(&url)
        .form(&[("data", &data), ("signature", &signature)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/epoint/pay/te"), "{location}");
    let tx = sandbox
        .providers()
        .epoint
        .transaction(location.trim_start_matches("/epoint/pay/"))
        .unwrap();
    assert_eq!(
        (tx.order_id.as_deref(), tx.amount.unwrap().minor()),
        (Some("co-1"), 400)
    );

    // The browser posts a form: a JSON envelope or a bad signature gets a page.
    let json_body = json!({"data": data, "signature": signature}).to_string();
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body(json_body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            resp.status().as_u16(),
            resp.headers()["x-epoint-status"].to_str().unwrap()
        ),
        (400, "server_error")
    );
    let resp = http
        .post(&url)
        .form(&[("data", data.as_str()), ("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")])
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("Signature did not match"));
    let (d, s) = encode(
        r#"{"public_key": "i000000001", "amount": "4.00", "currency": "AZN", "order_id": "co-2", "is_installment": 2}"#,
    );
    let resp = http
        .post(&url)
        .form(&[("data", d), ("signature", s)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-epoint-status"], "error");
    assert!(resp.text().await.unwrap().contains("is_installment: must be 0 or 1"));
}

fn invoice(sum: &str, template: u8) -> Value {
    json!({"public_key": PUBLIC, "sum": sum, "display": 0, "save_as_template": template, "name": "Ali Aliyev",
           "description": "Rent", "phone": "+994501234567", "email": "ali@example.az", "inn": "1234567891",
           "contract_number": "C-1", "merchant_order_id": "inv-1", "period_from": "2026-01-01", "period_to": "2026-01-31"})
}

#[tokio::test]
async fn invoices_create_update_view_list_and_send() {
    let sandbox = Sandbox::start().await.unwrap();
    let created = call(&sandbox, "invoices/create", invoice("120.00", 0)).await;
    assert_eq!(
        created,
        json!({"status": "success", "id": 1, "message": "Invoice created"})
    );
    call(&sandbox, "invoices/create", invoice("5.00", 1)).await;
    // 0 is a value: leaving display out is refused.
    let mut missing = invoice("1.00", 0);
    missing.as_object_mut().unwrap().remove("display");
    assert_eq!(
        call(&sandbox, "invoices/create", missing).await["message"],
        "display: is required"
    );
    let mut bad = invoice("1.00", 0);
    bad["period_to"] = json!("2025-12-31");
    assert_eq!(
        call(&sandbox, "invoices/create", bad).await["message"],
        "period_to: before period_from"
    );
    bad = invoice("1.00", 0);
    bad["period_from"] = json!("01.01.2026");
    assert_eq!(
        call(&sandbox, "invoices/create", bad).await["message"],
        "period_from: must be a date YYYY-MM-DD"
    );

    let view = call(&sandbox, "invoices/view", json!({"public_key": PUBLIC, "id": 1})).await;
    assert_eq!(view["invoice"]["sum"], "120.00");
    assert_eq!(view["invoice"]["status"], "waiting_for_payment");
    assert_eq!(view["invoice"]["display"], 0);

    let mut upd = invoice("130.00", 0);
    upd["id"] = json!(1);
    assert_eq!(
        call(&sandbox, "invoices/update", upd.clone()).await,
        json!({"status": "success", "message": "Invoice updated"})
    );
    assert_eq!(sandbox.providers().epoint.invoice(1).unwrap().fields["sum"], "130.00");

    let list = call(
        &sandbox,
        "invoices/list",
        json!({"public_key": PUBLIC, "order": "desc"}),
    )
    .await;
    let ids: Vec<i64> = list["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 1]);
    let statics = call(
        &sandbox,
        "invoices/list",
        json!({"public_key": PUBLIC, "type": "static"}),
    )
    .await;
    assert_eq!(statics["invoices"].as_array().unwrap().len(), 1);
    assert_eq!(
        call(&sandbox, "invoices/list", json!({"public_key": PUBLIC, "type": "mine"})).await["status"],
        "error"
    );

    assert_eq!(
        call(
            &sandbox,
            "invoices/send-sms",
            json!({"public_key": PUBLIC, "id": 1, "phone": "+994501234567"})
        )
        .await["status"],
        "success"
    );
    assert_eq!(
        call(
            &sandbox,
            "invoices/send-sms",
            json!({"public_key": PUBLIC, "id": 1, "phone": "050-123"})
        )
        .await["message"],
        "phone: must be + and 9-15 digits"
    );
    assert_eq!(
        call(
            &sandbox,
            "invoices/send-email",
            json!({"public_key": PUBLIC, "id": 1, "email": "ali@example.az"})
        )
        .await["status"],
        "success"
    );
    assert_eq!(
        call(
            &sandbox,
            "invoices/send-email",
            json!({"public_key": PUBLIC, "id": 1, "email": "not-an-email"})
        )
        .await["status"],
        "error"
    );
    assert_eq!(
        call(&sandbox, "invoices/view", json!({"public_key": PUBLIC, "id": 99})).await["message"],
        "Invoice not found"
    );
    assert_eq!(
        sandbox.providers().epoint.invoice(1).unwrap().sms_sent,
        vec!["+994501234567".to_owned()]
    );

    // Paid: no more updates.
    assert!(sandbox.providers().epoint.set_invoice_status(1, InvoiceStatus::Paid));
    assert_eq!(
        call(&sandbox, "invoices/update", upd).await["message"],
        "Only an invoice waiting for payment can be updated"
    );
}

#[tokio::test]
async fn installments_catalogue_and_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().epoint.set_callback_url(PUBLIC, &url);
    let (data, signature) = encode(
        &json!({"public_key": PUBLIC, "language": "az", "currency": "AZN", "order_id": "in-1", "amount": "300.00"})
            .to_string(),
    );
    let resp = reqwest::Client::new()
        .post(format!("{}/api/1/get-installment-request", sandbox.epoint_url()))
        .form(&[("data", data), ("signature", signature)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"].len(), 32);
    let options: Value = resp.json().await.unwrap();
    assert_eq!(
        options[0],
        json!({"name": "Sandbox Birkart", "installment_card_id": "1", "installment_months": [3, 6, 12]})
    );

    let base = json!({"public_key": PUBLIC, "language": "az", "amount": "300.00", "currency": "AZN", "order_id": "in-1", "installment_card_id": "1", "installment_month": 9});
    assert_eq!(
        call(&sandbox, "installment-request", base.clone()).await["message"],
        "installment_month: not offered by this installment card"
    );
    let mut ok = base.clone();
    ok["installment_month"] = json!(6);
    let created = call(&sandbox, "installment-request", ok).await;
    assert_eq!(created["status"], "success");
    approve(created["redirect_url"].as_str().unwrap(), "4111111111111111").await;
    let cb = verify_callback(&wait(&seen, 1).await);
    assert_eq!(cb["order_id"], "in-1");
    let tx = sandbox
        .providers()
        .epoint
        .transaction(created["transaction"].as_str().unwrap())
        .unwrap();
    assert_eq!(tx.installment, Some(("1".to_owned(), 6)));

    sandbox
        .providers()
        .epoint
        .set_feature(PUBLIC, Feature::Installments, false);
    assert_eq!(
        call(&sandbox, "installment-request", base).await["message"],
        "Installments are not enabled for this merchant"
    );
    let flagged = call(
        &sandbox,
        "request",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "r", "is_installment": 1}),
    )
    .await;
    assert_eq!(
        flagged["message"],
        "is_installment: installments are not enabled for this merchant"
    );
}

async fn b2b_post(sandbox: &Sandbox, payload: &Value) -> reqwest::Response {
    let (data, signature) = encode(&payload.to_string());
    reqwest::Client::new()
        .post(format!("{}/api/1/b2b/payment", sandbox.epoint_url()))
        .json(&json!({"data": data, "signature": signature}))
        .send()
        .await
        .unwrap()
}

async fn b2b_status(sandbox: &Sandbox, order: &str) -> (u16, Value) {
    let resp = reqwest::get(format!("{}/api/1/b2b/payment/{order}", sandbox.epoint_url()))
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn b2b_transfer_steps_to_success_and_sends_an_unsigned_webhook() {
    let sandbox = Sandbox::start().await.unwrap();
    let (webhook, seen) = receiver().await;
    let payload = json!({"public_key": PUBLIC, "order_id": "b2b-0001", "amount": "1000.00", "description": "Advance payment", "iban": "AZ21NABZ00000000137010001944", "name": "Technology LLC", "tin": "1234567892", "bank_code": "505141", "webhook_url": webhook});
    let resp = b2b_post(&sandbox, &payload).await;
    assert_eq!(resp.status(), 200);
    let created = traced(resp).await;
    assert_eq!(
        (created["status"].as_str(), created["order_id"].as_str()),
        (Some("success"), Some("b2b-0001"))
    );
    let bulk = created["bulkId"].as_str().unwrap().to_owned();

    let (code, s1) = b2b_status(&sandbox, "b2b-0001").await;
    assert_eq!(
        (code, s1["status"].as_str(), s1["bulkId"].as_str()),
        (200, Some("PROCESSING"), Some(bulk.as_str()))
    );
    assert_eq!(
        (
            s1["amount"].as_str(),
            s1["payee_iban"].as_str(),
            s1["webhook_sent"].as_bool()
        ),
        (Some("1000.00"), Some("AZ21NABZ00000000137010001944"), Some(false))
    );
    let (_, s2) = b2b_status(&sandbox, "b2b-0001").await;
    assert_eq!(
        (s2["status"].as_str(), s2["webhook_sent"].as_bool()),
        (Some("SUCCESS"), Some(true))
    );
    let hook: Value = serde_json::from_str(&wait(&seen, 1).await).unwrap();
    assert_eq!(
        (
            hook["order_id"].as_str(),
            hook["status"].as_str(),
            hook["amount"].as_str(),
            hook["payee_name"].as_str()
        ),
        (
            Some("b2b-0001"),
            Some("success"),
            Some("1000.00"),
            Some("Technology LLC")
        )
    );
    assert!(hook.get("signature").is_none() && hook["error_message"].is_null());
    let (_, s3) = b2b_status(&sandbox, "b2b-0001").await;
    assert_eq!(s3["status"], "SUCCESS");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "one webhook");

    // Duplicate order, unknown order, bad fields, a form body.
    assert_eq!(b2b_post(&sandbox, &payload).await.status(), 409);
    assert_eq!(b2b_status(&sandbox, "nope").await.0, 404);
    let mut bad = payload.clone();
    bad["order_id"] = json!("b2b-0002");
    bad["iban"] = json!("DE89370400440532013000");
    let resp = b2b_post(&sandbox, &bad).await;
    assert_eq!(resp.status(), 422);
    assert_eq!(
        traced(resp).await["detail"],
        "iban: must be AZ and 18-32 letters or digits"
    );
    bad = payload.clone();
    bad["order_id"] = json!("b2b-0002");
    bad["tin"] = json!("1234567893");
    assert_eq!(b2b_post(&sandbox, &bad).await.status(), 422);
    bad["tin"] = json!("1234567891");
    bad["amount"] = json!("40000.01");
    assert_eq!(b2b_post(&sandbox, &bad).await.status(), 422);
    let (d, s) = encode(&payload.to_string());
    let form = reqwest::Client::new()
        .post(format!("{}/api/1/b2b/payment", sandbox.epoint_url()))
        .form(&[("data", d), ("signature", s)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let forged = reqwest::Client::new()
        .post(format!("{}/api/1/b2b/payment", sandbox.epoint_url()))
        .json(&json!({"data": crypto::base64_encode(payload.to_string().as_bytes()), "signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    // x.54 fails, with the reason in the webhook.
    let mut failing = payload.clone();
    failing["order_id"] = json!("b2b-0003");
    failing["amount"] = json!("10.54");
    assert_eq!(b2b_post(&sandbox, &failing).await.status(), 200);
    b2b_status(&sandbox, "b2b-0003").await;
    assert_eq!(b2b_status(&sandbox, "b2b-0003").await.1["status"], "FAILED");
    let hook: Value = serde_json::from_str(&wait(&seen, 2).await).unwrap();
    assert_eq!(
        (hook["status"].as_str(), hook["error_message"].as_str()),
        (Some("failed"), Some("Rejected by the payee's bank"))
    );
}

#[tokio::test]
async fn request_family_split_token_payment_and_heartbeat() {
    let sandbox = Sandbox::start().await.unwrap();
    let base = json!({"public_key": PUBLIC, "language": "ru", "amount": "20.00", "currency": "AZN", "order_id": "pr-1", "description": null, "success_redirect_url": null, "error_redirect_url": null, "other_attr": null});
    let pr = call(&sandbox, "payment-request", base.clone()).await;
    assert!(pr["transaction"].is_string() && pr["redirect_url"].is_string(), "{pr}");
    let amex = call(&sandbox, "amex-request", base.clone()).await;
    assert_eq!(amex["status"], "success");
    let change = call(&sandbox, "payment-change-sum", base.clone()).await;
    assert_eq!(change["status"], "success");
    assert!(
        change.get("transaction").is_none(),
        "documented answer has no transaction: {change}"
    );
    let mut with_flag = base.clone();
    with_flag["is_installment"] = json!(0);
    assert_eq!(
        call(&sandbox, "amex-request", with_flag).await["message"],
        "is_installment: not a field of this operation"
    );
    let mut usd = base.clone();
    usd["currency"] = json!("USD");
    assert_eq!(
        call(&sandbox, "payment-request", usd).await["message"],
        "currency: USD is not supported"
    );
    sandbox.providers().epoint.set_feature(PUBLIC, Feature::Amex, false);
    assert_eq!(
        call(&sandbox, "amex-request", base).await["message"],
        "AMEX payments are not enabled for this merchant"
    );

    let split = call(&sandbox, "token/split-payment", json!({"public_key": PUBLIC, "amount": "30.00", "currency": "AZN", "order_id": "ts-1", "split_user": "u-7", "split_amount": "12.00"})).await;
    assert_eq!(
        (
            split["total"].as_str(),
            split["split_amount"].as_str(),
            split["split_user"].as_str()
        ),
        (Some("30.00"), Some("12.00"), Some("u-7"))
    );
    let paid = call(
        &sandbox,
        "token/apple/pay",
        json!({"public_key": PUBLIC, "id": split["id"], "token": {"paymentData": {}}}),
    )
    .await;
    assert_eq!(paid["status"], "success");
    let over = call(&sandbox, "token/split-payment", json!({"public_key": PUBLIC, "amount": "30.00", "currency": "AZN", "order_id": "ts-2", "split_user": "u-7", "split_amount": "30.01"})).await;
    assert_eq!(over["message"], "split_amount: must not exceed amount");

    let beat = reqwest::get(format!("{}/api/heartbeat", sandbox.epoint_url()))
        .await
        .unwrap();
    assert_eq!(traced(beat).await, json!({"status": "ok"}));
    assert_eq!(
        reqwest::get(format!("{}/api/1/heartbeat", sandbox.epoint_url()))
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn strictness_duplicates_unknown_fields_urls_and_content_types() {
    let sandbox = Sandbox::start().await.unwrap();
    // A key repeated inside `data`: refused, not "last one wins".
    let (d, s) = encode(
        r#"{"public_key": "i000000001", "amount": "1.00", "amount": "100.00", "currency": "AZN", "order_id": "d-1"}"#,
    );
    let v = post_pair(&sandbox, "request", &d, &s).await;
    assert_eq!(
        v,
        json!({"status": "server_error", "message": "Duplicate field amount in data"})
    );
    let v = call(
        &sandbox,
        "request",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "d-1", "colour": "red"}),
    )
    .await;
    assert_eq!(v["message"], "colour: not a field of this operation");
    let v = call(&sandbox, "request", json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "d-1", "success_redirect_url": "javascript:alert(1)"})).await;
    assert_eq!(v["message"], "success_redirect_url: must be an http(s) URL");
    let v = call(
        &sandbox,
        "token/widget",
        json!({"public_key": PUBLIC, "amount": "1.00", "order_id": "w", "description": "x", "language": "az"}),
    )
    .await;
    assert_eq!(v["message"], "language: not a field of this operation");
    let v = call(
        &sandbox,
        "card-registration-with-pay",
        json!({"public_key": PUBLIC, "amount": "1.00", "currency": "AZN", "order_id": "c"}),
    )
    .await;
    assert_eq!(v["message"], "description: is required");
    let (d, s) = encode(r#"{"public_key": "i000000001", "amount": "1.00", "currency": "AZN", "order_id": "d-1"}"#);
    let http = reqwest::Client::new();
    let url = format!("{}/api/1/request", sandbox.epoint_url());
    for (ct, body) in [
        ("text/plain", format!("data={d}&signature={s}")),
        (
            "application/x-www-form-urlencoded",
            format!("data={}&signature={}&signature={}", urlenc(&d), urlenc(&s), urlenc(&s)),
        ),
        (
            "application/json",
            format!(r#"{{"data":"{d}","signature":"{s}","extra":"1"}}"#),
        ),
    ] {
        let v = traced(
            http.post(&url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(v["status"], "server_error", "{ct} {v}");
    }
    let ok = traced(
        http.post(&url)
            .header("content-type", "application/json; charset=utf-8")
            .body(format!(r#"{{"data":"{d}","signature":"{s}"}}"#))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(ok["status"], "success");
}

fn urlenc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
