//! The fields of an AzeriCard message: a form (or a flat JSON object), each
//! field at most once, nothing outside the message's documented list.

use axum::http::{HeaderMap, header};
use serde_json::Value;

use crate::epoint::json;

/// Largest request body read.
pub(super) const MAX_BODY: usize = 64 * 1024;

/// Parsed fields, in the order received.
pub(super) struct Fields(Vec<(String, String)>);

/// Why a body was not read.
pub(super) enum Unreadable {
    /// Too large, not UTF-8, not a form or flat JSON object, or an unsupported content type.
    Malformed,
    /// A field sent twice.
    Duplicate(String),
}

impl Fields {
    /// Reads a form (`application/x-www-form-urlencoded`, or no content type,
    /// as a browser form may arrive) or, when `json_ok`, a flat JSON object of
    /// strings and numbers (integrify posts the status query as JSON).
    pub(super) fn parse(headers: &HeaderMap, body: &[u8], json_ok: bool) -> Result<Fields, Unreadable> {
        if body.len() > MAX_BODY {
            return Err(Unreadable::Malformed);
        }
        let media = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
        let pairs: Vec<(String, String)> = match media.as_deref() {
            Some("application/json") if json_ok => {
                let map = json::parse_object(body).map_err(|e| match e {
                    json::JsonError::Duplicate(k) => Unreadable::Duplicate(k),
                    json::JsonError::Syntax => Unreadable::Malformed,
                })?;
                let mut out = Vec::with_capacity(map.len());
                for (k, v) in map {
                    match v {
                        Value::String(s) => out.push((k, s)),
                        Value::Number(n) => out.push((k, n.to_string())),
                        _ => return Err(Unreadable::Malformed),
                    }
                }
                out
            }
            None | Some("application/x-www-form-urlencoded") => {
                std::str::from_utf8(body).map_err(|_| Unreadable::Malformed)?;
                form_urlencoded::parse(body).into_owned().collect()
            }
            Some(_) => return Err(Unreadable::Malformed),
        };
        let mut seen = std::collections::HashSet::new();
        for (k, _) in &pairs {
            if !seen.insert(k.as_str()) {
                return Err(Unreadable::Duplicate(k.clone()));
            }
        }
        Ok(Fields(pairs))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A required field within `min..=max` characters.
    pub(super) fn req(&self, name: &str, min: usize, max: usize) -> Result<&str, String> {
        match self.get(name) {
            Some(v) if v.chars().count() >= min && v.chars().count() <= max => Ok(v),
            Some(_) => Err(format!("{name}: length must be {min}-{max}")),
            None => Err(format!("{name}: is required")),
        }
    }

    /// The first field not in `allowed`, if any.
    pub(super) fn unknown(&self, allowed: &[&str]) -> Option<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).find(|k| !allowed.contains(k))
    }

    /// Whether `name` was sent (even empty).
    pub(super) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The fields each message may carry.
pub(super) mod allowed {
    /// Browser authorization on `/cgi-bin/cgi_link`.
    pub(in crate::azericard) const AUTHORIZATION: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "ORDER",
        "DESC",
        "MERCH_NAME",
        "MERCH_URL",
        "TERMINAL",
        "EMAIL",
        "TRTYPE",
        "COUNTRY",
        "MERCH_GMT",
        "TIMESTAMP",
        "NONCE",
        "BACKREF",
        "LANG",
        "NAME",
        "M_INFO",
        "P_SIGN",
    ];
    /// Browser forms on `/token/cgi_link`: the authorization and the stored-card fields.
    pub(in crate::azericard) const TOKEN_FORM: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "ORDER",
        "DESC",
        "MERCH_NAME",
        "MERCH_URL",
        "TERMINAL",
        "EMAIL",
        "TRTYPE",
        "COUNTRY",
        "MERCH_GMT",
        "TIMESTAMP",
        "NONCE",
        "BACKREF",
        "LANG",
        "NAME",
        "M_INFO",
        "TOKEN_ACTION",
        "TOKEN",
        "MERCH_TRAN_STATE",
        "MERCH_RN_ID",
        "MIT_AGREEMENT",
        "RECUR_FREQ",
        "RECUR_EXP",
        "P_SIGN",
    ];
    /// Server-to-server unscheduled MIT charge (§7.2).
    pub(in crate::azericard) const MIT_CHARGE: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "ORDER",
        "TERMINAL",
        "TRTYPE",
        "MERCH_URL",
        "TIMESTAMP",
        "NONCE",
        "MERCH_TRAN_STATE",
        "EXT_NET_REF",
        "MERCH_RN_ID",
        "TOKEN",
        "P_SIGN",
    ];
    /// Server-to-server scheduled recurring charge (§7.4): no MERCH_TRAN_STATE, no MERCH_RN_ID.
    pub(in crate::azericard) const RECURRING_CHARGE: &[&str] = &[
        "AMOUNT",
        "CURRENCY",
        "ORDER",
        "TERMINAL",
        "TRTYPE",
        "MERCH_URL",
        "TIMESTAMP",
        "NONCE",
        "EXT_NET_REF",
        "TOKEN",
        "P_SIGN",
    ];
    /// Completion and reversals.
    pub(in crate::azericard) const FOLLOW_UP: &[&str] = &[
        "ORDER",
        "AMOUNT",
        "CURRENCY",
        "RRN",
        "INT_REF",
        "TRTYPE",
        "TERMINAL",
        "TIMESTAMP",
        "NONCE",
        "P_SIGN",
    ];
    /// Status query.
    pub(in crate::azericard) const STATUS: &[&str] = &[
        "ORDER",
        "TERMINAL",
        "TRTYPE",
        "TIMESTAMP",
        "NONCE",
        "TRAN_TRTYPE",
        "P_SIGN",
    ];
}
