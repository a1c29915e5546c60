//! One table for the issue-21 comparison: per signed path, the SDK, its raw
//! Rust baseline, integrify and the OpenSSL floor, all from the same run, with
//! the ratios the targets are stated in.

use rust_decimal::Decimal;

use crate::bench::{Measurement, baseline_for, human};
use crate::floor::{self, Primitive};
use crate::peer::PeerFigure;

/// A compared path: the criterion group and SDK function, the peer's name
/// for it and the primitive that bounds it from below.
pub(crate) struct PathSpec {
    pub(crate) path: &'static str,
    pub(crate) group: &'static str,
    pub(crate) sdk_function: &'static str,
    pub(crate) floor: Primitive,
}

/// The paths of `inputs.md` (the peer script uses the same names), and P_SIGN
/// alone (no peer figure: integrify signs only inside the authorization).
pub(crate) const PATHS: [PathSpec; 5] = [
    PathSpec {
        path: "epoint_callback",
        group: "epoint_callback",
        sdk_function: "verify_and_decode",
        floor: Primitive::Sha1(floor::CALLBACK_SHA1_BYTES),
    },
    PathSpec {
        path: "epoint_pay_request",
        group: "epoint_pay_request",
        sdk_function: "build_pay",
        floor: Primitive::Sha1(floor::PAY_SHA1_BYTES),
    },
    PathSpec {
        path: "azericard_authorization",
        group: "azericard_authorization",
        sdk_function: "sdk_build_authorization",
        floor: Primitive::Rsa2048Sign,
    },
    PathSpec {
        path: "azericard_p_sign",
        group: "azericard_p_sign",
        sdk_function: "sdk_sign",
        floor: Primitive::Rsa2048Sign,
    },
    PathSpec {
        path: "azericard_transfer_callback",
        group: "azericard_transfer_callback",
        sdk_function: "sdk_verify_transfer_callback",
        floor: Primitive::Md5(floor::TRANSFER_MD5_BYTES),
    },
];

fn ratio(a: Decimal, b: Decimal) -> String {
    if b.is_zero() {
        "-".to_owned()
    } else {
        format!("{:.2}x", (a / b).round_dp(2))
    }
}

/// The table; `floors` holds each primitive's time (missing when openssl was
/// not available), `peer` the integrify figures (empty without `--peer`).
pub(crate) fn table(measurements: &[Measurement], peer: &[PeerFigure], floors: &[(Primitive, Decimal)]) -> String {
    let mut out = String::from(
        "| path | SDK | raw baseline | integrify | floor | SDK / baseline | integrify / SDK | SDK / floor |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for spec in &PATHS {
        let Some(sdk) = measurements
            .iter()
            .find(|m| m.group == spec.group && m.function == spec.sdk_function)
        else {
            continue;
        };
        let base = baseline_for(sdk, measurements);
        let peer = peer.iter().find(|p| p.path == spec.path);
        let floor = floors.iter().find(|(p, _)| *p == spec.floor).map(|(_, ns)| *ns);
        let cell = |v: Option<Decimal>| v.map_or_else(|| "-".to_owned(), human);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            spec.path,
            human(sdk.mean_ns),
            cell(base.map(|b| b.mean_ns)),
            cell(peer.map(|p| p.mean_ns)),
            floor.map_or_else(|| "-".to_owned(), |f| format!("{} ({})", human(f), spec.floor.label())),
            base.map_or_else(|| "-".to_owned(), |b| ratio(sdk.mean_ns, b.mean_ns)),
            peer.map_or_else(|| "-".to_owned(), |p| ratio(p.mean_ns, sdk.mean_ns)),
            floor.map_or_else(|| "-".to_owned(), |f| ratio(sdk.mean_ns, f)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(group: &str, function: &str, ns: i64) -> Measurement {
        Measurement {
            group: group.into(),
            function: function.into(),
            mean_ns: Decimal::from(ns),
        }
    }

    #[test]
    fn one_row_per_path_with_every_ratio() {
        let measurements = [
            m("epoint_callback", "verify_and_decode", 3_000),
            m("epoint_callback", "raw_sha1_base64_serde", 2_500),
            m("azericard_p_sign", "sdk_sign", 900_000),
            m("azericard_p_sign", "raw_aws_lc_sign", 880_000),
        ];
        let peer = [PeerFigure {
            path: "epoint_callback".into(),
            mean_ns: Decimal::from(72_000),
        }];
        let floors = [
            (Primitive::Sha1(floor::CALLBACK_SHA1_BYTES), Decimal::from(1_000)),
            (Primitive::Rsa2048Sign, Decimal::from(750_000)),
        ];
        let t = table(&measurements, &peer, &floors);
        assert!(
            t.contains(
                "| epoint_callback | 3.00 µs | 2.50 µs | 72.00 µs | 1.00 µs (openssl sha1 728 B) | 1.20x | 24.00x | 3.00x |"
            ),
            "{t}"
        );
        assert!(
            t.contains("| azericard_p_sign | 900.00 µs | 880.00 µs | - | 750.00 µs (openssl rsa2048 sign) | 1.02x | - | 1.20x |"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 4, "paths without an SDK figure are left out: {t}");
    }
}
