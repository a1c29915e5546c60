//! The QR wallet operations added in this wave: Payment, AddProviderMediaToWallet,
//! provider QR (CreateQrCode/BeginQrCodePayment), TR QR, reconciliation, and
//! the top-up / withdrawal webhooks. A plain reqwest client (never the
//! qr-wallet crate); decimals are checked on the raw text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use payments_sandbox::Sandbox;
use payments_sandbox::qr::{self, codes};
use rust_decimal::Decimal;
use serde_json::Value;

struct Ctx {
    sandbox: Sandbox,
    http: reqwest::Client,
    token: String,
}

impl Ctx {
    async fn new() -> Ctx {
        let sandbox = Sandbox::start().await.unwrap();
        let http = reqwest::Client::new();
        let resp = http
            .post(format!("{}/identity/connect/token", sandbox.qr_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "sts_api"),
                ("client_id", qr::CLIENT_ID),
                ("client_secret", qr::CLIENT_SECRET),
            ])
            .send()
            .await
            .unwrap();
        let v: Value = resp.json().await.unwrap();
        let token = v["access_token"].as_str().unwrap().to_owned();
        Ctx { sandbox, http, token }
    }

    /// POSTs to `/api/v1/{path}`; returns HTTP status, text and JSON.
    async fn call(&self, path: &str, body: &str) -> (u16, String, Value) {
        let resp = self
            .http
            .post(format!("{}/api/v1/{path}", self.sandbox.qr_url()))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, text, v)
    }

    async fn ok(&self, path: &str, body: &str) -> (String, Value) {
        let (status, text, v) = self.call(path, body).await;
        assert_eq!((status, v["status"].as_i64()), (200, Some(0)), "{path}: {text}");
        (text, v)
    }

    async fn refused(&self, path: &str, body: &str, code: &str) {
        let (status, text, v) = self.call(path, body).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(
            (v["status"].as_i64(), v["code"].as_str()),
            (Some(2), Some(code)),
            "{text}"
        );
    }

    fn balance(&self, wallet: &str) -> Decimal {
        self.sandbox.providers().qr.balance(wallet).unwrap()
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn payment(ext: &str, sender: &str, account: &str, receiver: &str, amount: &str) -> String {
    format!(
        r#"{{"sender_account_number":"{account}","sender_wallet_number":"{sender}","ext_transaction_id":"{ext}","currency_code":"TRY","amount":{amount},"description":"yemek","receiver_wallet_number":"{receiver}","hash_key":""}}"#
    )
}

#[tokio::test]
async fn payment_to_a_business_wallet_and_its_refusals() {
    let ctx = Ctx::new().await;
    let p = |ext: &str, amount: &str| payment(ext, qr::TEST_WALLET, qr::TEST_WALLET_ACCOUNT, qr::SECOND_WALLET, amount);
    let (text, v) = ctx.ok("Transaction/Payment", &p("pay-1", "12.30")).await;
    assert_eq!(v["code"], "100");
    assert!(text.contains("\"transaction_amount\":12.3000"), "{text}");
    assert_eq!(v["payload"]["ext_order_id"], "pay-1");
    assert_eq!(v["payload"]["receiver_wallet_number"], qr::SECOND_WALLET);
    assert_eq!(v["payload"]["tenant_id"], 1);
    assert_eq!(v["payload"]["sender_wallet_info"]["account_type"], "Personal");
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("987.70"));
    let txn = v["payload"]["transaction_id"].as_str().unwrap().to_owned();

    ctx.refused("Transaction/Payment", &p("pay-1", "1"), codes::DUPLICATE)
        .await;
    ctx.refused(
        "Transaction/Payment",
        &payment("pay-2", qr::TEST_WALLET, "WRONG", qr::SECOND_WALLET, "1"),
        codes::ACCOUNT_MISMATCH,
    )
    .await;
    ctx.refused(
        "Transaction/Payment",
        &payment(
            "pay-3",
            qr::SECOND_WALLET,
            qr::SECOND_WALLET_ACCOUNT,
            qr::TEST_WALLET,
            "1",
        ),
        codes::NOT_BUSINESS,
    )
    .await;
    ctx.refused(
        "Transaction/Payment",
        &payment(
            "pay-4",
            qr::SECOND_WALLET,
            qr::SECOND_WALLET_ACCOUNT,
            qr::SECOND_WALLET,
            "1",
        ),
        codes::SAME_WALLET,
    )
    .await;
    ctx.refused(
        "Transaction/Payment",
        &payment("pay-5", qr::POOR_WALLET, "EEEEEE020", qr::SECOND_WALLET, "1"),
        codes::INSUFFICIENT_BALANCE,
    )
    .await;
    ctx.refused(
        "Transaction/Payment",
        &payment("pay-6", "404", "X", qr::SECOND_WALLET, "1"),
        codes::WALLET_NOT_FOUND,
    )
    .await;
    ctx.refused("Transaction/Payment", &p("pay-7", "0.001"), codes::INVALID_AMOUNT)
        .await;
    // An empty ext_transaction_id: "Sistem Hatası!" (500), as Katalon sees it.
    ctx.refused("Transaction/Payment", &p("", "1"), codes::SYSTEM_ERROR)
        .await;
    // 501 "try again" after the money moved: reconciliation shows the payment.
    ctx.refused(
        "Transaction/Payment",
        &p("pay-8", &qr::MAGIC_TRY_AGAIN_AMOUNT.to_string()),
        codes::TRY_AGAIN,
    )
    .await;
    let (text, v) = ctx
        .ok(
            "TransactionData/SummaryRecordByFilter",
            r#"{"page_size":10,"page_index":0,"order_column":"CreatedDateUtc","order_by":"desc","ext_transaction_id":"pay-8"}"#,
        )
        .await;
    assert_eq!(v["payload"]["results"].as_array().unwrap().len(), 1, "{text}");
    assert!(text.contains("\"tx_base_amount\":501.00"), "{text}");

    // The Katalon way to refund a Payment: its transaction_id as tx_correlation_id.
    let refund = format!(
        r#"{{"ext_transaction_id":"rf-1","tx_correlation_id":"{txn}","currency_code":"TRY","refund_amount":2.30}}"#
    );
    let (_, v) = ctx.ok("Transaction/RefundPaymentInstant", &refund).await;
    assert_eq!(v["code"], "100");
    ctx.refused("Transaction/RefundPaymentInstant", &refund, codes::DUPLICATE)
        .await;
    // 987.70 - 501 (the "try again" payment went through) + 2.30 refunded.
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("489.00"));
    assert!(ctx.sandbox.providers().qr.payments_consistent());
}

#[tokio::test]
async fn provider_media_and_provider_qr() {
    let ctx = Ctx::new().await;
    let add = |account: &str, provider: &str| {
        format!(
            r#"{{"account_number":"{account}","wallet_number":"{}","provider_id":"{provider}","media_key":null}}"#,
            qr::TEST_WALLET
        )
    };
    let (text, v) = ctx
        .ok(
            "Account/AddProviderMediaToWallet",
            &add(qr::TEST_WALLET_ACCOUNT, "Metropol"),
        )
        .await;
    assert_eq!(v["code"], "100", "{text}");
    assert_eq!(v["payload"], true);
    ctx.refused(
        "Account/AddProviderMediaToWallet",
        &add("WRONG", "Metropol"),
        codes::ACCOUNT_MISMATCH,
    )
    .await;
    let (status, _, v) = ctx
        .call(
            "Account/AddProviderMediaToWallet",
            &add(qr::TEST_WALLET_ACCOUNT, "Nope"),
        )
        .await;
    assert_eq!((status, v["code"].as_str()), (400, Some(codes::VALIDATION)));

    // CreateQrCode + BeginQrCodePayment [U], completed as a partner QR.
    let (_, v) = ctx
        .ok(
            "Transaction/CreateQrCode",
            r#"{"provider_id":"Metropol","data":{"MerchantCode":"M1","TerminalCode":"T1","TransactionAmount":7.5}}"#,
        )
        .await;
    let code = v["payload"]["qr_code"].as_str().unwrap().to_owned();
    let body = format!(
        r#"{{"wallet_number":"{}","provider_id":"Metropol","qr_code":"{code}","qr_code_type":1}}"#,
        qr::TEST_WALLET
    );
    // A provider QR is not a partner QR.
    ctx.refused("Transaction/Begin3rdPartyQRCodePayment", &body, codes::NO_RECORD)
        .await;
    let (_, v) = ctx.ok("Transaction/BeginQrCodePayment", &body).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    let complete = format!(
        r#"{{"wallet_number":"{}","provider_id":"Metropol","tx_correlation_id":{correlation}}}"#,
        qr::TEST_WALLET
    );
    ctx.ok("Transaction/Complete3rdPartyQRCodePayment", &complete).await;
    ctx.refused("Transaction/Complete3rdPartyQRCodePayment", &complete, codes::DUPLICATE)
        .await;
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("992.50"));
}

#[tokio::test]
async fn tr_qr_read_get_and_expiry() {
    let ctx = Ctx::new().await;
    let state = &ctx.sandbox.providers().qr;
    let minted = state.create_tr_qr(dec("700.62"), Duration::from_secs(3600));
    let (text, v) = ctx
        .ok(
            "Transaction/ReadTRQRCode",
            &format!(r#"{{"QRCode":"{}"}}"#, minted.text),
        )
        .await;
    assert!(v["code"].is_null() && v["message"].is_null(), "{text}");
    assert_eq!(v["payload"]["resultCode"], 0);
    assert_eq!(v["payload"]["amount"], "000000070062");
    assert_eq!(v["payload"]["currencyCode"], 949);
    assert_eq!(v["payload"]["qrRefNo"], minted.ref_no.as_str());
    ctx.refused(
        "Transaction/ReadTRQRCode",
        r#"{"QRCode":"garbage"}"#,
        codes::TR_QR_UNREADABLE,
    )
    .await;
    // The PascalCase key is the documented one.
    let (status, _, _) = ctx
        .call(
            "Transaction/ReadTRQRCode",
            &format!(r#"{{"qr_code":"{}"}}"#, minted.text),
        )
        .await;
    assert_eq!(status, 400);

    let get = format!(r#"{{"QrRefNo":"{}"}}"#, minted.ref_no);
    let (_, v) = ctx.ok("Transaction/GetTRQRCode", &get).await;
    assert_eq!(v["payload"]["status"], 100);
    assert_eq!(v["payload"]["expire_in_seconds"], "01:00:00");
    assert!(state.set_tr_qr_status(&minted.ref_no, 200));
    let (_, v) = ctx.ok("Transaction/GetTRQRCode", &get).await;
    assert_eq!(v["payload"]["status"], 200);
    assert_eq!(v["payload"]["last_status_message"], "Approved");

    let short = state.create_tr_qr(dec("1"), Duration::from_secs(60));
    ctx.sandbox.clock().advance(Duration::from_secs(60));
    ctx.refused(
        "Transaction/GetTRQRCode",
        &format!(r#"{{"QrRefNo":"{}"}}"#, short.ref_no),
        codes::EXPIRED,
    )
    .await;
}

#[tokio::test]
async fn reconciliation_filters_and_receipt() {
    let ctx = Ctx::new().await;
    for (ext, amount) in [("r-a", "1"), ("r-b", "2"), ("r-c", "3")] {
        ctx.ok(
            "Transaction/Payment",
            &payment(ext, qr::TEST_WALLET, qr::TEST_WALLET_ACCOUNT, qr::SECOND_WALLET, amount),
        )
        .await;
    }
    let query = |extra: &str| {
        format!(r#"{{"page_size":2,"page_index":0,"order_column":"CreatedDateUtc","order_by":"asc"{extra}}}"#)
    };
    let (_, v) = ctx.ok("TransactionData/SummaryRecordByFilter", &query("")).await;
    assert_eq!(v["code"], "100");
    let results = v["payload"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "page_size");
    assert_eq!(results[0]["ext_transaction_id"], "r-a");
    let (_, v) = ctx
        .ok("TransactionData/SummaryRecordByFilter", &query(r#","min_amount":2.5"#))
        .await;
    assert_eq!(v["payload"]["results"][0]["ext_transaction_id"], "r-c");
    // Older than 3 days is outside the default period.
    ctx.sandbox.clock().advance(Duration::from_secs(4 * 86_400));
    let fresh = Ctx {
        token: {
            let resp = ctx
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
                .unwrap();
            let v: Value = resp.json().await.unwrap();
            v["access_token"].as_str().unwrap().to_owned()
        },
        http: ctx.http.clone(),
        sandbox: ctx.sandbox,
    };
    let (_, v) = fresh.ok("TransactionData/SummaryRecordByFilter", &query("")).await;
    assert_eq!(v["payload"]["results"].as_array().unwrap().len(), 0);
    let (_, v) = fresh
        .ok(
            "TransactionData/SummaryRecordByFilter",
            &query(r#","start_date":"2000-01-01T00:00:00Z""#),
        )
        .await;
    let id = v["payload"]["results"][0]["id"].as_str().unwrap().to_owned();
    let (_, v) = fresh
        .ok("TransactionData/TransactionReceipt", &format!(r#"{{"id":"{id}"}}"#))
        .await;
    assert_eq!(v["payload"]["id"], id.as_str());
    // Required paging fields.
    let (status, _, v) = fresh
        .call(
            "TransactionData/SummaryRecordByFilter",
            r#"{"page_index":0,"order_column":"Id"}"#,
        )
        .await;
    assert_eq!((status, v["status"].as_i64()), (400, Some(400)));
}

type Received = Arc<Mutex<Vec<Value>>>;

#[tokio::test]
async fn top_up_and_withdrawal_send_their_webhooks() {
    let ctx = Ctx::new().await;
    let seen: Received = Arc::default();
    async fn record(State(seen): State<Received>, body: Bytes) -> &'static str {
        seen.lock()
            .unwrap()
            .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
        "OK"
    }
    let app = Router::new().route("/hook", post(record)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    ctx.sandbox.providers().qr.set_webhook_url(&url);
    let side = |path: &str, body: String| {
        let http = ctx.http.clone();
        let url = format!("{}/sandbox/{path}", ctx.sandbox.qr_url());
        async move {
            let resp = http.post(url).body(body).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<Value>().await.unwrap()
        }
    };
    let wait = |n: usize| {
        let seen = seen.clone();
        async move {
            for _ in 0..300 {
                if seen.lock().unwrap().len() >= n {
                    return seen.lock().unwrap()[n - 1].clone();
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("webhook {n} not delivered");
        }
    };
    let topup = |amount: &str, receipt: &str| {
        format!(
            r#"{{"wallet_number":"{}","amount":{amount},"receipt_no":"{receipt}"}}"#,
            qr::TEST_WALLET
        )
    };
    let v = side("topup", topup("100", "R1")).await;
    assert_eq!(v["result_code"], "Success");
    let hook = wait(1).await;
    assert_eq!(hook["transaction_status_id"], 20);
    assert_eq!(hook["to_wallet_number"], qr::TEST_WALLET);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("1100.00"));
    let v = side("topup", topup("1", "R1")).await;
    assert_eq!(v["result_code"], codes::RECEIPT_REUSED);
    assert_eq!(wait(2).await["result_code"], codes::RECEIPT_REUSED);
    let v = side("topup", topup("49000", "R2")).await;
    assert_eq!(v["result_code"], codes::LIMIT);
    assert_eq!(wait(3).await["result_code"], codes::LIMIT);

    let withdraw = |amount: &str| {
        format!(
            r#"{{"wallet_number":"{}","amount":{amount},"iban":"TR330006100519786457841326","ext_transaction_id":"w-{amount}"}}"#,
            qr::TEST_WALLET
        )
    };
    side("withdraw", withdraw("100")).await;
    let hook = wait(4).await;
    assert_eq!(hook["after_process_status"], 1);
    assert_eq!(hook["transaction_type"], "A01");
    side("withdraw", withdraw("5000")).await;
    assert_eq!(wait(5).await["after_process_status"], 2);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("1000.00"));
}
