//! `roster memberships import FILE` against a real `roster serve`: batches of bulk creates through
//! roster-client, every line accounted for (created, or reported with its line number and Clerk error), and a
//! failing exit when any line failed.

mod harness;

use serde_json::{json, Value};

use harness::{roster, run, serve};

#[tokio::test]
async fn an_import_creates_every_good_line_and_reports_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("roster.db");
    let mut cmd = roster(&db);
    cmd.env("ROSTER_SECRET_KEY", "sk_test_import");
    let server = serve(cmd).await;
    let api = server.api("sk_test_import");
    let org = api.post("/organizations", json!({"name": "Acme"})).await.ok()["id"].as_str().unwrap().to_owned();
    let mut users = Vec::new();
    for i in 0..12 {
        let user = api.post("/users", json!({"email_address": [format!("u{i}@example.com")]})).await;
        users.push(user.ok()["id"].as_str().unwrap().to_owned());
    }

    // 12 good lines, then a duplicate, an unknown role, a line that is not JSON, and a blank line.
    let mut lines: Vec<String> = users
        .iter()
        .enumerate()
        .map(|(i, u)| json!({"user_id": u, "role": "org:member", "public_metadata": {"row": i}}).to_string())
        .collect();
    lines.push(json!({"user_id": users[0], "role": "org:member"}).to_string());
    lines.push(json!({"user_id": users[1], "role": "org:nope"}).to_string());
    lines.push("{not json".into());
    lines.push(String::new());
    let file = dir.path().join("members.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();

    let mut import = roster(&db);
    import.env("CLERK_SECRET_KEY", "sk_test_import").env("ROSTER_API_URL", server.base());
    let args = ["memberships", "import", file.to_str().unwrap(), "--organization", &org, "--batch", "5"];
    let (status, _, stderr) = run(import, &args).await;
    assert!(!status.success(), "a failed line fails the import: {stderr}");
    assert!(stderr.contains("created 12 memberships, 3 failed"), "{stderr}");
    assert!(stderr.contains("line 13: 400 already_a_member_in_organization"), "{stderr}");
    assert!(stderr.contains("line 14: 404 resource_not_found"), "{stderr}");
    assert!(stderr.contains("line 15: not a membership"), "{stderr}");

    let page = api.get(&format!("/organizations/{org}/memberships?limit=100&order_by=created_at")).await;
    let data: &Vec<Value> = page.ok()["data"].as_array().unwrap();
    assert_eq!(data.len(), 12);
    assert!(data.iter().all(|m| m["role"] == "org:member"));
    let rows: Vec<i64> = data.iter().map(|m| m["public_metadata"]["row"].as_i64().unwrap()).collect();
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(sorted, (0..12).collect::<Vec<_>>());

    // Imported again atomically: the first batch (already members) fails as a whole and the import stops.
    let mut again = roster(&db);
    again.env("CLERK_SECRET_KEY", "sk_test_import").env("ROSTER_API_URL", server.base());
    let (status, _, stderr) = run(again, &[&args[..], &["--atomic"]].concat()).await;
    assert!(!status.success());
    assert!(stderr.contains("nothing of it was created") && stderr.contains("0 created before it"), "{stderr}");
    assert_eq!(api.get(&format!("/organizations/{org}/memberships")).await.ok()["total_count"], 12);
}
