#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The console's AzeriCard start route (`/_sandbox/azericard/start`) over
//! HTTP, and what the hosted pages show (amounts with the currency's digits,
//! the scenario list, decline reasons), without a browser.

use std::time::Duration;

use payments_sandbox::azericard::OrderState;
use payments_sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn start(sandbox: &Sandbox, body: Value) -> (u16, Value) {
    let resp = client()
        .post(format!("{}/_sandbox/azericard/start", sandbox.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn field<'a>(answer: &'a Value, name: &str) -> &'a str {
    answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
        .unwrap_or_else(|| panic!("{name} missing: {answer}"))
}

/// Posts the signed form as a browser would; returns the hosted page's path.
async fn post_form(answer: &Value) -> String {
    let pairs: Vec<(String, String)> = answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
        .collect();
    let resp = client()
        .post(answer["action"].as_str().unwrap())
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    resp.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_signed_form_starts_a_payment_whose_callback_reaches_the_sink() {
    let sandbox = Sandbox::start().await.unwrap();
    let (status, answer) = start(&sandbox, json!({"amount": "12.5"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["method"], "POST");
    assert_eq!(
        answer["action"],
        format!("{}/azericard/cgi-bin/cgi_link", sandbox.base_url())
    );
    let names: Vec<&str> = answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "AMOUNT",
            "CURRENCY",
            "ORDER",
            "DESC",
            "MERCH_NAME",
            "MERCH_URL",
            "TERMINAL",
            "TRTYPE",
            "COUNTRY",
            "MERCH_GMT",
            "TIMESTAMP",
            "NONCE",
            "BACKREF",
            "LANG",
            "P_SIGN"
        ]
    );
    assert_eq!(field(&answer, "AMOUNT"), "12.50");
    assert_eq!(field(&answer, "TERMINAL"), sandbox.providers().azericard.terminal());
    assert_eq!(field(&answer, "TRTYPE"), "1");
    assert_eq!(
        field(&answer, "BACKREF"),
        format!("{}/_sandbox/sink", sandbox.base_url())
    );
    assert_eq!(field(&answer, "P_SIGN").len(), 512);
    let order = field(&answer, "ORDER").to_owned();
    assert_eq!(answer["order"], order.as_str());
    // Nothing exists until the browser posts the form.
    assert!(sandbox.providers().azericard.order(&order).is_none());

    let page = post_form(&answer).await;
    assert!(page.starts_with("/azericard/pay/"), "{page}");
    assert_eq!(
        sandbox.providers().azericard.order(&order).unwrap().state,
        OrderState::Pending
    );
    let html = client()
        .get(format!("{}{page}", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<td id=\"amount\">12.50 AZN</td>"), "{html}");
    assert!(html.contains("Test scenarios") && html.contains("4000000000003063") && html.contains("RC 00"));

    let resp = client()
        .post(format!("{}{page}", sandbox.base_url()))
        .form(&[("action", "approve"), ("card", "4111111111111111")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-sandbox-outcome"], "approved");
    assert!(resp.text().await.unwrap().contains("Approved (ACTION 0, RC 00)"));
    let delivery = sandbox
        .deliveries()
        .wait_for(Duration::from_secs(5), |r| r.provider == "azericard" && r.delivered)
        .await
        .expect("callback delivered to the sink");
    assert!(delivery.url.ends_with("/_sandbox/sink"));
    let body = String::from_utf8(delivery.body.clone()).unwrap();
    assert!(
        body.contains(&format!("ORDER={order}")) && body.contains("AMOUNT=12.50"),
        "{body}"
    );

    // The same form cannot be posted twice (its NONCE is spent).
    let pairs: Vec<(String, String)> = answer["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
        .collect();
    let again = client()
        .post(answer["action"].as_str().unwrap())
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_ne!(again.status(), 303);
}

#[tokio::test]
async fn a_magic_amount_is_declined_and_the_page_says_why() {
    let sandbox = Sandbox::start().await.unwrap();
    let (_, answer) = start(&sandbox, json!({"amount": "3.51", "trtype": 0, "description": "hold"})).await;
    assert_eq!(field(&answer, "TRTYPE"), "0");
    assert_eq!(field(&answer, "DESC"), "hold");
    let page = post_form(&answer).await;
    let resp = client()
        .post(format!("{}{page}", sandbox.base_url()))
        .form(&[("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-sandbox-outcome"], "declined");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Declined: insufficient funds (ACTION 2, RC 51)"),
        "{html}"
    );
    assert!(html.contains("3.51 AZN"));
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_reason() {
    let sandbox = Sandbox::start().await.unwrap();
    for (body, needle) in [
        (json!({"amount": "0"}), "amount"),
        (json!({"amount": "1.234"}), "amount"),
        (json!({"amount": "-1"}), "amount"),
        (json!({"trtype": 3}), "trtype"),
        (json!({"currency": "USD"}), "unknown field"),
    ] {
        let (status, answer) = start(&sandbox, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains(needle), "{body}: {answer}");
    }
    // An empty POST starts the default: 10.00 AZN.
    let resp = client()
        .post(format!("{}/_sandbox/azericard/start", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(field(&answer, "AMOUNT"), "10.00");
}

#[tokio::test]
async fn the_page_variant_posts_itself() {
    let sandbox = Sandbox::start().await.unwrap();
    let resp = client()
        .get(format!("{}/_sandbox/azericard/start?amount=5", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{}/azericard/cgi-bin/cgi_link\"", sandbox.base_url())));
    assert!(html.contains("name=\"AMOUNT\" value=\"5.00\"") && html.contains("name=\"P_SIGN\""));
    assert!(html.contains(".submit()"));
}

#[tokio::test]
async fn a_sandbox_with_another_merchant_key_refuses_to_sign() {
    let options = SandboxOptions {
        // Any other RSA public key: the gateway's.
        azericard_merchant_public_key_pem: Some(payments_sandbox::azericard::GATEWAY_PUBLIC_KEY_PEM.to_owned()),
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start_with(options).await.unwrap();
    let (status, answer) = start(&sandbox, json!({})).await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("--azericard-merchant-public-key")
    );
}

/// A wallet QR made by CreateQRPayment; returns its code.
async fn wallet_qr(sandbox: &Sandbox, amount: &str) -> String {
    use payments_sandbox::qr;
    let http = client();
    let token: Value = http
        .post(format!("{}/identity/connect/token", sandbox.qr_url()))
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
    let body = format!(
        r#"{{"ext_order_id":"page-{amount}","account_number":"{}","receiver_wallet_number":"{}","currency_code":"TRY","amount":{amount}}}"#,
        qr::SECOND_WALLET_ACCOUNT,
        qr::SECOND_WALLET
    );
    let created: Value = http
        .post(format!("{}/api/v1/Transaction/CreateQRPayment", sandbox.qr_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["status"], 0, "{created}");
    created["payload"]["qr_code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_qr_wallet_page_pays_a_code_or_refuses_from_the_empty_wallet() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = wallet_qr(&sandbox, "12.5").await;
    let page = format!("{}/sandbox/pay/{code}", sandbox.qr_url());
    let html = client().get(&page).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<td id=\"amount\">12.50 TRY</td>"), "{html}");
    assert!(html.contains("<td id=\"status\">WAITING</td>"));
    assert!(html.contains("Test scenarios") && html.contains(payments_sandbox::qr::POOR_WALLET));
    // The console lists the page while the code waits.
    let recent: Value = client()
        .get(format!("{}/_sandbox/payments", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recent["qr"][0]["page"], page.as_str());

    let decline = client()
        .post(&page)
        .form(&[("action", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(decline.headers()["x-sandbox-outcome"], "declined");
    let html = decline.text().await.unwrap();
    assert!(html.contains("Refused: ") && html.contains("311"), "{html}");
    assert!(html.contains("<td id=\"status\">WAITING</td>"));

    let approve = client()
        .post(&page)
        .form(&[("action", "approve"), ("wallet", payments_sandbox::qr::TEST_WALLET)])
        .send()
        .await
        .unwrap();
    assert_eq!(approve.headers()["x-sandbox-outcome"], "approved");
    let html = approve.text().await.unwrap();
    assert!(
        html.contains(&format!("Paid from wallet {}", payments_sandbox::qr::TEST_WALLET)),
        "{html}"
    );
    assert!(html.contains("<td id=\"status\">PAID</td>"));
    // Paid once only.
    let again = client()
        .post(&page)
        .form(&[("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["x-sandbox-outcome"], "declined");
    assert_eq!(
        client()
            .get(format!("{}/sandbox/pay/nothing", sandbox.qr_url()))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
