//! Events on the wire: the record an event carries rendered exactly as the API returns the resource
//! (`crate::wire`), the Events API item, and the webhook body in Clerk's format.

use serde_json::{Map, Value};

use roster_core::events::{Event, Record};

use crate::wire::{self, OrgView};

/// The record as the API returns it: a deleted user or organization as Clerk's `*.deleted` events show it.
pub fn record(r: &Record) -> Value {
    let value = match r {
        Record::User(u) => serde_json::to_value(wire::user(u)),
        Record::Organization(o) => serde_json::to_value(wire::organization(o, OrgView::default())),
        Record::Membership(m) => serde_json::to_value(wire::membership(m)),
        Record::Role(role) => serde_json::to_value(wire::role(role)),
        Record::Permission(p) => serde_json::to_value(wire::permission(p)),
        Record::Session(s) => serde_json::to_value(wire::session(s)),
        Record::Deleted(d) => serde_json::to_value(wire::deleted(&d.object, &d.id, None)),
        Record::Invitation(i) => serde_json::to_value(wire::invitation(i)),
        Record::Domain(d) => serde_json::to_value(wire::domain(d)),
    };
    value.unwrap_or(Value::Null)
}

/// The top-level fields of `before` whose values differ in `after`, with their old values (fields `after`
/// lacks included).
pub fn previous_attributes(before: &Value, after: &Value) -> Map<String, Value> {
    let (Value::Object(before), Value::Object(after)) = (before, after) else { return Map::new() };
    before.iter().filter(|(k, v)| after.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// An item of `GET /v1/events`: the event with its id, its data, and for `*.updated` the changed fields' old
/// values.
pub fn api_item(e: &Event) -> roster_api_types::Event {
    let data = record(&e.data);
    let previous_attributes = e.previous.as_ref().map(|before| previous_attributes(&record(before), &data));
    roster_api_types::Event {
        object: "event".into(),
        id: e.id(),
        type_: e.event_type.clone(),
        timestamp: e.created_at,
        instance_id: e.instance_id.clone(),
        data,
        previous_attributes,
    }
}

/// The body of a webhook delivery, as Clerk sends it: `{"data","object":"event","type","timestamp",
/// "instance_id"}`, serialized straight from the wire type (no `Value` in between: it is built for every
/// delivery).
pub fn webhook_body(e: &Event) -> String {
    #[derive(serde::Serialize)]
    struct Body<'a, T> {
        data: T,
        object: &'static str,
        #[serde(rename = "type")]
        event_type: &'a str,
        timestamp: i64,
        instance_id: &'a str,
    }
    fn body<T: serde::Serialize>(e: &Event, data: T) -> String {
        let body = Body {
            data,
            object: "event",
            event_type: &e.event_type,
            timestamp: e.created_at,
            instance_id: &e.instance_id,
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
    match &e.data {
        Record::User(u) => body(e, wire::user(u)),
        Record::Organization(o) => body(e, wire::organization(o, OrgView::default())),
        Record::Membership(m) => body(e, wire::membership(m)),
        Record::Role(r) => body(e, wire::role(r)),
        Record::Permission(p) => body(e, wire::permission(p)),
        Record::Session(s) => body(e, wire::session(s)),
        Record::Deleted(d) => body(e, wire::deleted(&d.object, &d.id, None)),
        Record::Invitation(i) => body(e, wire::invitation(i)),
        Record::Domain(d) => body(e, wire::domain(d)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_webhook_body_is_the_api_item_in_clerks_shape() {
        let event = Event {
            seq: 7,
            instance_id: "ins_1".into(),
            event_type: "user.deleted".into(),
            created_at: 1_700_000_000_000,
            data: Record::Deleted(roster_core::events::Deleted { object: "user".into(), id: "user_1".into() }),
            previous: None,
        };
        let body: Value = serde_json::from_str(&webhook_body(&event)).unwrap();
        let item = api_item(&event);
        assert_eq!(body["data"], item.data);
        assert_eq!(
            body,
            json!({"data": {"object": "user", "id": "user_1", "deleted": true}, "object": "event",
            "type": "user.deleted", "timestamp": 1_700_000_000_000i64, "instance_id": "ins_1"})
        );
    }

    #[test]
    fn previous_attributes_hold_the_old_values_of_changed_fields() {
        let before = json!({"id": "x", "name": "a", "public_metadata": {"k": 1}, "gone": true});
        let after = json!({"id": "x", "name": "b", "public_metadata": {"k": 1}});
        let changed = previous_attributes(&before, &after);
        assert_eq!(Value::Object(changed), json!({"name": "a", "gone": true}));
    }
}
