//! The HTTP server under the emulators, hardened against slow and large
//! requests (see `docs/sandbox.md`, "Limits").
//!
//! - **Headers**: hyper's `header_read_timeout` closes a connection whose
//!   request head is not complete within [`Limits::header_timeout`] (a client
//!   dripping one byte every few hundred milliseconds is cut off).
//! - **Bodies**: [`limit_body`] reads the whole body before any handler runs,
//!   with a deadline for the *whole* body ([`Limits::body_timeout`], not per
//!   chunk, so a drip cannot keep it alive) and a per-route size cap
//!   ([`body_limit_for`]); it answers 408 or 413 itself.
//! - **Connections**: at most [`Limits::max_connections`] at once; further ones
//!   wait in the kernel's backlog.
//!
//! The same two protections belong in front of the provider crates' axum
//! callback extractors; `docs/sandbox.md` shows how to reuse [`limit_body`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Server-side limits against slow or oversized requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time allowed for a request's head (request line and headers), from the
    /// first byte; default 10 s.
    pub header_timeout: Duration,
    /// Time allowed for a request's whole body; default 10 s.
    pub body_timeout: Duration,
    /// Connections served at once; default 1024.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// Body cap of an OAuth / identity token request (form fields only).
pub const TOKEN_BODY_LIMIT: usize = 8 * 1024;
/// Body cap of an ePay or QR wallet JSON API call and of the hosted pages' forms.
pub const API_BODY_LIMIT: usize = 64 * 1024;
/// Body cap of every other route (EPoint and AzeriCard forms).
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// The body cap of a path (see the table in `docs/sandbox.md`).
pub fn body_limit_for(path: &str) -> usize {
    if path.ends_with("/oauth2/token") || path.ends_with("/connect/token") {
        TOKEN_BODY_LIMIT
    } else if path.starts_with("/epay/") || path.starts_with("/qr/") {
        API_BODY_LIMIT
    } else {
        DEFAULT_BODY_LIMIT
    }
}

/// Middleware: reads the whole body within `timeout`, refusing more than the
/// path's [`body_limit_for`] (413) or a body that takes too long (408).
pub async fn limit_body(timeout: Duration, request: Request, next: Next) -> Response {
    let limit = body_limit_for(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Err(_) => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                [(header::CONNECTION, "close")],
                "request body not received in time",
            )
                .into_response();
        }
        Ok(Err(_)) => return too_large(limit),
        Ok(Ok(bytes)) => bytes,
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn too_large(limit: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONNECTION, "close")],
        format!("request body larger than {limit} bytes"),
    )
        .into_response()
}

/// Adds [`limit_body`] to a router.
pub fn with_limits(router: Router, limits: Limits) -> Router {
    let timeout = limits.body_timeout;
    router.layer(axum::middleware::from_fn(move |req: Request, next: Next| {
        limit_body(timeout, req, next)
    }))
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted: std::io::Result<(tokio::net::TcpStream, SocketAddr)> = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let Ok((stream, _peer)) = accepted else {
            // Out of file descriptors and the like: back off briefly.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        builder.http2().timer(TokioTimer::new());
        let service = TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    // Give requests in flight a moment, then drop the rest.
    let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
}
