//! ePay postLink: not signed; ePay echoes the `secret_hash` the merchant put
//! in the payment token request. Checked against the hash stored for the
//! payment (`EPAY_SECRET_HASH`), or, with `--derived`, against
//! HMAC-SHA256(`EPAY_CALLBACK_KEY`, invoiceId) as the SDK's client does.

use std::collections::BTreeMap;

use payments::epay_kz::callback::{PostLink, verify_post_link, verify_post_link_derived};
use payments::epay_kz::signature::{derive_secret_hash, secret_hash_matches, stored_hash_matches};
use payments::{Secret, crypto};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Explanation, Verified};
use crate::CliResult;
use crate::cli::CallbackOpts;
use crate::input::{KeySource, read_key};

/// The stored hash of one payment.
pub const STORED_HASH_ENV: &str = "EPAY_SECRET_HASH";
/// The key of derived hashes.
pub const CALLBACK_KEY_ENV: &str = "EPAY_CALLBACK_KEY";

/// Which check: a stored hash, or a key to derive it with.
fn secret(opts: &CallbackOpts) -> CliResult<(Secret<String>, KeySource)> {
    read_key(
        opts.key_file.as_deref(),
        if opts.derived {
            CALLBACK_KEY_ENV
        } else {
            STORED_HASH_ENV
        },
    )
}

/// A short fingerprint of a secret value: enough to tell two apart, nothing to reuse.
fn fingerprint(value: &str) -> String {
    let digest = crypto::sha256(&[value.as_bytes()]);
    format!(
        "{} characters, sha256 {}…",
        value.len(),
        &crypto::hex_lower(&digest)[..12]
    )
}

fn object(body: &[u8]) -> CliResult<BTreeMap<String, Box<RawValue>>> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err("the postLink body must be a JSON object".to_owned());
    }
    serde_json::from_slice(body).map_err(|e| format!("the body is not a JSON object: {e}"))
}

fn text(map: &BTreeMap<String, Box<RawValue>>, name: &str) -> Option<String> {
    map.get(name)
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
}

/// Sets `secret_hash` in a postLink JSON object (values kept byte for byte).
pub fn sign(opts: &CallbackOpts, body: &[u8]) -> CliResult<String> {
    let (secret, _) = secret(opts)?;
    let mut map = object(body)?;
    let hash = if opts.derived {
        let invoice =
            text(&map, "invoiceId").ok_or("invoiceId is missing: the derived secret_hash is computed from it")?;
        derive_secret_hash(&secret, invoice.trim()).map_err(|e| e.to_string())?
    } else {
        secret
    };
    let raw = serde_json::to_string(hash.expose_secret()).map_err(|e| e.to_string())?;
    map.insert(
        "secret_hash".to_owned(),
        RawValue::from_string(raw).map_err(|e| e.to_string())?,
    );
    serde_json::to_string(&map).map_err(|e| e.to_string())
}

/// Verifies with the `epay_kz` crate's postLink verifiers.
pub fn verify(opts: &CallbackOpts, body: &[u8]) -> CliResult<payments::Result<Verified>> {
    let (secret, _) = secret(opts)?;
    let link = if opts.derived {
        verify_post_link_derived(body, &secret)
    } else {
        verify_post_link(body, &secret)
    };
    Ok(link.map(|link| {
        let report = link.to_report();
        let mut details = Map::new();
        if let PostLink::Success(s) = &link
            && let Some(code) = &s.approval_code
        {
            details.insert("approval:".to_owned(), Value::String(code.clone()));
        }
        Verified {
            dedupe_key: format!(
                "epay-kz:{}:{}",
                link.invoice_id(),
                report.transaction_id.as_deref().unwrap_or("-")
            ),
            report,
            confirmed: false,
            note: "postLink is not signed: the secret_hash proves ePay sent it, not what it says. Confirm with a status query (EpayClient::confirm_post_link or PaymentProvider::confirm_callback) before shipping."
                .to_owned(),
            details,
        }
    }))
}

/// Explains a postLink body.
pub fn explain(opts: &CallbackOpts, body: &[u8]) -> CliResult<Explanation> {
    let (secret, source) = secret(opts)?;
    let other = read_key(
        None,
        if opts.derived {
            STORED_HASH_ENV
        } else {
            CALLBACK_KEY_ENV
        },
    )
    .ok()
    .map(|(s, _)| s);
    let mut x = explain_with(body, &secret, &source, opts.derived, other.as_ref());
    if x.verifies {
        let decoded = if opts.derived {
            verify_post_link_derived(body, &secret)
        } else {
            verify_post_link(body, &secret)
        };
        if let Err(e) = decoded {
            x.verifies = false;
            x.mistake(format!("the secret_hash matches but the SDK refuses the body: {e}"));
        }
    }
    Ok(x)
}

/// [`explain`] with the secrets in hand: `other` is the secret of the other
/// scheme (the callback key in stored mode, the stored hash in derived mode),
/// when the environment has it, to spot a scheme mix-up.
pub fn explain_with(
    body: &[u8],
    secret: &Secret<String>,
    source: &KeySource,
    derived: bool,
    other: Option<&Secret<String>>,
) -> Explanation {
    let mut x = Explanation::default();
    let map = match object(body) {
        Ok(m) => m,
        Err(e) => {
            x.fact("body", e);
            x.mistake("ePay posts a JSON object to postLink / failurePostLink");
            return x;
        }
    };
    let invoice = text(&map, "invoiceId");
    x.fact("invoiceId", invoice.clone().unwrap_or_else(|| "missing".to_owned()));
    x.fact("code", text(&map, "code").unwrap_or_else(|| "missing".to_owned()));
    let Some(received) = text(&map, "secret_hash") else {
        x.fact("secret_hash", "missing");
        x.mistake("the body has no secret_hash string: the payment token request did not carry one, or this is not ePay's postLink");
        return x;
    };
    x.fact("received secret_hash", fingerprint(&received));
    if derived {
        let Some(invoice) = invoice else {
            x.mistake("invoiceId is missing: the derived hash is computed from it");
            return x;
        };
        x.fact(
            "check",
            "secret_hash = lower-hex(HMAC-SHA256(callback key, invoiceId trimmed)), constant time, hex case ignored",
        );
        x.fact(
            "callback key",
            format!(
                "{} bytes, from the {source} (never shown)",
                secret.expose_secret().len()
            ),
        );
        if let Ok(expected) = derive_secret_hash(secret, invoice.trim()) {
            x.fact("expected secret_hash", fingerprint(expected.expose_secret()));
        }
        x.verifies = secret_hash_matches(secret, invoice.trim(), &received);
        if x.verifies {
            return x;
        }
        if secret_hash_matches(secret, &invoice, &received) {
            x.mistake("the hash was derived from the invoiceId with its surrounding whitespace: derive it from the trimmed id");
        } else if other.is_some_and(|stored| stored_hash_matches(stored, &received)) {
            x.mistake(format!(
                "the secret_hash equals the stored hash in {STORED_HASH_ENV}: verify without --derived"
            ));
        } else {
            x.mistake("a different callback key (the client secret is the default when EPAY_CALLBACK_KEY is unset), or a secret_hash copied from another invoice's payment");
        }
    } else {
        x.fact(
            "check",
            "secret_hash equals the hash stored for this payment, constant time",
        );
        x.fact(
            "stored secret_hash",
            format!("{}, from the {source}", fingerprint(secret.expose_secret())),
        );
        x.verifies = stored_hash_matches(secret, &received);
        if x.verifies {
            return x;
        }
        if stored_hash_matches(&Secret::from(secret.expose_secret().trim()), received.trim()) {
            x.mistake("the hashes differ only by surrounding whitespace (a newline in the stored value?)");
        } else if received.eq_ignore_ascii_case(secret.expose_secret()) {
            x.mistake("the hashes differ only in letter case: store exactly the text sent in the token request");
        } else if let (Some(key), Some(invoice)) = (other, invoice.as_deref())
            && secret_hash_matches(key, invoice.trim(), &received)
        {
            x.mistake(format!(
                "this secret_hash is derived from invoiceId with {CALLBACK_KEY_ENV}: verify with --derived"
            ));
        } else {
            x.mistake("the stored hash belongs to another payment (look it up by this invoiceId), or the token request carried a different secret_hash");
        }
    }
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use payments::{Currency, Money};

    use super::*;

    const SOURCE: KeySource = KeySource::Env(STORED_HASH_ENV);

    fn body(hash: &str) -> Vec<u8> {
        payments::epay_kz::callback::testing::body_with(
            "ok",
            "000001234567",
            Some("tx-1"),
            Money::from_minor(15050, Currency::KZT),
            hash,
            "Approved",
            "00",
        )
    }

    #[test]
    fn a_stored_hash_verifies_and_is_never_printed() {
        let stored = Secret::from("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        let x = explain_with(&body("0f1e2d3c4b5a69788796a5b4c3d2e1f0"), &stored, &SOURCE, false, None);
        assert!(x.verifies);
        assert!(!x.to_text().contains("0f1e2d3c4b5a6978"));
        let x = explain_with(&body("0F1E2D3C4B5A69788796A5B4C3D2E1F0"), &stored, &SOURCE, false, None);
        assert!(!x.verifies);
        assert!(x.mistakes[0].contains("letter case"), "{:?}", x.mistakes);
    }

    #[test]
    fn a_derived_hash_under_stored_mode_points_to_derived() {
        let key = Secret::from("callback-key");
        let derived = derive_secret_hash(&key, "000001234567").unwrap();
        let stored = Secret::from("something-else");
        let x = explain_with(&body(derived.expose_secret()), &stored, &SOURCE, false, Some(&key));
        assert!(!x.verifies);
        assert!(x.mistakes[0].contains("--derived"), "{:?}", x.mistakes);
        let x = explain_with(
            &body(derived.expose_secret()),
            &key,
            &KeySource::Env(CALLBACK_KEY_ENV),
            true,
            None,
        );
        assert!(x.verifies, "{:?}", x.mistakes);
    }
}
