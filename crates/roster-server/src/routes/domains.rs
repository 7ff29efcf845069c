//! Organization domains: create, list (per organization and instance-wide), update, delete, verify ownership;
//! and a user's organization suggestions (a Roster extension), which verified domains in `automatic_suggestion`
//! mode make.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;

use roster_api_types::{self as api, CreateOrganizationDomainRequestBody, UpdateOrganizationDomainRequestBody};
use roster_core::domains::{
    is_domain_name, Domain, DomainFilter, DomainOrder, DomainUpdate, EnrollmentMode, NewDomain,
};
use roster_core::model::Page;
use roster_core::{DomainError, DomainId, OrgId, UserId};

use crate::context::Orgs;
use crate::docs::{Always, BodyErrors, Forbidden, NotFound, PageParams, Unprocessable};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Params, PathId, PathIds};
use crate::respond::{json_body, written};
use crate::state::AppState;
use crate::wire;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/organizations/{organization_id}/domains",
            post(create_organization_domain).get(list_organization_domains),
        )
        .route(
            "/organizations/{organization_id}/domains/{domain_id}",
            patch(update_organization_domain).delete(delete_organization_domain),
        )
        .route(
            "/organizations/{organization_id}/domains/{domain_id}/verify_ownership",
            post(verify_organization_domain_ownership),
        )
        .route("/organization_domains", get(list_all_organization_domains))
        .route("/users/{user_id}/organization_suggestions", get(users_get_organization_suggestions))
}

/// The operations above, for the OpenAPI document (`crate::app::document`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create_organization_domain,
    list_organization_domains,
    update_organization_domain,
    delete_organization_domain,
    verify_organization_domain_ownership,
    list_all_organization_domains,
    users_get_organization_suggestions
))]
pub(super) struct Api;

fn page(p: &Page<Domain>) -> Response {
    json_body(&api::OrganizationDomains { data: p.data.iter().map(wire::domain).collect(), total_count: p.total_count })
}

fn mode(raw: &str) -> ApiResult<EnrollmentMode> {
    EnrollmentMode::parse(raw).ok_or_else(|| {
        ApiError::invalid(
            "enrollment_mode",
            format!("{raw} does not match one of the allowed values: manual_invitation, automatic_invitation, automatic_suggestion"),
        )
    })
}

/// `verified` (`true`/`false`) and `enrollment_mode` (values, comma-separated or repeated, each `-` prefixed to
/// exclude it) of the domain lists.
fn filter(q: &Params, names: bool) -> ApiResult<DomainFilter> {
    let mut f = DomainFilter {
        verified: q.bool("verified")?,
        order: q.order(DomainOrder::default())?,
        ..DomainFilter::default()
    };
    for raw in q.strings("enrollment_mode")? {
        for value in raw.split(',').filter(|v| !v.is_empty()) {
            match value.strip_prefix('-') {
                Some(excluded) => f.exclude_modes.push(mode(excluded)?),
                None => f.modes.push(mode(value)?),
            }
        }
    }
    if names {
        f.names = q.strings("domains")?;
        f.query = q.text("query");
    }
    Ok(f)
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/domains",
    operation_id = "CreateOrganizationDomain",
    tag = "Organization Domains",
    summary = "Add a domain to an organization",
    description = "A verified domain in an automatic mode enrolls the users already at it: a pending invitation \
                   (automatic_invitation) or a suggestion (automatic_suggestion) each.",
    params(("organization_id" = String, Path, description = "The organization ID")),
    request_body = CreateOrganizationDomainRequestBody,
    responses(
        (status = 200, description = "The new domain", body = api::OrganizationDomain),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn create_organization_domain(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    Body(body): Body<CreateOrganizationDomainRequestBody>,
) -> ApiResult<Response> {
    let name = body.name.trim().to_ascii_lowercase();
    if !is_domain_name(&name) {
        return Err(DomainError::ParamFormat {
            param: "name".into(),
            long_message: "name must be a valid domain name, such as example.com.".into(),
        }
        .into());
    }
    let enrollment_mode = match body.enrollment_mode.as_deref() {
        None | Some("") => EnrollmentMode::ManualInvitation,
        Some(raw) => mode(raw)?,
    };
    let new = NewDomain { name, enrollment_mode, verified: body.verified.unwrap_or(false) };
    written(wire::domain, state.store.create_domain(&ctx.instance.id, &org, new)).await
}

#[utoipa::path(
    get,
    path = "/organizations/{organization_id}/domains",
    operation_id = "ListOrganizationDomains",
    tag = "Organization Domains",
    summary = "List an organization's domains",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("verified" = Option<String>, Query, description = "`true` or `false`"),
        ("enrollment_mode" = Option<String>, Query, description = "Modes, comma-separated; `-` prefixed to exclude"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of domains", body = api::OrganizationDomains),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn list_organization_domains(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(org): PathId<OrgId>,
    q: Params,
) -> ApiResult<Response> {
    let filter = DomainFilter { organization_id: Some(org), ..filter(&q, false)? };
    Ok(page(&state.store.list_domains(&ctx.instance.id, filter, q.pagination()?).await?))
}

#[utoipa::path(
    get,
    path = "/organization_domains",
    operation_id = "ListAllOrganizationDomains",
    tag = "Organization Domains",
    summary = "List the instance's organization domains",
    params(
        ("organization_id" = Option<String>, Query, description = "Only this organization's"),
        ("verified" = Option<String>, Query, description = "`true` or `false`"),
        ("enrollment_mode" = Option<Vec<String>>, Query, explode = false, description = "Modes, comma-separated; `-` prefixed to exclude"),
        ("query" = Option<String>, Query, description = "A substring of the name"),
        ("domains" = Option<Vec<String>>, Query, description = "Only these names; repeatable"),
        ("order_by" = Option<String>, Query, description = "`created_at` or `name`, `+`/`-` prefixed; default `-created_at`"),
        PageParams
    ),
    responses(
        (status = 200, description = "A page of domains", body = api::OrganizationDomains),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn list_all_organization_domains(State(state): State<AppState>, ctx: Orgs, q: Params) -> ApiResult<Response> {
    let filter = DomainFilter { organization_id: q.string("organization_id").map(OrgId::from), ..filter(&q, true)? };
    Ok(page(&state.store.list_domains(&ctx.instance.id, filter, q.pagination()?).await?))
}

#[utoipa::path(
    patch,
    path = "/organizations/{organization_id}/domains/{domain_id}",
    operation_id = "UpdateOrganizationDomain",
    tag = "Organization Domains",
    summary = "Update an organization domain's enrollment mode or verification",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("domain_id" = String, Path, description = "The domain ID")
    ),
    request_body = UpdateOrganizationDomainRequestBody,
    responses(
        (status = 200, description = "The domain", body = api::OrganizationDomain),
        Always, BodyErrors, Forbidden, NotFound
    )
)]
async fn update_organization_domain(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, DomainId>,
    Body(body): Body<UpdateOrganizationDomainRequestBody>,
) -> ApiResult<Response> {
    let update = DomainUpdate {
        enrollment_mode: body.enrollment_mode.as_deref().filter(|m| !m.is_empty()).map(mode).transpose()?,
        verified: body.verified,
    };
    written(wire::domain, state.store.update_domain(&ctx.instance.id, &org, &id, update)).await
}

#[utoipa::path(
    delete,
    path = "/organizations/{organization_id}/domains/{domain_id}",
    operation_id = "DeleteOrganizationDomain",
    tag = "Organization Domains",
    summary = "Remove a domain from an organization",
    description = "Its pending automatic invitations are revoked and its suggestions removed.",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("domain_id" = String, Path, description = "The domain ID")
    ),
    responses(
        (status = 200, description = "The deleted domain", body = api::DeletedObject),
        Always, Forbidden, NotFound
    )
)]
async fn delete_organization_domain(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, DomainId>,
) -> ApiResult<Response> {
    let render = |d: &Domain| wire::deleted("organization_domain", &d.id, None);
    written(render, state.store.delete_domain(&ctx.instance.id, &org, &id)).await
}

#[utoipa::path(
    post,
    path = "/organizations/{organization_id}/domains/{domain_id}/verify_ownership",
    operation_id = "VerifyOrganizationDomainOwnership",
    tag = "Organization Domains",
    summary = "Mark an organization domain's ownership verified",
    description = "Clerk's manual override (`manual_override`); a verified domain is returned as it is.",
    params(
        ("organization_id" = String, Path, description = "The organization ID"),
        ("domain_id" = String, Path, description = "The domain ID")
    ),
    responses(
        (status = 200, description = "The domain", body = api::OrganizationDomain),
        Always, Forbidden, NotFound
    )
)]
async fn verify_organization_domain_ownership(
    State(state): State<AppState>,
    ctx: Orgs,
    PathIds(org, id): PathIds<OrgId, DomainId>,
) -> ApiResult<Response> {
    written(wire::domain, state.store.verify_domain(&ctx.instance.id, &org, &id)).await
}

#[utoipa::path(
    get,
    path = "/users/{user_id}/organization_suggestions",
    operation_id = "UsersGetOrganizationSuggestions",
    tag = "Users",
    summary = "List the organizations suggested to a user (Roster extension)",
    params(("user_id" = String, Path, description = "The user ID"), PageParams),
    responses(
        (status = 200, description = "A page of suggestions", body = api::OrganizationSuggestions),
        Always, Unprocessable, Forbidden, NotFound
    )
)]
async fn users_get_organization_suggestions(
    State(state): State<AppState>,
    ctx: Orgs,
    PathId(user): PathId<UserId>,
    q: Params,
) -> ApiResult<Response> {
    let found = state.store.list_suggestions(&ctx.instance.id, &user, q.pagination()?).await?;
    Ok(json_body(&api::OrganizationSuggestions {
        data: found.data.iter().map(wire::suggestion).collect(),
        total_count: found.total_count,
    }))
}
