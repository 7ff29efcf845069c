//! The three invitation lists: per organization (without domain-made invitations), instance-wide and per user,
//! with their filters, orders and paging.

use super::*;

fn emails(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|i| i["email_address"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lists_filter_order_and_page() {
    let app = TestApp::spawn().await;
    let (acme, _) = org_with_admin(&app, "Acme").await;
    let (globex, _) = org_with_admin(&app, "Globex").await;
    for email in ["carol@example.com", "alice@example.com", "bob@example.com"] {
        invite(&app, &acme, email).await;
    }
    let revoked = invite(&app, &acme, "dave@example.com").await;
    app.post(&format!("{}/revoke", invitation(&acme, revoked["id"].as_str().unwrap())), json!({})).await.ok();
    let expired = invite(&app, &acme, "erin@example.com").await;
    super::accept::expire(&app, expired["id"].as_str().unwrap()).await;
    invite(&app, &globex, "alice@example.com").await;

    let path = invitations(&acme);
    // Newest first by default.
    let all = app.get(&path).await;
    assert_eq!(all.ok()["total_count"], 5);
    assert_eq!(
        emails(all.ok()),
        ["erin@example.com", "dave@example.com", "bob@example.com", "alice@example.com", "carol@example.com"]
    );
    let by_email = app.get(&format!("{path}?order_by=email_address")).await;
    assert_eq!(emails(by_email.ok())[..2], ["alice@example.com", "bob@example.com"]);
    let by_email_desc = app.get(&format!("{path}?order_by=-email_address&limit=2&offset=1")).await;
    assert_eq!(emails(by_email_desc.ok()), ["dave@example.com", "carol@example.com"]);
    assert_eq!(by_email_desc.ok()["total_count"], 5);

    for (query, expected) in [
        ("status=pending", vec!["bob@example.com", "alice@example.com", "carol@example.com"]),
        ("status=revoked", vec!["dave@example.com"]),
        ("status=expired", vec!["erin@example.com"]),
        ("status=revoked&status=expired", vec!["erin@example.com", "dave@example.com"]),
        ("status=accepted", vec![]),
        ("email_address=ALICE@example.com", vec!["alice@example.com"]),
    ] {
        let page = app.get(&format!("{path}?{query}")).await;
        assert_eq!(emails(page.ok()), expected, "{query}");
        assert_eq!(page.ok()["total_count"], expected.len(), "{query}");
    }
    let pending = app.get(&format!("{path}/pending")).await;
    assert_eq!(pending.ok()["total_count"], 3);

    app.get(&format!("{path}?status=lost")).await.err(422, "form_param_value_invalid");
    app.get(&format!("{path}?order_by=role")).await.err(422, "form_param_value_invalid");
    app.get(&format!("{path}?limit=501")).await.err(422, "form_param_value_invalid");
    app.get("/organizations/org_nope/invitations").await.err(404, "resource_not_found");

    // Instance-wide: every organization's, with `public_organization_data`, `query` on the address.
    let instance = app.get("/organization_invitations?query=alice").await;
    assert_eq!(instance.ok()["total_count"], 2);
    let orgs: Vec<&str> = instance.ok()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["public_organization_data"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, ["Globex", "Acme"]);
    let pending_all = app.get("/organization_invitations?status=pending&order_by=+created_at").await;
    assert_eq!(
        emails(pending_all.ok()),
        ["carol@example.com", "alice@example.com", "bob@example.com", "alice@example.com"]
    );
}

#[tokio::test]
async fn a_users_invitations_are_those_to_their_verified_addresses() {
    let app = TestApp::spawn().await;
    let (acme, _) = org_with_admin(&app, "Acme").await;
    let (globex, _) = org_with_admin(&app, "Globex").await;
    let user = app.user(json!({"email_address": ["pat@example.com", "pat@reserved.example"], "email_address_identification_status": ["verified", "reserved"]})).await;
    invite(&app, &acme, "PAT@example.com").await;
    invite(&app, &globex, "pat@example.com").await;
    invite(&app, &globex, "pat@reserved.example").await;
    invite(&app, &globex, "someone@example.com").await;
    let page = app.get(&format!("/users/{user}/organization_invitations")).await;
    assert_eq!(page.ok()["total_count"], 2);
    assert_eq!(page.ok()["data"][0]["public_organization_data"]["id"], globex.as_str());
    assert_eq!(page.ok()["data"][1]["public_organization_data"]["id"], acme.as_str());
    let none = app.get(&format!("/users/{user}/organization_invitations?status=accepted")).await;
    assert_eq!(none.ok()["total_count"], 0);
    app.get("/users/user_nope/organization_invitations").await.err(404, "resource_not_found");
}

#[tokio::test]
async fn another_instances_invitations_are_out_of_reach() {
    let app = TestApp::spawn().await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let inv = invite(&app, &org, "x@example.com").await;
    let id = inv["id"].as_str().unwrap();
    let other = app.other_instance(roster_core::model::Environment::Development).await;
    let r = app.call_as(&other, Method::GET, &invitation(&org, id), None).await;
    r.err(404, "resource_not_found");
    let r = app.call_as(&other, Method::POST, &format!("{}/revoke", invitation(&org, id)), Some(json!({}))).await;
    r.err(404, "resource_not_found");
    let r = app.call_as(&other, Method::GET, "/organization_invitations", None).await;
    assert_eq!(r.ok()["total_count"], 0);
    let r = app
        .call_as(
            &other,
            Method::POST,
            &invitations(&org),
            Some(json!({"email_address": "y@example.com", "role": "org:member"})),
        )
        .await;
    r.err(404, "resource_not_found");
    assert_eq!(status_of(&app.get(&invitation(&org, id)).await), "pending");
}
