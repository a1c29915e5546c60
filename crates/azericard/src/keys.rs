//! RSA keys: the merchant's private key (signs P_SIGN) and AzeriCard's
//! gateway public key (verifies the P_SIGN of callbacks).
//!
//! Both load from PEM (bytes or a file) or DER. The two keys are different
//! types so that a callback can never be "verified" with the merchant's own key.
//! Key text read here (PEM, base64 body, DER) is held in zeroing buffers and
//! wiped when dropped.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey};
use payments_core::{Error, Result, Secret};
use zeroize::Zeroizing;

use crate::key_shape;

/// The merchant's RSA private key, used to sign every request's P_SIGN.
///
/// Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`) and PKCS#8 (`BEGIN PRIVATE KEY`)
/// PEM, unencrypted, of at least 2048 bits. `Debug` shows no key material.
/// Cheap to clone.
#[derive(Clone)]
pub struct MerchantKey {
    pair: Arc<KeyPair>,
}

impl MerchantKey {
    /// Parses a PEM private key (PKCS#1 or PKCS#8). A key under 2048 bits is
    /// refused with an error saying so. A key whose two primes differ in size
    /// (made by Python's `rsa` package, not by `openssl genrsa`) loads, and a
    /// `tracing` warning says that signing with it takes a slower path (about
    /// 3x slower P_SIGN); AzeriCard asks for OpenSSL-made keys, which are balanced.
    pub fn from_pem(pem: &[u8]) -> Result<MerchantKey> {
        let block = pem_block(pem, &["RSA PRIVATE KEY", "PRIVATE KEY"], "merchant private key")?;
        if block.label == "RSA PRIVATE KEY" {
            MerchantKey::from_pkcs1_der(&block.der)
        } else {
            MerchantKey::from_pkcs8_der(&block.der)
        }
    }

    /// Reads and parses a PEM private key file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<MerchantKey> {
        let path = path.as_ref();
        let bytes = Secret::new(read_file(path, "merchant private key")?);
        MerchantKey::from_pem(bytes.expose_secret())
    }

    /// Parses a PKCS#1 `RSAPrivateKey` DER.
    /// A key whose primes differ in size loads, with a logged warning that
    /// signing with it is slow (see [`MerchantKey::from_pem`]).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<MerchantKey> {
        let key = KeyPair::from_der(der)
            .map(MerchantKey::wrap)
            .map_err(|e| merchant_key_rejected("PKCS#1", &e))?;
        key_shape::warn_if_unbalanced(key_shape::prime_bits_pkcs1(der));
        Ok(key)
    }

    /// Parses a PKCS#8 DER.
    /// A key whose primes differ in size loads, with a logged warning that
    /// signing with it is slow (see [`MerchantKey::from_pem`]).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<MerchantKey> {
        let key = KeyPair::from_pkcs8(der)
            .map(MerchantKey::wrap)
            .map_err(|e| merchant_key_rejected("PKCS#8", &e))?;
        key_shape::warn_if_unbalanced(key_shape::prime_bits_pkcs8(der));
        Ok(key)
    }

    fn wrap(pair: KeyPair) -> MerchantKey {
        MerchantKey { pair: Arc::new(pair) }
    }

    /// The matching public key, as the gateway would hold it (useful in tests
    /// and for checking that a key file matches what was sent to AzeriCard).
    pub fn public_key(&self) -> Result<GatewayPublicKey> {
        GatewayPublicKey::from_der(self.pair.public_key().as_ref())
    }

    /// Length of a signature made with this key, in bytes.
    pub fn signature_len(&self) -> usize {
        self.pair.public_modulus_len()
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 and SHA-256.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
            .map_err(|_| Error::config("RSA signing with the merchant key failed"))?;
        Ok(out)
    }
}

impl fmt::Debug for MerchantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MerchantKey(RSA-{}, [REDACTED])", self.pair.public_modulus_len() * 8)
    }
}

/// Why aws-lc-rs refused a merchant key, in words a merchant can act on.
fn merchant_key_rejected(format: &str, e: &aws_lc_rs::error::KeyRejected) -> Error {
    let why = e.to_string();
    if why.contains("TooSmall") {
        Error::config(
            "merchant private key is smaller than 2048 bits; AzeriCard needs an RSA key of at least 2048 bits \
             (make a new one, e.g. `openssl genrsa 2048`, and send its public half to AzeriCard)",
        )
    } else {
        Error::config(format!("merchant private key rejected ({format}): {why}"))
    }
}

/// AzeriCard's RSA public key, used to verify the P_SIGN of callbacks.
///
/// Accepts SPKI (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM
/// of 2048 to 8192 bits. A 1024-bit key (integrify caps P_SIGN at 256 hex
/// characters, an RSA-1024 signature, so the gateway may still sign with
/// one) loads only through the explicit `*_legacy` constructors, and
/// [`GatewayPublicKey::is_legacy`] says so. Cheap to clone.
#[derive(Clone)]
pub struct GatewayPublicKey {
    key: Arc<ParsedPublicKey>,
    legacy: bool,
}

impl GatewayPublicKey {
    /// Parses a PEM public key (SPKI or PKCS#1) of at least 2048 bits.
    pub fn from_pem(pem: &[u8]) -> Result<GatewayPublicKey> {
        let block = pem_block(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"], "gateway public key")?;
        GatewayPublicKey::from_der(&block.der)
    }

    /// Reads and parses a PEM public key file of at least 2048 bits.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<GatewayPublicKey> {
        GatewayPublicKey::from_pem(&read_file(path.as_ref(), "gateway public key")?)
    }

    /// Parses a DER public key (SPKI or PKCS#1 `RSAPublicKey`) of at least 2048 bits.
    pub fn from_der(der: &[u8]) -> Result<GatewayPublicKey> {
        GatewayPublicKey::parse(der, false)
    }

    /// Parses a PEM public key of 1024 bits or more: for a gateway that
    /// still signs with a legacy RSA-1024 key. Prefer [`GatewayPublicKey::from_pem`].
    pub fn from_pem_legacy(pem: &[u8]) -> Result<GatewayPublicKey> {
        let block = pem_block(pem, &["PUBLIC KEY", "RSA PUBLIC KEY"], "gateway public key")?;
        GatewayPublicKey::from_der_legacy(&block.der)
    }

    /// Reads a PEM public key file of 1024 bits or more (legacy; see [`GatewayPublicKey::from_pem_legacy`]).
    pub fn from_pem_file_legacy(path: impl AsRef<Path>) -> Result<GatewayPublicKey> {
        GatewayPublicKey::from_pem_legacy(&read_file(path.as_ref(), "gateway public key")?)
    }

    /// Parses a DER public key of 1024 bits or more (legacy).
    pub fn from_der_legacy(der: &[u8]) -> Result<GatewayPublicKey> {
        GatewayPublicKey::parse(der, true)
    }

    fn parse(der: &[u8], allow_legacy: bool) -> Result<GatewayPublicKey> {
        let bits = aws_lc_rs::rsa::PublicKey::from_der(der)
            .map_err(|e| Error::config(format!("gateway public key rejected: {e}")))?
            .modulus_len()
            * 8;
        let legacy = bits < 2048;
        if legacy && !allow_legacy {
            return Err(Error::config(format!(
                "gateway public key has {bits} bits, under 2048; if AzeriCard really signs with this legacy key, \
                 load it with GatewayPublicKey::from_pem_legacy (AZERICARD_GATEWAY_KEY_LEGACY_1024=true)"
            )));
        }
        let algorithm = if legacy {
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
        } else {
            &signature::RSA_PKCS1_2048_8192_SHA256
        };
        ParsedPublicKey::new(algorithm, der)
            .map(|key| GatewayPublicKey {
                key: Arc::new(key),
                legacy,
            })
            .map_err(|e| Error::config(format!("gateway public key rejected: {e}")))
    }

    /// True for a key under 2048 bits loaded through a `*_legacy` constructor.
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// Verifies an RSASSA-PKCS1-v1_5 SHA-256 signature.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(message, signature).is_ok()
    }
}

impl fmt::Debug for GatewayPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.legacy {
            f.write_str("GatewayPublicKey(RSA, legacy < 2048 bits)")
        } else {
            f.write_str("GatewayPublicKey(RSA)")
        }
    }
}

struct PemBlock {
    label: &'static str,
    /// Zeroed on drop: for a private key this is the key itself.
    der: Zeroizing<Vec<u8>>,
}

/// Extracts the first PEM block whose label is one of `labels`.
fn pem_block(pem: &[u8], labels: &[&'static str], what: &str) -> Result<PemBlock> {
    let text = std::str::from_utf8(pem).map_err(|_| Error::config(format!("{what}: PEM is not UTF-8")))?;
    let mut lines = text.lines().map(str::trim);
    let label = loop {
        let Some(line) = lines.next() else {
            return Err(Error::config(format!(
                "{what}: no PEM block labelled {}",
                labels.join(" or ")
            )));
        };
        if let Some(found) = labels
            .iter()
            .find(|l| line.strip_prefix("-----BEGIN ").and_then(|r| r.strip_suffix("-----")) == Some(**l))
        {
            break *found;
        }
    };
    // The base64 body of a private key is the key: keep it in a zeroing buffer.
    let mut body = Zeroizing::new(String::with_capacity(pem.len()));
    for line in lines {
        if let Some(end) = line.strip_prefix("-----END ").and_then(|r| r.strip_suffix("-----")) {
            if end != label {
                return Err(Error::config(format!("{what}: PEM block {label} ends as {end}")));
            }
            let der = payments_core::crypto::base64_decode(body.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| Error::config(format!("{what}: PEM body is not valid base64")))?;
            return Ok(PemBlock { label, der });
        }
        if line.contains(':') {
            return Err(Error::config(format!(
                "{what}: encrypted or annotated PEM is not supported; decrypt the key first"
            )));
        }
        body.push_str(line);
    }
    Err(Error::config(format!("{what}: PEM block {label} has no END line")))
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Config {
        message: format!("{what}: cannot read {}", path.display()),
        source: Some(Box::new(e)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    pub(crate) const PRIVATE_PEM: &[u8] = include_bytes!("../tests/data/azericard-test-key.pem");
    const PUBLIC_PEM: &[u8] = include_bytes!("../tests/data/azericard-test-key.pub.pem");

    #[test]
    fn loads_pkcs1_and_spki_and_they_match() {
        let key = MerchantKey::from_pem(PRIVATE_PEM).unwrap();
        assert_eq!(key.signature_len(), 256);
        let public = GatewayPublicKey::from_pem(PUBLIC_PEM).unwrap();
        let sig = key.sign(b"hello").unwrap();
        assert!(public.verify(b"hello", &sig));
        assert!(!public.verify(b"hellO", &sig));
        assert!(key.public_key().unwrap().verify(b"hello", &sig));
    }

    #[test]
    fn loads_pkcs8_converted_from_the_same_key() {
        // Wrap the PKCS#1 DER in a PKCS#8 PrivateKeyInfo by hand: the
        // rsaEncryption AlgorithmIdentifier plus an OCTET STRING.
        let block = pem_block(PRIVATE_PEM, &["RSA PRIVATE KEY"], "k").unwrap();
        let pkcs1 = block.der.to_vec();
        let alg: &[u8] = &[
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ];
        let version: &[u8] = &[0x02, 0x01, 0x00];
        let mut octet = vec![0x04, 0x82];
        octet.extend_from_slice(&u16::try_from(pkcs1.len()).unwrap().to_be_bytes());
        octet.extend_from_slice(&pkcs1);
        let inner_len = version.len() + alg.len() + octet.len();
        let mut der = vec![0x30, 0x82];
        der.extend_from_slice(&u16::try_from(inner_len).unwrap().to_be_bytes());
        der.extend_from_slice(version);
        der.extend_from_slice(alg);
        der.extend_from_slice(&octet);
        let b64 = payments_core::crypto::base64_encode(&der);
        let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap());
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        let k8 = MerchantKey::from_pem(pem.as_bytes()).unwrap();
        let k1 = MerchantKey::from_pem(PRIVATE_PEM).unwrap();
        assert_eq!(k8.sign(b"x").unwrap(), k1.sign(b"x").unwrap());
    }

    #[test]
    fn bad_pem_is_a_config_error() {
        for bad in [
            &b""[..],
            b"-----BEGIN RSA PRIVATE KEY-----\nnot base64!\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            &[0xff, 0xfe],
        ] {
            assert!(matches!(MerchantKey::from_pem(bad), Err(Error::Config { .. })));
        }
        // A public key is not a private key, and vice versa.
        assert!(MerchantKey::from_pem(PUBLIC_PEM).is_err());
        assert!(GatewayPublicKey::from_pem(PRIVATE_PEM).is_err());
        assert!(MerchantKey::from_pem_file("/nonexistent/key.pem").is_err());
    }

    const LEGACY_PRIVATE_PEM: &[u8] = include_bytes!("../tests/data/legacy-1024.pem");
    const LEGACY_PUBLIC_PEM: &[u8] = include_bytes!("../tests/data/legacy-1024.pub.pem");
    const LEGACY_A4_SIG: &str = include_str!("../tests/data/legacy-1024-a4.sig.hex");

    #[test]
    fn a_merchant_key_under_2048_bits_is_refused_with_a_clear_error() {
        let err = MerchantKey::from_pem(LEGACY_PRIVATE_PEM).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("smaller than 2048 bits"), "{text}");
    }

    #[test]
    fn a_1024_bit_gateway_key_loads_only_as_legacy_and_verifies() {
        let err = GatewayPublicKey::from_pem(LEGACY_PUBLIC_PEM).unwrap_err();
        assert!(err.to_string().contains("from_pem_legacy"), "{err}");
        let legacy = GatewayPublicKey::from_pem_legacy(LEGACY_PUBLIC_PEM).unwrap();
        assert!(legacy.is_legacy());
        assert_eq!(format!("{legacy:?}"), "GatewayPublicKey(RSA, legacy < 2048 bits)");
        // An RSA-1024 signature made by openssl: 256 hex characters.
        assert_eq!(LEGACY_A4_SIG.len(), 256);
        let sig = payments_core::crypto::hex_decode(LEGACY_A4_SIG.as_bytes()).unwrap();
        let a4 = b"510.5081720123461234561241234567890116A1B2C3D4E5F60718";
        assert!(legacy.verify(a4, &sig));
        assert!(!legacy.verify(b"510.5181720123461234561241234567890116A1B2C3D4E5F60718", &sig));
        // The legacy constructor takes a modern key as a modern one.
        assert!(!GatewayPublicKey::from_pem_legacy(PUBLIC_PEM).unwrap().is_legacy());
    }

    #[test]
    fn debug_shows_no_key_material() {
        let key = MerchantKey::from_pem(PRIVATE_PEM).unwrap();
        let text = format!("{key:?} {key:#?}");
        assert_eq!(format!("{key:?}"), "MerchantKey(RSA-2048, [REDACTED])");
        assert!(!text.contains("MII"));
    }
}
