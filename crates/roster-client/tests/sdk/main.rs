//! End-to-end tests of the SDK: a real Roster in-process (roster-testkit: a database of its own, SQLite or,
//! with `ROSTER_TEST_BACKEND=postgres`, PostgreSQL; ephemeral port) for the operations and errors, and a
//! deliberately failing local axum server for retries; session token verification and the axum extractor
//! against live tokens.

mod domains;
mod errors;
mod extractor;
mod idempotency;
mod invitation_lists;
mod invitations;
mod lists;
mod retries;
mod role_sets;
mod seed;
mod support;
mod tokens;
mod webhooks;
