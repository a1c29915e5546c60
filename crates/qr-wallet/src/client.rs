//! `QrWalletClient`: one async method per operation over the pure builders and parsers.

use std::sync::Arc;

use payments_core::auth::{self, On401};
use payments_core::clock::{SharedClock, system_clock};
use payments_core::http::{CallOptions, HttpClient};
use payments_core::store::TokenStore;
use payments_core::token_cache::{FetchedToken, TokenCache};
use payments_core::{Call, ConfirmedEvent, Error, HttpRequest, HttpResponse, Result, Secret};

use crate::PROVIDER;
use crate::config::QrWalletConfig;
use crate::operations::RawPayload;
use crate::operations::account::{self, AddProviderMedia};
use crate::operations::own_qr::{self, CreateQrCode};
use crate::operations::payment::{self, WalletPayment};
use crate::operations::qr_payment::{self, ApproveQrPayment, CreateQrPayment, QrPaymentDetails, QrPaymentStatusReport};
use crate::operations::refund::{self, RefundPayment, RefundResult};
use crate::operations::third_party::{
    self, BeginThirdPartyPayment, BegunThirdPartyPayment, CompleteThirdPartyPayment, CompletedPayment,
    CreateThirdPartyQrCode, CreatedQrCode,
};
use crate::operations::token;
use crate::operations::tr_qr::{self, TrQrCode, TrQrState};
use crate::operations::transaction_data::{self, TransactionFilter, TransactionPage};
use crate::webhook::WalletWebhook;

const TOKEN: Call = Call::idempotent(PROVIDER, "token").sensitive();
// Begin is an inquiry ("Sorgulama"): repeating it opens a new session, moves nothing.
const BEGIN: Call = Call::idempotent(PROVIDER, "begin_third_party_payment");
const COMPLETE: Call = Call::moves_money(PROVIDER, "complete_third_party_payment");
// Creating codes and payment requests is sent once: a retry could create a second one.
const CREATE_THIRD_PARTY_QR: Call = Call::moves_money(PROVIDER, "create_third_party_qr_code");
const CREATE_QR_PAYMENT: Call = Call::moves_money(PROVIDER, "create_qr_payment");
const READ_QR_PAYMENT: Call = Call::idempotent(PROVIDER, "read_qr_payment");
const APPROVE_QR_PAYMENT: Call = Call::moves_money(PROVIDER, "approve_qr_payment");
const CHECK_QR_STATUS: Call = Call::idempotent(PROVIDER, "check_qr_payment_status");
const REFUND: Call = Call::moves_money(PROVIDER, "refund_payment");
// Enabling a provider for a wallet twice leaves it enabled.
const ADD_PROVIDER_MEDIA: Call = Call::idempotent(PROVIDER, "add_provider_media_to_wallet");
// [U]: nothing says what BeginQrCodePayment and CreateQrCode create; sent once.
const BEGIN_QR_CODE_PAYMENT: Call = Call::moves_money(PROVIDER, "begin_qr_code_payment");
const CREATE_QR_CODE: Call = Call::moves_money(PROVIDER, "create_qr_code");
const READ_TR_QR: Call = Call::idempotent(PROVIDER, "read_tr_qr_code");
const GET_TR_QR: Call = Call::idempotent(PROVIDER, "get_tr_qr_code");
const PAYMENT: Call = Call::moves_money(PROVIDER, "payment");
const SUMMARY: Call = Call::idempotent(PROVIDER, "summary_record_by_filter");
const RECEIPT: Call = Call::idempotent(PROVIDER, "transaction_receipt");

/// The wallet API client.
///
/// Cheap to clone (clones share the token cache and the HTTP pool). Every
/// call takes a bearer token from the core [`TokenCache`]: fetched once for
/// any number of concurrent callers, refreshed before its 3600 s expiry, and
/// dropped and refetched when the API answers HTTP 401; the call is then
/// resent once if it is idempotent or carries an id the platform will not
/// apply twice (see the guide).
///
/// ```no_run
/// # async fn run() -> payments_core::Result<()> {
/// use qr_wallet::{BeginThirdPartyPayment, CompleteThirdPartyPayment, QrWalletClient, QrWalletConfig};
///
/// let client = QrWalletClient::new(QrWalletConfig::from_env()?)?;
/// let begun = client
///     .begin_third_party_payment(&BeginThirdPartyPayment::new("5000000001", "000201010212...6304ABCD"))
///     .await?;
/// println!("pay {} to {:?}?", begun.payment_data.request_amount, begun.payment_data.merchant_name);
/// let done = client
///     .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun("5000000001", &begun))
///     .await?;
/// println!("paid, transaction {}", done.transaction_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct QrWalletClient {
    inner: Arc<Inner>,
    options: CallOptions,
}

#[derive(Debug)]
struct Inner {
    config: QrWalletConfig,
    http: HttpClient,
    tokens: TokenCache,
    clock: SharedClock,
}

/// Builder of [`QrWalletClient`]: a shared HTTP client and a clock.
#[derive(Debug)]
pub struct QrWalletClientBuilder {
    config: QrWalletConfig,
    http: Option<HttpClient>,
    clock: Option<SharedClock>,
    token_store: Option<Arc<dyn TokenStore>>,
}

impl QrWalletClientBuilder {
    /// Uses a shared [`HttpClient`] (one per process is best).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses another clock for the token cache and the session-expiry check (tests).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Shares the bearer token with other instances through `store` (for
    /// example the `redis` feature's `RedisStore`): one token fetch for all
    /// instances, and a token rejected on one is dropped for all. The key is
    /// the client id.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<QrWalletClient> {
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::new()?,
        };
        let clock = self.clock.unwrap_or_else(system_clock);
        let tokens = TokenCache::new().with_clock(clock.clone()).with_name(crate::PROVIDER);
        let tokens = match &self.token_store {
            Some(store) => tokens.with_store(store.clone(), format!("{}:sts_api", self.config.client_id())),
            None => tokens,
        };
        Ok(QrWalletClient {
            options: CallOptions::new(),
            inner: Arc::new(Inner {
                config: self.config,
                http,
                tokens,
                clock,
            }),
        })
    }
}

impl QrWalletClient {
    /// A client with its own HTTP client and the system clock.
    pub fn new(config: QrWalletConfig) -> Result<QrWalletClient> {
        QrWalletClient::builder(config).build()
    }

    /// A client configured from the environment ([`QrWalletConfig::from_env`]).
    pub fn from_env() -> Result<QrWalletClient> {
        QrWalletClient::new(QrWalletConfig::from_env()?)
    }

    /// A builder, to pass a shared HTTP client or a clock.
    pub fn builder(config: QrWalletConfig) -> QrWalletClientBuilder {
        QrWalletClientBuilder {
            config,
            http: None,
            clock: None,
            token_store: None,
        }
    }

    /// A cheap clone whose calls all use `options` (per-attempt timeout,
    /// a deadline over the whole call with its retries, a correlation id for
    /// tracing), on top of any options this client already has. The token
    /// cache and HTTP pool are shared.
    pub fn with_options(&self, options: CallOptions) -> QrWalletClient {
        QrWalletClient {
            inner: Arc::clone(&self.inner),
            options: self.options.merged(&options),
        }
    }

    /// The options every call of this client uses.
    pub fn options(&self) -> &CallOptions {
        &self.options
    }

    /// The configuration.
    pub fn config(&self) -> &QrWalletConfig {
        &self.inner.config
    }

    /// Begin3rdPartyQRCodePayment: reads a partner's QR code for a wallet and
    /// returns the sale and the correlation id to complete it with.
    pub async fn begin_third_party_payment(&self, req: &BeginThirdPartyPayment) -> Result<BegunThirdPartyPayment> {
        let config = &self.inner.config;
        let resp = self
            .send(&BEGIN, |token| third_party::build_begin(config, token, req))
            .await?;
        third_party::parse_begin(&resp)
    }

    /// Complete3rdPartyQRCodePayment: pays the begun sale from the wallet.
    /// Sent exactly once. When the request carries the session's expiry
    /// ([`CompleteThirdPartyPayment::from_begun`]) and it has passed by the
    /// client's clock, nothing is sent and the error names `SessionExpireDate`.
    /// When it carries Begin's `RequestAmount` (`from_begun` again), an answer
    /// whose `transaction_amount` differs is an error naming both amounts and
    /// the transaction (outcome unknown: the money moved for another amount).
    pub async fn complete_third_party_payment(&self, req: &CompleteThirdPartyPayment) -> Result<CompletedPayment> {
        let config = &self.inner.config;
        req.ensure_session_open(self.inner.clock.now(), config.session_offset())?;
        let resp = self
            .send(&COMPLETE, |token| third_party::build_complete(config, token, req))
            .await?;
        third_party::parse_completed_for(&resp, req)
    }

    /// Create3rdPartyQrCode: makes a partner QR code for an amount (merchant side). \[U\]
    pub async fn create_third_party_qr_code(&self, req: &CreateThirdPartyQrCode) -> Result<CreatedQrCode> {
        let config = &self.inner.config;
        let resp = self
            .send(&CREATE_THIRD_PARTY_QR, |token| {
                third_party::build_create_third_party_qr(config, token, req)
            })
            .await?;
        third_party::parse_created_qr(&resp)
    }

    /// CreateQRPayment: a payment request for the payer's wallet to scan. \[U\]
    pub async fn create_qr_payment(&self, req: &CreateQrPayment) -> Result<CreatedQrCode> {
        let config = &self.inner.config;
        let resp = self
            .send(&CREATE_QR_PAYMENT, |token| {
                qr_payment::build_create_qr_payment(config, token, req)
            })
            .await?;
        qr_payment::parse_create_qr_payment(&resp)
    }

    /// ReadQRPayment: what a QR payment request asks for. \[U\]
    pub async fn read_qr_payment(&self, qr_code: &str) -> Result<QrPaymentDetails> {
        let config = &self.inner.config;
        let resp = self
            .send(&READ_QR_PAYMENT, |token| {
                qr_payment::build_read_qr_payment(config, token, qr_code)
            })
            .await?;
        qr_payment::parse_read_qr_payment(&resp)
    }

    /// ApproveQRPayment: pays a QR payment request from the payer's wallet. Sent exactly once. \[U\]
    pub async fn approve_qr_payment(&self, req: &ApproveQrPayment) -> Result<CompletedPayment> {
        let config = &self.inner.config;
        let resp = self
            .send(&APPROVE_QR_PAYMENT, |token| {
                qr_payment::build_approve_qr_payment(config, token, req)
            })
            .await?;
        qr_payment::parse_approve_qr_payment(&resp)
    }

    /// CheckQRPaymentStatus: a QR payment request's status. \[U\]
    pub async fn check_qr_payment_status(&self, qr_code: &str) -> Result<QrPaymentStatusReport> {
        let config = &self.inner.config;
        let resp = self
            .send(&CHECK_QR_STATUS, |token| {
                qr_payment::build_check_qr_payment_status(config, token, qr_code)
            })
            .await?;
        qr_payment::parse_check_qr_payment_status(&resp)
    }

    /// RefundPayment or RefundPaymentInstant (full or partial). Sent exactly once. \[U\]
    pub async fn refund_payment(&self, req: &RefundPayment) -> Result<RefundResult> {
        let config = &self.inner.config;
        let resp = self
            .send(&REFUND, |token| refund::build_refund(config, token, req))
            .await?;
        refund::parse_refund(&resp)
    }

    /// AddProviderMediaToWallet: enables the partner's QR (Metropol) for a
    /// wallet, once, before Begin3rdPartyQRCodePayment.
    pub async fn add_provider_media_to_wallet(&self, req: &AddProviderMedia) -> Result<()> {
        let config = &self.inner.config;
        let resp = self
            .send(&ADD_PROVIDER_MEDIA, |token| {
                account::build_add_provider_media(config, token, req)
            })
            .await?;
        account::parse_add_provider_media(&resp)
    }

    /// BeginQrCodePayment \[U\]: the platform's own provider QR; provisional
    /// (answer kept as text, no completing call documented). Sent once.
    pub async fn begin_qr_code_payment(&self, req: &BeginThirdPartyPayment) -> Result<RawPayload> {
        let config = &self.inner.config;
        let resp = self
            .send(&BEGIN_QR_CODE_PAYMENT, |token| {
                own_qr::build_begin_qr_code_payment(config, token, req)
            })
            .await?;
        own_qr::parse_begin_qr_code_payment(&resp)
    }

    /// CreateQrCode \[U\]: provisional. Sent once.
    pub async fn create_qr_code(&self, req: &CreateQrCode) -> Result<CreatedQrCode> {
        let config = &self.inner.config;
        let resp = self
            .send(&CREATE_QR_CODE, |token| {
                own_qr::build_create_qr_code(config, token, req)
            })
            .await?;
        own_qr::parse_create_qr_code(&resp)
    }

    /// ReadTRQRCode: reads a scanned TR Karekod (amount in kuruş when 12 digits).
    pub async fn read_tr_qr_code(&self, qr_code: &str) -> Result<TrQrCode> {
        let config = &self.inner.config;
        let resp = self
            .send(&READ_TR_QR, |token| tr_qr::build_read_tr_qr(config, token, qr_code))
            .await?;
        tr_qr::parse_read_tr_qr(&resp)
    }

    /// GetTRQRCode: a generated TR Karekod's state; an expired one is code 324.
    pub async fn get_tr_qr_code(&self, qr_ref_no: &str) -> Result<TrQrState> {
        let config = &self.inner.config;
        let resp = self
            .send(&GET_TR_QR, |token| tr_qr::build_get_tr_qr(config, token, qr_ref_no))
            .await?;
        tr_qr::parse_get_tr_qr(&resp)
    }

    /// Payment: a wallet pays a business wallet (or the loyalty variant).
    /// Sent once; the answer must charge the amount asked. A repeat of the
    /// same `ext_transaction_id` is code 301 (already used): query
    /// [`QrWalletClient::summary_record_by_filter`] rather than pay again.
    pub async fn payment(&self, req: &WalletPayment) -> Result<CompletedPayment> {
        let config = &self.inner.config;
        let resp = self
            .send(&PAYMENT, |token| payment::build_payment(config, token, req))
            .await?;
        payment::parse_payment(&resp, req)
    }

    /// SummaryRecordByFilter: the platform's transactions (reconciliation,
    /// and settling unknown outcomes and webhooks).
    pub async fn summary_record_by_filter(&self, filter: &TransactionFilter) -> Result<TransactionPage> {
        let config = &self.inner.config;
        let resp = self
            .send(&SUMMARY, |token| {
                transaction_data::build_summary_record_by_filter(config, token, filter)
            })
            .await?;
        transaction_data::parse_summary_record_by_filter(&resp)
    }

    /// TransactionReceipt \[U\]: a transaction's receipt, kept as text.
    pub async fn transaction_receipt(&self, id: &str) -> Result<RawPayload> {
        let config = &self.inner.config;
        let resp = self
            .send(&RECEIPT, |token| {
                transaction_data::build_transaction_receipt(config, token, id)
            })
            .await?;
        transaction_data::parse_transaction_receipt(&resp)
    }

    /// Confirms a webhook's claim with SummaryRecordByFilter: the record
    /// with the claimed transaction id (or `ext_transaction_id`) must agree
    /// with it on order, amount, currency and outcome
    /// ([`ConfirmedEvent::by_status_query`]); the confirmed report is the
    /// queried one. A failed top-up has no transaction to query: it is
    /// [`Error::Unsupported`] (act on it only as the hint it is). A webhook
    /// whose transaction is not found is [`Error::Mismatch`].
    pub async fn confirm_webhook(&self, webhook: &WalletWebhook) -> Result<ConfirmedEvent> {
        let event = webhook.event()?;
        let Some(filter) = webhook.confirmation_query() else {
            return Err(Error::unsupported(PROVIDER, "confirm a failed top-up webhook"));
        };
        let page = self.summary_record_by_filter(&filter).await?;
        let claimed = event.claimed();
        let found = page.results.iter().find(|r| match claimed.transaction_id.as_deref() {
            Some(id) => r.id.as_deref() == Some(id),
            None => r.ext_transaction_id.is_some() && r.ext_transaction_id == claimed.order_id,
        });
        let Some(record) = found else {
            return Err(Error::mismatch(
                "transaction",
                "SummaryRecordByFilter has no transaction the webhook names",
            ));
        };
        let queried = record.status_report()?;
        ConfirmedEvent::by_status_query(event, queried)
    }

    /// A bearer token from the cache, fetched when missing or near expiry.
    pub async fn access_token(&self) -> Result<Secret<String>> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    /// Drops the cached token if it is still `rejected` (one the API refused
    /// with HTTP 401 outside this client); with a shared token store, every
    /// instance drops it.
    pub async fn invalidate_token(&self, rejected: &Secret<String>) {
        self.inner.tokens.invalidate(rejected).await;
    }

    async fn fetch_token(&self) -> Result<FetchedToken> {
        let req = token::build_token_request(&self.inner.config);
        let resp = self.inner.http.execute(&TOKEN.with_options(&self.options), req).await?;
        token::parse_token_response(&resp)
    }

    /// Builds with a token and sends through the core token wrapper: on
    /// HTTP 401 that token is dropped and, where [`on_401`] allows, the call
    /// is sent once more with a new one.
    async fn send(&self, call: &Call, build: impl Fn(&Secret<String>) -> Result<HttpRequest>) -> Result<HttpResponse> {
        let call = call.clone().with_options(&self.options);
        auth::send_with_token(
            &self.inner.http,
            &self.inner.tokens,
            &call,
            on_401(&call),
            || self.fetch_token(),
            build,
        )
        .await
    }
}

/// The platform's 401 comes from its bearer-token check (IdentityServer
/// tokens), before any handler runs, so it processed nothing. Idempotent
/// calls are resent with a new token. Money calls are resent only when the
/// request carries an id the platform refuses to apply twice (code 301):
/// Complete's `tx_correlation_id`, Approve's `qr_code`, Payment's and
/// refunds' `ext_transaction_id`, CreateQRPayment's `ext_order_id`. The
/// others (Create3rdPartyQrCode, BeginQrCodePayment, CreateQrCode) carry no
/// such id: their 401 is returned as it is.
fn on_401(call: &Call) -> On401 {
    const CARRY_AN_ID: [&str; 5] = [
        "complete_third_party_payment",
        "approve_qr_payment",
        "payment",
        "refund_payment",
        "create_qr_payment",
    ];
    if CARRY_AN_ID.contains(&call.operation) {
        On401::ResendCarriesId
    } else {
        On401::ResendIdempotentOnly
    }
}
