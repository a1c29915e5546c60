//! Callbacks: what a signature proves, and how an event becomes one a
//! merchant may act on.
//!
//! A provider's callback signature often covers less than the callback says.
//! AzeriCard's P_SIGN leaves ACTION, RC, ORDER and CURRENCY unsigned; ePay
//! signs nothing in a postLink. So verification yields a [`CallbackEvent`],
//! which is either *signed* (the signature covers order, amount, currency and
//! outcome) or *unconfirmed*, and only a [`ConfirmedEvent`] has an outcome:
//! it comes from a signed event ([`CallbackEvent::into_confirmed`]) or from a
//! status query that agrees with the callback on every bound field
//! ([`ConfirmedEvent::by_status_query`], what
//! [`PaymentProvider::confirm_callback`](crate::PaymentProvider::confirm_callback)
//! does). There is no way to read "approved" off an unconfirmed event.

use crate::error::{Error, Result};
use crate::money::Money;
use crate::provider::{PaymentRef, PaymentStatus, StatusReport};

/// What a verified callback proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// The signature covers order, amount, currency and outcome.
    Signed,
    /// The outcome (at least) is not covered by a signature.
    Unconfirmed,
}

/// A callback whose authenticity was checked as far as the provider allows.
///
/// Built by provider crates: [`CallbackEvent::signed`] where the signature
/// covers the outcome, [`CallbackEvent::unconfirmed`] where it does not. An
/// unconfirmed event exposes only the reference needed to query it and a
/// dedupe key; what its body *claims* is available through
/// [`CallbackEvent::claimed`], which is not proof of anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackEvent {
    provider: &'static str,
    trust: Trust,
    // Boxed so that `Result<ConfirmedEvent, CallbackEvent>` stays small.
    claimed: Box<StatusReport>,
    dedupe_key: String,
}

impl CallbackEvent {
    /// An event whose signature covers order, amount, currency and outcome
    /// (EPoint signs the whole `data`). `dedupe_key` identifies the event
    /// from signed material only.
    pub fn signed(provider: &'static str, report: StatusReport, dedupe_key: impl Into<String>) -> Self {
        CallbackEvent {
            provider,
            trust: Trust::Signed,
            claimed: Box::new(report),
            dedupe_key: dedupe_key.into(),
        }
    }

    /// An event whose outcome is not covered by a signature: `claimed` is
    /// what the body says; it must be confirmed before anyone acts on it.
    /// `dedupe_key` identifies the event from signed (or otherwise
    /// authenticated) material only.
    pub fn unconfirmed(provider: &'static str, claimed: StatusReport, dedupe_key: impl Into<String>) -> Self {
        CallbackEvent {
            provider,
            trust: Trust::Unconfirmed,
            claimed: Box::new(claimed),
            dedupe_key: dedupe_key.into(),
        }
    }

    /// Which provider sent it.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// True when the signature alone confirms the event.
    pub fn is_confirmed(&self) -> bool {
        self.trust == Trust::Signed
    }

    /// A stable key (provider + signed transaction identity) to process
    /// each event once, for example with a dedupe store.
    pub fn dedupe_key(&self) -> &str {
        &self.dedupe_key
    }

    /// What the callback body says. For an unconfirmed event this is an
    /// unproven claim: never ship goods on it.
    pub fn claimed(&self) -> &StatusReport {
        &self.claimed
    }

    /// The reference a status query, refund, cancel or capture of this
    /// payment takes.
    pub fn payment_ref(&self) -> PaymentRef {
        self.claimed.payment_ref()
    }

    /// The confirmed event, when the signature alone proves the outcome;
    /// the event back otherwise (confirm it with a status query).
    pub fn into_confirmed(self) -> std::result::Result<ConfirmedEvent, CallbackEvent> {
        match self.trust {
            Trust::Signed => Ok(ConfirmedEvent {
                provider: self.provider,
                report: *self.claimed,
                dedupe_key: self.dedupe_key,
                by: ConfirmedBy::Signature,
            }),
            Trust::Unconfirmed => Err(self),
        }
    }
}

/// How a [`ConfirmedEvent`] was confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfirmedBy {
    /// The callback's signature covers order, amount, currency and outcome.
    Signature,
    /// A status query agreed with the callback on every bound field.
    StatusQuery,
}

/// A callback event whose outcome is proven. The only type a merchant
/// should fulfil an order on, after [`ConfirmedEvent::ensure_paid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedEvent {
    provider: &'static str,
    report: StatusReport,
    dedupe_key: String,
    by: ConfirmedBy,
}

impl ConfirmedEvent {
    /// Confirms `event` with `queried`, the provider's answer to a status
    /// query for the same payment.
    ///
    /// The answer must agree with the callback on the order id, the amount
    /// (value and currency) and the provider's transaction id wherever the
    /// callback states them, and its outcome must not contradict the
    /// callback's. The confirmed report is the *queried* one. A signed
    /// event is checked the same way (a status answer that disagrees with a
    /// signed callback is as suspicious).
    pub fn by_status_query(event: CallbackEvent, queried: StatusReport) -> Result<ConfirmedEvent> {
        bind(&event.claimed, &queried)?;
        Ok(ConfirmedEvent {
            provider: event.provider,
            report: queried,
            dedupe_key: event.dedupe_key,
            by: ConfirmedBy::StatusQuery,
        })
    }

    /// Which provider sent it.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The confirmed report.
    pub fn report(&self) -> &StatusReport {
        &self.report
    }

    /// The confirmed status.
    pub fn status(&self) -> &PaymentStatus {
        &self.report.status
    }

    /// The stable key to process this event once.
    pub fn dedupe_key(&self) -> &str {
        &self.dedupe_key
    }

    /// The reference a refund, cancel or capture of this payment takes.
    pub fn payment_ref(&self) -> PaymentRef {
        self.report.payment_ref()
    }

    /// How the event was confirmed.
    pub fn confirmed_by(&self) -> ConfirmedBy {
        self.by
    }

    /// Checks that the event is about `order_id` and `amount` (value and
    /// currency) *and* that the payment succeeded (funds captured). Call it
    /// before fulfilling an order.
    pub fn ensure_paid(&self, order_id: &str, amount: Money) -> Result<()> {
        self.ensure_matches(order_id, amount)?;
        self.ensure_status(&PaymentStatus::Succeeded)
    }

    /// Checks that the event is about `order_id` and `amount` and that the
    /// funds are held (a pre-authorization awaiting capture).
    pub fn ensure_authorized(&self, order_id: &str, amount: Money) -> Result<()> {
        self.ensure_matches(order_id, amount)?;
        self.ensure_status(&PaymentStatus::Authorized)
    }

    /// Checks only that the event is about `order_id` and `amount` (value
    /// and currency). Says nothing about the outcome: a declined payment
    /// passes. Use [`ConfirmedEvent::ensure_paid`] to fulfil orders.
    pub fn ensure_matches(&self, order_id: &str, amount: Money) -> Result<()> {
        match self.report.order_id.as_deref() {
            Some(o) if o == order_id => {}
            Some(o) => {
                return Err(Error::mismatch(
                    "order_id",
                    format!("event is for order {o:?}, expected {order_id:?}"),
                ));
            }
            None => return Err(Error::mismatch("order_id", "event carries no order id")),
        }
        match self.report.amount {
            Some(a) if a == amount => Ok(()),
            Some(a) if a.currency() != amount.currency() => Err(Error::mismatch(
                "currency",
                format!(
                    "event currency {} differs from the expected {}",
                    a.currency(),
                    amount.currency()
                ),
            )),
            Some(a) => Err(Error::mismatch(
                "amount",
                format!("event amount {a} differs from the expected {amount}"),
            )),
            None => Err(Error::mismatch("amount", "event carries no amount")),
        }
    }

    fn ensure_status(&self, wanted: &PaymentStatus) -> Result<()> {
        if &self.report.status == wanted {
            Ok(())
        } else {
            Err(Error::mismatch(
                "outcome",
                format!("payment is {:?}, not {wanted:?}", self.report.status),
            ))
        }
    }
}

/// Statuses that mean the payment was approved at some point.
fn approved(status: &PaymentStatus) -> bool {
    matches!(
        status,
        PaymentStatus::Authorized
            | PaymentStatus::Succeeded
            | PaymentStatus::PartiallyRefunded
            | PaymentStatus::Refunded
    )
}

/// Checks that `queried` agrees with `claimed` on every field the claim states.
fn bind(claimed: &StatusReport, queried: &StatusReport) -> Result<()> {
    if let Some(order) = claimed.order_id.as_deref() {
        match queried.order_id.as_deref() {
            Some(q) if q == order => {}
            Some(q) => {
                return Err(Error::mismatch(
                    "order_id",
                    format!("callback says order {order:?}, status answer says {q:?}"),
                ));
            }
            None => return Err(Error::mismatch("order_id", "status answer carries no order id")),
        }
    }
    if let Some(txn) = claimed.transaction_id.as_deref() {
        match queried.transaction_id.as_deref() {
            Some(q) if q == txn => {}
            Some(q) => {
                return Err(Error::mismatch(
                    "transaction_id",
                    format!("callback says transaction {txn:?}, status answer says {q:?}"),
                ));
            }
            None => {
                return Err(Error::mismatch(
                    "transaction_id",
                    "status answer carries no transaction id",
                ));
            }
        }
    }
    if let Some(amount) = claimed.amount {
        match queried.amount {
            Some(q) if q == amount => {}
            Some(q) if q.currency() != amount.currency() => {
                return Err(Error::mismatch(
                    "currency",
                    format!(
                        "callback says {}, status answer says {}",
                        amount.currency(),
                        q.currency()
                    ),
                ));
            }
            Some(q) => {
                return Err(Error::mismatch(
                    "amount",
                    format!("callback says {amount}, status answer says {q}"),
                ));
            }
            None => return Err(Error::mismatch("amount", "status answer carries no amount")),
        }
    }
    for (key, value) in &claimed.extra {
        if let Some(q) = queried.extra.get(key)
            && q != value
        {
            return Err(Error::mismatch(
                key.clone(),
                format!("callback says {value:?}, status answer says {q:?}"),
            ));
        }
    }
    let contradicts = match &claimed.status {
        s if approved(s) => !(approved(&queried.status) || queried.status == PaymentStatus::Cancelled),
        PaymentStatus::Declined | PaymentStatus::Expired | PaymentStatus::Cancelled => approved(&queried.status),
        _ => false,
    };
    if contradicts {
        return Err(Error::mismatch(
            "outcome",
            format!(
                "callback says {:?}, status answer says {:?}",
                claimed.status, queried.status
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn azn(minor: i64) -> Money {
        Money::from_minor(minor, Currency::AZN)
    }

    fn report(status: PaymentStatus) -> StatusReport {
        StatusReport::new(status)
            .with_order(Some("o1".into()))
            .with_transaction(Some("t1".into()))
            .with_amount(Some(azn(1050)))
            .with_extra("RRN", "123")
    }

    #[test]
    fn unconfirmed_event_has_no_outcome_until_confirmed() {
        let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Succeeded), "p:t1");
        assert!(!event.is_confirmed());
        assert_eq!(event.dedupe_key(), "p:t1");
        assert_eq!(event.payment_ref().extra.get("RRN").map(String::as_str), Some("123"));
        let event = event.into_confirmed().unwrap_err();
        let confirmed = ConfirmedEvent::by_status_query(event, report(PaymentStatus::Succeeded)).unwrap();
        assert_eq!(confirmed.confirmed_by(), ConfirmedBy::StatusQuery);
        confirmed.ensure_paid("o1", azn(1050)).unwrap();
        assert!(confirmed.ensure_authorized("o1", azn(1050)).is_err());
    }

    #[test]
    fn signed_event_confirms_by_itself() {
        let event = CallbackEvent::signed("p", report(PaymentStatus::Succeeded), "p:t1");
        let confirmed = event.into_confirmed().unwrap();
        assert_eq!(confirmed.confirmed_by(), ConfirmedBy::Signature);
        confirmed.ensure_paid("o1", azn(1050)).unwrap();
    }

    #[test]
    fn forged_approval_never_confirms() {
        // The callback claims success; the provider says declined.
        let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Succeeded), "k");
        let err = ConfirmedEvent::by_status_query(event, report(PaymentStatus::Declined)).unwrap_err();
        assert!(
            matches!(&err, Error::Mismatch { field, .. } if field == "outcome"),
            "{err}"
        );
        // A claimed decline confirmed as declined cannot be paid.
        let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Declined), "k");
        let confirmed = ConfirmedEvent::by_status_query(event, report(PaymentStatus::Declined)).unwrap();
        assert!(confirmed.ensure_paid("o1", azn(1050)).is_err());
        confirmed.ensure_matches("o1", azn(1050)).unwrap();
    }

    #[test]
    fn every_bound_field_is_checked() {
        let cases: Vec<(&str, StatusReport)> = vec![
            (
                "order_id",
                report(PaymentStatus::Succeeded).with_order(Some("o2".into())),
            ),
            ("order_id", report(PaymentStatus::Succeeded).with_order(None)),
            (
                "transaction_id",
                report(PaymentStatus::Succeeded).with_transaction(Some("t2".into())),
            ),
            (
                "transaction_id",
                report(PaymentStatus::Succeeded).with_transaction(None),
            ),
            ("amount", report(PaymentStatus::Succeeded).with_amount(Some(azn(1051)))),
            ("amount", report(PaymentStatus::Succeeded).with_amount(None)),
            (
                "currency",
                report(PaymentStatus::Succeeded).with_amount(Some(Money::from_minor(1050, Currency::USD))),
            ),
            ("RRN", report(PaymentStatus::Succeeded).with_extra("RRN", "999")),
            ("outcome", report(PaymentStatus::Pending)),
            ("outcome", report(PaymentStatus::Unknown("X".into()))),
        ];
        for (field, queried) in cases {
            let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Succeeded), "k");
            let err = ConfirmedEvent::by_status_query(event, queried).unwrap_err();
            assert!(
                matches!(&err, Error::Mismatch { field: f, .. } if f == field),
                "{field}: {err}"
            );
        }
        // A later refund or a void does not contradict an approval claim.
        for later in [
            PaymentStatus::Refunded,
            PaymentStatus::PartiallyRefunded,
            PaymentStatus::Cancelled,
        ] {
            let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Succeeded), "k");
            let confirmed = ConfirmedEvent::by_status_query(event, report(later)).unwrap();
            assert!(confirmed.ensure_paid("o1", azn(1050)).is_err());
        }
        // A claimed decline with an approved status is contradictory.
        let event = CallbackEvent::unconfirmed("p", report(PaymentStatus::Declined), "k");
        assert!(ConfirmedEvent::by_status_query(event, report(PaymentStatus::Succeeded)).is_err());
    }

    #[test]
    fn ensure_checks_name_the_field() {
        let confirmed = CallbackEvent::signed("p", report(PaymentStatus::Succeeded), "k")
            .into_confirmed()
            .unwrap();
        let field_of = |r: Result<()>| match r {
            Err(Error::Mismatch { field, .. }) => field.into_owned(),
            other => format!("{other:?}"),
        };
        assert_eq!(field_of(confirmed.ensure_paid("o2", azn(1050))), "order_id");
        assert_eq!(field_of(confirmed.ensure_paid("o1", azn(1049))), "amount");
        assert_eq!(
            field_of(confirmed.ensure_paid("o1", Money::from_minor(1050, Currency::USD))),
            "currency"
        );
    }
}
