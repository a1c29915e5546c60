//! The EPoint end-to-end setup every `e2e_epoint*` test starts from: the
//! sandbox, a client configured with its test merchant, the same client behind
//! the facade, and a callback receiver registered as the merchant's callback
//! URL (EPoint posts to the dashboard URL, not one given per payment).

use std::sync::Arc;

use payments::epoint::{EpointClient, EpointConfig};
use payments::{AnyProvider, PaymentProvider};
use payments_sandbox::Sandbox;

use crate::receiver::Receiver;

/// What a test starts with.
pub struct EpointSetup {
    /// The in-process sandbox.
    pub sandbox: Sandbox,
    /// The EPoint client (EPoint-specific operations).
    pub client: EpointClient,
    /// The same configuration behind the facade.
    pub provider: Arc<AnyProvider>,
    /// The merchant's callback endpoint, verifying through `provider`.
    pub receiver: Receiver,
    /// The customer's browser.
    pub web: reqwest::Client,
}

/// Why the setup could not start.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

impl EpointSetup {
    /// Starts everything; `web` is the customer's browser (a test that reads
    /// redirects passes one that does not follow them).
    pub async fn start(web: reqwest::Client) -> Result<EpointSetup, SetupError> {
        let sandbox = Sandbox::start().await?;
        let state = &sandbox.providers().epoint;
        let config = EpointConfig::builder()
            .public_key(state.public_key())
            .private_key(state.private_key())
            .base_url(sandbox.epoint_url())
            .success_redirect_url("https://shop.example/ok")
            .failed_redirect_url("https://shop.example/fail")
            .build()?;
        let client = EpointClient::new(config.clone())?;
        let provider = Arc::new(AnyProvider::from(EpointClient::new(config)?));
        let verifier = provider.clone();
        let receiver = Receiver::start(Arc::new(move |body: &[u8]| verifier.verify_callback(body))).await?;
        if !state.set_callback_url(state.public_key(), &receiver.url) {
            return Err("the sandbox does not know its own test merchant".into());
        }
        Ok(EpointSetup {
            sandbox,
            client,
            provider,
            receiver,
            web,
        })
    }
}

/// What the customer does on the hosted page: posts `action` ("approve",
/// "decline") with `card`, and returns the sandbox's `x-sandbox-outcome`.
pub async fn press(web: &reqwest::Client, page: &str, action: &str, card: &str) -> Result<String, SetupError> {
    let resp = web
        .post(page)
        .form(&[("action", action), ("card", card)])
        .send()
        .await?;
    if resp.status() != reqwest::StatusCode::OK {
        return Err(format!("the hosted page answered {}", resp.status()).into());
    }
    let outcome = resp
        .headers()
        .get("x-sandbox-outcome")
        .ok_or("no x-sandbox-outcome header")?
        .to_str()?;
    Ok(outcome.to_owned())
}
