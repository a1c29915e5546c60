#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Invoice links against wiremock: exact method, path, headers and body.

mod common;

use common::*;
use epay_kz::{CreateInvoice, ExpirePeriod, InvoiceSearch, InvoiceStatus, Language, SearchFilter, SortOrder};
use payments_core::{Currency, Error, Money};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SEED_SEARCH_RESPONSE: &str = r#"{
  "TotalCount": 1,
  "Records": [
 {
      "id": "39400628-6ebd-4640-9a25-116fb847db37",
      "shop_id": "04f25a4b-d2bd-4dd8-b3a7-9390be4774c4",
      "amount": 400,
      "invoice_id": "200220241201",
      "language": "rus",
      "currency": "KZT",
      "description": "tes ",
      "account_id": "",
      "recipient_contact": "test@test.kz",
      "recipient_contact_sms": "+77778877887",
      "notifier_contact": "",
      "notifier_contact_sms": "+77778877887",
      "expire_period": "2d",
      "post_link": "https://epay.homebank.kz/payform",
      "failure_post_link": "https://testmerchant/order/1123/fail",
      "back_link": "",
      "failure_back_link": "",
      "created_date": "2024-02-20T15:15:29.289897+06:00",
      "expire_date": "2024-02-22T15:15:29.289897+06:00",
      "status": "CHARGED",
      "updated_date": "0001-01-01T05:07:48+05:07",
      "invoice_url": "https://testepay.homebank.kz/api/redirect/invoice-link/39400628-6ebd-4640-9a25-116fb847db37",
      "merchant_id": "ad638b1d-e515-4b9c-aab3-d3500735f6eb",
      "terminal_id": "d9d7978c-d6ee-4ec0-8cda-165251a4bf16",
      "card_save": false
    }
  ]
}"#;

async fn mount_invoice_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .and(body_string_contains("grant_type=password"))
        .respond_with(ResponseTemplate::new(200).set_body_string(token_json("INV-TOKEN", "\"900\"")))
        .mount(server)
        .await;
}

fn invoice() -> CreateInvoice {
    CreateInvoice::new(
        "200220241201",
        "0003413423",
        Money::from_minor(10050, Currency::KZT),
        "Invoice for order 1201",
        "payer@example.kz",
        "+77771234567",
    )
    .language(Language::Kaz)
    .expire_period(ExpirePeriod::days(2).unwrap())
    .post_link("https://shop.example/post")
    .failure_post_link("https://shop.example/fail")
}

#[tokio::test]
async fn create_sends_the_exact_json_and_parses_the_answer() {
    let server = MockServer::start().await;
    mount_invoice_token(&server).await;
    let answer = r#"{"id":"19c435ae-fbe6-4761-863f-381f6a0fe824","shop_id":"04f25a4b-d2bd-4dd8-b3a7-9390be4774c4",
      "amount":100.5,"invoice_id":"200220241201","language":"kaz","currency":"KZT","description":"Invoice for order 1201",
      "account_id":"0003413423","recipient_contact":"payer@example.kz","recipient_contact_sms":"+77771234567",
      "notifier_contact":"","notifier_contact_sms":"","expire_period":"2d","post_link":"https://shop.example/post",
      "failure_post_link":"https://shop.example/fail","created_date":"2026-11-23T10:04:10.997074088+06:00",
      "expire_date":"2026-11-25T10:04:10.997074088+06:00","status":"ACTIVE","updated_date":"0001-01-01T00:00:00Z",
      "invoice_url":" https://testepay.homebank.kz/api/redirect/invoice-link/19c435ae-fbe6-4761-863f-381f6a0fe824",
      "merchant_id":" ad638b1d-e515-4b9c-aab3-d3500735f6eb","terminal_id":"67e34d63-102f-4bd1-898e-370781d0074d"}"#;
    Mock::given(method("POST"))
        .and(path(format!("{API}/invoice")))
        .respond_with(ResponseTemplate::new(200).set_body_string(answer))
        .mount(&server)
        .await;
    let inv = client(&server).create_invoice(&invoice()).await.unwrap();
    assert_eq!(inv.id, "19c435ae-fbe6-4761-863f-381f6a0fe824");
    assert_eq!(inv.amount, Some(Money::from_minor(10050, Currency::KZT)));
    assert_eq!(inv.status, InvoiceStatus::Active);
    assert_eq!(
        inv.invoice_url,
        "https://testepay.homebank.kz/api/redirect/invoice-link/19c435ae-fbe6-4761-863f-381f6a0fe824"
    );
    assert_eq!(inv.merchant_id, "ad638b1d-e515-4b9c-aab3-d3500735f6eb");
    assert_eq!(inv.updated_at(), None);
    assert_eq!(inv.expires_at().unwrap().day(), 25);

    let sent = requests_to(&server, &format!("{API}/invoice")).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer INV-TOKEN"));
    assert_eq!(header(&sent[0], "content-type"), Some("application/json"));
    assert_eq!(
        body(&sent[0]),
        r#"{"shop_id":"04f25a4b-d2bd-4dd8-b3a7-9390be4774c4","account_id":"0003413423","invoice_id":"200220241201","amount":100.50,"language":"kaz","description":"Invoice for order 1201","expire_period":"2d","recipient_contact":"payer@example.kz","recipient_contact_sms":"+77771234567","currency":"KZT","post_link":"https://shop.example/post","failure_post_link":"https://shop.example/fail"}"#
    );
}

fn with(change: impl FnOnce(&mut CreateInvoice)) -> CreateInvoice {
    let mut i = invoice();
    change(&mut i);
    i
}

#[tokio::test]
async fn invalid_invoices_are_rejected_before_anything_is_sent() {
    let server = MockServer::start().await;
    mount_invoice_token(&server).await;
    let client = client(&server);
    let cases: Vec<(CreateInvoice, &str)> = vec![
        (with(|i| i.invoice_id = "25458124232312321".into()), "invoice_id"),
        (with(|i| i.invoice_id = "12345".into()), "invoice_id"),
        (with(|i| i.description = "x".repeat(126)), "description"),
        (
            with(|i| i.recipient_contact_sms = "+777711111111".into()),
            "recipient_contact_sms",
        ),
        (with(|i| i.recipient_contact = "nobody".into()), "recipient_contact"),
        (with(|i| i.amount = Money::from_minor(100, Currency::USD)), "currency"),
        (with(|i| i.amount = Money::from_minor(0, Currency::KZT)), "amount"),
        (with(|i| i.post_link = Some("https//mail.ru".into())), "post_link"),
        (invoice().notifier_contact_sms("777"), "notifier_contact_sms"),
    ];
    for (req, field) in cases {
        match client.create_invoice(&req).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn search_sends_the_seed_shape_and_parses_pascal_case() {
    let server = MockServer::start().await;
    mount_invoice_token(&server).await;
    Mock::given(method("POST"))
        .and(path(format!("{API}/invoice/search")))
        .respond_with(ResponseTemplate::new(200).set_body_string(SEED_SEARCH_RESPONSE))
        .mount(&server)
        .await;
    let search = InvoiceSearch::by_invoice_id("200220241201")
        .filter(SearchFilter::between("created_date", "2024-02-01", "2024-02-29"))
        .filter(SearchFilter::one_of("status", ["CHARGED", "ACTIVE"]))
        .page(20, 10)
        .order_by("created_date", SortOrder::Asc);
    let page = client(&server).search_invoices(&search).await.unwrap();
    assert_eq!(page.total_count, 1);
    let r = &page.records[0];
    assert_eq!(r.status, InvoiceStatus::Charged);
    assert_eq!(r.amount, Some(Money::from_minor(40000, Currency::KZT)));
    assert_eq!(r.description, "tes");
    assert_eq!(r.card_save, Some(false));
    assert_eq!(r.updated_at(), None);

    let sent = requests_to(&server, &format!("{API}/invoice/search")).await;
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer INV-TOKEN"));
    assert_eq!(
        body(&sent[0]),
        r#"{"paging":{"skip":20,"limit":10},"searchParameters":[{"name":"invoice_id","method":"=","searchParameter":["200220241201"]},{"name":"created_date","method":"between","searchParameter":["2024-02-01","2024-02-29"]},{"name":"status","method":"in","searchParameter":["CHARGED","ACTIVE"]}],"orderParameters":{"field":"created_date","typeOrder":"ASC"}}"#
    );
}

#[tokio::test]
async fn search_rules_and_the_missing_url_are_errors_before_sending() {
    let server = MockServer::start().await;
    mount_invoice_token(&server).await;
    let client = client(&server);
    let mut no_invoice = InvoiceSearch::by_invoice_id("1");
    no_invoice.filters = vec![SearchFilter::eq("status", "ACTIVE")];
    assert!(matches!(client.search_invoices(&no_invoice).await,
        Err(Error::InvalidInput { field, .. }) if field == "search_parameters"));
    let like = InvoiceSearch::invoice_id(SearchFilter::like("invoice_id", "2002"));
    assert!(matches!(
        client.search_invoices(&like).await,
        Err(Error::InvalidInput { .. })
    ));

    let cfg = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .credentials(USERNAME, PASSWORD)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .build()
        .unwrap();
    let no_url = epay_kz::EpayClient::builder(cfg).http_client(http()).build().unwrap();
    let err = no_url
        .search_invoices(&InvoiceSearch::by_invoice_id("200220241201"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { message, .. } if message.contains("EPAY_INVOICE_SEARCH_URL")),
        "{err}"
    );
    assert!(requests_to(&server, &format!("{API}/invoice/search")).await.is_empty());
}

#[tokio::test]
async fn deactivate_is_a_put_on_the_link_id() {
    let server = MockServer::start().await;
    mount_invoice_token(&server).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "{API}/deactivate/invoice-links/39400628-6ebd-4640-9a25-116fb847db37"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{API}/deactivate/invoice-links/missing-1")))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"code":404,"message":"invoice link not found"}"#))
        .mount(&server)
        .await;
    let client = client(&server);
    client
        .deactivate_invoice("39400628-6ebd-4640-9a25-116fb847db37")
        .await
        .unwrap();
    let sent = requests_to(
        &server,
        &format!("{API}/deactivate/invoice-links/39400628-6ebd-4640-9a25-116fb847db37"),
    )
    .await;
    assert_eq!(sent[0].method.as_str(), "PUT");
    assert_eq!(header(&sent[0], "authorization"), Some("Bearer INV-TOKEN"));
    assert!(sent[0].body.is_empty());
    let err = client.deactivate_invoice("missing-1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Provider { code: Some(c), message: Some(m), http_status: Some(400), .. }
        if c == "404" && m == "invoice link not found")
    );
    assert!(matches!(
        client.deactivate_invoice("a/b").await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn a_missing_shop_id_or_password_is_a_config_error() {
    let server = MockServer::start().await;
    let cfg = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .build()
        .unwrap();
    let c = epay_kz::EpayClient::builder(cfg).http_client(http()).build().unwrap();
    assert!(matches!(c.create_invoice(&invoice()).await, Err(Error::Config { .. })));
    mount_invoice_token(&server).await;
    let cfg = epay_kz::EpayConfig::builder(CLIENT_ID, CLIENT_SECRET, TERMINAL)
        .credentials(USERNAME, PASSWORD)
        .oauth_url(format!("{}{TOKEN_PATH}", server.uri()))
        .api_url(format!("{}{API}", server.uri()))
        .build()
        .unwrap();
    let c = epay_kz::EpayClient::builder(cfg).http_client(http()).build().unwrap();
    let err = c.create_invoice(&invoice()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Config { message, .. } if message.contains("EPAY_SHOP_ID")),
        "{err}"
    );
    assert!(requests_to(&server, &format!("{API}/invoice")).await.is_empty());
}
