//! EPoint client throughput against the in-process sandbox, beside raw
//! `reqwest` doing the same signed requests against the same server.
//!
//! `throughput sdk|raw [--requests N] [--concurrency C]` prints one line:
//! `mode=sdk requests=N concurrency=C millis=T rps=R peak_rss_kib=K failures=F`.
//! Each mode runs in its own process so that its peak memory is its own;
//! `cargo xtask bench` runs both and prints them side by side.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use payments::crypto;
use payments::epoint::{EpointClient, EpointConfig, PayRequest};
use payments::{Currency, Money};
use payments_sandbox::Sandbox;

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "test-private-key";

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process, from /proc (KiB).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The raw baseline: the same JSON, base64, SHA-1 signature and form body,
/// written with the primitives directly, sent with a plain `reqwest::Client`.
async fn raw_pay(http: &reqwest::Client, url: &str, order: &str) -> bool {
    let payload = serde_json::json!({
        "public_key": PUBLIC_KEY,
        "amount": "10.50",
        "currency": "AZN",
        "language": "az",
        "order_id": order,
        "description": "Order 123 at Test Shop",
    });
    let Ok(json) = serde_json::to_vec(&payload) else {
        return false;
    };
    let data = crypto::base64_encode(&json);
    let signature = crypto::base64_encode(&crypto::sha1(&[
        PRIVATE_KEY.as_bytes(),
        data.as_bytes(),
        PRIVATE_KEY.as_bytes(),
    ]));
    let Ok(resp) = http
        .post(url)
        .form(&[("data", data.as_str()), ("signature", signature.as_str())])
        .send()
        .await
    else {
        return false;
    };
    let Ok(body) = resp.bytes().await else { return false };
    serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v["status"] == "success")
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().cloned().unwrap_or_default();
    let requests = arg(&args, "--requests", 5000);
    let concurrency = arg(&args, "--concurrency", 64).max(1);
    let Ok(sandbox) = Sandbox::start().await else {
        eprintln!("cannot start the sandbox");
        return ExitCode::FAILURE;
    };
    let url = sandbox.epoint_url();
    let Ok(config) = EpointConfig::builder()
        .public_key(PUBLIC_KEY)
        .private_key(PRIVATE_KEY)
        .base_url(&url)
        .build()
    else {
        return ExitCode::FAILURE;
    };
    let Ok(client) = EpointClient::new(config) else {
        return ExitCode::FAILURE;
    };
    let client = Arc::new(client);
    let raw = reqwest::Client::new();
    let raw_url = format!("{url}/api/1/request");
    let Ok(amount) = Money::parse_major("10.50", Currency::AZN) else {
        return ExitCode::FAILURE;
    };

    let run = |total: usize, tag: &'static str| {
        let next = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (next, failures, client, raw, raw_url, mode) = (
                next.clone(),
                failures.clone(),
                client.clone(),
                raw.clone(),
                raw_url.clone(),
                mode.clone(),
            );
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let order = format!("{tag}-{i:08}");
                    let ok = if mode == "raw" {
                        raw_pay(&raw, &raw_url, &order).await
                    } else {
                        let request = PayRequest::new(order, amount).description("Order 123 at Test Shop");
                        client.pay(&request).await.is_ok_and(|r| r.status.is_success())
                    };
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
        async move {
            for t in tasks {
                let _ = t.await;
            }
            failures.load(Ordering::Relaxed)
        }
    };
    if mode != "sdk" && mode != "raw" {
        eprintln!("usage: throughput sdk|raw [--requests N] [--concurrency C]");
        return ExitCode::from(2);
    }
    let _ = run(requests / 10, "warmup").await;
    let started = Instant::now();
    let failures = run(requests, "run").await;
    let micros = started.elapsed().as_micros().max(1);
    let rps = (requests as u128) * 1_000_000 / micros;
    println!(
        "mode={mode} requests={requests} concurrency={concurrency} millis={} rps={rps} peak_rss_kib={} failures={failures}",
        micros / 1000,
        peak_rss_kib()
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
