//! ePay: the strictness table and the operations added in this wave (saved
//! cards, card verification, transfers, payouts, cryptopay, QR by API),
//! driven by a plain reqwest client (never the epay-kz crate).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use payments_sandbox::Sandbox;
use payments_sandbox::epay::{self, cards, codes};
use serde_json::{Value, json};

type Received = Arc<Mutex<Vec<(String, Value)>>>;

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
        .route("/widget", post(record))
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

    async fn token_raw(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url("/oauth2/token"))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn token(&self, form: &[(&str, &str)]) -> String {
        let (status, v) = self.token_raw(form).await;
        assert_eq!(status, 200, "{v}");
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// A per-invoice token of client `test` on `terminal` with `scope`.
    async fn invoice_token(
        &self,
        terminal: &str,
        scope: &str,
        invoice: &str,
        amount: &str,
        currency: &str,
        links: &str,
    ) -> String {
        let ok = format!("{links}/ok");
        let fail = format!("{links}/fail");
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("scope", scope),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("invoiceID", invoice),
            ("amount", amount),
            ("currency", currency),
            ("terminal", terminal),
            ("secret_hash", "s3cret-hash"),
        ];
        if !links.is_empty() {
            form.push(("postLink", &ok));
            form.push(("failurePostLink", &fail));
        }
        self.token(&form).await
    }

    async fn service(&self, terminal: &str) -> String {
        self.token(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", terminal),
        ])
        .await
    }

    async fn post_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get_json(&self, path: &str, token: &str) -> (u16, Value) {
        let resp = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

fn base_form<'a>(invoice: &'a str, amount: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("scope", "payment"),
        ("client_id", epay::TEST_CLIENT_ID),
        ("client_secret", epay::TEST_CLIENT_SECRET),
        ("invoiceID", invoice),
        ("amount", amount),
        ("currency", "KZT"),
        ("terminal", epay::TEST_TERMINAL),
        ("secret_hash", "s3cret-hash"),
    ]
}

#[tokio::test]
async fn tokens_refuse_what_epay_refuses() {
    let ctx = &Ctx::new().await;
    // 10.001 KZT: more than 2 decimals.
    let (status, v) = ctx.token_raw(&base_form("100000001", "10.001")).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("2 decimal"));
    // secret_hash is required for a payment-page token.
    let form: Vec<_> = base_form("100000002", "10")
        .into_iter()
        .filter(|(k, _)| *k != "secret_hash")
        .collect();
    let (status, v) = ctx.token_raw(&form).await;
    assert_eq!((status, v["message"].as_str().unwrap()), (400, "secret_hash: required"));
    // Amount 0 only as a USD card verification.
    let (status, _) = ctx.token_raw(&base_form("100000003", "0")).await;
    assert_eq!(status, 400);
    // A field sent twice is refused, not resolved.
    let mut form = base_form("100000004", "10");
    form.push(("amount", "1000"));
    let (status, v) = ctx.token_raw(&form).await;
    assert_eq!(status, 400);
    assert!(v["message"].as_str().unwrap().contains("more than once"));
    // Links must be http(s).
    let mut form = base_form("100000005", "10");
    form.push(("postLink", "javascript:alert(1)"));
    let (status, _) = ctx.token_raw(&form).await;
    assert_eq!(status, 400);
    let long = format!("https://shop.example/{}", "a".repeat(epay::MAX_LINK_LEN));
    let mut form = base_form("100000006", "10");
    form.push(("postLink", &long));
    let (status, _) = ctx.token_raw(&form).await;
    assert_eq!(status, 400);
    // A terminal of another client.
    let mut form = base_form("100000007", "10");
    form.retain(|(k, _)| *k != "terminal");
    form.push(("terminal", epay::QR_TERMINAL));
    let (status, v) = ctx.token_raw(&form).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(codes::WRONG_TERMINAL)));

    // A refresh keeps the scope: it cannot change it, nor the invoice.
    let (status, v) = ctx.token_raw(&base_form("100000008", "10")).await;
    assert_eq!(status, 200);
    let refresh = v["refresh_token"].as_str().unwrap().to_owned();
    let attempt = |extra: Vec<(&'static str, &'static str)>| {
        let refresh = refresh.clone();
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("client_id", epay::TEST_CLIENT_ID),
                ("client_secret", epay::TEST_CLIENT_SECRET),
                ("refresh_token", refresh.as_str()),
            ];
            form.extend(extra);
            ctx.token_raw(&form).await
        }
    };
    let (status, v) = attempt(vec![("scope", "transfer")]).await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = attempt(vec![("amount", "1000000")]).await;
    assert_eq!(status, 400, "{v}");
    let (status, v) = attempt(vec![]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["scope"], "payment");
    // A refresh token is used once.
    let (status, _) = attempt(vec![]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_token_links_win_over_the_widget_object() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let token = ctx
        .invoice_token(epay::TEST_TERMINAL, "payment", "200000001", "150", "KZT", &merchant)
        .await;
    let widget = |back: &str| {
        json!({
            "invoiceId": "200000001",
            "amount": 150,
            "currency": "KZT",
            "postLink": format!("{merchant}/widget"),
            "backLink": back,
            "auth": {"access_token": token}
        })
    };
    // A javascript: back link is refused.
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .header("accept", "application/json")
        .json(&widget("javascript:alert(document.cookie)"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("backLink"));
    // The widget names another postLink: the token's wins.
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .header("accept", "application/json")
        .json(&widget("https://shop.example/back"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["secret_hash"], "s3cret-hash");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        seen.lock().unwrap().iter().all(|(p, _)| p != "/widget"),
        "the widget's postLink must not receive the secret_hash"
    );
}

#[tokio::test]
async fn saved_cards_list_deactivate_and_card_verification() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    // Card verification: amount 0 in USD saves the card and moves no money.
    let token = ctx
        .invoice_token(epay::TEST_TERMINAL, "payment", "300000001", "0", "USD", &merchant)
        .await;
    let resp = ctx
        .http
        .post(ctx.url("/payform/approve"))
        .header("accept", "application/json")
        .json(&json!({"invoiceId": "300000001", "accountId": "user-42", "auth": {"access_token": token}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let out: Value = resp.json().await.unwrap();
    let card_id = out["cardId"].as_str().unwrap().to_owned();
    assert!(!card_id.is_empty());
    assert_eq!(out["statusName"], "CHARGE", "a verification is not two-step");
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["cardId"], card_id.as_str());
    assert_eq!(post["amount"], 0);
    assert_eq!(post["currency"], "USD");

    // The list, with a terminal-less client token.
    let client_token = ctx
        .token(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
        ])
        .await;
    let (status, v) = ctx.get_json("/api/cards/user-42", &client_token).await;
    assert_eq!(status, 200, "{v}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["ID"], card_id.as_str());
    assert_eq!(list[0]["AccountID"], "user-42");
    assert_eq!(list[0]["CardMask"], "440563******5096");
    assert_eq!(list[0]["PaymentAvailable"], false);
    assert_eq!(list[0]["CardHash"].as_str().unwrap().len(), 64);
    // A terminal-less token has no terminal for check-status: 104.
    let (_, v) = ctx
        .get_json("/api/check-status/payment/transaction/300000001", &client_token)
        .await;
    assert_eq!(v["resultCode"], "104");

    // Deactivate (twice: same answer), then the list is empty and paying with it fails.
    for _ in 0..2 {
        let resp = ctx
            .http
            .post(ctx.url(&format!("/api/card/deactivate/{card_id}")))
            .bearer_auth(&client_token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["status"], "card successfully deactivated");
    }
    let (status, v) = ctx.get_json("/api/cards/user-42", &client_token).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(codes::NO_CARDS)));
    let token = ctx
        .invoice_token(epay::TEST_TERMINAL, "payment", "300000002", "500", "KZT", &merchant)
        .await;
    let (status, v) = ctx
        .post_json(
            "/api/payments/cards/auth",
            &token,
            &json!({"amount": 500, "currency": "KZT", "invoiceId": "300000002", "paymentType": "cardId", "cardId": {"id": card_id}}),
        )
        .await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(codes::NOT_FOUND)));
}

fn p2p_body(order: &str, amount: u64, sender: &str) -> Value {
    json!({
        "order": {"id": order, "amount": amount, "currency": "KZT", "terminalId": epay::P2P_TERMINAL, "description": "gift", "foreign": false},
        "card": {
            "sender": {"cardCred": sender, "transferType": "TYPEPAN", "cvc": "321", "expire": {"month": 1, "year": 2027}, "save": false},
            "receiver": {"cardCred": cards::MASTERCARD_OK, "transferType": "TYPEPAN", "save": false}
        }
    })
}

#[tokio::test]
async fn transfers_need_a_token_per_transfer_and_keep_state() {
    let ctx = Ctx::new().await;
    let token = ctx
        .invoice_token(epay::P2P_TERMINAL, "transfer", "400000001", "1500", "KZT", "")
        .await;
    // The body must repeat the token's order exactly.
    for bad in [
        p2p_body("400000009", 1500, cards::VISA_OK),
        p2p_body("400000001", 1501, cards::VISA_OK),
    ] {
        let (status, _) = ctx.post_json("/api/p2p/transfer", &token, &bad).await;
        assert_eq!(status, 400);
    }
    let (status, v) = ctx
        .post_json(
            "/api/p2p/transfer",
            &token,
            &p2p_body("400000001", 1500, cards::VISA_OK),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["orderID"], "400000001");
    assert_eq!(v["amount"], 1500);
    assert_eq!(v["senderCardPAN"], "440563******5096");
    assert_eq!(v["receiverTransferType"], "TYPEPAN");
    assert_eq!(v["terminalID"], epay::P2P_TERMINAL);
    // The token is spent.
    let (status, _) = ctx
        .post_json(
            "/api/p2p/transfer",
            &token,
            &p2p_body("400000001", 1500, cards::VISA_OK),
        )
        .await;
    assert_eq!(status, 401);
    // A new token for the same order: already transferred.
    let again = ctx
        .invoice_token(epay::P2P_TERMINAL, "transfer", "400000001", "1500", "KZT", "")
        .await;
    let (status, v) = ctx
        .post_json(
            "/api/p2p/transfer",
            &again,
            &p2p_body("400000001", 1500, cards::VISA_OK),
        )
        .await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(codes::DUPLICATE)));
    // A payment-scope token on the P2P terminal cannot transfer.
    let payment = ctx
        .invoice_token(epay::P2P_TERMINAL, "payment", "400000002", "10", "KZT", "")
        .await;
    let (status, _) = ctx
        .post_json(
            "/api/p2p/transfer",
            &payment,
            &p2p_body("400000002", 10, cards::VISA_OK),
        )
        .await;
    assert_eq!(status, 401);
    // Decline by test card and by the magic amount; the state is kept.
    let t = ctx
        .invoice_token(epay::P2P_TERMINAL, "transfer", "400000003", "100", "KZT", "")
        .await;
    let (status, v) = ctx
        .post_json(
            "/api/p2p/transfer",
            &t,
            &p2p_body("400000003", 100, cards::DECLINE_INSUFFICIENT_FUNDS),
        )
        .await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(codes::DECLINED)));
    let t = ctx
        .invoice_token(epay::P2P_TERMINAL, "transfer", "400000004", "666", "KZT", "")
        .await;
    let (status, _) = ctx
        .post_json("/api/p2p/transfer", &t, &p2p_body("400000004", 666, cards::VISA_OK))
        .await;
    assert_eq!(status, 400);

    // Status by order, with a service token of the P2P terminal.
    let service = ctx.service(epay::P2P_TERMINAL).await;
    let (_, v) = ctx
        .get_json("/api/check-status/p2p/transaction/400000001", &service)
        .await;
    assert_eq!(v["result"]["code"], "100");
    assert_eq!(v["transaction"]["p2p"]["invoiceID"], "400000001");
    assert_eq!(v["transaction"]["p2p"]["statusName"], "CHARGE");
    let (_, v) = ctx
        .get_json("/api/check-status/p2p/transaction/400000003", &service)
        .await;
    assert_eq!(v["transaction"]["p2p"]["statusName"], "FAILED");
    let (_, v) = ctx
        .get_json("/api/check-status/p2p/transaction/499999999", &service)
        .await;
    assert_eq!(v["result"]["code"], "102");

    // The operations list: password grant, scope transfer, created_at between mandatory.
    let user = ctx
        .token(&[
            ("grant_type", "password"),
            ("username", epay::P2P_USERNAME),
            ("password", epay::P2P_PASSWORD),
            ("scope", "transfer"),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
        ])
        .await;
    let list = |params: Value| json!({"paging": {"page": 0, "size": 10}, "searchParameters": params, "orderParameters": {"field": "created_at", "typeOrder": "DESC"}});
    let (status, _) = ctx
        .post_json(
            "/api/p2p/operations",
            &user,
            &list(json!([{"name": "invoice_id", "method": "like", "searchParameter": ["4000%"]}])),
        )
        .await;
    assert_eq!(status, 400, "the period filter is mandatory");
    let (status, v) = ctx
        .post_json(
            "/api/p2p/operations",
            &user,
            &list(json!([
                {"name": "created_at", "method": "between", "searchParameter": ["2000-01-01", "2999-01-01"]},
                {"name": "status", "method": "=", "searchParameter": ["CHARGE"]}
            ])),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["TotalCount"], 1);
    assert_eq!(v["Records"][0]["invoiceID"], "400000001");
    assert_eq!(
        epay::State::transfer_status(&ctx.sandbox.providers().epay, "400000003").unwrap(),
        "FAILED"
    );
}

#[tokio::test]
async fn payouts_go_to_the_oct_terminal_without_a_sender() {
    let ctx = Ctx::new().await;
    // The withdrawal page's token: long scope, OCT terminal, no secret_hash needed.
    let token = ctx
        .token(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("invoiceID", "000000123456"),
            ("amount", "5000"),
            ("currency", "KZT"),
            ("terminal", epay::OCT_TERMINAL),
        ])
        .await;
    let mut body = json!({
        "order": {"id": "000000123456", "amount": 5000, "currency": "KZT", "description": "Payout",
                  "terminalId": epay::OCT_TERMINAL, "foreign": false, "postLink": "https://shop.example/epay/post"},
        "card": {"receiver": {"cardCred": cards::VISA_OK, "transferType": "TYPEPAN", "save": false}}
    });
    body["card"]["sender"] = json!({"cardCred": cards::MASTERCARD_OK, "transferType": "TYPEPAN"});
    let (status, v) = ctx.post_json("/api/chpayment/transfer", &token, &body).await;
    assert_eq!(status, 400, "a payout has no sender card: {v}");
    body["card"].as_object_mut().unwrap().remove("sender");
    let (status, v) = ctx.post_json("/api/chpayment/transfer", &token, &body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["receiverCardPAN"], "440563******5096");
    assert_eq!(v["senderCardPAN"], "");
    // A payout token on the P2P endpoint is refused.
    let token = ctx
        .invoice_token(epay::OCT_TERMINAL, "transfer", "000000123457", "10", "KZT", "")
        .await;
    let (status, _) = ctx
        .post_json(
            "/api/p2p/transfer",
            &token,
            &p2p_body("000000123457", 10, cards::VISA_OK),
        )
        .await;
    assert_eq!(status, 401);
}

fn cryptogram(pem: &str, pan: &str, terminal: &str) -> String {
    use aws_lc_rs::rsa::{Pkcs1PublicEncryptingKey, PublicEncryptingKey};
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = payments_core::crypto::base64_decode(b64.as_bytes()).unwrap();
    let key = Pkcs1PublicEncryptingKey::new(PublicEncryptingKey::from_der(&der).unwrap()).unwrap();
    let plain = json!({"hpan": pan, "expDate": "0127", "cvc": "321", "terminalId": terminal}).to_string();
    let mut out = vec![0u8; key.ciphertext_size()];
    let cipher = key.encrypt(plain.as_bytes(), &mut out).unwrap();
    payments_core::crypto::base64_encode(cipher)
}

#[tokio::test]
async fn cryptopay_decrypts_the_cryptogram_and_pays() {
    let ctx = Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let pem = ctx
        .http
        .get(ctx.url("/api/public.rsa"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let body = |invoice: &str, amount: u64, pan: &str| {
        json!({
            "amount": amount, "currency": "KZT", "name": "IVAN IVANOV", "invoiceId": invoice,
            "description": "order", "cardSave": true, "accountId": "acc-1",
            "cryptogram": cryptogram(&pem, pan, epay::TEST_TERMINAL)
        })
    };
    let token = ctx
        .invoice_token(epay::TEST_TERMINAL, "payment", "500000001", "700", "KZT", &merchant)
        .await;
    // Not decryptable with the sandbox key.
    let mut bad = body("500000001", 700, cards::VISA_OK);
    bad["cryptogram"] = "AAAA".into();
    let (status, _) = ctx.post_json("/api/payment/cryptopay", &token, &bad).await;
    assert_eq!(status, 400);
    let (status, v) = ctx
        .post_json(
            "/api/payment/cryptopay",
            &token,
            &body("500000001", 700, cards::VISA_OK),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["invoiceID"], "500000001");
    assert!(v["secure3D"].is_null());
    assert!(
        !v["cardID"].as_str().unwrap().is_empty(),
        "cardSave: true saved the card"
    );
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["invoiceId"], "500000001");
    // The same path without /api (the SDK's) works too; a declining card is refused.
    let token = ctx
        .invoice_token(epay::TEST_TERMINAL, "payment", "500000002", "700", "KZT", &merchant)
        .await;
    let resp = ctx
        .http
        .post(format!("{}/payment/cryptopay", ctx.sandbox.epay_url()))
        .bearer_auth(&token)
        .json(&body("500000002", 700, cards::DECLINE_DO_NOT_HONOR))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let failure = wait_received(&seen, "/fail").await;
    assert_eq!(failure["reasonCode"], "05");
}

#[tokio::test]
async fn qr_by_api_generates_scans_pays_and_expires() {
    let ctx = &Ctx::new().await;
    let (merchant, seen) = receiver().await;
    let qr_token = |invoice: &'static str| {
        let ok = format!("{merchant}/ok");
        async move {
            ctx.token(&[
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", epay::QR_CLIENT_ID),
                ("client_secret", epay::QR_CLIENT_SECRET),
                ("invoiceID", invoice),
                ("amount", "100"),
                ("currency", "KZT"),
                ("terminal", epay::QR_TERMINAL),
                ("postLink", ok.as_str()),
            ])
            .await
        }
    };
    let token = qr_token("600000001").await;
    let (status, v) = ctx
        .post_json(
            "/api/payment/qr/generate",
            &token,
            &json!({"description": "coffee", "language": "rus"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let bill = v["billNumber"].as_str().unwrap().to_owned();
    assert!(v["qrcode"].is_string() && v["homebankLink"].is_string() && v["onlinebankLink"].is_string());
    let (status, _) = ctx.post_json("/api/payment/qr/generate", &token, &json!({})).await;
    assert_eq!(status, 400, "one QR per token");
    let (_, v) = ctx.get_json(&format!("/api/qr?billNumber={bill}"), &token).await;
    assert_eq!(v["status"], "NEW");
    for action in ["scan", "pay"] {
        let resp = ctx
            .http
            .post(ctx.url(&format!("/sandbox/qr/{bill}/{action}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let (_, v) = ctx.get_json("/api/qr", &token).await;
    assert_eq!(v["status"], "PAID");
    assert_eq!(v["amount"], 100);
    let post = wait_received(&seen, "/ok").await;
    assert_eq!(post["invoiceId"], "600000001");

    // Not paid within 20 minutes: REJECTED, and it cannot be paid any more.
    let token = qr_token("600000002").await;
    let (_, v) = ctx.post_json("/api/payment/qr/generate", &token, &json!({})).await;
    let bill = v["billNumber"].as_str().unwrap().to_owned();
    ctx.sandbox.clock().advance(Duration::from_secs(20 * 60));
    let token = qr_token("600000003").await;
    let (status, _) = ctx.get_json(&format!("/api/qr?billNumber={bill}"), &token).await;
    assert_eq!(status, 400, "another invoice's token cannot read the bill");
    let resp = ctx
        .http
        .post(ctx.url(&format!("/sandbox/qr/{bill}/pay")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(ctx.sandbox.providers().epay.payment_status("600000002"), None);
}
