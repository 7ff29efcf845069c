//! The keys every request authenticates with, kept in memory on a database one process serves (SQLite), so
//! authentication costs no read transaction.
//!
//! What is cached is exactly what `find_keys` reads (the stored hashes, revocation and instance of the keys
//! filed under a lookup tag), so `Store::authenticate` still verifies the presented key against the stored hash
//! in constant time on every request. Unknown lookup tags are not cached: a guessed key costs a read, as before.
//!
//! An entry is used only while both hold:
//!
//! - no write of this process that can change a key or an instance (keys, instance settings, roles, whose keys
//!   the settings name) has finished since the read that filled it began: such writes call `invalidate` once
//!   they have committed (or failed), so the next request reads again;
//! - it is younger than `WINDOW`, counted from before its read began. Another process writing the same file
//!   (an operator's `roster keys revoke`) is not seen by `invalidate`; that process waits `WINDOW` after
//!   committing (`SqlStore::revoke_key`), by which time every entry read before its commit has expired.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use roster_core::store::KeyCandidate;

/// How long an entry may be used without a write of this process invalidating it.
pub const WINDOW: Duration = Duration::from_millis(250);

/// At most this many lookup tags are kept; a full cache is emptied (a burst of reads refills the live ones).
const CAPACITY: usize = 10_000;

/// When a read that may fill the cache began.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    generation: u64,
    at: Instant,
}

struct Entry {
    stamp: Stamp,
    candidates: Vec<KeyCandidate>,
}

#[derive(Default)]
pub struct KeyCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl KeyCache {
    /// The candidates filed under `lookup`, if an entry is current.
    pub fn get(&self, lookup: &str) -> Option<Vec<KeyCandidate>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(lookup)?;
        let current = entry.stamp.generation == generation && entry.stamp.at.elapsed() < WINDOW;
        current.then(|| entry.candidates.clone())
    }

    /// Take before reading the keys that `put` will file.
    pub fn stamp(&self) -> Stamp {
        Stamp { generation: self.generation.load(Ordering::Acquire), at: Instant::now() }
    }

    /// File what a read begun at `stamp` found (nothing is filed for an unknown tag).
    pub fn put(&self, lookup: &str, stamp: Stamp, candidates: &[KeyCandidate]) {
        if candidates.is_empty() || stamp.generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(lookup) {
            entries.clear();
        }
        entries.insert(lookup.to_owned(), Entry { stamp, candidates: candidates.to_vec() });
    }

    /// Call after a write that can change a key or an instance has finished, committed or not.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use roster_core::model::{Environment, Instance, OrganizationSettings};

    use super::*;

    fn candidate() -> KeyCandidate {
        let instance = Instance {
            id: "ins_1".into(),
            environment: Environment::Development,
            name: "dev".into(),
            created_at: 0,
            settings: OrganizationSettings::default(),
        };
        KeyCandidate { hash: "h".into(), revoked: false, instance }
    }

    #[test]
    fn entries_last_until_a_local_write_or_the_window() {
        let cache = KeyCache::default();
        assert!(cache.get("tag").is_none());
        cache.put("tag", cache.stamp(), &[candidate()]);
        assert_eq!(cache.get("tag").map(|c| c.len()), Some(1));

        // A write of this process ends it at once.
        cache.invalidate();
        assert!(cache.get("tag").is_none());

        // A read begun before a write finished is not filed: it may predate the write.
        let before = cache.stamp();
        cache.invalidate();
        cache.put("tag", before, &[candidate()]);
        assert!(cache.get("tag").is_none());

        // An entry read longer than the window ago is not used.
        let old = Stamp { at: Instant::now() - WINDOW, ..cache.stamp() };
        cache.put("tag", old, &[candidate()]);
        assert!(cache.get("tag").is_none());

        // Unknown tags are not remembered.
        cache.put("unknown", cache.stamp(), &[]);
        assert!(cache.entries.lock().unwrap().get("unknown").is_none());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = KeyCache::default();
        for i in 0..CAPACITY {
            cache.put(&format!("tag{i}"), cache.stamp(), &[candidate()]);
        }
        cache.put("one more", cache.stamp(), &[candidate()]);
        let entries = cache.entries.lock().unwrap();
        assert_eq!(entries.len(), 1);
        assert!(entries.contains_key("one more"));
    }
}
