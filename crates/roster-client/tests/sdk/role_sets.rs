//! Role sets against a real Roster: create, get (by key and id) and update with their typed errors, the list with
//! its query, orders and paging, adding roles, replacing a role (its members and invitations move) and replacing
//! a set by another (its organizations and, through the mappings, their members move); methods and standalone
//! functions.

use std::collections::HashMap;
use std::time::Duration;

use roster_client::funcs::{
    role_sets_add_roles, role_sets_create, role_sets_get, role_sets_list, role_sets_replace, role_sets_replace_role,
    role_sets_update,
};
use roster_client::{
    AddRolesToRoleSetRequest, AddRolesToRoleSetRequestBody, CreateOrganizationRequest, CreateRoleSetRequestBody, Error,
    GetOrganizationInvitationRequest, GetRoleSetRequest, ListOrganizationMembershipsRequest, ListRoleSetsRequest,
    ReplaceRoleInRoleSetRequest, ReplaceRoleInRoleSetRequestBody, ReplaceRoleSetRequest, ReplaceRoleSetRequestBody,
    RequestOptions, RoleSet, RoleSets, UpdateRoleSetRequest, UpdateRoleSetRequestBody,
};
use serde_json::json;

use crate::support::*;

/// A custom role `org:<name>` with the permissions a creator role needs (through the raw API: the SDK has no
/// role writes); its key.
async fn role(app: &Roster, name: &str) -> String {
    let mut permissions = Vec::new();
    for key in ["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete"] {
        permissions.push(app.app.permission_id(key).await);
    }
    let key = format!("org:{name}");
    app.app.post("/organization_roles", json!({"name": name, "key": key, "permissions": permissions})).await.ok();
    key
}

fn body(name: &str, key: Option<&str>, roles: &[&str], default: &str, creator: &str) -> CreateRoleSetRequestBody {
    CreateRoleSetRequestBody {
        name: name.to_owned(),
        key: key.map(str::to_owned),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        default_role_key: default.to_owned(),
        creator_role_key: creator.to_owned(),
        ..Default::default()
    }
}

fn get_req(key_or_id: &str) -> GetRoleSetRequest {
    GetRoleSetRequest { role_set_key_or_id: key_or_id.to_owned() }
}

fn update_req(key_or_id: &str, request_body: UpdateRoleSetRequestBody) -> UpdateRoleSetRequest {
    UpdateRoleSetRequest { role_set_key_or_id: key_or_id.to_owned(), request_body }
}

fn add_req(key_or_id: &str, keys: &[&str], default: Option<&str>) -> AddRolesToRoleSetRequest {
    AddRolesToRoleSetRequest {
        role_set_key_or_id: key_or_id.to_owned(),
        request_body: AddRolesToRoleSetRequestBody {
            role_keys: keys.iter().map(|k| k.to_string()).collect(),
            default_role_key: default.map(str::to_owned),
            creator_role_key: None,
        },
    }
}

fn replace_role_req(key_or_id: &str, from: &str, to: &str) -> ReplaceRoleInRoleSetRequest {
    ReplaceRoleInRoleSetRequest {
        role_set_key_or_id: key_or_id.to_owned(),
        request_body: ReplaceRoleInRoleSetRequestBody { role_key: from.to_owned(), to_role_key: to.to_owned() },
    }
}

fn replace_req(key_or_id: &str, dest: &str, mappings: Option<&[(&str, &str)]>) -> ReplaceRoleSetRequest {
    let mappings = mappings.map(|m| m.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<HashMap<_, _>>());
    ReplaceRoleSetRequest {
        role_set_key_or_id: key_or_id.to_owned(),
        request_body: ReplaceRoleSetRequestBody { dest_role_set_key: dest.to_owned(), reassignment_mappings: mappings },
    }
}

fn role_keys(set: &RoleSet) -> Vec<String> {
    set.roles.iter().map(|r| r.key.clone()).collect()
}

/// Each role's `members_count`, in the set's order.
fn counts(set: &RoleSet) -> Vec<(String, Option<i64>)> {
    set.roles.iter().map(|r| (r.key.clone(), r.members_count)).collect()
}

fn keys(page: &RoleSets) -> Vec<String> {
    page.data.iter().map(|s| s.key.clone()).collect()
}

fn special(set: &RoleSet) -> (Option<&str>, Option<&str>) {
    (set.default_role.as_ref().map(|r| r.key.as_str()), set.creator_role.as_ref().map(|r| r.key.as_str()))
}

/// The role a user holds in an organization, read back through the memberships API.
async fn role_of(app: &Roster, org: &str, user: &str) -> String {
    let req = ListOrganizationMembershipsRequest { user_id: vec![user.to_owned()], ..list_req(org) };
    let page = app.clerk.organization_memberships().list(req).await.unwrap();
    assert_eq!(page.data.len(), 1, "{page:?}");
    page.data[0].role.clone()
}

/// An organization founded by `founder` in the role set `set` (`None`: the default set).
async fn org_in(app: &Roster, name: &str, founder: &str, set: Option<&str>) -> String {
    let req = CreateOrganizationRequest {
        name: name.to_owned(),
        created_by: Some(founder.to_owned()),
        role_set_key: set.map(str::to_owned),
        ..Default::default()
    };
    app.clerk.organizations().create(req).await.unwrap().id
}

#[tokio::test]
async fn create_get_and_update() {
    let app = Roster::spawn().await;
    let lead = role(&app, "lead").await;
    let api = app.clerk.role_sets();

    // Create: the key comes from the name; the roles keep their order.
    let mut eng = body("Engineering Team", None, &["org:member", &lead], "org:member", &lead);
    eng.description = Some("Eng".into());
    let set = api.create(eng).await.unwrap();
    assert_eq!(set.object, "role_set");
    assert!(set.id.starts_with("rs_"), "{}", set.id);
    assert_eq!(
        (set.key.as_str(), set.name.as_str(), set.description.as_deref(), set.kind.as_str()),
        ("role_set:engineering_team", "Engineering Team", Some("Eng"), "custom")
    );
    assert_eq!(role_keys(&set), ["org:member", lead.as_str()]);
    assert_eq!((set.roles[0].object.as_str(), set.roles[1].name.as_str()), ("role_set_item", "lead"));
    assert_eq!(special(&set), (Some("org:member"), Some(lead.as_str())));
    assert_eq!(counts(&set), [("org:member".into(), Some(0)), (lead.clone(), Some(0))]);

    // Get by key and by id (standalone); unknown ones are typed 404s.
    assert_eq!(api.get(get_req("role_set:engineering_team")).await.unwrap(), set);
    assert_eq!(role_sets_get(&app.clerk, get_req(&set.id), None).await.unwrap(), set);
    assert_clerk_error(api.get(get_req("role_set:nope")).await, 404, "resource_not_found");
    assert_clerk_error(api.get(get_req("rs_nope")).await, 404, "resource_not_found");

    // Create's errors, each with Clerk's code.
    let pair = ["org:member", "org:admin"];
    let cases = [
        (body("X", None, &["org:member"], "org:member", "org:admin"), 422, "form_param_value_invalid"),
        (body("X", None, &pair, "org:member", "org:member"), 422, "organization_missing_creator_role_permissions"),
        (body("X", None, &[], "org:member", "org:admin"), 422, "form_param_missing"),
        (body("X", None, &["org:nope"], "org:member", "org:admin"), 404, "resource_not_found"),
        (body("X", Some("Bad Key"), &pair, "org:member", "org:admin"), 422, "form_param_format_invalid"),
        (body("X", Some("role_set:engineering_team"), &pair, "org:member", "org:admin"), 400, "duplicate_record"),
        (
            CreateRoleSetRequestBody {
                kind: Some("system".into()),
                ..body("X", None, &pair, "org:member", "org:admin")
            },
            422,
            "form_param_value_invalid",
        ),
    ];
    for (request, status, code) in cases {
        assert_clerk_error(api.create(request).await, status, code);
    }
    let mut many = vec!["org:member".to_owned()];
    for i in 0..10 {
        let key = format!("org:r{i}");
        app.app.post("/organization_roles", json!({"name": key, "key": key, "permissions": []})).await.ok();
        many.push(key);
    }
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let too_many = body("Big", None, &many, "org:member", &lead);
    assert_clerk_error(api.create(too_many).await, 422, "form_param_array_size_exceeded");
    assert_eq!(api.list(ListRoleSetsRequest::default()).await.unwrap().total_count, 1, "nothing was created");

    // Standalone create, initial, with its own key.
    let opts = Some(RequestOptions::default().header("x-test", "funcs").timeout(Duration::from_secs(10)));
    let ops = CreateRoleSetRequestBody {
        kind: Some("initial".into()),
        ..body("Ops", Some("role_set:ops"), &pair, "org:member", "org:admin")
    };
    let ops = role_sets_create(&app.clerk, ops, opts).await.unwrap();
    assert_eq!((ops.key.as_str(), ops.kind.as_str(), ops.description.as_deref()), ("role_set:ops", "initial", None));

    // Update: rename, re-key, clear the description, make it the initial set (ops becomes custom).
    let changes = UpdateRoleSetRequestBody {
        name: Some("Eng".into()),
        key: Some("role_set:eng".into()),
        description: Some(None),
        kind: Some("initial".into()),
        ..Default::default()
    };
    let updated = api.update(update_req(&set.key, changes)).await.unwrap();
    assert_eq!(updated.id, set.id);
    assert_eq!(
        (updated.name.as_str(), updated.key.as_str(), updated.description.as_deref(), updated.kind.as_str()),
        ("Eng", "role_set:eng", None, "initial")
    );
    assert!(updated.updated_at >= set.updated_at);
    assert_eq!(api.get(get_req("role_set:ops")).await.unwrap().kind, "custom");
    assert_clerk_error(api.get(get_req("role_set:engineering_team")).await, 404, "resource_not_found");
    assert_eq!(api.get(get_req("role_set:eng")).await.unwrap(), updated);

    // Standalone update by id: the default role, among the set's roles.
    let default_lead = UpdateRoleSetRequestBody { default_role_key: Some(lead.clone()), ..Default::default() };
    let moved = role_sets_update(&app.clerk, update_req(&set.id, default_lead), None).await.unwrap();
    assert_eq!(special(&moved), (Some(lead.as_str()), Some(lead.as_str())));

    // Update's errors.
    let custom = UpdateRoleSetRequestBody { kind: Some("custom".into()), ..Default::default() };
    assert_clerk_error(api.update(update_req("role_set:eng", custom)).await, 422, "form_param_value_invalid");
    let outside = UpdateRoleSetRequestBody { default_role_key: Some("org:admin".into()), ..Default::default() };
    assert_clerk_error(api.update(update_req("role_set:eng", outside)).await, 422, "form_param_value_invalid");
    let taken = UpdateRoleSetRequestBody { key: Some("role_set:ops".into()), ..Default::default() };
    assert_clerk_error(api.update(update_req("role_set:eng", taken)).await, 400, "duplicate_record");
    let bad_key = UpdateRoleSetRequestBody { key: Some("eng".into()), ..Default::default() };
    assert_clerk_error(api.update(update_req("role_set:eng", bad_key)).await, 422, "form_param_format_invalid");
    let rename = UpdateRoleSetRequestBody { name: Some("N".into()), ..Default::default() };
    assert_clerk_error(api.update(update_req("role_set:nope", rename)).await, 404, "resource_not_found");

    // A wrong key: 401 is declared for the list.
    let e = app.bad_key().role_sets().list(ListRoleSetsRequest::default()).await.unwrap_err();
    assert!(matches!(e, Error::ClerkErrors { status: 401, .. }), "{e:?}");
}

#[tokio::test]
async fn the_list_queries_orders_and_pages() {
    let app = Roster::spawn().await;
    let api = app.clerk.role_sets();
    let pair = ["org:member", "org:admin"];
    for (name, key) in
        [("Alpha Ops", "role_set:alpha"), ("Beta Eng", "role_set:beta"), ("Gamma Eng", "role_set:gamma_team")]
    {
        api.create(body(name, Some(key), &pair, "org:member", "org:admin")).await.unwrap();
        // Distinct creation times, for the default order.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let list = |req: ListRoleSetsRequest| {
        let api = api.clone();
        async move { api.list(req).await.unwrap() }
    };
    let ordered = |order: &str| ListRoleSetsRequest { order_by: Some(order.into()), ..Default::default() };

    // Newest first by default, with every set's roles.
    let all = list(ListRoleSetsRequest::default()).await;
    assert_eq!(
        (keys(&all), all.total_count),
        (vec!["role_set:gamma_team".into(), "role_set:beta".into(), "role_set:alpha".into()], 3)
    );
    assert!(all.data.iter().all(|s| role_keys(s) == pair), "{all:?}");
    assert_eq!(keys(&list(ordered("+name")).await), ["role_set:alpha", "role_set:beta", "role_set:gamma_team"]);
    assert_eq!(keys(&list(ordered("-key")).await), ["role_set:gamma_team", "role_set:beta", "role_set:alpha"]);
    assert_eq!(keys(&list(ordered("created_at")).await), ["role_set:alpha", "role_set:beta", "role_set:gamma_team"]);

    // query: a substring of the name (any case) or of the key, or the exact id.
    let query = |q: &str| ListRoleSetsRequest { query: Some(q.into()), ..ordered("+name") };
    let eng = list(query("ENG")).await;
    assert_eq!((keys(&eng), eng.total_count), (vec!["role_set:beta".into(), "role_set:gamma_team".into()], 2));
    assert_eq!(keys(&list(query("gamma_t")).await), ["role_set:gamma_team"]);
    assert_eq!(list(query("zzz")).await.total_count, 0);

    // Paging; the total counts every match.
    let page = list(ListRoleSetsRequest { limit: Some(1), offset: Some(1), ..ordered("+name") }).await;
    assert_eq!((keys(&page), page.total_count), (vec!["role_set:beta".into()], 3));
    let past = list(ListRoleSetsRequest { offset: Some(3), ..Default::default() }).await;
    assert_eq!((past.data.len(), past.total_count), (0, 3));
    let first_two = ListRoleSetsRequest { limit: Some(2), ..ordered("-name") };
    let first_two = role_sets_list(&app.clerk, first_two, None).await.unwrap();
    assert_eq!(
        (keys(&first_two), first_two.total_count),
        (vec!["role_set:gamma_team".into(), "role_set:beta".into()], 3)
    );

    // Bad parameters are Clerk's 422s.
    assert_clerk_error(api.list(ordered("type")).await, 422, "form_param_value_invalid");
    let zero = ListRoleSetsRequest { limit: Some(0), ..Default::default() };
    assert_clerk_error(api.list(zero).await, 422, "form_param_value_invalid");
}

/// The spec's `query` matches a role set's id exactly (ids are base62, with capitals), and names and keys by
/// substring whatever their case.
#[tokio::test]
async fn the_list_query_matches_an_exact_id() {
    let app = Roster::spawn().await;
    let api = app.clerk.role_sets();
    let set =
        api.create(body("Alpha", Some("role_set:alpha"), &["org:member", "org:admin"], "org:member", "org:admin"));
    let set = set.await.unwrap();
    api.create(body("Beta", Some("role_set:beta"), &["org:member", "org:admin"], "org:member", "org:admin"))
        .await
        .unwrap();
    let by_id = api.list(ListRoleSetsRequest { query: Some(set.id.clone()), ..Default::default() }).await.unwrap();
    assert_eq!((keys(&by_id), by_id.total_count), (vec!["role_set:alpha".to_owned()], 1));
}

#[tokio::test]
async fn adding_roles_and_replacing_a_role_moves_its_members() {
    let app = Roster::spawn().await;
    let (lead, senior, extra) = (role(&app, "lead").await, role(&app, "senior").await, role(&app, "extra").await);
    let api = app.clerk.role_sets();
    api.create(body("Team", Some("role_set:team"), &["org:member", &lead], "org:member", &lead)).await.unwrap();
    let founder = app.user("founder@example.com", "Founder", None).await;
    let m = app.user("m@example.com", "Mia", None).await;
    let org = org_in(&app, "Bound", &founder, Some("role_set:team")).await;
    let free = org_in(&app, "Free", &founder, None).await;
    app.add(&org, &m, "org:member").await;
    app.add(&free, &m, "org:member").await;
    let invitation = app.clerk.organization_invitations().create(invite_req(&org, "i@example.com", &lead)).await;
    let invitation = invitation.unwrap();
    assert_eq!(role_of(&app, &org, &founder).await, lead, "the creator gets the set's creator role");
    let set = api.get(get_req("role_set:team")).await.unwrap();
    assert_eq!(counts(&set), [("org:member".into(), Some(1)), (lead.clone(), Some(1))]);

    // Add roles: new ones are appended (one already there is skipped), optionally as the default role.
    let added = api.add_roles(add_req("role_set:team", &[&extra, "org:member"], Some(&extra))).await.unwrap();
    assert_eq!(role_keys(&added), ["org:member", lead.as_str(), extra.as_str()]);
    assert_eq!(special(&added), (Some(extra.as_str()), Some(lead.as_str())));
    let by_id = role_sets_add_roles(&app.clerk, add_req(&set.id, &["org:admin"], None), None).await.unwrap();
    assert_eq!(role_keys(&by_id), ["org:member", lead.as_str(), extra.as_str(), "org:admin"]);
    assert_eq!(special(&by_id), (Some(extra.as_str()), Some(lead.as_str())));
    assert_clerk_error(api.add_roles(add_req("role_set:nope", &[&senior], None)).await, 404, "resource_not_found");
    assert_clerk_error(api.add_roles(add_req("role_set:team", &[], None)).await, 422, "form_param_missing");
    assert_clerk_error(api.add_roles(add_req("role_set:team", &["org:nope"], None)).await, 404, "resource_not_found");
    let outside = add_req("role_set:team", &[&senior], Some("org:nope"));
    assert_clerk_error(api.add_roles(outside).await, 404, "resource_not_found");
    assert_eq!(role_keys(&api.get(get_req("role_set:team")).await.unwrap()).len(), 4, "refused adds add nothing");

    // Replace lead by senior: it takes lead's place as creator role, and the founder and the invitation follow.
    let replaced = api.replace_role(replace_role_req("role_set:team", &lead, &senior)).await.unwrap();
    assert_eq!(role_keys(&replaced), ["org:member", extra.as_str(), "org:admin", senior.as_str()]);
    assert_eq!(special(&replaced), (Some(extra.as_str()), Some(senior.as_str())));
    assert_eq!(role_of(&app, &org, &founder).await, senior);
    assert_eq!(role_of(&app, &org, &m).await, "org:member", "other roles stay");
    let get_invitation =
        GetOrganizationInvitationRequest { organization_id: org.clone(), invitation_id: invitation.id.clone() };
    let invitation = app.clerk.organization_invitations().get(get_invitation).await.unwrap();
    assert_eq!(invitation.role, senior);
    let counted = api.get(get_req("role_set:team")).await.unwrap();
    let senior_count = counted.roles.iter().find(|r| r.key == senior).and_then(|r| r.members_count);
    assert_eq!(senior_count, Some(1));

    // replace_role's errors.
    let gone = replace_role_req("role_set:team", &lead, &senior);
    assert_clerk_error(api.replace_role(gone).await, 422, "form_param_value_invalid");
    let same = replace_role_req("role_set:team", &senior, &senior);
    assert_clerk_error(api.replace_role(same).await, 422, "form_param_value_invalid");
    let unknown_role = replace_role_req("role_set:team", &senior, "org:nope");
    assert_clerk_error(api.replace_role(unknown_role).await, 404, "resource_not_found");
    let unknown_set = replace_role_req("role_set:nope", &senior, &lead);
    assert_clerk_error(api.replace_role(unknown_set).await, 404, "resource_not_found");

    // Standalone, by id: org:member members move to extra, in the set's organizations only.
    let moved = role_sets_replace_role(&app.clerk, replace_role_req(&set.id, "org:member", &extra), None);
    assert_eq!(role_keys(&moved.await.unwrap()), [extra.as_str(), "org:admin", senior.as_str()]);
    assert_eq!(role_of(&app, &org, &m).await, extra);
    assert_eq!(role_of(&app, &free, &m).await, "org:member", "an organization outside the set is untouched");
}

#[tokio::test]
async fn replacing_a_set_moves_its_organizations_and_members() {
    let app = Roster::spawn().await;
    let lead = role(&app, "lead").await;
    let api = app.clerk.role_sets();
    let old = api.create(body("Old", Some("role_set:old"), &["org:member", &lead], "org:member", &lead)).await;
    let old = old.unwrap();
    let pair = ["org:member", "org:admin"];
    api.create(body("Plain", Some("role_set:plain"), &pair, "org:member", "org:admin")).await.unwrap();
    let founder = app.user("founder@example.com", "Founder", None).await;
    let m = app.user("m@example.com", "Mia", None).await;
    let org = org_in(&app, "Moving", &founder, Some("role_set:old")).await;
    app.add(&org, &m, "org:member").await;

    // The destination lacks lead: a mapping is needed, into the destination; the destination must exist and
    // differ; refused replaces change nothing.
    let missing = api.replace(replace_req("role_set:old", "role_set:plain", None)).await;
    match &missing {
        Err(Error::ClerkErrors { errors, .. }) => assert!(errors[0].long_message.contains(&lead), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    assert_clerk_error(missing, 422, "organization_role_set_reassignment_mappings_missing");
    let outside = replace_req("role_set:old", "role_set:plain", Some(&[(lead.as_str(), "org:nope")]));
    assert_clerk_error(api.replace(outside).await, 422, "organization_role_set_reassignment_mappings_invalid");
    let to_lead = replace_req("role_set:old", "role_set:plain", Some(&[(lead.as_str(), lead.as_str())]));
    assert_clerk_error(api.replace(to_lead).await, 422, "organization_role_set_reassignment_mappings_invalid");
    let nowhere = replace_req("role_set:old", "role_set:nope", None);
    assert_clerk_error(api.replace(nowhere).await, 422, "form_param_value_invalid");
    assert_clerk_error(
        api.replace(replace_req("role_set:old", "role_set:old", None)).await,
        422,
        "form_param_value_invalid",
    );
    let unknown = replace_req("role_set:nope", "role_set:plain", None);
    assert_clerk_error(api.replace(unknown).await, 404, "resource_not_found");
    assert_eq!(role_of(&app, &org, &founder).await, lead);
    assert_eq!(app.clerk.organizations().get(&org).await.unwrap().role_set_key.as_deref(), Some("role_set:old"));

    // With the mapping: the set is deleted, the organization moves, the founder is remapped, the member stays.
    let mapped = replace_req(&old.id, "role_set:plain", Some(&[(lead.as_str(), "org:admin")]));
    let deleted = api.replace(mapped).await.unwrap();
    assert_eq!(
        (deleted.object.as_str(), deleted.id.as_deref(), deleted.deleted),
        ("role_set", Some(old.id.as_str()), true)
    );
    assert_clerk_error(api.get(get_req("role_set:old")).await, 404, "resource_not_found");
    assert_eq!(app.clerk.organizations().get(&org).await.unwrap().role_set_key.as_deref(), Some("role_set:plain"));
    assert_eq!(role_of(&app, &org, &founder).await, "org:admin");
    assert_eq!(role_of(&app, &org, &m).await, "org:member", "a role the destination has stays");
    let plain = api.get(get_req("role_set:plain")).await.unwrap();
    assert_eq!(counts(&plain), [("org:member".into(), Some(1)), ("org:admin".into(), Some(1))]);

    // Standalone: a set no organization uses needs no mapping.
    api.create(body("Spare", Some("role_set:spare"), &[&lead, "org:admin"], &lead, &lead)).await.unwrap();
    let spare = role_sets_replace(&app.clerk, replace_req("role_set:spare", "role_set:plain", None), None).await;
    assert!(spare.unwrap().deleted);
    let left = api.list(ListRoleSetsRequest::default()).await.unwrap();
    assert_eq!(keys(&left), ["role_set:plain"]);

    // The initial set cannot be replaced.
    let initial = UpdateRoleSetRequestBody { kind: Some("initial".into()), ..Default::default() };
    api.update(update_req("role_set:plain", initial)).await.unwrap();
    api.create(body("Next", Some("role_set:next"), &pair, "org:member", "org:admin")).await.unwrap();
    let r = api.replace(replace_req("role_set:plain", "role_set:next", None)).await;
    assert_clerk_error(r, 403, "cannot_delete_initial_role_set");
}
