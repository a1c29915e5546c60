//! EPoint's envelope and signature, for requests and callbacks alike:
//!
//! ```text
//! data      = base64(JSON payload)
//! signature = base64(SHA1(private_key + data + private_key))
//! ```
//!
//! Pure functions; the signature is always computed over the exact `data`
//! text that is sent or received.

use payments_core::{Secret, crypto};

/// Length of a signature: base64 of a 20-byte SHA-1 digest.
pub const SIGNATURE_LEN: usize = 28;

/// The two fields EPoint exchanges: `data` and its `signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPayload {
    /// base64 of the JSON payload.
    pub data: String,
    /// base64(SHA1(private_key + data + private_key)).
    pub signature: String,
}

/// The signature of a `data` string.
///
/// ```
/// use epoint::signature::sign;
/// use payments_core::Secret;
///
/// let key = Secret::from("test-private-key");
/// assert_eq!(sign(&key, "eyJ0ZXN0IjogMX0="), sign(&key, "eyJ0ZXN0IjogMX0="));
/// assert_eq!(sign(&key, "eyJ0ZXN0IjogMX0=").len(), 28);
/// ```
pub fn sign(private_key: &Secret<String>, data: &str) -> String {
    base64_simd::STANDARD.encode_to_string(digest(private_key, data))
}

fn digest(private_key: &Secret<String>, data: &str) -> [u8; 20] {
    let key = private_key.expose_secret().as_bytes();
    crypto::sha1(&[key, data.as_bytes(), key])
}

/// Checks `signature` against `data` in constant time.
pub fn verify(private_key: &Secret<String>, data: &str, signature: &str) -> bool {
    // Encoded on the stack: the comparison needs no allocation.
    let mut buf = [0u8; SIGNATURE_LEN];
    let expected = base64_simd::STANDARD.encode(&digest(private_key, data), base64_simd::Out::from_slice(&mut buf));
    crypto::constant_time_eq(expected, signature.as_bytes())
}

/// Standard base64 with padding (the alphabet EPoint uses for `data`).
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Decodes standard base64 with padding, strictly (no whitespace, no URL-safe alphabet).
pub(crate) fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    base64_simd::STANDARD.decode_to_vec(text).ok()
}

/// base64-encodes a JSON payload and signs it.
pub fn sign_json(private_key: &Secret<String>, json: &[u8]) -> SignedPayload {
    let data = base64_encode(json);
    let signature = sign(private_key, &data);
    SignedPayload { data, signature }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret<String> {
        Secret::from("test-private-key")
    }

    // The spec's vectors V1, V1b, V2 and V3 (computed with integrify-epoint 1.3.0
    // and recomputed independently).
    const V1_JSON: &str = r#"{"public_key": "i000000001", "language": "az", "amount": "10.50", "currency": "AZN", "order_id": "order-0001", "success_redirect_url": "https://shop.example/ok", "error_redirect_url": "https://shop.example/fail", "description": "Test payment", "other_attr": null}"#;
    const V1_DATA: &str = "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAiYW1vdW50IjogIjEwLjUwIiwgImN1cnJlbmN5IjogIkFaTiIsICJvcmRlcl9pZCI6ICJvcmRlci0wMDAxIiwgInN1Y2Nlc3NfcmVkaXJlY3RfdXJsIjogImh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwgImVycm9yX3JlZGlyZWN0X3VybCI6ICJodHRwczovL3Nob3AuZXhhbXBsZS9mYWlsIiwgImRlc2NyaXB0aW9uIjogIlRlc3QgcGF5bWVudCIsICJvdGhlcl9hdHRyIjogbnVsbH0=";
    const V1B_JSON: &str = r#"{"public_key":"i000000001","language":"az","amount":"10.50","currency":"AZN","order_id":"order-0001","description":"Test payment","success_redirect_url":"https://shop.example/ok","error_redirect_url":"https://shop.example/fail"}"#;
    const V2_JSON: &str = r#"{"public_key": "i000000001", "language": "az", "transaction": "te000000001", "currency": "AZN", "amount": "5.25"}"#;
    const V3_JSON: &str = r#"{"order_id":"order-0001","status":"success","code":"000","message":"Approved","transaction":"te000000001","bank_transaction":"8E5E2C1A","bank_response":"APPROVED 000","operation_code":"100","rrn":"412345678901","card_name":"TEST USER","card_mask":"416973******1234","amount":10.5,"other_attr":null}"#;

    #[test]
    fn vector_v1_pay() {
        let signed = sign_json(&key(), V1_JSON.as_bytes());
        assert_eq!(signed.data, V1_DATA);
        assert_eq!(signed.signature, "PEzmTr8b/RG/TYzUg2DOl8rS1T0=");
        assert!(verify(&key(), V1_DATA, "PEzmTr8b/RG/TYzUg2DOl8rS1T0="));
    }

    #[test]
    fn vector_v1b_compact_pay() {
        let signed = sign_json(&key(), V1B_JSON.as_bytes());
        assert_eq!(
            signed.data,
            "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImxhbmd1YWdlIjoiYXoiLCJhbW91bnQiOiIxMC41MCIsImN1cnJlbmN5IjoiQVpOIiwib3JkZXJfaWQiOiJvcmRlci0wMDAxIiwiZGVzY3JpcHRpb24iOiJUZXN0IHBheW1lbnQiLCJzdWNjZXNzX3JlZGlyZWN0X3VybCI6Imh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwiZXJyb3JfcmVkaXJlY3RfdXJsIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvZmFpbCJ9"
        );
        assert_eq!(signed.signature, "tpF1mnvxz6zNof3DESXoDpx+GQk=");
    }

    #[test]
    fn vector_v2_partial_refund() {
        let signed = sign_json(&key(), V2_JSON.as_bytes());
        assert_eq!(
            signed.data,
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAidHJhbnNhY3Rpb24iOiAidGUwMDAwMDAwMDEiLCAiY3VycmVuY3kiOiAiQVpOIiwgImFtb3VudCI6ICI1LjI1In0="
        );
        assert_eq!(signed.signature, "dQj8BNsspFCPR/AnJmD/t3NfiWg=");
    }

    #[test]
    fn vector_v3_callback() {
        let signed = sign_json(&key(), V3_JSON.as_bytes());
        assert_eq!(
            signed.data,
            "eyJvcmRlcl9pZCI6Im9yZGVyLTAwMDEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiOEU1RTJDMUEiLCJiYW5rX3Jlc3BvbnNlIjoiQVBQUk9WRUQgMDAwIiwib3BlcmF0aW9uX2NvZGUiOiIxMDAiLCJycm4iOiI0MTIzNDU2Nzg5MDEiLCJjYXJkX25hbWUiOiJURVNUIFVTRVIiLCJjYXJkX21hc2siOiI0MTY5NzMqKioqKioxMjM0IiwiYW1vdW50IjoxMC41LCJvdGhlcl9hdHRyIjpudWxsfQ=="
        );
        assert_eq!(signed.signature, "+cgA6icUFZW/xp5uKT5Zl6FPQ6k=");
        assert_eq!(signed.signature.len(), SIGNATURE_LEN);
    }

    #[test]
    fn wrong_key_or_changed_data_fails() {
        assert!(!verify(
            &Secret::from("other-key"),
            V1_DATA,
            "PEzmTr8b/RG/TYzUg2DOl8rS1T0="
        ));
        assert!(!verify(
            &key(),
            &V1_DATA.replace('e', "f"),
            "PEzmTr8b/RG/TYzUg2DOl8rS1T0="
        ));
        assert!(!verify(&key(), V1_DATA, "PEzmTr8b/RG/TYzUg2DOl8rS1T0"));
        assert!(!verify(&key(), V1_DATA, ""));
    }
}
