//! Minimal RFC 3339 formatting/parsing (UTC), enough for `meta` and filter comparisons.

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Format Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parse an RFC 3339 date-time (or a bare `YYYY-MM-DD`) to Unix nanoseconds.
pub(crate) fn parse_nanos(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_ascii() || s.len() < 10 {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let mut dp = date.split('-');
    let (y, m, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let day_nanos = i128::from(days_from_civil(y, m, d)) * 86_400 * 1_000_000_000;
    if rest.is_empty() {
        return Some(day_nanos);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    if rest.len() < 8 {
        return None;
    }
    let (hms, mut tail) = rest.split_at(8);
    let mut tp = hms.split(':');
    let (h, mi, sec) = (num(tp.next()?)?, num(tp.next()?)?, num(tp.next()?)?);
    if tp.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut frac: i128 = 0;
    if let Some(t) = tail.strip_prefix('.') {
        let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let digits = &t[..end];
        if digits.is_empty() {
            return None;
        }
        let mut scaled = String::from(&digits[..digits.len().min(9)]);
        while scaled.len() < 9 {
            scaled.push('0');
        }
        frac = scaled.parse().ok()?;
        tail = &t[end..];
    }
    let offset_secs: i64 = match tail {
        "Z" | "z" | "" => 0,
        t if t.len() == 6 && (t.starts_with('+') || t.starts_with('-')) => {
            let oh = num(&t[1..3])?;
            let om = num(&t[4..6])?;
            if &t[3..4] != ":" {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if t.starts_with('-') {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let secs = h * 3600 + mi * 60 + sec - offset_secs;
    Some(day_nanos + i128::from(secs) * 1_000_000_000 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse_round_trip() {
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_ms(1_305_261_754_123), "2011-05-13T04:42:34.123Z");
        assert_eq!(format_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(parse_nanos("2011-05-13T04:42:34.123Z"), Some(1_305_261_754_123_000_000));
        assert_eq!(parse_nanos("2011-05-13T06:42:34+02:00"), parse_nanos("2011-05-13T04:42:34Z"));
        assert_eq!(parse_nanos("2011-05-13"), Some(1_305_244_800_000_000_000));
        assert_eq!(parse_nanos("not a date"), None);
        assert_eq!(parse_nanos("2011-13-13T00:00:00Z"), None);
        assert_eq!(parse_nanos("2011-05-13T04:42:34.Z"), None);
        assert_eq!(parse_nanos("ééééééééééééé"), None);
    }
}
