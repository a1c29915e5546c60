//! An offline emulator of the four providers: EPoint, AzeriCard, ePay (Halyk
//! Bank) and the Turkish QR wallet.
//!
//! It implements each provider's *server* side from the provider documents,
//! never importing a provider crate, so an end-to-end test checks two
//! independent readings of the spec against each other. It is strict (it
//! verifies every signature, token and required field as the provider would
//! and answers in the provider's error format), stateful (in memory, safe
//! under concurrent requests), serves hosted pages where a test or a person
//! approves or declines, and delivers signed callbacks with retries.
//!
//! Every provider lives under its own path prefix of one loopback server:
//! `/epoint`, `/azericard`, `/epay`, `/qr`. Time is a [`ManualClock`] that
//! tests advance to expire tokens and sessions without sleeping.
//!
//! Test credentials come from each emulator's state (`sandbox.providers()`);
//! scenarios (test cards, magic amounts) are in [`scenario`]; everything is
//! documented in `docs/sandbox.md`.
//!
//! It must not fall over under hostile input: the [`server`] cuts slow
//! clients (header and whole-body read timeouts) and caps bodies per route,
//! every store is a [`bounded::BoundedMap`] (a cap and a TTL), and no request
//! does its work while holding a lock another request needs. JSON bodies are
//! read by one exact scanner shared by the emulators (numbers kept as text,
//! repeated keys refused).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = payments_sandbox::Sandbox::start().await?;
//! println!("EPoint API at {}", sandbox.epoint_url());
//! let epoint = &sandbox.providers().epoint;
//! epoint.set_callback_url(epoint.public_key(), "http://127.0.0.1:3000/epoint/callback");
//! println!("AzeriCard terminal {}", sandbox.providers().azericard.terminal());
//! # Ok(()) }
//! ```

// docs.rs builds with `--cfg docsrs`: show which feature each gated item needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use payments_core::clock::ManualClock;

pub mod azericard;
pub mod bounded;
pub mod console;
pub mod control;
pub mod delivery;
pub mod epay;
pub mod epoint;
pub(crate) mod hosted;
pub(crate) mod json;
pub mod qr;
pub mod scenario;
pub mod server;

pub use delivery::{Attempt, Deliveries, DeliveryRecord};

/// State shared by every provider emulator.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The sandbox's clock; tests advance it.
    pub clock: ManualClock,
    /// Callback deliveries and their log.
    pub deliveries: Deliveries,
    /// The server's base URL (`http://127.0.0.1:PORT`), for hosted-page links.
    pub base_url: String,
}

/// Options for [`Sandbox::start_with`].
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// Address to bind (default `127.0.0.1:0`, a random loopback port).
    pub addr: Option<SocketAddr>,
    /// AzeriCard: the merchant's RSA public key (PEM) used to verify P_SIGN of
    /// incoming requests. Default: the public half of the project's throwaway test key.
    pub azericard_merchant_public_key_pem: Option<String>,
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    state: Arc<ProviderStates>,
    control: Arc<control::Control>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Every provider emulator's state.
#[derive(Debug)]
pub struct ProviderStates {
    /// EPoint.
    pub epoint: Arc<epoint::State>,
    /// AzeriCard.
    pub azericard: Arc<azericard::State>,
    /// ePay.
    pub epay: Arc<epay::State>,
    /// QR wallet.
    pub qr: Arc<qr::State>,
}

impl Sandbox {
    /// Starts the sandbox on a random loopback port with default options.
    pub async fn start() -> std::io::Result<Sandbox> {
        Sandbox::start_with(SandboxOptions::default()).await
    }

    /// Starts the sandbox with options and the default [`server::Limits`].
    pub async fn start_with(options: SandboxOptions) -> std::io::Result<Sandbox> {
        Sandbox::start_with_limits(options, server::Limits::default()).await
    }

    /// Starts the sandbox with options and server limits (header and body read
    /// timeouts, connection cap).
    pub async fn start_with_limits(options: SandboxOptions, limits: server::Limits) -> std::io::Result<Sandbox> {
        let addr = options.addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            clock: ManualClock::starting_now(),
            deliveries: Deliveries::new(),
            base_url: format!("http://{addr}"),
        });
        let state = Arc::new(ProviderStates {
            epoint: Arc::new(epoint::State::new(shared.clone())),
            azericard: Arc::new(azericard::State::new(shared.clone(), &options)?),
            epay: Arc::new(epay::State::new(shared.clone())),
            qr: Arc::new(qr::State::new(shared.clone())),
        });
        let provider_app = Router::new()
            .nest("/epoint", epoint::router(state.epoint.clone()))
            .nest("/azericard", azericard::router(state.azericard.clone()))
            .nest("/epay", epay::router(state.epay.clone()))
            .nest("/qr", qr::router(state.qr.clone()));
        let control = Arc::new(control::Control {
            clock: control::ClockControl::new(shared.clock.clone()),
            requests: control::RequestLog::default(),
            shared: shared.clone(),
            providers: state.clone(),
            provider_app: provider_app.clone(),
        });
        spawn_clock_ticker(Arc::downgrade(&control));
        let app = provider_app
            .nest("/_sandbox", control::router(control.clone()))
            .merge(console::router(control.clone()));
        let app = server::with_limits(app, limits);
        // Outermost: even a 408/413 from the limits carries the marker and an id.
        let log = control.requests.clone();
        let app = app.layer(axum::middleware::from_fn(move |req, next| {
            control::requests::observe(log.clone(), req, next)
        }));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server::serve(listener, app, limits, async {
            let _ = rx.await;
        }));
        Ok(Sandbox {
            addr,
            shared,
            state,
            control,
            shutdown: Some(tx),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// EPoint's base URL (the client appends `/api/1/...`).
    pub fn epoint_url(&self) -> String {
        format!("{}/epoint", self.shared.base_url)
    }

    /// AzeriCard's base URL (see [`azericard`] for the paths under it).
    pub fn azericard_url(&self) -> String {
        format!("{}/azericard", self.shared.base_url)
    }

    /// ePay's base URL (see [`epay`] for the OAuth and API paths under it).
    pub fn epay_url(&self) -> String {
        format!("{}/epay", self.shared.base_url)
    }

    /// The QR wallet's base URL (see [`qr`] for the identity and API paths under it).
    pub fn qr_url(&self) -> String {
        format!("{}/qr", self.shared.base_url)
    }

    /// The sandbox clock: advance it to expire tokens, sessions and invoices.
    pub fn clock(&self) -> &ManualClock {
        &self.shared.clock
    }

    /// The callback deliveries made so far.
    pub fn deliveries(&self) -> &Deliveries {
        &self.shared.deliveries
    }

    /// The control API's state: the clock's mode, the request log.
    pub fn control(&self) -> &control::Control {
        &self.control
    }

    /// Each provider emulator's state (credentials, transactions).
    pub fn providers(&self) -> &ProviderStates {
        &self.state
    }
}

/// Refreshes a running clock every [`control::clock::TICK`] until the sandbox is gone.
fn spawn_clock_ticker(control: std::sync::Weak<control::Control>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(control::clock::TICK).await;
            match control.upgrade() {
                Some(c) => c.clock.tick(),
                None => return,
            }
        }
    });
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
