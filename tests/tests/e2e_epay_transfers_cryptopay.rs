//! ePay (Halyk Bank) transfers and host-to-host payments end to end, through
//! the `payments` facade against the in-process sandbox: AFT debits, P2P
//! transfers by saved card id and to a phone, a declined transfer, their
//! status and list; cryptopay with a card cryptogram (RSA PKCS#1 v1.5 under
//! the sandbox's key, as the official SDK builds it), its postLink verified
//! and confirmed, capture; cryptopay card verification; 3-D Secure; Apple Pay
//! refused outside production.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::epay_kz::{
    CardExpiry, EpayClient, EpayConfig, EpayConfigBuilder, HostPayment, StatusName, TransferKind, TransferListQuery,
    TransferReceiver, TransferRequest, TransferSender,
};
use payments::{AnyProvider, Currency, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus, Secret};
use payments_sandbox::Sandbox;
use payments_sandbox::epay::{self as sandbox_epay, cards};
use payments_tests::receiver::Receiver;

struct Setup {
    sandbox: Sandbox,
    provider: Arc<AnyProvider>,
    receiver: Receiver,
    web: reqwest::Client,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let config = builder(&sandbox).build().unwrap();
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

fn builder(sandbox: &Sandbox) -> EpayConfigBuilder {
    let state = &sandbox.providers().epay;
    EpayConfig::builder(
        sandbox_epay::TEST_CLIENT_ID,
        sandbox_epay::TEST_CLIENT_SECRET,
        sandbox_epay::TEST_TERMINAL,
    )
    .oauth_url(state.token_url())
    .api_url(state.api_url())
    .invoice_search_url(state.invoice_search_url())
    .widget_script_url(state.widget_script_url())
    .callback_key("merchant-callback-key")
    .transfer_terminal_id(sandbox_epay::P2P_TERMINAL)
    .payout_terminal_id(sandbox_epay::OCT_TERMINAL)
    .credentials(sandbox_epay::P2P_USERNAME, sandbox_epay::P2P_PASSWORD)
}

fn epay(provider: &AnyProvider) -> &EpayClient {
    match provider {
        AnyProvider::EpayKz(c) => c,
        other => panic!("not ePay: {other:?}"),
    }
}

fn kzt(major: &str) -> Money {
    Money::parse_major(major, Currency::KZT).unwrap()
}

/// The id of the newest delivery in a `/_sandbox/deliveries` answer.
fn delivery_id(answer: &serde_json::Value) -> u64 {
    let first = &answer["deliveries"][0];
    assert_eq!(first["provider"], "epay", "{answer}");
    first["id"].as_u64().expect("a delivery id")
}

fn expiry() -> CardExpiry {
    CardExpiry::new(12, 30).unwrap()
}

#[tokio::test]
async fn an_aft_debit_then_its_status_and_the_list() {
    let s = setup().await;
    let amount = kzt("800.00");
    let request = TransferRequest::new(TransferKind::Aft, "000006001", amount)
        .sender(TransferSender::card(cards::VISA_OK, expiry(), "123"))
        .description("Top-up 6001");
    let done = epay(&s.provider).transfer(&request).await.unwrap();
    assert!(!done.id.is_empty());
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.currency, Some(Currency::KZT));
    assert_eq!(done.order_id.as_deref(), Some("000006001"));
    assert_eq!(done.sender_card_pan.as_deref(), Some("440563******5096"));
    assert_eq!(done.sender_transfer_type.as_deref(), Some("TYPEPAN"));
    assert_eq!(done.description.as_deref(), Some("Top-up 6001"));

    let status = epay(&s.provider)
        .transfer_status(TransferKind::Aft, "000006001", Some(Currency::KZT))
        .await
        .unwrap();
    assert!(status.is_found(), "{status:?}");
    let tx = status.transfer.unwrap();
    assert_eq!(tx.id, done.id);
    assert_eq!(tx.invoice_id, "000006001");
    assert_eq!(tx.amount, Some(amount));
    assert_eq!(tx.status_name.as_deref(), Some("CHARGE"));
    assert_eq!(tx.terminal.as_deref(), Some(sandbox_epay::P2P_TERMINAL));
    assert_eq!(tx.description.as_deref(), Some("Top-up 6001"));

    let list = epay(&s.provider)
        .transfer_list(&TransferListQuery::created_between(
            "2000-01-01T00:00:00+06:00",
            "2100-01-01T00:00:00+06:00",
        ))
        .await
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(list.as_json()).unwrap();
    assert_eq!(list["TotalCount"], 1, "{list}");
    let record = &list["Records"][0];
    assert_eq!(record["id"], done.id.as_str());
    assert_eq!(record["invoiceID"], "000006001");
    assert_eq!(record["amount"], 800);
    assert_eq!(record["statusName"], "CHARGE");
}

#[tokio::test]
async fn a_p2p_from_a_saved_card_to_a_phone_and_to_a_saved_card() {
    let s = setup().await;
    let state = &s.sandbox.providers().epay;
    let sender_card = state.save_card_for(sandbox_epay::P2P_TERMINAL, "acct-7001", cards::VISA_OK);
    let receiver_card = state.save_card_for(sandbox_epay::P2P_TERMINAL, "acct-7002", cards::MASTERCARD_OK);

    let amount = kzt("1500.00");
    let to_phone = TransferRequest::new(TransferKind::P2p, "000007001", amount)
        .sender(TransferSender::saved(&sender_card))
        .receiver(TransferReceiver::phone("77071234567", "900101300123"))
        .description("To a phone");
    let done = epay(&s.provider).transfer(&to_phone).await.unwrap();
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.order_id.as_deref(), Some("000007001"));
    assert_eq!(done.sender_transfer_type.as_deref(), Some("TYPECARDID"));
    assert_eq!(done.sender_card_id.as_deref(), Some(sender_card.as_str()));
    assert_eq!(done.sender_card_pan.as_deref(), Some("440563******5096"));
    assert_eq!(done.receiver_transfer_type.as_deref(), Some("TYPEPHONE"));

    let to_card = TransferRequest::new(TransferKind::P2p, "000007002", kzt("250.50"))
        .sender(TransferSender::card(cards::VISA_OK, expiry(), "123"))
        .receiver(TransferReceiver::saved(&receiver_card));
    let done2 = epay(&s.provider).transfer(&to_card).await.unwrap();
    assert_eq!(done2.amount, Some(kzt("250.50")));
    assert_eq!(done2.receiver_transfer_type.as_deref(), Some("TYPECARDID"));
    assert_eq!(done2.receiver_card_id.as_deref(), Some(receiver_card.as_str()));
    assert_eq!(done2.receiver_card_pan.as_deref(), Some("552204******6736"));

    for (order, id, amount) in [("000007001", &done.id, amount), ("000007002", &done2.id, kzt("250.50"))] {
        let status = epay(&s.provider)
            .transfer_status(TransferKind::P2p, order, Some(Currency::KZT))
            .await
            .unwrap();
        let tx = status.transfer.unwrap();
        assert_eq!(&tx.id, id);
        assert_eq!(tx.amount, Some(amount));
        assert_eq!(tx.status_name.as_deref(), Some("CHARGE"));
    }

    // A card saved on another terminal is not a card of the P2P terminal.
    let foreign = state.save_card_for(sandbox_epay::TEST_TERMINAL, "acct-7003", cards::VISA_OK);
    let refused = TransferRequest::new(TransferKind::P2p, "000007003", kzt("10.00"))
        .sender(TransferSender::saved(&foreign))
        .receiver(TransferReceiver::card(cards::MASTERCARD_OK));
    let err = epay(&s.provider).transfer(&refused).await.unwrap_err();
    assert!(
        matches!(err, payments::Error::Provider { ref code, ref message, http_status: Some(400), .. }
            if code.as_deref() == Some("2") && message.as_deref() == Some("card.sender.cardCred: no such saved card")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_declined_transfer_is_a_provider_error_and_its_status_reads_failed() {
    let s = setup().await;
    let request = TransferRequest::new(TransferKind::P2p, "000008001", kzt("900.00"))
        .sender(TransferSender::card("4000000000009995", expiry(), "123"))
        .receiver(TransferReceiver::card(cards::MASTERCARD_OK));
    let err = epay(&s.provider).transfer(&request).await.unwrap_err();
    assert!(
        matches!(err, payments::Error::Provider { ref code, ref message, http_status: Some(400), .. }
            if code.as_deref() == Some("8") && message.as_deref() == Some("Insufficient funds")),
        "{err:?}"
    );
    // Not an ambiguous outcome: the provider answered.
    assert_eq!(err.delivery(), payments::Delivery::ProviderAnswered);
    let status = epay(&s.provider)
        .transfer_status(TransferKind::P2p, "000008001", Some(Currency::KZT))
        .await
        .unwrap();
    assert!(status.is_found(), "{status:?}");
    assert_eq!(status.transfer.unwrap().status_name.as_deref(), Some("FAILED"));
}

/// The card cryptogram as the official SDK makes it: base64 of RSA PKCS#1
/// v1.5 over `{"hpan","expDate","cvc","terminalId"}` under the key of
/// `GET {api}/public.rsa`.
async fn cryptogram(s: &Setup, card: &str, terminal: &str) -> Secret<String> {
    use aws_lc_rs::rsa::{Pkcs1PublicEncryptingKey, PublicEncryptingKey};
    let url = format!("{}/public.rsa", s.sandbox.providers().epay.api_url());
    let resp = s.web.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let pem = resp.text().await.unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = payments_core::crypto::base64_decode(b64.trim().as_bytes()).unwrap();
    let key = Pkcs1PublicEncryptingKey::new(PublicEncryptingKey::from_der(&der).unwrap()).unwrap();
    let plain = serde_json::json!({"hpan": card, "expDate": "1230", "cvc": "123", "terminalId": terminal}).to_string();
    let mut out = vec![0u8; key.ciphertext_size()];
    let sealed = key.encrypt(plain.as_bytes(), &mut out).unwrap();
    Secret::new(payments_core::crypto::base64_encode(sealed))
}

#[tokio::test]
async fn a_cryptopay_card_payment_posts_a_verified_link_confirmed_then_charged() {
    let s = setup().await;
    let amount = kzt("1500.00");
    let mut payment = HostPayment::card(
        "000009001",
        amount,
        "TEST USER",
        cryptogram(&s, cards::VISA_OK, sandbox_epay::TEST_TERMINAL).await,
        "Cryptopay 9001",
    );
    payment.post_link = Some(s.receiver.url.clone());
    payment.failure_post_link = Some(s.receiver.url.clone());
    payment.account_id = Some("acct-9001".to_owned());
    let done = epay(&s.provider).host_payment(&payment).await.unwrap();
    assert!(!done.id.is_empty());
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.currency, Some(Currency::KZT));
    assert_eq!(done.invoice_id.as_deref(), Some("000009001"));
    assert_eq!(done.account_id.as_deref(), Some("acct-9001"));
    assert!(done.secure_3d.is_none());

    // postLink: authenticated by the derived secret_hash, then confirmed by
    // a status query (ePay signs nothing).
    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["code"], "ok", "{body}");
    assert_eq!(body["invoiceId"], "000009001");
    assert_eq!(body["id"], done.id.as_str());
    assert_eq!(body["amount"], 1500);
    let event = got[0].verified.clone().expect("the postLink verifies");
    assert!(!event.is_confirmed(), "an unsigned outcome is a claim");
    // A redelivery of the same body dedupes on the same key.
    let again = s.provider.verify_callback(&got[0].body).unwrap();
    assert_eq!(again.dedupe_key(), event.dedupe_key());
    assert!(event.dedupe_key().contains(done.id.as_str()), "{}", event.dedupe_key());
    assert_eq!(event.claimed().order_id.as_deref(), Some("000009001"));
    assert_eq!(event.claimed().amount, Some(amount));
    // The sandbox resends the exact body (as ePay may): the same key.
    let delivery: serde_json::Value = s
        .web
        .get(format!(
            "{}/_sandbox/deliveries?provider=epay&limit=1",
            s.sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = delivery_id(&delivery);
    let resend = s
        .web
        .post(format!("{}/_sandbox/deliveries/{id}/resend", s.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert!(resend.status().is_success(), "{}", resend.status());
    let both = s.receiver.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[1].body, both[0].body);
    assert_eq!(both[1].verified.as_ref().unwrap().dedupe_key(), event.dedupe_key());
    let confirmed = s.provider.confirm_callback(event).await.unwrap();
    // The test terminal is two-step: the payment is held.
    assert_eq!(confirmed.status(), &PaymentStatus::Authorized);
    confirmed.ensure_authorized("000009001", amount).unwrap();

    let status = epay(&s.provider).check_status("000009001").await.unwrap();
    let tx = status.transaction.unwrap();
    assert_eq!(tx.id, done.id);
    assert_eq!(tx.status_name, Some(StatusName::Auth));
    assert_eq!(tx.amount, Some(amount));

    // Follow-up: capture, then the status reads charged.
    let charged = s
        .provider
        .capture(&PaymentRef::transaction(&done.id).with_order("000009001"), None)
        .await
        .unwrap();
    assert!(matches!(charged, OperationOutcome::Accepted { .. }), "{charged:?}");
    let after = s
        .provider
        .payment_status(&PaymentRef::order("000009001"))
        .await
        .unwrap();
    assert_eq!(after.status, PaymentStatus::Succeeded);
    assert_eq!(after.amount, Some(amount));
}

#[tokio::test]
async fn cryptopay_card_verification_saves_a_card_without_moving_money() {
    let s = setup().await;
    let mut payment = HostPayment::card_verification(
        "000009002",
        "TEST USER",
        cryptogram(&s, cards::MASTERCARD_OK, sandbox_epay::TEST_TERMINAL).await,
        "Save card 9002",
    );
    payment.post_link = Some(s.receiver.url.clone());
    payment.account_id = Some("acct-9002".to_owned());
    let done = epay(&s.provider).host_payment(&payment).await.unwrap();
    assert_eq!(done.amount, Some(Money::from_minor(0, Currency::USD)));
    let card_id = done.card_id.clone().expect("the saved card");

    let got = s.receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["code"], "ok", "{body}");
    assert_eq!(body["cardId"], card_id.as_str());
    assert_eq!(body["amount"], 0);
    assert_eq!(body["currency"], "USD");

    let listed = epay(&s.provider).list_cards("acct-9002").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, card_id);
    assert_eq!(listed[0].card_mask.as_deref(), Some("552204******6736"));
}

#[tokio::test]
async fn a_cryptopay_3ds_card_answers_secure3d_and_stays_in_progress() {
    let s = setup().await;
    let mut payment = HostPayment::card(
        "000009003",
        kzt("300.00"),
        "TEST USER",
        cryptogram(&s, "4000000000000259", sandbox_epay::TEST_TERMINAL).await,
        "3-D Secure 9003",
    );
    payment.post_link = Some(s.receiver.url.clone());
    let done = epay(&s.provider).host_payment(&payment).await.unwrap();
    let secure = done.secure_3d.expect("a 3-D Secure step");
    assert!(!secure.pa_req.is_empty() && !secure.md.is_empty() && !secure.action.is_empty());
    let status = epay(&s.provider).check_status("000009003").await.unwrap();
    assert_eq!(status.result_code, payments::epay_kz::ResultCode::InProgress);
    assert!(
        s.receiver.wait_for(1, Duration::from_millis(300)).await.is_empty(),
        "no postLink while in 3-D Secure"
    );
}

#[tokio::test]
async fn apple_pay_by_cryptopay_is_refused_outside_production() {
    let s = setup().await;
    let payment = HostPayment::apple_pay(
        "000009004",
        kzt("100.00"),
        "TEST USER",
        Secret::new("placeholder".to_owned()),
        "Apple Pay 9004",
        r#"{"paymentData":{"version":"EC_v1","data":"x"}}"#,
    )
    .unwrap();
    let err = epay(&s.provider).host_payment(&payment).await.unwrap_err();
    assert!(
        matches!(err, payments::Error::Provider { ref code, ref message, http_status: Some(400), .. }
            if code.as_deref() == Some("1")
                && message.as_deref().is_some_and(|m| m.starts_with("paymentType: \"applePay\" is not emulated"))),
        "{err:?}"
    );
}

#[tokio::test]
async fn payouts_to_a_saved_card_and_to_a_phone_then_their_status() {
    let s = setup().await;
    let state = &s.sandbox.providers().epay;
    let card = state.save_card_for(sandbox_epay::OCT_TERMINAL, "acct-4101", cards::MASTERCARD_OK);
    let amount = kzt("640.00");
    let to_card =
        TransferRequest::payout("000004101", amount, TransferReceiver::saved(&card)).description("Payout 4101");
    let done = epay(&s.provider).payout(&to_card).await.unwrap();
    assert_eq!(done.amount, Some(amount));
    assert_eq!(done.order_id.as_deref(), Some("000004101"));
    assert_eq!(done.terminal_id.as_deref(), Some(sandbox_epay::OCT_TERMINAL));
    assert_eq!(done.receiver_transfer_type.as_deref(), Some("TYPECARDID"));
    assert_eq!(done.receiver_card_id.as_deref(), Some(card.as_str()));
    assert_eq!(done.receiver_card_pan.as_deref(), Some("552204******6736"));

    let to_phone = TransferRequest::payout(
        "000004102",
        kzt("75.25"),
        TransferReceiver::phone("77012345678", "900101300123"),
    );
    let done2 = epay(&s.provider).payout(&to_phone).await.unwrap();
    assert_eq!(done2.amount, Some(kzt("75.25")));
    assert_eq!(done2.receiver_transfer_type.as_deref(), Some("TYPEPHONE"));

    for (order, id, amount) in [("000004101", &done.id, amount), ("000004102", &done2.id, kzt("75.25"))] {
        let status = epay(&s.provider)
            .transfer_status(TransferKind::Oct, order, Some(Currency::KZT))
            .await
            .unwrap();
        assert!(status.is_found(), "{status:?}");
        let tx = status.transfer.unwrap();
        assert_eq!(&tx.id, id);
        assert_eq!(tx.invoice_id, order);
        assert_eq!(tx.amount, Some(amount));
        assert_eq!(tx.terminal.as_deref(), Some(sandbox_epay::OCT_TERMINAL));
        assert_eq!(tx.status_name.as_deref(), Some("CHARGE"));
    }
}
