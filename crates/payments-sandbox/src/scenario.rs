//! Scenarios chosen by documented inputs: test card numbers typed on a hosted
//! page, and magic amounts for calls where no card is typed (saved-card
//! charges, wallet tokens). Shared by the EPoint and AzeriCard emulators and
//! listed in `docs/sandbox.md`.

/// What the emulated bank does with a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved.
    Approve,
    /// Declined by the issuer (generic "do not honour").
    Decline,
    /// Declined for insufficient funds.
    InsufficientFunds,
    /// The cardholder failed 3-D Secure authentication.
    ThreeDsFailed,
    /// The bank never answers: the payment stays pending, no callback is sent,
    /// and a server-to-server call answers only after a long delay.
    Timeout,
}

/// Test cards that are approved (any expiry in the future, any CVV).
pub const APPROVED_CARDS: [&str; 3] = ["4111111111111111", "4127211288596748", "5167513336327283"];
/// A card the issuer declines.
pub const DECLINED_CARD: &str = "4000000000000002";
/// A card declined for insufficient funds.
pub const INSUFFICIENT_FUNDS_CARD: &str = "4000000000009995";
/// A card whose 3-D Secure authentication fails.
pub const THREE_DS_FAILED_CARD: &str = "4000000000003063";
/// A card whose bank never answers.
pub const TIMEOUT_CARD: &str = "4000000000000119";

/// The card a hosted page pre-fills (approved).
pub const DEFAULT_CARD: &str = "4111111111111111";

/// Magic amounts: the fraction part (minor units modulo 100) decides.
/// `x.51` insufficient funds, `x.52` 3-D Secure failure, `x.53` timeout,
/// `x.54` generic decline; every other amount is approved.
pub fn outcome_for_amount(minor: i64) -> Outcome {
    match minor.rem_euclid(100) {
        51 => Outcome::InsufficientFunds,
        52 => Outcome::ThreeDsFailed,
        53 => Outcome::Timeout,
        54 => Outcome::Decline,
        _ => Outcome::Approve,
    }
}

/// The outcome of a card typed on a hosted page (spaces ignored); a magic
/// amount wins over an approved card, so amount-driven scenarios work without
/// typing a card at all.
pub fn outcome(card: Option<&str>, amount_minor: Option<i64>) -> Outcome {
    let by_amount = amount_minor.map_or(Outcome::Approve, outcome_for_amount);
    if by_amount != Outcome::Approve {
        return by_amount;
    }
    let digits: String = card
        .unwrap_or(DEFAULT_CARD)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match digits.as_str() {
        DECLINED_CARD => Outcome::Decline,
        INSUFFICIENT_FUNDS_CARD => Outcome::InsufficientFunds,
        THREE_DS_FAILED_CARD => Outcome::ThreeDsFailed,
        TIMEOUT_CARD => Outcome::Timeout,
        d if d.len() >= 12 && d.len() <= 19 && d.bytes().all(|b| b.is_ascii_digit()) => Outcome::Approve,
        _ => Outcome::Decline,
    }
}

/// `416973******1234` from a card number (the default card when none or too short).
pub fn mask(card: Option<&str>) -> String {
    let digits: String = card
        .unwrap_or(DEFAULT_CARD)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let digits = if digits.len() < 12 {
        DEFAULT_CARD.to_owned()
    } else {
        digits
    };
    let head = digits.get(..6).unwrap_or("");
    let tail = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
    format!("{head}******{tail}")
}

/// Escapes text for HTML bodies and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `n` random decimal digits.
pub(crate) fn random_digits(n: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

/// `n` random upper-case hex digits.
pub(crate) fn random_hex_upper(n: usize) -> String {
    use rand::RngExt;
    let mut rng = rand::rng();
    let mut bytes = vec![0u8; n.div_ceil(2)];
    rng.fill(bytes.as_mut_slice());
    let mut s = payments_core::crypto::hex_upper(&bytes);
    s.truncate(n);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_amounts_and_cards() {
        assert_eq!(outcome(None, Some(1050)), Outcome::Approve);
        assert_eq!(outcome(None, Some(1051)), Outcome::InsufficientFunds);
        assert_eq!(outcome(Some(APPROVED_CARDS[0]), Some(1053)), Outcome::Timeout);
        assert_eq!(outcome(Some("4000 0000 0000 0002"), Some(1000)), Outcome::Decline);
        assert_eq!(outcome(Some(THREE_DS_FAILED_CARD), None), Outcome::ThreeDsFailed);
        assert_eq!(outcome(Some("abc"), None), Outcome::Decline);
        assert_eq!(mask(Some("4169 7388 1234 5678")), "416973******5678");
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
