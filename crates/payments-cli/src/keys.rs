//! `payments keys azericard`: the merchant's RSA-2048 key pair, made by
//! aws-lc-rs (the library the `azericard` crate signs with).
//!
//! AzeriCard's merchant registration asks for the public key; the private
//! key stays with the merchant (`AZERICARD_KEY_FILE_PATH`). The private key
//! is PKCS#8 PEM (`BEGIN PRIVATE KEY`), which `azericard::MerchantKey::from_pem`
//! reads; the public key is SPKI PEM (`BEGIN PUBLIC KEY`). The fingerprint is
//! the SHA-256 of the public key's DER, the form to read out over the phone
//! when AzeriCard confirms which key they installed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use payments::{Secret, crypto};

use crate::output::working;
use crate::{CliResult, KeysArgs, KeysProvider};

/// The private key file's name.
pub const PRIVATE_FILE: &str = "azericard-merchant-key.pem";
/// The public key file's name.
pub const PUBLIC_FILE: &str = "azericard-merchant-key.pub.pem";

/// A generated key pair, PEM-encoded.
pub struct GeneratedKeys {
    /// PKCS#8 PEM of the private key.
    pub private_pem: Secret<String>,
    /// SPKI PEM of the public key.
    pub public_pem: String,
    /// SHA-256 of the SPKI DER, lowercase hex pairs joined by `:`.
    pub fingerprint: String,
}

impl std::fmt::Debug for GeneratedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKeys")
            .field("private_pem", &self.private_pem)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// PEM armour: base64 in lines of 64 characters.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = crypto::base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// `aa:bb:...` of the SHA-256 of `der`.
pub fn fingerprint(der: &[u8]) -> String {
    crypto::sha256(&[der])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Generates an RSA-2048 key pair.
pub fn generate() -> CliResult<GeneratedKeys> {
    let pair =
        KeyPair::generate(KeySize::Rsa2048).map_err(|_| "aws-lc-rs could not generate an RSA-2048 key".to_owned())?;
    let private_der = pair
        .as_der()
        .map_err(|_| "aws-lc-rs could not encode the private key as PKCS#8".to_owned())?;
    let public_der = pair
        .public_key()
        .as_der()
        .map_err(|_| "aws-lc-rs could not encode the public key as SPKI".to_owned())?;
    Ok(GeneratedKeys {
        private_pem: Secret::new(pem("PRIVATE KEY", private_der.as_ref())),
        public_pem: pem("PUBLIC KEY", public_der.as_ref()),
        fingerprint: fingerprint(public_der.as_ref()),
    })
}

fn write_new(path: &Path, contents: &str, force: bool, private: bool) -> CliResult<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} already exists: not replaced (give --force to replace it)",
                path.display()
            )
        } else {
            format!("cannot write {}: {e}", path.display())
        }
    })?;
    file.write_all(contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes the pair into `dir`; returns the two paths.
pub fn write(keys: &GeneratedKeys, dir: &Path, force: bool) -> CliResult<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let private = dir.join(PRIVATE_FILE);
    let public = dir.join(PUBLIC_FILE);
    // Check both first, so a refusal leaves no half-written pair behind.
    if !force {
        for path in [&private, &public] {
            if path.exists() {
                return Err(format!(
                    "{} already exists: not replaced (give --force to replace it)",
                    path.display()
                ));
            }
        }
    }
    write_new(&private, keys.private_pem.expose_secret(), force, true)?;
    write_new(&public, &keys.public_pem, force, false)?;
    Ok((private, public))
}

/// `payments keys ...`.
pub fn run(args: &KeysArgs) -> CliResult<ExitCode> {
    let KeysProvider::Azericard { out, force, json } = &args.provider;
    working("generating an RSA-2048 key pair");
    let keys = generate()?;
    let (private, public) = write(&keys, out, *force)?;
    if *json {
        println!(
            "{}",
            serde_json::json!({
                "private_key_file": private.display().to_string(),
                "public_key_file": public.display().to_string(),
                "public_key_pem": keys.public_pem,
                "sha256_fingerprint": keys.fingerprint,
                "bits": 2048,
            })
        );
    } else {
        println!("private key (PKCS#8 PEM, keep secret): {}", private.display());
        println!("public key (SPKI PEM, send to AzeriCard): {}", public.display());
        println!("SHA-256 fingerprint of the public key: {}", keys.fingerprint);
        println!();
        print!("{}", keys.public_pem);
        println!();
        println!("Use it: AZERICARD_KEY_FILE_PATH={}", private.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pem_lines_are_64_characters() {
        let text = pem("PUBLIC KEY", &[7u8; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        // 100 bytes are 136 base64 characters: 64 + 64 + 8.
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[2].len(), 64);
        assert_eq!(lines[3].len(), 8);
        assert_eq!(lines[1..4].concat(), crypto::base64_encode(&[7u8; 100]));
        assert_eq!(lines[4], "-----END PUBLIC KEY-----");
    }

    #[test]
    fn the_fingerprint_is_sha256_of_the_der() {
        // SHA-256("abc"), the FIPS 180-2 vector.
        assert_eq!(
            fingerprint(b"abc"),
            "ba:78:16:bf:8f:01:cf:ea:41:41:40:de:5d:ae:22:23:b0:03:61:a3:96:17:7a:9c:b4:10:ff:61:f2:00:15:ad"
        );
    }

    #[test]
    fn a_generated_pair_loads_in_the_azericard_crate_and_signs() {
        let keys = generate().unwrap();
        let merchant = payments::azericard::MerchantKey::from_pem(keys.private_pem.expose_secret().as_bytes()).unwrap();
        let public = payments::azericard::GatewayPublicKey::from_pem(keys.public_pem.as_bytes()).unwrap();
        let source = "510.50";
        let sig = payments::azericard::signature::sign_mac(&merchant, source).unwrap();
        assert_eq!(sig.len(), 512);
        payments::azericard::signature::verify_mac(&public, source, &sig).unwrap();
        assert!(!format!("{keys:?}").contains("BEGIN PRIVATE KEY"));
    }
}
