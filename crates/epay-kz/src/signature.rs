//! The `secret_hash` that authenticates postLink callbacks.
//!
//! ePay does not sign postLink. Instead the merchant puts a per-payment
//! `secret_hash` in the payment token request and ePay echoes it in the
//! callback; a callback carrying the right `secret_hash` comes from someone
//! who saw the token request, that is ePay.
//!
//! Two schemes, both authenticating the sender only (the amount and outcome
//! stay unsigned claims, to be confirmed by a status query):
//!
//! 1. **A fresh random hash per payment** ([`new_secret_hash`]) that the
//!    merchant stores with the order (next to the invoice id, in the same
//!    transaction that creates the order; it is a credential: keep it out of
//!    logs, delete it once the order is final) and checks with
//!    [`crate::callback::verify_post_link`].
//! 2. **A derived hash**, which needs no storage:
//!
//!    ```text
//!    secret_hash = lower-hex( HMAC-SHA256( callback_key, invoiceId ) )
//!    ```
//!
//!    where `callback_key` is a **dedicated** key
//!    ([`crate::EpayConfigBuilder::callback_key`], `EPAY_CALLBACK_KEY`). It is
//!    never the client secret: rotating that secret would invalidate every
//!    payment in flight. Keep old callback keys until their payments are
//!    final when you rotate it. The verifier recomputes the hash from the
//!    callback's own `invoiceId` and compares in constant time, so an attacker
//!    who does not know the key cannot forge one for any invoice, and a hash
//!    seen for one invoice is useless for another.

use payments_core::{Secret, crypto};

/// A fresh random `secret_hash` for one payment: 32 random bytes as 64
/// lower-case hex characters. Store it with the order; check postLinks with
/// [`crate::callback::verify_post_link`].
///
/// ```
/// let a = epay_kz::signature::new_secret_hash();
/// let b = epay_kz::signature::new_secret_hash();
/// assert_eq!(a.expose_secret().len(), 64);
/// assert_ne!(a.expose_secret(), b.expose_secret());
/// ```
pub fn new_secret_hash() -> Secret<String> {
    // Two 128-bit operation ids: 256 random bits.
    let mut hash = payments_core::ids::new_operation_id();
    hash.push_str(&payments_core::ids::new_operation_id());
    Secret::new(hash)
}

/// The derived `secret_hash` of `invoice_id`: lower-case hex of
/// HMAC-SHA256(`key`, `invoice_id`), 64 characters.
///
/// ```
/// use payments_core::Secret;
/// let h = epay_kz::signature::derive_secret_hash(&Secret::from("key"), "000001")?;
/// assert_eq!(h.expose_secret().len(), 64);
/// # Ok::<(), payments_core::Error>(())
/// ```
pub fn derive_secret_hash(key: &Secret<String>, invoice_id: &str) -> payments_core::Result<Secret<String>> {
    Ok(Secret::new(crypto::hex_lower(&mac(key, invoice_id)?)))
}

/// True when `received` is the derived `secret_hash` of `invoice_id` (constant
/// time; the hex case is ignored).
pub fn secret_hash_matches(key: &Secret<String>, invoice_id: &str, received: &str) -> bool {
    mac(key, invoice_id).is_ok_and(|mac| crypto::hex_matches_ct(received.as_bytes(), &mac))
}

/// True when `received` equals the stored `expected` hash (constant time).
pub fn stored_hash_matches(expected: &Secret<String>, received: &str) -> bool {
    !expected.is_empty() && crypto::constant_time_eq(expected.expose_secret().as_bytes(), received.as_bytes())
}

fn mac(key: &Secret<String>, invoice_id: &str) -> payments_core::Result<[u8; 32]> {
    crypto::hmac_sha256(key.expose_secret().as_bytes(), &[invoice_id.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2 (key "Jefe"), which pins the HMAC-SHA256 and hex
    // encoding the derivation uses.
    #[test]
    fn rfc4231_vector() {
        let key = Secret::from("Jefe");
        let h = derive_secret_hash(&key, "what do ya want for nothing?").unwrap();
        assert_eq!(
            h.expose_secret(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn derived_hash_of_the_published_test_credentials() {
        // The published test client secret as key, a seed-style invoice id.
        let key = Secret::from("yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG");
        let h = derive_secret_hash(&key, "200220241201").unwrap();
        assert!(secret_hash_matches(&key, "200220241201", h.expose_secret()));
        assert!(secret_hash_matches(
            &key,
            "200220241201",
            &h.expose_secret().to_ascii_uppercase()
        ));
        assert!(!secret_hash_matches(&key, "200220241202", h.expose_secret()));
        assert!(!secret_hash_matches(
            &Secret::from("other"),
            "200220241201",
            h.expose_secret()
        ));
        assert!(!secret_hash_matches(&key, "200220241201", ""));
        assert!(!secret_hash_matches(&key, "200220241201", &h.expose_secret()[1..]));
    }

    #[test]
    fn stored_hash_comparison() {
        let stored = Secret::from("a1b2c3");
        assert!(stored_hash_matches(&stored, "a1b2c3"));
        assert!(!stored_hash_matches(&stored, "a1b2c4"));
        assert!(!stored_hash_matches(&stored, "a1b2c"));
        assert!(!stored_hash_matches(&Secret::from(""), ""));
    }
}
