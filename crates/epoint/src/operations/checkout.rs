//! The browser form-post variant of `request` (`checkout`): instead of the
//! server calling `request`, the merchant's page posts the customer's
//! browser to `<base>/api/1/checkout` with two hidden fields, `data` and
//! `signature`, built from the same payload as `request` (`is_installment`
//! included). EPoint answers the browser with its payment page; the merchant
//! gets no JSON, and the usual signed callback follows.
//!
//! Build-only: nothing is sent. Sources: EPoint's API document v1.0.3, one
//! sandbox, one generated profile.

use payments_core::{PaymentOutcome, Result};

use super::payment::{Installment, PayRequest, pay_wire};
use super::sign_payload;
use crate::config::EpointConfig;

/// The form to post from the customer's browser
/// (`<form method="post" action="{url}" accept-charset="utf-8">`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckoutForm {
    /// The form's action: `<base>/api/1/checkout`.
    pub url: String,
    /// The `data` hidden field (base64 JSON).
    pub data: String,
    /// The `signature` hidden field.
    pub signature: String,
}

impl CheckoutForm {
    /// The two hidden fields, in order.
    pub fn fields(&self) -> [(&'static str, &str); 2] {
        [("data", &self.data), ("signature", &self.signature)]
    }

    /// As the provider-neutral outcome ([`PaymentOutcome::RequiresFormPost`]).
    pub fn into_outcome(self) -> PaymentOutcome {
        PaymentOutcome::RequiresFormPost {
            url: self.url,
            fields: vec![("data".to_owned(), self.data), ("signature".to_owned(), self.signature)],
        }
    }
}

/// Builds the checkout form for `request` (signed like every call).
pub fn build_checkout(config: &EpointConfig, request: &PayRequest) -> Result<CheckoutForm> {
    let signed = sign_payload(config, &pay_wire(config, request, Installment::Allowed)?)?;
    Ok(CheckoutForm {
        url: config.endpoint("checkout"),
        data: signed.data,
        signature: signed.signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use payments_core::{Currency, Money, crypto};

    #[test]
    fn checkout_signs_the_request_payload() {
        let config = EpointConfig::builder()
            .public_key("i000000001")
            .private_key("test-private-key")
            .success_redirect_url("https://shop.example/ok")
            .failed_redirect_url("https://shop.example/fail")
            .build()
            .unwrap();
        // Vector V1's payload: the same `data` and signature as `request`.
        let req = PayRequest::new("order-0001", Money::parse_major("10.50", Currency::AZN).unwrap())
            .description("Test payment");
        let form = build_checkout(&config, &req).unwrap();
        assert_eq!(form.url, "https://epoint.az/api/1/checkout");
        assert_eq!(form.signature, "PEzmTr8b/RG/TYzUg2DOl8rS1T0=");
        let installment = build_checkout(&config, &req.clone().installment(true)).unwrap();
        let json = String::from_utf8(crypto::base64_decode(installment.data.as_bytes()).unwrap()).unwrap();
        assert!(json.ends_with(r#""other_attr": null, "is_installment": 1}"#), "{json}");
        assert_eq!(
            installment.signature,
            crate::testing::sign(config.private_key(), &installment.data)
        );
        match installment.into_outcome() {
            PaymentOutcome::RequiresFormPost { url, fields } => {
                assert_eq!(url, "https://epoint.az/api/1/checkout");
                assert_eq!(fields[0].0, "data");
                assert_eq!(fields[1].0, "signature");
            }
            other => panic!("{other:?}"),
        }
    }
}
