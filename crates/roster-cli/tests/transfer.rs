//! `roster export` and `roster import` as an operator runs them: the real binary moving a SQLite database into
//! PostgreSQL, exporting it again byte for byte, and serving it. The PostgreSQL parts need
//! `ROSTER_TEST_POSTGRES_URL` (they are skipped without it, and fail in CI without it).

use std::path::Path;
use std::process::{Output, Stdio};

mod harness;

use harness::{roster_at, serve};
use roster_core::model::Environment;
use roster_core::store::{MetadataUpdate, NewIdentification, NewMembership, NewOrganization, NewUser};
use roster_core::Store;
use roster_store::sqlite::{Options, SqliteStore};
use roster_testdb::TestDb;

/// The source's development key: stored hashed, it reaches the target only as its hash, and must still work.
const KEY: &str = "sk_test_transfer_cli_key";

async fn run(url: &str, args: &[&str]) -> Output {
    roster_at(url).args(args).stdin(Stdio::null()).output().await.expect("run roster")
}

/// Run, expecting success; its stderr.
async fn ok(url: &str, args: &[&str]) -> String {
    let out = run(url, args).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "roster {args:?} failed: {stderr}");
    stderr
}

/// Run, expecting failure; its stderr.
async fn fails(url: &str, args: &[&str]) -> String {
    let out = run(url, args).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "roster {args:?} should have failed: {stderr}");
    stderr
}

fn email(value: &str) -> Vec<NewIdentification> {
    vec![NewIdentification { value: value.into(), reserved: false }]
}

fn object(value: serde_json::Value) -> roster_core::metadata::Metadata {
    value.as_object().cloned().expect("a JSON object")
}

/// What the source holds that the test looks for on the target.
struct Seeded {
    org: String,
    /// A user of the instance who is no member of `org`, to add on the target.
    outsider: String,
}

/// A development instance with `KEY`, a production one, users (one with non-ASCII names), an organization with
/// two members, metadata with nested JSON, a session.
async fn seed(db: &TestDb) -> Seeded {
    let path = db.path.as_ref().expect("a SQLite test database").to_str().expect("utf-8 path");
    let store = SqliteStore::open(path, Options::default()).await.unwrap();
    store.bootstrap(Some(KEY)).await.unwrap();
    let ins = store.list_instances().await.unwrap().remove(0).id;
    store.create_instance(Environment::Production, "prod").await.unwrap();
    let user = |first: &str, mail: &str| NewUser {
        first_name: Some(first.into()),
        last_name: Some("Ångström 日本".into()),
        email_addresses: email(mail),
        public_metadata: object(serde_json::json!({"team": {"name": "core", "tags": ["ü", 1, null]}})),
        ..Default::default()
    };
    let zoe = store.create_user(&ins, user("Zoë", "zoe@example.com")).await.unwrap();
    let bob = store.create_user(&ins, user("Bob", "bob@example.com")).await.unwrap();
    let carol = store.create_user(&ins, user("Carol", "carol@example.com")).await.unwrap();
    let org = NewOrganization { name: "Acme Größe".into(), created_by: Some(zoe.id.clone()), ..Default::default() };
    let org = store.create_organization(&ins, org).await.unwrap();
    let member = NewMembership {
        organization_id: org.id.clone().into(),
        user_id: bob.id.clone().into(),
        role: "org:member".into(),
        ..Default::default()
    };
    store.create_membership(&ins, member).await.unwrap();
    let seat = MetadataUpdate {
        public: Some(object(serde_json::json!({"seat": {"row": "A", "n": 12}}))),
        ..Default::default()
    };
    store
        .update_membership_metadata(&ins, &roster_core::OrgId::new(&org.id), &roster_core::UserId::new(&bob.id), seat)
        .await
        .unwrap();
    store.create_session(&ins, &roster_core::UserId::new(&bob.id), None, None).await.unwrap();
    store.close().await.unwrap();
    Seeded { org: org.id, outsider: carol.id }
}

/// A PostgreSQL test database, or `None` (with a note) where none is configured outside CI.
fn postgres() -> Option<TestDb> {
    roster_testdb::postgres_or_skip("the SQLite to PostgreSQL transfer")
}

#[tokio::test]
async fn sqlite_export_imports_into_postgres_identically_and_is_served() {
    let Some(target) = postgres() else { return };
    let source = TestDb::sqlite();
    let seeded = seed(&source).await;
    let dir = source.dir();
    let (first, second) = (dir.join("sqlite.jsonl"), dir.join("postgres.jsonl"));
    let path = |p: &Path| p.to_str().expect("utf-8 path").to_owned();

    let exported = ok(&source.url, &["export", "--output", &path(&first)]).await;
    assert!(exported.contains("memberships: 2 rows, sha256 "), "{exported}");
    assert!(!dir.join("sqlite.jsonl.partial").exists(), "the partial file is renamed");

    let imported = ok(&target.url, &["import", "--input", &path(&first)]).await;
    for table in [
        "instances: 2 rows, sha256 ok",
        "users: 3 rows, sha256 ok",
        "memberships: 2 rows, sha256 ok",
        "sessions: 1 rows, sha256 ok",
    ] {
        assert!(imported.contains(table), "{table} in {imported}");
    }

    ok(&target.url, &["export", "--output", &path(&second)]).await;
    let (from_sqlite, from_postgres) = (std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap());
    assert!(from_sqlite == from_postgres, "the PostgreSQL export differs from the SQLite one");
    eprintln!("transfer: SQLite -> PostgreSQL -> export: byte-identical ({} bytes)", from_sqlite.len());
    let to_stdout = run(&target.url, &["export"]).await;
    assert!(to_stdout.status.success() && to_stdout.stdout == from_sqlite, "export to stdout is the same file");

    let again = fails(&target.url, &["import", "--input", &path(&first)]).await;
    assert!(again.contains("already holds instances"), "{again}");

    // The imported database serves the data, under the key whose hash came along, and takes new writes.
    let server = serve(roster_at(&target.url)).await;
    let api = server.api(KEY);
    let members = format!("/organizations/{}/memberships", seeded.org);
    let listed = api.get(&members).await;
    let listed = listed.ok();
    assert_eq!(listed["total_count"], 2, "{listed}");
    let text = listed.to_string();
    assert!(text.contains("Zoë") && text.contains("Ångström 日本"), "non-ASCII names came along: {text}");
    let seats: Vec<&serde_json::Value> =
        listed["data"].as_array().unwrap().iter().filter_map(|m| m["public_metadata"].get("seat")).collect();
    assert_eq!(seats, [&serde_json::json!({"row": "A", "n": 12})], "nested metadata came along");
    api.add_member(&seeded.org, &seeded.outsider, "org:member").await;
}

#[tokio::test]
async fn import_refuses_a_damaged_file_or_a_used_database() {
    let source = TestDb::sqlite();
    seed(&source).await;
    let dir = source.dir();
    let file = dir.join("export.jsonl");
    let file_arg = file.to_str().expect("utf-8 path");
    ok(&source.url, &["export", "--output", file_arg]).await;

    let refused = fails(&source.url, &["import", "--input", file_arg]).await;
    assert!(refused.contains("already holds instances"), "{refused}");

    // Cut before the summary line: refused, nothing imported.
    let text = std::fs::read_to_string(&file).unwrap();
    let cut = &text[..text.trim_end().rfind('\n').expect("several lines") + 1];
    let truncated = dir.join("truncated.jsonl");
    std::fs::write(&truncated, cut).unwrap();
    let target = TestDb::sqlite();
    let refused = fails(&target.url, &["import", "--input", truncated.to_str().unwrap()]).await;
    assert!(refused.contains("without its summary line"), "{refused}");
    let listed = run(&target.url, &["instances", "list"]).await;
    assert!(listed.status.success() && listed.stdout.is_empty(), "nothing was imported");

    // A malformed line is named by its number.
    let garbled = dir.join("garbled.jsonl");
    std::fs::write(&garbled, text.replacen("{\"table\":\"api_keys\"", "{\"table\":", 1)).unwrap();
    let refused = fails(&target.url, &["import", "--input", garbled.to_str().unwrap()]).await;
    assert!(refused.contains("roster: line ") && refused.contains("not valid JSON"), "{refused}");

    // From stdin, the whole file imports.
    let mut child = roster_at(&target.url)
        .args(["import", "--input", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stdin, text.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Exporting a database that does not exist creates nothing: no database, no output file.
    let missing = dir.join("missing.db");
    let out = dir.join("never.jsonl");
    let refused =
        fails(&format!("sqlite://{}", missing.display()), &["export", "--output", out.to_str().unwrap()]).await;
    assert!(refused.contains("no such database file"), "{refused}");
    assert!(!missing.exists() && !out.exists() && !dir.join("never.jsonl.partial").exists());
}
