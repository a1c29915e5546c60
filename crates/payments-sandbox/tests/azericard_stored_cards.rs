#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! AzeriCard's stored-card, MIT and recurring flows, the per-terminal
//! follow-up signing order and the 1024-bit gateway key option, over HTTP
//! with the spec's vectors A2, A2b, A5-A8b sent byte for byte. The merchant
//! is written here (reqwest + aws-lc-rs), not taken from the azericard crate.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, UnparsedPublicKey};
use axum::Router;
use axum::routing::post as route_post;
use payments_core::crypto;
use payments_sandbox::Sandbox;
use payments_sandbox::azericard::{FollowUpOrder, GatewayKeySize, Preset};
use serde_json::Value;

const TERMINAL: &str = "17201234";
const TOKEN: &str = "1234567890123456789012345678";
const A2: &str = "5686aa8455a2c85b8c7f68bc1d4c055fe3b94955d47483ae79921f347be77ef130f0342d8eb8aef0f166817afb05f857f0c691ef17cfc7c7a6a16a352897a59fac9efdf8c3c42b93c5459f128352ca6d522ca90264ca16ecd7c9f9369ad156fa95c4d6776e01188e3feab0e74eaa75c48fec9f2917b358d86276d436d6b3290ba56f195d57c2af9a86f9ede408a8972816f42d9fb4c1c9903c3ea8d86d5a89204507e30193e6d048706779b4243a1006e4a43d17f7969659aedff6268571ef0e53d385c8a7b4815a529a8ad49dad778d678421c80073f1e41909bcb8ecc3885306061251baf95cfdf903efc57e6fa9896efade31127ee7ca84587a8123c9a707";
const A2B: &str = "8674f3f51ffcdd2d0e7f3e308de23cf3e2da3e795e69100ed6ca2a50f1460ae43d9b011e537245ef17e6e68f61e690d7deade52a1bfe21d2402e7cf2b32812359914792c9d05bf9548a3bdcd06796e09c937ffbd52c1e9f9c90c63b2e97596d8801061862898066e2cef9e0f2137d93636c539959114ae88c2f4b5a74e03f8687ba23980ab1989d0c8bb040e3400aee61533503d5b115c2ff5d72b5e4f7dd353fd4833bb6d5709b3f21d2212e7e15c9ad2c5cc356d928066d79c703bf852fe75014a623cae4a7de9295bcc63784739a10a0ddd75eb31abc0c18fb7f7f9826ec6f9ec866e5197cbc5be8d8310035bd1c6b4fcf66babe4e6ada5aa58c402ce5337";
const A8: &str = "3f2b5b5132cc7686b66dade82c3022ba017789cf4051a73ad135f3330adad1e0accaa892027bbc5783a8f398094d85fe4d8876ef68beeb48e6f9946780e04b5837b865ed8441492e1e72301a0ef0838087332e7e4c3c34ae024d68f86a49c8c5cc8e8a3d0e4515efdb0fcb28b5b36bbd0399f5e25a213d81eccef6e488f4e121f295d4d0855a7e2dc3e909e0431ce572f94ed74a79b92daf3b61695eca3e1b9f8ca12f31038f92a5668aff145705b2dda593140eaec51223b2e24ae55e8afce022e302c011dc2538f82a6e90afbb63e2e3d997cbc29fb28561e167dcaf928d6b231c6f57724b5c79d4ae0ee61630e62193e53e6f2ced4d9cbd19c4c593ff64aa";
const A8B: &str = "121daf3a5d4ecc5bbccfb431608bf1117c52cd8a5bd68d0a3628d74c287ddc7ba6e40a343631b72b429b90e4bd337fdd582e2cda83d89f415ea738f73257b31925fedaad57b6bef612826eb25b5cddb25b7e15004e88e288bd73f3a480e78264f969f694a7598759b47987cc439794bf4fccc2168b974d540d231deed67d673116ef48add52b50ae36ad81aa7abb3938524483536382d1a7e1f53960763d3dda51222018f2a93ccca5f1da8cf69cf73b5ea73c9340199a9c67814aa933dc4a853dff1c732bc7d77bdabc671ef1c6c567184d8b973c9c28e892e0311f6c8d1f545be9b5726c33d2a558b7d2e6b9573d7c04a7b32d71402850d98992633a7b2fc9";
const A5: &str = "4179602dd8c1ee6b95325ce0da6e1224784ec5146057e14b9427a86f6f03cd594f17a358df0d2eb9d733c68077272e077109f04470a930f0344ba60ba6a59fe411ef190260cc98c5f56bd3b41a9c067f40e457bceba9c668463f381ff4a9afcdb4a339c38dc34cf3d9c86bed88be5fe396a4045d39d9366aacbcf832857269af22dba4f17ee2586631b7c3189a907845d973b0e96730693fbbc10cd34a6deec43ffe02c2e6df5a7930197d1d7e14b3d06dbe590d96f10ab6eed971ea79e33b88969505ebc9b9e8d73596c7fd2b010f864b3047757415b746444efcaf36495ed030ec1af5d070433f1f87407d1a3b2bc67c8e915ddc7ff86427b20a429cb07e8a";
const A6: &str = "3a713facb400c625e5b6695464406182afbc0d014cb8fb7c19e3f16f15bdcf09013ff0e352505e0ac37fa7a5658a29100465c637a38c2ff3d147031a1beac4d3b0b7acf9187e3843ae0b3e10e113f858589ec15c5fd5d3ac0fb34d18eb724053fdb3a7dee6cd7926f2acf09cfbe1a552af62e9d007695b71c7f8e43ce3ec6f3addd26e52fb6cb57d54f4f53d50ee0f4fbd8f660937f6a2796c5bf0d5ba05f7faf85f79c0e4ba833b748bd8e61bd0529a51118638d1d333ab258d97dd896180d70d93ad360529bde01398d5dd92794621d49cefdb9a9d54a0aa1b6a60c7fa2173ad7ab6857ef6ceb612c732728bca0628d4873b2d9235b95ea36513f36b46f233";
const A7: &str = "9d52aa1f61cd454ff7621fbb500bc28a84d9f9e2f6f76c1ff527c51cd9a38d7c5d46ca0fcf7a1d80e04bd619740adcd7a7528534b91f01b131caa3fe415484074b0651e6ce71c0c32089f538ec1b42a673cc2317413e287e83fdc16f8fdb7c660bbf39be2e8dd5297f86a7e3f54e184ab1709a26dafa214e307c05335bf62e049b119b5f96863270943c903a5877b28bae6b1dab6eefb607f78c97de383caa2fea3beb4106741e3222cd20651f762f60d587d45fb007fa86b78dca6d29449e86bf7e842c813429376f1a55728f01e4f80f5ce506fefbc0ac3980003f6f326831b2164c6e6f09cdc610c5bd4afada6d9f9b6fd5b8afb62cce3376c24e9dadbe53";

fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    crypto::base64_decode(body.trim().as_bytes()).unwrap()
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

fn p_sign(source: &str) -> String {
    let key = KeyPair::from_der(&der(include_str!("data/azericard-merchant-test-key.pem"))).unwrap();
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
    let mut b = [0u8; 8];
    aws_lc_rs::rand::fill(&mut b).unwrap();
    crypto::hex_lower(&b)
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} missing"))
}

/// A signed browser authorization form (TRTYPE 0 or 1) plus `extra` unsigned fields.
fn auth_form(
    sandbox: &Sandbox,
    order: &str,
    amount: &str,
    trtype: &str,
    backref: &str,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let (ts, nonce) = (timestamp(sandbox), nonce());
    let sign = p_sign(&mac(&[
        amount,
        "AZN",
        TERMINAL,
        trtype,
        &ts,
        &nonce,
        "https://shop.example",
    ]));
    let mut f = owned(&[
        ("AMOUNT", amount),
        ("CURRENCY", "AZN"),
        ("ORDER", order),
        ("DESC", "Subscription"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", trtype),
        ("TIMESTAMP", &ts),
        ("NONCE", &nonce),
        ("BACKREF", backref),
        ("LANG", "az"),
    ]);
    f.extend(owned(extra));
    f.push(("P_SIGN".into(), sign));
    f
}

/// A server-to-server charge (§7.2 with `mit`, else §7.4) signed here.
fn charge_form(sandbox: &Sandbox, order: &str, amount: &str, ext: &str, mit: bool) -> Vec<(String, String)> {
    let (ts, nonce) = (timestamp(sandbox), nonce());
    let trtype = if mit { "1" } else { "3" };
    let sign = p_sign(&mac(&[
        amount,
        "AZN",
        TERMINAL,
        trtype,
        &ts,
        &nonce,
        "https://shop.example",
    ]));
    let mut f = owned(&[
        ("AMOUNT", amount),
        ("CURRENCY", "AZN"),
        ("ORDER", order),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", trtype),
        ("MERCH_URL", "https://shop.example"),
        ("TIMESTAMP", &ts),
        ("NONCE", &nonce),
    ]);
    if mit {
        f.extend(owned(&[("MERCH_TRAN_STATE", "M"), ("MERCH_RN_ID", "abcdef0123456789")]));
    }
    f.extend(owned(&[("EXT_NET_REF", ext), ("TOKEN", TOKEN), ("P_SIGN", &sign)]));
    f
}

async fn post(url: String, fields: &[(String, String)]) -> reqwest::Response {
    reqwest::Client::new().post(url).form(fields).send().await.unwrap()
}

async fn token_link(sandbox: &Sandbox, fields: &[(String, String)]) -> String {
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), fields).await;
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

/// The code and the sandbox's reason for it.
async fn token_link_why(sandbox: &Sandbox, fields: &[(String, String)]) -> (String, String) {
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), fields).await;
    let why = resp
        .headers()
        .get("x-sandbox-reason")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (resp.text().await.unwrap(), why)
}

fn refused(why: &str) -> (String, String) {
    ("2".to_owned(), why.to_owned())
}

async fn cgi(sandbox: &Sandbox, fields: &[(String, String)]) -> String {
    post(format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()), fields)
        .await
        .text()
        .await
        .unwrap()
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
        route_post(move |body: String| {
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

async fn callback(seen: &Arc<Mutex<Vec<String>>>, n: usize) -> Vec<(String, String)> {
    for _ in 0..300 {
        if let Some(body) = seen.lock().unwrap().get(n - 1).cloned() {
            return form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no callback");
}

/// Verifies a callback's P_SIGN with the gateway key of `bits` the sandbox publishes.
async fn verify_callback(sandbox: &Sandbox, f: &[(String, String)], bits: u32) {
    let path = if bits == 1024 {
        "gateway-public-key-1024.pem"
    } else {
        "gateway-public-key.pem"
    };
    let pem = reqwest::get(format!("{}/{path}", sandbox.azericard_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let source = mac(&[
        field(f, "AMOUNT"),
        field(f, "TERMINAL"),
        field(f, "APPROVAL"),
        field(f, "RRN"),
        field(f, "INT_REF"),
    ]);
    let sig = crypto::hex_decode(field(f, "P_SIGN").as_bytes()).unwrap();
    assert_eq!(sig.len() as u32 * 8, bits);
    let alg = if bits == 1024 {
        &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
    } else {
        &signature::RSA_PKCS1_2048_8192_SHA256
    };
    UnparsedPublicKey::new(alg, der(&pem))
        .verify(source.as_bytes(), &sig)
        .expect("callback P_SIGN verifies");
}

async fn status(sandbox: &Sandbox, order: &str, tran: &str) -> Value {
    let (ts, nonce) = (timestamp(sandbox), nonce());
    let sign = p_sign(&mac(&[order, TERMINAL, "90", &ts, &nonce]));
    post(
        format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()),
        &owned(&[
            ("ORDER", order),
            ("TERMINAL", TERMINAL),
            ("TRTYPE", "90"),
            ("TIMESTAMP", &ts),
            ("NONCE", &nonce),
            ("TRAN_TRTYPE", tran),
            ("P_SIGN", &sign),
        ]),
    )
    .await
    .json()
    .await
    .unwrap()
}

/// A2's completion (or reversal) body with the given TRTYPE, P_SIGN and NONCE.
fn follow_up(trtype: &str, sign: &str, nonce: &str) -> Vec<(String, String)> {
    owned(&[
        ("ORDER", "100001"),
        ("AMOUNT", "10.50"),
        ("CURRENCY", "AZN"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
        ("TRTYPE", trtype),
        ("TERMINAL", TERMINAL),
        ("TIMESTAMP", "20250101121500"),
        ("NONCE", nonce),
        ("P_SIGN", sign),
    ])
}

/// A sandbox with order 100001 held (TRTYPE 0, 10.50) under A2's RRN and INT_REF.
async fn held_order(order: FollowUpOrder) -> Sandbox {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.clock().set(time::macros::datetime!(2025-01-01 12:10 UTC));
    assert!(sandbox.providers().azericard.set_follow_up_order(TERMINAL, order));
    let preset = Preset {
        rrn: Some("412345678901".into()),
        int_ref: Some("A1B2C3D4E5F60718".into()),
        ..Preset::default()
    };
    assert!(sandbox.providers().azericard.preset("100001", preset).is_none());
    let resp = post(
        format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()),
        &auth_form(&sandbox, "100001", "10.50", "0", "http://127.0.0.1:9/back", &[]),
    )
    .await;
    assert_eq!(resp.url().path(), "/azericard/pay/A1B2C3D4E5F60718");
    assert_eq!(
        approve(resp.url().as_str(), "4111111111111111").await.headers()["x-sandbox-outcome"],
        "approved"
    );
    sandbox
}

#[tokio::test]
async fn vectors_a2b_and_a8b_by_default_a2_and_a8_answer_3() {
    let sandbox = held_order(FollowUpOrder::AmountFirst).await;
    let n1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    assert_eq!(
        cgi(&sandbox, &follow_up("21", A2, n1)).await,
        "3",
        "integrify's order on a default terminal"
    );
    assert_eq!(cgi(&sandbox, &follow_up("21", A2B, n1)).await, "0");
    assert_eq!(cgi(&sandbox, &follow_up("21", A2B, n1)).await, "1", "same NONCE again");
    assert_eq!(cgi(&sandbox, &follow_up("22", A8, "00000000aaaaaaaa")).await, "3");
    assert_eq!(cgi(&sandbox, &follow_up("22", A8B, "00000000bbbbbbbb")).await, "0");
    let st = status(&sandbox, "100001", "22").await;
    assert_eq!(
        (
            st["Transaction state"].as_str(),
            st["Transaction amount"].as_str(),
            st["Transaction RRN"].as_str(),
            st["INT_REF"].as_str()
        ),
        (
            Some("Refunded"),
            Some("10.50"),
            Some("412345678901"),
            Some("A1B2C3D4E5F60718")
        )
    );
    assert_eq!(
        (
            st["Merchant order id"].as_str(),
            st["Transaction currency"].as_str(),
            st["ACTION"].as_str()
        ),
        (Some("100001"), Some("AZN"), Some("0"))
    );
}

#[tokio::test]
async fn a_terminal_set_to_integrifys_order_takes_a2_and_a8_and_answers_3_to_a2b() {
    let sandbox = held_order(FollowUpOrder::OrderFirst).await;
    let n1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    assert_eq!(cgi(&sandbox, &follow_up("21", A2B, n1)).await, "3");
    assert_eq!(cgi(&sandbox, &follow_up("21", A2, n1)).await, "0");
    assert_eq!(cgi(&sandbox, &follow_up("22", A8B, "00000000aaaaaaaa")).await, "3");
    assert_eq!(cgi(&sandbox, &follow_up("22", A8, "00000000bbbbbbbb")).await, "0");
    assert_eq!(status(&sandbox, "100001", "21").await["Transaction amount"], "10.50");
}

#[tokio::test]
async fn unscheduled_mit_registration_then_vector_a5_charge() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let az = &sandbox.providers().azericard;
    sandbox.clock().set(time::macros::datetime!(2024-12-01 10:00 UTC));
    az.preset(
        "100010",
        Preset {
            token: Some(TOKEN.into()),
            ext_net_ref: Some("NETREF123456".into()),
            ..Preset::default()
        },
    );
    let form = auth_form(
        &sandbox,
        "100010",
        "0.01",
        "1",
        &backref,
        &[
            ("TOKEN_ACTION", "REGISTER"),
            ("MERCH_TRAN_STATE", "S"),
            ("MERCH_RN_ID", "abcdef0123456789"),
            ("MIT_AGREEMENT", "N"),
        ],
    );
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), &form).await;
    let page = resp.url().to_string();
    assert!(
        resp.text().await.unwrap().contains("4000000000009995"),
        "scenarios on the page"
    );
    approve(&page, "5167513336327283").await;
    let cb = callback(&seen, 1).await;
    verify_callback(&sandbox, &cb, 2048).await;
    assert_eq!(
        (field(&cb, "TOKEN"), field(&cb, "EXT_NET_REF"), field(&cb, "CARD")),
        (TOKEN, "NETREF123456", "516751******7283")
    );
    let card = az.stored_card(TOKEN).unwrap();
    assert!(!card.agreement.as_ref().unwrap().scheduled);

    // A5, byte for byte, a month later.
    sandbox.clock().set(time::macros::datetime!(2025-01-02 09:10 UTC));
    let a5 = owned(&[
        ("AMOUNT", "25.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100002"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "1"),
        ("MERCH_URL", "https://shop.example"),
        ("TIMESTAMP", "20250102090000"),
        ("NONCE", "0a1b2c3d4e5f6071"),
        ("MERCH_TRAN_STATE", "M"),
        ("EXT_NET_REF", "NETREF123456"),
        ("MERCH_RN_ID", "abcdef0123456789"),
        ("TOKEN", TOKEN),
        ("P_SIGN", A5),
    ]);
    assert_eq!(token_link(&sandbox, &a5).await, "0");
    assert_eq!(token_link(&sandbox, &a5).await, "1", "the NONCE was used");
    let st = status(&sandbox, "100002", "1").await;
    assert_eq!(
        (
            st["Transaction state"].as_str(),
            st["Transaction amount"].as_str(),
            st["ACTION"].as_str(),
            st["Response code"].as_str(),
            st["Card number"].as_str()
        ),
        (
            Some("Approved"),
            Some("25.00"),
            Some("0"),
            Some("00"),
            Some("516751******7283")
        )
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "no callback after a server-to-server charge"
    );

    // Refund part of it (22, default order).
    let (rrn, int_ref) = (
        st["Transaction RRN"].as_str().unwrap().to_owned(),
        st["INT_REF"].as_str().unwrap().to_owned(),
    );
    let (ts, n) = (timestamp(&sandbox), nonce());
    let refund = owned(&[
        ("ORDER", "100002"),
        ("AMOUNT", "5.00"),
        ("CURRENCY", "AZN"),
        ("RRN", &rrn),
        ("INT_REF", &int_ref),
        ("TRTYPE", "22"),
        ("TERMINAL", TERMINAL),
        ("TIMESTAMP", &ts),
        ("NONCE", &n),
        (
            "P_SIGN",
            &p_sign(&mac(&["5.00", "AZN", TERMINAL, "22", "100002", &rrn, &int_ref])),
        ),
    ]);
    assert_eq!(cgi(&sandbox, &refund).await, "0");

    // Wrong EXT_NET_REF, a TRTYPE 3 on an unscheduled card, a decline, a timeout.
    assert_eq!(
        token_link_why(&sandbox, &charge_form(&sandbox, "100003", "5.00", "NETREF000000", true)).await,
        refused("EXT_NET_REF: not the registration's")
    );
    assert_eq!(
        token_link_why(
            &sandbox,
            &charge_form(&sandbox, "100003", "5.00", "NETREF123456", false)
        )
        .await,
        refused("TOKEN: registered for unscheduled charges (MIT_AGREEMENT=N), not TRTYPE 3")
    );
    assert_eq!(
        token_link_why(&sandbox, &charge_form(&sandbox, "100003", "5.51", "NETREF123456", true)).await,
        refused("declined by the issuer")
    );
    let st = status(&sandbox, "100003", "1").await;
    assert_eq!(
        (
            st["Transaction state"].as_str(),
            st["ACTION"].as_str(),
            st["Response code"].as_str()
        ),
        (Some("Declined"), Some("2"), Some("51"))
    );
    az.set_timeout_delay(Duration::from_millis(200));
    let resp = post(
        format!("{}/token/cgi_link", sandbox.azericard_url()),
        &charge_form(&sandbox, "100004", "5.53", "NETREF123456", true),
    )
    .await;
    assert_eq!(resp.status(), 504);
    assert_eq!(status(&sandbox, "100004", "1").await["Transaction state"], "Pending");
    // MERCH_RN_ID is required on an MIT charge.
    let mut no_rn = charge_form(&sandbox, "100005", "5.00", "NETREF123456", true);
    no_rn.retain(|(k, _)| k != "MERCH_RN_ID");
    assert_eq!(
        token_link_why(&sandbox, &no_rn).await,
        refused("MERCH_RN_ID: is required")
    );
}

#[tokio::test]
async fn scheduled_recurring_registration_then_vector_a6_charge_with_trtype_3() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let az = &sandbox.providers().azericard;
    sandbox.clock().set(time::macros::datetime!(2024-12-01 09:00 UTC));
    az.preset(
        "100020",
        Preset {
            token: Some(TOKEN.into()),
            ext_net_ref: Some("NETREF123456".into()),
            ..Preset::default()
        },
    );
    let extras = [
        ("TOKEN_ACTION", "REGISTER"),
        ("MERCH_TRAN_STATE", "S"),
        ("MERCH_RN_ID", "abcdef0123456789"),
        ("MIT_AGREEMENT", "Y"),
        ("RECUR_FREQ", "30"),
        ("RECUR_EXP", "20271231"),
    ];
    let resp = post(
        format!("{}/token/cgi_link", sandbox.azericard_url()),
        &auth_form(&sandbox, "100020", "0.01", "1", &backref, &extras),
    )
    .await;
    approve(resp.url().as_str(), "4127211288596748").await;
    let cb = callback(&seen, 1).await;
    assert_eq!(
        (field(&cb, "TOKEN"), field(&cb, "EXT_NET_REF")),
        (TOKEN, "NETREF123456")
    );
    let agreement = az.stored_card(TOKEN).unwrap().agreement.unwrap();
    assert_eq!((agreement.scheduled, agreement.frequency_days), (true, Some(30)));

    sandbox.clock().set(time::macros::datetime!(2025-01-02 09:00 UTC));
    let a6 = owned(&[
        ("AMOUNT", "25.00"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100002"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "3"),
        ("MERCH_URL", "https://shop.example"),
        ("TIMESTAMP", "20250102090000"),
        ("NONCE", "0a1b2c3d4e5f6071"),
        ("EXT_NET_REF", "NETREF123456"),
        ("TOKEN", TOKEN),
        ("P_SIGN", A6),
    ]);
    assert_eq!(token_link(&sandbox, &a6).await, "0");
    let st = status(&sandbox, "100002", "3").await;
    assert_eq!(
        (
            st["Transaction state"].as_str(),
            st["Original transaction TRTYPE"].as_str()
        ),
        (Some("Approved"), Some("3"))
    );
    // TRTYPE 3 only on the token endpoint; not twice within RECUR_FREQ; no MIT fields.
    assert_eq!(
        cgi(
            &sandbox,
            &charge_form(&sandbox, "100021", "25.00", "NETREF123456", false)
        )
        .await,
        "2"
    );
    assert_eq!(
        token_link_why(
            &sandbox,
            &charge_form(&sandbox, "100021", "25.00", "NETREF123456", false)
        )
        .await,
        refused("RECUR_FREQ: too soon after the previous authorization")
    );
    sandbox.clock().advance(Duration::from_secs(30 * 86_400));
    let mut with_state = charge_form(&sandbox, "100021", "25.00", "NETREF123456", false);
    with_state.insert(8, ("MERCH_TRAN_STATE".into(), "M".into()));
    assert_eq!(
        token_link_why(&sandbox, &with_state).await,
        refused("MERCH_TRAN_STATE: not a field of this message")
    );
    assert_eq!(
        token_link(
            &sandbox,
            &charge_form(&sandbox, "100021", "25.00", "NETREF123456", false)
        )
        .await,
        "0"
    );
    // An MIT (TRTYPE 1, M) charge on a scheduled card is refused; after RECUR_EXP everything is.
    assert_eq!(
        token_link_why(
            &sandbox,
            &charge_form(&sandbox, "100022", "25.00", "NETREF123456", true)
        )
        .await,
        refused("TOKEN: registered for scheduled recurring charges (MIT_AGREEMENT=Y): use TRTYPE 3")
    );
    sandbox.clock().set(time::macros::datetime!(2028-01-05 09:00 UTC));
    assert_eq!(
        token_link_why(
            &sandbox,
            &charge_form(&sandbox, "100023", "25.00", "NETREF123456", false)
        )
        .await,
        refused("RECUR_EXP: the recurring agreement has expired")
    );
}

#[tokio::test]
async fn vector_a7_registration_form_is_accepted_byte_for_byte() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    sandbox.clock().set(time::macros::datetime!(2025-01-02 08:05 UTC));
    let a7 = owned(&[
        ("AMOUNT", "0.01"),
        ("CURRENCY", "AZN"),
        ("ORDER", "100030"),
        ("DESC", "Subscription"),
        ("MERCH_NAME", "Test Shop"),
        ("MERCH_URL", "https://shop.example"),
        ("TERMINAL", TERMINAL),
        ("TRTYPE", "1"),
        ("TIMESTAMP", "20250102080000"),
        ("NONCE", "abcdef0123456789"),
        ("BACKREF", &backref),
        ("LANG", "az"),
        ("TOKEN_ACTION", "REGISTER"),
        ("MERCH_TRAN_STATE", "S"),
        ("MERCH_RN_ID", "abcdef0123456789"),
        ("MIT_AGREEMENT", "Y"),
        ("RECUR_FREQ", "30"),
        ("RECUR_EXP", "20271231"),
        ("P_SIGN", A7),
    ]);
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), &a7).await;
    assert!(resp.url().path().starts_with("/azericard/pay/"), "{}", resp.url());
    approve(resp.url().as_str(), "4111111111111111").await;
    let cb = callback(&seen, 1).await;
    verify_callback(&sandbox, &cb, 2048).await;
    assert_eq!(field(&cb, "TOKEN").len(), 28);
    assert!(!field(&cb, "EXT_NET_REF").is_empty());

    // The same registration with the agreement half-filled is refused.
    let mut bad = auth_form(
        &sandbox,
        "100031",
        "0.01",
        "1",
        &backref,
        &[
            ("TOKEN_ACTION", "REGISTER"),
            ("MERCH_TRAN_STATE", "S"),
            ("MERCH_RN_ID", "abcdef0123456789"),
            ("MIT_AGREEMENT", "Y"),
        ],
    );
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), &bad).await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
    assert!(resp.text().await.unwrap().contains("RECUR_FREQ: is required"));
    bad = auth_form(
        &sandbox,
        "100032",
        "0.01",
        "0",
        &backref,
        &[
            ("TOKEN_ACTION", "REGISTER"),
            ("MERCH_TRAN_STATE", "S"),
            ("MERCH_RN_ID", "abcdef0123456789"),
            ("MIT_AGREEMENT", "N"),
        ],
    );
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), &bad).await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("TRTYPE: an MIT or recurring registration is TRTYPE 1")
    );
}

#[tokio::test]
async fn cardholder_initiated_payment_with_a_stored_card() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let resp = post(
        format!("{}/token/cgi_link", sandbox.azericard_url()),
        &auth_form(
            &sandbox,
            "100040",
            "1.00",
            "0",
            &backref,
            &[("TOKEN_ACTION", "REGISTER"), ("MERCH_TRAN_STATE", "S")],
        ),
    )
    .await;
    approve(resp.url().as_str(), "5167513336327283").await;
    let token = field(&callback(&seen, 1).await, "TOKEN").to_owned();
    let resp = post(
        format!("{}/token/cgi_link", sandbox.azericard_url()),
        &auth_form(
            &sandbox,
            "100041",
            "2.00",
            "1",
            &backref,
            &[("TOKEN", &token), ("MERCH_TRAN_STATE", "C")],
        ),
    )
    .await;
    let page = resp.url().to_string();
    assert!(resp.text().await.unwrap().contains("Paying with the saved card"));
    approve(&page, "").await;
    let cb = callback(&seen, 2).await;
    verify_callback(&sandbox, &cb, 2048).await;
    assert_eq!(
        (field(&cb, "TOKEN"), field(&cb, "ACTION"), field(&cb, "CARD")),
        (token.as_str(), "0", "516751******7283")
    );
    assert!(
        cb.iter().all(|(k, _)| k != "EXT_NET_REF"),
        "no agreement, no EXT_NET_REF"
    );
    // A stored card cannot be used with M in a browser form, nor with S.
    let resp = post(
        format!("{}/token/cgi_link", sandbox.azericard_url()),
        &auth_form(
            &sandbox,
            "100042",
            "2.00",
            "1",
            &backref,
            &[("TOKEN", &token), ("MERCH_TRAN_STATE", "S")],
        ),
    )
    .await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
    // Card without an MIT agreement: no server-to-server charge.
    let mut charge = charge_form(&sandbox, "100043", "2.00", "X", true);
    for (k, v) in &mut charge {
        if k == "TOKEN" {
            v.clone_from(&token);
        }
    }
    assert_eq!(
        token_link_why(&sandbox, &charge).await,
        refused("TOKEN: not registered for merchant-initiated charges")
    );
}

#[tokio::test]
async fn strict_fields_duplicates_json_and_case() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}/cgi-bin/cgi_link", sandbox.azericard_url());
    let backref = "http://127.0.0.1:9/back";
    // Stored-card fields belong to /token/cgi_link.
    let resp = post(
        url.clone(),
        &auth_form(
            &sandbox,
            "100050",
            "1.00",
            "1",
            backref,
            &[("TOKEN_ACTION", "REGISTER")],
        ),
    )
    .await;
    assert_eq!(resp.headers()["x-azericard-response-code"], "2");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("TOKEN_ACTION: not a field of this message")
    );
    // A field sent twice.
    let mut twice = auth_form(&sandbox, "100051", "1.00", "1", backref, &[]);
    twice.insert(0, ("AMOUNT".into(), "100.00".into()));
    assert_eq!(
        post(url.clone(), &twice).await.headers()["x-azericard-response-code"],
        "2"
    );
    // Upper-case hex P_SIGN: the spec's is lower case.
    let mut upper = auth_form(&sandbox, "100052", "1.00", "1", backref, &[]);
    let last = upper.last_mut().unwrap();
    last.1 = last.1.to_ascii_uppercase();
    assert_eq!(
        post(url.clone(), &upper).await.headers()["x-azericard-response-code"],
        "3"
    );
    // LANG is required; BACKREF must be http(s).
    let mut no_lang = auth_form(&sandbox, "100053", "1.00", "1", backref, &[]);
    no_lang.retain(|(k, _)| k != "LANG");
    assert!(
        post(url.clone(), &no_lang)
            .await
            .text()
            .await
            .unwrap()
            .contains("LANG: is required")
    );
    let js = auth_form(&sandbox, "100054", "1.00", "1", "javascript:alert(1)", &[]);
    assert!(
        post(url.clone(), &js)
            .await
            .text()
            .await
            .unwrap()
            .contains("BACKREF: must be an http(s) URL")
    );
    // A browser form as JSON, and a status query with a duplicate JSON key.
    let as_json: serde_json::Map<String, Value> = auth_form(&sandbox, "100055", "1.00", "1", backref, &[])
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let resp = reqwest::Client::new().post(&url).json(&as_json).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), "2");
    let dup = r#"{"ORDER":"100055","ORDER":"100056","TRTYPE":"90"}"#;
    let resp = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body(dup)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.text().await.unwrap(), "2");
}

#[tokio::test]
async fn a_terminal_with_a_1024_bit_gateway_key_signs_callbacks_and_status_with_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    assert!(
        sandbox
            .providers()
            .azericard
            .set_gateway_key(TERMINAL, GatewayKeySize::Rsa1024)
    );
    let resp = post(
        format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()),
        &auth_form(&sandbox, "100060", "3.00", "1", &backref, &[]),
    )
    .await;
    approve(resp.url().as_str(), "4111111111111111").await;
    let cb = callback(&seen, 1).await;
    assert_eq!(field(&cb, "P_SIGN").len(), 256);
    verify_callback(&sandbox, &cb, 1024).await;
    let st = status(&sandbox, "100060", "1").await;
    let keys = [
        "Merchant order id",
        "TERMINAL",
        "Transaction amount",
        "Transaction RRN",
        "INT_REF",
        "Timestamp",
        "Nonce",
    ];
    let values: Vec<&str> = keys.iter().map(|k| st[*k].as_str().unwrap()).collect();
    let sig = crypto::hex_decode(st["P_SIGN"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(sig.len(), 128);
    let pem = sandbox
        .providers()
        .azericard
        .gateway_public_key_pem_of(GatewayKeySize::Rsa1024);
    UnparsedPublicKey::new(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, der(pem))
        .verify(mac(&values).as_bytes(), &sig)
        .expect("status P_SIGN verifies with the 1024-bit key");
}

#[tokio::test]
async fn used_nonces_are_forgotten_after_the_timestamp_window() {
    let sandbox = Sandbox::start().await.unwrap();
    let az = &sandbox.providers().azericard;
    for i in 0..3 {
        status(&sandbox, &format!("99999{i}"), "1").await;
    }
    assert_eq!(az.store_sizes()[2], 3);
    // Two hours later a replay of those NONCEs fails its TIMESTAMP anyway: they go on the next insert.
    sandbox.clock().advance(Duration::from_secs(2 * 3600 + 1));
    status(&sandbox, "999999", "1").await;
    assert_eq!(az.store_sizes()[2], 1);
}

#[tokio::test]
async fn concurrent_refunds_of_an_mit_charge_never_exceed_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let (backref, seen) = receiver().await;
    let az = &sandbox.providers().azericard;
    az.preset(
        "100070",
        Preset {
            token: Some(TOKEN.into()),
            ext_net_ref: Some("NETREF777".into()),
            ..Preset::default()
        },
    );
    let form = auth_form(
        &sandbox,
        "100070",
        "0.01",
        "1",
        &backref,
        &[
            ("TOKEN_ACTION", "REGISTER"),
            ("MERCH_TRAN_STATE", "S"),
            ("MERCH_RN_ID", "0123456789abcdef"),
            ("MIT_AGREEMENT", "N"),
        ],
    );
    let resp = post(format!("{}/token/cgi_link", sandbox.azericard_url()), &form).await;
    approve(resp.url().as_str(), "4111111111111111").await;
    callback(&seen, 1).await;
    assert_eq!(
        token_link(&sandbox, &charge_form(&sandbox, "100071", "10.50", "NETREF777", true)).await,
        "0"
    );
    let st = status(&sandbox, "100071", "1").await;
    let (rrn, int_ref) = (
        st["Transaction RRN"].as_str().unwrap().to_owned(),
        st["INT_REF"].as_str().unwrap().to_owned(),
    );
    let forms: Vec<Vec<(String, String)>> = (0..20)
        .map(|_| {
            let (ts, n) = (timestamp(&sandbox), nonce());
            let sign = p_sign(&mac(&["1.00", "AZN", TERMINAL, "22", "100071", &rrn, &int_ref]));
            owned(&[
                ("ORDER", "100071"),
                ("AMOUNT", "1.00"),
                ("CURRENCY", "AZN"),
                ("RRN", &rrn),
                ("INT_REF", &int_ref),
                ("TRTYPE", "22"),
                ("TERMINAL", TERMINAL),
                ("TIMESTAMP", &ts),
                ("NONCE", &n),
                ("P_SIGN", &sign),
            ])
        })
        .collect();
    let url = format!("{}/cgi-bin/cgi_link", sandbox.azericard_url());
    let mut tasks = tokio::task::JoinSet::new();
    for f in forms {
        let url = url.clone();
        tasks.spawn(async move { post(url, &f).await.text().await.unwrap() });
    }
    let codes: Vec<String> = tasks.join_all().await;
    assert_eq!(codes.iter().filter(|c| *c == "0").count(), 10, "{codes:?}");
    assert!(codes.iter().all(|c| c == "0" || c == "2"), "{codes:?}");
    let order = az.order("100071").unwrap();
    assert_eq!((order.captured.minor(), order.refunded.minor()), (1050, 1000));
}
