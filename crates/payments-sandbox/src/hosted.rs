//! What every hosted page shows besides its form: the provider's scenario
//! list, rendered from the very catalogue `GET /_sandbox/scenarios` serves (so
//! the page and the API cannot disagree), and amounts written with the
//! currency's exact number of fraction digits.

use payments_core::{Currency, Money};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::control::scenarios::catalogue;
use crate::scenario::html_escape;

/// `10.50` for 10.5 KZT, `5` for 5 JPY; the decimal as it is when the
/// currency is unknown or the amount has more digits than the currency
/// allows (never rounded).
pub(crate) fn major(amount: Decimal, currency: &str) -> String {
    Currency::from_alpha(currency)
        .and_then(|c| Money::from_decimal(amount, c).ok())
        .map_or_else(|| amount.normalize().to_string(), Money::to_major_string)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => html_escape(s),
        Value::Null => String::new(),
        other => html_escape(&other.to_string()),
    }
}

/// The scenario section of a hosted page for `provider` (`epoint`,
/// `azericard`, `epay`, `qr`): test cards (or wallets), magic amounts and the
/// provider's answer codes, each row as in the catalogue.
pub(crate) fn scenarios_html(provider: &str) -> String {
    let all = catalogue();
    let Some(cat) = all.get(provider) else {
        return String::new();
    };
    let list = |key: &str| cat.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out = String::from("<section id=\"scenarios\"><h2>Test scenarios</h2>");
    let cards = list("cards");
    if !cards.is_empty() {
        out.push_str("<table class=\"scenarios\"><tr><th>card</th><th>result</th><th></th></tr>");
        for c in &cards {
            out.push_str(&format!(
                "<tr class=\"scenario\"><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                text(&c["card"]),
                text(&c["outcome"]).replace('_', " "),
                text(&c["detail"])
            ));
        }
        out.push_str("</table>");
    }
    let wallets = list("wallets");
    if !wallets.is_empty() {
        out.push_str("<table class=\"scenarios\"><tr><th>wallet</th><th></th></tr>");
        for w in &wallets {
            out.push_str(&format!(
                "<tr class=\"scenario\"><td><code>{}</code></td><td>{}</td></tr>",
                text(&w["wallet"]),
                text(&w["detail"])
            ));
        }
        out.push_str("</table>");
    }
    let amounts = list("amounts");
    if !amounts.is_empty() {
        out.push_str("<table class=\"scenarios\"><tr><th>amount</th><th>result</th><th></th></tr>");
        for a in &amounts {
            out.push_str(&format!(
                "<tr class=\"scenario\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                text(&a["amount"]),
                text(&a["outcome"]).replace('_', " "),
                text(&a["detail"])
            ));
        }
        out.push_str("</table>");
    }
    if let Some(codes) = cat.get("codes").and_then(Value::as_str) {
        out.push_str(&format!("<p class=\"codes\">Answer codes: {}</p>", html_escape(codes)));
    }
    out.push_str("</section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_the_currency_digits_and_never_round() {
        assert_eq!(major(Decimal::new(105, 1), "KZT"), "10.50");
        assert_eq!(major(Decimal::new(1000, 0), "KZT"), "1000.00");
        assert_eq!(major(Decimal::new(5, 0), "JPY"), "5");
        assert_eq!(major(Decimal::new(12501, 4), "BHD"), "1.2501");
        assert_eq!(major(Decimal::new(7, 0), "XXX"), "7");
    }

    #[test]
    fn every_provider_lists_the_catalogue() {
        let epoint = scenarios_html("epoint");
        for card in [crate::scenario::DECLINED_CARD, crate::scenario::TIMEOUT_CARD] {
            assert!(epoint.contains(card), "{card}");
        }
        assert!(epoint.contains("minor units end in 51") && epoint.contains("code 000"));
        assert!(scenarios_html("azericard").contains("RC 00"));
        assert!(scenarios_html("epay").contains(crate::epay::cards::DECLINE_3DS));
        assert!(scenarios_html("qr").contains(crate::qr::POOR_WALLET));
        assert_eq!(scenarios_html("paypal"), "");
    }
}
