#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The curl examples of `docs/sandbox.md` ("Control API"), run in order with
//! the real `curl` against the sandbox binary on a loopback port: every line
//! must exit 0 with an HTTP 2xx (`curl -f`). Skipped, saying so, when curl is
//! not installed.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

/// The Control API section of the doc (up to the next `## ` heading).
fn control_section() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/sandbox.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find("\n## Control API\n").expect("a Control API section");
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end].to_owned()
}

/// The commands of the ```sh blocks, continuation lines joined, without the
/// `S=` assignment, comments and blank lines.
fn commands(section: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    let mut current = String::new();
    for line in section.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let command = std::mem::take(&mut current);
        let command = command.trim();
        if command.is_empty() || command.starts_with('#') || command.starts_with("S=") {
            continue;
        }
        out.push(command.to_owned());
    }
    out
}

/// Starts the binary on a free loopback port; returns it and its base URL.
async fn start_binary() -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_payments-sandbox"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .expect("the binary exited before listening");
        if let Some(url) = line.strip_prefix("payments-sandbox listening on ") {
            break url.to_owned();
        }
    };
    // Keep both pipes drained so the server never blocks on a full one.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let mut stderr = child.stderr.take().unwrap();
    tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = stderr.read_to_end(&mut sink).await;
    });
    (child, url)
}

#[tokio::test]
async fn control_api_curl_examples_all_succeed_in_order() {
    let curl = std::process::Command::new("curl").arg("--version").output();
    if !curl.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED control_api_curl_examples_all_succeed_in_order: `curl` is not installed");
        return;
    }
    let section = control_section();
    let commands = commands(&section);
    assert!(commands.len() >= 35, "{commands:#?}");
    // Every control route of the OpenAPI document's families appears.
    for path in [
        "/_sandbox/azericard/diagnose",
        "/_sandbox/epay/diagnose",
        "/_sandbox/qr/diagnose",
        "/_sandbox/epoint/merchants",
        "/_sandbox/azericard/terminals",
        "/_sandbox/epay/clients",
        "/_sandbox/qr/wallets",
        "/_sandbox/fixtures",
    ] {
        assert!(commands.iter().any(|c| c.contains(path)), "no example for {path}");
    }
    let (mut child, url) = start_binary().await;
    for command in &commands {
        let fail_fast = command
            .strip_prefix("curl ")
            .map(|rest| format!("curl -f {rest}"))
            .unwrap_or_else(|| panic!("not a curl command: {command}"));
        let output = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::process::Command::new("bash")
                .arg("-c")
                .arg(format!("set -o pipefail; {fail_fast}"))
                .env("S", &url)
                .output(),
        )
        .await
        .unwrap_or_else(|_| panic!("timed out: {command}"))
        .unwrap();
        assert!(
            output.status.success(),
            "failed ({}): {command}\nstdout: {}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    child.kill().await.unwrap();
}

#[test]
fn commands_join_continuations_and_skip_comments() {
    let text = "x\n```sh\nS=http://h\ncurl -s $S/a \\\n     -d '{}'\n# note\n\ncurl $S/b   # trailing\n```\n```json\n{}\n```\n";
    assert_eq!(commands(text), ["curl -s $S/a       -d '{}'", "curl $S/b   # trailing"]);
}
