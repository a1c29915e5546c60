//! The command line, as clap derive types (each doc comment is `--help` text).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use payments::ProviderKind;

/// The payments SDK from the terminal: an offline sandbox, callbacks you can
/// sign, verify and explain, one provider operation at a time, and the
/// AzeriCard merchant key pair.
#[derive(Debug, Parser)]
#[command(name = "payments", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Shown after the options of status, refund, cancel and capture.
const OPS_AFTER_HELP: &str = "\
The client comes from the provider's environment (its from_env()):
  epoint     EPOINT_PUBLIC_KEY, EPOINT_PRIVATE_KEY, EPOINT_BASE_URL (a sandbox)
  azericard  AZERICARD_MERCHANT_ID, AZERICARD_KEY_FILE_PATH, AZERICARD_MPI_URL, ...
  epay-kz    EPAY_CLIENT_ID, EPAY_CLIENT_SECRET, EPAY_TERMINAL_ID, EPAY_OAUTH_URL, EPAY_API_URL, ...
  qr-wallet  QR_WALLET_CLIENT_ID, QR_WALLET_CLIENT_SECRET, QR_WALLET_API_URL, ...
A decline is an answer (exit 0). On an error (exit 1) the tool says whether
money could have moved (outcome_unknown) and whether the same request may be
sent again (safe_to_resend). `payments sandbox` prints a sandbox's variables.";

/// Shown after the options of callback sign, verify and explain.
const CALLBACK_AFTER_HELP: &str = "\
Keys (or --key-file; one trailing newline of a file or body is ignored):
  epoint                  EPOINT_PRIVATE_KEY
  azericard               AZERICARD_GATEWAY_PUBLIC_KEY_PATH (AzeriCard's public key, PEM; `,` between
                          several), AZERICARD_MERCHANT_ID (the terminal checked)
  azericard --kind transfer  AZERICARD_TRANSFER_KEY
  epay-kz                 EPAY_SECRET_HASH (the hash stored for the payment), or with --derived
                          EPAY_CALLBACK_KEY
Secrets are never printed. Freshness windows and replay stores belong to your
running server: verify checks signatures and formats only.";

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the offline emulator of EPoint, AzeriCard, ePay and the QR wallet
    /// on loopback, and print its URLs and test credentials.
    Sandbox(SandboxArgs),
    /// Sign, verify or explain a provider callback body.
    Callback(CallbackArgs),
    /// Query a payment's status (PaymentProvider::payment_status).
    #[command(after_help = OPS_AFTER_HELP)]
    Status(OpArgs),
    /// Refund a payment, fully or partly (PaymentProvider::refund).
    #[command(after_help = OPS_AFTER_HELP)]
    Refund(OpArgs),
    /// Cancel (reverse) a payment or release a hold (PaymentProvider::cancel).
    #[command(after_help = OPS_AFTER_HELP)]
    Cancel(OpArgs),
    /// Capture a hold, fully or partly (PaymentProvider::capture).
    #[command(after_help = OPS_AFTER_HELP)]
    Capture(OpArgs),
    /// Generate key material a provider asks for.
    Keys(KeysArgs),
}

/// `payments sandbox`.
///
/// Flags the sandbox library does not support are refused rather than
/// ignored: `--config` (the library reads no configuration file; use the
/// flags below) is accepted only to say so.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port to listen on (0 picks a free one; the URLs printed say which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to bind (default 127.0.0.1; 0.0.0.0 to reach it from a container).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The sandbox clock: `wall` (follows the system clock, the default) or
    /// an RFC 3339 instant (`2026-11-23T10:00:00Z`) at which it stays frozen,
    /// so tokens and sessions never expire while you explore.
    #[arg(long, default_value = "wall")]
    pub clock: String,
    /// NOT SUPPORTED: the sandbox library has no configuration file. Giving
    /// it is an error; use --epoint-callback-url and
    /// --azericard-merchant-public-key instead.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// EPoint: the "callback URL" of the test merchant's dashboard.
    #[arg(long, value_name = "URL")]
    pub epoint_callback_url: Option<String>,
    /// AzeriCard: a PEM file with the merchant's RSA public key (default: the
    /// project's throwaway test key). `payments keys azericard` makes one.
    #[arg(long, value_name = "FILE")]
    pub azericard_merchant_public_key: Option<PathBuf>,
    /// Seconds a client has to send a request's headers.
    #[arg(long, default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body (408 after).
    #[arg(long, default_value_t = 10)]
    pub body_timeout_secs: u64,
    /// Print the URLs and credentials as one JSON object (one line) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `payments callback`.
#[derive(Debug, Args)]
pub struct CallbackArgs {
    /// Sign, verify or explain.
    #[command(subcommand)]
    pub action: CallbackAction,
}

/// What to do with a callback body.
#[derive(Debug, Subcommand)]
pub enum CallbackAction {
    /// Sign a payload as the provider would and print the callback body.
    ///
    /// EPoint: the body is the JSON payload; prints `data=...&signature=...`
    /// (or the JSON envelope with --format json). AzeriCard authorization:
    /// the body is the form fields; prints them with P_SIGN, signed with the
    /// private key in --key-file standing in for AzeriCard's key (for your
    /// tests). AzeriCard transfer: the form fields, prints them with
    /// `Signature`. ePay: the postLink JSON object; prints it with
    /// `secret_hash` set (the stored hash, or derived with --derived).
    #[command(after_help = CALLBACK_AFTER_HELP)]
    Sign(CallbackOpts),
    /// Verify a callback body as the SDK does and print what it proves.
    /// Exit code 1 when it does not verify.
    #[command(after_help = CALLBACK_AFTER_HELP)]
    Verify(CallbackOpts),
    /// Say why a body does or does not verify: what was signed, what was
    /// expected, what was received and the likely mistake. Never prints a
    /// secret. Exit code 1 when it does not verify.
    #[command(after_help = CALLBACK_AFTER_HELP)]
    Explain(CallbackOpts),
}

/// Options shared by `callback sign|verify|explain`.
///
/// Keys come from the provider's environment variables or from --key-file:
/// EPoint `EPOINT_PRIVATE_KEY`; AzeriCard authorization
/// `AZERICARD_GATEWAY_PUBLIC_KEY_PATH` (a PEM file; `,` between several) and
/// `AZERICARD_MERCHANT_ID`; AzeriCard transfer `AZERICARD_TRANSFER_KEY`; ePay
/// `EPAY_SECRET_HASH` (the hash stored for the payment) or, with --derived,
/// `EPAY_CALLBACK_KEY`.
#[derive(Debug, Args)]
pub struct CallbackOpts {
    /// epoint, azericard or epay-kz (the QR wallet's webhooks are not callbacks of this SDK).
    #[arg(long)]
    pub provider: ProviderKind,
    /// The body: a file, or `-` (the default) for standard input.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub body: PathBuf,
    /// Read the key from this file instead of the environment (one trailing
    /// newline is ignored). For AzeriCard authorization: a PEM file.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// AzeriCard: which callback (the MPI authorization result, or the MT transfer result).
    #[arg(long, value_enum, default_value_t = AzericardKind::Authorization)]
    pub kind: AzericardKind,
    /// AzeriCard authorization: the terminal id (default `AZERICARD_MERCHANT_ID`;
    /// without either, the body's TERMINAL is used and not checked).
    #[arg(long)]
    pub terminal: Option<String>,
    /// ePay: the secret_hash is derived from the invoice id and a key
    /// (`EPAY_CALLBACK_KEY`), as the SDK's client does, instead of stored.
    #[arg(long)]
    pub derived: bool,
    /// EPoint sign: the body format printed.
    #[arg(long, value_enum, default_value_t = BodyFormat::Form)]
    pub format: BodyFormat,
    /// Machine-readable output (one JSON object).
    #[arg(long)]
    pub json: bool,
}

/// AzeriCard's two callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AzericardKind {
    /// The MPI authorization callback (P_SIGN, RSA, AzeriCard's key).
    Authorization,
    /// The MT card transfer callback (MD5 `Signature` with the transfer secret).
    Transfer,
}

/// An EPoint callback body's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BodyFormat {
    /// `data=...&signature=...`, percent-encoded.
    Form,
    /// `{"data": "...", "signature": "..."}`.
    Json,
}

/// `payments status|refund|cancel|capture`: the payment and the operation.
///
/// The client is built by the provider's `from_env()` (EPoint `EPOINT_*`,
/// AzeriCard `AZERICARD_*`, ePay `EPAY_*`, QR wallet `QR_WALLET_*`; see each
/// crate's config docs). Exit code 1 on any error, with whether money could
/// have moved.
#[derive(Debug, Args)]
pub struct OpArgs {
    /// epoint, azericard, epay-kz or qr-wallet.
    #[arg(long)]
    pub provider: ProviderKind,
    /// The merchant's order id.
    #[arg(long)]
    pub order: Option<String>,
    /// The provider's transaction id.
    #[arg(long)]
    pub transaction: Option<String>,
    /// The payment's amount in major units (`10.50`), with --currency.
    #[arg(long, requires = "currency")]
    pub amount: Option<String>,
    /// ISO 4217 alpha code of the amounts (`AZN`, `KZT`, `TRY`). Never guessed.
    #[arg(long)]
    pub currency: Option<String>,
    /// A provider reference the operation needs, `KEY=VALUE` (AzeriCard:
    /// `RRN=...`, `INT_REF=...`, `TRTYPE=1`). Repeat for several.
    #[arg(long = "extra", value_name = "KEY=VALUE")]
    pub extra: Vec<String>,
    /// refund / capture: only this much (major units, in --currency); the whole payment when absent.
    #[arg(long, value_name = "AMOUNT", requires = "currency")]
    pub partial: Option<String>,
    /// refund: the merchant's refund id (one is generated when the provider takes one).
    #[arg(long)]
    pub refund_id: Option<String>,
    /// Machine-readable output (one JSON object, on stdout even on error).
    #[arg(long)]
    pub json: bool,
}

/// `payments keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// Which provider's keys.
    #[command(subcommand)]
    pub provider: KeysProvider,
}

/// Providers with key material to generate.
#[derive(Debug, Subcommand)]
pub enum KeysProvider {
    /// The merchant's RSA-2048 key pair for AzeriCard's P_SIGN: the private
    /// key as PKCS#8 PEM (keep it; AZERICARD_KEY_FILE_PATH), the public key
    /// as SPKI PEM (send it to AzeriCard), and its SHA-256 fingerprint.
    Azericard {
        /// Write `azericard-merchant-key.pem` (mode 0600 on Unix) and
        /// `azericard-merchant-key.pub.pem` into this directory (created if
        /// missing). Existing files are never replaced without --force.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}
