//! `/Users` and `/Groups`: create, get, list (filter, paging, projection), replace (`PUT`), `PATCH` and delete.
//! A `PUT` or `PATCH` is computed from the resource as the store's write transaction reads it, with the
//! organization locked (`If-Match`, when sent, is checked against that state: 412 on a mismatch), so concurrent
//! writes apply one after the other and none is lost, on either backend or across nodes.

use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use std::sync::Arc;

use roster_core::scim::{GroupChange, GroupWrite, Lookup, Resource, ResourceKind as StoreKind, UserChange, UserWrite};
use roster_core::DomainError;
use roster_scim::filter::IndexedAttr;
use roster_scim::{list, patch, resource, ResourceKind, ScimError};

use super::{json_body, scim_json, Failure, Scim, ScimResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", axum::routing::post(search_users))
        .route("/Groups/.search", axum::routing::post(search_groups))
        .route("/.search", axum::routing::post(search_everything))
        .route("/Users/{id}", get(get_user).put(replace_user).patch(patch_user).delete(delete_user))
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/{id}", get(get_group).put(replace_group).patch(patch_group).delete(delete_group))
}

fn store_kind(kind: ResourceKind) -> StoreKind {
    match kind {
        ResourceKind::User => StoreKind::User,
        ResourceKind::Group => StoreKind::Group,
    }
}

/// The groups naming each of `users` (by SCIM id): (group id, display name).
async fn groups_by_user(
    state: &AppState,
    scim: &Scim,
    users: &[Resource],
) -> ScimResult<HashMap<String, Vec<(String, String)>>> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(state.store.scim_groups_of(&scim.dir, users.iter().map(|u| u.id.clone()).collect()).await?)
}

/// The representation of a stored resource (a user's `groups` from `groups`).
fn represent(scim: &Scim, kind: ResourceKind, r: &Resource, groups: Option<&[(String, String)]>) -> Value {
    let mut body = r.body.clone();
    if let (Some(groups), Some(obj)) = (groups.filter(|g| !g.is_empty()), body.as_object_mut()) {
        obj.insert("groups".into(), resource::user_groups(&scim.base, groups));
    }
    resource::with_meta(kind, &body, &r.id, r.created_at, r.updated_at, r.version, &scim.base)
}

/// The representations of `resources`, in their order (users with their groups, read once for all of them).
async fn represent_all(
    state: &AppState,
    scim: &Scim,
    kind: ResourceKind,
    resources: &[Resource],
) -> ScimResult<Vec<Value>> {
    let groups = match kind {
        ResourceKind::User => groups_by_user(state, scim, resources).await?,
        ResourceKind::Group => HashMap::new(),
    };
    Ok(resources.iter().map(|r| represent(scim, kind, r, groups.get(&r.id).map(Vec::as_slice))).collect())
}

async fn represent_one(state: &AppState, scim: &Scim, kind: ResourceKind, r: &Resource) -> ScimResult<Value> {
    let mut one = represent_all(state, scim, kind, std::slice::from_ref(r)).await?;
    one.pop().ok_or_else(|| ScimError::internal("no representation").into())
}

fn answer(status: StatusCode, kind: ResourceKind, scim: &Scim, r: &Resource, full: Value) -> Response {
    let mut response = scim_json(status, &full);
    if let Ok(etag) = HeaderValue::from_str(&resource::etag(r.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    if status == StatusCode::CREATED {
        if let Ok(location) = HeaderValue::from_str(&resource::location(kind, &scim.base, &r.id)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    response
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn projection(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// A `POST …/.search` body (RFC 7644 §3.4.3) as the query parameters of the equal `GET`.
fn search_pairs(body: Value) -> ScimResult<Vec<(String, String)>> {
    const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    let Value::Object(fields) = body else {
        return Err(ScimError::invalid_syntax("A SearchRequest is a JSON object.").into());
    };
    let mut pairs = Vec::new();
    for (key, value) in fields {
        if key.eq_ignore_ascii_case("schemas") {
            let named = value.as_array().is_some_and(|a| a.iter().any(|s| s.as_str() == Some(SEARCH_URN)));
            if !named {
                return Err(ScimError::invalid_syntax(format!("schemas must contain {SEARCH_URN}.")).into());
            }
            continue;
        }
        let text = match value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Array(items) => {
                let names: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                names
                    .ok_or_else(|| ScimError::invalid_value(format!("{key} must be a list of attribute names.")))?
                    .join(",")
            }
            Value::Null => continue,
            other => return Err(ScimError::invalid_value(format!("{key} cannot be {other}.")).into()),
        };
        pairs.push((key, text));
    }
    Ok(pairs)
}

async fn search(state: AppState, scim: Scim, kind: ResourceKind, body: Body) -> ScimResult<Response> {
    let pairs = search_pairs(json_body(&state, body).await?)?;
    list_pairs(state, scim, kind, pairs).await
}

async fn search_users(State(state): State<AppState>, scim: Scim, body: Body) -> ScimResult<Response> {
    search(state, scim, ResourceKind::User, body).await
}

async fn search_groups(State(state): State<AppState>, scim: Scim, body: Body) -> ScimResult<Response> {
    search(state, scim, ResourceKind::Group, body).await
}

async fn search_everything(State(state): State<AppState>, scim: Scim, body: Body) -> ScimResult<Response> {
    let pairs = search_pairs(json_body(&state, body).await?)?;
    search_all(state, scim, pairs).await
}

async fn list(state: AppState, scim: Scim, kind: ResourceKind, raw: Option<String>) -> ScimResult<Response> {
    list_pairs(state, scim, kind, query_pairs(raw.as_deref())).await
}

/// The directory's resources of `kind` that `params` selects, as full representations, in the order asked.
async fn matching(
    state: &AppState,
    scim: &Scim,
    kind: ResourceKind,
    params: &list::ListParams,
) -> ScimResult<Vec<Value>> {
    let lookup = match params.filter.as_ref().and_then(roster_scim::filter::simple_eq) {
        Some((IndexedAttr::UserName, v)) if kind == ResourceKind::User => Lookup::Name(v),
        Some((IndexedAttr::DisplayName, v)) if kind == ResourceKind::Group => Lookup::Name(v),
        Some((IndexedAttr::ExternalId, v)) => Lookup::ExternalId(v),
        Some((IndexedAttr::Id, v)) => Lookup::Id(v),
        _ => Lookup::All,
    };
    let found = state.store.scim_find(&scim.dir, store_kind(kind), lookup).await?;
    let mut matched = represent_all(state, scim, kind, &found).await?;
    matched.retain(|full| params.filter.as_ref().is_none_or(|f| roster_scim::filter::matches(kind, f, full)));
    if let Some(sort_by) = &params.sort_by {
        matched.sort_by(|a, b| list::compare(kind, sort_by, params.sort_order, a, b));
    }
    Ok(matched)
}

/// One page of `matched` (of their kinds), projected, as a ListResponse.
fn page_of(matched: Vec<(ResourceKind, Value)>, params: &list::ListParams) -> ScimResult<Response> {
    let total = matched.len();
    let (start, count) = (params.start_index.max(1), params.count.unwrap_or(list::MAX_RESULTS));
    list_answer(matched.into_iter().skip(start - 1).take(count).collect(), total, params)
}

/// The ListResponse of one page (of `total` matches), each resource projected as `params` asks.
fn list_answer(page: Vec<(ResourceKind, Value)>, total: usize, params: &list::ListParams) -> ScimResult<Response> {
    let projected = page
        .into_iter()
        .map(|(kind, full)| {
            resource::project(kind, &full, params.attributes.as_deref(), params.excluded_attributes.as_deref())
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(scim_json(StatusCode::OK, &list::list_response(projected, total, params.start_index.max(1))))
}

async fn list_pairs(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    pairs: Vec<(String, String)>,
) -> ScimResult<Response> {
    let params = list::parse_params(kind, &pairs)?;
    if params.filter.is_none() && params.sort_by.is_none() {
        // Unfiltered, in the stored order: the database pages it.
        let start = params.start_index.max(1);
        let count = params.count.unwrap_or(list::MAX_RESULTS);
        let (found, total) = state.store.scim_page(&scim.dir, store_kind(kind), start - 1, count).await?;
        let page = represent_all(&state, &scim, kind, &found).await?;
        return list_answer(page.into_iter().map(|v| (kind, v)).collect(), total, &params);
    }
    let matched = matching(&state, &scim, kind, &params).await?;
    page_of(matched.into_iter().map(|v| (kind, v)).collect(), &params)
}

/// `POST /.search`: users then groups. A filter naming attributes of one kind only selects from that kind.
async fn search_all(state: AppState, scim: Scim, pairs: Vec<(String, String)>) -> ScimResult<Response> {
    let mut matched = Vec::new();
    let mut first_error = None;
    let mut paging = None;
    for kind in ResourceKind::all() {
        match list::parse_params(kind, &pairs) {
            Ok(params) => {
                matched.extend(matching(&state, &scim, kind, &params).await?.into_iter().map(|v| (kind, v)));
                paging.get_or_insert(params);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match (paging, first_error) {
        (Some(params), _) => page_of(matched, &params),
        (None, Some(e)) => Err(e.into()),
        (None, None) => Err(ScimError::internal("no resource type").into()),
    }
}

async fn get_one(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    id: String,
    raw: Option<String>,
) -> ScimResult<Response> {
    let pairs = query_pairs(raw.as_deref());
    let r = state.store.scim_get(&scim.dir, store_kind(kind), &id).await?;
    let full = represent_one(&state, &scim, kind, &r).await?;
    let shown = resource::project(
        kind,
        &full,
        projection(&pairs, "attributes").as_deref(),
        projection(&pairs, "excludedAttributes").as_deref(),
    )?;
    Ok(answer(StatusCode::OK, kind, &scim, &r, shown))
}

/// What the store keeps of a user body: its own fields, with the directory's `attribute_mapping` (`first_name`,
/// `last_name`, `email_address` to a SCIM path) in place of the defaults (`name.givenName`, `name.familyName`, the
/// primary email) for the attributes it maps.
fn user_write(body: Value, mapping: &BTreeMap<String, String>) -> UserWrite {
    let f = roster_scim::user_fields(&body);
    let mapped = |attr: &str, default: Option<String>| match mapping.get(attr) {
        Some(path) => roster_scim::value_at(&body, path),
        None => default,
    };
    UserWrite {
        email: mapped("email_address", f.primary_email),
        first_name: mapped("first_name", f.given_name),
        last_name: mapped("last_name", f.family_name),
        user_name: f.user_name,
        external_id: f.external_id,
        active: f.active,
        body,
    }
}

fn group_write(body: Value) -> ScimResult<GroupWrite> {
    let display_name = roster_scim::display_name(&body)
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ScimError::invalid_value("displayName is required."))?;
    Ok(GroupWrite {
        display_name,
        external_id: roster_scim::external_id(&body),
        members: roster_scim::group_members(&body),
        body,
    })
}

/// A protocol refusal inside a store write, carried out of it.
fn refused(Failure(e): Failure) -> DomainError {
    DomainError::ScimRefused { status: e.status, scim_type: e.scim_type.map(str::to_owned), detail: e.detail }
}

async fn create(state: AppState, scim: Scim, kind: ResourceKind, bytes: Body) -> ScimResult<Response> {
    let body = resource::normalize(kind, json_body(&state, bytes).await?)?;
    let r = match kind {
        ResourceKind::User => {
            let user = user_write(body, &scim.dir.directory.attribute_mapping);
            state.store.scim_create_user(&scim.dir, user).await?
        }
        ResourceKind::Group => state.store.scim_create_group(&scim.dir, group_write(body)?).await?,
    };
    let full = represent_one(&state, &scim, kind, &r).await?;
    Ok(answer(StatusCode::CREATED, kind, &scim, &r, full))
}

/// The version an `If-Match` header names, checked against the current one (412 if it names another).
fn check_if_match(headers: &HeaderMap, current: &Resource) -> ScimResult<()> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(()) };
    let value = value.to_str().map_err(|_| ScimError::invalid_value("If-Match is not text."))?;
    if resource::if_match(value, current.version) {
        Ok(())
    } else {
        Err(ScimError::precondition_failed(format!("The resource is at version {}.", resource::etag(current.version)))
            .into())
    }
}

/// Change the resource with `change`, applied to its current state inside the store's write (the organization
/// locked): concurrent changes apply one after the other, none is lost, and `If-Match` is checked against the
/// very state the change applies to.
async fn update<F>(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    id: String,
    headers: HeaderMap,
    change: F,
) -> ScimResult<Response>
where
    F: Fn(&Resource) -> ScimResult<Value> + Send + Sync + 'static,
{
    let checked = move |current: &Resource| -> Result<Value, DomainError> {
        check_if_match(&headers, current).map_err(refused)?;
        change(current).map_err(refused)
    };
    let r = match kind {
        ResourceKind::User => {
            let mapping = scim.dir.directory.attribute_mapping.clone();
            let change: UserChange = Arc::new(move |current| checked(current).map(|body| user_write(body, &mapping)));
            state.store.scim_update_user(&scim.dir, &id, change).await?
        }
        ResourceKind::Group => {
            let change: GroupChange =
                Arc::new(move |current| checked(current).and_then(|body| group_write(body).map_err(refused)));
            state.store.scim_update_group(&scim.dir, &id, change).await?
        }
    };
    let full = represent_one(&state, &scim, kind, &r).await?;
    Ok(answer(StatusCode::OK, kind, &scim, &r, full))
}

async fn replace(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    id: String,
    headers: HeaderMap,
    bytes: Body,
) -> ScimResult<Response> {
    let body = resource::normalize(kind, json_body(&state, bytes).await?)?;
    if kind == ResourceKind::Group {
        group_write(body.clone())?;
    }
    update(state, scim, kind, id, headers, move |_: &Resource| Ok(body.clone())).await
}

async fn patch_one(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    id: String,
    headers: HeaderMap,
    bytes: Body,
) -> ScimResult<Response> {
    let ops = patch::parse(json_body(&state, bytes).await?)?;
    update(state, scim, kind, id, headers, move |current: &Resource| {
        let mut body = current.body.clone();
        patch::apply(kind, &mut body, &ops)?;
        Ok(body)
    })
    .await
}

async fn delete_one(
    state: AppState,
    scim: Scim,
    kind: ResourceKind,
    id: String,
    headers: HeaderMap,
) -> ScimResult<Response> {
    let version = match headers.get(header::IF_MATCH) {
        None => None,
        Some(_) => {
            let current = state.store.scim_get(&scim.dir, store_kind(kind), &id).await?;
            check_if_match(&headers, &current)?;
            Some(current.version)
        }
    };
    state.store.scim_delete(&scim.dir, store_kind(kind), &id, version).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}

macro_rules! handlers {
    ($kind:expr, $list:ident, $create:ident, $get:ident, $replace:ident, $patch:ident, $delete:ident) => {
        async fn $list(State(state): State<AppState>, scim: Scim, RawQuery(q): RawQuery) -> ScimResult<Response> {
            list(state, scim, $kind, q).await
        }
        async fn $create(State(state): State<AppState>, scim: Scim, bytes: Body) -> ScimResult<Response> {
            create(state, scim, $kind, bytes).await
        }
        async fn $get(
            State(state): State<AppState>,
            scim: Scim,
            Path((_, id)): Path<(String, String)>,
            RawQuery(q): RawQuery,
        ) -> ScimResult<Response> {
            get_one(state, scim, $kind, id, q).await
        }
        async fn $replace(
            State(state): State<AppState>,
            scim: Scim,
            Path((_, id)): Path<(String, String)>,
            headers: HeaderMap,
            bytes: Body,
        ) -> ScimResult<Response> {
            replace(state, scim, $kind, id, headers, bytes).await
        }
        async fn $patch(
            State(state): State<AppState>,
            scim: Scim,
            Path((_, id)): Path<(String, String)>,
            headers: HeaderMap,
            bytes: Body,
        ) -> ScimResult<Response> {
            patch_one(state, scim, $kind, id, headers, bytes).await
        }
        async fn $delete(
            State(state): State<AppState>,
            scim: Scim,
            Path((_, id)): Path<(String, String)>,
            headers: HeaderMap,
        ) -> ScimResult<Response> {
            delete_one(state, scim, $kind, id, headers).await
        }
    };
}

handlers!(ResourceKind::User, list_users, create_user, get_user, replace_user, patch_user, delete_user);
handlers!(ResourceKind::Group, list_groups, create_group, get_group, replace_group, patch_group, delete_group);
