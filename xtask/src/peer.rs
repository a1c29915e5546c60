//! `--peer integrify`: the Python SDK merchants in the region use today, timed
//! in the same run on the same inputs (`xtask/peer/integrify_bench.py`).
//!
//! A virtual environment under the target directory holds exactly the pinned
//! versions; once they are installed the run needs no network. When Python or
//! the packages cannot be had, the bench goes on without the peer column and
//! says why.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use rust_decimal::Decimal;

/// The exact versions compared with (issue 21).
pub(crate) const PACKAGES: [&str; 2] = ["integrify-epoint==1.3.0", "integrify-azericard==1.1.0"];

/// One figure of the peer's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PeerFigure {
    pub(crate) path: String,
    pub(crate) mean_ns: Decimal,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The balanced AzeriCard bench key kept in the repository (also used by the
/// azericard criterion bench).
pub(crate) fn bench_key() -> PathBuf {
    repo_root().join("crates/azericard/benches/data/azericard-bench-key.pem")
}

fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// True when the venv's Python already has exactly the pinned versions.
fn installed(python: &Path) -> bool {
    let check = "import importlib.metadata as m; \
                 print(m.version('integrify-epoint'), m.version('integrify-azericard'))";
    Command::new(python)
        .args(["-c", check])
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "1.3.0 1.1.0")
}

/// Creates the venv and installs the pinned packages when needed.
pub(crate) fn prepare(venv: &Path) -> Result<PathBuf, String> {
    let python = venv_python(venv);
    if !python.exists() {
        println!("==> python3 -m venv {}", venv.display());
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .map_err(|e| format!("python3 is not available ({e}); install Python 3.10+ with venv"))?;
        if !status.success() {
            return Err(format!(
                "python3 -m venv failed ({status}); on Debian/Ubuntu install python3-venv"
            ));
        }
    }
    if installed(&python) {
        println!(
            "==> integrify already installed in {} (no network needed)",
            venv.display()
        );
        return Ok(python);
    }
    println!("==> pip install {}", PACKAGES.join(" "));
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .args(PACKAGES)
        .status()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if !status.success() || !installed(&python) {
        return Err(format!(
            "pip could not install {} (offline, or PyPI unreachable); the table has no integrify column",
            PACKAGES.join(" ")
        ));
    }
    Ok(python)
}

/// Runs the peer script; `seconds` per path.
pub(crate) fn run(venv: &Path, seconds: u32) -> Result<Vec<PeerFigure>, String> {
    let python = prepare(venv)?;
    let script = repo_root().join("xtask/peer/integrify_bench.py");
    println!("==> {} {}", python.display(), script.display());
    let out = Command::new(&python)
        .arg(&script)
        .arg(bench_key())
        .arg(seconds.to_string())
        .env("PYTHONWARNINGS", "ignore")
        .output()
        .map_err(|e| format!("cannot run the peer script: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    if !out.status.success() {
        return Err(format!(
            "the peer script failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(parse(&text))
}

/// Reads `integrify <path> <mean ns> <iterations>` lines.
pub(crate) fn parse(output: &str) -> Vec<PeerFigure> {
    output
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            if words.next() != Some("integrify") {
                return None;
            }
            let path = words.next()?.to_owned();
            let mean_ns = Decimal::from_str(words.next()?).ok()?;
            Some(PeerFigure { path, mean_ns })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_script_lines_only() {
        let out = "noise\nintegrify epoint_callback 72000.5 2047\nintegrify bad\nintegrify x notanumber 1\n";
        assert_eq!(
            parse(out),
            vec![PeerFigure {
                path: "epoint_callback".into(),
                mean_ns: Decimal::from_str("72000.5").unwrap()
            }]
        );
    }

    #[test]
    fn the_key_and_script_are_in_the_repository() {
        assert!(bench_key().exists(), "{}", bench_key().display());
        assert!(repo_root().join("xtask/peer/integrify_bench.py").exists());
    }
}
