//! The event log and webhook endpoints (Roster extensions): `GET /events`, `/webhook_endpoints`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One event of `GET /events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// `event`.
    pub object: String,
    /// `evt_…`; ids sort in the log's order, and one is the cursor (`after`) to read on from.
    pub id: String,
    /// Clerk's event type, for example `organizationMembership.created`.
    #[serde(rename = "type")]
    pub type_: String,
    /// When the write happened, Unix milliseconds.
    pub timestamp: i64,
    pub instance_id: String,
    /// The resource exactly as the API returned it after the write (`{"id","object","deleted":true}` for a
    /// deleted user or organization; the last state of a deleted membership, role or permission).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: Value,
    /// For `*.updated` events: the fields that changed, with their values before the write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub previous_attributes: Option<Map<String, Value>>,
}

/// `GET /events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Events {
    pub data: Vec<Event>,
    /// Whether more events follow the last one (read on with `after=<its id>`).
    pub has_more: bool,
}

/// A webhook endpoint. `secret` is present only in the answers of create and `rotate_secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    /// `webhook_endpoint`.
    pub object: String,
    /// `whe_…`.
    pub id: String,
    pub url: String,
    pub description: String,
    /// The event types delivered; empty: every type.
    pub event_types: Vec<String>,
    /// `whsec_…` (Standard Webhooks), shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub disabled: bool,
    /// `manual` or `failing` while disabled.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub disabled_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `GET /webhook_endpoints`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoints {
    pub data: Vec<WebhookEndpoint>,
    pub total_count: i64,
}

/// Body of `POST /webhook_endpoints` and `PATCH /webhook_endpoints/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointRequest {
    /// `http://` or `https://`; required on create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Event types to deliver (default: every type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Update only: disable (`true`) or enable (`false`, deliveries resume where they stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Create only: the endpoint's secret (`whsec_` and 16 to 64 bytes in base64); a new one by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One delivery attempt, of `GET /webhook_endpoints/{id}/attempts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    /// `webhook_attempt`.
    pub object: String,
    pub event_id: String,
    pub event_type: String,
    /// 1 for the first attempt of the event.
    pub attempt: i64,
    /// `succeeded` or `failed`.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub response_status_code: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempts {
    pub data: Vec<WebhookAttempt>,
    pub total_count: i64,
}

/// Body of `POST /webhook_endpoints/{id}/recover`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecoverWebhookRequest {
    /// Queue again the failed deliveries of events written at or after this instant (Unix milliseconds;
    /// default: the start of what is retained).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
}

/// `POST /webhook_endpoints/{id}/recover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookRecovery {
    /// `webhook_recovery`.
    pub object: String,
    /// How many failed deliveries were queued again.
    pub queued: i64,
}

/// `POST /webhook_endpoints/{id}/test`: one signed `webhook.test` request sent now, outside the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookTest {
    /// `webhook_test`.
    pub object: String,
    pub succeeded: bool,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub response_status_code: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub error: Option<String>,
    pub duration_ms: i64,
}
