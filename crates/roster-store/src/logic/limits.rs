//! Rate-limit windows kept in the database, for several processes serving one database: one row per key, a
//! fixed window that opens with the key's first request. The count stops at `max + 1`, so one statement both
//! counts and tells a refused request (which is not counted) from an admitted one.

use super::Tx;
use crate::sql::{vals, Db};
use roster_core::store::RateLimitHit;

/// Expired windows are swept on about one request in this many.
const SWEEP_ONE_IN: u32 = 1000;

pub fn hit(c: &dyn Db, key: &str, max: u32, window_ms: i64, now: i64) -> Tx<RateLimitHit> {
    let max = i64::from(max);
    let row = c.query_one(
        "INSERT INTO rate_limits (key, window_ends, count) VALUES (?1, ?2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN rate_limits.window_ends <= ?3 THEN 1 \
                        WHEN rate_limits.count > ?4 THEN rate_limits.count \
                        ELSE rate_limits.count + 1 END, \
           window_ends = CASE WHEN rate_limits.window_ends <= ?3 THEN ?2 ELSE rate_limits.window_ends END \
         RETURNING count, window_ends",
        vals![key, now + window_ms, now, max],
    )?;
    let (count, ends): (i64, i64) = (row.get(0)?, row.get(1)?);
    if rand::random_range(0..SWEEP_ONE_IN) == 0 {
        c.execute("DELETE FROM rate_limits WHERE window_ends <= ?1", vals![now])?;
    }
    // Concurrent requests read the clock before they reach the row, so the one that opened the window may have
    // read a later `now` than this one: never report more than one window.
    Ok(RateLimitHit { allowed: count <= max, resets_in_ms: (ends - now).clamp(0, window_ms) })
}

#[cfg(test)]
mod tests {
    use super::hit;

    #[test]
    fn a_window_counts_refuses_and_never_reports_more_than_one_window() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE rate_limits (key TEXT PRIMARY KEY, window_ends INTEGER NOT NULL, count INTEGER NOT NULL)",
        )
        .unwrap();
        let at = |now: i64| hit(&c, "k", 2, 1000, now).map_err(|e| format!("{e:?}")).unwrap();
        let first = at(5000);
        assert!(first.allowed);
        assert_eq!(first.resets_in_ms, 1000);
        // A request whose clock read an earlier time than the one that opened the window (a concurrent request
        // on this or another node): counted, and told at most one window.
        let early = at(4990);
        assert!(early.allowed);
        assert_eq!(early.resets_in_ms, 1000);
        let refused = at(5001);
        assert!(!refused.allowed);
        assert_eq!(refused.resets_in_ms, 999);
        // Refusals are not counted: the window still ends where it did.
        assert!(!at(5500).allowed);
        // The window is over: a fresh one opens.
        let next = at(6000);
        assert!(next.allowed);
        assert_eq!(next.resets_in_ms, 1000);
        // Another key has a window of its own.
        assert!(hit(&c, "other", 2, 1000, 6000).map_err(|e| format!("{e:?}")).unwrap().allowed);
    }
}
