//! Every provider's whole checkout (the demo's flows) under a TRACE
//! subscriber: no key, secret, password, token or card number may reach the
//! SDK's logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use payments_sandbox::Sandbox;
use payments_tests::checkout::{Report, azericard_checkout, epay_checkout, epoint_checkout, qr_checkout};
use payments_tests::logs::Capture;

const AZERICARD_KEY: &str = include_str!("../../crates/azericard/tests/data/azericard-test-key.pem");

#[tokio::test]
async fn whole_checkouts_leave_no_secret_in_trace_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "payments_core=trace,payments=trace,epoint=trace,azericard=trace,epay_kz=trace,qr_wallet=trace",
        ))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start().await.unwrap();
    let web = reqwest::Client::new();
    let mut report = Report::default();
    epoint_checkout(&mut report, &sandbox, &web).await.unwrap();
    azericard_checkout(&mut report, &sandbox, &web).await.unwrap();
    epay_checkout(&mut report, &sandbox, &web).await.unwrap();
    qr_checkout(&mut report, &sandbox).await.unwrap();
    assert!(report.steps.iter().all(|s| s.ok));

    let logs = capture.text();
    if std::env::var_os("SHOW_LOGS").is_some() {
        println!("{logs}");
    }
    // The test would prove nothing if the SDK logged nothing.
    assert!(logs.contains("payments.http"), "no executor span captured:\n{logs}");
    for provider in ["epoint", "azericard", "epay-kz", "qr-wallet"] {
        assert!(
            logs.contains(&format!("provider=\"{provider}\"")),
            "no span of {provider}:\n{logs}"
        );
    }

    // Every line of the AzeriCard private key's base64 body.
    let key_lines: Vec<&str> = AZERICARD_KEY
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .collect();
    let mut secrets = vec![
        "test-private-key",                            // EPoint private key
        payments_sandbox::epay::INVOICE_CLIENT_SECRET, // ePay client secret
        payments_sandbox::epay::INVOICE_PASSWORD,      // ePay password
        payments_sandbox::qr::CLIENT_SECRET,           // QR wallet client secret
        "4111111111111111",                            // card numbers
        "Bearer ",                                     // any bearer token
        "access_token",                                // any token response
        "secret_hash",                                 // ePay's per-payment secret
        "P_SIGN=",                                     // signed form bodies
        "signature=",                                  // EPoint's signed bodies
    ];
    secrets.extend(key_lines);
    payments_core::conformance::assert_no_secret_in_text(&logs, &secrets);
}
