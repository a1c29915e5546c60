//! The conformance suite every provider crate runs in its tests (feature `test-util`).
//!
//! Each check panics with a clear message when the provider breaks the
//! contract of [`PaymentProvider`], so a provider's test is one call:
//!
//! ```ignore
//! #[tokio::test]
//! async fn conformance() {
//!     let client = my_client();
//!     payments_core::conformance::unsupported_operations_return_unsupported(&client).await;
//!     payments_core::conformance::assert_no_secret_in_debug(&client, &["my-private-key"]);
//!     payments_core::conformance::forged_callback_is_rejected(&client, b"data=...&signature=forged");
//! }
//! ```
#![allow(clippy::panic)]

use crate::error::Error;
use crate::provider::{
    CreatePayment, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef, RefundRequest, StatusReport,
};
use crate::{Currency, Money, Result};

/// Every operation the provider's [`PaymentProvider::capabilities`] leaves out
/// returns [`Error::Unsupported`] (no silent no-op, no request sent).
pub async fn unsupported_operations_return_unsupported<P: PaymentProvider>(provider: &P) {
    let caps = provider.capabilities();
    let amount = Money::from_minor(1000, Currency::AZN);
    let payment = PaymentRef::transaction("conformance-1")
        .with_order("123456")
        .with_amount(amount);
    if !caps.create_payment {
        assert_unsupported(
            provider
                .create_payment(&CreatePayment::new("123456", amount))
                .await
                .map(|_| ()),
            "create_payment",
        );
    }
    if !caps.payment_status {
        assert_unsupported(provider.payment_status(&payment).await.map(|_| ()), "payment_status");
    }
    if !caps.refund {
        assert_unsupported(
            provider.refund(&RefundRequest::full(payment.clone())).await.map(|_| ()),
            "refund",
        );
    }
    if !caps.cancel {
        assert_unsupported(provider.cancel(&payment).await.map(|_| ()), "cancel");
    }
    if !caps.capture {
        assert_unsupported(provider.capture(&payment, None).await.map(|_| ()), "capture");
    }
    if !caps.callbacks {
        assert_unsupported(provider.verify_callback(b"x=1").map(|_| ()), "verify_callback");
    }
}

fn assert_unsupported(result: Result<()>, op: &str) {
    match result {
        Err(Error::Unsupported { .. }) => {}
        other => panic!("{op} is not in capabilities() but returned {other:?} instead of Error::Unsupported"),
    }
}

/// `Debug` of `value` (plain and pretty) contains none of `secrets`.
pub fn assert_no_secret_in_debug<T: std::fmt::Debug>(value: &T, secrets: &[&str]) {
    let text = format!("{value:?}\n{value:#?}");
    assert_no_secret_in_text(&text, secrets);
}

/// `text` contains none of `secrets` (empty secrets are ignored).
pub fn assert_no_secret_in_text(text: &str, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(
            !text.contains(secret),
            "a secret appears in output: {}",
            text.replace(secret, "<SECRET>")
        );
    }
}

/// A forged callback is rejected with a signature or malformed-callback error.
pub fn forged_callback_is_rejected<P: PaymentProvider>(provider: &P, forged_body: &[u8]) {
    match provider.verify_callback(forged_body) {
        Err(Error::SignatureInvalid { .. } | Error::MalformedCallback { .. }) => {}
        other => panic!("a forged callback was not rejected: {other:?}"),
    }
}

/// A genuine, correctly signed callback is accepted, and its dedupe key is
/// stable (the same body gives the same key) and names the provider.
pub fn genuine_callback_is_accepted<P: PaymentProvider>(provider: &P, body: &[u8]) {
    let first = match provider.verify_callback(body) {
        Ok(event) => event,
        Err(e) => panic!("a genuine callback was rejected: {e}"),
    };
    assert!(
        first.dedupe_key().starts_with(provider.name()),
        "dedupe key {:?} does not name the provider",
        first.dedupe_key()
    );
    assert!(
        first.dedupe_key().len() > provider.name().len() + 1,
        "dedupe key {:?} has no event identity",
        first.dedupe_key()
    );
    // A replay store may refuse the second delivery; a key must not change.
    if let Ok(second) = provider.verify_callback(body) {
        assert_eq!(first.dedupe_key(), second.dedupe_key(), "dedupe key is not stable");
    }
}

/// A callback forged by changing only fields outside the signature (for
/// example a decline's outcome fields turned into an approval) never comes
/// out as a succeeded payment: it is rejected, or it stays unconfirmed and
/// [`PaymentProvider::confirm_callback`] (against a provider that knows the
/// truth: a mock or the sandbox) refuses it or reports the real outcome.
pub async fn forged_outcome_never_succeeds<P: PaymentProvider>(provider: &P, forged_body: &[u8]) {
    let event = match provider.verify_callback(forged_body) {
        Err(_) => return,
        Ok(event) => event,
    };
    if event.is_confirmed() {
        assert_ne!(
            event.claimed().status,
            crate::PaymentStatus::Succeeded,
            "a forged callback was confirmed as succeeded by its signature alone"
        );
    }
    match provider.confirm_callback(event).await {
        Err(_) => {}
        Ok(confirmed) => assert_ne!(
            confirmed.status(),
            &crate::PaymentStatus::Succeeded,
            "a forged callback was confirmed as succeeded"
        ),
    }
}

/// A declined payment is an `Ok` value, not an `Err`.
pub fn decline_is_ok(result: &Result<PaymentOutcome>) {
    match result {
        Ok(PaymentOutcome::Declined(_)) => {}
        other => panic!("a decline must be Ok(PaymentOutcome::Declined(..)), got {other:?}"),
    }
}

/// A status report of a declined payment is an `Ok` value with a declined status.
pub fn declined_status_is_ok(result: &Result<StatusReport>) {
    match result {
        Ok(r) if r.status == crate::PaymentStatus::Declined => {}
        other => panic!("a declined payment's status must be Ok with PaymentStatus::Declined, got {other:?}"),
    }
}

/// A declined refund or cancellation is an `Ok` value.
pub fn declined_operation_is_ok(result: &Result<OperationOutcome>) {
    match result {
        Ok(OperationOutcome::Declined(_)) => {}
        other => panic!("a declined operation must be Ok(OperationOutcome::Declined(..)), got {other:?}"),
    }
}
