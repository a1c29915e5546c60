//! `payments-sandbox --port 8080`: the emulator as a standalone server.
//!
//! Logs go to stderr through a `tracing` subscriber filtered by `RUST_LOG`
//! (default `payments_sandbox=info,warn`): one INFO line per request and per
//! callback attempt, a WARN line for a callback that could not be delivered;
//! never a body, query string or header (keys and tokens travel there).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    about = "Offline emulator of EPoint, AzeriCard, ePay and the QR wallet",
    after_help = "Console: http://HOST:PORT/ ; control API: /_sandbox/ (OpenAPI at /_sandbox/openapi.json).\n\
                  Logging: RUST_LOG (default payments_sandbox=info,warn), e.g. RUST_LOG=payments_sandbox=debug."
)]
struct Args {
    /// Port to listen on (loopback).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to bind (default 127.0.0.1; use 0.0.0.0 to reach it from a container).
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// EPoint: the "callback URL" of the test merchant's dashboard.
    #[arg(long)]
    epoint_callback_url: Option<String>,
    /// AzeriCard: a PEM file with the merchant's RSA public key (default: the
    /// project's throwaway test key).
    #[arg(long)]
    azericard_merchant_public_key: Option<std::path::PathBuf>,
    /// Where the sandbox clock starts: an RFC 3339 instant (frozen there, e.g.
    /// 2026-12-01T10:00:00Z) or an offset from wall time (running, e.g. +2h, -30m, +1d).
    /// Default: wall time, running. Change it later with /_sandbox/clock.
    #[arg(long, value_name = "RFC3339|OFFSET")]
    clock: Option<payments_sandbox::control::ClockStart>,
    /// A JSON file of merchants and fixtures applied at start, the body of
    /// POST /_sandbox/fixtures (sections epoint, azericard, epay, qr; see
    /// docs/sandbox.md, "Start-up config").
    #[arg(long, value_name = "FILE.json")]
    config: Option<std::path::PathBuf>,
    /// Seconds a client has to send a request's headers before the connection is closed.
    #[arg(long, default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body (408 after).
    #[arg(long, default_value_t = 10)]
    body_timeout_secs: u64,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    init_logging();
    let azericard_merchant_public_key_pem = match &args.azericard_merchant_public_key {
        Some(path) => Some(std::fs::read_to_string(path)?),
        None => None,
    };
    let options = payments_sandbox::SandboxOptions {
        addr: Some(SocketAddr::from((args.host, args.port))),
        azericard_merchant_public_key_pem,
    };
    let limits = payments_sandbox::server::Limits {
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
        ..payments_sandbox::server::Limits::default()
    };
    let sandbox = payments_sandbox::Sandbox::start_with_limits(options, limits).await?;
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("--config {}: {e}", path.display())))?;
        let document: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("--config {}: {e}", path.display()),
            )
        })?;
        let applied = sandbox.control().apply_fixtures(&document).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("--config {}: {e}", path.display()),
            )
        })?;
        let counts: Vec<String> = applied["applied"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| format!("{k} {}", v.as_array().map_or(0, Vec::len)))
                    .collect()
            })
            .unwrap_or_default();
        println!("config {}: {}", path.display(), counts.join(", "));
    }
    if let Some(url) = &args.epoint_callback_url {
        sandbox
            .providers()
            .epoint
            .set_callback_url(payments_sandbox::epoint::TEST_PUBLIC_KEY, url);
    }
    // A person (or another language's client) uses the binary in real time:
    // the clock runs on wall time unless --clock says otherwise.
    let clock = args
        .clock
        .unwrap_or(payments_sandbox::control::ClockStart::Offset(time::Duration::ZERO));
    sandbox.control().clock.start(clock);
    println!("payments-sandbox listening on {}", sandbox.base_url());
    println!("  console    {}/", sandbox.base_url());
    println!(
        "  control    {}/_sandbox/ (OpenAPI: {}{})",
        sandbox.base_url(),
        sandbox.base_url(),
        payments_sandbox::control::OPENAPI_PATH
    );
    println!("  EPoint     {}", sandbox.epoint_url());
    println!("  AzeriCard  {}", sandbox.azericard_url());
    println!("  ePay       {}", sandbox.epay_url());
    println!("  QR wallet  {}", sandbox.qr_url());
    let providers = sandbox.providers();
    println!(
        "EPoint test merchant: public_key {} private_key {} (callback URL: --epoint-callback-url or PUT /_sandbox/epoint/callback-url)",
        providers.epoint.public_key(),
        providers.epoint.private_key()
    );
    println!(
        "AzeriCard: TERMINAL {}; gateway key {}/gateway-public-key.pem; MT Merchant {} secret {}",
        providers.azericard.terminal(),
        sandbox.azericard_url(),
        providers.azericard.transfer_merchant(),
        providers.azericard.transfer_secret()
    );
    println!(
        "limits: headers {} s, body {} s, bodies 8 KiB (token routes) / 64 KiB (ePay, QR) / 256 KiB (others)",
        args.header_timeout_secs, args.body_timeout_secs
    );
    let view = sandbox.control().clock.view();
    println!(
        "clock: {} ({})",
        view.now,
        if view.frozen { "frozen" } else { "running" }
    );
    println!("docs: docs/sandbox.md (credentials, scenarios, hosted pages, limits, control API)");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// A stderr subscriber filtered by `RUST_LOG` (default `payments_sandbox=info,warn`).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("payments_sandbox=info,warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
