//! Organization memberships: the operations of Clerk's `organizationMemberships` resource.

use futures::stream::{self, Stream, StreamExt};
use reqwest::Method;
use roster_api_types::{OrganizationMembership, OrganizationMemberships};

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

/// Statuses answered with Clerk's structured errors, per operation (from the API spec).
pub(crate) mod declared {
    pub const CREATE: &[u16] = &[400, 403, 404, 422];
    pub const LIST: &[u16] = &[401, 422];
    pub const UPDATE: &[u16] = &[404, 422];
    pub const DELETE: &[u16] = &[401, 404];
    pub const UPDATE_METADATA: &[u16] = &[400, 404, 422];
    pub const LIST_INSTANCE: &[u16] = &[400, 401, 422];
    pub const LIST_USER: &[u16] = &[403];
}

/// The page size [`OrganizationMembershipsApi::list_stream`] uses when the request sets no `limit`.
pub const DEFAULT_STREAM_PAGE_SIZE: i64 = 100;

mod bulk;
mod requests;

pub use bulk::{BulkItemError, BulkItemResult, BulkMode, MAX_BULK_ITEMS};
pub use requests::*;
pub use roster_api_types::{
    BulkOrganizationMemberships, BulkOrganizationMembershipsRequest, CreateOrganizationMembershipRequestBody,
    DeleteOrganizationMembershipsBulkItem, UpdateOrganizationMembershipMetadataRequestBody,
    UpdateOrganizationMembershipRequestBody, UpdateOrganizationMembershipsBulkItem,
};

fn paging(order_by: Option<&String>, limit: Option<i64>, offset: Option<i64>) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    if let Some(o) = order_by {
        q.push(("order_by", o.clone()));
    }
    if let Some(l) = limit {
        q.push(("limit", l.to_string()));
    }
    if let Some(o) = offset {
        q.push(("offset", o.to_string()));
    }
    q
}

/// The organization memberships resource: get it with [`Clerk::organization_memberships`].
///
/// Per-call options apply to every call made through the handle returned by
/// [`with_options`](Self::with_options).
#[derive(Debug, Clone)]
pub struct OrganizationMembershipsApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl OrganizationMembershipsApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options (headers, timeout, retries) for the calls made through it.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::{DeleteOrganizationMembershipRequest, RequestOptions, RetryConfig};
    ///
    /// let removed = clerk
    ///     .organization_memberships()
    ///     .with_options(RequestOptions::default().retries(RetryConfig::None))
    ///     .delete(DeleteOrganizationMembershipRequest { organization_id: "<id>".into(), user_id: "<id>".into() })
    ///     .await?;
    /// # let _ = removed; Ok(()) }
    /// ```
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Create a new organization membership: adds a user as a member of the organization. Only users of
    /// the organization's instance can be added.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400 (already a member), 403 (membership quota), 404 (unknown organization,
    /// user or role) and 422 (invalid parameters); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, CreateOrganizationMembershipRequest, CreateOrganizationMembershipRequestBody};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let result = clerk
    ///     .organization_memberships()
    ///     .create(CreateOrganizationMembershipRequest {
    ///         organization_id: "<id>".into(),
    ///         request_body: CreateOrganizationMembershipRequestBody {
    ///             user_id: "<id>".into(),
    ///             role: "<value>".into(),
    ///             ..Default::default()
    ///         },
    ///     })
    ///     .await?;
    /// println!("{result:?}");
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateOrganizationMembershipRequest) -> Result<OrganizationMembership, Error> {
        let path = format!("/organizations/{}/memberships", seg(&request.organization_id));
        let op = Operation::new(Method::POST, path, declared::CREATE).body(&request.request_body)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Get a list of all members of an organization, one page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401 and 422 (invalid filters); [`Error::Api`] for other error statuses
    /// (Roster answers 404 for an unknown organization).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, ListOrganizationMembershipsRequest};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let result = clerk
    ///     .organization_memberships()
    ///     .list(ListOrganizationMembershipsRequest {
    ///         organization_id: "<id>".into(),
    ///         last_active_at_before: Some(1700690400000),
    ///         last_active_at_after: Some(1700690400000),
    ///         created_at_before: Some(1730160000000),
    ///         created_at_after: Some(1730160000000),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} of {}", result.data.len(), result.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, request: ListOrganizationMembershipsRequest) -> Result<OrganizationMemberships, Error> {
        let path = format!("/organizations/{}/memberships", seg(&request.organization_id));
        let op = Operation::new(Method::GET, path, declared::LIST).query(request.query());
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Every membership matching `request`, as a stream that fetches pages lazily: it starts at
    /// `request.offset` (default 0) and walks `offset` by the page size (`request.limit`, default
    /// [`DEFAULT_STREAM_PAGE_SIZE`]) until `total_count` is reached or a page comes back empty. An error
    /// ends the stream after being yielded.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use futures::TryStreamExt;
    /// use roster_client::ListOrganizationMembershipsRequest;
    ///
    /// let request = ListOrganizationMembershipsRequest { organization_id: "<id>".into(), ..Default::default() };
    /// let all: Vec<_> = clerk.organization_memberships().list_stream(request).try_collect().await?;
    /// println!("{} members", all.len());
    /// # Ok(()) }
    /// ```
    pub fn list_stream(
        &self,
        request: ListOrganizationMembershipsRequest,
    ) -> impl Stream<Item = Result<OrganizationMembership, Error>> + Send + 'static {
        self.list_stream_with(request, self.options.clone())
    }

    fn list_stream_with(
        &self,
        request: ListOrganizationMembershipsRequest,
        options: Option<RequestOptions>,
    ) -> impl Stream<Item = Result<OrganizationMembership, Error>> + Send + 'static {
        let api = Self { clerk: self.clerk.clone(), options };
        paginate(
            request.offset.unwrap_or(0),
            request.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE),
            move |offset, limit| {
                let api = api.clone();
                let request =
                    ListOrganizationMembershipsRequest { offset: Some(offset), limit: Some(limit), ..request.clone() };
                async move { api.list(request).await }
            },
        )
    }

    /// Update an organization membership (its role).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 404 (not a member, unknown organization or role) and 422 (invalid
    /// parameters); [`Error::Api`] for other error statuses (for example 400 when demoting the last admin).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, UpdateOrganizationMembershipRequest, UpdateOrganizationMembershipRequestBody};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let result = clerk
    ///     .organization_memberships()
    ///     .update(UpdateOrganizationMembershipRequest {
    ///         organization_id: "<id>".into(),
    ///         user_id: "<id>".into(),
    ///         request_body: UpdateOrganizationMembershipRequestBody { role: "<value>".into() },
    ///     })
    ///     .await?;
    /// println!("{result:?}");
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, request: UpdateOrganizationMembershipRequest) -> Result<OrganizationMembership, Error> {
        let path = format!("/organizations/{}/memberships/{}", seg(&request.organization_id), seg(&request.user_id));
        let op = Operation::new(Method::PATCH, path, declared::UPDATE).body(&request.request_body)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Remove a member from an organization; the answer is the removed membership.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 401 and 404 (not a member); [`Error::Api`] for other error statuses (for
    /// example 400 when removing the last admin).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, DeleteOrganizationMembershipRequest};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let result = clerk
    ///     .organization_memberships()
    ///     .delete(DeleteOrganizationMembershipRequest { organization_id: "<id>".into(), user_id: "<id>".into() })
    ///     .await?;
    /// println!("{result:?}");
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, request: DeleteOrganizationMembershipRequest) -> Result<OrganizationMembership, Error> {
        let path = format!("/organizations/{}/memberships/{}", seg(&request.organization_id), seg(&request.user_id));
        let op = Operation::new(Method::DELETE, path, declared::DELETE);
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Merge and update organization membership metadata: nested objects are deep-merged and a `null`
    /// value removes its key at any depth.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 404 (not a member) and 422 (not an object, unknown key, more than
    /// 8 KB); [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), roster_client::Error> {
    /// use roster_client::{Clerk, UpdateOrganizationMembershipMetadataRequest};
    ///
    /// let clerk = Clerk::new(std::env::var("CLERK_BEARER_AUTH").unwrap_or_default());
    /// let result = clerk
    ///     .organization_memberships()
    ///     .update_metadata(UpdateOrganizationMembershipMetadataRequest {
    ///         organization_id: "<id>".into(),
    ///         user_id: "<id>".into(),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{result:?}");
    /// # Ok(()) }
    /// ```
    pub async fn update_metadata(
        &self,
        request: UpdateOrganizationMembershipMetadataRequest,
    ) -> Result<OrganizationMembership, Error> {
        let path =
            format!("/organizations/{}/memberships/{}/metadata", seg(&request.organization_id), seg(&request.user_id));
        let body = request.request_body.unwrap_or_default();
        let op = Operation::new(Method::PATCH, path, declared::UPDATE_METADATA).body(&body)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Get every organization membership of the instance, one page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401 and 422; [`Error::Api`] for other error statuses.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListInstanceOrganizationMembershipsRequest;
    ///
    /// let page = clerk
    ///     .organization_memberships()
    ///     .list_all(ListInstanceOrganizationMembershipsRequest {
    ///         order_by: Some("-created_at".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{} memberships", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_all(
        &self,
        request: ListInstanceOrganizationMembershipsRequest,
    ) -> Result<OrganizationMemberships, Error> {
        let query = paging(request.order_by.as_ref(), request.limit, request.offset);
        let op = Operation::new(Method::GET, "/organization_memberships".into(), declared::LIST_INSTANCE).query(query);
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Every organization membership of the instance, as a lazily paginated stream (see
    /// [`list_stream`](Self::list_stream)).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use futures::TryStreamExt;
    ///
    /// let all: Vec<_> = clerk.organization_memberships().list_all_stream(Default::default()).try_collect().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub fn list_all_stream(
        &self,
        request: ListInstanceOrganizationMembershipsRequest,
    ) -> impl Stream<Item = Result<OrganizationMembership, Error>> + Send + 'static {
        let api = self.clone();
        paginate(
            request.offset.unwrap_or(0),
            request.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE),
            move |offset, limit| {
                let api = api.clone();
                let request = ListInstanceOrganizationMembershipsRequest {
                    offset: Some(offset),
                    limit: Some(limit),
                    ..request.clone()
                };
                async move { api.list_all(request).await }
            },
        )
    }

    /// Get the organization memberships of one user, one page at a time.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 403; [`Error::Api`] for other error statuses (Roster answers 404 for an
    /// unknown user).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::ListUserOrganizationMembershipsRequest;
    ///
    /// let page = clerk
    ///     .organization_memberships()
    ///     .list_for_user(ListUserOrganizationMembershipsRequest { user_id: "<id>".into(), ..Default::default() })
    ///     .await?;
    /// println!("member of {} organizations", page.total_count);
    /// # Ok(()) }
    /// ```
    pub async fn list_for_user(
        &self,
        request: ListUserOrganizationMembershipsRequest,
    ) -> Result<OrganizationMemberships, Error> {
        let path = format!("/users/{}/organization_memberships", seg(&request.user_id));
        let op =
            Operation::new(Method::GET, path, declared::LIST_USER).query(paging(None, request.limit, request.offset));
        self.clerk.execute(op, self.options.as_ref()).await
    }
}

/// Walk pages of `limit` from `offset` until `total_count` or an empty page, yielding items.
fn paginate<F, Fut>(
    offset: i64,
    limit: i64,
    fetch: F,
) -> impl Stream<Item = Result<OrganizationMembership, Error>> + Send + 'static
where
    F: Fn(i64, i64) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<OrganizationMemberships, Error>> + Send + 'static,
{
    let limit = limit.max(1);
    stream::unfold(Some((offset, fetch)), move |state| async move {
        let (offset, fetch) = state?;
        match fetch(offset, limit).await {
            Ok(page) => {
                let next = offset + page.data.len() as i64;
                let more = !page.data.is_empty() && next < page.total_count;
                let items: Vec<Result<OrganizationMembership, Error>> = page.data.into_iter().map(Ok).collect();
                Some((stream::iter(items), more.then_some((next, fetch))))
            }
            Err(e) => Some((stream::iter(vec![Err(e)]), None)),
        }
    })
    .flatten()
}
