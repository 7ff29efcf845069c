//! The seed's examples, translated: methods and standalone functions.

use std::time::Duration;

use roster_client::funcs::{
    organization_memberships_create, organization_memberships_delete, organization_memberships_list,
    organization_memberships_update, organization_memberships_update_metadata,
};
use roster_client::{
    CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody, DeleteOrganizationMembershipRequest,
    ListOrganizationMembershipsRequest, RequestOptions, UpdateOrganizationMembershipMetadataRequest,
    UpdateOrganizationMembershipMetadataRequestBody, UpdateOrganizationMembershipRequest,
    UpdateOrganizationMembershipRequestBody,
};
use serde_json::{json, Value};

use crate::support::*;

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
