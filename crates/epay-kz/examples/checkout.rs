//! A checkout with ePay: payment token, the halyk.pay page, then the postLink.
//!
//! ```text
//! EPAY_CLIENT_ID=test EPAY_CLIENT_SECRET=... EPAY_TERMINAL_ID=... \
//! EPAY_OAUTH_URL=http://127.0.0.1:8080/epay/oauth2/token EPAY_API_URL=http://127.0.0.1:8080/epay/api \
//! cargo run -p epay-kz --example checkout
//! ```

use epay_kz::callback::{PostLink, testing};
use epay_kz::{EpayClient, EpayConfig, WidgetPayment};
use payments_core::{Currency, Money};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = match EpayConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("set the EPAY_* variables (for example against the sandbox): {e}");
            return Ok(());
        }
    };
    let client = EpayClient::new(config)?;
    let amount = Money::parse_major("150.50", Currency::KZT)?;
    let invoice_id = "000001234567";

    // 1. The page the customer's browser opens.
    let object = client
        .widget_payment(&WidgetPayment::new(invoice_id, amount).description("Order 1234567"))
        .await?;
    println!("{}", client.widget_page(&object));

    // 2. ePay posts the result to postLink; here a body built as ePay would.
    let body = testing::success_body(client.config().callback_key(), invoice_id, "demo-transaction", amount);
    match client.verify_post_link(&body)? {
        PostLink::Success(paid) => println!("paid {} for invoice {}", paid.amount, paid.invoice_id),
        PostLink::Failure(failed) => println!("declined: {:?}", failed.details.reason),
        _ => println!("unknown callback"),
    }
    Ok(())
}
