//! `GET /`: the console, one self-contained HTML page (no build step, no
//! external assets, works offline) that reads and drives the control API;
//! and `/_sandbox/azericard/start`, which signs an AzeriCard authorization
//! form for it (module `azericard_start`).

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::control::Control;

mod azericard_start;

/// The page.
pub const PAGE: &str = include_str!("console.html");

/// Where the console's AzeriCard form is signed (`POST` JSON, `GET` a page that posts itself).
pub const AZERICARD_START_PATH: &str = "/_sandbox/azericard/start";

/// The console's routes (`/` and [`AZERICARD_START_PATH`]).
pub(crate) fn router(control: Arc<Control>) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            AZERICARD_START_PATH,
            get(azericard_start::start_page).post(azericard_start::start_json),
        )
        .with_state(control)
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
