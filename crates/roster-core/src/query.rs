//! Filters, orders and pages of the list endpoints, parsed and validated by the server and executed by a
//! store. Free-text filters are lowercased here once (Unicode-aware) so every backend compares the same
//! way: a case-insensitive substring match.

/// Largest page the API serves, and the default.
pub const MAX_LIMIT: i64 = 500;
pub const DEFAULT_LIMIT: i64 = 10;
/// Most values an array filter accepts.
pub const MAX_ARRAY_VALUES: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Pagination {
    fn default() -> Self {
        Self { limit: DEFAULT_LIMIT, offset: 0 }
    }
}

/// A sort key with its direction. Ties are broken by id in the same direction, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order<F> {
    pub field: F,
    pub descending: bool,
}

impl<F: OrderField> Order<F> {
    /// Parse `created_at`, `+created_at`, `-created_at` (a leading space is a form-decoded `+`).
    pub fn parse(raw: &str) -> Option<Self> {
        let (descending, name) = match raw.as_bytes().first() {
            Some(b'-') => (true, &raw[1..]),
            Some(b'+') | Some(b' ') => (false, &raw[1..]),
            _ => (false, raw),
        };
        F::from_name(name).map(|field| Self { field, descending })
    }
}

pub trait OrderField: Sized + Copy {
    fn from_name(name: &str) -> Option<Self>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipOrderField {
    CreatedAt,
    EmailAddress,
    PhoneNumber,
    FirstName,
    LastName,
    Username,
}

impl OrderField for MembershipOrderField {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "created_at" => Self::CreatedAt,
            "email_address" => Self::EmailAddress,
            "phone_number" => Self::PhoneNumber,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "username" => Self::Username,
            _ => return None,
        })
    }
}

pub type MembershipOrder = Order<MembershipOrderField>;

impl Default for MembershipOrder {
    fn default() -> Self {
        Self { field: MembershipOrderField::CreatedAt, descending: true }
    }
}

/// Filters on the member (the user) shared by the membership and user lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub user_ids: Vec<String>,
    pub exclude_user_ids: Vec<String>,
    pub email_addresses: Vec<String>,
    pub phone_numbers: Vec<String>,
    pub usernames: Vec<String>,
    pub web3_wallets: Vec<String>,
    pub external_ids: Vec<String>,
    /// Lowercased substrings.
    pub query: Option<String>,
    pub email_address_query: Option<String>,
    pub phone_number_query: Option<String>,
    pub username_query: Option<String>,
    pub name_query: Option<String>,
    pub banned: Option<bool>,
    pub created_at_before: Option<i64>,
    pub created_at_after: Option<i64>,
    pub last_active_at_before: Option<i64>,
    pub last_active_at_after: Option<i64>,
    pub last_sign_in_at_before: Option<i64>,
    pub last_sign_in_at_after: Option<i64>,
    /// Users who are members of any of these organizations.
    pub organization_ids: Vec<String>,
    /// Users who are members of none of these organizations.
    pub exclude_organization_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipFilter {
    pub user: UserFilter,
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrderField {
    CreatedAt,
    UpdatedAt,
    EmailAddress,
    Web3Wallet,
    FirstName,
    LastName,
    PhoneNumber,
    Username,
    LastActiveAt,
    LastSignInAt,
}

impl OrderField for UserOrderField {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "created_at" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "email_address" => Self::EmailAddress,
            "web3wallet" => Self::Web3Wallet,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "phone_number" => Self::PhoneNumber,
            "username" => Self::Username,
            "last_active_at" => Self::LastActiveAt,
            "last_sign_in_at" => Self::LastSignInAt,
            _ => return None,
        })
    }
}

pub type UserOrder = Order<UserOrderField>;

impl Default for UserOrder {
    fn default() -> Self {
        Self { field: UserOrderField::CreatedAt, descending: true }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderField {
    CreatedAt,
    Name,
    MembersCount,
}

impl OrderField for OrganizationOrderField {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "created_at" => Self::CreatedAt,
            "name" => Self::Name,
            "members_count" => Self::MembersCount,
            _ => return None,
        })
    }
}

pub type OrganizationOrder = Order<OrganizationOrderField>;

impl Default for OrganizationOrder {
    fn default() -> Self {
        Self { field: OrganizationOrderField::CreatedAt, descending: true }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationFilter {
    /// Lowercased; exact match on id, substring on name and slug.
    pub query: Option<String>,
    pub user_ids: Vec<String>,
    pub exclude_user_ids: Vec<String>,
    pub organization_ids: Vec<String>,
    pub exclude_organization_ids: Vec<String>,
    pub include_missing_member_with_elevated_permissions: bool,
}

/// Sort keys of the role and permission lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyedOrderField {
    CreatedAt,
    Name,
    Key,
}

impl OrderField for KeyedOrderField {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "created_at" => Self::CreatedAt,
            "name" => Self::Name,
            "key" => Self::Key,
            _ => return None,
        })
    }
}

pub type KeyedOrder = Order<KeyedOrderField>;

impl Default for KeyedOrder {
    fn default() -> Self {
        Self { field: KeyedOrderField::CreatedAt, descending: true }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub client_id: Option<String>,
    pub user_id: Option<String>,
    pub status: Option<String>,
}

/// Split `+id` / `-id` / `id` values into (include, exclude).
pub fn split_signed(values: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for v in values {
        match v.as_bytes().first() {
            Some(b'-') => exclude.push(v[1..].to_owned()),
            Some(b'+') | Some(b' ') => include.push(v[1..].to_owned()),
            _ => include.push(v),
        }
    }
    (include, exclude)
}

/// Text that the free-text filters search: every searchable field, lowercased, one per line.
pub fn search_text(fields: &[&str]) -> String {
    fields.iter().filter(|f| !f.is_empty()).map(|f| f.to_lowercase()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_parses_signs_and_space_as_plus() {
        let o = MembershipOrder::parse("-email_address").unwrap();
        assert_eq!((o.field, o.descending), (MembershipOrderField::EmailAddress, true));
        assert!(!MembershipOrder::parse("+username").unwrap().descending);
        assert!(!MembershipOrder::parse(" username").unwrap().descending);
        assert!(MembershipOrder::parse("name").is_none());
    }

    #[test]
    fn signed_ids_split() {
        let (inc, exc) = split_signed(vec!["a".into(), "+b".into(), "-c".into()]);
        assert_eq!(inc, vec!["a", "b"]);
        assert_eq!(exc, vec!["c"]);
    }
}
