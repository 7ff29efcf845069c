//! The list endpoints: every filter, every sort order (NULLs last, case-insensitive text, ties by id in
//! the same direction), pagination and the 422s of bad list parameters. Fixtures give every user explicit,
//! distinct values so each assertion names exactly which records come back and in which order; orders
//! that depend on server-side timestamps (membership `created_at`) are computed in the test from the
//! returned objects by `(created_at, id)`, as the store breaks ties.

use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;

use roster_testkit::{TestApp, VERSION};

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

/// Percent-encode a query-string value (`+` -> `%2B`, `@` -> `%40`, space -> `+`).
fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The elements of `all` at the positions `idx`, in that order.
fn pick(all: &[String], idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| all[i].clone()).collect()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("no string {key} in {v}")).to_owned()
}

/// `data` of a paginated body.
fn data(body: &Value) -> &Vec<Value> {
    body["data"].as_array().unwrap_or_else(|| panic!("no data array: {body}"))
}

/// The member (user) ids of a membership page.
fn member_user_ids(body: &Value) -> Vec<String> {
    data(body).iter().map(|m| str_of(&m["public_user_data"], "user_id")).collect()
}

/// The object ids of a page (`data[].id`) or of a plain array.
fn object_ids(items: &[Value]) -> Vec<String> {
    items.iter().map(|o| str_of(o, "id")).collect()
}

/// Ids sorted by `(created_at, id)` ascending, as the store orders equal timestamps.
fn by_created(items: &[Value]) -> Vec<String> {
    let mut keyed: Vec<(i64, String)> =
        items.iter().map(|o| (o["created_at"].as_i64().unwrap(), str_of(o, "id"))).collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

fn reversed(v: &[String]) -> Vec<String> {
    v.iter().rev().cloned().collect()
}

/// A descending order from an ascending one whose last `nulls` entries lack the sort key: the rest
/// reverses, the NULLs stay last.
fn descending(asc: &[String], nulls: usize) -> Vec<String> {
    let (present, missing) = asc.split_at(asc.len() - nulls);
    present.iter().rev().chain(missing).cloned().collect()
}

fn wallet(c: char) -> String {
    format!("0x{}", c.to_string().repeat(40))
}

async fn get_ok(app: &TestApp, path: &str) -> Value {
    app.get(path).await.ok().clone()
}

/// Assert a 422 `form_param_value_invalid` naming `param`.
async fn assert_invalid(app: &TestApp, path: &str, param: &str) {
    let r = app.get(path).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), param, "{path}: {}", r.text);
}

// Unix milliseconds of the first of each month of 2024.
const JAN: i64 = 1_704_067_200_000;
const FEB: i64 = 1_706_745_600_000;
const MAR: i64 = 1_709_251_200_000;
const APR: i64 = 1_711_929_600_000;
const MAY: i64 = 1_714_521_600_000;
const JUN: i64 = 1_717_200_000_000;
const DAY: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------------
// Membership filters: six members of one organization with distinct identifiers, names and creation
// dates, plus an outsider (a member of another organization) who matches many of the same filters.
// ---------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------
// Membership orders.
// ---------------------------------------------------------------------------------------------------

/// Five members, each lacking one sort key, with mixed-case values (so byte order differs from the
/// case-insensitive order) and two sharing a first name.
///
/// | # | email             | phone        | username   | first | last   |
/// |---|-------------------|--------------|------------|-------|--------|
/// | 0 | mike@example.com  | +15555550300 | Zulu_user  | beth  | Young  |
/// | 1 | Alpha@example.com | —            | yankee     | Anna  | —      |
/// | 2 | lima@example.com  | +15555550100 | —          | Carl  | adams  |
/// | 3 | —                 | +15555550200 | xray_user  | —     | Baker  |
/// | 4 | bravo@Example.com | +15555550050 | ALPHA_user | Anna  | Zimmer |
struct Ordered {
    app: TestApp,
    org: String,
    users: Vec<String>,
    /// Membership objects, in creation order (index = user index).
    memberships: Vec<Value>,
}

async fn ordered_fixture() -> Ordered {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Sorted"})).await;
    let bodies = [
        json!({"email_address": ["mike@example.com"], "phone_number": ["+15555550300"], "username": "Zulu_user",
               "first_name": "beth", "last_name": "Young", "created_at": "2024-01-03T00:00:00Z"}),
        json!({"email_address": ["Alpha@example.com"], "username": "yankee", "first_name": "Anna",
               "created_at": "2024-01-01T00:00:00Z"}),
        json!({"email_address": ["lima@example.com"], "phone_number": ["+15555550100"], "first_name": "Carl",
               "last_name": "adams", "created_at": "2024-01-05T00:00:00Z"}),
        json!({"phone_number": ["+15555550200"], "username": "xray_user", "last_name": "Baker",
               "created_at": "2024-01-02T00:00:00Z"}),
        json!({"email_address": ["bravo@Example.com"], "phone_number": ["+15555550050"], "username": "ALPHA_user",
               "first_name": "Anna", "last_name": "Zimmer", "created_at": "2024-01-04T00:00:00Z"}),
    ];
    let mut users = Vec::new();
    let mut memberships = Vec::new();
    for body in bodies {
        let id = app.user(body).await;
        memberships.push(app.add_member(&org, &id, "org:member").await);
        users.push(id);
    }
    Ordered { app, org, users, memberships }
}

impl Ordered {
    async fn list(&self, qs: &str) -> Vec<String> {
        let body = get_ok(&self.app, &format!("/organizations/{}/memberships?{qs}", self.org)).await;
        assert_eq!(body["total_count"], 5, "{body}");
        member_user_ids(&body)
    }
}

#[tokio::test]
async fn membership_order_by_text_fields_nulls_last() {
    let f = ordered_fixture().await;
    let mid = |i: usize| str_of(&f.memberships[i], "id");
    // The two Annas (1 and 4) tie on first_name: broken by membership id, in the sort's direction.
    let (a, b) = if mid(1) < mid(4) { (1, 4) } else { (4, 1) };
    let cases: [(&str, Vec<usize>); 5] = [
        ("email_address", vec![1, 4, 2, 0, 3]),
        ("phone_number", vec![4, 2, 3, 0, 1]),
        ("first_name", vec![a, b, 0, 2, 3]),
        ("last_name", vec![2, 3, 0, 4, 1]),
        ("username", vec![4, 3, 1, 0, 2]),
    ];
    for (field, asc_idx) in cases {
        let asc = pick(&f.users, &asc_idx);
        // Exactly one user lacks each field: last in both directions.
        let desc = descending(&asc, 1);
        assert_eq!(f.list(&format!("order_by={field}")).await, asc, "order_by={field}");
        assert_eq!(f.list(&format!("order_by=%2B{field}")).await, asc, "order_by=%2B{field}");
        assert_eq!(f.list(&format!("order_by=+{field}")).await, asc, "order_by=+{field} (literal plus)");
        assert_eq!(f.list(&format!("order_by=-{field}")).await, desc, "order_by=-{field}");
    }
}

#[tokio::test]
async fn membership_order_by_created_at_and_default() {
    let f = ordered_fixture().await;
    // The membership's created_at (not the user's), ties by membership id.
    let asc = by_created(&f.memberships);
    let desc = reversed(&asc);
    let list = |qs: String| {
        let app = &f.app;
        let org = &f.org;
        async move {
            let body = get_ok(app, &format!("/organizations/{org}/memberships?{qs}")).await;
            object_ids(data(&body))
        }
    };
    assert_eq!(list(String::new()).await, desc, "default is -created_at");
    assert_eq!(list("order_by=-created_at".into()).await, desc);
    assert_eq!(list("order_by=created_at".into()).await, asc);
    assert_eq!(list("order_by=%2Bcreated_at".into()).await, asc);
    assert_eq!(list("order_by=+created_at".into()).await, asc);
    // An empty order_by is the default.
    assert_eq!(list("order_by=".into()).await, desc);
    // The listed objects are the ones created.
    let body = get_ok(&f.app, &format!("/organizations/{}/memberships?order_by=created_at", f.org)).await;
    assert_eq!(data(&body).len(), 5);
    for got in data(&body) {
        let want = f.memberships.iter().find(|m| m["id"] == got["id"]).unwrap();
        assert_eq!(got["created_at"], want["created_at"]);
        assert_eq!(got["public_user_data"]["user_id"], want["public_user_data"]["user_id"]);
    }
}

#[tokio::test]
async fn membership_order_ties_are_stable_across_calls_and_pages() {
    let f = ordered_fixture().await;
    for order in ["first_name", "-first_name", "created_at", "-created_at"] {
        let full = f.list(&format!("order_by={order}")).await;
        for _ in 0..3 {
            assert_eq!(f.list(&format!("order_by={order}")).await, full, "{order} repeated");
        }
        for size in [1, 2] {
            let mut walked = Vec::new();
            let mut offset = 0;
            while offset < 5 {
                let page = f.list(&format!("order_by={order}&limit={size}&offset={offset}")).await;
                assert_eq!(page.len(), size.min(5 - offset), "{order} limit={size} offset={offset}");
                walked.extend(page);
                offset += size;
            }
            assert_eq!(walked, full, "{order} walked in pages of {size}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Membership pagination and parameter errors.
// ---------------------------------------------------------------------------------------------------

struct Paged {
    app: TestApp,
    org: String,
    /// Users 0..12 in email order (member00@... .. member11@...).
    u: Vec<String>,
    memberships: Vec<Value>,
}

async fn paged_fixture() -> Paged {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Many Members"})).await;
    let mut u = Vec::new();
    let mut memberships = Vec::new();
    for i in 0..12 {
        let id = app.user_with_email(&format!("member{i:02}@example.com")).await;
        let role = if i % 4 == 0 { "org:admin" } else { "org:member" };
        memberships.push(app.add_member(&org, &id, role).await);
        u.push(id);
    }
    Paged { app, org, u, memberships }
}

impl Paged {
    async fn page(&self, qs: &str) -> (Vec<String>, Value) {
        let body = get_ok(&self.app, &format!("/organizations/{}/memberships?{qs}", self.org)).await;
        (member_user_ids(&body), body["total_count"].clone())
    }
}

#[tokio::test]
async fn membership_pagination() {
    let f = paged_fixture().await;
    let all: Vec<usize> = (0..12).collect();

    // Default limit is 10, default order newest membership first.
    let body = get_ok(&f.app, &format!("/organizations/{}/memberships", f.org)).await;
    assert_eq!(body["total_count"], 12);
    let newest_first = reversed(&by_created(&f.memberships));
    assert_eq!(object_ids(data(&body)), newest_first[..10].to_vec());

    let (ids, total) = f.page("order_by=email_address&limit=500").await;
    assert_eq!((ids, total), (pick(&f.u, &all), json!(12)));
    let (ids, total) = f.page("order_by=email_address&limit=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[0]), json!(12)));
    let (ids, _) = f.page("order_by=email_address&limit=1&offset=11").await;
    assert_eq!(ids, pick(&f.u, &[11]));
    let (ids, _) = f.page("order_by=email_address&limit=5&offset=10").await;
    assert_eq!(ids, pick(&f.u, &[10, 11]));
    let (ids, _) = f.page("order_by=email_address&offset=3").await;
    assert_eq!(ids, pick(&f.u, &[3, 4, 5, 6, 7, 8, 9, 10, 11]));
    // Past the end: an empty page, still the full count.
    for offset in [12, 100] {
        let (ids, total) = f.page(&format!("order_by=email_address&offset={offset}")).await;
        assert_eq!((ids, total), (vec![], json!(12)), "offset={offset}");
    }
    // Empty limit/offset values fall back to the defaults.
    let (ids, _) = f.page("order_by=email_address&limit=&offset=").await;
    assert_eq!(ids, pick(&f.u, &all[..10]));

    // Walking pages of 3 returns every member exactly once, in order.
    for order in ["email_address", "-email_address", "created_at", "-created_at"] {
        let (full, _) = f.page(&format!("order_by={order}&limit=500")).await;
        let mut walked = Vec::new();
        for offset in (0..12).step_by(3) {
            let (ids, total) = f.page(&format!("order_by={order}&limit=3&offset={offset}")).await;
            assert_eq!(ids.len(), 3);
            assert_eq!(total, 12);
            walked.extend(ids);
        }
        assert_eq!(walked, full, "{order}");
    }
    let mut sorted = f.page("limit=500").await.0;
    sorted.sort();
    let mut expected = f.u.clone();
    expected.sort();
    assert_eq!(sorted, expected);

    // total_count counts every match regardless of limit and offset.
    let (ids, total) = f.page("role=org:admin&order_by=email_address&limit=1&offset=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[4]), json!(3)));
    let (ids, total) = f.page("role=org:admin&order_by=email_address&offset=3").await;
    assert_eq!((ids, total), (vec![], json!(3)));
    let (ids, total) = f.page("email_address_query=member1&order_by=-email_address&limit=1").await;
    assert_eq!((ids, total), (pick(&f.u, &[11]), json!(2)));
}

#[tokio::test]
async fn membership_list_parameter_errors() {
    let f = paged_fixture().await;
    let base = format!("/organizations/{}/memberships", f.org);

    for bad in ["0", "501", "-1", "10.0", "abc", "1e2", "%2B"] {
        assert_invalid(&f.app, &format!("{base}?limit={bad}"), "limit").await;
    }
    for bad in ["-1", "abc", "1.5"] {
        assert_invalid(&f.app, &format!("{base}?offset={bad}"), "offset").await;
    }
    for bad in ["name", "-foo", "--created_at", "-", "%2B", "created", "role", "web3wallet"] {
        assert_invalid(&f.app, &format!("{base}?order_by={bad}"), "order_by").await;
    }
    for param in ["created_at_before", "created_at_after", "last_active_at_before", "last_active_at_after"] {
        for bad in ["abc", "1.5", "2024-01-01"] {
            assert_invalid(&f.app, &format!("{base}?{param}={bad}"), param).await;
        }
    }

    // Array filters take at most 100 values.
    let fake = |n: usize, key: &str| (0..n).map(|i| format!("{key}=user_fake{i:03}")).collect::<Vec<_>>().join("&");
    let r = f.app.get(&format!("{base}?{}", fake(101, "user_id"))).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "user_id");
    // `user_id` and `user_id[]` count together.
    let r = f.app.get(&format!("{base}?{}&{}", fake(50, "user_id"), fake(51, "user_id[]"))).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "user_id");
    // Exactly 100 is fine.
    let (ids, total) = f.page(&format!("{}&user_id={}", fake(99, "user_id"), f.u[7])).await;
    assert_eq!((ids, total), (pick(&f.u, &[7]), json!(1)));
    let (ids, _) = f.page(&format!("{}&user_id=-{}&order_by=email_address", fake(99, "user_id"), f.u[7])).await;
    assert_eq!(ids, Vec::<String>::new());

    let many = |key: &str, n: usize| (0..n).map(|i| format!("{key}=v{i}")).collect::<Vec<_>>().join("&");
    for key in ["role", "email_address", "phone_number", "username", "web3_wallet"] {
        let r = f.app.get(&format!("{base}?{}", many(key, 101))).await;
        r.err(422, "form_param_array_size_exceeded");
        assert_eq!(r.param(), key);
        let (ids, total) = f.page(&many(key, 100)).await;
        assert_eq!((ids, total), (vec![], json!(0)), "{key} x100");
    }

    // An unknown organization is a 404.
    f.app.get("/organizations/org_doesnotexist/memberships").await.err(404, "resource_not_found");
}

// ---------------------------------------------------------------------------------------------------
// Instance-wide memberships.
// ---------------------------------------------------------------------------------------------------

#[tokio::test]
async fn instance_memberships_order_and_pagination_across_orgs() {
    let app = TestApp::spawn().await;
    let emails = ["delta@example.com", "Alpha@example.com", "charlie@example.com", "bravo@example.com"];
    let mut users = Vec::new();
    for e in emails {
        users.push(app.user_with_email(e).await);
    }
    let orgs = [
        app.org(json!({"name": "One"})).await,
        app.org(json!({"name": "Two"})).await,
        app.org(json!({"name": "Three"})).await,
    ];
    let plan = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 3), (2, 0)];
    let mut memberships = Vec::new();
    for (o, u) in plan {
        memberships.push(app.add_member(&orgs[o], &users[u], "org:member").await);
    }

    let list = |qs: String| {
        let app = &app;
        async move {
            let body = get_ok(app, &format!("/organization_memberships?{qs}")).await;
            (object_ids(data(&body)), body["total_count"].clone())
        }
    };

    // Default: newest membership first, across organizations.
    let asc = by_created(&memberships);
    let desc = reversed(&asc);
    assert_eq!(list(String::new()).await, (desc.clone(), json!(6)));
    assert_eq!(list("order_by=created_at".into()).await, (asc.clone(), json!(6)));

    // By email (case-insensitive), ties (the same user in two orgs) by membership id.
    let mut keyed: Vec<(String, String)> = memberships
        .iter()
        .map(|m| {
            let user = m["public_user_data"]["user_id"].as_str().unwrap();
            let i = users.iter().position(|u| u == user).unwrap();
            (emails[i].to_lowercase(), str_of(m, "id"))
        })
        .collect();
    keyed.sort();
    let by_email: Vec<String> = keyed.into_iter().map(|(_, id)| id).collect();
    assert_eq!(list("order_by=email_address".into()).await, (by_email.clone(), json!(6)));
    assert_eq!(list("order_by=%2Bemail_address".into()).await, (by_email.clone(), json!(6)));
    assert_eq!(list("order_by=-email_address".into()).await, (reversed(&by_email), json!(6)));

    // Pages.
    assert_eq!(list("order_by=email_address&limit=4".into()).await, (by_email[..4].to_vec(), json!(6)));
    assert_eq!(list("order_by=email_address&limit=4&offset=4".into()).await, (by_email[4..].to_vec(), json!(6)));
    assert_eq!(list("offset=6".into()).await, (vec![], json!(6)));
    let mut walked = Vec::new();
    for offset in [0, 2, 4] {
        let (ids, total) = list(format!("limit=2&offset={offset}")).await;
        assert_eq!(total, 6);
        walked.extend(ids);
    }
    assert_eq!(walked, desc);

    // Each membership carries its own organization.
    let body = get_ok(&app, "/organization_memberships?order_by=created_at&limit=500").await;
    for m in data(&body) {
        let original = memberships.iter().find(|x| x["id"] == m["id"]).unwrap();
        assert_eq!(m["organization"]["id"], original["organization"]["id"]);
    }

    // Bad parameters.
    assert_invalid(&app, "/organization_memberships?limit=0", "limit").await;
    assert_invalid(&app, "/organization_memberships?limit=501", "limit").await;
    assert_invalid(&app, "/organization_memberships?offset=-1", "offset").await;
    assert_invalid(&app, "/organization_memberships?order_by=name", "order_by").await;

    // Another instance sees none of them.
    let other = app.other_instance(Environment::Development).await;
    let rb = app
        .client
        .request(Method::GET, app.url("/organization_memberships"))
        .bearer_auth(&other)
        .header("Clerk-API-Version", VERSION);
    let body = app.send(rb).await.ok().clone();
    assert_eq!(body, json!({"data": [], "total_count": 0}));
}

// ---------------------------------------------------------------------------------------------------
// Users.
// ---------------------------------------------------------------------------------------------------

/// | # | email               | username  | external_id | first  | last   | created_at |
/// |---|---------------------|-----------|-------------|--------|--------|------------|
/// | 0 | mallory@example.com | mallory_m | ext-0       | Xena   | Adams  | 2023-01-01 |
/// | 1 | alice@example.com   | alice_a   | ext-1       | bruno  | Brooks | 2023-02-01 |
/// | 2 | zed@sample.org      | zed_z     | ext-2       | Carmen | Clarke | 2023-03-01 |
/// | 3 | bob@example.com     | bob_b     | —           | Yuri   | Davies | 2023-04-01 |
/// | 4 | oscar@sample.org    | oscar_o   | ext-4       | Anton  | Evans  | 2023-05-01 |
#[tokio::test]
async fn users_list_filters_order_pagination_and_count() {
    let app = TestApp::spawn().await;
    let rows = [
        ("mallory@example.com", "mallory_m", Some("ext-0"), "Xena", "Adams", "2023-01-01T00:00:00Z"),
        ("alice@example.com", "alice_a", Some("ext-1"), "bruno", "Brooks", "2023-02-01T00:00:00Z"),
        ("zed@sample.org", "zed_z", Some("ext-2"), "Carmen", "Clarke", "2023-03-01T00:00:00Z"),
        ("bob@example.com", "bob_b", None, "Yuri", "Davies", "2023-04-01T00:00:00Z"),
        ("oscar@sample.org", "oscar_o", Some("ext-4"), "Anton", "Evans", "2023-05-01T00:00:00Z"),
    ];
    let mut u = Vec::new();
    for (email, username, external_id, first, last, created) in rows {
        let mut body = json!({"email_address": [email], "username": username, "first_name": first,
                              "last_name": last, "created_at": created});
        if let Some(x) = external_id {
            body["external_id"] = json!(x);
        }
        u.push(app.user(body).await);
    }
    let org1 = app.org(json!({"name": "First"})).await;
    let org2 = app.org(json!({"name": "Second"})).await;
    app.add_member(&org1, &u[0], "org:admin").await;
    app.add_member(&org1, &u[1], "org:member").await;
    app.add_member(&org2, &u[1], "org:admin").await;
    app.add_member(&org2, &u[4], "org:member").await;

    let list = |qs: String| {
        let app = &app;
        async move {
            let body = get_ok(app, &format!("/users?{qs}")).await;
            let items = body.as_array().unwrap_or_else(|| panic!("/users?{qs}: not a plain array: {body}"));
            object_ids(items)
        }
    };
    let count = |qs: String| {
        let app = &app;
        async move { get_ok(app, &format!("/users/count?{qs}")).await }
    };
    let expect = |qs: &'static str, idx: &'static [usize]| {
        let list = &list;
        let count = &count;
        let u = &u;
        async move {
            assert_eq!(list(qs.to_owned()).await, pick(u, idx), "/users?{qs}");
            assert_eq!(
                count(qs.to_owned()).await,
                json!({"object": "total_count", "total_count": idx.len()}),
                "/users/count?{qs}"
            );
        }
    };

    // A plain array, newest user first.
    let body = get_ok(&app, "/users").await;
    assert!(body.is_array() && body.get("data").is_none(), "{body}");
    expect("", &[4, 3, 2, 1, 0]).await;

    // Orders.
    assert_eq!(list("order_by=-created_at".into()).await, pick(&u, &[4, 3, 2, 1, 0]));
    assert_eq!(list("order_by=created_at".into()).await, pick(&u, &[0, 1, 2, 3, 4]));
    assert_eq!(list("order_by=%2Bemail_address".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=+email_address".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=-email_address".into()).await, pick(&u, &[2, 4, 0, 3, 1]));
    assert_eq!(list("order_by=%2Bfirst_name".into()).await, pick(&u, &[4, 1, 2, 0, 3]));
    assert_eq!(list("order_by=-first_name".into()).await, pick(&u, &[3, 0, 2, 1, 4]));
    assert_eq!(list("order_by=username".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=-last_name".into()).await, pick(&u, &[4, 3, 2, 1, 0]));
    // Only the first order_by counts (spec: `order_by=username&order_by=created_at` sorts by username).
    assert_eq!(list("order_by=username&order_by=-created_at".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_eq!(list("order_by=&order_by=username".into()).await, pick(&u, &[1, 3, 0, 4, 2]));
    assert_invalid(&app, "/users?order_by=name", "order_by").await;
    assert_invalid(&app, "/users?order_by=-foo", "order_by").await;

    // Pages.
    assert_eq!(list("limit=2".into()).await, pick(&u, &[4, 3]));
    assert_eq!(list("limit=2&offset=2".into()).await, pick(&u, &[2, 1]));
    assert_eq!(list("limit=2&offset=4".into()).await, pick(&u, &[0]));
    assert_eq!(list("offset=5".into()).await, Vec::<String>::new());
    assert_eq!(list("order_by=email_address&limit=3&offset=1".into()).await, pick(&u, &[3, 0, 4]));
    assert_invalid(&app, "/users?limit=0", "limit").await;
    assert_invalid(&app, "/users?limit=501", "limit").await;
    assert_invalid(&app, "/users?offset=-1", "offset").await;

    // Filters (the same on /users and /users/count).
    expect("email_address=ALICE%40EXAMPLE.COM", &[1]).await;
    expect("email_address=alice@example.com&email_address=oscar@sample.org", &[4, 1]).await;
    expect("email_address=nobody@example.com", &[]).await;
    expect("username=zed_z&username=BOB_B", &[3, 2]).await;
    expect("external_id=ext-0&external_id=ext-4", &[4, 0]).await;
    expect("external_id=ext-3", &[]).await;
    expect("query=sample.org", &[4, 2]).await;
    expect("query=DAVIES", &[3]).await;
    expect("query=ALICE_A", &[1]).await;
    expect("name_query=en", &[2, 0]).await;
    expect("name_query=carmen+clarke", &[2]).await;
    expect("name_query=clarke", &[2]).await;
    expect("email_address_query=EXAMPLE", &[3, 1, 0]).await;
    expect("username_query=_O", &[4]).await;
    let ids = |idx: &[usize], sign: &str, key: &str| {
        idx.iter().map(|&i| format!("{key}={sign}{}", u[i])).collect::<Vec<_>>().join("&")
    };
    let expect_dyn = |qs: String, idx: Vec<usize>| {
        let list = &list;
        let count = &count;
        let u = &u;
        async move {
            assert_eq!(list(qs.clone()).await, pick(u, &idx), "/users?{qs}");
            assert_eq!(count(qs.clone()).await["total_count"], idx.len(), "/users/count?{qs}");
        }
    };
    expect_dyn(ids(&[0, 2], "", "user_id"), vec![2, 0]).await;
    expect_dyn(ids(&[0], "-", "user_id"), vec![4, 3, 2, 1]).await;
    expect_dyn(ids(&[0, 1], "%2B", "user_id"), vec![1, 0]).await;
    expect_dyn(format!("{}&{}", ids(&[0, 1, 2], "", "user_id"), ids(&[1], "-", "user_id")), vec![2, 0]).await;
    expect_dyn(format!("organization_id={org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id={org1}&organization_id={org2}"), vec![4, 1, 0]).await;
    expect_dyn("organization_id=org_doesnotexist".into(), vec![]).await;
    // `+` includes and `-` excludes organizations, as for user_id.
    expect_dyn(format!("organization_id=%2B{org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id=+{org1}"), vec![1, 0]).await;
    expect_dyn(format!("organization_id=-{org1}"), vec![4, 3, 2]).await;
    expect_dyn(format!("organization_id=-{org1}&organization_id=-{org2}"), vec![3, 2]).await;
    expect_dyn(format!("organization_id={org2}&organization_id=-{org1}"), vec![4]).await;
    expect_dyn("organization_id=-org_doesnotexist".into(), vec![4, 3, 2, 1, 0]).await;
    expect_dyn(format!("organization_id={org2}&email_address_query=sample"), vec![4]).await;
    expect_dyn(format!("created_at_before={}", 1_677_628_800_000i64), vec![1, 0]).await; // < 2023-03-01
    expect_dyn(format!("created_at_after={}", 1_677_628_800_000i64), vec![4, 3]).await;

    // banned.
    let banned = app.post(&format!("/users/{}/ban", u[3]), json!({})).await.ok().clone();
    assert_eq!(banned["banned"], true);
    expect("banned=true", &[3]).await;
    expect("banned=1", &[3]).await;
    expect("banned=false", &[4, 2, 1, 0]).await;
    expect("banned=true&query=example.com", &[3]).await;
    expect("banned=true&query=sample.org", &[]).await;
    assert_invalid(&app, "/users?banned=maybe", "banned").await;
    app.get("/users/count?banned=maybe").await.err(422, "form_param_value_invalid");

    // Count ignores paging.
    assert_eq!(count("limit=1&offset=3".into()).await["total_count"], 5);
}

// ---------------------------------------------------------------------------------------------------
// Organizations.
// ---------------------------------------------------------------------------------------------------

/// | # | name             | slug       | created_at | members        |
/// |---|------------------|------------|------------|----------------|
/// | 0 | Acme Corp        | acme-corp  | 2024-01-01 | m0, m1, m2 (3) |
/// | 1 | beta Labs        | beta-labs  | 2024-02-01 | m0 (1)         |
/// | 2 | Gamma Industries | gamma-inc  | 2024-03-01 | m1, m2 (2)     |
/// | 3 | acme west        | west-coast | 2024-04-01 | none (0)       |
#[tokio::test]
async fn organizations_list_filters_order_and_pagination() {
    let app = TestApp::spawn().await;
    let rows = [
        ("Acme Corp", "acme-corp", "2024-01-01T00:00:00Z"),
        ("beta Labs", "beta-labs", "2024-02-01T00:00:00Z"),
        ("Gamma Industries", "gamma-inc", "2024-03-01T00:00:00Z"),
        ("acme west", "west-coast", "2024-04-01T00:00:00Z"),
    ];
    let mut o = Vec::new();
    for (name, slug, created_at) in rows {
        let org = app.post("/organizations", json!({"name": name, "slug": slug, "created_at": created_at})).await;
        o.push(str_of(org.ok(), "id"));
    }
    let m: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(app.user_with_email(&format!("m{i}@example.com")).await);
        }
        v
    };
    for (org, user) in [(0, 0), (0, 1), (0, 2), (1, 0), (2, 1), (2, 2)] {
        app.add_member(&o[org], &m[user], "org:admin").await;
    }

    let page = |qs: String| {
        let app = &app;
        async move { get_ok(app, &format!("/organizations?{qs}")).await }
    };
    let expect = |qs: String, idx: Vec<usize>| {
        let page = &page;
        let o = &o;
        async move {
            let body = page(qs.clone()).await;
            assert_eq!(object_ids(data(&body)), pick(o, &idx), "/organizations?{qs}");
            assert_eq!(body["total_count"], idx.len(), "/organizations?{qs}");
        }
    };

    // Default order: newest first.
    expect(String::new(), vec![3, 2, 1, 0]).await;

    // query: exact id (any case), partial name, partial slug; a partial id matches nothing.
    expect(format!("query={}", o[2]), vec![2]).await;
    expect(format!("query={}", o[2].to_uppercase()), vec![2]).await;
    expect(format!("query={}", &o[2][..12]), vec![]).await;
    expect("query=ACME".into(), vec![3, 0]).await;
    expect("query=labs".into(), vec![1]).await;
    expect("query=inc".into(), vec![2]).await; // slug only ("Gamma Industries")
    expect("query=COAST".into(), vec![3]).await; // slug only ("acme west")
    expect("query=me+w".into(), vec![3]).await; // "acme west", space decoded from +
    expect("query=zzz".into(), vec![]).await;

    // user_id: organizations the user belongs to (+), or does not (-).
    expect(format!("user_id={}", m[0]), vec![1, 0]).await;
    expect(format!("user_id=%2B{}", m[0]), vec![1, 0]).await;
    expect(format!("user_id=+{}", m[0]), vec![1, 0]).await;
    expect(format!("user_id={}&user_id={}", m[0], m[1]), vec![2, 1, 0]).await;
    expect(format!("user_id=-{}", m[0]), vec![3, 2]).await;
    expect(format!("user_id=-{}&user_id=-{}", m[0], m[1]), vec![3]).await;
    expect(format!("user_id={}&user_id=-{}", m[1], m[0]), vec![2]).await;
    expect("user_id=user_doesnotexist".into(), vec![]).await;

    // organization_id.
    expect(format!("organization_id={}&organization_id={}", o[0], o[1]), vec![1, 0]).await;
    expect(format!("organization_id=%2B{}", o[2]), vec![2]).await;
    expect(format!("organization_id=-{}", o[0]), vec![3, 2, 1]).await;
    expect(format!("organization_id={}&organization_id={}&organization_id=-{}", o[0], o[1], o[0]), vec![1]).await;
    expect("organization_id=org_doesnotexist".into(), vec![]).await;

    // Combined.
    expect(format!("query=acme&user_id={}", m[0]), vec![0]).await;
    expect(format!("query=a&organization_id=-{}&user_id=-{}", o[3], m[0]), vec![2]).await;

    // Orders.
    expect("order_by=name".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=%2Bname".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=+name".into(), vec![0, 3, 1, 2]).await;
    expect("order_by=-name".into(), vec![2, 1, 3, 0]).await;
    expect("order_by=created_at".into(), vec![0, 1, 2, 3]).await;
    expect("order_by=-created_at".into(), vec![3, 2, 1, 0]).await;
    expect("order_by=members_count".into(), vec![3, 1, 2, 0]).await;
    expect("order_by=-members_count".into(), vec![0, 2, 1, 3]).await;
    assert_invalid(&app, "/organizations?order_by=slug", "order_by").await;
    assert_invalid(&app, "/organizations?order_by=-foo", "order_by").await;

    // members_count only when asked for.
    let body = page("order_by=created_at&include_members_count=true".into()).await;
    let counts: Vec<Value> = data(&body).iter().map(|x| x["members_count"].clone()).collect();
    assert_eq!(counts, vec![json!(3), json!(1), json!(2), json!(0)]);
    for qs in ["", "include_members_count=false"] {
        let body = page(qs.into()).await;
        assert!(data(&body).iter().all(|x| x.get("members_count").is_none()), "{qs}: {body}");
    }
    assert_invalid(&app, "/organizations?include_members_count=maybe", "include_members_count").await;

    // Pagination and total_count.
    expect("limit=500".into(), vec![3, 2, 1, 0]).await;
    let body = page("limit=2".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[3, 2]), json!(4)));
    let body = page("limit=2&offset=2".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[1, 0]), json!(4)));
    let body = page("order_by=name&limit=1&offset=3".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[2]), json!(4)));
    let body = page("offset=4".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (vec![], json!(4)));
    let body = page("query=acme&limit=1".into()).await;
    assert_eq!((object_ids(data(&body)), body["total_count"].clone()), (pick(&o, &[3]), json!(2)));
    assert_invalid(&app, "/organizations?limit=0", "limit").await;
    assert_invalid(&app, "/organizations?limit=abc", "limit").await;
    assert_invalid(&app, "/organizations?offset=-5", "offset").await;
    let many = (0..101).map(|i| format!("organization_id=org_fake{i}")).collect::<Vec<_>>().join("&");
    let r = app.get(&format!("/organizations?{many}")).await;
    r.err(422, "form_param_array_size_exceeded");
    assert_eq!(r.param(), "organization_id");
}

/// A literal `+` in a query string decodes to a space; phone filters read a leading space back as `+`.
#[tokio::test]
async fn literal_plus_in_phone_filters_means_plus() {
    let app = TestApp::spawn().await;
    let owner = app.user(json!({"phone_number": ["+15555550100"]})).await;
    let other = app.user(json!({"phone_number": ["+15555550199"]})).await;
    let org = app.org(json!({"name": "Phones", "created_by": owner})).await;
    app.add_member(&org, &other, "org:member").await;
    for query in ["phone_number=+15555550100", "phone_number=%2B15555550100", "phone_number_query=+1555555010"] {
        let page = app.get(&format!("/organizations/{org}/memberships?{query}")).await;
        let ids: Vec<&str> = page.ok()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["public_user_data"]["user_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![owner.as_str()], "{query}");
    }
}

/// A NUL in `query=` is a character like any other (found by fuzzing: SQLite's FTS5 ended the query there and the
/// lists answered 500).
#[tokio::test]
async fn free_text_query_may_hold_a_nul() {
    // No backend stores U+0000 (PostgreSQL cannot): bodies holding it anywhere are refused, so a filter holding it
    // matches nothing, on SQLite and PostgreSQL alike.
    let app = TestApp::spawn().await;
    let r = app.post("/users", json!({"first_name": "Ab\u{0}Cde"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "first_name");
    let r = app.post("/users", json!({"public_metadata": {"nested": ["ok", "n\u{0}"]}})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "public_metadata");
    let user = app.user(json!({"first_name": "Abcde"})).await;
    let r = app.patch(&format!("/users/{user}"), json!({"last_name": "x\u{0}"})).await;
    r.err(422, "form_param_value_invalid");
    let org = app.org(json!({"name": "Nul", "created_by": user})).await;
    for query in ["b%00cd", "%00%00%00", "b%00c", "abcde%00"] {
        let users = app.get(&format!("/users?query={query}")).await;
        assert_eq!(users.ok().as_array().unwrap().len(), 0, "/users?query={query}");
        let members = app.get(&format!("/organizations/{org}/memberships?query={query}")).await;
        assert_eq!(members.ok()["total_count"], 0, "memberships?query={query}");
        let members = app.get(&format!("/organizations/{org}/memberships?user_id={user}%00")).await;
        assert_eq!(members.ok()["total_count"], 0);
    }
    // Without the NUL the same searches find the user: the filters did run.
    assert_eq!(app.get("/users?query=bcd").await.ok().as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/users/{user}")).await.ok()["last_name"], Value::Null);
}

/// Text sorts are the same on both backends: ASCII letters fold to lower case (and nothing else does), then
/// ties compare by bytes (PostgreSQL's columns use the "C" collation to match SQLite), whatever the database's
/// locale would say about accents.
#[tokio::test]
async fn text_order_folds_ascii_only_then_compares_bytes() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Collation"})).await;
    let names = ["émile", "Zoe", "zara", "Émile", "ábel", "adam", "Adam", "Ærø"];
    let mut ids = std::collections::HashMap::new();
    for name in names {
        let user = app.user(json!({"first_name": name})).await;
        app.add_member(&org, &user, "org:member").await;
        ids.insert(user, name);
    }
    let listed = |order: &'static str| {
        let (app, org, ids) = (&app, &org, &ids);
        async move {
            let body = app.get(&format!("/organizations/{org}/memberships?order_by={order}")).await;
            body.ok()["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| ids[m["public_user_data"]["user_id"].as_str().unwrap()])
                .collect::<Vec<_>>()
        }
    };
    // "adam" and "Adam" fold together and then "A" (0x41) < "a" (0x61); non-ASCII initials sort by their UTF-8
    // bytes after every ASCII letter: Æ (c3 86) < É (c3 89) < á (c3 a1) < é (c3 a9).
    let ascending = ["Adam", "adam", "zara", "Zoe", "Ærø", "Émile", "ábel", "émile"];
    assert_eq!(listed("first_name").await, ascending);
    let mut descending = ascending;
    descending.reverse();
    assert_eq!(listed("-first_name").await, descending);
    // The same rule in the instance-wide user list.
    let users = app.get("/users?order_by=first_name&limit=20").await;
    let firsts: Vec<&str> = users.ok().as_array().unwrap().iter().map(|u| u["first_name"].as_str().unwrap()).collect();
    assert_eq!(firsts, ascending);
}
