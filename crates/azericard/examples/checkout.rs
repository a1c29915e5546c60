//! Builds an AzeriCard purchase form, then takes a (test-signed) callback
//! the only safe way: verify, confirm with a status query, check the order.
//!
//! Run with `cargo run -p azericard --example checkout`. The status query
//! goes to a local mock gateway started here, answering as AzeriCard would.

use std::io::{Read, Write};
use std::net::TcpListener;

use azericard::testing::{approved_callback_fields, sign_authorization_callback, status_answer_for};
use azericard::{AuthorizationRequest, AzericardClient, AzericardConfig, MerchantKey};
use payments_core::{Currency, Money};

/// A one-shot loopback "gateway" answering one status query with `answer`.
fn mock_gateway(answer: String) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    Ok(url)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The throwaway test key plays both the merchant's key and AzeriCard's.
    let key = MerchantKey::from_pem(include_bytes!("../tests/data/azericard-test-key.pem"))?;
    let amount = Money::parse_major("10.50", Currency::AZN)?;
    let fields = approved_callback_fields("17201234", "000123", "10.50", "AZN", time::OffsetDateTime::now_utc());
    let gateway = mock_gateway(status_answer_for(&fields))?;

    let config = AzericardConfig::builder("17201234")
        .merchant_key(key.clone())
        .gateway_public_key(key.public_key()?)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url("https://shop.example/azericard/callback")
        .mpi_base_url(gateway)
        .build()?;
    let client = AzericardClient::new(config)?;

    let form = client.authorization_form(&AuthorizationRequest::purchase("000123", amount, "Order 123"))?;
    println!("POST {} with {} fields", form.url, form.fields.len());

    // The gateway's callback arrives at BACKREF.
    let body = sign_authorization_callback(&key, &fields)?;
    let callback = client.verify_authorization_callback(body.as_bytes())?;
    // Verified proves AMOUNT, TERMINAL, APPROVAL, RRN, INT_REF only. Confirm:
    let confirmed = client.confirm_authorization_callback(callback).await?;
    // Ship only when the confirmed payment is the order you expect, paid.
    confirmed.ensure_paid("000123", amount)?;
    println!(
        "paid: {:?}; refund/capture with {:?}",
        confirmed.status(),
        confirmed.payment_ref()
    );
    Ok(())
}
