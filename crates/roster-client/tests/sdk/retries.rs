//! Retries and headers, against a local server that fails on purpose.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use roster_client::funcs::organization_memberships_list;
use roster_client::{BackoffStrategy, Clerk, Error, RequestOptions, RetryConfig};
use serde_json::json;

use crate::support::*;

#[derive(Clone, Copy)]
enum Mode {
    /// 503 for the first `n` attempts, then 200.
    FailFirst(usize),
    /// 503 with `Retry-After: 1` once, then 200.
    RetryAfterOnce,
    /// Always 503.
    AlwaysFail,
}

#[derive(Clone)]
struct Flaky {
    mode: Mode,
    attempts: Arc<AtomicUsize>,
    last_headers: Arc<Mutex<Option<axum::http::HeaderMap>>>,
}

async fn flaky_handler(
    axum::extract::State(flaky): axum::extract::State<Flaky>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let n = flaky.attempts.fetch_add(1, Ordering::SeqCst);
    *flaky.last_headers.lock().unwrap() = Some(headers);
    let unavailable = || (axum::http::StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response();
    let ok = || axum::Json(json!({"data": [], "total_count": 0})).into_response();
    match flaky.mode {
        Mode::FailFirst(k) if n < k => unavailable(),
        Mode::FailFirst(_) => ok(),
        Mode::RetryAfterOnce if n == 0 => ([(axum::http::header::RETRY_AFTER, "1")], unavailable()).into_response(),
        Mode::RetryAfterOnce => ok(),
        Mode::AlwaysFail => unavailable(),
    }
}

/// Start a failing server; returns its base URL and state.
async fn flaky(mode: Mode) -> (String, Flaky) {
    let state = Flaky { mode, attempts: Arc::default(), last_headers: Arc::default() };
    let app = axum::Router::new().fallback(flaky_handler).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), state)
}

fn quick(max_elapsed: Duration) -> RetryConfig {
    RetryConfig::Backoff {
        strategy: BackoffStrategy {
            initial_interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            exponent: 1.5,
            max_elapsed_time: max_elapsed,
        },
        retry_connection_errors: true,
    }
}

fn client(base: &str, retries: RetryConfig) -> Clerk {
    Clerk::builder().secret_key("sk_test_flaky").server_url(base).retry_config(retries).build().unwrap()
}

#[tokio::test]
async fn retries_503_until_success() {
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    let page = client(&base, quick(Duration::from_secs(10))).organization_memberships().list(list_req("org_1")).await;
    assert_eq!(page.unwrap().total_count, 0);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn gives_up_on_5xx_after_max_elapsed_time() {
    let (base, state) = flaky(Mode::AlwaysFail).await;
    let start = Instant::now();
    let r = client(&base, quick(Duration::from_millis(300))).organization_memberships().list(list_req("org_1")).await;
    assert_api_error(r, 503);
    assert!(state.attempts.load(Ordering::SeqCst) > 1);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn retry_none_makes_exactly_one_attempt() {
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    // Client-wide None.
    let r = client(&base, RetryConfig::None).organization_memberships().list(list_req("org_1")).await;
    assert_api_error(r, 503);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 1);

    // Per-call None overrides a retrying client...
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    let api = client(&base, quick(Duration::from_secs(10))).organization_memberships();
    let r = api.clone().with_options(RequestOptions::default().retries(RetryConfig::None)).list(list_req("o")).await;
    assert_api_error(r, 503);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 1);
    // ...and per-call retries override a non-retrying client.
    let (base, state) = flaky(Mode::FailFirst(1)).await;
    let r = organization_memberships_list(
        &client(&base, RetryConfig::None),
        list_req("o"),
        Some(RequestOptions::default().retries(quick(Duration::from_secs(10)))),
    )
    .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(state.attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn honours_retry_after() {
    let (base, state) = flaky(Mode::RetryAfterOnce).await;
    let start = Instant::now();
    let r = client(&base, quick(Duration::from_secs(30))).organization_memberships().list(list_req("org_1")).await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(state.attempts.load(Ordering::SeqCst), 2);
    // The computed backoff would be ~10 ms; Retry-After asked for a second.
    assert!(start.elapsed() >= Duration::from_millis(900), "{:?}", start.elapsed());
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let start = Instant::now();
    let r = client(&format!("http://{addr}/v1"), quick(Duration::from_millis(300)))
        .organization_memberships()
        .list(list_req("org_1"))
        .await;
    match r {
        Err(Error::Transport(e)) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    // Retries go on while the next wait (at most 50 ms) fits in the 300 ms budget, so reaching the error takes
    // at least 250 ms: many attempts, not one.
    assert!(start.elapsed() >= Duration::from_millis(200), "{:?}", start.elapsed());

    // Without retries it fails at once.
    let r =
        client(&format!("http://{addr}/v1"), RetryConfig::None).organization_memberships().list(list_req("o")).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
}

#[tokio::test]
async fn sends_auth_version_user_agent_and_custom_headers() {
    let (base, state) = flaky(Mode::FailFirst(0)).await;
    let api = client(&base, RetryConfig::None).organization_memberships();
    api.with_options(RequestOptions::default().header("x-request-id", "abc")).list(list_req("org_1")).await.unwrap();
    let headers = state.last_headers.lock().unwrap().clone().unwrap();
    assert_eq!(headers["authorization"], "Bearer sk_test_flaky");
    assert_eq!(headers["clerk-api-version"], "2026-05-12");
    assert_eq!(headers["user-agent"], concat!("roster-client/", env!("CARGO_PKG_VERSION")));
    assert_eq!(headers["x-request-id"], "abc");

    let custom = Clerk::builder().secret_key("k").server_url(&base).user_agent("my-app/1.0").build().unwrap();
    custom.organization_memberships().list(list_req("org_1")).await.unwrap();
    assert_eq!(state.last_headers.lock().unwrap().as_ref().unwrap()["user-agent"], "my-app/1.0");
}
