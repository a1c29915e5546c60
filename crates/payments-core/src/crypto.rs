//! Signature primitives shared by the providers: digests, HMAC, base64, hex and
//! constant-time comparison: only what a provider crate calls.
//!
//! Everything here is a pure function over byte slices. The digest functions
//! take a list of parts so that a provider can hash `key || data || key`
//! without first concatenating it into a new buffer. RSA is not here: only
//! AzeriCard needs it, and it lives in that crate.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Digest as _;
use subtle::ConstantTimeEq;

use crate::Error;

/// SHA-1 over the concatenation of `parts`.
pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = sha1::Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// MD5 over the concatenation of `parts`. Only for providers whose protocol
/// mandates it (AzeriCard's transfer callback).
pub fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = md5::Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
///
/// HMAC takes keys of any length, so this does not fail with the `hmac`
/// crate as it is; should a key ever be refused, the answer is an error,
/// never a MAC that would compare equal to something.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Result<[u8; 32], Error> {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).map_err(|e| Error::Config {
        message: "the HMAC-SHA256 key was refused".into(),
        source: Some(Box::new(e)),
    })?;
    for p in parts {
        mac.update(p);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 (with padding). Whitespace and the URL-safe alphabet are rejected.
pub fn base64_decode(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Upper-case hex.
pub fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Decodes hex in either case.
pub fn hex_decode(text: &[u8]) -> Result<Vec<u8>, hex::FromHexError> {
    hex::decode(text)
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// Use it for every comparison of a received signature, MAC or shared secret
/// with the expected one.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Compares a received hex MAC with the expected bytes, in constant time and
/// ignoring the hex case (providers differ in which case they send).
pub fn hex_matches_ct(received_hex: &[u8], expected: &[u8]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    if received_hex.len() != expected.len() * 2 {
        return false;
    }
    let mut acc = subtle::Choice::from(1u8);
    for (pair, byte) in received_hex.chunks_exact(2).zip(expected) {
        acc &= pair[0].to_ascii_lowercase().ct_eq(&DIGITS[usize::from(byte >> 4)]);
        acc &= pair[1].to_ascii_lowercase().ct_eq(&DIGITS[usize::from(byte & 0x0f)]);
    }
    acc.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    // RFC 3174 section 7.3 test vectors.
    #[test]
    fn sha1_rfc3174() {
        assert_eq!(hex_lower(&sha1(&[b"abc"])), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex_lower(&sha1(&[b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"])),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million_a = vec![b'a'; 1_000_000];
        assert_eq!(
            hex_lower(&sha1(&[&million_a])),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
        // Parts are hashed as one concatenated message.
        assert_eq!(sha1(&[b"a", b"b", b"c"]), sha1(&[b"abc"]));
    }

    // RFC 1321 appendix A.5 test suite.
    #[test]
    fn md5_rfc1321() {
        let cases = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(hex_lower(&md5(&[input.as_bytes()])), expected, "{input:?}");
        }
    }

    // RFC 4231 HMAC-SHA256 test cases 1, 2, 6.
    #[test]
    fn hmac_rfc4231() {
        assert_eq!(
            hex_lower(&hmac_sha256(&[0x0b; 20], &[b"Hi There"]).unwrap()),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex_lower(&hmac_sha256(b"Jefe", &[b"what do ya ", b"want for nothing?"]).unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex_lower(
                &hmac_sha256(
                    &[0xaa; 131],
                    &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
                )
                .unwrap()
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // An empty key is a key like any other: a real MAC, never zeros.
        assert_eq!(
            hex_lower(&hmac_sha256(b"", &[b""]).unwrap()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
    }

    // RFC 4648 section 10.
    #[test]
    fn base64_rfc4648() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc.as_bytes()).unwrap(), plain.as_bytes());
        }
        assert!(base64_decode(b"Zm9v\n").is_err());
        assert!(base64_decode(b"Zm9").is_err());
        assert!(base64_decode(b"Zm-_").is_err());
    }

    #[test]
    fn hex_both_cases() {
        assert_eq!(hex_lower(&[0xde, 0xad, 0xBE, 0xef]), "deadbeef");
        assert_eq!(hex_upper(&[0xde, 0xad, 0xBE, 0xef]), "DEADBEEF");
        assert_eq!(hex_decode(b"DeadBeef").unwrap(), h("deadbeef"));
        assert!(hex_decode(b"xyz").is_err());
    }

    #[test]
    fn constant_time_comparisons() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
        let mac = md5(&[b"abc"]);
        assert!(hex_matches_ct(b"900150983cd24fb0d6963f7d28e17f72", &mac));
        assert!(hex_matches_ct(b"900150983CD24FB0D6963F7D28E17F72", &mac));
        assert!(!hex_matches_ct(b"900150983cd24fb0d6963f7d28e17f73", &mac));
        assert!(!hex_matches_ct(b"900150983cd24fb0d6963f7d28e17f7", &mac));
        let long = [7u8; 256];
        let long_hex = hex_upper(&long);
        assert!(hex_matches_ct(long_hex.as_bytes(), &long));
        let mut bad = long_hex.into_bytes();
        bad[401] = b'8';
        assert!(!hex_matches_ct(&bad, &long));
    }
}
