//! Reconciliation: SummaryRecordByFilter and TransactionReceipt [U].
//!
//! Every payment, refund, top-up and withdrawal leaves a record.
//! SummaryRecordByFilter needs `page_size` (1..=1000), `page_index` (≥ 0) and
//! `order_column` (`CreatedDateUtc` or `Id`); `start_date`/`end_date` default
//! to the last 3 days (Sipay's page); filters: `id`, `ext_transaction_id`,
//! `from_wallet_number`, `to_wallet_number`, `process_level_status_id`,
//! `transaction_type_code`, `min_amount`, `max_amount`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::Response;
use time::OffsetDateTime;

use super::envelope::{QrError, success};
use super::identity::request;
use super::model::Record;
use super::payment::TENANT_ID;
use super::store::State;
use super::util::{optional_text, required_text, utc_7};
use crate::json::{Json, RawObject};

/// The record as SummaryRecordByFilter (and the top-up webhook) writes it.
pub(super) fn record_json(r: &Record) -> Json {
    let opt = |s: &str| if s.is_empty() { Json::Null } else { Json::str(s) };
    Json::obj([
        ("id", Json::str(r.id.clone())),
        ("tenant_id", Json::int(TENANT_ID)),
        ("tx_group_correlation_id", Json::str(r.group_correlation_id.clone())),
        ("tx_ref_correlation_id", Json::str(r.ref_correlation_id.clone())),
        ("wallet_id", opt(&r.from_wallet)),
        ("transaction_type_id", Json::int(r.type_id)),
        ("transaction_type", Json::str(r.type_name)),
        ("transaction_status_id", Json::int(r.status_id)),
        (
            "transaction_status",
            Json::str(if r.status_id == 60 {
                "RefundCompleted"
            } else {
                "NormalCompleted"
            }),
        ),
        ("result_code", Json::str("Success")),
        ("tx_additional_data_json", Json::str("{}")),
        ("created_date_utc", Json::str(utc_7(r.created))),
        ("updated_date_utc", Json::str(utc_7(r.created))),
        ("completed_date_utc", Json::str(utc_7(r.created))),
        ("is_financial_process_completed", Json::Bool(true)),
        ("tx_base_amount", Json::dec_scaled(r.amount, 2)),
        ("tx_additional_fee", Json::dec_scaled(rust_decimal::Decimal::ZERO, 2)),
        ("tx_amount_with_additional_fee", Json::dec_scaled(r.amount, 2)),
        ("currency_code", Json::str("TRY")),
        ("from_description", Json::str(r.description.clone())),
        ("to_description", Json::str(r.description.clone())),
        ("tx_description", Json::str(r.description.clone())),
        ("from_wallet_number", opt(&r.from_wallet)),
        ("to_wallet_number", opt(&r.to_wallet)),
        ("ext_transaction_id", opt(&r.ext_transaction_id)),
    ])
}

fn date(obj: &RawObject<'_>, key: &str) -> Result<Option<OffsetDateTime>, QrError> {
    let Some(text) = optional_text(obj, key)? else {
        return Ok(None);
    };
    let parsed = OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| QrError::unreadable(key))?;
    Ok(Some(parsed))
}

fn int(obj: &RawObject<'_>, key: &str) -> Result<Option<i64>, QrError> {
    match optional_text(obj, key)? {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| QrError::unreadable(key)),
    }
}

/// `POST /qr/api/v1/TransactionData/SummaryRecordByFilter`: `payload.results[]`.
pub(super) async fn summary(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let size = int(&obj, "page_size")?.ok_or_else(|| QrError::missing_number("page_size"))?;
    let index = int(&obj, "page_index")?.ok_or_else(|| QrError::missing_number("page_index"))?;
    if !(1..=1000).contains(&size) || index < 0 {
        return Err(QrError::validation(
            "'Page Size' must be between 1 and 1000 and 'Page Index' not negative.".to_owned(),
        ));
    }
    let column = required_text(&obj, "order_column")?;
    if column != "CreatedDateUtc" && column != "Id" {
        return Err(QrError::validation(format!("'Order Column' is not valid: {column}.")));
    }
    let desc = match optional_text(&obj, "order_by")?.as_deref() {
        None | Some("desc") | Some("DESC") => true,
        Some("asc") | Some("ASC") => false,
        Some(_) => return Err(QrError::validation("'Order By' must be asc or desc.".to_owned())),
    };
    let now = state.now();
    let start = date(&obj, "start_date")?.unwrap_or(now - time::Duration::days(3));
    let end = date(&obj, "end_date")?.unwrap_or(now + time::Duration::seconds(1));
    let text = |k: &str| optional_text(&obj, k);
    let id = text("id")?;
    let ext = text("ext_transaction_id")?;
    let from = text("from_wallet_number")?;
    let to = text("to_wallet_number")?;
    let status = int(&obj, "process_level_status_id")?;
    let kind = int(&obj, "transaction_type_code")?;
    let min = obj
        .decimal("min_amount")
        .map_err(|_| QrError::unreadable("min_amount"))?;
    let max = obj
        .decimal("max_amount")
        .map_err(|_| QrError::unreadable("max_amount"))?;
    let mut found: Vec<Record> = state
        .store()
        .records
        .values(now)
        .filter(|r| {
            r.created >= start
                && r.created <= end
                && id.as_ref().is_none_or(|v| *v == r.id)
                && ext.as_ref().is_none_or(|v| *v == r.ext_transaction_id)
                && from.as_ref().is_none_or(|v| *v == r.from_wallet)
                && to.as_ref().is_none_or(|v| *v == r.to_wallet)
                && status.is_none_or(|v| v == r.status_id)
                && kind.is_none_or(|v| v == r.type_id)
                && min.is_none_or(|v| r.amount >= v)
                && max.is_none_or(|v| r.amount <= v)
        })
        .cloned()
        .collect();
    found.sort_by_key(|r| (r.created, r.seq));
    if desc {
        found.reverse();
    }
    let skip = usize::try_from(index.saturating_mul(size)).unwrap_or(usize::MAX);
    let take = usize::try_from(size).unwrap_or(0);
    let results: Vec<Json> = found.iter().skip(skip).take(take).map(record_json).collect();
    Ok(success(Json::obj([("results", Json::Arr(results))])))
}

/// `POST /qr/api/v1/TransactionData/TransactionReceipt` [U]: `{"id"}` → the
/// record (the real answer's shape is not published).
pub(super) async fn receipt(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, QrError> {
    let obj = request(&state, &headers, &body)?;
    let id = required_text(&obj, "id")?;
    let now = state.now();
    let store = state.store();
    let record = store.records.get(&id, now).ok_or_else(QrError::no_record)?;
    Ok(success(record_json(record)))
}
