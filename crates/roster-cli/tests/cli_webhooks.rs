//! Webhooks as an operator runs them: `ROSTER_WEBHOOK_URL` and `ROSTER_WEBHOOK_SECRET` at `roster serve` (one
//! endpoint, kept across restarts, its secret printed once when Roster makes it), and `roster webhooks add |
//! list | test` and `roster events tail` against a running server.

mod harness;

use std::time::Duration;

use serde_json::json;

use harness::{roster, run, serve};
use roster_testkit::receiver::Receiver;

const KEY: &str = "sk_test_cli_webhooks";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn the_development_endpoint_comes_from_the_environment_and_stays_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let receiver = Receiver::start().await;
    let start = |secret: Option<&str>| {
        let mut cmd = roster(&db);
        cmd.env("ROSTER_SECRET_KEY", KEY).env("ROSTER_WEBHOOK_URL", receiver.url());
        if let Some(secret) = secret {
            cmd.env("ROSTER_WEBHOOK_SECRET", secret);
        }
        serve(cmd)
    };
    // Without a secret: Roster makes one and prints it once.
    let server = start(None).await;
    let printed = server.printed.join("\n");
    let made = printed.split_whitespace().find(|w| w.starts_with("whsec_")).unwrap_or_else(|| panic!("{printed}"));
    server.api(KEY).post("/users", json!({"email_address": ["a@example.com"]})).await.ok();
    let first = receiver.wait_accepted(1).await.remove(0);
    assert_eq!(first.event_type(), "user.created");
    assert!(first.svix_signature.starts_with("v1,"));
    drop(server);

    // Restarted with a secret of our own: the same endpoint, now signing with it; no secret printed.
    let server = start(Some(SECRET)).await;
    assert!(server.printed.iter().all(|l| !l.contains("whsec_")), "{:?}", server.printed);
    let api = server.api(KEY);
    assert_eq!(api.get("/webhook_endpoints").await.ok()["total_count"], 1, "one endpoint across restarts");
    api.post("/users", json!({"email_address": ["b@example.com"]})).await.ok();
    let second = receiver.wait_accepted(2).await.remove(1);
    let secret_of = |d: &roster_testkit::receiver::Delivery, secret: &str| {
        let key = roster_server::webhooks::secret_key(secret).unwrap();
        roster_server::webhooks::send::signature(&[key], &d.svix_id, d.svix_timestamp, &d.body)
    };
    assert!(second.svix_signature.split(' ').any(|s| s == secret_of(&second, SECRET)), "signed with ours");
    assert!(first.svix_signature.split(' ').any(|s| s == secret_of(&first, made)), "the printed one signed");

    // A malformed secret stops the start.
    let mut bad = roster(&db);
    bad.env("ROSTER_SECRET_KEY", KEY).env("ROSTER_WEBHOOK_URL", receiver.url()).env("ROSTER_WEBHOOK_SECRET", "nope");
    drop(server);
    let (status, _, stderr) = run(bad, &["serve", "--listen", "127.0.0.1:0"]).await;
    assert!(!status.success() && stderr.contains("ROSTER_WEBHOOK_SECRET"), "{stderr}");
}

#[tokio::test]
async fn webhooks_and_events_commands_work_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", KEY);
    let server = serve(cmd).await;
    let receiver = Receiver::start().await;
    let client = |args: &[&str]| {
        let mut cmd = roster(&db);
        cmd.env("ROSTER_API_URL", server.base()).env("CLERK_SECRET_KEY", KEY);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        async move {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            run(cmd, &refs).await
        }
    };
    let (status, added, stderr) =
        client(&["webhooks", "add", receiver.url(), "--event-type", "organization.created"]).await;
    assert!(status.success(), "{stderr}");
    let id = added.split('\t').next().unwrap().to_owned();
    assert!(id.starts_with("whe_") && added.contains("secret (shown once): whsec_"), "{added}");
    let (_, listed, _) = client(&["webhooks", "list"]).await;
    assert!(listed.contains(&id) && listed.contains("enabled") && listed.contains("organization.created"), "{listed}");
    assert!(!listed.contains("whsec_"), "a list never shows secrets");
    let (status, tested, stderr) = client(&["webhooks", "test", &id]).await;
    assert!(status.success() && tested.contains("\"succeeded\":true"), "{tested} {stderr}");
    assert_eq!(receiver.wait_accepted(1).await[0].event_type(), "webhook.test");

    // `events tail` from the start prints each event as a JSON line.
    let api = server.api(KEY);
    api.post("/organizations", json!({"name": "Acme"})).await.ok();
    api.post("/users", json!({"email_address": ["a@example.com"]})).await.ok();
    let tail = client(&["events", "tail", "--after", "evt_00000000000", "--limit", "2"]);
    let (status, lines, stderr) = tokio::time::timeout(Duration::from_secs(30), tail).await.expect("tail stops");
    assert!(status.success(), "{stderr}");
    let types: Vec<String> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["organization.created", "user.created"]);
    let (status, _, stderr) = client(&["webhooks", "test", "whe_missing"]).await;
    assert!(!status.success() && stderr.contains("404"), "{stderr}");
}
