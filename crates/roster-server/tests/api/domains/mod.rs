//! Organization domains over real HTTP: the instance settings that gate them, names and their uniqueness, the
//! lists and their filters, verification, and automatic enrollment (invitations and suggestions for the users at
//! a verified domain, whichever came first).

use serde_json::{json, Value};

use roster_testkit::TestApp;

fn domains(org: &str) -> String {
    format!("/organizations/{org}/domains")
}

/// Turn domains on with both automatic modes.
async fn enable(app: &TestApp) {
    let body =
        json!({"domains_enabled": true, "domains_enrollment_modes": ["automatic_invitation", "automatic_suggestion"]});
    app.patch("/instance/organization_settings", body).await.ok();
}

async fn add(app: &TestApp, org: &str, name: &str, mode: &str, verified: bool) -> Value {
    let r = app.post(&domains(org), json!({"name": name, "enrollment_mode": mode, "verified": verified})).await;
    r.ok().clone()
}

#[tokio::test]
async fn a_domain_has_clerks_shape_and_one_organization() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let other = app.org(json!({"name": "Other"})).await;

    // Off until the instance turns domains on.
    let r = app.post(&domains(&org), json!({"name": "acme.example"})).await;
    r.err(403, "organization_domains_not_enabled");
    app.patch("/instance/organization_settings", json!({"domains_enabled": true})).await.ok();
    let r = app.post(&domains(&org), json!({"name": "acme.example", "enrollment_mode": "automatic_invitation"})).await;
    r.err(403, "organization_domain_enrollment_mode_not_enabled");
    enable(&app).await;

    let d = app.post(&domains(&org), json!({"name": "Acme.Example"})).await.ok().clone();
    assert_eq!(d["object"], "organization_domain");
    assert!(d["id"].as_str().unwrap().starts_with("orgdmn_"));
    assert_eq!((d["name"].as_str(), d["organization_id"].as_str()), (Some("acme.example"), Some(org.as_str())));
    assert_eq!(d["enrollment_mode"], "manual_invitation");
    assert_eq!(d["verification"]["status"], "unverified");
    for key in ["status", "strategy", "attempts", "expire_at", "verified_at"] {
        assert!(d["affiliation_verification"].get(key).is_some(), "{key}: {d}");
    }
    assert!(d["ownership_verification"].is_null() && d["affiliation_email_address"].is_null());
    assert_eq!((d["total_pending_invitations"].as_i64(), d["total_pending_suggestions"].as_i64()), (Some(0), Some(0)));
    assert_eq!(d["public_organization_data"]["name"], "Acme");

    let r = app.post(&domains(&org), json!({"name": "acme.example"})).await;
    r.err(422, "organization_domain_already_exists_same_organization");
    let r = app.post(&domains(&other), json!({"name": "ACME.example"})).await;
    r.err(422, "organization_domain_already_exists");
    app.post(&domains(&org), json!({"name": "gmail.com"})).await.err(422, "organization_domain_common");
    for bad in ["localhost", "acme..example", "-acme.example", "acme.example/x", "a b.example", "x@acme.example"] {
        let r = app.post(&domains(&org), json!({"name": bad})).await;
        r.err(422, "form_param_format_invalid");
        assert_eq!(r.param(), "name", "{bad}");
    }
    app.post(&domains(&org), json!({})).await.err(422, "form_param_missing");
    let r = app.post(&domains(&org), json!({"name": "b.example", "enrollment_mode": "enterprise_sso"})).await;
    r.err(422, "form_param_value_invalid");
    app.post(&domains("org_nope"), json!({"name": "b.example"})).await.err(404, "resource_not_found");

    // Verify ownership (Clerk's manual override), idempotently.
    let id = d["id"].as_str().unwrap();
    let v = app.post(&format!("{}/{id}/verify_ownership", domains(&org)), json!({})).await.ok().clone();
    assert_eq!(
        (v["verification"]["status"].as_str(), v["verification"]["strategy"].as_str()),
        (Some("verified"), Some("manual_override"))
    );
    assert_eq!(v["ownership_verification"]["status"], "verified");
    let again = app.post(&format!("{}/{id}/verify_ownership", domains(&org)), json!({})).await.ok().clone();
    assert_eq!(again["updated_at"], v["updated_at"]);

    // Delete: Clerk's deleted object; the name is free again.
    let gone = app.delete(&format!("{}/{id}", domains(&org))).await.ok().clone();
    assert_eq!(gone, json!({"object": "organization_domain", "id": id, "deleted": true}));
    app.delete(&format!("{}/{id}", domains(&org))).await.err(404, "resource_not_found");
    add(&app, &other, "acme.example", "manual_invitation", false).await;
}

#[tokio::test]
async fn lists_filter_by_organization_verification_mode_and_name() {
    let app = TestApp::spawn().await;
    enable(&app).await;
    let a = app.org(json!({"name": "A"})).await;
    let b = app.org(json!({"name": "B"})).await;
    add(&app, &a, "one.example", "manual_invitation", true).await;
    add(&app, &a, "two.example", "automatic_invitation", false).await;
    add(&app, &b, "three.example", "automatic_suggestion", true).await;

    let names = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_owned()).collect()
    };
    let r = app.get(&domains(&a)).await;
    assert_eq!(names(r.ok()), ["two.example", "one.example"]);
    assert_eq!(names(app.get(&format!("{}?verified=true", domains(&a))).await.ok()), ["one.example"]);
    for (query, expected) in [
        ("", vec!["three.example", "two.example", "one.example"]),
        ("?organization_id=B", vec![]),
        ("?verified=false", vec!["two.example"]),
        ("?enrollment_mode=manual_invitation,automatic_suggestion", vec!["three.example", "one.example"]),
        ("?enrollment_mode=-manual_invitation", vec!["three.example", "two.example"]),
        ("?enrollment_mode=-manual_invitation&verified=true", vec!["three.example"]),
        ("?domains=one.example&domains=three.example", vec!["three.example", "one.example"]),
        ("?query=thr", vec!["three.example"]),
        ("?order_by=name&limit=2", vec!["one.example", "three.example"]),
    ] {
        let query =
            query.replace("organization_id=B", &format!("organization_id={b}&enrollment_mode=manual_invitation"));
        let page = app.get(&format!("/organization_domains{query}")).await;
        assert_eq!(names(page.ok()), expected, "{query}");
    }
    app.get("/organization_domains?enrollment_mode=sso").await.err(422, "form_param_value_invalid");
    app.get("/organization_domains?verified=maybe").await.err(422, "form_param_value_invalid");
}

#[tokio::test]
async fn a_verified_automatic_domain_enrolls_the_users_at_it_whichever_came_first() {
    let app = TestApp::spawn().await;
    enable(&app).await;
    let owner = app.user_with_email("owner@other.example").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let early = app.user_with_email("early@acme.example").await;
    let member = app.user_with_email("member@acme.example").await;
    app.add_member(&org, &member, "org:member").await;
    app.user(
        json!({"email_address": ["unverified@acme.example"], "email_address_identification_status": ["reserved"]}),
    )
    .await;
    app.user_with_email("someone@sub.acme.example").await;

    // Unverified: nothing yet. Verified: the users already there are invited (not the member, not the
    // unverified address, not a subdomain's).
    let d = add(&app, &org, "acme.example", "automatic_invitation", false).await;
    assert_eq!(d["total_pending_invitations"], 0);
    let id = d["id"].as_str().unwrap();
    let d = app.patch(&format!("{}/{id}", domains(&org)), json!({"verified": true})).await.ok().clone();
    assert_eq!(d["total_pending_invitations"], 1, "{d}");
    let invited = app.get(&format!("/users/{early}/organization_invitations")).await;
    let inv = invited.ok()["data"][0].clone();
    assert_eq!(
        (inv["email_address"].as_str(), inv["role"].as_str(), inv["status"].as_str()),
        (Some("early@acme.example"), Some("org:member"), Some("pending"))
    );
    // The organization's own list leaves domain-made invitations out (as Clerk's does); the instance's has it.
    assert_eq!(app.get(&format!("/organizations/{org}/invitations")).await.ok()["total_count"], 0);
    assert_eq!(app.get("/organization_invitations").await.ok()["total_count"], 1);

    // A user created later is invited as they are created.
    let late = app.user_with_email("Late@Acme.example").await;
    let invited = app.get(&format!("/users/{late}/organization_invitations")).await;
    assert_eq!(invited.ok()["total_count"], 1);
    let accept = format!("/organizations/{org}/invitations/{}/accept", invited.ok()["data"][0]["id"].as_str().unwrap());
    app.post(&accept, json!({"user_id": late})).await.ok();

    // Suggestions instead in automatic_suggestion mode, one per user.
    let d = app
        .patch(&format!("{}/{id}", domains(&org)), json!({"enrollment_mode": "automatic_suggestion"}))
        .await
        .ok()
        .clone();
    assert_eq!(d["total_pending_suggestions"], 1, "only early: the others are members\n{d}");
    let s = app.get(&format!("/users/{early}/organization_suggestions")).await;
    assert_eq!(s.ok()["total_count"], 1);
    let s = &s.ok()["data"][0];
    assert_eq!((s["object"].as_str(), s["status"].as_str()), (Some("organization_suggestion"), Some("pending")));
    assert_eq!(s["public_organization_data"]["id"], org.as_str());
    app.get("/users/user_nope/organization_suggestions").await.err(404, "resource_not_found");

    // Deleting the domain revokes its pending invitations and drops its suggestions.
    app.delete(&format!("{}/{id}", domains(&org))).await.ok();
    let invited = app.get(&format!("/users/{early}/organization_invitations")).await;
    assert_eq!(invited.ok()["data"][0]["status"], "revoked");
    assert_eq!(app.get(&format!("/users/{early}/organization_suggestions")).await.ok()["total_count"], 0);
}

#[tokio::test]
async fn automatic_enrollment_never_exceeds_the_quota() {
    let app = TestApp::spawn().await;
    enable(&app).await;
    let owner = app.user_with_email("owner@other.example").await;
    let org = app.org(json!({"name": "Small", "created_by": owner, "max_allowed_memberships": 3})).await;
    for i in 0..5 {
        app.user_with_email(&format!("u{i}@small.example")).await;
    }
    let d = add(&app, &org, "small.example", "automatic_invitation", true).await;
    assert_eq!(d["total_pending_invitations"], 2, "the owner and two invitations fill three seats");
    app.user_with_email("late@small.example").await;
    let counted = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    assert_eq!(counted.ok()["pending_invitations_count"], 2);
}
