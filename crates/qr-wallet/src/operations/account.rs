//! AddProviderMediaToWallet: the one-time setup that enables a partner's QR
//! (Metropol) for a wallet before Begin3rdPartyQRCodePayment can use it
//! (walletapi.sipay.com.tr/tr/metropol-kart-entegrasyonu).

use payments_core::{HttpRequest, HttpResponse, Result, Secret};
use serde::Serialize;

use super::{api_request_at, check_text};
use crate::{QrWalletConfig, wire};

/// Path segment of AddProviderMediaToWallet (under `/v1/Account/`).
pub const ADD_PROVIDER_MEDIA: &str = "AddProviderMediaToWallet";

/// AddProviderMediaToWallet: `{account_number, wallet_number, provider_id, media_key?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddProviderMedia {
    /// The wallet holder's account number.
    pub account_number: String,
    /// The wallet number.
    pub wallet_number: String,
    /// The partner (`"Metropol"` in Sipay's sample); the configured provider id when `None`.
    pub provider_id: Option<String>,
    /// Optional media key.
    pub media_key: Option<String>,
}

impl AddProviderMedia {
    /// Enables the configured provider for `wallet_number` of `account_number`.
    pub fn new(account_number: impl Into<String>, wallet_number: impl Into<String>) -> Self {
        AddProviderMedia {
            account_number: account_number.into(),
            wallet_number: wallet_number.into(),
            provider_id: None,
            media_key: None,
        }
    }

    /// Another provider than the configured one.
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// Sets the media key.
    pub fn media_key(mut self, key: impl Into<String>) -> Self {
        self.media_key = Some(key.into());
        self
    }
}

#[derive(Serialize)]
struct Body<'a> {
    account_number: &'a str,
    wallet_number: &'a str,
    provider_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_key: Option<&'a str>,
}

/// Builds `POST {api}/v1/Account/AddProviderMediaToWallet`; `media_key` only when set.
pub fn build_add_provider_media(
    config: &QrWalletConfig,
    token: &Secret<String>,
    req: &AddProviderMedia,
) -> Result<HttpRequest> {
    check_text(&req.account_number, "account_number")?;
    check_text(&req.wallet_number, "wallet_number")?;
    let provider_id = req.provider_id.as_deref().unwrap_or(config.provider_id());
    check_text(provider_id, "provider_id")?;
    if let Some(key) = req.media_key.as_deref() {
        check_text(key, "media_key")?;
    }
    let body = wire::to_body(&Body {
        account_number: &req.account_number,
        wallet_number: &req.wallet_number,
        provider_id,
        media_key: req.media_key.as_deref(),
    })?;
    Ok(api_request_at(config, token, "Account", ADD_PROVIDER_MEDIA, body))
}

/// Parses the answer: `payload: true` (status 0, code "100") is done;
/// any other payload is unreadable (the call's effect is then unknown).
pub fn parse_add_provider_media(resp: &HttpResponse) -> Result<()> {
    let payload = wire::open(resp, ADD_PROVIDER_MEDIA)?;
    match payload.map(str::trim) {
        Some("true") => Ok(()),
        other => Err(wire::unreadable(
            resp.status,
            format!("AddProviderMediaToWallet answered payload {other:?}, not true"),
            &resp.body,
            None,
        )),
    }
}
