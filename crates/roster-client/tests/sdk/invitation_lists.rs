//! The invitation lists against a real Roster: the organization's (and its pending one), the instance's and a
//! user's; each parameter the client sends changes what the server answers.

use roster_client::funcs::{organization_invitations_list, organization_invitations_list_all};
use roster_client::{
    ListInstanceOrganizationInvitationsRequest, ListOrganizationInvitationsRequest,
    ListPendingOrganizationInvitationsRequest, ListUserOrganizationInvitationsRequest,
    RevokeOrganizationInvitationRequest,
};

use crate::support::*;

/// Acme with invitations to alice, bob and carol (pending), dave (revoked) and erin (expired); Globex with one
/// to alice. Returns (roster, acme, globex).
async fn seeded() -> (Roster, String, String) {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let acme = app.org("Acme", Some(&owner)).await;
    let globex = app.org("Globex", Some(&owner)).await;
    let api = app.clerk.organization_invitations();
    for email in ["carol@example.com", "alice@example.com", "bob@example.org"] {
        api.create(invite_req(&acme, email, "org:member")).await.unwrap();
    }
    let dave = api.create(invite_req(&acme, "dave@example.com", "org:member")).await.unwrap();
    let revoke = RevokeOrganizationInvitationRequest {
        organization_id: acme.clone(),
        invitation_id: dave.id,
        request_body: None,
    };
    api.revoke(revoke).await.unwrap();
    let erin = api.create(invite_req(&acme, "erin@example.com", "org:member")).await.unwrap();
    // Expired: its `expires_at` moved into the past, as time passing would.
    app.app.db.execute("UPDATE invitations SET expires_at = 1 WHERE id = ?1", &erin.id);
    api.create(invite_req(&globex, "alice@example.com", "org:admin")).await.unwrap();
    (app, acme, globex)
}

#[tokio::test]
async fn the_organization_list_filters_orders_and_pages() {
    let (app, acme, _) = seeded().await;
    let api = app.clerk.organization_invitations();
    let req = |status: &[&str]| ListOrganizationInvitationsRequest {
        organization_id: acme.clone(),
        status: status.iter().map(|s| s.to_string()).collect(),
        order_by: Some("+email_address".into()),
        ..Default::default()
    };

    let all = api.list(req(&[])).await.unwrap();
    assert_eq!(all.total_count, 5);
    let five = ["alice@example.com", "bob@example.org", "carol@example.com", "dave@example.com", "erin@example.com"];
    assert_eq!(emails(&all), five);
    for (status, expected) in [
        (&["pending"][..], &["alice@example.com", "bob@example.org", "carol@example.com"][..]),
        (&["revoked"], &["dave@example.com"]),
        (&["expired"], &["erin@example.com"]),
        (&["revoked", "expired"], &["dave@example.com", "erin@example.com"]),
        (&["accepted"], &[]),
    ] {
        let page = api.list(req(status)).await.unwrap();
        assert_eq!(emails(&page), expected, "{status:?}");
        assert_eq!(page.total_count, expected.len() as i64, "{status:?}");
    }
    let desc = api.list(ListOrganizationInvitationsRequest { order_by: Some("-email_address".into()), ..req(&[]) });
    let desc = desc.await.unwrap();
    assert_eq!(emails(&desc), five.iter().rev().copied().collect::<Vec<_>>());
    let one = ListOrganizationInvitationsRequest { email_address: Some("BOB@example.org".into()), ..req(&[]) };
    assert_eq!(emails(&organization_invitations_list(&app.clerk, one, None).await.unwrap()), ["bob@example.org"]);
    let page = api.list(ListOrganizationInvitationsRequest { limit: Some(2), offset: Some(1), ..req(&[]) });
    let page = page.await.unwrap();
    assert_eq!((emails(&page), page.total_count), (vec!["bob@example.org".into(), "carol@example.com".into()], 5));

    // The pending list: pending and unexpired only, paged.
    let pending =
        |limit, offset| ListPendingOrganizationInvitationsRequest { organization_id: acme.clone(), limit, offset };
    let p = api.list_pending(pending(None, None)).await.unwrap();
    assert_eq!(p.total_count, 3);
    assert!(p.data.iter().all(|i| i.status == "pending"));
    let p = api.list_pending(pending(Some(1), Some(2))).await.unwrap();
    assert_eq!((p.data.len(), p.total_count), (1, 3));

    // Errors: a bad status or order (422), an unknown organization (404) are declared; list_pending's 422 is not.
    assert_clerk_error(api.list(req(&["lost"])).await, 422, "form_param_value_invalid");
    let bad_order = ListOrganizationInvitationsRequest { order_by: Some("role".into()), ..req(&[]) };
    assert_clerk_error(api.list(bad_order).await, 422, "form_param_value_invalid");
    let unknown = ListOrganizationInvitationsRequest { organization_id: "org_nope".into(), ..Default::default() };
    assert_clerk_error(api.list(unknown).await, 404, "resource_not_found");
    let body = assert_api_error(api.list_pending(pending(Some(0), None)).await, 422);
    assert!(body.contains("form_param_value_invalid"), "{body}");
}

#[tokio::test]
async fn the_instance_and_user_lists() {
    let (app, acme, globex) = seeded().await;
    let api = app.clerk.organization_invitations();

    let all = api.list_all(Default::default()).await.unwrap();
    assert_eq!(all.total_count, 6);
    let names: Vec<_> = all.data.iter().map(|i| i.public_organization_data.name.as_str()).collect();
    assert_eq!(names.iter().filter(|n| **n == "Acme").count(), 5, "the instance list names organizations: {names:?}");
    assert!(all.data.iter().all(|i| i.public_organization_data.id == i.invitation.organization_id));
    let alice = ListInstanceOrganizationInvitationsRequest { query: Some("ALICE".into()), ..Default::default() };
    let alice = api.list_all(alice).await.unwrap();
    assert_eq!(alice.total_count, 2);
    let mut orgs: Vec<_> = alice.data.iter().map(|i| i.public_organization_data.id.clone()).collect();
    orgs.sort();
    let mut expected = vec![acme.clone(), globex.clone()];
    expected.sort();
    assert_eq!(orgs, expected);
    let statuses = ListInstanceOrganizationInvitationsRequest {
        status: vec!["revoked".into(), "expired".into()],
        order_by: Some("-email_address".into()),
        ..Default::default()
    };
    let done = organization_invitations_list_all(&app.clerk, statuses, None).await.unwrap();
    assert_eq!(emails_of(&done), ["erin@example.com", "dave@example.com"]);
    let paged = ListInstanceOrganizationInvitationsRequest {
        status: vec!["pending".into()],
        query: Some("example.com".into()),
        order_by: Some("+email_address".into()),
        limit: Some(2),
        offset: Some(1),
    };
    let paged = api.list_all(paged).await.unwrap();
    // Pending at example.com: alice (twice) and carol.
    assert_eq!(
        (emails_of(&paged), paged.total_count),
        (vec!["alice@example.com".into(), "carol@example.com".into()], 3)
    );
    let bad = ListInstanceOrganizationInvitationsRequest { status: vec!["lost".into()], ..Default::default() };
    assert_clerk_error(api.list_all(bad).await, 422, "form_param_value_invalid");

    // A user's: the invitations to their verified addresses, in every organization.
    let user = app.user("alice@example.com", "Alice", None).await;
    let mine = |status: Option<&str>| ListUserOrganizationInvitationsRequest {
        user_id: user.clone(),
        status: status.map(str::to_owned),
        ..Default::default()
    };
    let page = api.list_for_user(mine(None)).await.unwrap();
    assert_eq!(page.total_count, 2);
    assert!(page
        .data
        .iter()
        .all(|i| i.invitation.email_address == "alice@example.com" && !i.public_organization_data.slug.is_empty()));
    assert_eq!(api.list_for_user(mine(Some("pending"))).await.unwrap().total_count, 2);
    assert_eq!(api.list_for_user(mine(Some("revoked"))).await.unwrap().total_count, 0);
    let one = api.list_for_user(ListUserOrganizationInvitationsRequest { limit: Some(1), ..mine(None) }).await.unwrap();
    assert_eq!((one.data.len(), one.total_count), (1, 2));
    let nobody = ListUserOrganizationInvitationsRequest { user_id: "user_nope".into(), ..Default::default() };
    assert_clerk_error(api.list_for_user(nobody).await, 404, "resource_not_found");
    // 422 is not declared for the user list: Api.
    assert_api_error(api.list_for_user(mine(Some("lost"))).await, 422);
}
