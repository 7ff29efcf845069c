//! SIGTERM drains: requests the server has started when the signal comes are finished and answered in full,
//! then the process exits 0, and their writes are in the database.
//!
//! Each request is made slow on purpose: its head and half its body are sent, the server logs that it
//! started it, SIGTERM goes out, the server logs that it is shutting down, and only then does the rest of
//! the body follow. No sleeps: every step waits for what the server says.

mod harness;

use std::time::Duration;

use harness::{roster, serve};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(60);
const REQUESTS: usize = 32;

/// One HTTP/1.1 request on its own connection, sent in two halves.
struct Slow {
    stream: TcpStream,
    rest: Vec<u8>,
}

async fn start(addr: &str, path: &str, key: &str, body: &str) -> Slow {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.as_bytes().split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first).await.unwrap();
    stream.flush().await.unwrap();
    Slow { stream, rest: rest.to_vec() }
}

/// Send the rest of the body and read the whole response: (status, JSON body).
async fn finish(mut slow: Slow) -> (u16, Value) {
    slow.stream.write_all(&slow.rest).await.expect("the server still reads the request");
    let mut raw = Vec::new();
    slow.stream.read_to_end(&mut raw).await.expect("a response, not a reset");
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("incomplete response: {text:?}"));
    let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{head}"));
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("no content-length: {head}"));
    assert_eq!(body.len(), length, "the whole body arrived: {text:?}");
    (status, serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}")))
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_finishes_requests_in_flight_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let key = "sk_test_drain";
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", key).env("ROSTER_LOG", "info,roster_server::observe=debug");
    let mut server = serve(cmd).await;
    let addr = server.origin.strip_prefix("http://").unwrap().to_owned();

    // An organization for half of the requests to join users to.
    let client = reqwest::Client::new();
    let v1 = format!("{}/v1", server.origin);
    let post = |path: String, body: Value| client.post(format!("{v1}{path}")).bearer_auth(key).json(&body).send();
    let org: Value =
        post("/organizations".into(), serde_json::json!({"name": "Drain"})).await.unwrap().json().await.unwrap();
    let org_id = org["id"].as_str().unwrap().to_owned();
    let mut members = Vec::new();
    for _ in 0..REQUESTS / 2 {
        let user: Value = post("/users".into(), serde_json::json!({})).await.unwrap().json().await.unwrap();
        members.push(user["id"].as_str().unwrap().to_owned());
    }
    server.logs.wait_for("request started", REQUESTS / 2 + 1, WAIT).await;

    // Half create users, half create memberships: each stalls half-way through its body.
    let mut slow = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let body = format!(r#"{{"first_name":"Drain","last_name":"User {i}"}}"#);
        slow.push(start(&addr, "/v1/users", key, &body).await);
        let body = format!(r#"{{"user_id":"{member}","role":"org:member"}}"#);
        slow.push(start(&addr, &format!("/v1/organizations/{org_id}/memberships"), key, &body).await);
    }
    // Every one of them has reached the server's handler chain before the signal.
    server.logs.wait_for("request started", REQUESTS / 2 + 1 + REQUESTS, WAIT).await;
    server.signal("TERM");
    server.logs.wait_for("shutting down", 1, WAIT).await;

    let tasks: Vec<_> = slow.into_iter().map(|s| tokio::spawn(finish(s))).collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    let mut users = Vec::new();
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        match body["object"].as_str() {
            Some("user") => users.push(body["id"].as_str().unwrap().to_owned()),
            Some("organization_membership") => assert_eq!(body["organization"]["id"], org_id.as_str()),
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(users.len(), REQUESTS / 2);
    let exit = server.exit(WAIT).await;
    assert!(exit.success(), "roster exits 0 after draining, got {exit:?}");

    // What was answered is in the database.
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", key);
    let again = serve(cmd).await;
    let v1 = format!("{}/v1", again.origin);
    for id in &users {
        let resp = client.get(format!("{v1}/users/{id}")).bearer_auth(key).send().await.unwrap();
        assert_eq!(resp.status(), 200, "user {id} answered before shutdown is stored");
    }
    let list: Value = client
        .get(format!("{v1}/organizations/{org_id}/memberships?limit=100"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total_count"], REQUESTS / 2, "{list}");
    println!("drained requests answered in full: {}", answers.len());
}
