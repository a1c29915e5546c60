//! TR Karekod (the BKM/TCMB TR QR standard): ReadTRQRCode reads a scanned
//! code, GetTRQRCode reads a generated code's state
//! (walletapi.sipay.com.tr/en/tr-qr-code, /en/tr-qr-code/get-tr-qr-code).
//! Both answer `status 0, code null` on success; an expired code is status 2,
//! code "324". Paying a TR QR from a wallet is not documented.

use std::time::Duration;

use payments_core::{Error, HttpRequest, HttpResponse, Money, PaymentStatus, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::api_request;
use crate::amount::tr_qr_amount;
use crate::{PROVIDER, QrWalletConfig, wire};

/// Path segment of ReadTRQRCode.
pub const READ_TR_QR: &str = "ReadTRQRCode";
/// Path segment of GetTRQRCode.
pub const GET_TR_QR: &str = "GetTRQRCode";

#[derive(Serialize)]
struct ReadBody<'a> {
    #[serde(rename = "QRCode")]
    qr_code: &'a str,
}

/// Builds ReadTRQRCode: `{"QRCode": "<scanned text>"}` (PascalCase key), the
/// text passed through unchanged.
pub fn build_read_tr_qr(config: &QrWalletConfig, token: &Secret<String>, qr_code: &str) -> Result<HttpRequest> {
    if qr_code.is_empty() {
        return Err(Error::invalid_input("QRCode", "is required"));
    }
    Ok(api_request(
        config,
        token,
        READ_TR_QR,
        wire::to_body(&ReadBody { qr_code })?,
    ))
}

/// A scanned TR QR (ReadTRQRCode's payload). Field names as Sipay's table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TrQrCode {
    /// 0 on success (a non-zero code is returned as a provider error).
    #[serde(rename = "resultCode", default, deserialize_with = "wire::opt_int")]
    pub result_code: Option<i64>,
    /// Result text.
    #[serde(rename = "resultDescription", default, deserialize_with = "wire::opt_text")]
    pub result_description: Option<String>,
    /// Message reference (uuid).
    #[serde(rename = "messageReferenceNumber", default, deserialize_with = "wire::opt_text")]
    pub message_reference_number: Option<String>,
    /// `dateh` as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub dateh: Option<String>,
    /// Country (`TR`).
    #[serde(rename = "countryCode", default, deserialize_with = "wire::opt_text")]
    pub country_code: Option<String>,
    /// Whether the code carries an amount (as sent).
    #[serde(rename = "amountAvailable", default, deserialize_with = "wire::opt_int")]
    pub amount_available: Option<i64>,
    /// Transaction type.
    #[serde(rename = "transactionType", default, deserialize_with = "wire::opt_int")]
    pub transaction_type: Option<i64>,
    /// Terminal type.
    #[serde(rename = "terminalType", default, deserialize_with = "wire::opt_int")]
    pub terminal_type: Option<i64>,
    /// Supported schema.
    #[serde(rename = "supportedSchema", default, deserialize_with = "wire::opt_text")]
    pub supported_schema: Option<String>,
    /// Supported brand.
    #[serde(rename = "supportedBrand", default, deserialize_with = "wire::opt_text")]
    pub supported_brand: Option<String>,
    /// Installments (`"01"`).
    #[serde(rename = "installmentNumber", default, deserialize_with = "wire::opt_text")]
    pub installment_number: Option<String>,
    /// The amount's JSON text as sent (`"000000070062"`); see [`TrQrCode::amount`].
    #[serde(default, deserialize_with = "wire::opt_json")]
    pub amount: Option<String>,
    /// Merchant category code.
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub mcc: Option<i64>,
    /// ISO 4217 numeric currency (949 = TRY).
    #[serde(rename = "currencyCode", default, deserialize_with = "wire::opt_int")]
    pub currency_code: Option<i64>,
    /// Merchant name.
    #[serde(rename = "merchantName", default, deserialize_with = "wire::opt_text")]
    pub merchant_name: Option<String>,
    /// Merchant city.
    #[serde(rename = "merchantCity", default, deserialize_with = "wire::opt_text")]
    pub merchant_city: Option<String>,
    /// Postal code.
    #[serde(rename = "postalCode", default, deserialize_with = "wire::opt_text")]
    pub postal_code: Option<String>,
    /// When the code was generated, as sent.
    #[serde(rename = "qrGenerationDate", default, deserialize_with = "wire::opt_text")]
    pub qr_generation_date: Option<String>,
    /// When the code expires, as sent.
    #[serde(rename = "qrExpireDate", default, deserialize_with = "wire::opt_text")]
    pub qr_expire_date: Option<String>,
    /// Merchant id.
    #[serde(rename = "merchantId", default, deserialize_with = "wire::opt_text")]
    pub merchant_id: Option<String>,
    /// Terminal id.
    #[serde(rename = "terminalId", default, deserialize_with = "wire::opt_text")]
    pub terminal_id: Option<String>,
    /// Merchant IBAN (a business account).
    #[serde(rename = "merchantIban", default, deserialize_with = "wire::opt_text")]
    pub merchant_iban: Option<String>,
    /// Response MAC (base64), as sent; no source says how to verify it.
    #[serde(rename = "responseMac", default, deserialize_with = "wire::opt_text")]
    pub response_mac: Option<String>,
    /// Creator code.
    #[serde(rename = "qrCreaterCode", default, deserialize_with = "wire::opt_text")]
    pub qr_creater_code: Option<String>,
    /// Reference number (what GetTRQRCode takes).
    #[serde(rename = "qrRefNo", default, deserialize_with = "wire::opt_text")]
    pub qr_ref_no: Option<String>,
    /// Processing code.
    #[serde(rename = "processingCode", default, deserialize_with = "wire::opt_text")]
    pub processing_code: Option<String>,
    /// Location data.
    #[serde(rename = "locationData", default, deserialize_with = "wire::opt_text")]
    pub location_data: Option<String>,
}

impl TrQrCode {
    /// The amount as [`Money`]: a 12-digit string is kuruş
    /// (`"000000070062"` = 700.62 TRY), otherwise a TRY decimal. `None`
    /// when the code carries no amount; an error for a currency other than
    /// 949 (TRY) or an unreadable amount.
    pub fn amount(&self) -> Result<Option<Money>> {
        let Some(raw) = self.amount.as_deref() else {
            return Ok(None);
        };
        match self.currency_code {
            None | Some(949) => {}
            Some(other) => {
                return Err(Error::invalid_input(
                    "currencyCode",
                    format!("unexpected currency {other} (only 949, TRY, is known)"),
                ));
            }
        }
        tr_qr_amount(raw, "amount").map(Some)
    }
}

/// Parses ReadTRQRCode's answer; a non-zero `resultCode` is a provider error
/// with that code and `resultDescription`.
pub fn parse_read_tr_qr(resp: &HttpResponse) -> Result<TrQrCode> {
    let payload = wire::open(resp, READ_TR_QR)?;
    let payload = wire::require_payload(resp, payload)?;
    let code: TrQrCode = wire::decode(resp, payload, "ReadTRQRCode payload")?;
    if let Some(rc) = code.result_code
        && rc != 0
    {
        return Err(Error::provider(
            PROVIDER,
            Some(rc.to_string()),
            code.result_description.clone(),
            Some(resp.status),
        ));
    }
    // The amount is checked now, so that a bad one is an error here, not later.
    code.amount()
        .map_err(|e| wire::unreadable(resp.status, e.to_string(), payload.as_bytes(), None))?;
    Ok(code)
}

#[derive(Serialize)]
struct GetBody<'a> {
    #[serde(rename = "QrRefNo")]
    qr_ref_no: &'a str,
}

/// Builds GetTRQRCode: `{"QrRefNo": "<qrRefNo>"}`.
pub fn build_get_tr_qr(config: &QrWalletConfig, token: &Secret<String>, qr_ref_no: &str) -> Result<HttpRequest> {
    super::check_text(qr_ref_no, "QrRefNo")?;
    Ok(api_request(
        config,
        token,
        GET_TR_QR,
        wire::to_body(&GetBody { qr_ref_no })?,
    ))
}

/// A generated TR QR's state (GetTRQRCode).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TrQrState {
    /// The QR text.
    pub qr_code: Option<String>,
    /// Its reference number.
    pub qr_ref_no: Option<String>,
    /// The paying card (personal data: not in `Debug`).
    pub card_no: Option<String>,
    /// Creation time, as sent.
    pub create_date: Option<String>,
    /// Expiry time, as sent.
    pub expire_date: Option<String>,
    /// Time left, from `expire_in_seconds` (a duration string such as `"01:00:00"`).
    pub expires_in: Option<Duration>,
    /// `status` as sent (100 WaitForPayment, 200 Approved, 300 Canceled, 400 Expire).
    pub status_code: Option<i64>,
    /// `status` mapped.
    pub status: PaymentStatus,
    /// Last status message.
    pub last_status_message: Option<String>,
    /// Last status time, as sent.
    pub last_status_date: Option<String>,
    /// The payment's correlation id, once paid.
    pub tx_correlation_id: Option<String>,
    /// The merchant's id, as sent.
    pub ext_transaction_id: Option<String>,
}

impl std::fmt::Debug for TrQrState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrQrState")
            .field("qr_ref_no", &self.qr_ref_no)
            .field("status_code", &self.status_code)
            .field("status", &self.status)
            .field("expires_in", &self.expires_in)
            .field("tx_correlation_id", &self.tx_correlation_id)
            .field("ext_transaction_id", &self.ext_transaction_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct StateWire<'a> {
    #[serde(default, deserialize_with = "wire::opt_text")]
    qr_code: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    qr_ref_no: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    card_no: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    create_date: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    expire_date: Option<String>,
    #[serde(default, borrow)]
    expire_in_seconds: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "wire::opt_int")]
    status: Option<i64>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    last_status_message: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    last_status_date: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    tx_correlation_id: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_text")]
    ext_transaction_id: Option<String>,
}

/// Parses GetTRQRCode's answer.
pub fn parse_get_tr_qr(resp: &HttpResponse) -> Result<TrQrState> {
    let payload = wire::open(resp, GET_TR_QR)?;
    let payload = wire::require_payload(resp, payload)?;
    let w: StateWire<'_> = wire::decode(resp, payload, "GetTRQRCode payload")?;
    let bad = |reason: String| wire::unreadable(resp.status, reason, payload.as_bytes(), None);
    let expires_in = match w.expire_in_seconds.map(|r| r.get().trim()) {
        None | Some("null") => None,
        Some(raw) if raw.starts_with('"') => {
            let text: String = serde_json::from_str(raw).map_err(|e| bad(format!("expire_in_seconds: {e}")))?;
            Some(parse_time_span(&text).ok_or_else(|| bad(format!("expire_in_seconds {text:?} is not hh:mm:ss")))?)
        }
        // A bare number of seconds, should the field ever match its name.
        Some(raw) => {
            Some(Duration::from_secs(raw.parse::<u64>().map_err(|_| {
                bad(format!("expire_in_seconds {raw} is not a duration"))
            })?))
        }
    };
    let status = match w.status {
        Some(code) => super::qr_payment::map_qr_status_code(code).unwrap_or(PaymentStatus::Unknown(code.to_string())),
        None => PaymentStatus::Unknown(String::new()),
    };
    Ok(TrQrState {
        qr_code: w.qr_code,
        qr_ref_no: w.qr_ref_no,
        card_no: w.card_no,
        create_date: w.create_date,
        expire_date: w.expire_date,
        expires_in,
        status_code: w.status,
        status,
        last_status_message: w.last_status_message,
        last_status_date: w.last_status_date,
        tx_correlation_id: w.tx_correlation_id,
        ext_transaction_id: w.ext_transaction_id,
    })
}

/// A .NET `TimeSpan` text: `[d.]hh:mm:ss[.fffffff]` (`"01:00:00"` is one hour).
pub fn parse_time_span(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (days, rest) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, _) = head.split_once('.')?;
            (d.parse::<u64>().ok()?, &text[d.len() + 1..])
        }
        _ => (0, text),
    };
    let mut parts = rest.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |t: &str, max: u64| {
        let v = (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u64>().ok())
            .flatten()?;
        (v <= max).then_some(v)
    };
    let (sec, frac) = match s.split_once('.') {
        Some((sec, frac)) if !frac.is_empty() && frac.len() <= 9 && frac.bytes().all(|b| b.is_ascii_digit()) => {
            let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
            (sec, nanos)
        }
        Some(_) => return None,
        None => (s, 0),
    };
    let secs = days
        .checked_mul(86_400)?
        .checked_add(num(h, 23)? * 3600 + num(m, 59)? * 60 + num(sec, 59)?)?;
    Some(Duration::new(secs, frac))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn time_spans() {
        assert_eq!(parse_time_span("01:00:00"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_time_span("00:04:59"), Some(Duration::from_secs(299)));
        assert_eq!(parse_time_span("1.02:03:04"), Some(Duration::from_secs(93_784)));
        assert_eq!(parse_time_span("00:00:01.5"), Some(Duration::from_millis(1500)));
        for bad in [
            "",
            "3600",
            "1:00:00",
            "24:00:00",
            "00:60:00",
            "00:00:00.",
            "a.01:00:00",
            "01:00:00:00",
        ] {
            assert_eq!(parse_time_span(bad), None, "{bad}");
        }
    }
}
