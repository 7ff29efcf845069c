//! Users: the few operations needed to set up memberships.

use reqwest::Method;
use roster_api_types::{DeletedObject, User};

pub use roster_api_types::CreateUserRequest;

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

/// The users resource: get it with [`Clerk::users`].
#[derive(Debug, Clone)]
pub struct UsersApi {
    clerk: Clerk,
    options: Option<RequestOptions>,
}

impl UsersApi {
    pub(crate) fn new(clerk: Clerk) -> Self {
        Self { clerk, options: None }
    }

    /// This handle with per-call options for the calls made through it.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Create a user.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401, 403 and 422 (for example a taken email address).
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// use roster_client::CreateUserRequest;
    ///
    /// let user = clerk
    ///     .users()
    ///     .create(CreateUserRequest {
    ///         email_address: vec!["alice@example.com".into()],
    ///         first_name: Some("Alice".into()),
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// println!("{}", user.id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, request: CreateUserRequest) -> Result<User, Error> {
        let op = Operation::new(Method::POST, "/users".into(), &[400, 401, 403, 422]).body(&request)?;
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Get a user by id.
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401 and 404.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// let user = clerk.users().get("user_123").await?;
    /// # let _ = user; Ok(()) }
    /// ```
    pub async fn get(&self, user_id: &str) -> Result<User, Error> {
        let op = Operation::new(Method::GET, format!("/users/{}", seg(user_id)), &[400, 401, 404]);
        self.clerk.execute(op, self.options.as_ref()).await
    }

    /// Delete a user (and with them their memberships).
    ///
    /// # Errors
    ///
    /// [`Error::ClerkErrors`] for 400, 401 and 404.
    ///
    /// ```no_run
    /// # async fn run(clerk: roster_client::Clerk) -> Result<(), roster_client::Error> {
    /// let deleted = clerk.users().delete("user_123").await?;
    /// assert!(deleted.deleted);
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, user_id: &str) -> Result<DeletedObject, Error> {
        let op = Operation::new(Method::DELETE, format!("/users/{}", seg(user_id)), &[400, 401, 404]);
        self.clerk.execute(op, self.options.as_ref()).await
    }
}
