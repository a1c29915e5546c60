//! EPoint's request envelope (`data` + `signature`, as a form or a JSON
//! object), the per-operation field lists it is checked against, and the JSON
//! answers (HTTP 200 even on errors, as EPoint does, each with a `trace_id`).

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use payments_core::crypto;
use payments_core::{Currency, Money};
use serde_json::{Map, Value, json};

use super::State;
use super::json::{self, JsonError};

/// Largest request body read (EPoint payloads are a few hundred bytes).
pub(super) const MAX_BODY: usize = 64 * 1024;
/// Largest `other_attr` kept (serialized); the documents give no limit.
pub(super) const OTHER_ATTR_MAX: usize = 4 * 1024;

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

/// A new `trace_id`: 32 lower-case hex digits (a uuid4 without dashes, as
/// the sources that show one use).
pub(super) fn trace_id() -> String {
    crate::scenario::random_hex_upper(32).to_ascii_lowercase()
}

/// The JSON answer, with `trace_id` added to an object and sent as the
/// `X-Request-ID` header too (the only place an array answer can carry it).
pub(super) fn reply(mut value: Value) -> Response {
    let id = trace_id();
    if let Value::Object(m) = &mut value {
        m.insert("trace_id".into(), Value::String(id.clone()));
    }
    let mut resp = Json(value).into_response();
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// A refused request, answered in EPoint's format: HTTP 200 with
/// `{"status": "error" | "server_error", "message": ..., "trace_id": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ApiError {
    /// `error` (a field or state refused) or `server_error` (envelope, signature).
    pub(super) status: &'static str,
    /// Why.
    pub(super) message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = reply(json!({"status": self.status, "message": self.message}));
        // The same short message as the body, for the request log and curl -i;
        // a signature refusal also says what is signed and where to find out more.
        let hint = if self.message == "Signature did not match" {
            format!(
                "{}: expected base64(sha1(private_key + data + private_key)) over data exactly as sent (details: POST /_sandbox/epoint/diagnose)",
                self.message
            )
        } else if self.message == "Merchant not found" {
            "Merchant not found: public_key in data names no merchant (GET /_sandbox/merchants)".to_owned()
        } else {
            self.message.clone()
        };
        if let Some(v) = crate::control::requests::hint_value(&hint) {
            resp.headers_mut().insert(crate::control::requests::HINT_HEADER, v);
        }
        resp
    }
}

/// `server_error`: envelope and signature failures.
pub(super) fn server_error(message: &str) -> ApiError {
    ApiError {
        status: "server_error",
        message: message.to_owned(),
    }
}

/// `error`: a field or state refused.
pub(super) fn error(message: &str) -> ApiError {
    ApiError {
        status: "error",
        message: message.to_owned(),
    }
}

/// What a handler answers: the success, or the refusal.
pub(super) type Answer = Result<Response, ApiError>;

/// Whether an operation takes `language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    /// Not a field of the operation: sending it is refused.
    Refused,
    /// Optional (`az` when absent).
    Optional,
    /// Required.
    Required,
}

/// The fields an operation accepts besides `public_key`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) names: &'static [&'static str],
    pub(super) language: Language,
}

/// A verified request: the merchant and its decoded payload.
pub(super) struct Signed {
    pub(super) merchant: String,
    pub(super) payload: Map<String, Value>,
    /// The decoded `data` text: amounts sent as JSON numbers are read from
    /// their own digits here, never through the parsed value's float.
    pub(super) raw: String,
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// The two envelope fields of a body: a form, or (when `allow_json`) a JSON
/// object. Anything else in the body, a repeated field, or another content
/// type is refused.
pub(super) fn envelope_fields(headers: &HeaderMap, body: &[u8], allow_json: bool) -> Result<(String, String), String> {
    if body.len() > MAX_BODY {
        return Err("Request too large".into());
    }
    let (data, signature) = match media_type(headers).as_deref() {
        Some("application/json") if allow_json => {
            let map = json::parse_object(body).map_err(|e| match e {
                JsonError::Duplicate(k) => format!("Duplicate field {k}"),
                JsonError::Syntax => "Invalid JSON body".to_owned(),
            })?;
            let mut data = None;
            let mut signature = None;
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s,
                    _ => return Err(format!("{k} must be a string")),
                };
                match k.as_str() {
                    "data" => data = Some(text),
                    "signature" => signature = Some(text),
                    _ => return Err(format!("Unknown field {k}")),
                }
            }
            (data, signature)
        }
        Some("application/x-www-form-urlencoded") => form_pair(body)?,
        _ => return Err("Unsupported Content-Type".into()),
    };
    match (data, signature) {
        (Some(d), Some(s)) if !d.is_empty() && !s.is_empty() => Ok((d, s)),
        _ => Err("data and signature are required".into()),
    }
}

/// `data` and `signature` from form (or query) text, each at most once, nothing else.
pub(super) fn form_pair(body: &[u8]) -> Result<(Option<String>, Option<String>), String> {
    if std::str::from_utf8(body).is_err() {
        return Err("Body is not UTF-8".into());
    }
    let mut data = None;
    let mut signature = None;
    for (k, v) in form_urlencoded::parse(body) {
        let slot = match k.as_ref() {
            "data" => &mut data,
            "signature" => &mut signature,
            other => return Err(format!("Unknown field {other}")),
        };
        if slot.replace(v.into_owned()).is_some() {
            return Err(format!("Duplicate field {k}"));
        }
    }
    Ok((data, signature))
}

/// Decodes `data`, finds the merchant named by its `public_key` and checks
/// the signature in constant time.
pub(super) fn verify(state: &State, data: &str, signature: &str) -> Result<Signed, String> {
    let decoded = crypto::base64_decode(data.as_bytes()).map_err(|_| "Invalid data".to_owned())?;
    let payload = json::parse_object(&decoded).map_err(|e| match e {
        JsonError::Duplicate(k) => format!("Duplicate field {k} in data"),
        JsonError::Syntax => "Invalid data".to_owned(),
    })?;
    let merchant = payload
        .get("public_key")
        .and_then(Value::as_str)
        .ok_or_else(|| "public_key is required".to_owned())?
        .to_owned();
    let private_key = state
        .private_key_of(&merchant)
        .ok_or_else(|| "Merchant not found".to_owned())?;
    let expected = sign(&private_key, data);
    if !crypto::constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err("Signature did not match".into());
    }
    let raw = String::from_utf8(decoded).map_err(|_| "Invalid data".to_owned())?;
    Ok(Signed { merchant, payload, raw })
}

/// Reads and verifies a request of an operation taking `fields`: envelope,
/// signature, then no field outside the list and `language` as the
/// operation wants it.
pub(super) fn open(state: &State, headers: &HeaderMap, body: &[u8], fields: Fields) -> Result<Signed, ApiError> {
    let (data, signature) = envelope_fields(headers, body, true).map_err(|m| server_error(&m))?;
    let signed = verify(state, &data, &signature).map_err(|m| server_error(&m))?;
    signed.check_fields(fields)?;
    Ok(signed)
}

impl Signed {
    /// No field outside `fields`; `language` present, absent or valid as required.
    pub(super) fn check_fields(&self, fields: Fields) -> Result<(), ApiError> {
        for key in self.payload.keys() {
            let known = key == "public_key"
                || (key == "language" && fields.language != Language::Refused)
                || fields.names.contains(&key.as_str());
            if !known {
                return Err(error(&format!("{key}: not a field of this operation")));
            }
        }
        match (self.payload.get("language"), fields.language) {
            (None | Some(Value::Null), Language::Required) => Err(error("language: is required")),
            (None | Some(Value::Null), _) => Ok(()),
            (Some(v), _) if matches!(v.as_str(), Some("az" | "en" | "ru")) => Ok(()),
            (Some(_), _) => Err(error("language: must be az, en or ru")),
        }
    }

    /// A string field; `null` and `""` count as absent.
    pub(super) fn opt_str(&self, name: &str, max_len: usize) -> Result<Option<String>, ApiError> {
        match self.payload.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() > max_len => {
                Err(error(&format!("{name}: longer than {max_len} characters")))
            }
            Some(Value::String(s)) if s.chars().any(char::is_control) => {
                Err(error(&format!("{name}: control characters are not allowed")))
            }
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
            Some(_) => Err(error(&format!("{name}: must be a string"))),
        }
    }

    /// A required string field.
    pub(super) fn req_str(&self, name: &str, max_len: usize) -> Result<String, ApiError> {
        self.opt_str(name, max_len)?
            .ok_or_else(|| error(&format!("{name}: is required")))
    }

    /// An `http(s)` URL (a redirect or webhook target); other schemes are refused.
    pub(super) fn opt_url(&self, name: &str) -> Result<Option<String>, ApiError> {
        let Some(url) = self.opt_str(name, URL_MAX)? else {
            return Ok(None);
        };
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.contains(char::is_whitespace) {
            return Err(error(&format!("{name}: must be an http(s) URL")));
        }
        Ok(Some(url))
    }

    /// A `0`/`1` flag sent as a JSON number (or, when `text_too`, as `"0"`/`"1"`).
    pub(super) fn opt_flag(&self, name: &str, text_too: bool) -> Result<Option<bool>, ApiError> {
        match self.payload.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
            Some(Value::String(s)) if text_too && s == "0" => Ok(Some(false)),
            Some(Value::String(s)) if text_too && s == "1" => Ok(Some(true)),
            Some(_) => Err(error(&format!("{name}: must be 0 or 1"))),
        }
    }

    /// A required `0`/`1` flag (a JSON number: `0` is a value, not an omission).
    pub(super) fn req_flag(&self, name: &str) -> Result<bool, ApiError> {
        self.opt_flag(name, false)?
            .ok_or_else(|| error(&format!("{name}: is required")))
    }

    /// An amount sent as a JSON string or number, positive, at most 2 decimals.
    pub(super) fn opt_amount(&self, name: &str) -> Result<Option<Money>, ApiError> {
        let text = match self.payload.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            // The number's own digits: `10.50` stays `10.50`, and a value
            // with more digits than a float holds is refused, not rounded.
            Some(Value::Number(_)) => crate::json::RawObject::parse(&self.raw)
                .and_then(|o| o.raw(name))
                .map(|t| t.trim().to_owned())
                .ok_or_else(|| error(&format!("{name}: must be a decimal amount")))?,
            Some(_) => return Err(error(&format!("{name}: must be a decimal amount"))),
        };
        let money = Money::parse_major(&text, Currency::AZN)
            .map_err(|e| error(&format!("{name}: invalid amount {text:?}: {e}")))?;
        if !money.is_positive() {
            return Err(error(&format!("{name}: must be greater than zero")));
        }
        Ok(Some(money))
    }

    /// A required amount.
    pub(super) fn req_amount(&self, name: &str) -> Result<Money, ApiError> {
        self.opt_amount(name)?
            .ok_or_else(|| error(&format!("{name}: is required")))
    }

    /// `currency`: only AZN is documented.
    pub(super) fn currency(&self) -> Result<(), ApiError> {
        match self.req_str("currency", 3)?.as_str() {
            "AZN" => Ok(()),
            other => Err(error(&format!("currency: {other} is not supported"))),
        }
    }

    /// `other_attr` as sent (any JSON), at most [`OTHER_ATTR_MAX`] bytes.
    pub(super) fn other_attr(&self) -> Result<Value, ApiError> {
        let v = self.payload.get("other_attr").cloned().unwrap_or(Value::Null);
        if v.to_string().len() > OTHER_ATTR_MAX {
            return Err(error(&format!("other_attr: larger than {OTHER_ATTR_MAX} bytes")));
        }
        Ok(v)
    }
}

/// Longest redirect or webhook URL accepted.
pub(super) const URL_MAX: usize = 2048;

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

    const ANY: Fields = Fields {
        names: &["amount", "currency", "order_id"],
        language: Language::Optional,
    };

    fn form_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        h
    }

    fn form(data: &str, signature: &str) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("data", data)
            .append_pair("signature", signature)
            .finish()
            .into_bytes()
    }

    fn signed_payload(payload: &str) -> (String, String) {
        let data = crypto::base64_encode(payload.as_bytes());
        let signature = sign(super::super::TEST_PRIVATE_KEY, &data);
        (data, signature)
    }

    fn signed() -> (String, String) {
        signed_payload(r#"{"public_key":"i000000001","amount":"10.50","currency":"AZN","order_id":"o-1"}"#)
    }

    #[test]
    fn spec_vector_v1_signature() {
        let data = "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImxhbmd1YWdlIjoiYXoiLCJhbW91bnQiOiIxMC41MCIsImN1cnJlbmN5IjoiQVpOIiwib3JkZXJfaWQiOiJvcmRlci0wMDAxIiwiZGVzY3JpcHRpb24iOiJUZXN0IHBheW1lbnQiLCJzdWNjZXNzX3JlZGlyZWN0X3VybCI6Imh0dHBzOi8vc2hvcC5leGFtcGxlL29rIiwiZXJyb3JfcmVkaXJlY3RfdXJsIjoiaHR0cHM6Ly9zaG9wLmV4YW1wbGUvZmFpbCJ9";
        assert_eq!(sign("test-private-key", data), "tpF1mnvxz6zNof3DESXoDpx+GQk=");
        let (d, s) = signed();
        assert!(open(state(), &form_headers(), &form(&d, &s), ANY).is_ok());
    }

    #[test]
    fn amounts_sent_as_json_numbers_are_read_from_their_digits() {
        let open_amount = |payload: &str| {
            let (d, s) = signed_payload(payload);
            open(state(), &form_headers(), &form(&d, &s), ANY)
                .map_err(|_| "refused")?
                .req_amount("amount")
                .map(|m| m.to_major_string())
                .map_err(|_| "refused")
        };
        assert_eq!(
            open_amount(r#"{"public_key":"i000000001","amount":10.50,"currency":"AZN","order_id":"o-1"}"#),
            Ok("10.50".to_owned())
        );
        // 17 significant digits: a float would round it to 12345678901234.57
        // and accept it; read from its digits it has 3 decimals and is refused.
        assert_eq!(
            open_amount(r#"{"public_key":"i000000001","amount":12345678901234.565,"currency":"AZN","order_id":"o-1"}"#),
            Err("refused")
        );
        assert_eq!(
            open_amount(r#"{"public_key":"i000000001","amount":"7","currency":"AZN","order_id":"o-1"}"#),
            Ok("7.00".to_owned())
        );
    }

    #[test]
    fn duplicates_unknown_fields_and_content_types_are_refused() {
        let (d, s) = signed_payload(r#"{"public_key":"i000000001","amount":"1.00","amount":"9.00"}"#);
        assert!(open(state(), &form_headers(), &form(&d, &s), ANY).is_err());
        let (d, s) = signed_payload(r#"{"public_key":"i000000001","bogus":1}"#);
        assert!(open(state(), &form_headers(), &form(&d, &s), ANY).is_err());
        let (d, s) = signed();
        let mut body = form(&d, &s);
        body.extend_from_slice(b"&extra=1");
        assert!(open(state(), &form_headers(), &body, ANY).is_err());
        assert!(open(state(), &HeaderMap::new(), &form(&d, &s), ANY).is_err());
        let mut json = HeaderMap::new();
        json.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let body = format!(r#"{{"data":"{d}","signature":"x","signature":"{s}"}}"#);
        assert!(open(state(), &json, body.as_bytes(), ANY).is_err());
        let body = format!(r#"{{"data":"{d}","signature":"{s}"}}"#);
        assert!(open(state(), &json, body.as_bytes(), ANY).is_ok());
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
            prop_assert!(open(st, &form_headers(), &form(&data, &signature), ANY).is_err());
        }

        #[test]
        fn arbitrary_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), json in any::<bool>()) {
            let mut headers = form_headers();
            if json {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            prop_assert!(open(state(), &headers, &body, ANY).is_err());
        }
    }
}
