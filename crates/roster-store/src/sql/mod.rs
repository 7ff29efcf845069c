//! A small SQL access layer the use-case logic is written against, so the same logic runs on every backend.
//! SQL text uses numbered placeholders (`?1`, `?2`, …); a backend whose driver wants another form (PostgreSQL's
//! `$1`) rewrites them. Values are the four kinds the schema stores; rows come back owned.

use std::fmt;

/// Which SQL dialect a connection speaks, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value bound to a placeholder or read from a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}

impl From<&i64> for Value {
    fn from(v: &i64) -> Self {
        Self::Int(*v)
    }
}

impl From<&bool> for Value {
    fn from(v: &bool) -> Self {
        Self::Bool(*v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Self {
        v.as_ref().map_or(Self::Null, Into::into)
    }
}

impl From<&Option<i64>> for Value {
    fn from(v: &Option<i64>) -> Self {
        (*v).into()
    }
}

impl From<&Option<bool>> for Value {
    fn from(v: &Option<bool>) -> Self {
        (*v).into()
    }
}

/// A value `vals!` binds by reference (its arguments are not moved).
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// Typed ids bind as their text, and decode from a text column.
macro_rules! id_values {
    ($($id:ty),+) => {$(
        impl ToValue for $id {
            fn to_value(&self) -> Value {
                Value::Text(self.as_str().to_owned())
            }
        }

        impl FromValue for $id {
            fn from_value(v: &Value) -> Result<Self, String> {
                String::from_value(v).map(Self::from)
            }

            fn from_owned(v: Value) -> Result<Self, String> {
                String::from_owned(v).map(Self::from)
            }
        }
    )+};
}

id_values!(
    roster_core::InstanceId,
    roster_core::UserId,
    roster_core::OrgId,
    roster_core::RoleId,
    roster_core::PermissionId,
    roster_core::SessionId,
    roster_core::KeyId
);

/// `&[Value]` from a list of expressions, each `Into<Value>`-like (`ToValue`: integers, booleans, strings,
/// options of those), taken by reference: `c.execute(sql, vals![id, name])`.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::sql::ToValue::to_value(&$v)),*][..]
    };
}
pub(crate) use vals;

/// What went wrong, as far as the logic needs to tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// A unique (or primary key) constraint refused the write.
    UniqueViolation,
    /// Another transaction got in the way (serialization failure, deadlock, a referenced row deleted
    /// concurrently): running the whole request again gives its real outcome.
    Conflict,
    Other,
}

/// A database error: the driver's error (or a decoding failure) and its kind.
#[derive(Debug)]
pub struct DbError {
    kind: DbErrorKind,
    backend: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DbError {
    pub fn new(
        kind: DbErrorKind,
        backend: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self { kind, backend, source: source.into() }
    }

    pub fn kind(&self) -> DbErrorKind {
        self.kind
    }

    /// The driver's error.
    pub fn source_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.source
    }

    fn decode(message: String) -> Self {
        Self::new(DbErrorKind::Other, "decode", message)
    }

    /// A query that had to return a row returned none.
    pub fn no_rows() -> Self {
        Self::new(DbErrorKind::Other, "query", "Query returned no rows")
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.backend, self.source)
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A row read from the database, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row(Vec<Value>);

impl Row {
    pub fn new(values: Vec<Value>) -> Self {
        Self(values)
    }

    /// Column `idx`, decoded.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T, DbError> {
        match self.0.get(idx) {
            Some(v) => T::from_value(v).map_err(|e| DbError::decode(format!("column {idx}: {e}"))),
            None => Err(DbError::decode(format!("no column {idx} in a row of {}", self.0.len()))),
        }
    }

    /// Column `idx`, decoded by moving its value out (text is not copied); the column reads as NULL after.
    pub fn take<T: FromValue>(&mut self, idx: usize) -> Result<T, DbError> {
        let len = self.0.len();
        match self.0.get_mut(idx) {
            Some(v) => T::from_owned(std::mem::replace(v, Value::Null))
                .map_err(|e| DbError::decode(format!("column {idx}: {e}"))),
            None => Err(DbError::decode(format!("no column {idx} in a row of {len}"))),
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A type a column decodes into.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;

    /// From an owned value (`Row::take`): text moves instead of being copied.
    fn from_owned(v: Value) -> Result<Self, String> {
        Self::from_value(&v)
    }
}

fn mismatch(wanted: &str, v: &Value) -> String {
    format!("expected {wanted}, found {v:?}")
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Int(n) => Ok(*n),
            Value::Bool(b) => Ok(i64::from(*b)),
            _ => Err(mismatch("an integer", v)),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(n) => Ok(*n != 0),
            _ => Err(mismatch("a boolean", v)),
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(mismatch("text", v)),
        }
    }

    fn from_owned(v: Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s),
            v => Err(mismatch("text", &v)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }

    fn from_owned(v: Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_owned(v).map(Some),
        }
    }
}

/// A connection (or transaction) the use-case logic runs its SQL on.
pub trait Db {
    fn dialect(&self) -> Dialect;

    /// Run a statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, DbError>;

    /// Run a query; every row it returns.
    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;

    /// The first row of a query, if any.
    fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row of a query, which must return one.
    fn query_one(&self, sql: &str, params: &[Value]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?.ok_or_else(DbError::no_rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_convert_and_decode() {
        let none: Option<&str> = None;
        let row = Row::new(vals![7i64, true, "a", &"b".to_owned(), none, Some(3i64), 0i64].to_vec());
        assert_eq!(row.get::<i64>(0).unwrap(), 7);
        assert!(row.get::<bool>(1).unwrap());
        assert_eq!(row.get::<String>(2).unwrap(), "a");
        assert_eq!(row.get::<String>(3).unwrap(), "b");
        assert_eq!(row.get::<Option<String>>(4).unwrap(), None);
        assert_eq!(row.get::<Option<i64>>(5).unwrap(), Some(3));
        assert!(!row.get::<bool>(6).unwrap());
        assert!(row.get::<String>(0).is_err());
        let mut row = row;
        assert_eq!(row.take::<Option<String>>(2).unwrap().as_deref(), Some("a"));
        assert_eq!(row.get::<Option<String>>(2).unwrap(), None);
        assert!(row.get::<i64>(9).is_err());
    }
}
