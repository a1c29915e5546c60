#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A whole flow with TRACE logging captured: no client secret, password,
//! token, card number or secret_hash appears in the logs, nor in `Debug` of
//! the config, client, requests, responses and errors.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use epay_kz::operations::{status, token, transfer};
use epay_kz::signature::derive_secret_hash;
use epay_kz::{
    CardExpiry, CreateInvoice, PaymentTokenRequest, RefundOperation, TransferKind, TransferReceiver, TransferRequest,
    TransferSender, WidgetPayment,
};
use payments_core::conformance::assert_no_secret_in_text;
use payments_core::{Currency, Money, PaymentProvider, Secret};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SVC_TOKEN: &str = "SVC-SECRET-TOKEN-7f3a";
const PAY_TOKEN: &str = "PAY-SECRET-TOKEN-19bc";
const INV_TOKEN: &str = "INV-SECRET-TOKEN-c2d4";
const XFER_TOKEN: &str = "XFER-SECRET-TOKEN-88aa";
const PAN: &str = "4405639704015096";
const CVC: &str = "321";

#[derive(Clone)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn mount_all(server: &MockServer) {
    let tok = |t: &str| ResponseTemplate::new(200).set_body_string(token_json(t, "\"900\""));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("invoiceID="))
        .respond_with(tok(PAY_TOKEN))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=password"))
        .respond_with(tok(INV_TOKEN))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("scope=transfer"))
        .respond_with(tok(XFER_TOKEN))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(tok(SVC_TOKEN))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234567")))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"resultCode":"100","resultMessage":"OK","transaction":{"id":"tx-1","invoiceID":"000001234567","amount":100,"currency":"KZT","statusName":"CHARGE","cardMask":"440563...5096"}}"#,
        ))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/invoice")))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream failure"))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/operation/tx-1/refund")))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"code":"1","message":"refund refused"}"#))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/p2p/transfer")))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"x-1","statusName":"CHARGE"}"#))
        .mount(server)
        .await;
}

#[tokio::test]
async fn no_secret_reaches_logs_or_debug_output() {
    let server = MockServer::start().await;
    mount_all(&server).await;
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Buffer(buffer.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = client(&server);
    let hash = derive_secret_hash(&Secret::from(CALLBACK_KEY), "000001234567").unwrap();
    let debug = std::cell::RefCell::new(String::new());
    let dbg = |v: &dyn std::fmt::Debug| debug.borrow_mut().push_str(&format!("{v:?}\n{v:#?}\n"));

    dbg(client.config());
    dbg(&client);
    let status_resp = client.check_status("000001234567").await.unwrap();
    dbg(&status_resp);
    let widget = client
        .widget_payment(&WidgetPayment::new(
            "000001234567",
            Money::from_minor(10000, Currency::KZT),
        ))
        .await
        .unwrap();
    dbg(&widget);
    let pay_req =
        PaymentTokenRequest::derived(client.config(), "000001234567", Money::from_minor(100, Currency::KZT)).unwrap();
    dbg(&pay_req);
    let pay_token = client.payment_token(&pay_req).await.unwrap();
    dbg(&pay_token);
    dbg(&token::build_payment_token(client.config(), &pay_req).unwrap());
    dbg(&token::build_password_token(client.config()).unwrap());
    dbg(&status::build_check_status(client.config(), "000001234567", &Secret::from(SVC_TOKEN)).unwrap());
    let err = client
        .create_invoice(&CreateInvoice::new(
            "000001234567",
            "a",
            Money::from_minor(100, Currency::KZT),
            "d",
            "a@b.kz",
            "+77771234567",
        ))
        .await
        .unwrap_err();
    dbg(&err);
    debug.borrow_mut().push_str(&err.to_string());
    let err = client
        .refund_transaction(&RefundOperation::full("tx-1"))
        .await
        .unwrap_err();
    dbg(&err);
    let transfer_req = TransferRequest::new(TransferKind::P2p, "7654321", Money::from_minor(100, Currency::KZT))
        .sender(TransferSender::card(PAN, CardExpiry::new(1, 27).unwrap(), CVC).name("TEST"))
        .receiver(TransferReceiver::card("5522042705066736"));
    dbg(&transfer_req);
    dbg(&transfer::build_transfer(client.config(), &transfer_req, &Secret::from(XFER_TOKEN)).unwrap());
    client.transfer(&transfer_req).await.unwrap();
    let body = epay_kz::callback::testing::success_body(
        &Secret::from(CALLBACK_KEY),
        "000001234567",
        "tx-1",
        Money::from_minor(10000, Currency::KZT),
    );
    let link = client.verify_post_link(&body).unwrap();
    dbg(&link);
    dbg(&client.verify_callback(&body).unwrap());
    let forged = client
        .verify_callback(br#"{"invoiceId":"000001234567","secret_hash":"wrong"}"#)
        .unwrap_err();
    dbg(&forged);
    debug.borrow_mut().push_str(&forged.to_string());

    drop(_guard);
    let logs = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("payments.http"), "the flow was not traced: {logs}");
    assert!(logs.contains("check_status"), "{logs}");
    let secrets = [
        CLIENT_SECRET,
        CALLBACK_KEY,
        PASSWORD,
        SVC_TOKEN,
        PAY_TOKEN,
        INV_TOKEN,
        XFER_TOKEN,
        "R-SVC-SECRET",
        PAN,
        "5522042705066736",
        hash.expose_secret().as_str(),
    ];
    assert_no_secret_in_text(&logs, &secrets);
    let debug = debug.into_inner();
    assert_no_secret_in_text(&debug, &secrets);
    // The CVC is short: check it only as a JSON value.
    assert!(!debug.contains("\"321\"") && !logs.contains("\"321\""));
}
