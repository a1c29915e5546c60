//! EPoint's hosted-page operations beyond `request` end to end, through the
//! client and the `payments` facade against the sandbox: the browser
//! `checkout` form, installments, `payment-request`, `amex-request`,
//! `payment-change-sum` and the hosted split payment. Each runs create →
//! hosted page → signed callback verified by the client and confirmed by
//! the facade (with its dedupe key) → get-status → a follow-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use payments::epoint::{
    Callback, ExtendedStatus, InstallmentOffersRequest, InstallmentPaymentRequest, OperationCode, PayRequest, Split,
    SplitPayRequest, Status, StatusRequest,
};
use payments::{
    CallbackEvent, Currency, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus, RefundRequest,
};
use payments_tests::epoint_setup::EpointSetup as Setup;

async fn setup() -> Setup {
    Setup::start(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    )
    .await
    .unwrap()
}

fn azn(major: &str) -> Money {
    Money::parse_major(major, Currency::AZN).unwrap()
}

fn dec(text: &str) -> payments::Decimal {
    text.parse().unwrap()
}

/// What the customer does on the hosted page; the sandbox's outcome header.
async fn press(web: &reqwest::Client, page: &str, action: &str, card: &str) -> String {
    payments_tests::epoint_setup::press(web, page, action, card)
        .await
        .unwrap()
}

/// The `n`th callback (1-based): decoded by the client, and the facade's
/// verified event.
async fn callback(s: &Setup, n: usize) -> (Callback, CallbackEvent) {
    let got = s.receiver.wait_for(n, Duration::from_secs(5)).await;
    assert_eq!(got.len(), n, "callbacks delivered");
    let received = &got[n - 1];
    let decoded = s.client.verify_and_decode(&received.body).unwrap();
    let event = received.verified.clone().expect("the callback verifies");
    (decoded, event)
}

/// Approves `page`, then checks the signed callback of a successful payment
/// of `amount` for `order` and confirms it through the facade.
async fn approve_and_confirm(s: &Setup, page: &str, order: &str, transaction: &str, amount: Money) -> Callback {
    assert_eq!(press(&s.web, page, "approve", "4111111111111111").await, "approved");
    let (decoded, event) = callback(s, 1).await;
    assert_eq!(decoded.status, Status::Success);
    assert_eq!(decoded.code.as_deref(), Some("000"));
    assert_eq!(decoded.order_id.as_deref(), Some(order));
    assert_eq!(decoded.transaction.as_deref(), Some(transaction));
    assert_eq!(decoded.amount, Some(amount.to_decimal()));
    assert_eq!(decoded.operation_code, Some(OperationCode::Payment));
    assert_eq!(decoded.card_mask.as_deref(), Some("411111******1111"));
    assert_eq!(decoded.card_id, None);
    assert!(decoded.rrn.is_some());
    assert_eq!(
        decoded.other_attr,
        Some(serde_json::json!({"currency": "AZN"})),
        "the signed currency travels in other_attr"
    );

    // Signed: confirmed as it stands, with the deliveries' dedupe key.
    assert!(event.is_confirmed());
    assert_eq!(event.dedupe_key(), format!("epoint:{transaction}:{order}:success"));
    assert_eq!(event.claimed().status, PaymentStatus::Succeeded);
    assert_eq!(event.claimed().amount, Some(amount));
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    confirmed.ensure_paid(order, amount).unwrap();
    assert!(confirmed.ensure_paid(order, azn("0.01")).is_err());

    // get-status agrees.
    let status = s.client.get_status(&StatusRequest::new(transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Success);
    assert_eq!(status.code.as_deref(), Some("000"));
    assert_eq!(status.order_id.as_deref(), Some(order));
    assert_eq!(status.transaction.as_deref(), Some(transaction));
    assert_eq!(status.amount, Some(amount.to_decimal()));
    assert_eq!(status.operation_code, Some(OperationCode::Payment));
    let report = s.provider.payment_status(&confirmed.payment_ref()).await.unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(amount));
    assert_eq!(report.order_id.as_deref(), Some(order));
    decoded
}

/// The page a `redirect_url` names, checked to be the sandbox's page of `transaction`.
fn page_of(s: &Setup, redirect_url: Option<&str>, transaction: &str) -> String {
    let page = redirect_url.expect("a redirect_url").to_owned();
    assert_eq!(page, format!("{}/pay/{transaction}", s.sandbox.epoint_url()));
    page
}

#[tokio::test]
async fn the_checkout_form_posted_by_the_browser_pays_then_refunds_partly() {
    let s = setup().await;
    let amount = azn("12.40");
    let request = PayRequest::new("CHK-ORD-1", amount)
        .description("Checkout 1")
        .other_attr("currency", "AZN");
    let form = s.client.checkout_form(&request).unwrap();
    assert_eq!(form.url, format!("{}/api/1/checkout", s.sandbox.epoint_url()));
    match form.clone().into_outcome() {
        payments::PaymentOutcome::RequiresFormPost { url, fields } => {
            assert_eq!(url, form.url);
            assert_eq!(
                fields,
                vec![
                    ("data".to_owned(), form.data.clone()),
                    ("signature".to_owned(), form.signature.clone())
                ]
            );
        }
        other => panic!("expected a form post, got {other:?}"),
    }

    // The browser posts the two hidden fields; EPoint answers with its page.
    let resp = s.web.post(&form.url).form(&form.fields()).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let transaction = location.rsplit('/').next().unwrap().to_owned();
    assert!(transaction.starts_with("te") && transaction.len() == 11, "{location}");
    // A relative redirect to the hosted page of the new transaction.
    assert_eq!(location, format!("/epoint/pay/{transaction}"));
    let page = format!("{}{location}", s.sandbox.base_url());
    let page = page_of(&s, Some(&page), &transaction);
    let stored = s.sandbox.providers().epoint.transaction(&transaction).unwrap();
    assert_eq!(stored.amount, Some(amount));
    assert_eq!(stored.order_id.as_deref(), Some("CHK-ORD-1"));

    approve_and_confirm(&s, &page, "CHK-ORD-1", &transaction, amount).await;
    // The page is settled once.
    let again = s.web.post(&page).form(&[("action", "approve")]).send().await.unwrap();
    assert_eq!(again.status(), 409);

    // Follow-up: a partial refund through the facade.
    let payment = PaymentRef::transaction(&transaction).with_amount(amount);
    let refund = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("2.40")))
        .await
        .unwrap();
    assert!(matches!(refund, OperationOutcome::Accepted { .. }), "{refund:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(azn("2.40"))
    );
    let beyond = s
        .provider
        .refund(&RefundRequest::partial(payment, azn("10.01")))
        .await
        .unwrap();
    assert!(matches!(beyond, OperationOutcome::Declined(_)), "{beyond:?}");
}

#[tokio::test]
async fn a_tampered_checkout_form_is_refused_with_an_error_page() {
    let s = setup().await;
    let form = s
        .client
        .checkout_form(&PayRequest::new("CHK-ORD-2", azn("1.00")))
        .unwrap();
    let other = s
        .client
        .checkout_form(&PayRequest::new("CHK-ORD-2", azn("100.00")))
        .unwrap();
    // The data of one form with the signature of another.
    let resp = s
        .web
        .post(&form.url)
        .form(&[("data", form.data.as_str()), ("signature", other.signature.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["x-epoint-status"], "server_error");
    assert!(s.receiver.wait_for(1, Duration::from_millis(200)).await.is_empty());
}

#[tokio::test]
async fn installment_offers_then_an_installment_payment() {
    let s = setup().await;
    let amount = azn("120.00");
    let offers = s
        .client
        .installment_offers(&InstallmentOffersRequest::new("INS-ORD-1", Currency::AZN).amount(amount))
        .await
        .unwrap();
    assert_eq!(offers.status, None, "an array answer has no status");
    let terms: Vec<(&str, &[u16])> = offers
        .cards
        .iter()
        .map(|c| (c.installment_card_id.as_str(), c.installment_months.as_slice()))
        .collect();
    assert_eq!(
        terms,
        vec![("1", &[3u16, 6, 12][..]), ("2", &[2u16, 3, 6, 9, 12, 18][..])]
    );
    assert!(offers.cards.iter().all(|c| c.name.is_some()));

    // A month the card does not offer is refused.
    let wrong = s
        .client
        .installment_payment(&InstallmentPaymentRequest::new("INS-ORD-1", amount, "1", 9))
        .await
        .unwrap();
    assert_eq!(wrong.status, Status::Error);
    assert_eq!(
        wrong.message.as_deref(),
        Some("installment_month: not offered by this installment card")
    );
    assert_eq!(wrong.transaction, None);

    let started = s
        .client
        .installment_payment(
            &InstallmentPaymentRequest::new("INS-ORD-1", amount, "1", 6)
                .description("Sofa in 6 months")
                .other_attr("currency", "AZN"),
        )
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let transaction = started.transaction.clone().expect("a transaction");
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    approve_and_confirm(&s, &page, "INS-ORD-1", &transaction, amount).await;
}

#[tokio::test]
async fn a_request_with_is_installment_pays_on_the_hosted_page() {
    let s = setup().await;
    let amount = azn("60.00");
    let started = s
        .client
        .pay(
            &PayRequest::new("INS-ORD-2", amount)
                .installment(true)
                .other_attr("currency", "AZN"),
        )
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    approve_and_confirm(&s, &page, "INS-ORD-2", &transaction, amount).await;
}

#[tokio::test]
async fn payment_request_pays_then_payment_change_sum_answers_a_page_without_transaction() {
    let s = setup().await;
    let amount = azn("5.00");
    let started = s
        .client
        .payment_request(
            &PayRequest::new("PRQ-ORD-1", amount)
                .description("Payment request 1")
                .other_attr("currency", "AZN"),
        )
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    assert!(started.trace_id.as_deref().is_some_and(|t| t.len() == 32));
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    approve_and_confirm(&s, &page, "PRQ-ORD-1", &transaction, amount).await;

    // payment-change-sum: m56's documented answer has no transaction.
    let changed = s
        .client
        .payment_change_sum(&PayRequest::new("PRQ-ORD-2", azn("6.50")).description("Changed sum"))
        .await
        .unwrap();
    assert_eq!(changed.status, Status::Success);
    assert_eq!(changed.transaction, None);
    let page = changed.redirect_url.expect("a page");
    assert!(
        page.starts_with(&format!("{}/pay/te", s.sandbox.epoint_url())),
        "{page}"
    );
}

#[tokio::test]
async fn amex_request_pays_and_refuses_is_installment_before_sending() {
    let s = setup().await;
    let amount = azn("7.00");
    let refused = s
        .client
        .amex_request(&PayRequest::new("AMX-ORD-1", amount).installment(true))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, payments::Error::InvalidInput { ref field, .. } if field == "is_installment"),
        "{refused:?}"
    );
    let started = s
        .client
        .amex_request(&PayRequest::new("AMX-ORD-1", amount).other_attr("currency", "AZN"))
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    approve_and_confirm(&s, &page, "AMX-ORD-1", &transaction, amount).await;
}

#[tokio::test]
async fn a_hosted_split_payment_carries_the_signed_split_amount() {
    let s = setup().await;
    let amount = azn("20.00");
    let over = s
        .client
        .split_pay(&SplitPayRequest::new(
            "SPL-ORD-1",
            amount,
            Split::new("i000000002", azn("20.01")),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(over, payments::Error::InvalidInput { ref field, .. } if field == "split_amount"),
        "{over:?}"
    );
    let started = s
        .client
        .split_pay(
            &SplitPayRequest::new("SPL-ORD-1", amount, Split::new("i000000002", azn("5.00")))
                .description("Split 1")
                .other_attr("currency", "AZN"),
        )
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let (decoded, event) = callback(&s, 1).await;
    assert_eq!(decoded.status, Status::Success);
    assert_eq!(decoded.order_id.as_deref(), Some("SPL-ORD-1"));
    assert_eq!(decoded.amount, Some(dec("20.00")));
    assert_eq!(decoded.split_amount, Some(dec("5.00")));
    assert_eq!(decoded.operation_code, Some(OperationCode::Payment));
    {
        // The signed data as sent (the decoder maps null and absent alike).
        let got = s.receiver.wait_for(1, Duration::from_secs(1)).await;
        let body = String::from_utf8(got[0].body.to_vec()).unwrap();
        let raw = body.split('&').find_map(|p| p.strip_prefix("data=")).unwrap();
        let data = raw.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
        let json = payments_core::crypto::base64_decode(data.as_bytes()).unwrap();
        let data: serde_json::Value = serde_json::from_slice(&json).unwrap();
        // Seed 000: nothing is absent from a split payment's callback; the
        // card id is there, null (no card was saved).
        assert_eq!(data["card_id"], serde_json::Value::Null);
        assert!(data.as_object().unwrap().contains_key("card_id"), "{data}");
        assert_eq!(data["split_amount"].to_string(), "5.0", "the number as sent");
    }
    assert_eq!(decoded.card_id, None);
    assert_eq!(decoded.transaction.as_deref(), Some(transaction.as_str()));
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    confirmed.ensure_paid("SPL-ORD-1", amount).unwrap();
    let status = s.client.get_status(&StatusRequest::new(&transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Success);
    assert_eq!(status.amount, Some(dec("20.00")));
}

#[tokio::test]
async fn a_declined_installment_page_is_a_signed_decline_with_the_bank_code() {
    let s = setup().await;
    let amount = azn("30.00");
    let started = s
        .client
        .installment_payment(
            &InstallmentPaymentRequest::new("INS-ORD-3", amount, "2", 18).other_attr("currency", "AZN"),
        )
        .await
        .unwrap();
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    assert_eq!(press(&s.web, &page, "approve", "4000000000009995").await, "declined");
    let (decoded, event) = callback(&s, 1).await;
    assert_eq!(decoded.status, Status::Failed);
    assert_eq!(decoded.code.as_deref(), Some("116"));
    assert_eq!(decoded.transaction.as_deref(), Some(transaction.as_str()));
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    assert_eq!(confirmed.status(), &PaymentStatus::Declined);
    assert!(confirmed.ensure_paid("INS-ORD-3", amount).is_err());
    let status = s.client.get_status(&StatusRequest::new(&transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Error);
    assert_eq!(status.code.as_deref(), Some("116"));
}

#[tokio::test]
async fn a_callback_sent_again_dedupes_on_the_same_key_and_is_handled_once() {
    use payments::store::{MemoryOnceStore, OnceStore};
    let s = setup().await;
    let amount = azn("15.00");
    let started = s
        .client
        .payment_request(&PayRequest::new("DUP-ORD-1", amount).other_attr("currency", "AZN"))
        .await
        .unwrap();
    let transaction = started.transaction.clone().unwrap();
    let page = page_of(&s, started.redirect_url.as_deref(), &transaction);
    approve_and_confirm(&s, &page, "DUP-ORD-1", &transaction, amount).await;

    // The sandbox's control API builds, signs and sends the callback again.
    let resent = s
        .web
        .post(format!(
            "{}/_sandbox/epoint/payments/{transaction}/callback",
            s.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert!(resent.status().is_success(), "{}", resent.status());
    let (second, event2) = callback(&s, 2).await;
    assert_eq!(second.transaction.as_deref(), Some(transaction.as_str()));
    assert_eq!(second.status, Status::Success);
    let got = s.receiver.wait_for(2, Duration::from_secs(5)).await;
    let event1 = got[0].verified.clone().unwrap();
    assert_eq!(event1.dedupe_key(), event2.dedupe_key());

    // A handler that marks the key once fulfils the order once.
    let seen = MemoryOnceStore::new();
    let ttl = Duration::from_secs(3600);
    let mut fulfilled = 0;
    for event in [event1, event2] {
        let confirmed = s.provider.confirm_callback(event).await.unwrap();
        if seen.mark_once(confirmed.dedupe_key(), ttl).await.unwrap() {
            confirmed.ensure_paid("DUP-ORD-1", amount).unwrap();
            fulfilled += 1;
        }
    }
    assert_eq!(fulfilled, 1);
}
