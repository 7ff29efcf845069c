//! Events on the wire: the record an event carries rendered exactly as the API returns the resource
//! (`crate::wire`), the Events API item, and the webhook body in Clerk's format.

use serde_json::{json, Map, Value};

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
/// "instance_id"}`.
pub fn webhook_body(e: &Event) -> String {
    json!({
        "data": record(&e.data),
        "object": "event",
        "type": e.event_type,
        "timestamp": e.created_at,
        "instance_id": e.instance_id,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_attributes_hold_the_old_values_of_changed_fields() {
        let before = json!({"id": "x", "name": "a", "public_metadata": {"k": 1}, "gone": true});
        let after = json!({"id": "x", "name": "b", "public_metadata": {"k": 1}});
        let changed = previous_attributes(&before, &after);
        assert_eq!(Value::Object(changed), json!({"name": "a", "gone": true}));
    }
}
