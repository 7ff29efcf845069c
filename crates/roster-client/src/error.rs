//! The error type returned by every operation.

use reqwest::header::HeaderMap;
use roster_api_types::ClerkError;

/// Everything that can go wrong calling the Backend API.
///
/// Each operation declares the statuses for which the API answers with Clerk's structured error body
/// (`{"errors": [...], "clerk_trace_id": "..."}`); those become [`Error::ClerkErrors`]. Any other 4XX or 5XX
/// answer becomes [`Error::Api`], with the raw body kept as text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A structured Clerk error answer, for a status the operation declares.
    #[error("clerk API error {status}: {}", summary(errors))]
    ClerkErrors {
        /// The HTTP status code.
        status: u16,
        /// The errors of the body, in order; the first one is usually the most relevant.
        errors: Vec<ClerkError>,
        /// The trace id Clerk attaches to every error answer, to quote to support.
        clerk_trace_id: Option<String>,
    },
    /// Any other 4XX or 5XX answer (a status the operation does not declare, or a body that is not Clerk's
    /// error shape).
    #[error("API error {status}: {body}")]
    Api {
        /// The HTTP status code.
        status: u16,
        /// The response headers.
        headers: HeaderMap,
        /// The response body as text.
        body: String,
    },
    /// The request could not be sent or the response could not be read (connection refused, timeout, TLS,
    /// ...), after retries if those were enabled.
    #[error("transport error: {0}")]
    Transport(#[from] reqwest::Error),
    /// A successful answer whose body is not the expected JSON.
    #[error("could not decode the {status} response: {source}")]
    Decode {
        /// The HTTP status code.
        status: u16,
        /// The response body as text.
        body: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The client is misconfigured (for example a secret key that is not a valid header value, or a
    /// malformed server URL).
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
}

fn summary(errors: &[ClerkError]) -> String {
    errors.iter().map(|e| format!("{} ({})", e.message, e.code)).collect::<Vec<_>>().join("; ")
}

impl Error {
    /// The HTTP status of an error answer ([`Error::ClerkErrors`] or [`Error::Api`]), `None` otherwise.
    ///
    /// ```
    /// # use roster_client::Error;
    /// let e = Error::ClerkErrors { status: 404, errors: vec![], clerk_trace_id: None };
    /// assert_eq!(e.status(), Some(404));
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::ClerkErrors { status, .. } | Error::Api { status, .. } | Error::Decode { status, .. } => {
                Some(*status)
            }
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            Error::InvalidConfig(_) => None,
        }
    }

    /// The `code` of the first Clerk error (for example `"resource_not_found"`), for [`Error::ClerkErrors`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::ClerkErrors { errors, .. } => errors.first().map(|e| e.code.as_str()),
            _ => None,
        }
    }

    /// The Clerk trace id of an [`Error::ClerkErrors`].
    pub fn clerk_trace_id(&self) -> Option<&str> {
        match self {
            Error::ClerkErrors { clerk_trace_id, .. } => clerk_trace_id.as_deref(),
            _ => None,
        }
    }
}
