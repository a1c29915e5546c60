//! AzeriCard's signatures: the P_SIGN MAC source (length-prefixed fields), RSA
//! SHA-256 over it, and the MD5 signature of the card-transfer (MT) messages.
//! Every signed field list is in the one table below.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, PublicKey};
use aws_lc_rs::signature::{self, UnparsedPublicKey};
use payments_core::crypto;

/// Fields each message signs, in order.
pub mod fields {
    /// Browser authorization (TRTYPE 0/1), also on `/token/cgi_link`.
    pub const AUTHORIZATION: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "TERMINAL",
        "TRTYPE",
        "TIMESTAMP",
        "NONCE",
        "MERCH_URL",
    ];
    /// Completion (21) and reversals (22, 24): integrify's order (spec vector A2).
    pub const COMPLETION: &[&str] = &["ORDER", "AMOUNT", "CURRENCY", "TERMINAL", "TRTYPE", "RRN", "INT_REF"];
    /// The same, in srustamov/laravel-azericard's order; also accepted (the
    /// spec leaves the order unresolved).
    pub const COMPLETION_ALT: &[&str] = &["AMOUNT", "CURRENCY", "TERMINAL", "TRTYPE", "ORDER", "RRN", "INT_REF"];
    /// Status query (90).
    pub const STATUS: &[&str] = &["ORDER", "TERMINAL", "TRTYPE", "TIMESTAMP", "NONCE"];
    /// The gateway's callback to BACKREF (spec vector A4), signed with the gateway key.
    pub const CALLBACK: &[&str] = &["AMOUNT", "TERMINAL", "APPROVAL", "RRN", "INT_REF"];
    /// The gateway's status answer, signed with the gateway key (keys of the JSON answer).
    pub const STATUS_ANSWER: &[&str] = &[
        "Merchant order id",
        "TERMINAL",
        "Transaction amount",
        "Transaction RRN",
        "INT_REF",
        "Timestamp",
        "Nonce",
    ];
    /// MT transfer start (`/payment/view`), then the secret.
    pub const TRANSFER_START: &[&str] = &[
        "Merchant",
        "SRN",
        "Amount",
        "Cur",
        "ReceiverCredentials",
        "RedirectLink",
    ];
    /// MT confirm and decline requests.
    pub const TRANSFER_ACTION: &[&str] = &["Merchant", "SRN", "Amount", "Cur", "Timestamp"];
    /// MT confirm answer.
    pub const TRANSFER_CONFIRMED: &[&str] = &[
        "OperationId",
        "SRN",
        "RRN",
        "Amount",
        "Cur",
        "ReceiverPan",
        "Status",
        "Timestamp",
        "ResponseCode",
        "Message",
    ];
    /// MT decline answer.
    pub const TRANSFER_DECLINED: &[&str] = &[
        "OperationId",
        "SRN",
        "Amount",
        "Cur",
        "Status",
        "Timestamp",
        "ResponseCode",
        "Message",
    ];
    /// MT transfer callback (seed 001).
    pub const TRANSFER_CALLBACK: &[&str] = &[
        "OperationID",
        "SRN",
        "Amount",
        "Cur",
        "CardStatus",
        "ReceiverPAN",
        "Status",
        "Timestamp",
        "Response Code",
        "Message",
    ];
}

/// The MAC source: each field as its length then its value, or `-` when
/// absent or empty.
pub fn mac_source<'a>(names: &[&str], get: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::new();
    for name in names {
        match get(name).filter(|v| !v.is_empty()) {
            Some(v) => {
                out.push_str(&v.len().to_string());
                out.push_str(v);
            }
            None => out.push('-'),
        }
    }
    out
}

/// Decodes a PEM block's base64 body into DER.
pub(crate) fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.trim().chars())
        .collect();
    crypto::base64_decode(body.as_bytes()).ok()
}

/// The merchant's public key (verifies incoming P_SIGN).
#[derive(Debug)]
pub(crate) struct MerchantKey {
    der: Vec<u8>,
}

impl MerchantKey {
    pub(crate) fn from_pem(pem: &str) -> std::io::Result<MerchantKey> {
        let der = pem_to_der(pem).ok_or_else(|| invalid("AzeriCard merchant public key: not PEM"))?;
        PublicKey::from_der(&der).map_err(|_| invalid("AzeriCard merchant public key: not an RSA public key"))?;
        Ok(MerchantKey { der })
    }

    /// Checks a hex P_SIGN (either case) over `source`.
    pub(crate) fn verify(&self, source: &str, p_sign_hex: &str) -> bool {
        let Ok(sig) = crypto::hex_decode(p_sign_hex.as_bytes()) else {
            return false;
        };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.der)
            .verify(source.as_bytes(), &sig)
            .is_ok()
    }
}

/// The sandbox's own gateway key (signs callbacks and status answers).
pub(crate) struct GatewayKey {
    pair: KeyPair,
    public_pem: &'static str,
}

impl std::fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayKey").finish_non_exhaustive()
    }
}

impl GatewayKey {
    pub(crate) fn embedded() -> std::io::Result<GatewayKey> {
        let der = pem_to_der(include_str!("gateway-test-key.pem")).ok_or_else(|| invalid("gateway key: not PEM"))?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|_| invalid("gateway key: not PKCS#8 RSA"))?;
        Ok(GatewayKey {
            pair,
            public_pem: include_str!("gateway-test-key.pub.pem"),
        })
    }

    pub(crate) fn public_pem(&self) -> &'static str {
        self.public_pem
    }

    /// Lower-case hex RSA-SHA256 signature of `source`.
    pub(crate) fn sign(&self, source: &str) -> String {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        match self.pair.sign(
            &signature::RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            source.as_bytes(),
            &mut sig,
        ) {
            Ok(()) => crypto::hex_lower(&sig),
            Err(_) => String::new(),
        }
    }
}

/// Lower-case hex MD5 of the values in order, then the secret.
pub fn md5_signature<'a>(names: &[&str], get: impl Fn(&str) -> Option<&'a str>, secret: &str) -> String {
    let mut input = String::new();
    for name in names {
        input.push_str(get(name).unwrap_or(""));
    }
    input.push_str(secret);
    crypto::hex_lower(&crypto::md5(&[input.as_bytes()]))
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    }

    #[test]
    fn spec_vectors_a1_to_a4() {
        let a1 = [
            ("AMOUNT", "10.50"),
            ("CURRENCY", "AZN"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "1"),
            ("TIMESTAMP", "20250101120000"),
            ("NONCE", "f2b2dd7e603a7ada1234567890abcdef"),
            ("MERCH_URL", "https://shop.example"),
        ];
        let src = mac_source(fields::AUTHORIZATION, lookup(&a1));
        assert_eq!(
            src,
            "510.503AZN81720123411142025010112000032f2b2dd7e603a7ada1234567890abcdef20https://shop.example"
        );
        let key = MerchantKey::from_pem(include_str!("merchant-test-key.pub.pem")).unwrap();
        assert!(key.verify(&src, "4c1d1c0c659fa15a36e372882362c1af5c5503c2d788b7e6c2c6ee532622188521b1082d20f374ca5b89fae07a5207a7cbe4f559907e7e638d3962db86b387b14db551f94884b8ae53f0c6b1a2e61cf107d674a395686ed8c2fad78f3d6ae82e070a5247b7f9f88191a0e5082754bea67a0747a41d36ff2d63101356605aaf8385434c1eb058915851965b935c2ad797b32c3f1e398ac24684ce137105f69f0e58ebb6e58fa6035ee9d19e5b14b908b05e095e49c8fbbc6afdf7179e1308b48a7da8abffbc455f45481199ff1ebb59078f77a579b9f757363f19a1954cbc4eddc0d731cb6be652b7823ee75d83482727eb85241131d4ef38fd9dec982e981699"));
        assert!(!key.verify(&src.replace("10.50", "10.51"), "00"));

        let a2 = [
            ("ORDER", "100001"),
            ("AMOUNT", "10.50"),
            ("CURRENCY", "AZN"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "21"),
            ("RRN", "412345678901"),
            ("INT_REF", "A1B2C3D4E5F60718"),
        ];
        assert_eq!(
            mac_source(fields::COMPLETION, lookup(&a2)),
            "6100001510.503AZN8172012342211241234567890116A1B2C3D4E5F60718"
        );
        assert_eq!(
            mac_source(fields::COMPLETION_ALT, lookup(&a2)),
            "510.503AZN81720123422161000011241234567890116A1B2C3D4E5F60718"
        );

        let a3 = [
            ("ORDER", "100001"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "90"),
            ("TIMESTAMP", "20250101130000"),
            ("NONCE", "00112233445566778899aabbccddeeff"),
        ];
        assert_eq!(
            mac_source(fields::STATUS, lookup(&a3)),
            "610000181720123429014202501011300003200112233445566778899aabbccddeeff"
        );

        let a4 = [
            ("AMOUNT", "10.50"),
            ("TERMINAL", "17201234"),
            ("APPROVAL", ""),
            ("RRN", "412345678901"),
            ("INT_REF", "A1B2C3D4E5F60718"),
        ];
        assert_eq!(
            mac_source(fields::CALLBACK, lookup(&a4)),
            "510.50817201234-1241234567890116A1B2C3D4E5F60718"
        );
    }

    #[test]
    fn gateway_key_signs_verifiably() {
        let g = GatewayKey::embedded().unwrap();
        let sig = g.sign("abc");
        assert_eq!(sig.len(), 512);
        let k = MerchantKey::from_pem(g.public_pem()).unwrap();
        assert!(k.verify("abc", &sig));
        assert!(!k.verify("abd", &sig));
    }

    #[test]
    fn md5_vectors_t1_t2_t3() {
        let t1 = [
            ("Merchant", "TESTSHOP"),
            ("SRN", "SRN000001"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("ReceiverCredentials", "Ali Aliyev"),
            ("RedirectLink", "https://s.az"),
        ];
        assert_eq!(
            md5_signature(fields::TRANSFER_START, lookup(&t1), "transfer-secret"),
            "a9480e5145666acbc860b863bc7ddd8d"
        );
        let t2 = [
            ("Merchant", "TESTSHOP"),
            ("SRN", "SRN000001"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("Timestamp", "20250101123000"),
        ];
        assert_eq!(
            md5_signature(fields::TRANSFER_ACTION, lookup(&t2), "transfer-secret"),
            "3e963129aa1728ef0106d27ad139501e"
        );
        let t3 = [
            ("OperationID", "1234567890123456"),
            ("SRN", "SRN000001"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("CardStatus", "our_active"),
            ("ReceiverPAN", "416973******1234"),
            ("Status", "pending"),
            ("Timestamp", "20250101123500"),
            ("Response Code", "0"),
            ("Message", "Success"),
        ];
        assert_eq!(
            md5_signature(fields::TRANSFER_CALLBACK, lookup(&t3), "transfer-secret"),
            "0cdbe254431adfbf95fccdceef3ced56"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        #[test]
        fn any_changed_byte_fails_verification(in_source in proptest::prelude::any::<bool>(), index in proptest::prelude::any::<usize>(), byte in 0x21u8..0x7f) {
            let gateway = GatewayKey::embedded().unwrap();
            let verifier = MerchantKey::from_pem(gateway.public_pem()).unwrap();
            let mut source = "510.5081720123461234561241234567890116A1B2C3D4E5F60718".to_owned();
            let mut sig = gateway.sign(&source);
            let target = if in_source { &mut source } else { &mut sig };
            let i = index % target.len();
            proptest::prop_assume!(!target.as_bytes()[i].eq_ignore_ascii_case(&byte));
            let mut bytes = target.clone().into_bytes();
            bytes[i] = byte;
            *target = String::from_utf8(bytes).unwrap();
            proptest::prop_assert!(!verifier.verify(&source, &sig));
        }
    }
}
