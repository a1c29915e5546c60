//! The sandbox clock as the control API sees it: frozen (moves only when told)
//! or running (wall time plus an offset), over the [`ManualClock`] every
//! provider emulator reads.
//!
//! A running clock is refreshed every [`TICK`] by a task the control state
//! owns; `set` and `advance` change the offset, so they survive the next tick
//! (the old binary reset the clock to wall time every 500 ms).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use payments_core::clock::{Clock, ManualClock};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How often a running clock is refreshed from the wall clock.
pub const TICK: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Frozen,
    Running { offset: time::Duration },
}

/// Where the clock starts (the binary's `--clock` flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStart {
    /// Frozen at this instant.
    Fixed(OffsetDateTime),
    /// Running, this far from wall time.
    Offset(time::Duration),
}

impl std::str::FromStr for ClockStart {
    type Err = String;

    /// `2026-12-01T10:00:00Z` (RFC 3339, frozen there) or a signed offset
    /// `+2h`, `-90m`, `+30s`, `+1d` (running, that far from wall time).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(ClockStart::Fixed(at));
        }
        parse_offset(text).map(ClockStart::Offset).ok_or_else(|| {
            format!("`{text}`: expected RFC 3339 (2026-12-01T10:00:00Z) or an offset like +2h, -30m, +45s, +1d")
        })
    }
}

/// `+2h`, `-30m`, `45s`, `+1d` as a signed duration.
pub fn parse_offset(text: &str) -> Option<time::Duration> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let unit_at = rest.len().checked_sub(1)?;
    let (number, unit) = rest.split_at(unit_at);
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        _ => None,
    }?;
    // Keep far from time's limits: a century either way is plenty for a sandbox.
    if seconds > 100 * 365 * 86_400 {
        return None;
    }
    Some(time::Duration::seconds(if negative { -seconds } else { seconds }))
}

/// The clock's state as the control API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockView {
    /// The sandbox's current time.
    pub now: OffsetDateTime,
    /// True when it moves only when told.
    pub frozen: bool,
    /// Running: how far it is from wall time (seconds).
    pub offset_seconds: Option<i64>,
}

/// The control side of the sandbox clock. Clones share it.
#[derive(Debug, Clone)]
pub struct ClockControl {
    clock: ManualClock,
    mode: Arc<Mutex<Mode>>,
}

impl ClockControl {
    /// Control over `clock`, frozen where it stands (the library default: tests advance it).
    pub fn new(clock: ManualClock) -> Self {
        ClockControl {
            clock,
            mode: Arc::new(Mutex::new(Mode::Frozen)),
        }
    }

    fn mode(&self) -> std::sync::MutexGuard<'_, Mode> {
        self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Refreshes a running clock from the wall clock (the tick task's work).
    /// The mode lock is held while setting, so a concurrent `set`/`advance` is never undone.
    pub fn tick(&self) {
        let mode = self.mode();
        if let Mode::Running { offset } = *mode {
            self.clock.set(OffsetDateTime::now_utc().saturating_add(offset));
        }
    }

    /// Applies a start setting.
    pub fn start(&self, start: ClockStart) {
        match start {
            ClockStart::Fixed(at) => self.set(at, true),
            ClockStart::Offset(offset) => {
                *self.mode() = Mode::Running { offset };
                self.tick();
            }
        }
    }

    /// Reads it.
    pub fn view(&self) -> ClockView {
        let mode = *self.mode();
        ClockView {
            now: self.clock.now(),
            frozen: mode == Mode::Frozen,
            offset_seconds: match mode {
                Mode::Frozen => None,
                Mode::Running { offset } => Some(offset.whole_seconds()),
            },
        }
    }

    /// Stops it where it stands.
    pub fn freeze(&self) {
        let mut mode = self.mode();
        *mode = Mode::Frozen;
    }

    /// Runs it on from where it stands (keeping the distance to wall time it has now).
    pub fn resume(&self) {
        let mut mode = self.mode();
        let offset = self.clock.now() - OffsetDateTime::now_utc();
        *mode = Mode::Running { offset };
    }

    /// Sets it to `at`; `freeze` also stops it there, otherwise its current mode is kept.
    pub fn set(&self, at: OffsetDateTime, freeze: bool) {
        let mut mode = self.mode();
        if freeze || *mode == Mode::Frozen {
            *mode = Mode::Frozen;
        } else {
            *mode = Mode::Running {
                offset: at - OffsetDateTime::now_utc(),
            };
        }
        self.clock.set(at);
    }

    /// Moves it forward by `by` (frozen or running).
    pub fn advance(&self, by: Duration) {
        let mut mode = self.mode();
        if let Mode::Running { offset } = &mut *mode {
            *offset = offset.saturating_add(time::Duration::try_from(by).unwrap_or(time::Duration::MAX));
        }
        self.clock.advance(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_start_settings() {
        assert_eq!(parse_offset("+2h"), Some(time::Duration::hours(2)));
        assert_eq!(parse_offset("-90m"), Some(time::Duration::minutes(-90)));
        assert_eq!(parse_offset("45s"), Some(time::Duration::seconds(45)));
        assert_eq!(parse_offset("+1d"), Some(time::Duration::days(1)));
        assert_eq!(parse_offset("+h"), None);
        assert_eq!(parse_offset("2x"), None);
        assert_eq!(parse_offset(""), None);
        assert_eq!(
            "2026-12-01T10:00:00Z".parse::<ClockStart>(),
            Ok(ClockStart::Fixed(time::macros::datetime!(2026-12-01 10:00 UTC)))
        );
        assert!("yesterday".parse::<ClockStart>().is_err());
    }

    #[test]
    fn advance_survives_ticks_when_running() {
        let control = ClockControl::new(ManualClock::starting_now());
        control.start(ClockStart::Offset(time::Duration::ZERO));
        control.advance(Duration::from_secs(3600));
        control.tick();
        let ahead = control.view().now - OffsetDateTime::now_utc();
        assert!(ahead > time::Duration::minutes(59), "{ahead}");
        control.freeze();
        let at = control.view().now;
        control.tick();
        assert_eq!(control.view().now, at);
        assert!(control.view().frozen);
    }
}
