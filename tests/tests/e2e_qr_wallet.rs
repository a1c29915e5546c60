//! QR wallet end to end: the client crate (through the `payments` facade)
//! against the sandbox's independent reading of the same spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use payments::qr_wallet::{
    BeginThirdPartyPayment, CompleteThirdPartyPayment, EXTRA_QR_CODE, QrWalletClient, QrWalletConfig,
};
use payments::{
    AnyProvider, Currency, Decimal, Error, Money, OperationOutcome, PaymentProvider, PaymentRef, PaymentStatus,
    RefundRequest,
};
use payments_sandbox::Sandbox;
use payments_sandbox::qr as sandbox_qr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

struct Setup {
    sandbox: Sandbox,
    provider: AnyProvider,
}

async fn setup() -> Setup {
    let sandbox = Sandbox::start().await.unwrap();
    let config = QrWalletConfig::builder()
        .api_url(sandbox.providers().qr.api_url())
        .identity_url(format!("{}/identity", sandbox.qr_url()))
        .client_id(sandbox_qr::CLIENT_ID)
        .client_secret(sandbox_qr::CLIENT_SECRET)
        .provider_id(sandbox_qr::PROVIDER_IDS[0])
        .build()
        .unwrap();
    // The client shares the sandbox's clock, so session and token expiry are
    // judged on one timeline.
    let client = QrWalletClient::builder(config)
        .clock(Arc::new(sandbox.clock().clone()))
        .build()
        .unwrap();
    Setup {
        sandbox,
        provider: AnyProvider::from(client),
    }
}

fn qr(provider: &AnyProvider) -> &QrWalletClient {
    match provider {
        AnyProvider::QrWallet(c) => c,
        other => panic!("not the QR wallet: {other:?}"),
    }
}

#[tokio::test]
async fn begin_complete_status_partial_refund() {
    let s = setup().await;
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("25.00"));
    let client = qr(&s.provider);

    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::TEST_WALLET, &partner.qr_code))
        .await
        .unwrap();
    assert_eq!(begun.payment_data.request_amount, dec("25.00"));
    let correlation = begun.tx_correlation_id.as_str().to_owned();
    assert!(
        correlation.len() > 19 && correlation.bytes().all(|b| b.is_ascii_digit()),
        "{correlation}"
    );

    let done = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(sandbox_qr::TEST_WALLET, &begun))
        .await
        .unwrap();
    assert_eq!(done.transaction_amount, dec("25.00"));
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("975.00"))
    );

    let status = s
        .provider
        .payment_status(&PaymentRef::default().with_extra(EXTRA_QR_CODE, &partner.qr_code))
        .await
        .unwrap();
    assert_eq!(status.status, PaymentStatus::Succeeded, "{status:?}");

    let paid = PaymentRef::transaction(&correlation).with_amount(Money::parse_major("25.00", Currency::TRY).unwrap());
    let part = Money::parse_major("10.00", Currency::TRY).unwrap();
    let refund = s
        .provider
        .refund(&RefundRequest::partial(paid.clone(), part).with_refund_id("refund-0001"))
        .await;
    assert!(matches!(refund, Ok(OperationOutcome::Accepted { .. })), "{refund:?}");
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("985.00"))
    );

    // More than what remains is refused and moves nothing.
    let too_much = Money::parse_major("15.01", Currency::TRY).unwrap();
    let refused = s
        .provider
        .refund(&RefundRequest::partial(paid, too_much).with_refund_id("refund-0002"))
        .await;
    assert!(!matches!(refused, Ok(OperationOutcome::Accepted { .. })), "{refused:?}");
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("985.00"))
    );
}

#[tokio::test]
async fn an_expired_session_is_refused_before_sending_and_by_the_server() {
    let s = setup().await;
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("5.00"));
    let client = qr(&s.provider);
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::TEST_WALLET, &partner.qr_code))
        .await
        .unwrap();
    s.sandbox
        .clock()
        .advance(Duration::from_secs(sandbox_qr::SESSION_LIFETIME_SECS as u64 + 1));

    // The client knows the session's expiry and sends nothing.
    let err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(sandbox_qr::TEST_WALLET, &begun))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");

    // Without the expiry, the server refuses it in its envelope (code 303).
    let err = client
        .complete_third_party_payment(&CompleteThirdPartyPayment::new(
            sandbox_qr::TEST_WALLET,
            begun.tx_correlation_id.clone(),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.provider_code(), Some(sandbox_qr::codes::EXPIRED), "{err:?}");
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("1000.00"))
    );
}

#[tokio::test]
async fn insufficient_balance_is_a_provider_error_with_its_code() {
    let s = setup().await;
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("5.00"));
    let client = qr(&s.provider);
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::POOR_WALLET, &partner.qr_code))
        .await;
    let err = match begun {
        Ok(b) => client
            .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(sandbox_qr::POOR_WALLET, &b))
            .await
            .unwrap_err(),
        Err(e) => e,
    };
    assert_eq!(
        err.provider_code(),
        Some(sandbox_qr::codes::INSUFFICIENT_BALANCE),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_token_is_refreshed_after_it_expires() {
    let s = setup().await;
    let client = qr(&s.provider);
    let first = client.access_token().await.unwrap();
    s.sandbox
        .clock()
        .advance(Duration::from_secs(sandbox_qr::TOKEN_LIFETIME_SECS as u64 + 1));
    let second = client.access_token().await.unwrap();
    assert_ne!(first.expose_secret(), second.expose_secret());
    // The new token works.
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("1.00"));
    client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::TEST_WALLET, &partner.qr_code))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refund_repeated_with_the_same_id_refunds_once_and_is_not_a_decline() {
    let s = setup().await;
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("40.00"));
    let client = qr(&s.provider);
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::TEST_WALLET, &partner.qr_code))
        .await
        .unwrap();
    client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(sandbox_qr::TEST_WALLET, &begun))
        .await
        .unwrap();
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("960.00"))
    );

    let paid = PaymentRef::transaction(begun.tx_correlation_id.as_str())
        .with_amount(Money::parse_major("40.00", Currency::TRY).unwrap());
    let part = Money::parse_major("15.00", Currency::TRY).unwrap();
    let request = RefundRequest::partial(paid.clone(), part).with_refund_id("refund-retry-1");
    let first = s.provider.refund(&request).await.unwrap();
    assert!(
        matches!(&first, OperationOutcome::Accepted { operation_id: Some(id), .. } if id == "refund-retry-1"),
        "{first:?}"
    );
    // The merchant did not see the first answer and sends the same refund again.
    let second = s.provider.refund(&request).await.unwrap();
    assert_eq!(
        second,
        OperationOutcome::AlreadyProcessed {
            operation_id: Some("refund-retry-1".into()),
            provider_ref: None
        }
    );
    // One refund only.
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("975.00"))
    );

    // Without an id, one is generated and returned, so a retry can reuse it.
    let generated = s.provider.refund(&RefundRequest::partial(paid, part)).await.unwrap();
    let OperationOutcome::Accepted {
        operation_id: Some(id), ..
    } = &generated
    else {
        panic!("{generated:?}")
    };
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("990.00"))
    );
}
