use std::path::Path;

use roster_core::model::Environment;
use roster_core::store::{
    MetadataUpdate, NewIdentification, NewMembership, NewOrganization, NewPermission, NewRole, NewUser, SettingsUpdate,
};
use roster_core::webhooks::EventLog;
use roster_core::{InstanceId, KeyId, OrgId, Store, UserId};

use super::export::export_paged;
use super::*;
use crate::sqlite::{Durability, Options, SqliteStore};

pub(super) const SECRET: &str = "sk_test_transfer_unit_key";

pub(super) async fn sqlite(dir: &Path, name: &str) -> SqliteStore {
    let path = dir.join(name);
    let options = Options { durability: Durability::Normal, read_connections: 2 };
    SqliteStore::open(path.to_str().expect("utf-8 temp path"), options).await.expect("open sqlite")
}

fn object(value: serde_json::Value) -> roster_core::metadata::Metadata {
    value.as_object().cloned().expect("a JSON object")
}

fn email(value: &str) -> Vec<NewIdentification> {
    vec![NewIdentification { value: value.into(), reserved: false }]
}

/// Something of every table: two instances, a revoked key, a custom permission and role, users with
/// non-ASCII names and nested metadata, an organization and its memberships, a session.
async fn seed(store: &impl Store) -> InstanceId {
    store.bootstrap(Some(SECRET)).await.unwrap();
    let ins = store.list_instances().await.unwrap().remove(0).id;
    let prod = store.create_instance(Environment::Production, "Prod — ünïcode").await.unwrap();
    let (key, _) = store.create_key(&prod.id, None).await.unwrap();
    store.revoke_key(&KeyId::new(&key.id)).await.unwrap();
    let settings =
        SettingsUpdate { domains_enabled: Some(true), max_allowed_memberships: Some(50), ..Default::default() };
    store.update_organization_settings(&ins, settings).await.unwrap();

    let perm =
        NewPermission { name: "Read docs".into(), key: "org:docs:read".into(), description: "Lesen 📄".into() };
    let perm = store.create_permission(&ins, perm).await.unwrap();
    let role =
        NewRole { name: "Editor".into(), key: "org:editor".into(), description: None, permissions: vec![perm.id] };
    store.create_role(&ins, role).await.unwrap();

    let alice = NewUser {
        first_name: Some("Zoë".into()),
        last_name: Some("Ångström \"quoted\" \\ 日本".into()),
        email_addresses: email("alice@example.com"),
        public_metadata: object(serde_json::json!({"team": {"name": "core", "tags": ["a", "ü", null]}, "n": 1.5})),
        delete_self_enabled: true,
        create_organization_enabled: true,
        ..Default::default()
    };
    let alice = store.create_user(&ins, alice).await.unwrap();
    let bob = NewUser {
        username: Some("bobby".into()),
        email_addresses: email("bob@example.com"),
        banned: true,
        ..Default::default()
    };
    let bob = store.create_user(&ins, bob).await.unwrap();

    let org = NewOrganization {
        name: "Acme\tTab\nNewline".into(),
        created_by: Some(alice.id.clone()),
        private_metadata: object(serde_json::json!({"billing": {"plan": "pro", "seats": [1, 2, 3]}})),
        ..Default::default()
    };
    let org = store.create_organization(&ins, org).await.unwrap();
    let membership = NewMembership {
        organization_id: org.id.clone().into(),
        user_id: bob.id.clone().into(),
        role: "org:editor".into(),
        public_metadata: object(serde_json::json!({"seat": "A12"})),
        ..Default::default()
    };
    store.create_membership(&ins, membership).await.unwrap();
    let update = MetadataUpdate { private: Some(object(serde_json::json!({"note": "ß"}))), ..Default::default() };
    store.update_membership_metadata(&ins, &OrgId::new(&org.id), &UserId::new(&bob.id), update).await.unwrap();
    store.create_session(&ins, &UserId::new(&bob.id), Some(OrgId::new(&org.id)), None).await.unwrap();
    let endpoint = roster_core::webhooks::NewEndpoint {
        id: "whe_transfer".into(),
        url: "https://hooks.example.com/roster".into(),
        description: "billing ✓".into(),
        event_types: vec!["organizationMembership.created".into()],
        secret: "plain.d2hzZWNf".into(),
    };
    store.create_webhook_endpoint(&ins, endpoint).await.unwrap();
    let invitation = roster_core::invitations::NewInvitation {
        email_address: "carol@example.com".into(),
        role: "org:editor".into(),
        inviter_user_id: Some(UserId::new(&alice.id)),
        public_metadata: object(serde_json::json!({"via": "invite"})),
        redirect_url: Some("https://app.example/join".into()),
        ..Default::default()
    };
    store.create_invitations(&ins, &OrgId::new(&org.id), vec![invitation]).await.unwrap();
    let domain = roster_core::domains::NewDomain {
        name: "acme.example".into(),
        enrollment_mode: roster_core::domains::EnrollmentMode::ManualInvitation,
        verified: true,
    };
    store.create_domain(&ins, &OrgId::new(&org.id), domain).await.unwrap();
    let set = roster_core::role_sets::NewRoleSet {
        name: "Editors".into(),
        default_role_key: "org:editor".into(),
        creator_role_key: "org:admin".into(),
        role_keys: vec!["org:editor".into(), "org:admin".into()],
        ..Default::default()
    };
    store.create_role_set(&ins, set).await.unwrap();
    super::tests_seed::seed_scim(store, &ins, &org.id).await;
    ins
}

async fn export_bytes<B: Backend>(backend: &B, page_rows: usize) -> Vec<u8> {
    export_paged(backend, Vec::new(), Arc::new(NoProgress), page_rows).await.expect("export").1
}

/// A seeded SQLite store and its export.
pub(super) async fn seeded(dir: &Path) -> (SqliteStore, Vec<u8>) {
    let store = sqlite(dir, "source.db").await;
    seed(&store).await;
    let bytes = export_bytes(store.backend(), PAGE_ROWS).await;
    (store, bytes)
}

pub(super) async fn import_bytes(target: &SqliteStore, bytes: Vec<u8>) -> Result<Summary, TransferError> {
    import(target.backend(), Input::stream(io::Cursor::new(bytes)), Arc::new(NoProgress)).await
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec()).expect("utf-8").lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn transfer_round_trip_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, exported) = seeded(dir.path()).await;
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, &exported).unwrap();

    let target = sqlite(dir.path(), "target.db").await;
    let summary = import(target.backend(), Input::file(&file), Arc::new(NoProgress)).await.unwrap();
    assert_eq!(summary.iter().map(|s| s.table).collect::<Vec<_>>(), TABLES.iter().map(|t| t.name).collect::<Vec<_>>());
    assert_eq!(export_bytes(target.backend(), PAGE_ROWS).await, exported, "export of the import is identical");

    let text = lines(&exported);
    assert_eq!(
        text[0],
        format!("{{\"roster_export\":1,\"schema_version\":{}}}", crate::sqlite::latest_schema_version())
    );
    assert!(text.last().unwrap().starts_with("{\"summary\":{\"instances\":{\"count\":2,"));
    assert!(text.iter().any(|l| l.contains("\"org_enabled\":true,") && l.contains("\"org_domains_enabled\":true")));
    assert!(text.iter().any(|l| l.starts_with("{\"table\":\"memberships\",\"row\":{\"rowid\":")));
    assert!(text.iter().any(|l| l.contains("\"first_name\":\"Zoë\"")), "non-ASCII text is written as is");
    assert!(text.iter().any(|l| l.contains("\\\"quoted\\\" \\\\ 日本")), "quotes and backslashes are escaped");
    assert!(text.iter().any(|l| l.contains("\"name\":\"Acme\\tTab\\nNewline\"")));
    assert!(!text.iter().any(|l| l.contains("users_search")));
}

#[tokio::test]
async fn transfer_page_size_does_not_change_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let (source, exported) = seeded(dir.path()).await;
    // Pages of one and two rows walk every keyset boundary, role_permissions' two-column key included.
    assert_eq!(export_bytes(source.backend(), 1).await, exported);
    assert_eq!(export_bytes(source.backend(), 2).await, exported);
}

#[tokio::test]
async fn transfer_imported_store_serves_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let (source, exported) = seeded(dir.path()).await;
    let target = sqlite(dir.path(), "target.db").await;
    import_bytes(&target, exported).await.unwrap();

    let instance = target.authenticate(SECRET).await.unwrap().expect("the hashed key came along");
    let before =
        source.list_memberships(&instance.id, None, Default::default(), Default::default(), Default::default());
    let after = target.list_memberships(&instance.id, None, Default::default(), Default::default(), Default::default());
    let (before, after) = (before.await.unwrap(), after.await.unwrap());
    assert_eq!(before, after);
    assert_eq!(after.total_count, 2);
    // New rows get rowids past the imported ones: a new member lists after the imported ones.
    let user = target.create_user(&instance.id, NewUser::default()).await.unwrap();
    let org = after.data[0].organization.id.clone();
    let member = NewMembership {
        organization_id: org.into(),
        user_id: user.id.into(),
        role: "org:member".into(),
        ..Default::default()
    };
    target.create_membership(&instance.id, member).await.unwrap();
    // The endpoint came along; the log starts anew, and the endpoint is queued the new membership's event.
    let endpoints = target.list_webhook_endpoints(&instance.id, Default::default()).await.unwrap();
    assert_eq!(endpoints.data.len(), 1);
    assert_eq!(endpoints.data[0].event_types, ["organizationMembership.created"]);
    let events = target.list_events(&instance.id, roster_core::events::EventQuery { limit: 10, ..Default::default() });
    let types: Vec<String> = events.await.unwrap().into_iter().map(|e| e.event_type).collect();
    assert_eq!(types, ["user.created", "organizationMembership.created"], "only what the target wrote");
    assert_eq!(target.advance_events().await.unwrap(), 1);
    let lease = roster_core::webhooks::LeaseRequest {
        owner: "test".into(),
        now: roster_core::now_millis(),
        lease_ms: 1000,
        max: 10,
        run: 10,
    };
    let claimed = target.claim_deliveries(lease).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].event.event_type, "organizationMembership.created");
    assert_eq!(claimed[0].secrets, ["plain.d2hzZWNf"]);
}

#[tokio::test]
async fn transfer_truncated_file_is_refused_and_leaves_the_target_empty() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, exported) = seeded(dir.path()).await;
    let text = lines(&exported);
    let cut = text[..text.len() - 1].join("\n") + "\n";
    let target = sqlite(dir.path(), "target.db").await;
    let err = import_bytes(&target, cut.into_bytes()).await.unwrap_err();
    assert!(matches!(err, TransferError::Truncated), "{err}");
    assert!(target.list_instances().await.unwrap().is_empty(), "nothing was imported");
    // Cut inside a row: that line is damaged JSON, named by its number.
    let half = String::from_utf8_lossy(&exported[..exported.len() / 2]).into_owned();
    let err = import_bytes(&target, half.into_bytes()).await.unwrap_err();
    assert!(matches!(err, TransferError::Format { .. } | TransferError::Truncated), "{err}");
    assert!(target.list_instances().await.unwrap().is_empty());
}

#[tokio::test]
async fn transfer_tampered_row_is_refused_and_leaves_the_target_empty() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, exported) = seeded(dir.path()).await;
    let tampered = String::from_utf8(exported).unwrap().replace("\"username\":\"bobby\"", "\"username\":\"robby\"");
    let target = sqlite(dir.path(), "target.db").await;
    let err = import_bytes(&target, tampered.into_bytes()).await.unwrap_err();
    assert!(matches!(err, TransferError::Checksum { table: "users", count: 2, found: 2, .. }), "{err}");
    assert!(target.list_instances().await.unwrap().is_empty(), "rolled back");
}

#[tokio::test]
async fn transfer_into_a_database_with_instances_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (source, exported) = seeded(dir.path()).await;
    let err = import_bytes(&source, exported.clone()).await.unwrap_err();
    assert!(matches!(err, TransferError::NotEmpty), "{err}");
    assert!(err.to_string().contains("already holds instances"));
    assert_eq!(export_bytes(source.backend(), PAGE_ROWS).await, exported, "unchanged");
}

#[tokio::test]
async fn transfer_malformed_lines_are_named_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let (_source, exported) = seeded(dir.path()).await;
    let text = lines(&exported);
    let target = sqlite(dir.path(), "target.db").await;
    let with = |at: usize, line: &str| {
        let mut edited = text.clone();
        edited[at] = line.to_owned();
        (edited.join("\n") + "\n").into_bytes()
    };
    let row = |table: &str, row: &str| format!("{{\"table\":\"{table}\",\"row\":{row}}}");
    let users_line = text.iter().position(|l| l.starts_with("{\"table\":\"users\"")).unwrap();
    // Alice and Bob differ in `banned`; which comes first depends on their random ids.
    let banned = ["\"banned\":false", "\"banned\":true"].into_iter().find(|b| text[users_line].contains(b)).unwrap();
    let cases = [
        (with(0, "{\"hello\":1}"), 1, "not a Roster export header"),
        (with(2, "not json"), 3, "not valid JSON"),
        (with(2, &row("nope", "{}")), 3, "unknown table \"nope\""),
        (with(1, "[1,2]"), 2, "expected a JSON object"),
        (
            with(users_line, &text[users_line].replace(banned, "\"banned\":0")),
            users_line as u64 + 1,
            "users.banned: expected Bool",
        ),
        (
            with(users_line, &text[users_line].replace(&format!("{banned},"), "")),
            users_line as u64 + 1,
            "users.banned: missing",
        ),
        (
            with(users_line, &text[users_line].replace("\"banned\":", "\"bann\":")),
            users_line as u64 + 1,
            "unknown column \"bann\"",
        ),
        (
            with(users_line, &text[users_line].replace("\"created_at\":", "\"created_at\":null,\"x\":")),
            users_line as u64 + 1,
            "unknown column",
        ),
        (with(users_line, &text[1]), users_line as u64 + 1, "a row of instances after rows of"),
        ([exported.clone(), exported.clone()].concat(), text.len() as u64 + 1, "after the summary line"),
    ];
    for (bytes, line, needle) in cases {
        let err = import_bytes(&target, bytes).await.unwrap_err();
        assert!(matches!(&err, TransferError::Format { line: l, .. } if *l == line), "{needle}: {err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
    let err = import_bytes(&target, Vec::new()).await.unwrap_err();
    assert!(matches!(err, TransferError::Empty), "{err}");
    let err = import_bytes(&target, vec![0xff, b'\n']).await.unwrap_err();
    assert!(err.to_string().contains("line 1: not valid UTF-8"), "{err}");
    let future = with(0, "{\"roster_export\":1,\"schema_version\":99}");
    let err = import_bytes(&target, future).await.unwrap_err();
    assert!(matches!(err, TransferError::SchemaVersion { file: 99, .. }), "{err}");
    assert!(target.list_instances().await.unwrap().is_empty());
}

#[tokio::test]
async fn transfer_reports_progress_per_table() {
    #[derive(Default)]
    struct Record(Mutex<Vec<String>>);
    impl Progress for Record {
        fn start(&self, table: &'static str, total: Option<u64>) {
            self.0.lock().unwrap().push(format!("start {table} {total:?}"));
        }
        fn finish(&self, table: &'static str, done: u64) {
            self.0.lock().unwrap().push(format!("finish {table} {done}"));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = seeded(dir.path()).await;
    let record = Arc::new(Record::default());
    export(source.backend(), io::sink(), record.clone()).await.unwrap();
    let seen = record.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2 * TABLES.len());
    assert_eq!(seen[0], "start instances Some(2)");
    assert_eq!(seen[1], "finish instances 2");
}

/// The spec names every column of every table, with the schema's nullability and primary key: a
/// migration that adds a column fails here until the spec (and so the export) carries it.
#[tokio::test]
async fn transfer_spec_matches_the_sqlite_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(dir.path(), "schema.db").await;
    let tables: Vec<String> = store
        .backend()
        .read(|c| {
            let sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            Ok(c.query(sql, &[])?.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    let left_out =
        |t: &String| NOT_EXPORTED.iter().any(|n| n.strip_suffix('*').map_or(t == n, |prefix| t.starts_with(prefix)));
    let tables: Vec<String> = tables.into_iter().filter(|t| !left_out(t)).collect();
    let mut spec: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    spec.sort_unstable();
    assert_eq!(tables, spec, "every table is exported or listed in NOT_EXPORTED");
    for table in TABLES {
        let name = table.name;
        let columns = store
            .backend()
            .read(move |c| Ok(c.query(&format!("SELECT name, \"notnull\", pk FROM pragma_table_info('{name}')"), &[])?))
            .await
            .unwrap();
        // SQLite reports a TEXT PRIMARY KEY without NOT NULL as nullable (a legacy quirk); Roster never
        // stores a NULL id, and PostgreSQL's primary keys are NOT NULL.
        let nullable = |r: &Row| r.get::<i64>(1).unwrap() == 0 && r.get::<i64>(2).unwrap() == 0;
        let mut found: Vec<(String, bool)> =
            columns.iter().map(|r| (r.get::<String>(0).unwrap(), nullable(r))).collect();
        if table.rowid {
            found.push(("rowid".into(), false));
        }
        let mut wanted: Vec<(String, bool)> = table.columns.iter().map(|c| (c.name.to_owned(), c.nullable)).collect();
        found.sort();
        wanted.sort();
        assert_eq!(found, wanted, "{name}");
        let mut key: Vec<(i64, String)> = columns
            .iter()
            .filter(|r| r.get::<i64>(2).unwrap() > 0)
            .map(|r| (r.get::<i64>(2).unwrap(), r.get::<String>(0).unwrap()))
            .collect();
        key.sort();
        assert_eq!(key.into_iter().map(|(_, k)| k).collect::<Vec<_>>(), table.key, "{name}");
    }
}

/// The same on PostgreSQL, where the column types tell flags from integers. Runs where
/// `ROSTER_TEST_POSTGRES_URL` names a server.
#[tokio::test]
async fn transfer_spec_matches_the_postgres_schema() {
    let Some(db) = roster_testdb::postgres_or_skip("the PostgreSQL schema check") else { return };
    let store = crate::postgres::PostgresStore::open(&db.url, Default::default()).await.unwrap();
    let tables = store
        .backend()
        .read(|c| {
            let sql = "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                       AND table_name <> 'schema_migrations' ORDER BY table_name";
            Ok(c.query(sql, &[])?.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?)
        })
        .await
        .unwrap();
    let tables: Vec<String> = tables.into_iter().filter(|t| !NOT_EXPORTED.contains(&t.as_str())).collect();
    let mut spec: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    spec.sort_unstable();
    assert_eq!(tables, spec);
    for table in TABLES {
        let name = table.name;
        let columns = store
            .backend()
            .read(move |c| {
                let sql =
                    "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
                           WHERE table_schema = current_schema() AND table_name = ?1";
                Ok(c.query(sql, crate::sql::vals![name])?)
            })
            .await
            .unwrap();
        let mut found: Vec<(String, Kind, bool)> = columns
            .iter()
            .map(|r| {
                let kind = match r.get::<String>(1).unwrap().as_str() {
                    "bigint" => Kind::Int,
                    "boolean" => Kind::Bool,
                    "text" => Kind::Text,
                    other => panic!("{name}: unexpected type {other}"),
                };
                (r.get::<String>(0).unwrap(), kind, r.get::<String>(2).unwrap() == "YES")
            })
            .collect();
        let mut wanted: Vec<(String, Kind, bool)> =
            table.columns.iter().map(|c| (c.name.to_owned(), c.kind, c.nullable)).collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(found, wanted, "{name}");
    }
}

/// SQLite to PostgreSQL and back to an export: byte-identical, and PostgreSQL's identity sequences moved
/// past the imported rowids (a new membership would otherwise collide with an imported one). Runs where
/// `ROSTER_TEST_POSTGRES_URL` names a server.
#[tokio::test]
async fn transfer_sqlite_to_postgres_is_byte_identical() {
    let Some(db) = roster_testdb::postgres_or_skip("the SQLite to PostgreSQL round trip") else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_source, exported) = seeded(dir.path()).await;
    let target = crate::postgres::PostgresStore::open(&db.url, Default::default()).await.unwrap();
    let input = Input::stream(io::Cursor::new(exported.clone()));
    import(target.backend(), input, Arc::new(NoProgress)).await.unwrap();
    assert_eq!(export_bytes(target.backend(), 2).await, exported);

    // Each identity sequence hands out a rowid past the imported ones. (Checked on the sequence itself: a
    // colliding insert would be retried by the backend, each retry advancing the sequence, and so hide it.)
    for table in TABLES.iter().filter(|t| t.rowid) {
        let name = table.name;
        let (next, max) = target
            .backend()
            .write(move |c| {
                let sql = format!(
                    "SELECT nextval(pg_get_serial_sequence('{name}', 'rowid')), (SELECT coalesce(max(rowid), 0) FROM {name})"
                );
                let row = c.query_one(&sql, &[])?;
                Ok((row.get::<i64>(0)?, row.get::<i64>(1)?))
            })
            .await
            .unwrap();
        assert!(max > 0 && next == max + 1, "{name}: next rowid {next}, imported up to {max}");
    }
    let instance = target.authenticate(SECRET).await.unwrap().expect("the hashed key came along");
    let org = target.list_organizations(&instance.id, Default::default(), Default::default(), Default::default());
    let org = org.await.unwrap().data.remove(0).id;
    let user = UserId::from(target.create_user(&instance.id, NewUser::default()).await.unwrap().id);
    let member = NewMembership {
        organization_id: org.into(),
        user_id: user.clone(),
        role: "org:member".into(),
        ..Default::default()
    };
    target.create_membership(&instance.id, member).await.unwrap();
    target.create_session(&instance.id, &user, None, None).await.unwrap();
    let err = import(target.backend(), Input::stream(io::Cursor::new(exported)), Arc::new(NoProgress)).await;
    assert!(matches!(err, Err(TransferError::NotEmpty)), "{err:?}");
}
