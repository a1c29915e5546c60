//! Service health (`GET <base>/api/heartbeat`): unsigned, no body, never a
//! payment call (not retried as one, never counted as one).
//!
//! The path is EPoint's own document's (v1.0.3) and the one sandbox that
//! serves it; three clients call `/api/1/heartbeat` instead.

use payments_core::{HttpRequest, HttpResponse, Result};
use serde::Deserialize;

use crate::config::EpointConfig;
use crate::wire::opt_text;

/// Builds `GET <base>/api/heartbeat`.
pub fn build_heartbeat(config: &EpointConfig) -> Result<HttpRequest> {
    Ok(HttpRequest::get(config.heartbeat_url()))
}

/// EPoint's health as the heartbeat reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Heartbeat {
    /// True only for a 2xx answer whose `status` is `ok`.
    pub healthy: bool,
    /// The HTTP status.
    pub http_status: u16,
    /// The `status` text, as sent.
    pub status: Option<String>,
    /// EPoint's trace id.
    pub trace_id: Option<String>,
}

#[derive(Deserialize)]
struct HeartbeatWire {
    #[serde(default, deserialize_with = "opt_text")]
    status: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    trace_id: Option<String>,
}

/// Parses the heartbeat. Never an `Err`: any non-2xx answer, a body that is
/// not JSON, or a `status` other than `ok` is `healthy: false`.
pub fn parse_heartbeat(response: &HttpResponse) -> Heartbeat {
    let wire = serde_json::from_slice::<HeartbeatWire>(&response.body).ok();
    let (status, trace_id) = wire.map_or((None, None), |w| (w.status, w.trace_id));
    Heartbeat {
        healthy: response.is_success() && status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("ok")),
        http_status: response.status,
        status,
        trace_id: trace_id.or_else(|| response.header("x-request-id").map(str::to_owned)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ok_is_healthy() {
        let ok = parse_heartbeat(&HttpResponse::new(200, r#"{"status":"ok","trace_id":"t1"}"#));
        assert!(ok.healthy);
        assert_eq!(ok.trace_id.as_deref(), Some("t1"));
        for (code, body) in [
            (200, r#"{"status":"down"}"#),
            (503, r#"{"status":"ok"}"#),
            (200, "ok"),
            (200, ""),
        ] {
            assert!(
                !parse_heartbeat(&HttpResponse::new(code, body)).healthy,
                "{code} {body}"
            );
        }
    }
}
