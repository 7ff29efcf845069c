//! Errors: declared statuses become ClerkErrors, others Api.

use roster_client::{
    CreateOrganizationRequest, DeleteOrganizationMembershipRequest, Error, ListOrganizationMembershipsRequest,
    UpdateOrganizationMembershipMetadataRequest, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequest, UpdateOrganizationMembershipRequestBody,
};
use serde_json::{json, Value};

use crate::support::*;

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
