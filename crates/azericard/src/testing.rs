//! Helpers for merchants' own tests: produce callbacks signed exactly as
//! AzeriCard would, with a test key pair standing in for AzeriCard's key,
//! and the status answer that confirms them.
//!
//! ```
//! use azericard::testing::{approved_callback_fields, sign_authorization_callback};
//! use azericard::{AzericardConfig, MerchantKey};
//!
//! # fn main() -> Result<(), payments_core::Error> {
//! // In tests, one throwaway key pair plays AzeriCard's key.
//! let gateway_key = MerchantKey::from_pem(include_bytes!("../tests/data/azericard-test-key.pem"))?;
//! let config = AzericardConfig::builder("17201234")
//!     .gateway_public_key(gateway_key.public_key()?)
//!     .build()?;
//! let now = time::OffsetDateTime::now_utc();
//! let fields = approved_callback_fields("17201234", "000123", "10.50", "AZN", now);
//! let body = sign_authorization_callback(&gateway_key, &fields)?;
//! let callback = azericard::callback::verify_authorization_callback(&config, body.as_bytes())?;
//! // Verified is not confirmed: the outcome is only a claim until a status
//! // query agrees (client.confirm_authorization_callback).
//! assert_eq!(callback.signed().rrn.as_deref(), Some("412345678901"));
//! # Ok(())
//! # }
//! ```

use payments_core::Result;
use time::OffsetDateTime;

use crate::keys::MerchantKey;
use crate::signature::{
    CALLBACK_SIGNED_FIELDS, TRANSFER_CALLBACK_FIELDS, mac_source_of_pairs, sign_mac, transfer_signature,
};
use crate::validate;

/// Fields of an approved purchase callback (ACTION 0, RC 00) with a fresh NONCE
/// and the given TIMESTAMP.
pub fn approved_callback_fields(
    terminal: &str,
    order: &str,
    amount: &str,
    currency: &str,
    timestamp: OffsetDateTime,
) -> Vec<(String, String)> {
    let ts = validate::timestamp(timestamp).unwrap_or_default();
    let nonce = validate::fresh_nonce().unwrap_or_else(|_| "00112233445566778899aabbccddeeff".to_owned());
    [
        ("ORDER", order),
        ("TERMINAL", terminal),
        ("TRTYPE", "1"),
        ("TIMESTAMP", ts.as_str()),
        ("NONCE", nonce.as_str()),
        ("AMOUNT", amount),
        ("CURRENCY", currency),
        ("ACTION", "0"),
        ("RC", "00"),
        ("APPROVAL", "123456"),
        ("RRN", "412345678901"),
        ("INT_REF", "A1B2C3D4E5F60718"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Signs callback `fields` with `gateway_key` (standing in for AzeriCard's
/// key) and returns the form body with P_SIGN appended.
pub fn sign_authorization_callback<K: AsRef<str>, V: AsRef<str>>(
    gateway_key: &MerchantKey,
    fields: &[(K, V)],
) -> Result<String> {
    let p_sign = sign_mac(gateway_key, &mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, fields))?;
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        body.append_pair(k.as_ref(), v.as_ref());
    }
    body.append_pair("P_SIGN", &p_sign);
    Ok(body.finish())
}

/// Signs transfer-callback `fields` with the transfer secret and returns the
/// form body with `Signature` appended. Values are taken from `fields` by
/// name in the signing order; absent ones count as empty.
pub fn sign_transfer_callback<K: AsRef<str>, V: AsRef<str>>(secret: &str, fields: &[(K, V)]) -> String {
    let values: Vec<&str> = TRANSFER_CALLBACK_FIELDS
        .iter()
        .map(|name| {
            fields
                .iter()
                .find(|(k, _)| k.as_ref() == *name)
                .map_or("", |(_, v)| v.as_ref())
        })
        .collect();
    let signature = transfer_signature(&values, secret);
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        body.append_pair(k.as_ref(), v.as_ref());
    }
    body.append_pair("Signature", &signature);
    body.finish()
}

/// The JSON status answer (integrify's keys) that confirms a callback made
/// from `fields`: every bound field copied over. Edit it to test a mismatch.
pub fn status_answer_for<K: AsRef<str>, V: AsRef<str>>(fields: &[(K, V)]) -> String {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map_or("", |(_, v)| v.as_ref())
    };
    let mut map = serde_json::Map::new();
    for (key, name) in [
        ("ACTION", "ACTION"),
        ("Response code", "RC"),
        ("TERMINAL", "TERMINAL"),
        ("Transaction amount", "AMOUNT"),
        ("Transaction currency", "CURRENCY"),
        ("Merchant order id", "ORDER"),
        ("Banks approval code", "APPROVAL"),
        ("Transaction RRN", "RRN"),
        ("INT_REF", "INT_REF"),
        ("Original transaction TRTYPE", "TRTYPE"),
    ] {
        map.insert(key.to_owned(), serde_json::Value::String(get(name).to_owned()));
    }
    serde_json::Value::Object(map).to_string()
}
