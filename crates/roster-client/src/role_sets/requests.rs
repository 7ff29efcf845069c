//! The requests of the role-set operations: path and query parameters, and the body, which is the request type of
//! `roster-api-types` that the server deserializes.

use roster_api_types::{
    AddRolesToRoleSetRequestBody, ReplaceRoleInRoleSetRequestBody, ReplaceRoleSetRequestBody, UpdateRoleSetRequestBody,
};

use crate::client::paging;

/// Request of [`RoleSetsApi::list`](super::RoleSetsApi::list): `GET /role_sets`, the instance's role sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRoleSetsRequest {
    /// Only role sets whose id equals it, or whose name or key contains it (case-insensitive).
    pub query: Option<String>,
    /// Sort order: `created_at`, `name` or `key`, with an optional `+` or `-` prefix (default `-created_at`).
    pub order_by: Option<String>,
    /// Page size (1 to 500, default 10).
    pub limit: Option<i64>,
    /// How many results to skip.
    pub offset: Option<i64>,
}

impl ListRoleSetsRequest {
    pub(super) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<_> = self.query.clone().map(|v| ("query", v)).into_iter().collect();
        q.extend(paging(self.order_by.as_ref(), self.limit, self.offset));
        q
    }
}

/// Request of [`RoleSetsApi::get`](super::RoleSetsApi::get): `GET /role_sets/{role_set_key_or_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetRoleSetRequest {
    /// The role set's key (`role_set:...`) or id (`rs_...`).
    pub role_set_key_or_id: String,
}

/// Request of [`RoleSetsApi::update`](super::RoleSetsApi::update): `PATCH /role_sets/{role_set_key_or_id}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateRoleSetRequest {
    /// The role set's key or id.
    pub role_set_key_or_id: String,
    /// The JSON body: the fields to change.
    pub request_body: UpdateRoleSetRequestBody,
}

/// Request of [`RoleSetsApi::add_roles`](super::RoleSetsApi::add_roles):
/// `POST /role_sets/{role_set_key_or_id}/roles`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddRolesToRoleSetRequest {
    /// The role set's key or id.
    pub role_set_key_or_id: String,
    /// The JSON body: the role keys to add, and optionally a new default or creator role among them.
    pub request_body: AddRolesToRoleSetRequestBody,
}

/// Request of [`RoleSetsApi::replace_role`](super::RoleSetsApi::replace_role):
/// `POST /role_sets/{role_set_key_or_id}/roles/replace`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplaceRoleInRoleSetRequest {
    /// The role set's key or id.
    pub role_set_key_or_id: String,
    /// The JSON body: the role to remove (`role_key`) and the role its members move to (`to_role_key`).
    pub request_body: ReplaceRoleInRoleSetRequestBody,
}

/// Request of [`RoleSetsApi::replace`](super::RoleSetsApi::replace):
/// `POST /role_sets/{role_set_key_or_id}/replace`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplaceRoleSetRequest {
    /// The key or id of the role set to replace (and delete).
    pub role_set_key_or_id: String,
    /// The JSON body: the destination set's key, and the mappings of the roles members hold that it lacks.
    pub request_body: ReplaceRoleSetRequestBody,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_query_sends_only_set_parameters() {
        let req = ListRoleSetsRequest {
            query: Some("eng".into()),
            order_by: Some("+key".into()),
            limit: Some(2),
            offset: Some(4),
        };
        assert_eq!(
            req.query(),
            vec![
                ("query", "eng".to_owned()),
                ("order_by", "+key".to_owned()),
                ("limit", "2".to_owned()),
                ("offset", "4".to_owned()),
            ]
        );
        assert!(ListRoleSetsRequest::default().query().is_empty());
        let paged = ListRoleSetsRequest { offset: Some(1), ..Default::default() };
        assert_eq!(paged.query(), vec![("offset", "1".to_owned())]);
    }

    #[test]
    fn bodies_send_clerks_field_names() {
        let update = roster_api_types::UpdateRoleSetRequestBody {
            description: Some(None),
            kind: Some("initial".into()),
            ..Default::default()
        };
        assert_eq!(serde_json::to_value(&update).unwrap(), serde_json::json!({"description": null, "type": "initial"}));
        let replace = ReplaceRoleSetRequestBody {
            dest_role_set_key: "role_set:new".into(),
            reassignment_mappings: Some([("org:lead".to_owned(), "org:admin".to_owned())].into()),
        };
        assert_eq!(
            serde_json::to_value(&replace).unwrap(),
            serde_json::json!({"dest_role_set_key": "role_set:new", "reassignment_mappings": {"org:lead": "org:admin"}})
        );
    }
}
