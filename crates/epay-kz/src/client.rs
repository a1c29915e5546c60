//! [`EpayClient`]: one async method per operation, over the pure builders and
//! parsers of [`crate::operations`] and the shared executor.

use std::sync::Arc;
use std::time::Duration;

use payments_core::clock::SharedClock;
use payments_core::http::HttpClient;
use payments_core::token_cache::{FetchedToken, TokenCache};
use payments_core::{Call, Error, HttpRequest, HttpResponse, Money, Result, Secret};

use crate::PROVIDER;
use crate::callback::{self, PostLink};
use crate::config::EpayConfig;
use crate::error::{ResultCode, StatusName};
use crate::operations::invoice::{self, CreateInvoice, Invoice, InvoicePage, InvoiceSearch};
use crate::operations::saved_card::{self, CardPaymentResult, PaymentFrequency, SavedCardPayment};
use crate::operations::status::{self, StatusResponse};
use crate::operations::token::{self, AccessToken, PaymentTokenRequest};
use crate::operations::transaction::{self, ChargeRequest, RefundOperation};
use crate::operations::transfer::{self, TransferRequest};
use crate::operations::widget::{self, WidgetObject, WidgetPayment};

/// Which cached token an API call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// `client_credentials` + terminal: status, charge, cancel, refund, recurring.
    Service,
    /// Password grant: invoice links.
    Invoice,
    /// `transfer` scope: P2P, AFT, OCT.
    Transfer,
}

/// The ePay client. Cheap to clone (clones share the token caches and the HTTP pool).
///
/// Service, invoice-link and transfer tokens are cached until shortly before
/// they expire, with one fetch for any number of concurrent callers; a 401
/// from the API drops the token and retries the call once with a new one
/// (the provider rejected the request, so nothing happened). Payment tokens
/// are per payment and never cached.
#[derive(Debug, Clone)]
pub struct EpayClient {
    config: Arc<EpayConfig>,
    http: HttpClient,
    service_tokens: Arc<TokenCache>,
    invoice_tokens: Arc<TokenCache>,
    transfer_tokens: Arc<TokenCache>,
}

/// Builder of [`EpayClient`]: a shared HTTP client, a clock and the token margin.
#[derive(Debug)]
pub struct EpayClientBuilder {
    config: EpayConfig,
    http: Option<HttpClient>,
    clock: Option<SharedClock>,
    margin: Duration,
}

impl EpayClientBuilder {
    /// Uses a shared HTTP executor (recommended: one per process).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses another clock for token expiry (tests).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How long before expiry a cached token is refreshed (default 60 s, at
    /// most half the token's lifetime).
    pub fn token_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Builds the client (creating a default HTTP executor if none was given).
    pub fn build(self) -> Result<EpayClient> {
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::new()?,
        };
        let cache = || {
            let c = TokenCache::new().with_margin(self.margin);
            Arc::new(match &self.clock {
                Some(clock) => c.with_clock(clock.clone()),
                None => c,
            })
        };
        Ok(EpayClient {
            service_tokens: cache(),
            invoice_tokens: cache(),
            transfer_tokens: cache(),
            config: Arc::new(self.config),
            http,
        })
    }
}

impl EpayClient {
    /// A client with its own default HTTP executor.
    pub fn new(config: EpayConfig) -> Result<EpayClient> {
        EpayClient::builder(config).build()
    }

    /// A client on a shared HTTP executor.
    pub fn with_http_client(config: EpayConfig, http: HttpClient) -> EpayClient {
        let cache = || Arc::new(TokenCache::new());
        EpayClient {
            config: Arc::new(config),
            http,
            service_tokens: cache(),
            invoice_tokens: cache(),
            transfer_tokens: cache(),
        }
    }

    /// A builder.
    pub fn builder(config: EpayConfig) -> EpayClientBuilder {
        EpayClientBuilder {
            config,
            http: None,
            clock: None,
            margin: TokenCache::DEFAULT_MARGIN,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EpayConfig {
        &self.config
    }

    // ---- tokens -------------------------------------------------------------

    /// Fetches a payment token for one invoice and amount (never cached).
    pub async fn payment_token(&self, req: &PaymentTokenRequest) -> Result<AccessToken> {
        let http = token::build_payment_token(&self.config, req)?;
        let resp = self
            .http
            .execute(&Call::idempotent(PROVIDER, "payment_token").sensitive(), http)
            .await?;
        token::parse_token(&resp)
    }

    /// The cached service token (fetched when missing or about to expire).
    pub async fn service_token(&self) -> Result<Secret<String>> {
        self.token(TokenKind::Service).await
    }

    async fn token(&self, kind: TokenKind) -> Result<Secret<String>> {
        let (cache, op) = match kind {
            TokenKind::Service => (&self.service_tokens, "service_token"),
            TokenKind::Invoice => (&self.invoice_tokens, "invoice_token"),
            TokenKind::Transfer => (&self.transfer_tokens, "transfer_token"),
        };
        cache
            .get(|| async move {
                let req = match kind {
                    TokenKind::Service => token::build_service_token(&self.config)?,
                    TokenKind::Invoice => token::build_password_token(&self.config)?,
                    TokenKind::Transfer => token::build_transfer_token(&self.config)?,
                };
                let resp = self
                    .http
                    .execute(&Call::idempotent(PROVIDER, op).sensitive(), req)
                    .await?;
                let t = token::parse_token(&resp)?;
                Ok(FetchedToken {
                    token: t.access_token,
                    expires_in: t.expires_in,
                })
            })
            .await
    }

    fn cache(&self, kind: TokenKind) -> &TokenCache {
        match kind {
            TokenKind::Service => &self.service_tokens,
            TokenKind::Invoice => &self.invoice_tokens,
            TokenKind::Transfer => &self.transfer_tokens,
        }
    }

    /// Sends a request built with a cached token; on 401 drops that token and
    /// sends once more with a fresh one.
    async fn send_authorized<F>(&self, kind: TokenKind, call: Call, build: F) -> Result<HttpResponse>
    where
        F: Fn(&Secret<String>) -> Result<HttpRequest> + Send + Sync,
    {
        // A dry run with an empty token: invalid input fails here, before a
        // token is fetched or anything is sent.
        build(&Secret::from(""))?;
        let token = self.token(kind).await?;
        let resp = self.http.execute(&call, build(&token)?).await?;
        if resp.status != 401 {
            return Ok(resp);
        }
        tracing::debug!(
            operation = call.operation,
            "token rejected with 401; retrying once with a new token"
        );
        self.cache(kind).invalidate(&token).await;
        let token = self.token(kind).await?;
        self.http.execute(&call, build(&token)?).await
    }

    // ---- invoice links ------------------------------------------------------

    /// Creates an invoice link (password-grant token).
    pub async fn create_invoice(&self, req: &CreateInvoice) -> Result<Invoice> {
        let resp = self
            .send_authorized(TokenKind::Invoice, Call::moves_money(PROVIDER, "create_invoice"), |t| {
                invoice::build_create_invoice(&self.config, req, t)
            })
            .await?;
        invoice::parse_create_invoice(&resp)
    }

    /// Searches invoice links (needs the configured search URL).
    pub async fn search_invoices(&self, req: &InvoiceSearch) -> Result<InvoicePage> {
        let resp = self
            .send_authorized(TokenKind::Invoice, Call::idempotent(PROVIDER, "search_invoices"), |t| {
                invoice::build_search_invoices(&self.config, req, t)
            })
            .await?;
        invoice::parse_search_invoices(&resp)
    }

    /// Deactivates an invoice link by ePay's link id (a paid link needs no deactivation).
    pub async fn deactivate_invoice(&self, link_id: &str) -> Result<()> {
        let resp = self
            .send_authorized(
                TokenKind::Invoice,
                Call::idempotent(PROVIDER, "deactivate_invoice"),
                |t| invoice::build_deactivate_invoice(&self.config, link_id, t),
            )
            .await?;
        invoice::parse_deactivate_invoice(&resp)
    }

    // ---- payment page / widget ----------------------------------------------

    /// Fetches a payment token with the derived `secret_hash` and builds the
    /// `halyk.pay` object for `payment`.
    pub async fn widget_payment(&self, payment: &WidgetPayment) -> Result<WidgetObject> {
        let hash = crate::signature::derive_secret_hash(self.config.callback_key(), &payment.invoice_id)?;
        self.widget_payment_with_hash(payment, hash).await
    }

    /// Like [`EpayClient::widget_payment`] with a `secret_hash` the merchant
    /// stores itself (check callbacks with [`callback::verify_post_link`]).
    pub async fn widget_payment_with_hash(
        &self,
        payment: &WidgetPayment,
        secret_hash: Secret<String>,
    ) -> Result<WidgetObject> {
        let mut req = PaymentTokenRequest::new(payment.invoice_id.clone(), payment.amount, secret_hash);
        req.post_link = payment.post_link.clone().or_else(|| self.config.post_link.clone());
        req.failure_post_link = payment
            .failure_post_link
            .clone()
            .or_else(|| self.config.failure_post_link.clone());
        // Check the widget's own fields before asking for a token.
        let placeholder = AccessToken {
            access_token: Secret::from(""),
            expires_in: Duration::ZERO,
            refresh_token: None,
            scope: None,
            token_type: String::new(),
        };
        widget::build_widget_object(&self.config, payment, &placeholder)?;
        let token = self.payment_token(&req).await?;
        widget::build_widget_object(&self.config, payment, &token)
    }

    /// The minimal HTML page for `object`, loading the configured widget script.
    pub fn widget_page(&self, object: &WidgetObject) -> String {
        widget::widget_page_html(&self.config.widget_script_url, object)
    }

    // ---- status and operations ----------------------------------------------

    /// Checks a payment's status by invoice id (service token).
    pub async fn check_status(&self, invoice_id: &str) -> Result<StatusResponse> {
        let resp = self
            .send_authorized(TokenKind::Service, Call::idempotent(PROVIDER, "check_status"), |t| {
                status::build_check_status(&self.config, invoice_id, t)
            })
            .await?;
        status::parse_check_status(&resp)
    }

    /// Charges (captures) an authorized transaction, fully or partly.
    pub async fn charge(&self, req: &ChargeRequest) -> Result<()> {
        let resp = self
            .send_authorized(TokenKind::Service, Call::moves_money(PROVIDER, "charge"), |t| {
                transaction::build_charge(&self.config, req, t)
            })
            .await?;
        transaction::parse_operation(&resp)
    }

    /// Cancels (voids) an authorized transaction.
    pub async fn cancel_transaction(&self, transaction_id: &str) -> Result<()> {
        let resp = self
            .send_authorized(TokenKind::Service, Call::moves_money(PROVIDER, "cancel"), |t| {
                transaction::build_cancel(&self.config, transaction_id, t)
            })
            .await?;
        transaction::parse_operation(&resp)
    }

    /// Refunds a charged transaction, fully or partly (at least 10 KZT).
    pub async fn refund_transaction(&self, req: &RefundOperation) -> Result<()> {
        let resp = self
            .send_authorized(TokenKind::Service, Call::moves_money(PROVIDER, "refund"), |t| {
                transaction::build_refund(&self.config, req, t)
            })
            .await?;
        transaction::parse_operation(&resp)
    }

    // ---- saved cards, recurring, transfers ------------------------------------

    /// Pays with a saved card: fetches a payment token (derived `secret_hash`)
    /// and posts `/payments/cards/auth` with it.
    pub async fn pay_with_saved_card(&self, req: &SavedCardPayment) -> Result<CardPaymentResult> {
        req.validate()?;
        let mut token_req = PaymentTokenRequest::derived(&self.config, req.invoice_id.clone(), req.amount)?;
        if req.post_link.is_some() {
            token_req.post_link = req.post_link.clone();
        }
        if req.failure_post_link.is_some() {
            token_req.failure_post_link = req.failure_post_link.clone();
        }
        let token = self.payment_token(&token_req).await?;
        let http = saved_card::build_saved_card_payment(&self.config, req, &token.access_token)?;
        let resp = self
            .http
            .execute(&Call::moves_money(PROVIDER, "saved_card_payment"), http)
            .await?;
        saved_card::parse_saved_card_payment(&resp)
    }

    /// Subscribes a transaction to recurring payments.
    pub async fn subscribe_recurrent(&self, transaction_id: &str, frequency: PaymentFrequency) -> Result<()> {
        let resp = self
            .send_authorized(
                TokenKind::Service,
                Call::moves_money(PROVIDER, "recurrent_subscribe"),
                |t| saved_card::build_subscribe(&self.config, transaction_id, frequency, t),
            )
            .await?;
        saved_card::parse_subscribe(&resp)
    }

    /// A P2P, AFT or OCT transfer (transfer-scope token).
    pub async fn transfer(&self, req: &TransferRequest) -> Result<CardPaymentResult> {
        let resp = self
            .send_authorized(TokenKind::Transfer, Call::moves_money(PROVIDER, "transfer"), |t| {
                transfer::build_transfer(&self.config, req, t)
            })
            .await?;
        transfer::parse_transfer(&resp)
    }

    // ---- callbacks ----------------------------------------------------------

    /// Verifies a postLink body with the derived `secret_hash`, then decodes it.
    pub fn verify_post_link(&self, body: &[u8]) -> Result<PostLink> {
        callback::verify_post_link_derived(body, self.config.callback_key())
    }

    /// Confirms a verified success callback through a status check: the
    /// transaction exists for the same invoice, with `expected_amount`
    /// (currency included), and is authorized or charged. Call it before
    /// fulfilling an order.
    pub async fn confirm_post_link(&self, post_link: &PostLink, expected_amount: Money) -> Result<StatusResponse> {
        let PostLink::Success(success) = post_link else {
            return Err(Error::invalid_input(
                "post_link",
                "is a failure callback; nothing to confirm",
            ));
        };
        if success.amount != expected_amount {
            return Err(Error::invalid_input(
                "amount",
                format!(
                    "callback amount {} differs from the expected {expected_amount}",
                    success.amount
                ),
            ));
        }
        let status = self.check_status(&success.invoice_id).await?;
        let Some(t) = status
            .transaction
            .as_ref()
            .filter(|_| status.result_code == ResultCode::Found)
        else {
            return Err(Error::provider(
                PROVIDER,
                Some(status.result_code.as_str().to_owned()),
                Some(status.result_message.clone()),
                None,
            ));
        };
        if t.invoice_id != success.invoice_id {
            return Err(Error::invalid_input(
                "invoice_id",
                format!(
                    "status is for invoice {:?}, callback for {:?}",
                    t.invoice_id, success.invoice_id
                ),
            ));
        }
        if t.amount != Some(expected_amount) {
            return Err(Error::invalid_input(
                "amount",
                format!(
                    "status amount {:?} differs from the expected {expected_amount}",
                    t.amount
                ),
            ));
        }
        if !matches!(t.status_name, Some(StatusName::Auth | StatusName::Charge)) {
            return Err(Error::invalid_input(
                "status",
                format!(
                    "the payment is {:?}, not authorized or charged",
                    t.status_name.as_ref().map(StatusName::as_str)
                ),
            ));
        }
        Ok(status)
    }
}
