//! Operator endpoints outside `/v1`: `/healthz`, `/readyz`, `/metrics` (no key needed).

use std::collections::HashMap;

use serde_json::json;

use roster_testkit::TestApp;

fn origin(app: &TestApp) -> String {
    app.base.strip_suffix("/v1").unwrap().to_owned()
}

async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let resp = app.client.get(format!("{}{path}", origin(app))).send().await.unwrap();
    let status = resp.status().as_u16();
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    (status, content_type, resp.text().await.unwrap())
}

/// `name{labels}` → value, from the Prometheus text format.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap();
            (name.to_owned(), value.parse().unwrap_or_else(|_| panic!("{l}")))
        })
        .collect()
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_key() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let (status, content_type, body) = get(&app, path).await;
        assert_eq!((status, content_type.as_str(), body.as_str()), (200, "application/json", r#"{"status":"ok"}"#));
        // A wrong key changes nothing: these endpoints do not authenticate.
        let resp = app.client.get(format!("{}{path}", origin(&app))).bearer_auth("sk_test_wrong").send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    // They are not part of the Clerk API.
    app.get("/healthz").await.err(404, "resource_not_found");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    let user = app.user(json!({"first_name": "Metric"})).await;
    app.get(&format!("/users/{user}")).await.ok();
    app.get("/users/user_missing").await.err(404, "resource_not_found");
    app.get("/no/such/route").await.err(404, "resource_not_found");
    let org = app.org(json!({"name": "Metrics", "created_by": user})).await;
    app.get(&format!("/organizations/{org}/memberships")).await.ok();

    let (status, content_type, text) = get(&app, "/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(!text.contains(&user) && !text.contains(&org) && !text.contains("user_missing"), "raw ids in labels");
    let s = samples(&text);
    let requests = |method: &str, route: &str, status: u16| {
        let key = format!(r#"roster_http_requests_total{{method="{method}",route="{route}",status="{status}"}}"#);
        s.get(&key).copied().unwrap_or_else(|| panic!("no {key} in\n{text}"))
    };
    assert_eq!(requests("POST", "/v1/users", 200), 1.0);
    assert_eq!(requests("GET", "/v1/users/{user_id}", 200), 1.0);
    assert_eq!(requests("GET", "/v1/users/{user_id}", 404), 1.0);
    assert_eq!(requests("GET", "unmatched", 404), 1.0);
    assert_eq!(requests("GET", "/v1/organizations/{organization_id}/memberships", 200), 1.0);
    let count = r#"roster_http_request_duration_seconds_count{method="GET",route="/v1/users/{user_id}"}"#;
    assert_eq!(s[count], 2.0);
    let inf = r#"roster_http_request_duration_seconds_bucket{method="GET",route="/v1/users/{user_id}",le="+Inf"}"#;
    assert_eq!(s[inf], 2.0);
    assert_eq!(s["roster_http_requests_in_flight"], 1.0, "the scrape itself");

    // The store: the connection pool, and on SQLite the writer's batches (bootstrap, the user, the organization).
    assert!(s["roster_store_read_connections"] >= s["roster_store_read_connections_idle"]);
    assert!(s["roster_store_read_connections_max"] >= 1.0);
    if app.is_postgres() {
        // No group commit on PostgreSQL (a transaction per request): no batch metrics.
        assert!(!s.contains_key("roster_store_write_batches_total"), "{text}");
        return;
    }
    assert!(s["roster_store_write_batches_total"] >= 3.0);
    assert_eq!(s["roster_store_write_batch_size_count"], s["roster_store_write_batches_total"]);
    assert_eq!(s["roster_store_write_batch_size_sum"], s["roster_store_write_requests_total"]);
    assert!(s["roster_store_write_batch_largest"] >= 1.0);
    assert!(s["roster_store_read_connections"] >= s["roster_store_read_connections_idle"]);
    assert!(s["roster_store_read_connections_max"] >= 1.0);
}

#[tokio::test]
async fn metrics_show_group_commit_batch_sizes() {
    let app = TestApp::spawn().await;
    if app.is_postgres() {
        // Group commit is SQLite's: PostgreSQL runs a transaction per request (metrics_count_requests_by_route_template
        // checks the batch metrics are absent there).
        return;
    }
    let creates = (0..64).map(|i| app.post("/users", json!({"first_name": format!("Batch {i}")})));
    for resp in futures::future::join_all(creates).await {
        resp.ok();
    }
    let (_, _, text) = get(&app, "/metrics").await;
    let s = samples(&text);
    let bucket = |le: &str| s[&format!(r#"roster_store_write_batch_size_bucket{{le="{le}"}}"#)];
    let bounds = ["1", "2", "4", "8", "16", "32", "64", "128", "256", "512", "+Inf"];
    for pair in bounds.windows(2) {
        assert!(bucket(pair[0]) <= bucket(pair[1]), "cumulative buckets: {text}");
    }
    assert_eq!(bucket("+Inf"), s["roster_store_write_batches_total"]);
    assert!(s["roster_store_write_requests_total"] >= 65.0);
    assert_eq!(s["roster_store_write_batch_size_sum"], s["roster_store_write_requests_total"]);
}
