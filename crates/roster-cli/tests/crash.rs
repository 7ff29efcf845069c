//! Crash safety: the real binary under concurrent write load over HTTP is killed with SIGKILL, restarted on
//! the same SQLite file, and every write it acknowledged with 200 must be there, with `roster check`
//! (`PRAGMA integrity_check`) saying ok, both on the file as the crash left it and after restart.
//! Several rounds on the same file; each round's load is a fixed number of requests at most, and the
//! kill comes once a set number of writes has been acknowledged, mid-load.

mod harness;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::{roster, run, serve, Api, Server};
use serde_json::{json, Value};
use tokio::sync::Notify;

const KEY: &str = "sk_test_crash";
const ROUNDS: usize = 5;
const WORKERS: usize = 16;
/// Users each worker creates at most per round (each followed by a membership).
const USERS_PER_WORKER: usize = 100;
/// Acknowledged writes after which round N's SIGKILL goes out: `KILL_AFTER * N`, well before the load
/// could end (`WORKERS * USERS_PER_WORKER * 2` writes).
const KILL_AFTER: usize = 120;
const WAIT: Duration = Duration::from_secs(60);

/// Writes the server acknowledged with 200.
#[derive(Default)]
struct Acked {
    users: Vec<String>,
    /// (organization, user)
    memberships: Vec<(String, String)>,
}

async fn start(db: &std::path::Path) -> Server {
    let mut cmd = roster(db);
    cmd.env("ROSTER_SECRET_KEY", KEY);
    serve(cmd).await
}

async fn check(db: &std::path::Path) {
    let (status, stdout, stderr) = run(roster(db), &["check"]).await;
    assert!(status.success() && stdout.trim() == "ok", "roster check: {stdout} {stderr}");
}

/// Send a write: its body once a 200 has arrived whole (the acknowledgement), `None` if the connection
/// broke (the server was killed). Any other answer is a bug.
async fn acknowledged(request: reqwest::RequestBuilder) -> Option<Value> {
    let resp = request.send().await.ok()?;
    let status = resp.status();
    let text = resp.text().await.ok()?;
    assert_eq!(status, 200, "a write failed under load: {text}");
    Some(serde_json::from_str(&text).unwrap())
}

/// One worker's load: create a user, make it a member, repeat, until the server stops answering.
async fn worker(
    client: reqwest::Client,
    v1: String,
    org: String,
    acked: Arc<Mutex<Acked>>,
    count: Arc<AtomicUsize>,
    kill: Arc<Notify>,
    kill_after: usize,
) -> usize {
    let ack = || {
        if count.fetch_add(1, Ordering::SeqCst) + 1 == kill_after {
            kill.notify_one();
        }
    };
    let mut sent = 0;
    for _ in 0..USERS_PER_WORKER {
        sent += 1;
        let Some(user) = acknowledged(client.post(format!("{v1}/users")).bearer_auth(KEY).json(&json!({}))).await
        else {
            break;
        };
        let id = user["id"].as_str().unwrap().to_owned();
        acked.lock().unwrap().users.push(id.clone());
        ack();

        sent += 1;
        let body = json!({"user_id": id, "role": "org:member"});
        let url = format!("{v1}/organizations/{org}/memberships");
        if acknowledged(client.post(url).bearer_auth(KEY).json(&body)).await.is_none() {
            break;
        }
        acked.lock().unwrap().memberships.push((org.clone(), id));
        ack();
    }
    sent
}

/// Every acknowledged write is there: each user answers 200 and lists its membership.
async fn verify(api: &Api, acked: &Acked) -> usize {
    let mut expected: Vec<(String, Option<String>)> = acked.users.iter().map(|u| (u.clone(), None)).collect();
    expected.extend(acked.memberships.iter().map(|(o, u)| (u.clone(), Some(o.clone()))));
    let expected = Arc::new(expected);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..WORKERS {
        let (api, expected, next) = (api.clone(), expected.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((user, org)) = expected.get(i) else { break };
                let path = match org {
                    None => format!("/users/{user}"),
                    Some(_) => format!("/users/{user}/organization_memberships?limit=100"),
                };
                let resp = api.get(&path).await;
                assert_eq!(resp.status, 200, "acknowledged user {user} is missing after the crash: {}", resp.text);
                if let Some(org) = org {
                    let orgs: Vec<&str> = resp.body["data"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|m| m["organization"]["id"].as_str())
                        .collect();
                    assert!(
                        orgs.contains(&org.as_str()),
                        "acknowledged membership {user} in {org} is missing: {}",
                        resp.text
                    );
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    expected.len()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let client = reqwest::Client::new();
    let acked = Arc::new(Mutex::new(Acked::default()));
    let mut server = start(&db).await;
    let mut verified = 0;

    for round in 1..=ROUNDS {
        let v1 = format!("{}/v1", server.origin);
        let org = server.api(KEY).org(json!({"name": format!("Crash round {round}")})).await;

        let (count, kill) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                let (client, v1, org) = (client.clone(), v1.clone(), org.clone());
                tokio::spawn(worker(client, v1, org, acked.clone(), count.clone(), kill.clone(), KILL_AFTER * round))
            })
            .collect();
        tokio::time::timeout(WAIT, kill.notified()).await.expect("the load got going");
        server.signal("KILL");
        let exit = server.exit(WAIT).await;
        assert!(!exit.success(), "killed, not exited: {exit:?}");
        let mut sent = 0;
        for w in workers {
            sent += w.await.unwrap();
        }
        assert!(sent < WORKERS * USERS_PER_WORKER * 2, "the kill came mid-load");

        // The file as the crash left it, then after a restart (which recovers the WAL).
        check(&db).await;
        server = start(&db).await;
        check(&db).await;
        let snapshot = {
            let a = acked.lock().unwrap();
            Acked { users: a.users.clone(), memberships: a.memberships.clone() }
        };
        verified = verify(&server.api(KEY), &snapshot).await;
        println!(
            "round {round}: {} requests sent, {} acknowledged this round, {verified} acknowledged writes verified",
            sent,
            count.load(Ordering::SeqCst)
        );
    }
    server.signal("TERM");
    assert!(server.exit(WAIT).await.success());
    check(&db).await;
    println!("crash rounds: {ROUNDS}, acknowledged writes verified: {verified}");
}
