//! ePay (Halyk Bank) operations end to end, through the `payments` facade
//! against the in-process sandbox: saved cards and card verification,
//! P2P/AFT transfers, OCT payouts, QR by API and refund idempotency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::epay_kz::{EpayClient, EpayConfig, EpayConfigBuilder};
use payments::{
    AnyProvider, CreatePayment, Currency, Money, PaymentOutcome, PaymentProvider, PaymentRef, PaymentStatus,
};
use payments_sandbox::Sandbox;
use payments_sandbox::epay::{self as sandbox_epay, cards};
use payments_tests::receiver::Receiver;

struct Setup {
    sandbox: Sandbox,
    provider: Arc<AnyProvider>,
    receiver: Receiver,
    web: reqwest::Client,
}

/// The sandbox's ePay URLs on a config builder for `client` / `terminal`.
fn builder(sandbox: &Sandbox, client: &str, secret: &str, terminal: &str) -> EpayConfigBuilder {
    let state = &sandbox.providers().epay;
    EpayConfig::builder(client, secret, terminal)
        .oauth_url(state.token_url())
        .api_url(state.api_url())
        .invoice_search_url(state.invoice_search_url())
        .widget_script_url(state.widget_script_url())
        .callback_key("merchant-callback-key")
}

async fn setup_with(configure: impl FnOnce(EpayConfigBuilder) -> EpayConfigBuilder) -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let config = configure(builder(
        &sandbox,
        sandbox_epay::TEST_CLIENT_ID,
        sandbox_epay::TEST_CLIENT_SECRET,
        sandbox_epay::TEST_TERMINAL,
    ))
    .build()
    .unwrap();
    let provider = Arc::new(AnyProvider::from(EpayClient::new(config).unwrap()));
    let verifier = provider.clone();
    let receiver = Receiver::start(Arc::new(move |body: &[u8]| verifier.verify_callback(body)))
        .await
        .unwrap();
    Setup {
        sandbox,
        provider,
        receiver,
        web: reqwest::Client::new(),
    }
}

async fn setup() -> Setup {
    setup_with(|b| b).await
}

fn epay(provider: &AnyProvider) -> &EpayClient {
    match provider {
        AnyProvider::EpayKz(c) => c,
        other => panic!("not ePay: {other:?}"),
    }
}

/// What the payer does in the sandbox's payment page: approve `object`.
async fn approve(s: &Setup, object: &serde_json::Value, card: &str) -> serde_json::Value {
    let token = object["auth"]["access_token"].as_str().unwrap();
    let invoice = object["invoiceId"].as_str().unwrap();
    let resp = s
        .web
        .post(s.sandbox.providers().epay.approve_url())
        .header("accept", "application/json")
        .form(&[("invoiceId", invoice), ("token", token), ("card", card)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

fn kzt(major: &str) -> Money {
    Money::parse_major(major, Currency::KZT).unwrap()
}

#[tokio::test]
async fn card_verification_saves_a_card_that_lists_and_deactivates() {
    let s = setup().await;
    let payment = payments::epay_kz::WidgetPayment::card_verification("000002001")
        .account_id("acct-2001")
        .post_links(&s.receiver.url, &s.receiver.url);
    let object = epay(&s.provider).widget_payment(&payment).await.unwrap().to_value();
    assert_eq!(object["invoiceId"], "000002001");
    assert_eq!(object["currency"], "USD");
    assert_eq!(object["amount"], 0);
    assert_eq!(object["cardSave"], true);
    assert_eq!(object["accountId"], "acct-2001");

    // The object itself is posted (not the invoiceId/token form, whose order
    // is built from the token alone and so carries no accountId).
    let resp = s
        .web
        .post(format!(
            "{}?card={}",
            s.sandbox.providers().epay.approve_url(),
            cards::VISA_OK
        ))
        .header("accept", "application/json")
        .json(&object)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(page["code"], "ok", "{page}");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["code"], "ok", "{body}");
    assert_eq!(body["invoiceId"], "000002001");
    assert_eq!(body["accountId"], "acct-2001");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["amount"], 0);
    assert_eq!(body["cardMask"], "440563******5096");
    let card_id = body["cardId"].as_str().unwrap().to_owned();
    assert!(!card_id.is_empty());
    assert_eq!(page["cardId"], card_id.as_str());

    // The card is listed for the account, with the page's mask.
    let listed = epay(&s.provider).list_cards("acct-2001").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let card = &listed[0];
    assert_eq!(card.id, card_id);
    assert_eq!(card.card_mask.as_deref(), Some("440563******5096"));
    assert_eq!(card.account_id.as_deref(), Some("acct-2001"));
    // The sandbox answers the short terminal id and PaymentAvailable false.
    assert_eq!(card.terminal.as_deref(), Some("88888881"));
    assert_eq!(card.payment_available, Some(false));
    assert!(card.token.is_some());

    // Deactivation answers the same on a repeat, and the card leaves the list.
    let first = epay(&s.provider).deactivate_card(&card_id).await.unwrap();
    assert_eq!(first.as_deref(), Some("card successfully deactivated"));
    let again = epay(&s.provider).deactivate_card(&card_id).await.unwrap();
    assert_eq!(again.as_deref(), Some("card successfully deactivated"));

    // A deactivated card cannot pay: the sandbox answers 400 code 2.
    let payment =
        payments::epay_kz::SavedCardPayment::new("000002002", kzt("100.00"), &card_id, "acct-2001", "Order 2002");
    let err = epay(&s.provider).pay_with_saved_card(&payment).await.unwrap_err();
    assert_eq!(err.provider_code(), Some("2"), "{err:?}");
    assert!(
        matches!(err, payments::Error::Provider { ref message, .. }
            if message.as_deref() == Some("cardId: no such active saved card on this terminal")),
        "{err:?}"
    );
}

/// The sandbox answers an account without cards HTTP 400 `{"code":1373}`;
/// the client reads that object as "no cards" whatever the status [U].
#[tokio::test]
async fn an_account_without_cards_lists_empty_also_after_deactivation() {
    let s = setup().await;
    assert!(epay(&s.provider).list_cards("acct-other").await.unwrap().is_empty());
    let card_id = s
        .sandbox
        .providers()
        .epay
        .save_card_for(sandbox_epay::TEST_TERMINAL, "acct-2002", cards::VISA_OK);
    assert_eq!(epay(&s.provider).list_cards("acct-2002").await.unwrap().len(), 1);
    epay(&s.provider).deactivate_card(&card_id).await.unwrap();
    assert!(epay(&s.provider).list_cards("acct-2002").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refund_repeated_with_the_same_external_id_refunds_once() {
    let s = setup().await;
    let amount = kzt("150.00");
    let request = CreatePayment::new("000002005", amount)
        .description("Order at Test Shop")
        .callback_url(&s.receiver.url);
    let object = match s.provider.create_payment(&request).await.unwrap() {
        PaymentOutcome::RequiresWidget { payload, .. } => payload,
        other => panic!("expected a widget, got {other:?}"),
    };
    let page = approve(&s, &object, cards::VISA_OK).await;
    assert_eq!(page["code"], "ok", "{page}");
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    let transaction = got[0]
        .verified
        .as_ref()
        .unwrap()
        .claimed()
        .transaction_id
        .clone()
        .unwrap();
    s.provider
        .capture(&PaymentRef::transaction(&transaction), None)
        .await
        .unwrap();

    let refund = payments::epay_kz::RefundOperation::partial(&transaction, kzt("50.00")).external_id("refund-dup-1");
    let (id, first) = epay(&s.provider).refund_transaction(&refund).await.unwrap();
    assert_eq!(id, "refund-dup-1");
    assert_eq!(first, payments::epay_kz::OperationStatus::Done);
    // The sandbox answers a repeated externalID with the same amount 200 and
    // moves nothing (docs/sandbox/epay.md, API table): the client reads a 2xx
    // as Done (its AlreadyProcessed is for a 409 or a configured duplicate
    // code); the status below proves the money moved once.
    let (id, second) = epay(&s.provider).refund_transaction(&refund).await.unwrap();
    assert_eq!(id, "refund-dup-1");
    assert_eq!(second, payments::epay_kz::OperationStatus::Done);
    let after = s
        .provider
        .payment_status(&PaymentRef::order("000002005"))
        .await
        .unwrap();
    assert_eq!(after.status, PaymentStatus::Refunded);
    assert_eq!(after.amount, Some(kzt("100.00")));
    let status = epay(&s.provider).check_status("000002005").await.unwrap();
    let tx = status.transaction.unwrap();
    assert_eq!(tx.id, transaction);
    assert_eq!(tx.status_name, Some(payments::epay_kz::StatusName::Refund));
    assert_eq!(tx.org_amount, Some(amount));
    assert_eq!(tx.payout_amount, Some(kzt("100.00")));
}

fn transfer_setup_config(b: EpayConfigBuilder) -> EpayConfigBuilder {
    b.transfer_terminal_id(sandbox_epay::P2P_TERMINAL)
        .payout_terminal_id(sandbox_epay::OCT_TERMINAL)
        .credentials(sandbox_epay::P2P_USERNAME, sandbox_epay::P2P_PASSWORD)
}

#[tokio::test]
async fn a_p2p_transfer_with_its_own_token_then_status_and_list() {
    use payments::epay_kz::{
        CardExpiry, TransferKind, TransferListQuery, TransferReceiver, TransferRequest, TransferSender,
    };
    let s = setup_with(transfer_setup_config).await;
    let amount = kzt("2500.00");
    let request = TransferRequest::new(TransferKind::P2p, "000003001", amount)
        .sender(TransferSender::card(
            cards::VISA_OK,
            CardExpiry::new(12, 30).unwrap(),
            "123",
        ))
        .receiver(TransferReceiver::card(cards::MASTERCARD_OK))
        .description("Transfer 3001")
        .secret_hash(payments::Secret::new("transfer-hash-3001".to_owned()));
    let done = epay(&s.provider).transfer(&request).await.unwrap();
    assert!(!done.id.is_empty());
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.currency, Some(Currency::KZT));
    assert_eq!(done.order_id.as_deref(), Some("000003001"));
    assert_eq!(done.sender_card_pan.as_deref(), Some("440563******5096"));
    assert_eq!(done.receiver_card_pan.as_deref(), Some("552204******6736"));
    assert_eq!(done.sender_transfer_type.as_deref(), Some("TYPEPAN"));
    assert_eq!(done.receiver_transfer_type.as_deref(), Some("TYPEPAN"));

    // The token was spent: the same order cannot be paid again.
    let again = epay(&s.provider).transfer(&request).await.unwrap_err();
    assert_eq!(again.provider_code(), Some("6"), "{again:?}");

    let status = epay(&s.provider)
        .transfer_status(TransferKind::P2p, "000003001", Some(Currency::KZT))
        .await
        .unwrap();
    assert!(status.is_found(), "{status:?}");
    assert_eq!(status.code, "100");
    let tx = status.transfer.unwrap();
    assert_eq!(tx.id, done.id);
    assert_eq!(tx.invoice_id, "000003001");
    assert_eq!(tx.amount, Some(amount));
    assert_eq!(tx.currency, Some(Currency::KZT));
    assert_eq!(tx.terminal.as_deref(), Some(sandbox_epay::P2P_TERMINAL));
    assert_eq!(tx.status_name.as_deref(), Some("CHARGE"));
    assert_eq!(tx.description.as_deref(), Some("Transfer 3001"));
    assert_eq!(tx.card_type.as_deref(), Some("MASTERCARD"));
    assert_eq!(tx.reference, done.reference);

    let missing = epay(&s.provider)
        .transfer_status(TransferKind::P2p, "000003999", Some(Currency::KZT))
        .await
        .unwrap();
    assert!(!missing.is_found());
    assert_eq!(missing.code, "102");

    let list = epay(&s.provider)
        .transfer_list(&TransferListQuery::created_between(
            "2000-01-01T00:00:00+06:00",
            "2100-01-01T00:00:00+06:00",
        ))
        .await
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(list.as_json()).unwrap();
    // The list's shape is the sandbox's own (docs/sandbox/epay.md): the
    // client keeps it as text.
    assert_eq!(list["TotalCount"], 1, "{list}");
    let record = &list["Records"][0];
    assert_eq!(record["id"], done.id.as_str());
    assert_eq!(record["invoiceID"], "000003001");
    assert_eq!(record["amount"], 2500);
    assert_eq!(record["currency"], "KZT");
    assert_eq!(record["operationType"], "P2P");
    assert_eq!(record["statusName"], "CHARGE");
    assert_eq!(record["terminal"], sandbox_epay::P2P_TERMINAL);
}

#[tokio::test]
async fn a_payout_to_a_card_then_its_status() {
    use payments::epay_kz::{TransferKind, TransferReceiver, TransferRequest};
    let s = setup_with(transfer_setup_config).await;
    let amount = kzt("1200.00");
    let request = TransferRequest::payout("000004001", amount, TransferReceiver::card(cards::MASTERCARD_OK))
        .description("Payout 4001")
        .secret_hash(payments::Secret::new("payout-hash-4001".to_owned()));
    let done = epay(&s.provider).payout(&request).await.unwrap();
    assert!(!done.id.is_empty());
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.currency, Some(Currency::KZT));
    assert_eq!(done.order_id.as_deref(), Some("000004001"));
    assert_eq!(done.receiver_card_pan.as_deref(), Some("552204******6736"));
    assert_eq!(done.receiver_card_type.as_deref(), Some("MASTERCARD"));
    assert_eq!(done.receiver_transfer_type.as_deref(), Some("TYPEPAN"));
    assert_eq!(done.terminal_id.as_deref(), Some(sandbox_epay::OCT_TERMINAL));
    assert_eq!(done.description.as_deref(), Some("Payout 4001"));
    assert_eq!(done.fee, Some(kzt("0")));
    // No sender: the registered corporate card pays.
    assert_eq!(done.sender_card_pan.as_deref(), Some(""));

    let status = epay(&s.provider)
        .transfer_status(TransferKind::Oct, "000004001", Some(Currency::KZT))
        .await
        .unwrap();
    assert!(status.is_found(), "{status:?}");
    let tx = status.transfer.unwrap();
    assert_eq!(tx.id, done.id);
    assert_eq!(tx.invoice_id, "000004001");
    assert_eq!(tx.amount, Some(amount));
    assert_eq!(tx.terminal.as_deref(), Some(sandbox_epay::OCT_TERMINAL));
    assert_eq!(tx.status_name.as_deref(), Some("CHARGE"));
    assert_eq!(tx.payout_amount, Some(amount));
    assert_eq!(tx.description.as_deref(), Some("Payout 4001"));
}

#[tokio::test]
async fn a_qr_by_api_is_generated_paid_and_its_status_reads_paid() {
    let sandbox = Sandbox::start().await.unwrap();
    let config = builder(
        &sandbox,
        sandbox_epay::QR_CLIENT_ID,
        sandbox_epay::QR_CLIENT_SECRET,
        sandbox_epay::QR_TERMINAL,
    )
    .build()
    .unwrap();
    let client = EpayClient::new(config).unwrap();
    let amount = kzt("700.00");
    let qr = client
        .qr_payment(&payments::epay_kz::QrRequest::new("000005001", amount).description("QR 5001"))
        .await
        .unwrap();
    assert_eq!(qr.amount, amount);
    assert!(!qr.code.qrcode.is_empty());
    let bill = qr.code.bill_number.clone().unwrap();
    let fresh = client.qr_status(&qr).await.unwrap();
    assert_eq!(fresh.state, payments::epay_kz::QrState::New, "{fresh:?}");

    let resp = reqwest::Client::new()
        .post(format!("{}/sandbox/qr/{bill}/pay", sandbox.epay_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let paid = client.qr_status(&qr).await.unwrap();
    assert_eq!(paid.state, payments::epay_kz::QrState::Paid, "{paid:?}");
    assert_eq!(paid.amount, Some(amount));
    assert_eq!(paid.currency, Some(Currency::KZT));
    assert_eq!(paid.tr_type.as_deref(), Some("PURCHASE"));
    assert_eq!(paid.payment_channel.as_deref(), Some("QR"));
    assert_eq!(paid.ret_code.as_deref(), Some("00"));
    assert_eq!(paid.fee, Some(kzt("0")));
}

/// No caller hash: the client still sends one (derived from the callback
/// key), as ePay's token table lists `secret_hash` for P2P tokens.
#[tokio::test]
async fn a_p2p_transfer_without_a_secret_hash_goes_through() {
    use payments::epay_kz::{CardExpiry, TransferKind, TransferReceiver, TransferRequest, TransferSender};
    let s = setup_with(transfer_setup_config).await;
    let amount = kzt("300.00");
    let request = TransferRequest::new(TransferKind::P2p, "000003002", amount)
        .sender(TransferSender::card(
            cards::VISA_OK,
            CardExpiry::new(12, 30).unwrap(),
            "123",
        ))
        .receiver(TransferReceiver::card(cards::MASTERCARD_OK));
    let done = epay(&s.provider).transfer(&request).await.unwrap();
    assert_eq!(done.order_id.as_deref(), Some("000003002"));
    assert_eq!(done.amount, Some(amount));
}

/// The default payout scope is `transfer`: its token carries a
/// `secret_hash` even when the caller gives none.
#[tokio::test]
async fn a_payout_without_a_secret_hash_goes_through() {
    use payments::epay_kz::{TransferReceiver, TransferRequest};
    let s = setup_with(transfer_setup_config).await;
    let amount = kzt("400.00");
    let request = TransferRequest::payout("000004002", amount, TransferReceiver::card(cards::VISA_OK));
    let done = epay(&s.provider).payout(&request).await.unwrap();
    assert_eq!(done.order_id.as_deref(), Some("000004002"));
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.receiver_card_pan.as_deref(), Some("440563******5096"));
}

#[tokio::test]
async fn a_saved_card_pays_posts_a_verified_link_confirmed_then_cancelled() {
    let s = setup().await;
    let card_id = s
        .sandbox
        .providers()
        .epay
        .save_card_for(sandbox_epay::TEST_TERMINAL, "acct-2101", cards::VISA_OK);
    let amount = kzt("420.00");
    let mut payment =
        payments::epay_kz::SavedCardPayment::new("000002101", amount, &card_id, "acct-2101", "Order 2101");
    payment.post_link = Some(s.receiver.url.clone());
    payment.failure_post_link = Some(s.receiver.url.clone());
    let paid = epay(&s.provider).pay_with_saved_card(&payment).await.unwrap();
    let transaction = paid.transaction_id.clone().expect("a transaction");
    assert_eq!(paid.invoice_id.as_deref(), Some("000002101"));
    assert_eq!(paid.status_name, Some(payments::epay_kz::StatusName::Auth));

    // The postLink is authenticated by its derived secret_hash, then
    // confirmed by a status query that binds order, amount and outcome.
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["code"], "ok", "{body}");
    assert_eq!(body["invoiceId"], "000002101");
    assert_eq!(body["id"], transaction.as_str());
    assert_eq!(body["accountId"], "acct-2101");
    assert_eq!(body["amount"], 420);
    let event = got[0].verified.clone().expect("verifies");
    assert!(!event.is_confirmed());
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    assert_eq!(confirmed.status(), &payments::PaymentStatus::Authorized);
    confirmed.ensure_authorized("000002101", amount).unwrap();

    // Follow-up: the hold is cancelled; the status reads it.
    let cancelled = s
        .provider
        .cancel(&PaymentRef::transaction(&transaction).with_order("000002101"))
        .await
        .unwrap();
    assert!(
        matches!(cancelled, payments::OperationOutcome::Accepted { .. }),
        "{cancelled:?}"
    );
    let status = epay(&s.provider).check_status("000002101").await.unwrap();
    let tx = status.transaction.unwrap();
    assert_eq!(tx.id, transaction);
    assert_eq!(tx.status_name, Some(payments::epay_kz::StatusName::Cancel));
    let report = s
        .provider
        .payment_status(&PaymentRef::order("000002101"))
        .await
        .unwrap();
    assert_eq!(report.status, PaymentStatus::Cancelled);
}
