//! The accept extension: exactly one membership, with the invited role and metadata; every way it is refused.

use super::*;

fn accept(org: &str, id: &str) -> String {
    format!("{}/accept", invitation(org, id))
}

#[tokio::test]
async fn accepting_creates_the_membership_with_the_invited_role_and_metadata() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let body = json!({
        "email_address": "Joiner@Example.com",
        "role": "org:admin",
        "public_metadata": {"team": "blue"},
        "private_metadata": {"seat": 3}
    });
    let inv = app.post(&invitations(&org), body).await.ok().clone();
    let id = inv["id"].as_str().unwrap();
    let joiner = app.user_with_email("joiner@example.com").await;
    let r = app.post(&accept(&org, id), json!({"user_id": joiner})).await;
    let m = r.ok().clone();
    assert_eq!(m["object"], "organization_membership");
    assert_eq!(m["role"], "org:admin");
    assert_eq!(m["public_metadata"], json!({"team": "blue"}));
    assert_eq!(m["private_metadata"], json!({"seat": 3}));
    assert_eq!(m["public_user_data"]["user_id"], joiner.as_str());
    assert_eq!(m["organization"]["id"], org.as_str());

    // Exactly one membership, the one returned, as a read gives it.
    let list = app.get(&format!("/organizations/{org}/memberships?user_id={joiner}")).await;
    assert_eq!(list.ok()["total_count"], 1);
    assert_eq!(list.ok()["data"][0], m);
    let got = app.get(&invitation(&org, id)).await;
    assert_eq!(status_of(&got), "accepted");
    let counted = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    assert_eq!(counted.ok()["members_count"], 2);
    assert_eq!(counted.ok()["pending_invitations_count"], 0);

    // Accepting again is refused and creates nothing.
    let again = app.post(&accept(&org, id), json!({"user_id": joiner})).await;
    let e = again.err(400, "organization_invitation_already_accepted");
    assert_eq!(e["long_message"], "This invitation has already been accepted. Sign in instead.");
    let list = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(list.ok()["total_count"], 2);
}

#[tokio::test]
async fn accepting_is_refused_for_the_wrong_user_a_revoked_or_an_expired_invitation() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let inv = invite(&app, &org, "invited@example.com").await;
    let id = inv["id"].as_str().unwrap().to_owned();

    // A user without that address, one with it only reserved, an unknown user.
    let stranger = app.user_with_email("stranger@example.com").await;
    app.post(&accept(&org, &id), json!({"user_id": stranger}))
        .await
        .err(400, "organization_invitation_identification_not_exist");
    let reserved = app
        .user(json!({"email_address": ["invited@example.com"], "email_address_identification_status": ["reserved"]}))
        .await;
    app.post(&accept(&org, &id), json!({"user_id": reserved}))
        .await
        .err(400, "organization_invitation_identification_not_exist");
    app.delete(&format!("/users/{reserved}")).await.ok();
    app.post(&accept(&org, &id), json!({"user_id": "user_nope"})).await.err(404, "resource_not_found");
    // Bad bodies.
    app.post(&accept(&org, &id), json!({})).await.err(422, "form_param_missing");
    app.post(&accept(&org, &id), json!({"user_id": 5})).await.err(422, "form_param_value_invalid");
    app.post(&accept(&org, &id), json!({"user_id": stranger, "role": "org:admin"}))
        .await
        .err(422, "form_param_unknown");
    app.post(&accept(&org, "orginv_nope"), json!({"user_id": stranger})).await.err(404, "resource_not_found");
    app.post(&accept("org_nope", &id), json!({"user_id": stranger})).await.err(404, "resource_not_found");

    // Revoked.
    app.post(&format!("{}/revoke", invitation(&org, &id)), json!({})).await.ok();
    let invited = app.user_with_email("invited@example.com").await;
    let e = app.post(&accept(&org, &id), json!({"user_id": invited})).await;
    e.err(400, "organization_invitation_revoked_code");

    // Expired: an invitation reads expired from its `expires_at` on (moved into the past in the database).
    let inv = invite(&app, &org, "invited@example.com").await;
    let id = inv["id"].as_str().unwrap().to_owned();
    expire(&app, &id).await;
    assert_eq!(status_of(&app.get(&invitation(&org, &id)).await), "expired");
    app.post(&accept(&org, &id), json!({"user_id": invited})).await.err(404, "organization_invitation_not_pending");
    app.post(&format!("{}/revoke", invitation(&org, &id)), json!({}))
        .await
        .err(404, "organization_invitation_not_pending");
    // An expired invitation holds no seat and blocks no new invitation.
    invite(&app, &org, "invited@example.com").await;
    let members = app.get(&format!("/organizations/{org}/memberships")).await;
    assert_eq!(members.ok()["total_count"], 1, "no refused accept created a membership");
}

/// Move an invitation's expiry into the past, as time passing would.
pub(super) async fn expire(app: &TestApp, id: &str) {
    app.db.execute("UPDATE invitations SET expires_at = 1 WHERE id = ?1", id);
}
