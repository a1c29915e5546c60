#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The `payments-sandbox` binary: `--help` lists every flag, `--config`
//! applies the doc's example config at start, and the default log filter
//! writes an INFO line per request and callback attempt and a WARN line for
//! an undeliverable callback, to stderr, without a key.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments_core::crypto;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_payments-sandbox");

#[test]
fn help_lists_every_flag() {
    let out = std::process::Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--port",
        "--host",
        "--epoint-callback-url",
        "--azericard-merchant-public-key",
        "--clock",
        "--config",
        "--header-timeout-secs",
        "--body-timeout-secs",
        "--help",
        "RUST_LOG",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
}

/// The ```json block of the doc's "Start-up config" section.
fn doc_config() -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/sandbox.md")).unwrap();
    let section = &doc[doc.find("### Start-up config").unwrap()..];
    let start = section.find("```json\n").unwrap() + "```json\n".len();
    let end = start + section[start..].find("```").unwrap();
    section[start..end].to_owned()
}

#[tokio::test]
async fn config_file_applies_and_requests_and_callbacks_are_logged() {
    let dir = std::env::temp_dir().join(format!("sandbox-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("fixtures.json");
    std::fs::write(&config, doc_config()).unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .args(["--port", "0", "--config"])
        .arg(&config)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let stdout = Arc::new(Mutex::new(String::new()));
    // The config is applied before the server says it listens.
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(20), out.next_line())
            .await
            .unwrap()
            .unwrap()
            .expect("the binary exited before listening");
        stdout.lock().unwrap().push_str(&(line.clone() + "\n"));
        if let Some(url) = line.strip_prefix("payments-sandbox listening on ") {
            break url.to_owned();
        }
    };
    let stderr = Arc::new(Mutex::new(String::new()));
    let (so, se) = (stdout.clone(), stderr.clone());
    tokio::spawn(async move {
        while let Ok(Some(l)) = out.next_line().await {
            so.lock().unwrap().push_str(&(l + "\n"));
        }
    });
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::spawn(async move {
        while let Ok(Some(l)) = err.next_line().await {
            se.lock().unwrap().push_str(&(l + "\n"));
        }
    });

    let http = reqwest::Client::new();
    let merchants: Value = http
        .get(format!("{url}/_sandbox/merchants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = merchants.to_string();
    for expected in ["i000000042", "shop-7", "17209999", "my-qr-client", "5000000099"] {
        assert!(text.contains(expected), "{expected} not applied: {text}");
    }
    let token = http
        .post(format!("{url}/qr/identity/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "sts_api"),
            ("client_id", "my-qr-client"),
            ("client_secret", "my-qr-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);

    // A payment of the config's merchant, approved with a dead callback URL.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/cb", l.local_addr().unwrap())
    };
    let resp = http
        .put(format!("{url}/_sandbox/epoint/callback-url"))
        .body(json!({"url": dead, "merchant": "i000000042"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let key = "shop-42-key";
    let data = crypto::base64_encode(
        json!({"public_key": "i000000042", "amount": "2.00", "currency": "AZN", "language": "az",
               "order_id": "bin-1", "description": "binary"})
        .to_string()
        .as_bytes(),
    );
    let signature = crypto::base64_encode(&crypto::sha1(&[key.as_bytes(), data.as_bytes(), key.as_bytes()]));
    let v: Value = http
        .post(format!("{url}/epoint/api/1/request"))
        .form(&[("data", data.as_str()), ("signature", signature.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tx = v["transaction"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned();
    let resp = http
        .post(format!("{url}/_sandbox/epoint/payments/{tx}/approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // 5 attempts, 100 ms doubling: about 1.5 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !stderr.lock().unwrap().contains("callback undeliverable") {
        assert!(tokio::time::Instant::now() < deadline, "{}", stderr.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().await.unwrap();
    let log = stderr.lock().unwrap().clone();
    assert!(stdout.lock().unwrap().contains("config "), "{}", stdout.lock().unwrap());
    assert!(
        log.contains(" INFO request ") && log.contains("path=/epoint/api/1/request"),
        "{log}"
    );
    assert!(log.contains("path=/qr/identity/connect/token status=200"), "{log}");
    assert!(
        log.contains(" INFO callback attempt ") && log.contains("attempt=5"),
        "{log}"
    );
    assert!(log.contains(" WARN callback undeliverable"), "{log}");
    for secret in [key, "my-qr-secret", "shop-7-secret", signature.as_str()] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
