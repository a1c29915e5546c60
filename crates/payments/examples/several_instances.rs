//! A merchant backend running as several instances: one Redis holds the
//! state the SDK keeps for safety, so every instance sees the same.
//!
//! - AzeriCard's replay store: a callback accepted on one instance is
//!   refused as a replay on every other.
//! - The ePay and QR wallet token caches: one token fetch for all
//!   instances, and a token rejected on one is dropped for all.
//! - Callback dedupe for every provider: each event is processed once,
//!   whichever instance receives it.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/0 AZERICARD_... EPAY_... QR_WALLET_... \
//!   cargo run -p payments --example several_instances --features full,redis
//! ```
//!
//! It builds the clients and exits; `handle_callback` is the shape of a
//! callback endpoint (see each provider's guide for its axum extractor).

use std::sync::Arc;
use std::time::Duration;

use payments::store::redis::RedisStore;
use payments::store::{OnceStore, TokenStore};
use payments::{AnyProvider, Money, PaymentProvider, Result};

/// How long a processed event is remembered (longer than any provider's redelivery).
const DEDUPE_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

#[tokio::main]
async fn main() -> Result<()> {
    let url = std::env::var("REDIS_URL").map_err(|_| payments::Error::config("REDIS_URL is not set"))?;
    // One multiplexed connection per process; scoped views share it.
    let redis = RedisStore::builder(url).build()?;

    // AzeriCard: replay protection shared by every instance.
    let azericard_config = payments::azericard::AzericardConfig::from_env()?;
    let replay: payments::store::SharedOnceStore = Arc::new(redis.scoped("shop-1", "azericard")?);
    let _azericard = payments::azericard::AzericardClient::builder(azericard_config)
        .replay_store(replay)
        .build()?;
    // ePay and the QR wallet: one shared token per client id and token kind.
    let epay_tokens: Arc<dyn TokenStore> = Arc::new(redis.scoped("shop-1", "epay-kz")?);
    let _epay = payments::epay_kz::EpayClient::builder(payments::epay_kz::EpayConfig::from_env()?)
        .token_store(epay_tokens)
        .build()?;
    let qr_tokens: Arc<dyn TokenStore> = Arc::new(redis.scoped("shop-1", "qr-wallet")?);
    let _qr = payments::qr_wallet::QrWalletClient::builder(payments::qr_wallet::QrWalletConfig::from_env()?)
        .token_store(qr_tokens)
        .build()?;
    Ok(())
}

/// What a callback endpoint does on any instance: verify, confirm, process once.
/// Answer 200 for `Ok(_)`, 4xx for a rejected callback, 503 when Redis is down
/// (`Error::StoreUnavailable`: the provider delivers again later).
#[allow(dead_code)]
async fn handle_callback(
    provider: &AnyProvider,
    dedupe: &RedisStore,
    body: &[u8],
    expected_order: &str,
    expected_amount: Money,
) -> Result<bool> {
    let event = provider.verify_callback(body)?;
    let confirmed = provider.confirm_callback(event).await?;
    confirmed.ensure_paid(expected_order, expected_amount)?;
    if !dedupe.mark_once(confirmed.dedupe_key(), DEDUPE_FOR).await? {
        return Ok(false); // another instance (or an earlier delivery) did it
    }
    if let Err(e) = fulfil(expected_order).await {
        // Let the provider's next delivery try again.
        dedupe.release(confirmed.dedupe_key()).await?;
        return Err(e);
    }
    Ok(true)
}

async fn fulfil(_order: &str) -> Result<()> {
    Ok(())
}
