//! Races: simultaneous requests (on one node, and on two nodes over one database) never break the rules.

use futures::future::join_all;
use roster_server::Config;

use super::*;

#[tokio::test]
async fn two_nodes_racing_the_same_address_make_one_invitation() {
    let app = TestApp::spawn().await;
    let second = app.second_node(Config::default()).await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let body = json!({"email_address": "race@example.com", "role": "org:member"});
    for round in 0..5 {
        let email = format!("race{round}@example.com");
        let body = json!({"email_address": email, "role": "org:member"});
        let sends = (0..8).map(|i| {
            let (api, body, path) = (if i % 2 == 0 { &*app } else { &second }, body.clone(), invitations(&org));
            async move { api.post(&path, body).await }
        });
        let results = join_all(sends).await;
        let won = results.iter().filter(|r| r.status == 200).count();
        assert_eq!(won, 1, "round {round}: {:?}", results.iter().map(|r| &r.text).collect::<Vec<_>>());
        for r in results.iter().filter(|r| r.status != 200) {
            r.err(400, "organization_invitation_not_unique");
        }
        let page = app.get(&format!("{}?email_address={email}", invitations(&org))).await;
        assert_eq!(page.ok()["total_count"], 1);
    }
    let _ = body;
}

#[tokio::test]
async fn the_quota_holds_when_invitations_and_memberships_race() {
    let app = TestApp::spawn().await;
    let second = app.second_node(Config::default()).await;
    let owner = app.user_with_email("owner@example.com").await;
    let org = app.org(json!({"name": "Tight", "created_by": owner, "max_allowed_memberships": 6})).await;
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(app.user_with_email(&format!("member{i}@example.com")).await);
    }
    // 10 invitations and 10 memberships at once, split over two nodes, for 5 free seats.
    let invites = (0..10).map(|i| {
        let (api, path) = (if i % 2 == 0 { &*app } else { &second }, invitations(&org));
        async move {
            api.post(&path, json!({"email_address": format!("invitee{i}@example.com"), "role": "org:member"})).await
        }
    });
    let joins = users.iter().enumerate().map(|(i, user)| {
        let (api, path) = (if i % 2 == 1 { &*app } else { &second }, format!("/organizations/{org}/memberships"));
        async move { api.post(&path, json!({"user_id": user, "role": "org:member"})).await }
    });
    let (invites, joins) = tokio::join!(join_all(invites), join_all(joins));
    let won = invites.iter().chain(joins.iter()).filter(|r| r.status == 200).count();
    assert_eq!(won, 5, "exactly the free seats are taken");
    for r in invites.iter().chain(joins.iter()).filter(|r| r.status != 200) {
        r.err(403, "organization_membership_quota_exceeded");
    }
    let counted = app.get(&format!("/organizations/{org}?include_members_count=true")).await;
    let (members, pending) =
        (counted.ok()["members_count"].as_i64().unwrap(), counted.ok()["pending_invitations_count"].as_i64().unwrap());
    assert_eq!(members + pending, 6, "{}", counted.text);
}

#[tokio::test]
async fn racing_accepts_of_one_invitation_make_one_membership() {
    let app = TestApp::spawn().await;
    let second = app.second_node(Config::default()).await;
    let (org, _) = org_with_admin(&app, "Acme").await;
    let inv = invite(&app, &org, "joiner@example.com").await;
    let joiner = app.user_with_email("joiner@example.com").await;
    let path = format!("{}/accept", invitation(&org, inv["id"].as_str().unwrap()));
    let sends = (0..6).map(|i| {
        let (api, path, joiner) = (if i % 2 == 0 { &*app } else { &second }, path.clone(), joiner.clone());
        async move { api.post(&path, json!({"user_id": joiner})).await }
    });
    let results = join_all(sends).await;
    assert_eq!(results.iter().filter(|r| r.status == 200).count(), 1);
    for r in results.iter().filter(|r| r.status != 200) {
        r.err(400, "organization_invitation_already_accepted");
    }
    let members = app.get(&format!("/organizations/{org}/memberships?user_id={joiner}")).await;
    assert_eq!(members.ok()["total_count"], 1);
}
