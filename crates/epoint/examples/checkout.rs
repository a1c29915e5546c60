//! A checkout against EPoint: create a hosted payment, then verify the callback.
//!
//! Run against the sandbox or EPoint with
//! `EPOINT_PUBLIC_KEY=... EPOINT_PRIVATE_KEY=... EPOINT_BASE_URL=... cargo run -p payments-epoint --example checkout`.
//! Without the variables it shows the signed request and a callback round trip offline.

use epoint::operations::payment::build_pay;
use epoint::{EpointClient, EpointConfig, PayRequest, testing};
use payments_core::{Currency, Money, Secret};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let amount = Money::parse_major("10.50", Currency::AZN)?;
    let request = PayRequest::new("order-0001", amount)
        .description("Test payment")
        .other_attr("customer_id", 42);

    let Ok(config) = EpointConfig::from_env() else {
        let config = EpointConfig::new("i000000001", "test-private-key")?;
        let http = build_pay(&config, &request)?;
        println!("POST {}\n{}", http.url, String::from_utf8_lossy(&http.body));
        let key = Secret::from("test-private-key");
        let body = testing::sign_callback(
            &serde_json::json!({"status": "success", "order_id": "order-0001", "amount": "10.50", "transaction": "te000000001"}),
            &key,
        );
        let callback = epoint::verify_and_decode(body.as_bytes(), &key)?;
        callback.ensure_matches("order-0001", amount)?;
        println!("callback verified: {:?} for {:?}", callback.status, callback.order_id);
        return Ok(());
    };

    let client = EpointClient::new(config)?;
    let payment = client.pay(&request).await?;
    println!(
        "status {}, send the customer to {:?}",
        payment.status, payment.redirect_url
    );
    Ok(())
}
