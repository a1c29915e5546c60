//! postLink callbacks: what they prove, and how to make them usable.
//!
//! ePay POSTs JSON to `postLink` (success, `code: "ok"`) or `failurePostLink`
//! (`code: "error"`). **ePay signs nothing**: at best it echoes the
//! `secret_hash` given in the payment token request. So a postLink is a
//! *claim*: it becomes something to act on only after a status query agrees
//! with it on invoice, amount, currency, transaction id and outcome
//! ([`crate::EpayClient::confirm_post_link`], or the core's
//! `confirm_callback` through the trait).
//!
//! Three ways in, all of which return the same [`PostLink`] claim:
//!
//! - [`parse_post_link`]: no authentication. The only way for **invoice-link**
//!   payments: invoice creation takes no `secret_hash`, so their postLinks
//!   carry none. Safe only because confirmation follows.
//! - [`verify_post_link`]: compare the echoed hash with the random one the
//!   merchant stored for this payment ([`crate::signature::new_secret_hash`]).
//! - [`verify_post_link_derived`]: the hash is derived from the callback's own
//!   `invoiceId` and a dedicated callback key (see [`crate::signature`]), so
//!   nothing is stored per payment.
//!
//! An authenticated postLink still proves only that it went through someone
//! who saw the token request; its amount and outcome are unsigned. Both
//! checks compare in constant time and reject a body over
//! [`MAX_CALLBACK_BYTES`] before parsing it. The first parse reads only
//! `invoiceId` and `secret_hash` (a duplicated key is rejected, so the checker
//! and the decoder cannot read different values); the full decode happens only
//! after the hash matched. A body with an amount but no `currency` is
//! malformed: no currency is assumed.
//!
//! Deduplicate deliveries with [`PostLink::dedupe_key`] (ePay may post more
//! than once; fulfil an order once per key).

use payments_core::callback::{MAX_CALLBACK_BYTES, check_size};
use payments_core::{Currency, Error, Money, PaymentStatus, Result, Secret, StatusReport};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::signature;
use crate::wire::{self, opt_text};

/// A verified postLink callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PostLink {
    /// The payment succeeded (`code: "ok"`).
    Success(PostLinkSuccess),
    /// The payment failed (`code: "error"`): a decline, not an error.
    Failure(PostLinkFailure),
}

impl PostLink {
    /// The merchant's invoice id.
    pub fn invoice_id(&self) -> &str {
        match self {
            PostLink::Success(s) => &s.invoice_id,
            PostLink::Failure(f) => &f.invoice_id,
        }
    }

    /// ePay's transaction id, when the body has one.
    pub fn transaction_id(&self) -> Option<&str> {
        match self {
            PostLink::Success(s) => Some(&s.transaction_id),
            PostLink::Failure(f) => f.transaction_id.as_deref(),
        }
    }

    /// The key to deduplicate deliveries by: provider, transaction id (or,
    /// for a failure without one, the invoice id) and the outcome.
    pub fn dedupe_key(&self) -> String {
        match self {
            PostLink::Success(s) => format!("{}:tx:{}:ok", crate::PROVIDER, s.transaction_id),
            PostLink::Failure(f) => match &f.transaction_id {
                Some(id) => format!("{}:tx:{id}:error", crate::PROVIDER),
                None => format!("{}:invoice:{}:error", crate::PROVIDER, f.invoice_id),
            },
        }
    }

    /// The claim as a provider-neutral report: success maps to
    /// [`PaymentStatus::Succeeded`] (on a two-step terminal the funds are only
    /// held; the status check tells), failure to [`PaymentStatus::Declined`].
    /// It is what the body says, not proof: confirm before acting on it.
    pub fn to_report(&self) -> StatusReport {
        match self {
            PostLink::Success(s) => StatusReport::new(PaymentStatus::Succeeded)
                .with_order(Some(s.invoice_id.clone()))
                .with_transaction(Some(s.transaction_id.clone()))
                .with_amount(Some(s.amount))
                .with_code(Some("ok".to_owned()), s.details.reason.clone()),
            PostLink::Failure(f) => StatusReport::new(PaymentStatus::Declined)
                .with_order(Some(f.invoice_id.clone()))
                .with_transaction(f.transaction_id.clone())
                .with_amount(f.amount)
                .with_code(f.details.reason_code.clone(), f.details.reason.clone()),
        }
    }
}

/// A successful payment's postLink.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostLinkSuccess {
    /// ePay's transaction id (`id`): the id of charge, cancel and refund.
    pub transaction_id: String,
    /// The merchant's invoice id (`invoiceId`).
    pub invoice_id: String,
    /// The amount paid.
    pub amount: Money,
    /// The approval code.
    pub approval_code: Option<String>,
    /// The saved card id, when the card was saved.
    pub card_id: Option<String>,
    /// The shared card, payer and network fields.
    pub details: PostLinkDetails,
}

/// A failed payment's failurePostLink.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostLinkFailure {
    /// The merchant's invoice id (`invoiceId`).
    pub invoice_id: String,
    /// `invoiceIdAlt`, when sent.
    pub invoice_id_alt: Option<String>,
    /// ePay's transaction id, when sent.
    pub transaction_id: Option<String>,
    /// The amount, when sent.
    pub amount: Option<Money>,
    /// The shared card, payer and network fields (with `reason`, `reasonCode`).
    pub details: PostLinkDetails,
}

/// Fields common to both callbacks, as sent (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct PostLinkDetails {
    /// `accountId`.
    pub account_id: Option<String>,
    /// `cardMask`.
    pub card_mask: Option<String>,
    /// `cardType`.
    pub card_type: Option<String>,
    /// `currency`.
    pub currency: Option<String>,
    /// `dateTime`.
    pub date_time: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `ip`.
    pub ip: Option<String>,
    /// `ipCity`.
    pub ip_city: Option<String>,
    /// `ipCountry`.
    pub ip_country: Option<String>,
    /// `ipDistrict`.
    pub ip_district: Option<String>,
    /// `ipLatitude`, as sent.
    pub ip_latitude: Option<String>,
    /// `ipLongitude`, as sent.
    pub ip_longitude: Option<String>,
    /// `issuer`.
    pub issuer: Option<String>,
    /// `language`.
    pub language: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `reason`.
    pub reason: Option<String>,
    /// `reasonCode`.
    pub reason_code: Option<String>,
    /// `reference`.
    pub reference: Option<String>,
    /// `secure`.
    pub secure: Option<String>,
    /// `secureDetails`.
    pub secure_details: Option<String>,
    /// `terminal`.
    pub terminal: Option<String>,
}

/// The two authenticating fields, read before anything else.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "invoiceId", default, borrow)]
    invoice_id: Option<&'a RawValue>,
    #[serde(default, borrow)]
    secret_hash: Option<&'a RawValue>,
}

impl Envelope<'_> {
    fn secret_hash(&self) -> Result<std::borrow::Cow<'_, str>> {
        self.secret_hash
            .and_then(wire::raw_str)
            .ok_or_else(|| Error::signature_invalid("secret_hash is missing"))
    }

    fn invoice_id(&self) -> Result<std::borrow::Cow<'_, str>> {
        self.invoice_id
            .and_then(wire::raw_str)
            .ok_or_else(|| Error::malformed_callback("invoiceId is missing"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostLinkWire {
    #[serde(default, deserialize_with = "opt_text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    invoice_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    invoice_id_alt: Option<String>,
    #[serde(default, deserialize_with = "wire::opt_raw")]
    amount: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "opt_text")]
    approval_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_mask: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    card_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    date_time: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    description: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_city: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_country: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_district: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_latitude: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    ip_longitude: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    issuer: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    language: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reason_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    reference: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    secure: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    secure_details: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    terminal: Option<String>,
}

/// Decodes a postLink body **without authenticating it**: the path for
/// invoice-link payments, whose postLinks carry no `secret_hash`. The result
/// is an unauthenticated claim; confirm it by a status query
/// ([`crate::EpayClient::confirm_post_link`]) before acting on it.
pub fn parse_post_link(body: &[u8]) -> Result<PostLink> {
    // The envelope parse rejects oversized bodies, non-objects and duplicated keys.
    envelope(body)?;
    decode(body)
}

/// True when the body carries a `secret_hash` (a widget or API payment with
/// one; invoice-link postLinks have none).
pub fn has_secret_hash(body: &[u8]) -> Result<bool> {
    Ok(envelope(body)?
        .secret_hash
        .and_then(wire::raw_str)
        .is_some_and(|h| !h.is_empty()))
}

/// Verifies a postLink body against the `secret_hash` stored for this payment,
/// then decodes it.
pub fn verify_post_link(body: &[u8], expected_secret_hash: &Secret<String>) -> Result<PostLink> {
    let env = envelope(body)?;
    let received = env.secret_hash()?;
    if !signature::stored_hash_matches(expected_secret_hash, &received) {
        return Err(Error::signature_invalid("secret_hash does not match"));
    }
    decode(body)
}

/// Verifies a postLink body whose `secret_hash` was derived with
/// [`signature::derive_secret_hash`] from `key` and the invoice id, then decodes it.
pub fn verify_post_link_derived(body: &[u8], key: &Secret<String>) -> Result<PostLink> {
    let env = envelope(body)?;
    let invoice_id = env.invoice_id()?;
    let received = env.secret_hash()?;
    // The decoder trims text fields; the hash covers the same trimmed id.
    if !signature::secret_hash_matches(key, invoice_id.trim(), &received) {
        return Err(Error::signature_invalid("secret_hash does not match"));
    }
    decode(body)
}

fn envelope(body: &[u8]) -> Result<Envelope<'_>> {
    check_size(body, MAX_CALLBACK_BYTES)?;
    // serde would read the struct from an array by position; postLink is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::malformed_callback("postLink is not a JSON object"));
    }
    serde_json::from_slice(body).map_err(|e| Error::malformed_callback(format!("not a postLink JSON object: {e}")))
}

fn decode(body: &[u8]) -> Result<PostLink> {
    let w: PostLinkWire =
        serde_json::from_slice(body).map_err(|e| Error::malformed_callback(format!("postLink: {e}")))?;
    let currency = match w.currency.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            Some(Currency::from_alpha(c).ok_or_else(|| Error::malformed_callback(format!("unknown currency {c:?}")))?)
        }
    };
    let amount = match w.amount.as_deref().and_then(wire::raw_text) {
        None => None,
        Some(t) if t.trim().is_empty() => None,
        Some(t) => {
            // No default currency: KZT, USD and EUR payments all post here.
            let currency =
                currency.ok_or_else(|| Error::malformed_callback("amount without currency (none is assumed)"))?;
            Some(
                Money::parse_major(t.trim(), currency)
                    .map_err(|e| Error::malformed_callback(format!("amount: {e}")))?,
            )
        }
    };
    let invoice_id = w.invoice_id.filter(|s| !s.is_empty());
    let details = PostLinkDetails {
        account_id: w.account_id,
        card_mask: w.card_mask,
        card_type: w.card_type,
        currency: w.currency,
        date_time: w.date_time,
        description: w.description,
        email: w.email,
        ip: w.ip,
        ip_city: w.ip_city,
        ip_country: w.ip_country,
        ip_district: w.ip_district,
        ip_latitude: w.ip_latitude,
        ip_longitude: w.ip_longitude,
        issuer: w.issuer,
        language: w.language,
        name: w.name,
        phone: w.phone,
        reason: w.reason,
        reason_code: w.reason_code,
        reference: w.reference,
        secure: w.secure,
        secure_details: w.secure_details,
        terminal: w.terminal,
    };
    match w.code.as_deref() {
        Some(c) if c.eq_ignore_ascii_case("ok") => Ok(PostLink::Success(PostLinkSuccess {
            transaction_id: w
                .id
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::malformed_callback("id is missing"))?,
            invoice_id: invoice_id.ok_or_else(|| Error::malformed_callback("invoiceId is missing"))?,
            amount: amount.ok_or_else(|| Error::malformed_callback("amount is missing"))?,
            approval_code: w.approval_code,
            card_id: w.card_id.filter(|s| !s.is_empty()),
            details,
        })),
        Some(c) if c.eq_ignore_ascii_case("error") => Ok(PostLink::Failure(PostLinkFailure {
            invoice_id: invoice_id.ok_or_else(|| Error::malformed_callback("invoiceId is missing"))?,
            invoice_id_alt: w.invoice_id_alt,
            transaction_id: w.id.filter(|s| !s.is_empty()),
            amount,
            details,
        })),
        Some(other) => Err(Error::malformed_callback(format!("unknown code {other:?}"))),
        None => Err(Error::malformed_callback("code is missing")),
    }
}

/// Builders of genuine callback bodies, for the merchant's own tests.
pub mod testing {
    use super::*;

    /// A success postLink body for `invoice_id`, with the `secret_hash`
    /// derived from `key` (as [`verify_post_link_derived`] expects).
    pub fn success_body(key: &Secret<String>, invoice_id: &str, transaction_id: &str, amount: Money) -> Vec<u8> {
        let Ok(hash) = signature::derive_secret_hash(key, invoice_id) else {
            // HMAC takes keys of any length; a body no verifier accepts is the safe answer.
            return Vec::new();
        };
        body_with(
            "ok",
            invoice_id,
            Some(transaction_id),
            amount,
            hash.expose_secret(),
            "Approved",
            "00",
        )
    }

    /// A failure postLink body for `invoice_id`, with the derived `secret_hash`.
    pub fn failure_body(
        key: &Secret<String>,
        invoice_id: &str,
        amount: Money,
        reason_code: &str,
        reason: &str,
    ) -> Vec<u8> {
        let Ok(hash) = signature::derive_secret_hash(key, invoice_id) else {
            return Vec::new();
        };
        body_with(
            "error",
            invoice_id,
            None,
            amount,
            hash.expose_secret(),
            reason,
            reason_code,
        )
    }

    /// A body with an explicit `secret_hash` (for the stored-hash scheme); an
    /// empty `secret_hash` leaves the field out, as in invoice-link postLinks.
    pub fn body_with(
        code: &str,
        invoice_id: &str,
        transaction_id: Option<&str>,
        amount: Money,
        secret_hash: &str,
        reason: &str,
        reason_code: &str,
    ) -> Vec<u8> {
        let mut out = String::with_capacity(640);
        out.push_str("{\"accountId\":\"\",\"amount\":");
        wire::write_amount(amount, &mut out);
        let mut field = |name: &str, value: &str| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
            out.push_str(&serde_json::Value::from(value).to_string());
        };
        field("approvalCode", if code == "ok" { "123456" } else { "" });
        field("cardId", "");
        field("cardMask", "440563...5096");
        field("cardType", "VISA");
        field("code", code);
        field("currency", amount.currency().alpha_code());
        field("dateTime", "2026-11-23T10:15:30+05:00");
        field("description", "Order");
        field("email", "payer@example.kz");
        field("id", transaction_id.unwrap_or(""));
        field("invoiceId", invoice_id);
        field("ip", "10.0.0.1");
        field("ipCity", "Almaty");
        field("ipCountry", "KZ");
        field("issuer", "HALYK BANK");
        field("language", "rus");
        field("name", "TEST PAYER");
        field("phone", "77771234567");
        field("reason", reason);
        field("reasonCode", reason_code);
        field("reference", "612345678901");
        if !secret_hash.is_empty() {
            field("secret_hash", secret_hash);
        }
        field("secure", "yes");
        field("terminal", "67e34d63-102f-4bd1-898e-370781d0074d");
        out.push('}');
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret<String> {
        Secret::from("yF587AV9Ms94qN2QShFzVR3vFnWkhjbAK3sG")
    }

    #[test]
    fn a_genuine_success_decodes_exactly() {
        let body = testing::success_body(&key(), "000001234567", "tx-1", Money::from_minor(15050, Currency::KZT));
        let PostLink::Success(s) = verify_post_link_derived(&body, &key()).unwrap() else {
            panic!("not a success")
        };
        assert_eq!(s.invoice_id, "000001234567");
        assert_eq!(s.transaction_id, "tx-1");
        assert_eq!(s.amount, Money::from_minor(15050, Currency::KZT));
        assert_eq!(s.approval_code.as_deref(), Some("123456"));
        assert_eq!(s.card_id, None);
        assert_eq!(s.details.card_mask.as_deref(), Some("440563...5096"));
        assert_eq!(s.details.reference.as_deref(), Some("612345678901"));
    }

    #[test]
    fn a_failure_is_a_decline_value() {
        let body = testing::failure_body(
            &key(),
            "000001234567",
            Money::from_minor(100, Currency::KZT),
            "05",
            "Do not honor",
        );
        let link = verify_post_link_derived(&body, &key()).unwrap();
        let report = link.to_report();
        assert_eq!(report.status, PaymentStatus::Declined);
        assert_eq!(report.code.as_deref(), Some("05"));
        assert_eq!(report.message.as_deref(), Some("Do not honor"));
    }

    #[test]
    fn forgeries_are_rejected() {
        let amount = Money::from_minor(100, Currency::KZT);
        let body = testing::success_body(&Secret::from("wrong"), "000001234567", "tx", amount);
        assert!(matches!(
            verify_post_link_derived(&body, &key()),
            Err(Error::SignatureInvalid { .. })
        ));
        // A hash lifted from another invoice.
        let other = testing::success_body(&key(), "000001234568", "tx", amount);
        let lifted = String::from_utf8(other)
            .unwrap()
            .replace("000001234568", "000001234567");
        assert!(verify_post_link_derived(lifted.as_bytes(), &key()).is_err());
        let no_hash = br#"{"code":"ok","invoiceId":"000001234567","amount":1,"id":"x"}"#;
        assert!(matches!(
            verify_post_link_derived(no_hash, &key()),
            Err(Error::SignatureInvalid { .. })
        ));
        let dup = format!(
            r#"{{"invoiceId":"000001234567","invoiceId":"999999","secret_hash":"{}"}}"#,
            signature::derive_secret_hash(&key(), "000001234567")
                .unwrap()
                .expose_secret()
        );
        assert!(matches!(
            verify_post_link_derived(dup.as_bytes(), &key()),
            Err(Error::MalformedCallback { .. })
        ));
        let big = vec![b' '; MAX_CALLBACK_BYTES + 1];
        assert!(matches!(
            verify_post_link_derived(&big, &key()),
            Err(Error::MalformedCallback { .. })
        ));
    }

    #[test]
    fn invoice_link_post_links_parse_as_unauthenticated_claims() {
        let amount = Money::from_minor(40000, Currency::KZT);
        let body = testing::body_with("ok", "200220241201", Some("tx-9"), amount, "", "", "");
        assert!(!has_secret_hash(&body).unwrap());
        let link = parse_post_link(&body).unwrap();
        assert_eq!(link.invoice_id(), "200220241201");
        assert_eq!(link.transaction_id(), Some("tx-9"));
        assert_eq!(link.dedupe_key(), "epay-kz:tx:tx-9:ok");
        // The authenticating paths still refuse it.
        assert!(matches!(
            verify_post_link(&body, &Secret::from("stored")),
            Err(Error::SignatureInvalid { .. })
        ));
        // No currency, an amount: malformed (no default currency).
        let no_currency = br#"{"code":"ok","id":"t","invoiceId":"123456","amount":"100"}"#;
        assert!(matches!(
            parse_post_link(no_currency),
            Err(Error::MalformedCallback { .. })
        ));
        let usd = br#"{"code":"ok","id":"t","invoiceId":"123456","amount":"1.5","currency":"USD"}"#;
        let PostLink::Success(s) = parse_post_link(usd).unwrap() else {
            panic!("not a success")
        };
        assert_eq!(s.amount, Money::from_minor(150, Currency::USD));
        let failure = br#"{"code":"error","invoiceId":"123456","reasonCode":"05"}"#;
        assert_eq!(
            parse_post_link(failure).unwrap().dedupe_key(),
            "epay-kz:invoice:123456:error"
        );
        assert!(parse_post_link(br#"["ok"]"#).is_err());
        assert!(parse_post_link(br#"{"invoiceId":"1","invoiceId":"2","code":"ok"}"#).is_err());
    }

    #[test]
    fn stored_hash_scheme() {
        let amount = Money::from_minor(100, Currency::KZT);
        let body = testing::body_with("ok", "123456", Some("t"), amount, "stored-1", "", "");
        assert!(verify_post_link(&body, &Secret::from("stored-1")).is_ok());
        assert!(matches!(
            verify_post_link(&body, &Secret::from("stored-2")),
            Err(Error::SignatureInvalid { .. })
        ));
        let odd = testing::body_with("maybe", "123456", Some("t"), amount, "stored-1", "", "");
        assert!(matches!(
            verify_post_link(&odd, &Secret::from("stored-1")),
            Err(Error::MalformedCallback { .. })
        ));
    }
}
