//! Every example runs against the sandbox binary exactly as its header says.
//!
//! Each test reads the example's header (the ```text block of its `//!`
//! comments), starts the `payments-sandbox` binary built by cargo with the
//! header's flags on a free loopback port (instead of 8080), sets exactly the
//! header's variables (nothing inherited from this process but `PATH` and
//! `HOME`), runs the example binary from the repository root with the
//! header's arguments, and checks its exit status and key output lines. The
//! negative tests check that a missing configuration exits non-zero naming
//! what is missing, and that a misspelt EPoint variable never runs offline.
//!
//! The binaries are built once per run with `cargo build` into the same
//! target directory (a no-op under `cargo xtask test-sandbox`, which has
//! built every example already); every child process is bounded in time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long one example may run.
const EXAMPLE_TIMEOUT: Duration = Duration::from_secs(90);
/// How long the (incremental) build of the sandbox and the examples may take.
const BUILD_TIMEOUT: Duration = Duration::from_secs(40 * 60);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root()).env("CARGO_TARGET_DIR", target_dir());
    cmd
}

/// Builds the sandbox binary and every example once for the whole test binary.
fn build() {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let result = BUILT.get_or_init(|| {
        // One invocation with `--all-features`, the feature set `cargo xtask
        // test-sandbox` (`cargo test --workspace --all-features`) has built
        // these with already, so that under it this build is (nearly) a no-op.
        let builds: [&[&str]; 1] = [&[
            "build",
            "--quiet",
            "--all-features",
            "-p",
            "payments-sandbox",
            "-p",
            "payments-epoint",
            "-p",
            "azericard",
            "-p",
            "epay-kz",
            "-p",
            "qr-wallet",
            "-p",
            "payments",
            "--bins",
            "--examples",
        ]];
        for args in builds {
            let mut cmd = cargo();
            cmd.args(args);
            let out = run_bounded(cmd, BUILD_TIMEOUT)?;
            if !out.status.success() {
                return Err(format!("cargo {} failed:\n{}", args.join(" "), out.stderr));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` to completion within `limit` (killed after), output through
/// files so that a chatty child never blocks on a full pipe.
fn run_bounded(mut cmd: Command, limit: Duration) -> Result<Output, String> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    let base = std::env::temp_dir().join(format!("payments-examples-{}-{n}", std::process::id()));
    let (out_path, err_path) = (base.with_extension("out"), base.with_extension("err"));
    let out_file = std::fs::File::create(&out_path).map_err(|e| e.to_string())?;
    let err_file = std::fs::File::create(&err_path).map_err(|e| e.to_string())?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(err_file)
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
            return Err(format!("{cmd:?} did not finish within {limit:?}; stderr:\n{stderr}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&err_path);
    Ok(Output { status, stdout, stderr })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The sandbox binary, killed when dropped.
struct Sandbox {
    child: Child,
}

impl Sandbox {
    /// Starts the binary with `args` (which carry `--port port`) and waits until it answers.
    fn start(port: u16, args: &[String]) -> Sandbox {
        let binary = target_dir()
            .join("debug")
            .join(format!("payments-sandbox{}", std::env::consts::EXE_SUFFIX));
        let child = Command::new(&binary)
            .args(args)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut sandbox = Sandbox { child };
        let started = Instant::now();
        while !answers(port) {
            if let Ok(Some(status)) = sandbox.child.try_wait() {
                panic!("the sandbox exited at start ({status}) with {args:?}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the sandbox did not answer on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sandbox
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// True when `GET /_sandbox/clock` answers 200 on `port`.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = "GET /_sandbox/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// One command of an example's header.
#[derive(Debug, Clone, Default)]
struct HeaderCommand {
    env: Vec<(String, String)>,
    package: String,
    example: Option<String>,
    /// After `--`.
    args: Vec<String>,
}

/// The commands of the ```text block of `file`'s `//!` header, with the
/// sandbox's 8080 and the merchant's 3000 replaced by the given ports.
fn header(file: &str, sandbox_port: u16, merchant_port: u16) -> Vec<HeaderCommand> {
    let source = std::fs::read_to_string(root().join(file)).unwrap();
    let doc: Vec<&str> = source
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let start = doc
        .iter()
        .position(|l| l.trim() == "```text")
        .unwrap_or_else(|| panic!("{file}: no ```text block in the header"));
    let block: Vec<&str> = doc[start + 1..]
        .iter()
        .take_while(|l| l.trim() != "```")
        .copied()
        .collect();
    let text = block
        .join("\n")
        .replace("\\\n", " ")
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{sandbox_port}"))
        .replace("--port 8080", &format!("--port {sandbox_port}"))
        .replace("127.0.0.1:3000", &format!("127.0.0.1:{merchant_port}"));
    let commands: Vec<HeaderCommand> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| parse_command(file, l))
        .collect();
    assert!(!commands.is_empty(), "{file}: an empty header block");
    commands
}

fn parse_command(file: &str, line: &str) -> HeaderCommand {
    let words = shell_words(line);
    let mut cmd = HeaderCommand::default();
    let mut rest = words.iter();
    let mut word = rest.next();
    while let Some((name, value)) = word.and_then(|w| w.split_once('='))
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        cmd.env.push((name.to_owned(), value.to_owned()));
        word = rest.next();
    }
    assert_eq!(
        word.map(String::as_str),
        Some("cargo"),
        "{file}: not a cargo command: {line}"
    );
    assert_eq!(
        rest.next().map(String::as_str),
        Some("run"),
        "{file}: not `cargo run`: {line}"
    );
    while let Some(w) = rest.next() {
        match w.as_str() {
            "-p" | "--package" => cmd.package = rest.next().cloned().unwrap_or_default(),
            "--example" => cmd.example = rest.next().cloned(),
            "--features" => {
                rest.next();
            }
            "--" => {
                cmd.args = rest.by_ref().cloned().collect();
            }
            other => panic!("{file}: unexpected word {other:?} in {line}"),
        }
    }
    cmd
}

/// Splits on blanks, keeping "double" and 'single' quoted words whole.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Runs the example binary `name` with exactly `env` and `args`, from the repository root.
fn run_example(name: &str, env: &[(String, String)], args: &[String]) -> Output {
    let binary = target_dir()
        .join("debug")
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} was not built", binary.display());
    let mut cmd = Command::new(binary);
    cmd.current_dir(root()).env_clear().args(args);
    for keep in ["PATH", "HOME", "SYSTEMROOT"] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    run_bounded(cmd, EXAMPLE_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_success(what: &str, out: &Output, expected: &[&str]) {
    assert!(
        out.status.success(),
        "{what}: exit {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        out.stdout,
        out.stderr
    );
    for line in expected {
        assert!(
            out.stdout.contains(line),
            "{what}: no {line:?} in stdout:\n{}\nstderr:\n{}",
            out.stdout,
            out.stderr
        );
    }
}

fn assert_config_error(what: &str, out: &Output, named: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: expected exit 2 for a configuration error\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    for name in named {
        assert!(
            out.stderr.contains(name),
            "{what}: {name} not named in:\n{}",
            out.stderr
        );
    }
}

/// Runs every example command of `file`'s header (selected by `pick`)
/// against a sandbox started as the header says; answers the outputs.
fn run_header(file: &str, pick: impl Fn(&HeaderCommand) -> bool) -> Vec<(HeaderCommand, Output)> {
    build();
    let (port, merchant) = (free_port(), free_port());
    let commands = header(file, port, merchant);
    let sandbox_args = commands
        .iter()
        .find(|c| c.package == "payments-sandbox")
        .map(|c| c.args.clone())
        .unwrap_or_else(|| vec!["--port".to_owned(), port.to_string()]);
    assert!(
        sandbox_args
            .windows(2)
            .any(|w| w[0] == "--port" && w[1] == port.to_string()),
        "{file}: the sandbox command must say its port: {sandbox_args:?}"
    );
    let _sandbox = Sandbox::start(port, &sandbox_args);
    let runs: Vec<(HeaderCommand, Output)> = commands
        .into_iter()
        .filter(|c| c.example.is_some() && pick(c))
        .map(|c| {
            let out = run_example(c.example.as_deref().unwrap_or_default(), &c.env, &c.args);
            (c, out)
        })
        .collect();
    assert!(!runs.is_empty(), "{file}: no example command in the header");
    runs
}

fn env_of(cmd: &HeaderCommand, name: &str) -> String {
    cmd.env
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[test]
fn epoint_checkout_runs_as_its_header_says() {
    for (cmd, out) in run_header("crates/epoint/examples/checkout.rs", |_| true) {
        assert_eq!(cmd.example.as_deref(), Some("epoint_checkout"));
        let base = env_of(&cmd, "EPOINT_BASE_URL");
        assert_success(
            "epoint_checkout",
            &out,
            &[
                &format!("ONLINE against {base}"),
                &format!("send the customer to {base}/pay/te"),
                "status of te",
            ],
        );
        assert!(!out.stdout.contains("OFFLINE"), "{}", out.stdout);
    }
}

#[test]
fn epoint_checkout_never_runs_offline_on_a_misspelt_or_missing_variable() {
    build();
    let set = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    let typo = run_example(
        "epoint_checkout",
        &set(&[
            ("EPOINT_PUBLIC_KEY", "i000000001"),
            ("EPOINT_PRIVAT_KEY", "test-private-key"),
            ("EPOINT_BASE_URL", "http://127.0.0.1:9/epoint"),
        ]),
        &[],
    );
    assert_config_error(
        "misspelt EPOINT_PRIVAT_KEY",
        &typo,
        &["EPOINT_PRIVAT_KEY", "EPOINT_PRIVATE_KEY"],
    );
    assert!(!typo.stdout.contains("OFFLINE"), "{}", typo.stdout);

    let missing = run_example(
        "epoint_checkout",
        &set(&[("EPOINT_BASE_URL", "http://127.0.0.1:9/epoint")]),
        &[],
    );
    assert_config_error("no keys", &missing, &["EPOINT_PUBLIC_KEY", "EPOINT_PRIVATE_KEY"]);
    assert!(!missing.stdout.contains("OFFLINE"), "{}", missing.stdout);

    // No EPOINT_* variable at all: the documented offline mode, saying so.
    let offline = run_example("epoint_checkout", &[], &[]);
    assert_success(
        "offline",
        &offline,
        &["OFFLINE: no EPOINT_* variable is set", "callback verified"],
    );
}

#[test]
fn azericard_checkout_runs_as_its_header_says() {
    for (cmd, out) in run_header("crates/azericard/examples/checkout.rs", |_| true) {
        assert_eq!(cmd.example.as_deref(), Some("azericard_checkout"));
        let mpi = env_of(&cmd, "AZERICARD_MPI_URL");
        assert_success(
            "azericard_checkout",
            &out,
            &[
                &format!("form: POST {mpi}/cgi-bin/cgi_link with "),
                "customer paid ORDER ",
                "callback signature verified",
                "confirmed by the status query: ORDER ",
                "paid 10.50 AZN",
            ],
        );
    }
    build();
    let out = run_example("azericard_checkout", &[], &[]);
    assert_config_error(
        "azericard without configuration",
        &out,
        &["AZERICARD_MERCHANT_ID", "SANDBOX_URL"],
    );
}

#[test]
fn epay_checkout_runs_as_its_header_says() {
    for (cmd, out) in run_header("crates/epay-kz/examples/checkout.rs", |_| true) {
        assert_eq!(cmd.example.as_deref(), Some("epay_checkout"));
        let sandbox = env_of(&cmd, "SANDBOX_URL");
        assert_success(
            "epay_checkout",
            &out,
            &[
                "postLink listener on http://127.0.0.1:",
                "halyk.pay({",
                "\"terminal\":\"67e34d63-102f-4bd1-898e-370781d0074d\"",
                "/epay/post-link\"",
                &format!("<script src=\"{sandbox}/epay/payform/payment-api.js\">"),
                "customer paid invoice ",
                "postLink secret_hash verified: invoice ",
                "confirmed by the status query: invoice ",
                " paid 150.50 KZT (AUTH, transaction ",
            ],
        );
        // The invoice paid, verified and confirmed is the one the page was built for.
        let invoice = out
            .stdout
            .split("\"invoiceId\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no invoiceId in:\n{}", out.stdout));
        for line in [
            format!("customer paid invoice {invoice} "),
            format!("postLink secret_hash verified: invoice {invoice}\n"),
            format!("confirmed by the status query: invoice {invoice} paid "),
        ] {
            assert!(out.stdout.contains(&line), "no {line:?} in:\n{}", out.stdout);
        }
        // Nothing simulated is left: every outcome printed came from the sandbox.
        assert!(!out.stderr.contains("SIMULATED"), "{}", out.stderr);
        assert!(!out.stderr.contains("NOT confirmed"), "{}", out.stderr);
    }
    build();
    let out = run_example("epay_checkout", &[], &[]);
    assert_config_error(
        "epay without configuration",
        &out,
        &[
            "EPAY_CLIENT_ID",
            "EPAY_CLIENT_SECRET",
            "EPAY_TERMINAL_ID",
            "SANDBOX_URL",
        ],
    );
    assert!(!out.stdout.contains("confirmed"), "{}", out.stdout);

    // A sandbox that is not there: the example fails (exit 1), never prints a success.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let env: Vec<(String, String)> = [
        ("EPAY_CLIENT_ID", "test"),
        ("EPAY_CLIENT_SECRET", "yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG"),
        ("EPAY_TERMINAL_ID", "67e34d63-102f-4bd1-898e-370781d0074d"),
        ("EPAY_OAUTH_URL", &format!("{dead}/epay/oauth2/token")),
        ("EPAY_API_URL", &format!("{dead}/epay/api")),
        ("SANDBOX_URL", &dead),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let out = run_example("epay_checkout", &env, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains("confirmed"), "{}", out.stdout);
}

#[test]
fn qr_checkout_runs_as_its_header_says() {
    for (cmd, out) in run_header("crates/qr-wallet/examples/qr_checkout.rs", |_| true) {
        assert_eq!(cmd.example.as_deref(), Some("qr_checkout"));
        assert_eq!(cmd.args, ["5000000001"]);
        assert_success(
            "qr_checkout",
            &out,
            &[
                "minted a partner QR for 25.00 TRY: ",
                "paid: transaction ",
                "status of the QR: Succeeded",
            ],
        );
    }
    build();
    let out = run_example("qr_checkout", &[], &["5000000001".to_owned()]);
    assert_config_error(
        "qr without configuration",
        &out,
        &[
            "QR_WALLET_API_URL",
            "QR_WALLET_IDENTITY_URL",
            "QR_WALLET_CLIENT_ID",
            "QR_WALLET_CLIENT_SECRET",
            "QR_WALLET_PROVIDER_ID",
        ],
    );
}

#[test]
fn any_provider_runs_as_its_header_says_for_each_provider() {
    let runs = run_header("crates/payments/examples/any_provider.rs", |_| true);
    let mut seen = Vec::new();
    for (cmd, out) in runs {
        let provider = env_of(&cmd, "PAYMENTS_PROVIDER");
        let next = match provider.as_str() {
            "epoint" => "next: redirect the customer to http://127.0.0.1:",
            "epay-kz" => "next: load ",
            "azericard" => "next: the customer's browser posts ",
            other => panic!("an unexpected provider in the header: {other}"),
        };
        assert_success(
            &format!("any_provider {provider}"),
            &out,
            &[&format!("{provider}: creating payment "), next],
        );
        seen.push(provider);
    }
    assert_eq!(seen, ["epoint", "epay-kz", "azericard"]);
    build();
    let out = run_example("any_provider", &[], &[]);
    assert_config_error("any_provider without configuration", &out, &["PAYMENTS_PROVIDER"]);
    let out = run_example(
        "any_provider",
        &[("PAYMENTS_PROVIDER".to_owned(), "epay-kz".to_owned())],
        &[],
    );
    assert_config_error(
        "any_provider epay-kz without its variables",
        &out,
        &["EPAY_CLIENT_ID", "EPAY_CLIENT_SECRET", "EPAY_TERMINAL_ID"],
    );
}

#[test]
fn merchant_backend_runs_as_its_header_says() {
    let runs = run_header("crates/payments/examples/merchant_backend.rs", |c| {
        c.args.iter().any(|a| a == "--once")
    });
    for (_, out) in runs {
        assert_success(
            "merchant_backend --once",
            &out,
            &[
                "merchant backend listening on http://127.0.0.1:",
                " fulfilled (10.50 paid, confirmed)",
                "duplicate delivery ignored (already processed)",
                "done: one order, paid and fulfilled once",
            ],
        );
        assert_eq!(
            out.stdout.matches(" fulfilled (10.50 paid").count(),
            1,
            "{}",
            out.stdout
        );
    }
    build();
    let out = run_example("merchant_backend", &[], &[]);
    assert_config_error("merchant_backend without configuration", &out, &["PAYMENTS_PROVIDER"]);
}

#[test]
fn the_header_parser_reads_continuations_quotes_and_ports() {
    let words = shell_words(r#"A=1 B="Test Shop" cargo run -p x --example y -- --once"#);
    assert_eq!(
        words,
        [
            "A=1",
            "B=Test Shop",
            "cargo",
            "run",
            "-p",
            "x",
            "--example",
            "y",
            "--",
            "--once"
        ]
    );
    let cmd = parse_command("f", r#"A=1 B="Test Shop" cargo run -p x --example y -- --once"#);
    assert_eq!(cmd.env, [("A".into(), "1".into()), ("B".into(), "Test Shop".into())]);
    assert_eq!((cmd.package.as_str(), cmd.example.as_deref()), ("x", Some("y")));
    assert_eq!(cmd.args, ["--once"]);
}
