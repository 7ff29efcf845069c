//! Users and their identifications (email addresses, phone numbers, web3 wallets).

use roster_core::events::{EventType, NewEvent, Record};
use roster_core::ids::{new_id, prefix};
use roster_core::model::{Page, User};
use roster_core::query::{search_text, Pagination, UserFilter, UserOrder};
use roster_core::store::{MetadataMode, MetadataUpdate, NewIdentification, NewUser, UserUpdate};
use roster_core::{now_millis, DomainError};

use super::filter::{plan, resolve_text_search, user_filter, user_order, Sql};
use super::rows::domains::enroll_new_user;
use super::rows::events::{append, append_all};
use super::rows::to_json;
use super::rows::users::{attach_identifications, user_by_id, user_from_row, USER_COLUMNS};
use super::Tx;
use crate::sql::{vals, Db, Dialect};

/// The user, for `Store::get_user`.
pub fn get(c: &dyn Db, instance_id: &str, user_id: &str) -> Tx<User> {
    user_by_id(c, instance_id, user_id)
}

pub fn list(c: &dyn Db, instance_id: &str, f: &UserFilter, order: UserOrder, page: Pagination) -> Tx<Page<User>> {
    let mut sql = Sql::new(c.dialect());
    let ins = sql.bind(instance_id.to_owned());
    let search = resolve_text_search(c, instance_id, f)?;
    user_filter(&mut sql, f, "u.id", &search);
    let filters = format!("u.instance_id = {ins}{}", sql.where_sql());
    let total_count: i64 =
        c.query_one(&format!("SELECT count(*) FROM users u WHERE {filters}"), &sql.params)?.get(0)?;
    let limit = sql.bind(page.limit);
    let offset = sql.bind(page.offset);
    let order_sql = user_order(order, plan(c.dialect(), *f != UserFilter::default(), total_count));
    let sql_text =
        format!("SELECT {USER_COLUMNS} FROM users u WHERE {filters}{order_sql} LIMIT {limit} OFFSET {offset}");
    let mut data: Vec<User> =
        c.query(&sql_text, &sql.params)?.into_iter().map(|mut r| user_from_row(&mut r)).collect::<Result<_, _>>()?;
    attach_identifications(c, &mut data)?;
    Ok(Page { data, total_count })
}

/// Refuse an identification value already taken in the instance (by another user than `except`).
fn check_identification_free(c: &dyn Db, instance_id: &str, kind: &str, value: &str, except: Option<&str>) -> Tx<()> {
    let taken: Option<String> = c
        .query_opt(
            "SELECT user_id FROM identifications WHERE instance_id = ?1 AND kind = ?2 AND value_lower = ?3",
            vals![instance_id, kind, value.to_lowercase()],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match taken {
        Some(owner) if Some(owner.as_str()) != except => Err(DomainError::IdentifierExists {
            param: kind.to_owned(),
            what: match kind {
                "email_address" => "email address",
                "phone_number" => "phone number",
                _ => "web3 wallet",
            },
        }
        .into()),
        _ => Ok(()),
    }
}

fn check_username_free(c: &dyn Db, instance_id: &str, username: &str, except: Option<&str>) -> Tx<()> {
    let taken: Option<String> = c
        .query_opt(
            "SELECT id FROM users WHERE instance_id = ?1 AND username_lower = ?2",
            vals![instance_id, username.to_lowercase()],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match taken {
        Some(owner) if Some(owner.as_str()) != except => {
            Err(DomainError::IdentifierExists { param: "username".into(), what: "username" }.into())
        }
        _ => Ok(()),
    }
}

fn check_external_id_free(c: &dyn Db, instance_id: &str, external_id: &str, except: Option<&str>) -> Tx<()> {
    let taken: Option<String> = c
        .query_opt("SELECT id FROM users WHERE instance_id = ?1 AND external_id = ?2", vals![instance_id, external_id])?
        .map(|r| r.get(0))
        .transpose()?;
    match taken {
        Some(owner) if Some(owner.as_str()) != except => {
            Err(DomainError::IdentifierExists { param: "external_id".into(), what: "external ID" }.into())
        }
        _ => Ok(()),
    }
}

fn insert_identifications(
    c: &dyn Db,
    instance_id: &str,
    user_id: &str,
    kind: &str,
    values: &[NewIdentification],
    now: i64,
) -> Tx<Option<String>> {
    let mut first = None;
    for v in values {
        check_identification_free(c, instance_id, kind, &v.value, None)?;
        let id = new_id(prefix::EMAIL);
        c.execute(
            "INSERT INTO identifications (id, instance_id, user_id, kind, value, value_lower, reserved, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            vals![id, instance_id, user_id, kind, v.value, v.value.to_lowercase(), v.reserved, now],
        )?;
        // The first verified identification of each kind is the primary one.
        if first.is_none() && !v.reserved {
            first = Some(id);
        }
    }
    Ok(first)
}

/// Recompute the denormalized columns (primary values, search text) from the user's current state.
fn reindex(c: &dyn Db, instance_id: &str, user_id: &str) -> Tx<User> {
    let user = user_by_id(c, instance_id, user_id)?;
    let mut fields: Vec<&str> = vec![&user.id];
    fields.extend(user.username.as_deref());
    fields.extend(user.first_name.as_deref());
    fields.extend(user.last_name.as_deref());
    for ident in user.email_addresses.iter().chain(&user.phone_numbers).chain(&user.web3_wallets) {
        fields.push(&ident.value);
    }
    let name_text = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    // Usernames fold case with Unicode rules here (SQLite's lower() folds ASCII only).
    c.execute(
        "UPDATE users SET search_text = ?2, name_text = ?3, primary_email = ?4, primary_phone = ?5, primary_web3 = ?6, \
         username_lower = ?7 WHERE id = ?1",
        vals![
            user.id,
            search_text(&fields),
            name_text,
            user.primary_email(),
            user.primary_phone(),
            user.primary_web3(),
            user.username.as_ref().map(|u| u.to_lowercase())
        ],
    )?;
    Ok(user)
}

pub fn create(c: &dyn Db, instance_id: &str, new: NewUser) -> Tx<User> {
    if let Some(username) = &new.username {
        check_username_free(c, instance_id, username, None)?;
    }
    if let Some(external_id) = &new.external_id {
        check_external_id_free(c, instance_id, external_id, None)?;
    }
    let now = now_millis();
    let id = new_id(prefix::USER);
    let created_at = new.created_at.unwrap_or(now);
    c.execute(
        "INSERT INTO users (id, instance_id, external_id, username, first_name, last_name, locale, password_enabled, \
         public_metadata, private_metadata, unsafe_metadata, banned, locked, delete_self_enabled, \
         create_organization_enabled, create_organizations_limit, bypass_client_trust, legal_accepted_at, \
         created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        vals![
            id,
            instance_id,
            new.external_id,
            new.username,
            new.first_name,
            new.last_name,
            new.locale,
            new.password_enabled,
            to_json(&new.public_metadata),
            to_json(&new.private_metadata),
            to_json(&new.unsafe_metadata),
            new.banned,
            new.locked,
            new.delete_self_enabled,
            new.create_organization_enabled,
            new.create_organizations_limit,
            new.bypass_client_trust,
            new.legal_accepted_at,
            created_at,
            now
        ],
    )?;
    let email = insert_identifications(c, instance_id, &id, "email_address", &new.email_addresses, now)?;
    let phone = insert_identifications(c, instance_id, &id, "phone_number", &new.phone_numbers, now)?;
    let web3 = insert_identifications(c, instance_id, &id, "web3_wallet", &new.web3_wallets, now)?;
    c.execute(
        "UPDATE users SET primary_email_address_id = ?2, primary_phone_number_id = ?3, primary_web3_wallet_id = ?4 \
         WHERE id = ?1",
        vals![id, email, phone, web3],
    )?;
    let user = reindex(c, instance_id, &id)?;
    append(c, instance_id, NewEvent::new(EventType::UserCreated, Record::User(user.clone())))?;
    let verified: Vec<String> = user.email_addresses.iter().filter(|e| !e.reserved).map(|e| e.value.clone()).collect();
    append_all(c, instance_id, enroll_new_user(c, instance_id, &id, &verified, now)?)?;
    Ok(user)
}

/// Append the `user.updated` event of a change from `before` to `after`.
fn updated(c: &dyn Db, instance_id: &str, before: User, after: &User) -> Tx<()> {
    append(c, instance_id, NewEvent::updated(EventType::UserUpdated, Record::User(before), Record::User(after.clone())))
}

fn set_primary(c: &dyn Db, user: &User, kind: &str, column: &str, ident_id: &str) -> Tx<()> {
    let list = match kind {
        "email_address" => &user.email_addresses,
        "phone_number" => &user.phone_numbers,
        _ => &user.web3_wallets,
    };
    if !list.iter().any(|i| i.id == ident_id && !i.reserved) {
        return Err(DomainError::invalid(
            format!("primary_{kind}_id"),
            format!("{ident_id} is not a verified {kind} of this user."),
        )
        .into());
    }
    c.execute(&format!("UPDATE users SET {column} = ?2 WHERE id = ?1"), vals![user.id, ident_id])?;
    Ok(())
}

pub fn update(c: &dyn Db, instance_id: &str, user_id: &str, u: UserUpdate) -> Tx<User> {
    let mut user = user_by_id(c, instance_id, user_id)?;
    let before = user.clone();
    if let Some(Some(username)) = &u.username {
        check_username_free(c, instance_id, username, Some(user_id))?;
    }
    if let Some(Some(external_id)) = &u.external_id {
        check_external_id_free(c, instance_id, external_id, Some(user_id))?;
    }
    if let Some(id) = &u.primary_email_address_id {
        set_primary(c, &user, "email_address", "primary_email_address_id", id)?;
    }
    if let Some(id) = &u.primary_phone_number_id {
        set_primary(c, &user, "phone_number", "primary_phone_number_id", id)?;
    }
    if let Some(id) = &u.primary_web3_wallet_id {
        set_primary(c, &user, "web3_wallet", "primary_web3_wallet_id", id)?;
    }
    let mode = u.metadata.mode;
    MetadataUpdate::apply(mode, "public_metadata", &mut user.public_metadata, u.metadata.public)?;
    MetadataUpdate::apply(mode, "private_metadata", &mut user.private_metadata, u.metadata.private)?;
    MetadataUpdate::apply(mode, "unsafe_metadata", &mut user.unsafe_metadata, u.metadata.unsafe_)?;
    let pick = |change: Option<Option<String>>, current: Option<String>| change.unwrap_or(current);
    c.execute(
        "UPDATE users SET external_id = ?2, username = ?3, first_name = ?4, last_name = ?5, locale = ?6, \
         password_enabled = ?7, delete_self_enabled = ?8, create_organization_enabled = ?9, \
         create_organizations_limit = ?10, bypass_client_trust = ?11, legal_accepted_at = ?12, created_at = ?13, \
         public_metadata = ?14, private_metadata = ?15, unsafe_metadata = ?16, updated_at = ?17 WHERE id = ?1",
        vals![
            user_id,
            pick(u.external_id, user.external_id),
            pick(u.username, user.username),
            pick(u.first_name, user.first_name),
            pick(u.last_name, user.last_name),
            pick(u.locale, user.locale),
            u.password_enabled.unwrap_or(user.password_enabled),
            u.delete_self_enabled.unwrap_or(user.delete_self_enabled),
            u.create_organization_enabled.unwrap_or(user.create_organization_enabled),
            u.create_organizations_limit.unwrap_or(user.create_organizations_limit),
            u.bypass_client_trust.unwrap_or(user.bypass_client_trust),
            u.legal_accepted_at.unwrap_or(user.legal_accepted_at),
            u.created_at.unwrap_or(user.created_at),
            to_json(&user.public_metadata),
            to_json(&user.private_metadata),
            to_json(&user.unsafe_metadata),
            now_millis().max(user.updated_at),
        ],
    )?;
    let after = reindex(c, instance_id, user_id)?;
    updated(c, instance_id, before, &after)?;
    Ok(after)
}

pub fn update_metadata(c: &dyn Db, instance_id: &str, user_id: &str, update: MetadataUpdate) -> Tx<User> {
    let mode: MetadataMode = update.mode;
    let mut user = user_by_id(c, instance_id, user_id)?;
    let before = user.clone();
    MetadataUpdate::apply(mode, "public_metadata", &mut user.public_metadata, update.public)?;
    MetadataUpdate::apply(mode, "private_metadata", &mut user.private_metadata, update.private)?;
    MetadataUpdate::apply(mode, "unsafe_metadata", &mut user.unsafe_metadata, update.unsafe_)?;
    user.updated_at = now_millis().max(user.updated_at);
    c.execute(
        "UPDATE users SET public_metadata = ?2, private_metadata = ?3, unsafe_metadata = ?4, updated_at = ?5 WHERE id = ?1",
        vals![
            user_id,
            to_json(&user.public_metadata),
            to_json(&user.private_metadata),
            to_json(&user.unsafe_metadata),
            user.updated_at
        ],
    )?;
    updated(c, instance_id, before, &user)?;
    Ok(user)
}

pub fn set_flags(c: &dyn Db, instance_id: &str, user_id: &str, banned: Option<bool>, locked: Option<bool>) -> Tx<User> {
    let user = user_by_id(c, instance_id, user_id)?;
    c.execute(
        "UPDATE users SET banned = ?2, locked = ?3, updated_at = ?4 WHERE id = ?1",
        vals![user_id, banned.unwrap_or(user.banned), locked.unwrap_or(user.locked), now_millis().max(user.updated_at)],
    )?;
    let after = user_by_id(c, instance_id, user_id)?;
    updated(c, instance_id, user, &after)?;
    Ok(after)
}

pub fn delete(c: &dyn Db, instance_id: &str, user_id: &str) -> Tx<()> {
    user_by_id(c, instance_id, user_id)?;
    if c.dialect() == Dialect::Postgres {
        // Lock the user first: a membership insert for this user (which takes a key-share lock on the row
        // through its foreign key) then either committed before, and is counted below, or waits and fails.
        c.execute("SELECT 1 FROM users WHERE id = ?1 FOR UPDATE", vals![user_id])?;
    }
    // Keep members_count exact for every organization the user leaves.
    c.execute(
        "UPDATE organizations SET members_count = members_count - 1 \
         WHERE id IN (SELECT organization_id FROM memberships WHERE user_id = ?1)",
        vals![user_id],
    )?;
    c.execute("DELETE FROM memberships WHERE user_id = ?1", vals![user_id])?;
    c.execute("DELETE FROM sessions WHERE user_id = ?1", vals![user_id])?;
    c.execute("DELETE FROM identifications WHERE user_id = ?1", vals![user_id])?;
    c.execute("DELETE FROM users WHERE id = ?1 AND instance_id = ?2", vals![user_id, instance_id])?;
    append(c, instance_id, NewEvent::deleted(EventType::UserDeleted, "user", user_id))
}
