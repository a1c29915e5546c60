//! Confirmation of an authorization callback by a status query (TRTYPE 90).
//!
//! The callback's signature proves AMOUNT, TERMINAL, APPROVAL, RRN and
//! INT_REF; its ORDER, CURRENCY and outcome are claims. The status answer
//! (a server-to-server call to the gateway, over TLS) must agree with the
//! callback on every one of them before the outcome counts:
//!
//! | bound | callback side | status side |
//! |---|---|---|
//! | ORDER | claimed (the query asks for it) | `Merchant order id` must name it |
//! | TERMINAL | signed | `TERMINAL`, when present |
//! | AMOUNT | signed value | `Transaction amount` |
//! | CURRENCY | claimed | `Transaction currency` (required) |
//! | INT_REF | signed (required) | `INT_REF` |
//! | RRN | signed (required for an approval) | `Transaction RRN` |
//! | APPROVAL | signed (required non-empty for an approval) | `Banks approval code`, when present |
//! | TRTYPE | claimed (the query asks for it) | `Original transaction TRTYPE`, when present |
//! | outcome | claimed ACTION/RC | ACTION/RC |
//!
//! Any disagreement is an [`Error::Mismatch`] naming the field.

use payments_core::{Error, Money, PaymentStatus, Result, StatusReport};

use crate::callback::{EXTRA_APPROVAL, EXTRA_INT_REF, EXTRA_RRN, EXTRA_TRTYPE};
use crate::config::AzericardConfig;
use crate::error::TrType;
use crate::operations::status::StatusResponse;

fn mismatch(field: &'static str, reason: impl Into<String>) -> Error {
    Error::mismatch(field, reason)
}

fn same(a: &str, b: &str) -> bool {
    payments_core::crypto::constant_time_eq(a.as_bytes(), b.as_bytes())
}

/// Checks `answer` against the callback's `claimed` report (signed
/// identifiers in `extra`, signed amount in the claimed currency) and
/// returns the queried report.
pub(crate) fn bind(config: &AzericardConfig, claimed: &StatusReport, answer: &StatusResponse) -> Result<StatusReport> {
    let order = claimed
        .order_id
        .as_deref()
        .ok_or_else(|| mismatch("order", "the callback names no ORDER"))?;
    match answer.order.as_deref() {
        Some(o) if same(o, order) => {}
        Some(_) => return Err(mismatch("order", "the status answer is about another ORDER")),
        None => return Err(mismatch("order", "the status answer names no order")),
    }
    if let Some(t) = answer.fields.get("TERMINAL").map(|t| t.trim())
        && !same(t, &config.terminal)
    {
        return Err(mismatch("terminal", "the status answer is about another TERMINAL"));
    }
    let claimed_trtype = TrType::from_code(claimed.extra.get(EXTRA_TRTYPE).map_or("1", String::as_str));
    let queried = answer.report(&claimed_trtype, None)?;
    if answer.original_type(&claimed_trtype) != claimed_trtype {
        return Err(mismatch(
            "trtype",
            "the status answer is about another transaction type",
        ));
    }

    // Amount and currency: the signed AMOUNT in the claimed CURRENCY must be
    // what the gateway reports, in the currency it reports.
    let claimed_amount: Money = claimed
        .amount
        .ok_or_else(|| mismatch("amount", "the callback AMOUNT does not fit its CURRENCY"))?;
    let Some(reported_currency) = answer.reported_currency()? else {
        return Err(mismatch("currency", "the status answer names no currency"));
    };
    if reported_currency != claimed_amount.currency() {
        return Err(mismatch(
            "currency",
            format!(
                "the callback says {}, the gateway says {reported_currency}",
                claimed_amount.currency()
            ),
        ));
    }
    match queried.amount {
        Some(a) if a == claimed_amount => {}
        Some(_) => return Err(mismatch("amount", "the status answer reports another amount")),
        None => return Err(mismatch("amount", "the status answer reports no amount")),
    }

    // The transaction: INT_REF always, RRN whenever both sides have one.
    let int_ref = claimed
        .extra
        .get(EXTRA_INT_REF)
        .ok_or_else(|| mismatch("transaction", "the callback's signed INT_REF is empty"))?;
    match answer.int_ref.as_deref() {
        Some(r) if same(r, int_ref) => {}
        Some(_) => return Err(mismatch("transaction", "the status answer is about another INT_REF")),
        None => return Err(mismatch("transaction", "the status answer names no INT_REF")),
    }
    let rrn = claimed.extra.get(EXTRA_RRN);
    if let (Some(a), Some(b)) = (answer.rrn.as_deref(), rrn)
        && !same(a, b)
    {
        return Err(mismatch("transaction", "the status answer is about another RRN"));
    }

    // The outcome: the gateway's must be the one the callback claimed.
    if queried.status != claimed.status {
        return Err(mismatch(
            "outcome",
            format!(
                "the callback claims {:?}, the gateway reports {:?}",
                claimed.status, queried.status
            ),
        ));
    }
    if matches!(queried.status, PaymentStatus::Succeeded | PaymentStatus::Authorized) {
        // An approval needs the issuer's approval code and the RRN, both signed.
        let approval = claimed
            .extra
            .get(EXTRA_APPROVAL)
            .ok_or_else(|| mismatch("outcome", "an approval whose signed APPROVAL is empty"))?;
        let rrn = rrn.ok_or_else(|| mismatch("outcome", "an approval whose signed RRN is empty"))?;
        if answer.rrn.as_deref().is_none_or(|a| !same(a, rrn)) {
            return Err(mismatch("transaction", "the status answer does not confirm the RRN"));
        }
        if let Some(a) = answer.approval.as_deref()
            && !same(a, approval)
        {
            return Err(mismatch("outcome", "the status answer has another approval code"));
        }
    }
    Ok(queried)
}
