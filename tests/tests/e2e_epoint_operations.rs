//! EPoint operations of this wave end to end: the client crate (through the
//! `payments` facade) against the sandbox's independent reading of the spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use payments::epoint::{
    B2bPayee, B2bPaymentRequest, B2bStatus, CardStatus, CardStatusRequest, Invoice, InvoiceListRequest,
    InvoiceListType, InvoiceStatus, OperationCode, PayoutRequest, SaveCardRequest, SortOrder, Status,
    WalletPaymentRequest,
};
use payments::{
    CreatePayment, Currency, Money, OperationOutcome, PaymentOutcome, PaymentProvider, PaymentStatus, RefundRequest,
};
use payments_tests::epoint_setup::EpointSetup as Setup;

async fn setup() -> Setup {
    Setup::start(reqwest::Client::new()).await.unwrap()
}

/// What the customer does on the hosted page.
async fn press(web: &reqwest::Client, page: &str, action: &str, card: &str) -> String {
    payments_tests::epoint_setup::press(web, page, action, card)
        .await
        .unwrap()
}

fn azn(major: &str) -> Money {
    Money::parse_major(major, Currency::AZN).unwrap()
}

#[tokio::test]
async fn hold_approve_signed_callback_partial_capture_then_refund_within_capture() {
    let s = setup().await;
    let amount = azn("20.00");
    let outcome = s
        .provider
        .create_payment(
            &CreatePayment::new("ORD-HOLD-1", amount)
                .description("Hold at Test Shop")
                .authorize_only(true),
        )
        .await
        .unwrap();
    let (page, transaction) = match outcome {
        PaymentOutcome::RequiresRedirect { url, provider_ref } => (url, provider_ref.unwrap()),
        other => panic!("expected a redirect, got {other:?}"),
    };
    assert_eq!(page, format!("{}/pay/{transaction}", s.sandbox.epoint_url()));
    let held = s.sandbox.providers().epoint.transaction(&transaction).unwrap();
    assert_eq!(held.amount, Some(amount));
    assert_eq!(held.order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(held.captured, None);
    assert_eq!(
        held.other_attr,
        serde_json::json!({"currency": "AZN", "authorize_only": true})
    );

    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1, "one callback delivered");
    let event = got[0].verified.as_ref().expect("the hold's callback verifies");
    assert!(event.is_confirmed());
    assert_eq!(event.claimed().status, PaymentStatus::Authorized);
    assert_eq!(event.claimed().order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(event.claimed().amount, Some(amount));
    assert_eq!(event.claimed().transaction_id.as_deref(), Some(transaction.as_str()));
    let confirmed = event.clone().into_confirmed().expect("signed");
    confirmed.ensure_authorized("ORD-HOLD-1", amount).unwrap();
    assert!(
        confirmed.ensure_paid("ORD-HOLD-1", amount).is_err(),
        "a hold is not a sale"
    );
    assert!(confirmed.ensure_authorized("ORD-HOLD-1", azn("20.01")).is_err());
    assert!(confirmed.ensure_authorized("ORD-HOLD-2", amount).is_err());

    // A hold is not refundable before it is completed.
    let payment = confirmed.payment_ref();
    assert_eq!(payment.transaction_id.as_deref(), Some(transaction.as_str()));
    assert_eq!(payment.amount, Some(amount));
    let early = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("1.00")))
        .await
        .unwrap();
    assert!(matches!(early, OperationOutcome::Declined(_)), "{early:?}");

    // More than the hold is refused and captures nothing.
    let over = s.provider.capture(&payment, Some(azn("20.01"))).await.unwrap();
    assert!(matches!(over, OperationOutcome::Declined(_)), "{over:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured,
        None
    );

    // Partial capture.
    let captured = azn("12.30");
    let capture = s.provider.capture(&payment, Some(captured)).await.unwrap();
    match &capture {
        OperationOutcome::Accepted {
            provider_ref,
            operation_id,
        } => {
            assert_eq!(provider_ref.as_deref(), Some(transaction.as_str()));
            assert_eq!(operation_id, &None);
        }
        other => panic!("expected the capture accepted, got {other:?}"),
    }
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured,
        Some(captured)
    );
    // A second completion is refused.
    let again = s.provider.capture(&payment, Some(azn("1.00"))).await.unwrap();
    assert!(matches!(again, OperationOutcome::Declined(_)), "{again:?}");

    // The status now reads the captured amount.
    let status = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded);
    assert_eq!(status.order_id.as_deref(), Some("ORD-HOLD-1"));
    assert_eq!(status.amount, Some(captured));

    // Refunds stay within the captured amount.
    let refund = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("2.30")))
        .await
        .unwrap();
    assert!(matches!(refund, OperationOutcome::Accepted { .. }), "{refund:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(azn("2.30"))
    );
    let beyond = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("10.01")))
        .await
        .unwrap();
    assert!(matches!(beyond, OperationOutcome::Declined(_)), "{beyond:?}");
    let rest = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("10.00")))
        .await
        .unwrap();
    assert!(matches!(rest, OperationOutcome::Accepted { .. }), "{rest:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(captured)
    );
    let after = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
}

fn day(year: i32, month: time::Month, d: u8) -> time::Date {
    time::Date::from_calendar_date(year, month, d).unwrap()
}

#[tokio::test]
async fn invoices_create_view_list() {
    let s = setup().await;
    let invoice = Invoice::new(
        azn("150.75"),
        day(2026, time::Month::December, 1),
        day(2026, time::Month::December, 31),
    )
    .display(true)
    .name("Ali Aliyev")
    .description("December rent")
    .contract_number("CN-42")
    .merchant_order_id("INV-ORD-1");
    let created = s.client.create_invoice(&invoice).await.unwrap();
    assert_eq!(created.status, Status::Success);
    assert_eq!(created.message.as_deref(), Some("Invoice created"));
    let id = created.id.expect("an invoice id");
    let stored = s
        .sandbox
        .providers()
        .epoint
        .invoice(i64::try_from(id).unwrap())
        .unwrap();
    assert_eq!(
        stored.status,
        payments_sandbox::epoint::InvoiceStatus::WaitingForPayment
    );

    let viewed = s.client.view_invoice(id).await.unwrap();
    assert_eq!(viewed.status, Status::Success);
    let record = viewed.invoice.expect("the invoice");
    assert_eq!(record.id, Some(id));
    assert_eq!(record.sum, Some(rust_decimal_of("150.75")));
    assert_eq!(record.sum_money().unwrap(), Some(azn("150.75")));
    assert_eq!(record.status, Some(InvoiceStatus::WaitingForPayment));
    assert_eq!(
        record.name.as_ref().map(|n| n.expose_secret().as_str()),
        Some("Ali Aliyev")
    );
    assert_eq!(record.description.as_deref(), Some("December rent"));
    assert_eq!(record.contract_number.as_deref(), Some("CN-42"));
    assert_eq!(record.merchant_order_id.as_deref(), Some("INV-ORD-1"));
    assert_eq!(record.display, Some(true));
    assert_eq!(record.save_as_template, Some(false));

    let second = s
        .client
        .create_invoice(&Invoice::new(
            azn("5.00"),
            day(2026, time::Month::December, 2),
            day(2026, time::Month::December, 3),
        ))
        .await
        .unwrap();
    let second_id = second.id.unwrap();
    let listed = s
        .client
        .list_invoices(
            &InvoiceListRequest::new()
                .kind(InvoiceListType::Outgoing)
                .order(SortOrder::Descending),
        )
        .await
        .unwrap();
    assert_eq!(listed.status, Status::Success);
    let ids: Vec<Option<u64>> = listed.invoices.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![Some(second_id), Some(id)]);
    let incoming = s
        .client
        .list_invoices(&InvoiceListRequest::new().kind(InvoiceListType::Incoming))
        .await
        .unwrap();
    assert_eq!(incoming.status, Status::Success);
    assert!(incoming.invoices.is_empty(), "{incoming:?}");

    // Paid in the sandbox: the view reads it.
    assert!(s.sandbox.providers().epoint.set_invoice_status(
        i64::try_from(id).unwrap(),
        payments_sandbox::epoint::InvoiceStatus::Paid
    ));
    let paid = s.client.view_invoice(id).await.unwrap();
    assert_eq!(paid.invoice.unwrap().status, Some(InvoiceStatus::Paid));
}

fn rust_decimal_of(text: &str) -> payments::Decimal {
    text.parse().unwrap()
}

#[tokio::test]
async fn payout_card_registration_then_payout() {
    let s = setup().await;
    let registration = s
        .client
        .save_card(&SaveCardRequest::for_payout().description("Payout card"))
        .await
        .unwrap();
    assert_eq!(registration.status, Status::Success);
    let card_id = registration.card_id.clone().expect("a card id");
    assert!(card_id.starts_with("ce") && card_id.len() == 10, "{card_id}");
    let page = registration.redirect_url.clone().expect("a page");
    assert!(page.starts_with(&s.sandbox.epoint_url()), "{page}");
    let stored = s.sandbox.providers().epoint.card(&card_id).unwrap();
    assert!(stored.payout);

    let before = s
        .client
        .get_status_card(&CardStatusRequest::new(&card_id))
        .await
        .unwrap();
    assert_eq!(before.status, CardStatus::New);

    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let callback = s.client.verify_and_decode(&got[0].body).unwrap();
    assert_eq!(callback.status, Status::Success);
    assert_eq!(callback.card_id.as_deref(), Some(card_id.as_str()));
    assert_eq!(callback.operation_code, Some(OperationCode::CardRegistration));
    assert_eq!(callback.order_id, None);
    assert_eq!(callback.amount, None);
    assert_eq!(callback.card_mask.as_deref(), Some("411111******1111"));

    let active = s
        .client
        .get_status_card(&CardStatusRequest::new(&card_id))
        .await
        .unwrap();
    assert_eq!(active.status, CardStatus::Active);
    assert_eq!(active.id.as_deref(), Some(card_id.as_str()));
    assert_eq!(active.mask.as_deref(), Some("411111******1111"));

    let payout = s
        .client
        .payout(&PayoutRequest::new("PAYOUT-1", azn("7.25"), &card_id))
        .await
        .unwrap();
    assert_eq!(payout.status, Status::Success);
    assert_eq!(payout.message.as_deref(), Some("Approved"));
    assert_eq!(payout.amount, Some(rust_decimal_of("7.25")));
    let transaction = payout.transaction.clone().expect("a payout transaction");
    let stored = s.sandbox.providers().epoint.transaction(&transaction).unwrap();
    assert_eq!(stored.amount, Some(azn("7.25")));
    assert_eq!(stored.order_id.as_deref(), Some("PAYOUT-1"));
    assert_eq!(stored.card_id.as_deref(), Some(card_id.as_str()));

    // Insufficient funds (magic x.51) is a decline value.
    let declined = s
        .client
        .payout(&PayoutRequest::new("PAYOUT-2", azn("7.51"), &card_id))
        .await
        .unwrap();
    assert_eq!(declined.status, Status::Failed);
    assert_eq!(declined.message.as_deref(), Some("Insufficient funds"));
}

#[tokio::test]
async fn heartbeat_is_healthy() {
    let s = setup().await;
    let beat = s.client.heartbeat().await.unwrap();
    assert!(beat.healthy);
    assert_eq!(beat.http_status, 200);
    assert_eq!(beat.status.as_deref(), Some("ok"));
}

#[tokio::test]
async fn wallet_status_then_wallet_payment() {
    let s = setup().await;
    let status = s.client.wallet_status().await.unwrap();
    assert_eq!(status.status, Some(Status::Success));
    let wallets = status.wallets().expect("wallets");
    let named: Vec<(Option<&str>, Option<&str>)> =
        wallets.iter().map(|w| (w.id.as_deref(), w.name.as_deref())).collect();
    assert_eq!(
        named,
        vec![
            (Some("1"), Some("Sandbox Wallet")),
            (Some("2"), Some("Sandbox Bonus Wallet"))
        ]
    );

    let amount = azn("3.40");
    let payment = s
        .client
        .wallet_payment(&WalletPaymentRequest::new("1", "WAL-ORD-1", amount))
        .await
        .unwrap();
    assert_eq!(payment.status, Status::Success);
    let transaction = payment.transaction.clone().expect("a transaction");
    let page = payment.redirect_url.clone().expect("a page");
    assert_eq!(page, format!("{}/pay/{transaction}", s.sandbox.epoint_url()));
    let stored = s.sandbox.providers().epoint.transaction(&transaction).unwrap();
    assert_eq!(stored.wallet_id.as_deref(), Some("1"));
    assert_eq!(stored.amount, Some(amount));

    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let callback = s.client.verify_and_decode(&got[0].body).unwrap();
    assert_eq!(callback.status, Status::Success);
    assert_eq!(callback.order_id.as_deref(), Some("WAL-ORD-1"));
    assert_eq!(callback.transaction.as_deref(), Some(transaction.as_str()));
    assert_eq!(callback.amount, Some(rust_decimal_of("3.40")));

    let unknown = s
        .client
        .wallet_payment(&WalletPaymentRequest::new("99", "WAL-ORD-2", amount))
        .await
        .unwrap();
    assert_eq!(unknown.status, Status::Error);
}

#[tokio::test]
async fn b2b_transfer_steps_to_success() {
    let s = setup().await;
    let payee = B2bPayee::new("AZ21NABZ00000000137010001944", "Supplier LLC", "1234567891", "123456");
    let request = B2bPaymentRequest::new("B2B-ORD-1", azn("250.00"), "Invoice 42", payee);
    let answer = s.client.b2b_payment(&request).await.unwrap();
    assert_eq!(answer.status, Status::Success);
    assert_eq!(answer.order_id.as_deref(), Some("B2B-ORD-1"));
    let bulk = answer.bulk_id.clone().expect("a bulkId");
    let stored = s.sandbox.providers().epoint.b2b_transfer("B2B-ORD-1").unwrap();
    assert_eq!(stored.bulk_id, bulk);
    assert_eq!(stored.amount, azn("250.00"));
    assert_eq!(stored.iban, "AZ21NABZ00000000137010001944");
    assert_eq!(stored.status, payments_sandbox::epoint::B2bStatus::Pending);
    assert!(!stored.webhook_sent);

    let mut seen = Vec::new();
    for _ in 0..3 {
        let step = s.client.b2b_status("B2B-ORD-1").await.unwrap();
        assert_eq!(step.order_id.as_deref(), Some("B2B-ORD-1"));
        assert_eq!(step.bulk_id.as_deref(), Some(bulk.as_str()));
        assert_eq!(step.amount, Some(rust_decimal_of("250.00")));
        assert_eq!(step.payee_name.as_deref(), Some("Supplier LLC"));
        assert_eq!(
            step.payee_iban.as_ref().map(|i| i.expose_secret().as_str()),
            Some("AZ21NABZ00000000137010001944")
        );
        seen.push(step.status);
    }
    // Each status call moves the transfer one step and answers the new state
    // (docs/sandbox/epoint.md "B2B status stepping"); a final state stays.
    assert_eq!(
        seen,
        vec![B2bStatus::Processing, B2bStatus::Success, B2bStatus::Success]
    );
    assert!(!seen[0].is_final());
    assert!(seen[1].is_final());

    // The order id is used once.
    let payee = B2bPayee::new("AZ21NABZ00000000137010001944", "Supplier LLC", "1234567891", "123456");
    let again = s
        .client
        .b2b_payment(&B2bPaymentRequest::new("B2B-ORD-1", azn("1.00"), "Again", payee))
        .await;
    assert!(again.is_err(), "{again:?}");
}

#[tokio::test]
async fn b2b_insufficient_funds_fails_with_a_webhook_confirmed_by_the_status_call() {
    let s = setup().await;
    let payee = B2bPayee::new("AZ21NABZ00000000137010001944", "Supplier LLC", "1234567891", "123456");
    let amount = azn("99.51");
    let request = B2bPaymentRequest::new("B2B-ORD-FAIL", amount, "Invoice 43", payee).webhook_url(&s.receiver.url);
    let answer = s.client.b2b_payment(&request).await.unwrap();
    assert_eq!(answer.status, Status::Success);

    let first = s.client.b2b_status("B2B-ORD-FAIL").await.unwrap();
    assert_eq!(first.status, B2bStatus::Processing);
    assert_eq!(first.webhook_sent, Some(false));
    assert!(s.receiver.received().is_empty(), "no webhook before the end");

    let last = s.client.b2b_status("B2B-ORD-FAIL").await.unwrap();
    assert_eq!(last.status, B2bStatus::Failed);
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1, "one webhook");
    let webhook = payments::epoint::operations::b2b::parse_webhook(&got[0].body).unwrap();
    assert_eq!(webhook.order_id, "B2B-ORD-FAIL");
    assert_eq!(webhook.amount, Some(rust_decimal_of("99.51")));
    assert_eq!(webhook.error_message.as_deref(), Some("Insufficient funds"));
    assert!(webhook.status.is_declined());

    let confirmed = s.client.confirm_b2b_webhook(&webhook, amount).await.unwrap();
    assert_eq!(confirmed.order_id, "B2B-ORD-FAIL");
    assert_eq!(confirmed.amount, amount);
    assert_eq!(confirmed.status, B2bStatus::Failed);
    // Another amount does not confirm.
    assert!(s.client.confirm_b2b_webhook(&webhook, azn("99.50")).await.is_err());
}

#[tokio::test]
async fn full_capture_takes_the_hold_amount_from_the_callback_reference() {
    let s = setup().await;
    let amount = azn("8.40");
    let outcome = s
        .provider
        .create_payment(&CreatePayment::new("ORD-HOLD-FULL", amount).authorize_only(true))
        .await
        .unwrap();
    let PaymentOutcome::RequiresRedirect { url, provider_ref } = outcome else {
        panic!("expected a redirect, got {outcome:?}");
    };
    let transaction = provider_ref.unwrap();
    assert_eq!(press(&s.web, &url, "approve", "5167513336327283").await, "approved");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let confirmed = got[0].verified.clone().unwrap().into_confirmed().unwrap();
    confirmed.ensure_authorized("ORD-HOLD-FULL", amount).unwrap();
    // `None` captures the whole hold: the amount rides in the reference.
    let capture = s.provider.capture(&confirmed.payment_ref(), None).await.unwrap();
    assert!(matches!(capture, OperationOutcome::Accepted { .. }), "{capture:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured,
        Some(amount)
    );
}

#[tokio::test]
async fn a_declined_hold_is_a_signed_decline_and_cannot_be_captured() {
    let s = setup().await;
    let amount = azn("4.00");
    let outcome = s
        .provider
        .create_payment(&CreatePayment::new("ORD-HOLD-DECL", amount).authorize_only(true))
        .await
        .unwrap();
    let PaymentOutcome::RequiresRedirect { url, provider_ref } = outcome else {
        panic!("expected a redirect, got {outcome:?}");
    };
    let transaction = provider_ref.unwrap();
    assert_eq!(press(&s.web, &url, "approve", "4000000000000002").await, "declined");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let event = got[0].verified.as_ref().expect("a signed decline verifies");
    assert_eq!(event.claimed().status, PaymentStatus::Declined);
    let payment = payments::PaymentRef::transaction(&transaction).with_amount(amount);
    let capture = s.provider.capture(&payment, None).await.unwrap();
    assert!(matches!(capture, OperationOutcome::Declined(_)), "{capture:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().captured,
        None
    );
}

#[tokio::test]
async fn a_payment_card_does_not_receive_payouts() {
    let s = setup().await;
    let registration = s.client.save_card(&SaveCardRequest::new()).await.unwrap();
    let card_id = registration.card_id.clone().unwrap();
    let page = registration.redirect_url.clone().unwrap();
    assert!(!s.sandbox.providers().epoint.card(&card_id).unwrap().payout);
    assert_eq!(press(&s.web, &page, "approve", "4111111111111111").await, "approved");
    s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let refused = s
        .client
        .payout(&PayoutRequest::new("PAYOUT-3", azn("1.00"), &card_id))
        .await
        .unwrap();
    assert_eq!(refused.status, Status::Error);
    assert_eq!(
        refused.message.as_deref(),
        Some("card_id: the card was not registered for payouts (refund=1)")
    );
}
