//! `cargo xtask demo`: one complete checkout per provider, through the
//! `payments` facade, against the in-process sandbox. Needs nothing but the
//! repository: no credentials, no network beyond loopback.
//!
//! `--serve [--port N] [--epoint-callback-url URL]` keeps the sandbox running
//! for a person to click through the console and the hosted pages in a
//! browser. EPoint callbacks go to `URL` (default: the sandbox's own
//! `/_sandbox/sink`, so every approval shows up in the delivery log).

use std::process::ExitCode;
use std::time::Instant;

use payments_sandbox::{Sandbox, SandboxOptions};
use payments_tests::checkout::{Report, azericard_checkout, epay_checkout, epoint_checkout, qr_checkout};

async fn serve(port: u16, epoint_callback_url: Option<&str>) -> ExitCode {
    let options = SandboxOptions {
        addr: Some(([127, 0, 0, 1], port).into()),
        ..SandboxOptions::default()
    };
    let sandbox = match Sandbox::start_with(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the sandbox on port {port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // EPoint posts to the merchant's dashboard URL: without one an approval
    // would send nothing, so the default is the sandbox's own sink.
    let callback_url = epoint_callback_url
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}/_sandbox/sink", sandbox.base_url()));
    sandbox
        .providers()
        .epoint
        .set_callback_url(payments_sandbox::epoint::TEST_PUBLIC_KEY, &callback_url);
    println!(
        "sandbox running at {} (Ctrl-C to stop); see docs/sandbox.md",
        sandbox.base_url()
    );
    println!("  console    {}/", sandbox.base_url());
    println!(
        "  EPoint     {}   public key i000000001, private key test-private-key, callbacks to {callback_url}",
        sandbox.epoint_url()
    );
    println!("  AzeriCard  {}", sandbox.azericard_url());
    println!(
        "  ePay       {}   OAuth {}",
        sandbox.epay_url(),
        sandbox.providers().epay.token_url()
    );
    println!("  QR wallet  {}", sandbox.qr_url());
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve") {
        let port = args
            .iter()
            .position(|a| a == "--port")
            .and_then(|i| args.get(i + 1))
            .and_then(|p| p.parse().ok())
            .unwrap_or(8080);
        let callback_url = args
            .iter()
            .position(|a| a == "--epoint-callback-url")
            .and_then(|i| args.get(i + 1));
        return serve(port, callback_url.map(String::as_str)).await;
    }
    let started = Instant::now();
    let sandbox = match Sandbox::start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("sandbox started at {} (in-process, loopback only)", sandbox.base_url());
    let web = reqwest::Client::new();
    let mut report = Report::default();
    let mut failed = Vec::new();
    println!("\nEPoint: pay -> approve -> callback -> status -> partial refund");
    if let Err(e) = epoint_checkout(&mut report, &sandbox, &web).await {
        failed.push(("EPoint", e));
    }
    println!("\nAzeriCard: authorize form -> approve -> P_SIGN callback -> completion -> status");
    if let Err(e) = azericard_checkout(&mut report, &sandbox, &web).await {
        failed.push(("AzeriCard", e));
    }
    println!("\nePay: invoice link -> pay -> postLink -> search -> status -> refund");
    if let Err(e) = epay_checkout(&mut report, &sandbox, &web).await {
        failed.push(("ePay", e));
    }
    println!("\nQR wallet: begin -> complete -> refund");
    if let Err(e) = qr_checkout(&mut report, &sandbox).await {
        failed.push(("QR wallet", e));
    }
    report.print_table();
    println!();
    if failed.is_empty() {
        println!("all checkouts completed in {} ms", started.elapsed().as_millis());
        ExitCode::SUCCESS
    } else {
        for (p, e) in &failed {
            eprintln!("{p} checkout failed: {e}");
        }
        ExitCode::FAILURE
    }
}
