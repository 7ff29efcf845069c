//! Users: the few operations needed to set up memberships.

use reqwest::Method;
use roster_api_types::{DeletedObject, Metadata, User};
use serde::Serialize;

use crate::client::{seg, Operation};
use crate::{Clerk, Error, RequestOptions};

/// Body of [`UsersApi::create`]: `POST /users`. Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateUserRequest {
    /// Your own id for the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Email addresses; the first becomes the primary one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub email_address: Vec<String>,
    /// Phone numbers (E.164); the first becomes the primary one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phone_number: Vec<String>,
    /// Web3 wallets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub web3_wallet: Vec<String>,
    /// The username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The first name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// The last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Metadata readable from the frontend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Metadata>,
    /// Metadata readable only from the backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
}

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
