//! `payments status|refund|cancel|capture`: one operation through
//! [`AnyProvider::from_env`] and the [`PaymentProvider`] trait.

use std::process::ExitCode;

use payments::{AnyProvider, Currency, Money, OperationOutcome, PaymentProvider, PaymentRef, RefundRequest, Result};

use crate::output::{error_json, money_verdict, outcome_json, outcome_text, report_json, report_text, working};
use crate::{CliResult, OpArgs};

/// The four operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `payment_status`.
    Status,
    /// `refund`.
    Refund,
    /// `cancel`.
    Cancel,
    /// `capture`.
    Capture,
}

impl Operation {
    /// The command's name.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Status => "status",
            Operation::Refund => "refund",
            Operation::Cancel => "cancel",
            Operation::Capture => "capture",
        }
    }
}

/// Parses a currency code; never defaults.
pub fn currency(code: &str) -> CliResult<Currency> {
    Currency::from_alpha(&code.trim().to_ascii_uppercase())
        .ok_or_else(|| format!("unknown currency {code:?}: give an ISO 4217 alpha code such as AZN, KZT or TRY"))
}

/// Parses `text` as major units of `currency`, refusing extra fraction digits.
pub fn money(text: &str, currency: Currency, flag: &str) -> CliResult<Money> {
    Money::parse_major(text.trim(), currency).map_err(|e| format!("{flag} {text:?}: {e}"))
}

/// The payment reference the arguments describe.
pub fn payment_ref(args: &OpArgs) -> CliResult<PaymentRef> {
    let mut payment = PaymentRef::default();
    payment.order_id = args.order.clone();
    payment.transaction_id = args.transaction.clone();
    let currency = args.currency.as_deref().map(currency).transpose()?;
    if let (Some(amount), Some(currency)) = (&args.amount, currency) {
        payment.amount = Some(money(amount, currency, "--amount")?);
    }
    for pair in &args.extra {
        let (k, v) = pair
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| format!("--extra {pair:?}: expected KEY=VALUE"))?;
        payment.extra.insert(k.to_owned(), v.to_owned());
    }
    if payment.order_id.is_none() && payment.transaction_id.is_none() {
        return Err("give --order or --transaction (or both): which payment?".to_owned());
    }
    Ok(payment)
}

/// Checks that the flags fit the operation.
fn check_flags(op: Operation, args: &OpArgs) -> CliResult<()> {
    if args.partial.is_some() && !matches!(op, Operation::Refund | Operation::Capture) {
        return Err(format!("--partial applies to refund and capture, not {}", op.name()));
    }
    if args.refund_id.is_some() && op != Operation::Refund {
        return Err(format!("--refund-id applies to refund, not {}", op.name()));
    }
    Ok(())
}

/// What one operation answered.
#[derive(Debug)]
pub enum Answer {
    /// A status query's report.
    Status(payments::StatusReport),
    /// An operation's outcome.
    Outcome(OperationOutcome),
}

/// Runs `op` on `provider` (the arguments already checked).
pub async fn execute(provider: &AnyProvider, op: Operation, args: &OpArgs, payment: PaymentRef) -> Result<Answer> {
    let partial = match (&args.partial, args.currency.as_deref()) {
        (Some(text), Some(code)) => {
            let cur = currency(code).map_err(|e| payments::Error::invalid_input("currency", e))?;
            Some(money(text, cur, "--partial").map_err(|e| payments::Error::invalid_input("partial", e))?)
        }
        _ => None,
    };
    Ok(match op {
        Operation::Status => Answer::Status(provider.payment_status(&payment).await?),
        Operation::Refund => {
            let mut request = match partial {
                Some(amount) => RefundRequest::partial(payment, amount),
                None => RefundRequest::full(payment),
            };
            if let Some(id) = &args.refund_id {
                request = request.with_refund_id(id.clone());
            }
            Answer::Outcome(provider.refund(&request).await?)
        }
        Operation::Cancel => Answer::Outcome(provider.cancel(&payment).await?),
        Operation::Capture => Answer::Outcome(provider.capture(&payment, partial).await?),
    })
}

/// `payments <op> --provider P ...`.
pub fn run(op: Operation, args: &OpArgs) -> CliResult<ExitCode> {
    check_flags(op, args)?;
    let payment = payment_ref(args)?;
    let provider = AnyProvider::from_env(args.provider)
        .map_err(|e| format!("cannot configure {} from the environment: {e}", args.provider))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    working(&format!("{} {}: asking the provider", args.provider, op.name()));
    let answer = runtime.block_on(execute(&provider, op, args, payment));
    Ok(print_answer(op, args, answer))
}

/// Prints the answer (or the error and its money verdict); the exit code:
/// 0 for an answer (a decline is an answer), 1 for an error.
fn print_answer(op: Operation, args: &OpArgs, answer: Result<Answer>) -> ExitCode {
    match answer {
        Ok(Answer::Status(report)) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "operation": op.name(), "provider": args.provider.name(), "report": report_json(&report)})
                );
            } else {
                print!("{}", report_text(&report));
            }
            ExitCode::SUCCESS
        }
        Ok(Answer::Outcome(outcome)) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": true, "operation": op.name(), "provider": args.provider.name(), "result": outcome_json(&outcome)})
                );
            } else {
                println!("{}: {}", op.name(), outcome_text(&outcome));
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"ok": false, "operation": op.name(), "provider": args.provider.name(), "error": error_json(&err)})
                );
            } else {
                eprintln!("error: {} {} failed: {err}", args.provider, op.name());
                eprintln!("{}", money_verdict(&err));
                eprintln!(
                    "outcome_unknown={} safe_to_resend={} transient={}",
                    err.outcome_unknown(),
                    err.safe_to_resend(),
                    err.is_transient()
                );
            }
            ExitCode::FAILURE
        }
    }
}
