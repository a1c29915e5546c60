//! AzeriCard's signatures: the P_SIGN MAC source (length-prefixed fields), RSA
//! SHA-256 over it, and the MD5 signature of the card-transfer (MT) messages.
//! Every signed field list is in the one table below.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, PublicKey};
use aws_lc_rs::signature::{self, UnparsedPublicKey};
use payments_core::crypto;

/// Fields each message signs, in order.
pub mod fields {
    /// Browser authorization (TRTYPE 0/1), also on `/token/cgi_link`, and the
    /// server-to-server MIT (TRTYPE 1) and recurring (TRTYPE 3) charges
    /// (vectors A1, A5-A7): TOKEN, TOKEN_ACTION, MERCH_TRAN_STATE,
    /// MERCH_RN_ID, MIT_AGREEMENT, EXT_NET_REF, RECUR_FREQ, RECUR_EXP are unsigned.
    pub const AUTHORIZATION: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "TERMINAL",
        "TRTYPE",
        "TIMESTAMP",
        "NONCE",
        "MERCH_URL",
    ];
    /// Completion (21) and reversals (22, 24) in integrify's order (vectors
    /// A2, A8): a terminal's alternative ([`crate::azericard::FollowUpOrder::OrderFirst`]).
    pub const COMPLETION: &[&str] = &["ORDER", "AMOUNT", "CURRENCY", "TERMINAL", "TRTYPE", "RRN", "INT_REF"];
    /// The same in the order the spec now recommends as the default (vectors
    /// A2b, A8b; [`crate::azericard::FollowUpOrder::AmountFirst`]).
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

    /// The key's DER (SPKI).
    pub(crate) fn der(&self) -> &[u8] {
        &self.der
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> usize {
        aws_lc_rs::rsa::PublicEncryptingKey::from_der(&self.der).map_or(0, |k| k.key_size_bits())
    }

    /// Checks a hex P_SIGN (lower-case, as every source sends it) over `source`.
    pub(crate) fn verify(&self, source: &str, p_sign_hex: &str) -> bool {
        if p_sign_hex.bytes().any(|b| b.is_ascii_uppercase()) {
            return false;
        }
        let Ok(sig) = crypto::hex_decode(p_sign_hex.as_bytes()) else {
            return false;
        };
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.der)
            .verify(source.as_bytes(), &sig)
            .is_ok()
    }
}

/// How many gateway keys one process may generate (rotations over the control API).
pub const MAX_GATEWAY_ROTATIONS: usize = 64;

/// The sandbox's own gateway keys (sign callbacks and status answers).
pub(crate) struct GatewayKey {
    signer: Signer,
    public_pem: &'static str,
}

enum Signer {
    /// RSA-2048 and up, through aws-lc-rs.
    Aws(KeyPair),
    /// RSA-1024, which aws-lc-rs refuses: textbook PKCS#1 v1.5 over
    /// crypto-bigint's constant-time Montgomery exponentiation.
    Rsa1024(Box<Rsa1024Key>),
}

struct Rsa1024Key {
    modulus: crypto_bigint::modular::MontyParams<{ crypto_bigint::U1024::LIMBS }>,
    private_exponent: crypto_bigint::U1024,
}

impl std::fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayKey").finish_non_exhaustive()
    }
}

/// The throwaway 1024-bit gateway key's modulus and private exponent (hex).
/// It signs nothing but sandbox messages; its public half is
/// `gateway-test-key-1024.pub.pem`.
const GATEWAY_1024_N: &str = "e259c9ab125e3f10e67c5d821392b68ff940be87a4a1193c64fe3b3aa41cac76ffb48e28c15f3fece7e4d5fb89f54bccc25e4d1cc8359035978d45af8e6616fca92715fd9c2c4dda42f03c950b742a0e98e3245c4c0ac998d2138caa3d70808361a8d648648f7ed2d1a8c0a5f5a1948a16cfd136d8e84f3c65b097514ffcc2ab";
const GATEWAY_1024_D: &str = "47ecd2196b2fc9887c44fe8dabdc8de87802abc87c76b887296c63b3c19c5eed3d59c96687f3d5635958acea4e2f4513de9b8a935fc72d78ea1c790d4d0981b9d4a4e8641f59182d329fa47a0d6fbc3c9b355133e13b3067df644c0147a331d59eee776957008192ad9b98c2e64c43f626edfdc4a586ff89554aca507e6dd521";

/// DigestInfo prefix of SHA-256 (RFC 8017, 9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

impl GatewayKey {
    pub(crate) fn embedded() -> std::io::Result<GatewayKey> {
        let der = pem_to_der(include_str!("gateway-test-key.pem")).ok_or_else(|| invalid("gateway key: not PEM"))?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|_| invalid("gateway key: not PKCS#8 RSA"))?;
        Ok(GatewayKey {
            signer: Signer::Aws(pair),
            public_pem: include_str!("gateway-test-key.pub.pem"),
        })
    }

    pub(crate) fn embedded_1024() -> std::io::Result<GatewayKey> {
        let hex_u1024 = |h: &str| {
            crypto::hex_decode(h.as_bytes())
                .ok()
                .filter(|b| b.len() == 128)
                .map(|b| crypto_bigint::U1024::from_be_slice(&b))
        };
        let n = hex_u1024(GATEWAY_1024_N).ok_or_else(|| invalid("gateway 1024 key: modulus"))?;
        let d = hex_u1024(GATEWAY_1024_D).ok_or_else(|| invalid("gateway 1024 key: exponent"))?;
        let odd: Option<crypto_bigint::Odd<crypto_bigint::U1024>> = crypto_bigint::Odd::new(n).into();
        let odd = odd.ok_or_else(|| invalid("gateway 1024 key: even modulus"))?;
        Ok(GatewayKey {
            signer: Signer::Rsa1024(Box::new(Rsa1024Key {
                modulus: crypto_bigint::modular::MontyParams::new(odd),
                private_exponent: d,
            })),
            public_pem: include_str!("gateway-test-key-1024.pub.pem"),
        })
    }

    /// A freshly generated RSA-2048 key (a rotation). Its public PEM is
    /// leaked to keep [`GatewayKey::public_pem`] `'static`; the count is capped.
    pub(crate) fn generated() -> std::io::Result<GatewayKey> {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::KeyPair as _;
        use std::sync::atomic::{AtomicUsize, Ordering};
        static GENERATED: AtomicUsize = AtomicUsize::new(0);
        if GENERATED.fetch_add(1, Ordering::Relaxed) >= MAX_GATEWAY_ROTATIONS {
            return Err(invalid("gateway key: rotated too often in this process"));
        }
        let pair = KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
            .map_err(|_| invalid("gateway key: generation failed"))?;
        let spki = pair
            .public_key()
            .as_der()
            .map_err(|_| invalid("gateway key: public key encoding failed"))?;
        let b64 = crypto::base64_encode(spki.as_ref());
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        Ok(GatewayKey {
            signer: Signer::Aws(pair),
            public_pem: Box::leak(pem.into_boxed_str()),
        })
    }

    pub(crate) fn public_pem(&self) -> &'static str {
        self.public_pem
    }

    /// Lower-case hex RSA-SHA256 (PKCS#1 v1.5) signature of `source`.
    pub(crate) fn sign(&self, source: &str) -> String {
        match &self.signer {
            Signer::Aws(pair) => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                match pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    source.as_bytes(),
                    &mut sig,
                ) {
                    Ok(()) => crypto::hex_lower(&sig),
                    Err(_) => String::new(),
                }
            }
            Signer::Rsa1024(key) => {
                let Rsa1024Key {
                    modulus,
                    private_exponent,
                } = key.as_ref();
                // EM = 00 01 FF..FF 00 DigestInfo(SHA-256(source)), 128 bytes.
                let mut em = [0xffu8; 128];
                em[0] = 0;
                em[1] = 1;
                let t_start = 128 - SHA256_DIGEST_INFO.len() - 32;
                em[t_start - 1] = 0;
                em[t_start..t_start + SHA256_DIGEST_INFO.len()].copy_from_slice(&SHA256_DIGEST_INFO);
                em[128 - 32..].copy_from_slice(&crypto::sha256(&[source.as_bytes()]));
                let m = crypto_bigint::U1024::from_be_slice(&em);
                let s = crypto_bigint::modular::MontyForm::new(&m, *modulus)
                    .pow(private_exponent)
                    .retrieve();
                crypto::hex_lower(&s.to_be_bytes())
            }
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

    const A5: &str = "4179602dd8c1ee6b95325ce0da6e1224784ec5146057e14b9427a86f6f03cd594f17a358df0d2eb9d733c68077272e077109f04470a930f0344ba60ba6a59fe411ef190260cc98c5f56bd3b41a9c067f40e457bceba9c668463f381ff4a9afcdb4a339c38dc34cf3d9c86bed88be5fe396a4045d39d9366aacbcf832857269af22dba4f17ee2586631b7c3189a907845d973b0e96730693fbbc10cd34a6deec43ffe02c2e6df5a7930197d1d7e14b3d06dbe590d96f10ab6eed971ea79e33b88969505ebc9b9e8d73596c7fd2b010f864b3047757415b746444efcaf36495ed030ec1af5d070433f1f87407d1a3b2bc67c8e915ddc7ff86427b20a429cb07e8a";
    const A6: &str = "3a713facb400c625e5b6695464406182afbc0d014cb8fb7c19e3f16f15bdcf09013ff0e352505e0ac37fa7a5658a29100465c637a38c2ff3d147031a1beac4d3b0b7acf9187e3843ae0b3e10e113f858589ec15c5fd5d3ac0fb34d18eb724053fdb3a7dee6cd7926f2acf09cfbe1a552af62e9d007695b71c7f8e43ce3ec6f3addd26e52fb6cb57d54f4f53d50ee0f4fbd8f660937f6a2796c5bf0d5ba05f7faf85f79c0e4ba833b748bd8e61bd0529a51118638d1d333ab258d97dd896180d70d93ad360529bde01398d5dd92794621d49cefdb9a9d54a0aa1b6a60c7fa2173ad7ab6857ef6ceb612c732728bca0628d4873b2d9235b95ea36513f36b46f233";

    #[test]
    fn spec_vectors_a5_a6_mit_and_recurring_charges() {
        let mut a5 = vec![
            ("AMOUNT", "25.00"),
            ("CURRENCY", "AZN"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "1"),
            ("TIMESTAMP", "20250102090000"),
            ("NONCE", "0a1b2c3d4e5f6071"),
            ("MERCH_URL", "https://shop.example"),
        ];
        let key = MerchantKey::from_pem(include_str!("merchant-test-key.pub.pem")).unwrap();
        let src = mac_source(fields::AUTHORIZATION, lookup(&a5));
        assert_eq!(
            src,
            "525.003AZN817201234111420250102090000160a1b2c3d4e5f607120https://shop.example"
        );
        assert!(key.verify(&src, A5));
        a5[3].1 = "3";
        let src = mac_source(fields::AUTHORIZATION, lookup(&a5));
        assert_eq!(
            src,
            "525.003AZN817201234131420250102090000160a1b2c3d4e5f607120https://shop.example"
        );
        assert!(key.verify(&src, A6) && !key.verify(&src, A5));
        assert!(!key.verify(&src, &A6.to_ascii_uppercase()), "P_SIGN is lower-case hex");
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
    fn gateway_1024_key_signs_pkcs1_v15_sha256() {
        let g = GatewayKey::embedded_1024().unwrap();
        let sig = g.sign("510.5081720123461234561241234567890116A1B2C3D4E5F60718");
        assert_eq!(sig.len(), 256);
        let der = pem_to_der(g.public_pem()).unwrap();
        let key = UnparsedPublicKey::new(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, &der);
        let bytes = crypto::hex_decode(sig.as_bytes()).unwrap();
        assert!(
            key.verify(b"510.5081720123461234561241234567890116A1B2C3D4E5F60718", &bytes)
                .is_ok()
        );
        assert!(
            key.verify(b"510.5181720123461234561241234567890116A1B2C3D4E5F60718", &bytes)
                .is_err()
        );
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
