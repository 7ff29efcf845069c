//! Write load for the webhook tests: concurrent workers creating users, updating them, making them members of a
//! few shared organizations, changing those members' roles and removing some, over plain HTTP against one node or
//! spread over several. Every write answered with a whole 200 is recorded with the event it must have appended.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tokio::sync::Notify;

use super::webhooks::Write;
use super::Api;

/// An organization made with `created_by` a new user, who stays its admin (so that members promoted to admin can
/// always be removed again): the writes acknowledged are the user's creation, the organization's and the
/// creator's membership (one write, two events). Returns the organization's id.
pub async fn organization(api: &Api, name: &str, acked: &Mutex<Vec<Write>>) -> String {
    let creator = api.user(json!({})).await;
    let org = api.org(json!({"name": name, "created_by": creator})).await;
    let members = api.get(&format!("/organizations/{org}/memberships")).await;
    let membership = members.ok()["data"][0]["id"].as_str().expect("the creator's membership").to_owned();
    let mut acked = acked.lock().unwrap();
    acked.push(Write::new("user.created", &creator));
    acked.push(Write::new("organization.created", &org));
    acked.push(Write::new("organizationMembership.created", &membership));
    org
}

/// Send a write: its body once a 200 has arrived whole (the acknowledgement), `None` if the connection broke
/// (the server was killed). Any other answer is a bug.
pub async fn acknowledged(request: reqwest::RequestBuilder) -> Option<Value> {
    let resp = request.send().await.ok()?;
    let status = resp.status();
    let text = resp.text().await.ok()?;
    assert_eq!(status, 200, "a write failed under load: {text}");
    Some(serde_json::from_str(&text).unwrap())
}

/// One round of load.
#[derive(Clone)]
pub struct Load {
    pub client: reqwest::Client,
    /// The `/v1` base URL of each node the writes are spread over.
    pub bases: Vec<String>,
    pub key: String,
    /// The organizations members are added to.
    pub orgs: Vec<String>,
    /// Iterations per worker (each 2 to 5 writes).
    pub iterations: usize,
    /// Writes acknowledged so far (shared by every round).
    pub acked: Arc<Mutex<Vec<Write>>>,
    /// Writes acknowledged in this round, and the SIGKILL's cue: notified once `kill_after` are.
    pub count: Arc<AtomicUsize>,
    pub kill: Arc<Notify>,
    pub kill_after: usize,
}

impl Load {
    /// Run `workers` workers to the end of their iterations or until the server stops answering: how many
    /// requests they sent, and whether every worker finished all its iterations.
    pub async fn run(&self, workers: usize) -> (usize, bool) {
        let tasks: Vec<_> = (0..workers).map(|w| tokio::spawn(self.clone().worker(w))).collect();
        let (mut sent, mut all) = (0, true);
        for t in tasks {
            let (s, finished) = t.await.unwrap();
            sent += s;
            all &= finished;
        }
        (sent, all)
    }

    fn ack(&self, write: Write) {
        self.acked.lock().unwrap().push(write);
        if self.count.fetch_add(1, Ordering::SeqCst) + 1 == self.kill_after {
            self.kill.notify_one();
        }
    }

    /// One worker: (requests sent, whether it finished its iterations).
    async fn worker(self, w: usize) -> (usize, bool) {
        let mut sent = 0;
        // Consecutive requests go to consecutive nodes: a user made on one node is changed on another.
        let mut turn = w;
        let mut base = || {
            turn += 1;
            self.bases[turn % self.bases.len()].clone()
        };
        for i in 0..self.iterations {
            let org = &self.orgs[(w + i) % self.orgs.len()];
            macro_rules! write {
                ($rb:expr) => {{
                    sent += 1;
                    match acknowledged($rb.bearer_auth(&self.key)).await {
                        Some(v) => v,
                        None => return (sent, false),
                    }
                }};
            }
            let user = write!(self.client.post(format!("{}/users", base())).json(&json!({})));
            let user = user["id"].as_str().unwrap().to_owned();
            self.ack(Write::new("user.created", &user));
            if i % 2 == 0 {
                let body = json!({"first_name": format!("w{w}i{i}")});
                write!(self.client.patch(format!("{}/users/{user}", base())).json(&body));
                self.ack(Write::new("user.updated", &user));
            }
            let body = json!({"user_id": user, "role": "org:member"});
            let m = write!(self.client.post(format!("{}/organizations/{org}/memberships", base())).json(&body));
            let membership = m["id"].as_str().unwrap().to_owned();
            self.ack(Write::new("organizationMembership.created", &membership));
            if i % 2 == 1 {
                let url = format!("{}/organizations/{org}/memberships/{user}", base());
                write!(self.client.patch(url).json(&json!({"role": "org:admin"})));
                self.ack(Write::new("organizationMembership.updated", &membership));
            }
            if i % 3 == 0 {
                write!(self.client.delete(format!("{}/organizations/{org}/memberships/{user}", base())));
                self.ack(Write::new("organizationMembership.deleted", &membership));
            }
        }
        (sent, true)
    }
}
