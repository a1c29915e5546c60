//! EPoint's request envelope: `data` + `signature`, as a form or JSON object,
//! and the JSON answers (always HTTP 200, as EPoint does).

use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use payments_core::crypto;
use payments_core::{Currency, Money};
use serde_json::{Map, Value, json};

use super::State;

/// Largest request body read (EPoint payloads are a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

/// `base64(sha1(private_key + data + private_key))`.
pub fn sign(private_key: &str, data: &str) -> String {
    crypto::base64_encode(&crypto::sha1(&[
        private_key.as_bytes(),
        data.as_bytes(),
        private_key.as_bytes(),
    ]))
}

/// A form body `data=...&signature=...` carrying `payload`, signed with
/// `private_key` (what EPoint sends to callbacks, and what a client sends).
pub fn signed_body(private_key: &str, payload: &Value) -> String {
    let data = crypto::base64_encode(payload.to_string().as_bytes());
    let signature = sign(private_key, &data);
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &data)
        .append_pair("signature", &signature)
        .finish()
}

/// A verified request: the merchant and its decoded payload.
pub(super) struct Signed {
    pub(super) merchant: String,
    pub(super) payload: Map<String, Value>,
}

/// An answer that ends the request.
pub(super) type Reject = Response;

pub(super) fn server_error(message: &str) -> Response {
    Json(json!({"status": "server_error", "message": message})).into_response()
}

pub(super) fn error(message: &str) -> Response {
    Json(json!({"status": "error", "message": message})).into_response()
}

/// Reads `data` and `signature` from a form, query or JSON body, finds the
/// merchant named by `public_key` and checks the signature in constant time.
pub(super) fn open(state: &State, headers: &HeaderMap, body: &[u8]) -> Result<Signed, Reject> {
    if body.len() > MAX_BODY {
        return Err(server_error("Request too large"));
    }
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (data, signature) = if is_json {
        let value: Value = serde_json::from_slice(body).map_err(|_| server_error("Invalid JSON body"))?;
        let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
        (field("data"), field("signature"))
    } else {
        let mut data = None;
        let mut signature = None;
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "data" if data.is_none() => data = Some(v.into_owned()),
                "signature" if signature.is_none() => signature = Some(v.into_owned()),
                "data" | "signature" => return Err(server_error("Duplicate data or signature")),
                _ => {}
            }
        }
        (data, signature)
    };
    let (Some(data), Some(signature)) = (data, signature) else {
        return Err(server_error("data and signature are required"));
    };
    let decoded = crypto::base64_decode(data.as_bytes()).map_err(|_| server_error("Invalid data"))?;
    let payload: Map<String, Value> = serde_json::from_slice(&decoded).map_err(|_| server_error("Invalid data"))?;
    let merchant = payload
        .get("public_key")
        .and_then(Value::as_str)
        .ok_or_else(|| server_error("public_key is required"))?
        .to_owned();
    let private_key = state
        .private_key_of(&merchant)
        .ok_or_else(|| server_error("Merchant not found"))?;
    let expected = sign(&private_key, &data);
    if !crypto::constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(server_error("Signature did not match"));
    }
    if let Some(lang) = payload.get("language").filter(|v| !v.is_null())
        && !matches!(lang.as_str(), Some("az" | "en" | "ru"))
    {
        return Err(error("language: must be az, en or ru"));
    }
    Ok(Signed { merchant, payload })
}

impl Signed {
    /// A string field; `null` counts as absent.
    pub(super) fn opt_str(&self, name: &str, max_len: usize) -> Result<Option<String>, Reject> {
        match self.payload.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() > max_len => {
                Err(error(&format!("{name}: longer than {max_len} characters")))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(error(&format!("{name}: must be a string"))),
        }
    }

    pub(super) fn req_str(&self, name: &str, max_len: usize) -> Result<String, Reject> {
        self.opt_str(name, max_len)?
            .ok_or_else(|| error(&format!("{name}: is required")))
    }

    /// An amount sent as a JSON string or number, positive, at most 2 decimals.
    pub(super) fn opt_amount(&self, name: &str) -> Result<Option<Money>, Reject> {
        let text = match self.payload.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(error(&format!("{name}: must be a decimal amount"))),
        };
        let money = Money::parse_major(&text, Currency::AZN)
            .map_err(|e| error(&format!("{name}: invalid amount {text:?}: {e}")))?;
        if !money.is_positive() {
            return Err(error(&format!("{name}: must be greater than zero")));
        }
        Ok(Some(money))
    }

    pub(super) fn req_amount(&self, name: &str) -> Result<Money, Reject> {
        self.opt_amount(name)?
            .ok_or_else(|| error(&format!("{name}: is required")))
    }

    /// `currency`: only AZN is documented.
    pub(super) fn currency(&self) -> Result<(), Reject> {
        match self.req_str("currency", 3)?.as_str() {
            "AZN" => Ok(()),
            other => Err(error(&format!("currency: {other} is not supported"))),
        }
    }

    pub(super) fn other_attr(&self) -> Value {
        self.payload.get("other_attr").cloned().unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::*;
    use crate::{Deliveries, Shared};

    /// One state for every case: building its HTTP client is the slow part.
    fn state() -> &'static State {
        static STATE: std::sync::OnceLock<State> = std::sync::OnceLock::new();
        STATE.get_or_init(|| {
            State::new(Arc::new(Shared {
                clock: payments_core::clock::ManualClock::starting_now(),
                deliveries: Deliveries::new(),
                base_url: "http://127.0.0.1:1".into(),
            }))
        })
    }

    fn form(data: &str, signature: &str) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("data", data)
            .append_pair("signature", signature)
            .finish()
            .into_bytes()
    }

    fn signed() -> (String, String) {
        let payload = json!({"public_key": super::super::TEST_PUBLIC_KEY, "amount": "10.50", "currency": "AZN", "order_id": "o-1"});
        let data = crypto::base64_encode(payload.to_string().as_bytes());
        let signature = sign(super::super::TEST_PRIVATE_KEY, &data);
        (data, signature)
    }

    #[test]
    fn spec_vector_v1_signature() {
        let data = "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImxhbmd1YWdlIjoiYXoiLCJhbW91bnQiOiIxMC41MCIsImN1cnJlbmN5IjoiQVpOIiwib3JkZXJfaWQiOiJvcmRlci0wMDAxIiwiZGVzY3JpcHRpb24iOiJUZXN0IHBheW1lbnQiLCJzdWNjZXNzX3JlZGlyZWN0X3VybCI6Imh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwiZXJyb3JfcmVkaXJlY3RfdXJsIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvZmFpbCJ9";
        assert_eq!(sign("test-private-key", data), "tpF1mnvxz6zNof3DESXoDpx+GQk=");
        let (d, s) = signed();
        assert!(open(state(), &HeaderMap::new(), &form(&d, &s)).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn any_changed_byte_is_rejected(in_data in any::<bool>(), index in any::<usize>(), byte in 0x21u8..0x7f) {
            let st = state();
            let (mut data, mut signature) = signed();
            let target = if in_data { &mut data } else { &mut signature };
            let i = index % target.len();
            prop_assume!(target.as_bytes()[i] != byte);
            let mut bytes = target.clone().into_bytes();
            bytes[i] = byte;
            *target = String::from_utf8(bytes).unwrap();
            prop_assert!(open(st, &HeaderMap::new(), &form(&data, &signature)).is_err());
        }

        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), json in any::<bool>()) {
            let mut headers = HeaderMap::new();
            if json {
                headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
            }
            prop_assert!(open(state(), &headers, &body).is_err());
        }
    }
}
