//! Pure signing and verification: the MPI's P_SIGN (RSA, SHA-256,
//! PKCS#1 v1.5, hex) and the MT's MD5 `Signature`.
//!
//! # The signed field lists
//! Every list lives in [`SIGNED_FIELDS`] (one line per TRTYPE) or
//! [`CALLBACK_SIGNED_FIELDS`], so a correction from AzeriCard is a one-line
//! change. Where public sources disagree, the lists follow the spec's
//! recommendation (the provider notes compiled for this project, "P_SIGN"):
//!
//! - TRTYPE 0/1 and the token flows: AMOUNT, CURRENCY, TERMINAL, TRTYPE,
//!   TIMESTAMP, NONCE, MERCH_URL. Every RSA-era source agrees.
//! - TRTYPE 21/22/24: AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER, RRN, INT_REF
//!   by default ([`FOLLOW_UP_FIELDS`]: srustamov 4.x, the OpenCart module
//!   and another integration's tests that quote the specification; vectors
//!   A2b, A8b). integrify (Python and PHP, one family, never run against a
//!   gateway) puts ORDER first ([`FOLLOW_UP_FIELDS_INTEGRIFY`]; vectors A2,
//!   A8): selectable with [`FollowUpSigningOrder::Integrify`] in the
//!   configuration, so a merchant whose gateway answers `3` (wrong P_SIGN)
//!   can switch without a code change. The pre-RSA Ruby gem's longer list is
//!   obsolete.
//! - TRTYPE 90: ORDER, TERMINAL, TRTYPE, TIMESTAMP, NONCE (integrify,
//!   integrify-php and Omnipay agree; vector A3).
//! - Callback: AMOUNT, TERMINAL, APPROVAL, RRN, INT_REF (Omnipay and the
//!   Django sample that mirrors AzeriCard's Java sample; vector A4).
//!   srustamov signs AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER, RRN, INT_REF.
//!   Disputed.
//!
//! # The MAC source
//! For each signed field in order: a present, non-empty value contributes its
//! length in bytes (decimal ASCII) followed by the value; an absent or empty
//! value contributes a single `-`. Outgoing signed values are ASCII (checked
//! by the request builders), where byte and character lengths agree.

use std::fmt::Write as _;

use payments_core::{Error, Result, crypto};

use crate::keys::{GatewayPublicKey, MerchantKey};

/// Signed fields of authorization (TRTYPE 0 and 1), of the token flows and
/// of the stored-card, MIT and recurring flows (TRTYPE 1 and 3).
pub const AUTHORIZATION_FIELDS: &[&str] = &[
    "AMOUNT",
    "CURRENCY",
    "TERMINAL",
    "TRTYPE",
    "TIMESTAMP",
    "NONCE",
    "MERCH_URL",
];
/// Signed fields of completion (21) and reversal (22, 24) in the order three
/// independent sources use: the default.
pub const FOLLOW_UP_FIELDS: &[&str] = &["AMOUNT", "CURRENCY", "TERMINAL", "TRTYPE", "ORDER", "RRN", "INT_REF"];
/// Signed fields of completion (21) and reversal (22, 24) in integrify's
/// order: the configurable alternative.
pub const FOLLOW_UP_FIELDS_INTEGRIFY: &[&str] =
    &["ORDER", "AMOUNT", "CURRENCY", "TERMINAL", "TRTYPE", "RRN", "INT_REF"];

/// Which field order signs completion (21) and reversal (22, 24). Public
/// sources disagree and AzeriCard's own document was not retrievable, so the
/// order is a configuration setting (`AZERICARD_FOLLOW_UP_ORDER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FollowUpSigningOrder {
    /// [`FOLLOW_UP_FIELDS`] (ORDER after TRTYPE): srustamov 4.x, the OpenCart
    /// module, and tests that quote the specification verbatim. The default.
    #[default]
    Sources,
    /// [`FOLLOW_UP_FIELDS_INTEGRIFY`] (ORDER first): integrify and its PHP
    /// port. Switch to it if the gateway answers `3` (wrong P_SIGN) to
    /// completions signed in the default order.
    Integrify,
}

impl FollowUpSigningOrder {
    /// The signed field list of this order.
    pub const fn fields(self) -> &'static [&'static str] {
        match self {
            FollowUpSigningOrder::Sources => FOLLOW_UP_FIELDS,
            FollowUpSigningOrder::Integrify => FOLLOW_UP_FIELDS_INTEGRIFY,
        }
    }

    /// Parses `sources` or `integrify` (any case); anything else is a configuration error.
    pub fn parse(text: &str) -> Result<FollowUpSigningOrder> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sources" => Ok(FollowUpSigningOrder::Sources),
            "integrify" => Ok(FollowUpSigningOrder::Integrify),
            _ => Err(Error::config(
                "AZERICARD_FOLLOW_UP_ORDER must be `sources` (default) or `integrify`",
            )),
        }
    }
}
/// Signed fields of the status query (90).
pub const STATUS_FIELDS: &[&str] = &["ORDER", "TERMINAL", "TRTYPE", "TIMESTAMP", "NONCE"];

/// The signed fields of every request, one line per TRTYPE (21/22/24 in the
/// default order; see [`FollowUpSigningOrder`]). TRTYPE 3, the scheduled
/// recurring charge, is signed like an authorization [U: srustamov only].
pub const SIGNED_FIELDS: &[(&str, &[&str])] = &[
    ("0", AUTHORIZATION_FIELDS),
    ("1", AUTHORIZATION_FIELDS),
    ("3", AUTHORIZATION_FIELDS),
    ("21", FOLLOW_UP_FIELDS),
    ("22", FOLLOW_UP_FIELDS),
    ("24", FOLLOW_UP_FIELDS),
    ("90", STATUS_FIELDS),
];

/// The fields of an authorization callback covered by the gateway's P_SIGN.
pub const CALLBACK_SIGNED_FIELDS: &[&str] = &["AMOUNT", "TERMINAL", "APPROVAL", "RRN", "INT_REF"];

/// The fields of an MT transfer start, in signing order (the secret follows).
pub const TRANSFER_START_FIELDS: &[&str] = &[
    "Merchant",
    "SRN",
    "Amount",
    "Cur",
    "ReceiverCredentials",
    "RedirectLink",
];
/// The fields of an MT confirm or decline request, in signing order.
pub const TRANSFER_ACTION_FIELDS: &[&str] = &["Merchant", "SRN", "Amount", "Cur", "Timestamp"];
/// The fields of an MT confirm response, in signing order.
pub const TRANSFER_CONFIRM_RESPONSE_FIELDS: &[&str] = &[
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
/// The fields of an MT decline response, in signing order.
pub const TRANSFER_DECLINE_RESPONSE_FIELDS: &[&str] = &[
    "OperationId",
    "SRN",
    "Amount",
    "Cur",
    "Status",
    "Timestamp",
    "ResponseCode",
    "Message",
];
/// The fields of the MT transfer callback, in signing order.
pub const TRANSFER_CALLBACK_FIELDS: &[&str] = &[
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

/// The signed field list of a TRTYPE code, from [`SIGNED_FIELDS`].
pub fn signed_fields(trtype: &str) -> Option<&'static [&'static str]> {
    SIGNED_FIELDS.iter().find(|(t, _)| *t == trtype).map(|(_, f)| *f)
}

/// Builds the MAC source of `names`, looking each value up with `value`.
pub fn mac_source<'a>(names: &[&str], value: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(128);
    for name in names {
        match value(name) {
            Some(v) if !v.is_empty() => {
                let _ = write!(out, "{}", v.len());
                out.push_str(v);
            }
            _ => out.push('-'),
        }
    }
    out
}

/// Builds the MAC source of `names` from ordered name/value pairs.
pub fn mac_source_of_pairs<K: AsRef<str>, V: AsRef<str>>(names: &[&str], pairs: &[(K, V)]) -> String {
    mac_source(names, |name| {
        pairs.iter().find(|(k, _)| k.as_ref() == name).map(|(_, v)| v.as_ref())
    })
}

/// Signs a MAC source with the merchant's key: the P_SIGN, lowercase hex.
pub fn sign_mac(key: &MerchantKey, mac_source: &str) -> Result<String> {
    Ok(crypto::hex_lower(&key.sign(mac_source.as_bytes())?))
}

/// Verifies a received P_SIGN (hex, either case) over `mac_source` with the
/// gateway's public key.
pub fn verify_mac(key: &GatewayPublicKey, mac_source: &str, p_sign: &str) -> Result<()> {
    if p_sign.is_empty() {
        return Err(Error::signature_invalid("P_SIGN is empty"));
    }
    // 16384 hex digits = an 8192-bit key, the largest accepted.
    if p_sign.len() > 16_384 {
        return Err(Error::signature_invalid(
            "P_SIGN is longer than any accepted key allows",
        ));
    }
    let sig = crypto::hex_decode(p_sign.as_bytes()).map_err(|_| Error::signature_invalid("P_SIGN is not hex"))?;
    if key.verify(mac_source.as_bytes(), &sig) {
        Ok(())
    } else {
        Err(Error::signature_invalid("P_SIGN does not verify with the gateway key"))
    }
}

/// Verifies a received P_SIGN against each of the configured gateway keys
/// (several during a key rotation); `Ok` when any of them accepts it.
pub fn verify_mac_any(keys: &[GatewayPublicKey], mac_source: &str, p_sign: &str) -> Result<()> {
    let mut last = Err(Error::signature_invalid("no gateway key is configured"));
    for key in keys {
        last = verify_mac(key, mac_source, p_sign);
        if last.is_ok() {
            break;
        }
    }
    last
}

/// The MT `Signature`: lowercase hex MD5 of the values concatenated, then the secret.
pub fn transfer_signature(values: &[&str], secret: &str) -> String {
    let mut parts: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
    parts.push(secret.as_bytes());
    crypto::hex_lower(&crypto::md5(&parts))
}

/// Checks a received MT `Signature` (hex, either case) in constant time.
pub fn verify_transfer_signature(values: &[&str], secret: &str, received: &str) -> Result<()> {
    let mut parts: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
    parts.push(secret.as_bytes());
    let expected = crypto::md5(&parts);
    if crypto::hex_matches_ct(received.as_bytes(), &expected) {
        Ok(())
    } else {
        Err(Error::signature_invalid("transfer Signature does not match"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const PRIVATE_PEM: &[u8] = include_bytes!("../tests/data/azericard-test-key.pem");
    const PUBLIC_PEM: &[u8] = include_bytes!("../tests/data/azericard-test-key.pub.pem");

    pub(crate) const A1_P_SIGN: &str = "4c1d1c0c659fa15a36e372882362c1af5c5503c2d788b7e6c2c6ee532622188521b1082d20f374ca5b89fae07a5207a7cbe4f559907e7e638d3962db86b387b14db551f94884b8ae53f0c6b1a2e61cf107d674a395686ed8c2fad78f3d6ae82e070a5247b7f9f88191a0e5082754bea67a0747a41d36ff2d63101356605aaf8385434c1eb058915851965b935c2ad797b32c3f1e398ac24684ce137105f69f0e58ebb6e58fa6035ee9d19e5b14b908b05e095e49c8fbbc6afdf7179e1308b48a7da8abffbc455f45481199ff1ebb59078f77a579b9f757363f19a1954cbc4eddc0d731cb6be652b7823ee75d83482727eb85241131d4ef38fd9dec982e981699";
    const A2_P_SIGN: &str = "5686aa8455a2c85b8c7f68bc1d4c055fe3b94955d47483ae79921f347be77ef130f0342d8eb8aef0f166817afb05f857f0c691ef17cfc7c7a6a16a352897a59fac9efdf8c3c42b93c5459f128352ca6d522ca90264ca16ecd7c9f9369ad156fa95c4d6776e01188e3feab0e74eaa75c48fec9f2917b358d86276d436d6b3290ba56f195d57c2af9a86f9ede408a8972816f42d9fb4c1c9903c3ea8d86d5a89204507e30193e6d048706779b4243a1006e4a43d17f7969659aedff6268571ef0e53d385c8a7b4815a529a8ad49dad778d678421c80073f1e41909bcb8ecc3885306061251baf95cfdf903efc57e6fa9896efade31127ee7ca84587a8123c9a707";
    const A3_P_SIGN: &str = "23b93560c63dbebe7fa72054f88faa9026c43abeb439f406a1e27a7f71bddb2f5df6e9b1328691117237ca0d5e57dfa686245b72b29a3fed57cc685a7c8415e68624ba869b7a49faa5dc91d66a9ab105fb1861c809f5b1447c3346d6bbeee19cacd38e3e6ee239b4ae80b4eaf282e04c1456107d2bd17b3dce192fa13da0956658b856905ab3bded6d3c6f7d1de1812fb91d497084f42d0c1678afc17b64c560caff0b6b34af0a9429bbd2f556895537630edf18ee836d69a5a1eac5ed8929233786afed84f153cbb9dc49a314abc2fa0702825e912899f7a2d35ddbedc2e2919135bb325ca1558e2b9c9439a366b6a62c13740cd35db0eed54fda8c4b1f7157";
    const A4_P_SIGN: &str = "170ba79394e5e7b2d5402a25a0a3196e7cd91b611412cfb268916346faf46233a6efbc5e7d46d46a0a6cef2403d7b220de4093d52f2d2644b424a052ec999600ff5ccc2f5fcfecdfbd900f2ce62e485fb40902084412759deb9d0365ef732f31f1558349c4671a04a8037752644d836e50bcef599ad49117435a50ce2c2d540f5c4ff73965feaa7cf986c34bb8209194cf6e67ecf7aef79b5e2b682814893331b49f703afd630fc24e84255ba37700abee50ab0e562f57a8b041db28203accb1049dd5e45608a882451adfea68366150a45119ca5eee68d8d543b3b3a3e3bb89a72db9c2ddd9de01b26af8b4bd6724e0b61ecf1224c85fe1dffca547cb8d531b";

    fn key() -> MerchantKey {
        MerchantKey::from_pem(PRIVATE_PEM).unwrap()
    }
    fn public() -> GatewayPublicKey {
        GatewayPublicKey::from_pem(PUBLIC_PEM).unwrap()
    }

    #[test]
    fn vector_a1_authorization() {
        let pairs = [
            ("AMOUNT", "10.50"),
            ("CURRENCY", "AZN"),
            ("ORDER", "100001"),
            ("DESC", "Order 100001"),
            ("MERCH_NAME", "Test Shop"),
            ("MERCH_URL", "https://shop.example"),
            ("TERMINAL", "17201234"),
            ("EMAIL", "shop@example.az"),
            ("TRTYPE", "1"),
            ("BACKREF", "https://shop.example/azericard/callback"),
            ("TIMESTAMP", "20250101120000"),
            ("NONCE", "f2b2dd7e603a7ada1234567890abcdef"),
            ("LANG", "az"),
        ];
        let src = mac_source_of_pairs(signed_fields("1").unwrap(), &pairs);
        assert_eq!(
            src,
            "510.503AZN81720123411142025010112000032f2b2dd7e603a7ada1234567890abcdef20https://shop.example"
        );
        assert_eq!(sign_mac(&key(), &src).unwrap(), A1_P_SIGN);
        assert_eq!(signed_fields("0"), signed_fields("1"));
        verify_mac(&public(), &src, A1_P_SIGN).unwrap();
    }

    const A2B_P_SIGN: &str = "8674f3f51ffcdd2d0e7f3e308de23cf3e2da3e795e69100ed6ca2a50f1460ae43d9b011e537245ef17e6e68f61e690d7deade52a1bfe21d2402e7cf2b32812359914792c9d05bf9548a3bdcd06796e09c937ffbd52c1e9f9c90c63b2e97596d8801061862898066e2cef9e0f2137d93636c539959114ae88c2f4b5a74e03f8687ba23980ab1989d0c8bb040e3400aee61533503d5b115c2ff5d72b5e4f7dd353fd4833bb6d5709b3f21d2212e7e15c9ad2c5cc356d928066d79c703bf852fe75014a623cae4a7de9295bcc63784739a10a0ddd75eb31abc0c18fb7f7f9826ec6f9ec866e5197cbc5be8d8310035bd1c6b4fcf66babe4e6ada5aa58c402ce5337";
    const A8_P_SIGN: &str = "3f2b5b5132cc7686b66dade82c3022ba017789cf4051a73ad135f3330adad1e0accaa892027bbc5783a8f398094d85fe4d8876ef68beeb48e6f9946780e04b5837b865ed8441492e1e72301a0ef0838087332e7e4c3c34ae024d68f86a49c8c5cc8e8a3d0e4515efdb0fcb28b5b36bbd0399f5e25a213d81eccef6e488f4e121f295d4d0855a7e2dc3e909e0431ce572f94ed74a79b92daf3b61695eca3e1b9f8ca12f31038f92a5668aff145705b2dda593140eaec51223b2e24ae55e8afce022e302c011dc2538f82a6e90afbb63e2e3d997cbc29fb28561e167dcaf928d6b231c6f57724b5c79d4ae0ee61630e62193e53e6f2ced4d9cbd19c4c593ff64aa";
    const A8B_P_SIGN: &str = "121daf3a5d4ecc5bbccfb431608bf1117c52cd8a5bd68d0a3628d74c287ddc7ba6e40a343631b72b429b90e4bd337fdd582e2cda83d89f415ea738f73257b31925fedaad57b6bef612826eb25b5cddb25b7e15004e88e288bd73f3a480e78264f969f694a7598759b47987cc439794bf4fccc2168b974d540d231deed67d673116ef48add52b50ae36ad81aa7abb3938524483536382d1a7e1f53960763d3dda51222018f2a93ccca5f1da8cf69cf73b5ea73c9340199a9c67814aa933dc4a853dff1c732bc7d77bdabc671ef1c6c567184d8b973c9c28e892e0311f6c8d1f545be9b5726c33d2a558b7d2e6b9573d7c04a7b32d71402850d98992633a7b2fc9";

    fn a2_pairs(trtype: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("ORDER", "100001"),
            ("AMOUNT", "10.50"),
            ("CURRENCY", "AZN"),
            ("RRN", "412345678901"),
            ("INT_REF", "A1B2C3D4E5F60718"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", trtype),
            ("TIMESTAMP", "20250101121500"),
            ("NONCE", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"),
        ]
    }

    #[test]
    fn vector_a2b_completion_in_the_default_order() {
        let src = mac_source_of_pairs(signed_fields("21").unwrap(), &a2_pairs("21"));
        assert_eq!(src, "510.503AZN81720123422161000011241234567890116A1B2C3D4E5F60718");
        assert_eq!(sign_mac(&key(), &src).unwrap(), A2B_P_SIGN);
        assert_eq!(FollowUpSigningOrder::default().fields(), FOLLOW_UP_FIELDS);
        assert_eq!(signed_fields("22"), Some(FOLLOW_UP_FIELDS));
        assert_eq!(signed_fields("24"), Some(FOLLOW_UP_FIELDS));
    }

    #[test]
    fn vector_a2_completion_in_integrify_order() {
        let src = mac_source_of_pairs(FollowUpSigningOrder::Integrify.fields(), &a2_pairs("21"));
        assert_eq!(src, "6100001510.503AZN8172012342211241234567890116A1B2C3D4E5F60718");
        assert_eq!(sign_mac(&key(), &src).unwrap(), A2_P_SIGN);
        // The obsolete pre-RSA Ruby-gem order, to show neither list is it.
        let ruby = [
            "ORDER",
            "AMOUNT",
            "CURRENCY",
            "RRN",
            "INT_REF",
            "TRTYPE",
            "TERMINAL",
            "TIMESTAMP",
            "NONCE",
        ];
        assert_eq!(
            mac_source_of_pairs(&ruby, &a2_pairs("21")),
            "6100001510.503AZN1241234567890116A1B2C3D4E5F607182218172012341420250101121500320f1e2d3c4b5a69788796a5b4c3d2e1f0"
        );
    }

    #[test]
    fn vectors_a8_and_a8b_reversal_22_in_both_orders() {
        let a8 = mac_source_of_pairs(FollowUpSigningOrder::Integrify.fields(), &a2_pairs("22"));
        assert_eq!(a8, "6100001510.503AZN8172012342221241234567890116A1B2C3D4E5F60718");
        assert_eq!(sign_mac(&key(), &a8).unwrap(), A8_P_SIGN);
        let a8b = mac_source_of_pairs(FollowUpSigningOrder::Sources.fields(), &a2_pairs("22"));
        assert_eq!(a8b, "510.503AZN81720123422261000011241234567890116A1B2C3D4E5F60718");
        assert_eq!(sign_mac(&key(), &a8b).unwrap(), A8B_P_SIGN);
    }

    #[test]
    fn follow_up_order_parses_and_rejects_unknown_values() {
        assert_eq!(
            FollowUpSigningOrder::parse(" Integrify ").unwrap(),
            FollowUpSigningOrder::Integrify
        );
        assert_eq!(
            FollowUpSigningOrder::parse("sources").unwrap(),
            FollowUpSigningOrder::Sources
        );
        assert!(matches!(
            FollowUpSigningOrder::parse("srustamov"),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn vector_a3_status() {
        let pairs = [
            ("ORDER", "100001"),
            ("TERMINAL", "17201234"),
            ("TRTYPE", "90"),
            ("TIMESTAMP", "20250101130000"),
            ("NONCE", "00112233445566778899aabbccddeeff"),
            ("TRAN_TRTYPE", "1"),
        ];
        let src = mac_source_of_pairs(signed_fields("90").unwrap(), &pairs);
        assert_eq!(
            src,
            "610000181720123429014202501011300003200112233445566778899aabbccddeeff"
        );
        assert_eq!(sign_mac(&key(), &src).unwrap(), A3_P_SIGN);
    }

    #[test]
    fn vector_a4_callback_good_tampered_and_empty_approval() {
        let pairs = vec![
            ("AMOUNT", "10.50"),
            ("TERMINAL", "17201234"),
            ("APPROVAL", "123456"),
            ("RRN", "412345678901"),
            ("INT_REF", "A1B2C3D4E5F60718"),
        ];
        let src = mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, &pairs);
        assert_eq!(src, "510.5081720123461234561241234567890116A1B2C3D4E5F60718");
        assert_eq!(sign_mac(&key(), &src).unwrap(), A4_P_SIGN);
        verify_mac(&public(), &src, A4_P_SIGN).unwrap();
        verify_mac(&public(), &src, &A4_P_SIGN.to_ascii_uppercase()).unwrap();

        let mut tampered = pairs.clone();
        tampered[0].1 = "100.50";
        let bad = mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, &tampered);
        assert!(matches!(
            verify_mac(&public(), &bad, A4_P_SIGN),
            Err(Error::SignatureInvalid { .. })
        ));
        for forged in ["", "zz", "00", &A4_P_SIGN[2..]] {
            assert!(matches!(
                verify_mac(&public(), &src, forged),
                Err(Error::SignatureInvalid { .. })
            ));
        }

        let mut empty = pairs.clone();
        empty[2].1 = "";
        assert_eq!(
            mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, &empty),
            "510.50817201234-1241234567890116A1B2C3D4E5F60718"
        );
        // Absent and empty are the same: both are "-".
        empty.remove(2);
        assert_eq!(
            mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, &empty),
            "510.50817201234-1241234567890116A1B2C3D4E5F60718"
        );
    }

    #[test]
    fn vector_t1_t2_t3_transfers() {
        let secret = "transfer-secret";
        assert_eq!(
            transfer_signature(
                &["TESTSHOP", "SRN000001", "10.50", "944", "Ali Aliyev", "https://s.az"],
                secret
            ),
            "a9480e5145666acbc860b863bc7ddd8d"
        );
        assert_eq!(
            transfer_signature(&["TESTSHOP", "SRN000001", "10.50", "944", "20250101123000"], secret),
            "3e963129aa1728ef0106d27ad139501e"
        );
        let t3 = [
            "1234567890123456",
            "SRN000001",
            "10.50",
            "944",
            "our_active",
            "416973******1234",
            "pending",
            "20250101123500",
            "0",
            "Success",
        ];
        verify_transfer_signature(&t3, secret, "0cdbe254431adfbf95fccdceef3ced56").unwrap();
        verify_transfer_signature(&t3, secret, "0CDBE254431ADFBF95FCCDCEEF3CED56").unwrap();
        let mut t3_bad = t3;
        t3_bad[2] = "100.50";
        assert!(verify_transfer_signature(&t3_bad, secret, "0cdbe254431adfbf95fccdceef3ced56").is_err());
        assert!(verify_transfer_signature(&t3, "other", "0cdbe254431adfbf95fccdceef3ced56").is_err());
        assert!(verify_transfer_signature(&t3, secret, "").is_err());
    }
}
