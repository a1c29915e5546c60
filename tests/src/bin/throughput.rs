//! Client throughput against the in-process sandbox for every provider,
//! beside raw `reqwest` building the same requests with the primitives, and
//! the cold start of each client.
//!
//! - `throughput <provider> sdk|raw [--seconds S] [--concurrency C]` prints
//!   `provider=P mode=M concurrency=C requests=N millis=T rps=R cpu_ms=U peak_rss_kib=K failures=F`
//!   (`cpu_ms`: CPU time of the whole process, client and in-process sandbox, during the timed part).
//! - `throughput cold <provider>` prints
//!   `provider=P mode=cold create_micros=A first_call_micros=B peak_rss_kib=K`.
//!
//! Providers and the request each one repeats:
//! - `epoint`: pay (signed form POST: JSON, base64, SHA-1; JSON answer parsed);
//! - `azericard`: status, TRTYPE 90 (form POST with an RSA-2048 P_SIGN over a
//!   fresh TIMESTAMP and NONCE, with the balanced bench key);
//! - `epay-kz`: check-status (GET with the cached service bearer token, JSON parsed);
//! - `qr-wallet`: CheckQRPaymentStatus (JSON POST with the cached bearer token).
//!
//! Each configuration runs in its own process (`cargo xtask bench` starts one
//! per point), so the peak RSS is that configuration's own. Tokens are fetched
//! once before timing on both sides; only the repeated request is timed.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use payments::azericard::{AzericardClient, AzericardConfig, GatewayPublicKey, MerchantKey, StatusRequest, TrType};
use payments::crypto;
use payments::epay_kz::{EpayClient, EpayConfig};
use payments::epoint::{EpointClient, EpointConfig, PayRequest};
use payments::qr_wallet::{QrWalletClient, QrWalletConfig};
use payments::{Currency, Money, Secret};
use payments_sandbox::{Sandbox, SandboxOptions};

const EPOINT_PUBLIC_KEY: &str = "i000000001";
const EPOINT_PRIVATE_KEY: &str = "test-private-key";
/// The balanced bench key (see `docs/benchmarks.md`): the sandbox verifies
/// P_SIGN with its public half.
const AZERICARD_KEY: &[u8] = include_bytes!("../../../crates/azericard/benches/data/azericard-bench-key.pem");
const AZERICARD_PUBLIC_KEY: &str = include_str!("../../../crates/azericard/benches/data/azericard-bench-key.pub.pem");
const AZERICARD_ORDER: &str = "000000123456";
const EPAY_INVOICE: &str = "000000012345";

fn arg(args: &[String], name: &str, default: u64) -> u64 {
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

/// CPU time of this process so far (user + system, every thread), in
/// milliseconds, from /proc/self/stat (fields 14 and 15, in clock ticks of
/// 10 ms: USER_HZ is 100 on Linux). Less sensitive than requests per second
/// to other processes taking the cores: it counts only this process's work.
fn cpu_millis() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The command name (field 2) may hold spaces: count from after its ')'.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) * 10)
        })
        .unwrap_or(0)
}

fn pem_der(pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(pem).ok()?;
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    crypto::base64_decode(b64.as_bytes()).ok()
}

/// One provider's SDK client, or the raw side's state for it.
// One value per process, shared behind an Arc: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Side {
    EpointSdk(EpointClient),
    EpointRaw {
        http: reqwest::Client,
        url: String,
    },
    AzericardSdk(AzericardClient),
    AzericardRaw {
        http: reqwest::Client,
        url: String,
        key: KeyPair,
    },
    EpaySdk(EpayClient),
    EpayRaw {
        http: reqwest::Client,
        url: String,
        bearer: String,
    },
    QrSdk {
        client: QrWalletClient,
        qr_code: String,
    },
    QrRaw {
        http: reqwest::Client,
        url: String,
        bearer: String,
        body: Vec<u8>,
    },
}

fn epoint_config(sandbox: &Sandbox) -> Option<EpointConfig> {
    EpointConfig::builder()
        .public_key(EPOINT_PUBLIC_KEY)
        .private_key(EPOINT_PRIVATE_KEY)
        .base_url(sandbox.epoint_url())
        .build()
        .ok()
}

fn azericard_client(sandbox: &Sandbox) -> Option<AzericardClient> {
    let gateway = GatewayPublicKey::from_pem(sandbox.providers().azericard.gateway_public_key_pem().as_bytes()).ok()?;
    let config = AzericardConfig::builder(payments_sandbox::azericard::TEST_TERMINAL)
        .mpi_base_url(sandbox.azericard_url())
        .mt_base_url(sandbox.azericard_url())
        .merchant_key(MerchantKey::from_pem(AZERICARD_KEY).ok()?)
        .gateway_public_key(gateway)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/azericard/callback")
        .build()
        .ok()?;
    AzericardClient::new(config).ok()
}

fn epay_client(sandbox: &Sandbox) -> Option<EpayClient> {
    use payments_sandbox::epay as sb;
    let state = &sandbox.providers().epay;
    let config = EpayConfig::builder(sb::INVOICE_CLIENT_ID, sb::INVOICE_CLIENT_SECRET, sb::INVOICE_TERMINAL)
        .oauth_url(state.token_url())
        .api_url(state.api_url())
        .invoice_search_url(state.invoice_search_url())
        .widget_script_url(state.widget_script_url())
        .credentials(sb::INVOICE_USERNAME, sb::INVOICE_PASSWORD)
        .shop_id(sb::INVOICE_SHOP_ID)
        .build()
        .ok()?;
    EpayClient::new(config).ok()
}

fn qr_client(sandbox: &Sandbox) -> Option<QrWalletClient> {
    use payments_sandbox::qr as sb;
    let config = QrWalletConfig::builder()
        .api_url(sandbox.providers().qr.api_url())
        .identity_url(format!("{}/identity", sandbox.qr_url()))
        .client_id(sb::CLIENT_ID)
        .client_secret(sb::CLIENT_SECRET)
        .provider_id(sb::PROVIDER_IDS[0])
        .build()
        .ok()?;
    QrWalletClient::new(config).ok()
}

fn partner_qr(sandbox: &Sandbox) -> String {
    sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", payments::Decimal::new(2500, 2))
        .qr_code
}

/// The QR wallet's bearer token for the raw side, fetched once (not timed).
async fn raw_qr_token(http: &reqwest::Client, sandbox: &Sandbox) -> Option<String> {
    use payments_sandbox::qr as sb;
    let resp = http
        .post(format!("{}/identity/connect/token", sandbox.qr_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", sb::SCOPE),
            ("client_id", sb::CLIENT_ID),
            ("client_secret", sb::CLIENT_SECRET),
        ])
        .send()
        .await
        .ok()?;
    let v: serde_json::Value = resp.json().await.ok()?;
    Some(format!("Bearer {}", v["access_token"].as_str()?))
}

async fn setup(provider: &str, mode: &str, sandbox: &Sandbox) -> Option<Side> {
    let http = reqwest::Client::new();
    Some(match (provider, mode) {
        ("epoint", "sdk") => Side::EpointSdk(EpointClient::new(epoint_config(sandbox)?).ok()?),
        ("epoint", _) => Side::EpointRaw {
            http,
            url: format!("{}/api/1/request", sandbox.epoint_url()),
        },
        ("azericard", "sdk") => Side::AzericardSdk(azericard_client(sandbox)?),
        ("azericard", _) => Side::AzericardRaw {
            http,
            url: format!("{}/cgi-bin/cgi_link", sandbox.azericard_url()),
            key: KeyPair::from_der(&pem_der(AZERICARD_KEY)?).ok()?,
        },
        ("epay-kz", "sdk") => {
            let client = epay_client(sandbox)?;
            // Token fetched before timing, as on the raw side.
            client.service_token().await.ok()?;
            Side::EpaySdk(client)
        }
        ("epay-kz", _) => {
            // The raw side gets its token through the SDK once: only the
            // repeated status request is compared.
            let token: Secret<String> = epay_client(sandbox)?.service_token().await.ok()?;
            Side::EpayRaw {
                http,
                url: format!(
                    "{}/check-status/payment/transaction/{EPAY_INVOICE}",
                    sandbox.providers().epay.api_url()
                ),
                bearer: format!("Bearer {}", token.expose_secret()),
            }
        }
        ("qr-wallet", "sdk") => {
            let client = qr_client(sandbox)?;
            let qr_code = partner_qr(sandbox);
            client.check_qr_payment_status(&qr_code).await.ok()?;
            Side::QrSdk { client, qr_code }
        }
        ("qr-wallet", _) => {
            let bearer = raw_qr_token(&http, sandbox).await?;
            let body = serde_json::to_vec(&serde_json::json!({ "qr_code": partner_qr(sandbox) })).ok()?;
            Side::QrRaw {
                url: format!(
                    "{}/v1/Transaction/CheckQRPaymentStatus",
                    sandbox.providers().qr.api_url()
                ),
                http,
                bearer,
                body,
            }
        }
        _ => return None,
    })
}

/// Python's `json.dumps` separators (`", "`, `": "`), as EPoint's reference client sends.
struct PythonSeparators;

impl serde_json::ser::Formatter for PythonSeparators {
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

/// The raw EPoint pay: the same typed fields the SDK sends (integrify's
/// shape, unset redirect URLs and `other_attr` as `null`, Python separators:
/// the same bytes), base64, SHA-1 signature and form body, with the primitives.
async fn raw_epoint(http: &reqwest::Client, url: &str, order: &str) -> bool {
    #[derive(serde::Serialize)]
    struct Pay<'a> {
        public_key: &'a str,
        language: &'a str,
        amount: &'a str,
        currency: &'a str,
        order_id: &'a str,
        success_redirect_url: Option<&'a str>,
        error_redirect_url: Option<&'a str>,
        description: &'a str,
        other_attr: Option<()>,
    }
    let pay = Pay {
        public_key: EPOINT_PUBLIC_KEY,
        language: "az",
        amount: "10.50",
        currency: "AZN",
        order_id: order,
        success_redirect_url: None,
        error_redirect_url: None,
        description: "Order 123 at Test Shop",
        other_attr: None,
    };
    let mut json = Vec::with_capacity(320);
    if serde::Serialize::serialize(
        &pay,
        &mut serde_json::Serializer::with_formatter(&mut json, PythonSeparators),
    )
    .is_err()
    {
        return false;
    }
    let data = crypto::base64_encode(&json);
    let k = EPOINT_PRIVATE_KEY.as_bytes();
    let signature = crypto::base64_encode(&crypto::sha1(&[k, data.as_bytes(), k]));
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

fn azericard_timestamp() -> Option<String> {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]");
    time::OffsetDateTime::now_utc().format(&format).ok()
}

/// The raw AzeriCard status: fields, MAC source, RSA-2048 P_SIGN, form POST,
/// answer read as JSON.
async fn raw_azericard(http: &reqwest::Client, url: &str, key: &KeyPair) -> bool {
    let Some(timestamp) = azericard_timestamp() else {
        return false;
    };
    let mut nonce = [0u8; 16];
    if aws_lc_rs::rand::fill(&mut nonce).is_err() {
        return false;
    }
    let nonce = crypto::hex_lower(&nonce);
    let terminal = payments_sandbox::azericard::TEST_TERMINAL;
    let mut source = String::with_capacity(96);
    for value in [AZERICARD_ORDER, terminal, "90", timestamp.as_str(), nonce.as_str()] {
        source.push_str(&value.len().to_string());
        source.push_str(value);
    }
    let mut sig = vec![0u8; key.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    if key.sign(&RSA_PKCS1_SHA256, &rng, source.as_bytes(), &mut sig).is_err() {
        return false;
    }
    let p_sign = crypto::hex_lower(&sig);
    let fields = [
        ("ORDER", AZERICARD_ORDER),
        ("TERMINAL", terminal),
        ("TRTYPE", "90"),
        ("TIMESTAMP", timestamp.as_str()),
        ("NONCE", nonce.as_str()),
        ("TRAN_TRTYPE", "1"),
        ("P_SIGN", p_sign.as_str()),
    ];
    let Ok(resp) = http.post(url).form(&fields).send().await else {
        return false;
    };
    if !resp.status().is_success() {
        return false;
    }
    let Ok(body) = resp.bytes().await else { return false };
    serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v.is_object())
}

async fn raw_bearer_json(request: reqwest::RequestBuilder, bearer: &str, key: &str) -> bool {
    let Ok(resp) = request.header("Authorization", bearer).send().await else {
        return false;
    };
    if !resp.status().is_success() {
        return false;
    }
    let Ok(body) = resp.bytes().await else { return false };
    serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v.get(key).is_some())
}

async fn call(side: &Side, order: &str, amount: Money) -> bool {
    match side {
        Side::EpointSdk(client) => {
            let request = PayRequest::new(order, amount).description("Order 123 at Test Shop");
            client.pay(&request).await.is_ok_and(|r| r.status.is_success())
        }
        Side::EpointRaw { http, url } => raw_epoint(http, url, order).await,
        Side::AzericardSdk(client) => {
            let request = StatusRequest::new(AZERICARD_ORDER, TrType::Purchase);
            client.status(&request).await.is_ok()
        }
        Side::AzericardRaw { http, url, key } => raw_azericard(http, url, key).await,
        Side::EpaySdk(client) => client.check_status(EPAY_INVOICE).await.is_ok(),
        Side::EpayRaw { http, url, bearer } => raw_bearer_json(http.get(url), bearer, "resultCode").await,
        Side::QrSdk { client, qr_code } => client.check_qr_payment_status(qr_code).await.is_ok(),
        Side::QrRaw {
            http,
            url,
            bearer,
            body,
        } => {
            let request = http
                .post(url)
                .header("Content-Type", "application/json")
                .body(body.clone());
            raw_bearer_json(request, bearer, "payload").await
        }
    }
}

/// Runs `concurrency` callers until `duration` has passed; (requests, failures).
async fn run(side: Arc<Side>, concurrency: u64, duration: Duration, tag: &'static str) -> (usize, usize) {
    let done = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let Ok(amount) = Money::parse_major("10.50", Currency::AZN) else {
        return (0, 1);
    };
    let mut tasks = Vec::new();
    for caller in 0..concurrency {
        let (done, failures, stop, side) = (done.clone(), failures.clone(), stop.clone(), side.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let order = format!("{tag}-{caller:03}-{i:08}");
                i += 1;
                if !call(&side, &order, amount).await {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    (done.load(Ordering::Relaxed), failures.load(Ordering::Relaxed))
}

async fn start_sandbox() -> Option<Sandbox> {
    Sandbox::start_with(SandboxOptions {
        azericard_merchant_public_key_pem: Some(AZERICARD_PUBLIC_KEY.to_owned()),
        ..SandboxOptions::default()
    })
    .await
    .ok()
}

/// Creating the SDK client and its first call (a fresh process: nothing warm).
async fn cold(provider: &str, sandbox: &Sandbox) -> Option<(u128, u128)> {
    let started = Instant::now();
    let side = match provider {
        "epoint" => Side::EpointSdk(EpointClient::new(epoint_config(sandbox)?).ok()?),
        "azericard" => Side::AzericardSdk(azericard_client(sandbox)?),
        "epay-kz" => Side::EpaySdk(epay_client(sandbox)?),
        "qr-wallet" => Side::QrSdk {
            client: qr_client(sandbox)?,
            qr_code: partner_qr(sandbox),
        },
        _ => return None,
    };
    let created = started.elapsed().as_micros();
    let amount = Money::parse_major("10.50", Currency::AZN).ok()?;
    // The first call includes the token fetch where the provider needs one.
    let ok = call(&side, "cold-00000001", amount).await;
    let first = started.elapsed().as_micros() - created;
    ok.then_some((created, first))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: throughput <epoint|azericard|epay-kz|qr-wallet> <sdk|raw> [--seconds S] [--concurrency C]\n       throughput cold <provider>";
    let (Some(first), Some(second)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let Some(sandbox) = start_sandbox().await else {
        eprintln!("cannot start the sandbox");
        return ExitCode::FAILURE;
    };
    if first == "cold" {
        let Some((create, first_call)) = cold(second, &sandbox).await else {
            eprintln!("cold start of {second} failed");
            return ExitCode::FAILURE;
        };
        println!(
            "provider={second} mode=cold create_micros={create} first_call_micros={first_call} peak_rss_kib={}",
            peak_rss_kib()
        );
        return ExitCode::SUCCESS;
    }
    let (provider, mode) = (first.as_str(), second.as_str());
    if mode != "sdk" && mode != "raw" {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let seconds = arg(&args, "--seconds", 3).max(1);
    let concurrency = arg(&args, "--concurrency", 64).max(1);
    let Some(side) = setup(provider, mode, &sandbox).await else {
        eprintln!("cannot set up {provider} {mode}");
        return ExitCode::FAILURE;
    };
    let side = Arc::new(side);
    let _ = run(side.clone(), concurrency, Duration::from_millis(500), "warmup").await;
    let cpu_before = cpu_millis();
    let started = Instant::now();
    let (requests, failures) = run(side, concurrency, Duration::from_secs(seconds), "run").await;
    let micros = started.elapsed().as_micros().max(1);
    let cpu_ms = cpu_millis().saturating_sub(cpu_before);
    let rps = (requests as u128) * 1_000_000 / micros;
    println!(
        "provider={provider} mode={mode} concurrency={concurrency} requests={requests} millis={} rps={rps} cpu_ms={cpu_ms} peak_rss_kib={} failures={failures}",
        micros / 1000,
        peak_rss_kib()
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
