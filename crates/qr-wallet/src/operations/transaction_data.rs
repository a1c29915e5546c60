//! Reconciliation (`/v1/TransactionData/`): SummaryRecordByFilter, the
//! platform's transaction list, and TransactionReceipt \[U\].
//!
//! SummaryRecordByFilter is how an unknown outcome (a timeout, code 500/501)
//! and an unconfirmed webhook are settled: query by `ext_transaction_id` or
//! `id`. Ids are 19-digit numbers (2507286963749015584 > 2^53) sent as
//! strings or JSON numbers: read from their exact text, never through a float.

use std::fmt;

use payments_core::{Decimal, Error, HttpRequest, HttpResponse, PaymentStatus, Result, Secret, StatusReport};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{RawPayload, api_request_at, check_text, parse_raw};
use crate::{QrWalletConfig, wire};

/// Path segment of SummaryRecordByFilter (under `/v1/TransactionData/`).
pub const SUMMARY_RECORD_BY_FILTER: &str = "SummaryRecordByFilter";
/// Path segment of TransactionReceipt (under `/v1/TransactionData/`).
pub const TRANSACTION_RECEIPT: &str = "TransactionReceipt";

/// Sort direction (`order_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SortOrder {
    /// `asc`.
    Asc,
    /// `desc`.
    Desc,
}

/// A SummaryRecordByFilter query. Required: page size and index, the order
/// column (`CreatedDateUtc` by default) and direction; filters optional.
/// Without dates the platform searches the last 3 days (Sipay's page).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionFilter {
    /// Records per page.
    pub page_size: u32,
    /// Page, from 0.
    pub page_index: u32,
    /// Column to order by (`CreatedDateUtc`).
    pub order_column: String,
    /// Direction.
    pub order_by: SortOrder,
    /// The platform's transaction id.
    pub id: Option<String>,
    /// The merchant's id of the transaction.
    pub ext_transaction_id: Option<String>,
    /// Wallet id.
    pub wallet_id: Option<String>,
    /// 10 pending, 20 completed, 40 cancellation completed, 60 refund completed.
    pub process_level_status_id: Option<i64>,
    /// Paying wallet number.
    pub from_wallet_number: Option<String>,
    /// Receiving wallet number.
    pub to_wallet_number: Option<String>,
    /// Currency codes.
    pub currency_code: Vec<String>,
    /// From this time.
    pub start_date: Option<OffsetDateTime>,
    /// Up to this time.
    pub end_date: Option<OffsetDateTime>,
}

impl TransactionFilter {
    /// Page `page_index` of `page_size` records, newest first.
    pub fn new(page_size: u32, page_index: u32) -> Self {
        TransactionFilter {
            page_size,
            page_index,
            order_column: "CreatedDateUtc".to_owned(),
            order_by: SortOrder::Desc,
            id: None,
            ext_transaction_id: None,
            wallet_id: None,
            process_level_status_id: None,
            from_wallet_number: None,
            to_wallet_number: None,
            currency_code: Vec::new(),
            start_date: None,
            end_date: None,
        }
    }

    /// The transactions with this `ext_transaction_id` (first page of 10).
    pub fn by_ext_transaction_id(id: impl Into<String>) -> Self {
        TransactionFilter::new(10, 0).ext_transaction_id(id)
    }

    /// The transaction with this platform id (first page of 10).
    pub fn by_id(id: impl Into<String>) -> Self {
        TransactionFilter {
            id: Some(id.into()),
            ..TransactionFilter::new(10, 0)
        }
    }

    /// Filters on `ext_transaction_id`.
    pub fn ext_transaction_id(mut self, id: impl Into<String>) -> Self {
        self.ext_transaction_id = Some(id.into());
        self
    }

    /// Orders by `column` in `order`.
    pub fn order(mut self, column: impl Into<String>, order: SortOrder) -> Self {
        self.order_column = column.into();
        self.order_by = order;
        self
    }

    /// Filters on the wallet id.
    pub fn wallet_id(mut self, id: impl Into<String>) -> Self {
        self.wallet_id = Some(id.into());
        self
    }

    /// Filters on `process_level_status_id`.
    pub fn process_level_status_id(mut self, id: i64) -> Self {
        self.process_level_status_id = Some(id);
        self
    }

    /// Filters on the paying wallet.
    pub fn from_wallet_number(mut self, number: impl Into<String>) -> Self {
        self.from_wallet_number = Some(number.into());
        self
    }

    /// Filters on the receiving wallet.
    pub fn to_wallet_number(mut self, number: impl Into<String>) -> Self {
        self.to_wallet_number = Some(number.into());
        self
    }

    /// Filters on currencies.
    pub fn currency_codes(mut self, codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.currency_code = codes.into_iter().map(Into::into).collect();
        self
    }

    /// Between `start` and `end`.
    pub fn between(mut self, start: OffsetDateTime, end: OffsetDateTime) -> Self {
        self.start_date = Some(start);
        self.end_date = Some(end);
        self
    }
}

#[derive(Serialize)]
struct FilterBody<'a> {
    page_size: u32,
    page_index: u32,
    order_column: &'a str,
    order_by: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ext_transaction_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wallet_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    process_level_status_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from_wallet_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_wallet_number: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    currency_code: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
}

fn utc_text(t: OffsetDateTime, field: &'static str) -> Result<String> {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| Error::invalid_input(field, format!("cannot format: {e}")))
}

/// Builds SummaryRecordByFilter: `{"page_size", "page_index", "order_column",
/// "order_by", <filters>, "start_date", "end_date"}`, dates in UTC RFC 3339.
pub fn build_summary_record_by_filter(
    config: &QrWalletConfig,
    token: &Secret<String>,
    filter: &TransactionFilter,
) -> Result<HttpRequest> {
    if filter.page_size == 0 {
        return Err(Error::invalid_input("page_size", "must be at least 1"));
    }
    check_text(&filter.order_column, "order_column")?;
    for (value, field) in [
        (&filter.id, "id"),
        (&filter.ext_transaction_id, "ext_transaction_id"),
        (&filter.wallet_id, "wallet_id"),
        (&filter.from_wallet_number, "from_wallet_number"),
        (&filter.to_wallet_number, "to_wallet_number"),
    ] {
        if let Some(v) = value {
            check_text(v, field)?;
        }
    }
    let body = wire::to_body(&FilterBody {
        page_size: filter.page_size,
        page_index: filter.page_index,
        order_column: &filter.order_column,
        order_by: match filter.order_by {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        },
        id: filter.id.as_deref(),
        ext_transaction_id: filter.ext_transaction_id.as_deref(),
        wallet_id: filter.wallet_id.as_deref(),
        process_level_status_id: filter.process_level_status_id,
        from_wallet_number: filter.from_wallet_number.as_deref(),
        to_wallet_number: filter.to_wallet_number.as_deref(),
        currency_code: &filter.currency_code,
        start_date: filter.start_date.map(|t| utc_text(t, "start_date")).transpose()?,
        end_date: filter.end_date.map(|t| utc_text(t, "end_date")).transpose()?,
    })?;
    Ok(api_request_at(
        config,
        token,
        "TransactionData",
        SUMMARY_RECORD_BY_FILTER,
        body,
    ))
}

/// One transaction of the platform (SummaryRecordByFilter's `results[]`,
/// and the top-up webhook's body). Ids keep their exact digits; amounts are
/// exact. `Debug` leaves out the KYC fields and descriptions.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TransactionRecord {
    /// The platform's transaction id (19 digits).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub id: Option<String>,
    /// Tenant id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tenant_id: Option<String>,
    /// Group correlation id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tx_group_correlation_id: Option<String>,
    /// Reference correlation id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tx_ref_correlation_id: Option<String>,
    /// Wallet id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub wallet_id: Option<String>,
    /// Type id (3004 "B2P Send Money To Wallet", 1001/1004 top-ups, ...).
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub transaction_type_id: Option<i64>,
    /// Type, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub transaction_type: Option<String>,
    /// Status id (20 = NormalCompleted).
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub transaction_status_id: Option<i64>,
    /// Status, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub transaction_status: Option<String>,
    /// `process_level_status_id` when sent (10, 20, 40, 60).
    #[serde(default, deserialize_with = "wire::opt_int")]
    pub process_level_status_id: Option<i64>,
    /// Result (`Success`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub result_code: Option<String>,
    /// Extra data (JSON in a string), as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tx_additional_data_json: Option<String>,
    /// Creation time, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub created_date_utc: Option<String>,
    /// Completion time, as sent.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub completed_date_utc: Option<String>,
    /// Base amount.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub tx_base_amount: Option<Decimal>,
    /// Additional fee.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub tx_additional_fee: Option<Decimal>,
    /// Amount with the fee.
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub tx_amount_with_additional_fee: Option<Decimal>,
    /// `amount` (the top-up webhook's field).
    #[serde(default, deserialize_with = "wire::opt_decimal")]
    pub amount: Option<Decimal>,
    /// Currency code (`TRY`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub currency_code: Option<String>,
    /// The merchant's id of the transaction.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub ext_transaction_id: Option<String>,
    /// Paying wallet number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub from_wallet_number: Option<String>,
    /// Paying account number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub from_account_number: Option<String>,
    /// Receiving wallet id.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub to_wallet_id: Option<String>,
    /// Receiving wallet number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub to_wallet_number: Option<String>,
    /// Receiving account number.
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub to_account_number: Option<String>,
    /// Description (may name people: not in `Debug`).
    #[serde(default, deserialize_with = "wire::opt_text")]
    pub tx_description: Option<String>,
}

impl fmt::Debug for TransactionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionRecord")
            .field("id", &self.id)
            .field("transaction_type_id", &self.transaction_type_id)
            .field("transaction_status_id", &self.transaction_status_id)
            .field("transaction_status", &self.transaction_status)
            .field("result_code", &self.result_code)
            .field("ext_transaction_id", &self.ext_transaction_id)
            .field("tx_base_amount", &self.tx_base_amount)
            .field("amount", &self.amount)
            .field("currency_code", &self.currency_code)
            .finish_non_exhaustive()
    }
}

impl TransactionRecord {
    /// The record's state \[U: only 20 = NormalCompleted is in a sample; the
    /// others follow `process_level_status_id`'s documented values\]:
    /// 10 Pending, 20 Succeeded, 40 Cancelled, 60 Refunded, else Unknown.
    pub fn status(&self) -> PaymentStatus {
        let code = self.process_level_status_id.or(self.transaction_status_id);
        match code {
            Some(10) => PaymentStatus::Pending,
            Some(20) => PaymentStatus::Succeeded,
            Some(40) => PaymentStatus::Cancelled,
            Some(60) => PaymentStatus::Refunded,
            Some(other) => PaymentStatus::Unknown(other.to_string()),
            None => PaymentStatus::Unknown(self.transaction_status.clone().unwrap_or_default()),
        }
    }

    /// The amount moved: `tx_base_amount`, else `amount`.
    pub fn base_amount(&self) -> Option<Decimal> {
        self.tx_base_amount.or(self.amount)
    }

    /// The record as a provider-neutral report: status, `ext_transaction_id`
    /// as the order, `id` as the transaction, the amount in its currency
    /// (TRY only; another currency or a non-TRY amount is an error).
    pub fn status_report(&self) -> Result<StatusReport> {
        let amount = match (self.base_amount(), self.currency_code.as_deref()) {
            (None, _) => None,
            (Some(a), Some("TRY")) => Some(crate::amount::try_money(a, "amount")?),
            (Some(_), other) => {
                return Err(Error::invalid_input(
                    "currency_code",
                    format!("the record's amount is in {other:?}, not TRY"),
                ));
            }
        };
        Ok(StatusReport::new(self.status())
            .with_order(self.ext_transaction_id.clone())
            .with_transaction(self.id.clone())
            .with_amount(amount)
            .with_code(
                self.transaction_status_id.map(|c| c.to_string()),
                self.transaction_status.clone(),
            ))
    }
}

/// A page of SummaryRecordByFilter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TransactionPage {
    /// The records.
    #[serde(default)]
    pub results: Vec<TransactionRecord>,
}

/// Parses SummaryRecordByFilter's answer (`payload.results[]`).
pub fn parse_summary_record_by_filter(resp: &HttpResponse) -> Result<TransactionPage> {
    let payload = wire::open(resp, SUMMARY_RECORD_BY_FILTER)?;
    let payload = wire::require_payload(resp, payload)?;
    wire::decode(resp, payload, "SummaryRecordByFilter payload")
}

#[derive(Serialize)]
struct ReceiptBody<'a> {
    id: &'a str,
}

/// Builds TransactionReceipt \[U\]: `{"id": "<transaction id>"}`.
pub fn build_transaction_receipt(config: &QrWalletConfig, token: &Secret<String>, id: &str) -> Result<HttpRequest> {
    check_text(id, "id")?;
    let body = wire::to_body(&ReceiptBody { id })?;
    Ok(api_request_at(
        config,
        token,
        "TransactionData",
        TRANSACTION_RECEIPT,
        body,
    ))
}

/// Parses TransactionReceipt's answer \[U\]: its shape is not documented, so
/// the payload is kept as text (`Debug` redacts personal data).
pub fn parse_transaction_receipt(resp: &HttpResponse) -> Result<RawPayload> {
    parse_raw(resp, TRANSACTION_RECEIPT)
}
