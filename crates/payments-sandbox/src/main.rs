//! `payments-sandbox --port 8080`: the emulator as a standalone server.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Offline emulator of EPoint, AzeriCard, ePay and the QR wallet")]
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
    if let Some(url) = &args.epoint_callback_url {
        sandbox
            .providers()
            .epoint
            .set_callback_url(payments_sandbox::epoint::TEST_PUBLIC_KEY, url);
    }
    // A person (or another language's client) uses the binary in real time:
    // keep the sandbox clock on the wall clock.
    let clock = sandbox.clock().clone();
    tokio::spawn(async move {
        loop {
            clock.set(time::OffsetDateTime::now_utc());
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    println!("payments-sandbox listening on {}", sandbox.base_url());
    println!("  EPoint     {}", sandbox.epoint_url());
    println!("  AzeriCard  {}", sandbox.azericard_url());
    println!("  ePay       {}", sandbox.epay_url());
    println!("  QR wallet  {}", sandbox.qr_url());
    let providers = sandbox.providers();
    println!(
        "EPoint test merchant: public_key {} private_key {} (callback URL: --epoint-callback-url or POST /epoint/sandbox/callback-url)",
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
    println!("docs: docs/sandbox.md (credentials, scenarios, hosted pages, limits)");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
