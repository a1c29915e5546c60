//! [`EpointClient`]: one async method per operation, each a pure build, one
//! call through the shared executor, and a pure parse.

use std::sync::Arc;

use payments_core::http::HttpClient;
use payments_core::{
    Call, CallbackEvent, Capabilities, CreatePayment, Currency, Decline, Error, Money, OperationOutcome,
    PaymentOutcome, PaymentProvider, PaymentRef, RefundRequest, Result, Secret, StatusReport,
};

use crate::callback;
use crate::config::{EpointConfig, Language};
use crate::error::{PROVIDER, payment_status};
use crate::operations::payment::{
    self, CardRedirectResponse, PayAndSaveCardRequest, PayRequest, RedirectResponse, SaveCardRequest,
};
use crate::operations::refund::{self, ReverseRequest, ReverseResponse};
use crate::operations::saved_card::{self, PaymentResponse, PayoutRequest, SavedCardPayRequest};
use crate::operations::split::{self, SplitPayAndSaveCardRequest, SplitPayRequest, SplitSavedCardPayRequest};
use crate::operations::status::{self, StatusRequest, StatusResponse};
use crate::operations::token::{
    self, ApplePaySession, ApplePaySessionRequest, TokenPaymentRequest, TokenPaymentResponse, WalletPayRequest,
    WalletPayResponse, WidgetRequest, WidgetResponse,
};
use crate::status::Status;

/// The EPoint client. Cheap to clone (the configuration and the HTTP pool are shared).
///
/// Calls that create payments, payouts or refunds are sent exactly once
/// ([`Call::moves_money`]); on an error with
/// [`Error::outcome_unknown`](payments_core::Error::outcome_unknown) ask
/// [`EpointClient::get_status`], never repeat the payment.
#[derive(Clone, Debug)]
pub struct EpointClient {
    config: Arc<EpointConfig>,
    http: HttpClient,
}

/// Builder of [`EpointClient`].
#[derive(Debug, Default)]
pub struct EpointClientBuilder {
    config: Option<EpointConfig>,
    http: Option<HttpClient>,
}

impl EpointClientBuilder {
    /// The configuration (required).
    pub fn config(mut self, config: EpointConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// A shared HTTP executor (default: a new one with default settings).
    pub fn http(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<EpointClient> {
        let config = self
            .config
            .ok_or_else(|| Error::config("EpointClient needs a configuration"))?;
        let http = match self.http {
            Some(http) => http,
            None => HttpClient::new()?,
        };
        Ok(EpointClient::with_http(config, http))
    }
}

const fn moves_money(operation: &'static str) -> Call {
    Call::moves_money(PROVIDER, operation)
}

impl EpointClient {
    /// A client with its own default HTTP executor.
    pub fn new(config: EpointConfig) -> Result<EpointClient> {
        Ok(EpointClient::with_http(config, HttpClient::new()?))
    }

    /// A client sharing `http` with other clients.
    pub fn with_http(config: EpointConfig, http: HttpClient) -> EpointClient {
        EpointClient {
            config: Arc::new(config),
            http,
        }
    }

    /// A builder.
    pub fn builder() -> EpointClientBuilder {
        EpointClientBuilder::default()
    }

    /// A client configured from the environment ([`EpointConfig::from_env`]).
    pub fn from_env() -> Result<EpointClient> {
        EpointClient::new(EpointConfig::from_env()?)
    }

    /// The configuration.
    pub fn config(&self) -> &EpointConfig {
        &self.config
    }

    /// Starts a hosted payment (`request`): send the customer to `redirect_url`;
    /// a callback follows.
    pub async fn pay(&self, request: &PayRequest) -> Result<RedirectResponse> {
        let http = payment::build_pay(&self.config, request)?;
        payment::parse_pay(&self.http.execute(&moves_money("pay"), http).await?)
    }

    /// Queries a transaction's status (`get-status`); retried on transient failures.
    pub async fn get_status(&self, request: &StatusRequest) -> Result<StatusResponse> {
        let http = status::build_get_status(&self.config, request)?;
        let call = Call::idempotent(PROVIDER, "get_status");
        status::parse_get_status(&self.http.execute(&call, http).await?)
    }

    /// Registers a card without paying (`card-registration`); a callback follows.
    pub async fn save_card(&self, request: &SaveCardRequest) -> Result<CardRedirectResponse> {
        let http = payment::build_save_card(&self.config, request)?;
        payment::parse_save_card(&self.http.execute(&moves_money("save_card"), http).await?)
    }

    /// Charges a saved card (`execute-pay`); the answer is final.
    pub async fn pay_with_saved_card(&self, request: &SavedCardPayRequest) -> Result<PaymentResponse> {
        let http = saved_card::build_pay_with_saved_card(&self.config, request)?;
        saved_card::parse_pay_with_saved_card(&self.http.execute(&moves_money("pay_with_saved_card"), http).await?)
    }

    /// Pays and saves the card (`card-registration-with-pay`); a callback follows.
    pub async fn pay_and_save_card(&self, request: &PayAndSaveCardRequest) -> Result<CardRedirectResponse> {
        let http = payment::build_pay_and_save_card(&self.config, request)?;
        payment::parse_pay_and_save_card(&self.http.execute(&moves_money("pay_and_save_card"), http).await?)
    }

    /// Pays out to a saved card (`refund-request`); the answer is final.
    pub async fn payout(&self, request: &PayoutRequest) -> Result<PaymentResponse> {
        let http = saved_card::build_payout(&self.config, request)?;
        saved_card::parse_payout(&self.http.execute(&moves_money("payout"), http).await?)
    }

    /// Refunds a transaction fully or partly (`reverse`); the answer is final.
    ///
    /// Named after the wire operation so that it does not shadow
    /// [`PaymentProvider::refund`], which calls it.
    pub async fn reverse(&self, request: &ReverseRequest) -> Result<ReverseResponse> {
        let http = refund::build_reverse(&self.config, request)?;
        refund::parse_reverse(&self.http.execute(&moves_money("refund"), http).await?)
    }

    /// Starts a hosted split payment (`split-request`); a callback follows.
    pub async fn split_pay(&self, request: &SplitPayRequest) -> Result<RedirectResponse> {
        let http = split::build_split_pay(&self.config, request)?;
        split::parse_split_pay(&self.http.execute(&moves_money("split_pay"), http).await?)
    }

    /// Split-charges a saved card (`split-execute-pay`); the answer is final.
    pub async fn split_pay_with_saved_card(&self, request: &SplitSavedCardPayRequest) -> Result<PaymentResponse> {
        let http = split::build_split_pay_with_saved_card(&self.config, request)?;
        let response = self
            .http
            .execute(&moves_money("split_pay_with_saved_card"), http)
            .await?;
        split::parse_split_pay_with_saved_card(&response)
    }

    /// Starts a hosted split payment that saves the card
    /// (`split-card-registration-with-pay`); a callback follows.
    pub async fn split_pay_and_save_card(&self, request: &SplitPayAndSaveCardRequest) -> Result<CardRedirectResponse> {
        let http = split::build_split_pay_and_save_card(&self.config, request)?;
        let response = self.http.execute(&moves_money("split_pay_and_save_card"), http).await?;
        split::parse_split_pay_and_save_card(&response)
    }

    /// Creates an Apple Pay / Google Pay widget (`token/widget`).
    pub async fn create_widget(&self, request: &WidgetRequest) -> Result<WidgetResponse> {
        let http = token::build_create_widget(&self.config, request)?;
        token::parse_create_widget(&self.http.execute(&moves_money("create_widget"), http).await?)
    }

    /// Creates a token payment for the EPoint JS SDK (`token/payment`).
    pub async fn create_token_payment(&self, request: &TokenPaymentRequest) -> Result<TokenPaymentResponse> {
        let http = token::build_create_token_payment(&self.config, request)?;
        token::parse_create_token_payment(&self.http.execute(&moves_money("create_token_payment"), http).await?)
    }

    /// Validates the Apple Pay merchant for a page origin (`token/apple/session`).
    pub async fn apple_pay_session(&self, request: &ApplePaySessionRequest) -> Result<ApplePaySession> {
        let http = token::build_apple_pay_session(&self.config, request)?;
        let call = Call::idempotent(PROVIDER, "apple_pay_session");
        token::parse_apple_pay_session(&self.http.execute(&call, http).await?)
    }

    /// Pays with an Apple Pay token (`token/apple/pay`).
    pub async fn apple_pay(&self, request: &WalletPayRequest) -> Result<WalletPayResponse> {
        let http = token::build_apple_pay(&self.config, request)?;
        token::parse_apple_pay(&self.http.execute(&moves_money("apple_pay"), http).await?)
    }

    /// Pays with a Google Pay token (`token/google/pay`).
    pub async fn google_pay(&self, request: &WalletPayRequest) -> Result<WalletPayResponse> {
        let http = token::build_google_pay(&self.config, request)?;
        token::parse_google_pay(&self.http.execute(&moves_money("google_pay"), http).await?)
    }

    /// Verifies and decodes a callback with this client's private key.
    pub fn verify_and_decode(&self, body: &[u8]) -> Result<callback::Callback> {
        callback::verify_and_decode(body, self.config.private_key())
    }

    /// The private key, for handlers that verify callbacks without a client.
    pub fn private_key(&self) -> &Secret<String> {
        self.config.private_key()
    }
}

fn decline(status: &Status, message: Option<String>) -> Decline {
    Decline::new(Some(status.as_str().to_owned()), message)
}

fn unknown_status(operation: &str, status: &Status) -> Error {
    Error::unreadable(
        PROVIDER,
        200,
        format!("{operation} answered with the unknown status {:?}", status.as_str()),
        b"",
        None,
    )
}

/// The amount a status answer reports. EPoint answers carry no currency and
/// document AZN as the only one, so AZN unless the caller named another.
fn reported_amount(response: &StatusResponse, payment: &PaymentRef) -> Result<Option<Money>> {
    let currency = payment.amount.map_or(Currency::AZN, Money::currency);
    response
        .amount
        .map(|a| Money::from_decimal(a, currency))
        .transpose()
        .map_err(|e| {
            Error::unreadable(
                PROVIDER,
                200,
                format!("get-status amount is not a valid {currency} amount: {e}"),
                b"",
                None,
            )
        })
}

/// EPoint through the provider-neutral trait: hosted payment = `pay`, status
/// = `get-status`, refund = `reverse` (full or partial), callbacks. `cancel`
/// is unsupported: EPoint's only reversal is the refund (`reverse`), already
/// offered by [`PaymentProvider::refund`].
impl PaymentProvider for EpointClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.cancel = false;
        caps
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        if request.authorize_only {
            return Err(Error::unsupported(PROVIDER, "create_payment with authorize_only"));
        }
        if request.callback_url.is_some() {
            // EPoint takes the callback URL from the merchant dashboard only.
            tracing::warn!("EPoint ignores a per-payment callback_url; set it in the EPoint dashboard");
        }
        let mut pay = PayRequest::new(request.order_id.clone(), request.amount);
        pay.description = request.description.clone();
        pay.success_redirect_url = request.success_url.clone();
        pay.error_redirect_url = request.failure_url.clone();
        if let Some(code) = &request.language {
            pay.language =
                Some(Language::parse(code).ok_or_else(|| Error::invalid_input("language", "must be az, en or ru"))?);
        }
        let response = self.pay(&pay).await?;
        match response.status {
            Status::Success => match response.redirect_url {
                Some(url) => Ok(PaymentOutcome::RequiresRedirect {
                    url,
                    provider_ref: response.transaction,
                }),
                None => Err(Error::unreadable(
                    PROVIDER,
                    200,
                    "pay succeeded without a redirect_url",
                    b"",
                    None,
                )),
            },
            ref s if s.is_declined() => Ok(PaymentOutcome::Declined(decline(s, response.message))),
            ref s => Err(unknown_status("pay", s)),
        }
    }

    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let transaction = payment.require_transaction()?;
        let response = self.get_status(&StatusRequest::new(transaction)).await?;
        let amount = reported_amount(&response, payment)?;
        let code = response
            .code
            .clone()
            .or_else(|| Some(response.status.as_str().to_owned()));
        Ok(StatusReport::new(payment_status(&response.status))
            .with_order(response.order_id.clone().or_else(|| payment.order_id.clone()))
            .with_transaction(response.transaction.clone().or_else(|| Some(transaction.to_owned())))
            .with_amount(amount)
            .with_code(code, response.message))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let transaction = request.payment.require_transaction()?;
        let reverse = match request.amount {
            Some(amount) => ReverseRequest::partial(transaction, amount),
            None => {
                // AZN is EPoint's only documented currency (see reported_amount).
                let currency = request.payment.amount.map_or(Currency::AZN, Money::currency);
                ReverseRequest::full(transaction, currency)
            }
        };
        let response = self.reverse(&reverse).await?;
        match response.status {
            Status::Success => Ok(OperationOutcome::Accepted {
                provider_ref: Some(transaction.to_owned()),
                operation_id: None,
            }),
            ref s if s.is_declined() => Ok(OperationOutcome::Declined(decline(s, response.message))),
            ref s => Err(unknown_status("refund", s)),
        }
    }

    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        self.verify_and_decode(body)?.to_event()
    }
}
