//! The connect phase, made recognisable by type.
//!
//! reqwest reports a connect timeout and a read timeout alike as "timed out",
//! and the wall clock cannot tell them apart either (a caller's read timeout
//! fires before the total timeout). So the executor wraps reqwest's connector
//! in [`ConnectLayer`]: every failure of the connector (DNS, refused, TLS
//! handshake, the core's own connect timeout) comes back as a
//! [`ConnectError`], which the classifier finds in the error's source chain.
//! Only a connector failure proves that no byte of the request was written.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::error::BoxError;

/// A failure of the connect phase: no byte of the request was written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConnectError {
    /// The connection (TCP, and TLS where used) was not up within the connect timeout.
    #[error("connect timed out after {0:?}")]
    TimedOut(Duration),
    /// The connector failed (DNS, refused, unreachable, TLS handshake).
    #[error("could not connect")]
    Failed(#[source] BoxError),
}

/// A tower layer over reqwest's connector: the core's connect timeout, and
/// every connector error wrapped in [`ConnectError`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectLayer {
    timeout: Duration,
}

impl ConnectLayer {
    pub(crate) fn new(timeout: Duration) -> ConnectLayer {
        ConnectLayer { timeout }
    }
}

impl<S> tower::Layer<S> for ConnectLayer {
    type Service = ConnectService<S>;

    fn layer(&self, inner: S) -> ConnectService<S> {
        ConnectService {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service [`ConnectLayer`] builds.
#[derive(Debug, Clone)]
pub(crate) struct ConnectService<S> {
    inner: S,
    timeout: Duration,
}

type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

impl<S, R> tower::Service<R> for ConnectService<S>
where
    S: tower::Service<R, Error = BoxError>,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Connecting<S::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner
            .poll_ready(cx)
            .map_err(|e| Box::new(ConnectError::Failed(e)) as BoxError)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let connecting = self.inner.call(request);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(Ok(conn)) => Ok(conn),
                Ok(Err(e)) => Err(Box::new(ConnectError::Failed(e)) as BoxError),
                Err(_elapsed) => Err(Box::new(ConnectError::TimedOut(timeout)) as BoxError),
            }
        })
    }
}

/// The [`ConnectError`] in `err`'s source chain, if the connect phase failed.
pub(crate) fn connect_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a ConnectError> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<ConnectError>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}
