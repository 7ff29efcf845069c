//! The membership rules, over real HTTP: existence of org/user/role, uniqueness, quota, the last member
//! holding `org:sys_memberships:manage`, metadata merge and limits, parameter errors, cascades on user
//! and organization deletion, the instance-wide and per-user lists, and isolation between instances.
//! The concurrent tests fire real simultaneous requests and check that exactly the right ones win.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::{Resp, TestApp, VERSION};

const MAX_METADATA: usize = 8192;

fn memberships(org: &str) -> String {
    format!("/organizations/{org}/memberships")
}

fn membership(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}")
}

fn metadata(org: &str, user: &str) -> String {
    format!("/organizations/{org}/memberships/{user}/metadata")
}

/// The organization's `members_count`, as the API reports it.
async fn members_count(app: &TestApp, org: &str) -> i64 {
    app.get(&format!("/organizations/{org}?include_members_count=true")).await.ok()["members_count"]
        .as_i64()
        .expect("members_count")
}

/// The org's membership list (up to 500).
async fn list(app: &TestApp, org: &str) -> Value {
    app.get(&format!("{}?limit=500", memberships(org))).await.ok().clone()
}

/// How many members of the org hold `org:admin`.
async fn admin_count(app: &TestApp, org: &str) -> i64 {
    app.get(&format!("{}?role=org:admin", memberships(org))).await.ok()["total_count"].as_i64().unwrap()
}

/// The stored membership of `user` in `org`, re-read through the list.
async fn stored(app: &TestApp, org: &str, user: &str) -> Value {
    let page = app.get(&format!("{}?user_id={user}", memberships(org))).await;
    let page = page.ok();
    assert_eq!(page["total_count"], 1, "{page}");
    page["data"][0].clone()
}

/// The stored (public, private) metadata of a membership.
async fn stored_metadata(app: &TestApp, org: &str, user: &str) -> (Value, Value) {
    let m = stored(app, org, user).await;
    (m["public_metadata"].clone(), m["private_metadata"].clone())
}

/// A request made with another secret key.
async fn with_key(app: &TestApp, key: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
    let mut rb = app.client.request(method, app.url(path)).bearer_auth(key).header("Clerk-API-Version", VERSION);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    app.send(rb).await
}

/// The user ids of a membership page, sorted.
fn user_ids(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["public_user_data"]["user_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The organization ids of a membership page, sorted.
fn org_ids(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        page["data"].as_array().unwrap().iter().map(|m| m["organization"]["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Split responses into successes and the rest, asserting every failure is `status`/`code`.
fn tally(responses: &[Resp], status: u16, code: &str) -> usize {
    let mut ok = 0;
    for r in responses {
        if r.status == 200 {
            ok += 1;
        } else {
            r.err(status, code);
        }
    }
    ok
}

// ---------------------------------------------------------------------------------------------------
// 1. Existence of user, organization and role
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_refuses_unknown_user_organization_and_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    // A user id that exists nowhere.
    let r = app.post(&memberships(&org), json!({"user_id": "user_doesnotexist", "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");

    // A user of another instance is not a user of this one.
    let other = app.other_instance(Environment::Development).await;
    let foreign =
        with_key(&app, &other, Method::POST, "/users", Some(json!({"email_address": ["foreign@example.com"]}))).await;
    let foreign = foreign.ok()["id"].as_str().unwrap().to_owned();
    let r = app.post(&memberships(&org), json!({"user_id": foreign, "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], format!("No user was found with id {foreign}"));

    // Unknown organization.
    let r = app.post(&memberships("org_doesnotexist"), json!({"user_id": member, "role": "org:member"})).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "Given organization not found.");

    // Unknown role keys, including the legacy bare names.
    for role in ["org:nope", "admin", "basic_member", "ORG:ADMIN"] {
        let r = app.post(&memberships(&org), json!({"user_id": member, "role": role})).await;
        let e = r.err(404, "resource_not_found");
        assert_eq!(r.param(), "role", "role {role}: {}", r.text);
        assert_eq!(e["long_message"], "Organization role not found");
        assert_eq!(e["message"], "not found");
    }

    // The same for an update of an existing member.
    for role in ["org:nope", "admin"] {
        let r = app.patch(&membership(&org, &owner), json!({"role": role})).await;
        let e = r.err(404, "resource_not_found");
        assert_eq!(r.param(), "role");
        assert_eq!(e["long_message"], "Organization role not found");
    }

    // Nothing was created or changed.
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    assert_eq!(user_ids(&page), vec![owner.clone()]);
    assert_eq!(page["data"][0]["role"], "org:admin");
    assert_eq!(members_count(&app, &org).await, 1);
}

// ---------------------------------------------------------------------------------------------------
// 2. Uniqueness
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_membership_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let first = app.add_member(&org, &member, "org:member").await;

    // Same role, another role, and the creator again: all refused.
    for (user, role) in [(&member, "org:member"), (&member, "org:admin"), (&owner, "org:member")] {
        let r = app.post(&memberships(&org), json!({"user_id": user, "role": role})).await;
        let e = r.err(400, "already_a_member_in_organization");
        assert!(e["long_message"].as_str().unwrap().contains(user.as_str()), "{}", r.text);
    }

    // The original membership is untouched.
    assert_eq!(stored(&app, &org, &member).await, first);
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_creates_admit_exactly_one() {
    let app = TestApp::spawn().await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    let path = memberships(&org);
    let body = json!({"user_id": member, "role": "org:member"});

    let responses = join_all((0..50).map(|_| app.post(&path, body.clone()))).await;
    let ok = tally(&responses, 400, "already_a_member_in_organization");
    assert_eq!(ok, 1, "exactly one create wins");
    assert_eq!(responses.len() - ok, 49);

    assert_eq!(members_count(&app, &org).await, 1);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    assert_eq!(user_ids(&page), vec![member.clone()]);
    let per_user = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(per_user.ok()["total_count"], 1);
}

// ---------------------------------------------------------------------------------------------------
// 3. Quota
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn quota_refuses_members_beyond_max_allowed_memberships() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let c = app.user_with_email("c@example.com").await;
    let org = app.org(json!({"name": "Small", "max_allowed_memberships": 2})).await;

    app.add_member(&org, &a, "org:admin").await;
    app.add_member(&org, &b, "org:member").await;
    let r = app.post(&memberships(&org), json!({"user_id": c, "role": "org:member"})).await;
    let e = r.err(403, "organization_membership_quota_exceeded");
    assert_eq!(
        e["long_message"],
        "You have reached your limit of 2 organization memberships, including outstanding invitations."
    );
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);

    // The creator counts too.
    let creator_org = app.org(json!({"name": "Solo", "created_by": a, "max_allowed_memberships": 1})).await;
    app.post(&memberships(&creator_org), json!({"user_id": b, "role": "org:member"}))
        .await
        .err(403, "organization_membership_quota_exceeded");

    // Removing a member frees a seat.
    app.delete(&membership(&org, &b)).await.ok();
    app.add_member(&org, &c, "org:member").await;
    assert_eq!(members_count(&app, &org).await, 2);
    app.post(&memberships(&org), json!({"user_id": b, "role": "org:member"}))
        .await
        .err(403, "organization_membership_quota_exceeded");
}

#[tokio::test]
async fn quota_zero_means_unlimited() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Big", "max_allowed_memberships": 0})).await;
    let got = app.get(&format!("/organizations/{org}")).await;
    assert_eq!(got.ok()["max_allowed_memberships"], 0);
    for i in 0..12 {
        let user = app.user_with_email(&format!("u{i}@example.com")).await;
        app.add_member(&org, &user, "org:member").await;
    }
    assert_eq!(members_count(&app, &org).await, 12);
    assert_eq!(list(&app, &org).await["total_count"], 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_respect_quota() {
    let app = TestApp::spawn().await;
    let mut users = Vec::new();
    for i in 0..20 {
        users.push(app.user_with_email(&format!("u{i}@example.com")).await);
    }
    let org = app.org(json!({"name": "Five", "max_allowed_memberships": 5})).await;
    let path = memberships(&org);

    let responses = join_all(users.iter().map(|u| app.post(&path, json!({"user_id": u, "role": "org:member"})))).await;
    let ok = tally(&responses, 403, "organization_membership_quota_exceeded");
    assert_eq!(ok, 5, "exactly max_allowed_memberships creates win");
    assert_eq!(responses.len() - ok, 15);

    assert_eq!(members_count(&app, &org).await, 5);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 5);
    let winners: Vec<String> =
        users.iter().zip(&responses).filter(|(_, r)| r.status == 200).map(|(u, _)| u.clone()).collect();
    assert_eq!(user_ids(&page), sorted(winners));
    let all = app.get("/organization_memberships?limit=500").await;
    assert_eq!(all.ok()["total_count"], 5);
}

// ---------------------------------------------------------------------------------------------------
// 4. The last member holding org:sys_memberships:manage
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_only_admin_cannot_be_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;
    let before = stored(&app, &org, &owner).await;

    let r = app.patch(&membership(&org, &owner), json!({"role": "org:member"})).await;
    let e = r.err(400, "organization_minimum_permissions_needed");
    assert_eq!(
        e["long_message"],
        "There has to be at least one organization member with the minimum required permissions"
    );
    app.delete(&membership(&org, &owner)).await.err(400, "organization_minimum_permissions_needed");

    // Unchanged.
    assert_eq!(stored(&app, &org, &owner).await, before);
    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 2);

    // Setting the same managing role again is no demotion; non-managers can be removed freely.
    let same = app.patch(&membership(&org, &owner), json!({"role": "org:admin"})).await;
    assert_eq!(same.ok()["role"], "org:admin");
    app.delete(&membership(&org, &member)).await.ok();
    assert_eq!(members_count(&app, &org).await, 1);

    // Alone in the org, the admin still cannot leave it without a manager.
    app.delete(&membership(&org, &owner)).await.err(400, "organization_minimum_permissions_needed");
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test]
async fn with_two_admins_one_can_be_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    assert_eq!(admin_count(&app, &org).await, 2);

    let demoted = app.patch(&membership(&org, &a), json!({"role": "org:member"})).await;
    let demoted = demoted.ok();
    assert_eq!(demoted["role"], "org:member");
    assert_eq!(demoted["role_name"], "Member");
    assert_eq!(admin_count(&app, &org).await, 1);

    // b is now the last admin.
    app.patch(&membership(&org, &b), json!({"role": "org:member"}))
        .await
        .err(400, "organization_minimum_permissions_needed");
    app.delete(&membership(&org, &b)).await.err(400, "organization_minimum_permissions_needed");

    // Promote a back; then b can leave.
    app.patch(&membership(&org, &a), json!({"role": "org:admin"})).await.ok();
    app.delete(&membership(&org, &b)).await.ok();
    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_demotions_of_both_admins_keep_one() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    let (pa, pb) = (membership(&org, &a), membership(&org, &b));

    let responses =
        futures::join!(app.patch(&pa, json!({"role": "org:member"})), app.patch(&pb, json!({"role": "org:member"})),);
    let responses = [responses.0, responses.1];
    let ok = tally(&responses, 400, "organization_minimum_permissions_needed");
    assert_eq!(ok, 1, "{responses:?}");

    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 2);
    // The one whose demotion failed is the remaining admin.
    let loser = if responses[0].status == 200 { &b } else { &a };
    assert_eq!(stored(&app, &org, loser).await["role"], "org:admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_removals_of_both_admins_keep_one() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": a})).await;
    app.add_member(&org, &b, "org:admin").await;
    let (pa, pb) = (membership(&org, &a), membership(&org, &b));

    let responses = futures::join!(app.delete(&pa), app.delete(&pb));
    let responses = [responses.0, responses.1];
    let ok = tally(&responses, 400, "organization_minimum_permissions_needed");
    assert_eq!(ok, 1, "{responses:?}");

    assert_eq!(admin_count(&app, &org).await, 1);
    assert_eq!(members_count(&app, &org).await, 1);
    let page = list(&app, &org).await;
    assert_eq!(page["total_count"], 1);
    let survivor = if responses[0].status == 200 { &b } else { &a };
    assert_eq!(user_ids(&page), vec![survivor.clone()]);
}

// ---------------------------------------------------------------------------------------------------
// 5. Metadata
// ---------------------------------------------------------------------------------------------------

/// An org with a member whose membership carries the given metadata.
async fn member_with_metadata(app: &TestApp, public: Value, private: Value) -> (String, String) {
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": member, "role": "org:member", "public_metadata": public, "private_metadata": private}),
        )
        .await;
    let m = r.ok();
    assert_eq!(m["public_metadata"], public);
    assert_eq!(m["private_metadata"], private);
    (org, member)
}

#[tokio::test]
async fn metadata_patch_deep_merges_public_and_private() {
    let app = TestApp::spawn().await;
    let (org, member) = member_with_metadata(
        &app,
        json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "list": [1, 2, 3], "s": "x", "gone": 1, "keep": true}),
        json!({"p": {"q": 1, "r": {"deep": 2, "deeper": {"x": 1}}}, "arr": [1], "n": 5}),
    )
    .await;

    let r = app
        .patch(
            &metadata(&org, &member),
            json!({
                "public_metadata": {
                    "a": {"c": {"d": null, "f": 4}, "missing": null},
                    "list": [9],
                    "s": {"now": "object", "drop": null},
                    "gone": null,
                    "new": [1, null, {"k": null}],
                },
                "private_metadata": {
                    "p": {"r": {"deeper": {"x": null}, "deep": null}, "t": [1]},
                    "arr": "scalar",
                    "n": {"o": 1},
                },
            }),
        )
        .await;
    let m = r.ok().clone();
    let public = json!({
        "a": {"b": 1, "c": {"e": 3, "f": 4}},
        "list": [9],
        "s": {"now": "object"},
        "keep": true,
        "new": [1, null, {"k": null}],
    });
    let private = json!({"p": {"q": 1, "r": {"deeper": {}}, "t": [1]}, "arr": "scalar", "n": {"o": 1}});
    assert_eq!(m["public_metadata"], public);
    assert_eq!(m["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));

    // Objects are replaced by scalars; a field that is not sent is untouched.
    let r = app.patch(&metadata(&org, &member), json!({"public_metadata": {"a": 7, "keep": null}})).await;
    let public2 = json!({"a": 7, "list": [9], "s": {"now": "object"}, "new": [1, null, {"k": null}]});
    assert_eq!(r.ok()["public_metadata"], public2);
    assert_eq!(r.ok()["private_metadata"], private);
    let r = app.patch(&metadata(&org, &member), json!({"private_metadata": {"p": null, "arr": null, "n": null}})).await;
    assert_eq!(r.ok()["private_metadata"], json!({}));
    assert_eq!(r.ok()["public_metadata"], public2);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public2, json!({})));

    // The rest of the membership is the same.
    let m = stored(&app, &org, &member).await;
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["object"], "organization_membership");
}

#[tokio::test]
async fn metadata_patch_without_changes_leaves_it_unchanged() {
    let app = TestApp::spawn().await;
    let public = json!({"a": {"b": [1, 2]}, "s": "x"});
    let private = json!({"secret": {"n": 1}});
    let (org, member) = member_with_metadata(&app, public.clone(), private.clone()).await;
    let path = metadata(&org, &member);

    // No body at all.
    let r = app.call(Method::PATCH, &path, None).await;
    assert_eq!(r.ok()["public_metadata"], public);
    assert_eq!(r.ok()["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));

    for body in [
        json!({}),
        json!({"public_metadata": {}}),
        json!({"public_metadata": {}, "private_metadata": {}}),
        json!({"public_metadata": {"not_there": null}}),
    ] {
        let r = app.patch(&path, body.clone()).await;
        assert_eq!(r.ok()["public_metadata"], public, "{body}");
        assert_eq!(r.ok()["private_metadata"], private, "{body}");
        assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));
    }
}

#[tokio::test]
async fn metadata_size_limit_is_8192_bytes_of_the_resulting_field() {
    let app = TestApp::spawn().await;
    let (org, member) = member_with_metadata(&app, json!({}), json!({})).await;
    let path = metadata(&org, &member);

    // `{"k":"..."}` is 8 bytes plus the string: exactly 8192 fits.
    let exact = json!({"k": "x".repeat(MAX_METADATA - 8)});
    assert_eq!(serde_json::to_vec(&exact).unwrap().len(), MAX_METADATA);
    let over = json!({"k": "x".repeat(MAX_METADATA - 7)});

    for field in ["public_metadata", "private_metadata"] {
        let before = stored_metadata(&app, &org, &member).await;
        // A value over the limit on its own.
        let r = app.patch(&path, json!({ field: over })).await;
        let e = r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);
        assert_eq!(
            e["long_message"],
            format!("The given {field} exceeds the maximum allowed size of 8192 bytes (8 KB).")
        );
        assert_eq!(stored_metadata(&app, &org, &member).await, before);

        // Exactly the limit is accepted.
        let r = app.patch(&path, json!({ field: exact })).await;
        assert_eq!(r.ok()[field], exact);
        let after = stored_metadata(&app, &org, &member).await;

        // A small patch that would push the merged field over the limit is refused.
        let r = app.patch(&path, json!({ field: {"a": 1} })).await;
        r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);
        assert_eq!(stored_metadata(&app, &org, &member).await, after);

        // ... but one that shrinks it is fine.
        let r = app.patch(&path, json!({ field: {"k": null, "a": 1} })).await;
        assert_eq!(r.ok()[field], json!({"a": 1}));
    }

    // One field over the limit refuses the whole request: the other field is not changed either.
    app.patch(&path, json!({"private_metadata": {"a": null}})).await.ok();
    let r = app.patch(&path, json!({ "private_metadata": exact })).await;
    assert_eq!(r.ok()["private_metadata"], exact);
    let before = stored_metadata(&app, &org, &member).await;
    let r = app.patch(&path, json!({"public_metadata": {"fine": true}, "private_metadata": {"b": 2}})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, before);
    let r = app.patch(&path, json!({"public_metadata": {"fine": true}, "private_metadata": over})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, before);
}

#[tokio::test]
async fn metadata_must_be_objects() {
    let app = TestApp::spawn().await;
    let public = json!({"a": 1});
    let private = json!({"b": 2});
    let (org, member) = member_with_metadata(&app, public.clone(), private.clone()).await;
    let path = metadata(&org, &member);

    for field in ["public_metadata", "private_metadata"] {
        for bad in [json!("a string"), json!([1, 2]), json!(42), json!(true)] {
            let r = app.patch(&path, json!({ field: bad })).await;
            let e = r.err(422, "form_param_value_invalid");
            assert_eq!(r.param(), field, "{bad}: {}", r.text);
            assert_eq!(
                e["long_message"],
                format!("{field} is invalid: the given metadata is not a valid key-value object.")
            );
            assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));
        }
    }

    // A valid field next to an invalid one is not applied either.
    let r = app.patch(&path, json!({"public_metadata": {"x": 1}, "private_metadata": [1]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, (public, private));
}

#[tokio::test]
async fn metadata_patch_refuses_unknown_keys() {
    let app = TestApp::spawn().await;
    let public = json!({"a": 1});
    let (org, member) = member_with_metadata(&app, public.clone(), json!({})).await;
    let path = metadata(&org, &member);

    for key in ["unsafe_metadata", "role", "metadata"] {
        let r = app.patch(&path, json!({"public_metadata": {"changed": true}, key: {"x": 1}})).await;
        let e = r.err(422, "form_param_unknown");
        assert_eq!(r.param(), key);
        assert_eq!(e["long_message"], format!("{key} is not a valid parameter for this request."));
        assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), json!({})));
    }
    assert_eq!(stored(&app, &org, &member).await["role"], "org:member");
}

#[tokio::test]
async fn metadata_on_create_is_stored_and_limited() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    let public = json!({"team": "red", "nested": {"n": [1, 2]}});
    let private = json!({"secret": {"level": 3}});
    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": a, "role": "org:member", "public_metadata": public, "private_metadata": private}),
        )
        .await;
    assert_eq!(r.ok()["public_metadata"], public);
    assert_eq!(r.ok()["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &a).await, (public, private));

    // Absent and null are empty objects.
    assert_eq!(stored_metadata(&app, &org, &owner).await, (json!({}), json!({})));

    let exact = json!({"k": "x".repeat(MAX_METADATA - 8)});
    let over = json!({"k": "x".repeat(MAX_METADATA - 7)});
    for field in ["public_metadata", "private_metadata"] {
        let r = app.post(&memberships(&org), json!({"user_id": b, "role": "org:member", field: over})).await;
        r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);

        for bad in [json!("s"), json!([1]), json!(1)] {
            let r = app.post(&memberships(&org), json!({"user_id": b, "role": "org:member", field: bad})).await;
            r.err(422, "form_param_value_invalid");
            assert_eq!(r.param(), field);
        }
    }
    // None of the refused creates made a membership.
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);

    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": b, "role": "org:member", "public_metadata": exact, "private_metadata": null}),
        )
        .await;
    assert_eq!(r.ok()["public_metadata"], exact);
    assert_eq!(r.ok()["private_metadata"], json!({}));
    assert_eq!(stored_metadata(&app, &org, &b).await, (exact, json!({})));
}

// ---------------------------------------------------------------------------------------------------
// 6. Parameter errors
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_requires_user_id_and_role() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme"})).await;
    let path = memberships(&org);

    let missing_user = [
        json!({"role": "org:member"}),
        json!({"user_id": "", "role": "org:member"}),
        json!({"user_id": "   ", "role": "org:member"}),
        json!({"user_id": null, "role": "org:member"}),
    ];
    for body in missing_user {
        let r = app.post(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "user_id", "{body}");
        assert_eq!(e["long_message"], "user_id must be included.");
    }
    let missing_role =
        [json!({"user_id": user}), json!({"user_id": user, "role": ""}), json!({"user_id": user, "role": null})];
    for body in missing_role {
        let r = app.post(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "role", "{body}");
        assert_eq!(e["long_message"], "role must be included.");
    }
    // No body at all: the first required parameter is named.
    let r = app.call(Method::POST, &path, None).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "user_id");

    // Wrong types.
    let r = app.post(&path, json!({"user_id": 123, "role": "org:member"})).await;
    let e = r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");
    assert_eq!(e["long_message"], "user_id is invalid. Received number, must be of type string.");
    let r = app.post(&path, json!({"user_id": user, "role": 5})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "role");
    let r = app.post(&path, json!({"user_id": [user], "role": "org:member"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "user_id");

    assert_eq!(members_count(&app, &org).await, 0);
    assert_eq!(list(&app, &org).await["total_count"], 0);
}

#[tokio::test]
async fn update_requires_role() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.add_member(&org, &member, "org:member").await;
    let path = membership(&org, &member);
    let before = stored(&app, &org, &member).await;

    for body in [json!({}), json!({"role": null}), json!({"role": ""})] {
        let r = app.patch(&path, body.clone()).await;
        let e = r.err(422, "form_param_missing");
        assert_eq!(r.param(), "role", "{body}");
        assert_eq!(e["long_message"], "role must be included.");
    }
    let r = app.call(Method::PATCH, &path, None).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "role");

    let r = app.patch(&path, json!({"role": 1})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "role");

    assert_eq!(stored(&app, &org, &member).await, before);
}

// ---------------------------------------------------------------------------------------------------
// 7. Non-members and unknown organizations
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn non_members_and_unknown_organizations_are_not_found() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let outsider = app.user_with_email("outsider@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let other_org = app.org(json!({"name": "Other", "created_by": outsider})).await;

    for user in [outsider.as_str(), "user_doesnotexist"] {
        app.patch(&membership(&org, user), json!({"role": "org:member"})).await.err(404, "resource_not_found");
        app.delete(&membership(&org, user)).await.err(404, "resource_not_found");
        app.patch(&metadata(&org, user), json!({"public_metadata": {"a": 1}})).await.err(404, "resource_not_found");
    }

    for org in ["org_doesnotexist", "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S"] {
        for user in [owner.as_str(), outsider.as_str()] {
            let r = app.patch(&membership(org, user), json!({"role": "org:member"})).await;
            let e = r.err(404, "resource_not_found");
            assert_eq!(e["long_message"], "Given organization not found.");
            app.delete(&membership(org, user)).await.err(404, "resource_not_found");
            app.patch(&metadata(org, user), json!({"public_metadata": {"a": 1}})).await.err(404, "resource_not_found");
        }
        app.get(&memberships(org)).await.err(404, "resource_not_found");
    }

    // Nothing changed in either org.
    let page = list(&app, &org).await;
    assert_eq!(user_ids(&page), vec![owner.clone()]);
    assert_eq!(page["data"][0]["public_metadata"], json!({}));
    let page = list(&app, &other_org).await;
    assert_eq!(user_ids(&page), vec![outsider.clone()]);
    assert_eq!(page["data"][0]["role"], "org:admin");
    assert_eq!(page["data"][0]["public_metadata"], json!({}));
}

// ---------------------------------------------------------------------------------------------------
// 8. Cascades
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn deleting_a_user_deletes_their_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let leaver = app.user_with_email("leaver@example.com").await;
    let stayer = app.user_with_email("stayer@example.com").await;
    let org1 = app.org(json!({"name": "One", "created_by": owner})).await;
    let org2 = app.org(json!({"name": "Two", "created_by": owner})).await;
    app.add_member(&org1, &leaver, "org:member").await;
    app.add_member(&org1, &stayer, "org:member").await;
    app.add_member(&org2, &leaver, "org:admin").await;
    assert_eq!(members_count(&app, &org1).await, 3);
    assert_eq!(members_count(&app, &org2).await, 2);
    assert_eq!(app.get("/organization_memberships").await.ok()["total_count"], 5);

    app.delete(&format!("/users/{leaver}")).await.ok();

    assert_eq!(members_count(&app, &org1).await, 2);
    assert_eq!(members_count(&app, &org2).await, 1);
    let page1 = list(&app, &org1).await;
    assert_eq!(page1["total_count"], 2);
    assert_eq!(user_ids(&page1), sorted(vec![owner.clone(), stayer.clone()]));
    let page2 = list(&app, &org2).await;
    assert_eq!(page2["total_count"], 1);
    assert_eq!(user_ids(&page2), vec![owner.clone()]);

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 3);
    assert!(!user_ids(all).contains(&leaver));

    app.get(&format!("/users/{leaver}/organization_memberships")).await.err(404, "resource_not_found");
    app.patch(&membership(&org1, &leaver), json!({"role": "org:admin"})).await.err(404, "resource_not_found");
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await;
    assert_eq!(owner_list.ok()["total_count"], 2);

    // The organizations' quota sees the freed seat: the count is exact, not just hidden.
    app.patch(&format!("/organizations/{org2}"), json!({"max_allowed_memberships": 2})).await.ok();
    app.add_member(&org2, &stayer, "org:member").await;
    assert_eq!(members_count(&app, &org2).await, 2);
}

#[tokio::test]
async fn deleting_an_organization_deletes_its_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let doomed = app.org(json!({"name": "Doomed", "created_by": owner})).await;
    let kept = app.org(json!({"name": "Kept", "created_by": owner})).await;
    app.add_member(&doomed, &member, "org:member").await;
    assert_eq!(app.get("/organization_memberships").await.ok()["total_count"], 3);

    app.delete(&format!("/organizations/{doomed}")).await.ok();

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 1);
    assert_eq!(org_ids(all), vec![kept.clone()]);

    let member_list = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(member_list.ok()["total_count"], 0);
    assert_eq!(member_list.ok()["data"], json!([]));
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await;
    assert_eq!(owner_list.ok()["total_count"], 1);
    assert_eq!(org_ids(owner_list.ok()), vec![kept.clone()]);

    app.get(&memberships(&doomed)).await.err(404, "resource_not_found");
    app.delete(&membership(&doomed, &member)).await.err(404, "resource_not_found");

    // The user can join other organizations as before.
    app.add_member(&kept, &member, "org:member").await;
    assert_eq!(members_count(&app, &kept).await, 2);
}

// ---------------------------------------------------------------------------------------------------
// 9. Instance-wide and per-user lists
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn instance_and_user_membership_lists() {
    let app = TestApp::spawn().await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let c = app.user_with_email("c@example.com").await;
    let lonely = app.user_with_email("lonely@example.com").await;
    let org1 = app.org(json!({"name": "One", "created_by": a})).await;
    let org2 = app.org(json!({"name": "Two", "created_by": b})).await;
    let org3 = app.org(json!({"name": "Three"})).await;
    let expected_ids = vec![
        app.add_member(&org1, &b, "org:member").await["id"].clone(),
        app.add_member(&org1, &c, "org:member").await["id"].clone(),
        app.add_member(&org2, &a, "org:admin").await["id"].clone(),
        app.add_member(&org3, &a, "org:member").await["id"].clone(),
    ];

    let all = app.get("/organization_memberships?limit=500").await;
    let all = all.ok();
    assert_eq!(all["total_count"], 6);
    assert_eq!(all["data"].as_array().unwrap().len(), 6);
    for id in &expected_ids {
        assert!(all["data"].as_array().unwrap().iter().any(|m| &m["id"] == id), "{id}");
    }
    for m in all["data"].as_array().unwrap() {
        assert_eq!(m["object"], "organization_membership");
    }
    let mut pairs: Vec<(String, String)> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["organization"]["id"].as_str().unwrap().to_owned(),
                m["public_user_data"]["user_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    let mut expected = vec![
        (org1.clone(), a.clone()),
        (org1.clone(), b.clone()),
        (org1.clone(), c.clone()),
        (org2.clone(), b.clone()),
        (org2.clone(), a.clone()),
        (org3.clone(), a.clone()),
    ];
    expected.sort();
    assert_eq!(pairs, expected);

    // Pagination keeps the total.
    let first = app.get("/organization_memberships?limit=2").await;
    assert_eq!(first.ok()["total_count"], 6);
    assert_eq!(first.ok()["data"].as_array().unwrap().len(), 2);
    let last = app.get("/organization_memberships?limit=4&offset=4").await;
    assert_eq!(last.ok()["total_count"], 6);
    assert_eq!(last.ok()["data"].as_array().unwrap().len(), 2);

    // Per user.
    let cases = [
        (&a, vec![org1.clone(), org2.clone(), org3.clone()]),
        (&b, vec![org1.clone(), org2.clone()]),
        (&c, vec![org1.clone()]),
        (&lonely, vec![]),
    ];
    for (user, orgs) in cases {
        let r = app.get(&format!("/users/{user}/organization_memberships")).await;
        let page = r.ok();
        assert_eq!(page["total_count"], orgs.len(), "{user}");
        assert_eq!(org_ids(page), sorted(orgs.clone()));
        for m in page["data"].as_array().unwrap() {
            assert_eq!(m["public_user_data"]["user_id"], user.as_str());
        }
    }
    let a_roles: Vec<(String, String)> = {
        let r = app.get(&format!("/users/{a}/organization_memberships")).await;
        let mut v: Vec<(String, String)> = r.ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["organization"]["id"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
            .collect();
        v.sort();
        v
    };
    let mut expected_roles = vec![
        (org1.clone(), "org:admin".to_owned()),
        (org2.clone(), "org:admin".to_owned()),
        (org3.clone(), "org:member".to_owned()),
    ];
    expected_roles.sort();
    assert_eq!(a_roles, expected_roles);

    let page = app.get(&format!("/users/{a}/organization_memberships?limit=1")).await;
    assert_eq!(page.ok()["total_count"], 3);
    assert_eq!(page.ok()["data"].as_array().unwrap().len(), 1);

    let r = app.get("/users/user_doesnotexist/organization_memberships").await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], "No user was found with id user_doesnotexist");
}

// ---------------------------------------------------------------------------------------------------
// 10. Isolation between instances
// ---------------------------------------------------------------------------------------------------

/// Everything an observer of the first instance can see about these memberships.
async fn snapshot(app: &TestApp, org: &str, owner: &str, member: &str) -> (Value, Value, Value, Value, i64) {
    let all = app.get("/organization_memberships?limit=500").await.ok().clone();
    let org_list = list(app, org).await;
    let owner_list = app.get(&format!("/users/{owner}/organization_memberships")).await.ok().clone();
    let member_list = app.get(&format!("/users/{member}/organization_memberships")).await.ok().clone();
    (all, org_list, owner_list, member_list, members_count(app, org).await)
}

#[tokio::test]
async fn another_instance_cannot_see_or_touch_memberships() {
    let app = TestApp::spawn().await;
    let owner = app.user(json!({"email_address": ["owner@example.com"], "first_name": "Olive"})).await;
    let member = app.user_with_email("member@example.com").await;
    let newcomer = app.user_with_email("newcomer@example.com").await;
    let org = app.org(json!({"name": "Secret Org", "created_by": owner})).await;
    let m = app
        .post(
            &memberships(&org),
            json!({"user_id": member, "role": "org:member", "public_metadata": {"team": "blue"}, "private_metadata": {"salary": 1}}),
        )
        .await
        .ok()
        .clone();
    let membership_id = m["id"].as_str().unwrap().to_owned();

    let before = snapshot(&app, &org, &owner, &member).await;

    let other = app.other_instance(Environment::Development).await;
    let as_other = |method: Method, path: String, body: Option<Value>| {
        let (app, other) = (&app, &other);
        async move { with_key(app, other, method, &path, body).await }
    };

    let attempts = vec![
        (Method::POST, memberships(&org), Some(json!({"user_id": newcomer, "role": "org:member"}))),
        (Method::POST, memberships(&org), Some(json!({"user_id": member, "role": "org:admin"}))),
        (Method::GET, memberships(&org), None),
        (Method::GET, format!("{}?user_id={member}", memberships(&org)), None),
        (Method::PATCH, membership(&org, &member), Some(json!({"role": "org:admin"}))),
        (Method::PATCH, membership(&org, &owner), Some(json!({"role": "org:member"}))),
        (Method::PATCH, metadata(&org, &member), Some(json!({"public_metadata": {"team": null, "hacked": true}}))),
        (Method::DELETE, membership(&org, &member), None),
        (Method::DELETE, membership(&org, &owner), None),
        (Method::GET, format!("/users/{member}/organization_memberships"), None),
        (Method::GET, format!("/users/{owner}/organization_memberships"), None),
    ];
    for (method, path, body) in attempts {
        let r = as_other(method.clone(), path.clone(), body).await;
        r.err(404, "resource_not_found");
        for secret in [membership_id.as_str(), "Secret Org", "member@example.com", "salary", "Olive"] {
            assert!(!r.text.contains(secret), "{method} {path} leaked {secret}: {}", r.text);
        }
    }

    // The other instance's own org cannot take this instance's users.
    let their_user =
        as_other(Method::POST, "/users".into(), Some(json!({"email_address": ["theirs@example.com"]}))).await;
    let their_user = their_user.ok()["id"].as_str().unwrap().to_owned();
    let their_org =
        as_other(Method::POST, "/organizations".into(), Some(json!({"name": "Theirs", "created_by": their_user})))
            .await;
    let their_org = their_org.ok()["id"].as_str().unwrap().to_owned();
    let r =
        as_other(Method::POST, memberships(&their_org), Some(json!({"user_id": member, "role": "org:member"}))).await;
    let e = r.err(404, "resource_not_found");
    assert_eq!(e["long_message"], format!("No user was found with id {member}"));
    for (method, path, body) in [
        (Method::PATCH, membership(&their_org, &member), Some(json!({"role": "org:member"}))),
        (Method::DELETE, membership(&their_org, &member), None),
        (Method::PATCH, metadata(&their_org, &member), Some(json!({"public_metadata": {"a": 1}}))),
    ] {
        as_other(method, path, body).await.err(404, "resource_not_found");
    }

    // The other instance's instance-wide list holds only its own membership.
    let theirs = as_other(Method::GET, "/organization_memberships?limit=500".into(), None).await;
    let theirs = theirs.ok();
    assert_eq!(theirs["total_count"], 1);
    assert_eq!(org_ids(theirs), vec![their_org.clone()]);
    assert_eq!(user_ids(theirs), vec![their_user.clone()]);

    // And this instance cannot see or touch theirs.
    app.get(&memberships(&their_org)).await.err(404, "resource_not_found");
    app.get(&format!("/users/{their_user}/organization_memberships")).await.err(404, "resource_not_found");
    app.delete(&membership(&their_org, &their_user)).await.err(404, "resource_not_found");

    // Nothing of the first instance changed.
    let after = snapshot(&app, &org, &owner, &member).await;
    assert_eq!(after, before);
    assert_eq!(after.0["total_count"], 2);
    assert_eq!(stored_metadata(&app, &org, &member).await, (json!({"team": "blue"}), json!({"salary": 1})));
}

// ---------------------------------------------------------------------------------------------------
// 11. The deleted membership
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_returns_the_full_membership_once() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let member =
        app.user(json!({"email_address": ["member@example.com"], "first_name": "Mia", "last_name": "Lee"})).await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    app.post(
        &memberships(&org),
        json!({"user_id": member, "role": "org:member", "public_metadata": {"a": 1}, "private_metadata": {"b": 2}}),
    )
    .await
    .ok();
    let listed = stored(&app, &org, &member).await;

    let r = app.delete(&membership(&org, &member)).await;
    let deleted = r.ok();
    assert!(deleted.get("deleted").is_none(), "{deleted}");
    assert_eq!(deleted["object"], "organization_membership");
    assert_eq!(deleted["role"], "org:member");
    assert_eq!(deleted["role_name"], "Member");
    assert_eq!(deleted["public_metadata"], json!({"a": 1}));
    assert_eq!(deleted["private_metadata"], json!({"b": 2}));
    assert_eq!(deleted["public_user_data"]["user_id"], member.as_str());
    assert_eq!(deleted["public_user_data"]["first_name"], "Mia");
    assert_eq!(deleted["public_user_data"]["identifier"], "member@example.com");
    assert_eq!(deleted["organization"]["id"], org.as_str());
    assert_eq!(deleted["organization"]["object"], "organization");
    // Exactly the membership as it was.
    assert_eq!(deleted, &listed);

    app.delete(&membership(&org, &member)).await.err(404, "resource_not_found");
    app.patch(&membership(&org, &member), json!({"role": "org:admin"})).await.err(404, "resource_not_found");
    app.patch(&metadata(&org, &member), json!({"public_metadata": {"a": 2}})).await.err(404, "resource_not_found");
    assert_eq!(user_ids(&list(&app, &org).await), vec![owner.clone()]);
    assert_eq!(members_count(&app, &org).await, 1);
    let per_user = app.get(&format!("/users/{member}/organization_memberships")).await;
    assert_eq!(per_user.ok()["total_count"], 0);
}
