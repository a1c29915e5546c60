//! A merchant's callback endpoint: a small axum server that verifies every
//! callback it receives and records the outcome.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use payments_core::{CallbackEvent, Result};

/// A verifier: the provider's callback check.
pub type Verify = Arc<dyn Fn(&[u8]) -> Result<CallbackEvent> + Send + Sync>;

/// One callback as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The raw body.
    pub body: Bytes,
    /// The verified event, or the rejection as text.
    pub verified: std::result::Result<CallbackEvent, String>,
}

#[derive(Clone)]
struct AppState {
    verify: Verify,
    log: Arc<Mutex<Vec<Received>>>,
}

/// A running receiver.
pub struct Receiver {
    /// The URL to give the provider (`http://127.0.0.1:PORT/callback`).
    pub url: String,
    log: Arc<Mutex<Vec<Received>>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver").field("url", &self.url).finish()
    }
}

async fn handle(State(state): State<AppState>, body: Bytes) -> StatusCode {
    let verified = (state.verify)(&body).map_err(|e| e.to_string());
    let status = if verified.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    };
    state
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Received { body, verified });
    status
}

impl Receiver {
    /// Starts a receiver on a random loopback port that answers 200 to a
    /// callback `verify` accepts and 401 otherwise.
    pub async fn start(verify: Verify) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new().route("/callback", post(handle)).with_state(AppState {
            verify,
            log: log.clone(),
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Receiver {
            url: format!("http://{addr}/callback"),
            log,
            _shutdown: tx,
        })
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until `n` callbacks arrived (or the timeout passes) and returns them.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
