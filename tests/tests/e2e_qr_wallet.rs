//! QR wallet end to end: the client crate (through the `payments` facade)
//! against the sandbox's independent reading of the same spec.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use payments::qr_wallet::{
    AddProviderMedia, BeginThirdPartyPayment, CompleteThirdPartyPayment, EXTRA_QR_CODE, QrWalletClient, QrWalletConfig,
    QrWalletErrorCode, TransactionFilter, WalletPayment,
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

#[tokio::test]
async fn payment_to_a_business_wallet_then_reconciliation_finds_it() {
    let s = setup().await;
    let client = qr(&s.provider);
    let amount = Money::parse_major("12.50", Currency::TRY).unwrap();
    let paid = client
        .payment(&WalletPayment::new(
            "EEEEEE010",
            sandbox_qr::TEST_WALLET,
            "e2e-pay-1",
            sandbox_qr::SECOND_WALLET,
            amount,
        ))
        .await
        .unwrap();
    assert_eq!(paid.transaction_amount, dec("12.50"));
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("987.50"))
    );
    // The same id again: 301, already used; nothing moves twice.
    let again = client
        .payment(&WalletPayment::new(
            "EEEEEE010",
            sandbox_qr::TEST_WALLET,
            "e2e-pay-1",
            sandbox_qr::SECOND_WALLET,
            amount,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        QrWalletErrorCode::of(&again),
        Some(QrWalletErrorCode::DuplicateExternalTransactionId)
    );
    assert_eq!(
        s.sandbox.providers().qr.balance(sandbox_qr::TEST_WALLET),
        Some(dec("987.50"))
    );
    let page = client
        .summary_record_by_filter(&TransactionFilter::by_ext_transaction_id("e2e-pay-1"))
        .await
        .unwrap();
    assert_eq!(page.results.len(), 1, "{page:?}");
    let record = &page.results[0];
    assert_eq!(record.status(), PaymentStatus::Succeeded);
    assert_eq!(record.base_amount(), Some(dec("12.50")));
    assert_eq!(record.ext_transaction_id.as_deref(), Some("e2e-pay-1"));
}

#[tokio::test]
async fn a_try_again_answer_is_outcome_unknown_and_reconciliation_settles_it() {
    let s = setup().await;
    let client = qr(&s.provider);
    let amount = Money::parse_major("501.00", Currency::TRY).unwrap();
    let err = client
        .payment(&WalletPayment::new(
            "EEEEEE010",
            sandbox_qr::TEST_WALLET,
            "e2e-pay-501",
            sandbox_qr::SECOND_WALLET,
            amount,
        ))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown() && !err.safe_to_resend(), "{err:?}");
    assert_eq!(QrWalletErrorCode::of(&err), Some(QrWalletErrorCode::TryAgain));
    // The status query says what happened: the money moved.
    let page = client
        .summary_record_by_filter(&TransactionFilter::by_ext_transaction_id("e2e-pay-501"))
        .await
        .unwrap();
    assert_eq!(page.results.len(), 1, "{page:?}");
    assert_eq!(page.results[0].status(), PaymentStatus::Succeeded);
}

#[tokio::test]
async fn tr_qr_codes_are_read_in_kurus_and_their_state_has_a_duration() {
    let s = setup().await;
    let client = qr(&s.provider);
    let code = s
        .sandbox
        .providers()
        .qr
        .create_tr_qr(dec("700.62"), Duration::from_secs(3600));
    let read = client.read_tr_qr_code(&code.text).await.unwrap();
    assert_eq!(
        read.amount().unwrap(),
        Some(Money::parse_major("700.62", Currency::TRY).unwrap())
    );
    assert_eq!(read.qr_ref_no.as_deref(), Some(code.ref_no.as_str()));
    let state = client.get_tr_qr_code(&code.ref_no).await.unwrap();
    assert_eq!(state.status, PaymentStatus::Pending);
    let left = state.expires_in.unwrap();
    assert!(
        left <= Duration::from_secs(3600) && left >= Duration::from_secs(3590),
        "{left:?}"
    );
    s.sandbox.clock().advance(Duration::from_secs(3601));
    let expired = client.get_tr_qr_code(&code.ref_no).await.unwrap_err();
    assert_eq!(QrWalletErrorCode::of(&expired), Some(QrWalletErrorCode::QrCodeExpired));
}

#[tokio::test]
async fn the_documented_status_shape_and_the_provider_setup_call() {
    let s = setup().await;
    let client = qr(&s.provider);
    client
        .add_provider_media_to_wallet(&AddProviderMedia::new("EEEEEE010", sandbox_qr::TEST_WALLET))
        .await
        .unwrap();
    let partner = s
        .sandbox
        .providers()
        .qr
        .create_partner_qr("MERCHANT01", "TERM0001", dec("3.00"));
    let waiting = client.check_qr_payment_status(&partner.qr_code).await.unwrap();
    assert_eq!(waiting.status, PaymentStatus::Pending);
    assert_eq!(waiting.qr_status_code, Some(100));
    let begun = client
        .begin_third_party_payment(&BeginThirdPartyPayment::new(sandbox_qr::TEST_WALLET, &partner.qr_code))
        .await
        .unwrap();
    client
        .complete_third_party_payment(&CompleteThirdPartyPayment::from_begun(sandbox_qr::TEST_WALLET, &begun))
        .await
        .unwrap();
    let paid = client.check_qr_payment_status(&partner.qr_code).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(paid.qr_status_code, Some(200));
}
