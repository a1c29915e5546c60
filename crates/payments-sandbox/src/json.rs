//! Exact JSON in and out, without floats.
//!
//! `serde_json` (without `arbitrary_precision`) turns every number into an
//! `f64` or a 64-bit integer, which would round a 22-digit correlation id or
//! an amount. So requests are split into `(key, raw text)` pairs here and each
//! number is read from its own text; responses are written from a small tree
//! whose numbers are already decimal text. Shared by the ePay and QR emulators.
//!
//! Strictness: a document must be valid JSON (checked by serde_json first) and
//! no object, at any depth that is read, may repeat a key: `{"a":1,"a":2}` is
//! refused rather than silently taking one of the two values.

use rust_decimal::Decimal;

/// A JSON object read from a request: each member's raw value text, in order.
#[derive(Debug, Clone)]
pub(crate) struct RawObject<'a> {
    members: Vec<(String, &'a str)>,
}

/// Why a JSON body is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not one well-formed JSON object.
    Malformed,
    /// A key appears twice in the same object.
    DuplicateKey(String),
}

impl JsonError {
    /// A one-line message (`what` names the body, e.g. `body`).
    pub(crate) fn message(&self, what: &str) -> String {
        match self {
            JsonError::Malformed => format!("{what}: not a JSON object"),
            JsonError::DuplicateKey(k) => format!("{what}: duplicate key {k:?}"),
        }
    }
}

/// Why a member could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldError {
    /// The member is absent or `null`.
    Missing(String),
    /// The member is there but has the wrong type or format.
    Invalid(String, &'static str),
}

impl FieldError {
    /// A one-line message naming the field.
    pub(crate) fn message(&self) -> String {
        match self {
            FieldError::Missing(name) => format!("{name}: required"),
            FieldError::Invalid(name, why) => format!("{name}: {why}"),
        }
    }
}

impl<'a> RawObject<'a> {
    /// Parses `text`, which must be one valid JSON object without repeated keys.
    pub(crate) fn parse(text: &'a str) -> Option<RawObject<'a>> {
        RawObject::parse_checked(text).ok()
    }

    /// Parses `text` and says why it is refused.
    pub(crate) fn parse_checked(text: &'a str) -> Result<RawObject<'a>, JsonError> {
        // Validate the whole document first, so the scanner below may assume
        // well-formed input.
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|_| JsonError::Malformed)?;
        let obj = RawObject::scan(text).ok_or(JsonError::Malformed)?;
        let mut seen = std::collections::HashSet::with_capacity(obj.members.len());
        for (key, _) in &obj.members {
            if !seen.insert(key.as_str()) {
                return Err(JsonError::DuplicateKey(key.clone()));
            }
        }
        Ok(obj)
    }

    fn scan(text: &'a str) -> Option<RawObject<'a>> {
        let bytes = text.as_bytes();
        let mut i = skip_ws(bytes, 0);
        if bytes.get(i) != Some(&b'{') {
            return None;
        }
        i += 1;
        let mut members = Vec::new();
        loop {
            i = skip_ws(bytes, i);
            match bytes.get(i)? {
                b'}' => return Some(RawObject { members }),
                b',' => {
                    i += 1;
                    continue;
                }
                b'"' => {}
                _ => return None,
            }
            let key_end = string_end(bytes, i)?;
            let key: String = serde_json::from_str(text.get(i..key_end)?).ok()?;
            i = skip_ws(bytes, key_end);
            if bytes.get(i) != Some(&b':') {
                return None;
            }
            i = skip_ws(bytes, i + 1);
            let value_end = value_end(bytes, i)?;
            members.push((key, text.get(i..value_end)?));
            i = value_end;
        }
    }

    /// The raw text of a member (keys are unique), `null` excluded.
    pub(crate) fn raw(&self, key: &str) -> Option<&'a str> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .filter(|v| *v != "null")
    }

    /// The member names, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// A string member.
    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => serde_json::from_str(raw)
                .map(Some)
                .map_err(|_| FieldError::Invalid(key.to_owned(), "invalid string")),
            Some(_) => Err(FieldError::Invalid(key.to_owned(), "must be a string")),
        }
    }

    /// A required, non-empty string member.
    pub(crate) fn required_string(&self, key: &str) -> Result<String, FieldError> {
        match self.string(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(FieldError::Missing(key.to_owned())),
        }
    }

    /// A member that may be a string or a bare number, as its text
    /// (numbers exactly as sent, strings unquoted).
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) if raw.starts_with('"') => self.string(key),
            Some(raw) if is_number(raw) => Ok(Some(raw.to_owned())),
            Some(_) => Err(FieldError::Invalid(key.to_owned(), "must be a string or a number")),
        }
    }

    /// A decimal amount sent as a JSON number or a string (`"1,00"` accepted).
    pub(crate) fn decimal(&self, key: &str) -> Result<Option<Decimal>, FieldError> {
        match self.text(key)? {
            None => Ok(None),
            Some(t) => parse_decimal(&t)
                .map(Some)
                .ok_or_else(|| FieldError::Invalid(key.to_owned(), "must be a decimal amount")),
        }
    }

    /// A boolean member.
    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(FieldError::Invalid(key.to_owned(), "must be a boolean")),
        }
    }

    /// A nested object member.
    pub(crate) fn object(&self, key: &str) -> Result<Option<RawObject<'a>>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => match RawObject::parse_checked(raw) {
                Ok(o) => Ok(Some(o)),
                Err(JsonError::DuplicateKey(_)) => Err(FieldError::Invalid(key.to_owned(), "duplicate key inside")),
                Err(JsonError::Malformed) => Err(FieldError::Invalid(key.to_owned(), "must be an object")),
            },
        }
    }

    /// An array member: each element's raw text.
    pub(crate) fn array(&self, key: &str) -> Result<Option<Vec<&'a str>>, FieldError> {
        match self.raw(key) {
            None => Ok(None),
            Some(raw) => split_array(raw)
                .map(Some)
                .ok_or_else(|| FieldError::Invalid(key.to_owned(), "must be an array")),
        }
    }
}

/// Splits a JSON array's raw text into its elements' raw texts.
pub(crate) fn split_array(text: &str) -> Option<Vec<&str>> {
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut items = Vec::new();
    loop {
        i = skip_ws(bytes, i);
        match bytes.get(i)? {
            b']' => return Some(items),
            b',' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let end = value_end(bytes, i)?;
        items.push(text.get(i..end)?);
        i = end;
    }
}

/// Reads a JSON value's raw text as a plain string: a JSON string unquoted, a
/// number as written.
pub(crate) fn raw_to_text(raw: &str) -> Option<String> {
    if raw.starts_with('"') {
        serde_json::from_str(raw).ok()
    } else if is_number(raw) {
        Some(raw.to_owned())
    } else {
        None
    }
}

/// Parses a decimal written `123`, `123.45`, `1,00` (Turkish) or `1e2`-free
/// JSON number text; rejects everything else.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.contains(['e', 'E', '+']) {
        return None;
    }
    let normalized = if t.contains(',') && !t.contains('.') {
        t.replacen(',', ".", 1)
    } else {
        t.to_owned()
    };
    let body = normalized.strip_prefix('-').unwrap_or(&normalized);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or_default();
    let frac = parts.next();
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac
        && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Decimal::from_str_exact(&normalized).ok()
}

fn is_number(raw: &str) -> bool {
    let b = raw.as_bytes();
    !b.is_empty() && (b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'-'))
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Index just past the string starting at `start` (which holds `"`).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Index just past the (well-formed) value starting at `start`.
fn value_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = start;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

/// A JSON value to write, numbers kept as decimal text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A string.
    Str(String),
    /// A number, written exactly as this text.
    Num(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, members in this order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// A string value.
    pub(crate) fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// An integer value.
    pub(crate) fn int(n: i64) -> Json {
        Json::Num(n.to_string())
    }

    /// A decimal written in its shortest form (`100`, `150.5`).
    pub(crate) fn dec(d: Decimal) -> Json {
        Json::Num(d.normalize().to_string())
    }

    /// A decimal written with exactly `scale` fraction digits (`100.0000`).
    pub(crate) fn dec_scaled(d: Decimal, scale: u32) -> Json {
        let mut d = d;
        d.rescale(scale);
        Json::Num(d.to_string())
    }

    /// An object from `(key, value)` pairs.
    pub(crate) fn obj<const N: usize>(members: [(&str, Json); N]) -> Json {
        Json::Obj(members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// Appends a member to an object (no-op on other values).
    pub(crate) fn push(&mut self, key: &str, value: Json) {
        if let Json::Obj(members) = self {
            members.push((key.to_owned(), value));
        }
    }

    /// The JSON text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Str(s) => write_str(out, s),
            Json::Num(n) => out.push_str(n),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str("\"\""),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn reads_big_numbers_exactly() {
        let o =
            RawObject::parse(r#"{"a": 7777777777777777777777, "b":"x\"y", "c":{"d":[1,{"e":2}]}, "f": 0.13}"#).unwrap();
        assert_eq!(o.text("a").unwrap().unwrap(), "7777777777777777777777");
        assert_eq!(o.string("b").unwrap().unwrap(), "x\"y");
        assert_eq!(
            o.object("c").unwrap().unwrap().array("d").unwrap().unwrap(),
            vec!["1", r#"{"e":2}"#]
        );
        assert_eq!(o.decimal("f").unwrap().unwrap().to_string(), "0.13");
        assert!(RawObject::parse("{\"a\":1").is_none());
        assert!(RawObject::parse("[1]").is_none());
    }

    /// Arbitrary and mutated inputs never panic, and on valid objects the
    /// scanner sees the same members as serde_json.
    #[test]
    fn scanner_agrees_with_serde_json_and_never_panics() {
        let seed =
            r#"{"a":[1,{"b":"c\\\"}"}],"d":-0.5,"e":{"f":null},"g":"\u00e7","h":true,"i":7777777777777777777777}"#;
        let keys: Vec<String> = RawObject::parse(seed).unwrap().keys().map(str::to_owned).collect();
        assert_eq!(keys, ["a", "d", "e", "g", "h", "i"]);
        const ALPHABET: &[u8] = b"{}[]\\\",:0e-";
        for _ in 0..20_000 {
            let mut bytes = seed.as_bytes().to_vec();
            for _ in 0..(rand::random::<u8>() % 4 + 1) {
                let at = rand::random::<u32>() as usize % bytes.len();
                match rand::random::<u8>() % 3 {
                    0 => bytes[at] = rand::random(),
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, ALPHABET[rand::random::<u32>() as usize % ALPHABET.len()]),
                }
            }
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let ours = RawObject::parse_checked(text);
            // serde_json's Value refuses numbers beyond f64 (`1e999`); the scanner
            // keeps their text, so validity is compared on the grammar alone.
            let valid_object =
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() && text.trim_start().starts_with('{');
            let duplicate = matches!(ours, Err(JsonError::DuplicateKey(_)));
            assert_eq!(ours.is_ok() || duplicate, valid_object, "{text:?}");
            let ours = ours.ok();
            let theirs = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text);
            match (ours, theirs) {
                (Some(o), Ok(map)) => {
                    let mut a: Vec<&str> = o.keys().collect();
                    a.sort_unstable();
                    let mut b: Vec<&str> = map.keys().map(String::as_str).collect();
                    b.sort_unstable();
                    assert_eq!(a, b, "{text}");
                    for k in b {
                        let raw = o.raw(k).unwrap_or("null");
                        let reparsed: serde_json::Value = serde_json::from_str(raw).unwrap();
                        assert_eq!(&reparsed, &map[k], "{text}");
                    }
                }
                // serde_json's map keeps the last of repeated keys; the scanner refuses them.
                (None, Ok(_)) if !duplicate => panic!("valid object refused: {text:?}"),
                _ => {}
            }
        }
    }

    #[test]
    fn duplicate_keys_are_refused_at_every_depth() {
        assert_eq!(
            RawObject::parse_checked(r#"{"amount":1,"amount":1000}"#).unwrap_err(),
            JsonError::DuplicateKey("amount".into())
        );
        let o = RawObject::parse(r#"{"order":{"id":"1","id":"2"}}"#).unwrap();
        assert!(o.object("order").is_err());
        // The same key in sibling objects is fine.
        assert!(RawObject::parse(r#"{"a":{"id":1},"b":{"id":2}}"#).is_some());
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("1,00").unwrap().to_string(), "1.00");
        assert!(parse_decimal("1e3").is_none());
        assert!(parse_decimal("1.").is_none());
        assert!(parse_decimal("abc").is_none());
        assert_eq!(Json::dec_scaled(Decimal::new(1, 0), 4).render(), "1.0000");
        assert_eq!(Json::dec(Decimal::new(15050, 2)).render(), "150.5");
    }
}
