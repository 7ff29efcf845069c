//! End-to-end tests of the SDK: a real Roster in-process (a database of its own, SQLite or, with
//! `ROSTER_TEST_BACKEND=postgres`, PostgreSQL; ephemeral port) for the operations and errors, and a deliberately
//! failing local axum server for retries.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use roster_client::funcs::{
    organization_memberships_create, organization_memberships_delete, organization_memberships_list,
    organization_memberships_update, organization_memberships_update_metadata,
};
use roster_client::{
    BackoffStrategy, Clerk, CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody,
    CreateOrganizationRequest, CreateUserRequest, DeleteOrganizationMembershipRequest, Error,
    ListInstanceOrganizationMembershipsRequest, ListOrganizationMembershipsRequest,
    ListUserOrganizationMembershipsRequest, Metadata, RequestOptions, RetryConfig,
    UpdateOrganizationMembershipMetadataRequest, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequest, UpdateOrganizationMembershipRequestBody,
};
use roster_core::Store;
use roster_server::{AppState, Config};
use roster_testdb::TestDb;
use serde_json::{json, Value};

const KEY: &str = "sk_test_roster_client_sdk_tests";

/// A real Roster on a database of its own, and a client pointed at it.
struct Roster {
    clerk: Clerk,
    base: String,
    _db: TestDb,
}

impl Roster {
    async fn spawn() -> Self {
        let db = TestDb::new();
        let pg = roster_store::postgres::Options { max_connections: 4, ..Default::default() };
        let store: Arc<dyn Store> =
            roster_store::open(&db.url, roster_store::sqlite::Options::default(), pg).await.expect("open store");
        store.bootstrap(Some(KEY)).await.expect("bootstrap");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().unwrap();
        tokio::spawn(roster_server::serve(listener, AppState::new(store, Config::default()), std::future::pending()));
        let base = format!("http://{addr}/v1");
        let clerk = Clerk::builder().secret_key(KEY).server_url(&base).build().unwrap();
        Roster { clerk, base, _db: db }
    }

    /// A client with a wrong key, for 401s.
    fn bad_key(&self) -> Clerk {
        Clerk::builder().secret_key("sk_test_wrong").server_url(&self.base).build().unwrap()
    }

    async fn user(&self, email: &str, first_name: &str, username: Option<&str>) -> String {
        let req = CreateUserRequest {
            email_address: vec![email.to_owned()],
            first_name: Some(first_name.to_owned()),
            last_name: Some("Tester".to_owned()),
            username: username.map(str::to_owned),
            ..Default::default()
        };
        self.clerk.users().create(req).await.expect("create user").id
    }

    async fn org(&self, name: &str, created_by: Option<&str>) -> String {
        let req = CreateOrganizationRequest {
            name: name.to_owned(),
            created_by: created_by.map(str::to_owned),
            ..Default::default()
        };
        self.clerk.organizations().create(req).await.expect("create organization").id
    }

    async fn add(&self, org: &str, user: &str, role: &str) {
        self.clerk.organization_memberships().create(create_req(org, user, role)).await.expect("add member");
    }
}

fn create_req(org: &str, user: &str, role: &str) -> CreateOrganizationMembershipRequest {
    CreateOrganizationMembershipRequest {
        organization_id: org.to_owned(),
        request_body: CreateOrganizationMembershipRequestBody {
            user_id: user.to_owned(),
            role: role.to_owned(),
            ..Default::default()
        },
    }
}

fn list_req(org: &str) -> ListOrganizationMembershipsRequest {
    ListOrganizationMembershipsRequest { organization_id: org.to_owned(), ..Default::default() }
}

fn meta(v: Value) -> Metadata {
    v.as_object().expect("object").clone()
}

fn user_ids(page: &roster_client::OrganizationMemberships) -> Vec<String> {
    page.data.iter().map(|m| m.public_user_data.user_id.clone()).collect()
}

#[track_caller]
fn assert_clerk_error(result: Result<impl std::fmt::Debug, Error>, status: u16, code: &str) {
    match result {
        Err(e @ Error::ClerkErrors { .. }) => {
            assert_eq!(e.status(), Some(status), "{e:?}");
            assert_eq!(e.code(), Some(code), "{e:?}");
            assert!(e.clerk_trace_id().is_some_and(|t| !t.is_empty()), "{e:?}");
        }
        other => panic!("expected ClerkErrors {status} {code}, got {other:?}"),
    }
}

#[track_caller]
fn assert_api_error(result: Result<impl std::fmt::Debug, Error>, status: u16) -> String {
    match result {
        Err(Error::Api { status: s, body, .. }) => {
            assert_eq!(s, status, "{body}");
            body
        }
        other => panic!("expected Api {status}, got {other:?}"),
    }
}

// ----------------------------------------------------------------------------------------------------
// The seed's examples, translated: methods and standalone functions.
// ----------------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_examples_as_methods() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Olive", None).await;
    let member = app.user("member@example.com", "Mallory", None).await;
    let org = app.org("Acme", Some(&owner)).await;
    let memberships = app.clerk.organization_memberships();

    // create
    let created = memberships
        .create(CreateOrganizationMembershipRequest {
            organization_id: org.clone(),
            request_body: CreateOrganizationMembershipRequestBody {
                user_id: member.clone(),
                role: "org:member".into(),
                public_metadata: Some(meta(json!({"team": {"name": "core", "lead": false}}))),
                private_metadata: Some(meta(json!({"seat": "A1"}))),
            },
        })
        .await
        .unwrap();
    assert_eq!(created.object, "organization_membership");
    assert_eq!(created.role, "org:member");
    assert_eq!(created.organization.id, org);
    assert_eq!(created.public_user_data.user_id, member);
    assert_eq!(created.public_metadata["team"]["name"], "core");
    assert_eq!(created.private_metadata["seat"], "A1");

    // list, with the seed's timestamp filters (no user matches both bounds at once)
    let result = memberships
        .list(ListOrganizationMembershipsRequest {
            organization_id: org.clone(),
            last_active_at_before: Some(1700690400000),
            last_active_at_after: Some(1700690400000),
            created_at_before: Some(1730160000000),
            created_at_after: Some(1730160000000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(result.total_count, 0);
    let all = memberships.list(list_req(&org)).await.unwrap();
    assert_eq!(all.total_count, 2);
    assert_eq!(all.data.len(), 2);

    // update
    let updated = memberships
        .update(UpdateOrganizationMembershipRequest {
            organization_id: org.clone(),
            user_id: member.clone(),
            request_body: UpdateOrganizationMembershipRequestBody { role: "org:admin".into() },
        })
        .await
        .unwrap();
    assert_eq!(updated.role, "org:admin");

    // updateMetadata: as in the seed (no body) nothing changes; then a deep merge with a null deletion
    let same = memberships
        .update_metadata(UpdateOrganizationMembershipMetadataRequest {
            organization_id: org.clone(),
            user_id: member.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(same.public_metadata, created.public_metadata);
    let merged = memberships
        .update_metadata(UpdateOrganizationMembershipMetadataRequest {
            organization_id: org.clone(),
            user_id: member.clone(),
            request_body: Some(UpdateOrganizationMembershipMetadataRequestBody {
                public_metadata: Some(meta(json!({"team": {"lead": null, "since": 2024}}))),
                private_metadata: Some(meta(json!({"desk": 7}))),
            }),
        })
        .await
        .unwrap();
    assert_eq!(Value::Object(merged.public_metadata), json!({"team": {"name": "core", "since": 2024}}));
    assert_eq!(Value::Object(merged.private_metadata), json!({"seat": "A1", "desk": 7}));

    // delete: the answer is the removed membership
    let removed = memberships
        .delete(DeleteOrganizationMembershipRequest { organization_id: org.clone(), user_id: member.clone() })
        .await
        .unwrap();
    assert_eq!(removed.public_user_data.user_id, member);
    assert_eq!(memberships.list(list_req(&org)).await.unwrap().total_count, 1);
}

#[tokio::test]
async fn seed_examples_as_standalone_functions() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Olive", None).await;
    let member = app.user("member@example.com", "Mallory", None).await;
    let org = app.org("Acme", Some(&owner)).await;
    let clerk = &app.clerk;
    let opts = || Some(RequestOptions::default().header("x-test", "funcs").timeout(Duration::from_secs(10)));

    let created =
        organization_memberships_create(clerk, create_req(&org, &member, "org:member"), opts()).await.unwrap();
    assert_eq!(created.role, "org:member");

    let result = organization_memberships_list(
        clerk,
        ListOrganizationMembershipsRequest {
            organization_id: org.clone(),
            last_active_at_before: Some(1700690400000),
            last_active_at_after: Some(1700690400000),
            created_at_before: Some(1730160000000),
            created_at_after: Some(1730160000000),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(result.total_count, 0);
    assert_eq!(organization_memberships_list(clerk, list_req(&org), opts()).await.unwrap().total_count, 2);

    let updated = organization_memberships_update(
        clerk,
        UpdateOrganizationMembershipRequest {
            organization_id: org.clone(),
            user_id: member.clone(),
            request_body: UpdateOrganizationMembershipRequestBody { role: "org:admin".into() },
        },
        None,
    )
    .await
    .unwrap();
    assert_eq!(updated.role, "org:admin");

    let merged = organization_memberships_update_metadata(
        clerk,
        UpdateOrganizationMembershipMetadataRequest {
            organization_id: org.clone(),
            user_id: member.clone(),
            request_body: Some(UpdateOrganizationMembershipMetadataRequestBody {
                public_metadata: Some(meta(json!({"a": {"b": 1}}))),
                ..Default::default()
            }),
        },
        opts(),
    )
    .await
    .unwrap();
    assert_eq!(Value::Object(merged.public_metadata), json!({"a": {"b": 1}}));

    let removed = organization_memberships_delete(
        clerk,
        DeleteOrganizationMembershipRequest { organization_id: org.clone(), user_id: member.clone() },
        None,
    )
    .await
    .unwrap();
    assert_eq!(removed.public_user_data.user_id, member);
}

// ----------------------------------------------------------------------------------------------------
// Lists: filters, streams, instance-wide and per-user lists, and the helper resources.
// ----------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_filters_order_and_pagination() {
    let app = Roster::spawn().await;
    let alice = app.user("alice@example.com", "Alice", Some("alice")).await;
    let bob = app.user("bob@example.com", "Bob", Some("bobby")).await;
    let carol = app.user("carol@example.org", "Carol", None).await;
    let org = app.org("Acme", Some(&alice)).await;
    app.add(&org, &bob, "org:member").await;
    app.add(&org, &carol, "org:member").await;
    let api = app.clerk.organization_memberships();
    let list = |req: ListOrganizationMembershipsRequest| {
        let api = api.clone();
        async move { api.list(req).await.unwrap() }
    };

    let members = list(ListOrganizationMembershipsRequest { role: vec!["org:member".into()], ..list_req(&org) }).await;
    assert_eq!(members.total_count, 2);
    let both = list(ListOrganizationMembershipsRequest {
        role: vec!["org:member".into(), "org:admin".into()],
        order_by: Some("+email_address".into()),
        ..list_req(&org)
    })
    .await;
    assert_eq!(user_ids(&both), vec![alice.clone(), bob.clone(), carol.clone()]);
    let desc =
        list(ListOrganizationMembershipsRequest { order_by: Some("-email_address".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&desc), vec![carol.clone(), bob.clone(), alice.clone()]);

    let q = list(ListOrganizationMembershipsRequest { query: Some("bob".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&q), vec![bob.clone()]);
    let ids =
        list(ListOrganizationMembershipsRequest { user_id: vec![alice.clone(), carol.clone()], ..list_req(&org) })
            .await;
    assert_eq!(
        ids.data.iter().map(|m| m.public_user_data.user_id.clone()).collect::<HashSet<_>>(),
        HashSet::from([alice.clone(), carol.clone()])
    );
    let email =
        list(ListOrganizationMembershipsRequest { email_address: vec!["carol@example.org".into()], ..list_req(&org) })
            .await;
    assert_eq!(user_ids(&email), vec![carol.clone()]);
    let email_q =
        list(ListOrganizationMembershipsRequest { email_address_query: Some("example.org".into()), ..list_req(&org) })
            .await;
    assert_eq!(user_ids(&email_q), vec![carol.clone()]);
    let username = list(ListOrganizationMembershipsRequest { username: vec!["bobby".into()], ..list_req(&org) }).await;
    assert_eq!(user_ids(&username), vec![bob.clone()]);
    let username_q =
        list(ListOrganizationMembershipsRequest { username_query: Some("ali".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&username_q), vec![alice.clone()]);
    let name = list(ListOrganizationMembershipsRequest { name_query: Some("carol".into()), ..list_req(&org) }).await;
    assert_eq!(user_ids(&name), vec![carol.clone()]);
    let created_after =
        list(ListOrganizationMembershipsRequest { created_at_after: Some(4102444800000), ..list_req(&org) }).await;
    assert_eq!(created_after.total_count, 0);

    let page = list(ListOrganizationMembershipsRequest {
        order_by: Some("+email_address".into()),
        limit: Some(1),
        offset: Some(1),
        ..list_req(&org)
    })
    .await;
    assert_eq!(page.total_count, 3);
    assert_eq!(user_ids(&page), vec![bob.clone()]);
}

#[tokio::test]
async fn streams_walk_every_page() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let org = app.org("Big", Some(&owner)).await;
    let mut expected = HashSet::from([owner.clone()]);
    for i in 0..7 {
        let u = app.user(&format!("m{i}@example.com"), &format!("M{i}"), None).await;
        app.add(&org, &u, "org:member").await;
        expected.insert(u);
    }
    let api = app.clerk.organization_memberships();

    let req = ListOrganizationMembershipsRequest { limit: Some(3), ..list_req(&org) };
    let all: Vec<_> = api.list_stream(req.clone()).try_collect().await.unwrap();
    assert_eq!(all.len(), 8);
    assert_eq!(all.iter().map(|m| m.public_user_data.user_id.clone()).collect::<HashSet<_>>(), expected);

    // `into_stream` on the request, starting at an offset.
    let rest: Vec<_> = ListOrganizationMembershipsRequest { offset: Some(5), ..req.clone() }
        .into_stream(&app.clerk, None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 3);

    // A filter carries over to every page.
    let members: Vec<_> = api
        .list_stream(ListOrganizationMembershipsRequest {
            role: vec!["org:member".into()],
            limit: Some(2),
            ..list_req(&org)
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(members.len(), 7);

    // Instance-wide list and its stream.
    let first = api.list_all(ListInstanceOrganizationMembershipsRequest { limit: Some(2), ..Default::default() }).await;
    let first = first.unwrap();
    assert_eq!((first.data.len(), first.total_count), (2, 8));
    let everything: Vec<_> = api
        .list_all_stream(ListInstanceOrganizationMembershipsRequest {
            order_by: Some("-created_at".into()),
            limit: Some(3),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(everything.len(), 8);

    // Per-user list.
    let mine = api
        .list_for_user(ListUserOrganizationMembershipsRequest { user_id: owner.clone(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(mine.total_count, 1);
    assert_eq!(mine.data[0].organization.id, org);
    assert_eq!(mine.data[0].role, "org:admin");

    // An error ends the stream after being yielded.
    let err: Result<Vec<_>, _> = api.list_stream(list_req("org_doesnotexist")).try_collect().await;
    assert_api_error(err, 404);
}

#[tokio::test]
async fn users_organizations_and_roles_handles() {
    let app = Roster::spawn().await;
    let roles = app.clerk.roles().list(Default::default()).await.unwrap();
    let keys: HashSet<_> = roles.data.iter().map(|r| r.key.as_str()).collect();
    assert!(keys.contains("org:admin") && keys.contains("org:member"), "{keys:?}");

    let user = app.user("u@example.com", "U", None).await;
    assert_eq!(app.clerk.users().get(&user).await.unwrap().id, user);
    let org = app.org("Org", Some(&user)).await;
    assert_eq!(app.clerk.organizations().get(&org).await.unwrap().name, "Org");
    assert!(app.clerk.organizations().delete(&org).await.unwrap().deleted);
    assert_clerk_error(app.clerk.organizations().get(&org).await, 404, "resource_not_found");
    assert!(app.clerk.users().delete(&user).await.unwrap().deleted);
    assert_clerk_error(app.clerk.users().get(&user).await, 404, "resource_not_found");
}

// ----------------------------------------------------------------------------------------------------
// Errors: declared statuses become ClerkErrors, others Api.
// ----------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_errors() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let member = app.user("member@example.com", "Member", None).await;
    let org = app.org("Acme", Some(&owner)).await;
    let api = app.clerk.organization_memberships();

    // 400: already a member.
    assert_clerk_error(
        api.create(create_req(&org, &owner, "org:member")).await,
        400,
        "already_a_member_in_organization",
    );
    // 403: quota.
    let small = app
        .clerk
        .organizations()
        .create(CreateOrganizationRequest {
            name: "Small".into(),
            max_allowed_memberships: Some(1),
            ..Default::default()
        })
        .await
        .unwrap()
        .id;
    app.add(&small, &owner, "org:admin").await;
    assert_clerk_error(
        api.create(create_req(&small, &member, "org:member")).await,
        403,
        "organization_membership_quota_exceeded",
    );
    // 404: unknown role, user, organization.
    assert_clerk_error(api.create(create_req(&org, &member, "org:nonexistent")).await, 404, "resource_not_found");
    assert_clerk_error(
        api.create(create_req(&org, "user_doesnotexist", "org:member")).await,
        404,
        "resource_not_found",
    );
    assert_clerk_error(
        api.create(create_req("org_doesnotexist", &member, "org:member")).await,
        404,
        "resource_not_found",
    );
    // 422: missing role, oversize metadata.
    assert_clerk_error(api.create(create_req(&org, &member, "")).await, 422, "form_param_missing");
    let mut big = create_req(&org, &member, "org:member");
    big.request_body.public_metadata = Some(meta(json!({"k": "x".repeat(9000)})));
    assert_clerk_error(api.create(big).await, 422, "form_param_exceeds_allowed_size");
    // 401 is not declared for create: Api, with the raw body kept.
    let body = assert_api_error(
        app.bad_key().organization_memberships().create(create_req(&org, &member, "org:member")).await,
        401,
    );
    assert!(body.contains("errors"), "{body}");
}

#[tokio::test]
async fn list_errors() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let org = app.org("Acme", Some(&owner)).await;

    let e = app.bad_key().organization_memberships().list(list_req(&org)).await.unwrap_err();
    assert!(matches!(e, Error::ClerkErrors { status: 401, .. }), "{e:?}");
    assert!(e.code().is_some());
    let api = app.clerk.organization_memberships();
    assert_clerk_error(
        api.list(ListOrganizationMembershipsRequest { limit: Some(0), ..list_req(&org) }).await,
        422,
        "form_param_value_invalid",
    );
    // 404 is not declared for list: Api.
    assert_api_error(api.list(list_req("org_doesnotexist")).await, 404);
}

#[tokio::test]
async fn update_delete_and_metadata_errors() {
    let app = Roster::spawn().await;
    let owner = app.user("owner@example.com", "Owner", None).await;
    let member = app.user("member@example.com", "Member", None).await;
    let stranger = app.user("stranger@example.com", "Stranger", None).await;
    let org = app.org("Acme", Some(&owner)).await;
    app.add(&org, &member, "org:member").await;
    let api = app.clerk.organization_memberships();
    let update = |user: &str, role: &str| UpdateOrganizationMembershipRequest {
        organization_id: org.clone(),
        user_id: user.to_owned(),
        request_body: UpdateOrganizationMembershipRequestBody { role: role.to_owned() },
    };
    let delete =
        |user: &str| DeleteOrganizationMembershipRequest { organization_id: org.clone(), user_id: user.to_owned() };
    let metadata = |user: &str, public: Value| UpdateOrganizationMembershipMetadataRequest {
        organization_id: org.clone(),
        user_id: user.to_owned(),
        request_body: Some(UpdateOrganizationMembershipMetadataRequestBody {
            public_metadata: Some(meta(public)),
            ..Default::default()
        }),
    };

    // update: 404, 422; demoting the only admin is 400, undeclared: Api.
    assert_clerk_error(api.update(update(&stranger, "org:admin")).await, 404, "resource_not_found");
    assert_clerk_error(api.update(update(&member, "")).await, 422, "form_param_missing");
    let body = assert_api_error(api.update(update(&owner, "org:member")).await, 400);
    assert!(body.contains("organization_minimum_permissions_needed"), "{body}");

    // delete: 401, 404; removing the only admin is 400, undeclared: Api.
    let e = app.bad_key().organization_memberships().delete(delete(&member)).await.unwrap_err();
    assert!(matches!(e, Error::ClerkErrors { status: 401, .. }), "{e:?}");
    assert_clerk_error(api.delete(delete(&stranger)).await, 404, "resource_not_found");
    assert_api_error(api.delete(delete(&owner)).await, 400);

    // update_metadata: 404, 422 (oversize).
    assert_clerk_error(api.update_metadata(metadata(&stranger, json!({"a": 1}))).await, 404, "resource_not_found");
    assert_clerk_error(
        api.update_metadata(metadata(&member, json!({"k": "x".repeat(9000)}))).await,
        422,
        "form_param_exceeds_allowed_size",
    );
    // The failed calls changed nothing.
    let page = api.list(ListOrganizationMembershipsRequest { user_id: vec![member.clone()], ..list_req(&org) }).await;
    let m = &page.unwrap().data[0];
    assert_eq!(m.role, "org:member");
    assert!(m.public_metadata.is_empty());
}

// ----------------------------------------------------------------------------------------------------
// Retries and headers, against a local server that fails on purpose.
// ----------------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Mode {
    /// 503 for the first `n` attempts, then 200.
    FailFirst(usize),
    /// 503 with `Retry-After: 1` once, then 200.
    RetryAfterOnce,
    /// Always 503.
    AlwaysFail,
}

#[derive(Clone)]
struct Flaky {
    mode: Mode,
    attempts: Arc<AtomicUsize>,
    last_headers: Arc<Mutex<Option<axum::http::HeaderMap>>>,
}

async fn flaky_handler(
    axum::extract::State(flaky): axum::extract::State<Flaky>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let n = flaky.attempts.fetch_add(1, Ordering::SeqCst);
    *flaky.last_headers.lock().unwrap() = Some(headers);
    let unavailable = || (axum::http::StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response();
    let ok = || axum::Json(json!({"data": [], "total_count": 0})).into_response();
    match flaky.mode {
        Mode::FailFirst(k) if n < k => unavailable(),
        Mode::FailFirst(_) => ok(),
        Mode::RetryAfterOnce if n == 0 => ([(axum::http::header::RETRY_AFTER, "1")], unavailable()).into_response(),
        Mode::RetryAfterOnce => ok(),
        Mode::AlwaysFail => unavailable(),
    }
}

/// Start a failing server; returns its base URL and state.
async fn flaky(mode: Mode) -> (String, Flaky) {
    let state = Flaky { mode, attempts: Arc::default(), last_headers: Arc::default() };
    let app = axum::Router::new().fallback(flaky_handler).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), state)
}

fn quick(max_elapsed: Duration) -> RetryConfig {
    RetryConfig::Backoff {
        strategy: BackoffStrategy {
            initial_interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            exponent: 1.5,
            max_elapsed_time: max_elapsed,
        },
        retry_connection_errors: true,
    }
}

fn client(base: &str, retries: RetryConfig) -> Clerk {
    Clerk::builder().secret_key("sk_test_flaky").server_url(base).retry_config(retries).build().unwrap()
}

#[tokio::test]
async fn retries_503_until_success() {
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    let page = client(&base, quick(Duration::from_secs(10))).organization_memberships().list(list_req("org_1")).await;
    assert_eq!(page.unwrap().total_count, 0);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn gives_up_on_5xx_after_max_elapsed_time() {
    let (base, state) = flaky(Mode::AlwaysFail).await;
    let start = Instant::now();
    let r = client(&base, quick(Duration::from_millis(300))).organization_memberships().list(list_req("org_1")).await;
    assert_api_error(r, 503);
    assert!(state.attempts.load(Ordering::SeqCst) > 1);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn retry_none_makes_exactly_one_attempt() {
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    // Client-wide None.
    let r = client(&base, RetryConfig::None).organization_memberships().list(list_req("org_1")).await;
    assert_api_error(r, 503);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 1);

    // Per-call None overrides a retrying client...
    let (base, state) = flaky(Mode::FailFirst(2)).await;
    let api = client(&base, quick(Duration::from_secs(10))).organization_memberships();
    let r = api.clone().with_options(RequestOptions::default().retries(RetryConfig::None)).list(list_req("o")).await;
    assert_api_error(r, 503);
    assert_eq!(state.attempts.load(Ordering::SeqCst), 1);
    // ...and per-call retries override a non-retrying client.
    let (base, state) = flaky(Mode::FailFirst(1)).await;
    let r = organization_memberships_list(
        &client(&base, RetryConfig::None),
        list_req("o"),
        Some(RequestOptions::default().retries(quick(Duration::from_secs(10)))),
    )
    .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(state.attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn honours_retry_after() {
    let (base, state) = flaky(Mode::RetryAfterOnce).await;
    let start = Instant::now();
    let r = client(&base, quick(Duration::from_secs(30))).organization_memberships().list(list_req("org_1")).await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(state.attempts.load(Ordering::SeqCst), 2);
    // The computed backoff would be ~10 ms; Retry-After asked for a second.
    assert!(start.elapsed() >= Duration::from_millis(900), "{:?}", start.elapsed());
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let start = Instant::now();
    let r = client(&format!("http://{addr}/v1"), quick(Duration::from_millis(300)))
        .organization_memberships()
        .list(list_req("org_1"))
        .await;
    match r {
        Err(Error::Transport(e)) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    // Retries go on while the next wait (at most 50 ms) fits in the 300 ms budget, so reaching the error takes
    // at least 250 ms: many attempts, not one.
    assert!(start.elapsed() >= Duration::from_millis(200), "{:?}", start.elapsed());

    // Without retries it fails at once.
    let r =
        client(&format!("http://{addr}/v1"), RetryConfig::None).organization_memberships().list(list_req("o")).await;
    assert!(matches!(r, Err(Error::Transport(_))), "{r:?}");
}

#[tokio::test]
async fn sends_auth_version_user_agent_and_custom_headers() {
    let (base, state) = flaky(Mode::FailFirst(0)).await;
    let api = client(&base, RetryConfig::None).organization_memberships();
    api.with_options(RequestOptions::default().header("x-request-id", "abc")).list(list_req("org_1")).await.unwrap();
    let headers = state.last_headers.lock().unwrap().clone().unwrap();
    assert_eq!(headers["authorization"], "Bearer sk_test_flaky");
    assert_eq!(headers["clerk-api-version"], "2026-05-12");
    assert_eq!(headers["user-agent"], concat!("roster-client/", env!("CARGO_PKG_VERSION")));
    assert_eq!(headers["x-request-id"], "abc");

    let custom = Clerk::builder().secret_key("k").server_url(&base).user_agent("my-app/1.0").build().unwrap();
    custom.organization_memberships().list(list_req("org_1")).await.unwrap();
    assert_eq!(state.last_headers.lock().unwrap().as_ref().unwrap()["user-agent"], "my-app/1.0");
}
