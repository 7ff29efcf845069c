//! What the SDK suites share: a real Roster from roster-testkit with an SDK client pointed at it, request
//! builders and error assertions.

use std::time::Duration;

use roster_client::{
    BackoffStrategy, Clerk, CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody,
    CreateOrganizationRequest, CreateUserRequest, Error, ListOrganizationMembershipsRequest, Metadata, RetryConfig,
};
use roster_testkit::TestApp;
use serde_json::Value;

/// A real Roster on a database of its own (roster-testkit), and an SDK client pointed at it.
pub struct Roster {
    pub clerk: Clerk,
    pub app: TestApp,
}

impl Roster {
    pub async fn spawn() -> Self {
        let app = TestApp::spawn().await;
        let clerk =
            Clerk::builder().secret_key(&app.key).server_url(&app.base).retry_config(bounded()).build().unwrap();
        Roster { clerk, app }
    }

    /// A client with a wrong key, for 401s.
    pub fn bad_key(&self) -> Clerk {
        Clerk::builder().secret_key("sk_test_wrong").server_url(&self.app.base).build().unwrap()
    }

    pub async fn user(&self, email: &str, first_name: &str, username: Option<&str>) -> String {
        let req = CreateUserRequest {
            email_address: vec![email.to_owned()],
            first_name: Some(first_name.to_owned()),
            last_name: Some("Tester".to_owned()),
            username: username.map(str::to_owned),
            ..Default::default()
        };
        self.clerk.users().create(req).await.expect("create user").id
    }

    pub async fn org(&self, name: &str, created_by: Option<&str>) -> String {
        let req = CreateOrganizationRequest {
            name: name.to_owned(),
            created_by: created_by.map(str::to_owned),
            ..Default::default()
        };
        self.clerk.organizations().create(req).await.expect("create organization").id
    }

    pub async fn add(&self, org: &str, user: &str, role: &str) {
        self.clerk.organization_memberships().create(create_req(org, user, role)).await.expect("add member");
    }
}

/// The default backoff, but for at most 5 seconds: a 5XX from Roster fails the test quickly instead of being
/// retried for the default hour (idempotency keys stay on, as by default).
fn bounded() -> RetryConfig {
    RetryConfig::Backoff {
        strategy: BackoffStrategy { max_elapsed_time: Duration::from_secs(5), ..Default::default() },
        retry_connection_errors: true,
    }
}

pub fn create_req(org: &str, user: &str, role: &str) -> CreateOrganizationMembershipRequest {
    CreateOrganizationMembershipRequest {
        organization_id: org.to_owned(),
        request_body: CreateOrganizationMembershipRequestBody {
            user_id: user.to_owned(),
            role: role.to_owned(),
            ..Default::default()
        },
    }
}

pub fn list_req(org: &str) -> ListOrganizationMembershipsRequest {
    ListOrganizationMembershipsRequest { organization_id: org.to_owned(), ..Default::default() }
}

pub fn meta(v: Value) -> Metadata {
    v.as_object().expect("object").clone()
}

pub fn user_ids(page: &roster_client::OrganizationMemberships) -> Vec<String> {
    page.data.iter().map(|m| m.public_user_data.user_id.clone()).collect()
}

#[track_caller]
pub fn assert_clerk_error(result: Result<impl std::fmt::Debug, Error>, status: u16, code: &str) {
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
pub fn assert_api_error(result: Result<impl std::fmt::Debug, Error>, status: u16) -> String {
    match result {
        Err(Error::Api { status: s, body, .. }) => {
            assert_eq!(s, status, "{body}");
            body
        }
        other => panic!("expected Api {status}, got {other:?}"),
    }
}

/// Turn organization domains on for the instance, with both automatic enrollment modes. The client has no
/// instance-settings operation, so through the testkit's raw API.
pub async fn enable_domains(app: &Roster) {
    let body = serde_json::json!({
        "domains_enabled": true,
        "domains_enrollment_modes": ["automatic_invitation", "automatic_suggestion"]
    });
    app.app.patch("/instance/organization_settings", body).await.ok();
}

pub fn invite_req(org: &str, email: &str, role: &str) -> roster_client::CreateOrganizationInvitationRequest {
    roster_client::CreateOrganizationInvitationRequest {
        organization_id: org.to_owned(),
        request_body: roster_client::CreateOrganizationInvitationRequestBody {
            email_address: email.to_owned(),
            role: role.to_owned(),
            ..Default::default()
        },
    }
}

pub fn emails(page: &roster_client::OrganizationInvitations) -> Vec<String> {
    page.data.iter().map(|i| i.email_address.clone()).collect()
}

pub fn emails_of(page: &roster_client::OrganizationInvitationsWithPublicOrganizationData) -> Vec<String> {
    page.data.iter().map(|i| i.invitation.email_address.clone()).collect()
}
