//! Invitations, domains, role sets and SCIM directories travel with an export: the imported database serves them
//! as the source did.

use roster_core::domains::Domains;
use roster_core::invitations::{InvitationScope, Invitations};
use roster_core::role_sets::RoleSets;
use roster_core::scim::{Directories, Lookup, ResourceKind};
use roster_core::{DirectoryId, Store};

use super::tests::{import_bytes, seeded, sqlite, SECRET};

#[tokio::test]
async fn transfer_carries_invitations_domains_and_role_sets() {
    let dir = tempfile::tempdir().unwrap();
    let (source, exported) = seeded(dir.path()).await;
    let target = sqlite(dir.path(), "target.db").await;
    import_bytes(&target, exported).await.unwrap();
    let instance = target.authenticate(SECRET).await.unwrap().expect("the key came along").id;

    let (f, o, p) = (Default::default, Default::default, Default::default);
    let sent = source.list_invitations(&instance, InvitationScope::Instance, f(), o(), p()).await.unwrap();
    let arrived = target.list_invitations(&instance, InvitationScope::Instance, f(), o(), p()).await.unwrap();
    assert_eq!(arrived.total_count, 1);
    assert_eq!(sent, arrived, "the invitation came along, its url and inviter with it");
    assert!(arrived.data[0].url.as_deref().is_some_and(|u| u.contains("__clerk_ticket=")));

    let domains = target.list_domains(&instance, Default::default(), Default::default()).await.unwrap();
    assert_eq!(domains, source.list_domains(&instance, Default::default(), Default::default()).await.unwrap());
    assert_eq!(
        (domains.total_count, domains.data[0].name.as_str(), domains.data[0].verified),
        (1, "acme.example", true)
    );

    let set = target.get_role_set(&instance, "role_set:editors").await.unwrap();
    assert_eq!(set, source.get_role_set(&instance, "role_set:editors").await.unwrap());
    assert_eq!(set.roles.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["org:editor", "org:admin"]);
}

#[tokio::test]
async fn transfer_carries_scim_directories_and_what_they_provisioned() {
    let dir = tempfile::tempdir().unwrap();
    let (source, exported) = seeded(dir.path()).await;
    let target = sqlite(dir.path(), "target.db").await;
    import_bytes(&target, exported).await.unwrap();
    let instance = target.authenticate(SECRET).await.unwrap().expect("the key came along").id;
    let list = target.list_directories(&instance, Default::default()).await.unwrap();
    assert_eq!(list, source.list_directories(&instance, Default::default()).await.unwrap());
    let id = DirectoryId::new(&list.data[0].id);
    let (sent, arrived) = (
        source.directory_credentials(&id).await.unwrap().unwrap(),
        target.directory_credentials(&id).await.unwrap().unwrap(),
    );
    assert_eq!(arrived.key_hash, sent.key_hash, "the identity provider's key still opens it");
    assert_eq!(arrived.directory.default_role.as_ref().map(|r| r.key.as_str()), Some("org:editor"));
    for kind in [ResourceKind::User, ResourceKind::Group] {
        let (a, b) = (
            source.scim_find(&sent, kind, Lookup::All).await.unwrap(),
            target.scim_find(&arrived, kind, Lookup::All).await.unwrap(),
        );
        assert_eq!((a.len(), &a), (1, &b));
    }
}
