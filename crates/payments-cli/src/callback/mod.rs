//! `payments callback sign|verify|explain --provider P`.
//!
//! Verification goes through the provider crates' own public functions (the
//! ones a merchant's server calls), so the CLI says exactly what the SDK
//! would. `explain` rebuilds what was signed beside what was received and
//! names the likely mistake; it never prints a key or a stored secret hash.

use std::process::ExitCode;

use payments::ProviderKind;
use serde_json::{Map, Value, json};

use crate::cli::{CallbackAction, CallbackOpts};
use crate::input::read_body;
use crate::output::{error_json, report_json, report_text};
use crate::{CallbackArgs, CliResult};

pub mod azericard;
pub mod epay;
pub mod epoint;

/// What `verify` found in a body that verified.
#[derive(Debug)]
pub struct Verified {
    /// The provider-neutral event's claim.
    pub report: payments::StatusReport,
    /// True when the signature covers the outcome (EPoint).
    pub confirmed: bool,
    /// The deduplication key (signed identity).
    pub dedupe_key: String,
    /// What the signature proves and what it does not, in words.
    pub note: String,
    /// Provider-specific decoded fields worth showing.
    pub details: Map<String, Value>,
}

/// An explanation: facts in order, the verdict and the likely mistakes.
#[derive(Debug, Default)]
pub struct Explanation {
    /// True when the body verifies with the key given.
    pub verifies: bool,
    /// `(label, value)` in the order a person reads them.
    pub facts: Vec<(String, String)>,
    /// Likely mistakes, most likely first (may be non-empty when it verifies:
    /// things that work here but break elsewhere).
    pub mistakes: Vec<String>,
}

impl Explanation {
    /// Adds a fact.
    pub fn fact(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.facts.push((label.into(), value.into()));
    }

    /// Adds a likely mistake.
    pub fn mistake(&mut self, text: impl Into<String>) {
        self.mistakes.push(text.into());
    }

    /// As JSON: `{"verifies": .., "facts": {..}, "likely_mistakes": [..]}`.
    pub fn to_json(&self, provider: ProviderKind) -> Value {
        let facts: Map<String, Value> = self
            .facts
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({"provider": provider.name(), "verifies": self.verifies, "facts": facts, "likely_mistakes": self.mistakes})
    }

    /// As text.
    pub fn to_text(&self) -> String {
        let width = self.facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (k, v) in &self.facts {
            out.push_str(&format!("{k:<width$}  {v}\n"));
        }
        out.push_str(if self.verifies {
            "VERIFIES with this key.\n"
        } else {
            "DOES NOT VERIFY with this key.\n"
        });
        if !self.mistakes.is_empty() {
            out.push_str("Likely mistakes:\n");
            for m in &self.mistakes {
                out.push_str(&format!("  - {m}\n"));
            }
        }
        out
    }
}

fn unsupported(provider: ProviderKind) -> String {
    format!("{provider} has no callback this command handles: use epoint, azericard or epay-kz")
}

/// `payments callback ...`.
pub fn run(args: &CallbackArgs) -> CliResult<ExitCode> {
    match &args.action {
        CallbackAction::Sign(opts) => sign(opts),
        CallbackAction::Verify(opts) => verify(opts),
        CallbackAction::Explain(opts) => explain(opts),
    }
}

fn sign(opts: &CallbackOpts) -> CliResult<ExitCode> {
    let body = read_body(&opts.body)?;
    let signed = match opts.provider {
        ProviderKind::Epoint => epoint::sign(opts, &body)?,
        ProviderKind::Azericard => azericard::sign(opts, &body)?,
        ProviderKind::EpayKz => epay::sign(opts, &body)?,
        other => return Err(unsupported(other)),
    };
    if opts.json {
        println!("{}", json!({"provider": opts.provider.name(), "body": signed}));
    } else {
        println!("{signed}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Verifies `body` for `opts.provider`: `Ok(Err(..))` when it does not verify.
pub fn verify_body(opts: &CallbackOpts, body: &[u8]) -> CliResult<payments::Result<Verified>> {
    match opts.provider {
        ProviderKind::Epoint => epoint::verify(opts, body),
        ProviderKind::Azericard => azericard::verify(opts, body),
        ProviderKind::EpayKz => epay::verify(opts, body),
        other => Err(unsupported(other)),
    }
}

fn verify(opts: &CallbackOpts) -> CliResult<ExitCode> {
    let body = read_body(&opts.body)?;
    match verify_body(opts, &body)? {
        Ok(v) => {
            if opts.json {
                println!(
                    "{}",
                    json!({
                        "provider": opts.provider.name(),
                        "verified": true,
                        "confirmed": v.confirmed,
                        "dedupe_key": v.dedupe_key,
                        "claimed": report_json(&v.report),
                        "details": v.details,
                        "note": v.note,
                    })
                );
            } else {
                println!("verified: yes ({})", opts.provider);
                println!(
                    "confirmed: {}",
                    if v.confirmed {
                        "yes, the signature covers order, amount and outcome"
                    } else {
                        "NO: the outcome below is only claimed until a status query confirms it"
                    }
                );
                print!("{}", report_text(&v.report));
                for (k, val) in &v.details {
                    println!(
                        "{k:<12} {}",
                        val.as_str().map_or_else(|| val.to_string(), str::to_owned)
                    );
                }
                println!("dedupe key:  {}", v.dedupe_key);
                println!("{}", v.note);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            if opts.json {
                println!(
                    "{}",
                    json!({"provider": opts.provider.name(), "verified": false, "error": error_json(&err)})
                );
            } else {
                eprintln!("verified: NO ({}): {err}", opts.provider);
                eprintln!(
                    "run `payments callback explain --provider {}` with the same body and key to see why",
                    opts.provider
                );
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Explains `body` for `opts.provider`.
pub fn explain_body(opts: &CallbackOpts, body: &[u8]) -> CliResult<Explanation> {
    match opts.provider {
        ProviderKind::Epoint => epoint::explain(opts, body),
        ProviderKind::Azericard => azericard::explain(opts, body),
        ProviderKind::EpayKz => epay::explain(opts, body),
        other => Err(unsupported(other)),
    }
}

fn explain(opts: &CallbackOpts) -> CliResult<ExitCode> {
    let body = read_body(&opts.body)?;
    let explanation = explain_body(opts, &body)?;
    if opts.json {
        println!("{}", explanation.to_json(opts.provider));
    } else {
        print!("{}", explanation.to_text());
    }
    Ok(if explanation.verifies {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
