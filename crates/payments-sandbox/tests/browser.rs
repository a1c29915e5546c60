#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The console and the hosted pages in a real browser: headless Chromium
//! (Debian's `chromium` and `chromium-driver` packages) driven over WebDriver
//! by `fantoccini`. For each provider: start a payment from the console's
//! form, follow it to the provider's hosted page, approve it there, come back
//! to the console and see the payment's state and its callback in the
//! delivery log. Screenshots go to `$CARGO_TARGET_DIR/browser-screenshots/`
//! (or the workspace's `target/browser-screenshots/`).
//!
//! Without `/usr/bin/chromium` and `/usr/bin/chromedriver` the test prints
//! "skipped: chromium not installed" and passes; `.ci/run` installs both.
//! `SANDBOX_CHROMIUM` and `SANDBOX_CHROMEDRIVER` point at other binaries.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use payments_sandbox::Sandbox;
use serde_json::{Value, json};

/// Debian's paths (packages `chromium`, `chromium-driver`).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn binary(env: &str, default: &str) -> PathBuf {
    std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from)
}
/// How long any one wait (page, element, callback) may take.
const WAIT: Duration = Duration::from_secs(20);

/// The chromedriver process, killed when the test ends (also on a panic).
struct Driver {
    child: Child,
    url: String,
    _profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory removed on drop (the browser's `--user-data-dir`).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver(chromedriver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("sandbox-browser-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&profile).unwrap();
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: TempDir(profile),
    };
    // chromedriver listens within a second or two.
    let deadline = Instant::now() + WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

async fn browser(driver: &Driver, chromium: &Path) -> Client {
    let profile = driver._profile.0.display().to_string();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                // Without these the browser calls home, and the closed network refuses it.
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1400",
                format!("--user-data-dir={profile}"),
            ],
        },
    });
    let Value::Object(caps) = caps else { unreachable!() };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    println!("screenshot: {}", path.display());
}

async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
}

async fn text_of(c: &Client, selector: &str) -> String {
    css(c, selector).await.text().await.unwrap()
}

/// Polls the page until `selector` matches an element whose text satisfies `ok`.
async fn wait_text(c: &Client, selector: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(e) = c.find(Locator::Css(selector)).await
            && let Ok(t) = e.text().await
            && ok(&t)
        {
            return t;
        }
        if Instant::now() >= deadline {
            let page = c.source().await.unwrap_or_default();
            panic!("{selector}: no matching text within {WAIT:?}; page:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Fills and submits the console's start form; returns the started payment's id.
/// Screenshots are named `{tag}-1-console-started.png` and so on.
async fn start_from_console(c: &Client, base: &str, tag: &str, provider: &str, amount: &str) -> String {
    c.goto(&format!("{base}/")).await.unwrap();
    css(c, "#start-provider").await.select_by_value(provider).await.unwrap();
    let input = css(c, "#start-amount").await;
    input.clear().await.unwrap();
    input.send_keys(amount).await.unwrap();
    css(c, "#start-button").await.click().await.unwrap();
    let result = wait_text(c, "#start-result", |t| {
        t.starts_with("Started") || t.starts_with("Could not")
    })
    .await;
    assert!(result.starts_with("Started"), "{provider}: {result}");
    shot(c, &format!("{tag}-1-console-started")).await;
    text_of(c, "#start-id").await
}

/// Back on the console: the payment's row shows `state`, and (except for
/// the QR wallet, which has no payment callback) its callback was delivered.
async fn console_shows(c: &Client, base: &str, tag: &str, provider: &str, id: &str, state: &str, callback: bool) {
    c.goto(&format!("{base}/")).await.unwrap();
    let row = format!("tr.payment[data-provider=\"{provider}\"][data-id=\"{id}\"] td.state");
    wait_text(c, &row, |t| t == state).await;
    if callback {
        let delivered = format!("tr.delivery[data-provider=\"{provider}\"][data-delivered=\"true\"]");
        let text = wait_text(c, &delivered, |t| t.contains("/_sandbox/sink")).await;
        assert!(text.contains("200"), "{provider} delivery: {text}");
    }
    shot(c, &format!("{tag}-4-console-after")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_starts_and_hosted_pages_approve_every_provider() {
    let (chromium, chromedriver) = (
        binary("SANDBOX_CHROMIUM", CHROMIUM),
        binary("SANDBOX_CHROMEDRIVER", CHROMEDRIVER),
    );
    if !chromium.exists() || !chromedriver.exists() {
        println!(
            "skipped: chromium not installed (needs {} and {}: apt-get install chromium chromium-driver)",
            chromium.display(),
            chromedriver.display()
        );
        return;
    }
    let sandbox = Sandbox::start().await.unwrap();
    let base = sandbox.base_url().to_owned();
    let driver = start_driver(&chromedriver).await;
    let c = browser(&driver, &chromium).await;
    // In its own task so a failed assertion still closes the browser session.
    let run = tokio::spawn(run_all(c.clone(), base)).await;
    let _ = c.close().await;
    drop(driver);
    if let Err(e) = run {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("{e}");
    }
}

async fn run_all(c: Client, base: String) {
    epoint(&c, &base).await;
    epoint_declined(&c, &base).await;
    azericard(&c, &base).await;
    epay(&c, &base).await;
    qr(&c, &base).await;
}

/// The hosted page lists the provider's scenarios, from the catalogue.
async fn has_scenarios(c: &Client, cards: &[&str]) {
    let list = text_of(c, "#scenarios").await;
    assert!(list.contains("Test scenarios"), "{list}");
    for card in cards {
        assert!(list.contains(card), "{card} missing from the scenario list: {list}");
    }
}

async fn epoint(c: &Client, base: &str) {
    let id = start_from_console(c, base, "epoint", "epoint", "10.5").await;
    assert!(text_of(c, "#start-result").await.contains("10.50 AZN"));
    css(c, "#start-page").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "EPoint payment").await;
    assert_eq!(text_of(c, "#amount").await, "10.50 AZN");
    assert_eq!(text_of(c, "#txn").await, id);
    has_scenarios(c, &["4000000000000002", "4000000000009995", "4000000000000119"]).await;
    shot(c, "epoint-2-hosted-page").await;
    css(c, "button[value=\"approve\"]").await.click().await.unwrap();
    let result = wait_text(c, "#result", |t| t.starts_with("Approved")).await;
    assert!(result.contains("code 000"), "{result}");
    shot(c, "epoint-3-hosted-result").await;
    console_shows(c, base, "epoint", "epoint", &id, "success", true).await;
    let amount = text_of(c, &format!("tr.payment[data-id=\"{id}\"] td.amount")).await;
    assert_eq!(amount, "10.50 AZN");
}

/// A magic amount (x.51, insufficient funds): the page says why it was declined.
async fn epoint_declined(c: &Client, base: &str) {
    let id = start_from_console(c, base, "epoint-declined", "epoint", "3.51").await;
    css(c, "#start-page").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "EPoint payment").await;
    css(c, "button[value=\"approve\"]").await.click().await.unwrap();
    let result = wait_text(c, "#result", |t| t.starts_with("Declined")).await;
    assert!(result.contains("code 116"), "{result}");
    shot(c, "epoint-declined-3-hosted-result").await;
    console_shows(c, base, "epoint-declined", "epoint", &id, "error", false).await;
}

async fn azericard(c: &Client, base: &str) {
    let order = start_from_console(c, base, "azericard", "azericard", "7.5").await;
    assert!(
        order.len() >= 6 && order.bytes().all(|b| b.is_ascii_digit()),
        "ORDER {order}"
    );
    // The button posts the signed form from the browser to cgi_link, which
    // redirects to the hosted page.
    css(c, "#start-page").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "AzeriCard payment").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/azericard/pay/"));
    assert_eq!(text_of(c, "#amount").await, "7.50 AZN");
    assert_eq!(text_of(c, "#order").await, order);
    has_scenarios(c, &["4000000000000002", "4000000000003063"]).await;
    shot(c, "azericard-2-hosted-page").await;
    css(c, "button[value=\"approve\"]").await.click().await.unwrap();
    let result = wait_text(c, "#result", |t| t.starts_with("Approved")).await;
    assert!(result.contains("RC 00"), "{result}");
    shot(c, "azericard-3-hosted-result").await;
    console_shows(c, base, "azericard", "azericard", &order, "Approved", true).await;
    let amount = text_of(c, &format!("tr.payment[data-id=\"{order}\"] td.amount")).await;
    assert_eq!(amount, "7.50 AZN");

    // Without the console: the GET variant's page posts its signed form by itself.
    c.goto(&format!("{base}/_sandbox/azericard/start?amount=2"))
        .await
        .unwrap();
    wait_text(c, "h1", |t| t == "AzeriCard payment").await;
    assert_eq!(text_of(c, "#amount").await, "2.00 AZN");
}

async fn epay(c: &Client, base: &str) {
    let id = start_from_console(c, base, "epay", "epay", "1500").await;
    css(c, "#start-page").await.click().await.unwrap();
    wait_text(c, "#status", |t| t == "ACTIVE").await;
    assert_eq!(text_of(c, "#amount").await, "1500.00 KZT");
    has_scenarios(c, &[payments_sandbox::epay::cards::DECLINE_INSUFFICIENT_FUNDS]).await;
    shot(c, "epay-2-hosted-page").await;
    css(c, "#approve").await.click().await.unwrap();
    wait_text(c, "#result", |t| t == "CHARGE").await;
    assert_eq!(text_of(c, "#amount").await, "1500.00 KZT");
    shot(c, "epay-3-hosted-result").await;
    // backLink is the console: the page's link leads back.
    css(c, "a[href]").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "payments-sandbox").await;
    console_shows(c, base, "epay", "epay", &id, "CHARGED", true).await;
}

/// The QR wallet has no card page: the payer scans the code in the wallet
/// app. The sandbox's wallet-app page stands in for it (the test wallet
/// pays); no callback follows (the provider documents none for QR payments).
async fn qr(c: &Client, base: &str) {
    let code = start_from_console(c, base, "qr", "qr", "25.5").await;
    assert!(text_of(c, "#start-result").await.contains("25.50 TRY"));
    css(c, "#start-page").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "QR wallet payment").await;
    assert_eq!(text_of(c, "#amount").await, "25.50 TRY");
    assert_eq!(text_of(c, "#qr").await, code);
    has_scenarios(c, &[payments_sandbox::qr::POOR_WALLET]).await;
    shot(c, "qr-2-hosted-page").await;
    css(c, "button[value=\"approve\"]").await.click().await.unwrap();
    let result = wait_text(c, "#result", |t| t.starts_with("Paid")).await;
    assert!(result.contains(payments_sandbox::qr::TEST_WALLET), "{result}");
    assert_eq!(text_of(c, "#status").await, "PAID");
    shot(c, "qr-3-hosted-result").await;
    css(c, "a[href=\"/\"]").await.click().await.unwrap();
    wait_text(c, "h1", |t| t == "payments-sandbox").await;
    console_shows(c, base, "qr", "qr", &code, "PAID", false).await;
    let amount = text_of(c, &format!("tr.payment[data-id=\"{code}\"] td.amount")).await;
    assert_eq!(amount, "25.50 TRY");
}
