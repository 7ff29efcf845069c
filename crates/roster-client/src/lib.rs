//! `roster-client`: an idiomatic Rust SDK for Clerk's organization memberships, invitations, domains and role sets.
//!
//! It mirrors the `organizationMemberships` resource of Clerk's official TypeScript SDK (`create`, `list`,
//! `update`, `delete`, `updateMetadata`, as methods on [`Clerk::organization_memberships`] and as
//! standalone functions in [`funcs`]) and adds the instance-wide and per-user membership lists,
//! auto-paginating streams, and just enough of users, organizations and roles to set memberships up.
//!
//! How members arrive, in the same two forms:
//!
//! - [`Clerk::organization_invitations`] ([`OrganizationInvitationsApi`]): `create`, `bulk_create` (up to
//!   [`MAX_BULK_INVITATIONS`], all or none), `list`, `list_pending`, `get`, `revoke`, the instance-wide
//!   `list_all`, the per-user `list_for_user`, and Roster's `accept` extension, which turns a pending
//!   invitation into its membership;
//! - [`Clerk::organization_domains`] ([`OrganizationDomainsApi`]): `create`, `list`, the instance-wide
//!   `list_all`, `update`, `delete`, `verify_ownership`, and Roster's `list_suggestions_for_user`.
//!
//! And which roles members may hold: [`Clerk::role_sets`] ([`RoleSetsApi`]): `list`, `create`, `get` (by key or
//! id), `update`, `add_roles`, `replace_role` (moving the members holding the role) and `replace` (a set by
//! another, moving its organizations and, through reassignment mappings, their members).
//!
//! The same code runs against Roster and against Clerk: only the server URL and the
//! secret key change. Responses are the wire types of [`roster_api_types`].
//!
//! ```no_run
//! # async fn run() -> Result<(), roster_client::Error> {
//! use roster_client::{Clerk, CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody};
//!
//! // Clerk: Clerk::new(secret_key). Roster: point the builder at it.
//! let clerk = Clerk::builder()
//!     .secret_key("sk_test_roster_readme_key")
//!     .server_url("http://127.0.0.1:8080/v1")
//!     .build()?;
//!
//! let membership = clerk
//!     .organization_memberships()
//!     .create(CreateOrganizationMembershipRequest {
//!         organization_id: "org_123".into(),
//!         request_body: CreateOrganizationMembershipRequestBody {
//!             user_id: "user_456".into(),
//!             role: "org:member".into(),
//!             ..Default::default()
//!         },
//!     })
//!     .await?;
//! println!("{} is {}", membership.public_user_data.user_id, membership.role);
//! # Ok(()) }
//! ```
//!
//! # Requests
//!
//! Every request sends `Authorization: Bearer <secret key>`, `Clerk-API-Version: 2026-05-12`
//! ([`API_VERSION`]), `User-Agent: roster-client/<version>` and JSON bodies.
//!
//! # Errors
//!
//! Error answers with a status the operation declares become [`Error::ClerkErrors`] (Clerk's structured
//! errors, with [`Error::status`] and [`Error::code`]); other 4XX/5XX answers become [`Error::Api`];
//! network failures [`Error::Transport`].
//!
//! # Retries
//!
//! By default requests are retried with exponential backoff and jitter on 5XX answers and connection
//! errors, honouring `Retry-After`, for at most an hour ([`RetryConfig`]). Set another policy for the client
//! with [`ClerkBuilder::retry_config`] or for one call with [`RequestOptions::retries`].
//!
//! # Session tokens
//!
//! [`tokens`] verifies the session tokens your app receives, as @clerk/backend does for Node apps: a
//! [`Verifier`] over a cached JWKS, and with the `axum` feature the `tokens::Auth` extractor.
//!
//! # Webhooks
//!
//! [`webhooks::Webhook`] verifies the deliveries Roster (or Clerk) sends to your endpoint, as `verifyWebhook` of
//! @clerk/backend does.
//!
//! # Features
//!
//! - `rustls` (default): HTTPS through rustls, needed for `https://api.clerk.com`. Without it only plain
//!   HTTP works, unless you pass your own client to [`ClerkBuilder::http_client`].
//! - `axum`: the `tokens::Auth` extractor (axum 0.8).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod error;
pub mod funcs;
mod options;
mod organization_domains;
mod organization_invitations;
mod organization_memberships;
mod organizations;
mod retry;
mod role_sets;
mod roles;
pub mod tokens;
mod users;
pub mod webhooks;

pub use client::{Clerk, ClerkBuilder, API_VERSION, DEFAULT_SERVER_URL, DEFAULT_USER_AGENT, IDEMPOTENCY_KEY};
pub use error::Error;
pub use options::RequestOptions;
pub use organization_domains::{
    CreateOrganizationDomainRequest, CreateOrganizationDomainRequestBody, DeleteOrganizationDomainRequest,
    ListAllOrganizationDomainsRequest, ListOrganizationDomainsRequest, ListUserOrganizationSuggestionsRequest,
    OrganizationDomainsApi, UpdateOrganizationDomainRequest, UpdateOrganizationDomainRequestBody,
    VerifyOrganizationDomainOwnershipRequest,
};
pub use organization_invitations::{
    AcceptOrganizationInvitationRequest, AcceptOrganizationInvitationRequestBody,
    CreateOrganizationInvitationBulkRequest, CreateOrganizationInvitationRequest,
    CreateOrganizationInvitationRequestBody, GetOrganizationInvitationRequest,
    ListInstanceOrganizationInvitationsRequest, ListOrganizationInvitationsRequest,
    ListPendingOrganizationInvitationsRequest, ListUserOrganizationInvitationsRequest, OrganizationInvitationsApi,
    RevokeOrganizationInvitationRequest, RevokeOrganizationInvitationRequestBody, MAX_BULK_INVITATIONS,
};
pub use organization_memberships::{
    BulkItemError, BulkItemResult, BulkMode, BulkOrganizationMemberships, BulkOrganizationMembershipsRequest,
    CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody, DeleteOrganizationMembershipRequest,
    DeleteOrganizationMembershipsBulkItem, ListInstanceOrganizationMembershipsRequest,
    ListOrganizationMembershipsRequest, ListUserOrganizationMembershipsRequest, OrganizationMembershipsApi,
    UpdateOrganizationMembershipMetadataRequest, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequest, UpdateOrganizationMembershipRequestBody,
    UpdateOrganizationMembershipsBulkItem, DEFAULT_STREAM_PAGE_SIZE, MAX_BULK_ITEMS,
};
pub use organizations::{CreateOrganizationRequest, OrganizationsApi};
pub use retry::{BackoffStrategy, RetryConfig};
pub use role_sets::{
    AddRolesToRoleSetRequest, AddRolesToRoleSetRequestBody, CreateRoleSetRequestBody, GetRoleSetRequest,
    ListRoleSetsRequest, ReplaceRoleInRoleSetRequest, ReplaceRoleInRoleSetRequestBody, ReplaceRoleSetRequest,
    ReplaceRoleSetRequestBody, RoleSetsApi, UpdateRoleSetRequest, UpdateRoleSetRequestBody, MAX_ROLE_SET_ROLES,
};
pub use roles::{ListOrganizationRolesRequest, RolesApi};
pub use tokens::{JwksCache, SessionClaims, TokenError, Verifier};
pub use users::{CreateUserRequest, UsersApi};

/// The wire types responses decode into (re-exported from `roster-api-types`).
pub use roster_api_types as types;
pub use roster_api_types::{
    DeletedObject, Metadata, OrganizationDomain, OrganizationDomains, OrganizationInvitation,
    OrganizationInvitationPublicOrganizationData, OrganizationInvitationWithPublicOrganizationData,
    OrganizationInvitations, OrganizationInvitationsWithPublicOrganizationData, OrganizationMembership,
    OrganizationMemberships, OrganizationSuggestion, OrganizationSuggestions, RoleSet, RoleSetItem, RoleSets,
};
