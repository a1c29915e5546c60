//! EPoint: `signature = base64(SHA1(private_key + data + private_key))` over
//! the exact `data` text received.

use payments::epoint::{self, callback::verify_and_decode, signature};
use payments::{Secret, crypto};
use serde_json::{Map, Value};

use super::{Explanation, Verified};
use crate::CliResult;
use crate::cli::{BodyFormat, CallbackOpts};
use crate::input::{KeySource, read_key};

/// The private key's environment variable.
pub const KEY_ENV: &str = "EPOINT_PRIVATE_KEY";

fn key(opts: &CallbackOpts) -> CliResult<(Secret<String>, KeySource)> {
    read_key(opts.key_file.as_deref(), KEY_ENV)
}

/// Signs a JSON payload (its exact bytes, surrounding whitespace trimmed).
pub fn sign(opts: &CallbackOpts, body: &[u8]) -> CliResult<String> {
    let (key, _) = key(opts)?;
    let payload = body.trim_ascii();
    // Refuse what EPoint would never send, rather than sign garbage.
    let value: Value = serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    if !value.is_object() {
        return Err("the payload must be a JSON object (EPoint's callback fields)".to_owned());
    }
    let signed = epoint::testing::sign_json(&key, payload);
    Ok(match opts.format {
        BodyFormat::Form => form_urlencoded::Serializer::new(String::new())
            .append_pair("data", &signed.data)
            .append_pair("signature", &signed.signature)
            .finish(),
        BodyFormat::Json => serde_json::json!({"data": signed.data, "signature": signed.signature}).to_string(),
    })
}

/// Verifies with `epoint::callback::verify_and_decode`.
pub fn verify(opts: &CallbackOpts, body: &[u8]) -> CliResult<payments::Result<Verified>> {
    let (key, _) = key(opts)?;
    Ok(verify_with(&key, body))
}

/// [`verify`] with a key in hand.
pub fn verify_with(key: &Secret<String>, body: &[u8]) -> payments::Result<Verified> {
    let callback = verify_and_decode(body, key)?;
    let event = callback.to_event()?;
    let mut details = Map::new();
    for (name, value) in [
        ("rrn:", &callback.rrn),
        ("card:", &callback.card_mask),
        ("card id:", &callback.card_id),
    ] {
        if let Some(v) = value {
            details.insert(name.to_owned(), Value::String(v.clone()));
        }
    }
    Ok(Verified {
        report: event.claimed().clone(),
        confirmed: event.is_confirmed(),
        dedupe_key: event.dedupe_key().to_owned(),
        note: "EPoint signs the whole data: order, amount and outcome are proven (the amount carries no currency: compare it with your order's)."
            .to_owned(),
        details,
    })
}

/// `data` and `signature` as received, and how they were carried.
#[derive(Debug, Default)]
struct Envelope {
    format: &'static str,
    data: Option<String>,
    signature: Option<String>,
    repeated: Vec<String>,
}

fn envelope(body: &[u8]) -> CliResult<Envelope> {
    let trimmed = body.trim_ascii_start();
    if trimmed.first() == Some(&b'{') {
        let value: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
        let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        return Ok(Envelope {
            format: "JSON {\"data\", \"signature\"}",
            data: text("data"),
            signature: text("signature"),
            repeated: Vec::new(),
        });
    }
    let mut env = Envelope {
        format: "form (application/x-www-form-urlencoded)",
        ..Envelope::default()
    };
    for (name, value) in form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "data" => &mut env.data,
            "signature" => &mut env.signature,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            env.repeated.push(name.into_owned());
        }
    }
    Ok(env)
}

fn b64_sha1(parts: &[&[u8]]) -> String {
    crypto::base64_encode(&crypto::sha1(parts))
}

/// Explains why a body does or does not verify with the key.
pub fn explain(opts: &CallbackOpts, body: &[u8]) -> CliResult<Explanation> {
    let (key, source) = key(opts)?;
    Ok(explain_with(&key, &source, body))
}

/// [`explain`] with a key in hand.
pub fn explain_with(key: &Secret<String>, source: &KeySource, body: &[u8]) -> Explanation {
    let mut x = Explanation::default();
    let env = match envelope(body) {
        Ok(env) => env,
        Err(e) => {
            x.fact("body", e);
            x.mistake("EPoint sends a form body `data=...&signature=...` (or a JSON object with those two strings)");
            return x;
        }
    };
    x.fact("body format", env.format);
    for name in &env.repeated {
        x.mistake(format!("the field {name} appears more than once: the SDK refuses such a body (the verifier and the decoder could read different values)"));
    }
    let (Some(mut data), Some(mut received)) = (env.data, env.signature) else {
        x.fact("fields", "data or signature is missing");
        x.mistake("the body must carry both `data` and `signature`");
        return x;
    };
    let k = key.expose_secret().as_bytes();
    x.fact("key", format!("{} bytes, from the {source} (never shown)", k.len()));
    // A form decoder turns an unencoded `+` into a space; base64 has none.
    if data.contains(' ') || received.contains(' ') {
        x.mistake("`+` was not percent-encoded: a form decoder read it as a space. The SDK restores it, other verifiers will not: encode `+` as %2B (and `/` as %2F, `=` as %3D)");
        data = data.replace(' ', "+");
        received = received.replace(' ', "+");
    }
    x.fact(
        "signed text",
        "key + data + key (SHA-1, then base64 of the 20 raw bytes)",
    );
    x.fact("data (exact text signed)", data.clone());
    if let Ok(json) = crypto::base64_decode(data.as_bytes()) {
        x.fact("data decoded", String::from_utf8_lossy(&json).into_owned());
    } else {
        x.mistake("`data` is not valid base64: it must be base64 of the JSON payload");
    }
    let expected = signature::sign(key, &data);
    x.fact("expected signature", expected.clone());
    x.fact("received signature", received.clone());
    x.verifies = signature::verify(key, &data, &received);
    if x.verifies {
        return x;
    }
    let digest = crypto::sha1(&[k, data.as_bytes(), k]);
    let hex = crypto::hex_lower(&digest);
    let trimmed_key = key.expose_secret().trim();
    let decoded = crypto::base64_decode(data.as_bytes()).ok();
    if received.eq_ignore_ascii_case(&hex) {
        x.mistake("the signature is the hex text of the SHA-1 digest: base64-encode the 20 raw digest bytes instead (28 characters)");
    } else if received == crypto::base64_encode(hex.as_bytes()) {
        x.mistake("the signature is base64 of the digest's hex text: base64-encode the 20 raw digest bytes instead");
    } else if received == b64_sha1(&[k, data.as_bytes()]) || received == b64_sha1(&[data.as_bytes(), k]) {
        x.mistake("the key is on one side only: EPoint signs key + data + key (the key before AND after data)");
    } else if received == b64_sha1(&[data.as_bytes()]) {
        x.mistake("the signature is SHA-1 of data without the key: EPoint signs key + data + key");
    } else if trimmed_key != key.expose_secret() && signature::verify(&Secret::from(trimmed_key), &data, &received) {
        x.mistake("the key has leading or trailing whitespace (a newline from a file or an environment variable?): the signer used the trimmed key");
    } else if decoded
        .as_deref()
        .is_some_and(|json| received == b64_sha1(&[k, json, k]))
    {
        x.mistake("the signature covers the JSON payload, not its base64 `data` text: sign exactly the `data` string that is sent");
    } else if received.len() != signature::SIGNATURE_LEN {
        x.mistake(format!(
            "the signature has {} characters; base64 of a 20-byte SHA-1 digest has {}",
            received.len(),
            signature::SIGNATURE_LEN
        ));
        x.mistake("otherwise: a different private key, or data changed after signing");
    } else {
        x.mistake("a different private key (another merchant's, or the test key against production), or data changed after it was signed");
    }
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key() -> Secret<String> {
        Secret::from("test-private-key")
    }

    const SOURCE: KeySource = KeySource::Env(KEY_ENV);
    // The spec's vector V4 (the epoint crate's callback test).
    const V4_BODY: &str = "data=eyJvcmRlcl9pZCI6Im9yZGVyLTAwMDEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiOEU1RTJDMUEiLCJiYW5rX3Jlc3BvbnNlIjoiQVBQUk9WRUQgMDAwIiwib3BlcmF0aW9uX2NvZGUiOiIxMDAiLCJycm4iOiI0MTIzNDU2Nzg5MDEiLCJjYXJkX25hbWUiOiJURVNUIFVTRVIiLCJjYXJkX21hc2siOiI0MTY5NzMqKioqKioxMjM0IiwiYW1vdW50IjoxMC41LCJvdGhlcl9hdHRyIjpudWxsfQ%3D%3D&signature=%2BcgA6icUFZW%2Fxp5uKT5Zl6FPQ6k%3D";

    fn data_of(body: &str) -> String {
        form_urlencoded::parse(body.as_bytes())
            .find(|(k, _)| k == "data")
            .map(|(_, v)| v.into_owned())
            .unwrap()
    }

    fn with_signature(signature: &str) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("data", &data_of(V4_BODY))
            .append_pair("signature", signature)
            .finish()
    }

    #[test]
    fn the_spec_vector_verifies_and_is_confirmed() {
        let v = verify_with(&key(), V4_BODY.as_bytes()).unwrap();
        assert!(v.confirmed);
        assert_eq!(v.report.order_id.as_deref(), Some("order-0001"));
        assert_eq!(v.report.transaction_id.as_deref(), Some("te000000001"));
        let x = explain_with(&key(), &SOURCE, V4_BODY.as_bytes());
        assert!(x.verifies);
        assert!(x.mistakes.is_empty(), "{:?}", x.mistakes);
        let expected = x.facts.iter().find(|(k, _)| k == "expected signature").unwrap();
        assert_eq!(expected.1, "+cgA6icUFZW/xp5uKT5Zl6FPQ6k=");
    }

    #[test]
    fn each_classic_mistake_is_named() {
        let data = data_of(V4_BODY);
        let k = b"test-private-key";
        let cases: Vec<(String, &str)> = vec![
            (
                crypto::hex_lower(&crypto::sha1(&[k, data.as_bytes(), k])),
                "hex text of the SHA-1",
            ),
            (b64_sha1(&[k, data.as_bytes()]), "one side only"),
            (b64_sha1(&[data.as_bytes(), k]), "one side only"),
            (b64_sha1(&[data.as_bytes()]), "without the key"),
            (
                signature::sign(&Secret::from("another-key"), &data),
                "a different private key",
            ),
        ];
        for (sig, words) in cases {
            let x = explain_with(&key(), &SOURCE, with_signature(&sig).as_bytes());
            assert!(!x.verifies, "{sig}");
            assert!(
                x.mistakes.iter().any(|m| m.contains(words)),
                "{words}: {:?}",
                x.mistakes
            );
        }
    }

    #[test]
    fn an_unencoded_plus_is_named_even_though_the_sdk_accepts_it() {
        let raw = V4_BODY.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
        let x = explain_with(&key(), &SOURCE, raw.as_bytes());
        assert!(x.verifies);
        assert!(
            x.mistakes[0].contains("`+` was not percent-encoded"),
            "{:?}",
            x.mistakes
        );
    }

    #[test]
    fn the_key_is_never_in_the_explanation() {
        let x = explain_with(
            &key(),
            &SOURCE,
            with_signature("AAAAAAAAAAAAAAAAAAAAAAAAAAA=").as_bytes(),
        );
        let text = format!("{}{}", x.to_text(), x.to_json(payments::ProviderKind::Epoint));
        assert!(!text.contains("test-private-key"));
        assert!(text.contains("16 bytes, from the environment variable EPOINT_PRIVATE_KEY"));
    }
}
