//! The rate-limit setting: `off`, `clerk`, or custom values, parsed strictly and printed back.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use roster_core::model::Environment;

/// At most `max` requests per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(max: u32, window: Duration) -> Self {
        Self { max, window }
    }

    pub const fn per_seconds(max: u32, secs: u64) -> Self {
        Self::new(max, Duration::from_secs(secs))
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.window.as_millis();
        let secs = self.window.as_secs();
        if self.window.subsec_millis() != 0 {
            write!(f, "{}/{ms}ms", self.max)
        } else if secs != 0 && secs / 3600 * 3600 == secs {
            write!(f, "{}/{}h", self.max, secs / 3600)
        } else if secs != 0 && secs / 60 * 60 == secs {
            write!(f, "{}/{}m", self.max, secs / 60)
        } else {
            write!(f, "{}/{secs}s", self.max)
        }
    }
}

/// The configured limits; `None` is unlimited. The default is off: no limit at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimits {
    /// Requests per production instance.
    pub instance_production: Option<Limit>,
    /// Requests per development instance.
    pub instance_development: Option<Limit>,
    /// `PATCH /organizations/{id}/memberships/{user_id}` and `PATCH …/{user_id}/metadata`, per membership
    /// (the two routes share one budget).
    pub membership_patch: Option<Limit>,
}

/// The keys of a custom value, in the order they are printed.
const KEYS: [&str; 3] = ["instance_production", "instance_development", "membership_patch"];

/// Longest window accepted (longer ones are surely a typo).
const MAX_WINDOW: Duration = Duration::from_secs(24 * 3600);

impl RateLimits {
    /// No limits (the default).
    pub const OFF: Self = Self { instance_production: None, instance_development: None, membership_patch: None };

    /// Clerk's documented Backend API limits.
    pub const CLERK: Self = Self {
        instance_production: Some(Limit::per_seconds(1000, 10)),
        instance_development: Some(Limit::per_seconds(100, 10)),
        membership_patch: Some(Limit::per_seconds(10, 10)),
    };

    pub fn is_off(&self) -> bool {
        *self == Self::OFF
    }

    /// The per-instance limit for an instance of this environment.
    pub fn instance(&self, environment: Environment) -> Option<Limit> {
        match environment {
            Environment::Production => self.instance_production,
            Environment::Development => self.instance_development,
        }
    }

    fn slot(&mut self, key: &str) -> Option<&mut Option<Limit>> {
        match key {
            "instance_production" => Some(&mut self.instance_production),
            "instance_development" => Some(&mut self.instance_development),
            "membership_patch" => Some(&mut self.membership_patch),
            _ => None,
        }
    }

    fn get(&self, key: &str) -> Option<Limit> {
        match key {
            "instance_production" => self.instance_production,
            "instance_development" => self.instance_development,
            _ => self.membership_patch,
        }
    }
}

/// Why a `ROSTER_RATE_LIMITS` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}; expected `off`, `clerk`, or KEY=COUNT/WINDOW pairs separated by commas (keys: instance_production, instance_development, membership_patch; windows like 10s, 500ms, 1m, 1h; `KEY=off` for no limit; a leading `clerk,` starts from Clerk's limits), e.g. `instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s`")]
pub struct ParseRateLimitsError(String);

fn parse_count(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A duration written as a whole number and a unit (`500ms`, `10s`, `1m`, `24h`, `30d`), longer than zero: how
/// rate-limit windows, retentions and webhook retries are configured.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = s.split_at(digits);
    let n = parse_count(number).ok_or_else(|| format!("duration {s:?} must be a whole number followed by a unit"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        "d" => Duration::from_secs(n.saturating_mul(86_400)),
        _ => return Err(format!("duration {s:?} needs a unit: ms, s, m, h or d")),
    };
    if duration.is_zero() {
        return Err(format!("duration {s:?} must be longer than zero"));
    }
    Ok(duration)
}

fn parse_window(s: &str) -> Result<Duration, String> {
    let window = parse_duration(s).map_err(|e| e.replacen("duration", "window", 1))?;
    if window > MAX_WINDOW {
        return Err(format!("window {s:?} is longer than 24h"));
    }
    Ok(window)
}

fn parse_limit(key: &str, value: &str) -> Result<Option<Limit>, String> {
    if value == "off" {
        return Ok(None);
    }
    let (count, window) = value.split_once('/').ok_or_else(|| format!("{key}={value:?} is not COUNT/WINDOW"))?;
    let max = parse_count(count)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| format!("{key}: count {count:?} must be a whole number from 1 to {}", u32::MAX))?;
    let window = parse_window(window).map_err(|e| format!("{key}: {e}"))?;
    Ok(Some(Limit { max, window }))
}

impl FromStr for RateLimits {
    type Err = ParseRateLimitsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| ParseRateLimitsError(format!("invalid rate limits {s:?}: {reason}"));
        match s.trim() {
            "off" => return Ok(Self::OFF),
            "clerk" => return Ok(Self::CLERK),
            "" => return Err(fail("empty value".into())),
            _ => {}
        }
        let mut items = s.split(',').map(str::trim).peekable();
        let mut limits = Self::OFF;
        if items.peek() == Some(&"clerk") {
            items.next();
            limits = Self::CLERK;
        }
        let mut seen: Vec<&str> = Vec::new();
        for item in items {
            if item.is_empty() {
                return Err(fail("empty item (stray comma?)".into()));
            }
            let (key, value) = item.split_once('=').ok_or_else(|| {
                if item == "off" || item == "clerk" {
                    fail(format!("`{item}` stands alone (or `clerk` first, to start from Clerk's limits)"))
                } else {
                    fail(format!("{item:?} is not KEY=VALUE"))
                }
            })?;
            let (key, value) = (key.trim(), value.trim());
            let slot = limits.slot(key).ok_or_else(|| fail(format!("unknown key {key:?}")))?;
            if seen.contains(&key) {
                return Err(fail(format!("{key} is given twice")));
            }
            seen.push(key);
            *slot = parse_limit(key, value).map_err(fail)?;
        }
        Ok(limits)
    }
}

impl fmt::Display for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            return f.write_str("off");
        }
        for (i, key) in KEYS.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            match self.get(key) {
                Some(limit) => write!(f, "{sep}{key}={limit}")?,
                None => write!(f, "{sep}{key}=off")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RateLimits, String> {
        s.parse::<RateLimits>().map_err(|e| e.to_string())
    }

    #[test]
    fn off_and_clerk() {
        assert_eq!(parse("off").unwrap(), RateLimits::OFF);
        assert_eq!(RateLimits::default(), RateLimits::OFF);
        assert!(RateLimits::default().is_off());
        let clerk = parse("clerk").unwrap();
        assert_eq!(clerk.instance_production, Some(Limit::per_seconds(1000, 10)));
        assert_eq!(clerk.instance_development, Some(Limit::per_seconds(100, 10)));
        assert_eq!(clerk.membership_patch, Some(Limit::per_seconds(10, 10)));
        assert_eq!(parse(" clerk ").unwrap(), clerk);
    }

    #[test]
    fn custom_values() {
        let all = "instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s";
        assert_eq!(parse(all).unwrap(), RateLimits::CLERK);
        // Keys left out are unlimited; spaces around items are fine.
        let some = parse(" instance_development = 5/1h , membership_patch=3/500ms").unwrap();
        assert_eq!(some.instance_production, None);
        assert_eq!(some.instance_development, Some(Limit::per_seconds(5, 3600)));
        assert_eq!(some.membership_patch, Some(Limit::new(3, Duration::from_millis(500))));
        assert_eq!(parse("membership_patch=1/2m").unwrap().membership_patch, Some(Limit::per_seconds(1, 120)));
        // `clerk` first starts from Clerk's limits; `KEY=off` removes one.
        let tuned = parse("clerk,membership_patch=off,instance_development=200/10s").unwrap();
        assert_eq!(tuned.instance_production, Some(Limit::per_seconds(1000, 10)));
        assert_eq!(tuned.instance_development, Some(Limit::per_seconds(200, 10)));
        assert_eq!(tuned.membership_patch, None);
        assert!(parse("instance_production=off").unwrap().is_off());
    }

    #[test]
    fn display_round_trips() {
        for s in
            ["off", "clerk", "instance_development=5/1h", "clerk,membership_patch=7/1500ms", "membership_patch=2/90s"]
        {
            let limits = parse(s).unwrap();
            assert_eq!(parse(&limits.to_string()).unwrap(), limits, "{s} -> {limits}");
        }
        assert_eq!(
            RateLimits::CLERK.to_string(),
            "instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s"
        );
        assert_eq!(RateLimits::OFF.to_string(), "off");
    }

    #[test]
    fn refuses_bad_values() {
        for bad in [
            "",
            " ",
            "on",
            "Off",
            "CLERK",
            "off,clerk",
            "membership_patch=10/10s,clerk",
            "instance=100/10s",
            "instance_production",
            "instance_production=",
            "instance_production=100",
            "instance_production=100/",
            "instance_production=/10s",
            "instance_production=0/10s",
            "instance_production=-1/10s",
            "instance_production=+1/10s",
            "instance_production=1.5/10s",
            "instance_production=4294967296/10s",
            "instance_production=100/10",
            "instance_production=100/s",
            "instance_production=100/0s",
            "instance_production=100/10d",
            "instance_production=100/10 s",
            "instance_production=100/25h",
            "instance_production=100/99999999999999999999s",
            "instance_production=100/10s,",
            ",instance_production=100/10s",
            "instance_production=100/10s,,membership_patch=1/1s",
            "instance_production=100/10s,instance_production=200/10s",
            "instance_production=100/10s;membership_patch=1/1s",
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.starts_with("invalid rate limits"), "{bad}: {err}");
            assert!(err.contains("expected `off`, `clerk`"), "{bad}: {err}");
        }
        assert!(parse("instance=100/10s").unwrap_err().contains("unknown key \"instance\""));
        assert!(parse("membership_patch=0/10s").unwrap_err().contains("count \"0\""));
        assert!(parse("membership_patch=1/10x").unwrap_err().contains("unit"));
    }
}
