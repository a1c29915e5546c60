//! A bounded loopback load test across the four emulators: concurrent clients
//! run mixed flows (ePay pay → status → charge → refunds; QR Begin →
//! Complete (raced) → refunds (raced) and Payment; EPoint payment requests
//! and status; AzeriCard key reads), then the invariants are checked:
//! refunds never exceed captures, a QR session debits once, money is
//! conserved across wallets, every token issued is still valid, every store
//! is within its cap. Request counts, wall time and peak RSS are printed
//! (`cargo test -p payments-sandbox --test load -- --nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use payments_core::crypto;
use payments_sandbox::{Sandbox, epay, qr};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const CLIENTS: usize = 16;
const ROUNDS: usize = 12;

struct Load {
    sandbox: Sandbox,
    http: reqwest::Client,
    requests: AtomicUsize,
    qr_token: String,
}

impl Load {
    fn count(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    async fn epay_token(&self, form: &[(&str, &str)]) -> String {
        self.count();
        let v: Value = self
            .http
            .post(format!("{}/oauth2/token", self.sandbox.epay_url()))
            .form(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    async fn qr_call(&self, op: &str, body: String) -> (u16, Value) {
        self.count();
        let resp = self
            .http
            .post(format!("{}/api/v1/{op}", self.sandbox.qr_url()))
            .bearer_auth(&self.qr_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// One ePay round: pay on the two-step terminal, status, charge, two refunds.
    async fn epay_round(&self, invoice: &str) -> Vec<String> {
        let token = self
            .epay_token(&[
                ("grant_type", "client_credentials"),
                ("scope", "payment"),
                ("client_id", epay::TEST_CLIENT_ID),
                ("client_secret", epay::TEST_CLIENT_SECRET),
                ("invoiceID", invoice),
                ("amount", "100"),
                ("currency", "KZT"),
                ("terminal", epay::TEST_TERMINAL),
                ("secret_hash", "load"),
            ])
            .await;
        self.count();
        let resp = self
            .http
            .post(format!("{}/payform/approve", self.sandbox.epay_url()))
            .header("accept", "application/json")
            .form(&[
                ("invoiceId", invoice),
                ("token", token.as_str()),
                ("card", epay::cards::VISA_OK),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let paid: Value = resp.json().await.unwrap();
        let id = paid["id"].as_str().unwrap().to_owned();
        let service = self
            .epay_token(&[
                ("grant_type", "client_credentials"),
                ("scope", epay::DEFAULT_SCOPE),
                ("client_id", epay::TEST_CLIENT_ID),
                ("client_secret", epay::TEST_CLIENT_SECRET),
                ("terminal", epay::TEST_TERMINAL),
            ])
            .await;
        let api = format!("{}/api", self.sandbox.epay_url());
        self.count();
        let status: Value = self
            .http
            .get(format!("{api}/check-status/payment/transaction/{invoice}"))
            .bearer_auth(&service)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["transaction"]["statusName"], "AUTH");
        self.count();
        let charged = self
            .http
            .post(format!("{api}/operation/{id}/charge?amount=80"))
            .bearer_auth(&service)
            .send()
            .await
            .unwrap();
        assert_eq!(charged.status(), 200);
        // Three refunds of 30 race for 80 charged: at most two succeed.
        let mut refunds = Vec::new();
        for n in 0..3 {
            let url = format!("{api}/operation/{id}/refund?amount=30&externalID={invoice}-{n}");
            let http = self.http.clone();
            let service = service.clone();
            self.count();
            refunds.push(tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(service)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        let mut ok = 0;
        for r in refunds {
            if r.await.unwrap() == 200 {
                ok += 1;
            }
        }
        assert_eq!(ok, 2, "refunds beyond the capture");
        vec![token, service]
    }

    /// One QR round: a partner QR raced by three Completes, then two refunds raced for the rest.
    async fn qr_round(&self, wallet: &str, n: usize) {
        let minted = self
            .sandbox
            .providers()
            .qr
            .create_partner_qr("0007777777", "0007777777", Decimal::new(150, 2));
        let (_, v) = self
            .qr_call(
                "Transaction/Begin3rdPartyQRCodePayment",
                format!(
                    r#"{{"wallet_number":"{wallet}","provider_id":"112233","qr_code":"{}","qr_code_type":1}}"#,
                    minted.qr_code
                ),
            )
            .await;
        let correlation = v["payload"]["tx_correlation_id"].as_str().unwrap().to_owned();
        let body =
            format!(r#"{{"wallet_number":"{wallet}","provider_id":"112233","tx_correlation_id":{correlation}}}"#);
        let (a, b, c) = tokio::join!(
            self.qr_call("Transaction/Complete3rdPartyQRCodePayment", body.clone()),
            self.qr_call("Transaction/Complete3rdPartyQRCodePayment", body.clone()),
            self.qr_call("Transaction/Complete3rdPartyQRCodePayment", body),
        );
        let ok = [a, b, c].iter().filter(|(_, v)| v["status"] == 0).count();
        assert_eq!(ok, 1, "a session debits once");
        let refund = |ext: String| {
            format!(
                r#"{{"ext_transaction_id":"{ext}","tx_correlation_id":{correlation},"currency_code":"TRY","refund_amount":1.00}}"#
            )
        };
        let (a, b) = tokio::join!(
            self.qr_call("Transaction/RefundPaymentInstant", refund(format!("{wallet}-{n}-a"))),
            self.qr_call("Transaction/RefundPaymentInstant", refund(format!("{wallet}-{n}-b"))),
        );
        let ok = [a, b].iter().filter(|(_, v)| v["status"] == 0).count();
        assert_eq!(ok, 1, "1.00 + 1.00 refunded of 1.50");
        let (_, v) = self
            .qr_call(
                "Transaction/Payment",
                format!(
                    r#"{{"sender_account_number":"ACC{wallet}","sender_wallet_number":"{wallet}","ext_transaction_id":"p-{wallet}-{n}","currency_code":"TRY","amount":0.25,"receiver_wallet_number":"{}"}}"#,
                    qr::SECOND_WALLET
                ),
            )
            .await;
        assert_eq!(v["status"], 0, "{v}");
    }

    /// EPoint: a payment request and its status; AzeriCard: the gateway key.
    async fn others_round(&self, order: &str) {
        let payload = json!({"public_key": "i000000001", "language": "az", "amount": "12.34", "currency": "AZN",
                             "order_id": order, "description": "load"});
        let data = crypto::base64_encode(payload.to_string().as_bytes());
        let signature = crypto::base64_encode(&crypto::sha1(&[
            b"test-private-key",
            data.as_bytes(),
            b"test-private-key",
        ]));
        self.count();
        let resp = self
            .http
            .post(format!("{}/api/1/request", self.sandbox.epoint_url()))
            .form(&[("data", data), ("signature", signature)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        self.count();
        let resp = self
            .http
            .get(format!("{}/gateway-public-key.pem", self.sandbox.azericard_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_load_across_providers_keeps_every_invariant() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap();
    let v: Value = http
        .post(format!("{}/identity/connect/token", sandbox.qr_url()))
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
    let qr_token = v["access_token"].as_str().unwrap().to_owned();
    for c in 0..CLIENTS {
        sandbox.providers().qr.add_wallet(
            &format!("90000000{c:02}"),
            &format!("ACC90000000{c:02}"),
            Decimal::from(1000),
        );
    }
    let total_before = sandbox.providers().qr.total_balance();
    let load = Arc::new(Load {
        sandbox,
        http,
        requests: AtomicUsize::new(0),
        qr_token,
    });
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let load = load.clone();
        clients.push(tokio::spawn(async move {
            let mut tokens = Vec::new();
            let wallet = format!("90000000{c:02}");
            for r in 0..ROUNDS {
                let invoice = format!("8{c:02}{r:03}{:03}", c * 31 + r);
                tokens.extend(load.epay_round(&invoice).await);
                load.qr_round(&wallet, r).await;
                load.others_round(&format!("load-{c}-{r}")).await;
            }
            tokens
        }));
    }
    let mut tokens = Vec::new();
    for c in clients {
        tokens.extend(c.await.unwrap());
    }
    let elapsed = started.elapsed();
    let requests = load.requests.load(Ordering::Relaxed);

    // Invariants.
    let providers = load.sandbox.providers();
    assert!(
        providers.epay.transactions_consistent(),
        "an ePay refund exceeded its capture"
    );
    for (currency, charged, refunded) in providers.epay.totals() {
        assert!(refunded <= charged, "{currency}: {refunded} > {charged}");
    }
    assert!(
        providers.qr.payments_consistent(),
        "a QR session debited twice or over-refunded"
    );
    assert_eq!(
        providers.qr.total_balance(),
        total_before,
        "QR money was created or lost"
    );
    for (name, len, cap) in providers
        .epay
        .store_sizes()
        .into_iter()
        .chain(providers.qr.store_sizes())
    {
        assert!(len <= cap, "{name}: {len} > {cap}");
    }
    // Every ePay token issued is still valid (none was evicted or corrupted).
    let service = tokens.iter().skip(1).step_by(2);
    for token in service.take(64) {
        let resp = load
            .http
            .get(format!(
                "{}/api/check-status/payment/transaction/000000000",
                load.sandbox.epay_url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let rss = peak_rss_kib().unwrap_or(0);
    let millis = elapsed.as_millis().max(1);
    println!(
        "load: {requests} requests from {CLIENTS} clients in {millis} ms ({} req/s); peak RSS {} MiB (test process: client + server)",
        requests as u128 * 1000 / millis,
        rss / 1024
    );
    assert!(requests >= 3_000, "{requests}");
    assert!(elapsed < Duration::from_secs(120), "{elapsed:?}");
}
