//! Roster's HTTP behaviour, over real HTTP against real SQLite files: one binary, one module per area.

mod bad_input;
mod domains;
mod events;
mod idempotency;
mod invitations;
mod lists;
mod memberships;
mod openapi;
mod ops;
mod organizations;
mod panics;
mod ratelimit;
mod role_sets;
mod roles;
mod scim;
mod sessions;
mod smoke;
mod tokens;
mod users;
mod wire;
