//! Builds an AzeriCard purchase form and verifies a (test-signed) callback.
//!
//! Run with `cargo run -p azericard --example checkout`.

use azericard::testing::{approved_callback_fields, sign_authorization_callback};
use azericard::{AuthorizationRequest, AzericardClient, AzericardConfig, MerchantKey};
use payments_core::{Currency, Money};

fn main() -> Result<(), payments_core::Error> {
    // The throwaway test key plays both the merchant's key and AzeriCard's.
    let key = MerchantKey::from_pem(include_bytes!("../tests/data/azericard-test-key.pem"))?;
    let config = AzericardConfig::builder("17201234")
        .merchant_key(key.clone())
        .gateway_public_key(key.public_key()?)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/azericard/callback")
        .build()?;
    let client = AzericardClient::new(config)?;

    let amount = Money::parse_major("10.50", Currency::AZN)?;
    let form = client.authorization_form(&AuthorizationRequest::purchase("000123", amount, "Order 123"))?;
    println!("POST {} with {} fields", form.url, form.fields.len());
    println!("{}", form.to_html());

    let fields = approved_callback_fields("17201234", "000123", "10.50", "AZN", time::OffsetDateTime::now_utc());
    let body = sign_authorization_callback(&key, &fields)?;
    let callback = client.verify_authorization_callback(body.as_bytes())?;
    callback.ensure_matches("000123", amount)?;
    println!(
        "callback: approved={} rrn={:?} int_ref={:?}",
        callback.is_approved(),
        callback.rrn,
        callback.int_ref
    );
    Ok(())
}
