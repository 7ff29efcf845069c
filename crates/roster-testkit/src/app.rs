//! A real Roster in-process on a database of its own, over real HTTP on an ephemeral port.

use std::ops::Deref;
use std::sync::Arc;

use roster_core::model::Environment;
use roster_core::Store;
use roster_server::{AppState, Config};
use roster_testdb::TestDb;

use crate::http::Api;

/// The development key every [`TestApp`] is bootstrapped with.
pub const KEY: &str = "sk_test_roster_integration_tests";

/// A Roster served on `127.0.0.1:0`, bootstrapped with [`KEY`]; derefs to its [`Api`] client.
pub struct TestApp {
    pub api: Api,
    pub store: Arc<dyn Store>,
    /// The database (dropped after the store: fields drop in order).
    pub db: TestDb,
}

impl Deref for TestApp {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Config::default()).await
    }

    pub async fn spawn_with(config: Config) -> Self {
        let db = TestDb::new();
        let store = open_store(&db.url).await;
        store.bootstrap(Some(KEY)).await.expect("bootstrap");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let state = AppState::new(store.clone(), config);
        tokio::spawn(roster_server::serve(listener, state, std::future::pending()));
        Self { api: Api::new(format!("http://{addr}/v1"), KEY), store, db }
    }

    /// Another node serving this app's database with `config`: its own store and process state, the same data
    /// (on PostgreSQL, a second stateless node; on SQLite, a second process-like server on the same file).
    pub async fn second_node(&self, config: Config) -> Api {
        let store = open_store(&self.db.url).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(roster_server::serve(listener, AppState::new(store, config), std::future::pending()));
        Api::new(format!("http://{addr}/v1"), KEY)
    }

    /// Whether this run's backend is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    /// Create another instance and return a key for it.
    pub async fn other_instance(&self, env: Environment) -> String {
        let instance = self.store.create_instance(env, "other").await.expect("create instance");
        self.store.create_key(&instance.id, None).await.expect("create key").1
    }
}

/// A store on the database `url` names, as `roster serve` opens it.
pub async fn open_store(url: &str) -> Arc<dyn Store> {
    let pg = roster_store::postgres::Options { max_connections: 8, ..Default::default() };
    roster_store::open(url, roster_store::sqlite::Options::default(), pg).await.expect("open store")
}
