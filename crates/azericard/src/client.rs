//! [`AzericardClient`]: one method per operation, each = build, execute, parse.

use payments_core::clock::SharedClock;
use payments_core::http::{CallOptions, HttpClient};
use payments_core::store::OnceStore;
use payments_core::{
    Call, CallbackEvent, Capabilities, ConfirmedEvent, CreatePayment, Error, Money, OperationOutcome, PaymentOutcome,
    PaymentProvider, PaymentRef, RefundRequest, Result, StatusReport,
};

use crate::PROVIDER;
use crate::callback::{self, AuthorizationCallback, EXTRA_INT_REF, EXTRA_RRN, EXTRA_TRTYPE};
use crate::config::AzericardConfig;
use crate::error::TrType;
use crate::operations::authorization::{AuthorizationForm, AuthorizationRequest, build_authorization};
use crate::operations::completion::{FollowUpRequest, FollowUpResponse, build_follow_up, parse_follow_up};
use crate::operations::status::{StatusRequest, StatusResponse, build_status, parse_status};
use crate::operations::stored_charge::{StoredCardCharge, build_stored_charge};
use crate::operations::transfer::{
    TransferDecision, TransferDecisionKind, TransferResponse, TransferStart, build_transfer_confirm,
    build_transfer_decline, build_transfer_start, parse_transfer_response,
};
use crate::transfer_callback::TransferCallback;

/// The AzeriCard client. Cheap to clone; `Debug` shows no key.
///
/// [`PaymentRef`] for AzeriCard: `order_id` = ORDER, `amount` = the original
/// amount and currency, `extra[EXTRA_RRN]` and `extra[EXTRA_INT_REF]` from the
/// authorization, `extra[EXTRA_TRTYPE]` = the original TRTYPE for status
/// queries (default `1`). Every report and event this crate builds carries
/// them, so `report.payment_ref()` goes straight into a refund, cancel or
/// capture.
#[derive(Debug, Clone)]
pub struct AzericardClient {
    config: AzericardConfig,
    http: HttpClient,
}

/// Builder for [`AzericardClient`].
#[derive(Debug)]
pub struct AzericardClientBuilder {
    config: AzericardConfig,
    http: Option<HttpClient>,
}

impl AzericardClientBuilder {
    /// Shares `http` (one connection pool per process).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// The clock for TIMESTAMP, callback windows and the default replay store.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.config.set_clock(clock);
        self
    }

    /// The replay store of accepted callbacks' signed keys (INT_REF, RRN):
    /// a shared store (for example the `redis` feature's `RedisStore`) when
    /// several instances receive callbacks, so a callback accepted on one is
    /// refused as a replay on every other. Overrides the configuration's.
    pub fn replay_store(mut self, store: payments_core::store::SharedOnceStore) -> Self {
        self.config.replay_store = store;
        self.config.custom_replay_store = true;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<AzericardClient> {
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::new()?,
        };
        Ok(AzericardClient {
            config: self.config,
            http,
        })
    }
}

impl AzericardClient {
    /// A client with its own default [`HttpClient`].
    pub fn new(config: AzericardConfig) -> Result<Self> {
        AzericardClient::builder(config).build()
    }

    /// A builder, to share an [`HttpClient`] or set a clock.
    pub fn builder(config: AzericardConfig) -> AzericardClientBuilder {
        AzericardClientBuilder { config, http: None }
    }

    /// A client configured from the process environment ([`AzericardConfig::from_env`]).
    pub fn from_env() -> Result<Self> {
        AzericardClient::new(AzericardConfig::from_env()?)
    }

    /// The configuration.
    pub fn config(&self) -> &AzericardConfig {
        &self.config
    }

    /// A cheap clone whose calls all use `options` (per-attempt timeout,
    /// deadline over the whole call, correlation id), merged over the
    /// options this client already has.
    pub fn with_options(&self, options: CallOptions) -> Self {
        AzericardClient {
            config: self.config.clone(),
            http: self.http.with_options(options),
        }
    }

    /// The options every call of this client uses.
    pub fn options(&self) -> &CallOptions {
        self.http.options()
    }

    /// The signed authorization form (purchase, pre-authorization, card
    /// registration, payment with a saved card, MIT/recurring registration).
    /// Nothing is sent: the customer's browser posts it.
    pub fn authorization_form(&self, request: &AuthorizationRequest) -> Result<AuthorizationForm> {
        build_authorization(&self.config, request)
    }

    /// Completes (21) or reverses (22/24) an authorization. Sent exactly
    /// once; after an unknown outcome, ask [`AzericardClient::status`].
    pub async fn follow_up(&self, request: &FollowUpRequest) -> Result<FollowUpResponse> {
        let http_request = build_follow_up(&self.config, request)?;
        let operation = match request.trtype {
            TrType::Completion => "completion",
            _ => "reversal",
        };
        let response = self
            .http
            .execute(&Call::moves_money(PROVIDER, operation), http_request)
            .await?;
        parse_follow_up(&response)
    }

    /// Completes a pre-authorization (TRTYPE 21).
    pub async fn complete(&self, request: &FollowUpRequest) -> Result<FollowUpResponse> {
        if request.trtype != TrType::Completion {
            return Err(Error::invalid_input("trtype", "complete() takes a completion (21)"));
        }
        self.follow_up(request).await
    }

    /// Reverses or refunds (TRTYPE 22 or 24).
    pub async fn reverse(&self, request: &FollowUpRequest) -> Result<FollowUpResponse> {
        if !matches!(request.trtype, TrType::Return | TrType::Cancel) {
            return Err(Error::invalid_input("trtype", "reverse() takes 22 or 24"));
        }
        self.follow_up(request).await
    }

    /// Charges a stored card server-to-server (§7.2 unscheduled MIT, TRTYPE
    /// 1; §7.4 scheduled recurring, TRTYPE 3) \[U\]. Sent exactly once; after
    /// an unknown outcome, ask the status of its ORDER.
    pub async fn charge_stored_card(&self, request: &StoredCardCharge) -> Result<FollowUpResponse> {
        let http_request = build_stored_charge(&self.config, request)?;
        let response = self
            .http
            .execute(&Call::moves_money(PROVIDER, "stored_card_charge"), http_request)
            .await?;
        parse_follow_up(&response)
    }

    /// Queries a transaction's status (TRTYPE 90). Idempotent: retried on
    /// transient failures.
    pub async fn status(&self, request: &StatusRequest) -> Result<StatusResponse> {
        let http_request = build_status(&self.config, request)?;
        let response = self
            .http
            .execute(&Call::idempotent(PROVIDER, "status"), http_request)
            .await?;
        parse_status(&response)
    }

    /// Verifies and decodes an authorization callback: signature, formats,
    /// TERMINAL, TIMESTAMP window. The result carries no outcome you may act
    /// on: pass it to [`AzericardClient::confirm_authorization_callback`].
    pub fn verify_authorization_callback(&self, body: &[u8]) -> Result<AuthorizationCallback> {
        callback::verify_authorization_callback(&self.config, body)
    }

    /// Confirms a verified callback: marks its signed identity (TERMINAL,
    /// INT_REF, RRN) in the replay store (a second delivery is an
    /// [`Error::ReplayedCallback`]), queries the status of its ORDER and
    /// TRTYPE, and binds the answer to the callback (ORDER, AMOUNT,
    /// CURRENCY, RRN, INT_REF, outcome; see [`crate::confirm`]). The only way
    /// to an approval.
    pub async fn confirm_authorization_callback(&self, callback: AuthorizationCallback) -> Result<ConfirmedEvent> {
        self.confirm_event(callback.into_event()).await
    }

    async fn confirm_event(&self, event: CallbackEvent) -> Result<ConfirmedEvent> {
        if event.provider() != PROVIDER {
            return Err(Error::invalid_input("event", "is not an AzeriCard callback"));
        }
        let event = match event.into_confirmed() {
            Ok(confirmed) => return Ok(confirmed),
            Err(event) => event,
        };
        let key = event.dedupe_key().to_owned();
        crate::replay::mark_once(&self.config, &key, "this callback (INT_REF, RRN) was already confirmed").await?;
        let result = self.confirm_unmarked(event).await;
        if result.is_err() {
            // Let a later delivery try again; a forgery fails the same way.
            let _ = self.config.replay_store.release(&key).await;
        }
        result
    }

    async fn confirm_unmarked(&self, event: CallbackEvent) -> Result<ConfirmedEvent> {
        let claimed = event.claimed();
        let order = claimed
            .order_id
            .clone()
            .ok_or_else(|| Error::mismatch("order", "the callback names no ORDER"))?;
        let trtype = TrType::from_code(claimed.extra.get(EXTRA_TRTYPE).map_or("1", String::as_str));
        if !matches!(trtype, TrType::PreAuthorization | TrType::Purchase) {
            return Err(Error::mismatch("trtype", "only authorizations (0, 1) are confirmed"));
        }
        let answer = self.status(&StatusRequest::new(order, trtype)).await?;
        let queried = crate::confirm::bind(&self.config, claimed, &answer)?;
        ConfirmedEvent::by_status_query(event, queried)
    }

    /// Forgets a confirmed callback's key (its `dedupe_key()`), so a later
    /// delivery can be confirmed again: for a handler that failed after
    /// confirmation.
    pub async fn forget_callback(&self, dedupe_key: &str) -> Result<()> {
        self.config.replay_store.release(dedupe_key).await
    }

    /// The URL that starts a card transfer in the customer's browser.
    pub fn transfer_start_url(&self, request: &TransferStart) -> Result<String> {
        build_transfer_start(&self.config, request)
    }

    /// Confirms a pending transfer (moves money: sent exactly once).
    pub async fn confirm_transfer(&self, request: &TransferDecision) -> Result<TransferResponse> {
        let http_request = build_transfer_confirm(&self.config, request)?;
        let response = self
            .http
            .execute(&Call::moves_money(PROVIDER, "transfer_confirm"), http_request)
            .await?;
        parse_transfer_response(&self.config, TransferDecisionKind::Confirm, &response)
    }

    /// Declines a pending transfer (sent exactly once).
    pub async fn decline_transfer(&self, request: &TransferDecision) -> Result<TransferResponse> {
        let http_request = build_transfer_decline(&self.config, request)?;
        let response = self
            .http
            .execute(&Call::moves_money(PROVIDER, "transfer_decline"), http_request)
            .await?;
        parse_transfer_response(&self.config, TransferDecisionKind::Decline, &response)
    }

    /// Verifies and decodes an MT transfer callback, with the freshness
    /// window and replay protection (signed OperationID and Signature).
    pub async fn verify_transfer_callback(&self, body: &[u8]) -> Result<TransferCallback> {
        crate::transfer_callback::verify_transfer_callback(&self.config, body).await
    }

    fn follow_up_for(&self, payment: &PaymentRef, trtype: TrType, amount: Option<Money>) -> Result<FollowUpRequest> {
        let order = payment.require_order()?;
        let amount = amount
            .or(payment.amount)
            .ok_or_else(|| Error::invalid_input("amount", "the original amount is required"))?;
        let mut request = FollowUpRequest::completion(
            order,
            amount,
            payment.require_extra(EXTRA_RRN)?,
            payment.require_extra(EXTRA_INT_REF)?,
        );
        request.trtype = trtype;
        Ok(request)
    }
}

impl PaymentProvider for AzericardClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    /// Everything but partial capture (no source documents a partial
    /// completion) and idempotent refunds (AzeriCard takes no refund id).
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.partial_capture = false;
        caps.idempotent_refund = false;
        caps
    }

    /// A purchase (or a pre-authorization with `authorize_only`) as
    /// [`PaymentOutcome::RequiresFormPost`]. `description` defaults to the
    /// configured merchant name; `callback_url` overrides BACKREF.
    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        let description = match &request.description {
            Some(d) => d.clone(),
            None => self.config.merchant_name.clone().ok_or_else(|| {
                Error::config("missing: description (per payment) or merchant_name (AZERICARD_MERCHANT_NAME)")
            })?,
        };
        let mut auth = if request.authorize_only {
            AuthorizationRequest::pre_authorization(request.order_id.clone(), request.amount, description)
        } else {
            AuthorizationRequest::purchase(request.order_id.clone(), request.amount, description)
        };
        if let Some(url) = &request.callback_url {
            auth = auth.callback_url(url.clone());
        }
        if let Some(lang) = &request.language {
            auth = auth.language(lang.as_str());
        }
        build_authorization(&self.config, &auth)?.into_outcome()
    }

    /// Status query; the original TRTYPE comes from `extra[EXTRA_TRTYPE]`
    /// (default 1). The report carries RRN, INT_REF, APPROVAL and TRTYPE in
    /// `extra`; an amount is read in the currency the answer names, else in
    /// `payment.amount`'s.
    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let order = payment.require_order()?;
        let trtype = payment
            .extra
            .get(EXTRA_TRTYPE)
            .map_or(TrType::Purchase, |t| TrType::from_code(t));
        let currency = payment.amount.map(|a| a.currency());
        let response = self.status(&StatusRequest::new(order, trtype.clone())).await?;
        response.report(&trtype, currency)
    }

    /// Refund = TRTYPE 22 ("return payment" in most sources), full or partial.
    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let follow_up = self.follow_up_for(&request.payment, TrType::Return, request.amount)?;
        self.follow_up(&follow_up).await?.into_outcome()
    }

    /// Cancel = TRTYPE 24 (integrify/Omnipay: release a hold; srustamov:
    /// offline reversal of a settled payment) of the full amount.
    async fn cancel(&self, payment: &PaymentRef) -> Result<OperationOutcome> {
        let follow_up = self.follow_up_for(payment, TrType::Cancel, None)?;
        self.follow_up(&follow_up).await?.into_outcome()
    }

    /// Capture = completion (TRTYPE 21) of a pre-authorization, of its full
    /// amount (`amount` must be `None` or equal to it).
    async fn capture(&self, payment: &PaymentRef, amount: Option<Money>) -> Result<OperationOutcome> {
        if let (Some(a), Some(full)) = (amount, payment.amount)
            && a != full
        {
            return Err(Error::unsupported(PROVIDER, "partial capture"));
        }
        let follow_up = self.follow_up_for(payment, TrType::Completion, amount)?;
        self.follow_up(&follow_up).await?.into_outcome()
    }

    /// Verifies an authorization callback (signature, formats, window) into
    /// an **unconfirmed** event: its outcome is not signed.
    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        Ok(self.verify_authorization_callback(body)?.into_event())
    }

    /// Replay check on the signed identity, then a status query bound to
    /// the callback on ORDER, AMOUNT, CURRENCY, RRN, INT_REF and outcome.
    async fn confirm_callback(&self, event: CallbackEvent) -> Result<ConfirmedEvent> {
        self.confirm_event(event).await
    }
}
