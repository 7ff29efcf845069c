//! Organization memberships: the rules of `roster_core::rules` checked inside the write transaction
//! (existence, uniqueness, quota, last member holding `org:sys_memberships:manage`), `members_count`
//! changed in the same transaction, and the joined reads that build the full membership object.

use std::collections::HashMap;

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::model::{Membership, Organization, Page, PublicUserData, Role};
use roster_core::query::{MembershipFilter, MembershipOrder, MembershipOrderField, Pagination, UserFilter};
use roster_core::store::{MetadataUpdate, NewMembership};
use roster_core::{now_millis, rules, DomainError, UserId};

mod bulk;
pub use bulk::bulk;

use crate::logic::filter::{membership_order, plan, resolve_text_search, user_filter, Plan, Sql};
use crate::logic::rows::events::append;
use crate::logic::rows::invitations::count_pending_for_quota;
use crate::logic::rows::memberships::{insert_membership_row, set_members_count};
use crate::logic::rows::orgs::{org_by_id, org_by_id_for_update, org_from_row, ORG_COLUMNS};
use crate::logic::rows::role_sets::allowed_role;
use crate::logic::rows::roles::RolesCache;
use crate::logic::rows::sessions::after_membership_removed;
use crate::logic::rows::users::{public_user_columns, public_user_data, user_by_id, PUBLIC_USER_COLUMNS};
use crate::logic::rows::{json, to_json};
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

const SELECT: &str = concat!(
    "SELECT m.id, m.role_id, m.public_metadata, m.private_metadata, m.created_at, m.updated_at, ",
    public_user_columns!()
);
const FROM: &str =
    "FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id";
const BASE_COLUMNS: usize = 14;

fn membership_from_row(r: &mut Row, roles: &HashMap<String, Role>) -> Result<Membership, DbError> {
    let role_id: String = r.take(1)?;
    let role = roles.get(&role_id);
    Ok(Membership {
        id: r.take(0)?,
        role: role.map(|r| r.key.clone()).unwrap_or_default(),
        role_name: role.map(|r| r.name.clone()).unwrap_or_default(),
        permissions: role.map(Role::permission_keys).unwrap_or_default(),
        public_metadata: json(r.take(2)?),
        private_metadata: json(r.take(3)?),
        created_at: r.take(4)?,
        updated_at: r.take(5)?,
        public_user_data: public_user_data(r, 6)?,
        organization: org_from_row(r, BASE_COLUMNS)?,
    })
}

/// How a membership page is fetched.
struct PageQuery {
    sql: Sql,
    /// The WHERE clause (over `m`, and `u` when `joins_users`).
    filters: String,
    /// Whether the filters or the order read the user row.
    joins_users: bool,
    /// The count, when it is known without counting (an unfiltered organization's `members_count`).
    known_count: Option<i64>,
    /// At most this many memberships can match, when known without counting (`user_id` filters within one
    /// organization: one membership per user). Then the page is read first, and a page that is not full gives
    /// the count without a count.
    at_most: Option<i64>,
}

/// Count, then page. The page's ids are found first (on the index alone when no user column is involved), and
/// only those ids are joined with their user and organization: a deep `offset` never drags whole rows along.
fn query_page(
    c: &dyn Db,
    q: PageQuery,
    order: MembershipOrder,
    page: Pagination,
    instance_id: &str,
    cache: &RolesCache,
) -> Tx<Page<Membership>> {
    let PageQuery { mut sql, filters, joins_users, known_count, at_most } = q;
    let user_join = if joins_users { "JOIN users u ON u.id = m.user_id" } else { "" };
    let filter_params = sql.params.len();
    let count = |sql: &Sql| -> Tx<i64> {
        let text = format!("SELECT count(*) FROM memberships m {user_join} WHERE {filters}");
        Ok(c.query_one(&text, &sql.params[..filter_params])?.get(0)?)
    };
    let total_count = match (known_count, at_most) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => None,
        (None, None) => Some(count(&sql)?),
    };
    if let Some(total) = total_count {
        if total == 0 || page.offset >= total {
            return Ok(Page { data: Vec::new(), total_count: total });
        }
    }
    let roles = cache.roles(c, instance_id)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let order_sql = membership_order(order, Plan::IndexOrder);
    let matches = total_count.or(at_most).unwrap_or_default();
    let page_order = membership_order(order, plan(c.dialect(), known_count.is_none(), matches));
    let sql_text = format!(
        "{SELECT}, {ORG_COLUMNS} FROM (SELECT m.id FROM memberships m {user_join} WHERE {filters}{page_order} \
         LIMIT {limit} OFFSET {offset}) page JOIN memberships m ON m.id = page.id JOIN users u ON u.id = m.user_id \
         JOIN organizations o ON o.id = m.organization_id{order_sql}"
    );
    let data: Vec<Membership> = c
        .query(&sql_text, &sql.params)?
        .into_iter()
        .map(|mut r| membership_from_row(&mut r, &roles))
        .collect::<Result<_, _>>()?;
    let total_count = match total_count {
        Some(n) => n,
        None => {
            // The same snapshot: a page that is not full ends the list, unless it is empty past the start (the
            // offset may lie beyond the end).
            let n = data.len() as i64;
            if n < page.limit && (n > 0 || page.offset == 0) {
                page.offset + n
            } else {
                count(&sql)?
            }
        }
    };
    Ok(Page { data, total_count })
}

pub fn list(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: Option<&str>,
    f: &MembershipFilter,
    order: MembershipOrder,
    page: Pagination,
) -> Tx<Page<Membership>> {
    // Filtered by user_id within one organization (getting a membership): the page comes first, and the
    // organization is looked up only when it is empty, to answer 404 for an organization that is not the
    // instance's rather than an empty list.
    let by_user = org_id.is_some() && !f.user.user_ids.is_empty();
    let org = match org_id {
        Some(org_id) if !by_user => Some(org_by_id(c, instance_id, org_id)?),
        _ => None,
    };
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    // Within one organization (already checked to be the instance's), filter on it alone so the
    // (organization_id, created_at, id) index serves both the filter and the default order.
    let mut filters = match (&org, org_id) {
        (Some(org), _) => format!("m.organization_id = {}", sql.bind(org.id.clone())),
        // Not checked yet: the instance is part of the filter.
        (None, Some(org_id)) => {
            format!("m.organization_id = {} AND m.instance_id = {ins}", sql.bind(org_id.to_owned()))
        }
        (None, None) => format!("m.instance_id = {ins}"),
    };
    let filters_users = f.user != UserFilter::default();
    let search = resolve_text_search(c, instance_id, &f.user)?;
    user_filter(&mut sql, &f.user, "m.user_id", &search);
    if !f.roles.is_empty() {
        let list = sql.bind_list(&f.roles);
        sql.clause(format!("m.role_id IN (SELECT r.id FROM roles r WHERE r.instance_id = {ins} AND r.key IN {list})"));
    }
    filters.push_str(&sql.where_sql());
    let unfiltered = !filters_users && f.roles.is_empty();
    let q = PageQuery {
        sql,
        filters,
        joins_users: filters_users || order.field != MembershipOrderField::CreatedAt,
        at_most: by_user.then_some(f.user.user_ids.len() as i64),
        known_count: org.filter(|_| unfiltered).map(|o| o.members_count),
    };
    let found = query_page(c, q, order, page, instance_id, cache)?;
    if let (true, true, Some(org_id)) = (by_user, found.data.is_empty(), org_id) {
        org_by_id(c, instance_id, org_id)?;
    }
    Ok(found)
}

pub fn list_for_user(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    user_id: &str,
    page: Pagination,
) -> Tx<Page<Membership>> {
    user_by_id(c, instance_id, user_id)?;
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let user = sql.bind(user_id.to_owned());
    let filters = format!("m.instance_id = {ins} AND m.user_id = {user}");
    let q = PageQuery { sql, filters, joins_users: false, known_count: None, at_most: None };
    query_page(c, q, MembershipOrder::default(), page, instance_id, cache)
}

/// The membership of `user_id` in `org_id`, or 404, its role read from `roles` (the instance's, by id).
pub fn get(
    c: &dyn Db,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    roles: &HashMap<String, Role>,
) -> Tx<Membership> {
    c.query_opt(
        &format!(
            "{SELECT}, {ORG_COLUMNS} {FROM} WHERE m.instance_id = ?1 AND m.organization_id = ?2 AND m.user_id = ?3"
        ),
        vals![instance_id, org_id, user_id],
    )?
    .map(|mut r| membership_from_row(&mut r, roles))
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

/// Whether a membership's role holds `org:sys_memberships:manage` (role keys are unique in an instance).
fn is_manager(m: &Membership, roles: &HashMap<String, Role>) -> bool {
    roles.values().find(|r| r.key == m.role).is_some_and(Role::can_manage_memberships)
}

pub fn create(c: &dyn Db, cache: &RolesCache, instance_id: &str, new: NewMembership) -> Tx<Membership> {
    let mut org = org_by_id_for_update(c, instance_id, &new.organization_id)?;
    let roles = cache.roles(c, instance_id)?;
    count_pending_for_quota(c, &mut org, now_millis())?;
    let mut joiners = joiners(c, instance_id, &org.id, std::slice::from_ref(&new.user_id))?;
    let joiner = joiners.entry(new.user_id.to_string()).or_default();
    let created = create_in(c, instance_id, &mut org, &roles, new, joiner)?;
    set_members_count(c, &org.id, org.members_count)?;
    append(c, instance_id, created_event(&created))?;
    Ok(created)
}

/// What a create must know of its user before it writes: the user's public data (`None`: no such user in the
/// instance) and whether they are a member of the organization already.
#[derive(Debug, Default)]
pub(crate) struct Joiner {
    user: Option<PublicUserData>,
    member: bool,
}

/// The joiners of `org_id` among `user_ids`, in two statements whatever their number; a user id absent from
/// the map is no user of the instance.
pub(crate) fn joiners(c: &dyn Db, instance_id: &str, org_id: &str, user_ids: &[UserId]) -> Tx<HashMap<String, Joiner>> {
    let ids: Vec<String> = user_ids.iter().map(ToString::to_string).collect();
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let list = sql.bind_list(&ids);
    let rows = c.query(
        &format!("SELECT {PUBLIC_USER_COLUMNS} FROM users u WHERE u.instance_id = {ins} AND u.id IN {list}"),
        &sql.params,
    )?;
    let mut found = HashMap::with_capacity(rows.len());
    for mut row in rows {
        let user = public_user_data(&mut row, 0)?;
        found.insert(user.user_id.clone(), Joiner { user: Some(user), member: false });
    }
    let mut sql = Sql::new(c.dialect());
    let org = sql.bind(org_id.to_owned());
    let list = sql.bind_list(&ids);
    for mut row in c.query(
        &format!("SELECT user_id FROM memberships WHERE organization_id = {org} AND user_id IN {list}"),
        &sql.params,
    )? {
        let user_id: String = row.take(0)?;
        found.entry(user_id).or_default().member = true;
    }
    Ok(found)
}

/// Create the membership in `org`, locked by this transaction; `org.members_count` counts it, for the caller
/// to store, and `joiner` becomes a member. Like every `*_in` function it checks all its rules before its
/// first write: one that fails has changed nothing.
pub(crate) fn create_in(
    c: &dyn Db,
    instance_id: &str,
    org: &mut Organization,
    roles: &HashMap<String, Role>,
    new: NewMembership,
    joiner: &mut Joiner,
) -> Tx<Membership> {
    let Some(user) = joiner.user.clone() else {
        return Err(DomainError::UserNotFound(new.user_id.into()).into());
    };
    let role = allowed_role(c, instance_id, org, roles, &new.role)?;
    if joiner.member {
        return Err(DomainError::AlreadyMember(new.user_id.into()).into());
    }
    rules::check_quota(org.members_count + org.pending_invitations_count.unwrap_or(0), org.max_allowed_memberships)?;
    let now = now_millis();
    let id = insert_membership_row(
        c,
        instance_id,
        &org.id,
        &new.user_id,
        &role.id,
        &new.public_metadata,
        &new.private_metadata,
        now,
    )?;
    // The membership as a read of the committed rows would give it, built from what this transaction holds.
    org.members_count += 1;
    joiner.member = true;
    Ok(Membership {
        id,
        organization: org.clone(),
        public_user_data: user,
        role: role.key.clone(),
        role_name: role.name.clone(),
        permissions: role.permission_keys(),
        public_metadata: new.public_metadata,
        private_metadata: new.private_metadata,
        created_at: now,
        updated_at: now,
    })
}

/// The events of membership writes; the `*_in` functions leave appending them to their callers, so a bulk write
/// appends its items' events together.
pub(crate) fn created_event(m: &Membership) -> NewEvent {
    NewEvent::new(EventType::MembershipCreated, Record::Membership(m.clone()))
}

pub(crate) fn updated_event(before: Membership, after: &Membership) -> NewEvent {
    NewEvent::updated(EventType::MembershipUpdated, Record::Membership(before), Record::Membership(after.clone()))
}

pub(crate) fn deleted_event(m: &Membership) -> NewEvent {
    NewEvent::new(EventType::MembershipDeleted, Record::Membership(m.clone()))
}

/// How many members of the organization other than `user_id` hold a managing role.
fn other_managers(c: &dyn Db, org_id: &str, user_id: &str, roles: &HashMap<String, Role>) -> Tx<i64> {
    let managers: Vec<String> = roles.values().filter(|r| r.can_manage_memberships()).map(|r| r.id.clone()).collect();
    if managers.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new(c.dialect());
    let org = sql.bind(org_id.to_owned());
    let user = sql.bind(user_id.to_owned());
    let list = sql.bind_list(&managers);
    let found = c.query_opt(
        &format!(
            "SELECT 1 FROM memberships WHERE organization_id = {org} AND user_id <> {user} AND role_id IN {list} LIMIT 1"
        ),
        &sql.params,
    )?;
    Ok(i64::from(found.is_some()))
}

/// Refuse a role change or removal, through the Clerk API, of a member an enabled SCIM directory of the
/// organization provisions: the identity provider decides those (409 `organization_membership_managed_by_scim`).
pub(crate) fn check_unmanaged(c: &dyn Db, org_id: &str, user_id: &str) -> Tx<()> {
    let managed = c.query_opt(
        "SELECT 1 FROM scim_users su JOIN scim_directories d ON d.id = su.directory_id \
         WHERE d.organization_id = ?1 AND su.user_id = ?2 AND su.active = ?3 AND d.enabled = ?3",
        vals![org_id, user_id, true],
    )?;
    match managed {
        Some(_) => Err(DomainError::MembershipManagedByDirectory.into()),
        None => Ok(()),
    }
}

pub fn update_membership_role(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    role_key: &str,
) -> Tx<Membership> {
    let org = org_by_id_for_update(c, instance_id, org_id)?;
    check_unmanaged(c, org_id, user_id)?;
    let roles = cache.roles(c, instance_id)?;
    let (before, after) = update_role_in(c, instance_id, &org, &roles, user_id, role_key)?;
    append(c, instance_id, updated_event(before, &after))?;
    Ok(after)
}

/// Change the role of `user_id` in `org_id`, locked by this transaction: the membership before and after, for
/// the caller's `organizationMembership.updated` event (`updated_event`).
pub(crate) fn update_role_in(
    c: &dyn Db,
    instance_id: &str,
    org: &Organization,
    roles: &HashMap<String, Role>,
    user_id: &str,
    role_key: &str,
) -> Tx<(Membership, Membership)> {
    let org_id = org.id.as_str();
    let mut m = get(c, instance_id, org_id, user_id, roles)?;
    let before = m.clone();
    let new_role = allowed_role(c, instance_id, org, roles, role_key)?;
    if is_manager(&m, roles) && !new_role.can_manage_memberships() {
        rules::check_last_manager(other_managers(c, org_id, user_id, roles)?)?;
    }
    let now = now_millis();
    c.execute(
        "UPDATE memberships SET role_id = ?3, updated_at = ?4 WHERE organization_id = ?1 AND user_id = ?2",
        vals![org_id, user_id, &new_role.id, now],
    )?;
    m.role = new_role.key.clone();
    m.role_name = new_role.name.clone();
    m.permissions = new_role.permission_keys();
    m.updated_at = now;
    Ok((before, m))
}

pub fn delete(c: &dyn Db, cache: &RolesCache, instance_id: &str, org_id: &str, user_id: &str) -> Tx<Membership> {
    let mut org = org_by_id_for_update(c, instance_id, org_id)?;
    check_unmanaged(c, org_id, user_id)?;
    let roles = cache.roles(c, instance_id)?;
    let deleted = delete_in(c, instance_id, &mut org, &roles, user_id)?;
    set_members_count(c, &org.id, org.members_count)?;
    append(c, instance_id, deleted_event(&deleted))?;
    Ok(deleted)
}

/// Delete the membership of `user_id` in `org`, locked by this transaction; `org.members_count` counts it,
/// for the caller to store.
pub(crate) fn delete_in(
    c: &dyn Db,
    instance_id: &str,
    org: &mut Organization,
    roles: &HashMap<String, Role>,
    user_id: &str,
) -> Tx<Membership> {
    let org_id = org.id.as_str();
    let mut membership = get(c, instance_id, org_id, user_id, roles)?;
    if is_manager(&membership, roles) {
        rules::check_last_manager(other_managers(c, org_id, user_id, roles)?)?;
    }
    c.execute("DELETE FROM memberships WHERE organization_id = ?1 AND user_id = ?2", vals![org_id, user_id])?;
    after_membership_removed(c, org_id, user_id)?;
    org.members_count -= 1;
    membership.organization.members_count = org.members_count;
    Ok(membership)
}

pub fn update_metadata(
    c: &dyn Db,
    cache: &RolesCache,
    instance_id: &str,
    org_id: &str,
    user_id: &str,
    update: MetadataUpdate,
) -> Tx<Membership> {
    org_by_id_for_update(c, instance_id, org_id)?;
    let roles = cache.roles(c, instance_id)?;
    let (before, after) = update_metadata_in(c, instance_id, org_id, &roles, user_id, update)?;
    append(c, instance_id, updated_event(before, &after))?;
    Ok(after)
}

/// Merge (or replace, as `update.mode` says) the metadata of `user_id`'s membership in `org_id`, locked by
/// this transaction: the membership before and after, as `update_role_in`.
pub(super) fn update_metadata_in(
    c: &dyn Db,
    instance_id: &str,
    org_id: &str,
    roles: &HashMap<String, Role>,
    user_id: &str,
    update: MetadataUpdate,
) -> Tx<(Membership, Membership)> {
    let mut m = get(c, instance_id, org_id, user_id, roles)?;
    let before = m.clone();
    MetadataUpdate::apply(update.mode, "public_metadata", &mut m.public_metadata, update.public)?;
    MetadataUpdate::apply(update.mode, "private_metadata", &mut m.private_metadata, update.private)?;
    m.updated_at = now_millis();
    c.execute(
        "UPDATE memberships SET public_metadata = ?3, private_metadata = ?4, updated_at = ?5 \
         WHERE organization_id = ?1 AND user_id = ?2",
        vals![org_id, user_id, to_json(&m.public_metadata), to_json(&m.private_metadata), m.updated_at],
    )?;
    Ok((before, m))
}
