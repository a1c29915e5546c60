//! The stored-card fields of a `/token/cgi_link` browser form (srustamov §6,
//! §7.1, §7.3 [U]): register a card, optionally under an unscheduled (`N`)
//! or scheduled (`Y`) MIT agreement, or pay with a `TOKEN`.

use super::checks::{Rejected, hex, wrong};
use super::form::Fields;
use super::store::Agreement;
use super::{State, TokenUse, lock, parse_date};

/// The stored-card part of a `/token/cgi_link` browser form.
pub(super) fn token_use(st: &State, f: &Fields, terminal: &str, trtype: u8) -> Result<TokenUse, Rejected> {
    let state = f.get("MERCH_TRAN_STATE");
    let mit = f.get("MIT_AGREEMENT");
    for (name, needs) in [
        ("MERCH_RN_ID", "MIT_AGREEMENT"),
        ("RECUR_FREQ", "MIT_AGREEMENT=Y"),
        ("RECUR_EXP", "MIT_AGREEMENT=Y"),
    ] {
        if f.has(name) && mit.is_none() {
            return Err(wrong(format!("{name}: only with {needs}")));
        }
    }
    match (f.get("TOKEN_ACTION"), f.get("TOKEN")) {
        (Some("REGISTER"), None) => {
            if !matches!(state, None | Some("S")) {
                return Err(wrong("MERCH_TRAN_STATE: a registration is S (storage)"));
            }
            let Some(kind) = mit else {
                return Ok(TokenUse::Register(None));
            };
            if state != Some("S") {
                return Err(wrong("MERCH_TRAN_STATE: S is required with MIT_AGREEMENT"));
            }
            if trtype != 1 {
                return Err(wrong("TRTYPE: an MIT or recurring registration is TRTYPE 1"));
            }
            let rn = f.req("MERCH_RN_ID", 8, 32)?;
            hex("MERCH_RN_ID", rn, 8, 32)?;
            let agreement = match kind {
                "N" => {
                    if f.has("RECUR_FREQ") || f.has("RECUR_EXP") {
                        return Err(wrong("RECUR_FREQ/RECUR_EXP: only with MIT_AGREEMENT=Y"));
                    }
                    Agreement {
                        scheduled: false,
                        merch_rn_id: rn.to_owned(),
                        frequency_days: None,
                        expiry: None,
                    }
                }
                "Y" => {
                    let freq = f.req("RECUR_FREQ", 1, 2)?;
                    let days: u32 = freq
                        .parse()
                        .ok()
                        .filter(|d| (1..=99).contains(d) && freq.bytes().all(|b| b.is_ascii_digit()))
                        .ok_or_else(|| wrong("RECUR_FREQ: 1-99 days"))?;
                    let exp = parse_date(f.req("RECUR_EXP", 8, 8)?).ok_or_else(|| wrong("RECUR_EXP: not YYYYMMDD"))?;
                    if exp < st.now().date() {
                        return Err(wrong("RECUR_EXP: in the past"));
                    }
                    Agreement {
                        scheduled: true,
                        merch_rn_id: rn.to_owned(),
                        frequency_days: Some(days),
                        expiry: Some(exp),
                    }
                }
                _ => return Err(wrong("MIT_AGREEMENT: must be Y or N")),
            };
            Ok(TokenUse::Register(Some(agreement)))
        }
        (None, Some(token)) => {
            if mit.is_some() {
                return Err(wrong("MIT_AGREEMENT: only when registering a card"));
            }
            if !matches!(state, None | Some("C")) {
                return Err(wrong("MERCH_TRAN_STATE: a cardholder payment with a TOKEN is C"));
            }
            if token.chars().count() != 28 {
                return Err(wrong("TOKEN: must be 28 characters"));
            }
            let known = lock(&st.store)
                .tokens
                .get(token, st.now())
                .is_some_and(|c| c.terminal == terminal);
            if !known {
                return Err(wrong("TOKEN: unknown card token"));
            }
            Ok(TokenUse::Pay(token.to_owned()))
        }
        (Some(_), None) => Err(wrong("TOKEN_ACTION: must be REGISTER")),
        _ => Err(wrong("token/cgi_link needs TOKEN_ACTION=REGISTER or a TOKEN")),
    }
}
