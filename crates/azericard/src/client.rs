//! [`AzericardClient`]: one method per operation, each = build, execute, parse.

use payments_core::http::HttpClient;
use payments_core::{
    Call, CallbackEvent, Capabilities, CreatePayment, Error, OperationOutcome, PaymentOutcome, PaymentProvider,
    PaymentRef, RefundRequest, Result, StatusReport,
};

use crate::PROVIDER;
use crate::callback::{self, AuthorizationCallback, TransferCallback};
use crate::config::AzericardConfig;
use crate::error::TrType;
use crate::operations::authorization::{AuthorizationForm, AuthorizationRequest, build_authorization};
use crate::operations::completion::{
    FollowUpRequest, FollowUpResponse, ReversalKind, build_follow_up, parse_follow_up,
};
use crate::operations::status::{StatusRequest, StatusResponse, build_status, parse_status};
use crate::operations::transfer::{
    TransferDecision, TransferDecisionKind, TransferResponse, TransferStart, build_transfer_confirm,
    build_transfer_decline, build_transfer_start, parse_transfer_response,
};

/// The AzeriCard client. Cheap to clone; `Debug` shows no key.
///
/// [`PaymentRef`] for AzeriCard: `order_id` = ORDER, `amount` = the original
/// amount, `extra["RRN"]` and `extra["INT_REF"]` from the authorization
/// callback, optionally `extra["TRTYPE"]` = the original TRTYPE for status
/// queries (default `1`).
#[derive(Debug, Clone)]
pub struct AzericardClient {
    config: AzericardConfig,
    http: HttpClient,
}

impl AzericardClient {
    /// A client with its own default [`HttpClient`].
    pub fn new(config: AzericardConfig) -> Result<Self> {
        Ok(AzericardClient {
            config,
            http: HttpClient::new()?,
        })
    }

    /// A client sharing `http` (one connection pool per process).
    pub fn with_http_client(config: AzericardConfig, http: HttpClient) -> Self {
        AzericardClient { config, http }
    }

    /// The configuration.
    pub fn config(&self) -> &AzericardConfig {
        &self.config
    }

    /// The signed authorization form (purchase, pre-authorization, card
    /// registration or payment with a saved card). Nothing is sent: the
    /// customer's browser posts it.
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

    /// Verifies and decodes an authorization callback (with replay checks).
    pub fn verify_authorization_callback(&self, body: &[u8]) -> Result<AuthorizationCallback> {
        callback::verify_authorization_callback(&self.config, body)
    }

    /// Confirms a verified callback server-to-server: asks the status of its
    /// ORDER and TRTYPE.
    pub async fn confirm_callback(&self, callback: &AuthorizationCallback) -> Result<StatusResponse> {
        self.status(&StatusRequest::new(callback.order.clone(), callback.trtype.clone()))
            .await
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

    /// Verifies and decodes an MT transfer callback.
    pub fn verify_transfer_callback(&self, body: &[u8]) -> Result<TransferCallback> {
        callback::verify_transfer_callback(&self.config, body)
    }

    fn follow_up_for(
        &self,
        payment: &PaymentRef,
        kind: ReversalKind,
        amount: Option<payments_core::Money>,
    ) -> Result<FollowUpRequest> {
        let order = payment.require_order()?;
        let amount = amount
            .or(payment.amount)
            .ok_or_else(|| Error::invalid_input("amount", "the original amount is required"))?;
        Ok(FollowUpRequest::reversal(
            kind,
            order,
            amount,
            payment.require_extra("RRN")?,
            payment.require_extra("INT_REF")?,
        ))
    }
}

impl PaymentProvider for AzericardClient {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    /// A purchase (or a pre-authorization with `authorize_only`) as
    /// [`PaymentOutcome::RequiresFormPost`]. `description` defaults to the
    /// configured merchant name; `callback_url` overrides BACKREF.
    async fn create_payment(&self, request: &CreatePayment) -> Result<PaymentOutcome> {
        let description = match &request.description {
            Some(d) => d.clone(),
            None => self
                .config
                .merchant_name
                .clone()
                .ok_or_else(|| Error::invalid_input("description", "is required"))?,
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
            auth = auth.language(lang.clone());
        }
        Ok(build_authorization(&self.config, &auth)?.into_outcome())
    }

    /// Status query; the original TRTYPE comes from `extra["TRTYPE"]` (default 1).
    async fn payment_status(&self, payment: &PaymentRef) -> Result<StatusReport> {
        let order = payment.require_order()?;
        let trtype = payment
            .extra
            .get("TRTYPE")
            .map_or(TrType::Purchase, |t| TrType::from_code(t));
        let currency = payment.amount.map(|a| a.currency());
        let response = self.status(&StatusRequest::new(order, trtype.clone())).await?;
        Ok(response.report(&trtype, currency))
    }

    /// Refund = TRTYPE 22 ("return payment"), full or partial.
    async fn refund(&self, request: &RefundRequest) -> Result<OperationOutcome> {
        let follow_up = self.follow_up_for(&request.payment, ReversalKind::Return, request.amount)?;
        self.follow_up(&follow_up).await?.into_outcome()
    }

    /// Cancel = TRTYPE 24 ("cancel": release a hold / reverse) of the full amount.
    async fn cancel(&self, payment: &PaymentRef) -> Result<OperationOutcome> {
        let follow_up = self.follow_up_for(payment, ReversalKind::Cancel, None)?;
        self.follow_up(&follow_up).await?.into_outcome()
    }

    /// Verifies an authorization callback (signature, then replay checks).
    fn verify_callback(&self, body: &[u8]) -> Result<CallbackEvent> {
        Ok(self.verify_authorization_callback(body)?.to_event())
    }
}
