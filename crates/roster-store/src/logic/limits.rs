//! Rate-limit windows kept in the database, for several processes serving one database: one row per key, a
//! fixed window that opens with the key's first request. The count stops at `max + 1`, so one statement both
//! counts and tells a refused request (which is not counted) from an admitted one.

use super::Tx;
use crate::sql::Db;
use crate::vals;
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
    Ok(RateLimitHit { allowed: count <= max, resets_in_ms: (ends - now).max(0) })
}
