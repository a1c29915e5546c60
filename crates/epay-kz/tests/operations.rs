#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The operations beyond the invoice seed against wiremock: for each, the
//! method, path, which token (the exact token request), headers and the
//! exact JSON sent, and the answer decoded.

mod common;

use common::*;
use epay_kz::operations::installment::{CreditOrderRequest, CreditOrderState};
use epay_kz::signature::derive_secret_hash;
use epay_kz::{
    CardExpiry, ChargeRequest, EpayClient, HostPayment, OperationStatus, PaymentFrequency, QrRequest, QrState,
    RefundOperation, StatusName, TransferKind, TransferListQuery, TransferReceiver, TransferRequest, TransferSender,
    WidgetPayment,
};
use payments_core::{Currency, Error, Money, Secret};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const P2P_TERMINAL: &str = "40a348cb-68a3-45d5-9002-a4836d79c3b5";
const OCT_TERMINAL: &str = "c36b282f-6819-4d4f-85df-a4bdc8a8f703";
const SCOPE: &str = "webapi+usermanagement+email_send+verification+statement+statistics+payment";
const TX: &str = "4b1c4c1d-4ad1-4e0d-93b0-7e1e4bd3d0c7";

/// Token endpoint with one token per grant kind, so the Bearer header of a
/// call shows which token it used. Mounted in order: the first match wins.
async fn mount_tokens(server: &MockServer) {
    let tok = |t: &str| ResponseTemplate::new(200).set_body_string(token_json(t, "\"900\""));
    for (needle, token) in [
        (
            "scope=transfer&client_id=test&client_secret=yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG&invoiceID=",
            "XFER",
        ),
        ("invoiceID=", "PAY"),
        ("grant_type=password", "PWD"),
        ("scope=statement+usermanagement+operation", "OPS"),
        ("&terminal=", "SVC"),
        ("grant_type=client_credentials", "NOTERM"),
    ] {
        Mock::given(method("POST"))
            .and(path(TOKEN_PATH))
            .and(body_string_contains(needle))
            .respond_with(tok(token))
            .mount(server)
            .await;
    }
}

fn client_with_terminals(server: &MockServer) -> EpayClient {
    let config = builder(server)
        .transfer_terminal_id(P2P_TERMINAL)
        .payout_terminal_id(OCT_TERMINAL)
        .post_link("https://shop.example/epay/post")
        .build()
        .unwrap();
    EpayClient::builder(config).http_client(http()).build().unwrap()
}

async fn token_bodies(server: &MockServer) -> Vec<String> {
    requests_to(server, TOKEN_PATH)
        .await
        .iter()
        .map(|r| body(r).to_owned())
        .collect()
}

async fn respond(server: &MockServer, verb: &str, p: &str, status: u16, body: &str) {
    Mock::given(method(verb))
        .and(path(format!("{API}{p}")))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.to_owned()))
        .mount(server)
        .await;
}

#[tokio::test]
async fn saved_cards_list_and_deactivate_share_a_token_without_terminal() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "GET",
        "/cards/testuser1",
        200,
        r#"[{"ID":"card-1","TransactionId":"t-1","CardMask":"4405...2283","Token":"0123456789abcdef0123456789abcdef","Terminal":"88888881","PaymentAvailable":false,"AccountID":"testuser1"}]"#,
    )
    .await;
    respond(
        &server,
        "POST",
        "/card/deactivate/card-1",
        200,
        r#"{"status":"card successfully deactivated"}"#,
    )
    .await;
    let client = client(&server);
    let cards = client.list_cards("testuser1").await.unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].id, "card-1");
    assert_eq!(cards[0].account_id.as_deref(), Some("testuser1"));
    let status = client.deactivate_card("card-1").await.unwrap();
    assert_eq!(status.as_deref(), Some("card successfully deactivated"));

    let list = requests_to(&server, &format!("{API}/cards/testuser1")).await;
    assert_eq!(list[0].method.as_str(), "GET");
    assert_eq!(header(&list[0], "authorization"), Some("Bearer NOTERM"));
    let deactivate = requests_to(&server, &format!("{API}/card/deactivate/card-1")).await;
    assert_eq!(deactivate[0].method.as_str(), "POST");
    assert_eq!(header(&deactivate[0], "authorization"), Some("Bearer NOTERM"));
    assert!(deactivate[0].body.is_empty());
    assert_eq!(
        token_bodies(&server).await,
        vec![format!(
            "grant_type=client_credentials&scope={SCOPE}&client_id=test&client_secret={CLIENT_SECRET}"
        )]
    );
    assert!(matches!(
        client.list_cards("../x").await,
        Err(Error::InvalidInput { .. })
    ));
}

/// An account without cards: ePay's page does not say how the list answers
/// it; `{"code":1373,...}` is read as "no cards" [U] whatever the HTTP
/// status (2xx or 4xx), since the status is undocumented too.
#[tokio::test]
async fn code_1373_lists_no_cards_in_a_2xx_and_in_a_4xx_answer() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "GET",
        "/cards/empty-200",
        200,
        r#"{"code":1373,"message":"cards not found"}"#,
    )
    .await;
    respond(
        &server,
        "GET",
        "/cards/empty-400",
        400,
        r#"{"code":1373,"message":"cards not found"}"#,
    )
    .await;
    respond(&server, "GET", "/cards/other-400", 400, r#"{"code":2,"message":"bad"}"#).await;
    respond(&server, "GET", "/cards/server-500", 500, r#"{"code":1373}"#).await;
    let client = client(&server);
    assert!(client.list_cards("empty-200").await.unwrap().is_empty());
    assert!(client.list_cards("empty-400").await.unwrap().is_empty());
    let other = client.list_cards("other-400").await.unwrap_err();
    assert!(
        matches!(other, Error::Provider { ref code, http_status: Some(400), .. } if code.as_deref() == Some("2")),
        "{other:?}"
    );
    let server_err = client.list_cards("server-500").await.unwrap_err();
    assert_eq!(server_err.provider_code(), Some("1373"), "{server_err:?}");
    let calls = requests_to(&server, &format!("{API}/cards/empty-400")).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(header(&calls[0], "authorization"), Some("Bearer NOTERM"));
}

#[tokio::test]
async fn card_verification_is_a_zero_usd_token_and_widget() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let client = client(&server);
    let object = client
        .widget_payment(
            &WidgetPayment::card_verification("000007654321")
                .post_links("https://shop.example/epay/post", "https://shop.example/epay/fail"),
        )
        .await
        .unwrap();
    let hash = derive_secret_hash(&Secret::from(CALLBACK_KEY), "000007654321").unwrap();
    assert_eq!(
        token_bodies(&server).await,
        vec![format!(
            "grant_type=client_credentials&scope={SCOPE}&client_id=test&client_secret={CLIENT_SECRET}\
             &invoiceID=000007654321&amount=0&currency=USD&terminal={TERMINAL}&secret_hash={}\
             &postLink=https%3A%2F%2Fshop.example%2Fepay%2Fpost&failurePostLink=https%3A%2F%2Fshop.example%2Fepay%2Ffail",
            hash.expose_secret()
        )]
    );
    assert!(
        object
            .as_json()
            .contains(r#""amount":0,"currency":"USD","cardSave":true"#)
    );
    // A zero amount anywhere else costs no token.
    let err = client
        .widget_payment(&WidgetPayment::new("000007654322", Money::from_minor(0, Currency::USD)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));
    assert_eq!(token_bodies(&server).await.len(), 1);
}

#[tokio::test]
async fn each_transfer_gets_its_own_invoice_scoped_token() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/p2p/transfer",
        200,
        r#"{"id":"x-1","amount":1000,"fee":10,"currency":"KZT","orderID":"7654321","senderCardPAN":"440563...5096","receiverCardID":"card-7","receiverTransferType":"TYPECARDID"}"#,
    )
    .await;
    let client = client_with_terminals(&server);
    let req = TransferRequest::new(TransferKind::P2p, "7654321", Money::from_minor(100000, Currency::KZT))
        .sender(TransferSender::card(
            "4405639704015096",
            CardExpiry::new(1, 27).unwrap(),
            "321",
        ))
        .receiver(TransferReceiver::saved("card-7"))
        .sender_email("payer@example.kz");
    let r = client.transfer(&req).await.unwrap();
    assert_eq!(r.id, "x-1");
    assert_eq!(r.fee, Some(Money::from_minor(1000, Currency::KZT)));
    assert_eq!(r.order_id.as_deref(), Some("7654321"));
    assert_eq!(r.receiver_card_id.as_deref(), Some("card-7"));
    client.transfer(&req).await.unwrap();

    // No caller hash: the scope-transfer token still carries one, derived
    // from the callback key (ePay's token table lists secret_hash for P2P).
    let hash = derive_secret_hash(&Secret::from(CALLBACK_KEY), "7654321").unwrap();
    let expected_token = format!(
        "grant_type=client_credentials&scope=transfer&client_id=test&client_secret={CLIENT_SECRET}\
         &invoiceID=7654321&amount=1000&currency=KZT&terminal={P2P_TERMINAL}&secret_hash={}\
         &postLink=https%3A%2F%2Fshop.example%2Fepay%2Fpost",
        hash.expose_secret()
    );
    // Two transfers, two fresh tokens: nothing cached.
    assert_eq!(
        token_bodies(&server).await,
        vec![expected_token.clone(), expected_token]
    );
    let sent = requests_to(&server, &format!("{API}/p2p/transfer")).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer XFER"));
    assert_eq!(header(&sent[0], "content-type"), Some("application/json"));
    assert_eq!(
        body(&sent[0]),
        format!(
            r#"{{"order":{{"id":"7654321","amount":1000,"currency":"KZT","terminalId":"{P2P_TERMINAL}","senderEmail":"payer@example.kz","foreign":false,"postLink":"https://shop.example/epay/post"}},"card":{{"sender":{{"cardCred":"4405639704015096","transferType":"TYPEPAN","expire":{{"month":"01","year":"27"}},"cvc":"321","save":false}},"receiver":{{"cardCred":"card-7","transferType":"TYPECARDID","save":false}}}}}}"#
        )
    );
}

#[tokio::test]
async fn payout_uses_the_payout_terminal_and_its_status_the_same_terminal() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/chpayment/transfer",
        200,
        r#"{"id":"o-1","amount":5000,"currency":"KZT","orderID":"000000123456"}"#,
    )
    .await;
    respond(
        &server,
        "GET",
        "/check-status/p2p/transaction/000000123456",
        200,
        r#"{"result":{"code":"100","message":"SUCCESS"},"transaction":{"p2p":{"id":"o-1","invoiceID":"000000123456","amount":5000,"currency":"KZT","terminal":"c36b282f-6819-4d4f-85df-a4bdc8a8f703"}}}"#,
    )
    .await;
    let client = client_with_terminals(&server);
    let payout = TransferRequest::payout(
        "000000123456",
        Money::from_minor(500000, Currency::KZT),
        TransferReceiver::card("4405639704015096"),
    )
    .description("Payout");
    let r = client.payout(&payout).await.unwrap();
    assert_eq!(r.amount, Some(Money::from_minor(500000, Currency::KZT)));
    let sent = requests_to(&server, &format!("{API}/chpayment/transfer")).await;
    assert_eq!(
        body(&sent[0]),
        format!(
            r#"{{"order":{{"id":"000000123456","amount":5000,"currency":"KZT","description":"Payout","terminalId":"{OCT_TERMINAL}","foreign":false,"postLink":"https://shop.example/epay/post"}},"card":{{"receiver":{{"cardCred":"4405639704015096","transferType":"TYPEPAN","save":false}}}}}}"#
        )
    );
    let status = client
        .transfer_status(TransferKind::Oct, "000000123456", None)
        .await
        .unwrap();
    assert!(status.is_found());
    assert_eq!(status.transfer.unwrap().id, "o-1");
    let check = requests_to(&server, &format!("{API}/check-status/p2p/transaction/000000123456")).await;
    assert_eq!(check[0].method.as_str(), "GET");
    assert_eq!(header(&check[0], "authorization"), Some("Bearer SVC"));
    let tokens = token_bodies(&server).await;
    // The payout token (default payout scope `transfer`) carries the derived
    // secret_hash of the order.
    let hash = derive_secret_hash(&Secret::from(CALLBACK_KEY), "000000123456").unwrap();
    assert_eq!(
        tokens[0],
        format!(
            "grant_type=client_credentials&scope=transfer&client_id=test&client_secret={CLIENT_SECRET}\
             &invoiceID=000000123456&amount=5000&currency=KZT&terminal={OCT_TERMINAL}&secret_hash={}\
             &postLink=https%3A%2F%2Fshop.example%2Fepay%2Fpost",
            hash.expose_secret()
        )
    );
    assert_eq!(
        tokens[1],
        format!(
            "grant_type=client_credentials&scope={SCOPE}&client_id=test&client_secret={CLIENT_SECRET}&terminal={OCT_TERMINAL}"
        )
    );
    // A P2P transfer is not a payout.
    let p2p = TransferRequest::new(TransferKind::P2p, "7654321", Money::from_minor(100, Currency::KZT));
    assert!(matches!(client.payout(&p2p).await, Err(Error::InvalidInput { .. })));
}

/// Without a callback key the transfer token still carries a secret_hash:
/// a fresh random one per token request, never logged in Debug.
#[tokio::test]
async fn a_transfer_without_callback_key_sends_a_random_secret_hash() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/chdebit/transfer",
        200,
        r#"{"id":"a-1","amount":10,"currency":"KZT","orderID":"7654322"}"#,
    )
    .await;
    let config = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .transfer_terminal_id(P2P_TERMINAL)
        .build()
        .unwrap();
    let client = EpayClient::builder(config).http_client(http()).build().unwrap();
    let req = TransferRequest::new(TransferKind::Aft, "7654322", Money::from_minor(1000, Currency::KZT)).sender(
        TransferSender::card("4405639704015096", CardExpiry::new(1, 27).unwrap(), "321"),
    );
    client.transfer(&req).await.unwrap();
    client.transfer(&req).await.unwrap();
    let prefix = format!(
        "grant_type=client_credentials&scope=transfer&client_id=test&client_secret={CLIENT_SECRET}\
         &invoiceID=7654322&amount=10&currency=KZT&terminal={P2P_TERMINAL}&secret_hash="
    );
    let tokens = token_bodies(&server).await;
    assert_eq!(tokens.len(), 2);
    let hashes: Vec<&str> = tokens
        .iter()
        .map(|t| t.strip_prefix(prefix.as_str()).unwrap_or_else(|| panic!("{t}")))
        .collect();
    for h in &hashes {
        assert_eq!(h.len(), 64, "{h}");
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert_ne!(hashes[0], hashes[1]);
}

#[tokio::test]
async fn the_transfer_list_uses_the_password_grant_with_scope_transfer() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/p2p/operations",
        200,
        r#"{"TotalCount":0,"Records":[]}"#,
    )
    .await;
    let client = client(&server);
    let list = client
        .transfer_list(&TransferListQuery::created_between(
            "2024-02-01T00:00:00+06:00",
            "2024-02-29T23:59:59+06:00",
        ))
        .await
        .unwrap();
    assert_eq!(list.as_json(), r#"{"TotalCount":0,"Records":[]}"#);
    assert_eq!(
        token_bodies(&server).await,
        vec![format!(
            "grant_type=password&username=halykfinanceUSD%40halykbank.nb&password={PASSWORD}&scope=transfer\
             &client_id=test&client_secret={CLIENT_SECRET}"
        )]
    );
    let sent = requests_to(&server, &format!("{API}/p2p/operations")).await;
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer PWD"));
    assert_eq!(
        body(&sent[0]),
        r#"{"paging":{"page":0,"size":20},"searchParameters":[{"name":"created_at","method":"between","searchParameter":["2024-02-01T00:00:00+06:00","2024-02-29T23:59:59+06:00"]}],"orderParameters":{"field":"created_at","typeOrder":"DESC"}}"#
    );
}

#[tokio::test]
async fn host_to_host_payment_and_halyk_id() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/payment/cryptopay",
        200,
        r#"{"id":"tx-9","amount":150.5,"currency":"KZT","invoiceID":"000001234567","secure3D":{"paReq":"PA","md":"MD","termURL":"https://shop.example/3ds","action":"https://acs.example"}}"#,
    )
    .await;
    respond(
        &server,
        "GET",
        "/hb-cards",
        200,
        r#"[{"aliasName":"Main","isHidden":false,"systemAttributeId":"sa-1","cardInfo":{"cardMask":"4405...5096","currency":"KZT"}}]"#,
    )
    .await;
    let client = client(&server);
    let payment = HostPayment::card(
        "000001234567",
        Money::from_minor(15050, Currency::KZT),
        "JOHN DOE",
        Secret::from("CRYPTOGRAM=="),
        "Order 1",
    );
    let r = client.host_payment(&payment).await.unwrap();
    assert_eq!(r.id, "tx-9");
    assert_eq!(r.secure_3d.unwrap().action, "https://acs.example");
    let hash = derive_secret_hash(&Secret::from(CALLBACK_KEY), "000001234567").unwrap();
    assert_eq!(
        token_bodies(&server).await,
        vec![format!(
            "grant_type=client_credentials&scope={SCOPE}&client_id=test&client_secret={CLIENT_SECRET}\
             &invoiceID=000001234567&amount=150.50&currency=KZT&terminal={TERMINAL}&secret_hash={}",
            hash.expose_secret()
        )]
    );
    let sent = requests_to(&server, &format!("{API}/payment/cryptopay")).await;
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer PAY"));
    assert_eq!(header(&sent[0], "content-type"), Some("application/json"));
    assert_eq!(
        body(&sent[0]),
        r#"{"amount":150.50,"currency":"KZT","name":"JOHN DOE","cryptogram":"CRYPTOGRAM==","invoiceId":"000001234567","description":"Order 1","cardSave":false,"language":"rus"}"#
    );

    let cards = client
        .halyk_id_cards(&Secret::from("PAY"), "000001234567", &Secret::from("HB-TOKEN"))
        .await
        .unwrap();
    assert_eq!(cards[0].system_attribute_id, "sa-1");
    let hb = requests_to(&server, &format!("{API}/hb-cards")).await;
    assert_eq!(hb[0].url.query(), Some("invoiceId=000001234567"));
    assert_eq!(header(&hb[0], "x-homebank-auth"), Some("Bearer HB-TOKEN"));
    assert_eq!(header(&hb[0], "authorization"), Some("Bearer PAY"));
    let halyk = HostPayment::halyk_id(
        "000001234568",
        Money::from_minor(100, Currency::KZT),
        "d",
        "sa-1",
        Secret::from("HB-TOKEN"),
    );
    client.host_payment(&halyk).await.unwrap();
    let sent = requests_to(&server, &format!("{API}/payment/cryptopay")).await;
    assert_eq!(header(&sent[1], "x-homebank-auth"), Some("Bearer HB-TOKEN"));
    assert_eq!(
        body(&sent[1]),
        format!(
            r#"{{"amount":1,"currency":"KZT","invoiceId":"000001234568","description":"d","cardSave":false,"language":"rus","paymentType":"halykId","terminalId":"{TERMINAL}","osuvoxCardId":"sa-1","not3d":false}}"#
        )
    );
}

#[tokio::test]
async fn qr_generate_then_status_with_the_same_payment_token() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "POST",
        "/payment/qr/generate",
        200,
        r#"{"qrcode":"https://hb.kz/qr/abc","billNumber":"B-77","homebankLink":"homebank://pay","onlinebankLink":"https://online.example"}"#,
    )
    .await;
    respond(
        &server,
        "GET",
        "/qr",
        200,
        r#"{"status":"PAID","amount":100,"currency":"KZT","retCode":"0"}"#,
    )
    .await;
    let clock = payments_core::clock::ManualClock::new(time::macros::datetime!(2026-12-01 10:00 UTC));
    let client = client_with_clock(&server, &clock);
    let qr = client
        .qr_payment(&QrRequest::new("000001234567", Money::from_minor(10000, Currency::KZT)).description("Coffee"))
        .await
        .unwrap();
    assert_eq!(qr.code.bill_number.as_deref(), Some("B-77"));
    assert_eq!(qr.code.expires_at, time::macros::datetime!(2026-12-01 10:20 UTC));
    assert!(!format!("{qr:?}").contains("\"PAY\""));
    let status = client.qr_status(&qr).await.unwrap();
    assert_eq!(status.state, QrState::Paid);
    assert_eq!(status.amount, Some(Money::from_minor(10000, Currency::KZT)));
    let generate = requests_to(&server, &format!("{API}/payment/qr/generate")).await;
    assert_eq!(header(&generate[0], "authorization"), Some("Bearer PAY"));
    assert_eq!(
        body(&generate[0]),
        r#"{"postLink":null,"description":"Coffee","language":"rus"}"#.replace(r#""postLink":null,"#, "")
    );
    let st = requests_to(&server, &format!("{API}/qr")).await;
    assert_eq!(st[0].method.as_str(), "GET");
    assert_eq!(st[0].url.query(), Some("billNumber=B-77"));
    assert_eq!(header(&st[0], "authorization"), Some("Bearer PAY"));
    // One token for the QR's whole life.
    assert_eq!(token_bodies(&server).await.len(), 1);
    assert!(token_bodies(&server).await[0].contains("&invoiceID=000001234567&amount=100&currency=KZT&"));
}

#[tokio::test]
async fn legacy_lookup_uses_its_own_scope() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "GET",
        "/operation/000001234567",
        200,
        r#"{"id":"tx-1","invoiceId":"000001234567","amount":100,"currency":"KZT","code":"CHARGE","reason":"Successfully","reasonCode":0,"secure":"false"}"#,
    )
    .await;
    let client = client(&server);
    let op = client.operation_lookup("000001234567", None).await.unwrap();
    assert_eq!(op.status, Some(StatusName::Charge));
    assert_eq!(op.amount, Some(Money::from_minor(10000, Currency::KZT)));
    assert_eq!(
        token_bodies(&server).await,
        vec![format!(
            "grant_type=client_credentials&scope=statement+usermanagement+operation&client_id=test&client_secret={CLIENT_SECRET}"
        )]
    );
    let sent = requests_to(&server, &format!("{API}/operation/000001234567")).await;
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer OPS"));
}

#[tokio::test]
async fn installments_and_recurring_use_the_payment_token() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "GET",
        &format!("/terminals/{TERMINAL}"),
        200,
        r#"{"id":"1","terminalId":"t","shop":{"id":"shop-1","name":"Test Shop"}}"#,
    )
    .await;
    respond(
        &server,
        "GET",
        "/credit-condition",
        200,
        r#"[{"id":"c-12","shopId":"shop-1","monthCount":12,"interestRate":0}]"#,
    )
    .await;
    respond(
        &server,
        "POST",
        "/order",
        200,
        r#"{"id":"o-1","amount":150000,"approvedAmount":150000,"approvedMonthCount":12}"#,
    )
    .await;
    respond(&server, "GET", "/order/status", 200, r#"{"id":"o-1","name":"ACCEPT"}"#).await;
    respond(&server, "POST", "/recurrent/subscribe", 200, "").await;
    let client = client(&server);
    let pay = Secret::from("PAY");
    let info = client.terminal_info(&pay).await.unwrap();
    let conds = client.credit_conditions(&pay, &info.shop_id).await.unwrap();
    let order = client
        .create_credit_order(
            &pay,
            &CreditOrderRequest::new(
                info.shop_id.clone(),
                "000001234567",
                Money::from_minor(15000000, Currency::KZT),
                conds[0].id.clone(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(order.approved_amount, Some(Money::from_minor(15000000, Currency::KZT)));
    assert_eq!(
        client.credit_order_status(&pay, &order.id).await.unwrap(),
        CreditOrderState::Accept
    );
    let sent = requests_to(&server, &format!("{API}/order")).await;
    assert_eq!(
        body(&sent[0]),
        r#"{"shopId":"shop-1","amount":150000,"orderId":"000001234567","creditConditionId":"c-12"}"#
    );
    let conditions = requests_to(&server, &format!("{API}/credit-condition")).await;
    assert_eq!(conditions[0].url.query(), Some("shopId=shop-1"));
    let status = requests_to(&server, &format!("{API}/order/status")).await;
    assert_eq!(status[0].url.query(), Some("orderId=o-1"));

    // Recurring: the payment's own token, as the official SDK does.
    client
        .subscribe_recurrent(&pay, TX, PaymentFrequency::Quarterly)
        .await
        .unwrap();
    let sub = requests_to(&server, &format!("{API}/recurrent/subscribe")).await;
    assert_eq!(header(&sub[0], "authorization"), Some("Bearer PAY"));
    assert_eq!(
        body(&sub[0]),
        format!(r#"{{"transactionId":"{TX}","paymentFrequency":"QUARTERLY"}}"#)
    );
    for r in [&sent[0], &conditions[0], &status[0]] {
        assert_eq!(header(r, "authorization"), Some("Bearer PAY"));
    }
    // No token was fetched: every call used the caller's payment token.
    assert!(token_bodies(&server).await.is_empty());
}

#[tokio::test]
async fn refunds_are_idempotent_and_only_they_are_resent_after_a_401() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    // The first refund is answered 401 once, then 200; the repeat is 409.
    Mock::given(method("POST"))
        .and(path(format!("{API}/operation/{TX}/refund")))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/operation/{TX}/refund")))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    respond(&server, "POST", &format!("/operation/{TX}/refund"), 409, "").await;
    respond(&server, "POST", &format!("/operation/{TX}/charge"), 401, "").await;
    let client = client(&server);
    let (id, done) = client.refund_transaction(&RefundOperation::full(TX)).await.unwrap();
    assert_eq!(done, OperationStatus::Done);
    assert_eq!(id.len(), 32);
    let sent = requests_to(&server, &format!("{API}/operation/{TX}/refund")).await;
    assert_eq!(sent.len(), 2, "one resend after the 401");
    let query = format!("externalID={id}");
    assert_eq!(sent[0].url.query(), Some(query.as_str()));
    assert_eq!(
        sent[1].url.query(),
        Some(query.as_str()),
        "the resend carries the same id"
    );
    // The repeat with the same id is reported done, not refunded again.
    let (again, status) = client
        .refund_transaction(&RefundOperation::full(TX).external_id(id.clone()))
        .await
        .unwrap();
    assert_eq!((again, status), (id, OperationStatus::AlreadyProcessed));

    // A charge carries no id: a 401 is returned, never resent.
    let err = client.charge(&ChargeRequest::full(TX)).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Provider {
                http_status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        requests_to(&server, &format!("{API}/operation/{TX}/charge"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_token_without_expires_in_is_cached_not_refetched() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"access_token":"SVC","token_type":"Bearer"}"#))
        .mount(&server)
        .await;
    respond(
        &server,
        "GET",
        "/check-status/payment/transaction/000001234567",
        200,
        r#"{"resultCode":"102","resultMessage":"not found"}"#,
    )
    .await;
    let client = client(&server);
    client.check_status("000001234567").await.unwrap();
    client.check_status("000001234567").await.unwrap();
    assert_eq!(token_bodies(&server).await.len(), 1);
}

#[tokio::test]
async fn without_a_callback_key_derived_hashes_are_a_config_error() {
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    let config = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .build()
        .unwrap();
    let client = EpayClient::builder(config).http_client(http()).build().unwrap();
    let payment = WidgetPayment::new("000001234567", Money::from_minor(100, Currency::KZT));
    assert!(matches!(
        client.widget_payment(&payment).await,
        Err(Error::Config { .. })
    ));
    // A stored random hash works, and is what the token carries.
    let hash = epay_kz::signature::new_secret_hash();
    client.widget_payment_with_hash(&payment, hash.clone()).await.unwrap();
    let tokens = token_bodies(&server).await;
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].contains(&format!("&secret_hash={}", hash.expose_secret())));
    assert!(
        !tokens[0].contains(
            &derive_secret_hash(&Secret::from(CLIENT_SECRET), "000001234567")
                .unwrap()
                .expose_secret()
                .clone()
        )
    );
}

#[tokio::test]
async fn with_options_shares_the_token_cache_and_applies_the_options() {
    use payments_core::http::CallOptions;
    let server = MockServer::start().await;
    mount_tokens(&server).await;
    respond(
        &server,
        "GET",
        "/check-status/payment/transaction/000001234567",
        200,
        r#"{"resultCode":"102","resultMessage":"not found"}"#,
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/check-status/payment/transaction/000001234568")))
        .respond_with(ResponseTemplate::new(200).set_delay(std::time::Duration::from_millis(500)))
        .mount(&server)
        .await;
    let client = client(&server);
    client.check_status("000001234567").await.unwrap();
    let quick = client.with_options(CallOptions::new().timeout(std::time::Duration::from_millis(50)));
    quick.check_status("000001234567").await.unwrap();
    // One service token for both handles.
    assert_eq!(token_bodies(&server).await.len(), 1);
    // The handle's timeout applies; the original keeps its own.
    let err = quick.check_status("000001234568").await.unwrap_err();
    assert!(err.outcome_unknown() || err.is_transient(), "{err:?}");
}
