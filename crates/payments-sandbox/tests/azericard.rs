#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The AzeriCard emulator driven by a merchant written here (reqwest +
//! aws-lc-rs + MD5), not by the azericard crate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, UnparsedPublicKey};
use axum::Router;
use axum::routing::post;
use payments_core::crypto;
use payments_sandbox::Sandbox;
use serde_json::Value;

const TERMINAL: &str = "17201234";
const A1_P_SIGN: &str = "4c1d1c0c659fa15a36e372882362c1af5c5503c2d788b7e6c2c6ee532622188521b1082d20f374ca5b89fae07a5207a7cbe4f559907e7e638d3962db86b387b14db551f94884b8ae53f0c6b1a2e61cf107d674a395686ed8c2fad78f3d6ae82e070a5247b7f9f88191a0e5082754bea67a0747a41d36ff2d63101356605aaf8385434c1eb058915851965b935c2ad797b32c3f1e398ac24684ce137105f69f0e58ebb6e58fa6035ee9d19e5b14b908b05e095e49c8fbbc6afdf7179e1308b48a7da8abffbc455f45481199ff1ebb59078f77a579b9f757363f19a1954cbc4eddc0d731cb6be652b7823ee75d83482727eb85241131d4ef38fd9dec982e981699";

fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    crypto::base64_decode(body.trim().as_bytes()).unwrap()
}

fn merchant_key() -> KeyPair {
    KeyPair::from_der(&der(include_str!("data/azericard-merchant-test-key.pem"))).unwrap()
}

/// Length-prefixed MAC source, `-` for an empty or absent field.
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

fn p_sign(source: &str) -> String {
    let key = merchant_key();
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

fn timestamp(sandbox: &Sandbox) -> String {
    use payments_core::clock::Clock;
    let t = sandbox.clock().now();
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn nonce() -> String {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).unwrap();
    crypto::hex_lower(&b)
}

fn auth_fields(sandbox: &Sandbox, order: &str, amount: &str, trtype: &str, backref: &str) -> Vec<(String, String)> {
    let ts = timestamp(sandbox);
    let nonce = nonce();
    let sign = p_sign(&mac(&[
        amount,
        "AZN",
        TERMINAL,
        trtype,
        &ts,
        &nonce,
        "https://shop.example",
    ]));
    [
        ("AMOUNT", amount),
        ("CURRENCY", "AZN"),
        ("ORDER", order),
        ("DESC", "Order <1>"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", TERMINAL),
        ("EMAIL", "shop@example.az"),
        ("TRTYPE", trtype),
        ("TIMESTAMP", &ts),
        ("NONCE", &nonce),
        ("BACKREF", backref),
        ("LANG", "az"),
        ("P_SIGN", &sign),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn post_form(url: String, fields: &[(String, String)]) -> reqwest::Response {
    reqwest::Client::new().post(url).form(fields).send().await.unwrap()
}

/// POSTs the authorization as the browser would; returns the hosted page URL
/// reached through the gateway's redirect.
async fn authorize(sandbox: &Sandbox, fields: &[(String, String)]) -> String {
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), fields).await;
    assert_eq!(resp.status(), 200);
    let url = resp.url().to_string();
    assert!(url.starts_with(&format!("{}/pay/", sandbox.azericard_url())), "{url}");
    assert!(resp.text().await.unwrap().contains("value=\"approve\""));
    url
}

async fn approve(page: &str, card: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(page)
        .form(&[("action", "approve"), ("card", card)])
        .send()
        .await
        .unwrap()
}

async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let app = Router::new().route(
        "/back",
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
    (format!("http://{addr}/back"), seen)
}

async fn next_callback(seen: &Arc<Mutex<Vec<String>>>, n: usize) -> Vec<(String, String)> {
    for _ in 0..300 {
        if let Some(body) = seen.lock().unwrap().get(n - 1).cloned() {
            return form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no callback");
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// Verifies the callback's P_SIGN with the gateway public key the sandbox publishes.
async fn verify_callback(sandbox: &Sandbox, f: &[(String, String)]) {
    let pem = reqwest::get(format!("{}/gateway-public-key.pem", sandbox.azericard_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(pem, sandbox.providers().azericard.gateway_public_key_pem());
    let source = mac(&[
        field(f, "AMOUNT"),
        field(f, "TERMINAL"),
        field(f, "APPROVAL"),
        field(f, "RRN"),
        field(f, "INT_REF"),
    ]);
    let sig = crypto::hex_decode(field(f, "P_SIGN").as_bytes()).unwrap();
    let key = UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, der(&pem));
    key.verify(source.as_bytes(), &sig)
        .expect("callback P_SIGN verifies with the gateway key");
    let forged = source.replacen(field(f, "AMOUNT"), "99.99", 1);
    assert!(key.verify(forged.as_bytes(), &sig).is_err());
}

fn server_op(
    sandbox: &Sandbox,
    trtype: &str,
    order: &str,
    amount: &str,
    rrn: &str,
    int_ref: &str,
) -> Vec<(String, String)> {
    let ts = timestamp(sandbox);
    let nonce = nonce();
    // The default order (spec vector A2b): AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER, RRN, INT_REF.
    let sign = p_sign(&mac(&[amount, "AZN", TERMINAL, trtype, order, rrn, int_ref]));
    [
        ("ORDER", order),
        ("AMOUNT", amount),
        ("CURRENCY", "AZN"),
        ("RRN", rrn),
        ("INT_REF", int_ref),
        ("TRTYPE", trtype),
        ("TERMINAL", TERMINAL),
        ("TIMESTAMP", &ts),
        ("NONCE", &nonce),
        ("P_SIGN", &sign),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

async fn cgi(sandbox: &Sandbox, fields: &[(String, String)]) -> String {
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), fields).await;
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

async fn status(sandbox: &Sandbox, order: &str) -> Value {
    status_of(sandbox, order, "1").await
}

/// The status query for the transaction of type `tran` (TRAN_TRTYPE).
async fn status_of(sandbox: &Sandbox, order: &str, tran: &str) -> Value {
    let ts = timestamp(sandbox);
    let nonce = nonce();
    let sign = p_sign(&mac(&[order, TERMINAL, "90", &ts, &nonce]));
    let body = serde_json::json!({"ORDER": order, "TERMINAL": TERMINAL, "TRTYPE": "90", "TIMESTAMP": ts, "NONCE": nonce, "TRAN_TRTYPE": tran, "P_SIGN": sign});
    reqwest::Client::new()
        .post(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn spec_vector_a1_is_accepted_at_its_timestamp() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.clock().set(time::macros::datetime!(2025-01-01 12:10 UTC));
    let fields: Vec<(String, String)> = [
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100001"),
        ("DESC", "Order 100001"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", TERMINAL),
        ("EMAIL", "shop@example.az"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", "20250101120000"),
        ("NONCE", "f2b2dd7e603a7ada1234567890abcdef"),
        ("BACKREF", "https://shop.example/azericard/callback"),
        ("LANG", "az"),
        ("P_SIGN", A1_P_SIGN),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    authorize(&sandbox, &fields).await;
    let order = sandbox.providers().azericard.order("100001").unwrap();
    assert_eq!(order.amount_text, "10.50");

    // The same NONCE again is a duplicate; two hours later the TIMESTAMP is stale.
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "1");
    sandbox.clock().advance(Duration::from_secs(2 * 3600));
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
    assert!(resp.text().await.unwrap().contains("TIMESTAMP"));
}

#[tokio::test]
async fn bad_p_sign_and_wrong_fields_are_rejected_with_azericard_codes() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut fields = auth_fields(&sandbox, "200001", "10.00", "1", "http://127.0.0.1:9/back");
    fields[0].1 = "10.01".into(); // AMOUNT changed after signing
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "3");
    assert!(sandbox.providers().azericard.order("200001").is_none());

    let mut fields = auth_fields(&sandbox, "200002", "10.00", "1", "http://127.0.0.1:9/back");
    fields.retain(|(k, _)| k != "DESC");
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
    assert!(resp.text().await.unwrap().contains("DESC: is required"));

    // Server-to-server with a bad signature: a bare `3`.
    let mut op = server_op(&sandbox, "22", "200003", "1.00", "123456789012", "AB");
    op.last_mut().unwrap().1 = "00ff".into();
    assert_eq!(cgi(&sandbox, &op).await, "3");
}

#[tokio::test]
async fn purchase_approve_callback_status_refunds() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let page = authorize(&sandbox, &auth_fields(&sandbox, "300001", "10.50", "1", &backref)).await;
    let resp = approve(&page, "4127211288596748").await;
    assert_eq!(resp.headers()["x-sandbox-outcome"], "approved");

    let cb = next_callback(&seen, 1).await;
    verify_callback(&sandbox, &cb).await;
    assert_eq!(field(&cb, "ORDER"), "300001");
    assert_eq!(field(&cb, "AMOUNT"), "10.50");
    assert_eq!(field(&cb, "TRTYPE"), "1");
    assert_eq!(field(&cb, "ACTION"), "0");
    assert_eq!(field(&cb, "RC"), "00");
    assert_eq!(field(&cb, "APPROVAL").len(), 6);
    assert_eq!(field(&cb, "RRN").len(), 12);
    assert!(cb.iter().all(|(k, _)| k != "CARD" && k != "TOKEN"));
    let (rrn, int_ref) = (field(&cb, "RRN").to_owned(), field(&cb, "INT_REF").to_owned());

    let st = status(&sandbox, "300001").await;
    assert_eq!(st["Transaction state"], "Approved");
    assert_eq!(st["ACTION"], "0");
    assert_eq!(st["Transaction RRN"], rrn.as_str());
    assert_eq!(st["Card number"], "412721******6748");

    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "22", "300001", "4.00", &rrn, &int_ref)).await,
        "0"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "22", "300001", "6.51", &rrn, &int_ref)).await,
        "2"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "24", "300001", "6.50", &rrn, &int_ref)).await,
        "0"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "22", "300001", "0.01", &rrn, &int_ref)).await,
        "1"
    );
    assert_eq!(status(&sandbox, "300001").await["Transaction state"], "Refunded");
    // Wrong RRN: no such authorization.
    assert_eq!(
        cgi(
            &sandbox,
            &server_op(&sandbox, "22", "300001", "1.00", "000000000000", &int_ref)
        )
        .await,
        "2"
    );
}

#[tokio::test]
async fn preauthorization_then_completion() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let page = authorize(&sandbox, &auth_fields(&sandbox, "400001", "20.00", "0", &backref)).await;
    approve(&page, "4111111111111111").await;
    let cb = next_callback(&seen, 1).await;
    verify_callback(&sandbox, &cb).await;
    assert_eq!(field(&cb, "TRTYPE"), "0");
    let (rrn, int_ref) = (field(&cb, "RRN").to_owned(), field(&cb, "INT_REF").to_owned());
    // A hold cannot be refunded above its amount; completion above it fails too.
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "21", "400001", "20.01", &rrn, &int_ref)).await,
        "2"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "21", "400001", "15.00", &rrn, &int_ref)).await,
        "0"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "21", "400001", "15.00", &rrn, &int_ref)).await,
        "1"
    );
    // The hold is asked for as TRTYPE 0 (asking for a 1 is refused), the completion as 21.
    assert_eq!(
        status_of(&sandbox, "400001", "0").await["Transaction state"],
        "Completed"
    );
    assert_eq!(status_of(&sandbox, "400001", "0").await["Transaction amount"], "20.00");
    assert_eq!(status_of(&sandbox, "400001", "21").await["Transaction amount"], "15.00");
    assert_eq!(
        status_of(&sandbox, "400001", "1").await["Transaction Status message"],
        "TRAN_TRTYPE: not the order's authorization type"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "22", "400001", "15.01", &rrn, &int_ref)).await,
        "2"
    );
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "22", "400001", "15.00", &rrn, &int_ref)).await,
        "0"
    );
    let order = sandbox.providers().azericard.order("400001").unwrap();
    assert_eq!((order.captured.minor(), order.refunded.minor()), (1500, 1500));
}

#[tokio::test]
async fn integrify_field_order_is_answered_3_unless_the_terminal_selects_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let page = authorize(&sandbox, &auth_fields(&sandbox, "410001", "5.00", "0", &backref)).await;
    approve(&page, "4111111111111111").await;
    let cb = next_callback(&seen, 1).await;
    let (rrn, int_ref) = (field(&cb, "RRN").to_owned(), field(&cb, "INT_REF").to_owned());
    // integrify's order (ORDER first): code 3 on a default terminal.
    let mut op = server_op(&sandbox, "21", "410001", "5.00", &rrn, &int_ref);
    op.last_mut().unwrap().1 = p_sign(&mac(&["410001", "5.00", "AZN", TERMINAL, "21", &rrn, &int_ref]));
    assert_eq!(cgi(&sandbox, &op).await, "3");
    assert!(
        sandbox
            .providers()
            .azericard
            .set_follow_up_order(TERMINAL, payments_sandbox::azericard::FollowUpOrder::OrderFirst)
    );
    // Now the default order is the wrong one, and integrify's is accepted.
    assert_eq!(
        cgi(&sandbox, &server_op(&sandbox, "21", "410001", "5.00", &rrn, &int_ref)).await,
        "3"
    );
    let mut op = server_op(&sandbox, "21", "410001", "5.00", &rrn, &int_ref);
    op.last_mut().unwrap().1 = p_sign(&mac(&["410001", "5.00", "AZN", TERMINAL, "21", &rrn, &int_ref]));
    assert_eq!(cgi(&sandbox, &op).await, "0");
}

#[tokio::test]
async fn declined_card_and_status_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let page = authorize(&sandbox, &auth_fields(&sandbox, "500001", "10.00", "1", &backref)).await;
    assert_eq!(
        approve(&page, "4000000000009995").await.headers()["x-sandbox-outcome"],
        "declined"
    );
    let cb = next_callback(&seen, 1).await;
    verify_callback(&sandbox, &cb).await;
    assert_eq!(
        (field(&cb, "ACTION"), field(&cb, "RC"), field(&cb, "APPROVAL")),
        ("2", "51", "")
    );
    assert_eq!(status(&sandbox, "500001").await["Transaction state"], "Declined");
    assert_eq!(
        status(&sandbox, "599999").await["Transaction Status message"],
        "ORDER: not found"
    );
    // The page cannot be used twice.
    assert_eq!(approve(&page, "4111111111111111").await.status(), 409);
}

#[tokio::test]
async fn card_token_register_then_pay_with_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let mut fields = auth_fields(&sandbox, "600001", "1.00", "1", &backref);
    fields.push(("TOKEN_ACTION".into(), "REGISTER".into()));
    let resp = post_form(format!("{}/token/cgi_link", sandbox.azericard_url()), &fields).await;
    let page = resp.url().to_string();
    approve(&page, "5167513336327283").await;
    let cb = next_callback(&seen, 1).await;
    verify_callback(&sandbox, &cb).await;
    assert_eq!(field(&cb, "CARD"), "516751******7283");
    let token = field(&cb, "TOKEN").to_owned();
    assert_eq!(token.len(), 28);

    let mut fields = auth_fields(&sandbox, "600002", "2.00", "1", &backref);
    fields.push(("TOKEN".into(), token.clone()));
    let page = post_form(format!("{}/token/cgi_link", sandbox.azericard_url()), &fields)
        .await
        .url()
        .to_string();
    approve(&page, "").await;
    let cb = next_callback(&seen, 2).await;
    assert_eq!(field(&cb, "TOKEN"), token);
    assert_eq!(field(&cb, "CARD"), "516751******7283");
    assert_eq!(field(&cb, "ACTION"), "0");

    let mut fields = auth_fields(&sandbox, "600003", "2.00", "1", &backref);
    fields.push(("TOKEN".into(), "X".repeat(28)));
    let resp = post_form(format!("{}/token/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
}

fn md5_sig(values: &[&str]) -> String {
    let mut input = values.concat();
    input.push_str("transfer-secret");
    crypto::hex_lower(&crypto::md5(&[input.as_bytes()]))
}

#[tokio::test]
async fn card_transfer_start_callback_confirm() {
    let sandbox = Sandbox::start().await.unwrap();
    let (url, seen) = receiver().await;
    sandbox.providers().azericard.set_transfer_callback_url(&url);
    let http = reqwest::Client::new();
    let start = |srn: &'static str, sig: String| {
        http.get(format!("{}/payment/view", sandbox.azericard_url()))
            .query(&[
                ("Merchant", "TESTSHOP"),
                ("SRN", srn),
                ("Amount", "10.50"),
                ("Cur", "944"),
                ("ReceiverCredentials", "Ali Aliyev"),
                ("RedirectLink", "https://s.az"),
                ("Signature", &sig),
            ])
            .send()
    };
    // Spec vector T1's signature.
    assert_eq!(
        md5_sig(&["TESTSHOP", "SRN000001", "10.50", "944", "Ali Aliyev", "https://s.az"]),
        "a9480e5145666acbc860b863bc7ddd8d"
    );
    let bad = start("SRN000002", "a9480e5145666acbc860b863bc7ddd8d".into())
        .await
        .unwrap();
    assert_eq!(bad.headers()["x-azericard-response-code"], "106");
    let resp = start("SRN000001", "a9480e5145666acbc860b863bc7ddd8d".into())
        .await
        .unwrap();
    let op = resp.headers()["x-sandbox-operation-id"].to_str().unwrap().to_owned();
    http.post(format!("{}/payment/view/{op}", sandbox.azericard_url()))
        .form(&[("action", "submit"), ("card", "4169738812345678")])
        .send()
        .await
        .unwrap();

    let cb = next_callback(&seen, 1).await;
    let values: Vec<&str> = [
        "OperationID",
        "SRN",
        "Amount",
        "Cur",
        "CardStatus",
        "ReceiverPAN",
        "Status",
        "Timestamp",
        "Response Code",
        "Message",
    ]
    .iter()
    .map(|n| field(&cb, n))
    .collect();
    assert_eq!(field(&cb, "Signature"), md5_sig(&values));
    assert_eq!(field(&cb, "OperationID"), op);
    assert_eq!(field(&cb, "CardStatus"), "foreign");
    assert_eq!(field(&cb, "ReceiverPAN"), "416973******5678");
    assert_eq!(field(&cb, "Status"), "pending");

    let ts = timestamp(&sandbox);
    let act = |path: &'static str, srn: &'static str, sig: String| {
        let body = serde_json::json!({"Merchant": "TESTSHOP", "SRN": srn, "Amount": "10.50", "Cur": "944", "Timestamp": ts, "Signature": sig});
        http.post(format!("{}/api/{path}", sandbox.azericard_url()))
            .json(&body)
            .send()
    };
    let sig = md5_sig(&["TESTSHOP", "SRN000001", "10.50", "944", &ts]);
    let wrong: Value = act("confirm", "SRN000001", "0".repeat(32))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(wrong["ResponseCode"], 106);
    let confirmed: Value = act("confirm", "SRN000001", sig.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed["ResponseCode"], 0);
    assert_eq!(confirmed["Status"], "confirmed");
    let s = |k: &str| confirmed[k].as_str().unwrap().to_owned();
    let expected = md5_sig(&[
        &s("OperationId"),
        &s("SRN"),
        &s("RRN"),
        &s("Amount"),
        &s("Cur"),
        &s("ReceiverPan"),
        &s("Status"),
        &s("Timestamp"),
        "0",
        &s("Message"),
    ]);
    assert_eq!(confirmed["Signature"], expected.as_str());
    let again: Value = act("confirm", "SRN000001", sig.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["ResponseCode"], 116);
    let late: Value = act("decline", "SRN000001", sig).await.unwrap().json().await.unwrap();
    assert_eq!(late["ResponseCode"], 116);
    let missing_sig = md5_sig(&["TESTSHOP", "SRN999999", "10.50", "944", &ts]);
    let missing: Value = act("decline", "SRN999999", missing_sig)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(missing["ResponseCode"], 112);
}

#[tokio::test]
async fn merchant_key_is_configurable_at_start() {
    let options = payments_sandbox::SandboxOptions {
        addr: None,
        azericard_merchant_public_key_pem: Some(payments_sandbox::azericard::GATEWAY_PUBLIC_KEY_PEM.to_owned()),
    };
    let sandbox = Sandbox::start_with(options).await.unwrap();
    // Signed with the project's test key, which is no longer the merchant's.
    let fields = auth_fields(&sandbox, "700001", "1.00", "1", "http://127.0.0.1:9/back");
    let resp = post_form(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), &fields).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "3");
    let bad = payments_sandbox::SandboxOptions {
        addr: None,
        azericard_merchant_public_key_pem: Some("not a key".into()),
    };
    assert!(Sandbox::start_with(bad).await.is_err());
}

#[tokio::test]
async fn hostile_bodies_get_azericard_codes_not_crashes() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let bodies: Vec<&[u8]> = vec![
        b"",
        b"TRTYPE=1",
        b"TRTYPE=21&P_SIGN=zz",
        b"TRTYPE=90&P_SIGN=00",
        b"TRTYPE=1&TRTYPE=21",
        b"TRTYPE=7",
        &[0xff, 0xfe, 0x00],
    ];
    for body in bodies {
        let resp = http
            .post(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let code = resp
            .headers()
            .get("x-azericard-response-code")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = resp.text().await.unwrap();
        assert!(
            ["2", "3"].contains(&text.as_str())
                || code.is_some_and(|c| c == "2" || c == "3")
                || text.contains("\"ACTION\":\"3\""),
            "{text}"
        );
    }
    let resp = http
        .post(format!("{}/api/confirm", sandbox.azericard_url()))
        .header("content-type", "application/json")
        .body("[1,2]")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["ResponseCode"], 106);
}
