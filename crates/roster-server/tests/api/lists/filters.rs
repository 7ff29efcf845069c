//! Membership filters: six members of one organization with distinct identifiers, names and creation
//! dates, plus an outsider (a member of another organization) who matches many of the same filters.

use super::*;

struct Members {
    app: TestApp,
    org: String,
    /// Users 0..6, in `first_name` order (Alice, Bob, Carol, Dave, Erin, Frank).
    u: Vec<String>,
    outsider: String,
}

impl Members {
    /// The member user ids matching `qs`, ordered by first name; asserts `total_count` agrees.
    async fn ids(&self, qs: &str) -> Vec<String> {
        let body =
            get_ok(&self.app, &format!("/organizations/{}/memberships?order_by=first_name&{qs}", self.org)).await;
        let ids = member_user_ids(&body);
        assert_eq!(body["total_count"], ids.len(), "{qs}: {body}");
        ids
    }

    /// Assert that `qs` selects exactly the users at `idx` (in that order).
    async fn expect(&self, qs: &str, idx: &[usize]) {
        assert_eq!(self.ids(qs).await, pick(&self.u, idx), "query: {qs}");
    }
}

async fn members_fixture() -> Members {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Filters Inc"})).await;
    let people = [
        (
            json!({"email_address": ["hello.world@example.com"], "phone_number": ["+15555550101"],
                   "username": "alpha_user", "web3_wallet": [wallet('a')], "first_name": "Alice",
                   "last_name": "Walker", "created_at": "2024-01-01T00:00:00Z"}),
            "org:admin",
            JAN,
        ),
        (
            json!({"email_address": ["bravo@example.org"], "phone_number": ["+442071838750"],
                   "username": "SomeCoolUser", "web3_wallet": [wallet('b')], "first_name": "Bob",
                   "last_name": "Stone", "created_at": "2024-02-01T00:00:00Z"}),
            "org:member",
            FEB,
        ),
        (
            json!({"email_address": ["charlie@sample.net"], "phone_number": ["+15555550103"],
                   "username": "charlie_c", "web3_wallet": [wallet('c')], "first_name": "Carol",
                   "last_name": "Hellman", "created_at": "2024-03-01T00:00:00Z"}),
            "org:member",
            MAR,
        ),
        (
            json!({"email_address": ["delta@example.com"], "username": "delta_d", "first_name": "Dave",
                   "last_name": "Brown", "created_at": "2024-04-01T00:00:00Z"}),
            "org:admin",
            APR,
        ),
        (
            json!({"email_address": ["echo@other.io", "echo.second@other.io"], "phone_number": ["+33142685300"],
                   "username": "echo_e", "web3_wallet": [wallet('e')], "first_name": "Erin",
                   "last_name": "Coolidge", "created_at": "2024-05-01T00:00:00Z"}),
            "org:member",
            MAY,
        ),
        (
            json!({"email_address": ["foxtrot@example.com"], "phone_number": ["+15555550106"],
                   "username": "foxtrot_f", "first_name": "Frank", "last_name": "Miller",
                   "created_at": "2024-06-01T00:00:00Z"}),
            "org:member",
            JUN,
        ),
    ];
    let mut u = Vec::new();
    for (body, role, created_at) in people {
        let user = app.post("/users", body).await.ok().clone();
        assert_eq!(user["created_at"], created_at, "{user}");
        assert_eq!(user["last_active_at"], Value::Null);
        let id = str_of(&user, "id");
        app.add_member(&org, &id, role).await;
        u.push(id);
    }
    // Matches "ello", "555", "@example.com", "Alice", role org:admin... but belongs to another org.
    let outsider = app
        .user(json!({"email_address": ["outsider.hello@example.com"], "phone_number": ["+15555550999"],
                     "username": "outsider_user", "first_name": "Alice", "last_name": "Outsider",
                     "created_at": "2024-01-15T00:00:00Z"}))
        .await;
    let other = app.org(json!({"name": "Elsewhere"})).await;
    app.add_member(&other, &outsider, "org:admin").await;
    Members { app, org, u, outsider }
}

#[tokio::test]
async fn membership_filter_user_id_include_exclude() {
    let f = members_fixture().await;
    let [u0, u1, u2, u3, u4, _] = <[String; 6]>::try_from(f.u.clone()).unwrap();

    f.expect("", &[0, 1, 2, 3, 4, 5]).await;
    // Include, with repeated keys, the `[]` form, and an explicit `+` (encoded, and literal = space).
    f.expect(&format!("user_id={u0}&user_id={u2}"), &[0, 2]).await;
    f.expect(&format!("user_id[]={u0}&user_id[]={u2}"), &[0, 2]).await;
    f.expect(&format!("user_id=%2B{u1}"), &[1]).await;
    f.expect(&format!("user_id=+{u1}"), &[1]).await;
    // Exclude.
    f.expect(&format!("user_id=-{u1}&user_id=-{u3}"), &[0, 2, 4, 5]).await;
    // Mixed: includes narrowed by excludes.
    f.expect(&format!("user_id={u0}&user_id=%2B{u1}&user_id=-{u1}"), &[0]).await;
    f.expect(&format!("user_id={u4}&user_id=-{u0}"), &[4]).await;
    // Unknown ids are ignored; a user of another organization is not a member here.
    f.expect(&format!("user_id={u4}&user_id=user_doesnotexist"), &[4]).await;
    f.expect("user_id=user_doesnotexist", &[]).await;
    f.expect("user_id=-user_doesnotexist", &[0, 1, 2, 3, 4, 5]).await;
    f.expect(&format!("user_id={}", f.outsider), &[]).await;
    // Empty values are ignored.
    f.expect("user_id=", &[0, 1, 2, 3, 4, 5]).await;
}

#[tokio::test]
async fn membership_filter_identifiers_exact() {
    let f = members_fixture().await;

    // email_address: exact, any of the user's addresses, case-insensitive, repeated keys, unknown ignored.
    f.expect(&format!("email_address={}", enc("bravo@example.org")), &[1]).await;
    f.expect("email_address=bravo@example.org", &[1]).await;
    f.expect(
        &format!("email_address={}&email_address={}", enc("bravo@example.org"), enc("FOXTROT@EXAMPLE.COM")),
        &[1, 5],
    )
    .await;
    f.expect(&format!("email_address={}", enc("Hello.World@Example.COM")), &[0]).await;
    f.expect(&format!("email_address={}", enc("echo.second@other.io")), &[4]).await;
    f.expect(&format!("email_address={}", enc("nobody@example.com")), &[]).await;
    f.expect(&format!("email_address={}&email_address={}", enc("nobody@example.com"), enc("delta@example.com")), &[3])
        .await;
    f.expect("email_address=bravo", &[]).await;
    f.expect(&format!("email_address={}", enc("outsider.hello@example.com")), &[]).await;

    // phone_number: exact E.164 (the `+` percent-encoded).
    f.expect("phone_number=%2B15555550103", &[2]).await;
    f.expect("phone_number=%2B15555550101&phone_number=%2B33142685300", &[0, 4]).await;
    f.expect("phone_number=%2B19999999999", &[]).await;
    f.expect("phone_number=%2B19999999999&phone_number=%2B442071838750", &[1]).await;
    f.expect("phone_number=5555550103", &[]).await;
    f.expect("phone_number=%2B15555550999", &[]).await;

    // username: exact, case-insensitive.
    f.expect("username=SOMECOOLUSER", &[1]).await;
    f.expect("username=alpha_user&username=Delta_D", &[0, 3]).await;
    f.expect("username=cooluser", &[]).await;
    f.expect("username=nobody_here&username=echo_e", &[4]).await;

    // web3_wallet: exact, case-insensitive hex.
    f.expect(&format!("web3_wallet=0x{}", "A".repeat(40)), &[0]).await;
    f.expect(&format!("web3_wallet={}&web3_wallet={}", wallet('c'), wallet('e')), &[2, 4]).await;
    f.expect(&format!("web3_wallet={}", wallet('f')), &[]).await;
    f.expect("web3_wallet=0xaaaa", &[]).await;
}

#[tokio::test]
async fn membership_filter_role() {
    let f = members_fixture().await;
    f.expect("role=org:admin", &[0, 3]).await;
    f.expect("role=org%3Aadmin", &[0, 3]).await;
    f.expect("role=org:member", &[1, 2, 4, 5]).await;
    f.expect("role=org:admin&role=org:member", &[0, 1, 2, 3, 4, 5]).await;
    f.expect("role[]=org:admin&role[]=org:member", &[0, 1, 2, 3, 4, 5]).await;
    // An unknown role is no error: it simply matches nobody.
    f.expect("role=org:nonexistent", &[]).await;
    f.expect("role=org:admin&role=org:bogus", &[0, 3]).await;
}

#[tokio::test]
async fn membership_filter_free_text() {
    let f = members_fixture().await;

    // query: partial, case-insensitive, over emails, phones, usernames, wallets, user id and names.
    f.expect("query=%40EXAMPLE.COM", &[0, 3, 5]).await; // email
    f.expect("query=ECHO.SECOND", &[4]).await; // a secondary email
    f.expect(&format!("query={}", enc("+4420718")), &[1]).await; // phone
    f.expect("query=someCOOL", &[1]).await; // username
    f.expect("query=0xcccccc", &[2]).await; // web3 wallet
    f.expect(&format!("query={}", f.u[3].to_uppercase()), &[3]).await; // user id
    f.expect("query=frank", &[5]).await; // first name only (email/username are foxtrot)
    f.expect("query=WALKER", &[0]).await; // last name only
    f.expect("query=zzzz-none", &[]).await;

    // email_address_query.
    f.expect("email_address_query=ELLO", &[0]).await;
    f.expect("email_address_query=%40EXAMPLE.COM", &[0, 3, 5]).await;
    f.expect("email_address_query=second", &[4]).await;
    f.expect("email_address_query=555", &[]).await;

    // phone_number_query.
    f.expect("phone_number_query=555", &[0, 2, 5]).await;
    f.expect(&format!("phone_number_query={}", enc("+44")), &[1]).await;
    f.expect("phone_number_query=0103", &[2]).await;
    f.expect("phone_number_query=ello", &[]).await;

    // username_query.
    f.expect("username_query=CoolUser", &[1]).await;
    f.expect("username_query=_", &[0, 2, 3, 4, 5]).await;
    f.expect("username_query=USER", &[0, 1]).await;
    f.expect("username_query=hello", &[]).await;

    // name_query: first and last names only.
    f.expect("name_query=cool", &[4]).await;
    f.expect("name_query=ALICE", &[0]).await;
    f.expect(&format!("name_query={}", enc("Alice Walker")), &[0]).await;
    f.expect("name_query=an", &[2, 5]).await;
    f.expect("name_query=delta", &[]).await;
}

#[tokio::test]
async fn membership_filter_dates() {
    let f = members_fixture().await;

    // created_at_* bound the USER's created_at (the memberships were all created just now), strictly.
    f.expect(&format!("created_at_before={MAR}"), &[0, 1]).await;
    f.expect(&format!("created_at_after={MAR}"), &[3, 4, 5]).await;
    f.expect(&format!("created_at_after={}&created_at_before={}", JAN + 14 * DAY, MAY + 14 * DAY), &[1, 2, 3, 4]).await;
    f.expect(&format!("created_at_before={JAN}"), &[]).await;
    f.expect(&format!("created_at_after={JUN}"), &[]).await;
    f.expect(&format!("created_at_before={}", JUN + 1), &[0, 1, 2, 3, 4, 5]).await;

    // last_active_at_*: no sessions exist, so every user's last_active_at is null and a bound on it
    // excludes them all (the filters are accepted, not rejected).
    let user = get_ok(&f.app, &format!("/users/{}", f.u[0])).await;
    assert_eq!(user["last_active_at"], Value::Null);
    f.expect("last_active_at_before=4102444800000", &[]).await;
    f.expect("last_active_at_after=0", &[]).await;
    f.expect(&format!("last_active_at_after={JAN}&last_active_at_before={JUN}"), &[]).await;
}

#[tokio::test]
async fn membership_filters_combine_with_and() {
    let f = members_fixture().await;
    f.expect(&format!("role=org:member&phone_number_query=555&created_at_after={FEB}"), &[2, 5]).await;
    f.expect(
        &format!("role=org:member&phone_number_query=555&created_at_after={FEB}&email_address_query=example"),
        &[5],
    )
    .await;
    f.expect("query=example&role=org:admin", &[0, 3]).await;
    f.expect(&format!("user_id=-{}&role=org:member&phone_number_query=555", f.u[5]), &[2]).await;
    f.expect(&format!("user_id={}&user_id={}&role=org:member", f.u[0], f.u[1]), &[1]).await;
    f.expect("username_query=user&name_query=stone", &[1]).await;
    f.expect("username_query=user&name_query=hellman", &[]).await;
    f.expect(&format!("email_address={}&role=org:member", enc("delta@example.com")), &[]).await;
}
