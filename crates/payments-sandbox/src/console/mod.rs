//! `GET /`: the console, one self-contained HTML page (no build step, no
//! external assets, works offline) that reads and drives the control API.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page.
pub const PAGE: &str = include_str!("console.html");

/// The console's routes (`/`).
pub(crate) fn router() -> Router {
    Router::new().route("/", get(page))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
        .into_response()
}
