//! `cargo xtask bench --footprint`: the clean build of a one-provider app
//! (an app depending on `payments-epoint` only, default features), its crate
//! count and the compile units that dominate it (`cargo build --timings`).
//!
//! The app is generated under the target directory with the workspace's
//! lockfile (the same versions, no network) and built into its own target
//! directory, which is removed first so the build is clean.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MAIN_RS: &str = r#"//! A one-provider app: builds and signs an EPoint pay request.
fn main() {
    let config = epoint::EpointConfig::new("i000000001", "test-private-key").expect("config");
    let client = epoint::EpointClient::new(config).expect("client");
    println!("{client:?}");
}
"#;

/// One compile unit's time from `cargo build --timings`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unit {
    pub(crate) name: String,
    pub(crate) seconds: f64,
}

/// Reads the units from the timings HTML: cargo embeds them as a JSON array
/// (`const UNIT_DATA = [...];`) with `name`, `version`, `target` and `duration`.
pub(crate) fn parse_timings(html: &str) -> Vec<Unit> {
    let Some(start) = html.find("const UNIT_DATA = ") else {
        return Vec::new();
    };
    let rest = &html[start + "const UNIT_DATA = ".len()..];
    let Some(end) = rest.find("];") else {
        return Vec::new();
    };
    let Ok(units) = serde_json::from_str::<Vec<serde_json::Value>>(&rest[..=end]) else {
        return Vec::new();
    };
    let mut out: Vec<Unit> = units
        .iter()
        .filter_map(|u| {
            let name = u.get("name")?.as_str()?;
            let version = u.get("version").and_then(|v| v.as_str()).unwrap_or("");
            let target = u.get("target").and_then(|t| t.as_str()).unwrap_or("");
            Some(Unit {
                name: format!("{name} {version}{target}"),
                seconds: u.get("duration")?.as_f64()?,
            })
        })
        .collect();
    out.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    out
}

/// Counts the `Compiling <crate>` lines of cargo's output: the units built.
pub(crate) fn compiled_crates(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .count()
}

// Build seconds and their shares: timing figures, not money.
#[allow(clippy::float_arithmetic)]
pub(crate) fn run(cargo: &impl Fn() -> Command, target_dir: &Path) -> Result<String, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let repo = repo.canonicalize().map_err(|e| e.to_string())?;
    let app = target_dir.join("footprint-app");
    std::fs::create_dir_all(app.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"footprint-app\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nepoint = {{ package = \"payments-epoint\", path = \"{}\" }}\n\n\
         # Its own workspace: not a member of the repository's.\n[workspace]\n",
        repo.join("crates/epoint").display()
    );
    std::fs::write(app.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(app.join("src/main.rs"), MAIN_RS).map_err(|e| e.to_string())?;
    std::fs::copy(repo.join("Cargo.lock"), app.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let app_target = app.join("target");
    let _ = std::fs::remove_dir_all(&app_target);
    println!(
        "==> clean cargo build --timings of a one-provider app ({})",
        app.display()
    );
    let started = Instant::now();
    let out = cargo()
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", &app_target)
        .args(["build", "--timings"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("the build failed: {}", stderr.trim()));
    }
    let crates = compiled_crates(&stderr);
    let html = std::fs::read_to_string(app_target.join("cargo-timings/cargo-timing.html")).unwrap_or_default();
    let units = parse_timings(&html);
    let total: f64 = units.iter().map(|u| u.seconds).sum();
    let mut report = format!(
        "One-provider app (payments-epoint, default features), clean `cargo build` (dev profile): \
         {:.0} s wall, {crates} crates compiled, {:.0} s of compile units in all.\n\n\
         | unit | seconds | share of unit time |\n|---|---|---|\n",
        elapsed.as_secs_f64(),
        total
    );
    for u in units.iter().take(10) {
        let share = if total > 0.0 { u.seconds / total * 100.0 } else { 0.0 };
        report.push_str(&format!("| {} | {:.1} | {share:.0}% |\n", u.name, u.seconds));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_unit_data_sorted_by_duration() {
        let html = r#"<script>
const UNIT_DATA = [{"i":0,"name":"serde","version":"1.0.0","mode":"todo","target":"","start":0.1,"duration":2.5,"rmeta_time":1.0,"unlocked_units":[],"unlocked_rmeta_units":[]},
{"i":1,"name":"aws-lc-sys","version":"0.47.0","mode":"run-custom-build","target":" build script (run)","start":0.2,"duration":38.0,"rmeta_time":null,"unlocked_units":[],"unlocked_rmeta_units":[]}];
const CONCURRENCY_DATA = [];
</script>"#;
        let units = parse_timings(html);
        assert_eq!(
            units,
            vec![
                Unit {
                    name: "aws-lc-sys 0.47.0 build script (run)".into(),
                    seconds: 38.0
                },
                Unit {
                    name: "serde 1.0.0".into(),
                    seconds: 2.5
                },
            ]
        );
        assert!(parse_timings("<html></html>").is_empty());
    }

    #[test]
    fn counts_compiling_lines() {
        let err = "   Compiling libc v0.2\n   Compiling serde v1\n    Finished `dev` profile\n";
        assert_eq!(compiled_crates(err), 2);
    }
}
