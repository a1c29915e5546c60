//! `POST /_sandbox/epoint/diagnose`: given the `data` and `signature` a
//! merchant sent and the private key it used, what EPoint signs, the
//! signature it expects, and the likely mistake. The key is never echoed:
//! the signed text shows it as `<private_key>`.

use axum::body::Bytes;
use payments_core::crypto;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ControlError, optional_json};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EpointDiagnose {
    /// The `data` field as sent (base64 of the JSON).
    data: Option<String>,
    /// The `signature` field as sent.
    signature: Option<String>,
    /// The private key the merchant signed with.
    private_key: Option<String>,
}

/// The expected signature and, when it differs, the first known mistake that explains it.
pub(super) fn epoint(body: &Bytes) -> Result<Value, ControlError> {
    let req: EpointDiagnose = optional_json(body)?;
    let data = req.data.ok_or_else(|| ControlError::bad("data: required"))?;
    let sent = req.signature.ok_or_else(|| ControlError::bad("signature: required"))?;
    let key = req
        .private_key
        .ok_or_else(|| ControlError::bad("private_key: required"))?;
    let (k, d) = (key.as_bytes(), data.as_bytes());
    let expected = crypto::base64_encode(&crypto::sha1(&[k, d, k]));
    let matches = crypto::constant_time_eq(sent.as_bytes(), expected.as_bytes());
    let mistake = if matches {
        None
    } else {
        let json_text = crypto::base64_decode(d).ok();
        let candidates: Vec<(bool, &str)> = vec![
            (
                sent == crypto::hex_lower(&crypto::sha1(&[k, d, k]))
                    || sent.eq_ignore_ascii_case(&crypto::hex_lower(&crypto::sha1(&[k, d, k]))),
                "hex digest: EPoint wants base64 of the raw 20-byte SHA-1, not its hex text",
            ),
            (
                sent.replace(' ', "+") == expected,
                "`+` in the signature arrived as a space: URL-encode the form fields",
            ),
            (
                sent == crypto::base64_encode(&crypto::sha1(&[k, d])),
                "key on one side only: sign private_key + data + private_key",
            ),
            (
                sent == crypto::base64_encode(&crypto::sha1(&[d, k])),
                "key on one side only: sign private_key + data + private_key",
            ),
            (
                sent == crypto::base64_encode(&crypto::sha1(&[d])),
                "no key: sign private_key + data + private_key",
            ),
            (
                json_text
                    .as_deref()
                    .is_some_and(|j| sent == crypto::base64_encode(&crypto::sha1(&[k, j, k]))),
                "signed the JSON text: sign the base64 `data` string exactly as sent",
            ),
        ];
        Some(candidates.into_iter().find(|(hit, _)| *hit).map_or(
            "none of the usual mistakes: most likely a different private key, or data changed after signing",
            |(_, why)| why,
        ))
    };
    let decodes = crypto::base64_decode(d)
        .ok()
        .and_then(|j| serde_json::from_slice::<Value>(&j).ok())
        .is_some();
    Ok(json!({
        "signed_text": "<private_key>" .to_owned() + &data + "<private_key>",
        "algorithm": "base64(sha1(private_key + data + private_key))",
        "expected_signature": expected,
        "sent_signature": sent,
        "matches": matches,
        "data_is_base64_json": decodes,
        "likely_mistake": mistake,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(data: &str, signature: &str) -> Value {
        let body = json!({"data": data, "signature": signature, "private_key": "k"}).to_string();
        epoint(&Bytes::from(body)).unwrap()
    }

    #[test]
    fn names_each_mistake() {
        let data = crypto::base64_encode(br#"{"amount":"1.00"}"#);
        let good = crypto::base64_encode(&crypto::sha1(&[b"k", data.as_bytes(), b"k"]));
        let v = diagnose(&data, &good);
        assert_eq!(v["matches"], true);
        assert_eq!(v["likely_mistake"], Value::Null);
        assert!(!v.to_string().contains("\"k"), "the key is not echoed");
        let hex = crypto::hex_lower(&crypto::sha1(&[b"k", data.as_bytes(), b"k"]));
        assert!(
            diagnose(&data, &hex)["likely_mistake"]
                .as_str()
                .unwrap()
                .starts_with("hex digest")
        );
        let one_side = crypto::base64_encode(&crypto::sha1(&[b"k", data.as_bytes()]));
        assert!(
            diagnose(&data, &one_side)["likely_mistake"]
                .as_str()
                .unwrap()
                .starts_with("key on one side")
        );
        let json_signed = crypto::base64_encode(&crypto::sha1(&[b"k", br#"{"amount":"1.00"}"#, b"k"]));
        assert!(
            diagnose(&data, &json_signed)["likely_mistake"]
                .as_str()
                .unwrap()
                .starts_with("signed the JSON")
        );
        assert!(
            diagnose(&data, "AAAA")["likely_mistake"]
                .as_str()
                .unwrap()
                .contains("different private key")
        );
    }
}
