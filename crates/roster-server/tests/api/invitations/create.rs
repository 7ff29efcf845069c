//! Creating invitations: the shape, each rule, bad input, bulk all-or-none, revoke.

use super::*;

#[tokio::test]
async fn an_invitation_has_clerks_shape_and_reads_back() {
    let app = TestApp::spawn().await;
    let (org, owner) = org_with_admin(&app, "Acme").await;
    let body = json!({
        "email_address": "New.Person@Example.com",
        "role": "org:member",
        "inviter_user_id": owner,
        "public_metadata": {"team": "red"},
        "private_metadata": {"seat": 7},
        "redirect_url": "https://app.example/join?from=mail",
        "expires_in_days": 7,
        "notify": true
    });
    let r = app.post(&invitations(&org), body).await;
    let inv = r.ok().clone();
    assert_eq!(inv["object"], "organization_invitation");
    assert!(inv["id"].as_str().unwrap().starts_with("orginv_"));
    assert_eq!(inv["email_address"], "New.Person@Example.com");
    assert_eq!((inv["role"].as_str(), inv["role_name"].as_str()), (Some("org:member"), Some("Member")));
    assert_eq!(inv["organization_id"], org.as_str());
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["inviter_id"], owner.as_str());
    assert_eq!(inv["public_inviter_data"]["user_id"], owner.as_str());
    assert_eq!(inv["public_inviter_data"]["identifier"], "owner@acme.example");
    assert_eq!(inv["public_metadata"], json!({"team": "red"}));
    assert_eq!(inv["private_metadata"], json!({"seat": 7}));
    let url = inv["url"].as_str().unwrap();
    assert!(url.starts_with("https://app.example/join?from=mail&__clerk_ticket=tkt_"), "{url}");
    let week = 7 * 24 * 3600 * 1000;
    assert_eq!(inv["expires_at"].as_i64().unwrap() - inv["created_at"].as_i64().unwrap(), week);
    assert!(inv.get("public_organization_data").is_none(), "only the instance and user lists carry it");
    assert_eq!(r.headers["content-type"], "application/json");

    // Without the optional fields: no inviter, no url, Clerk's 30 days; the keys are there, null.
    let plain = invite(&app, &org, "plain@example.com").await;
    for key in ["inviter_id", "public_inviter_data", "url"] {
        assert!(plain[key].is_null(), "{key}: {plain}");
    }
    let days = (plain["expires_at"].as_i64().unwrap() - plain["created_at"].as_i64().unwrap()) / (24 * 3600 * 1000);
    assert_eq!(days, 30);

    let got = app.get(&invitation(&org, inv["id"].as_str().unwrap())).await;
    assert_eq!(got.ok(), &inv);
}

#[tokio::test]
async fn one_pending_invitation_per_address_and_organization() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let (other, _) = org_with_admin(&app, "Other").await;
    invite(&app, &org, "dup@example.com").await;
    // Any case of the address is the same address.
    let r = app.post(&invitations(&org), json!({"email_address": "DUP@example.com", "role": "org:admin"})).await;
    let e = r.err(400, "organization_invitation_not_unique");
    assert_eq!(e["long_message"], "Organizations cannot have duplicate pending invitations for an email address.");
    // Another organization may invite it.
    invite(&app, &other, "dup@example.com").await;
    // Once revoked, it may be invited again.
    let first = app.get(&format!("{}?email_address=dup@example.com", invitations(&org))).await;
    let id = first.ok()["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(status_of(&app.post(&format!("{}/revoke", invitation(&org, &id)), json!({})).await), "revoked");
    invite(&app, &org, "dup@example.com").await;
    let all = app.get(&format!("{}?email_address=dup@example.com", invitations(&org))).await;
    assert_eq!(all.ok()["total_count"], 2);
}

#[tokio::test]
async fn a_member_is_not_invited_and_the_role_must_exist() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let member = app.user_with_email("member@example.com").await;
    app.add_member(&org, &member, "org:member").await;
    let r = app.post(&invitations(&org), json!({"email_address": "Member@Example.com", "role": "org:member"})).await;
    r.err(400, "already_a_member_in_organization");

    // A reserved (unverified) address does not make its owner the invitee.
    app.user(json!({"email_address": ["reserved@example.com"], "email_address_identification_status": ["reserved"]}))
        .await;
    invite(&app, &org, "reserved@example.com").await;

    let r = app.post(&invitations(&org), json!({"email_address": "x@example.com", "role": "org:nope"})).await;
    r.err(404, "resource_not_found");
    assert_eq!(r.param(), "role");
    let r = app.post(&invitations("org_nope"), json!({"email_address": "x@example.com", "role": "org:member"})).await;
    r.err(404, "resource_not_found");
}

#[tokio::test]
async fn the_inviter_and_the_revoker_must_manage_memberships() {
    let app = TestApp::spawn().await;
    let (org, owner) = org_with_admin(&app, "Acme").await;
    let member = app.user_with_email("member@example.com").await;
    app.add_member(&org, &member, "org:member").await;
    let outsider = app.user_with_email("outsider@example.com").await;
    for who in [&member, &outsider] {
        let body = json!({"email_address": "x@example.com", "role": "org:member", "inviter_user_id": who});
        let r = app.post(&invitations(&org), body).await;
        let e = r.err(403, "not_an_admin_in_organization");
        assert!(e["long_message"].as_str().unwrap().contains(who.as_str()));
    }
    let body = json!({"email_address": "x@example.com", "role": "org:member", "inviter_user_id": "user_nope"});
    app.post(&invitations(&org), body).await.err(404, "resource_not_found");

    let inv = invite(&app, &org, "x@example.com").await;
    let revoke = format!("{}/revoke", invitation(&org, inv["id"].as_str().unwrap()));
    app.post(&revoke, json!({"requesting_user_id": member})).await.err(403, "not_an_admin_in_organization");
    let r = app.post(&revoke, json!({"requesting_user_id": owner})).await;
    assert_eq!(status_of(&r), "revoked");
    // Only a pending invitation can be revoked.
    app.post(&revoke, json!({})).await.err(404, "organization_invitation_not_pending");
    // No body at all (what @clerk/backend sends without a requesting user) is an empty body.
    let inv = invite(&app, &org, "y@example.com").await;
    let r = app.call(Method::POST, &format!("{}/revoke", invitation(&org, inv["id"].as_str().unwrap())), None).await;
    assert_eq!(status_of(&r), "revoked");
}

#[tokio::test]
async fn pending_invitations_count_toward_the_quota() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Small", "created_by": owner, "max_allowed_memberships": 3})).await;
    invite(&app, &org, "a@example.com").await;
    let b = invite(&app, &org, "b@example.com").await;
    // One member and two pending invitations fill three seats: no third invitation, and no new member either.
    let r = app.post(&invitations(&org), json!({"email_address": "c@example.com", "role": "org:member"})).await;
    let e = r.err(403, "organization_membership_quota_exceeded");
    assert_eq!(
        e["long_message"],
        "You have reached your limit of 3 organization memberships, including outstanding invitations."
    );
    let joiner = app.user_with_email("joiner@example.com").await;
    let r =
        app.post(&format!("/organizations/{org}/memberships"), json!({"user_id": joiner, "role": "org:member"})).await;
    r.err(403, "organization_membership_quota_exceeded");
    let counted = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    assert_eq!(
        (counted.ok()["members_count"].as_i64(), counted.ok()["pending_invitations_count"].as_i64()),
        (Some(1), Some(2))
    );
    // A revoked invitation frees its seat.
    app.post(&format!("{}/revoke", invitation(&org, b["id"].as_str().unwrap())), json!({})).await.ok();
    invite(&app, &org, "c@example.com").await;
}

#[tokio::test]
async fn bad_input_gets_clerks_errors_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let path = invitations(&org);
    let cases = [
        (json!({"role": "org:member"}), 422, "form_param_missing", "email_address"),
        (json!({"email_address": "a@example.com"}), 422, "form_param_missing", "role"),
        (
            json!({"email_address": "not-an-email", "role": "org:member"}),
            422,
            "form_param_format_invalid",
            "email_address",
        ),
        (json!({"email_address": "a@b", "role": "org:member"}), 422, "form_param_format_invalid", "email_address"),
        (json!({"email_address": 7, "role": "org:member"}), 422, "form_param_value_invalid", "email_address"),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "expires_in_days": 0}),
            422,
            "form_param_value_invalid",
            "expires_in_days",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "expires_in_days": 366}),
            422,
            "form_param_value_invalid",
            "expires_in_days",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "redirect_url": "javascript:alert(1)"}),
            422,
            "form_param_format_invalid",
            "redirect_url",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "public_metadata": "x"}),
            422,
            "form_param_value_invalid",
            "public_metadata",
        ),
        (
            json!({"email_address": "a@example.com", "role": "org:member", "private_metadata": {"k": "x".repeat(9000)}}),
            422,
            "form_param_exceeds_allowed_size",
            "private_metadata",
        ),
    ];
    for (body, status, code, param) in cases {
        let r = app.post(&path, body.clone()).await;
        r.err(status, code);
        assert_eq!(r.param(), param, "{body}: {}", r.text);
    }
    assert_eq!(app.get(&path).await.ok()["total_count"], 0);
}

#[tokio::test]
async fn a_bulk_create_is_all_or_none() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let bulk = format!("{}/bulk", invitations(&org));
    let items: Vec<Value> =
        (0..3).map(|i| json!({"email_address": format!("u{i}@example.com"), "role": "org:member"})).collect();
    let r = app.post(&bulk, json!(items)).await;
    let page = r.ok();
    assert_eq!(page["total_count"], 3);
    let emails: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|i| i["email_address"].as_str().unwrap()).collect();
    assert_eq!(emails, ["u0@example.com", "u1@example.com", "u2@example.com"]);

    // One bad item (an address already invited, the same address twice, an unknown role) fails them all.
    for bad in [
        json!({"email_address": "u0@example.com", "role": "org:member"}),
        json!({"email_address": "fresh@example.com", "role": "org:member"}),
        json!({"email_address": "other@example.com", "role": "org:nope"}),
    ] {
        let body = json!([{"email_address": "fresh@example.com", "role": "org:member"}, bad]);
        let r = app.post(&bulk, body).await;
        assert!(r.status == 400 || r.status == 404, "{}", r.text);
    }
    assert_eq!(app.get(&invitations(&org)).await.ok()["total_count"], 3);

    // The body is an array of 1 to 10 objects.
    let eleven: Vec<Value> =
        (0..11).map(|i| json!({"email_address": format!("e{i}@example.com"), "role": "org:member"})).collect();
    app.post(&bulk, json!(eleven)).await.err(422, "form_param_array_size_exceeded");
    app.post(&bulk, json!([])).await.err(400, "request_body_invalid");
    app.post(&bulk, json!({"email_address": "a@example.com"})).await.err(422, "form_param_value_invalid");
    app.post(&bulk, json!(["a@example.com"])).await.err(422, "form_param_value_invalid");
    assert_eq!(app.get(&invitations(&org)).await.ok()["total_count"], 3);
}
