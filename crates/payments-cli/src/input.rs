//! Reading bodies and keys: a file or standard input for the body, the
//! environment or a file for a key. Key values are wrapped in
//! [`Secret`] as soon as they are read.

use std::io::Read;
use std::path::Path;

use payments::Secret;

use crate::CliResult;

/// Reads the body from `path`, or from standard input when it is `-`.
///
/// One trailing newline (`\n` or `\r\n`) is removed: shells, `echo` and
/// editors add one that the provider never sent, and inside a form value it
/// would break the signature.
pub fn read_body(path: &Path) -> CliResult<Vec<u8>> {
    let mut body = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
    } else {
        body = std::fs::read(path).map_err(|e| format!("cannot read the body from {}: {e}", path.display()))?;
    }
    strip_newline(&mut body);
    Ok(body)
}

/// Removes one trailing `\n` or `\r\n`.
pub fn strip_newline(body: &mut Vec<u8>) {
    if body.last() == Some(&b'\n') {
        body.pop();
        if body.last() == Some(&b'\r') {
            body.pop();
        }
    }
}

/// Where a key came from, for messages that must never show the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable.
    Env(&'static str),
    /// A file.
    File(String),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Env(name) => write!(f, "environment variable {name}"),
            KeySource::File(path) => write!(f, "file {path}"),
        }
    }
}

/// Reads a text key from `file` (one trailing newline removed: editors add
/// one, and a key with it never verifies) or else from the variable `env`.
pub fn read_key(file: Option<&Path>, env: &'static str) -> CliResult<(Secret<String>, KeySource)> {
    read_key_with(file, env, |name| std::env::var(name).ok())
}

/// [`read_key`] with a custom environment (tests).
pub fn read_key_with(
    file: Option<&Path>,
    env: &'static str,
    lookup: impl Fn(&str) -> Option<String>,
) -> CliResult<(Secret<String>, KeySource)> {
    if let Some(path) = file {
        let mut text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.is_empty() {
            return Err(format!("the key file {} is empty", path.display()));
        }
        return Ok((Secret::new(text), KeySource::File(path.display().to_string())));
    }
    match lookup(env).filter(|v| !v.is_empty()) {
        Some(value) => Ok((Secret::new(value), KeySource::Env(env))),
        None => Err(format!("no key: set {env} or pass --key-file")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn one_trailing_newline_is_removed_from_a_body() {
        for (input, want) in [
            (&b"a=1\n"[..], &b"a=1"[..]),
            (b"a=1\r\n", b"a=1"),
            (b"a=1\n\n", b"a=1\n"),
            (b"a=1", b"a=1"),
        ] {
            let mut body = input.to_vec();
            strip_newline(&mut body);
            assert_eq!(body, want);
        }
    }

    #[test]
    fn a_key_file_loses_one_trailing_newline_and_the_environment_is_the_fallback() {
        let dir = std::env::temp_dir().join(format!("payments-cli-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key");
        std::fs::write(&path, "secret-1\n").unwrap();
        let (key, source) = read_key_with(Some(&path), "X_KEY", |_| None).unwrap();
        assert_eq!(key.expose_secret(), "secret-1");
        assert_eq!(source, KeySource::File(path.display().to_string()));
        let (key, source) = read_key_with(None, "X_KEY", |n| (n == "X_KEY").then(|| "k2".to_owned())).unwrap();
        assert_eq!(key.expose_secret(), "k2");
        assert_eq!(source.to_string(), "environment variable X_KEY");
        let err = read_key_with(None, "X_KEY", |_| Some(String::new())).unwrap_err();
        assert_eq!(err, "no key: set X_KEY or pass --key-file");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
