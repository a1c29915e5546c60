#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Loading a merchant key whose primes differ in size logs a warning that says
//! why signing will be slow; a balanced key (`openssl genrsa`) logs nothing.

use std::io::Write;
use std::sync::{Arc, Mutex};

use azericard::MerchantKey;
use payments_core::conformance::assert_no_secret_in_text;

/// The vectors key: made by Python's `rsa` package, primes of 1088 and 960 bits.
const VECTORS_KEY: &[u8] = include_bytes!("data/azericard-test-key.pem");
/// The same key as PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`).
const VECTORS_KEY_PKCS8: &[u8] = include_bytes!("data/azericard-test-key.pkcs8.pem");
/// The benches' key, made by `openssl genrsa 2048`: two 1024-bit primes.
const BALANCED_KEY: &[u8] = include_bytes!("../benches/data/azericard-bench-key.pem");

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Loads `pem` under a capturing subscriber and returns the log text.
fn logs_of_loading(pem: &[u8]) -> String {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(capture.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        MerchantKey::from_pem(pem).unwrap();
    });
    String::from_utf8(capture.0.lock().unwrap().clone()).unwrap()
}

fn key_lines(pem: &[u8]) -> Vec<String> {
    std::str::from_utf8(pem)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_owned)
        .collect()
}

#[test]
fn unbalanced_key_warns_with_the_prime_sizes_and_the_reason() {
    for pem in [VECTORS_KEY, VECTORS_KEY_PKCS8] {
        let logs = logs_of_loading(pem);
        assert!(logs.contains("WARN"), "{logs}");
        assert!(
            logs.contains("merchant RSA key has primes of unequal size (1088 and 960 bits)"),
            "{logs}"
        );
        assert!(logs.contains("slower generic path"), "{logs}");
        assert!(logs.contains("openssl genrsa 2048"), "{logs}");
        assert_eq!(logs.lines().count(), 1, "one warning per load: {logs}");
        let lines = key_lines(pem);
        let secrets: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_no_secret_in_text(&logs, &secrets);
    }
}

#[test]
fn balanced_key_loads_silently() {
    let logs = logs_of_loading(BALANCED_KEY);
    assert_eq!(logs, "", "a balanced key logs nothing");
}

#[test]
fn both_keys_still_sign() {
    for pem in [VECTORS_KEY, BALANCED_KEY] {
        let key = MerchantKey::from_pem(pem).unwrap();
        let source = "510.503AZN";
        let p_sign = azericard::signature::sign_mac(&key, source).unwrap();
        azericard::signature::verify_mac(&key.public_key().unwrap(), source, &p_sign).unwrap();
    }
}
