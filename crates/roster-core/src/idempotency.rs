//! Idempotency keys: a write sent with an `Idempotency-Key` header runs once. The server puts the request in a
//! [`Scope`] (task-local, for the duration of the request); the store's write claims the key, runs the work and
//! stores the response the handler renders from its result, all in the write's own transaction. A retry finds
//! the stored response (in the claim, or, for a request that did not reach a write, in the server's check after
//! the handler) and gets it back byte for byte; the same key with another request is refused. A write that
//! fails stores nothing: its transaction is rolled back with the claim, so a retry runs it again.

use std::any::Any;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// The longest key accepted (Stripe's limit, and what fits any index comfortably).
pub const MAX_KEY_LEN: usize = 255;

/// A response kept for replay: its status and its JSON body, exactly as first sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// What a key holds: the hash of the request that used it and that request's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub request_hash: String,
    pub response: StoredResponse,
}

/// Renders a write's result (the value the store's write returns, as `&dyn Any`) into the response to keep.
/// `None` when the value is not of the type the handler expected, which is a bug the store reports as such.
pub type Render = Arc<dyn Fn(&dyn Any) -> Option<StoredResponse> + Send + Sync>;

/// One request's key, for the one write it makes.
pub struct Scope {
    pub instance_id: String,
    pub key: String,
    pub request_hash: String,
    /// Rows older than this (milliseconds since the epoch) are expired: treated as absent and replaced.
    pub expired_before_ms: i64,
    render: Mutex<Option<Render>>,
    claimed: AtomicBool,
}

/// What the store's write needs of a scope: everything, with the renderer taken out of it.
#[derive(Clone)]
pub struct Claim {
    pub instance_id: String,
    pub key: String,
    pub request_hash: String,
    pub expired_before_ms: i64,
    pub render: Render,
}

impl Scope {
    pub fn new(instance_id: String, key: String, request_hash: String, expired_before_ms: i64) -> Self {
        Self {
            instance_id,
            key,
            request_hash,
            expired_before_ms,
            render: Mutex::new(None),
            claimed: AtomicBool::new(false),
        }
    }

    /// Set how the next write's result becomes the stored response (the handler, just before its write).
    pub fn set_render(&self, render: Render) {
        *self.render.lock().unwrap_or_else(|e| e.into_inner()) = Some(render);
    }

    /// The claim for a write, once: a second write of the same request (there is none today) runs unclaimed
    /// rather than finding its own request's key taken.
    pub fn take_for_write(&self) -> Option<Claim> {
        let render = self.render.lock().unwrap_or_else(|e| e.into_inner()).take()?;
        self.claimed.store(true, Ordering::Release);
        Some(Claim {
            instance_id: self.instance_id.clone(),
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
            expired_before_ms: self.expired_before_ms,
            render,
        })
    }

    /// Whether a write took this scope's claim: its transaction then settled what the key holds (stored this
    /// request's response, found it already stored, or found another request's) and the server needs no check.
    pub fn claimed(&self) -> bool {
        self.claimed.load(Ordering::Acquire)
    }
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// Run `work` (a request's handling) with `scope` as its idempotency scope.
pub async fn within<F: Future>(scope: Arc<Scope>, work: F) -> F::Output {
    SCOPE.scope(scope, work).await
}

/// The scope of the request being handled on this task, if it carries a key.
pub fn current() -> Option<Arc<Scope>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// The claim for the write about to run on this task: a keyed request whose handler set a renderer.
pub fn claim_for_write() -> Option<Claim> {
    current().and_then(|scope| scope.take_for_write())
}

/// Whether `key` is a usable key: 1 to 255 printable ASCII characters.
pub fn valid_key(key: &[u8]) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// The hash that tells one request from another: SHA-256 over each part, length-prefixed so no two lists of
/// parts hash alike by moving bytes between neighbours. Hex.
pub fn request_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        assert!(valid_key(b"a"));
        assert!(valid_key(b"retry 7: create ~ member"));
        assert!(valid_key(&[b'k'; 255]));
        assert!(!valid_key(b""));
        assert!(!valid_key(&[b'k'; 256]));
        assert!(!valid_key(b"tab\there"));
        assert!(!valid_key("caf\u{e9}".as_bytes()));
    }

    #[test]
    fn moving_bytes_between_parts_changes_the_hash() {
        assert_eq!(request_hash(&[b"POST", b"/a"]), request_hash(&[b"POST", b"/a"]));
        assert_ne!(request_hash(&[b"POST", b"/ab"]), request_hash(&[b"POST/", b"ab"]));
        assert_ne!(request_hash(&[b"POST", b"/a", b""]), request_hash(&[b"POST", b"/a"]));
    }

    #[tokio::test]
    async fn a_scope_gives_its_claim_to_one_write_of_its_own_task() {
        assert!(claim_for_write().is_none(), "no scope outside a request");
        let scope = Arc::new(Scope::new("ins".into(), "k".into(), "h".into(), 0));
        within(scope.clone(), async {
            assert!(claim_for_write().is_none(), "no renderer yet: the handler has not reached its write");
            assert!(!scope.claimed());
            current().unwrap().set_render(Arc::new(|_| None));
            let claim = claim_for_write().expect("the write's claim");
            assert!(scope.claimed());
            assert_eq!((claim.instance_id.as_str(), claim.key.as_str()), ("ins", "k"));
            assert!(claim_for_write().is_none(), "once");
        })
        .await;
        assert!(claim_for_write().is_none(), "the scope ends with the request");
    }
}
