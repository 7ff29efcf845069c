//! Writes retried after their answer was lost: a proxy in front of a real Roster forwards the first request,
//! waits for Roster's answer (so the write has committed) and closes the client's connection instead of
//! passing it on. roster-client retries with the same `Idempotency-Key` and gets the first response.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use roster_client::{BackoffStrategy, Clerk, RetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::*;

/// A proxy whose first connection loses Roster's answer: its `/v1` base URL, the connections it took and the
/// head of the request whose answer it dropped.
struct Proxy {
    base: String,
    connections: Arc<AtomicUsize>,
    dropped: Arc<Mutex<String>>,
}

/// A Roster with an organization and a user, and a lossy proxy in front of it.
async fn setup() -> (Roster, String, String, Proxy) {
    let roster = Roster::spawn().await;
    let org = roster.org("Acme", None).await;
    let user = roster.user("a@example.com", "Ada", None).await;
    let upstream = roster.app.base.trim_start_matches("http://").trim_end_matches("/v1").parse().unwrap();
    let proxy = lossy_proxy(upstream).await;
    (roster, org, user, proxy)
}

/// A proxy to `upstream` whose first connection loses Roster's answer; later ones pass everything through.
async fn lossy_proxy(upstream: std::net::SocketAddr) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (connections, dropped) = (Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(String::new())));
    let (count, head) = (connections.clone(), dropped.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else { return };
            let mut server = TcpStream::connect(upstream).await.unwrap();
            if count.fetch_add(1, Ordering::SeqCst) > 0 {
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
                continue;
            }
            let request = read_request(&mut client).await;
            *head.lock().unwrap() = String::from_utf8_lossy(&request).into_owned();
            server.write_all(&request).await.unwrap();
            // Roster answers only once the write is durable: the first byte of its answer means committed.
            let mut answer = [0u8; 1];
            server.read_exact(&mut answer).await.unwrap();
            drop(client);
        }
    });
    Proxy { base: format!("http://{addr}/v1"), connections, dropped }
}

/// One HTTP/1.1 request with a `Content-Length` body, read whole.
async fn read_request(client: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = client.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the client closed before sending its request");
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
        if buf.len() >= end + 4 + length {
            return buf;
        }
    }
}

fn retrying() -> RetryConfig {
    RetryConfig::Backoff {
        strategy: BackoffStrategy {
            initial_interval: Duration::from_millis(10),
            max_interval: Duration::from_millis(50),
            exponent: 2.0,
            max_elapsed_time: Duration::from_secs(5),
        },
        retry_connection_errors: true,
    }
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_retried_and_lands_once() {
    let (roster, org, user, proxy) = setup().await;
    let (connections, dropped) = (proxy.connections, proxy.dropped);
    let clerk =
        Clerk::builder().secret_key(&roster.app.key).server_url(proxy.base).retry_config(retrying()).build().unwrap();

    let created =
        clerk.organization_memberships().create(create_req(&org, &user, "org:member")).await.expect("retried");
    assert_eq!(connections.load(Ordering::SeqCst), 2, "the first answer was lost, the retry got through");
    let head = dropped.lock().unwrap().to_ascii_lowercase();
    assert!(head.contains("\r\nidempotency-key: roster_"), "the write carried a generated key: {head}");

    let page = roster.clerk.organization_memberships().list(list_req(&org)).await.unwrap();
    assert_eq!(page.total_count, 1, "exactly one membership");
    assert_eq!(page.data[0].id, created.id, "the retry answered with the membership the first attempt made");
}

#[tokio::test]
async fn without_keys_a_lost_answer_is_an_error_not_a_second_write() {
    let (roster, org, user, proxy) = setup().await;
    let connections = proxy.connections;
    let clerk = Clerk::builder()
        .secret_key(&roster.app.key)
        .server_url(proxy.base)
        .retry_config(retrying())
        .idempotency_keys(false)
        .build()
        .unwrap();

    let lost = clerk.organization_memberships().create(create_req(&org, &user, "org:member")).await;
    assert!(lost.is_err(), "the write is not repeated without a key: {lost:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    let page = roster.clerk.organization_memberships().list(list_req(&org)).await.unwrap();
    assert_eq!(page.total_count, 1, "the first attempt did commit");
}

#[tokio::test]
async fn a_bulk_create_whose_answer_was_lost_is_retried_and_lands_once_then_updates_and_deletes_in_bulk() {
    use roster_client::{
        BulkItemResult, BulkMode, BulkOrganizationMembershipsRequest, CreateOrganizationMembershipRequestBody,
        DeleteOrganizationMembershipsBulkItem, UpdateOrganizationMembershipsBulkItem,
    };
    let (roster, org, user, proxy) = setup().await;
    let other = roster.user("b@example.com", "Bo", None).await;
    let clerk =
        Clerk::builder().secret_key(&roster.app.key).server_url(proxy.base).retry_config(retrying()).build().unwrap();
    let item = |user: &str| CreateOrganizationMembershipRequestBody {
        user_id: user.into(),
        role: "org:admin".into(),
        ..Default::default()
    };
    let request = BulkOrganizationMembershipsRequest {
        mode: BulkMode::Partial,
        items: vec![item(&user), item(&other), item("user_missing")],
    };
    let api = clerk.organization_memberships();
    let created = api.create_bulk(&org, &request).await.expect("retried");
    assert_eq!(proxy.connections.load(Ordering::SeqCst), 2, "the first answer was lost");
    assert_eq!((created.succeeded, created.failed), (2, 1));
    let BulkItemResult::Error(missing) = &created.data[2] else { panic!("{:?}", created.data[2]) };
    assert_eq!((missing.status, missing.errors[0].code.as_str()), (404, "resource_not_found"));
    let page = roster.clerk.organization_memberships().list(list_req(&org)).await.unwrap();
    assert_eq!(page.total_count, 2, "each membership once");

    let demote = |user: &str| UpdateOrganizationMembershipsBulkItem {
        user_id: user.into(),
        role: Some("org:member".into()),
        public_metadata: Some(meta(serde_json::json!({"tier": "gold"}))),
        ..Default::default()
    };
    let atomic =
        BulkOrganizationMembershipsRequest { mode: BulkMode::Atomic, items: vec![demote(&user), demote(&other)] };
    match api.update_bulk(&org, &atomic).await {
        Err(roster_client::Error::ClerkErrors { status, errors, .. }) => {
            assert_eq!(status, 400);
            assert_eq!(errors[0].code, "organization_minimum_permissions_needed");
            assert_eq!(errors[0].meta["index"], 1);
        }
        other => panic!("the last admin cannot be demoted: {other:?}"),
    }
    let one = BulkOrganizationMembershipsRequest { mode: BulkMode::Atomic, items: vec![demote(&user)] };
    let BulkItemResult::Membership(m) = &api.update_bulk(&org, &one).await.unwrap().data[0] else { panic!() };
    assert_eq!((m.role.as_str(), &m.public_metadata), ("org:member", &meta(serde_json::json!({"tier": "gold"}))));

    let remove = BulkOrganizationMembershipsRequest {
        mode: BulkMode::Partial,
        items: vec![DeleteOrganizationMembershipsBulkItem { user_id: user.clone() }],
    };
    assert_eq!(api.delete_bulk(&org, &remove).await.unwrap().succeeded, 1);
    let page = roster.clerk.organization_memberships().list(list_req(&org)).await.unwrap();
    assert_eq!(user_ids(&page), vec![other]);
}

#[tokio::test]
async fn an_invitation_whose_answer_was_lost_is_retried_and_not_refused_as_a_duplicate() {
    let (roster, org, _, proxy) = setup().await;
    let clerk =
        Clerk::builder().secret_key(&roster.app.key).server_url(proxy.base).retry_config(retrying()).build().unwrap();

    // Without the key the retry would be a second create, refused with `organization_invitation_not_unique`.
    let created = clerk
        .organization_invitations()
        .create(invite_req(&org, "new@example.com", "org:member"))
        .await
        .expect("retried under the same key");
    assert_eq!(proxy.connections.load(Ordering::SeqCst), 2, "the first answer was lost");
    assert!(proxy.dropped.lock().unwrap().to_ascii_lowercase().contains("\r\nidempotency-key: roster_"));
    let request = roster_client::ListOrganizationInvitationsRequest { organization_id: org, ..Default::default() };
    let page = roster.clerk.organization_invitations().list(request).await.unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data[0].id, created.id, "the retry answered with the invitation the first attempt made");
}
