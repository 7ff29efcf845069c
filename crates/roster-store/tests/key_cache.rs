//! On SQLite the keys requests authenticate with are cached in memory (`keycache`): a change made through the
//! store is seen by the next request, and a key revoked by another process on the same file (an operator's
//! `roster keys revoke`) is refused once that process's revoke has returned.

use roster_core::store::{RoleUpdate, SettingsUpdate};
use roster_core::{KeyId, RoleId, Store};
use roster_store::sqlite::{Options, SqliteStore};

const SECRET: &str = "sk_test_key_cache_0123456789";

async fn open(path: &std::path::Path) -> SqliteStore {
    SqliteStore::open(path.to_str().unwrap(), Options::default()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_by_another_process_is_refused_once_its_revoke_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let server = open(&path).await;
    server.bootstrap(Some(SECRET)).await.unwrap();
    // Authenticate twice: the second answer comes from the cache.
    for _ in 0..2 {
        assert!(server.authenticate(SECRET).await.unwrap().is_some());
    }

    // The operator's process: a store of its own on the same file.
    let operator = open(&path).await;
    let key = operator.list_keys(None).await.unwrap().remove(0);
    operator.revoke_key(&KeyId::new(&key.id)).await.unwrap();
    drop(operator);

    assert!(server.authenticate(SECRET).await.unwrap().is_none(), "the server still accepts the revoked key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_and_role_keys_changed_through_the_store_show_in_the_next_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("roster.db")).await;
    store.bootstrap(Some(SECRET)).await.unwrap();
    let instance = store.authenticate(SECRET).await.unwrap().unwrap();
    assert!(instance.settings.enabled);

    let off = SettingsUpdate { enabled: Some(false), ..Default::default() };
    store.update_organization_settings(&instance.id, off).await.unwrap();
    let instance = store.authenticate(SECRET).await.unwrap().unwrap();
    assert!(!instance.settings.enabled, "organizations turned off show at once");

    // The settings name the creator role by key: renaming the role's key shows too.
    let creator = store.list_roles(&instance.id).await.unwrap();
    let creator = creator.iter().find(|r| r.key == instance.settings.creator_role).unwrap();
    let rename = RoleUpdate { key: Some("org:owner".into()), ..Default::default() };
    store.update_role(&instance.id, &RoleId::new(&creator.id), rename).await.unwrap();
    let instance = store.authenticate(SECRET).await.unwrap().unwrap();
    assert_eq!(instance.settings.creator_role, "org:owner");
}
