//! Malformed-input robustness: every entry point returns Ok or a 4xx error, never panics.

use roster_scim::{filter, list, patch, resource, ResourceKind};
use serde_json::{json, Map, Value};

/// A tiny deterministic PRNG (xorshift64*), so the test needs no dependencies.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "schemas",
    "userName",
    "USERNAME",
    "name",
    "givenName",
    "familyName",
    "emails",
    "value",
    "type",
    "primary",
    "active",
    "members",
    "displayName",
    "externalId",
    "id",
    "meta",
    "groups",
    "$ref",
    "display",
    "title",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
    "urn:ietf:params:scim:api:messages:2.0:PatchOp",
    "Operations",
    "op",
    "path",
    "add",
    "Replace",
    "remove",
    "name.givenName",
    "emails[type eq \"work\"].value",
    "members[value eq \"x\"]",
    "emails[",
    "]",
    "\u{0}",
    "é",
    "",
    " ",
    "True",
    "false",
    "null",
];

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let max = if depth >= 6 { 5 } else { 8 };
    match rng.below(max) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(f64::from(rng.below(1000) as u32) / 7.0),
        4 => Value::String(rng.pick(NAMES).to_string()),
        5 | 6 => {
            let n = rng.below(5);
            Value::Array((0..n).map(|_| random_value(rng, depth + 1)).collect())
        }
        _ => {
            let n = rng.below(6);
            let mut m = Map::new();
            for _ in 0..n {
                m.insert(rng.pick(NAMES).to_string(), random_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

fn assert_4xx<T>(r: Result<T, roster_scim::ScimError>, what: &str) {
    if let Err(e) = r {
        assert!((400..500).contains(&e.status), "{what}: {e}");
    }
}

fn seeded_body(rng: &mut Rng, kind: ResourceKind) -> Value {
    let mut v = random_value(rng, 0);
    if let Value::Object(m) = &mut v {
        if rng.below(2) == 0 {
            m.insert("schemas".into(), json!([kind.schema_urn()]));
            m.insert("userName".into(), json!("u"));
            m.insert("displayName".into(), json!("d"));
        }
    }
    v
}

#[test]
fn random_shapes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let base_user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u",
        "emails": [{"value": "a@b", "type": "work"}]});
    let base_group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "g",
        "members": [{"value": "m1"}]});
    for i in 0..4000 {
        for kind in ResourceKind::all() {
            let body = seeded_body(&mut rng, kind);
            assert_4xx(resource::normalize(kind, body.clone()), "normalize");
            let _ = resource::project(kind, &body, Some(rng.pick(NAMES)), Some(rng.pick(NAMES)));
            let f = filter::parse(rng.pick(NAMES));
            if let Ok(f) = f {
                let _ = filter::validate(kind, &f);
                let _ = filter::matches(kind, &f, &body);
                let _ = filter::simple_eq(&f);
            }
            // A PatchOp with random operations.
            let n = rng.below(4);
            let opsv: Vec<Value> = (0..n)
                .map(|_| {
                    let mut o = Map::new();
                    o.insert("op".into(), json!(rng.pick(&["add", "Replace", "remove", "bogus"])));
                    if rng.below(4) != 0 {
                        o.insert("path".into(), json!(rng.pick(NAMES)));
                    }
                    if rng.below(4) != 0 {
                        o.insert("value".into(), random_value(&mut rng, 1));
                    }
                    Value::Object(o)
                })
                .collect();
            let body = if i % 7 == 0 {
                random_value(&mut rng, 0)
            } else {
                json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": opsv})
            };
            let parsed = patch::parse(body);
            assert_4xx(parsed.clone(), "patch::parse");
            if let Ok(ops) = parsed {
                let mut target = match kind {
                    ResourceKind::User => base_user.clone(),
                    ResourceKind::Group => base_group.clone(),
                };
                let r = patch::apply(kind, &mut target, &ops);
                assert_4xx(r, "patch::apply");
                // Whatever apply stored is itself valid.
                resource::normalize(kind, target).expect("apply must leave a valid resource");
            }
            let mut junk = random_value(&mut rng, 0);
            if let Ok(ops) = patch::parse(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "title", "value": "x"}]}))
            {
                assert_4xx(patch::apply(kind, &mut junk, &ops), "apply on junk");
            }
        }
    }
}

#[test]
fn hostile_strings_never_panic() {
    let huge = "a".repeat(1 << 20);
    let unicode = "é".repeat(100_000);
    let inputs = [
        huge.clone(),
        unicode.clone(),
        format!("userName eq \"{huge}\""),
        format!("{}x pr{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{}x pr", "not (".repeat(5_000)),
        vec!["userName pr"; 5_000].join(" and "),
        format!("emails[{}]", "type eq \"a\" and ".repeat(2_000)),
        "\u{0}\u{1}\u{7f}".into(),
        "emails[type eq \"a\"]]]".into(),
        "userName eq \"\\ud800\"".into(),
        format!("meta.lastModified gt \"{unicode}\""),
    ];
    for s in &inputs {
        assert_4xx(filter::parse_for(ResourceKind::User, s), "filter");
        assert_4xx(
            list::parse_params(ResourceKind::User, &[("startIndex".into(), s.clone()), ("sortBy".into(), s.clone())]),
            "list",
        );
        assert_4xx(resource::project(ResourceKind::User, &json!({}), Some(s), Some(s)), "project");
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": s, "value": s}]});
        assert_4xx(patch::parse(body), "patch path");
        let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": s, "title": s});
        let n = resource::normalize(ResourceKind::User, user);
        assert!(n.is_ok());
        let f = filter::parse("title co \"aaa\"").unwrap();
        assert!(!filter::matches(ResourceKind::User, &f, &json!({"title": unicode.clone()})));
    }
}

#[test]
fn deep_nesting_never_panics() {
    // Bodies come from serde_json's parser, which refuses nesting deeper than 128; use the
    // deepest it accepts, in every position an attribute value can take.
    let mut text = String::from("\"leaf\"");
    for i in 0..120 {
        text = if i % 2 == 0 { format!("{{\"name\": {text}, \"value\": [1]}}") } else { format!("[{text}]") };
    }
    let deep: Value = serde_json::from_str(&text).expect("within serde_json's depth limit");
    for key in ["name", "emails", "userName", "active", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] {
        let body =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u", key: deep.clone()});
        assert_4xx(resource::normalize(ResourceKind::User, body.clone()), "normalize deep");
        let ops = patch::parse(json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "value": {key: deep.clone()}}, {"op": "add", "path": key, "value": deep.clone()},
                           {"op": "remove", "path": key, "value": deep.clone()}]}));
        if let Ok(ops) = ops {
            let mut u = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u"});
            assert_4xx(patch::apply(ResourceKind::User, &mut u, &ops), "apply deep");
        }
        for f in ["name.givenName pr", "emails[value pr]", "userName eq \"x\"", "name pr"] {
            let f = filter::parse(f).unwrap();
            let _ = filter::matches(ResourceKind::User, &f, &body);
        }
        let _ = resource::project(ResourceKind::User, &body, Some(key), None);
        let _ = resource::project(ResourceKind::User, &body, None, Some(key));
    }
    let too_deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    assert!(serde_json::from_str::<Value>(&too_deep).is_err());
}
