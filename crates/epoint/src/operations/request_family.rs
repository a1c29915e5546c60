//! `payment-request`, `amex-request` and `payment-change-sum` \[U\]: known
//! from one source only (the m56 sandbox and its PyPI client, from a scrape
//! of developer.epoint.az), which treats all three as the `request` family:
//! the same fields and the same answer (`status`, `redirect_url`,
//! `transaction`, `message`, `trace_id`; `payment-change-sum` documents no
//! `transaction`), then the usual signed callback. What distinguishes them
//! from `request` is not documented; `amex-request` needs a per-merchant
//! AMEX grant. They may differ in production.
//!
//! Currency: AZN only (EPoint's document says AZN for every operation; the
//! sandbox's USD/EUR/RUB for this family are unconfirmed).

use payments_core::{HttpRequest, HttpResponse, Result};

use super::payment::{Installment, PayRequest, RedirectResponse, parse_pay, pay_wire};
use super::signed_request;
use crate::config::EpointConfig;

/// Builds the signed `payment-request` call \[U\] (takes `is_installment`).
pub fn build_payment_request(config: &EpointConfig, request: &PayRequest) -> Result<HttpRequest> {
    signed_request(
        config,
        "payment-request",
        &pay_wire(config, request, Installment::Allowed)?,
    )
}

/// Builds the signed `amex-request` call \[U\].
pub fn build_amex_request(config: &EpointConfig, request: &PayRequest) -> Result<HttpRequest> {
    let wire = pay_wire(config, request, Installment::Refused("amex-request"))?;
    signed_request(config, "amex-request", &wire)
}

/// Builds the signed `payment-change-sum` call \[U\].
pub fn build_payment_change_sum(config: &EpointConfig, request: &PayRequest) -> Result<HttpRequest> {
    let wire = pay_wire(config, request, Installment::Refused("payment-change-sum"))?;
    signed_request(config, "payment-change-sum", &wire)
}

/// Parses the answer of any of the three \[U\] (`transaction` may be absent,
/// always for `payment-change-sum`).
pub fn parse_request_family(response: &HttpResponse) -> Result<RedirectResponse> {
    parse_pay(response)
}
