//! Seed data of the transfer tests that has modules of its own: a SCIM directory and what it provisioned.

use roster_core::scim::{GroupWrite, NewDirectory, UserWrite};
use roster_core::{DirectoryId, InstanceId, Store};

/// A directory of the seed's organization: Bob provisioned through it (linked by his verified address, keeping
/// his role), in a mapped group.
pub(super) async fn seed_scim(store: &impl Store, ins: &InstanceId, org_id: &str) {
    let new = NewDirectory {
        organization_id: org_id.into(),
        name: "Okta ✓".into(),
        provider: "okta".into(),
        default_role_key: Some("org:editor".into()),
        ..Default::default()
    };
    let (dir, _key) = store.create_directory(ins, new).await.unwrap();
    let creds = store.directory_credentials(&DirectoryId::new(&dir.id)).await.unwrap().unwrap();
    let body = serde_json::json!({"userName": "bob@example.com", "emails": [{"value": "bob@example.com"}]});
    let user = UserWrite {
        body,
        user_name: "bob@example.com".into(),
        active: true,
        email: Some("bob@example.com".into()),
        ..Default::default()
    };
    let user = store.scim_create_user(&creds, user).await.unwrap();
    let body = serde_json::json!({"displayName": "Editors", "members": [{"value": user.id}]});
    let group = GroupWrite { body, display_name: "Editors".into(), external_id: None, members: vec![user.id] };
    store.scim_create_group(&creds, group).await.unwrap();
}
