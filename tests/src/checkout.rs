//! The checkout flows of `cargo xtask demo`, one per provider, through the
//! `payments` facade against the in-process sandbox. The no-secret-in-logs
//! test runs the same flows under a TRACE subscriber.

use std::sync::Arc;
use std::time::{Duration, Instant};

use payments::epay_kz::{CreateInvoice, EpayClient, EpayConfig, InvoiceSearch};
use payments::epoint::{EpointClient, EpointConfig};
use payments::qr_wallet::{BeginThirdPartyPayment, CompleteThirdPartyPayment, QrWalletClient, QrWalletConfig};
use payments::{
    AnyProvider, CreatePayment, Currency, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentRef,
    PaymentStatus, RefundRequest,
};
use payments_sandbox::Sandbox;

use crate::receiver::Receiver;

/// One line of the final table.
pub struct Step {
    /// Provider name.
    pub provider: &'static str,
    /// What was done.
    pub operation: &'static str,
    /// What came of it.
    pub result: String,
    /// How long it took.
    pub elapsed: Duration,
    /// Whether it succeeded.
    pub ok: bool,
}

/// Every step run so far.
#[derive(Default)]
pub struct Report {
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// A flow's result: the error is a sentence for the table.
pub type Flow<T> = Result<T, String>;

impl Report {
    /// Runs one step, prints it as it finishes, and records it.
    async fn step<T, F>(&mut self, provider: &'static str, operation: &'static str, fut: F) -> Flow<T>
    where
        F: std::future::Future<Output = Flow<(T, String)>>,
    {
        let started = Instant::now();
        let outcome = fut.await;
        let elapsed = started.elapsed();
        let (ok, result, value) = match outcome {
            Ok((value, text)) => (true, text, Some(value)),
            Err(e) => (false, e, None),
        };
        println!(
            "  {} {provider:<10} {operation:<32} {result} ({} ms)",
            if ok { "ok  " } else { "FAIL" },
            elapsed.as_millis()
        );
        self.steps.push(Step {
            provider,
            operation,
            result: result.clone(),
            elapsed,
            ok,
        });
        value.ok_or(result)
    }

    /// Prints the steps as a Markdown table.
    pub fn print_table(&self) {
        let width = self
            .steps
            .iter()
            .map(|s| s.result.chars().count())
            .max()
            .unwrap_or(6)
            .min(70);
        println!();
        println!(
            "| {:<10} | {:<32} | {:<width$} | {:>8} |",
            "provider", "operation", "result", "time"
        );
        println!(
            "|{}|{}|{}|{}|",
            "-".repeat(12),
            "-".repeat(34),
            "-".repeat(width + 2),
            "-".repeat(10)
        );
        for s in &self.steps {
            let result: String = s.result.chars().take(width).collect();
            let mark = if s.ok { "" } else { "FAILED: " };
            println!(
                "| {:<10} | {:<32} | {:<width$} | {:>5} ms |",
                s.provider,
                s.operation,
                format!("{mark}{result}"),
                s.elapsed.as_millis()
            );
        }
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn money(text: &str, currency: Currency) -> Flow<Money> {
    Money::parse_major(text, currency).map_err(err)
}

async fn wait_callback(receiver: &Receiver, n: usize) -> Flow<payments::CallbackEvent> {
    let got = receiver.wait_for(n, Duration::from_secs(10)).await;
    let last = got.get(n - 1).ok_or("no callback arrived within 10 s")?;
    last.verified.clone().map_err(|e| format!("callback rejected: {e}"))
}

/// EPoint: pay, approve on the hosted page, verified callback, status, partial refund.
pub async fn epoint_checkout(report: &mut Report, sandbox: &Sandbox, web: &reqwest::Client) -> Flow<()> {
    const P: &str = "EPoint";
    let state = &sandbox.providers().epoint;
    let config = EpointConfig::builder()
        .public_key(state.public_key())
        .private_key(state.private_key())
        .base_url(sandbox.epoint_url())
        .success_redirect_url("https://shop.example/ok")
        .failed_redirect_url("https://shop.example/fail")
        .build()
        .map_err(err)?;
    let provider = Arc::new(AnyProvider::from(EpointClient::new(config).map_err(err)?));
    let verifier = provider.clone();
    let receiver = Receiver::start(Arc::new(move |b: &[u8]| verifier.verify_callback(b)))
        .await
        .map_err(err)?;
    state.set_callback_url(state.public_key(), &receiver.url);
    let amount = money("10.50", Currency::AZN)?;

    let (page, transaction) = report
        .step(P, "pay (hosted page)", async {
            match provider
                .create_payment(&CreatePayment::new("ORD-2026-000123", amount))
                .await
                .map_err(err)?
            {
                PaymentOutcome::RequiresRedirect {
                    url,
                    provider_ref: Some(t),
                } => {
                    let text = format!("redirect to the hosted page, transaction {t}");
                    Ok(((url, t), text))
                }
                other => Err(format!("unexpected outcome {other:?}")),
            }
        })
        .await?;
    report
        .step(P, "customer approves", async {
            let resp = web
                .post(&page)
                .form(&[("action", "approve"), ("card", "4111111111111111")])
                .send()
                .await;
            let resp = resp.map_err(err)?;
            let outcome = resp
                .headers()
                .get("x-sandbox-outcome")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            if outcome == "approved" {
                Ok(((), "approved on the hosted page".into()))
            } else {
                Err(outcome.into())
            }
        })
        .await?;
    report
        .step(P, "callback (SHA-1 verified)", async {
            let event = wait_callback(&receiver, 1).await?;
            // EPoint signs the whole callback: it confirms by its signature.
            let event = event
                .into_confirmed()
                .map_err(|_| "EPoint callback not confirmed by its signature")?;
            event.ensure_paid("ORD-2026-000123", amount).map_err(err)?;
            Ok(((), format!("{:?}, order and amount match", event.status())))
        })
        .await?;
    let payment = PaymentRef::transaction(&transaction).with_amount(amount);
    report
        .step(P, "status", async {
            let r = provider.payment_status(&payment).await.map_err(err)?;
            if r.status == PaymentStatus::Succeeded {
                Ok(((), format!("{:?}", r.status)))
            } else {
                Err(format!("{r:?}"))
            }
        })
        .await?;
    report
        .step(P, "partial refund 2.50 AZN", async {
            let part = money("2.50", Currency::AZN)?;
            match provider
                .refund(&RefundRequest::partial(payment.clone(), part))
                .await
                .map_err(err)?
            {
                OperationOutcome::Accepted { .. } => Ok(((), "accepted".into())),
                other => Err(format!("{other:?}")),
            }
        })
        .await?;
    Ok(())
}

/// ePay: invoice link, payment, postLink, search, status, refund.
pub async fn epay_checkout(report: &mut Report, sandbox: &Sandbox, web: &reqwest::Client) -> Flow<()> {
    use payments_sandbox::epay as sb;
    const P: &str = "ePay";
    let state = &sandbox.providers().epay;
    state.set_plain_invoice_urls(false);
    let config = EpayConfig::builder(sb::INVOICE_CLIENT_ID, sb::INVOICE_CLIENT_SECRET, sb::INVOICE_TERMINAL)
        .oauth_url(state.token_url())
        .api_url(state.api_url())
        .invoice_search_url(state.invoice_search_url())
        .widget_script_url(state.widget_script_url())
        .credentials(sb::INVOICE_USERNAME, sb::INVOICE_PASSWORD)
        .shop_id(sb::INVOICE_SHOP_ID)
        .build()
        .map_err(err)?;
    let client = Arc::new(EpayClient::new(config).map_err(err)?);
    // Invoice-link postLinks carry no secret_hash and ePay signs none: the
    // trait parses them into unconfirmed events, confirmed by a status query.
    let verifier = client.clone();
    let receiver = Receiver::start(Arc::new(move |b: &[u8]| {
        payments::PaymentProvider::verify_callback(verifier.as_ref(), b)
    }))
    .await
    .map_err(err)?;
    let amount = money("1500.00", Currency::KZT)?;
    let invoice_id = "000000012345";

    let invoice = report
        .step(P, "create invoice link", async {
            let req = CreateInvoice::new(
                invoice_id,
                "customer-42",
                amount,
                "Order 12345",
                "buyer@example.kz",
                "+77011234567",
            )
            .post_link(&receiver.url);
            let invoice = client.create_invoice(&req).await.map_err(err)?;
            let text = format!("link {} ({:?})", invoice.id, invoice.status);
            Ok((invoice, text))
        })
        .await?;
    report
        .step(P, "customer pays the link", async {
            let url = format!("{}/approve", invoice.invoice_url.trim());
            let resp = web
                .post(url)
                .header("accept", "application/json")
                .send()
                .await
                .map_err(err)?;
            let body: serde_json::Value = resp.json().await.map_err(err)?;
            if body["code"] == "ok" {
                Ok(((), "paid".into()))
            } else {
                Err(body.to_string())
            }
        })
        .await?;
    let transaction = report
        .step(P, "postLink confirmed (status)", async {
            let event = wait_callback(&receiver, 1).await?;
            if event.is_confirmed() {
                return Err("an unsigned postLink must not confirm by itself".into());
            }
            let confirmed = payments::PaymentProvider::confirm_callback(client.as_ref(), event)
                .await
                .map_err(err)?;
            confirmed.ensure_paid(invoice_id, amount).map_err(err)?;
            let id = confirmed
                .report()
                .transaction_id
                .clone()
                .ok_or("status without a transaction id")?;
            Ok((id.clone(), format!("transaction {id} paid, amount matches")))
        })
        .await?;
    report
        .step(P, "search invoice", async {
            let page = client
                .search_invoices(&InvoiceSearch::by_invoice_id(invoice_id))
                .await
                .map_err(err)?;
            let first = page.records.first().ok_or("no invoice found")?;
            Ok(((), format!("{} record(s), status {:?}", page.total_count, first.status)))
        })
        .await?;
    report
        .step(P, "status (confirms postLink)", async {
            let r = client
                .payment_status(&PaymentRef::order(invoice_id))
                .await
                .map_err(err)?;
            match (r.status.clone(), r.transaction_id.as_deref(), r.amount) {
                (PaymentStatus::Succeeded, Some(t), Some(a)) if t == transaction && a == amount => {
                    Ok(((), "charged, amount matches".into()))
                }
                _ => Err(format!("{r:?}")),
            }
        })
        .await?;
    report
        .step(P, "refund 500.00 KZT", async {
            let part = money("500.00", Currency::KZT)?;
            let refund = RefundRequest::partial(PaymentRef::transaction(&transaction), part).with_refund_id("refund-1");
            match client.refund(&refund).await.map_err(err)? {
                OperationOutcome::Accepted { .. } => Ok(((), "accepted".into())),
                other => Err(format!("{other:?}")),
            }
        })
        .await?;
    Ok(())
}

/// AzeriCard: signed authorization form, approval, RSA-verified callback, completion, status.
pub async fn azericard_checkout(report: &mut Report, sandbox: &Sandbox, web: &reqwest::Client) -> Flow<()> {
    use payments::azericard::{
        AzericardClient, AzericardConfig, FollowUpRequest, GatewayCode, GatewayPublicKey, MerchantKey,
    };
    const P: &str = "AzeriCard";
    // The project's throwaway test key: the sandbox verifies P_SIGN with its public half.
    const MERCHANT_KEY: &[u8] = include_bytes!("../../crates/azericard/tests/data/azericard-test-key.pem");
    let slot: Arc<std::sync::OnceLock<Arc<AzericardClient>>> = Arc::new(std::sync::OnceLock::new());
    let verifier = slot.clone();
    let receiver = Receiver::start(Arc::new(move |b: &[u8]| match verifier.get() {
        Some(c) => c.verify_callback(b),
        None => Err(payments::Error::malformed_callback("client not ready")),
    }))
    .await
    .map_err(err)?;
    let gateway =
        GatewayPublicKey::from_pem(sandbox.providers().azericard.gateway_public_key_pem().as_bytes()).map_err(err)?;
    let config = AzericardConfig::builder(payments_sandbox::azericard::TEST_TERMINAL)
        .mpi_base_url(sandbox.azericard_url())
        .mt_base_url(sandbox.azericard_url())
        .merchant_key(MerchantKey::from_pem(MERCHANT_KEY).map_err(err)?)
        .gateway_public_key(gateway)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .callback_url(&receiver.url)
        .build()
        .map_err(err)?;
    let client = Arc::new(AzericardClient::new(config).map_err(err)?);
    let _ = slot.set(client.clone());
    let amount = money("10.50", Currency::AZN)?;
    let order = "000000123456";

    let (url, fields) = report
        .step(P, "authorize (signed form)", async {
            let request = CreatePayment::new(order, amount)
                .description("Order 123456")
                .authorize_only(true);
            match client.create_payment(&request).await.map_err(err)? {
                PaymentOutcome::RequiresFormPost { url, fields } => {
                    let text = format!("{} form fields with P_SIGN", fields.len());
                    Ok(((url, fields), text))
                }
                other => Err(format!("unexpected outcome {other:?}")),
            }
        })
        .await?;
    report
        .step(P, "browser posts, customer approves", async {
            let landed = web.post(&url).form(&fields).send().await.map_err(err)?;
            if let Some(code) = landed.headers().get("x-azericard-response-code") {
                return Err(format!("gateway rejected the form: code {code:?}"));
            }
            let page = landed.url().clone();
            let pressed = web
                .post(page)
                .form(&[("action", "approve")])
                .send()
                .await
                .map_err(err)?;
            let outcome = pressed
                .headers()
                .get("x-sandbox-outcome")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            if outcome == "approved" {
                Ok(((), "approved on the gateway page".into()))
            } else {
                Err(outcome.into())
            }
        })
        .await?;
    let (rrn, int_ref) = report
        .step(P, "callback confirmed (TRTYPE 90)", async {
            let got = receiver.wait_for(1, Duration::from_secs(10)).await;
            let first = got.first().ok_or("no callback arrived within 10 s")?;
            let event = first.verified.clone().map_err(|e| format!("callback rejected: {e}"))?;
            // P_SIGN leaves ACTION, RC, ORDER and CURRENCY unsigned: only a
            // status query that agrees on every field confirms the hold.
            let confirmed = payments::PaymentProvider::confirm_callback(client.as_ref(), event)
                .await
                .map_err(err)?;
            confirmed.ensure_authorized(order, amount).map_err(err)?;
            let refs = confirmed.payment_ref();
            let (rrn, int_ref) = (
                refs.extra
                    .get(payments::azericard::EXTRA_RRN)
                    .cloned()
                    .ok_or("no RRN")?,
                refs.extra
                    .get(payments::azericard::EXTRA_INT_REF)
                    .cloned()
                    .ok_or("no INT_REF")?,
            );
            Ok(((rrn, int_ref), "held, order and amount confirmed".into()))
        })
        .await?;
    report
        .step(P, "completion (TRTYPE 21)", async {
            let done = client
                .complete(&FollowUpRequest::completion(order, amount, &rrn, &int_ref))
                .await
                .map_err(err)?;
            if done.code == GatewayCode::Success {
                Ok(((), "captured".into()))
            } else {
                Err(format!("{:?}", done.code))
            }
        })
        .await?;
    report
        .step(P, "status (TRTYPE 90)", async {
            let payment = PaymentRef::order(order).with_amount(amount).with_extra("TRTYPE", "21");
            let r = client.payment_status(&payment).await.map_err(err)?;
            if r.status == PaymentStatus::Succeeded {
                Ok(((), format!("{:?}", r.status)))
            } else {
                Err(format!("{r:?}"))
            }
        })
        .await?;
    Ok(())
}

/// QR wallet: begin, complete, partial refund.
pub async fn qr_checkout(report: &mut Report, sandbox: &Sandbox) -> Flow<()> {
    use payments_sandbox::qr as sb;
    const P: &str = "QR wallet";
    let config = QrWalletConfig::builder()
        .api_url(sandbox.providers().qr.api_url())
        .identity_url(format!("{}/identity", sandbox.qr_url()))
        .client_id(sb::CLIENT_ID)
        .client_secret(sb::CLIENT_SECRET)
        .provider_id(sb::PROVIDER_IDS[0])
        .build()
        .map_err(err)?;
    let client = QrWalletClient::new(config).map_err(err)?;
    let amount = payments::Decimal::new(2500, 2);
    let partner = sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", amount);

    let begun = report
        .step(P, "begin (scan partner QR)", async {
            let req = BeginThirdPartyPayment::new(sb::TEST_WALLET, &partner.qr_code);
            let begun = client.begin_third_party_payment(&req).await.map_err(err)?;
            let text = format!(
                "{} TRY at {}, correlation id {}",
                begun.payment_data.request_amount,
                begun.payment_data.merchant_name.as_deref().unwrap_or("?"),
                begun.tx_correlation_id.as_str()
            );
            Ok((begun, text))
        })
        .await?;
    report
        .step(P, "complete", async {
            let req = CompleteThirdPartyPayment::from_begun(sb::TEST_WALLET, &begun);
            let done = client.complete_third_party_payment(&req).await.map_err(err)?;
            Ok((
                (),
                format!(
                    "paid {} TRY, transaction {}",
                    done.transaction_amount, done.transaction_id
                ),
            ))
        })
        .await?;
    report
        .step(P, "partial refund 10.00 TRY", async {
            let paid =
                PaymentRef::transaction(begun.tx_correlation_id.as_str()).with_amount(money("25.00", Currency::TRY)?);
            let refund = RefundRequest::partial(paid, money("10.00", Currency::TRY)?).with_refund_id("refund-0001");
            match client.refund(&refund).await.map_err(err)? {
                OperationOutcome::Accepted { .. } => Ok(((), "accepted".into())),
                other => Err(format!("{other:?}")),
            }
        })
        .await?;
    Ok(())
}
