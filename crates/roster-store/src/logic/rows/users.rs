//! User rows: the column list, decoding, identifications, and reading one by id.

use std::collections::HashMap;

use roster_core::model::{Identification, PublicUserData, User};
use roster_core::DomainError;

use super::json;
use crate::logic::filter::Sql;
use crate::logic::Tx;
use crate::sql::{vals, Db, DbError, Row};

/// Columns of `users u`, in the order `user_from_row` reads them.
pub const USER_COLUMNS: &str = "u.id, u.external_id, u.username, u.first_name, u.last_name, u.locale, \
    u.primary_email_address_id, u.primary_phone_number_id, u.primary_web3_wallet_id, u.password_enabled, \
    u.public_metadata, u.private_metadata, u.unsafe_metadata, u.banned, u.locked, u.delete_self_enabled, \
    u.create_organization_enabled, u.create_organizations_limit, u.bypass_client_trust, u.last_active_at, \
    u.last_sign_in_at, u.legal_accepted_at, u.created_at, u.updated_at";

pub fn user_from_row(r: &mut Row) -> Result<User, DbError> {
    Ok(User {
        id: r.take(0)?,
        external_id: r.take(1)?,
        username: r.take(2)?,
        first_name: r.take(3)?,
        last_name: r.take(4)?,
        locale: r.take(5)?,
        email_addresses: Vec::new(),
        phone_numbers: Vec::new(),
        web3_wallets: Vec::new(),
        primary_email_address_id: r.take(6)?,
        primary_phone_number_id: r.take(7)?,
        primary_web3_wallet_id: r.take(8)?,
        password_enabled: r.take(9)?,
        public_metadata: json(r.take(10)?),
        private_metadata: json(r.take(11)?),
        unsafe_metadata: json(r.take(12)?),
        banned: r.take(13)?,
        locked: r.take(14)?,
        delete_self_enabled: r.take(15)?,
        create_organization_enabled: r.take(16)?,
        create_organizations_limit: r.take(17)?,
        bypass_client_trust: r.take(18)?,
        last_active_at: r.take(19)?,
        last_sign_in_at: r.take(20)?,
        legal_accepted_at: r.take(21)?,
        created_at: r.take(22)?,
        updated_at: r.take(23)?,
    })
}

/// Attach identifications to users, in one query. Within a creation millisecond they keep the order they
/// were given in (`rowid`), not the random order of their ids: the first email address given comes first.
pub fn attach_identifications(c: &dyn Db, users: &mut [User]) -> Tx<()> {
    if users.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(c.dialect());
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let list = sql.bind_list(&ids);
    let rows = c.query(
        &format!(
            "SELECT user_id, kind, id, value, reserved, created_at, updated_at FROM identifications \
             WHERE user_id IN {list} ORDER BY created_at, rowid"
        ),
        &sql.params,
    )?;
    let mut by_user: HashMap<String, Vec<(String, Identification)>> = HashMap::new();
    for mut r in rows {
        let ident = Identification {
            id: r.take(2)?,
            value: r.take(3)?,
            reserved: r.take(4)?,
            created_at: r.take(5)?,
            updated_at: r.take(6)?,
        };
        by_user.entry(r.take(0)?).or_default().push((r.take(1)?, ident));
    }
    for user in users.iter_mut() {
        for (kind, ident) in by_user.remove(&user.id).unwrap_or_default() {
            match kind.as_str() {
                "email_address" => user.email_addresses.push(ident),
                "phone_number" => user.phone_numbers.push(ident),
                _ => user.web3_wallets.push(ident),
            }
        }
    }
    Ok(())
}

/// The user with this id in the instance, with their identifications, or 404.
pub fn user_by_id(c: &dyn Db, instance_id: &str, user_id: &str) -> Tx<User> {
    let mut user = c
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.instance_id = ?1 AND u.id = ?2"),
            vals![instance_id, user_id],
        )?
        .map(|mut r| user_from_row(&mut r))
        .transpose()?
        .ok_or_else(|| DomainError::UserNotFound(user_id.to_owned()))?;
    attach_identifications(c, std::slice::from_mut(&mut user))?;
    Ok(user)
}

/// The columns of `users u` that `public_user_data` reads, in its order.
macro_rules! public_user_columns {
    () => {
        "u.id, u.first_name, u.last_name, u.username, u.primary_email, u.primary_phone, u.primary_web3, u.banned"
    };
}
pub(crate) use public_user_columns;
pub const PUBLIC_USER_COLUMNS: &str = public_user_columns!();

/// A member's (or inviter's) `public_user_data` from `PUBLIC_USER_COLUMNS` starting at column `at`.
pub fn public_user_data(r: &mut Row, at: usize) -> Result<PublicUserData, DbError> {
    let username: Option<String> = r.take(at + 3)?;
    let identifier = r
        .take::<Option<String>>(at + 4)?
        .or(r.take::<Option<String>>(at + 5)?)
        .or(r.take::<Option<String>>(at + 6)?)
        .or_else(|| username.clone());
    Ok(PublicUserData {
        user_id: r.take(at)?,
        first_name: r.take(at + 1)?,
        last_name: r.take(at + 2)?,
        identifier,
        username,
        banned: r.take(at + 7)?,
    })
}

/// `public_user_data` of a `LEFT JOIN users u`: `None` where no user matched.
pub fn public_user_data_opt(r: &mut Row, at: usize) -> Result<Option<PublicUserData>, DbError> {
    if r.get::<Option<String>>(at)?.is_none() {
        return Ok(None);
    }
    public_user_data(r, at).map(Some)
}
