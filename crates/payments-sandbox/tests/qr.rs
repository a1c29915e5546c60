//! The QR wallet emulator, driven by a plain reqwest client written here (never
//! the qr-wallet crate). Decimals are checked on the raw response text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;
use std::time::Duration;

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
        let mut ctx = Ctx {
            sandbox,
            http,
            token: String::new(),
        };
        ctx.token = ctx.fetch_token().await;
        ctx
    }

    async fn token_raw(&self, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/identity/connect/token", self.sandbox.qr_url()))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn fetch_token(&self) -> String {
        let resp = self
            .token_raw(&[
                ("grant_type", "client_credentials"),
                ("scope", "sts_api"),
                ("client_id", qr::CLIENT_ID),
                ("client_secret", qr::CLIENT_SECRET),
            ])
            .await;
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    async fn raw_call(&self, op: &str, token: Option<&str>, body: &str) -> reqwest::Response {
        // `Op` is under /v1/Transaction; `Area/Op` names another area.
        let path = if op.contains('/') {
            op.to_owned()
        } else {
            format!("Transaction/{op}")
        };
        let mut req = self
            .http
            .post(format!("{}/api/v1/{path}", self.sandbox.qr_url()))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    /// Posts raw JSON text; returns the raw answer and its parsed envelope.
    async fn call(&self, op: &str, body: &str) -> (String, Value) {
        let resp = self.raw_call(op, Some(&self.token), body).await;
        assert_eq!(resp.status(), 200, "{op}");
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(
            v.get("status").is_some() && v.get("code").is_some() && v.get("payload").is_some(),
            "{text}"
        );
        (text, v)
    }

    async fn expect_error(&self, op: &str, body: &str, code: &str) -> Value {
        let (text, v) = self.call(op, body).await;
        assert_eq!(v["status"], 2, "{text}");
        assert_eq!(v["code"], code, "{text}");
        assert!(v["message"].is_string(), "{text}");
        assert!(v["payload"].is_null(), "{text}");
        v
    }

    /// Field validation: HTTP 400, status 1, code "999".
    async fn expect_validation(&self, op: &str, body: &str) -> Value {
        let resp = self.raw_call(op, Some(&self.token), body).await;
        assert_eq!(resp.status(), 400, "{op}");
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (v["status"].as_i64(), v["code"].as_str()),
            (Some(1), Some(codes::VALIDATION)),
            "{text}"
        );
        assert!(v["message"].is_string() && v["payload"].is_null(), "{text}");
        v
    }

    /// The framework's own answer: HTTP 400 `{"status":400, "errors":{...}}`, no envelope.
    async fn expect_framework(&self, op: &str, body: &str) -> Value {
        let resp = self.raw_call(op, Some(&self.token), body).await;
        assert_eq!(resp.status(), 400, "{op}");
        let text = resp.text().await.unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], 400, "{text}");
        assert!(v["errors"].is_object() && v.get("code").is_none(), "{text}");
        v
    }

    async fn partner_qr(&self, amount: &str) -> String {
        let body = format!(
            r#"{{"provider_id":"112233","data":{{"MerchantCode":"0007777777","TerminalCode":"0007777777","TransactionAmount":{amount}}}}}"#
        );
        let (text, v) = self.call("Create3rdPartyQrCode", &body).await;
        assert_eq!(v["status"], 0, "{text}");
        v["payload"]["qr_code"].as_str().unwrap().to_owned()
    }

    async fn begin(&self, wallet: &str, qr_code: &str) -> (String, Value) {
        let body =
            format!(r#"{{"wallet_number":"{wallet}","provider_id":112233,"qr_code":"{qr_code}","qr_code_type":1}}"#);
        self.call("Begin3rdPartyQRCodePayment", &body).await
    }

    fn balance(&self, wallet: &str) -> Decimal {
        self.sandbox.providers().qr.balance(wallet).unwrap()
    }
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn complete_body(wallet: &str, correlation: &str) -> String {
    // The correlation id goes as a bare JSON number, wider than 64 bits.
    format!(r#"{{"wallet_number":"{wallet}","provider_id":"112233","tx_correlation_id":{correlation}}}"#)
}

#[tokio::test]
async fn identity_token_is_issued_checked_and_expires() {
    let ctx = Ctx::new().await;
    let resp = ctx
        .token_raw(&[
            ("grant_type", "client_credentials"),
            ("scope", "sts_api"),
            ("client_id", qr::CLIENT_ID),
            ("client_secret", qr::CLIENT_SECRET),
        ])
        .await;
    let text = resp.text().await.unwrap();
    assert!(text.contains("\"expires_in\":3600"), "{text}");
    assert!(text.contains("\"token_type\":\"Bearer\"") && text.contains("\"scope\":\"sts_api\""));

    for (form, error) in [
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "sts_api"),
                ("client_id", qr::CLIENT_ID),
                ("client_secret", "x"),
            ],
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("scope", "other"),
                ("client_id", qr::CLIENT_ID),
                ("client_secret", qr::CLIENT_SECRET),
            ],
            "invalid_scope",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("scope", "sts_api"),
                ("client_id", qr::CLIENT_ID),
                ("client_secret", qr::CLIENT_SECRET),
            ],
            "unsupported_grant_type",
        ),
    ] {
        let resp = ctx.token_raw(&form).await;
        assert_eq!(resp.status(), 400);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"], error);
    }

    let body = r#"{"qr_code":"nothing"}"#;
    assert_eq!(ctx.raw_call("CheckQRPaymentStatus", None, body).await.status(), 401);
    assert_eq!(
        ctx.raw_call("CheckQRPaymentStatus", Some("forged"), body)
            .await
            .status(),
        401
    );
    // A valid token passes (the QR is unknown: an envelope error, HTTP 200).
    ctx.expect_error("CheckQRPaymentStatus", body, codes::NO_RECORD).await;

    ctx.sandbox.clock().advance(Duration::from_secs(3599));
    ctx.expect_error("CheckQRPaymentStatus", body, codes::NO_RECORD).await;
    ctx.sandbox.clock().advance(Duration::from_secs(1));
    let resp = ctx.raw_call("CheckQRPaymentStatus", Some(&ctx.token), body).await;
    assert_eq!(resp.status(), 401);
    let challenge = resp.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(challenge.contains("expired"), "{challenge}");
    let fresh = ctx.fetch_token().await;
    assert_eq!(
        ctx.raw_call("CheckQRPaymentStatus", Some(&fresh), body).await.status(),
        200
    );
}

#[tokio::test]
async fn begin_and_complete_with_a_correlation_id_wider_than_64_bits() {
    let ctx = Ctx::new().await;
    let qr_code = ctx.partner_qr("100.00").await;

    let (text, v) = ctx.begin(qr::TEST_WALLET, &qr_code).await;
    assert_eq!(v["status"], 0, "{text}");
    assert_eq!(v["code"], "100");
    assert!(v["message"].is_null());
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    assert!(
        correlation.len() > 19 && correlation.bytes().all(|b| b.is_ascii_digit()),
        "{correlation}"
    );
    assert!(u64::from_str(&correlation).is_err(), "wider than 64 bits");

    // payment_data is a JSON document inside a string.
    let payment_data = v["payload"]["payment_data"].as_str().unwrap();
    let pd: Value = serde_json::from_str(payment_data).unwrap();
    assert!(payment_data.contains("\"RequestAmount\":100,"), "{payment_data}");
    assert_eq!(pd["Kdv"], "1,00");
    assert_eq!(pd["DiscountRatio"], "0,00");
    assert_eq!(pd["CurrencyId"], "1");
    assert_eq!(pd["MerchantNo"], "0007777777");
    assert_eq!(pd["ResponseCode"], 0);
    assert!(pd["ErrorMessage"].is_null());
    assert_eq!(pd["SaleRefCode"].as_str().unwrap().len(), 22);
    let expiry = pd["SessionExpireDate"].as_str().unwrap();
    assert_eq!(expiry.len(), "2021-04-01T08:38:40.51".len(), "{expiry}");
    assert!(!expiry.contains('+') && !expiry.ends_with('Z'));

    let (text, v) = ctx
        .call(
            "Complete3rdPartyQRCodePayment",
            &complete_body(qr::TEST_WALLET, &correlation),
        )
        .await;
    assert_eq!(
        (v["status"].as_i64(), v["code"].as_str()),
        (Some(0), Some("100")),
        "{text}"
    );
    assert_eq!(v["message"], "İşlem başarılı");
    let p = &v["payload"];
    assert!(text.contains("\"transaction_amount\":100.0000"), "{text}");
    assert!(text.contains("\"transaction_fee\":0.0000") && text.contains("\"charged_amount\":100.0000"));
    assert!(text.contains("\"total_balance\":900.00"), "{text}");
    assert_eq!(p["receiver_wallet_number"], qr::MERCHANT_WALLET);
    assert_eq!(p["receiver_account_number"], qr::MERCHANT_ACCOUNT);
    assert_eq!(p["sender_wallet_info"]["number"], qr::TEST_WALLET);
    assert_eq!(p["sender_wallet_info"]["currency_code"], "TRY");
    let ext: Value = serde_json::from_str(p["ext_order_id"].as_str().unwrap()).unwrap();
    assert_eq!(ext["saleRefCode"], pd["SaleRefCode"]);
    assert_eq!(ext["transactionId"], pd["TransactionId"]);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("900.00"));
    assert_eq!(ctx.balance(qr::MERCHANT_WALLET), dec("100.00"));

    // The correlation id as a string works the same; completing twice does not.
    let twice = format!(
        r#"{{"wallet_number":"{}","provider_id":"112233","tx_correlation_id":"{correlation}"}}"#,
        qr::TEST_WALLET
    );
    ctx.expect_error("Complete3rdPartyQRCodePayment", &twice, codes::DUPLICATE)
        .await;
    // The paid QR cannot start another session.
    ctx.expect_error(
        "Begin3rdPartyQRCodePayment",
        &format!(
            r#"{{"wallet_number":"{}","provider_id":"112233","qr_code":"{qr_code}","qr_code_type":1}}"#,
            qr::TEST_WALLET
        ),
        codes::DUPLICATE,
    )
    .await;
    let (text, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    // Sipay's sample: success with code and message null, qr_status_code first.
    assert!(v["code"].is_null() && v["message"].is_null(), "{text}");
    assert_eq!(v["payload"]["qr_status_code"], 200);
    assert_eq!(v["payload"]["qr_status"], "Approved");

    // The seed's literal key, on request.
    ctx.sandbox.providers().qr.set_spaced_correlation_key(true);
    let qr_code = ctx.partner_qr("1").await;
    let (_, v) = ctx.begin(qr::TEST_WALLET, &qr_code).await;
    assert!(v["payload"][" tx_correlation_id "].is_string());
}

#[tokio::test]
async fn an_expired_session_cannot_be_completed() {
    let ctx = Ctx::new().await;
    let minted = ctx
        .sandbox
        .providers()
        .qr
        .create_partner_qr("0007777777", "0007777778", dec("12.50"));
    // The short code, qr_code_type 2.
    let body = format!(
        r#"{{"wallet_number":"{}","provider_id":"112233","qr_code":"{}","qr_code_type":2}}"#,
        qr::TEST_WALLET,
        minted.short_code
    );
    let (text, v) = ctx.call("Begin3rdPartyQRCodePayment", &body).await;
    assert_eq!(v["status"], 0, "{text}");
    let pd: Value = serde_json::from_str(v["payload"]["payment_data"].as_str().unwrap()).unwrap();
    assert_eq!(pd["TerminalNo"], "0007777778");
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();

    ctx.sandbox
        .clock()
        .advance(Duration::from_secs(qr::SESSION_LIFETIME_SECS as u64));
    ctx.expect_error(
        "Complete3rdPartyQRCodePayment",
        &complete_body(qr::TEST_WALLET, &correlation),
        codes::EXPIRED,
    )
    .await;
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("1000.00"));

    // A new session on the same (still valid) QR completes.
    let (_, v) = ctx.call("Begin3rdPartyQRCodePayment", &body).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    let (text, v) = ctx
        .call(
            "Complete3rdPartyQRCodePayment",
            &complete_body(qr::TEST_WALLET, &correlation),
        )
        .await;
    assert_eq!(v["status"], 0, "{text}");
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("987.50"));

    // The QR itself expires too.
    let later = ctx.sandbox.providers().qr.create_partner_qr("1", "2", dec("1"));
    ctx.sandbox
        .clock()
        .advance(Duration::from_secs(qr::QR_LIFETIME_SECS as u64));
    let token = ctx.fetch_token().await;
    let resp = ctx
        .raw_call(
            "Begin3rdPartyQRCodePayment",
            Some(&token),
            &format!(
                r#"{{"wallet_number":"{}","provider_id":"112233","qr_code":"{}","qr_code_type":1}}"#,
                qr::TEST_WALLET,
                later.qr_code
            ),
        )
        .await;
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], codes::EXPIRED);
}

#[tokio::test]
async fn error_codes_in_the_envelope() {
    let ctx = Ctx::new().await;
    let qr_code = ctx.partner_qr("5.00").await;

    // Unknown wallet: 300. Unknown provider: validation (999). Unknown QR: 312 (no record).
    ctx.expect_error(
        "Begin3rdPartyQRCodePayment",
        &format!(r#"{{"wallet_number":"999","provider_id":"112233","qr_code":"{qr_code}","qr_code_type":1}}"#),
        codes::WALLET_NOT_FOUND,
    )
    .await;
    ctx.expect_validation(
        "Begin3rdPartyQRCodePayment",
        &format!(
            r#"{{"wallet_number":"{}","provider_id":"1","qr_code":"{qr_code}","qr_code_type":1}}"#,
            qr::TEST_WALLET
        ),
    )
    .await;
    ctx.expect_error(
        "Begin3rdPartyQRCodePayment",
        &format!(
            r#"{{"wallet_number":"{}","provider_id":"112233","qr_code":"777B77","qr_code_type":1}}"#,
            qr::TEST_WALLET
        ),
        codes::NO_RECORD,
    )
    .await;
    let v = ctx
        .expect_validation(
            "Begin3rdPartyQRCodePayment",
            &format!(
                r#"{{"wallet_number":"{}","provider_id":"112233","qr_code_type":1}}"#,
                qr::TEST_WALLET
            ),
        )
        .await;
    assert!(v["message"].as_str().unwrap().contains("qr_code"));

    // Insufficient balance: 311, and nothing moves.
    let (_, v) = ctx.begin(qr::POOR_WALLET, &qr_code).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    ctx.expect_error(
        "Complete3rdPartyQRCodePayment",
        &complete_body(qr::POOR_WALLET, &correlation),
        codes::INSUFFICIENT_BALANCE,
    )
    .await;
    assert_eq!(ctx.balance(qr::POOR_WALLET), dec("0.10"));
    // Another wallet cannot complete the poor wallet's session.
    ctx.expect_validation(
        "Complete3rdPartyQRCodePayment",
        &complete_body(qr::TEST_WALLET, &correlation),
    )
    .await;
    // Unknown correlation id: 312. No correlation id at all: the framework's 400.
    ctx.expect_error(
        "Complete3rdPartyQRCodePayment",
        &complete_body(qr::TEST_WALLET, "7777777777777777777777"),
        codes::NO_RECORD,
    )
    .await;
    ctx.expect_framework(
        "Complete3rdPartyQRCodePayment",
        &format!(r#"{{"wallet_number":"{}","provider_id":"112233"}}"#, qr::TEST_WALLET),
    )
    .await;

    // Amounts: below 0.01 or more than 2 decimals is 315; negative is a
    // validation error; text or exponents cannot be read at all.
    let create = |amount: &str| {
        format!(
            r#"{{"provider_id":"112233","data":{{"MerchantCode":"1","TerminalCode":"2","TransactionAmount":{amount}}}}}"#
        )
    };
    for amount in ["0", "1.001", "0.001"] {
        ctx.expect_error("Create3rdPartyQrCode", &create(amount), codes::INVALID_AMOUNT)
            .await;
    }
    for amount in ["-5", "1000000000"] {
        let v = ctx.expect_validation("Create3rdPartyQrCode", &create(amount)).await;
        assert!(
            v["message"].as_str().unwrap().contains("between 0 and 999999999"),
            "{v}"
        );
    }
    for amount in ["\"abc\"", "1e3"] {
        ctx.expect_framework("Create3rdPartyQrCode", &create(amount)).await;
    }
    // A Turkish decimal string is an amount.
    let (text, _) = ctx.call("Create3rdPartyQrCode", &create("\"1,50\"")).await;
    assert!(text.contains("\"amount\":1.50"), "{text}");

    // Unreadable JSON and repeated keys: the framework's 400, no envelope.
    ctx.expect_framework("Begin3rdPartyQRCodePayment", "{not json").await;
    let v = ctx
        .expect_framework(
            "Begin3rdPartyQRCodePayment",
            &format!(
                r#"{{"wallet_number":"{}","wallet_number":"999","provider_id":"112233","qr_code":"{qr_code}","qr_code_type":1}}"#,
                qr::TEST_WALLET
            ),
        )
        .await;
    assert!(v.to_string().contains("duplicate key"), "{v}");

    // Content-Type is checked: 415 for anything but application/json.
    let resp = ctx
        .http
        .post(format!(
            "{}/api/v1/Transaction/CheckQRPaymentStatus",
            ctx.sandbox.qr_url()
        ))
        .bearer_auth(&ctx.token)
        .header("content-type", "text/plain")
        .body(format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    let resp = ctx
        .http
        .post(format!(
            "{}/api/v1/Transaction/CheckQRPaymentStatus",
            ctx.sandbox.qr_url()
        ))
        .bearer_auth(&ctx.token)
        .header("content-type", "application/json; charset=utf-8")
        .body(format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn refunds_are_partial_and_bounded_by_the_paid_amount() {
    let ctx = Ctx::new().await;
    let qr_code = ctx.partner_qr("100").await;
    let (_, v) = ctx.begin(qr::TEST_WALLET, &qr_code).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    let (_, v) = ctx
        .call(
            "Complete3rdPartyQRCodePayment",
            &complete_body(qr::TEST_WALLET, &correlation),
        )
        .await;
    assert_eq!(v["status"], 0);
    let refund = |ext: &str, amount: &str| {
        format!(
            r#"{{"ext_transaction_id":"{ext}","tx_correlation_id":{correlation},"currency_code":"TRY","refund_amount":{amount},"description":"iade"}}"#
        )
    };

    // RefundPayment (not instant) takes full refunds only (Katalon: 315 on a partial one).
    ctx.expect_error("RefundPayment", &refund("r-0", "40"), codes::INVALID_AMOUNT)
        .await;
    let (text, v) = ctx.call("RefundPaymentInstant", &refund("r-1", "40")).await;
    assert_eq!(
        (v["status"].as_i64(), v["code"].as_str()),
        (Some(0), Some("100")),
        "{text}"
    );
    assert!(text.contains("\"transaction_amount\":40.0000"), "{text}");
    assert!(text.contains("\"previous_amount\":900.0000"), "{text}");
    assert_eq!(v["payload"]["ext_transaction_id"], "r-1");
    assert_eq!(v["payload"]["wallet_info"]["number"], qr::TEST_WALLET);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("940.00"));

    ctx.expect_error("RefundPaymentInstant", &refund("r-2", "60.01"), codes::INVALID_AMOUNT)
        .await;
    // A reused refund id is 301, whatever the amount.
    ctx.expect_error("RefundPaymentInstant", &refund("r-1", "1"), codes::DUPLICATE)
        .await;
    ctx.expect_error("RefundPaymentInstant", &refund("r-3", "0"), codes::INVALID_AMOUNT)
        .await;
    // The rest, in full, through RefundPayment: code null on success.
    let (text, v) = ctx.call("RefundPayment", &refund("r-4", "60")).await;
    assert_eq!(v["status"], 0, "{text}");
    assert!(v["code"].is_null(), "{text}");
    ctx.expect_error("RefundPaymentInstant", &refund("r-5", "0.01"), codes::INVALID_AMOUNT)
        .await;
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("1000.00"));
    assert_eq!(ctx.balance(qr::MERCHANT_WALLET), dec("0"));

    let unknown = r#"{"ext_transaction_id":"x","tx_correlation_id":123456789012345678901234,"currency_code":"TRY","refund_amount":1}"#;
    ctx.expect_error("RefundPayment", unknown, codes::NO_RECORD).await;
    let (_, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["qr_status_code"], 300);
    assert_eq!(v["payload"]["qr_status"], "Canceled");
}

#[tokio::test]
async fn wallet_qr_create_read_approve_status() {
    let ctx = Ctx::new().await;
    let create = |ext: &str, account: &str| {
        format!(
            r#"{{"ext_order_id":"{ext}","account_number":"{account}","receiver_wallet_number":"{}","currency_code":"TRY","amount":25.50,"description":"Kahve"}}"#,
            qr::SECOND_WALLET
        )
    };
    let (text, v) = ctx
        .call("CreateQRPayment", &create("ord-1", qr::SECOND_WALLET_ACCOUNT))
        .await;
    assert_eq!(v["status"], 0, "{text}");
    assert!(v["code"].is_null(), "Katalon: code null on success: {text}");
    assert!(text.contains("\"amount\":25.50"), "{text}");
    let qr_code = v["payload"]["qr_code"].as_str().unwrap().to_owned();
    ctx.expect_error(
        "CreateQRPayment",
        &create("ord-1", qr::SECOND_WALLET_ACCOUNT),
        codes::DUPLICATE,
    )
    .await;
    ctx.expect_error("CreateQRPayment", &create("ord-2", "WRONG"), codes::ACCOUNT_MISMATCH)
        .await;

    let (text, v) = ctx
        .call("ReadQRPayment", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["description"], "Kahve", "{text}");
    assert_eq!(v["payload"]["currency_code"], "TRY");
    assert!(v["payload"]["receiver_name"].is_string());
    assert!(v["code"].is_null(), "{text}");
    let expire = v["payload"]["expire_date"].as_str().unwrap();
    assert!(
        expire.ends_with("+00:00") && expire.len() == "2022-01-10T14:31:49.6376785+00:00".len(),
        "{expire}"
    );
    let (_, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["qr_status_code"], 100);
    assert_eq!(v["payload"]["qr_status"], "WaitForPayment");
    // A personal wallet cannot receive: 304.
    ctx.expect_error(
        "CreateQRPayment",
        &format!(
            r#"{{"ext_order_id":"ord-3","account_number":"{}","receiver_wallet_number":"{}","currency_code":"TRY","amount":1,"description":"x"}}"#,
            qr::TEST_WALLET_ACCOUNT,
            qr::TEST_WALLET
        ),
        codes::NOT_BUSINESS,
    )
    .await;

    let approve = |account: &str, wallet: &str| {
        format!(r#"{{"qr_code":"{qr_code}","account_number":"{account}","sender_wallet_number":"{wallet}"}}"#)
    };
    ctx.expect_error(
        "ApproveQRPayment",
        &approve("WRONG", qr::TEST_WALLET),
        codes::ACCOUNT_MISMATCH,
    )
    .await;
    ctx.expect_error(
        "ApproveQRPayment",
        &approve("EEEEEE020", qr::POOR_WALLET),
        codes::INSUFFICIENT_BALANCE,
    )
    .await;
    let (text, paid) = ctx
        .call("ApproveQRPayment", &approve(qr::TEST_WALLET_ACCOUNT, qr::TEST_WALLET))
        .await;
    let v = paid.clone();
    assert_eq!(
        (v["status"].as_i64(), v["code"].as_str()),
        (Some(0), Some("100")),
        "{text}"
    );
    assert_eq!(v["payload"]["ext_order_id"], "ord-1");
    assert!(text.contains("\"transaction_amount\":25.5000"), "{text}");
    assert_eq!(ctx.balance(qr::SECOND_WALLET), dec("275.50"));
    ctx.expect_error(
        "ApproveQRPayment",
        &approve(qr::TEST_WALLET_ACCOUNT, qr::TEST_WALLET),
        codes::DUPLICATE,
    )
    .await;

    let (_, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["qr_status_code"], 200);
    let txn = paid["payload"]["transaction_id"].as_str().unwrap().to_owned();
    let refund = format!(
        r#"{{"ext_transaction_id":"r-9","tx_correlation_id":{txn},"currency_code":"TRY","refund_amount":"5,50","description":"iade"}}"#
    );
    let (text, v) = ctx.call("RefundPaymentInstant", &refund).await;
    assert_eq!(v["status"], 0, "{text}");
    let (_, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["qr_status_code"], 200, "partly refunded is still approved");
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("980.00"));
}

#[tokio::test]
async fn concurrent_completes_and_refunds_never_move_money_twice() {
    let ctx = std::sync::Arc::new(Ctx::new().await);
    let qr_code = ctx.partner_qr("100").await;
    let (_, v) = ctx.begin(qr::TEST_WALLET, &qr_code).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let ctx = ctx.clone();
        let body = complete_body(qr::TEST_WALLET, &correlation);
        tasks.push(tokio::spawn(async move {
            let (_, v) = ctx.call("Complete3rdPartyQRCodePayment", &body).await;
            v["code"].as_str().unwrap().to_owned()
        }));
    }
    let mut codes_seen = Vec::new();
    for t in tasks {
        codes_seen.push(t.await.unwrap());
    }
    assert_eq!(
        codes_seen.iter().filter(|c| *c == codes::OK).count(),
        1,
        "{codes_seen:?}"
    );
    assert_eq!(
        codes_seen.iter().filter(|c| *c == codes::DUPLICATE).count(),
        7,
        "{codes_seen:?}"
    );
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("900"));

    // Eight refunds of 20 on a 100 payment: exactly five go through.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let ctx = ctx.clone();
        let body = format!(
            r#"{{"ext_transaction_id":"c-{i}","tx_correlation_id":{correlation},"currency_code":"TRY","refund_amount":20}}"#
        );
        tasks.push(tokio::spawn(async move {
            let (_, v) = ctx.call("RefundPaymentInstant", &body).await;
            v["code"].as_str().unwrap().to_owned()
        }));
    }
    let mut codes_seen = Vec::new();
    for t in tasks {
        codes_seen.push(t.await.unwrap());
    }
    assert_eq!(
        codes_seen.iter().filter(|c| *c == codes::OK).count(),
        5,
        "{codes_seen:?}"
    );
    assert_eq!(codes_seen.iter().filter(|c| *c == codes::INVALID_AMOUNT).count(), 3);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("1000"));
}

#[tokio::test]
async fn a_gateway_timeout_after_the_debit_is_resolved_by_a_status_check() {
    let ctx = Ctx::new().await;
    let qr_code = ctx.partner_qr(&qr::MAGIC_TIMEOUT_AMOUNT.to_string()).await;
    let (_, v) = ctx.begin(qr::TEST_WALLET, &qr_code).await;
    let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
    let resp = ctx
        .raw_call(
            "Complete3rdPartyQRCodePayment",
            Some(&ctx.token),
            &complete_body(qr::TEST_WALLET, &correlation),
        )
        .await;
    assert_eq!(resp.status(), 504);
    assert!(
        serde_json::from_str::<Value>(&resp.text().await.unwrap()).is_err(),
        "no envelope"
    );
    let (_, v) = ctx
        .call("CheckQRPaymentStatus", &format!(r#"{{"qr_code":"{qr_code}"}}"#))
        .await;
    assert_eq!(v["payload"]["qr_status_code"], 200);
    // Reconciliation names the payment by its correlation id.
    let (text, v) = ctx
        .call(
            "TransactionData/SummaryRecordByFilter",
            &format!(
                r#"{{"page_size":10,"page_index":0,"order_column":"CreatedDateUtc","order_by":"desc","from_wallet_number":"{}"}}"#,
                qr::TEST_WALLET
            ),
        )
        .await;
    let results = v["payload"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{text}");
    assert_eq!(results[0]["tx_group_correlation_id"], correlation.as_str());
    assert_eq!(results[0]["transaction_status_id"], 20);
    assert_eq!(ctx.balance(qr::TEST_WALLET), dec("496.00"));
}
