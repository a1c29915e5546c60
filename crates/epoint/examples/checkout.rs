//! A checkout against EPoint: create a hosted payment, check its status, and
//! take a callback the safe way (verify, then check the order and amount).
//!
//! Against the sandbox (`cargo run -p payments-sandbox -- --port 8080`, or
//! `payments sandbox --port 8080`; its test merchant is listed by
//! `GET /_sandbox/merchants`):
//!
//! ```text
//! EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=test-private-key \
//! EPOINT_BASE_URL=http://127.0.0.1:8080/epoint \
//! cargo run -p payments-epoint --example epoint_checkout
//! ```
//!
//! Against EPoint, set your own keys and leave `EPOINT_BASE_URL` unset.
//! With no `EPOINT_*` variable at all it runs OFFLINE (and says so): it
//! prints the signed request and a callback round trip with the sandbox's
//! test key. A set but incomplete or misspelt configuration is an error
//! (exit 2) naming every missing or unknown variable: a typo never falls
//! back to the offline mode.

use std::process::ExitCode;

use epoint::operations::payment::build_pay;
use epoint::{EpointClient, EpointConfig, PayRequest, StatusRequest, testing};
use payments_core::{Currency, Money, Secret};

/// Every variable `EpointConfig::from_env` reads.
const KNOWN: [&str; 6] = [
    "EPOINT_PUBLIC_KEY",
    "EPOINT_PRIVATE_KEY",
    "EPOINT_BASE_URL",
    "EPOINT_INTERFACE_LANG",
    "EPOINT_SUCCESS_REDIRECT_URL",
    "EPOINT_FAILED_REDIRECT_URL",
];

type BoxError = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let set: Vec<String> = std::env::vars()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("EPOINT_"))
        .collect();
    let unknown: Vec<&str> = set
        .iter()
        .map(String::as_str)
        .filter(|name| !KNOWN.contains(name))
        .collect();
    let result = if set.is_empty() {
        offline().await
    } else if !unknown.is_empty() {
        eprintln!(
            "configuration error: unknown variable(s) {} (misspelt?); EPoint reads {}",
            unknown.join(", "),
            KNOWN.join(", ")
        );
        return ExitCode::from(2);
    } else {
        match EpointConfig::from_env() {
            Ok(config) => online(config).await,
            Err(e) => {
                eprintln!("{e}");
                eprintln!("set EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY (see this example's header)");
                return ExitCode::from(2);
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn request(order: &str) -> Result<(PayRequest, Money), BoxError> {
    let amount = Money::parse_major("10.50", Currency::AZN)?;
    let request = PayRequest::new(order, amount)
        .description("Test payment")
        .other_attr("customer_id", 42);
    Ok((request, amount))
}

async fn online(config: EpointConfig) -> Result<(), BoxError> {
    println!("ONLINE against {}", config.base_url());
    let client = EpointClient::new(config)?;
    let order = format!(
        "order-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_micros()
    );
    let (request, _) = request(&order)?;
    let payment = client.pay(&request).await?;
    let redirect = payment
        .redirect_url
        .as_deref()
        .ok_or("EPoint answered without a redirect URL")?;
    println!("payment {order} created: send the customer to {redirect}");
    if let Some(transaction) = payment.transaction.as_deref() {
        let status = client.get_status(&StatusRequest::new(transaction)).await?;
        println!(
            "status of {transaction}: {:?} (nothing is paid until the callback is confirmed)",
            status.status
        );
    }
    Ok(())
}

async fn offline() -> Result<(), BoxError> {
    println!("OFFLINE: no EPOINT_* variable is set; nothing is sent (see the header to run against the sandbox)");
    let config = EpointConfig::new("i000000001", "test-private-key")?;
    let (request, amount) = request("order-0001")?;
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
    Ok(())
}
