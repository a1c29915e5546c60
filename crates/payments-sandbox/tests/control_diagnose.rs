#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Signature and credential diagnosis over HTTP: AzeriCard P_SIGN (spec
//! vectors A1, A2; each named mistake), ePay token requests, tokens and
//! postLink `secret_hash`, the QR wallet's identity credentials and tokens;
//! and the refusal hints of the provider routes. No secret is echoed.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, RsaEncoding};
use payments_core::clock::Clock;
use payments_core::crypto;
use payments_sandbox::{Sandbox, epay, qr};
use serde_json::{Value, json};

const A1_SOURCE: &str = "510.503AZN81720123411142025010112000032f2b2dd7e603a7ada1234567890abcdef20https://shop.example";
const A1_P_SIGN: &str = "4c1d1c0c659fa15a36e372882362c1af5c5503c2d788b7e6c2c6ee532622188521b1082d20f374ca5b89fae07a5207a7cbe4f559907e7e638d3962db86b387b14db551f94884b8ae53f0c6b1a2e61cf107d674a395686ed8c2fad78f3d6ae82e070a5247b7f9f88191a0e5082754bea67a0747a41d36ff2d63101356605aaf8385434c1eb058915851965b935c2ad797b32c3f1e398ac24684ce137105f69f0e58ebb6e58fa6035ee9d19e5b14b908b05e095e49c8fbbc6afdf7179e1308b48a7da8abffbc455f45481199ff1ebb59078f77a579b9f757363f19a1954cbc4eddc0d731cb6be652b7823ee75d83482727eb85241131d4ef38fd9dec982e981699";
/// Vector A2: completion 21 signed in integrify's order (ORDER first).
const A2_P_SIGN: &str = "5686aa8455a2c85b8c7f68bc1d4c055fe3b94955d47483ae79921f347be77ef130f0342d8eb8aef0f166817afb05f857f0c691ef17cfc7c7a6a16a352897a59fac9efdf8c3c42b93c5459f128352ca6d522ca90264ca16ecd7c9f9369ad156fa95c4d6776e01188e3feab0e74eaa75c48fec9f2917b358d86276d436d6b3290ba56f195d57c2af9a86f9ede408a8972816f42d9fb4c1c9903c3ea8d86d5a89204507e30193e6d048706779b4243a1006e4a43d17f7969659aedff6268571ef0e53d385c8a7b4815a529a8ad49dad778d678421c80073f1e41909bcb8ecc3885306061251baf95cfdf903efc57e6fa9896efade31127ee7ca84587a8123c9a707";

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

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.sandbox.base_url()))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
}

fn a1_fields() -> Value {
    json!({
        "AMOUNT": "10.50", "CURRENCY": "AZN", "ORDER": "100001", "DESC": "Order 100001", "MERCH_NAME": "Test Shop",
        "MERCH_URL": "https://shop.example", "TERMINAL": "17201234", "EMAIL": "shop@example.az",
        "BACKREF": "https://shop.example/azericard/callback", "TIMESTAMP": "20250101120000",
        "NONCE": "f2b2dd7e603a7ada1234567890abcdef", "LANG": "az", "TRTYPE": "1",
    })
}

fn sign(source: &str, encoding: &'static dyn RsaEncoding) -> Vec<u8> {
    let pem = include_str!("data/azericard-merchant-test-key.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let key = KeyPair::from_der(&crypto::base64_decode(body.trim().as_bytes()).unwrap()).unwrap();
    let mut sig = vec![0; key.public_modulus_len()];
    key.sign(encoding, &SystemRandom::new(), source.as_bytes(), &mut sig)
        .unwrap();
    sig
}

async fn mistake(ctx: &Ctx, fields: Value, p_sign: &str) -> String {
    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": fields, "p_sign": p_sign}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["matches"], false, "{v}");
    v["likely_mistake"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn azericard_diagnosis_builds_the_mac_source_and_names_each_mistake() {
    let ctx = Ctx::new().await;
    // Vector A1 verifies, with the exact MAC source and its parts.
    let mut fields = a1_fields();
    fields["P_SIGN"] = json!(A1_P_SIGN);
    let (status, v) = ctx
        .post("/_sandbox/azericard/diagnose", json!({"fields": fields}))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["matches"], true, "{v}");
    assert_eq!(v["mac_source"], A1_SOURCE);
    assert_eq!(
        v["parts"][0],
        json!({"field": "AMOUNT", "value": "10.50", "part": "510.50"})
    );
    assert_eq!(v["likely_mistake"], Value::Null);
    assert!(v["unsigned_fields"].as_array().unwrap().contains(&json!("ORDER")));
    // The same as the urlencoded body.
    let form: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            fields
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())),
        )
        .finish();
    let (_, v) = ctx.post("/_sandbox/azericard/diagnose", json!({"form": form})).await;
    assert_eq!(v["matches"], true, "{v}");

    let f = a1_fields();
    assert!(
        mistake(&ctx, f.clone(), &A1_P_SIGN.to_uppercase())
            .await
            .starts_with("upper-case hex")
    );
    let b64 = crypto::base64_encode(&crypto::hex_decode(A1_P_SIGN.as_bytes()).unwrap());
    assert!(mistake(&ctx, f.clone(), &b64).await.starts_with("base64"));
    let sha512 = crypto::hex_lower(&sign(A1_SOURCE, &signature::RSA_PKCS1_SHA512));
    assert!(
        mistake(&ctx, f.clone(), &sha512)
            .await
            .starts_with("wrong hash: signed with SHA-512")
    );
    let bare = "10.50AZN17201234120250101120000f2b2dd7e603a7ada1234567890abcdefhttps://shop.example";
    let no_prefix = crypto::hex_lower(&sign(bare, &signature::RSA_PKCS1_SHA256));
    assert!(
        mistake(&ctx, f.clone(), &no_prefix)
            .await
            .starts_with("no length prefixes")
    );
    // MERCH_URL left empty and written as `0` instead of `-`.
    let mut empty = f.clone();
    empty["MERCH_URL"] = json!("");
    let zero = A1_SOURCE.replace("20https://shop.example", "0");
    let zero_sig = crypto::hex_lower(&sign(&zero, &signature::RSA_PKCS1_SHA256));
    let why = mistake(&ctx, empty.clone(), &zero_sig).await;
    assert!(why.starts_with("an absent or empty field was written as `0`"), "{why}");
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": empty, "p_sign": zero_sig}),
        )
        .await;
    assert_eq!(v["missing_or_empty"], json!(["MERCH_URL"]));
    assert!(v["mac_source"].as_str().unwrap().ends_with("abcdef-"));
    // A changed amount: nothing explains it but the key or the data.
    let mut changed = f.clone();
    changed["AMOUNT"] = json!("10.51");
    assert!(mistake(&ctx, changed, A1_P_SIGN).await.starts_with("wrong key"));

    // Vector A2 (ORDER first) on the test terminal, which takes AMOUNT first.
    let a2 = json!({
        "ORDER": "100001", "AMOUNT": "10.50", "CURRENCY": "AZN", "RRN": "412345678901", "INT_REF": "A1B2C3D4E5F60718",
        "TERMINAL": "17201234", "TRTYPE": "21", "TIMESTAMP": "20250101121500", "NONCE": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    });
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": a2.clone(), "p_sign": A2_P_SIGN}),
        )
        .await;
    assert_eq!(v["follow_up_order"], "amount_first");
    assert_eq!(
        v["mac_source"],
        "510.503AZN81720123422161000011241234567890116A1B2C3D4E5F60718"
    );
    assert!(
        v["likely_mistake"]
            .as_str()
            .unwrap()
            .starts_with("wrong field order: signed as completion/reversal, ORDER first"),
        "{v}"
    );
    // A terminal set to that order accepts it.
    let (status, _) = ctx
        .post(
            "/_sandbox/azericard/terminals",
            json!({"terminal": "17201234", "follow_up_order": "order_first"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": a2, "p_sign": A2_P_SIGN}),
        )
        .await;
    assert_eq!(v["matches"], true, "{v}");

    // A given public key; private keys and unknown TRTYPEs are refused.
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": a1_fields(), "p_sign": A1_P_SIGN, "public_key_pem": payments_sandbox::azericard::GATEWAY_PUBLIC_KEY_PEM}),
        )
        .await;
    assert_eq!(v["matches"], false);
    assert!(v["key"].as_str().unwrap().starts_with("the given public key"));
    assert_eq!(
        ctx.post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": a1_fields(), "p_sign": "00", "private_key_pem": "x"})
        )
        .await
        .0,
        400
    );
    let mut bad = a1_fields();
    bad["TRTYPE"] = json!("7");
    assert_eq!(
        ctx.post("/_sandbox/azericard/diagnose", json!({"fields": bad, "p_sign": "00"}))
            .await
            .0,
        400
    );
    assert_eq!(ctx.post("/_sandbox/azericard/diagnose", json!({})).await.0, 400);
}

#[tokio::test]
async fn azericard_refusal_hint_names_the_mistake() {
    let ctx = Ctx::new().await;
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
    let nonce = "00112233445566778899aabbccddeeff";
    let source = format!("45.003AZN81720123411{}{ts}32{nonce}20https://shop.example", ts.len());
    let upper = crypto::hex_upper(&sign(&source, &signature::RSA_PKCS1_SHA256));
    let fields = [
        ("AMOUNT", "5.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "770011"),
        ("DESC", "hint"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", "17201234"),
        ("TRTYPE", "1"),
        ("TIMESTAMP", &ts),
        ("NONCE", nonce),
        ("BACKREF", "http://127.0.0.1:9/cb"),
        ("LANG", "az"),
        ("P_SIGN", &upper),
    ];
    let resp = ctx
        .http
        .post(format!("{}/cgi-bin/cgi_link", ctx.sandbox.azericard_url()))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let hint = resp.headers()["x-sandbox-hint"].to_str().unwrap().to_owned();
    assert!(hint.starts_with("wrong P_SIGN: upper-case hex"), "{hint}");
    assert!(hint.contains("/_sandbox/azericard/diagnose"));
    let log: Value = ctx
        .http
        .get(format!(
            "{}/_sandbox/requests?provider=azericard",
            ctx.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["requests"][0]["verified"], false);
    assert_eq!(log["requests"][0]["hint"], hint.as_str());
}

#[tokio::test]
async fn epay_diagnosis_of_token_requests_tokens_and_postlinks() {
    let ctx = Ctx::new().await;
    // The QR-by-API secret has `$` and `&`: sent unencoded, `&` cuts it short.
    let raw = format!(
        "grant_type=client_credentials&scope=payment&client_id={}&client_secret={}&terminal={}",
        epay::QR_CLIENT_ID,
        epay::QR_CLIENT_SECRET,
        epay::QR_TERMINAL
    );
    let (status, v) = ctx.post("/_sandbox/epay/diagnose", json!({"token_request": raw})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["ok"], false);
    assert!(
        v["likely_mistake"]
            .as_str()
            .unwrap()
            .starts_with("client_secret: cut short"),
        "{v}"
    );
    let text = v.to_string();
    assert!(
        !text.contains(epay::QR_CLIENT_SECRET) && !text.contains("gG1uIMT$cTZJS"),
        "never echoed"
    );

    // A terminal of another client, a bad invoiceID, a missing secret_hash.
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"token_request": {
                "grant_type": "client_credentials", "client_id": epay::TEST_CLIENT_ID,
                "client_secret": format!(" {} ", epay::TEST_CLIENT_SECRET), "terminal": epay::QR_TERMINAL,
                "invoiceID": "12ab", "amount": "100", "currency": "KZT",
            }}),
        )
        .await;
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["client_secret", "terminal", "invoiceID"], "{v}");
    assert!(v["likely_mistake"].as_str().unwrap().contains("whitespace"));
    assert!(
        v["checks"]
            .to_string()
            .contains(&format!("belongs to client {}", epay::QR_CLIENT_ID))
    );

    // The invoice user's password grant with a wrong password.
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"token_request": {
                "grant_type": "password", "scope": "api", "client_id": epay::INVOICE_CLIENT_ID,
                "client_secret": epay::INVOICE_CLIENT_SECRET, "username": epay::INVOICE_USERNAME, "password": "nope",
            }}),
        )
        .await;
    assert_eq!(
        v["likely_mistake"], "password: does not match the user's password",
        "{v}"
    );
    assert!(!v.to_string().contains(epay::INVOICE_PASSWORD));

    // Tokens: unknown, then a service token used for a payment-token call.
    let (_, v) = ctx
        .post("/_sandbox/epay/diagnose", json!({"access_token": "nope"}))
        .await;
    assert!(v["likely_mistake"].as_str().unwrap().contains("expired"), "{v}");
    let token: Value = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::TEST_TERMINAL),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"access_token": access, "operation": "GET /api/check-status/payment/transaction/123456"}),
        )
        .await;
    assert_eq!(v["ok"], true, "{v}");
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"access_token": format!("Bearer {access}"), "operation": "POST /api/payments/cards/auth"}),
        )
        .await;
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["access_token", "operation"], "{v}");
    assert!(!v.to_string().contains(access), "the token is not echoed");
    // After 16 minutes on the sandbox clock it has expired.
    ctx.sandbox.clock().advance(std::time::Duration::from_secs(16 * 60));
    let (_, v) = ctx
        .post("/_sandbox/epay/diagnose", json!({"access_token": access}))
        .await;
    assert_eq!(v["ok"], false);

    // postLink: the sandbox's own payment, compared with the merchant's copy.
    let payment_token: Value = ctx
        .http
        .post(format!("{}/oauth2/token", ctx.sandbox.epay_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", epay::DEFAULT_SCOPE),
            ("client_id", epay::TEST_CLIENT_ID),
            ("client_secret", epay::TEST_CLIENT_SECRET),
            ("terminal", epay::TEST_TERMINAL),
            ("invoiceID", "555000111"),
            ("amount", "100"),
            ("currency", "KZT"),
            ("secret_hash", "my secret"),
            ("postLink", "http://127.0.0.1:9/post"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resp = ctx
        .http
        .post(ctx.sandbox.providers().epay.approve_url())
        .form(&[
            ("invoiceId", "555000111"),
            ("token", payment_token["access_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_success() || resp.status().is_redirection(),
        "{}",
        resp.status()
    );
    let postlink = json!({"invoiceId": "555000111", "code": "ok", "secret_hash": "my secret", "amount": 100});
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"postlink": postlink.clone(), "secret_hash": "my secret"}),
        )
        .await;
    assert_eq!(v["ok"], true, "{v}");
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"postlink": postlink.clone(), "secret_hash": "my+secret"}),
        )
        .await;
    assert!(
        v["likely_mistake"].as_str().unwrap().contains("`+` became a space"),
        "{v}"
    );
    let mut forged = postlink.clone();
    forged["secret_hash"] = json!("guess");
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"postlink": forged, "secret_hash": "my secret"}),
        )
        .await;
    assert!(
        v["likely_mistake"]
            .as_str()
            .unwrap()
            .starts_with("secret_hash: differs"),
        "{v}"
    );
    assert!(!v.to_string().contains("my secret"), "secret_hash never echoed");
    let (_, v) = ctx
        .post(
            "/_sandbox/epay/diagnose",
            json!({"postlink": {"invoiceId": "999999999", "secret_hash": "x"}}),
        )
        .await;
    assert!(
        v["likely_mistake"].as_str().unwrap().starts_with("payment: no payment"),
        "{v}"
    );
    assert_eq!(ctx.post("/_sandbox/epay/diagnose", json!({})).await.0, 400);
}

#[tokio::test]
async fn qr_diagnosis_of_credentials_and_tokens() {
    let ctx = Ctx::new().await;
    let (status, v) = ctx
        .post(
            "/_sandbox/qr/diagnose",
            json!({"token_request": {"grant_type": "client_credentials", "scope": "sts-api",
                   "client_id": qr::CLIENT_ID, "client_secret": qr::CLIENT_ID},
                   "content_type": "application/json", "hash_key": "abc"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["content_type", "scope", "client_secret"], "{v}");
    assert!(v["checks"].to_string().contains("swapped"), "{v}");
    assert_eq!(v["signed_parts"], json!([]));
    assert!(v["signature"].as_str().unwrap().contains("hash_key"));
    assert!(!v.to_string().contains(qr::CLIENT_SECRET));

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
    let access = token["access_token"].as_str().unwrap();
    let (_, v) = ctx
        .post(
            "/_sandbox/qr/diagnose",
            json!({"access_token": access, "x_client_id": qr::CLIENT_ID}),
        )
        .await;
    assert_eq!(v["ok"], true, "{v}");
    let (_, v) = ctx
        .post(
            "/_sandbox/qr/diagnose",
            json!({"access_token": access, "x_client_id": "other"}),
        )
        .await;
    assert!(v["likely_mistake"].as_str().unwrap().starts_with("x_client_id"), "{v}");
    ctx.sandbox.clock().advance(std::time::Duration::from_secs(3601));
    let (_, v) = ctx.post("/_sandbox/qr/diagnose", json!({"access_token": access})).await;
    assert!(v["likely_mistake"].as_str().unwrap().contains("expired at"), "{v}");
    // The API's own refusal points at the diagnosis.
    let resp = ctx
        .http
        .post(format!(
            "{}/api/v1/Transaction/CheckQRPaymentStatus",
            ctx.sandbox.qr_url()
        ))
        .bearer_auth(access)
        .json(&json!({"qr_code": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let hint = resp.headers()["x-sandbox-hint"].to_str().unwrap();
    assert!(
        hint.contains("expired") && hint.contains("/_sandbox/qr/diagnose"),
        "{hint}"
    );
    assert_eq!(ctx.post("/_sandbox/qr/diagnose", json!({})).await.0, 400);
}

#[tokio::test]
async fn azericard_transfer_signature_diagnosis() {
    let ctx = Ctx::new().await;
    // Vector T2 (confirm): MD5 of the values then the secret.
    let t2 = json!({"Merchant": "TESTSHOP", "SRN": "SRN000001", "Amount": "10.50", "Cur": "944", "Timestamp": "20250101123000"});
    let (status, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": t2.clone(), "p_sign": "3e963129aa1728ef0106d27ad139501e"}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["matches"], true, "{v}");
    assert_eq!(v["md5_input"], "TESTSHOPSRN00000110.5094420250101123000<secret>");
    assert_eq!(v["message"], "MT confirm / decline");
    let secret_first = crypto::hex_lower(&crypto::md5(&[
        b"transfer-secretTESTSHOPSRN00000110.5094420250101123000",
    ]));
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": t2.clone(), "p_sign": secret_first}),
        )
        .await;
    assert_eq!(v["likely_mistake"], "secret first: the secret goes last", "{v}");
    let no_secret = crypto::hex_lower(&crypto::md5(&[b"TESTSHOPSRN00000110.5094420250101123000"]));
    let (_, v) = ctx
        .post(
            "/_sandbox/azericard/diagnose",
            json!({"fields": t2, "p_sign": no_secret}),
        )
        .await;
    assert!(v["likely_mistake"].as_str().unwrap().starts_with("no secret"), "{v}");
    // Vector T3 (the transfer callback) is recognised by its fields.
    let t3 = json!({"OperationID": "1234567890123456", "SRN": "SRN000001", "Amount": "10.50", "Cur": "944",
        "CardStatus": "our_active", "ReceiverPAN": "416973******1234", "Status": "pending", "Timestamp": "20250101123500",
        "Response Code": "0", "Message": "Success", "Signature": "0cdbe254431adfbf95fccdceef3ced56"});
    let (_, v) = ctx.post("/_sandbox/azericard/diagnose", json!({"fields": t3})).await;
    assert_eq!(
        (v["message"].as_str(), &v["matches"]),
        (Some("MT transfer callback"), &json!(true)),
        "{v}"
    );
}
