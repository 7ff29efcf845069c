//! SQL for the list filters and orders, built with numbered placeholders only: every value a client
//! sends is bound as a parameter, never spliced into the SQL text.

use rusqlite::types::Value;

use roster_core::query::{
    MembershipOrder, MembershipOrderField, Order, OrganizationOrder, OrganizationOrderField, UserFilter, UserOrder,
    UserOrderField,
};

#[derive(Default)]
pub struct Sql {
    pub clauses: Vec<String>,
    pub params: Vec<Value>,
}

impl Sql {
    /// Bind a value; returns its placeholder.
    pub fn bind(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }

    /// Bind a list; returns `(?a, ?b, …)`.
    pub fn bind_list(&mut self, values: &[String]) -> String {
        let marks: Vec<String> = values.iter().map(|v| self.bind(v.clone())).collect();
        format!("({})", marks.join(", "))
    }

    pub fn clause(&mut self, c: String) {
        self.clauses.push(c);
    }

    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" AND {}", self.clauses.join(" AND "))
        }
    }
}

fn lowered(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.to_lowercase()).collect()
}

fn identification_in(sql: &mut Sql, kind: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let list = sql.bind_list(&lowered(values));
    sql.clause(format!(
        "EXISTS (SELECT 1 FROM identifications i WHERE i.user_id = u.id AND i.kind = '{kind}' AND i.value_lower IN {list})"
    ));
}

fn identification_like(sql: &mut Sql, kind: &str, needle: &Option<String>) {
    if let Some(q) = needle {
        let p = sql.bind(q.clone());
        sql.clause(format!(
            "EXISTS (SELECT 1 FROM identifications i WHERE i.user_id = u.id AND i.kind = '{kind}' AND instr(i.value_lower, {p}) > 0)"
        ));
    }
}

/// Clauses on the user aliased `u`.
pub fn user_filter(sql: &mut Sql, f: &UserFilter) {
    if !f.user_ids.is_empty() {
        let list = sql.bind_list(&f.user_ids);
        sql.clause(format!("u.id IN {list}"));
    }
    if !f.exclude_user_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_user_ids);
        sql.clause(format!("u.id NOT IN {list}"));
    }
    identification_in(sql, "email_address", &f.email_addresses);
    identification_in(sql, "phone_number", &f.phone_numbers);
    identification_in(sql, "web3_wallet", &f.web3_wallets);
    if !f.usernames.is_empty() {
        let list = sql.bind_list(&lowered(&f.usernames));
        sql.clause(format!("u.username_lower IN {list}"));
    }
    if !f.external_ids.is_empty() {
        let list = sql.bind_list(&f.external_ids);
        sql.clause(format!("u.external_id IN {list}"));
    }
    if let Some(q) = &f.query {
        let p = sql.bind(q.clone());
        sql.clause(format!("instr(u.search_text, {p}) > 0"));
    }
    identification_like(sql, "email_address", &f.email_address_query);
    identification_like(sql, "phone_number", &f.phone_number_query);
    if let Some(q) = &f.username_query {
        let p = sql.bind(q.clone());
        sql.clause(format!("instr(coalesce(u.username_lower, ''), {p}) > 0"));
    }
    if let Some(q) = &f.name_query {
        let p = sql.bind(q.clone());
        sql.clause(format!("instr(u.name_text, {p}) > 0"));
    }
    if let Some(banned) = f.banned {
        let p = sql.bind(banned as i64);
        sql.clause(format!("u.banned = {p}"));
    }
    let bounds = [
        ("u.created_at", "<", f.created_at_before),
        ("u.created_at", ">", f.created_at_after),
        ("u.last_active_at", "<", f.last_active_at_before),
        ("u.last_active_at", ">", f.last_active_at_after),
        ("u.last_sign_in_at", "<", f.last_sign_in_at_before),
        ("u.last_sign_in_at", ">", f.last_sign_in_at_after),
    ];
    for (column, op, value) in bounds {
        if let Some(v) = value {
            let p = sql.bind(v);
            sql.clause(format!("{column} {op} {p}"));
        }
    }
    if !f.organization_ids.is_empty() {
        let list = sql.bind_list(&f.organization_ids);
        sql.clause(format!(
            "EXISTS (SELECT 1 FROM memberships mm WHERE mm.user_id = u.id AND mm.organization_id IN {list})"
        ));
    }
    if !f.exclude_organization_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_organization_ids);
        sql.clause(format!(
            "NOT EXISTS (SELECT 1 FROM memberships mm WHERE mm.user_id = u.id AND mm.organization_id IN {list})"
        ));
    }
}

/// `ORDER BY` for a text or number column: NULLs last in both directions, text case-insensitively
/// (ASCII case folding, as SQLite's `lower`), ties by `tie` in the same direction.
fn order_sql(column: &str, text: bool, descending: bool, tie: &str) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let key = if text { format!("lower({column}) {dir}, {column} {dir}") } else { format!("{column} {dir}") };
    format!(" ORDER BY ({column} IS NULL) ASC, {key}, {tie} {dir}")
}

pub fn membership_order(o: MembershipOrder) -> String {
    let Order { field, descending } = o;
    let (column, text) = match field {
        MembershipOrderField::CreatedAt => ("m.created_at", false),
        MembershipOrderField::EmailAddress => ("u.primary_email", true),
        MembershipOrderField::PhoneNumber => ("u.primary_phone", true),
        MembershipOrderField::FirstName => ("u.first_name", true),
        MembershipOrderField::LastName => ("u.last_name", true),
        MembershipOrderField::Username => ("u.username", true),
    };
    order_sql(column, text, descending, "m.id")
}

pub fn user_order(o: UserOrder) -> String {
    let Order { field, descending } = o;
    let (column, text) = match field {
        UserOrderField::CreatedAt => ("u.created_at", false),
        UserOrderField::UpdatedAt => ("u.updated_at", false),
        UserOrderField::EmailAddress => ("u.primary_email", true),
        UserOrderField::Web3Wallet => ("u.primary_web3", true),
        UserOrderField::FirstName => ("u.first_name", true),
        UserOrderField::LastName => ("u.last_name", true),
        UserOrderField::PhoneNumber => ("u.primary_phone", true),
        UserOrderField::Username => ("u.username", true),
        UserOrderField::LastActiveAt => ("u.last_active_at", false),
        UserOrderField::LastSignInAt => ("u.last_sign_in_at", false),
    };
    order_sql(column, text, descending, "u.id")
}

pub fn organization_order(o: OrganizationOrder) -> String {
    let Order { field, descending } = o;
    let (column, text) = match field {
        OrganizationOrderField::CreatedAt => ("o.created_at", false),
        OrganizationOrderField::Name => ("o.name", true),
        OrganizationOrderField::MembersCount => ("o.members_count", false),
    };
    order_sql(column, text, descending, "o.id")
}
