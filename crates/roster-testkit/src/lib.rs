//! What Roster's test suites share (the server's HTTP suite, the SDK suite, the CLI tests):
//!
//! - [`TestApp`]: a real Roster in-process, on a database of its own (a fresh SQLite file, or with
//!   `ROSTER_TEST_BACKEND=postgres` a fresh schema on the server `ROSTER_TEST_POSTGRES_URL` names), served over
//!   real HTTP on an ephemeral port, bootstrapped with the development key [`KEY`];
//! - [`Api`]: an authenticated client of any running Roster (in-process or a `roster serve` process), whose
//!   [`Resp`] asserts Clerk's success and error shapes, with the seeding helpers of [`seed`];
//! - [`json`]: small readers of Clerk's JSON bodies (ids of a page, a string field, sorted lists);
//! - [`receiver::Receiver`]: a webhook receiver on port 0 that records deliveries and fails them on purpose.

pub mod app;
pub mod http;
pub mod json;
pub mod receiver;
pub mod seed;

pub use app::{open_store, TestApp, KEY};
pub use http::{Api, Resp, VERSION};
pub use roster_testdb::TestDb;
