//! The `roster` binary as an operator runs it: real processes, real SQLite files, real HTTP.

mod harness;

use tokio::process::Command;

use harness::{roster, roster_at, serve, Server};

/// The status of a list of organizations with `key`.
async fn status(server: &Server, key: &str) -> u16 {
    server.api(key).get("/organizations").await.status
}

async fn output(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.args(args).output().await.unwrap();
    assert!(out.status.success(), "roster {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn first_start_prints_a_working_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let server = serve(roster(&db)).await;
    let key = server
        .printed
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("sk_test_"))
        .unwrap_or_else(|| panic!("no key printed: {:?}", server.printed))
        .to_owned();
    assert!(db.exists(), "database file created on first start");
    assert_eq!(status(&server, &key).await, 200);
    assert_eq!(status(&server, "sk_test_wrong").await, 401);
    drop(server);

    // Second start on the same database: no new key, the old one still works.
    let again = serve(roster(&db)).await;
    assert!(again.printed.iter().all(|l| !l.contains("sk_test_")), "{:?}", again.printed);
    assert_eq!(status(&again, &key).await, 200);
}

#[tokio::test]
async fn secret_key_from_the_environment_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", "sk_test_from_env");
    let server = serve(cmd).await;
    assert!(server.printed.iter().all(|l| !l.contains("sk_test_from_env")), "the secret is never echoed");
    assert_eq!(status(&server, "sk_test_from_env").await, 200);
    assert_eq!(status(&server, "sk_test_other").await, 401);
    // The key is stored hashed: the database file does not contain it.
    drop(server);
    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("roster.db-wal")).unwrap_or_default();
    let needle = b"sk_test_from_env";
    assert!(!bytes.windows(needle.len()).chain(wal.windows(needle.len())).any(|w| w == needle));
}

#[tokio::test]
async fn keys_are_created_listed_and_revoked_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", "sk_test_first");
    let server = serve(cmd).await;

    let listed = output(roster(&db), &["instances", "list"]).await;
    let instance = listed.split('\t').next().unwrap().to_owned();
    assert!(instance.starts_with("ins_") && listed.contains("development"), "{listed}");

    let created = output(roster(&db), &["keys", "create", "--instance", &instance]).await;
    let (key_id, secret) = created.trim().split_once('\t').unwrap();
    assert!(key_id.starts_with("key_") && secret.starts_with("sk_test_"));
    assert_eq!(status(&server, secret).await, 200);

    let keys = output(roster(&db), &["keys", "list"]).await;
    assert!(keys.contains(key_id) && !keys.contains(secret), "list shows hints, never secrets: {keys}");

    output(roster(&db), &["keys", "revoke", key_id]).await;
    assert_eq!(status(&server, secret).await, 401, "a revoked key is refused by the running server");
    assert_eq!(status(&server, "sk_test_first").await, 200);
}

#[tokio::test]
async fn production_instances_are_isolated_from_development() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", "sk_test_dev");
    let server = serve(cmd).await;
    let out = output(roster(&db), &["instances", "create", "--environment", "production", "--name", "prod"]).await;
    let live = out.split_whitespace().find(|w| w.starts_with("sk_live_")).expect("a live key").to_owned();

    let dev = server.api("sk_test_dev");
    let id = dev.org(serde_json::json!({"name": "Dev Org"})).await;
    let prod = server.api(&live);
    prod.get(&format!("/organizations/{id}")).await.err(404, "resource_not_found");
    let list = prod.get("/organizations").await;
    let list = list.ok();
    assert_eq!(list["total_count"], 0);
}

/// `roster instances create` makes the instance's signing key (sealed with ROSTER_KEY_ENCRYPTION_KEY) and
/// `roster keys rotate` publishes the next one at once, which the running server serves and, after the grace
/// period, signs with.
#[tokio::test]
async fn signing_keys_are_made_with_the_instance_and_rotated_by_the_operator() {
    const KEK: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let with_kek = |mut cmd: tokio::process::Command| {
        cmd.env("ROSTER_KEY_ENCRYPTION_KEY", KEK);
        cmd
    };
    let mut cmd = with_kek(roster(&db));
    cmd.env("ROSTER_SECRET_KEY", "sk_test_dev");
    let server = serve(cmd).await;
    let out = output(with_kek(roster(&db)), &["instances", "create", "--name", "tokens"]).await;
    let instance = out.split('\t').next().unwrap().to_owned();
    let secret = out.split_whitespace().find(|w| w.starts_with("sk_test_")).expect("a key").to_owned();
    let api = server.api(&secret);
    let first = api.get("/jwks").await.ok()["keys"].clone();
    assert_eq!(first.as_array().map(Vec::len), Some(1), "{first}");

    let rotated = output(with_kek(roster(&db)), &["keys", "rotate", "--instance", &instance, "--grace", "1s"]).await;
    let lines: Vec<&str> = rotated.lines().collect();
    assert_eq!(lines.len(), 2, "{rotated}");
    assert!(lines[0].starts_with(first[0]["kid"].as_str().unwrap()) && !lines[0].ends_with("retire_at=-"));
    let next = lines[1].split('\t').next().unwrap();
    assert!(!rotated.contains("plain.") && !rotated.contains("v1."), "no key material printed: {rotated}");
    tokio::time::sleep(std::time::Duration::from_millis(6200)).await; // grace, and the server's key cache
    let jwks = api.get("/jwks").await;
    assert!(jwks.text.contains(next), "{}", jwks.text);
    let user = api.user_with_email("a@example.com").await;
    let session = api.post("/sessions", serde_json::json!({"user_id": user})).await.ok()["id"].clone();
    let token = api.post(&format!("/sessions/{}/tokens", session.as_str().unwrap()), serde_json::json!({})).await;
    let jwt = token.ok()["jwt"].as_str().unwrap().to_owned();
    assert_eq!(roster_jwt::decode_unverified(&jwt).unwrap().0.kid.as_deref(), Some(next));

    // Without the encryption key a rotation would store the next key in the clear: refused.
    let keyless = roster(&db).args(["keys", "rotate", "--instance", &instance]).output().await.unwrap();
    assert!(!keyless.status.success());
    assert!(String::from_utf8_lossy(&keyless.stderr).contains("ROSTER_KEY_ENCRYPTION_KEY"), "{keyless:?}");
}

#[tokio::test]
async fn migrate_reports_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = output(roster(&dir.path().join("roster.db")), &["migrate"]).await;
    assert_eq!(out.trim(), "schema is at version 8");
}

/// `roster migrate` and `roster check` on PostgreSQL: check reports a missing schema until migrate has run, then
/// `ok`; a second migrate is a no-op.
#[tokio::test]
async fn migrate_and_check_on_postgres() {
    let Some(db) = roster_testdb::postgres_or_skip("migrate and check on PostgreSQL") else { return };
    let on_pg = || roster_at(&db.url);
    let out = on_pg().arg("check").output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no Roster schema"), "{out:?}");
    for _ in 0..2 {
        assert_eq!(output(on_pg(), &["migrate"]).await.trim(), "schema is at version 8");
    }
    assert_eq!(output(on_pg(), &["check"]).await.trim(), "ok");
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = roster(&dir.path().join("roster.db"));
    cmd.env("ROSTER_SECRET_KEY", "sk_test_term");
    let mut server = serve(cmd).await;
    assert_eq!(status(&server, "sk_test_term").await, 200);
    let pid = server.child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let exit = server.child.wait().await.unwrap();
    assert!(exit.success(), "roster exits 0 after SIGTERM, got {exit:?}");
    // A graceful stop folds the write-ahead log into the database: the next start has nothing to replay.
    let wal = std::fs::metadata(dir.path().join("roster.db-wal")).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "the WAL is truncated on a graceful stop");
}

/// The README's curl examples, run verbatim against a fresh server started the README's way.
#[tokio::test]
async fn readme_examples_run_verbatim() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let section = readme
        .split("<!-- readme-examples:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- readme-examples:end -->").next())
        .expect("README has the examples section");
    let script = section.trim().trim_start_matches("```sh").trim_end_matches("```");

    let dir = tempfile::tempdir().unwrap();
    let mut cmd = roster(&dir.path().join("roster.db"));
    cmd.env("ROSTER_SECRET_KEY", "sk_test_roster_readme_key");
    let server = serve(cmd).await;

    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("ROSTER", server.base())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "examples failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    assert!(!stdout.contains("\"errors\""), "an example got an error: {stdout}");
    // create, patch, metadata and delete print one membership each; the four lists print theirs.
    assert!(stdout.matches("\"object\":\"organization_membership\"").count() >= 10, "{stdout}");
    assert!(stdout.contains("\"role\":\"org:admin\""));
    assert!(stdout.contains("\"team\":{\"name\":\"core\",\"since\":2024}"), "metadata deep-merged: {stdout}");
    assert!(stdout.contains("\"seat\":\"A12\""));
    // The invitation's url carries its ticket; the accepted invitation made a membership with its metadata.
    assert!(stdout.contains("https://app.example.com/join?__clerk_ticket=tkt_"), "{stdout}");
    assert!(stdout.contains("\"public_metadata\":{\"invited\":true}"), "{stdout}");
    assert!(stdout.contains("\"status\":\"accepted\""), "{stdout}");
}
