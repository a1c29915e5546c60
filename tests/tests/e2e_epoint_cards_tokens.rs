//! EPoint's saved-card, split, token (Apple Pay / Google Pay) and invoice
//! follow-up operations end to end, through the client and the `payments`
//! facade against the sandbox: pay-and-save on the hosted page (signed
//! callback verified and confirmed), the card's status, `execute-pay` and
//! `split-execute-pay` with the bank `code` kept, the split card
//! registration, token payments, the widget, and invoice update and send.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use payments::epoint::{
    ApplePaySessionRequest, CardStatus, CardStatusRequest, ExtendedStatus, Invoice, OperationCode,
    PayAndSaveCardRequest, SavedCardPayRequest, Split, SplitPayAndSaveCardRequest, SplitPayRequest,
    SplitSavedCardPayRequest, Status, StatusRequest, TokenPaymentId, TokenPaymentRequest, TokenPaymentResponse,
    WalletPayRequest, WidgetRequest,
};
use payments::{Currency, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus, RefundRequest, Secret};
use payments_tests::epoint_setup::EpointSetup as Setup;

async fn setup() -> Setup {
    Setup::start(reqwest::Client::new()).await.unwrap()
}

fn azn(major: &str) -> Money {
    Money::parse_major(major, Currency::AZN).unwrap()
}

fn dec(text: &str) -> payments::Decimal {
    text.parse().unwrap()
}

/// Approves the hosted page with a card and its expiry.
async fn approve(s: &Setup, page: &str, card: &str, expiry: &str) {
    let resp = s
        .web
        .post(page)
        .form(&[
            ("action", "approve"),
            ("card", card),
            ("cardholder", "ALI ALIYEV"),
            ("expiry", expiry),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-sandbox-outcome"], "approved");
}

/// Saves a payment card by paying 3.00 AZN on the hosted page; returns the card id.
async fn saved_card(s: &Setup, order: &str) -> String {
    let amount = azn("3.00");
    let started = s
        .client
        .pay_and_save_card(&PayAndSaveCardRequest::new(order, amount, "Save my card"))
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let card_id = started.card_id.clone().expect("a card id");
    let transaction = started.transaction.clone().expect("a transaction");
    assert_eq!(
        started.redirect_url.as_deref(),
        Some(format!("{}/pay/{transaction}", s.sandbox.epoint_url()).as_str())
    );
    let before = s
        .client
        .get_status_card(&CardStatusRequest::new(&card_id))
        .await
        .unwrap();
    assert_eq!(before.status, CardStatus::New);
    assert!(!before.status.is_chargeable());

    approve(s, started.redirect_url.as_deref().unwrap(), "5167513336327283", "10/27").await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let decoded = s.client.verify_and_decode(&got[0].body).unwrap();
    assert_eq!(decoded.status, Status::Success);
    assert_eq!(decoded.card_id.as_deref(), Some(card_id.as_str()));
    assert_eq!(decoded.order_id.as_deref(), Some(order));
    assert_eq!(decoded.transaction.as_deref(), Some(transaction.as_str()));
    assert_eq!(decoded.amount, Some(dec("3.00")));
    assert_eq!(decoded.code.as_deref(), Some("000"));
    assert_eq!(decoded.operation_code, Some(OperationCode::CardRegistrationWithPayment));
    assert_eq!(decoded.message, None, "seed 000: no message for pay-and-save");
    assert_eq!(decoded.card_mask.as_deref(), Some("516751******7283"));

    // The facade's event is signed; without a signed currency it carries no
    // amount (never a guessed one), so confirmation binds order and outcome.
    let event = got[0].verified.clone().expect("verifies");
    assert!(event.is_confirmed());
    assert_eq!(event.dedupe_key(), format!("epoint:{transaction}:{order}:success"));
    assert_eq!(event.claimed().amount, None);
    assert_eq!(
        event.claimed().extra.get("card_id").map(String::as_str),
        Some(card_id.as_str())
    );
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    assert_eq!(confirmed.status(), &PaymentStatus::Succeeded);
    assert!(
        confirmed.ensure_paid(order, amount).is_err(),
        "no signed currency: no amount to match"
    );
    let report = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(amount))
        .await
        .unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(amount));

    let active = s
        .client
        .get_status_card(&CardStatusRequest::new(&card_id))
        .await
        .unwrap();
    assert_eq!(active.status, CardStatus::Active);
    assert!(active.status.is_chargeable());
    assert_eq!(active.id.as_deref(), Some(card_id.as_str()));
    assert_eq!(active.mask.as_deref(), Some("516751******7283"));
    assert_eq!(active.expired_date.as_deref(), Some("10/27"));
    card_id
}

#[tokio::test]
async fn a_saved_card_pays_directly_with_the_bank_code_then_refunds() {
    let s = setup().await;
    let card_id = saved_card(&s, "PSC-ORD-1").await;

    let paid = s
        .client
        .pay_with_saved_card(&SavedCardPayRequest::new("EXP-ORD-1", azn("4.00"), &card_id).description("Repeat order"))
        .await
        .unwrap();
    assert_eq!(paid.status, Status::Success);
    assert_eq!(paid.code.as_deref(), Some("000"));
    assert_eq!(paid.message.as_deref(), Some("Approved"));
    assert_eq!(paid.amount, Some(dec("4.00")));
    assert_eq!(paid.operation_code, Some(OperationCode::Payment));
    assert_eq!(paid.card_mask.as_deref(), Some("516751******7283"));
    assert!(paid.rrn.is_some() && paid.bank_transaction.is_some());
    let transaction = paid.transaction.clone().expect("a transaction");

    let status = s.client.get_status(&StatusRequest::new(&transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Success);
    assert_eq!(status.code.as_deref(), Some("000"));
    assert_eq!(status.order_id.as_deref(), Some("EXP-ORD-1"));
    assert_eq!(status.amount, Some(dec("4.00")));

    // Insufficient funds (magic x.51): a decline value carrying code 116.
    let declined = s
        .client
        .pay_with_saved_card(&SavedCardPayRequest::new("EXP-ORD-2", azn("4.51"), &card_id))
        .await
        .unwrap();
    assert_eq!(declined.status, Status::Failed);
    assert_eq!(declined.code.as_deref(), Some("116"));
    assert_eq!(declined.message.as_deref(), Some("Insufficient funds"));
    // Declined by the issuer (x.54): code 100.
    let refused = s
        .client
        .pay_with_saved_card(&SavedCardPayRequest::new("EXP-ORD-3", azn("4.54"), &card_id))
        .await
        .unwrap();
    assert_eq!(refused.status, Status::Failed);
    assert_eq!(refused.code.as_deref(), Some("100"));

    // Follow-up: refunds through the facade, never beyond the charge.
    let payment = PaymentRef::transaction(&transaction).with_amount(azn("4.00"));
    let part = s
        .provider
        .refund(&RefundRequest::partial(payment.clone(), azn("1.50")))
        .await
        .unwrap();
    assert!(matches!(part, OperationOutcome::Accepted { .. }), "{part:?}");
    let rest = s.provider.refund(&RefundRequest::full(payment.clone())).await.unwrap();
    assert!(matches!(rest, OperationOutcome::Accepted { .. }), "{rest:?}");
    assert_eq!(
        s.sandbox.providers().epoint.transaction(&transaction).unwrap().refunded,
        Some(azn("4.00"))
    );
    let after = s.provider.payment_status(&payment).await.unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
}

#[tokio::test]
async fn a_saved_card_split_charge_answers_the_split_and_the_code() {
    let s = setup().await;
    let card_id = saved_card(&s, "PSC-ORD-2").await;
    let split = s
        .client
        .split_pay_with_saved_card(&SplitSavedCardPayRequest::new(
            "SPX-ORD-1",
            azn("10.00"),
            &card_id,
            Split::new("i000000002", azn("2.50")),
        ))
        .await
        .unwrap();
    assert_eq!(split.status, Status::Success);
    assert_eq!(split.code.as_deref(), Some("000"));
    assert_eq!(split.amount, Some(dec("10.00")));
    assert_eq!(split.split_amount, Some(dec("2.50")));
    let transaction = split.transaction.clone().unwrap();
    let status = s.client.get_status(&StatusRequest::new(&transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Success);
    assert_eq!(status.order_id.as_deref(), Some("SPX-ORD-1"));
    assert_eq!(status.amount, Some(dec("10.00")));
}

#[tokio::test]
async fn a_split_card_registration_with_pay_saves_the_card_and_signs_the_split() {
    let s = setup().await;
    let started = s
        .client
        .split_pay_and_save_card(
            &SplitPayAndSaveCardRequest::new("SPS-ORD-1", azn("8.00"), Split::new("i000000002", azn("3.00")))
                .description("Split and save"),
        )
        .await
        .unwrap();
    assert_eq!(started.status, Status::Success);
    let card_id = started.card_id.clone().unwrap();
    let transaction = started.transaction.clone().unwrap();
    approve(
        &s,
        started.redirect_url.as_deref().unwrap(),
        "4127211288596748",
        "01/28",
    )
    .await;
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let decoded = s.client.verify_and_decode(&got[0].body).unwrap();
    assert_eq!(decoded.status, Status::Success);
    assert_eq!(decoded.card_id.as_deref(), Some(card_id.as_str()));
    assert_eq!(decoded.transaction.as_deref(), Some(transaction.as_str()));
    assert_eq!(decoded.order_id.as_deref(), Some("SPS-ORD-1"));
    assert_eq!(decoded.amount, Some(dec("8.00")));
    assert_eq!(decoded.split_amount, Some(dec("3.00")));
    assert_eq!(decoded.message, None);
    // Spec: operation_code 200 = card registration with the first payment,
    // for split-card-registration-with-pay too.
    assert_eq!(decoded.operation_code, Some(OperationCode::CardRegistrationWithPayment));
    let event = got[0].verified.clone().unwrap();
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    assert_eq!(confirmed.status(), &PaymentStatus::Succeeded);
    let card = s
        .client
        .get_status_card(&CardStatusRequest::new(&card_id))
        .await
        .unwrap();
    assert_eq!(card.status, CardStatus::Active);
    assert_eq!(card.mask.as_deref(), Some("412721******6748"));
    assert_eq!(card.expired_date.as_deref(), Some("01/28"));
}

#[tokio::test]
async fn token_payments_pay_by_google_pay_and_apple_pay() {
    let s = setup().await;
    let created = s
        .client
        .create_token_payment(&TokenPaymentRequest::new("TOK-ORD-1", azn("9.99")).description("Token 1"))
        .await
        .unwrap();
    let payment = match created {
        TokenPaymentResponse::Created(p) => p,
        other => panic!("expected a token payment, got {other:?}"),
    };
    assert!(matches!(payment.id, TokenPaymentId::Number(_)), "{:?}", payment.id);
    assert_eq!(payment.merchant_order_id.as_deref(), Some("TOK-ORD-1"));
    assert_eq!(payment.total, Some(dec("9.99")));
    assert_eq!(payment.description.as_deref(), Some("Token 1"));
    let transaction = payment.transaction.clone().expect("a transaction");

    let google = s
        .client
        .google_pay(&WalletPayRequest::new(
            payment.id.clone(),
            serde_json::json!({"protocolVersion": "ECv2", "signature": "sig", "signedMessage": "{}"}),
        ))
        .await
        .unwrap();
    assert_eq!(google.status, Status::Success, "{google:?}");
    let result = google.result.clone().expect("the PSP's result");
    assert_eq!(result["transaction"], transaction.as_str());
    assert_eq!(result["code"], "000");
    assert_eq!(result["card_mask"], "411111******1111");
    assert_eq!(google.message.as_deref(), Some("Approved"));

    let status = s.client.get_status(&StatusRequest::new(&transaction)).await.unwrap();
    assert_eq!(status.status, ExtendedStatus::Success);
    assert_eq!(status.order_id.as_deref(), Some("TOK-ORD-1"));
    assert_eq!(status.amount, Some(dec("9.99")));
    let report = s
        .provider
        .payment_status(&PaymentRef::transaction(&transaction).with_amount(azn("9.99")))
        .await
        .unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(azn("9.99")));

    // Apple Pay: the merchant session for an https origin, then a payment
    // whose magic amount (x.51) is declined with code 116.
    let session = s
        .client
        .apple_pay_session(&ApplePaySessionRequest::new("https://shop.example"))
        .await
        .unwrap();
    assert_eq!(session.status, None, "a merchant session has no status");
    assert_eq!(session.session["domainName"], "shop.example");
    assert!(session.session["merchantSessionIdentifier"].is_string(), "{session:?}");
    let insecure = s
        .client
        .apple_pay_session(&ApplePaySessionRequest::new("http://shop.example"))
        .await
        .unwrap();
    assert_eq!(insecure.status, Some(Status::Error));
    assert_eq!(
        insecure.message.as_deref(),
        Some("origin: must be an https page origin such as https://shop.example")
    );
    let poor = match s
        .client
        .create_token_payment(&TokenPaymentRequest::new("TOK-ORD-2", azn("2.51")))
        .await
        .unwrap()
    {
        TokenPaymentResponse::Created(p) => p,
        other => panic!("{other:?}"),
    };
    let apple = s
        .client
        .apple_pay(&WalletPayRequest::new(
            poor.id.clone(),
            serde_json::json!({"paymentData": {"version": "EC_v1", "data": "x"}}),
        ))
        .await
        .unwrap();
    assert_eq!(apple.status, Status::Failed, "{apple:?}");
    assert_eq!(apple.message.as_deref(), Some("Insufficient funds"));
    let result = apple.result.clone().unwrap();
    assert_eq!(result["code"], "116");
    assert_eq!(result["transaction"], poor.transaction.clone().unwrap().as_str());
    assert_eq!(result["rrn"], serde_json::Value::Null);
    let status = s
        .client
        .get_status(&StatusRequest::new(poor.transaction.as_deref().unwrap()))
        .await
        .unwrap();
    assert_eq!(status.status, ExtendedStatus::Error);
    assert_eq!(status.code.as_deref(), Some("116"));
}

#[tokio::test]
async fn a_widget_and_a_token_split_payment_are_created() {
    let s = setup().await;
    let widget = s
        .client
        .create_widget(&WidgetRequest::new("WID-ORD-1", azn("5.00"), "Widget 1"))
        .await
        .unwrap();
    assert_eq!(widget.status, Status::Success);
    let url = widget.widget_url.expect("a widget url");
    assert!(
        url.starts_with(&format!("{}/widget/te", s.sandbox.epoint_url())),
        "{url}"
    );
    let split = s
        .client
        .token_split_payment(&SplitPayRequest::new(
            "TSP-ORD-1",
            azn("10.00"),
            Split::new("i000000002", azn("4.00")),
        ))
        .await
        .unwrap();
    match split {
        TokenPaymentResponse::Created(p) => {
            assert_eq!(p.merchant_order_id.as_deref(), Some("TSP-ORD-1"));
            assert_eq!(p.total, Some(dec("10.00")));
            assert!(p.transaction.is_some());
        }
        other => panic!("expected a token split payment, got {other:?}"),
    }
}

fn day(year: i32, month: time::Month, d: u8) -> time::Date {
    time::Date::from_calendar_date(year, month, d).unwrap()
}

#[tokio::test]
async fn an_invoice_is_updated_sent_by_sms_and_email_and_frozen_once_paid() {
    let s = setup().await;
    let created = s
        .client
        .create_invoice(
            &Invoice::new(
                azn("80.00"),
                day(2026, time::Month::December, 1),
                day(2026, time::Month::December, 31),
            )
            .description("Before"),
        )
        .await
        .unwrap();
    assert_eq!(created.status, Status::Success);
    let id = created.id.unwrap();

    let updated = s
        .client
        .update_invoice(
            id,
            &Invoice::new(
                azn("95.50"),
                day(2026, time::Month::December, 5),
                day(2027, time::Month::January, 5),
            )
            .description("After")
            .merchant_order_id("INV-ORD-9")
            .display(true),
        )
        .await
        .unwrap();
    assert_eq!(updated.status, Status::Success, "{updated:?}");
    assert_eq!(updated.message.as_deref(), Some("Invoice updated"));
    let viewed = s.client.view_invoice(id).await.unwrap().invoice.unwrap();
    assert_eq!(viewed.sum, Some(dec("95.50")));
    assert_eq!(viewed.sum_money().unwrap(), Some(azn("95.50")));
    assert_eq!(viewed.description.as_deref(), Some("After"));
    assert_eq!(viewed.merchant_order_id.as_deref(), Some("INV-ORD-9"));
    assert_eq!(viewed.display, Some(true));
    assert_eq!(viewed.period_from, Some(day(2026, time::Month::December, 5)));
    assert_eq!(viewed.period_to, Some(day(2027, time::Month::January, 5)));

    let sms = s
        .client
        .send_invoice_sms(id, &Secret::new("+994501234567".to_owned()))
        .await
        .unwrap();
    assert_eq!(sms.status, Status::Success, "{sms:?}");
    assert_eq!(sms.message.as_deref(), Some("SMS sent"));
    let email = s
        .client
        .send_invoice_email(id, &Secret::new("payer@example.az".to_owned()))
        .await
        .unwrap();
    assert_eq!(email.status, Status::Success, "{email:?}");
    assert_eq!(email.message.as_deref(), Some("E-mail sent"));
    let unknown = s
        .client
        .send_invoice_email(id + 1000, &Secret::new("payer@example.az".to_owned()))
        .await
        .unwrap();
    assert_eq!(unknown.status, Status::Error, "{unknown:?}");
    assert_eq!(unknown.message.as_deref(), Some("Invoice not found"));

    // Paid: no update any more.
    assert!(s.sandbox.providers().epoint.set_invoice_status(
        i64::try_from(id).unwrap(),
        payments_sandbox::epoint::InvoiceStatus::Paid
    ));
    let late = s
        .client
        .update_invoice(
            id,
            &Invoice::new(
                azn("1.00"),
                day(2026, time::Month::December, 5),
                day(2026, time::Month::December, 6),
            ),
        )
        .await
        .unwrap();
    assert_eq!(late.status, Status::Error, "{late:?}");
    assert_eq!(
        late.message.as_deref(),
        Some("Only an invoice waiting for payment can be updated")
    );
    let still = s.client.view_invoice(id).await.unwrap().invoice.unwrap();
    assert_eq!(still.sum, Some(dec("95.50")));
}
