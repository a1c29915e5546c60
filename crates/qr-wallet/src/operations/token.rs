//! OAuth client_credentials against the identity server (`scope=sts_api`).

use std::time::Duration;

use payments_core::token_cache::FetchedToken;
use payments_core::{Error, HttpRequest, HttpResponse, Result, Secret};
use serde::Deserialize;

use crate::{PROVIDER, QrWalletConfig};

/// The token lifetime assumed when the identity server omits `expires_in`
/// (the documented lifetime).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// `POST {identity}/connect/token` with `grant_type=client_credentials`,
/// `scope`, `client_id` and `client_secret`, form-encoded in that order.
pub fn build_token_request(config: &QrWalletConfig) -> HttpRequest {
    HttpRequest::post_form(
        config.token_url(),
        &[
            ("grant_type", "client_credentials"),
            ("scope", config.scope()),
            ("client_id", config.client_id()),
            ("client_secret", config.client_secret().expose_secret().as_str()),
        ],
    )
    .header("Accept", "application/json")
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    token_type: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// Parses the identity server's answer. Errors keep no excerpt of the body,
/// which may hold a token; an OAuth error (`invalid_client`) becomes a
/// provider error with its code and description.
pub fn parse_token_response(resp: &HttpResponse) -> Result<FetchedToken> {
    if !resp.is_success() {
        if let Ok(OAuthError {
            error: Some(code),
            error_description,
        }) = serde_json::from_slice(&resp.body)
        {
            return Err(Error::provider(
                PROVIDER,
                Some(code),
                error_description,
                Some(resp.status),
            ));
        }
        return Err(Error::provider(
            PROVIDER,
            None,
            Some("token request refused".into()),
            Some(resp.status),
        ));
    }
    let body: TokenBody = serde_json::from_slice(&resp.body).map_err(|_| {
        Error::unreadable_redacted(PROVIDER, resp.status, "token response is not the expected JSON", None)
    })?;
    let token = body.access_token.filter(|t| !t.is_empty()).ok_or_else(|| {
        Error::unreadable_redacted(PROVIDER, resp.status, "token response without access_token", None)
    })?;
    if let Some(kind) = body.token_type.as_deref()
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(Error::unreadable_redacted(
            PROVIDER,
            resp.status,
            format!("unsupported token_type {kind:?}"),
            None,
        ));
    }
    let expires_in = body.expires_in.map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
    Ok(FetchedToken {
        token: Secret::new(token),
        expires_in,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use payments_core::Delivery;

    fn config() -> QrWalletConfig {
        QrWalletConfig::builder()
            .api_url("https://api.test")
            .identity_url("https://ids.test/")
            .client_id("cid")
            .client_secret("s&cret=1")
            .provider_id("p")
            .build()
            .unwrap()
    }

    #[test]
    fn request_is_the_form_the_spec_shows() {
        let r = build_token_request(&config());
        assert_eq!(r.url, "https://ids.test/connect/token");
        assert_eq!(
            &r.body[..],
            b"grant_type=client_credentials&scope=sts_api&client_id=cid&client_secret=s%26cret%3D1"
        );
        assert_eq!(
            r.header_value("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn responses() {
        let t = parse_token_response(&HttpResponse::new(
            200,
            r#"{"access_token":"tok-1","expires_in":3600,"token_type":"Bearer","scope":"sts_api"}"#,
        ))
        .unwrap();
        assert_eq!(t.token.expose_secret(), "tok-1");
        assert_eq!(t.expires_in, Duration::from_secs(3600));
        let t = parse_token_response(&HttpResponse::new(200, r#"{"access_token":"t"}"#)).unwrap();
        assert_eq!(t.expires_in, DEFAULT_TOKEN_LIFETIME);

        let e = parse_token_response(&HttpResponse::new(400, r#"{"error":"invalid_client"}"#)).unwrap_err();
        assert_eq!(e.provider_code(), Some("invalid_client"));
        let e = parse_token_response(&HttpResponse::new(500, "oops")).unwrap_err();
        assert!(e.is_transient());
        for body in [
            "",
            "{",
            r#"{"access_token":""}"#,
            r#"{"access_token":"secret-tok","token_type":"mac"}"#,
        ] {
            let e = parse_token_response(&HttpResponse::new(200, body)).unwrap_err();
            assert_eq!(e.delivery(), Delivery::Unreadable);
            assert!(!format!("{e} {e:?}").contains("secret-tok"));
        }
    }
}
