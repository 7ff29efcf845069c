//! `--rate-limits` / `ROSTER_RATE_LIMITS`: off by default, parsed strictly, a bad value stops start-up.

use std::process::Command;

use clap::Parser;

use roster_cli::{Cli, Command as Sub};
use roster_server::ratelimit::{Limit, RateLimits};

const BIN: &str = env!("CARGO_BIN_EXE_roster");

fn serve_limits(args: &[&str]) -> RateLimits {
    let cli = Cli::try_parse_from([&["roster", "serve"], args].concat()).expect("parse");
    match cli.command {
        Sub::Serve(serve) => serve.rate_limits,
        other => panic!("not serve: {other:?}"),
    }
}

#[test]
fn off_by_default_and_flag_values() {
    // The flag wins over the environment, so pinning it keeps this test independent of the caller's environment.
    assert_eq!(serve_limits(&["--rate-limits", "off"]), RateLimits::OFF);
    assert_eq!(serve_limits(&["--rate-limits", "clerk"]), RateLimits::CLERK);
    let custom = serve_limits(&["--rate-limits", "instance_development=5/10s,membership_patch=2/1m"]);
    assert_eq!(custom.instance_development, Some(Limit::per_seconds(5, 10)));
    assert_eq!(custom.membership_patch, Some(Limit::per_seconds(2, 60)));
    assert_eq!(custom.instance_production, None);
    let err = Cli::try_parse_from(["roster", "serve", "--rate-limits", "instance=5/10s"]).unwrap_err().to_string();
    assert!(err.contains("unknown key \"instance\""), "{err}");
}

#[test]
fn default_is_off() {
    if std::env::var_os("ROSTER_RATE_LIMITS").is_none() {
        assert_eq!(serve_limits(&[]), RateLimits::OFF);
    }
}

#[test]
fn a_bad_value_fails_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("roster.db").display());
    let run = |env: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(BIN);
        match env {
            Some(value) => cmd.env("ROSTER_RATE_LIMITS", value),
            None => cmd.env_remove("ROSTER_RATE_LIMITS"),
        };
        let out = cmd
            .env("ROSTER_DATABASE_URL", &db)
            .env_remove("ROSTER_SECRET_KEY")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "started with a bad value");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = run(Some("membership_patch=10/10"), &[]);
    assert!(stderr.contains("invalid rate limits \"membership_patch=10/10\""), "{stderr}");
    assert!(stderr.contains("needs a unit"), "{stderr}");
    let stderr = run(None, &["--rate-limits", "fast"]);
    assert!(stderr.contains("invalid rate limits \"fast\""), "{stderr}");
    // Nothing was created: the value is refused before the database is opened.
    assert!(!dir.path().join("roster.db").exists());
}
