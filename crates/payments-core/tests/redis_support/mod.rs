//! Helpers of the token and Redis tests: a raw HTTP GET (the token "fetch"
//! the tests count with wiremock), `tracing` capture, and a real
//! `redis-server` started on a free loopback port.
#![allow(dead_code)]

pub mod redis_server;

use std::time::Duration;

use payments_core::token_cache::FetchedToken;
use payments_core::{Error, Result, Secret};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// GETs `url` (`http://127.0.0.1:port/path`) and returns the status and body.
pub async fn http_get(url: &str) -> std::io::Result<(u16, String)> {
    let rest = url.trim_start_matches("http://");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = tokio::net::TcpStream::connect(authority).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A token fetch against an identity server: 200 with the token as the body,
/// anything else is a provider error.
pub async fn fetch_token(url: String, expires_in: Duration) -> Result<FetchedToken> {
    match http_get(&url).await {
        Ok((200, body)) => Ok(FetchedToken {
            token: Secret::new(body),
            expires_in,
        }),
        Ok((status, _)) => Err(Error::provider("idp", None, None, Some(status))),
        Err(e) => Err(Error::config(format!("idp unreachable: {e}"))),
    }
}

/// Log lines captured from this thread's `tracing` events.
pub struct Logs {
    buffer: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Logs {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap()).into_owned()
    }
}

#[derive(Clone)]
struct Writer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures the `tracing` events of the current thread (run the test on the
/// current-thread runtime) until the returned value is dropped.
pub fn capture_logs() -> Logs {
    let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writer = Writer(buffer.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    Logs {
        buffer,
        _guard: tracing::subscriber::set_default(subscriber),
    }
}
