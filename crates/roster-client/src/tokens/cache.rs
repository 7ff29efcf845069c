//! The JWKS cache: one fetch per TTL, a refetch when a token names a key it does not hold (bounded, and shared
//! by every verification that waits for it), and a lock-light read for the warm path.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use reqwest::Method;
use roster_jwt::{Jwks, KeySet};

use crate::client::Operation;
use crate::tokens::TokenError;
use crate::{BackoffStrategy, Clerk, Error, RequestOptions, RetryConfig};

/// How long fetched keys are used before they are fetched again: 5 minutes, as in @clerk/backend.
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(300);

/// The shortest time between two fetches caused by tokens whose `kid` is unknown: 5 seconds. A flood of tokens
/// with made-up key ids costs the server at most one JWKS request per interval.
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(5);

/// The keys as last fetched.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub(crate) keys: KeySet,
    pub(crate) jwks: Jwks,
    /// When they were fetched; `None` for keys given up front (they never go stale) or before the first fetch.
    fetched_at: Option<Instant>,
}

/// Why a refresh is asked for.
pub(crate) enum Need<'a> {
    /// Keys no older than the TTL (the first fetch included).
    Fresh,
    /// A key with this id (a token named it and the keys held do not have it).
    Kid(&'a str),
    /// A new fetch, whatever is held.
    Forced,
}

/// The outcome of the last completed fetch, guarded by the single-flight lock.
#[derive(Default)]
struct FetchState {
    completed_at: Option<Instant>,
    error: Option<TokenError>,
}

/// A cache of an instance's JSON Web Key Set (`GET /v1/jwks`), shared by every verification.
///
/// - Keys are fetched on first need and kept for a TTL ([`DEFAULT_JWKS_TTL`]); a verification after that
///   fetches them again.
/// - A token whose `kid` is not among the held keys (a key rotation published a new one) triggers a refetch,
///   at most once per [`DEFAULT_MIN_REFETCH_INTERVAL`], so bogus key ids cannot hammer the server.
/// - Fetches are single-flight: verifications that need keys at the same time wait for one request.
/// - The warm path is a read lock and an `Arc` clone, then the RSA verification.
///
/// Cheap to share: put it in an `Arc` (a [`Verifier`](crate::tokens::Verifier) does).
pub struct JwksCache {
    source: Option<Clerk>,
    fetch_options: RequestOptions,
    ttl: Duration,
    min_refetch_interval: Duration,
    current: RwLock<Arc<Snapshot>>,
    refresh: tokio::sync::Mutex<FetchState>,
    /// Fetches started.
    started: AtomicU64,
    /// Fetches completed (successfully or not).
    completed: AtomicU64,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("server_url", &self.source.as_ref().map(Clerk::server_url))
            .field("ttl", &self.ttl)
            .field("min_refetch_interval", &self.min_refetch_interval)
            .field("keys", &self.snapshot().keys.len())
            .field("fetches", &self.fetch_count())
            .finish()
    }
}

impl JwksCache {
    /// A cache fetching from the Backend API at `server_url` (as [`ClerkBuilder::server_url`] takes it, for
    /// example `http://127.0.0.1:8080/v1` for a local Roster or `https://api.clerk.com/v1`) with `secret_key`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] as [`ClerkBuilder::build`] gives it.
    ///
    /// [`ClerkBuilder::server_url`]: crate::ClerkBuilder::server_url
    /// [`ClerkBuilder::build`]: crate::ClerkBuilder::build
    pub fn new(server_url: impl Into<String>, secret_key: impl Into<String>) -> Result<Self, Error> {
        Ok(Self::from_client(&Clerk::builder().server_url(server_url).secret_key(secret_key).build()?))
    }

    /// A cache fetching through this client (its server URL, secret key and HTTP client).
    pub fn from_client(clerk: &Clerk) -> Self {
        Self::with_source(Some(clerk.clone()), Jwks::default())
    }

    /// A cache of fixed keys that never fetches (Clerk's `jwtKey`: networkless verification).
    pub fn from_jwks(jwks: Jwks) -> Self {
        Self::with_source(None, jwks)
    }

    fn with_source(source: Option<Clerk>, jwks: Jwks) -> Self {
        let strategy = BackoffStrategy {
            initial_interval: Duration::from_millis(100),
            max_interval: Duration::from_secs(1),
            exponent: 2.0,
            max_elapsed_time: Duration::from_secs(3),
        };
        let fetch_options = RequestOptions::default()
            .timeout(Duration::from_secs(5))
            .retries(RetryConfig::Backoff { strategy, retry_connection_errors: true });
        Self {
            source,
            fetch_options,
            ttl: DEFAULT_JWKS_TTL,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            current: RwLock::new(Arc::new(Snapshot { keys: KeySet::from(&jwks), jwks, fetched_at: None })),
            refresh: tokio::sync::Mutex::new(FetchState::default()),
            started: AtomicU64::new(0),
            completed: AtomicU64::new(0),
        }
    }

    /// Keep fetched keys this long. Default [`DEFAULT_JWKS_TTL`].
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Refetch for an unknown `kid` (or after a failed fetch) at most once per `interval`. Default
    /// [`DEFAULT_MIN_REFETCH_INTERVAL`]; zero refetches for every unknown `kid` (still single-flight).
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// The options of each JWKS request. Default: a 5 s timeout, and retries for at most 3 s.
    pub fn with_fetch_options(mut self, options: RequestOptions) -> Self {
        self.fetch_options = options;
        self
    }

    /// The TTL of fetched keys.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The minimum interval between two refetches for unknown key ids.
    pub fn min_refetch_interval(&self) -> Duration {
        self.min_refetch_interval
    }

    /// How many JWKS requests this cache has started.
    pub fn fetch_count(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// The keys held now (empty before the first fetch).
    pub fn jwks(&self) -> Jwks {
        self.snapshot().jwks.clone()
    }

    /// Whether a key with this id is held now.
    pub fn contains(&self, kid: &str) -> bool {
        self.snapshot().keys.contains(kid)
    }

    /// Fetch the keys now, unless a fetch that completes while this call waits answers it.
    ///
    /// # Errors
    ///
    /// [`TokenError::JwksFetch`] when the request fails.
    pub async fn refresh(&self) -> Result<(), TokenError> {
        self.refresh_for(Need::Forced).await.map(drop)
    }

    /// Fetch the keys if none were fetched yet or they are older than the TTL (warm the cache at startup).
    ///
    /// # Errors
    ///
    /// [`TokenError::JwksFetch`] when the request fails.
    pub async fn ensure_fresh(&self) -> Result<(), TokenError> {
        self.refresh_for(Need::Fresh).await.map(drop)
    }

    /// The keys held now, whatever their age.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether `snapshot` may be used without fetching.
    pub(crate) fn is_fresh(&self, snapshot: &Snapshot) -> bool {
        match (&self.source, snapshot.fetched_at) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(_), Some(at)) => at.elapsed() < self.ttl,
        }
    }

    /// Make the keys meet `need`, fetching at most once for every caller waiting at the same time, and return
    /// them. A refetch for an unknown `kid` within the minimum interval of the last fetch does not happen: the
    /// keys held are returned (and the token is then refused as signed by an unknown key).
    pub(crate) async fn refresh_for(&self, need: Need<'_>) -> Result<Arc<Snapshot>, TokenError> {
        let seen = self.completed.load(Ordering::Acquire);
        let mut state = self.refresh.lock().await;
        let held = self.snapshot();
        let satisfied = match need {
            Need::Fresh => self.is_fresh(&held),
            Need::Kid(kid) => held.keys.contains(kid),
            Need::Forced => false,
        };
        if satisfied {
            return Ok(held);
        }
        let Some(clerk) = &self.source else { return Ok(held) };
        let outcome = |state: &FetchState| match &state.error {
            Some(e) => Err(e.clone()),
            None => Ok(held.clone()),
        };
        // A fetch completed while this caller waited: it answers this caller too.
        if self.completed.load(Ordering::Acquire) != seen {
            return outcome(&state);
        }
        let recent = state.completed_at.is_some_and(|at| at.elapsed() < self.min_refetch_interval);
        let throttled = match need {
            Need::Kid(_) => recent,
            Need::Fresh => recent && state.error.is_some(),
            Need::Forced => false,
        };
        if throttled {
            return outcome(&state);
        }

        self.started.fetch_add(1, Ordering::Relaxed);
        let op = Operation::new(Method::GET, "/jwks".into(), &[401, 403]);
        let result: Result<Jwks, Error> = clerk.execute(op, Some(&self.fetch_options)).await;
        state.completed_at = Some(Instant::now());
        self.completed.fetch_add(1, Ordering::Release);
        match result {
            Ok(jwks) => {
                let fresh = Arc::new(Snapshot { keys: KeySet::from(&jwks), jwks, fetched_at: Some(Instant::now()) });
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = fresh.clone();
                state.error = None;
                Ok(fresh)
            }
            Err(e) => {
                let e = TokenError::JwksFetch(Arc::new(e));
                state.error = Some(e.clone());
                Err(e)
            }
        }
    }
}
