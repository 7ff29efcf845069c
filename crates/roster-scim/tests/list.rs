use roster_scim::list::{self, SortOrder};
use roster_scim::ResourceKind::{Group, User};
use serde_json::json;
use std::cmp::Ordering;

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn parse_params_values() {
    let p = list::parse_params(
        User,
        &q(&[
            ("FILTER", "userName eq \"a\""),
            ("startindex", "0"),
            ("Count", "10000"),
            ("attributes", "userName"),
            ("excludedattributes", "emails"),
            ("sortBy", "name.familyName"),
            ("sortOrder", "Descending"),
            ("unknown", "x"),
        ]),
    )
    .unwrap();
    assert!(p.filter.is_some());
    assert_eq!(p.start_index, 1);
    assert_eq!(p.count, Some(500));
    assert_eq!(p.attributes.as_deref(), Some("userName"));
    assert_eq!(p.excluded_attributes.as_deref(), Some("emails"));
    assert_eq!(p.sort_by.as_deref(), Some("name.familyName"));
    assert_eq!(p.sort_order, SortOrder::Descending);
    let p = list::parse_params(User, &q(&[("count", "-5"), ("startIndex", "7")])).unwrap();
    assert_eq!((p.count, p.start_index), (Some(0), 7));
    let p = list::parse_params(User, &q(&[("count", "99999999999999999999999")])).unwrap();
    assert_eq!(p.count, Some(500));
    let p = list::parse_params(User, &q(&[("filter", ""), ("count", "")])).unwrap();
    assert_eq!(p, list::ListParams::default());
}

#[test]
fn parse_params_errors() {
    let e = list::parse_params(User, &q(&[("startIndex", "abc")])).unwrap_err();
    assert_eq!((e.status, e.scim_type), (400, Some("invalidValue")));
    let e = list::parse_params(User, &q(&[("count", "1.5")])).unwrap_err();
    assert_eq!(e.scim_type, Some("invalidValue"));
    let e = list::parse_params(User, &q(&[("filter", "userName eq")])).unwrap_err();
    assert_eq!(e.scim_type, Some("invalidFilter"));
    let e = list::parse_params(Group, &q(&[("filter", "userName eq \"x\"")])).unwrap_err();
    assert_eq!(e.scim_type, Some("invalidFilter"));
    let e = list::parse_params(User, &q(&[("sortOrder", "sideways")])).unwrap_err();
    assert_eq!(e.scim_type, Some("invalidValue"));
    let e = list::parse_params(User, &q(&[("sortBy", "nosuch")])).unwrap_err();
    assert_eq!(e.scim_type, Some("invalidValue"));
}

#[test]
fn list_response_envelope() {
    let v = list::list_response(vec![json!({"id": "a"}), json!({"id": "b"})], 10, 3);
    assert_eq!(
        v,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 10, "startIndex": 3, "itemsPerPage": 2,
            "Resources": [{"id": "a"}, {"id": "b"}]
        })
    );
}

#[test]
fn paginate_pages() {
    let items: Vec<u32> = (1..=10).collect();
    assert_eq!(list::paginate(items.clone(), 1, Some(3)), [1, 2, 3]);
    assert_eq!(list::paginate(items.clone(), 9, Some(5)), [9, 10]);
    assert_eq!(list::paginate(items.clone(), 11, None), Vec::<u32>::new());
    assert_eq!(list::paginate(items.clone(), 1, Some(0)), Vec::<u32>::new());
    assert_eq!(list::paginate(items, 1, None).len(), 10);
}

#[test]
fn compare_sorts() {
    let a = json!({"userName": "alice", "meta": {"created": "2020-01-01T00:00:00Z"},
                   "emails": [{"value": "z@x"}, {"value": "a@x", "primary": true}]});
    let b = json!({"userName": "Bob", "meta": {"created": "2019-01-01T00:00:00+00:00"},
                   "emails": [{"value": "m@x"}]});
    let none = json!({"meta": {}});
    let asc = SortOrder::Ascending;
    assert_eq!(list::compare(User, "userName", asc, &a, &b), Ordering::Less, "case-insensitive");
    assert_eq!(list::compare(User, "userName", SortOrder::Descending, &a, &b), Ordering::Greater);
    assert_eq!(list::compare(User, "meta.created", asc, &a, &b), Ordering::Greater);
    assert_eq!(list::compare(User, "emails", asc, &a, &b), Ordering::Less, "primary email value");
    assert_eq!(list::compare(User, "userName", asc, &a, &none), Ordering::Less, "missing sorts last");
    assert_eq!(list::compare(User, "userName", SortOrder::Descending, &a, &none), Ordering::Greater);
    assert_eq!(list::compare(User, "bogus", asc, &a, &b), Ordering::Equal);
}

#[test]
fn readers() {
    let u = json!({
        "userName": "bjensen", "externalId": "e1", "active": false, "displayName": "Babs",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "first@x"}, {"value": "primary@x", "primary": true}]
    });
    let f = roster_scim::user_fields(&u);
    assert_eq!(f.user_name, "bjensen");
    assert_eq!(f.external_id.as_deref(), Some("e1"));
    assert!(!f.active);
    assert_eq!(f.primary_email.as_deref(), Some("primary@x"));
    assert_eq!(f.given_name.as_deref(), Some("Barbara"));
    assert_eq!(f.family_name.as_deref(), Some("Jensen"));
    assert_eq!(f.display_name.as_deref(), Some("Babs"));
    let f = roster_scim::user_fields(&json!({"userName": "x", "emails": [{"value": "a@x"}, {"value": "b@x"}]}));
    assert!(f.active, "active defaults to true");
    assert_eq!(f.primary_email.as_deref(), Some("a@x"));
    let g = json!({"displayName": "Eng", "externalId": "x", "members": [{"value": "u1"}, {"value": "u2"}, {"value": "u1"}, {"display": "no value"}]});
    assert_eq!(roster_scim::group_members(&g), ["u1", "u2"]);
    assert_eq!(roster_scim::display_name(&g).as_deref(), Some("Eng"));
    assert_eq!(roster_scim::external_id(&g).as_deref(), Some("x"));
    assert!(roster_scim::group_members(&json!(null)).is_empty());
}
