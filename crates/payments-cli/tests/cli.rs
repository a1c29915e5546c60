//! The built `payments` binary, end to end: each command's happy path and
//! one failure. Operations run against an in-process sandbox whose URLs reach
//! the binary through the provider's environment variables, as a user's would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use payments::epoint::{EpointClient, EpointConfig};
use payments::{AnyProvider, CreatePayment, Currency, Money, PaymentOutcome, PaymentProvider};
use payments_sandbox::Sandbox;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_payments");

/// The binary with an empty environment (no provider variable of the host leaks in).
fn payments(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().args(args);
    cmd
}

fn run(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payments-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn azericard_data(file: &str) -> String {
    format!("{}/../azericard/tests/data/{file}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["sandbox", "--help"],
        vec!["callback", "--help"],
        vec!["callback", "sign", "--help"],
        vec!["callback", "verify", "--help"],
        vec!["callback", "explain", "--help"],
        vec!["status", "--help"],
        vec!["refund", "--help"],
        vec!["cancel", "--help"],
        vec!["capture", "--help"],
        vec!["keys", "--help"],
        vec!["keys", "azericard", "--help"],
    ] {
        let out = run(&mut payments(&args), b"");
        assert!(out.status.success(), "{args:?}");
        assert!(
            text(&out.stdout).contains("Usage: payments"),
            "{args:?}: {}",
            text(&out.stdout)
        );
    }
    let out = run(&mut payments(&["sandbox", "--help"]), b"");
    assert!(
        text(&out.stdout).contains("NOT SUPPORTED"),
        "--config must say it is not supported"
    );
    let out = run(&mut payments(&["frobnicate"]), b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sandbox_prints_its_urls_and_credentials_and_refuses_a_config_file() {
    let mut child = payments(&["sandbox", "--port", "0", "--json", "--clock", "2026-11-23T10:00:00Z"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let base = v["base_url"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"), "{base}");
    assert_eq!(v["epoint"]["url"], format!("{base}/epoint"));
    assert_eq!(v["epoint"]["env"]["EPOINT_BASE_URL"], format!("{base}/epoint"));
    assert_eq!(v["epoint"]["public_key"], "i000000001");
    assert_eq!(
        v["azericard"]["gateway_public_key_url"],
        format!("{base}/azericard/gateway-public-key.pem")
    );

    let out = run(&mut payments(&["sandbox", "--config", "sandbox.toml"]), b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("reads no configuration file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn epoint_callback_sign_verify_explain() {
    let payload = br#"{"order_id":"order-0001","status":"success","code":"000","message":"Approved","transaction":"te000000001","amount":10.5}"#;
    let signed = run(
        payments(&["callback", "sign", "--provider", "epoint"]).env("EPOINT_PRIVATE_KEY", "test-private-key"),
        payload,
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let body = text(&signed.stdout).trim().to_owned();
    assert!(body.starts_with("data=") && body.contains("&signature="), "{body}");

    // Exactly what `sign` printed (with println's newline), from a file.
    let dir = temp_dir("epoint");
    let body_file = dir.join("body.txt");
    std::fs::write(&body_file, &signed.stdout).unwrap();
    let verified = run(
        payments(&[
            "callback",
            "verify",
            "--provider",
            "epoint",
            "--json",
            "--body",
            body_file.to_str().unwrap(),
        ])
        .env("EPOINT_PRIVATE_KEY", "test-private-key"),
        b"",
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let v = json(&verified);
    assert_eq!(v["verified"], true);
    assert_eq!(v["confirmed"], true);
    assert_eq!(v["claimed"]["status"], "Succeeded");
    assert_eq!(v["claimed"]["order_id"], "order-0001");
    // EPoint callbacks carry no currency: without the signed `other_attr`
    // currency echo the amount is reported unpriced, never in a guessed currency.
    assert!(v["claimed"]["amount"].is_null(), "{v}");
    assert_eq!(v["claimed"]["extra"]["unpriced_amount"], "10.5", "as signed");

    // The key from a file; the wrong one.
    let key_file = dir.join("key");
    std::fs::write(&key_file, "another-private-key\n").unwrap();
    let key_path = key_file.to_str().unwrap();
    let rejected = run(
        &mut payments(&["callback", "verify", "--provider", "epoint", "--key-file", key_path]),
        body.as_bytes(),
    );
    assert_eq!(rejected.status.code(), Some(1));
    assert!(
        text(&rejected.stderr).contains("verified: NO"),
        "{}",
        text(&rejected.stderr)
    );

    let explained = run(
        &mut payments(&[
            "callback",
            "explain",
            "--provider",
            "epoint",
            "--key-file",
            key_path,
            "--json",
        ]),
        body.as_bytes(),
    );
    assert_eq!(explained.status.code(), Some(1));
    let x = json(&explained);
    assert_eq!(x["verifies"], false);
    assert!(
        x["likely_mistakes"][0]
            .as_str()
            .unwrap()
            .contains("a different private key"),
        "{x}"
    );
    assert_eq!(x["facts"]["data decoded"], std::str::from_utf8(payload).unwrap());
    assert!(!text(&explained.stdout).contains("another-private-key"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn azericard_callback_sign_and_verify_with_the_gateway_key_from_the_environment() {
    let fields = "ORDER=000123&TERMINAL=17201234&TRTYPE=1&TIMESTAMP=20261123101530&NONCE=00112233445566778899aabbccddeeff&AMOUNT=10.50&CURRENCY=AZN&ACTION=0&RC=00&APPROVAL=123456&RRN=412345678901&INT_REF=A1B2C3D4E5F60718";
    let signed = run(
        &mut payments(&[
            "callback",
            "sign",
            "--provider",
            "azericard",
            "--key-file",
            &azericard_data("azericard-test-key.pem"),
        ]),
        fields.as_bytes(),
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let body = text(&signed.stdout).trim().to_owned();
    assert!(body.contains("&P_SIGN="), "{body}");
    let env = [
        (
            "AZERICARD_GATEWAY_PUBLIC_KEY_PATH",
            azericard_data("azericard-test-key.pub.pem"),
        ),
        ("AZERICARD_MERCHANT_ID", "17201234".to_owned()),
    ];
    let verified = run(
        payments(&["callback", "verify", "--provider", "azericard", "--json"]).envs(env.clone()),
        body.as_bytes(),
    );
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let v = json(&verified);
    assert_eq!(v["verified"], true);
    assert_eq!(
        v["confirmed"], false,
        "the outcome is not signed: never confirmed by verify"
    );
    assert_eq!(v["claimed"]["extra"]["RRN"], "412345678901");

    // ACTION is unsigned; AMOUNT is signed: editing it breaks P_SIGN.
    let forged = body.replace("AMOUNT=10.50", "AMOUNT=1.50");
    let explained = run(
        payments(&["callback", "explain", "--provider", "azericard"]).envs(env),
        forged.as_bytes(),
    );
    assert_eq!(explained.status.code(), Some(1));
    let out = text(&explained.stdout);
    assert!(
        out.contains("41.50817201234"),
        "the MAC source of the received fields: {out}"
    );
    assert!(out.contains("DOES NOT VERIFY"), "{out}");
}

#[test]
fn epay_post_link_verifies_against_a_stored_secret_hash() {
    let body = br#"{"amount":150.5,"code":"ok","currency":"KZT","id":"tx-1","invoiceId":"000001234567","reason":"","secret_hash":"4a0b2c"}"#;
    let ok = run(
        payments(&["callback", "verify", "--provider", "epay-kz", "--json"]).env("EPAY_SECRET_HASH", "4a0b2c"),
        body,
    );
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let v = json(&ok);
    assert_eq!(v["claimed"]["amount"]["amount"], "150.50");
    assert_eq!(v["confirmed"], false);
    let bad = run(
        payments(&["callback", "verify", "--provider", "epay-kz", "--json"]).env("EPAY_SECRET_HASH", "4a0b2d"),
        body,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(json(&bad)["verified"], false);
    // No secret configured: a clear error, exit 1.
    let none = run(&mut payments(&["callback", "verify", "--provider", "epay-kz"]), body);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none.stderr).contains("EPAY_SECRET_HASH"),
        "{}",
        text(&none.stderr)
    );
}

#[test]
fn keys_azericard_writes_a_pair_and_never_overwrites_it() {
    let dir = temp_dir("keys");
    let out = run(
        &mut payments(&["keys", "azericard", "--out", dir.to_str().unwrap(), "--json"]),
        b"",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    let private = std::fs::read_to_string(dir.join("azericard-merchant-key.pem")).unwrap();
    let public = std::fs::read_to_string(dir.join("azericard-merchant-key.pub.pem")).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(v["public_key_pem"], public);
    assert!(
        !text(&out.stdout).contains("PRIVATE KEY-----"),
        "the private key is never printed"
    );
    let fp = v["sha256_fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 32 * 3 - 1);
    // The azericard crate loads it, as AZERICARD_KEY_FILE_PATH would.
    payments::azericard::MerchantKey::from_pem_file(dir.join("azericard-merchant-key.pem")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("azericard-merchant-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = run(
        &mut payments(&["keys", "azericard", "--out", dir.to_str().unwrap()]),
        b"",
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("azericard-merchant-key.pem")).unwrap(),
        private
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the binary off the runtime's threads (the sandbox serves on them).
async fn run_async(args: Vec<String>, env: Vec<(String, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(payments(&args).envs(env), b"")
    })
    .await
    .unwrap()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_refund_cancel_capture_against_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let state = &sandbox.providers().epoint;
    let env = vec![
        ("EPOINT_PUBLIC_KEY".to_owned(), state.public_key().to_owned()),
        ("EPOINT_PRIVATE_KEY".to_owned(), state.private_key().to_owned()),
        ("EPOINT_BASE_URL".to_owned(), sandbox.epoint_url()),
    ];
    // A payment made the way a merchant's server makes it.
    let config = EpointConfig::builder()
        .public_key(state.public_key())
        .private_key(state.private_key())
        .base_url(sandbox.epoint_url())
        .success_redirect_url("https://shop.example/ok")
        .failed_redirect_url("https://shop.example/fail")
        .build()
        .unwrap();
    let provider = AnyProvider::from(EpointClient::new(config).unwrap());
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    let PaymentOutcome::RequiresRedirect {
        provider_ref: Some(transaction),
        ..
    } = provider
        .create_payment(&CreatePayment::new("ORD-CLI-1", amount))
        .await
        .unwrap()
    else {
        panic!("no redirect")
    };

    let status = run_async(
        strings(&[
            "status",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
            "--json",
        ]),
        env.clone(),
    )
    .await;
    assert!(status.status.success(), "{}", text(&status.stderr));
    let v = json(&status);
    assert_eq!(v["ok"], true);
    assert_eq!(v["report"]["transaction_id"], transaction.as_str());
    assert!(text(&status.stderr).contains("epoint status: asking the provider…"));

    // Text output of the same answer.
    let status = run_async(
        strings(&[
            "status",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
        ]),
        env.clone(),
    )
    .await;
    assert!(
        text(&status.stdout).contains(&format!("transaction: {transaction}")),
        "{}",
        text(&status.stdout)
    );

    // The customer pays on the hosted page; then a partial refund is accepted.
    let page = sandbox.providers().epoint.payment_page_url(&transaction);
    let approved = reqwest::Client::new()
        .post(&page)
        .form(&[("action", "approve"), ("card", "4111111111111111")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        approved
            .headers()
            .get("x-sandbox-outcome")
            .and_then(|v| v.to_str().ok()),
        Some("approved")
    );
    let status = run_async(
        strings(&[
            "status",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
            "--json",
        ]),
        env.clone(),
    )
    .await;
    assert_eq!(json(&status)["report"]["status"], "Succeeded");
    let refund = run_async(
        strings(&[
            "refund",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
            "--partial",
            "4.00",
            "--json",
        ]),
        env.clone(),
    )
    .await;
    assert!(refund.status.success(), "{}", text(&refund.stderr));
    assert_eq!(
        json(&refund)["result"]["outcome"],
        "accepted",
        "{}",
        text(&refund.stdout)
    );

    // A second paid payment, refunded in full.
    let PaymentOutcome::RequiresRedirect {
        provider_ref: Some(second),
        ..
    } = provider
        .create_payment(&CreatePayment::new("ORD-CLI-2", amount))
        .await
        .unwrap()
    else {
        panic!("no redirect")
    };
    reqwest::Client::new()
        .post(sandbox.providers().epoint.payment_page_url(&second))
        .form(&[("action", "approve"), ("card", "4111111111111111")])
        .send()
        .await
        .unwrap();
    let full = run_async(
        strings(&[
            "refund",
            "--provider",
            "epoint",
            "--transaction",
            &second,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
        ]),
        env.clone(),
    )
    .await;
    assert!(full.status.success(), "{}", text(&full.stderr));
    assert!(
        text(&full.stdout).starts_with("refund: accepted"),
        "{}",
        text(&full.stdout)
    );

    // EPoint has no cancel in the trait (its reverse is the refund): Unsupported, in words.
    let cancel = run_async(
        strings(&["cancel", "--provider", "epoint", "--transaction", &second]),
        env.clone(),
    )
    .await;
    assert_eq!(cancel.status.code(), Some(1));
    let err = text(&cancel.stderr);
    assert!(
        err.contains("epoint does not support cancel") && err.contains("nothing was sent: money did not move"),
        "{err}"
    );

    // EPoint has no capture: the trait says Unsupported, nothing was sent.
    let capture = run_async(
        strings(&[
            "capture",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--json",
        ]),
        env.clone(),
    )
    .await;
    assert_eq!(capture.status.code(), Some(1));
    let v = json(&capture);
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["delivery"], "NotSent");
    assert_eq!(v["error"]["outcome_unknown"], false);

    // A refund to a server that is not there: an error, exit 1, and the
    // money verdict (the connection was refused: nothing was sent).
    let mut down = env.clone();
    down[2].1 = "http://127.0.0.1:9/epoint".to_owned();
    let refund = run_async(
        strings(&[
            "refund",
            "--provider",
            "epoint",
            "--transaction",
            &transaction,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
            "--partial",
            "5.00",
        ]),
        down,
    )
    .await;
    assert_eq!(refund.status.code(), Some(1));
    let err = text(&refund.stderr);
    assert!(err.contains("epoint refund failed"), "{err}");
    assert!(err.contains("outcome_unknown=false safe_to_resend=true"), "{err}");

    // Missing configuration: every missing variable named, exit 1.
    let unconfigured = run_async(
        strings(&["cancel", "--provider", "epoint", "--transaction", "x"]),
        vec![],
    )
    .await;
    assert_eq!(unconfigured.status.code(), Some(1));
    assert!(
        text(&unconfigured.stderr).contains("EPOINT_PUBLIC_KEY"),
        "{}",
        text(&unconfigured.stderr)
    );

    // An amount with more digits than the currency has is refused before sending.
    let bad = run_async(
        strings(&[
            "status",
            "--provider",
            "epoint",
            "--transaction",
            "x",
            "--amount",
            "10.505",
            "--currency",
            "AZN",
        ]),
        env,
    )
    .await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--amount"), "{}", text(&bad.stderr));
}

/// The customer's browser on AzeriCard's gateway: posts the signed form,
/// lands on the page, approves.
async fn azericard_hold(sandbox: &Sandbox, provider: &AnyProvider, order: &str, amount: Money) {
    let web = reqwest::Client::new();
    let request = CreatePayment::new(order, amount)
        .description(format!("Order {order}"))
        .authorize_only(true);
    let PaymentOutcome::RequiresFormPost { url, fields } = provider.create_payment(&request).await.unwrap() else {
        panic!("expected a form post")
    };
    let landed = web.post(&url).form(&fields).send().await.unwrap();
    let pressed = web
        .post(landed.url().clone())
        .form(&[("action", "approve"), ("card", "4111111111111111")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        pressed.headers().get("x-sandbox-outcome").and_then(|v| v.to_str().ok()),
        Some("approved"),
        "{}",
        sandbox.azericard_url()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azericard_capture_and_cancel_a_hold_with_the_references_of_its_status() {
    use payments::azericard::{AzericardClient, AzericardConfig, GatewayPublicKey, MerchantKey};

    let sandbox = Sandbox::start().await.unwrap();
    let gateway_pem = sandbox.providers().azericard.gateway_public_key_pem();
    let dir = temp_dir("azericard-ops");
    let gateway_file = dir.join("gateway.pem");
    std::fs::write(&gateway_file, gateway_pem).unwrap();
    let terminal = sandbox.providers().azericard.terminal();
    let config = AzericardConfig::builder(terminal)
        .mpi_base_url(sandbox.azericard_url())
        .mt_base_url(sandbox.azericard_url())
        .merchant_key(MerchantKey::from_pem_file(azericard_data("azericard-test-key.pem")).unwrap())
        .gateway_public_key(GatewayPublicKey::from_pem(gateway_pem.as_bytes()).unwrap())
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .merchant_email("shop@example.az")
        .callback_url("http://127.0.0.1:9/azericard/callback")
        .build()
        .unwrap();
    let provider = AnyProvider::from(AzericardClient::new(config).unwrap());
    let amount = Money::parse_major("10.50", Currency::AZN).unwrap();
    let env: Vec<(String, String)> = [
        ("AZERICARD_MERCHANT_ID", terminal.to_owned()),
        ("AZERICARD_KEY_FILE_PATH", azericard_data("azericard-test-key.pem")),
        ("AZERICARD_GATEWAY_PUBLIC_KEY_PATH", gateway_file.display().to_string()),
        ("AZERICARD_MPI_URL", sandbox.azericard_url()),
        ("AZERICARD_MT_URL", sandbox.azericard_url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();

    for (order, op) in [("000000700001", "capture"), ("000000700002", "cancel")] {
        azericard_hold(&sandbox, &provider, order, amount).await;
        // The status command (of a hold: TRTYPE 0) gives the references the follow-up needs.
        let status = run_async(
            strings(&[
                "status",
                "--provider",
                "azericard",
                "--order",
                order,
                "--amount",
                "10.50",
                "--currency",
                "AZN",
                "--extra",
                "TRTYPE=0",
                "--json",
            ]),
            env.clone(),
        )
        .await;
        assert!(status.status.success(), "{}", text(&status.stderr));
        let report = json(&status)["report"].clone();
        assert_eq!(report["status"], "Authorized", "{report}");
        let extra = report["extra"].as_object().unwrap();
        let mut args = strings(&[
            op,
            "--provider",
            "azericard",
            "--order",
            order,
            "--amount",
            "10.50",
            "--currency",
            "AZN",
            "--json",
        ]);
        for key in ["RRN", "INT_REF", "TRTYPE"] {
            args.push("--extra".to_owned());
            args.push(format!("{key}={}", extra[key].as_str().unwrap()));
        }
        let done = run_async(args, env.clone()).await;
        assert!(
            done.status.success(),
            "{op}: {} {}",
            text(&done.stdout),
            text(&done.stderr)
        );
        assert_eq!(
            json(&done)["result"]["outcome"],
            "accepted",
            "{op}: {}",
            text(&done.stdout)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
