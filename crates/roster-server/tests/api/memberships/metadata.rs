//! 5. Metadata

use super::*;

/// An org with a member whose membership carries the given metadata.
async fn member_with_metadata(app: &TestApp, public: Value, private: Value) -> (String, String) {
    let owner = app.user_with_email("owner@example.com").await;
    let member = app.user_with_email("member@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;
    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": member, "role": "org:member", "public_metadata": public, "private_metadata": private}),
        )
        .await;
    let m = r.ok();
    assert_eq!(m["public_metadata"], public);
    assert_eq!(m["private_metadata"], private);
    (org, member)
}

#[tokio::test]
async fn metadata_patch_deep_merges_public_and_private() {
    let app = TestApp::spawn().await;
    let (org, member) = member_with_metadata(
        &app,
        json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "list": [1, 2, 3], "s": "x", "gone": 1, "keep": true}),
        json!({"p": {"q": 1, "r": {"deep": 2, "deeper": {"x": 1}}}, "arr": [1], "n": 5}),
    )
    .await;

    let r = app
        .patch(
            &metadata(&org, &member),
            json!({
                "public_metadata": {
                    "a": {"c": {"d": null, "f": 4}, "missing": null},
                    "list": [9],
                    "s": {"now": "object", "drop": null},
                    "gone": null,
                    "new": [1, null, {"k": null}],
                },
                "private_metadata": {
                    "p": {"r": {"deeper": {"x": null}, "deep": null}, "t": [1]},
                    "arr": "scalar",
                    "n": {"o": 1},
                },
            }),
        )
        .await;
    let m = r.ok().clone();
    let public = json!({
        "a": {"b": 1, "c": {"e": 3, "f": 4}},
        "list": [9],
        "s": {"now": "object"},
        "keep": true,
        "new": [1, null, {"k": null}],
    });
    let private = json!({"p": {"q": 1, "r": {"deeper": {}}, "t": [1]}, "arr": "scalar", "n": {"o": 1}});
    assert_eq!(m["public_metadata"], public);
    assert_eq!(m["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));

    // Objects are replaced by scalars; a field that is not sent is untouched.
    let r = app.patch(&metadata(&org, &member), json!({"public_metadata": {"a": 7, "keep": null}})).await;
    let public2 = json!({"a": 7, "list": [9], "s": {"now": "object"}, "new": [1, null, {"k": null}]});
    assert_eq!(r.ok()["public_metadata"], public2);
    assert_eq!(r.ok()["private_metadata"], private);
    let r = app.patch(&metadata(&org, &member), json!({"private_metadata": {"p": null, "arr": null, "n": null}})).await;
    assert_eq!(r.ok()["private_metadata"], json!({}));
    assert_eq!(r.ok()["public_metadata"], public2);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public2, json!({})));

    // The rest of the membership is the same.
    let m = stored(&app, &org, &member).await;
    assert_eq!(m["role"], "org:member");
    assert_eq!(m["object"], "organization_membership");
}

#[tokio::test]
async fn metadata_patch_without_changes_leaves_it_unchanged() {
    let app = TestApp::spawn().await;
    let public = json!({"a": {"b": [1, 2]}, "s": "x"});
    let private = json!({"secret": {"n": 1}});
    let (org, member) = member_with_metadata(&app, public.clone(), private.clone()).await;
    let path = metadata(&org, &member);

    // No body at all.
    let r = app.call(Method::PATCH, &path, None).await;
    assert_eq!(r.ok()["public_metadata"], public);
    assert_eq!(r.ok()["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));

    for body in [
        json!({}),
        json!({"public_metadata": {}}),
        json!({"public_metadata": {}, "private_metadata": {}}),
        json!({"public_metadata": {"not_there": null}}),
    ] {
        let r = app.patch(&path, body.clone()).await;
        assert_eq!(r.ok()["public_metadata"], public, "{body}");
        assert_eq!(r.ok()["private_metadata"], private, "{body}");
        assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));
    }
}

#[tokio::test]
async fn metadata_size_limit_is_8192_bytes_of_the_resulting_field() {
    let app = TestApp::spawn().await;
    let (org, member) = member_with_metadata(&app, json!({}), json!({})).await;
    let path = metadata(&org, &member);

    // `{"k":"..."}` is 8 bytes plus the string: exactly 8192 fits.
    let exact = json!({"k": "x".repeat(MAX_METADATA - 8)});
    assert_eq!(serde_json::to_vec(&exact).unwrap().len(), MAX_METADATA);
    let over = json!({"k": "x".repeat(MAX_METADATA - 7)});

    for field in ["public_metadata", "private_metadata"] {
        let before = stored_metadata(&app, &org, &member).await;
        // A value over the limit on its own.
        let r = app.patch(&path, json!({ field: over })).await;
        let e = r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);
        assert_eq!(
            e["long_message"],
            format!("The given {field} exceeds the maximum allowed size of 8192 bytes (8 KB).")
        );
        assert_eq!(stored_metadata(&app, &org, &member).await, before);

        // Exactly the limit is accepted.
        let r = app.patch(&path, json!({ field: exact })).await;
        assert_eq!(r.ok()[field], exact);
        let after = stored_metadata(&app, &org, &member).await;

        // A small patch that would push the merged field over the limit is refused.
        let r = app.patch(&path, json!({ field: {"a": 1} })).await;
        r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);
        assert_eq!(stored_metadata(&app, &org, &member).await, after);

        // ... but one that shrinks it is fine.
        let r = app.patch(&path, json!({ field: {"k": null, "a": 1} })).await;
        assert_eq!(r.ok()[field], json!({"a": 1}));
    }

    // One field over the limit refuses the whole request: the other field is not changed either.
    app.patch(&path, json!({"private_metadata": {"a": null}})).await.ok();
    let r = app.patch(&path, json!({ "private_metadata": exact })).await;
    assert_eq!(r.ok()["private_metadata"], exact);
    let before = stored_metadata(&app, &org, &member).await;
    let r = app.patch(&path, json!({"public_metadata": {"fine": true}, "private_metadata": {"b": 2}})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, before);
    let r = app.patch(&path, json!({"public_metadata": {"fine": true}, "private_metadata": over})).await;
    r.err(422, "form_param_exceeds_allowed_size");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, before);
}

#[tokio::test]
async fn metadata_must_be_objects() {
    let app = TestApp::spawn().await;
    let public = json!({"a": 1});
    let private = json!({"b": 2});
    let (org, member) = member_with_metadata(&app, public.clone(), private.clone()).await;
    let path = metadata(&org, &member);

    for field in ["public_metadata", "private_metadata"] {
        for bad in [json!("a string"), json!([1, 2]), json!(42), json!(true)] {
            let r = app.patch(&path, json!({ field: bad })).await;
            let e = r.err(422, "form_param_value_invalid");
            assert_eq!(r.param(), field, "{bad}: {}", r.text);
            assert_eq!(
                e["long_message"],
                format!("{field} is invalid: the given metadata is not a valid key-value object.")
            );
            assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), private.clone()));
        }
    }

    // A valid field next to an invalid one is not applied either.
    let r = app.patch(&path, json!({"public_metadata": {"x": 1}, "private_metadata": [1]})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "private_metadata");
    assert_eq!(stored_metadata(&app, &org, &member).await, (public, private));
}

#[tokio::test]
async fn metadata_patch_refuses_unknown_keys() {
    let app = TestApp::spawn().await;
    let public = json!({"a": 1});
    let (org, member) = member_with_metadata(&app, public.clone(), json!({})).await;
    let path = metadata(&org, &member);

    for key in ["unsafe_metadata", "role", "metadata"] {
        let r = app.patch(&path, json!({"public_metadata": {"changed": true}, key: {"x": 1}})).await;
        let e = r.err(422, "form_param_unknown");
        assert_eq!(r.param(), key);
        assert_eq!(e["long_message"], format!("{key} is not a valid parameter for this request."));
        assert_eq!(stored_metadata(&app, &org, &member).await, (public.clone(), json!({})));
    }
    assert_eq!(stored(&app, &org, &member).await["role"], "org:member");
}

#[tokio::test]
async fn metadata_on_create_is_stored_and_limited() {
    let app = TestApp::spawn().await;
    let owner = app.user_with_email("owner@example.com").await;
    let a = app.user_with_email("a@example.com").await;
    let b = app.user_with_email("b@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": owner})).await;

    let public = json!({"team": "red", "nested": {"n": [1, 2]}});
    let private = json!({"secret": {"level": 3}});
    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": a, "role": "org:member", "public_metadata": public, "private_metadata": private}),
        )
        .await;
    assert_eq!(r.ok()["public_metadata"], public);
    assert_eq!(r.ok()["private_metadata"], private);
    assert_eq!(stored_metadata(&app, &org, &a).await, (public, private));

    // Absent and null are empty objects.
    assert_eq!(stored_metadata(&app, &org, &owner).await, (json!({}), json!({})));

    let exact = json!({"k": "x".repeat(MAX_METADATA - 8)});
    let over = json!({"k": "x".repeat(MAX_METADATA - 7)});
    for field in ["public_metadata", "private_metadata"] {
        let r = app.post(&memberships(&org), json!({"user_id": b, "role": "org:member", field: over})).await;
        r.err(422, "form_param_exceeds_allowed_size");
        assert_eq!(r.param(), field);

        for bad in [json!("s"), json!([1]), json!(1)] {
            let r = app.post(&memberships(&org), json!({"user_id": b, "role": "org:member", field: bad})).await;
            r.err(422, "form_param_value_invalid");
            assert_eq!(r.param(), field);
        }
    }
    // None of the refused creates made a membership.
    assert_eq!(members_count(&app, &org).await, 2);
    assert_eq!(list(&app, &org).await["total_count"], 2);

    let r = app
        .post(
            &memberships(&org),
            json!({"user_id": b, "role": "org:member", "public_metadata": exact, "private_metadata": null}),
        )
        .await;
    assert_eq!(r.ok()["public_metadata"], exact);
    assert_eq!(r.ok()["private_metadata"], json!({}));
    assert_eq!(stored_metadata(&app, &org, &b).await, (exact, json!({})));
}
