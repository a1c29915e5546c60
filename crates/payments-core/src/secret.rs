//! A wrapper that keeps keys, passwords and tokens out of logs.

use std::fmt;

use zeroize::Zeroize;

/// A secret value: API keys, private keys, client secrets, passwords, bearer tokens.
///
/// `Debug` prints `Secret([REDACTED])`; there is no `Display` and no
/// `Serialize`, so a secret cannot reach a log line or a JSON body by accident.
/// The only way to the value is [`Secret::expose_secret`], which makes every use
/// easy to find in review. The memory is zeroed on drop.
///
/// ```
/// use payments_core::Secret;
///
/// let key = Secret::new(String::from("private-key"));
/// assert_eq!(format!("{key:?}"), "Secret([REDACTED])");
/// assert_eq!(key.expose_secret(), "private-key");
/// ```
#[derive(Clone, Default)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The wrapped value. Call it only where the secret is really used.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }
}

impl Secret<String> {
    /// True when the secret is the empty string (a configuration error for a key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_even_nested() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Config {
            key: Secret<String>,
            bytes: Secret<Vec<u8>>,
        }
        let c = Config {
            key: "s3cr3t-value".into(),
            bytes: Secret::new(b"raw-key".to_vec()),
        };
        let out = format!("{c:?} {c:#?}");
        assert!(!out.contains("s3cr3t"));
        assert!(!out.contains("raw-key"));
        assert!(out.contains("Secret([REDACTED])"));
        assert_eq!(c.key.expose_secret(), "s3cr3t-value");
    }
}
