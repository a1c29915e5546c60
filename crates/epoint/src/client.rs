//! [`EpointClient`]: one async method per operation, each a pure build, one
//! call through the shared executor, and a pure parse.

use std::sync::Arc;

use payments_core::http::{CallOptions, HttpClient};
use payments_core::{
    Call, CallbackEvent, Capabilities, CreatePayment, Currency, Decline, Error, Money, OperationOutcome,
    PaymentOutcome, PaymentProvider, PaymentRef, RefundRequest, Result, Secret, StatusReport,
};

use crate::callback;
use crate::config::{EpointConfig, Language};
use crate::error::{PROVIDER, payment_status};
use crate::operations::b2b::{
    self, B2bPaymentRequest, B2bPaymentResponse, B2bStatusResponse, ConfirmedB2bTransfer, UnconfirmedB2bWebhook,
};
use crate::operations::card_status::{self, CardStatusRequest, CardStatusResponse};
use crate::operations::checkout::{self, CheckoutForm};
use crate::operations::heartbeat::{self, Heartbeat};
use crate::operations::installment::{self, InstallmentOffers, InstallmentOffersRequest, InstallmentPaymentRequest};
use crate::operations::invoice::{self, Invoice, InvoiceListRequest, InvoiceResponse};
use crate::operations::payment::{
    self, CardRedirectResponse, PayAndSaveCardRequest, PayRequest, RedirectResponse, SaveCardRequest,
};
use crate::operations::preauth::{self, PreAuthCompleteRequest, PreAuthRequest};
use crate::operations::refund::{self, ReverseRequest, ReverseResponse};
use crate::operations::request_family;
use crate::operations::saved_card::{self, PaymentResponse, PayoutRequest, SavedCardPayRequest};
use crate::operations::split::{self, SplitPayAndSaveCardRequest, SplitPayRequest, SplitSavedCardPayRequest};
use crate::operations::status::{self, StatusRequest, StatusResponse};
use crate::operations::token::{
    self, ApplePaySession, ApplePaySessionRequest, TokenPaymentRequest, TokenPaymentResponse, WalletPayRequest,
    WalletPayResponse, WidgetRequest, WidgetResponse,
};
use crate::operations::wallet::{self, WalletPaymentRequest, WalletStatusResponse};
use crate::refs;
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

/// Builder of [`EpointClient`]: `EpointClient::builder(config).http_client(http).build()`.
#[derive(Debug)]
pub struct EpointClientBuilder {
    config: EpointConfig,
    http: Option<HttpClient>,
}

impl EpointClientBuilder {
    /// A shared HTTP executor (default: a new one with default settings).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<EpointClient> {
        let http = match self.http {
            Some(http) => http,
            None => HttpClient::new()?,
        };
        Ok(EpointClient::with_http(self.config, http))
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

    /// A builder around `config`.
    pub fn builder(config: EpointConfig) -> EpointClientBuilder {
        EpointClientBuilder { config, http: None }
    }

    /// A cheap clone whose every call uses `options` (timeout, deadline
    /// across retries, correlation id).
    pub fn with_options(&self, options: CallOptions) -> EpointClient {
        EpointClient {
            config: Arc::clone(&self.config),
            http: self.http.with_options(options),
        }
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

    /// Holds an amount on the customer's card (`pre-auth-request`): send the
    /// customer to `redirect_url`; a callback follows; capture with
    /// [`EpointClient::pre_auth_complete`]. Keep `transaction`.
    pub async fn pre_auth(&self, request: &PreAuthRequest) -> Result<RedirectResponse> {
        let http = preauth::build_pre_auth(&self.config, request)?;
        preauth::parse_pre_auth(&self.http.execute(&moves_money("pre_auth"), http).await?)
    }

    /// Captures all or part of a hold (`pre-auth-complete`; partial capture is \[U\]).
    /// The answer is final. EPoint documents no idempotency: after an
    /// unknown outcome, ask [`EpointClient::get_status`] with the hold's transaction.
    pub async fn pre_auth_complete(&self, request: &PreAuthCompleteRequest) -> Result<PaymentResponse> {
        let http = preauth::build_pre_auth_complete(&self.config, request)?;
        preauth::parse_pre_auth_complete(&self.http.execute(&moves_money("pre_auth_complete"), http).await?)
    }

    /// The browser form for `checkout` (build-only, nothing is sent).
    pub fn checkout_form(&self, request: &PayRequest) -> Result<CheckoutForm> {
        checkout::build_checkout(&self.config, request)
    }

    /// A saved card's state (`get-status-card`) \[U\]; safe to repeat.
    pub async fn get_status_card(&self, request: &CardStatusRequest) -> Result<CardStatusResponse> {
        let http = card_status::build_get_status_card(&self.config, request)?;
        let call = Call::idempotent(PROVIDER, "get_status_card");
        card_status::parse_get_status_card(&self.http.execute(&call, http).await?)
    }

    /// The e-wallets the merchant may take payments from (`wallet/status`); safe to repeat.
    pub async fn wallet_status(&self) -> Result<WalletStatusResponse> {
        let http = wallet::build_wallet_status(&self.config)?;
        let call = Call::idempotent(PROVIDER, "wallet_status");
        wallet::parse_wallet_status(&self.http.execute(&call, http).await?)
    }

    /// Starts a payment from an e-wallet (`wallet/payment`): send the
    /// customer to `redirect_url`.
    pub async fn wallet_payment(&self, request: &WalletPaymentRequest) -> Result<RedirectResponse> {
        let http = wallet::build_wallet_payment(&self.config, request)?;
        wallet::parse_wallet_payment(&self.http.execute(&moves_money("wallet_payment"), http).await?)
    }

    /// Creates an invoice (`invoices/create`; answer \[U\]). Not repeated on
    /// failure: a repeat could create a second invoice.
    pub async fn create_invoice(&self, invoice: &Invoice) -> Result<InvoiceResponse> {
        let http = invoice::build_create_invoice(&self.config, invoice)?;
        let call = moves_money("create_invoice").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// Replaces an invoice's content (`invoices/update`; answer \[U\]).
    pub async fn update_invoice(&self, id: u64, invoice: &Invoice) -> Result<InvoiceResponse> {
        let http = invoice::build_update_invoice(&self.config, id, invoice)?;
        let call = Call::idempotent(PROVIDER, "update_invoice").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// One invoice (`invoices/view`; answer \[U\]); safe to repeat.
    pub async fn view_invoice(&self, id: u64) -> Result<InvoiceResponse> {
        let http = invoice::build_view_invoice(&self.config, id)?;
        let call = Call::idempotent(PROVIDER, "view_invoice").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// The merchant's invoices (`invoices/list`; answer \[U\]); safe to repeat.
    pub async fn list_invoices(&self, request: &InvoiceListRequest) -> Result<InvoiceResponse> {
        let http = invoice::build_list_invoices(&self.config, request)?;
        let call = Call::idempotent(PROVIDER, "list_invoices").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// Sends an invoice's link by SMS (`invoices/send-sms`; answer \[U\]); not repeated.
    pub async fn send_invoice_sms(&self, id: u64, phone: &Secret<String>) -> Result<InvoiceResponse> {
        let http = invoice::build_send_invoice_sms(&self.config, id, phone)?;
        let call = moves_money("send_invoice_sms").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// Sends an invoice's link by e-mail (`invoices/send-email`; answer \[U\]); not repeated.
    pub async fn send_invoice_email(&self, id: u64, email: &Secret<String>) -> Result<InvoiceResponse> {
        let http = invoice::build_send_invoice_email(&self.config, id, email)?;
        let call = moves_money("send_invoice_email").sensitive();
        invoice::parse_invoice(&self.http.execute(&call, http).await?)
    }

    /// The installment offers for an order (`get-installment-request`) \[U\]; safe to repeat.
    pub async fn installment_offers(&self, request: &InstallmentOffersRequest) -> Result<InstallmentOffers> {
        let http = installment::build_get_installment_request(&self.config, request)?;
        let call = Call::idempotent(PROVIDER, "get_installment_request");
        installment::parse_get_installment_request(&self.http.execute(&call, http).await?)
    }

    /// Starts a hosted installment payment (`installment-request`) \[U\]; a callback follows.
    pub async fn installment_payment(&self, request: &InstallmentPaymentRequest) -> Result<RedirectResponse> {
        let http = installment::build_installment_request(&self.config, request)?;
        installment::parse_installment_request(&self.http.execute(&moves_money("installment_request"), http).await?)
    }

    /// Starts a bank transfer (`b2b/payment`) \[U\]. Sent once; after an
    /// unknown outcome ask [`EpointClient::b2b_status`] with the same `order_id`.
    pub async fn b2b_payment(&self, request: &B2bPaymentRequest) -> Result<B2bPaymentResponse> {
        let http = b2b::build_b2b_payment(&self.config, request)?;
        let call = moves_money("b2b_payment").sensitive();
        b2b::parse_b2b_payment(&self.http.execute(&call, http).await?)
    }

    /// A bank transfer's state (`GET b2b/payment/{order_id}`) \[U\]; safe to repeat.
    pub async fn b2b_status(&self, order_id: &str) -> Result<B2bStatusResponse> {
        let http = b2b::build_b2b_status(&self.config, order_id)?;
        let call = Call::idempotent(PROVIDER, "b2b_status").sensitive();
        b2b::parse_b2b_status(&self.http.execute(&call, http).await?)
    }

    /// Confirms an unsigned B2B webhook with the status call: the result
    /// is the queried state, bound to the webhook's order and `expected` amount.
    pub async fn confirm_b2b_webhook(
        &self,
        webhook: &UnconfirmedB2bWebhook,
        expected: Money,
    ) -> Result<ConfirmedB2bTransfer> {
        let queried = self.b2b_status(&webhook.order_id).await?;
        webhook.confirm(&queried, expected)
    }

    /// Starts a `payment-request` \[U\] (hosted page, callback).
    pub async fn payment_request(&self, request: &PayRequest) -> Result<RedirectResponse> {
        let http = request_family::build_payment_request(&self.config, request)?;
        request_family::parse_request_family(&self.http.execute(&moves_money("payment_request"), http).await?)
    }

    /// Starts an `amex-request` \[U\] (hosted page, callback; needs an AMEX grant).
    pub async fn amex_request(&self, request: &PayRequest) -> Result<RedirectResponse> {
        let http = request_family::build_amex_request(&self.config, request)?;
        request_family::parse_request_family(&self.http.execute(&moves_money("amex_request"), http).await?)
    }

    /// Sends a `payment-change-sum` \[U\] (the answer has no `transaction`).
    pub async fn payment_change_sum(&self, request: &PayRequest) -> Result<RedirectResponse> {
        let http = request_family::build_payment_change_sum(&self.config, request)?;
        request_family::parse_request_family(&self.http.execute(&moves_money("payment_change_sum"), http).await?)
    }

    /// Starts an Apple Pay / Google Pay split payment (`token/split-payment`) \[U\].
    pub async fn token_split_payment(&self, request: &SplitPayRequest) -> Result<TokenPaymentResponse> {
        let http = split::build_token_split_payment(&self.config, request)?;
        split::parse_token_split_payment(&self.http.execute(&moves_money("token_split_payment"), http).await?)
    }

    /// EPoint's health (`GET /api/heartbeat`). Not a payment call: retried
    /// like a read, and a non-2xx or non-`ok` answer is `healthy: false`,
    /// not an error; only a transport failure is an `Err`.
    pub async fn heartbeat(&self) -> Result<Heartbeat> {
        let http = heartbeat::build_heartbeat(&self.config)?;
        let call = Call::idempotent(PROVIDER, "heartbeat");
        Ok(heartbeat::parse_heartbeat(&self.http.execute(&call, http).await?))
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

/// A decline, its message naming EPoint's trace id when the answer had one.
fn decline(status: &Status, message: Option<String>, trace_id: Option<&str>) -> Decline {
    let message = crate::error::with_trace(message.as_deref(), trace_id);
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

/// The payment's currency, which EPoint's answers never carry.
fn payment_currency(payment: &PaymentRef, what: &str) -> Result<Currency> {
    payment.amount.map(Money::currency).ok_or_else(|| {
        Error::invalid_input(
            "payment.amount",
            format!(
                "{what} needs the payment's amount and currency (EPoint's answers carry none): PaymentRef::with_amount"
            ),
        )
    })
}

fn operation_outcome(
    operation: &str,
    transaction: &str,
    status: &Status,
    message: Option<String>,
    trace_id: Option<String>,
) -> Result<OperationOutcome> {
    match status {
        Status::Success => Ok(OperationOutcome::Accepted {
            provider_ref: Some(transaction.to_owned()),
            operation_id: None,
        }),
        s if s.is_declined() => Ok(OperationOutcome::Declined(decline(s, message, trace_id.as_deref()))),
        s => Err(unknown_status(operation, s)),
    }
}

/// EPoint through the provider-neutral trait: hosted payment = `pay` (or
/// `pre-auth-request` with `authorize_only`), status = `get-status`, refund =
/// `reverse` (full or partial), capture = `pre-auth-complete`, signed
/// callbacks. `cancel` is unsupported: EPoint's only reversal is the refund
/// (`reverse`), and how to release a hold without capturing is not documented.
impl PaymentProvider for EpointClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.cancel = false;
        // EPoint takes no refund id: a repeated `reverse` could refund twice.
        caps.idempotent_refund = false;
        // Partial capture is [U]: two weak sources (see the guide).
        caps.partial_capture = true;
        caps
    }

    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        if request.callback_url.is_some() {
            // EPoint takes the callback URL from the merchant dashboard only.
            tracing::warn!("EPoint ignores a per-payment callback_url; set it in the EPoint dashboard");
        }
        // The currency (and, for a hold, the flag) ride in `other_attr`, which
        // EPoint echoes signed in the callback: the one way a callback can name
        // its currency and tell a hold from a sale.
        let mut pay = PayRequest::new(request.order_id.clone(), request.amount)
            .other_attr(callback::OTHER_ATTR_CURRENCY, request.amount.currency().alpha_code());
        if request.authorize_only {
            pay = pay.other_attr(callback::OTHER_ATTR_AUTHORIZE_ONLY, true);
        }
        pay.description = request.description.clone();
        pay.success_redirect_url = request.success_url.clone();
        pay.error_redirect_url = request.failure_url.clone();
        if let Some(code) = &request.language {
            pay.language =
                Some(Language::parse(code).ok_or_else(|| Error::invalid_input("language", "must be az, en or ru"))?);
        }
        let response = if request.authorize_only {
            self.pre_auth(&pay).await?
        } else {
            self.pay(&pay).await?
        };
        match response.status {
            Status::Success => match response.redirect_url {
                Some(url) => Ok(PaymentOutcome::RequiresRedirect {
                    url,
                    provider_ref: response.transaction,
                }),
                None => Err(Error::unreadable(
                    PROVIDER,
                    200,
                    "the payment was accepted without a redirect_url",
                    b"",
                    None,
                )),
            },
            ref s if s.is_declined() => Ok(PaymentOutcome::Declined(decline(
                s,
                response.message,
                response.trace_id.as_deref(),
            ))),
            ref s => Err(unknown_status("pay", s)),
        }
    }

    /// `get-status` with the transaction; the amount is read in the currency
    /// of `payment.amount` (required when the answer has an amount). EPoint's
    /// status does not tell a hold from a captured payment: both are `success`.
    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let transaction = payment.require_transaction()?;
        let response = self.get_status(&StatusRequest::new(transaction)).await?;
        let amount = match response.amount {
            None => None,
            Some(amount) => {
                let currency = payment_currency(payment, "reading EPoint's status amount")?;
                Some(Money::from_decimal(amount, currency).map_err(|e| {
                    Error::unreadable(
                        PROVIDER,
                        200,
                        format!("get-status amount is not a valid {currency} amount: {e}"),
                        b"",
                        None,
                    )
                })?)
            }
        };
        let code = response
            .code
            .clone()
            .or_else(|| Some(response.status.as_str().to_owned()));
        let mut report = StatusReport::new(payment_status(&response.status))
            .with_order(response.order_id.clone().or_else(|| payment.order_id.clone()))
            .with_transaction(response.transaction.clone().or_else(|| Some(transaction.to_owned())))
            .with_amount(amount)
            .with_code(code, response.message);
        for (key, value) in [
            (refs::EXTRA_RRN, response.rrn),
            (refs::EXTRA_TRACE_ID, response.trace_id),
        ] {
            if let Some(value) = value {
                report = report.with_extra(key, value);
            }
        }
        Ok(report)
    }

    /// `reverse`: full when `amount` is `None` (the payment's currency is then
    /// taken from `payment.amount`, never assumed). EPoint takes no refund
    /// id: `refund_id` is not sent and `Accepted.operation_id` is `None`.
    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let transaction = request.payment.require_transaction()?;
        let reverse = match request.amount {
            Some(amount) => ReverseRequest::partial(transaction, amount),
            None => ReverseRequest::full(transaction, payment_currency(&request.payment, "a full refund")?),
        };
        let response = self.reverse(&reverse).await?;
        operation_outcome(
            "refund",
            transaction,
            &response.status,
            response.message,
            response.trace_id,
        )
    }

    /// `pre-auth-complete` of the hold `payment.transaction_id`: the whole
    /// hold (`None`: `payment.amount`, required because EPoint's call takes
    /// an amount) or part of it (\[U\]).
    async fn capture(&self, payment: &PaymentRef, amount: Option<Money>) -> Result<OperationOutcome> {
        let transaction = payment.require_transaction()?;
        let amount = match amount {
            Some(amount) => amount,
            None => payment.amount.ok_or_else(|| {
                Error::invalid_input(
                    "payment.amount",
                    "a full EPoint capture sends the hold's amount: PaymentRef::with_amount",
                )
            })?,
        };
        let response = self
            .pre_auth_complete(&PreAuthCompleteRequest::new(transaction, amount))
            .await?;
        operation_outcome(
            "capture",
            transaction,
            &response.status,
            response.message,
            response.trace_id,
        )
    }

    /// A signed event ([`callback::Callback::to_event`]): EPoint signs the whole `data`.
    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        self.verify_and_decode(body)?.to_event()
    }
}
