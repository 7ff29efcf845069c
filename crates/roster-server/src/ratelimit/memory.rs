//! The in-process limiter: one fixed window per key in a sharded map, expired windows evicted as it grows.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Exceeded, Limit, RateLimiter};

/// A source of monotonic time, injectable for tests.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

const SHARDS: usize = 16;
/// A shard drops its expired windows at least this often (on its next request)...
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// ...and whenever it has doubled since its last sweep (but not below this size).
const MIN_SWEEP_LEN: usize = 1024;

#[derive(Debug, Clone, Copy)]
struct Window {
    ends: Instant,
    count: u32,
}

struct Shard {
    windows: HashMap<String, Window>,
    next_sweep: Instant,
    sweep_at_len: usize,
}

impl Shard {
    fn sweep_if_due(&mut self, now: Instant) {
        if now < self.next_sweep && self.windows.len() < self.sweep_at_len {
            return;
        }
        self.windows.retain(|_, w| w.ends > now);
        self.next_sweep = now + SWEEP_EVERY;
        self.sweep_at_len = (self.windows.len() * 2).max(MIN_SWEEP_LEN);
    }
}

/// In-process counters: one fixed window per key in a sharded map (see the module documentation).
pub struct MemoryLimiter {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    clock: Arc<dyn Clock>,
}

impl Default for MemoryLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryLimiter {
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    windows: HashMap::new(),
                    next_sweep: now + SWEEP_EVERY,
                    sweep_at_len: MIN_SWEEP_LEN,
                })
            })
            .collect();
        Self { shards, hasher: RandomState::new(), clock }
    }

    fn shard(&self, key: &str) -> std::sync::MutexGuard<'_, Shard> {
        let i = (self.hasher.hash_one(key) % SHARDS as u64) as usize;
        // A panic while holding the lock cannot leave a window half-written: recover the map.
        self.shards[i].lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Count one request now (the synchronous core of [`RateLimiter::hit`]).
    pub fn check(&self, key: &str, limit: Limit) -> Result<(), Exceeded> {
        let now = self.clock.now();
        let mut shard = self.shard(key);
        shard.sweep_if_due(now);
        let fresh = Window { ends: now + limit.window, count: 0 };
        let window = match shard.windows.get_mut(key) {
            Some(w) => w,
            None => shard.windows.entry(key.to_owned()).or_insert(fresh),
        };
        if window.ends <= now {
            *window = fresh;
        }
        if window.count >= limit.max {
            return Err(Exceeded { resets_in: window.ends - now });
        }
        window.count += 1;
        Ok(())
    }

    /// Windows held, expired ones not yet evicted included.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).windows.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    async fn hit(&self, key: &str, limit: Limit) -> Result<(), Exceeded> {
        self.check(key, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock moved by hand.
    struct TestClock(Mutex<Instant>);

    impl TestClock {
        fn advance(&self, d: Duration) {
            *self.0.lock().unwrap() += d;
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
    }

    fn limiter() -> (Arc<TestClock>, MemoryLimiter) {
        let clock = Arc::new(TestClock(Mutex::new(Instant::now())));
        (clock.clone(), MemoryLimiter::with_clock(clock))
    }

    #[test]
    fn fixed_window_per_key() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(3, 10);
        for _ in 0..3 {
            l.check("a", limit).unwrap();
        }
        assert_eq!(l.check("a", limit), Err(Exceeded { resets_in: Duration::from_secs(10) }));
        // Another key has its own window.
        l.check("b", limit).unwrap();
        clock.advance(Duration::from_millis(9_500));
        assert_eq!(l.check("a", limit), Err(Exceeded { resets_in: Duration::from_millis(500) }));
        clock.advance(Duration::from_millis(500));
        // The window is over: a fresh one opens.
        for _ in 0..3 {
            l.check("a", limit).unwrap();
        }
        assert!(l.check("a", limit).is_err());
    }

    #[test]
    fn refused_requests_are_not_counted() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        l.check("k", limit).unwrap();
        for _ in 0..100 {
            assert!(l.check("k", limit).is_err());
        }
        clock.advance(Duration::from_secs(1));
        l.check("k", limit).unwrap();
    }

    #[test]
    fn expired_windows_are_evicted_as_the_map_grows() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        for i in 0..20_000 {
            l.check(&format!("old{i}"), limit).unwrap();
        }
        // Growth sweeps ran, but nothing had expired.
        assert_eq!(l.len(), 20_000);
        clock.advance(Duration::from_secs(1));
        // Before the periodic sweep is due, each shard drops its expired windows once it has doubled.
        for i in 0..20_000 {
            l.check(&format!("new{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 20_000);
    }

    #[test]
    fn expired_windows_are_evicted_periodically() {
        let (clock, l) = limiter();
        let limit = Limit::per_seconds(1, 1);
        for i in 0..5000 {
            l.check(&format!("key{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 5000);
        clock.advance(SWEEP_EVERY);
        // Each shard sweeps on its next request.
        for i in 0..200 {
            l.check(&format!("new{i}"), limit).unwrap();
        }
        assert_eq!(l.len(), 200);
    }
}
