//! AzeriCard: the MPI authorization callback (P_SIGN, RSA with AzeriCard's
//! key, over AMOUNT, TERMINAL, APPROVAL, RRN and INT_REF only) and the MT
//! transfer callback (MD5 over the values, then the transfer secret).

use payments::azericard::callback::verify_authorization_callback_signature;
use payments::azericard::signature::{
    AUTHORIZATION_FIELDS, CALLBACK_SIGNED_FIELDS, FOLLOW_UP_FIELDS, TRANSFER_CALLBACK_FIELDS, mac_source_of_pairs,
    transfer_signature, verify_mac_any,
};
use payments::azericard::testing::{sign_authorization_callback, sign_transfer_callback};
use payments::azericard::transfer_callback::verify_transfer_callback_signature;
use payments::azericard::{AzericardConfig, GatewayPublicKey, MerchantKey};
use payments::{PaymentStatus, Secret, StatusReport};
use serde_json::{Map, Value};

use super::{Explanation, Verified};
use crate::CliResult;
use crate::cli::{AzericardKind, CallbackOpts};
use crate::input::{KeySource, read_key};

/// AzeriCard's public key file(s) for callbacks.
pub const GATEWAY_KEY_ENV: &str = "AZERICARD_GATEWAY_PUBLIC_KEY_PATH";
/// The terminal id.
pub const TERMINAL_ENV: &str = "AZERICARD_MERCHANT_ID";
/// The MT transfer secret.
pub const TRANSFER_KEY_ENV: &str = "AZERICARD_TRANSFER_KEY";
/// The merchant's private key file (only to detect a body signed with it).
pub const MERCHANT_KEY_ENV: &str = "AZERICARD_KEY_FILE_PATH";

/// A terminal for a configuration that only checks transfer callbacks (the
/// MT does not use the terminal; the builder requires 8 characters).
const NO_TERMINAL: &str = "MTONLY00";

fn pairs(body: &[u8]) -> CliResult<Vec<(String, String)>> {
    payments::callback::parse_form(body).map_err(|e| format!("the body is not a form: {e}"))
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The gateway key(s): `--key-file` or the files listed in the environment.
fn gateway_keys(opts: &CallbackOpts) -> CliResult<(Vec<GatewayPublicKey>, String)> {
    let (paths, source) = match &opts.key_file {
        Some(p) => (vec![p.display().to_string()], format!("file {}", p.display())),
        None => {
            let list = std::env::var(GATEWAY_KEY_ENV)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| {
                    format!("no gateway key: set {GATEWAY_KEY_ENV} or pass --key-file (AzeriCard's public key, PEM)")
                })?;
            let paths: Vec<String> = list.split(',').map(|p| p.trim().to_owned()).collect();
            (paths, format!("environment variable {GATEWAY_KEY_ENV}"))
        }
    };
    let mut keys = Vec::new();
    for path in &paths {
        keys.push(GatewayPublicKey::from_pem_file(path).map_err(|e| format!("gateway key {path}: {e}"))?);
    }
    Ok((keys, source))
}

fn terminal(opts: &CallbackOpts, pairs: &[(String, String)]) -> (String, bool) {
    if let Some(t) = &opts.terminal {
        return (t.clone(), true);
    }
    if let Some(t) = std::env::var(TERMINAL_ENV).ok().filter(|v| !v.is_empty()) {
        return (t, true);
    }
    (field(pairs, "TERMINAL").unwrap_or_default().to_owned(), false)
}

fn transfer_secret(opts: &CallbackOpts) -> CliResult<(Secret<String>, KeySource)> {
    read_key(opts.key_file.as_deref(), TRANSFER_KEY_ENV)
}

/// Signs form fields: authorization with the private key in `--key-file`
/// (standing in for AzeriCard's key, in tests), transfer with the secret.
pub fn sign(opts: &CallbackOpts, body: &[u8]) -> CliResult<String> {
    let pairs = pairs(body)?;
    match opts.kind {
        AzericardKind::Authorization => {
            let path = opts
                .key_file
                .as_ref()
                .ok_or("AzeriCard authorization callbacks are signed with AzeriCard's private key: pass --key-file with a PEM private key standing in for it (tests only)")?;
            let key = MerchantKey::from_pem_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            sign_authorization_callback(&key, &pairs).map_err(|e| e.to_string())
        }
        AzericardKind::Transfer => {
            let (secret, _) = transfer_secret(opts)?;
            Ok(sign_transfer_callback(secret.expose_secret(), &pairs))
        }
    }
}

/// Verifies with the `azericard` crate's signature-only verifiers (no
/// freshness window or replay store: those belong to a running server).
pub fn verify(opts: &CallbackOpts, body: &[u8]) -> CliResult<payments::Result<Verified>> {
    match opts.kind {
        AzericardKind::Authorization => {
            let pairs = pairs(body)?;
            let (keys, _) = gateway_keys(opts)?;
            let (terminal, configured) = terminal(opts, &pairs);
            let mut builder = AzericardConfig::builder(terminal);
            for key in keys {
                builder = builder.gateway_public_key(key);
            }
            let config = builder.build().map_err(|e| e.to_string())?;
            let terminal_note = if configured {
                ""
            } else {
                " TERMINAL was taken from the body, not checked: give --terminal or AZERICARD_MERCHANT_ID."
            };
            Ok(verify_authorization_callback_signature(&config, body).map(|cb| {
                let mut details = Map::new();
                let s = cb.signed();
                details.insert("signed:".to_owned(), Value::String(format!(
                    "AMOUNT={} TERMINAL={} APPROVAL={} RRN={} INT_REF={}",
                    s.amount_text,
                    s.terminal,
                    s.approval.as_deref().unwrap_or("-"),
                    s.rrn.as_deref().unwrap_or("-"),
                    s.int_ref.as_deref().unwrap_or("-")
                )));
                let event = cb.into_event();
                Verified {
                    report: event.claimed().clone(),
                    confirmed: event.is_confirmed(),
                    dedupe_key: event.dedupe_key().to_owned(),
                    note: format!(
                        "P_SIGN covers only AMOUNT, TERMINAL, APPROVAL, RRN and INT_REF: ORDER, CURRENCY, ACTION and RC are claims. Confirm with a status query (PaymentProvider::confirm_callback) before shipping. Freshness and replay are checked by your server, not here.{terminal_note}"
                    ),
                    details,
                }
            }))
        }
        AzericardKind::Transfer => {
            let (secret, _) = transfer_secret(opts)?;
            let config = AzericardConfig::builder(NO_TERMINAL)
                .transfer_secret(secret)
                .build()
                .map_err(|e| e.to_string())?;
            Ok(verify_transfer_callback_signature(&config, body).map(|cb| {
                let mut details = Map::new();
                details.insert("response:".to_owned(), Value::String(format!("{:?} {}", cb.code, cb.message)));
                details.insert("card:".to_owned(), Value::String(cb.receiver_pan.clone()));
                let report = StatusReport::new(PaymentStatus::Unknown(format!("transfer status {}", cb.status)))
                    .with_order(Some(cb.srn.clone()))
                    .with_transaction(Some(cb.operation_id.clone()))
                    .with_amount(Some(cb.amount));
                Verified {
                    report,
                    confirmed: false,
                    dedupe_key: format!("azericard:mt-op:{}:{}", cb.operation_id, cb.status),
                    note: "The MD5 covers every field, but values are concatenated without separators: check SRN and amount against your own record (TransferCallback::ensure_matches). Window and replay checks belong to your server."
                        .to_owned(),
                    details,
                }
            }))
        }
    }
}

/// Explains a body.
pub fn explain(opts: &CallbackOpts, body: &[u8]) -> CliResult<Explanation> {
    let pairs = pairs(body)?;
    match opts.kind {
        AzericardKind::Authorization => {
            let (keys, source) = gateway_keys(opts)?;
            let (terminal, configured) = terminal(opts, &pairs);
            let merchant = std::env::var(MERCHANT_KEY_ENV)
                .ok()
                .filter(|v| !v.is_empty())
                .and_then(|p| MerchantKey::from_pem_file(p).ok())
                .and_then(|k| k.public_key().ok());
            let mut x = explain_authorization(&pairs, &keys, &source, merchant.as_ref());
            if configured && field(&pairs, "TERMINAL").is_some_and(|t| t != terminal) {
                x.mistake(format!(
                    "TERMINAL in the body is not your terminal {terminal}: the SDK refuses callbacks for another terminal"
                ));
                x.verifies = false;
            }
            if x.verifies {
                // The signature holds; the SDK also checks every field's format.
                let mut builder = AzericardConfig::builder(terminal);
                for key in keys {
                    builder = builder.gateway_public_key(key);
                }
                let config = builder.build().map_err(|e| e.to_string())?;
                if let Err(e) = verify_authorization_callback_signature(&config, body) {
                    x.verifies = false;
                    x.mistake(format!("the signature verifies but the SDK refuses the body: {e}"));
                }
            }
            Ok(x)
        }
        AzericardKind::Transfer => {
            let (secret, source) = transfer_secret(opts)?;
            Ok(explain_transfer(&pairs, &secret, &source))
        }
    }
}

/// Explains an authorization callback against `keys` (and, when given, the
/// merchant's own public key, to catch a body signed with the wrong key).
pub fn explain_authorization(
    pairs: &[(String, String)],
    keys: &[GatewayPublicKey],
    key_source: &str,
    merchant: Option<&GatewayPublicKey>,
) -> Explanation {
    let mut x = Explanation::default();
    x.fact("signed fields (in order)", CALLBACK_SIGNED_FIELDS.join(", "));
    let unsigned: Vec<&str> = pairs
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| *k != "P_SIGN" && !CALLBACK_SIGNED_FIELDS.contains(k))
        .collect();
    x.fact("unsigned fields present", unsigned.join(", "));
    let source = mac_source_of_pairs(CALLBACK_SIGNED_FIELDS, pairs);
    x.fact("MAC source (what P_SIGN signs)", source.clone());
    x.fact(
        "MAC source rule",
        "each signed field: its length in bytes then its value; `-` for an absent or empty one",
    );
    x.fact("gateway key(s)", format!("{} from the {key_source}", keys.len()));
    let Some(p_sign) = field(pairs, "P_SIGN").filter(|p| !p.is_empty()) else {
        x.fact("P_SIGN", "missing");
        x.mistake("the body has no P_SIGN: it is not a gateway callback (or it was cut)");
        return x;
    };
    x.fact(
        "P_SIGN",
        format!("{} hex digits (a {}-bit signature)", p_sign.len(), p_sign.len() * 4),
    );
    x.verifies = verify_mac_any(keys, &source, p_sign).is_ok();
    x.fact(
        "note",
        "ORDER, CURRENCY, ACTION and RC are not signed: the outcome is a claim until a status query confirms it",
    );
    if x.verifies {
        return x;
    }
    if !p_sign.bytes().all(|b| b.is_ascii_hexdigit()) {
        x.mistake("P_SIGN is not hex: the gateway sends the RSA signature as hex digits");
        return x;
    }
    if p_sign.len() != 512 {
        x.mistake(format!(
            "P_SIGN has {} hex digits; an RSA-2048 signature has 512 (a 1024-bit legacy key has 256: see GatewayPublicKey::from_pem_legacy)",
            p_sign.len()
        ));
    }
    for (list, name) in [
        (
            FOLLOW_UP_FIELDS,
            "AMOUNT, CURRENCY, TERMINAL, TRTYPE, ORDER, RRN, INT_REF (srustamov's callback list)",
        ),
        (
            AUTHORIZATION_FIELDS,
            "the authorization request's list (AMOUNT, CURRENCY, TERMINAL, TRTYPE, TIMESTAMP, NONCE, MERCH_URL)",
        ),
    ] {
        if verify_mac_any(keys, &mac_source_of_pairs(list, pairs), p_sign).is_ok() {
            x.mistake(format!(
                "the body was signed over another field list: {name}. The SDK verifies the callback list AMOUNT, TERMINAL, APPROVAL, RRN, INT_REF (disputed between sources: tell the maintainers which one your gateway uses)"
            ));
            return x;
        }
    }
    if let Some(merchant) = merchant
        && verify_mac_any(std::slice::from_ref(merchant), &source, p_sign).is_ok()
    {
        x.mistake("the body was signed with YOUR merchant key: callbacks are signed by AzeriCard and verified with AzeriCard's public key (AZERICARD_GATEWAY_PUBLIC_KEY_PATH), never your own");
        return x;
    }
    x.mistake("signed with a key other than the configured gateway key(s) (the test gateway's key against production, or a key from before a rotation), or a signed field (AMOUNT, TERMINAL, APPROVAL, RRN, INT_REF) changed after signing");
    x
}

/// The transfer callback's value for a field, in either spelling.
fn transfer_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let alt = match name {
        "OperationID" => "OperationId",
        "ReceiverPAN" => "ReceiverPan",
        "Response Code" => "ResponseCode",
        other => other,
    };
    field(pairs, name).or_else(|| field(pairs, alt))
}

/// Explains a transfer callback against the transfer secret.
pub fn explain_transfer(pairs: &[(String, String)], secret: &Secret<String>, source: &KeySource) -> Explanation {
    let mut x = Explanation::default();
    x.fact("signed fields (in order)", TRANSFER_CALLBACK_FIELDS.join(", "));
    let values: Vec<&str> = TRANSFER_CALLBACK_FIELDS
        .iter()
        .map(|n| transfer_value(pairs, n).unwrap_or(""))
        .collect();
    let missing: Vec<&str> = TRANSFER_CALLBACK_FIELDS
        .iter()
        .copied()
        .filter(|n| transfer_value(pairs, n).is_none())
        .collect();
    x.fact("MD5 source", format!("{}<transfer secret>", values.concat()));
    x.fact(
        "transfer secret",
        format!(
            "{} bytes, from the {source} (never shown)",
            secret.expose_secret().len()
        ),
    );
    if !missing.is_empty() {
        x.fact("absent fields (signed as empty)", missing.join(", "));
    }
    let expected = transfer_signature(&values, secret.expose_secret());
    x.fact("expected Signature", expected.clone());
    let received = field(pairs, "Signature").unwrap_or_default();
    x.fact("received Signature", received.to_owned());
    x.verifies = !received.is_empty() && received.eq_ignore_ascii_case(&expected);
    if x.verifies {
        return x;
    }
    if received.is_empty() {
        x.mistake("the body has no Signature");
        return x;
    }
    let mut secret_first = vec![secret.expose_secret().as_str()];
    secret_first.extend(values.iter().copied());
    let secret_first_sig = payments::crypto::hex_lower(&payments::crypto::md5(
        &secret_first.iter().map(|v| v.as_bytes()).collect::<Vec<_>>(),
    ));
    if received.eq_ignore_ascii_case(&secret_first_sig) {
        x.mistake("the secret is first: the MT signs the values THEN the secret");
    } else if received.eq_ignore_ascii_case(&transfer_signature(
        &[values.join("|").as_str()],
        secret.expose_secret(),
    )) {
        x.mistake("the values are joined with `|`: the MT concatenates them without separators");
    } else {
        x.mistake("a different transfer secret, a field missing or spelled differently (see the signed field list), or a value changed after signing");
    }
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TEST_KEY: &[u8] = include_bytes!("../../../azericard/tests/data/azericard-test-key.pem");

    fn fields() -> Vec<(String, String)> {
        payments::azericard::testing::approved_callback_fields(
            "17201234",
            "000123",
            "10.50",
            "AZN",
            time::OffsetDateTime::now_utc(),
        )
    }

    #[test]
    fn a_genuine_body_verifies_and_its_mac_source_is_shown() {
        let key = MerchantKey::from_pem(TEST_KEY).unwrap();
        let body = sign_authorization_callback(&key, &fields()).unwrap();
        let pairs = payments::callback::parse_form(body.as_bytes()).unwrap();
        let x = explain_authorization(&pairs, &[key.public_key().unwrap()], "test", None);
        assert!(x.verifies, "{:?}", x.mistakes);
        let source = x.facts.iter().find(|(k, _)| k.starts_with("MAC source (")).unwrap();
        assert_eq!(source.1, "510.5081720123461234561241234567890116A1B2C3D4E5F60718");
        let unsigned = x.facts.iter().find(|(k, _)| k == "unsigned fields present").unwrap();
        assert_eq!(unsigned.1, "ORDER, TRTYPE, TIMESTAMP, NONCE, CURRENCY, ACTION, RC");
    }

    #[test]
    fn a_body_signed_over_the_other_list_or_with_the_merchant_key_is_named() {
        let gateway = MerchantKey::from_pem(TEST_KEY).unwrap();
        let other = crate::keys::generate().unwrap();
        let other_key = MerchantKey::from_pem(other.private_pem.expose_secret().as_bytes()).unwrap();
        // Signed over srustamov's list with the gateway key.
        let mut pairs = fields();
        let source = mac_source_of_pairs(FOLLOW_UP_FIELDS, &pairs);
        let sig = payments::azericard::signature::sign_mac(&gateway, &source).unwrap();
        pairs.push(("P_SIGN".to_owned(), sig));
        let x = explain_authorization(&pairs, &[gateway.public_key().unwrap()], "test", None);
        assert!(!x.verifies);
        assert!(x.mistakes[0].contains("srustamov"), "{:?}", x.mistakes);
        // Signed with the merchant's own key.
        let body = sign_authorization_callback(&other_key, &fields()).unwrap();
        let pairs = payments::callback::parse_form(body.as_bytes()).unwrap();
        let x = explain_authorization(
            &pairs,
            &[gateway.public_key().unwrap()],
            "test",
            Some(&other_key.public_key().unwrap()),
        );
        assert!(!x.verifies);
        assert!(x.mistakes[0].contains("YOUR merchant key"), "{:?}", x.mistakes);
    }

    #[test]
    fn a_transfer_signature_with_the_secret_first_is_named() {
        let secret = Secret::from("transfer-secret");
        let fields: Vec<(&str, &str)> = vec![
            ("OperationID", "1234567890123456"),
            ("SRN", "SRN1"),
            ("Amount", "10.50"),
            ("Cur", "944"),
            ("CardStatus", "active"),
            ("ReceiverPAN", "416973******1234"),
            ("Status", "pending"),
            ("Timestamp", "20261123101530"),
            ("Response Code", "0"),
            ("Message", ""),
        ];
        let body = sign_transfer_callback("transfer-secret", &fields);
        let pairs = payments::callback::parse_form(body.as_bytes()).unwrap();
        let x = explain_transfer(&pairs, &secret, &KeySource::Env(TRANSFER_KEY_ENV));
        assert!(x.verifies, "{:?}", x.mistakes);
        let values: String = fields.iter().map(|(_, v)| *v).collect();
        let wrong = payments::crypto::hex_lower(&payments::crypto::md5(&[b"transfer-secret", values.as_bytes()]));
        let mut pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "Signature").collect();
        pairs.push(("Signature".to_owned(), wrong));
        let x = explain_transfer(&pairs, &secret, &KeySource::Env(TRANSFER_KEY_ENV));
        assert!(!x.verifies);
        assert!(x.mistakes[0].contains("secret is first"), "{:?}", x.mistakes);
        assert!(!x.to_text().contains("transfer-secret"));
    }
}
