//! Private serde plumbing for the wallet API's JSON: the envelope, lossless
//! number fields, and the padded keys the seed's sample shows.

use std::borrow::Cow;
use std::collections::BTreeSet;

use payments_core::{Decimal, Error, HttpResponse, Result, Secret, json};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::PROVIDER;
use crate::amount::{DecimalFormat, decimal_from_json};
use crate::error::envelope_error;

/// `{"status": int, "code": string|null, "message": string|null, "payload": any}`.
///
/// ASP.NET's validation answer (HTTP 400, `{"title", "status": 400, "errors"}`)
/// parses as one too: its `title` stands in for the missing message.
#[derive(Deserialize)]
pub(crate) struct Envelope<'a> {
    pub status: i64,
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, borrow)]
    pub payload: Option<&'a RawValue>,
}

impl Envelope<'_> {
    /// Status 0 with code `"100"` or `null`. Sipay documents both as success,
    /// per endpoint: "100" for Begin3rdPartyQRCodePayment, ApproveQRPayment,
    /// RefundPaymentInstant, AddProviderMediaToWallet, SummaryRecordByFilter;
    /// null for ReadQRPayment, CheckQRPaymentStatus, ReadTRQRCode, GetTRQRCode
    /// (and, in Katalon, CreateQRPayment and RefundPayment). Status 0 with
    /// any other code is not a documented success and stays an error.
    pub fn is_success(&self) -> bool {
        self.status == 0
            && match self.code.as_deref().map(str::trim) {
                None | Some("") => true,
                Some(code) => code == crate::error::SUCCESS_CODE,
            }
    }
}

/// Opens the envelope of an API response and returns its payload's JSON text
/// (`None` for a null or missing payload). `operation` names the call in
/// outcome-unknown errors.
///
/// The envelope decides: an error envelope is a provider error even on HTTP
/// 200 (codes 500 and 501 are outcome-unknown, see [`envelope_error`]); a
/// non-2xx answer without an envelope is a status error; a 2xx answer
/// without an envelope is unreadable.
pub(crate) fn open<'r>(resp: &'r HttpResponse, operation: &'static str) -> Result<Option<&'r str>> {
    let parsed = if resp.body.is_empty() {
        None
    } else {
        serde_json::from_slice::<Envelope<'_>>(&resp.body).ok()
    };
    match parsed {
        Some(env) if env.is_success() && resp.is_success() => Ok(env.payload.map(RawValue::get)),
        Some(env) => Err(envelope_error(&env, resp.status, operation)),
        // A 5xx without an envelope may come from a proxy after the API
        // processed the call: the outcome is unknown (resolve by a status
        // query). Still retryable for idempotent calls.
        None if resp.status >= 500 => Err(unreadable(
            resp.status,
            "server error without an envelope; the outcome is unknown",
            &resp.body,
            None,
        )),
        None if !resp.is_success() => Err(resp.status_error(PROVIDER)),
        None => match serde_json::from_slice::<Envelope<'_>>(&resp.body) {
            Err(e) => Err(unreadable(
                resp.status,
                format!("not the wallet API's envelope: {e}"),
                &resp.body,
                Some(Box::new(e)),
            )),
            Ok(_) => Err(unreadable(resp.status, "unreadable envelope", &resp.body, None)),
        },
    }
}

/// An unreadable-response error whose excerpt has personal data redacted
/// (names, e-mail, phone numbers, balances: see [`crate::redact`]).
pub(crate) fn unreadable(
    status: u16,
    reason: impl Into<String>,
    body: &[u8],
    source: Option<payments_core::error::BoxError>,
) -> Error {
    Error::unreadable(
        PROVIDER,
        status,
        reason,
        &crate::redact::personal_data_bytes(body),
        source,
    )
}

/// The payload text, or an unreadable-response error when it is missing.
pub(crate) fn require_payload<'a>(resp: &'a HttpResponse, payload: Option<&'a str>) -> Result<&'a str> {
    payload.ok_or_else(|| unreadable(resp.status, "success envelope without payload", &resp.body, None))
}

/// Parses a payload into `T`, mapping failure to an unreadable-response error.
pub(crate) fn decode<'a, T: Deserialize<'a>>(resp: &HttpResponse, text: &'a str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        unreadable(
            resp.status,
            format!("invalid {what}: {e}"),
            text.as_bytes(),
            Some(Box::new(e)),
        )
    })
}

/// An object's members in order, keys borrowed from the text where no
/// unescaping is needed, values as their raw JSON text: one pass, few allocations.
pub(crate) struct Members<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((Key(k), v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The object `text` with its keys trimmed: the seed's sample sends
/// `" tx_correlation_id "`. Borrowed unchanged when no key is padded (the
/// common case); two keys that trim to the same name are rejected rather
/// than letting one silently win.
pub(crate) fn trim_keys<'a>(resp: &HttpResponse, text: &'a str, what: &str) -> Result<Cow<'a, str>> {
    let Members(members) = decode(resp, text, what)?;
    if members.iter().all(|(k, _)| k.trim() == k) {
        return Ok(Cow::Borrowed(text));
    }
    let mut seen = BTreeSet::new();
    let mut out = String::with_capacity(text.len());
    out.push('{');
    for (i, (key, value)) in members.iter().enumerate() {
        let key = key.trim();
        if !seen.insert(key) {
            return Err(unreadable(
                resp.status,
                format!("{what}: key {key:?} appears twice once trimmed"),
                text.as_bytes(),
                None,
            ));
        }
        if i > 0 {
            out.push(',');
        }
        let quoted = serde_json::to_string(key)
            .map_err(|e| unreadable(resp.status, format!("{what}: {e}"), text.as_bytes(), None))?;
        out.push_str(&quoted);
        out.push(':');
        out.push_str(value.get());
    }
    out.push('}');
    Ok(Cow::Owned(out))
}

/// A member's value as text (a string, or a number's exact digits); `None`
/// for null and for objects and arrays. The core's exact scalar reader.
pub(crate) fn member_text(value: &RawValue) -> Option<String> {
    json::scalar_text(value).ok().flatten().map(|t| t.trim().to_owned())
}

/// A JSON number written from exact text (amounts, the correlation id).
pub(crate) fn raw_number(text: String, field: &'static str) -> Result<Box<RawValue>> {
    RawValue::from_string(text).map_err(|e| Error::invalid_input(field, format!("not a JSON number: {e}")))
}

/// Serializes a request body; our bodies always serialize.
pub(crate) fn to_body<T: Serialize>(body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::invalid_input("body", format!("cannot serialize JSON: {e}")))
}

// ---- field deserializers: every number is read from its exact text ----

// Values are borrowed from the text: every payload is parsed from a `&str`.
fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    let v: Option<&'de RawValue> = Option::deserialize(d)?;
    Ok(v.filter(|r| r.get().trim() != "null"))
}

/// A decimal from a JSON number (exact), or a string in a format that
/// cannot be misread (`"1,00"`; `"1.500"` is an error).
pub(crate) fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    opt_decimal(d)?.ok_or_else(|| de::Error::custom("decimal is null"))
}

/// As [`decimal`], `null` or missing as `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    opt_decimal_in(d, DecimalFormat::Unknown)
}

/// A decimal whose strings are Turkish-formatted (the seed's `Kdv` `"1,00"`,
/// `DiscountRatio` `"0,00"`): `"1.500"` is 1500 there.
pub(crate) fn opt_turkish_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    opt_decimal_in(d, DecimalFormat::Turkish)
}

fn opt_decimal_in<'de, D: Deserializer<'de>>(d: D, format: DecimalFormat) -> Result<Option<Decimal>, D::Error> {
    match raw(d)? {
        None => Ok(None),
        Some(r) => decimal_from_json(r.get(), format, "decimal")
            .map(Some)
            .map_err(|e| de::Error::custom(e.to_string())),
    }
}

/// A string, or a number kept as its exact digits (ids the API types
/// either way): the core's exact scalar reader.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    json::de::opt_text(d)
}

/// [`opt_text`], kept in a [`Secret`] (personal data: names, e-mail, phone).
pub(crate) fn opt_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret<String>>, D::Error> {
    Ok(opt_text(d)?.map(Secret::new))
}

/// As [`opt_text`], required.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    json::de::text(d)
}

/// An integer from a JSON number or a numeric string.
pub(crate) fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    json::de::opt_int(d)
}

/// Any JSON value kept as its text (fields whose shape no source shows).
pub(crate) fn opt_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(raw(d)?.map(|r| r.get().to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use payments_core::Delivery;

    #[test]
    fn envelope_decides_success() {
        let ok = HttpResponse::new(
            200,
            r#"{"status":0,"code":"100","message":"İşlem başarılı","payload":{"a":1}}"#,
        );
        assert_eq!(open(&ok, "test").unwrap(), Some(r#"{"a":1}"#));
        let null = HttpResponse::new(200, r#"{"status":0,"code":"100","message":null,"payload":null}"#);
        assert_eq!(open(&null, "test").unwrap(), None);

        let err = HttpResponse::new(
            200,
            r#"{"status":2,"code":"315","message":"Geçersiz tutar girişi.","payload":null}"#,
        );
        let e = open(&err, "test").unwrap_err();
        assert_eq!(e.delivery(), Delivery::ProviderAnswered);
        assert_eq!(e.provider_code(), Some("315"));
        assert!(e.to_string().contains("Geçersiz tutar girişi."), "{e}");

        // Status 0 with another code is not a success.
        let odd = HttpResponse::new(200, r#"{"status":0,"code":"101","message":null,"payload":{}}"#);
        assert_eq!(open(&odd, "test").unwrap_err().provider_code(), Some("101"));

        let html = HttpResponse::new(502, "<html>bad gateway</html>");
        let e = open(&html, "test").unwrap_err();
        assert!(matches!(e, Error::UnreadableResponse { http_status: 502, .. }));
        assert!(e.is_transient() && e.outcome_unknown());
        let e = open(&HttpResponse::new(404, "not found"), "test").unwrap_err();
        assert!(matches!(
            e,
            Error::Provider {
                http_status: Some(404),
                ..
            }
        ));
        // An error envelope on a 4xx keeps its code.
        let e = open(
            &HttpResponse::new(400, r#"{"status":2,"code":"300","message":"Cüzdan bulunamadı"}"#),
            "test",
        )
        .unwrap_err();
        assert!(matches!(
            e,
            Error::Provider {
                http_status: Some(400),
                ..
            }
        ));
        assert_eq!(e.provider_code(), Some("300"));

        let garbage = HttpResponse::new(200, "{\"status\":");
        assert_eq!(open(&garbage, "test").unwrap_err().delivery(), Delivery::Unreadable);
        let empty = HttpResponse::new(200, "");
        assert_eq!(open(&empty, "test").unwrap_err().delivery(), Delivery::Unreadable);
    }

    #[test]
    fn success_is_status_0_with_code_100_or_null_per_endpoint() {
        // Sipay's samples: ReadQRPayment, CheckQRPaymentStatus, ReadTRQRCode, GetTRQRCode.
        let null = HttpResponse::new(
            200,
            r#"{"status":0,"code":null,"message":null,"payload":{"qr_code":"Q"}}"#,
        );
        assert_eq!(open(&null, "test").unwrap(), Some(r#"{"qr_code":"Q"}"#));
        let absent = HttpResponse::new(200, r#"{"status":0,"payload":true}"#);
        assert_eq!(open(&absent, "test").unwrap(), Some("true"));
        // Begin, ApproveQRPayment, RefundPaymentInstant, AddProviderMediaToWallet, SummaryRecordByFilter.
        let hundred = HttpResponse::new(200, r#"{"status":0,"code":"100","message":null,"payload":true}"#);
        assert_eq!(open(&hundred, "test").unwrap(), Some("true"));
        // CreateQRPersonalToPersonalTransfer's "status 100, code null" is not taken as success.
        let slip = HttpResponse::new(200, r#"{"status":100,"code":null,"message":null,"payload":{}}"#);
        assert!(open(&slip, "test").is_err());
        // Status 0 on a non-2xx answer is not a success either.
        let odd = HttpResponse::new(400, r#"{"status":0,"code":null,"payload":{}}"#);
        assert!(open(&odd, "test").is_err());
    }

    #[test]
    fn validation_answers_are_provider_errors_with_their_code() {
        let katalon = HttpResponse::new(
            400,
            r#"{"status":1,"code":"999","message":"'Sender Account Number' must not be empty.","payload":null}"#,
        );
        let e = open(&katalon, "payment").unwrap_err();
        assert_eq!(e.delivery(), Delivery::ProviderAnswered);
        assert_eq!(e.provider_code(), Some("999"));
        assert!(!e.outcome_unknown());
        let framework = HttpResponse::new(
            400,
            r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"amount":["required"]}}"#,
        );
        let e = open(&framework, "payment").unwrap_err();
        assert_eq!(e.provider_code(), Some("400"));
        assert!(e.to_string().contains("One or more validation errors occurred."), "{e}");
        let system = HttpResponse::new(
            200,
            r#"{"status":2,"code":"500","message":"Sistem Hatası!","payload":null}"#,
        );
        let e = open(&system, "payment").unwrap_err();
        assert!(e.outcome_unknown());
        assert_eq!(e.delivery(), Delivery::MaybeSent);
    }

    #[test]
    fn unreadable_excerpts_carry_no_personal_data() {
        let body = r#"{"status":0,"code":"100","payload":{"transaction_id":"1","sender_wallet_info":{"name":"Ayşe Yılmaz","email":"ayse@example.com","phone_number":"5551234567","total_balance":796.00}"#;
        let r = HttpResponse::new(200, body);
        let e = open(&r, "test").unwrap_err();
        let shown = format!("{e} {e:?}");
        for leaked in ["Ayşe", "ayse@example.com", "5551234567", "796.00"] {
            assert!(!shown.contains(leaked), "{leaked}: {shown}");
        }
        assert!(shown.contains("transaction_id"), "{shown}");
    }

    #[test]
    fn keys_are_trimmed_and_collisions_rejected() {
        let r = HttpResponse::new(200, "");
        let t = trim_keys(&r, r#"{" tx_correlation_id ":"1","b":2}"#, "payload").unwrap();
        assert_eq!(t, r#"{"tx_correlation_id":"1","b":2}"#);
        let plain = r#"{"a":1,"b":{"c":2}}"#;
        assert!(matches!(trim_keys(&r, plain, "payload").unwrap(), Cow::Borrowed(p) if p == plain));
        assert_eq!(trim_keys(&r, r#"{"\u0041 ":"x"}"#, "payload").unwrap(), r#"{"A":"x"}"#);
        assert!(trim_keys(&r, r#"{" a":1,"a ":2}"#, "payload").is_err());
        assert!(trim_keys(&r, r#"[1]"#, "payload").is_err());
    }
}
