//! A panicking handler: a Clerk 500 whose trace id is the request's, counted in the metrics.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;

use roster_server::{observe, panic_response, AppState, Config};

#[tokio::test]
async fn a_panic_is_a_500_with_the_request_trace_id() {
    let db = roster_testkit::TestDb::new();
    let store = roster_testkit::open_store(&db.url).await;
    let state = AppState::new(Arc::clone(&store), Config::default());
    async fn boom() -> Response {
        panic!("boom")
    }
    let app = Router::new()
        .route("/boom/{id}", get(boom))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::layer))
        .with_state(state.clone());
    let request = Request::builder().uri("/boom/7").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let body = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["errors"][0]["code"], "internal_clerk_error");
    assert_eq!(body["clerk_trace_id"].as_str().unwrap().len(), 32);
    let metrics = state.metrics.render();
    assert!(
        metrics.contains(r#"roster_http_requests_total{method="GET",route="/boom/{id}",status="500"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("roster_http_requests_in_flight 0"), "{metrics}");
}
