//! The QR session's expiry (`SessionExpireDate`), so that a caller can refuse
//! to complete an expired session before sending anything.

use payments_core::{Error, Result};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// When a begun QR session stops accepting Complete.
///
/// The seed's value `2021-04-01T08:38:40.51` carries no zone. It is kept as
/// sent (`local`), and resolved with an assumed offset ([`QrWalletConfig::session_offset`],
/// +03:00 by default) unless the provider did send one.
///
/// [`QrWalletConfig::session_offset`]: crate::QrWalletConfig::session_offset
///
/// ```
/// use qr_wallet::SessionExpiry;
/// use time::{UtcOffset, macros::datetime};
///
/// let exp = SessionExpiry::parse("2021-04-01T08:38:40.51")?;
/// let tr = UtcOffset::from_hms(3, 0, 0).unwrap();
/// assert_eq!(exp.at(tr), datetime!(2021-04-01 05:38:40.51 UTC));
/// assert!(!exp.is_expired(datetime!(2021-04-01 05:38:40 UTC), tr));
/// assert!(exp.is_expired(datetime!(2021-04-01 05:38:41 UTC), tr));
/// # Ok::<(), payments_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionExpiry {
    /// The date and time as sent.
    pub local: PrimitiveDateTime,
    /// The offset, when the provider sent one.
    pub offset: Option<UtcOffset>,
}

impl SessionExpiry {
    /// Parses `2021-04-01T08:38:40.51` (no zone, any number of fraction
    /// digits) or an RFC 3339 time with an offset.
    pub fn parse(text: &str) -> Result<SessionExpiry> {
        let text = text.trim();
        if let Ok(with_zone) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(SessionExpiry {
                local: PrimitiveDateTime::new(with_zone.date(), with_zone.time()),
                offset: Some(with_zone.offset()),
            });
        }
        let format = format_description!(
            version = 2,
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        PrimitiveDateTime::parse(text, &format)
            .map(|local| SessionExpiry { local, offset: None })
            .map_err(|e| Error::invalid_input("SessionExpireDate", format!("{text:?} is not a date-time: {e}")))
    }

    /// The instant, with the provider's offset or else `assumed`.
    pub fn at(&self, assumed: UtcOffset) -> OffsetDateTime {
        self.local.assume_offset(self.offset.unwrap_or(assumed))
    }

    /// True when `now` is at or past the expiry.
    pub fn is_expired(&self, now: OffsetDateTime, assumed: UtcOffset) -> bool {
        now >= self.at(assumed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_the_seed_and_zoned_forms() {
        let e = SessionExpiry::parse("2021-04-01T08:38:40.51").unwrap();
        assert_eq!(e.local, datetime!(2021-04-01 08:38:40.51));
        assert_eq!(e.offset, None);
        assert_eq!(e.at(UtcOffset::UTC), datetime!(2021-04-01 08:38:40.51 UTC));
        let e = SessionExpiry::parse("2021-04-01T08:38:40").unwrap();
        assert_eq!(e.local, datetime!(2021-04-01 08:38:40));
        let e = SessionExpiry::parse("2021-04-01T08:38:40.1234567+03:00").unwrap();
        assert_eq!(e.at(UtcOffset::UTC), datetime!(2021-04-01 05:38:40.1234567 UTC));
        let e = SessionExpiry::parse("2021-04-01T08:38:40Z").unwrap();
        assert_eq!(e.offset, Some(UtcOffset::UTC));
        for bad in ["", "2021-04-01", "yesterday", "2021-13-01T00:00:00"] {
            assert!(SessionExpiry::parse(bad).is_err(), "{bad}");
        }
    }
}
