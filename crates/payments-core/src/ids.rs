//! Merchant-side operation ids.
//!
//! Where a provider deduplicates an operation by a merchant id (ePay's
//! refund `externalID`, the QR wallet's `refund_id`), the SDK sends one even
//! when the caller gives none, and returns it: a refund resent with the same
//! id after an unknown outcome cannot refund twice.

use rand::RngExt as _;

/// A fresh random operation id: 32 lowercase hex characters (128 bits).
pub fn new_operation_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    crate::crypto::hex_lower(&bytes)
}

/// A fresh random id of `len` decimal digits, for providers that take
/// numeric ids only. The first digit is never `0`, so the id keeps its
/// length when read as a number.
pub fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|i| {
            let low = u8::from(i == 0);
            char::from(b'0' + rng.random_range(low..10))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fresh_and_well_formed() {
        let a = new_operation_id();
        let b = new_operation_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        let d = random_digits(12);
        assert_eq!(d.len(), 12);
        assert!(d.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(d.as_bytes()[0], b'0');
        assert_eq!(random_digits(0), "");
    }
}
