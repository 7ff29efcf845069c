//! The requests of the organization-invitation operations: path and query parameters, and the body, which is
//! the request type of `roster-api-types` that the server deserializes.

use roster_api_types::{
    AcceptOrganizationInvitationRequestBody, CreateOrganizationInvitationRequestBody,
    RevokeOrganizationInvitationRequestBody,
};

use crate::client::paging;

/// Request of [`OrganizationInvitationsApi::create`](super::OrganizationInvitationsApi::create):
/// `POST /organizations/{organization_id}/invitations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOrganizationInvitationRequest {
    /// The organization the address is invited to.
    pub organization_id: String,
    /// The JSON body.
    pub request_body: CreateOrganizationInvitationRequestBody,
}

/// Request of [`OrganizationInvitationsApi::bulk_create`](super::OrganizationInvitationsApi::bulk_create):
/// `POST /organizations/{organization_id}/invitations/bulk`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateOrganizationInvitationBulkRequest {
    /// The organization the addresses are invited to.
    pub organization_id: String,
    /// The JSON body: 1 to [`MAX_BULK_INVITATIONS`](super::MAX_BULK_INVITATIONS) invitations, created all or
    /// none.
    pub request_body: Vec<CreateOrganizationInvitationRequestBody>,
}

/// Request of [`OrganizationInvitationsApi::list`](super::OrganizationInvitationsApi::list):
/// `GET /organizations/{organization_id}/invitations`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOrganizationInvitationsRequest {
    /// The organization whose invitations to list.
    pub organization_id: String,
    /// Only invitations with one of these statuses (`pending`, `accepted`, `revoked`, `expired`); sent as
    /// repeated `status` keys.
    pub status: Vec<String>,
    /// Only invitations to this address.
    pub email_address: Option<String>,
    /// Sort order: `created_at` or `email_address`, with an optional `+` or `-` prefix (default
    /// `-created_at`).
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListOrganizationInvitationsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = statuses(&self.status);
        q.extend(self.email_address.clone().map(|v| ("email_address", v)));
        q.extend(paging(self.order_by.as_ref(), self.limit, self.offset));
        q
    }
}

/// Request of [`OrganizationInvitationsApi::list_pending`](super::OrganizationInvitationsApi::list_pending):
/// `GET /organizations/{organization_id}/invitations/pending`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPendingOrganizationInvitationsRequest {
    /// The organization whose pending invitations to list.
    pub organization_id: String,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

/// Request of [`OrganizationInvitationsApi::get`](super::OrganizationInvitationsApi::get):
/// `GET /organizations/{organization_id}/invitations/{invitation_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetOrganizationInvitationRequest {
    /// The organization.
    pub organization_id: String,
    /// The invitation.
    pub invitation_id: String,
}

/// Request of [`OrganizationInvitationsApi::revoke`](super::OrganizationInvitationsApi::revoke):
/// `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RevokeOrganizationInvitationRequest {
    /// The organization.
    pub organization_id: String,
    /// The pending invitation to revoke.
    pub invitation_id: String,
    /// The JSON body; `None` sends an empty object (no `requesting_user_id`).
    pub request_body: Option<RevokeOrganizationInvitationRequestBody>,
}

/// Request of [`OrganizationInvitationsApi::accept`](super::OrganizationInvitationsApi::accept):
/// `POST /organizations/{organization_id}/invitations/{invitation_id}/accept` (a Roster extension).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AcceptOrganizationInvitationRequest {
    /// The organization.
    pub organization_id: String,
    /// The pending invitation to accept.
    pub invitation_id: String,
    /// The JSON body: the user who joins.
    pub request_body: AcceptOrganizationInvitationRequestBody,
}

/// Request of [`OrganizationInvitationsApi::list_all`](super::OrganizationInvitationsApi::list_all):
/// `GET /organization_invitations`, every invitation of the instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListInstanceOrganizationInvitationsRequest {
    /// Only invitations with one of these statuses (`pending`, `accepted`, `revoked`, `expired`); sent as
    /// repeated `status` keys.
    pub status: Vec<String>,
    /// A substring of the invited address.
    pub query: Option<String>,
    /// Sort order: `created_at` or `email_address`, with an optional `+` or `-` prefix (default
    /// `-created_at`).
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListInstanceOrganizationInvitationsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = statuses(&self.status);
        q.extend(self.query.clone().map(|v| ("query", v)));
        q.extend(paging(self.order_by.as_ref(), self.limit, self.offset));
        q
    }
}

/// Request of [`OrganizationInvitationsApi::list_for_user`](super::OrganizationInvitationsApi::list_for_user):
/// `GET /users/{user_id}/organization_invitations`, the invitations to the user's verified email addresses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListUserOrganizationInvitationsRequest {
    /// The user whose invitations to list.
    pub user_id: String,
    /// Only invitations with this status (`pending`, `accepted`, `revoked`, `expired`).
    pub status: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListUserOrganizationInvitationsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<_> = self.status.clone().map(|v| ("status", v)).into_iter().collect();
        q.extend(paging(None, self.limit, self.offset));
        q
    }
}

fn statuses(status: &[String]) -> Vec<(&'static str, String)> {
    status.iter().map(|s| ("status", s.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_repeat_status_and_skip_unset_parameters() {
        let req = ListOrganizationInvitationsRequest {
            organization_id: "org_1".into(),
            status: vec!["pending".into(), "revoked".into()],
            email_address: Some("a@example.com".into()),
            order_by: Some("+email_address".into()),
            limit: Some(5),
            offset: None,
        };
        let q = req.query();
        assert_eq!(
            q,
            vec![
                ("status", "pending".to_owned()),
                ("status", "revoked".to_owned()),
                ("email_address", "a@example.com".to_owned()),
                ("order_by", "+email_address".to_owned()),
                ("limit", "5".to_owned()),
            ]
        );
        assert!(ListInstanceOrganizationInvitationsRequest::default().query().is_empty());
        let user = ListUserOrganizationInvitationsRequest {
            user_id: "user_1".into(),
            status: Some("accepted".into()),
            offset: Some(3),
            ..Default::default()
        };
        assert_eq!(user.query(), vec![("status", "accepted".to_owned()), ("offset", "3".to_owned())]);
    }
}
