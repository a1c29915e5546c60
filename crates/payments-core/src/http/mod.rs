//! Sans-I/O HTTP types and the shared executor.
//!
//! Provider code builds an [`HttpRequest`] (already signed) and parses an
//! [`HttpResponse`]; only the executor ([`HttpClient`], feature `http`) does I/O.

use std::fmt;

use bytes::Bytes;
use serde::Serialize;

use crate::Secret;
use crate::error::{Error, Result};

mod call;
#[cfg(feature = "http")]
mod classify;
#[cfg(feature = "http")]
mod connect;
#[cfg(feature = "http")]
mod executor;
mod retry;

pub use call::{Call, CallOptions, CallSafety};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use executor::{HttpClient, HttpClientBuilder};
pub use retry::{EqualJitter, Jitter, NoJitter, RetryPolicy};

/// HTTP method of a provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// PATCH
    Patch,
}

impl Method {
    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

/// A request ready to send: method, URL, headers and the exact body bytes
/// (signatures are computed over these bytes).
///
/// `Debug` shows header names but never their values, and the body's length
/// but never its content, since both can carry credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL, including any query string.
    pub url: String,
    /// Headers in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// Body bytes (empty for none).
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A GET request.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest::new(Method::Get, url)
    }

    /// A POST of `application/x-www-form-urlencoded` pairs, encoded in order.
    pub fn post_form<K: AsRef<str>, V: AsRef<str>>(url: impl Into<String>, pairs: &[(K, V)]) -> HttpRequest {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        HttpRequest::new(Method::Post, url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(ser.finish())
    }

    /// A request with a JSON body (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(method: Method, url: impl Into<String>, body: &T) -> Result<HttpRequest> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid_input("body", format!("cannot serialize JSON: {e}")))?;
        Ok(HttpRequest::new(method, url)
            .header("Content-Type", "application/json")
            .body(bytes))
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &Secret<String>) -> HttpRequest {
        let value = format!("Bearer {}", token.expose_secret());
        self.header("Authorization", value)
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> HttpRequest {
        self.body = body.into();
        self
    }

    /// The first header with this name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The URL without its query string or fragment, safe for logs.
    pub fn url_for_log(&self) -> &str {
        strip_query(&self.url)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url_for_log())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A response as received: status, headers and the whole body (capped by the executor).
///
/// `Debug` shows the body's length only. A response marked
/// [sensitive](HttpResponse::is_sensitive) (the answer to a [`Call::sensitive`]
/// call, such as a token endpoint's) keeps its body out of every error built
/// from it by [`HttpResponse::json`] and [`HttpResponse::status_error`].
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Bytes,
    sensitive: bool,
    /// The operation and URL path (no query) that got this answer, set by
    /// the executor so that [`HttpResponse::status_error`] can name them.
    site: Option<(&'static str, String)>,
}

impl HttpResponse {
    /// A response with the given status and body and no headers (for tests and parsers).
    pub fn new(status: u16, body: impl Into<Bytes>) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
            sensitive: false,
            site: None,
        }
    }

    /// Records the operation and the URL path (cut at `?` or `#`) this
    /// response answered; [`HttpResponse::status_error`] names them. The
    /// executor sets it on every response.
    pub fn answering(mut self, operation: &'static str, url_or_path: &str) -> HttpResponse {
        self.site = Some((operation, path_of(url_or_path).to_owned()));
        self
    }

    /// Names this response's operation and URL path in `error` (an
    /// [`Error::Provider`] a provider crate built from the body), as
    /// [`HttpResponse::status_error`] does; other errors are unchanged.
    pub fn locate(&self, error: Error) -> Error {
        match &self.site {
            Some((operation, path)) => error.at(operation, path),
            None => error,
        }
    }

    /// The operation and URL path recorded by [`HttpResponse::answering`].
    pub fn site(&self) -> Option<(&'static str, &str)> {
        self.site.as_ref().map(|(op, path)| (*op, path.as_str()))
    }

    /// Marks the body as carrying credentials: errors built from this
    /// response keep no excerpt of it (the executor does this for
    /// [`Call::sensitive`] calls).
    pub fn sensitive(mut self) -> HttpResponse {
        self.sensitive = true;
        self
    }

    /// True when the body may carry credentials and is kept out of errors.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> HttpResponse {
        self.headers.push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// Parses the body as JSON, mapping failure to [`Error::UnreadableResponse`]
    /// with an excerpt of the body; for a [sensitive](HttpResponse::is_sensitive)
    /// response, with neither an excerpt nor the parser's message (serde's
    /// messages quote the values they reject).
    pub fn json<'a, T: serde::Deserialize<'a>>(&'a self, provider: &'static str) -> Result<T> {
        if self.sensitive {
            return serde_json::from_slice(&self.body).map_err(|e| {
                let reason = format!(
                    "invalid JSON ({:?} error at line {} column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                );
                Error::unreadable_redacted(provider, self.status, reason, None)
            });
        }
        if self.body.is_empty() {
            return Err(Error::unreadable(
                provider,
                self.status,
                "empty body where JSON was expected",
                b"",
                None,
            ));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::unreadable(
                provider,
                self.status,
                format!("invalid JSON: {e}"),
                &self.body,
                Some(Box::new(e)),
            )
        })
    }

    /// A generic provider error for an unexpected HTTP status, with the body's
    /// excerpt as message (no message for a [sensitive](HttpResponse::is_sensitive) response).
    /// Its `Display` names the operation and the URL path (never the host
    /// or the query) when the response came from the executor, so a 404
    /// says which call went where: `epoint error (HTTP 404 on pay at
    /// /api/1/request): code -, no message`.
    pub fn status_error(&self, provider: &'static str) -> Error {
        let message = if self.body.is_empty() || self.sensitive {
            None
        } else {
            Some(crate::error::excerpt(&self.body))
        };
        self.locate(Error::provider(provider, None, message, Some(self.status)))
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("sensitive", &self.sensitive)
            .finish()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The path of `url` (an absolute URL or a bare path), without scheme,
/// host, user information, query or fragment.
fn path_of(url: &str) -> &str {
    let url = strip_query(url);
    match url.find("://") {
        Some(scheme_end) => {
            let rest = &url[scheme_end + 3..];
            rest.find('/').map_or("/", |slash| &rest[slash..])
        }
        None => url,
    }
}

pub(crate) fn strip_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_is_encoded_in_order() {
        let r = HttpRequest::post_form("https://x.test/api?a=1", &[("data", "a+b/c="), ("signature", "x y")]);
        assert_eq!(r.method, Method::Post);
        assert_eq!(&r.body[..], b"data=a%2Bb%2Fc%3D&signature=x+y");
        assert_eq!(
            r.header_value("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(r.url_for_log(), "https://x.test/api");
    }

    #[test]
    fn debug_hides_header_values_and_body() {
        let r = HttpRequest::get("https://x.test/p?token=abc")
            .bearer(&Secret::from("tok-123"))
            .body("client_secret=hunter2");
        let d = format!("{r:?}");
        assert!(
            !d.contains("tok-123") && !d.contains("hunter2") && !d.contains("token=abc"),
            "{d}"
        );
        assert!(d.contains("Authorization"));
        let resp = HttpResponse::new(200, "access_token=zzz");
        assert!(!format!("{resp:?}").contains("zzz"));
    }

    #[test]
    fn json_errors_are_unreadable_with_excerpt() {
        let resp = HttpResponse::new(200, "{\"a\":");
        let err = resp.json::<serde_json::Value>("p").unwrap_err();
        assert!(matches!(&err, Error::UnreadableResponse { excerpt, http_status: 200, .. } if excerpt == "{\"a\":"));
        let err = HttpResponse::new(200, "").json::<serde_json::Value>("p").unwrap_err();
        assert!(matches!(err, Error::UnreadableResponse { .. }));
    }

    #[test]
    fn sensitive_bodies_stay_out_of_errors() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Token {
            expires_in: u32,
        }
        let secret = "tok_live_5ecret";
        // serde quotes a rejected string value in its message.
        let plain = HttpResponse::new(200, format!(r#"{{"expires_in":"{secret}"}}"#));
        let err = plain.json::<Token>("p").unwrap_err();
        assert!(
            format!("{err}").contains(secret),
            "the plain path keeps the excerpt: {err}"
        );

        let resp = plain.clone().sensitive();
        assert!(resp.is_sensitive());
        let err = resp.json::<Token>("p").unwrap_err();
        let text = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
        assert!(!text.contains(secret), "{text}");
        assert!(matches!(&err, Error::UnreadableResponse { http_status: 200, .. }));
        assert!(text.contains("line 1 column"), "{text}");

        let err = HttpResponse::new(200, format!(r#"{{"access_token":"{secret}""#))
            .sensitive()
            .json::<Token>("p")
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains(secret), "{err:?}");

        let err = HttpResponse::new(400, format!(r#"{{"error":"bad","token":"{secret}"}}"#))
            .sensitive()
            .status_error("p");
        assert!(!format!("{err} {err:?}").contains(secret), "{err:?}");
        assert!(matches!(
            err,
            Error::Provider {
                http_status: Some(400),
                message: None,
                ..
            }
        ));
        let debug = format!("{:?}", HttpResponse::new(200, secret).sensitive());
        assert!(!debug.contains(secret), "{debug}");
    }
}
