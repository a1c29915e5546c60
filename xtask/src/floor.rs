//! The hardware floor: `openssl speed` run beside the benches, parsed from its
//! machine-readable output (`-mr`), wall-clock (`-elapsed`) so that it reads
//! like criterion's figures taken under the same load.

use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;

/// SHA-1 input of the EPoint callback: private key (16 bytes) + base64 of the
/// ~522-byte compact JSON of `inputs.md` (696 bytes) + private key.
pub(crate) const CALLBACK_SHA1_BYTES: u32 = 728;
/// SHA-1 input of the EPoint pay request: key + base64 of the ~145-byte JSON + key.
pub(crate) const PAY_SHA1_BYTES: u32 = 228;
/// MD5 input of the AzeriCard transfer callback: the ten values (96 bytes) + the secret (32).
pub(crate) const TRANSFER_MD5_BYTES: u32 = 128;

/// One primitive timed by OpenSSL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primitive {
    /// SHA-1 over this many bytes.
    Sha1(u32),
    /// MD5 over this many bytes.
    Md5(u32),
    /// One RSA-2048 signature (private-key operation).
    Rsa2048Sign,
}

impl Primitive {
    pub(crate) fn label(self) -> String {
        match self {
            Primitive::Sha1(n) => format!("openssl sha1 {n} B"),
            Primitive::Md5(n) => format!("openssl md5 {n} B"),
            Primitive::Rsa2048Sign => "openssl rsa2048 sign".to_owned(),
        }
    }

    fn args(self) -> Vec<String> {
        let mut args: Vec<String> = ["speed", "-mr", "-elapsed", "-seconds", "2"]
            .map(str::to_owned)
            .to_vec();
        match self {
            Primitive::Sha1(n) => args.extend(["-bytes".to_owned(), n.to_string(), "sha1".to_owned()]),
            Primitive::Md5(n) => args.extend(["-bytes".to_owned(), n.to_string(), "md5".to_owned()]),
            Primitive::Rsa2048Sign => args.push("rsa2048".to_owned()),
        }
        args
    }
}

/// Nanoseconds per operation of `primitive`, measured now; `Err` says why not.
pub(crate) fn measure(primitive: Primitive) -> Result<Decimal, String> {
    let out = Command::new("openssl")
        .args(primitive.args())
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!("openssl speed failed: {}", out.status));
    }
    parse(primitive, &String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| "no result line in the output of openssl speed".to_owned())
}

/// Reads nanoseconds per operation from `openssl speed -mr` output:
/// `+F:<idx>:<digest>:<bytes per second>` for digests (one block size with
/// `-bytes`), `+F2:<idx>:<bits>:<signs per second>:<verifies per second>` for RSA.
pub(crate) fn parse(primitive: Primitive, output: &str) -> Option<Decimal> {
    let billion = Decimal::from(1_000_000_000u64);
    for line in output.lines() {
        let fields: Vec<&str> = line.trim().split(':').collect();
        match (primitive, fields.as_slice()) {
            (Primitive::Sha1(n), ["+F", _, "sha1", rate]) | (Primitive::Md5(n), ["+F", _, "md5", rate]) => {
                let bytes_per_second = Decimal::from_str(rate).ok()?;
                if bytes_per_second.is_zero() {
                    return None;
                }
                return Some(Decimal::from(n) * billion / bytes_per_second);
            }
            (Primitive::Rsa2048Sign, ["+F2", _, "2048", signs, _]) => {
                let per_second = Decimal::from_str(signs).ok()?;
                if per_second.is_zero() {
                    return None;
                }
                return Some(billion / per_second);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from `openssl speed -mr -elapsed -seconds 2 ...` (OpenSSL 3.0.19).
    const SHA1: &str = "+DT:sha1:2:728\n+R:83265:sha1:2.000000\n+H:728\n+F:4:sha1:728000000.00\n";
    const MD5: &str = "+DT:md5:2:128\n+R:1:md5:2.0\n+H:128\n+F:3:md5:320000000.00\n";
    const RSA: &str =
        "+R1:96:2048:2.00\n+DTP:2048:public:rsa:2\n+R2:3998:2048:2.00\n+F2:2:2048:1250.000000:44422.222222\n";

    #[test]
    fn digest_rate_becomes_time_per_input() {
        // 728 bytes at 728 MB/s: 1 µs per hash.
        assert_eq!(parse(Primitive::Sha1(728), SHA1), Some(Decimal::from(1000)));
        // 128 bytes at 320 MB/s: 400 ns.
        assert_eq!(parse(Primitive::Md5(128), MD5), Some(Decimal::from(400)));
        assert_eq!(
            parse(Primitive::Md5(128), SHA1),
            None,
            "a sha1 line is not an md5 figure"
        );
    }

    #[test]
    fn rsa_signs_per_second_become_time_per_sign() {
        // 1250 signatures per second: 0.8 ms each (the verify rate is ignored).
        assert_eq!(parse(Primitive::Rsa2048Sign, RSA), Some(Decimal::from(800_000)));
        assert_eq!(parse(Primitive::Rsa2048Sign, "+F2:0:1024:10.0:20.0\n"), None);
        assert_eq!(parse(Primitive::Rsa2048Sign, "+F2:2:2048:0:1\n"), None);
    }
}
