//! Every operation EPoint documents, one file per family (the 15 that the
//! reference client integrify wraps, and those beyond it; `[U]` in a
//! module's docs marks an operation known from one source only, which may
//! differ in production). Each has a pure `build_*`
//! function (typed request to signed [`HttpRequest`]) and a pure `parse_*`
//! function ([`HttpResponse`](payments_core::HttpResponse) to typed response).

use payments_core::{Currency, Error, HttpRequest, Method, Money, Result};
use serde::Serialize;

use crate::config::{EpointConfig, RequestEncoding};
use crate::signature::{self, SignedPayload};
use crate::wire;

/// The builder setters of the optional fields that several request types
/// share, written once: `optional_setters!(PayRequest { description, language });`.
macro_rules! optional_setters {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $ty {
            $(optional_setters!(@setter $field);)*
        }
    };
    (@setter description) => {
        /// Sets the description.
        pub fn description(mut self, text: impl Into<String>) -> Self {
            self.description = Some(text.into());
            self
        }
    };
    (@setter language) => {
        /// Sets the page language.
        pub fn language(mut self, language: Language) -> Self {
            self.language = Some(language);
            self
        }
    };
    (@setter success_redirect_url) => {
        /// Sets the success redirect URL.
        pub fn success_redirect_url(mut self, url: impl Into<String>) -> Self {
            self.success_redirect_url = Some(url.into());
            self
        }
    };
    (@setter error_redirect_url) => {
        /// Sets the failure redirect URL.
        pub fn error_redirect_url(mut self, url: impl Into<String>) -> Self {
            self.error_redirect_url = Some(url.into());
            self
        }
    };
    (@setter other_attr) => {
        /// Adds one extra attribute (echoed in the callback's `other_attr`).
        pub fn other_attr(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
            self.other_attr.get_or_insert_with(OtherAttr::new).insert(key.into(), value.into());
            self
        }
    };
}

pub mod b2b;
pub mod card_status;
pub mod checkout;
pub mod heartbeat;
pub mod installment;
pub mod invoice;
pub mod payment;
pub mod preauth;
pub mod refund;
pub mod request_family;
pub mod saved_card;
pub mod split;
pub mod status;
pub mod token;
pub mod wallet;

/// Longest `order_id` EPoint takes.
pub const MAX_ORDER_ID_LEN: usize = 255;
/// Longest `description` EPoint takes.
pub const MAX_DESCRIPTION_LEN: usize = 1000;

/// Serializes `payload` and signs it.
pub(crate) fn sign_payload<T: Serialize>(config: &EpointConfig, payload: &T) -> Result<SignedPayload> {
    let json = wire::to_json(payload)?;
    Ok(signature::sign_json(config.private_key(), &json))
}

/// Serializes `payload`, signs it and wraps it in the configured body encoding.
pub(crate) fn signed_request<T: Serialize>(config: &EpointConfig, path: &str, payload: &T) -> Result<HttpRequest> {
    signed_request_as(config, path, payload, config.encoding())
}

/// Like [`signed_request`] with an explicit body encoding (B2B takes JSON only).
pub(crate) fn signed_request_as<T: Serialize>(
    config: &EpointConfig,
    path: &str,
    payload: &T,
    encoding: RequestEncoding,
) -> Result<HttpRequest> {
    let SignedPayload { data, signature } = sign_payload(config, payload)?;
    let url = config.endpoint(path);
    match encoding {
        RequestEncoding::Form => Ok(HttpRequest::new(Method::Post, url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_body(&data, &signature))),
        RequestEncoding::Json => {
            #[derive(Serialize)]
            struct Envelope {
                data: String,
                signature: String,
            }
            HttpRequest::json(Method::Post, url, &Envelope { data, signature })
        }
    }
}

/// `data=<data>&signature=<signature>`, percent-encoded by `form_urlencoded`
/// (base64's `+`, `/` and `=` as `%2B`, `%2F`, `%3D`), into one buffer sized up front.
pub(crate) fn form_body(data: &str, signature: &str) -> String {
    let mut out = String::with_capacity(data.len() + signature.len() + 32);
    out.push_str("data=");
    push_form_value(&mut out, data);
    out.push_str("&signature=");
    push_form_value(&mut out, signature);
    out
}

fn push_form_value(out: &mut String, value: &str) {
    // byte_serialize yields the unreserved runs as slices: a base64 value is
    // copied in a few memcpys with its `+`, `/` and `=` escaped (pushing it
    // char by char was half the time of building a pay request).
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
}

/// A positive amount.
pub(crate) fn check_amount(field: &'static str, amount: Money) -> Result<()> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("must be greater than zero, got {amount}"),
        ))
    }
}

/// A non-empty, trimmed-non-blank text of at most `max` characters.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid_input(
            field,
            format!("is {len} characters long, at most {max} allowed"),
        ));
    }
    Ok(())
}

/// An optional text: absent, or as [`check_text`] says.
pub(crate) fn check_opt_text(field: &'static str, value: Option<&str>, max: usize) -> Result<()> {
    value.map_or(Ok(()), |v| check_text(field, v, max))
}

/// An optional redirect URL: absent, or an absolute http(s) URL.
pub(crate) fn check_opt_url(field: &'static str, value: Option<&str>) -> Result<()> {
    let Some(value) = value else { return Ok(()) };
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(Error::invalid_input(field, "must be an absolute http(s) URL")),
    }
}

/// The currencies EPoint documents: `AZN` only, for every operation (its
/// API document v1.0.3; one sandbox also takes USD, EUR and RUB on the
/// `request` family, which no other source confirms). A currency EPoint
/// does not document is refused before anything is sent, never converted.
pub const DOCUMENTED_CURRENCIES: &[Currency] = &[Currency::AZN];

/// The wire code of a documented currency, or an [`Error::InvalidInput`]
/// naming `currency`.
pub(crate) fn currency_code(currency: Currency) -> Result<&'static str> {
    if DOCUMENTED_CURRENCIES.contains(&currency) {
        Ok(currency.alpha_code())
    } else {
        Err(Error::invalid_input(
            "currency",
            format!("EPoint documents AZN only, not {}", currency.alpha_code()),
        ))
    }
}

/// For operations whose payload carries no currency (the widget,
/// pre-auth-complete, invoices, B2B): the amount must be in a documented currency.
pub(crate) fn check_documented(field: &'static str, amount: Money) -> Result<()> {
    currency_code(amount.currency())
        .map(|_| ())
        .map_err(|_| Error::invalid_input(field, format!("EPoint takes AZN only here, not {}", amount.currency())))
}

/// Fields shared by the hosted-page requests: order, amount and where the
/// customer lands afterwards (request value, else the configuration's).
pub(crate) struct Hosted<'a> {
    pub(crate) success: Option<&'a str>,
    pub(crate) error: Option<&'a str>,
}

impl<'a> Hosted<'a> {
    pub(crate) fn resolve(config: &'a EpointConfig, success: Option<&'a str>, error: Option<&'a str>) -> Result<Self> {
        check_opt_url("success_redirect_url", success)?;
        check_opt_url("error_redirect_url", error)?;
        Ok(Hosted {
            success: success.or(config.success_redirect_url()),
            error: error.or(config.error_redirect_url()),
        })
    }
}

/// The checks every order-bearing request shares.
pub(crate) fn check_order(order_id: &str, amount: Money) -> Result<()> {
    check_text("order_id", order_id, MAX_ORDER_ID_LEN)?;
    check_amount("amount", amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_body_matches_the_generic_encoder() {
        for (data, signature) in [
            ("eyJhIjogMX0=", "PEzmTr8b/RG/TYzUg2DOl8rS1T0="),
            ("a+b/c==", "+cgA6icUFZW/xp5uKT5Zl6FPQ6k="),
            ("not base64 & é", "x y"),
            ("", ""),
        ] {
            let generic = form_urlencoded::Serializer::new(String::new())
                .append_pair("data", data)
                .append_pair("signature", signature)
                .finish();
            assert_eq!(form_body(data, signature), generic);
        }
    }
}
