//! Client throughput for every provider at several concurrency levels, SDK
//! beside raw reqwest, each point in its own process (so its peak RSS is its
//! own), plus each client's cold start. Drives `tests/src/bin/throughput.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;

pub(crate) const PROVIDERS: [&str; 4] = ["epoint", "azericard", "epay-kz", "qr-wallet"];
pub(crate) const CONCURRENCY: [u32; 4] = [1, 16, 64, 256];

/// One throughput run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Point {
    pub(crate) provider: String,
    pub(crate) mode: String,
    pub(crate) concurrency: u32,
    pub(crate) rps: Decimal,
    /// Requests completed in the timed part.
    pub(crate) requests: u64,
    /// CPU time of the process (client and in-process sandbox) in the timed part.
    pub(crate) cpu_ms: u64,
    pub(crate) peak_rss_kib: u64,
    pub(crate) failures: u64,
}

impl Point {
    /// CPU microseconds per request (client and sandbox together): unlike
    /// requests per second, barely moved by other processes sharing the cores.
    pub(crate) fn cpu_micros_per_request(&self) -> Option<Decimal> {
        (self.requests > 0 && self.cpu_ms > 0)
            .then(|| (Decimal::from(self.cpu_ms) * Decimal::from(1000) / Decimal::from(self.requests)).round_dp(0))
    }
}

/// One cold start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cold {
    pub(crate) provider: String,
    pub(crate) create_micros: u64,
    pub(crate) first_call_micros: u64,
    pub(crate) peak_rss_kib: u64,
}

fn fields(line: &str) -> BTreeMap<&str, &str> {
    line.split_whitespace().filter_map(|kv| kv.split_once('=')).collect()
}

/// Reads a `provider=.. mode=.. concurrency=.. rps=.. peak_rss_kib=.. failures=..` line.
pub(crate) fn parse_point(line: &str) -> Option<Point> {
    let f = fields(line);
    if f.get("mode") == Some(&"cold") {
        return None;
    }
    Some(Point {
        provider: (*f.get("provider")?).to_owned(),
        mode: (*f.get("mode")?).to_owned(),
        concurrency: f.get("concurrency")?.parse().ok()?,
        rps: Decimal::from_str(f.get("rps")?).ok()?,
        requests: f.get("requests")?.parse().ok()?,
        cpu_ms: f.get("cpu_ms").and_then(|v| v.parse().ok()).unwrap_or(0),
        peak_rss_kib: f.get("peak_rss_kib")?.parse().ok()?,
        failures: f.get("failures")?.parse().ok()?,
    })
}

/// Reads a `provider=.. mode=cold create_micros=.. first_call_micros=.. peak_rss_kib=..` line.
pub(crate) fn parse_cold(line: &str) -> Option<Cold> {
    let f = fields(line);
    if f.get("mode") != Some(&"cold") {
        return None;
    }
    Some(Cold {
        provider: (*f.get("provider")?).to_owned(),
        create_micros: f.get("create_micros")?.parse().ok()?,
        first_call_micros: f.get("first_call_micros")?.parse().ok()?,
        peak_rss_kib: f.get("peak_rss_kib")?.parse().ok()?,
    })
}

fn run_line(binary: &Path, args: &[String]) -> Option<String> {
    let out = Command::new(binary).args(args).output().ok()?;
    let line = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if line.is_empty() {
        eprintln!(
            "throughput {}: no result ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    println!("{line}");
    Some(line)
}

/// Every provider at every concurrency level, SDK and raw alternating.
pub(crate) fn sweep(binary: &Path, seconds: u32) -> Vec<Point> {
    let mut points = Vec::new();
    for provider in PROVIDERS {
        for concurrency in CONCURRENCY {
            for mode in ["sdk", "raw"] {
                let args = [
                    provider.to_owned(),
                    mode.to_owned(),
                    "--seconds".to_owned(),
                    seconds.to_string(),
                    "--concurrency".to_owned(),
                    concurrency.to_string(),
                ];
                if let Some(p) = run_line(binary, &args).as_deref().and_then(parse_point) {
                    points.push(p);
                }
            }
        }
    }
    points
}

/// The EPoint 64-caller point `rounds` times, SDK and raw alternating: the
/// spread of the ratio between rounds (why one run said 0.90x and another 1.20x).
pub(crate) fn repeat_epoint_64(binary: &Path, seconds: u32, rounds: u32) -> Vec<Point> {
    let mut points = Vec::new();
    for _ in 0..rounds {
        for mode in ["sdk", "raw"] {
            let args = [
                "epoint".to_owned(),
                mode.to_owned(),
                "--seconds".to_owned(),
                seconds.to_string(),
                "--concurrency".to_owned(),
                "64".to_owned(),
            ];
            if let Some(p) = run_line(binary, &args).as_deref().and_then(parse_point) {
                points.push(p);
            }
        }
    }
    points
}

/// Each provider's cold start, each in a fresh process.
pub(crate) fn cold_starts(binary: &Path) -> Vec<Cold> {
    PROVIDERS
        .iter()
        .filter_map(|p| run_line(binary, &["cold".to_owned(), (*p).to_owned()]))
        .filter_map(|l| parse_cold(&l))
        .collect()
}

fn find<'a>(points: &'a [Point], provider: &str, mode: &str, concurrency: u32) -> Option<&'a Point> {
    points
        .iter()
        .find(|p| p.provider == provider && p.mode == mode && p.concurrency == concurrency)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", Decimal::from(kib) / Decimal::from(1024))
}

/// Markdown table: one row per provider and concurrency level.
pub(crate) fn table(points: &[Point]) -> String {
    let mut out = String::from(
        "| provider | callers | SDK req/s | raw req/s | SDK / raw | SDK CPU/req | raw CPU/req | SDK peak RSS | raw peak RSS |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for provider in PROVIDERS {
        for c in CONCURRENCY {
            let (sdk, raw) = (find(points, provider, "sdk", c), find(points, provider, "raw", c));
            if sdk.is_none() && raw.is_none() {
                continue;
            }
            let rps = |p: Option<&Point>| {
                p.map_or_else(
                    || "-".to_owned(),
                    |p| {
                        if p.failures > 0 {
                            format!("{} ({} failed)", p.rps, p.failures)
                        } else {
                            p.rps.to_string()
                        }
                    },
                )
            };
            let ratio = match (sdk, raw) {
                (Some(s), Some(r)) if !r.rps.is_zero() => format!("{:.2}x", (s.rps / r.rps).round_dp(2)),
                _ => "-".to_owned(),
            };
            let rss = |p: Option<&Point>| p.map_or_else(|| "-".to_owned(), |p| mib(p.peak_rss_kib));
            let cpu = |p: Option<&Point>| {
                p.and_then(Point::cpu_micros_per_request)
                    .map_or_else(|| "-".to_owned(), |us| format!("{us} µs"))
            };
            out.push_str(&format!(
                "| {provider} | {c} | {} | {} | {ratio} | {} | {} | {} | {} |\n",
                rps(sdk),
                rps(raw),
                cpu(sdk),
                cpu(raw),
                rss(sdk),
                rss(raw)
            ));
        }
    }
    out
}

/// Markdown table of the repeated EPoint 64-caller rounds.
pub(crate) fn repeat_table(points: &[Point]) -> String {
    let mut out = String::from(
        "| round | SDK req/s | raw req/s | SDK / raw | SDK CPU/req | raw CPU/req |\n|---|---|---|---|---|---|\n",
    );
    let sdk: Vec<&Point> = points.iter().filter(|p| p.mode == "sdk").collect();
    let raw: Vec<&Point> = points.iter().filter(|p| p.mode == "raw").collect();
    for (i, (s, r)) in sdk.iter().zip(raw.iter()).enumerate() {
        let ratio = if r.rps.is_zero() {
            "-".to_owned()
        } else {
            format!("{:.2}x", (s.rps / r.rps).round_dp(2))
        };
        let cpu = |p: &Point| {
            p.cpu_micros_per_request()
                .map_or_else(|| "-".to_owned(), |us| format!("{us} µs"))
        };
        out.push_str(&format!(
            "| {} | {} | {} | {ratio} | {} | {} |\n",
            i + 1,
            s.rps,
            r.rps,
            cpu(s),
            cpu(r)
        ));
    }
    out
}

/// Markdown table of the cold starts.
pub(crate) fn cold_table(colds: &[Cold]) -> String {
    let mut out = String::from("| provider | create client | first call | peak RSS |\n|---|---|---|---|\n");
    for c in colds {
        out.push_str(&format!(
            "| {} | {:.2} ms | {:.2} ms | {} |\n",
            c.provider,
            (Decimal::from(c.create_micros) / Decimal::from(1000)).round_dp(2),
            (Decimal::from(c.first_call_micros) / Decimal::from(1000)).round_dp(2),
            mib(c.peak_rss_kib)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(provider: &str, mode: &str, c: u32, rps: i64) -> Point {
        Point {
            provider: provider.into(),
            mode: mode.into(),
            concurrency: c,
            rps: Decimal::from(rps),
            requests: 2 * rps as u64,
            cpu_ms: 2000,
            peak_rss_kib: 40_960,
            failures: 0,
        }
    }

    #[test]
    fn parses_the_binary_lines() {
        let p = parse_point(
            "provider=epay-kz mode=raw concurrency=64 requests=9000 millis=3000 rps=3000 cpu_ms=4500 peak_rss_kib=41000 failures=0",
        )
        .unwrap();
        assert_eq!(
            p,
            Point {
                provider: "epay-kz".into(),
                mode: "raw".into(),
                concurrency: 64,
                rps: Decimal::from(3000),
                requests: 9000,
                cpu_ms: 4500,
                peak_rss_kib: 41000,
                failures: 0,
            }
        );
        assert_eq!(p.cpu_micros_per_request(), Some(Decimal::from(500)));
        let c = parse_cold("provider=epoint mode=cold create_micros=1500 first_call_micros=900 peak_rss_kib=20000")
            .unwrap();
        assert_eq!(
            (c.create_micros, c.first_call_micros, c.peak_rss_kib),
            (1500, 900, 20000)
        );
        assert!(parse_point("provider=epoint mode=cold create_micros=1").is_none());
        assert!(parse_cold("provider=epoint mode=sdk concurrency=1").is_none());
        assert!(parse_point("cannot start the sandbox").is_none());
    }

    #[test]
    fn table_pairs_sdk_and_raw_per_point() {
        let mut failed = point("epoint", "raw", 64, 1000);
        failed.failures = 3;
        let t = table(&[
            point("epoint", "sdk", 64, 1100),
            failed,
            point("qr-wallet", "sdk", 1, 500),
        ]);
        assert!(
            t.contains("| epoint | 64 | 1100 | 1000 (3 failed) | 1.10x | 909 µs | 1000 µs | 40.0 MiB | 40.0 MiB |"),
            "{t}"
        );
        assert!(
            t.contains("| qr-wallet | 1 | 500 | - | - | 2000 µs | - | 40.0 MiB | - |"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 4, "{t}");
    }

    #[test]
    fn cold_table_in_milliseconds() {
        let t = cold_table(&[Cold {
            provider: "epoint".into(),
            create_micros: 1500,
            first_call_micros: 250,
            peak_rss_kib: 20480,
        }]);
        assert!(t.contains("| epoint | 1.50 ms | 0.25 ms | 20.0 MiB |"), "{t}");
    }
}
