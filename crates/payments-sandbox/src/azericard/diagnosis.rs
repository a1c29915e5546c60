//! Why a P_SIGN does not verify: the MAC source the spec builds for the
//! message, and the first known mistake that explains the signature (field
//! order, an empty field written wrong, no length prefixes, upper-case hex,
//! base64, another hash, another key). Used by the refusal hint of every
//! `cgi_link` message and by `POST /_sandbox/azericard/diagnose`. No private
//! key is ever taken or shown; the public key is not echoed either.

use std::collections::BTreeMap;

use aws_lc_rs::signature::{self, RsaParameters, UnparsedPublicKey};
use payments_core::crypto;
use serde_json::{Value, json};

use super::mac::{MerchantKey, fields, mac_source};
use super::{FollowUpOrder, State};

/// The signed field lists a client may have used instead of the right one.
const ORDERS: [(&str, &[&str]); 4] = [
    ("authorization (0, 1, 3)", fields::AUTHORIZATION),
    ("completion/reversal, ORDER first", fields::COMPLETION),
    ("completion/reversal, AMOUNT first", fields::COMPLETION_ALT),
    ("status (90)", fields::STATUS),
];

/// Hashes a client may have signed with instead of SHA-256.
const OTHER_HASHES: [(&str, &RsaParameters); 3] = [
    ("SHA-1", &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
    ("SHA-512", &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
    ("SHA-384", &signature::RSA_PKCS1_2048_8192_SHA384),
];

fn verifies(der: &[u8], params: &'static RsaParameters, source: &str, sig: &[u8]) -> bool {
    UnparsedPublicKey::new(params, der)
        .verify(source.as_bytes(), sig)
        .is_ok()
}

fn sha256(der: &[u8], source: &str, sig: &[u8]) -> bool {
    verifies(
        der,
        &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        source,
        sig,
    )
}

/// The MAC source with absent or empty fields written `empty` instead of `-`.
fn source_with_empty<'a>(names: &[&str], get: &dyn Fn(&str) -> Option<&'a str>, empty: &str) -> String {
    let mut out = String::new();
    for name in names {
        match get(name).filter(|v| !v.is_empty()) {
            Some(v) => {
                out.push_str(&v.len().to_string());
                out.push_str(v);
            }
            None => out.push_str(empty),
        }
    }
    out
}

/// The first known mistake that explains `p_sign` over `list`, or why none does.
pub(crate) fn likely_mistake<'a>(
    key: &MerchantKey,
    list: &[&str],
    get: &dyn Fn(&str) -> Option<&'a str>,
    p_sign: &str,
) -> String {
    let der = key.der();
    let source = mac_source(list, get);
    if p_sign.is_empty() {
        return "P_SIGN is empty".into();
    }
    let is_hex = p_sign.bytes().all(|b| b.is_ascii_hexdigit());
    let sig = if is_hex {
        match crypto::hex_decode(p_sign.to_ascii_lowercase().as_bytes()) {
            Ok(s) => s,
            Err(_) => return "P_SIGN has an odd number of hex digits".into(),
        }
    } else {
        match crypto::base64_decode(p_sign.as_bytes()) {
            Ok(s) if sha256(der, &source, &s) => {
                return "base64: P_SIGN is the signature as lower-case hex, not base64".into();
            }
            Ok(s) => s,
            Err(_) => return "P_SIGN is neither hex nor base64".into(),
        }
    };
    if sha256(der, &source, &sig) {
        return if is_hex && p_sign.bytes().any(|b| b.is_ascii_uppercase()) {
            "upper-case hex: send P_SIGN as lower-case hex".into()
        } else {
            "none: it verifies".into()
        };
    }
    for (name, other) in ORDERS {
        if other != list && sha256(der, &mac_source(other, get), &sig) {
            return format!(
                "wrong field order: signed as {name} ({}), this message takes {}",
                other.join(","),
                list.join(",")
            );
        }
    }
    for (empty, what) in [("0", "`0`"), ("", "nothing"), ("4None", "`4None`"), ("0-", "`0-`")] {
        if sha256(der, &source_with_empty(list, get, empty), &sig) {
            return format!("an absent or empty field was written as {what}: write a single `-` for it");
        }
    }
    let bare: String = list.iter().filter_map(|n| get(n)).collect();
    if sha256(der, &bare, &sig) {
        return "no length prefixes: write each field as its length then its value".into();
    }
    for (hash, params) in OTHER_HASHES {
        if verifies(der, params, &source, &sig) {
            return format!("wrong hash: signed with {hash}, AzeriCard signs SHA-256 (RSASSA-PKCS1-v1_5)");
        }
    }
    let bits = key.bits();
    if sig.len() * 8 != bits {
        return format!(
            "wrong key: the signature is {} bits, the merchant key {bits} bits",
            sig.len() * 8
        );
    }
    "wrong key (not the merchant key's private half), or a value changed after signing".into()
}

/// The signed fields of a message by TRTYPE (completion/reversal in `order`).
pub(crate) fn signed_fields(trtype: &str, order: FollowUpOrder) -> Option<(&'static str, &'static [&'static str])> {
    match trtype {
        "0" | "1" | "3" => Some(("authorization (TRTYPE 0, 1, 3; token flows too)", fields::AUTHORIZATION)),
        "21" | "22" | "24" => Some(("completion/reversal (TRTYPE 21, 22, 24)", order.fields())),
        "90" => Some(("status query (TRTYPE 90)", fields::STATUS)),
        _ => None,
    }
}

/// `POST /_sandbox/azericard/diagnose`: `{fields | form, p_sign?, public_key_pem?}`.
pub(crate) fn diagnose(st: &State, req: &Value) -> Result<Value, String> {
    if req.get("private_key").is_some() || req.get("private_key_pem").is_some() {
        return Err("give the merchant's public key (public_key_pem), never a private key".into());
    }
    if let Some(extra) = req.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["fields", "form", "p_sign", "public_key_pem"].contains(&k.as_str()))
    }) {
        return Err(format!("{extra}: unknown field (fields, form, p_sign, public_key_pem)"));
    }
    let mut form: BTreeMap<String, String> = BTreeMap::new();
    match (req.get("fields"), req.get("form")) {
        (Some(Value::Object(o)), None) => {
            for (k, v) in o {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => String::new(),
                    _ => return Err(format!("fields.{k}: a string")),
                };
                form.insert(k.clone(), text);
            }
        }
        (None, Some(Value::String(text))) => {
            for (k, v) in form_urlencoded::parse(text.as_bytes()).into_owned() {
                if form.insert(k.clone(), v).is_some() {
                    return Err(format!("form: {k} sent twice (the gateway refuses it)"));
                }
            }
        }
        _ => return Err("give fields (a JSON object of the form fields) or form (the urlencoded body)".into()),
    }
    if !form.contains_key("TRTYPE")
        && ["Merchant", "OperationID", "Signature"]
            .iter()
            .any(|k| form.contains_key(*k))
    {
        return transfer(&form, req.get("p_sign").and_then(Value::as_str));
    }
    let p_sign = match req.get("p_sign").and_then(Value::as_str) {
        Some(s) => s.to_owned(),
        None => form
            .get("P_SIGN")
            .cloned()
            .ok_or("p_sign: required (or a P_SIGN field)")?,
    };
    let trtype = form.get("TRTYPE").cloned().unwrap_or_default();
    let terminal = form.get("TERMINAL").cloned().unwrap_or_default();
    let config = st.terminal_config(&terminal);
    let order = config.map_or(FollowUpOrder::AmountFirst, |c| c.follow_up_order);
    let (message, list) = signed_fields(&trtype, order)
        .ok_or_else(|| format!("TRTYPE {trtype:?}: expected 0, 1, 3, 21, 22, 24 or 90"))?;
    let (key, key_label) = match req.get("public_key_pem").and_then(Value::as_str) {
        Some(pem) => (
            std::sync::Arc::new(MerchantKey::from_pem(pem).map_err(|e| format!("public_key_pem: {e}"))?),
            "the given public key",
        ),
        None => (st.merchant_key(), "the sandbox's merchant public key"),
    };
    let get = |n: &str| form.get(n).map(String::as_str);
    let source = mac_source(list, get);
    let matches = key.verify(&source, &p_sign);
    let parts: Vec<Value> = list
        .iter()
        .map(|n| {
            let v = get(n).filter(|v| !v.is_empty());
            json!({
                "field": n,
                "value": v,
                "part": v.map_or("-".to_owned(), |v| format!("{}{v}", v.len())),
            })
        })
        .collect();
    let missing: Vec<&str> = list
        .iter()
        .copied()
        .filter(|n| get(n).is_none_or(str::is_empty))
        .collect();
    let unsigned: Vec<&str> = form
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "P_SIGN" && !list.contains(k))
        .collect();
    let non_ascii: Vec<&str> = list
        .iter()
        .copied()
        .filter(|n| get(n).is_some_and(|v| !v.is_ascii()))
        .collect();
    let mistake = (!matches).then(|| likely_mistake(&key, list, &get, &p_sign));
    Ok(json!({
        "message": message,
        "trtype": trtype,
        "terminal_known": config.is_some(),
        "follow_up_order": match order {
            FollowUpOrder::AmountFirst => "amount_first",
            FollowUpOrder::OrderFirst => "order_first",
        },
        "signed_fields": list,
        "parts": parts,
        "mac_source": source,
        "rule": "each signed field as its length then its value, `-` when absent or empty; RSASSA-PKCS1-v1_5 SHA-256 with the merchant's private key; P_SIGN = lower-case hex",
        "key": format!("{key_label} ({} bits)", key.bits()),
        "matches": matches,
        "missing_or_empty": missing,
        "unsigned_fields": unsigned,
        "non_ascii_fields": non_ascii,
        "likely_mistake": mistake,
    }))
}

/// The card-transfer (MT) messages: which one the fields are, by the fields only it has.
fn transfer_fields(form: &BTreeMap<String, String>) -> (&'static str, &'static [&'static str]) {
    if form.contains_key("OperationID") || form.contains_key("CardStatus") {
        ("MT transfer callback", fields::TRANSFER_CALLBACK)
    } else if form.contains_key("ReceiverCredentials") || form.contains_key("RedirectLink") {
        ("MT transfer start (GET /payment/view)", fields::TRANSFER_START)
    } else {
        ("MT confirm / decline", fields::TRANSFER_ACTION)
    }
}

/// The MD5 `Signature` of an MT message: its input (the secret shown as
/// `<secret>`), the expected value with the sandbox's transfer secret, and
/// the likely mistake.
fn transfer(form: &BTreeMap<String, String>, signature: Option<&str>) -> Result<Value, String> {
    let sent = signature
        .or_else(|| form.get("Signature").map(String::as_str))
        .ok_or("p_sign: required (or a Signature field)")?
        .to_owned();
    let (message, list) = transfer_fields(form);
    let value = |n: &str| form.get(n).map_or("", String::as_str);
    let values: Vec<&str> = list.iter().map(|n| value(n)).collect();
    let joined = values.concat();
    let secret = super::TRANSFER_SECRET;
    let md5 = |text: &str| crypto::hex_lower(&crypto::md5(&[text.as_bytes()]));
    let expected = md5(&(joined.clone() + secret));
    let matches = crypto::constant_time_eq(expected.as_bytes(), sent.to_ascii_lowercase().as_bytes());
    let mistake = (!matches).then(|| {
        let sent = sent.to_ascii_lowercase();
        let pairs: String = list.iter().map(|n| format!("{n}={}", value(n))).collect::<Vec<_>>().join("&");
        let candidates: [(String, &str); 8] = [
            (md5(&(secret.to_owned() + &joined)), "secret first: the secret goes last"),
            (md5(&joined), "no secret: append the transfer secret after the values"),
            (md5(&(values.join("|") + "|" + secret)), "separators: concatenate the values with nothing between them"),
            (md5(&(values.join(";") + ";" + secret)), "separators: concatenate the values with nothing between them"),
            (md5(&(pairs.clone() + secret)), "field names signed: sign the values only"),
            (md5(&(pairs + "&" + secret)), "field names signed: sign the values only"),
            (crypto::hex_lower(&crypto::sha1(&[joined.as_bytes(), secret.as_bytes()])), "wrong hash: SHA-1; MT signs MD5"),
            (crypto::hex_lower(&crypto::sha256(&[joined.as_bytes(), secret.as_bytes()])), "wrong hash: SHA-256; MT signs MD5"),
        ];
        candidates
            .iter()
            .find(|(c, _)| crypto::constant_time_eq(c.as_bytes(), sent.as_bytes()))
            .map_or("a different secret, or a value changed after signing (sign the exact text sent, e.g. Amount as written)", |(_, why)| why)
            .to_owned()
    });
    let missing: Vec<&str> = list.iter().copied().filter(|n| value(n).is_empty()).collect();
    Ok(json!({
        "message": message,
        "signed_fields": list,
        "md5_input": format!("{joined}<secret>"),
        "rule": "lower-case hex MD5 of the values in order, no separators, then the transfer secret",
        "key": "the sandbox's MT transfer secret",
        "expected_signature": expected,
        "matches": matches,
        "missing_or_empty": missing,
        "likely_mistake": mistake,
    }))
}
