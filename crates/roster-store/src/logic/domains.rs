//! Organization domains (`roster_core::domains`): writes lock the organization's row; a domain that is (or
//! becomes) verified in an automatic mode enrolls the users already at it in the same transaction.

use roster_core::domains::{
    Domain, DomainFilter, DomainOrderField, DomainUpdate, NewDomain, Suggestion, SuggestionStatus,
    COMMON_EMAIL_DOMAINS, STRATEGY_ADMIN, STRATEGY_MANUAL_OVERRIDE,
};
use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::invitations::PublicOrganizationData;
use roster_core::model::Page;
use roster_core::query::Pagination;
use roster_core::{now_millis, DomainError};

use crate::logic::filter::Sql;
use crate::logic::rows::domains::{domain_by_id, domain_columns, domain_from_row, enroll, users_at, DOMAIN_FROM};
use crate::logic::rows::events::append_all;
use crate::logic::rows::instances::load_instance;
use crate::logic::rows::orgs::{org_by_id, org_by_id_for_update};
use crate::logic::rows::users::user_by_id;
use crate::logic::Tx;
use crate::sql::{vals, Db};

/// Domains must be enabled for the instance, and an automatic mode among its enrollment modes.
fn check_enabled(c: &dyn Db, instance_id: &str, mode: Option<roster_core::domains::EnrollmentMode>) -> Tx<()> {
    let settings = load_instance(c, instance_id)?.settings;
    if !settings.domains_enabled {
        return Err(DomainError::DomainsDisabled.into());
    }
    if let Some(mode) = mode.filter(|m| m.is_automatic()) {
        if !settings.domains_enrollment_modes.iter().any(|m| m == mode.as_str()) {
            return Err(DomainError::EnrollmentModeNotEnabled(mode.as_str().to_owned()).into());
        }
    }
    Ok(())
}

/// The events of a domain write: its own, then the invitations its enrollment created.
fn with_enrollment(c: &dyn Db, instance_id: &str, first: NewEvent, domain: &Domain, now: i64) -> Tx<()> {
    let mut events = vec![first];
    // Only a verified domain in an automatic mode enrolls anyone: no other needs the scan for its users.
    if domain.verified && domain.enrollment_mode.is_automatic() {
        events.extend(enroll(c, instance_id, domain, &users_at(c, instance_id, &domain.name)?, now)?);
    }
    append_all(c, instance_id, events)
}

pub fn create(c: &dyn Db, instance_id: &str, org_id: &str, new: NewDomain) -> Tx<Domain> {
    check_enabled(c, instance_id, Some(new.enrollment_mode))?;
    let org = org_by_id_for_update(c, instance_id, org_id)?;
    let name = new.name.to_ascii_lowercase();
    if COMMON_EMAIL_DOMAINS.contains(&name.as_str()) {
        return Err(DomainError::DomainCommon.into());
    }
    let owner: Option<String> = c
        .query_opt(
            "SELECT organization_id FROM organization_domains WHERE instance_id = ?1 AND name = ?2",
            vals![instance_id, &name],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    if let Some(owner) = owner {
        return Err(DomainError::DomainTaken { same_organization: owner == org.id }.into());
    }
    let now = now_millis();
    let domain = Domain {
        id: new_id(prefix::DOMAIN),
        organization: PublicOrganizationData { id: org.id.clone(), name: org.name.clone(), slug: org.slug.clone() },
        name,
        enrollment_mode: new.enrollment_mode,
        verified: new.verified,
        strategy: new.verified.then(|| STRATEGY_ADMIN.to_owned()),
        verified_at: new.verified.then_some(now),
        total_pending_invitations: 0,
        total_pending_suggestions: 0,
        created_at: now,
        updated_at: now,
    };
    c.execute(
        "INSERT INTO organization_domains (id, instance_id, organization_id, name, enrollment_mode, verified, strategy, \
         verified_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        vals![
            &domain.id,
            instance_id,
            &org.id,
            &domain.name,
            domain.enrollment_mode.as_str(),
            domain.verified,
            &domain.strategy,
            domain.verified_at,
            now
        ],
    )?;
    with_enrollment(
        c,
        instance_id,
        NewEvent::new(EventType::DomainCreated, Record::Domain(domain.clone())),
        &domain,
        now,
    )?;
    // Read back: the counts of what enrollment made.
    domain_by_id(c, instance_id, org_id, &domain.id, now)
}

pub fn list(c: &dyn Db, instance_id: &str, f: &DomainFilter, page: Pagination) -> Tx<Page<Domain>> {
    let now = now_millis();
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let mut filters = format!("d.instance_id = {ins}");
    if let Some(org_id) = &f.organization_id {
        org_by_id(c, instance_id, org_id)?;
        let org = sql.bind(org_id.to_string());
        sql.clause(format!("d.organization_id = {org}"));
    }
    if let Some(verified) = f.verified {
        let v = sql.bind(verified);
        sql.clause(format!("d.verified = {v}"));
    }
    if !f.modes.is_empty() {
        let modes: Vec<String> = f.modes.iter().map(|m| m.as_str().to_owned()).collect();
        let list = sql.bind_list(&modes);
        sql.clause(format!("d.enrollment_mode IN {list}"));
    }
    if !f.exclude_modes.is_empty() {
        let modes: Vec<String> = f.exclude_modes.iter().map(|m| m.as_str().to_owned()).collect();
        let list = sql.bind_list(&modes);
        sql.clause(format!("d.enrollment_mode NOT IN {list}"));
    }
    if let Some(query) = &f.query {
        let needle = sql.bind(query.to_lowercase());
        sql.clause(sql.contains("d.name", &needle));
    }
    if !f.names.is_empty() {
        let names: Vec<String> = f.names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let list = sql.bind_list(&names);
        sql.clause(format!("d.name IN {list}"));
    }
    filters.push_str(&sql.where_sql());
    let filter_params = sql.params.len();
    let total_count: i64 = c
        .query_one(
            &format!("SELECT count(*) FROM organization_domains d WHERE {filters}"),
            &sql.params[..filter_params],
        )?
        .get(0)?;
    if total_count == 0 || page.offset >= total_count {
        return Ok(Page { data: Vec::new(), total_count });
    }
    let at = sql.bind(now);
    let (limit, offset) = (sql.bind(page.limit), sql.bind(page.offset));
    let dir = if f.order.descending { "DESC" } else { "ASC" };
    let key = match f.order.field {
        DomainOrderField::CreatedAt => "d.created_at",
        DomainOrderField::Name => "d.name",
    };
    let data = c
        .query(
            &format!(
                "SELECT {} {DOMAIN_FROM} WHERE {filters} ORDER BY {key} {dir}, d.id {dir} LIMIT {limit} OFFSET {offset}",
                domain_columns(&at)
            ),
            &sql.params,
        )?
        .into_iter()
        .map(|mut r| domain_from_row(&mut r))
        .collect::<Result<_, _>>()?;
    Ok(Page { data, total_count })
}

pub fn get(c: &dyn Db, instance_id: &str, org_id: &str, domain_id: &str) -> Tx<Domain> {
    domain_by_id(c, instance_id, org_id, domain_id, now_millis())
}

/// Store the domain's mode and verification, then enroll the users at it when it has just become verified in an
/// automatic mode, or its automatic mode changed.
fn save(c: &dyn Db, instance_id: &str, before: Domain, mut after: Domain) -> Tx<Domain> {
    let now = now_millis();
    after.updated_at = now;
    c.execute(
        "UPDATE organization_domains SET enrollment_mode = ?2, verified = ?3, strategy = ?4, verified_at = ?5, \
         updated_at = ?6 WHERE id = ?1",
        vals![&after.id, after.enrollment_mode.as_str(), after.verified, &after.strategy, after.verified_at, now],
    )?;
    let event =
        NewEvent::updated(EventType::DomainUpdated, Record::Domain(before.clone()), Record::Domain(after.clone()));
    let newly = after.verified && (!before.verified || before.enrollment_mode != after.enrollment_mode);
    if newly {
        with_enrollment(c, instance_id, event, &after, now)?;
    } else {
        append_all(c, instance_id, vec![event])?;
    }
    domain_by_id(c, instance_id, &after.organization.id, &after.id, now)
}

pub fn update(c: &dyn Db, instance_id: &str, org_id: &str, domain_id: &str, u: DomainUpdate) -> Tx<Domain> {
    check_enabled(c, instance_id, u.enrollment_mode)?;
    org_by_id_for_update(c, instance_id, org_id)?;
    let before = get(c, instance_id, org_id, domain_id)?;
    let mut after = before.clone();
    if let Some(mode) = u.enrollment_mode {
        after.enrollment_mode = mode;
    }
    match u.verified {
        Some(true) if !before.verified => {
            after.verified = true;
            after.strategy = Some(STRATEGY_ADMIN.to_owned());
            after.verified_at = Some(now_millis());
        }
        Some(false) => {
            after.verified = false;
            after.strategy = None;
            after.verified_at = None;
        }
        _ => {}
    }
    if after == before {
        return Ok(before);
    }
    save(c, instance_id, before, after)
}

pub fn verify(c: &dyn Db, instance_id: &str, org_id: &str, domain_id: &str) -> Tx<Domain> {
    check_enabled(c, instance_id, None)?;
    org_by_id_for_update(c, instance_id, org_id)?;
    let before = get(c, instance_id, org_id, domain_id)?;
    if before.verified {
        return Ok(before);
    }
    let mut after = before.clone();
    after.verified = true;
    after.strategy = Some(STRATEGY_MANUAL_OVERRIDE.to_owned());
    after.verified_at = Some(now_millis());
    save(c, instance_id, before, after)
}

pub fn delete(c: &dyn Db, instance_id: &str, org_id: &str, domain_id: &str) -> Tx<Domain> {
    org_by_id_for_update(c, instance_id, org_id)?;
    let domain = get(c, instance_id, org_id, domain_id)?;
    let now = now_millis();
    // Its pending automatic invitations go with it (revoked, so they read as what happened to them).
    c.execute(
        "UPDATE invitations SET status = 'revoked', updated_at = ?2 WHERE domain_id = ?1 AND status = 'pending'",
        vals![domain_id, now],
    )?;
    c.execute("DELETE FROM organization_domains WHERE id = ?1", vals![domain_id])?;
    append_all(c, instance_id, vec![NewEvent::new(EventType::DomainDeleted, Record::Domain(domain.clone()))])?;
    Ok(domain)
}

pub fn suggestions(c: &dyn Db, instance_id: &str, user_id: &str, page: Pagination) -> Tx<Page<Suggestion>> {
    user_by_id(c, instance_id, user_id)?;
    let total_count: i64 = c
        .query_one(
            "SELECT count(*) FROM organization_suggestions WHERE instance_id = ?1 AND user_id = ?2",
            vals![instance_id, user_id],
        )?
        .get(0)?;
    let rows = c.query(
        "SELECT s.id, s.organization_id, o.name, o.slug, s.domain_id, s.user_id, s.email_address, s.status, s.created_at, \
         s.updated_at FROM organization_suggestions s JOIN organizations o ON o.id = s.organization_id \
         WHERE s.instance_id = ?1 AND s.user_id = ?2 ORDER BY s.created_at DESC, s.id DESC LIMIT ?3 OFFSET ?4",
        vals![instance_id, user_id, page.limit, page.offset],
    )?;
    let data = rows
        .into_iter()
        .map(|mut r| {
            let status: String = r.take(7)?;
            Ok(Suggestion {
                id: r.take(0)?,
                organization: PublicOrganizationData { id: r.take(1)?, name: r.take(2)?, slug: r.take(3)? },
                domain_id: r.take(4)?,
                user_id: r.take(5)?,
                email_address: r.take(6)?,
                status: if status == "accepted" { SuggestionStatus::Accepted } else { SuggestionStatus::Pending },
                created_at: r.take(8)?,
                updated_at: r.take(9)?,
            })
        })
        .collect::<Tx<Vec<_>>>()?;
    Ok(Page { data, total_count })
}
