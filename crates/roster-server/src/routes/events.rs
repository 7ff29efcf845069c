//! The event log (`GET /events`, a Roster extension): every change to users, organizations, memberships, roles,
//! permissions and sessions, in the order the writes became visible, read from any cursor.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use roster_api_types as api;
use roster_core::events::{parse_event_id, EventQuery, EventType};

use crate::context::Ctx;
use crate::docs::{Always, EventParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::Params;
use crate::respond::json_body;
use crate::state::AppState;

/// The default and largest page of events.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route("/events", get(list_events))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_events))]
pub(super) struct Api;

/// The event types a request names, each checked: comma-separated values and repeated parameters alike.
pub fn event_types(values: Vec<String>, param: &str) -> ApiResult<Vec<String>> {
    let mut types = Vec::new();
    for t in values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|t| !t.is_empty()) {
        if EventType::parse(t).is_none() {
            return Err(ApiError::invalid(param, format!("{t} is not an event type Roster sends.")));
        }
        if !types.iter().any(|known: &String| known == t) {
            types.push(t.to_owned());
        }
    }
    Ok(types)
}

#[utoipa::path(get, path = "/events", operation_id = "ListEvents", tag = "Events",
    summary = "List events (Roster extension)",
    description = "The instance's events after the cursor `after`, oldest first. Every write that changes a user, \
        organization, membership, role, permission or session has exactly one event, appended in the write's own \
        transaction. Events are kept for `ROSTER_EVENT_RETENTION` (30 days by default).",
    params(EventParams),
    responses((status = 200, description = "The events and whether more follow", body = api::Events), Always,
        Unprocessable))]
async fn list_events(State(state): State<AppState>, ctx: Ctx, q: Params) -> ApiResult<Response> {
    let after = match q.string("after") {
        None => 0,
        Some(id) => parse_event_id(&id)
            .ok_or_else(|| ApiError::invalid("after", format!("{id} is not an event id (evt_…).")))?,
    };
    let limit = q.int("limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("limit must be an integer from 1 to {MAX_LIMIT}.")));
    }
    let types = event_types(q.strings("types")?, "types")?;
    let query = EventQuery { after, limit: limit + 1, types, organization_id: q.string("organization_id") };
    // Read your writes: on PostgreSQL, events committed before this request get their place first.
    state.store.place_events().await?;
    let mut events = state.store.list_events(&ctx.instance.id, query).await?;
    let has_more = events.len() as i64 > limit;
    events.truncate(limit as usize);
    Ok(json_body(&api::Events { data: events.iter().map(crate::events::api_item).collect(), has_more }))
}
