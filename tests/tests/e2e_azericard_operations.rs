//! AzeriCard end to end, the stored-card flows: card registration and a
//! cardholder-initiated payment with the saved card, unscheduled MIT and
//! scheduled recurring charges, and both follow-up signing orders. The
//! client (through the `payments` facade) against the sandbox's independent
//! reading of the same spec, sharing the sandbox's clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use payments::azericard::{
    AuthorizationCallback, AuthorizationForm, AuthorizationRequest, AzericardClient, AzericardConfig, FollowUpOutcome,
    FollowUpRequest, FollowUpSigningOrder, GatewayCode, GatewayPublicKey, MerchantKey, StatusRequest, StoredCardCharge,
    TrType,
};
use payments::{ConfirmedEvent, Currency, Error, Money, PaymentStatus};
use payments_core::clock::{Clock, SharedClock};
use payments_sandbox::Sandbox;
use payments_sandbox::azericard::{self as sandbox_azericard, Agreement, FollowUpOrder, OrderState, TokenUse};
use payments_tests::receiver::Receiver;

const MERCHANT_KEY: &[u8] = include_bytes!("../../crates/azericard/tests/data/azericard-test-key.pem");

struct Setup {
    sandbox: Sandbox,
    client: Arc<AzericardClient>,
    receiver: Receiver,
    web: reqwest::Client,
}

async fn setup() -> Setup {
    setup_with(FollowUpSigningOrder::Sources).await
}

/// The sandbox, a merchant callback receiver and a client signing follow-ups
/// in `order`. The client reads the sandbox's clock, so advancing it moves
/// both sides (TIMESTAMP checks, RECUR_FREQ days).
async fn setup_with(order: FollowUpSigningOrder) -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let gateway =
        GatewayPublicKey::from_pem(sandbox.providers().azericard.gateway_public_key_pem().as_bytes()).unwrap();
    let slot: Arc<std::sync::OnceLock<Arc<AzericardClient>>> = Arc::new(std::sync::OnceLock::new());
    let verifier = slot.clone();
    let receiver = Receiver::start(Arc::new(move |body: &[u8]| match verifier.get() {
        Some(c) => c
            .verify_authorization_callback(body)
            .map(AuthorizationCallback::into_event),
        None => Err(Error::malformed_callback("client not ready")),
    }))
    .await
    .unwrap();
    let config = AzericardConfig::builder(sandbox_azericard::TEST_TERMINAL)
        .mpi_base_url(sandbox.azericard_url())
        .mt_base_url(sandbox.azericard_url())
        .merchant_key(MerchantKey::from_pem(MERCHANT_KEY).unwrap())
        .gateway_public_key(gateway)
        .merchant_name("Test Shop")
        .merchant_url("https://shop.example")
        .merchant_email("shop@example.az")
        .callback_url(&receiver.url)
        .follow_up_signing_order(order)
        .build()
        .unwrap();
    let clock: SharedClock = Arc::new(sandbox.clock().clone());
    let client = Arc::new(AzericardClient::builder(config).clock(clock).build().unwrap());
    let _ = slot.set(client.clone());
    Setup {
        sandbox,
        client,
        receiver,
        web: reqwest::Client::new(),
    }
}

fn azn(major: &str) -> Money {
    Money::parse_major(major, Currency::AZN).unwrap()
}

/// The customer's browser: posts the signed form, lands on the hosted page,
/// approves (typing `card` when the page asks for one). Returns the page's
/// outcome header.
async fn browse(s: &Setup, form: &AuthorizationForm, card: Option<&str>) -> String {
    let landed = s.web.post(&form.url).form(&form.fields).send().await.unwrap();
    assert_eq!(landed.status(), 200);
    assert!(
        landed.headers().get("x-azericard-response-code").is_none(),
        "the gateway rejected the form: {:?}",
        landed.headers().get("x-sandbox-reason")
    );
    let page = landed.url().clone();
    let mut answer = vec![("action", "approve")];
    if let Some(card) = card {
        answer.push(("card", card));
    }
    let pressed = s.web.post(page).form(&answer).send().await.unwrap();
    pressed
        .headers()
        .get("x-sandbox-outcome")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

/// The `n`th callback (1-based), verified again through the crate API to read
/// its stored-card fields, and its raw form.
async fn callback(s: &Setup, n: usize) -> (AuthorizationCallback, Vec<(String, String)>) {
    let got = s.receiver.wait_for(n, Duration::from_secs(5)).await;
    let received = &got[n - 1];
    let event = received.verified.clone().expect("the gateway-signed callback verifies");
    assert!(!event.is_confirmed(), "a callback is never confirmed by itself");
    let cb = s.client.verify_authorization_callback(&received.body).unwrap();
    (cb, payments_core::callback::parse_form(&received.body).unwrap())
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The saved TOKEN of a callback, exposed for the next request.
fn token_of(cb: &AuthorizationCallback) -> String {
    cb.claimed().token.as_ref().expect("a TOKEN").expose_secret().clone()
}

/// Checks the confirmed report against the sandbox's record of `order`.
fn assert_confirmed_matches_sandbox(s: &Setup, confirmed: &ConfirmedEvent, order: &str, amount: Money) {
    let record = s.sandbox.providers().azericard.order(order).unwrap();
    let report = confirmed.report();
    assert_eq!(report.order_id.as_deref(), Some(order));
    assert_eq!(report.amount, Some(amount));
    assert_eq!(report.transaction_id.as_deref(), Some(record.int_ref.as_str()));
    assert_eq!(
        report.extra.get(payments::azericard::EXTRA_RRN).map(String::as_str),
        Some(record.rrn.as_str())
    );
    assert_eq!(
        report
            .extra
            .get(payments::azericard::EXTRA_APPROVAL)
            .map(String::as_str),
        record.approval.as_deref()
    );
}

#[tokio::test]
async fn register_card_then_pay_with_it_as_the_cardholder() {
    let s = setup().await;
    let amount = azn("5.00");
    let form = s
        .client
        .authorization_form(&AuthorizationRequest::purchase("000000200001", amount, "Save my card").register_card())
        .unwrap();
    assert_eq!(form.url, format!("{}/token/cgi_link", s.sandbox.azericard_url()));
    assert_eq!(form.field("TRTYPE"), Some("1"));
    assert_eq!(form.field("TOKEN_ACTION"), Some("REGISTER"));
    assert_eq!(form.field("TOKEN"), None);
    // A plain registration (§6.1) carries no MERCH_TRAN_STATE; the sandbox
    // takes an absent one as S (docs/sandbox/azericard.md, "Strictness").
    assert_eq!(form.field("MERCH_TRAN_STATE"), None);
    assert_eq!(form.field("MIT_AGREEMENT"), None);
    assert_eq!(browse(&s, &form, Some("4127211288596748")).await, "approved");

    let (cb, raw) = callback(&s, 1).await;
    assert_eq!(cb.claimed().order, "000000200001");
    assert_eq!(cb.claimed().trtype, TrType::Purchase);
    assert_eq!(cb.claimed().currency, Currency::AZN);
    assert_eq!(cb.signed().amount_text, "5.00");
    assert_eq!(cb.signed().terminal, sandbox_azericard::TEST_TERMINAL);
    assert_eq!(cb.claimed().rc, "00");
    let token = token_of(&cb);
    assert_eq!(token.len(), 28, "TOKEN is 28 characters");
    assert_eq!(field(&raw, "TOKEN"), Some(token.as_str()));
    // The sandbox saved exactly this card under exactly this token.
    let saved = s.sandbox.providers().azericard.stored_card(&token).unwrap();
    assert_eq!(saved.terminal, sandbox_azericard::TEST_TERMINAL);
    assert_eq!(saved.agreement, None);
    assert_eq!(saved.ext_net_ref, None);
    assert_eq!(cb.claimed().masked_card.as_deref(), Some(saved.mask.as_str()));
    assert_eq!(field(&raw, "CARD"), Some(saved.mask.as_str()));
    assert!(
        saved.mask.starts_with("412721") && saved.mask.ends_with("6748"),
        "{}",
        saved.mask
    );
    assert_eq!(cb.claimed().ext_net_ref, None);
    assert_eq!(
        s.sandbox.providers().azericard.order("000000200001").unwrap().token_use,
        Some(TokenUse::Register(None))
    );

    // Verified is not confirmed: a status query binds it.
    let confirmed = s.client.confirm_authorization_callback(cb).await.unwrap();
    assert_eq!(confirmed.status(), &PaymentStatus::Succeeded);
    confirmed.ensure_paid("000000200001", amount).unwrap();
    assert_confirmed_matches_sandbox(&s, &confirmed, "000000200001", amount);

    // §6.3: the cardholder pays with the saved card (no card number typed).
    let second = azn("3.20");
    let form = s
        .client
        .authorization_form(
            &AuthorizationRequest::purchase("000000200002", second, "With the saved card")
                .with_card_token(token.clone())
                .cardholder_initiated(),
        )
        .unwrap();
    assert_eq!(form.url, format!("{}/token/cgi_link", s.sandbox.azericard_url()));
    assert_eq!(form.field("TOKEN"), Some(token.as_str()));
    assert_eq!(form.field("MERCH_TRAN_STATE"), Some("C"));
    assert_eq!(form.field("TOKEN_ACTION"), None);
    assert_eq!(browse(&s, &form, None).await, "approved");

    let (cb, raw) = callback(&s, 2).await;
    assert_eq!(cb.claimed().order, "000000200002");
    assert_eq!(cb.signed().amount_text, "3.20");
    assert_eq!(token_of(&cb), token);
    assert_eq!(field(&raw, "CARD"), Some(saved.mask.as_str()));
    assert_eq!(cb.claimed().masked_card.as_deref(), Some(saved.mask.as_str()));
    let record = s.sandbox.providers().azericard.order("000000200002").unwrap();
    assert_eq!(record.token_use, Some(TokenUse::Pay(token.clone())));
    assert_eq!(record.state, OrderState::Approved);
    let confirmed = s.client.confirm_authorization_callback(cb).await.unwrap();
    confirmed.ensure_paid("000000200002", second).unwrap();
    assert_confirmed_matches_sandbox(&s, &confirmed, "000000200002", second);
}

#[tokio::test]
async fn register_for_unscheduled_mit_then_charge_server_to_server() {
    let s = setup().await;
    let amount = azn("1.00");
    let form = s
        .client
        .authorization_form(
            &AuthorizationRequest::register_for_unscheduled_charges("000000200011", amount, "MIT agreement")
                .merchant_rn_id("0123456789abcdef"),
        )
        .unwrap();
    assert_eq!(form.url, format!("{}/token/cgi_link", s.sandbox.azericard_url()));
    assert_eq!(form.field("TRTYPE"), Some("1"));
    assert_eq!(form.field("TOKEN_ACTION"), Some("REGISTER"));
    assert_eq!(form.field("MERCH_TRAN_STATE"), Some("S"));
    assert_eq!(form.field("MIT_AGREEMENT"), Some("N"));
    assert_eq!(form.field("MERCH_RN_ID"), Some("0123456789abcdef"));
    assert_eq!(form.field("RECUR_FREQ"), None);
    assert_eq!(browse(&s, &form, Some("4111111111111111")).await, "approved");

    let (cb, raw) = callback(&s, 1).await;
    let token = token_of(&cb);
    let saved = s.sandbox.providers().azericard.stored_card(&token).unwrap();
    assert_eq!(
        saved.agreement,
        Some(Agreement {
            scheduled: false,
            merch_rn_id: "0123456789abcdef".into(),
            frequency_days: None,
            expiry: None,
        })
    );
    let ext_net_ref = cb.claimed().ext_net_ref.clone().expect("EXT_NET_REF");
    assert_eq!(saved.ext_net_ref.as_deref(), Some(ext_net_ref.as_str()));
    assert_eq!(field(&raw, "EXT_NET_REF"), Some(ext_net_ref.as_str()));
    let confirmed = s.client.confirm_authorization_callback(cb).await.unwrap();
    confirmed.ensure_paid("000000200011", amount).unwrap();
    assert_confirmed_matches_sandbox(&s, &confirmed, "000000200011", amount);

    // §7.2: the merchant charges the card, no browser, no callback.
    let charge = azn("12.34");
    let answer = s
        .client
        .charge_stored_card(
            &StoredCardCharge::unscheduled("000000200012", charge, token.clone(), ext_net_ref.clone())
                .merchant_rn_id("0123456789abcdef"),
        )
        .await
        .unwrap();
    assert_eq!(answer.outcome, FollowUpOutcome::Accepted);
    assert_eq!(answer.code, GatewayCode::Success);
    let record = s.sandbox.providers().azericard.order("000000200012").unwrap();
    assert_eq!(record.trtype, 1);
    assert_eq!(record.amount, charge);
    assert_eq!(record.state, OrderState::Approved);
    assert_eq!(record.token_use, Some(TokenUse::Charge(token.clone())));

    let status = s
        .client
        .status(&StatusRequest::new("000000200012", TrType::Purchase))
        .await
        .unwrap();
    assert_eq!(status.order.as_deref(), Some("000000200012"));
    assert_eq!(status.amount_in(Currency::AZN).unwrap(), Some(charge));
    assert_eq!(status.rrn.as_deref(), Some(record.rrn.as_str()));
    assert_eq!(status.int_ref.as_deref(), Some(record.int_ref.as_str()));
    assert_eq!(status.approval, record.approval);
    assert_eq!(status.original_trtype, Some(TrType::Purchase));
    assert_eq!(status.rc.as_deref(), Some("00"));
    assert_eq!(status.state.as_deref(), Some("Approved"));
    let report = status.report(&TrType::Purchase, Some(Currency::AZN)).unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);

    // The same ORDER again is a duplicate, never a fresh charge.
    let again = s
        .client
        .charge_stored_card(
            &StoredCardCharge::unscheduled("000000200012", charge, token, ext_net_ref)
                .merchant_rn_id("0123456789abcdef"),
        )
        .await
        .unwrap();
    assert_eq!(again.outcome, FollowUpOutcome::Duplicate);
    assert_eq!(again.code, GatewayCode::Duplicate);
}

#[tokio::test]
async fn register_for_recurring_then_charge_trtype_3() {
    let s = setup().await;
    let amount = azn("2.00");
    let today = s.sandbox.clock().now().date();
    let expires = today + time::Duration::days(365);
    let form = s
        .client
        .authorization_form(
            &AuthorizationRequest::register_for_recurring_charges("000000200021", amount, "Monthly plan", 7, expires)
                .merchant_rn_id("00112233445566778899aabb"),
        )
        .unwrap();
    assert_eq!(form.url, format!("{}/token/cgi_link", s.sandbox.azericard_url()));
    assert_eq!(form.field("TRTYPE"), Some("1"));
    assert_eq!(form.field("TOKEN_ACTION"), Some("REGISTER"));
    assert_eq!(form.field("MERCH_TRAN_STATE"), Some("S"));
    assert_eq!(form.field("MIT_AGREEMENT"), Some("Y"));
    assert_eq!(form.field("RECUR_FREQ"), Some("7"));
    let recur_exp = format!(
        "{:04}{:02}{:02}",
        expires.year(),
        u8::from(expires.month()),
        expires.day()
    );
    assert_eq!(form.field("RECUR_EXP"), Some(recur_exp.as_str()));
    assert_eq!(browse(&s, &form, Some("5167513336327283")).await, "approved");

    let (cb, _) = callback(&s, 1).await;
    let token = token_of(&cb);
    let ext_net_ref = cb.claimed().ext_net_ref.clone().expect("EXT_NET_REF");
    let saved = s.sandbox.providers().azericard.stored_card(&token).unwrap();
    assert_eq!(
        saved.agreement,
        Some(Agreement {
            scheduled: true,
            merch_rn_id: "00112233445566778899aabb".into(),
            frequency_days: Some(7),
            expiry: Some(expires),
        })
    );
    assert_eq!(saved.ext_net_ref.as_deref(), Some(ext_net_ref.as_str()));
    let confirmed = s.client.confirm_authorization_callback(cb).await.unwrap();
    confirmed.ensure_paid("000000200021", amount).unwrap();

    // §7.4: RECUR_FREQ days after the registration, the first TRTYPE 3 charge.
    s.sandbox.clock().advance(Duration::from_secs(7 * 86_400 + 60));
    let charge = azn("9.99");
    let answer = s
        .client
        .charge_stored_card(&StoredCardCharge::recurring(
            "000000200022",
            charge,
            token.clone(),
            ext_net_ref.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(answer.outcome, FollowUpOutcome::Accepted);
    assert_eq!(answer.code, GatewayCode::Success);
    let record = s.sandbox.providers().azericard.order("000000200022").unwrap();
    assert_eq!(record.trtype, 3);
    assert_eq!(record.amount, charge);
    assert_eq!(record.state, OrderState::Approved);
    assert_eq!(record.token_use, Some(TokenUse::Charge(token.clone())));

    let status = s
        .client
        .status(&StatusRequest::new("000000200022", TrType::RecurringCharge))
        .await
        .unwrap();
    assert_eq!(status.order.as_deref(), Some("000000200022"));
    assert_eq!(status.amount_in(Currency::AZN).unwrap(), Some(charge));
    assert_eq!(status.rrn.as_deref(), Some(record.rrn.as_str()));
    assert_eq!(status.int_ref.as_deref(), Some(record.int_ref.as_str()));
    assert_eq!(status.original_trtype, Some(TrType::RecurringCharge));
    assert_eq!(status.rc.as_deref(), Some("00"));
    let report = status.report(&TrType::RecurringCharge, Some(Currency::AZN)).unwrap();
    assert_eq!(report.status, PaymentStatus::Succeeded);
    assert_eq!(report.amount, Some(charge));

    // The next one only RECUR_FREQ days later: a day later it is refused (`2`).
    s.sandbox.clock().advance(Duration::from_secs(86_400));
    let early = s
        .client
        .charge_stored_card(&StoredCardCharge::recurring(
            "000000200023",
            charge,
            token.clone(),
            ext_net_ref.clone(),
        ))
        .await;
    match early {
        Err(Error::Provider { code, .. }) => assert_eq!(code.as_deref(), Some("2")),
        other => panic!("expected the gateway's code 2, got {other:?}"),
    }
    assert!(s.sandbox.providers().azericard.order("000000200023").is_none());
    // The refusal was the frequency: the same charge RECUR_FREQ days after the last one passes.
    s.sandbox.clock().advance(Duration::from_secs(6 * 86_400 + 60));
    let on_time = s
        .client
        .charge_stored_card(&StoredCardCharge::recurring("000000200023", charge, token, ext_net_ref))
        .await
        .unwrap();
    assert_eq!(on_time.outcome, FollowUpOutcome::Accepted);
    assert_eq!(on_time.code, GatewayCode::Success);
}

/// A confirmed hold on `order` and its (RRN, INT_REF) from the raw callback.
async fn hold(s: &Setup, order: &str, amount: Money) -> (String, String) {
    let form = s
        .client
        .authorization_form(&AuthorizationRequest::pre_authorization(order, amount, "Hold"))
        .unwrap();
    assert_eq!(form.url, format!("{}/cgi-bin/cgi_link", s.sandbox.azericard_url()));
    assert_eq!(browse(s, &form, Some("4111111111111111")).await, "approved");
    let (cb, raw) = callback(s, 1).await;
    let confirmed = s.client.confirm_authorization_callback(cb).await.unwrap();
    confirmed.ensure_authorized(order, amount).unwrap();
    (
        field(&raw, "RRN").unwrap().to_owned(),
        field(&raw, "INT_REF").unwrap().to_owned(),
    )
}

#[tokio::test]
async fn completion_in_the_default_order_is_accepted_by_a_default_terminal() {
    let s = setup().await;
    assert_eq!(
        s.client.config().follow_up_signing_order(),
        FollowUpSigningOrder::Sources
    );
    let amount = azn("4.40");
    let (rrn, int_ref) = hold(&s, "000000200031", amount).await;
    let done = s
        .client
        .complete(&FollowUpRequest::completion("000000200031", amount, rrn, int_ref))
        .await
        .unwrap();
    assert_eq!(done.outcome, FollowUpOutcome::Accepted);
    assert_eq!(done.code, GatewayCode::Success);
    let record = s.sandbox.providers().azericard.order("000000200031").unwrap();
    assert_eq!(record.state, OrderState::Completed);
    assert_eq!(record.captured, amount);
}

#[tokio::test]
async fn integrify_order_works_against_a_terminal_switched_to_it() {
    let s = setup_with(FollowUpSigningOrder::Integrify).await;
    assert!(
        s.sandbox
            .providers()
            .azericard
            .set_follow_up_order(sandbox_azericard::TEST_TERMINAL, FollowUpOrder::OrderFirst)
    );
    let amount = azn("6.60");
    let (rrn, int_ref) = hold(&s, "000000200041", amount).await;
    let done = s
        .client
        .complete(&FollowUpRequest::completion("000000200041", amount, rrn, int_ref))
        .await
        .unwrap();
    assert_eq!(done.outcome, FollowUpOutcome::Accepted);
    assert_eq!(done.code, GatewayCode::Success);
    let record = s.sandbox.providers().azericard.order("000000200041").unwrap();
    assert_eq!(record.state, OrderState::Completed);
    assert_eq!(record.captured, amount);
}

#[tokio::test]
async fn the_default_order_is_refused_by_a_terminal_on_integrify_order() {
    let s = setup().await;
    assert!(
        s.sandbox
            .providers()
            .azericard
            .set_follow_up_order(sandbox_azericard::TEST_TERMINAL, FollowUpOrder::OrderFirst)
    );
    let amount = azn("6.70");
    let (rrn, int_ref) = hold(&s, "000000200051", amount).await;
    let refused = s
        .client
        .complete(&FollowUpRequest::completion("000000200051", amount, rrn, int_ref))
        .await;
    match refused {
        Err(Error::Provider { code, .. }) => assert_eq!(code.as_deref(), Some("3")),
        other => panic!("expected the gateway's code 3 (wrong P_SIGN), got {other:?}"),
    }
    let record = s.sandbox.providers().azericard.order("000000200051").unwrap();
    assert_eq!(record.state, OrderState::Approved);
}
