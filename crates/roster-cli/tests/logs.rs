//! Logs as an operator reads them: JSON lines at debug level from the real binary, each request line
//! carrying the trace id its error body carries, and never a secret key. Also `roster check`.

mod harness;

use std::time::Duration;

use harness::{roster, run, serve};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn request_logs_carry_trace_ids_and_never_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let key = format!("sk_test_{}", harness::random_hex());
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", &key).env("ROSTER_LOG", "debug").env("ROSTER_LOG_FORMAT", "json");
    let mut server = serve(cmd).await;
    let v1 = format!("{}/v1", server.origin);
    // Two requests with malformed credentials go out raw: the client of the harness always sends a Bearer key.
    let client = reqwest::Client::new();

    // The right key, wrong keys of both environments, a malformed header, and a key in the query string.
    let api = server.api(&key);
    api.get("/organizations").await.ok();
    let user = api.user(serde_json::json!({"first_name": "Ada"})).await;
    assert!(user.starts_with("user_"));
    let wrong_test = format!("sk_test_wrong_{}", harness::random_hex());
    let wrong_live = format!("sk_live_wrong_{}", harness::random_hex());
    let mut trace_ids = Vec::new();
    for wrong in [&wrong_test, &wrong_live] {
        let resp = api.with_key(wrong).get("/users").await;
        resp.err(401, "clerk_key_invalid");
        trace_ids.push((401, resp.body["clerk_trace_id"].as_str().unwrap().to_owned()));
    }
    let basic = client.get(format!("{v1}/users")).header("Authorization", format!("Basic {key}")).send().await.unwrap();
    assert_eq!(basic.status(), 401);
    let queried = client.get(format!("{v1}/users?api_key={key}")).send().await.unwrap();
    assert_eq!(queried.status(), 401);

    // A key made by the CLI (run with the same logging), then used.
    let (status, listed, _) = run(roster(&db), &["instances", "list"]).await;
    assert!(status.success());
    let instance = listed.split('\t').next().unwrap().to_owned();
    let mut keys = roster(&db);
    keys.env("ROSTER_LOG", "debug").env("ROSTER_LOG_FORMAT", "json");
    let (status, created, cli_stderr) = run(keys, &["keys", "create", "--instance", &instance]).await;
    assert!(status.success(), "{cli_stderr}");
    let new_key = created.trim().split_once('\t').unwrap().1.to_owned();
    assert!(new_key.starts_with("sk_test_"));
    let missing = api.with_key(&new_key).get("/users/user_missing").await;
    missing.err(404, "resource_not_found");
    trace_ids.push((404, missing.body["clerk_trace_id"].as_str().unwrap().to_owned()));

    // A SCIM directory's key: shown once at creation, then used, right and wrong, on its endpoint.
    let org = api.org(serde_json::json!({"name": "Acme"})).await;
    let dir = api.post("/scim_directories", serde_json::json!({"organization_id": org, "provider": "okta"})).await;
    let (scim_url, scim_key) =
        (dir.ok()["endpoint_url"].as_str().unwrap().to_owned(), dir.ok()["api_key"].as_str().unwrap().to_owned());
    let scim = client.get(format!("{scim_url}/Users")).bearer_auth(&scim_key).send().await.unwrap();
    assert_eq!(scim.status(), 200);
    let scim = client.get(format!("{scim_url}/Users")).bearer_auth(format!("{scim_key}0")).send().await.unwrap();
    assert_eq!(scim.status(), 401);

    server.signal("TERM");
    assert!(server.exit(WAIT).await.success());
    let lines = server.logs.drain(WAIT).await.to_vec();

    let all = lines.join("\n");
    assert!(!all.contains(&scim_key[5..]), "a SCIM key is in the logs");
    for secret in [&key, &wrong_test, &wrong_live, &new_key] {
        assert!(!all.contains(secret.as_str()), "a secret key is in the logs");
    }
    assert!(!all.contains("sk_test_") && !all.contains("sk_live_"), "something key-like is in the logs:\n{all}");
    assert!(!cli_stderr.contains("sk_test_"), "the CLI logged the key it made: {cli_stderr}");

    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let completed: Vec<&Value> = events.iter().filter(|e| e["fields"]["message"] == "request completed").collect();
    assert!(completed.len() >= 7, "one completion line per request: {all}");
    for event in &completed {
        assert_eq!(event["level"], "INFO", "{event}");
        let span = &event["span"];
        assert!(span["clerk_trace_id"].as_str().is_some_and(|t| t.len() == 32), "{event}");
        assert!(span["method"].is_string() && span["route"].is_string(), "{event}");
        assert!(event["fields"]["status"].is_u64() && event["fields"]["latency_ms"].is_number(), "{event}");
    }
    for (status, trace_id) in &trace_ids {
        let line = completed
            .iter()
            .find(|e| e["span"]["clerk_trace_id"] == trace_id.as_str())
            .unwrap_or_else(|| panic!("no log line with the error's trace id {trace_id}:\n{all}"));
        assert_eq!(line["fields"]["status"], *status);
    }
    let not_found = completed.iter().find(|e| e["fields"]["status"] == 404).unwrap();
    assert_eq!(not_found["span"]["route"], "/v1/users/{user_id}", "the route template, not the raw path");
}

#[tokio::test]
async fn check_reports_a_sound_database_and_refuses_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let (status, _, stderr) = run(roster(&db), &["check"]).await;
    assert!(!status.success(), "no database to check");
    assert!(stderr.contains("no such database file"), "{stderr}");
    assert!(!db.exists(), "check never creates a database");

    let (status, _, _) = run(roster(&db), &["migrate"]).await;
    assert!(status.success());
    let (status, stdout, stderr) = run(roster(&db), &["check"]).await;
    assert!(status.success(), "{stderr}");
    assert_eq!(stdout.trim(), "ok");
}
