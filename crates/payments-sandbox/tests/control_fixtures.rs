#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Merchants and fixtures over HTTP: each create, rotate and option route of
//! `/_sandbox/`, and that the provider emulators then behave by it (a new
//! key signs, an old one is refused with a hint; a saved card pays).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use payments_core::crypto;
use payments_sandbox::{Sandbox, azericard, epay, qr};
use serde_json::{Value, json};

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

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }

    /// An EPoint payment request signed with `private`: (status text, hint header).
    async fn epoint_request(&self, public_key: &str, private: &str) -> (String, Option<String>) {
        let payload = json!({
            "public_key": public_key, "amount": "3.00", "currency": "AZN", "language": "az",
            "order_id": format!("o-{}", &crypto::hex_lower(&crypto::sha1(&[private.as_bytes()]))[..12]), "description": "fixture",
        });
        let data = crypto::base64_encode(payload.to_string().as_bytes());
        let signature = crypto::base64_encode(&crypto::sha1(&[
            private.as_bytes(),
            data.as_bytes(),
            private.as_bytes(),
        ]));
        let resp = self
            .http
            .post(format!("{}/api/1/request", self.sandbox.epoint_url()))
            .form(&[("data", data), ("signature", signature)])
            .send()
            .await
            .unwrap();
        let hint = resp
            .headers()
            .get("x-sandbox-hint")
            .map(|v| v.to_str().unwrap().to_owned());
        let v: Value = resp.json().await.unwrap();
        (v["status"].as_str().unwrap().to_owned(), hint)
    }

    /// An ePay token request: (HTTP status, hint header).
    async fn epay_token(&self, client_id: &str, secret: &str, terminal: &str) -> (u16, Option<String>) {
        let resp = self
            .http
            .post(format!("{}/oauth2/token", self.sandbox.epay_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", epay::DEFAULT_SCOPE),
                ("client_id", client_id),
                ("client_secret", secret),
                ("terminal", terminal),
            ])
            .send()
            .await
            .unwrap();
        let hint = resp
            .headers()
            .get("x-sandbox-hint")
            .map(|v| v.to_str().unwrap().to_owned());
        (resp.status().as_u16(), hint)
    }

    async fn qr_token(&self, client_id: &str, secret: &str) -> (u16, Option<String>) {
        let resp = self
            .http
            .post(format!("{}/identity/connect/token", self.sandbox.qr_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "sts_api"),
                ("client_id", client_id),
                ("client_secret", secret),
            ])
            .send()
            .await
            .unwrap();
        let hint = resp
            .headers()
            .get("x-sandbox-hint")
            .map(|v| v.to_str().unwrap().to_owned());
        (resp.status().as_u16(), hint)
    }
}

#[tokio::test]
async fn epoint_merchant_created_rotated_featured_and_given_a_card() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .post(
            "/_sandbox/epoint/merchants",
            json!({"public_key": "i000000042", "features": ["wallets"], "callback_url": "http://127.0.0.1:9/cb"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let key = v["private_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("sk-") && key.len() == 35, "{key}");
    assert_eq!(v["features"], json!(["wallets"]));
    assert_eq!(v["callback_url"], "http://127.0.0.1:9/cb");
    assert_eq!(ctx.epoint_request("i000000042", &key).await.0, "success");

    // Rotate: the old key is refused with a hint that says what is signed, the new one works.
    let (status, v) = ctx
        .post(
            "/_sandbox/epoint/merchants/i000000042/rotate-key",
            json!({"private_key": "rotated-key"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["private_key"], "rotated-key");
    let (outcome, hint) = ctx.epoint_request("i000000042", &key).await;
    assert_eq!(outcome, "server_error");
    let hint = hint.unwrap();
    assert!(
        hint.contains("sha1(private_key + data + private_key)") && hint.contains("/_sandbox/epoint/diagnose"),
        "{hint}"
    );
    assert!(!hint.contains(&key) && !hint.contains("rotated-key"));
    assert_eq!(ctx.epoint_request("i000000042", "rotated-key").await.0, "success");
    // Upsert: the key is kept when not given.
    let (status, v) = ctx
        .post("/_sandbox/epoint/merchants", json!({"public_key": "i000000042"}))
        .await;
    assert_eq!((status, v["private_key"].as_str()), (200, Some("rotated-key")));

    let (status, v) = ctx
        .put(
            "/_sandbox/epoint/merchants/i000000042/features",
            json!({"amex": true, "wallets": false}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["features"], json!(["amex"]));
    assert!(v.get("private_key").is_none());
    assert_eq!(
        ctx.put(
            "/_sandbox/epoint/merchants/i000000042/features",
            json!({"crypto": true})
        )
        .await
        .0,
        400
    );
    assert_eq!(
        ctx.post("/_sandbox/epoint/merchants/nobody/rotate-key", json!({}))
            .await
            .0,
        404
    );

    let (status, v) = ctx
        .post(
            "/_sandbox/epoint/cards",
            json!({"merchant": "i000000042", "card": "5167513336327283", "payout": true}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let card = ctx
        .sandbox
        .providers()
        .epoint
        .card(v["card_id"].as_str().unwrap())
        .unwrap();
    assert!(card.active() && card.payout && card.merchant == "i000000042");
    assert_eq!(card.mask.as_deref(), Some("516751******7283"));
    assert_eq!(
        ctx.post("/_sandbox/epoint/cards", json!({"merchant": "nobody"}))
            .await
            .0,
        404
    );
    assert_eq!(ctx.post("/_sandbox/epoint/merchants", json!({})).await.0, 400);
}

fn pem(der: &[u8], label: &str) -> String {
    let b64 = crypto::base64_encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

#[tokio::test]
async fn azericard_terminal_merchant_key_and_stored_card() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/terminals",
            json!({"terminal": "17209999", "follow_up_order": "order_first", "gateway_key": "rsa1024"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["follow_up_fields"][0], "ORDER");
    assert!(
        v["gateway_public_key"]
            .as_str()
            .unwrap()
            .ends_with("/azericard/gateway-public-key-1024.pem")
    );
    let config = ctx.sandbox.providers().azericard.terminal_config("17209999").unwrap();
    assert_eq!(config.follow_up_order, azericard::FollowUpOrder::OrderFirst);
    assert_eq!(config.gateway_key, azericard::GatewayKeySize::Rsa1024);
    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/terminals",
            json!({"terminal": "17209999", "gateway_key": "rsa2048"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["follow_up_order"], "order_first", "kept");
    assert_eq!(
        ctx.post("/_sandbox/azericard/terminals", json!({"terminal": "1720"}))
            .await
            .0,
        400
    );

    // A merchant uploads its own public key: its signatures verify, the old key's do not.
    let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let spki = pair.public_key().as_der().unwrap();
    let public_pem = pem(spki.as_ref(), "PUBLIC KEY");
    let (status, v) = ctx
        .put(
            "/_sandbox/azericard/merchant-key",
            json!({"public_key_pem": public_pem}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["merchant_public_key_bits"], 2048);
    let source = "510.503AZN81720123411142025010112000032f2b2dd7e603a7ada1234567890abcdef20https://shop.example";
    let mut sig = vec![0; pair.public_modulus_len()];
    pair.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        source.as_bytes(),
        &mut sig,
    )
    .unwrap();
    let fields = json!({
        "AMOUNT": "10.50", "CURRENCY": "AZN", "TERMINAL": "17201234", "TRTYPE": "1",
        "TIMESTAMP": "20250101120000", "NONCE": "f2b2dd7e603a7ada1234567890abcdef", "MERCH_URL": "https://shop.example",
    });
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": fields, "p_sign": crypto::hex_lower(&sig)}),
        )
        .await;
    assert_eq!(v["matches"], true, "{v}");
    assert!(
        v["key"]
            .as_str()
            .unwrap()
            .contains("sandbox's merchant public key (2048 bits)")
    );
    let (status, _) = ctx
        .put(
            "/_sandbox/azericard/merchant-key",
            json!({"public_key_pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}),
        )
        .await;
    assert_eq!(status, 400, "a private key is refused");
    assert_eq!(
        ctx.put("/_sandbox/azericard/merchant-key", json!({"public_key_pem": "junk"}))
            .await
            .0,
        400
    );
    let (status, _) = ctx
        .put("/_sandbox/azericard/merchant-key", json!({"default": true}))
        .await;
    assert_eq!(status, 200);
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": fields, "p_sign": crypto::hex_lower(&sig)}),
        )
        .await;
    assert_eq!(v["matches"], false, "the default key is back");

    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/stored-cards",
            json!({"agreement": "recurring", "frequency_days": 30, "expiry": "20271231", "card": "4127211288596748"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let token = v["token"].as_str().unwrap();
    assert_eq!(token.len(), 28);
    let card = ctx.sandbox.providers().azericard.stored_card(token).unwrap();
    assert_eq!(card.mask, "412721******6748");
    assert_eq!(card.ext_net_ref.as_deref(), v["ext_net_ref"].as_str());
    let agreement = card.agreement.unwrap();
    assert!(agreement.scheduled && agreement.frequency_days == Some(30));
    assert_eq!(agreement.merch_rn_id, v["merch_rn_id"].as_str().unwrap());
    assert_eq!(
        ctx.post("/_sandbox/azericard/stored-cards", json!({"terminal": "99999999"}))
            .await
            .0,
        404
    );
    assert_eq!(
        ctx.post("/_sandbox/azericard/stored-cards", json!({"agreement": "monthly"}))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn epay_client_rotation_terminal_mode_and_saved_card() {
    let ctx = Ctx::new().await;
    let terminal = "11111111-2222-4333-a444-555555555555";
    let (status, v) = ctx
        .post(
            "/_sandbox/epay/clients",
            json!({"client_id": "shop-7", "terminals": [terminal], "two_step": true}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let secret = v["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(v["two_step"], json!([true]));
    assert_eq!(ctx.epay_token("shop-7", &secret, terminal).await.0, 200);
    // The terminal is this client's only.
    assert_eq!(
        ctx.epay_token(epay::TEST_CLIENT_ID, epay::TEST_CLIENT_SECRET, terminal)
            .await
            .0,
        400
    );

    let (status, v) = ctx
        .post(
            "/_sandbox/epay/clients/shop-7/rotate-secret",
            json!({"client_secret": "new-secret-7"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let (status, hint) = ctx.epay_token("shop-7", &secret, terminal).await;
    assert_eq!(status, 401);
    let hint = hint.unwrap();
    assert!(
        hint.contains("client_secret") && hint.contains("/_sandbox/epay/diagnose"),
        "{hint}"
    );
    assert!(!hint.contains(&secret) && !hint.contains("new-secret-7"));
    assert_eq!(ctx.epay_token("shop-7", "new-secret-7", terminal).await.0, 200);
    assert_eq!(
        ctx.post("/_sandbox/epay/clients/nobody/rotate-secret", json!({}))
            .await
            .0,
        404
    );

    let (status, v) = ctx
        .put(
            &format!("/_sandbox/epay/terminals/{terminal}"),
            json!({"two_step": false}),
        )
        .await;
    assert_eq!((status, &v["client_id"]), (200, &json!("shop-7")), "{v}");
    assert!(!ctx.sandbox.providers().epay.is_two_step(terminal));
    assert_eq!(
        ctx.put("/_sandbox/epay/terminals/nope", json!({"two_step": true}))
            .await
            .0,
        404
    );

    // A saved card shows in the account's card list.
    let (status, v) = ctx
        .post(
            "/_sandbox/epay/cards",
            json!({"terminal": terminal, "account_id": "acct-1", "card": "5522042705066736"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let card_id = v["card_id"].as_str().unwrap().to_owned();
    let token: Value = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", "shop-7"),
            ("client_secret", "new-secret-7"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list: Value = ctx
        .http
        .get(format!("{}/api/cards/acct-1", ctx.sandbox.epay_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list.to_string().contains(&card_id), "{list}");
    let merchants: Value = ctx
        .http
        .get(ctx.url("/_sandbox/merchants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        merchants["epay"]["merchant"]["clients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == "shop-7")
    );
}

#[tokio::test]
async fn qr_wallet_and_credentials() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .post(
            "/_sandbox/qr/wallets",
            json!({"wallet": "5000000099", "balance": "12.34", "business": true}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        ctx.sandbox.providers().qr.balance("5000000099").unwrap().to_string(),
        "12.34"
    );
    assert_eq!(
        ctx.sandbox.providers().qr.account_of("5000000099").unwrap(),
        "SBX5000000099"
    );
    let (status, _) = ctx
        .post("/_sandbox/qr/wallets", json!({"wallet": "5000000099", "balance": "1"}))
        .await;
    assert_eq!(status, 200, "replaced");
    assert_eq!(ctx.post("/_sandbox/qr/wallets", json!({"wallet": "x1"})).await.0, 400);
    assert_eq!(
        ctx.post("/_sandbox/qr/wallets", json!({"wallet": "1", "balance": "-1"}))
            .await
            .0,
        400
    );

    assert_eq!(ctx.qr_token(qr::CLIENT_ID, qr::CLIENT_SECRET).await.0, 200);
    let (status, v) = ctx
        .post("/_sandbox/qr/credentials", json!({"client_secret": "qr-new"}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["client_id"], qr::CLIENT_ID);
    let (status, hint) = ctx.qr_token(qr::CLIENT_ID, qr::CLIENT_SECRET).await;
    assert_eq!(status, 400);
    let hint = hint.unwrap();
    assert!(
        hint.starts_with("invalid_client") && hint.contains("/_sandbox/qr/diagnose"),
        "{hint}"
    );
    assert_eq!(ctx.qr_token(qr::CLIENT_ID, "qr-new").await.0, 200);
}

#[tokio::test]
async fn fixtures_document_applies_in_order_and_names_a_bad_entry() {
    let ctx = Ctx::new().await;
    let doc = json!({
        "epoint": {"merchants": [{"public_key": "i000000077", "private_key": "k77", "features": ["installments"]}],
                   "cards": [{"merchant": "i000000077"}]},
        "azericard": {"terminals": [{"terminal": "17207777", "follow_up_order": "order_first"}],
                      "stored_cards": [{"terminal": "17207777", "agreement": "unscheduled"}],
                      "transfer_callback_url": "http://127.0.0.1:9/mt"},
        "epay": {"clients": [{"client_id": "cfg-client", "client_secret": "cfg-secret", "terminals": ["cfg-terminal"]}],
                 "cards": [{"terminal": "cfg-terminal", "account_id": "a1"}]},
        "qr": {"wallets": [{"wallet": "5000000077"}], "webhook_url": "http://127.0.0.1:9/wh"},
    });
    let (status, v) = ctx.post("/_sandbox/fixtures", doc).await;
    assert_eq!(status, 200, "{v}");
    let applied = &v["applied"];
    assert_eq!(applied["epoint.merchants"][0]["private_key"], "k77");
    assert!(
        applied["epoint.cards"][0]["card_id"]
            .as_str()
            .unwrap()
            .starts_with("ce")
    );
    assert_eq!(applied["azericard.stored_cards"][0]["agreement"], "unscheduled");
    assert_eq!(applied["epay.clients"][0]["terminals"], json!(["cfg-terminal"]));
    assert_eq!(ctx.epoint_request("i000000077", "k77").await.0, "success");
    assert_eq!(ctx.epay_token("cfg-client", "cfg-secret", "cfg-terminal").await.0, 200);
    assert!(ctx.sandbox.providers().qr.balance("5000000077").is_some());

    let (status, v) = ctx
        .post(
            "/_sandbox/fixtures",
            json!({"epoint": {"merchants": [{"public_key": "i1"}, {"public_key": "i2", "features": ["bitcoin"]}]}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("epoint.merchants[1]: features"),
        "{v}"
    );
    let (status, v) = ctx.post("/_sandbox/fixtures", json!({"paypal": {}})).await;
    assert_eq!(status, 400, "{v}");
}

fn merchant_p_sign(source: &str) -> String {
    let pem = include_str!("data/azericard-merchant-test-key.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = KeyPair::from_der(&crypto::base64_decode(body.trim().as_bytes()).unwrap()).unwrap();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
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
async fn azericard_gateway_key_rotation_signs_callbacks_with_the_new_key() {
    use payments_core::clock::Clock;
    let ctx = Ctx::new().await;
    let (status, v) = ctx.post("/_sandbox/azericard/gateway-key/rotate", json!({})).await;
    assert_eq!(status, 200, "{v}");
    let new_pem = v["gateway_public_key_pem"].as_str().unwrap().to_owned();
    assert_ne!(new_pem, azericard::GATEWAY_PUBLIC_KEY_PEM);
    let served = ctx
        .http
        .get(format!("{}/gateway-public-key.pem", ctx.sandbox.azericard_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, new_pem);

    // An order approved now calls back signed with the new key.
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
    let nonce = "fedcba9876543210fedcba9876543210";
    let sign = merchant_p_sign(&mac(&[
        "3.00",
        "AZN",
        "17201234",
        "1",
        &ts,
        nonce,
        "https://shop.example",
    ]));
    let sink = ctx.url("/_sandbox/sink");
    let fields = [
        ("AMOUNT", "3.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "660011"),
        ("DESC", "rotation"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", "17201234"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", &ts),
        ("NONCE", nonce),
        ("BACKREF", &sink),
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
    let (status, _) = ctx.post("/_sandbox/azericard/payments/660011/approve", json!({})).await;
    assert_eq!(status, 200);
    let body = loop {
        let v: Value = ctx
            .http
            .get(ctx.url("/_sandbox/deliveries?provider=azericard"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(d) = v["deliveries"].as_array().unwrap().first() {
            break d["body"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let f: std::collections::HashMap<String, String> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let get = |k: &str| f.get(k).map_or("", String::as_str);
    let source = mac(&[
        get("AMOUNT"),
        get("TERMINAL"),
        get("APPROVAL"),
        get("RRN"),
        get("INT_REF"),
    ]);
    let sig = crypto::hex_decode(get("P_SIGN").as_bytes()).unwrap();
    let der_of = |pem: &str| {
        let b: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        crypto::base64_decode(b.as_bytes()).unwrap()
    };
    let verify = |pem: &str| {
        aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, der_of(pem))
            .verify(source.as_bytes(), &sig)
            .is_ok()
    };
    assert!(verify(&new_pem), "{body}");
    assert!(!verify(azericard::GATEWAY_PUBLIC_KEY_PEM));

    let (status, v) = ctx
        .post("/_sandbox/azericard/gateway-key/rotate", json!({"default": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["gateway_public_key_pem"], azericard::GATEWAY_PUBLIC_KEY_PEM);
    assert_eq!(
        ctx.sandbox.providers().azericard.gateway_public_key_pem(),
        azericard::GATEWAY_PUBLIC_KEY_PEM
    );
}

#[tokio::test]
async fn provider_options_over_http() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .put("/_sandbox/qr/options", json!({"spaced_correlation_key": true}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["set"]["spaced_correlation_key"], true);
    // Begin now writes the seed's spaced key.
    let token: Value = ctx
        .http
        .post(format!("{}/identity/connect/token", ctx.sandbox.qr_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "sts_api"),
            ("client_id", qr::CLIENT_ID),
            ("client_secret", qr::CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let minted =
        ctx.sandbox
            .providers()
            .qr
            .create_partner_qr("000000001", "0007777777", rust_decimal::Decimal::new(100, 2));
    let v: Value = ctx
        .http
        .post(format!(
            "{}/api/v1/Transaction/Begin3rdPartyQRCodePayment",
            ctx.sandbox.qr_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"wallet_number":"{}","provider_id":"112233","qr_code":"{}","qr_code_type":1}}"#,
            qr::TEST_WALLET,
            minted.qr_code
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["payload"][" tx_correlation_id "].is_string(), "{v}");

    let (status, v) = ctx
        .put("/_sandbox/epoint/options", json!({"timeout_delay_ms": 50}))
        .await;
    assert_eq!((status, &v["set"]["timeout_delay_ms"]), (200, &json!(50)), "{v}");
    assert_eq!(
        ctx.put("/_sandbox/azericard/options", json!({"timeout_delay_ms": 700_000}))
            .await
            .0,
        400
    );
    let (status, v) = ctx.put("/_sandbox/epay/options", json!({"timeout_delay_ms": 5})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("not an option of epay"));
    assert_eq!(
        ctx.put("/_sandbox/epay/options", json!({"plain_invoice_urls": true}))
            .await
            .0,
        200
    );
    assert_eq!(ctx.put("/_sandbox/paypal/options", json!({})).await.0, 404);
}

/// A scheduled recurring charge (TRTYPE 3) with a card from the fixture route:
/// (the bare code answered, the sandbox's reason header).
async fn recurring_charge(ctx: &Ctx, token: &str, ext_net_ref: &str, order: &str) -> (String, Option<String>) {
    use payments_core::clock::Clock;
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
    let nonce = crypto::hex_lower(&crypto::md5(&[order.as_bytes()]));
    let sign = merchant_p_sign(&mac(&[
        "4.00",
        "AZN",
        "17201234",
        "3",
        &ts,
        &nonce,
        "https://shop.example",
    ]));
    let resp = ctx
        .http
        .post(format!("{}/token/cgi_link", ctx.sandbox.azericard_url()))
        .form(&[
            ("AMOUNT", "4.00"),
            ("CURRENCY", "AZN"),
            ("ORDER", order),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "3"),
            ("MERCH_URL", "https://shop.example"),
            ("TIMESTAMP", &ts),
            ("NONCE", &nonce),
            ("EXT_NET_REF", ext_net_ref),
            ("TOKEN", token),
            ("P_SIGN", &sign),
        ])
        .send()
        .await
        .unwrap();
    let reason = resp
        .headers()
        .get("x-sandbox-reason")
        .map(|v| v.to_str().unwrap().to_owned());
    (resp.text().await.unwrap().trim().to_owned(), reason)
}

#[tokio::test]
async fn azericard_fixture_card_takes_recurring_charges_on_schedule() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/stored-cards",
            json!({"agreement": "recurring", "frequency_days": 30, "ext_net_ref": "NETREF123456"}),
        )
        .await;
    assert_eq!(status, 201, "{v}");
    let token = v["token"].as_str().unwrap().to_owned();
    assert_eq!(v["ext_net_ref"], "NETREF123456");
    // The first charge may come at once; the next only after 30 days.
    assert_eq!(recurring_charge(&ctx, &token, "NETREF123456", "500001").await.0, "0");
    let (code, reason) = recurring_charge(&ctx, &token, "NETREF123456", "500002").await;
    assert_eq!(code, "2");
    assert!(reason.unwrap().starts_with("RECUR_FREQ"));
    ctx.sandbox.clock().advance(std::time::Duration::from_secs(30 * 86_400));
    assert_eq!(recurring_charge(&ctx, &token, "NETREF123456", "500003").await.0, "0");
    let (code, reason) = recurring_charge(&ctx, &token, "OTHER", "500004").await;
    assert_eq!(code, "2");
    assert!(reason.unwrap().starts_with("EXT_NET_REF"));
}

#[tokio::test]
async fn epoint_fixture_card_pays_by_execute_pay() {
    let ctx = Ctx::new().await;
    let (_, v) = ctx.post("/_sandbox/epoint/cards", json!({})).await;
    let card_id = v["card_id"].as_str().unwrap().to_owned();
    let (_, v) = ctx.post("/_sandbox/epoint/cards", json!({"payout": true})).await;
    let payout_card = v["card_id"].as_str().unwrap().to_owned();
    let pay = |card: String| {
        let payload = json!({"public_key": "i000000001", "amount": "6.00", "currency": "AZN", "order_id": format!("ep-{card}"), "card_id": card});
        let data = crypto::base64_encode(payload.to_string().as_bytes());
        let key = "test-private-key";
        let signature = crypto::base64_encode(&crypto::sha1(&[key.as_bytes(), data.as_bytes(), key.as_bytes()]));
        let http = ctx.http.clone();
        let url = format!("{}/api/1/execute-pay", ctx.sandbox.epoint_url());
        async move {
            http.post(url)
                .form(&[("data", data), ("signature", signature)])
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let v = pay(card_id.clone()).await;
    assert_eq!(v["status"], "success", "{v}");
    assert_eq!(v["card_mask"], "411111******1111", "{v}");
    let v = pay(payout_card).await;
    assert_eq!(v["status"], "error", "a payout card cannot pay: {v}");
}
