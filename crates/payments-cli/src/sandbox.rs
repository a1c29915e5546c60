//! `payments sandbox`: the `payments_sandbox` emulator, with what the
//! standalone `payments-sandbox` binary prints, plus `--clock` and `--json`.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use payments_sandbox::{Sandbox, SandboxOptions, server::Limits};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::output::working;
use crate::{CliResult, SandboxArgs};

/// How the sandbox clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Follows the system clock (set every half second).
    Wall,
    /// Frozen at an instant.
    Frozen(OffsetDateTime),
}

/// Parses `--clock`: `wall` or an RFC 3339 instant.
pub fn parse_clock(text: &str) -> CliResult<ClockMode> {
    if text.eq_ignore_ascii_case("wall") {
        return Ok(ClockMode::Wall);
    }
    OffsetDateTime::parse(text, &Rfc3339)
        .map(ClockMode::Frozen)
        .map_err(|e| {
            format!("--clock {text:?}: expected `wall` or an RFC 3339 instant like 2026-11-23T10:00:00Z ({e})")
        })
}

/// The URLs and test credentials of a running sandbox, as JSON.
pub fn describe(sandbox: &Sandbox) -> serde_json::Value {
    let p = sandbox.providers();
    serde_json::json!({
        "base_url": sandbox.base_url(),
        "epoint": {
            "url": sandbox.epoint_url(),
            "public_key": p.epoint.public_key(),
            "private_key": p.epoint.private_key(),
            "env": {"EPOINT_BASE_URL": sandbox.epoint_url(), "EPOINT_PUBLIC_KEY": p.epoint.public_key(), "EPOINT_PRIVATE_KEY": p.epoint.private_key()},
        },
        "azericard": {
            "url": sandbox.azericard_url(),
            "terminal": p.azericard.terminal(),
            "gateway_public_key_url": format!("{}/gateway-public-key.pem", sandbox.azericard_url()),
            "transfer_merchant": p.azericard.transfer_merchant(),
            "transfer_secret": p.azericard.transfer_secret(),
            "env": {"AZERICARD_MERCHANT_ID": p.azericard.terminal(), "AZERICARD_MPI_URL": sandbox.azericard_url(), "AZERICARD_MT_URL": sandbox.azericard_url(), "AZERICARD_TRANSFER_MERCHANT": p.azericard.transfer_merchant(), "AZERICARD_TRANSFER_KEY": p.azericard.transfer_secret()},
        },
        "epay": {
            "url": sandbox.epay_url(),
            "oauth_url": p.epay.token_url(),
            "env": epay_env(sandbox),
        },
        "qr_wallet": {"url": sandbox.qr_url()},
        "docs": "docs/sandbox.md",
    })
}

/// The `EPAY_*` variables of the sandbox's test terminal.
fn epay_env(sandbox: &Sandbox) -> serde_json::Value {
    use payments_sandbox::epay::credentials as c;
    let epay = &sandbox.providers().epay;
    serde_json::json!({
        "EPAY_CLIENT_ID": c::TEST_CLIENT_ID,
        "EPAY_CLIENT_SECRET": c::TEST_CLIENT_SECRET,
        "EPAY_TERMINAL_ID": c::TEST_TERMINAL,
        "EPAY_OAUTH_URL": epay.token_url(),
        "EPAY_API_URL": epay.api_url(),
        "EPAY_INVOICE_SEARCH_URL": epay.invoice_search_url(),
    })
}

/// `NAME=value NAME=value` of a JSON object of variables.
fn env_line(env: &serde_json::Value) -> String {
    env.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn print_text(sandbox: &Sandbox, args: &SandboxArgs, clock: ClockMode) {
    let providers = sandbox.providers();
    println!("payments sandbox listening on {}", sandbox.base_url());
    println!("  EPoint     {}", sandbox.epoint_url());
    println!("  AzeriCard  {}", sandbox.azericard_url());
    println!(
        "  ePay       {}   (OAuth {})",
        sandbox.epay_url(),
        providers.epay.token_url()
    );
    println!("  QR wallet  {}", sandbox.qr_url());
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
    let described = describe(sandbox);
    println!("environment for `payments status|refund|cancel|capture` against this sandbox:");
    println!("  epoint:  {}", env_line(&described["epoint"]["env"]));
    println!("  epay-kz: {}", env_line(&described["epay"]["env"]));
    match clock {
        ClockMode::Wall => println!("clock: follows the wall clock"),
        ClockMode::Frozen(at) => println!(
            "clock: frozen at {}",
            at.format(&Rfc3339).unwrap_or_else(|_| "?".to_owned())
        ),
    }
    println!(
        "limits: headers {} s, body {} s",
        args.header_timeout_secs, args.body_timeout_secs
    );
    println!("docs: docs/sandbox.md (credentials, scenarios, hosted pages, limits); Ctrl-C stops it");
}

/// `payments sandbox`: runs until Ctrl-C.
pub fn run(args: &SandboxArgs) -> CliResult<ExitCode> {
    if let Some(path) = &args.config {
        return Err(format!(
            "--config {}: the sandbox library reads no configuration file; use --port, --host, --clock, --epoint-callback-url and --azericard-merchant-public-key",
            path.display()
        ));
    }
    let clock = parse_clock(&args.clock)?;
    let azericard_merchant_public_key_pem = match &args.azericard_merchant_public_key {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?),
        None => None,
    };
    let options = SandboxOptions {
        addr: Some(SocketAddr::from((args.host, args.port))),
        azericard_merchant_public_key_pem,
    };
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
        ..Limits::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    working("starting the sandbox");
    runtime.block_on(async move {
        let sandbox = Sandbox::start_with_limits(options, limits)
            .await
            .map_err(|e| format!("cannot start the sandbox on {}:{}: {e}", args.host, args.port))?;
        if let Some(url) = &args.epoint_callback_url {
            let epoint = &sandbox.providers().epoint;
            epoint.set_callback_url(epoint.public_key(), url);
        }
        match clock {
            ClockMode::Frozen(at) => sandbox.clock().set(at),
            ClockMode::Wall => {
                // A person (or another language's client) uses it in real time.
                let clock = sandbox.clock().clone();
                tokio::spawn(async move {
                    loop {
                        clock.set(OffsetDateTime::now_utc());
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                });
            }
        }
        if args.json {
            println!("{}", describe(&sandbox));
        } else {
            print_text(&sandbox, args, clock);
        }
        let _ = std::io::stdout().flush();
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn clock_modes_parse() {
        assert_eq!(parse_clock("wall").unwrap(), ClockMode::Wall);
        assert_eq!(
            parse_clock("2026-11-23T10:00:00Z").unwrap(),
            ClockMode::Frozen(time::macros::datetime!(2026-11-23 10:00 UTC))
        );
        assert!(parse_clock("yesterday").unwrap_err().contains("RFC 3339"));
    }
}
