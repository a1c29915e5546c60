//! The platform's own provider QR \[U\]: BeginQrCodePayment and CreateQrCode.
//!
//! Only Katalon's request templates show them (no response, no completing
//! call for BeginQrCodePayment), so these are provisional calls: the
//! requests as the templates show them, the answers kept as JSON text.

use payments_core::{Error, HttpRequest, HttpResponse, Result, Secret};
use serde::Serialize;
use serde_json::value::RawValue;

use super::third_party::{BeginThirdPartyPayment, CreatedQrCode, parse_created_qr_for};
use super::{RawPayload, api_request, check_text, parse_raw};
use crate::{QrWalletConfig, wire};

/// Path segment of BeginQrCodePayment.
pub const BEGIN_QR_CODE_PAYMENT: &str = "BeginQrCodePayment";
/// Path segment of CreateQrCode.
pub const CREATE_QR_CODE: &str = "CreateQrCode";

#[derive(Serialize)]
struct BeginBody<'a> {
    wallet_number: &'a str,
    provider_id: &'a str,
    qr_code: &'a str,
    qr_code_type: u8,
}

/// Builds BeginQrCodePayment \[U\]: the same four fields as Begin3rdPartyQRCodePayment
/// (`wallet_number`, `provider_id`, `qr_code`, `qr_code_type`).
pub fn build_begin_qr_code_payment(
    config: &QrWalletConfig,
    token: &Secret<String>,
    req: &BeginThirdPartyPayment,
) -> Result<HttpRequest> {
    check_text(&req.wallet_number, "wallet_number")?;
    if req.qr_code.is_empty() {
        return Err(Error::invalid_input("qr_code", "is required"));
    }
    let provider_id = req.provider_id.as_deref().unwrap_or(config.provider_id());
    check_text(provider_id, "provider_id")?;
    let body = wire::to_body(&BeginBody {
        wallet_number: &req.wallet_number,
        provider_id,
        qr_code: &req.qr_code,
        qr_code_type: req.qr_code_type.code(),
    })?;
    Ok(api_request(config, token, BEGIN_QR_CODE_PAYMENT, body))
}

/// Parses BeginQrCodePayment's answer \[U\]: the payload as JSON text.
pub fn parse_begin_qr_code_payment(resp: &HttpResponse) -> Result<RawPayload> {
    parse_raw(resp, BEGIN_QR_CODE_PAYMENT)
}

/// CreateQrCode \[U\]: `{provider_id, data: {...}}`; Katalon sends `data: {}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateQrCode {
    /// Overrides the configured provider id.
    pub provider_id: Option<String>,
    /// `data` as JSON object text (`{}` by default).
    pub data: String,
}

impl Default for CreateQrCode {
    fn default() -> Self {
        CreateQrCode {
            provider_id: None,
            data: "{}".to_owned(),
        }
    }
}

impl CreateQrCode {
    /// `{provider_id, data: {}}` with the configured provider id.
    pub fn new() -> Self {
        CreateQrCode::default()
    }

    /// Overrides the configured provider id.
    pub fn provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// Sets `data` from JSON text; it must be a JSON object.
    pub fn data_json(mut self, json: impl Into<String>) -> Result<Self> {
        let json = json.into();
        let ok = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&json).is_ok();
        if !ok {
            return Err(Error::invalid_input("data", "must be a JSON object"));
        }
        self.data = json;
        Ok(self)
    }
}

#[derive(Serialize)]
struct CreateBody<'a> {
    provider_id: &'a str,
    data: &'a RawValue,
}

/// Builds CreateQrCode \[U\]: `{"provider_id": "...", "data": {...}}`.
pub fn build_create_qr_code(
    config: &QrWalletConfig,
    token: &Secret<String>,
    req: &CreateQrCode,
) -> Result<HttpRequest> {
    let provider_id = req.provider_id.as_deref().unwrap_or(config.provider_id());
    check_text(provider_id, "provider_id")?;
    let data: Box<RawValue> =
        serde_json::from_str(&req.data).map_err(|e| Error::invalid_input("data", format!("not JSON: {e}")))?;
    let body = wire::to_body(&CreateBody {
        provider_id,
        data: &data,
    })?;
    Ok(api_request(config, token, CREATE_QR_CODE, body))
}

/// Parses CreateQrCode's answer \[U\]: a QR code from a string payload or a
/// `qr_code` key, the payload kept as text.
pub fn parse_create_qr_code(resp: &HttpResponse) -> Result<CreatedQrCode> {
    parse_created_qr_for(resp, CREATE_QR_CODE)
}
