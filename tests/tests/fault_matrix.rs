//! The fault matrix: every provider, through the common trait, against a
//! server that fails in each way a network and a gateway can fail.
//!
//! For each case the test asserts the error's classification (could the
//! money have moved?) and how many times the request reached the server:
//! a status query (idempotent) is retried as the policy says, a refund
//! (moves money) is sent exactly once. The table of outcomes is checked
//! against `docs/reliability.md`; run with `UPDATE_RELIABILITY_DOC=1` to
//! regenerate it after a deliberate change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use payments::http::{HttpClient, NoJitter, RetryPolicy};
use payments::{
    AnyProvider, Currency, Delivery, Error, Money, OperationOutcome, PaymentProvider, PaymentRef, ProviderKind,
    RefundRequest,
};
use payments_tests::fault::{self, Fault};

const ATTEMPTS: u32 = 3;
const MAX_BODY: usize = 64 * 1024;

fn http() -> HttpClient {
    HttpClient::builder()
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_millis(1500))
        .max_response_bytes(MAX_BODY)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(ATTEMPTS)
                .base_delay(Duration::from_millis(5)),
        )
        .jitter(NoJitter)
        .build()
        .unwrap()
}

const AZERICARD_KEY: &[u8] = include_bytes!("../../crates/azericard/tests/data/azericard-test-key.pem");
const AZERICARD_PUB: &[u8] = include_bytes!("../../crates/azericard/tests/data/azericard-test-key.pub.pem");

fn client(kind: ProviderKind, base: &str) -> AnyProvider {
    match kind {
        ProviderKind::Epoint => {
            let config = payments::epoint::EpointConfig::builder()
                .public_key("i000000001")
                .private_key("test-private-key")
                .base_url(base)
                .build()
                .unwrap();
            payments::epoint::EpointClient::with_http(config, http()).into()
        }
        ProviderKind::Azericard => {
            use payments::azericard::{AzericardClient, AzericardConfig, GatewayPublicKey, MerchantKey};
            let config = AzericardConfig::builder("17201234")
                .mpi_base_url(base)
                .mt_base_url(base)
                .merchant_key(MerchantKey::from_pem(AZERICARD_KEY).unwrap())
                .gateway_public_key(GatewayPublicKey::from_pem(AZERICARD_PUB).unwrap())
                .merchant_name("Test Shop")
                .merchant_url("https://shop.example")
                .callback_url("https://shop.example/callback")
                .build()
                .unwrap();
            AzericardClient::builder(config)
                .http_client(http())
                .build()
                .unwrap()
                .into()
        }
        ProviderKind::EpayKz => {
            use payments::epay_kz::{EpayClient, EpayConfig};
            let config = EpayConfig::builder(
                "test",
                "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG",
                "67e34d63-102f-4bd1-898e-370781d0074d",
            )
            .oauth_url(format!("{base}/oauth2/token"))
            .api_url(base)
            .build()
            .unwrap();
            EpayClient::builder(config).http_client(http()).build().unwrap().into()
        }
        ProviderKind::QrWallet => {
            use payments::qr_wallet::{QrWalletClient, QrWalletConfig};
            let config = QrWalletConfig::builder()
                .api_url(base)
                .identity_url(base)
                .client_id("merchant")
                .client_secret("qr-secret")
                .provider_id("42")
                .build()
                .unwrap();
            QrWalletClient::builder(config)
                .http_client(http())
                .build()
                .unwrap()
                .into()
        }
        _ => unreachable!(),
    }
}

fn payment(kind: ProviderKind) -> PaymentRef {
    let amount = match kind {
        ProviderKind::EpayKz => Money::from_minor(10_000, Currency::KZT),
        ProviderKind::QrWallet => Money::from_minor(10_000, Currency::TRY),
        _ => Money::from_minor(1050, Currency::AZN),
    };
    let transaction = match kind {
        ProviderKind::QrWallet => "7777777777777777777777",
        ProviderKind::EpayKz => "5e0b9c3a-6a59-4cbb-9a4f-1f8ad2f3c1a0",
        _ => "te001234567",
    };
    PaymentRef::transaction(transaction)
        .with_order("000000123456")
        .with_amount(amount)
        .with_extra("RRN", "612345678901")
        .with_extra("INT_REF", "ABCDEF0123456789")
}

/// The provider's own error answer (what its API sends for a rejected request).
fn provider_error(kind: ProviderKind) -> Fault {
    match kind {
        ProviderKind::Epoint => Fault::Status(
            200,
            r#"{"status":"server_error","message":"Signature did not match"}"#.into(),
            "application/json",
        ),
        ProviderKind::EpayKz => Fault::Status(
            400,
            r#"{"code":1346,"message":"invalid amount"}"#.into(),
            "application/json",
        ),
        ProviderKind::QrWallet => Fault::Status(
            200,
            r#"{"status":2,"code":"315","message":"Geçersiz tutar girişi.","payload":null}"#.into(),
            "application/json",
        ),
        ProviderKind::Azericard => Fault::Status(400, "Bad request".into(), "text/plain"),
        _ => unreachable!(),
    }
}

fn cases(kind: ProviderKind) -> Vec<(&'static str, Fault)> {
    vec![
        ("connect refused", Fault::ConnectRefused),
        ("connect timeout", Fault::ConnectTimeout),
        ("response timeout", Fault::ResponseTimeout),
        ("connection reset mid-body", Fault::ResetMidBody),
        ("HTTP 500", Fault::Status(500, "internal error".into(), "text/plain")),
        (
            "HTTP 502",
            Fault::Status(502, "<html>bad gateway</html>".into(), "text/html"),
        ),
        ("HTTP 503", Fault::Status(503, String::new(), "text/plain")),
        ("provider error body", provider_error(kind)),
        ("malformed JSON", Fault::MalformedJson),
        ("truncated JSON", Fault::TruncatedJson),
        ("wrong content type", Fault::WrongContentType),
        ("empty body", Fault::EmptyBody),
        ("slow body", Fault::SlowBody),
        ("oversized body", Fault::Oversized(MAX_BODY * 2)),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Status,
    Refund,
}

/// What an operation returned when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accepted,
    Declined,
}

/// One cell: the classification (or the answer) and the server's hit count.
fn cell(result: &Result<Answer, Error>, hits: usize) -> String {
    let class = match result {
        Ok(Answer::Accepted) => "ok".to_owned(),
        Ok(Answer::Declined) => "declined".to_owned(),
        Err(e) => match e.delivery() {
            Delivery::NotSent => "not sent",
            Delivery::MaybeSent => "maybe sent",
            Delivery::ProviderAnswered => "provider error",
            Delivery::Unreadable => "unreadable",
            _ => "other",
        }
        .to_owned(),
    };
    format!("{class} ({hits}×)")
}

/// What the SDK promises for each case, checked for every provider.
fn check(kind: ProviderKind, case: &str, op: Op, result: &Result<Answer, Error>, hits: usize) {
    let what = format!("{kind} {op:?} on {case}: {result:?}, {hits} hits");
    let once_or_policy = if op == Op::Refund { 1 } else { ATTEMPTS as usize };
    if let Err(Error::InvalidInput { .. } | Error::Config { .. } | Error::Unsupported { .. }) = result {
        panic!("the request never got built: {what}");
    }
    match case {
        "connect refused" | "connect timeout" => {
            assert!(matches!(result, Err(e) if e.delivery() == Delivery::NotSent), "{what}");
            assert_eq!(hits, 0, "{what}");
        }
        "response timeout" | "connection reset mid-body" | "slow body" => {
            assert!(
                matches!(result, Err(e) if e.delivery() == Delivery::MaybeSent),
                "{what}"
            );
            assert_eq!(hits, once_or_policy, "{what}");
        }
        "HTTP 500" | "HTTP 502" | "HTTP 503" => {
            assert!(
                matches!(result, Err(e) if matches!(e.delivery(), Delivery::ProviderAnswered | Delivery::Unreadable)),
                "{what}"
            );
            // Whatever the provider's parser makes of a 5xx, nobody may read it as final.
            assert!(result.as_ref().is_err_and(|e| e.outcome_unknown()), "{what}");
            assert_eq!(hits, once_or_policy, "{what}");
        }
        "provider error body" => {
            // A refund the provider refuses may be a decline (a value) or a provider error.
            let declined_refund = op == Op::Refund && matches!(result, Ok(Answer::Declined));
            assert!(
                declined_refund || matches!(result, Err(e) if e.delivery() == Delivery::ProviderAnswered),
                "{what}"
            );
            assert_eq!(hits, 1, "{what}");
        }
        "malformed JSON" | "truncated JSON" | "wrong content type" | "empty body"
            if kind == ProviderKind::EpayKz && op == Op::Refund =>
        {
            // ePay answers a refund by status code alone (an empty 200 is its
            // documented success); the body is not read.
            assert!(matches!(result, Ok(Answer::Accepted)), "{what}");
            assert_eq!(hits, 1, "{what}");
        }
        _ => {
            assert!(
                matches!(result, Err(e) if e.delivery() == Delivery::Unreadable),
                "{what}"
            );
            assert!(result.as_ref().is_err_and(|e| e.outcome_unknown()), "{what}");
            assert_eq!(hits, 1, "{what}");
        }
    }
}

async fn run(kind: ProviderKind, case: &'static str, fault: Fault, op: Op) -> String {
    let server = fault::start(fault).await.unwrap();
    let provider = client(kind, &server.url);
    let payment = payment(kind);
    let result = match op {
        Op::Status => provider.payment_status(&payment).await.map(|_| Answer::Accepted),
        Op::Refund => {
            let amount = payment.amount.unwrap();
            provider
                .refund(&RefundRequest::partial(payment, amount).with_refund_id("refund-0001"))
                .await
                .map(|o| match o {
                    OperationOutcome::Declined(_) => Answer::Declined,
                    _ => Answer::Accepted,
                })
        }
    };
    let hits = server.api_hits();
    check(kind, case, op, &result, hits);
    cell(&result, hits)
}

const KINDS: [ProviderKind; 4] = [
    ProviderKind::Epoint,
    ProviderKind::Azericard,
    ProviderKind::EpayKz,
    ProviderKind::QrWallet,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_matrix_for_every_provider() {
    // One task per provider, its cases in sequence: the timeouts under test
    // must not compete with a hundred other connections for the CPU.
    let mut handles = Vec::new();
    for kind in KINDS {
        handles.push(tokio::spawn(async move {
            let mut cells = Vec::new();
            for (case, fault) in cases(kind) {
                for op in [Op::Status, Op::Refund] {
                    let cell = run(kind, case, fault.clone(), op).await;
                    cells.push(((case, kind, op), cell));
                }
            }
            cells
        }));
    }
    let mut cells = Vec::new();
    let mut failures = Vec::new();
    for handle in handles {
        match handle.await {
            Ok(c) => cells.extend(c),
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(failures.is_empty(), "fault matrix failures:\n{}", failures.join("\n"));

    let mut table = String::from("| case |");
    for kind in KINDS {
        table.push_str(&format!(" {kind} status | {kind} refund |"));
    }
    table.push_str("\n|---|");
    table.push_str(&"---|".repeat(KINDS.len() * 2));
    table.push('\n');
    for (case, _) in cases(ProviderKind::Epoint) {
        table.push_str(&format!("| {case} |"));
        for kind in KINDS {
            for op in [Op::Status, Op::Refund] {
                let cell = cells
                    .iter()
                    .find(|((c, k, o), _)| *c == case && *k == kind && *o == op)
                    .map(|(_, c)| c);
                table.push_str(&format!(" {} |", cell.unwrap()));
            }
        }
        table.push('\n');
    }
    check_doc(&table);
}

const BEGIN: &str = "<!-- fault-matrix:begin (generated by tests/tests/fault_matrix.rs) -->\n";
const END: &str = "<!-- fault-matrix:end -->";

fn check_doc(table: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reliability.md");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/reliability.md lacks the fault-matrix markers; the table is:\n{table}");
    };
    let current = &doc[start + BEGIN.len()..end];
    if current != table {
        if std::env::var_os("UPDATE_RELIABILITY_DOC").is_some() {
            let updated = format!("{}{}{}{}", &doc[..start], BEGIN, table, &doc[end..]);
            std::fs::write(path, updated).unwrap();
        } else {
            panic!(
                "docs/reliability.md is out of date (UPDATE_RELIABILITY_DOC=1 regenerates it); the table is:\n{table}"
            );
        }
    }
}
