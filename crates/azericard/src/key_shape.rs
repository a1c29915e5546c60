//! The shape of a merchant key: whether its two primes have the same size.
//!
//! A key whose primes differ in size (Python's `rsa` package makes such keys:
//! 1088 and 960 bits for the project's vectors key) signs correctly, but RSA
//! libraries take a slower, generic path for it: aws-lc-rs signs about 3x
//! slower than with an `openssl genrsa` key on the same machine, and ring
//! refuses it. AzeriCard asks for keys made with OpenSSL, which are balanced,
//! so loading an unbalanced one logs a warning saying why signing will be slow.
//! aws-lc-rs does not expose the primes, so the DER is read with `pkcs1`/`pkcs8`.

/// Bit sizes of the two primes of a PKCS#1 `RSAPrivateKey` DER.
pub(crate) fn prime_bits_pkcs1(der: &[u8]) -> Option<(usize, usize)> {
    let key = pkcs1::RsaPrivateKey::try_from(der).ok()?;
    Some((bits(key.prime1.as_bytes()), bits(key.prime2.as_bytes())))
}

/// Bit sizes of the two primes of a PKCS#8 DER holding an RSA key.
pub(crate) fn prime_bits_pkcs8(der: &[u8]) -> Option<(usize, usize)> {
    let info = pkcs8::PrivateKeyInfo::try_from(der).ok()?;
    prime_bits_pkcs1(info.private_key)
}

/// Bits of a big-endian unsigned integer (leading zero bytes ignored).
fn bits(be: &[u8]) -> usize {
    let trimmed = match be.iter().position(|b| *b != 0) {
        Some(i) => &be[i..],
        None => return 0,
    };
    trimmed.len() * 8 - trimmed[0].leading_zeros() as usize
}

/// Logs a warning when the primes differ in size; says nothing otherwise
/// (nor when the sizes cannot be read: the key already loaded, that is enough).
pub(crate) fn warn_if_unbalanced(primes: Option<(usize, usize)>) {
    if let Some((p, q)) = primes
        && p != q
    {
        tracing::warn!(
            prime_bits = ?(p, q),
            "merchant RSA key has primes of unequal size ({p} and {q} bits): RSA libraries sign with such a \
             key on a slower generic path (about 3x slower P_SIGN with aws-lc-rs than with a key made by \
             `openssl genrsa 2048`). Signatures are still valid; for faster signing make a new key with \
             `openssl genrsa 2048` and send its public half to AzeriCard"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths_ignore_leading_zeros() {
        assert_eq!(bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bits(&[0x01]), 1);
        assert_eq!(bits(&[0x00]), 0);
        assert_eq!(bits(&[]), 0);
    }
}
