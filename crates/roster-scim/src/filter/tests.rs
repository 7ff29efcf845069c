use super::*;
use crate::ResourceKind::{Group, User};
use serde_json::{json, Value};

const E: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", E],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "ExtID",
        "userName": "BJensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "title": "Tour Guide",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        E: {"department": "Tour Operations", "employeeNumber": "701984"},
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z",
            "version": "W/\"3\""
        }
    })
}

fn m(f: &str) -> bool {
    let parsed = parse_for(User, f).unwrap_or_else(|e| panic!("{f}: {e}"));
    matches(User, &parsed, &user())
}

#[test]
fn parse_errors_are_invalid_filter() {
    for bad in [
        "",
        "userName",
        "userName eq",
        "userName xx \"a\"",
        "userName eq \"unterminated",
        "(userName eq \"a\"",
        "emails[type eq \"work\"",
        "a.b.c eq 1",
        "1abc eq \"x\"",
        "and or not",
    ] {
        let e = parse(bad).expect_err(bad);
        assert_eq!((e.status, e.scim_type), (400, Some("invalidFilter")), "{bad}");
    }
    let deep = format!("{}userName pr{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(parse(&deep).unwrap_err().scim_type, Some("invalidFilter"));
    let many = vec!["userName pr"; 2000].join(" or ");
    assert_eq!(parse(&many).unwrap_err().scim_type, Some("invalidFilter"));
}

#[test]
fn validate_rejects_unknown_attributes() {
    for bad in [
        "nosuch eq \"x\"",
        "name.nosuch eq \"x\"",
        "userName.x eq \"x\"",
        "emails[nosuch eq \"x\"]",
        "title[value eq \"x\"]",
        "members eq \"x\"",
        "active gt true",
        "name eq \"x\"",
        "urn:example:other:2.0:User:userName eq \"x\"",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nosuch eq \"x\"",
    ] {
        let e = parse_for(User, bad).expect_err(bad);
        assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
    }
    assert!(parse_for(Group, "members[value eq \"x\"]").is_ok());
    assert!(parse_for(Group, "userName eq \"x\"").is_err());
    assert!(parse_for(User, "name pr").is_ok());
    assert!(parse_for(User, &format!("{E} pr")).is_ok());
}

#[test]
fn equality_and_case_rules() {
    assert!(m("userName eq \"bjensen@EXAMPLE.com\""), "userName is caseExact false");
    assert!(m("USERNAME Eq \"bjensen@example.com\""), "names and operators are case-insensitive");
    assert!(m("externalId eq \"ExtID\""));
    assert!(!m("externalId eq \"extid\""), "externalId is caseExact");
    assert!(!m("id eq \"2819C223-7F76-453A-919D-413861904646\""), "id is caseExact");
    assert!(m("id eq \"2819c223-7f76-453a-919d-413861904646\""));
    assert!(m("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen@example.com\""));
    assert!(m(&format!("{E}:department eq \"tour operations\"")));
    assert!(!m("userName eq \"other\""));
}

#[test]
fn string_operators() {
    assert!(m("userName ne \"other\""));
    assert!(!m("userName ne \"bjensen@example.com\""));
    assert!(m("title co \"UR G\""));
    assert!(m("title sw \"tour\""));
    assert!(m("title ew \"GUIDE\""));
    assert!(!m("title sw \"guide\""));
    assert!(m("title gt \"Tour A\""));
    assert!(m("title ge \"tour guide\""));
    assert!(m("title lt \"zzz\""));
    assert!(m("title le \"tour guide\""));
    assert!(!m("title lt \"a\""));
    assert!(m("nickName ne \"x\""), "ne matches an absent attribute");
    assert!(!m("nickName eq \"x\""));
    assert!(m("nickName eq null"));
    assert!(!m("title eq null"));
    assert!(m("title ne null"));
}

#[test]
fn presence() {
    assert!(m("title pr"));
    assert!(!m("nickName pr"));
    assert!(m("name pr"));
    assert!(m("emails pr"));
    assert!(m("name.givenName pr"));
    assert!(!m("name.middleName pr"));
    assert!(m(&format!("{E} pr")));
    let mut u = user();
    u["title"] = json!("");
    assert!(!matches(User, &parse("title pr").unwrap(), &u), "empty string is not present");
}

#[test]
fn booleans_numbers_and_type_mismatch() {
    assert!(m("active eq true"));
    assert!(!m("active eq false"));
    assert!(m("active ne false"));
    assert!(!m("active eq \"yes\""));
    assert!(m("active eq \"True\""), "Entra-style string boolean in a filter");
    assert!(!m("title eq true"));
    assert!(m(&format!("{E}:employeeNumber eq 701984")), "number vs string attribute");
}

#[test]
fn multi_valued_and_value_paths() {
    assert!(m("emails.value eq \"babs@jensen.org\""));
    assert!(m("emails eq \"BABS@jensen.org\""), "complex without sub compares value");
    assert!(m("emails.type eq \"home\""));
    assert!(!m("emails.type eq \"other\""));
    assert!(m("emails[type eq \"work\" and value co \"@example.com\"]"));
    assert!(!m("emails[type eq \"home\" and value co \"@example.com\"]"), "same element must match");
    assert!(m("emails[primary eq true]"));
    assert!(m("emails[not (type eq \"work\")]"));
    assert!(m("emails[type eq \"x\" or value ew \".org\"]"));
    assert!(!m("emails[value pr and type eq \"nope\"]"));
}

#[test]
fn logic_and_grouping() {
    assert!(m("title pr and userType pr or userName sw \"bj\"".replace("userType pr", "nickName pr").as_str()));
    assert!(m("userName sw \"bj\" and (title eq \"x\" or active eq true)"));
    assert!(!m("userName sw \"bj\" and (title eq \"x\" or active eq false)"));
    assert!(m("not (title eq \"x\")"));
    assert!(!m("not (title pr)"));
    assert!(m("title eq \"x\" or title eq \"y\" or title eq \"tour guide\""));
}

#[test]
fn datetimes_compare_as_instants() {
    assert!(m("meta.lastModified gt \"2011-05-13T04:42:33Z\""));
    assert!(!m("meta.lastModified gt \"2011-05-13T04:42:34Z\""));
    assert!(m("meta.lastModified ge \"2011-05-13T04:42:34.000Z\""));
    assert!(m("meta.lastModified eq \"2011-05-13T06:42:34+02:00\""));
    assert!(m("meta.created lt \"2011-01-01\""));
    assert!(m("meta.lastModified le \"2012-01-01T00:00:00Z\""));
    assert!(m("meta.resourceType eq \"User\""));
}

#[test]
fn group_members_filter() {
    let g = json!({"id": "g1", "displayName": "Eng", "members": [{"value": "u1"}, {"value": "u2"}]});
    let f = parse_for(Group, "members[value eq \"u2\"]").unwrap();
    assert!(matches(Group, &f, &g));
    let f = parse_for(Group, "members[value eq \"U2\"]").unwrap();
    assert!(!matches(Group, &f, &g), "member value is caseExact");
    let f = parse_for(Group, "displayName eq \"eng\" and members.value eq \"u1\"").unwrap();
    assert!(matches(Group, &f, &g));
    assert!(!matches(Group, &f, &json!("not an object")));
}

#[test]
fn simple_eq_hints() {
    let se = |s: &str| simple_eq(&parse(s).unwrap());
    assert_eq!(se("userName eq \"a\""), Some((IndexedAttr::UserName, "a".into())));
    assert_eq!(se("USERNAME EQ \"a\""), Some((IndexedAttr::UserName, "a".into())));
    assert_eq!(se("externalId eq \"E\""), Some((IndexedAttr::ExternalId, "E".into())));
    assert_eq!(se("displayName eq \"d\""), Some((IndexedAttr::DisplayName, "d".into())));
    assert_eq!(se("id eq \"i\""), Some((IndexedAttr::Id, "i".into())));
    assert_eq!(se("emails.value eq \"x@y\""), Some((IndexedAttr::EmailValue, "x@y".into())));
    assert_eq!(se("emails eq \"x@y\""), Some((IndexedAttr::EmailValue, "x@y".into())));
    assert_eq!(se("emails[value eq \"x@y\"]"), Some((IndexedAttr::EmailValue, "x@y".into())));
    assert_eq!(
        se("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"a\""),
        Some((IndexedAttr::UserName, "a".into()))
    );
    assert_eq!(se("userName ne \"a\""), None);
    assert_eq!(se("userName eq \"a\" and active eq true"), None);
    assert_eq!(se("title eq \"a\""), None);
    assert_eq!(se("userName eq 1"), None);
    assert!(IndexedAttr::Id.case_exact() && !IndexedAttr::UserName.case_exact());
}
