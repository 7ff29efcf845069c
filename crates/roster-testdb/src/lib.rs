//! A database of its own for each test. By default a SQLite file in a fresh temporary directory. With
//! `ROSTER_TEST_BACKEND=postgres`, a fresh schema in the PostgreSQL database `ROSTER_TEST_POSTGRES_URL` names
//! (for example `postgres://postgres@127.0.0.1:5432/test`) instead, reached through a URL whose `search_path`
//! names it; the schema is dropped when the `TestDb` is. The same suites thereby run against both backends, in
//! parallel, with no test seeing another's rows. Tests about PostgreSQL itself (several nodes, moving data)
//! use `postgres_url()` whatever the backend.

use std::path::PathBuf;

use rand::Rng;

/// The variable naming the PostgreSQL database tests may use.
pub const POSTGRES_URL_VAR: &str = "ROSTER_TEST_POSTGRES_URL";

/// The variable choosing the backend of the shared suites: `sqlite` (default) or `postgres`.
pub const BACKEND_VAR: &str = "ROSTER_TEST_BACKEND";

/// The PostgreSQL database tests may use, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.is_empty())
}

/// A fresh PostgreSQL schema for a test about PostgreSQL itself, or `None` (with a note naming `test`) where no
/// server is configured. Under CI (`CI` set) a missing server is a failure, not a skip: CI must run these tests.
pub fn postgres_or_skip(test: &str) -> Option<TestDb> {
    match postgres_url() {
        Some(url) => Some(TestDb::postgres(&url)),
        None if std::env::var_os("CI").is_some() => {
            panic!("{test}: CI must run the PostgreSQL tests: set {POSTGRES_URL_VAR}")
        }
        None => {
            eprintln!("{test}: {POSTGRES_URL_VAR} is not set; skipping");
            None
        }
    }
}

/// Whether the shared suites run against PostgreSQL in this process.
pub fn backend_is_postgres() -> bool {
    std::env::var(BACKEND_VAR).is_ok_and(|b| b.eq_ignore_ascii_case("postgres"))
}

pub struct TestDb {
    /// The database URL for `roster_store::open` or `ROSTER_DATABASE_URL`.
    pub url: String,
    /// The SQLite file, where the backend is SQLite.
    pub path: Option<PathBuf>,
    /// The PostgreSQL schema and the admin URL it was created through, where the backend is PostgreSQL.
    schema: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh database on the backend `ROSTER_TEST_BACKEND` selects.
    pub fn new() -> Self {
        if !backend_is_postgres() {
            return Self::sqlite();
        }
        match postgres_url() {
            Some(admin) => Self::postgres(&admin),
            None => panic!("{BACKEND_VAR}=postgres needs {POSTGRES_URL_VAR}"),
        }
    }

    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("roster.db");
        Self { url: format!("sqlite://{}", path.display()), path: Some(path), schema: None, _dir: dir }
    }

    /// A fresh schema in the PostgreSQL database `admin` names.
    pub fn postgres(admin: &str) -> Self {
        let schema = format!("roster_t_{:016x}", rand::rng().random::<u64>());
        let (admin_url, name) = (admin.to_owned(), schema.clone());
        blocking(move || {
            let mut client = connect(&admin_url);
            // The extension lives in `public`, outside every test schema, so dropping one keeps it for the rest.
            // Concurrent CREATE EXTENSION can race on the catalog; one of them wins, which is all that matters.
            for _ in 0..5 {
                if client.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").is_ok() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            client.batch_execute(&format!("CREATE SCHEMA {name}")).expect("create test schema");
        });
        let separator = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{separator}options=-csearch_path%3D{schema}%2Cpublic");
        Self { url, path: None, schema: Some((schema, admin.to_owned())), _dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }

    /// Run one statement on the database with one text parameter, `?1`: what a test does to stand in for time
    /// passing (an expiry moved into the past), which no API may do.
    pub fn execute(&self, sql: &str, param: &str) {
        let (sql, param, url, path) = (sql.to_owned(), param.to_owned(), self.url.clone(), self.path.clone());
        blocking(move || match path {
            Some(path) => {
                let conn = rusqlite::Connection::open(path).expect("open the test database");
                conn.busy_timeout(std::time::Duration::from_secs(10)).expect("busy timeout");
                conn.execute(&sql, [param]).expect("test statement");
            }
            None => {
                let mut client = connect(&url);
                client.execute(&sql.replace("?1", "$1"), &[&param]).expect("test statement");
            }
        });
    }

    /// A scratch directory that lives as long as the database (for logs and files a test writes).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((schema, admin)) = self.schema.take() {
            blocking(move || {
                if let Ok(mut client) = postgres::Client::connect(&admin, postgres::NoTls) {
                    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            });
        }
    }
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={url}: cannot connect to PostgreSQL: {e}"))
}

/// Run synchronous PostgreSQL client code off any async runtime (the sync client runs one of its own).
fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}
