//! Roster's own extractors for bodies, query strings and paths, so malformed input gets a Clerk error
//! body (never axum's plain-text rejections) and every parameter error names its parameter. Bodies are the
//! request types of `roster-api-types`, read by `form`; path ids are the typed ids of `roster_core::ids`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

use roster_core::query::{Order, OrderField, Pagination, DEFAULT_LIMIT, MAX_ARRAY_VALUES, MAX_LIMIT};
use roster_core::DomainError;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

mod form;

/// A request body of `roster-api-types`, parsed and checked once: Content-Type, size limit, syntax, a
/// top-level object without NUL characters, then each field by the body type (`form`), with Clerk's error
/// naming the first bad field. An empty body is `{}` (the JS SDK sends none when there is nothing to set).
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let map = json_object(req, state.config.max_body_bytes).await?;
        form::from_map(map).map(Body)
    }
}

/// The body of a bulk membership write (`roster_api_types::BulkOrganizationMembershipsRequest`): its mode and
/// 1 to 500 items, each read as `T`, the body of the single write of its kind, with that write's Clerk errors.
/// An item that is not such a body is that item's error: the request as a whole is refused only when its own
/// fields are wrong (a missing or oversized `items`, an unknown `mode`).
pub struct BulkBody<T> {
    pub atomic: bool,
    pub items: Vec<ApiResult<T>>,
}

impl<T: serde::de::DeserializeOwned> FromRequest<AppState> for BulkBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        use roster_api_types::{BulkMode, MAX_BULK_ITEMS};

        let limit = state.config.body_limit(req.uri().path());
        let mut map = json_object(req, limit).await?;
        if let Some(unknown) = map.keys().find(|k| !matches!(k.as_str(), "mode" | "items")) {
            return Err(ApiError::unknown(unknown));
        }
        let atomic = match map.remove("mode") {
            None | Some(Value::Null) => true,
            Some(mode) => match serde_json::from_value::<BulkMode>(mode) {
                Ok(mode) => mode == BulkMode::Atomic,
                Err(_) => return Err(ApiError::invalid("mode", "mode must be one of atomic, partial.")),
            },
        };
        let items = match map.remove("items") {
            None | Some(Value::Null) => return Err(ApiError::missing("items")),
            Some(Value::Array(items)) if items.is_empty() => return Err(ApiError::missing("items")),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(ApiError::wrong_type("items", &other, "array")),
        };
        if items.len() > MAX_BULK_ITEMS {
            return Err(DomainError::ArrayTooLong { param: "items".into(), limit: MAX_BULK_ITEMS }.into());
        }
        let items = items
            .into_iter()
            .map(|item| match item {
                Value::Object(fields) => form::from_map(fields),
                other => Err(ApiError::wrong_type("items", &other, "object")),
            })
            .collect();
        Ok(BulkBody { atomic, items })
    }
}

/// A body that is a JSON array of 1 to `MAX` objects, each read as `T` (the bulk invitation create's), with the
/// first bad item's Clerk error.
pub struct ArrayBody<T, const MAX: usize>(pub Vec<T>);

impl<T: serde::de::DeserializeOwned, const MAX: usize> FromRequest<AppState> for ArrayBody<T, MAX> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let items = match json_value(req, state.config.max_body_bytes).await? {
            Some(Value::Array(items)) if !items.is_empty() => items,
            None | Some(Value::Array(_)) => return Err(ApiError::body_invalid()),
            Some(other) => return Err(ApiError::wrong_type("body", &other, "array")),
        };
        if items.len() > MAX {
            return Err(DomainError::ArrayTooLong { param: "body".into(), limit: MAX }.into());
        }
        items
            .into_iter()
            .map(|item| match item {
                Value::Object(fields) => form::from_map(fields),
                other => Err(ApiError::wrong_type("body", &other, "object")),
            })
            .collect::<ApiResult<Vec<T>>>()
            .map(ArrayBody)
    }
}

async fn json_object(req: Request, limit: usize) -> ApiResult<Map<String, Value>> {
    match json_value(req, limit).await? {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ApiError::body_invalid()),
    }
}

/// The body as JSON (`None`: empty), after the Content-Type, size and NUL checks.
async fn json_value(req: Request, limit: usize) -> ApiResult<Option<Value>> {
    let content_type = req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?").to_owned());
    let bytes: Bytes = match axum::body::to_bytes(req.into_body(), limit).await {
        Ok(b) => b,
        Err(_) => return Err(ApiError::body_too_large(limit)),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let is_json = content_type
        .as_deref()
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        let actual = content_type.unwrap_or_else(|| "(none)".into());
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            "Content-Type is unsupported",
            format!("Content-Type {actual} is unsupported. You should use application/json instead."),
        ));
    }
    let value = serde_json::from_slice::<Value>(&bytes).map_err(|_| ApiError::body_invalid())?;
    let objects: Vec<&Map<String, Value>> = match &value {
        Value::Object(map) => vec![map],
        Value::Array(items) => items.iter().filter_map(Value::as_object).collect(),
        _ => return Err(ApiError::body_invalid()),
    };
    for map in objects {
        // PostgreSQL (Clerk's database and Roster's other backend) cannot store U+0000 in text or JSON, so no
        // backend stores it: the same request gets the same answer on both.
        if let Some((key, _)) = map.iter().find(|(k, v)| k.contains('\0') || holds_nul(v)) {
            return Err(ApiError::invalid(key, format!("{key} must not contain the NUL character (U+0000).")));
        }
    }
    Ok(Some(value))
}

/// Whether a JSON value holds U+0000 in any string or object key.
fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// A body field that must not be negative (absent -> `None`).
pub fn non_negative(key: &str, value: Option<i64>) -> ApiResult<Option<i64>> {
    match value {
        Some(n) if n < 0 => Err(ApiError::invalid(key, format!("{key} must be greater than or equal to 0."))),
        other => Ok(other),
    }
}

/// A body field holding an RFC 3339 date-time, as Unix milliseconds.
pub fn datetime(key: &str, value: Option<String>) -> ApiResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some(s) => parse_rfc3339(&s)
            .map(Some)
            .ok_or_else(|| ApiError::invalid(key, format!("{key} must be a valid date-time in RFC 3339 format."))),
    }
}

fn plus_from_space(value: String) -> String {
    match value.strip_prefix(' ') {
        Some(rest) => format!("+{rest}"),
        None => value,
    }
}

fn parse_rfc3339(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// The raw query string as ordered pairs; array parameters repeat their key (`?role=a&role=b`).
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        Ok(Self { pairs: form_urlencoded::parse(raw.as_bytes()).into_owned().collect() })
    }
}

impl Params {
    fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key || (k.len() == key.len() + 2 && k.starts_with(key) && k.ends_with("[]")))
            .map(|(_, v)| v)
    }

    /// The last non-empty value of a scalar parameter.
    pub fn string(&self, key: &str) -> Option<String> {
        self.values(key).filter(|v| !v.is_empty()).last().cloned()
    }

    /// Lowercased free-text filter.
    pub fn text(&self, key: &str) -> Option<String> {
        self.string(key).map(|s| s.to_lowercase())
    }

    /// Phone numbers: a literal `+` arrives form-decoded as a space, and no phone number starts with a
    /// space, so a leading space is read back as `+`.
    pub fn phones(&self, key: &str) -> ApiResult<Vec<String>> {
        Ok(self.strings(key)?.into_iter().map(plus_from_space).collect())
    }

    /// A lowercased free-text phone filter, with a leading space read as `+`.
    pub fn phone_text(&self, key: &str) -> Option<String> {
        self.text(key).map(plus_from_space)
    }

    /// Every value of an array parameter, at most 100.
    pub fn strings(&self, key: &str) -> ApiResult<Vec<String>> {
        let values: Vec<String> = self.values(key).filter(|v| !v.is_empty()).cloned().collect();
        if values.len() > MAX_ARRAY_VALUES {
            return Err(DomainError::ArrayTooLong { param: key.into(), limit: MAX_ARRAY_VALUES }.into());
        }
        Ok(values)
    }

    fn not_allowed(key: &str, value: &str) -> ApiError {
        ApiError::invalid(key, format!("{value} does not match one of the allowed values for parameter {key}"))
    }

    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.string(key) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| Self::not_allowed(key, &v)),
        }
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.string(key).as_deref() {
            None => Ok(None),
            Some("true") | Some("1") => Ok(Some(true)),
            Some("false") | Some("0") => Ok(Some(false)),
            Some(other) => Err(Self::not_allowed(key, other)),
        }
    }

    /// `limit` (1..=500, default 10) and `offset` (>= 0, default 0).
    pub fn pagination(&self) -> ApiResult<Pagination> {
        let limit = self.int("limit")?.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(
                "limit",
                format!("{limit} does not match one of the allowed values for parameter limit: an integer from 1 to {MAX_LIMIT}"),
            ));
        }
        let offset = self.int("offset")?.unwrap_or(0);
        if offset < 0 {
            return Err(Self::not_allowed("offset", &offset.to_string()));
        }
        Ok(Pagination { limit, offset })
    }

    /// The first non-empty `order_by` (Clerk keeps only the first when several are given).
    pub fn order<F: OrderField>(&self, default: Order<F>) -> ApiResult<Order<F>> {
        match self.values("order_by").find(|v| !v.is_empty()) {
            None => Ok(default),
            Some(raw) => Order::parse(raw).ok_or_else(|| Self::not_allowed("order_by", raw)),
        }
    }
}

/// The path's id segments, percent-decoded; a segment that does not decode is a 404 like any unknown id.
async fn path_segments(parts: &mut Parts) -> ApiResult<Vec<String>> {
    match Path::<Vec<String>>::from_request_parts(parts, &()).await {
        Ok(Path(ids)) => Ok(ids),
        Err(_) => Err(ApiError::not_found()),
    }
}

/// The one id of the path, typed: `PathId<UserId>` for `/users/{user_id}`.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: From<String>> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut ids = path_segments(parts).await?.into_iter();
        Ok(Self(T::from(ids.next().unwrap_or_default())))
    }
}

/// The two ids of the path in their order, typed: `PathIds<OrgId, UserId>` for
/// `/organizations/{organization_id}/memberships/{user_id}`.
pub struct PathIds<A, B>(pub A, pub B);

impl<S: Send + Sync, A: From<String>, B: From<String>> FromRequestParts<S> for PathIds<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut ids = path_segments(parts).await?.into_iter();
        let first = A::from(ids.next().unwrap_or_default());
        Ok(Self(first, B::from(ids.next().unwrap_or_default())))
    }
}
