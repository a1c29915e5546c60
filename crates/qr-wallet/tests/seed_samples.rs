//! The seed's two response samples and its request samples, field by field (no server).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::str::FromStr;

use payments_core::{Currency, Decimal, HttpResponse, Money, Secret};
use qr_wallet::operations::third_party::{build_begin, build_complete, parse_begin, parse_completed};
use qr_wallet::{
    BeginThirdPartyPayment, CompleteThirdPartyPayment, QrCodeType, QrWalletConfig, SessionExpiry, TxCorrelationId,
};
use time::UtcOffset;
use time::macros::datetime;

// The seed prints payment_data unescaped inside a string (not valid JSON); the
// fixture is the same document with the string escaped, keys and layout kept.
const BEGIN_SAMPLE: &str = include_str!("fixtures/begin_response.json");
const COMPLETE_SAMPLE: &str = include_str!("fixtures/complete_response.json");

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn config() -> QrWalletConfig {
    QrWalletConfig::builder()
        .test_hosts()
        .client_id("cid")
        .client_secret("sec")
        .provider_id("eeeeeeee")
        .build()
        .unwrap()
}

#[test]
fn begin_sample_parses_field_by_field() {
    let begun = parse_begin(&HttpResponse::new(200, BEGIN_SAMPLE)).unwrap();
    assert_eq!(begun.tx_correlation_id.as_str(), "7777777777777777777");
    let d = &begun.payment_data;
    assert_eq!(d.merchant_no.as_deref(), Some("0007777777"));
    assert_eq!(d.terminal_no.as_deref(), Some("0007777777"));
    assert_eq!(d.merchant_name.as_deref(), Some("Test_58"));
    assert_eq!(d.brand_id, Some(0));
    assert_eq!(d.brand_name.as_deref(), Some(""));
    assert_eq!(d.city_name.as_deref(), Some("Antalya"));
    assert_eq!(d.district_name.as_deref(), Some("Aksu"));
    assert_eq!(d.request_amount, dec("0.13"));
    assert_eq!(d.request_amount.to_string(), "0.13");
    assert_eq!(d.batch_no, Some(1));
    assert_eq!(d.transaction_id.as_deref(), Some("98598610"));
    assert_eq!(d.product_id, Some(2));
    assert_eq!(d.product_name.as_deref(), Some("RESTO %1"));
    assert_eq!(d.kdv.unwrap().to_string(), "1.00");
    assert_eq!(d.discount_ratio.unwrap().to_string(), "0.00");
    assert_eq!(d.currency_id.as_deref(), Some("1"));
    assert_eq!(d.currency(), Some(Currency::TRY));
    assert_eq!(d.amount().unwrap(), Money::from_minor(13, Currency::TRY));
    assert_eq!(d.sale_ref_code.as_deref(), Some("7777777777777777777777"));
    let exp = d.session_expire_date.unwrap();
    assert_eq!(exp, SessionExpiry::parse("2021-04-01T08:38:40.51").unwrap());
    assert_eq!(exp.local, datetime!(2021-04-01 08:38:40.51));
    assert_eq!(d.response_code, Some(0));
    assert_eq!(d.response_message.as_deref(), Some("Sorgulama işlemi başarılı."));
    assert_eq!(d.error_message, None);

    let tr = UtcOffset::from_hms(3, 0, 0).unwrap();
    assert!(!begun.is_expired(datetime!(2021-04-01 05:38:40 UTC), tr));
    assert!(begun.is_expired(datetime!(2021-04-01 05:38:41 UTC), tr));
}

#[test]
fn complete_sample_parses_field_by_field() {
    let p = parse_completed(&HttpResponse::new(200, COMPLETE_SAMPLE)).unwrap();
    assert_eq!(p.transaction_id, "55555560555665555555");
    assert_eq!(p.transaction_amount.to_string(), "100.0000");
    assert_eq!(p.transaction_fee.unwrap().to_string(), "0.0000");
    assert_eq!(p.charged_amount.unwrap().to_string(), "100.0000");
    assert_eq!(p.amount().unwrap(), Money::from_minor(10000, Currency::TRY));
    assert_eq!(
        p.ext_order_id.as_deref(),
        Some(r#"{"saleRefCode":"5555055555555555555","transactionId":55555555}"#)
    );
    let ext = p.ext_order().unwrap();
    assert_eq!(ext.sale_ref_code.as_deref(), Some("5555055555555555555"));
    assert_eq!(ext.transaction_id.as_deref(), Some("55555555"));
    assert_eq!(p.business_code.as_deref(), Some(""));
    assert_eq!(p.business_name.as_deref(), Some(""));
    assert_eq!(p.friendly_name.as_deref(), Some(""));
    assert_eq!(p.receiver_account_number.as_deref(), Some("EEEEEEOE00"));
    assert_eq!(p.receiver_wallet_number.as_deref(), Some("7777777777"));
    let w = p.sender_wallet_info.unwrap();
    assert_eq!(w.id.as_deref(), Some("7997777777777777777"));
    assert_eq!(w.name.as_ref().map(|n| n.expose_secret().as_str()), Some(""));
    assert_eq!(w.account_number.as_deref(), Some("EEEEEE010"));
    assert_eq!(w.account_type.as_deref(), Some("Personal"));
    assert_eq!(w.created_date_utc.as_deref(), Some("2021-09-20T10:52:35.5927212+00:00"));
    assert_eq!(w.number.as_deref(), Some("777777777"));
    assert_eq!(w.phone_country_code, None);
    assert!(w.phone_number.is_none());
    assert!(w.email.is_none());
    assert_eq!(w.total_balance.unwrap().to_string(), "796.00");
    assert_eq!(w.access_level_status_id, Some(1));
    assert_eq!(w.access_level_status.as_deref(), Some("Aktif"));
    let pb = w.payment_balance.unwrap();
    assert_eq!(pb.available.unwrap().to_string(), "796.00");
    assert_eq!(pb.unavailable.unwrap().to_string(), "0.00");
    let cb = w.cash_balance.unwrap();
    assert_eq!(cb.available.unwrap().to_string(), "0.00");
    assert_eq!(cb.unavailable.unwrap().to_string(), "0.00");
    let l = w.transaction_limits.unwrap();
    for v in [
        l.max_balance,
        l.topup_credit_limit,
        l.topup_cash_limit,
        l.withdrawal_limit,
        l.payment_limit,
        l.wallet_to_wallet_limit,
    ] {
        assert_eq!(v.unwrap().to_string(), "1250.0000");
    }
    assert_eq!(w.kyc_level_status, None);
    assert_eq!(w.currency_code.as_deref(), Some("TRY"));
    assert_eq!(w.user_kyc_info, None);
}

#[test]
fn request_samples_on_the_wire() {
    let token = Secret::from("t");
    // Seed: {"wallet_number": "xxx1xxx", "provider_id": 112233, "qr_code": 777B77, "qr_code_type": 1}
    let begin = BeginThirdPartyPayment::new("xxx1xxx", "777B77").provider_id("112233");
    let r = build_begin(&config(), &token, &begin).unwrap();
    assert_eq!(
        r.url,
        "https://stsapitest.walletgate.io/v1/Transaction/Begin3rdPartyQRCodePayment"
    );
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"wallet_number":"xxx1xxx","provider_id":"112233","qr_code":"777B77","qr_code_type":1}"#
    );
    let short = build_begin(&config(), &token, &begin.clone().qr_code_type(QrCodeType::Short)).unwrap();
    assert!(
        std::str::from_utf8(&short.body)
            .unwrap()
            .ends_with(r#""qr_code_type":2}"#)
    );

    // Seed: {"wallet_number": "111111111", "provider_id": "eeeeeeee", "tx_correlation_id": 7777777777777777777777}
    let id = TxCorrelationId::parse("7777777777777777777777").unwrap();
    let r = build_complete(&config(), &token, &CompleteThirdPartyPayment::new("111111111", id)).unwrap();
    assert_eq!(
        r.url,
        "https://stsapitest.walletgate.io/v1/Transaction/Complete3rdPartyQRCodePayment"
    );
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"wallet_number":"111111111","provider_id":"eeeeeeee","tx_correlation_id":7777777777777777777777}"#
    );
    assert_eq!(r.header_value("authorization"), Some("Bearer t"));
    assert_eq!(r.header_value("content-type"), Some("application/json"));
}

#[test]
fn qr_code_passes_through_unchanged() {
    let odd = " 0002010102\"12\\ü/ 26 ";
    let r = build_begin(&config(), &Secret::from("t"), &BeginThirdPartyPayment::new("w", odd)).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["qr_code"].as_str(), Some(odd));
}

#[test]
fn payment_data_as_object_and_response_code_errors() {
    let body = r#"{"status":0,"code":"100","payload":{"tx_correlation_id":123456789012345678901234,
        "payment_data":{"RequestAmount":"1.234,50","CurrencyId":"1","ResponseCode":0}}}"#;
    let b = parse_begin(&HttpResponse::new(200, body)).unwrap();
    assert_eq!(b.tx_correlation_id.as_str(), "123456789012345678901234");
    assert_eq!(b.payment_data.request_amount, dec("1234.50"));

    let body = r#"{"status":0,"code":"100","payload":{"tx_correlation_id":"1",
        "payment_data":"{\"RequestAmount\":0,\"ResponseCode\":51,\"ResponseMessage\":\"x\",\"ErrorMessage\":\"QR süresi doldu\"}"}}"#;
    let e = parse_begin(&HttpResponse::new(200, body)).unwrap_err();
    assert_eq!(e.provider_code(), Some("51"));
    assert!(e.to_string().contains("QR süresi doldu"));
}
