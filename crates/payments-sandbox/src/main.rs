//! `payments-sandbox --port 8080`: the emulator as a standalone server.

use std::net::SocketAddr;

use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Offline emulator of EPoint, AzeriCard, ePay and the QR wallet")]
struct Args {
    /// Port to listen on (loopback).
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let options = payments_sandbox::SandboxOptions {
        addr: Some(SocketAddr::from(([127, 0, 0, 1], args.port))),
        ..Default::default()
    };
    let sandbox = payments_sandbox::Sandbox::start_with(options).await?;
    println!("payments-sandbox listening on {}", sandbox.base_url());
    println!("  EPoint     {}", sandbox.epoint_url());
    println!("  AzeriCard  {}", sandbox.azericard_url());
    println!("  ePay       {}", sandbox.epay_url());
    println!("  QR wallet  {}", sandbox.qr_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
