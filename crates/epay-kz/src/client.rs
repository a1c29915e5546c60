//! [`EpayClient`]: one async method per operation, over the pure builders and
//! parsers of [`crate::operations`] and the shared executor.

use std::sync::Arc;
use std::time::Duration;

use payments_core::auth::{On401, send_with_token};
use payments_core::clock::{SharedClock, system_clock};
use payments_core::http::{CallOptions, HttpClient};
use payments_core::store::TokenStore;
use payments_core::token_cache::{FetchedToken, TokenCache};
use payments_core::{Call, Currency, Error, HttpRequest, HttpResponse, Money, Result, Secret};

use crate::PROVIDER;
use crate::callback::{self, PostLink};
use crate::config::EpayConfig;
use crate::error::{ResultCode, StatusName};
use crate::operations::cards::{self, SavedCard};
use crate::operations::cryptopay::{self, HomebankCard, HostPayment, HostPaymentResult};
use crate::operations::installment::{
    self, CreditCondition, CreditOrder, CreditOrderRequest, CreditOrderState, TerminalInfo,
};
use crate::operations::invoice::{self, CreateInvoice, Invoice, InvoicePage, InvoiceSearch};
use crate::operations::legacy::{self, LegacyOperation};
use crate::operations::qr::{self, QrCode, QrRequest, QrStatus};
use crate::operations::saved_card::{self, CardPaymentResult, PaymentFrequency, SavedCardPayment};
use crate::operations::status::{self, StatusResponse};
use crate::operations::token::{self, AccessToken, PaymentTokenRequest};
use crate::operations::transaction::{self, ChargeRequest, OperationStatus, RefundOperation};
use crate::operations::transfer::{
    self, TransferKind, TransferList, TransferListQuery, TransferRequest, TransferResult, TransferStatus,
};
use crate::operations::widget::{self, WidgetObject, WidgetPayment};

/// Which cached token an API call needs. Each is a `client_credentials` or
/// password grant without invoice fields; invoice-scoped tokens (payments,
/// transfers, QR, host-to-host) are fetched per operation and never cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// `client_credentials` + payment terminal: status, charge, cancel, refund.
    Service,
    /// Password grant, invoice scope: invoice links.
    Invoice,
    /// `client_credentials` without terminal: saved-card list and deactivation.
    Cards,
    /// `client_credentials`, scope `statement usermanagement operation`: legacy lookup.
    Operation,
    /// `client_credentials` + transfer terminal: P2P/AFT status.
    TransferStatus,
    /// `client_credentials` + payout terminal: payout status.
    PayoutStatus,
    /// Password grant, scope `transfer`: the transfer list.
    TransferList,
}

const KINDS: usize = 7;

impl TokenKind {
    const fn index(self) -> usize {
        self as usize
    }

    const fn operation(self) -> &'static str {
        match self {
            TokenKind::Service => "service_token",
            TokenKind::Invoice => "invoice_token",
            TokenKind::Cards => "cards_token",
            TokenKind::Operation => "operation_token",
            TokenKind::TransferStatus => "transfer_status_token",
            TokenKind::PayoutStatus => "payout_status_token",
            TokenKind::TransferList => "transfer_list_token",
        }
    }
}

/// Whether a call may be sent again after a 401 with a fresh token.
///
/// A 401 means ePay rejected the token, but ePay does not document that it
/// then processed nothing; so a call is resent only when a second send
/// cannot move money twice: idempotent calls (reads, deactivations), and
/// refunds, which always carry an `externalID`. Charge, cancel and invoice
/// creation (money calls without an id) get their 401 back, a definitive
/// refusal. Transfers, payouts and payments use per-operation tokens and are
/// never resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resend {
    IdempotentOnly,
    CarriesId,
}

/// The ePay client. Cheap to clone (clones share the token caches and the HTTP pool).
///
/// Tokens without invoice fields are cached until shortly before they expire
/// (an answer without `expires_in` is given
/// [`EpayConfig::default_token_lifetime`]), with one fetch for any number of
/// concurrent callers. Invoice-scoped tokens (payments, card verification,
/// transfers, payouts, QR, host-to-host) are fetched per operation, as ePay's
/// pages require.
#[derive(Debug, Clone)]
pub struct EpayClient {
    config: Arc<EpayConfig>,
    http: HttpClient,
    tokens: Arc<[TokenCache; KINDS]>,
    clock: SharedClock,
}

/// Builder of [`EpayClient`]: a shared HTTP client, a clock and the token margin.
#[derive(Debug)]
pub struct EpayClientBuilder {
    config: EpayConfig,
    http: Option<HttpClient>,
    clock: Option<SharedClock>,
    margin: Duration,
    token_store: Option<Arc<dyn TokenStore>>,
}

impl EpayClientBuilder {
    /// Uses a shared HTTP executor (recommended: one per process).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses another clock for token expiry and QR lifetimes (tests).
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

    /// Shares the cached tokens (service, invoice, cards, ...) with other
    /// instances through `store` (for example the `redis` feature's
    /// `RedisStore`): one token fetch for all instances, and a token rejected
    /// on one is dropped for all. Keys are per client id and token kind.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Builds the client (creating a default HTTP executor if none was given).
    pub fn build(self) -> Result<EpayClient> {
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::new()?,
        };
        let clock = self.clock.unwrap_or_else(system_clock);
        let kinds = [
            TokenKind::Service,
            TokenKind::Invoice,
            TokenKind::Cards,
            TokenKind::Operation,
            TokenKind::TransferStatus,
            TokenKind::PayoutStatus,
            TokenKind::TransferList,
        ];
        let client_id = self.config.client_id().to_owned();
        let cache = |i: usize| {
            let cache = TokenCache::new()
                .with_margin(self.margin)
                .with_clock(clock.clone())
                .with_name(crate::PROVIDER);
            match (&self.token_store, kinds.get(i)) {
                (Some(store), Some(kind)) => {
                    cache.with_store(store.clone(), format!("{client_id}:{}", kind.operation()))
                }
                _ => cache,
            }
        };
        Ok(EpayClient {
            tokens: Arc::new(std::array::from_fn(cache)),
            config: Arc::new(self.config),
            http,
            clock,
        })
    }
}

impl EpayClient {
    /// A client with its own default HTTP executor.
    pub fn new(config: EpayConfig) -> Result<EpayClient> {
        EpayClient::builder(config).build()
    }

    /// A client configured from the environment ([`EpayConfig::from_env`]).
    pub fn from_env() -> Result<EpayClient> {
        EpayClient::new(EpayConfig::from_env()?)
    }

    /// A builder.
    pub fn builder(config: EpayConfig) -> EpayClientBuilder {
        EpayClientBuilder {
            config,
            http: None,
            clock: None,
            margin: TokenCache::DEFAULT_MARGIN,
            token_store: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EpayConfig {
        &self.config
    }

    /// A cheap clone whose every call (token fetches included) uses
    /// `options`: a timeout, one deadline across retries, a correlation id.
    /// Token caches are shared with `self`.
    pub fn with_options(&self, options: CallOptions) -> EpayClient {
        EpayClient {
            http: self.http.with_options(options),
            ..self.clone()
        }
    }

    // ---- tokens -------------------------------------------------------------

    /// Fetches an invoice-scoped token (payment, card verification, transfer,
    /// QR, host-to-host): never cached, one per operation.
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

    fn token_request(&self, kind: TokenKind) -> Result<HttpRequest> {
        let c = &self.config;
        match kind {
            TokenKind::Service => token::build_service_token(c),
            TokenKind::Invoice => token::build_password_token(c),
            TokenKind::Cards => token::build_client_token(c, &c.scope, None),
            TokenKind::Operation => token::build_client_token(c, &c.operation_scope, None),
            TokenKind::TransferStatus => token::build_client_token(c, &c.scope, Some(c.transfer_terminal_id())),
            TokenKind::PayoutStatus => token::build_client_token(c, &c.scope, Some(c.payout_terminal_id())),
            TokenKind::TransferList => token::build_password_token_scoped(c, &c.transfer_scope),
        }
    }

    async fn fetch_token(&self, kind: TokenKind) -> Result<FetchedToken> {
        let req = self.token_request(kind)?;
        let resp = self
            .http
            .execute(&Call::idempotent(PROVIDER, kind.operation()).sensitive(), req)
            .await?;
        let t = token::parse_token(&resp)?;
        Ok(FetchedToken {
            token: t.access_token,
            // No expires_in: an unknown lifetime, not a zero one.
            expires_in: t.expires_in.unwrap_or(self.config.default_token_lifetime),
        })
    }

    async fn token(&self, kind: TokenKind) -> Result<Secret<String>> {
        self.token_request(kind)?;
        self.tokens[kind.index()].get(|| self.fetch_token(kind)).await
    }

    /// Sends a request built with a cached token through the core's 401
    /// wrapper: on 401 the token is dropped, and the call is sent once more
    /// with a new one only where `resend` allows it.
    async fn send_authorized<F>(&self, kind: TokenKind, call: Call, resend: Resend, build: F) -> Result<HttpResponse>
    where
        F: Fn(&Secret<String>) -> Result<HttpRequest> + Send + Sync,
    {
        // Configuration problems (no password grant) surface before anything is sent.
        self.token_request(kind)?;
        let policy = match resend {
            // Idempotent calls are resent; money calls get their 401 back.
            Resend::IdempotentOnly => On401::ResendIdempotentOnly,
            // A refund carries its externalID: a resend cannot refund twice.
            Resend::CarriesId => On401::ResendCarriesId,
        };
        send_with_token(
            &self.http,
            &self.tokens[kind.index()],
            &call,
            policy,
            || self.fetch_token(kind),
            build,
        )
        .await
    }

    /// Sends a request with an invoice-scoped token the caller already holds.
    async fn send_with(&self, call: Call, req: HttpRequest) -> Result<HttpResponse> {
        self.http.execute(&call, req).await
    }

    fn derived_hash(&self, invoice_id: &str) -> Result<Secret<String>> {
        crate::signature::derive_secret_hash(self.config.require_callback_key()?, invoice_id)
    }

    // ---- invoice links ------------------------------------------------------

    /// Creates an invoice link (password-grant token). Not resent on 401.
    pub async fn create_invoice(&self, req: &CreateInvoice) -> Result<Invoice> {
        let resp = self
            .send_authorized(
                TokenKind::Invoice,
                Call::moves_money(PROVIDER, "create_invoice"),
                Resend::IdempotentOnly,
                |t| invoice::build_create_invoice(&self.config, req, t),
            )
            .await?;
        invoice::parse_create_invoice(&resp, req.amount.currency())
    }

    /// Searches invoice links (needs the configured search URL).
    pub async fn search_invoices(&self, req: &InvoiceSearch) -> Result<InvoicePage> {
        let resp = self
            .send_authorized(
                TokenKind::Invoice,
                Call::idempotent(PROVIDER, "search_invoices"),
                Resend::IdempotentOnly,
                |t| invoice::build_search_invoices(&self.config, req, t),
            )
            .await?;
        invoice::parse_search_invoices(&resp)
    }

    /// Deactivates an invoice link by ePay's link id (a paid link needs no deactivation).
    pub async fn deactivate_invoice(&self, link_id: &str) -> Result<()> {
        let resp = self
            .send_authorized(
                TokenKind::Invoice,
                Call::idempotent(PROVIDER, "deactivate_invoice"),
                Resend::IdempotentOnly,
                |t| invoice::build_deactivate_invoice(&self.config, link_id, t),
            )
            .await?;
        invoice::parse_deactivate_invoice(&resp)
    }

    // ---- payment page / widget ----------------------------------------------

    /// Fetches a payment token whose `secret_hash` is derived from the
    /// dedicated callback key and builds the `halyk.pay` object. Without a
    /// callback key this is a configuration error: use
    /// [`EpayClient::widget_payment_with_hash`] with a stored random hash.
    pub async fn widget_payment(&self, payment: &WidgetPayment) -> Result<WidgetObject> {
        let hash = self.derived_hash(&payment.invoice_id)?;
        self.widget_payment_with_hash(payment, hash).await
    }

    /// Like [`EpayClient::widget_payment`] with a `secret_hash` the merchant
    /// stores itself ([`crate::signature::new_secret_hash`]; check callbacks
    /// with [`callback::verify_post_link`]). Card verification
    /// ([`WidgetPayment::card_verification`]) gets its zero-USD token.
    pub async fn widget_payment_with_hash(
        &self,
        payment: &WidgetPayment,
        secret_hash: Secret<String>,
    ) -> Result<WidgetObject> {
        let mut req = if payment.is_card_verification() {
            PaymentTokenRequest::card_verification(payment.invoice_id.clone(), secret_hash)
        } else {
            PaymentTokenRequest::new(payment.invoice_id.clone(), payment.amount, secret_hash)
        };
        req.post_link = payment.post_link.clone().or_else(|| self.config.post_link.clone());
        req.failure_post_link = payment
            .failure_post_link
            .clone()
            .or_else(|| self.config.failure_post_link.clone());
        // Check the widget's own fields before asking for a token.
        let placeholder = AccessToken {
            access_token: Secret::from(""),
            expires_in: None,
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

    /// Checks a payment's status by invoice id (service token). A transaction
    /// without `currency` is an error here; see [`EpayClient::check_status_expecting`].
    pub async fn check_status(&self, invoice_id: &str) -> Result<StatusResponse> {
        self.check_status_expecting(invoice_id, None).await
    }

    /// Like [`EpayClient::check_status`], reading a transaction sent without
    /// `currency` in `expected` (the currency the payment was made in).
    pub async fn check_status_expecting(&self, invoice_id: &str, expected: Option<Currency>) -> Result<StatusResponse> {
        let resp = self
            .send_authorized(
                TokenKind::Service,
                Call::idempotent(PROVIDER, "check_status"),
                Resend::IdempotentOnly,
                |t| status::build_check_status(&self.config, invoice_id, t),
            )
            .await?;
        status::parse_check_status_expecting(&resp, expected)
    }

    /// Charges (captures) an authorized transaction, fully or partly. ePay
    /// takes no id for a charge, so it is never resent (not even on 401):
    /// after an unknown outcome, check the status.
    pub async fn charge(&self, req: &ChargeRequest) -> Result<()> {
        let resp = self
            .send_authorized(
                TokenKind::Service,
                Call::moves_money(PROVIDER, "charge"),
                Resend::IdempotentOnly,
                |t| transaction::build_charge(&self.config, req, t),
            )
            .await?;
        transaction::parse_operation(&resp)
    }

    /// Cancels (voids) an authorized transaction. Never resent (ePay takes no id).
    pub async fn cancel_transaction(&self, transaction_id: &str) -> Result<()> {
        let resp = self
            .send_authorized(
                TokenKind::Service,
                Call::moves_money(PROVIDER, "cancel"),
                Resend::IdempotentOnly,
                |t| transaction::build_cancel(&self.config, transaction_id, t),
            )
            .await?;
        transaction::parse_operation(&resp)
    }

    /// Refunds a charged transaction, fully or partly (at least 10 KZT),
    /// idempotently: without an `external_id` one is generated, and the id
    /// used is returned. Repeat a refund whose outcome is unknown with the
    /// **same** id; ePay answering that the id was used is
    /// [`OperationStatus::AlreadyProcessed`], never a second refund.
    pub async fn refund_transaction(&self, req: &RefundOperation) -> Result<(String, OperationStatus)> {
        let mut op = req.clone();
        let id = match &op.external_id {
            Some(id) => id.clone(),
            None => {
                let id = transaction::new_external_id();
                op.external_id = Some(id.clone());
                id
            }
        };
        let resp = self
            .send_authorized(
                TokenKind::Service,
                Call::moves_money(PROVIDER, "refund"),
                Resend::CarriesId,
                |t| transaction::build_refund(&self.config, &op, t),
            )
            .await?;
        Ok((id, transaction::parse_idempotent_operation(&self.config, &resp)?))
    }

    /// The legacy lookup `GET {api}/operation/:invoiceid` (its own scope).
    /// Prefer [`EpayClient::check_status`]; read-only.
    pub async fn operation_lookup(&self, invoice_id: &str, expected: Option<Currency>) -> Result<LegacyOperation> {
        let resp = self
            .send_authorized(
                TokenKind::Operation,
                Call::idempotent(PROVIDER, "operation_lookup"),
                Resend::IdempotentOnly,
                |t| legacy::build_operation_lookup(&self.config, invoice_id, t),
            )
            .await?;
        legacy::parse_operation_lookup(&resp, expected)
    }

    // ---- saved cards, recurring ---------------------------------------------

    /// The cards saved for `account_id` (the `accountId` of the saving payments).
    pub async fn list_cards(&self, account_id: &str) -> Result<Vec<SavedCard>> {
        let resp = self
            .send_authorized(
                TokenKind::Cards,
                Call::idempotent(PROVIDER, "list_cards"),
                Resend::IdempotentOnly,
                |t| cards::build_list_cards(&self.config, account_id, t),
            )
            .await?;
        cards::parse_list_cards(&resp)
    }

    /// Deactivates a saved card; returns ePay's free-text `status`. Not
    /// money-moving, so safe to repeat.
    pub async fn deactivate_card(&self, card_id: &str) -> Result<Option<String>> {
        let resp = self
            .send_authorized(
                TokenKind::Cards,
                Call::idempotent(PROVIDER, "deactivate_card"),
                Resend::IdempotentOnly,
                |t| cards::build_deactivate_card(&self.config, card_id, t),
            )
            .await?;
        cards::parse_deactivate_card(&resp)
    }

    /// Pays with a saved card \[U\]: a payment token with the derived
    /// `secret_hash`, then `/payments/cards/auth` with it.
    pub async fn pay_with_saved_card(&self, req: &SavedCardPayment) -> Result<CardPaymentResult> {
        let hash = self.derived_hash(&req.invoice_id)?;
        self.pay_with_saved_card_with_hash(req, hash).await
    }

    /// Like [`EpayClient::pay_with_saved_card`] with a stored `secret_hash`.
    pub async fn pay_with_saved_card_with_hash(
        &self,
        req: &SavedCardPayment,
        secret_hash: Secret<String>,
    ) -> Result<CardPaymentResult> {
        req.validate()?;
        let mut token_req = PaymentTokenRequest::new(req.invoice_id.clone(), req.amount, secret_hash);
        token_req.post_link = req.post_link.clone().or_else(|| self.config.post_link.clone());
        token_req.failure_post_link = req
            .failure_post_link
            .clone()
            .or_else(|| self.config.failure_post_link.clone());
        let token = self.payment_token(&token_req).await?;
        let http = saved_card::build_saved_card_payment(&self.config, req, &token.access_token)?;
        let resp = self
            .send_with(Call::moves_money(PROVIDER, "saved_card_payment"), http)
            .await?;
        saved_card::parse_saved_card_payment(&resp)
    }

    /// Subscribes a paid transaction to recurring payments with **the
    /// payment's own token** (as the official SDK does \[U\]): the
    /// `access_token` of [`EpayClient::payment_token`] or
    /// [`WidgetObject::access_token`]. Not resent.
    pub async fn subscribe_recurrent(
        &self,
        payment_token: &Secret<String>,
        transaction_id: &str,
        frequency: PaymentFrequency,
    ) -> Result<()> {
        let http = saved_card::build_subscribe(&self.config, transaction_id, frequency, payment_token)?;
        let resp = self
            .send_with(Call::moves_money(PROVIDER, "recurrent_subscribe"), http)
            .await?;
        saved_card::parse_subscribe(&resp)
    }

    // ---- transfers and payouts ------------------------------------------------

    /// A P2P, AFT or OCT transfer \[U\]: a fresh token for this transfer
    /// (`invoiceID` = order id, amount, currency, transfer terminal, scope
    /// `transfer`), then the transfer with it. Never resent: after an unknown
    /// outcome, check [`EpayClient::transfer_status`].
    pub async fn transfer(&self, req: &TransferRequest) -> Result<TransferResult> {
        // Check the transfer before asking for its token.
        transfer::build_transfer(&self.config, req, &Secret::from(""))?;
        let token = self.payment_token(&req.token_request(&self.config)).await?;
        let http = transfer::build_transfer(&self.config, req, &token.access_token)?;
        let resp = self.send_with(Call::moves_money(PROVIDER, "transfer"), http).await?;
        transfer::parse_transfer(&resp, req.amount.currency())
    }

    /// A payout to a client's card (OCT) from the merchant's corporate card
    /// registered with ePay for the payout terminal (ePay's withdrawal page;
    /// body per the official SDK \[U\]).
    pub async fn payout(&self, req: &TransferRequest) -> Result<TransferResult> {
        if req.kind != TransferKind::Oct {
            return Err(Error::invalid_input("kind", "a payout is an OCT transfer"));
        }
        self.transfer(req).await
    }

    /// The status of a transfer by its order id (a `client_credentials`
    /// token with that transfer kind's terminal). Amounts sent without
    /// `currency` are read in `expected`.
    pub async fn transfer_status(
        &self,
        kind: TransferKind,
        order_id: &str,
        expected: Option<Currency>,
    ) -> Result<TransferStatus> {
        let token_kind = match kind {
            TransferKind::Oct => TokenKind::PayoutStatus,
            TransferKind::P2p | TransferKind::Aft => TokenKind::TransferStatus,
        };
        let resp = self
            .send_authorized(
                token_kind,
                Call::idempotent(PROVIDER, "transfer_status"),
                Resend::IdempotentOnly,
                |t| transfer::build_transfer_status(&self.config, order_id, t),
            )
            .await?;
        transfer::parse_transfer_status(&resp, expected)
    }

    /// The transfer list (`p2p/operations`, password grant with scope `transfer`) \[U\].
    pub async fn transfer_list(&self, query: &TransferListQuery) -> Result<TransferList> {
        let resp = self
            .send_authorized(
                TokenKind::TransferList,
                Call::idempotent(PROVIDER, "transfer_list"),
                Resend::IdempotentOnly,
                |t| transfer::build_transfer_list(&self.config, query, t),
            )
            .await?;
        transfer::parse_transfer_list(&resp)
    }

    // ---- host-to-host, HalykID, QR, installments --------------------------------

    /// A host-to-host payment (`payment/cryptopay`): production only, PCI DSS
    /// required (see [`crate::operations::cryptopay`]). The payment token's
    /// `secret_hash` is derived from the callback key.
    pub async fn host_payment(&self, payment: &HostPayment) -> Result<HostPaymentResult> {
        let hash = self.derived_hash(&payment.invoice_id)?;
        self.host_payment_with_hash(payment, hash).await
    }

    /// Like [`EpayClient::host_payment`] with a stored `secret_hash`. Never resent.
    pub async fn host_payment_with_hash(
        &self,
        payment: &HostPayment,
        secret_hash: Secret<String>,
    ) -> Result<HostPaymentResult> {
        cryptopay::build_host_payment(&self.config, payment, &Secret::from(""))?;
        let mut req = if payment.is_card_verification() {
            PaymentTokenRequest::card_verification(payment.invoice_id.clone(), secret_hash)
        } else {
            PaymentTokenRequest::new(payment.invoice_id.clone(), payment.amount, secret_hash)
        };
        req.post_link = payment.post_link.clone().or_else(|| self.config.post_link.clone());
        req.failure_post_link = payment
            .failure_post_link
            .clone()
            .or_else(|| self.config.failure_post_link.clone());
        let token = self.payment_token(&req).await?;
        let http = cryptopay::build_host_payment(&self.config, payment, &token.access_token)?;
        let resp = self
            .send_with(Call::moves_money(PROVIDER, "host_payment"), http)
            .await?;
        cryptopay::parse_host_payment(&resp, payment.amount.currency())
    }

    /// The customer's Homebank cards for a HalykID payment \[U\], with the
    /// payment token of `invoice_id` and the customer's Homebank token.
    pub async fn halyk_id_cards(
        &self,
        payment_token: &Secret<String>,
        invoice_id: &str,
        homebank_token: &Secret<String>,
    ) -> Result<Vec<HomebankCard>> {
        let http = cryptopay::build_halyk_id_cards(&self.config, invoice_id, payment_token, homebank_token)?;
        let resp = self
            .send_with(Call::idempotent(PROVIDER, "halyk_id_cards"), http)
            .await?;
        cryptopay::parse_halyk_id_cards(&resp)
    }

    /// Generates a QR payment \[U\] (a payment token with the derived
    /// `secret_hash`, then the generate call). Keep the returned
    /// [`QrPayment`]: its status is queried with the same token, and ePay
    /// cancels the QR after 20 minutes.
    pub async fn qr_payment(&self, req: &QrRequest) -> Result<QrPayment> {
        let hash = self.derived_hash(&req.invoice_id)?;
        self.qr_payment_with_hash(req, hash).await
    }

    /// Like [`EpayClient::qr_payment`] with a stored `secret_hash`.
    pub async fn qr_payment_with_hash(&self, req: &QrRequest, secret_hash: Secret<String>) -> Result<QrPayment> {
        qr::build_qr_generate(&self.config, req, &Secret::from(""))?;
        let mut token_req = PaymentTokenRequest::new(req.invoice_id.clone(), req.amount, secret_hash);
        token_req.post_link = req.post_link.clone().or_else(|| self.config.post_link.clone());
        token_req.failure_post_link = req
            .failure_post_link
            .clone()
            .or_else(|| self.config.failure_post_link.clone());
        let token = self.payment_token(&token_req).await?;
        let http = qr::build_qr_generate(&self.config, req, &token.access_token)?;
        let resp = self.send_with(Call::moves_money(PROVIDER, "qr_generate"), http).await?;
        let code = qr::parse_qr_generate(&resp, self.clock.now())?;
        Ok(QrPayment {
            code,
            amount: req.amount,
            token: token.access_token,
        })
    }

    /// The status of a QR payment. After [`QrCode::expires_at`] ePay has
    /// cancelled an unpaid QR: stop polling then.
    pub async fn qr_status(&self, payment: &QrPayment) -> Result<QrStatus> {
        let http = qr::build_qr_status(&self.config, payment.code.bill_number.as_deref(), &payment.token)?;
        let resp = self.send_with(Call::idempotent(PROVIDER, "qr_status"), http).await?;
        qr::parse_qr_status(&resp, payment.amount.currency())
    }

    /// Installments \[U\]: the terminal and its shop, with the payment token.
    pub async fn terminal_info(&self, payment_token: &Secret<String>) -> Result<TerminalInfo> {
        let http = installment::build_terminal_info(&self.config, &self.config.terminal_id, payment_token)?;
        let resp = self
            .send_with(Call::idempotent(PROVIDER, "terminal_info"), http)
            .await?;
        installment::parse_terminal_info(&resp)
    }

    /// Installments \[U\]: the shop's credit conditions.
    pub async fn credit_conditions(
        &self,
        payment_token: &Secret<String>,
        shop_id: &str,
    ) -> Result<Vec<CreditCondition>> {
        let http = installment::build_credit_conditions(&self.config, shop_id, payment_token)?;
        let resp = self
            .send_with(Call::idempotent(PROVIDER, "credit_conditions"), http)
            .await?;
        installment::parse_credit_conditions(&resp)
    }

    /// Installments \[U\]: creates the credit order (not resent).
    pub async fn create_credit_order(
        &self,
        payment_token: &Secret<String>,
        req: &CreditOrderRequest,
    ) -> Result<CreditOrder> {
        let http = installment::build_credit_order(&self.config, req, payment_token)?;
        let resp = self
            .send_with(Call::moves_money(PROVIDER, "credit_order"), http)
            .await?;
        installment::parse_credit_order(&resp, req.amount.currency())
    }

    /// Installments \[U\]: the credit order's state.
    pub async fn credit_order_status(
        &self,
        payment_token: &Secret<String>,
        order_id: &str,
    ) -> Result<CreditOrderState> {
        let http = installment::build_credit_order_status(&self.config, order_id, payment_token)?;
        let resp = self
            .send_with(Call::idempotent(PROVIDER, "credit_order_status"), http)
            .await?;
        installment::parse_credit_order_status(&resp)
    }

    // ---- callbacks ----------------------------------------------------------

    /// Verifies a postLink body with the derived `secret_hash` (needs the
    /// callback key), then decodes it. The result is authenticated but
    /// unconfirmed: see [`EpayClient::confirm_post_link`].
    pub fn verify_post_link(&self, body: &[u8]) -> Result<PostLink> {
        callback::verify_post_link_derived(body, self.config.require_callback_key()?)
    }

    /// Confirms a postLink claim through a status check before an order is
    /// fulfilled: the status must be found for the same invoice **and the
    /// same transaction id**, with `expected_amount` (value and currency),
    /// authorized or charged; any difference is [`Error::Mismatch`] naming
    /// the field. A failure postLink has nothing to confirm.
    pub async fn confirm_post_link(&self, post_link: &PostLink, expected_amount: Money) -> Result<StatusResponse> {
        let PostLink::Success(success) = post_link else {
            return Err(Error::invalid_input(
                "post_link",
                "is a failure callback; nothing to confirm",
            ));
        };
        if success.amount != expected_amount {
            return Err(Error::mismatch(
                if success.amount.currency() == expected_amount.currency() {
                    "amount"
                } else {
                    "currency"
                },
                format!(
                    "callback amount {} differs from the expected {expected_amount}",
                    success.amount
                ),
            ));
        }
        let status = self
            .check_status_expecting(&success.invoice_id, Some(expected_amount.currency()))
            .await?;
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
            return Err(Error::mismatch(
                "invoice_id",
                format!(
                    "status is for invoice {:?}, callback for {:?}",
                    t.invoice_id, success.invoice_id
                ),
            ));
        }
        if t.id != success.transaction_id {
            return Err(Error::mismatch(
                "transaction_id",
                format!(
                    "status is for transaction {:?}, callback for {:?}",
                    t.id, success.transaction_id
                ),
            ));
        }
        if t.amount != Some(expected_amount) {
            return Err(Error::mismatch(
                "amount",
                format!(
                    "status amount {:?} differs from the expected {expected_amount}",
                    t.amount
                ),
            ));
        }
        if !matches!(t.status_name, Some(StatusName::Auth | StatusName::Charge)) {
            return Err(Error::mismatch(
                "outcome",
                format!(
                    "the payment is {:?}, not authorized or charged",
                    t.status_name.as_ref().map(StatusName::as_str)
                ),
            ));
        }
        Ok(status)
    }
}

/// A generated QR payment: the code, its amount and the payment token its
/// status is queried with. `Debug` does not show the token.
#[derive(Debug, Clone)]
pub struct QrPayment {
    /// The QR code (render `code.qrcode`; expires at `code.expires_at`).
    pub code: QrCode,
    /// The amount the QR was issued for.
    pub amount: Money,
    token: Secret<String>,
}
