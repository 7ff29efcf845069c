//! A throwaway in-memory SCIM server over `std::net`, only for running compliance checkers
//! (scim2-tester) against this crate: `cargo run -p roster-scim --example harness -- 8099`.
//! Not production code: single-threaded, `Connection: close`, no auth.

use roster_scim::{discovery, filter, list, patch, resource, ResourceKind, ScimError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

struct Stored {
    body: Value,
    created: i64,
    modified: i64,
    version: i64,
}

#[derive(Default)]
struct Db {
    next: u64,
    clock: i64,
    items: BTreeMap<(u8, String), Stored>,
}

fn k(kind: ResourceKind) -> u8 {
    match kind {
        ResourceKind::User => 0,
        ResourceKind::Group => 1,
    }
}

struct Resp {
    status: u16,
    body: Option<Value>,
    etag: Option<String>,
}

fn err(e: ScimError) -> Resp {
    Resp { status: e.status, body: Some(e.body()), etag: None }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Db {
    fn full(&self, kind: ResourceKind, id: &str, base: &str) -> Option<Value> {
        let s = self.items.get(&(k(kind), id.to_string()))?;
        let mut body = s.body.clone();
        if kind == ResourceKind::User {
            let groups: Vec<(String, String)> = self
                .items
                .iter()
                .filter(|((kk, _), g)| *kk == 1 && roster_scim::group_members(&g.body).iter().any(|m| m == id))
                .map(|((_, gid), g)| (gid.clone(), roster_scim::display_name(&g.body).unwrap_or_default()))
                .collect();
            if !groups.is_empty() {
                if let Some(o) = body.as_object_mut() {
                    o.insert("groups".into(), resource::user_groups(base, &groups));
                }
            }
        }
        Some(resource::with_meta(kind, &body, id, s.created, s.modified, s.version, base))
    }

    fn unique(&self, kind: ResourceKind, body: &Value, except: Option<&str>) -> Result<(), ScimError> {
        if kind != ResourceKind::User {
            return Ok(());
        }
        let name = roster_scim::user_fields(body).user_name.to_lowercase();
        let clash = self.items.iter().any(|((kk, id), s)| {
            *kk == 0
                && Some(id.as_str()) != except
                && roster_scim::user_fields(&s.body).user_name.to_lowercase() == name
        });
        if clash {
            Err(ScimError::uniqueness("userName is taken"))
        } else {
            Ok(())
        }
    }

    fn handle(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        body: &[u8],
        base: &str,
    ) -> Resp {
        let q = |name: &str| query.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let ok = |v: Value| Resp { status: 200, body: Some(v), etag: None };
        let discovery_only = |r: Option<Value>| -> Resp {
            if method != "GET" {
                return err(ScimError::method_not_allowed("only GET"));
            }
            match r {
                Some(v) => Resp { status: 200, body: Some(v), etag: None },
                None => err(ScimError::not_found("not found")),
            }
        };
        match segs.as_slice() {
            ["ServiceProviderConfig"] => return discovery_only(Some(discovery::service_provider_config(base))),
            ["ResourceTypes"] => return discovery_only(Some(discovery::resource_types(base))),
            ["ResourceTypes", id] => return discovery_only(discovery::resource_type(base, id)),
            ["Schemas"] => return discovery_only(Some(discovery::schemas(base))),
            ["Schemas", id] => return discovery_only(discovery::schema(base, id)),
            [".search"] => return err(ScimError::not_implemented("root search")),
            _ => {}
        }
        let kind = match segs.first() {
            Some(&"Users") => ResourceKind::User,
            Some(&"Groups") => ResourceKind::Group,
            _ => return err(ScimError::not_found("no such endpoint")),
        };
        let json = || -> Result<Value, ScimError> {
            serde_json::from_slice(body).map_err(|e| ScimError::invalid_syntax(e.to_string()))
        };
        let attrs = q("attributes");
        let excl = q("excludedAttributes");
        let proj = |v: Value| resource::project(kind, &v, attrs.as_deref(), excl.as_deref());
        let if_match = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("if-match")).map(|(_, v)| v.clone());
        match (method, segs.get(1)) {
            ("GET", None) => {
                let p = match list::parse_params(kind, query) {
                    Ok(p) => p,
                    Err(e) => return err(e),
                };
                let ids: Vec<String> =
                    self.items.keys().filter(|(kk, _)| *kk == k(kind)).map(|(_, id)| id.clone()).collect();
                let mut all: Vec<Value> = ids
                    .iter()
                    .filter_map(|id| self.full(kind, id, base))
                    .filter(|v| p.filter.as_ref().is_none_or(|f| filter::matches(kind, f, v)))
                    .collect();
                if let Some(sb) = &p.sort_by {
                    all.sort_by(|a, b| list::compare(kind, sb, p.sort_order, a, b));
                }
                let total = all.len();
                let page = list::paginate(all, p.start_index, p.count);
                let mut out = Vec::new();
                for v in page {
                    match resource::project(kind, &v, p.attributes.as_deref(), p.excluded_attributes.as_deref()) {
                        Ok(v) => out.push(v),
                        Err(e) => return err(e),
                    }
                }
                ok(list::list_response(out, total, p.start_index))
            }
            ("POST", None) => {
                let body = match json().and_then(|b| resource::normalize(kind, b)) {
                    Ok(b) => b,
                    Err(e) => return err(e),
                };
                if let Err(e) = self.unique(kind, &body, None) {
                    return err(e);
                }
                self.next += 1;
                self.clock += 1000;
                let id = format!("id{:06}", self.next);
                self.items.insert(
                    (k(kind), id.clone()),
                    Stored { body, created: self.clock, modified: self.clock, version: 1 },
                );
                let full = self.full(kind, &id, base).unwrap_or(Value::Null);
                match proj(full) {
                    Ok(v) => Resp { status: 201, body: Some(v), etag: Some(resource::etag(1)) },
                    Err(e) => err(e),
                }
            }
            (m, Some(id)) => {
                let key = (k(kind), id.to_string());
                let Some(cur) = self.items.get(&key) else { return err(ScimError::not_found("no such resource")) };
                if let Some(im) = &if_match {
                    if m != "GET" && !resource::if_match(im, cur.version) {
                        return err(ScimError::precondition_failed("version mismatch"));
                    }
                }
                match m {
                    "GET" => {
                        let full = self.full(kind, id, base).unwrap_or(Value::Null);
                        let v = cur.version;
                        match proj(full) {
                            Ok(b) => Resp { status: 200, body: Some(b), etag: Some(resource::etag(v)) },
                            Err(e) => err(e),
                        }
                    }
                    "DELETE" => {
                        self.items.remove(&key);
                        Resp { status: 204, body: None, etag: None }
                    }
                    "PUT" | "PATCH" => {
                        let new = if m == "PUT" {
                            json().and_then(|b| resource::normalize(kind, b))
                        } else {
                            let mut b = cur.body.clone();
                            json().and_then(patch::parse).and_then(|ops| patch::apply(kind, &mut b, &ops)).map(|_| b)
                        };
                        let new = match new {
                            Ok(b) => b,
                            Err(e) => return err(e),
                        };
                        if let Err(e) = self.unique(kind, &new, Some(id)) {
                            return err(e);
                        }
                        self.clock += 1000;
                        let clock = self.clock;
                        let Some(s) = self.items.get_mut(&key) else { return err(ScimError::not_found("gone")) };
                        s.body = new;
                        s.modified = clock;
                        s.version += 1;
                        let v = s.version;
                        let full = self.full(kind, id, base).unwrap_or(Value::Null);
                        match proj(full) {
                            Ok(b) => Resp { status: 200, body: Some(b), etag: Some(resource::etag(v)) },
                            Err(e) => err(e),
                        }
                    }
                    _ => err(ScimError::method_not_allowed("method")),
                }
            }
            _ => err(ScimError::method_not_allowed("method")),
        }
    }
}

fn serve(db: &mut Db, stream: TcpStream, base: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let (path, qs) = target.split_once('?').unwrap_or((&target, ""));
    let query: Vec<(String, String)> = qs
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect();
    let r = db.handle(&method, &decode(path), &query, &headers, &body, base);
    eprintln!("{method} {target} {} -> {}", String::from_utf8_lossy(&body), r.status);
    let payload = r.body.map(|b| b.to_string()).unwrap_or_default();
    let mut out = stream;
    let reason = if r.status < 300 { "OK" } else { "Error" };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        payload.len()
    );
    if let Some(e) = r.etag {
        head.push_str(&format!("ETag: {e}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(payload.as_bytes())?;
    out.flush()
}

fn main() -> std::io::Result<()> {
    let port = std::env::args().nth(1).unwrap_or_else(|| "8099".into());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}"))?;
    let base = format!("http://127.0.0.1:{port}");
    let mut db = Db::default();
    for stream in listener.incoming() {
        if let Err(e) = serve(&mut db, stream?, &base) {
            eprintln!("io error: {e}");
        }
    }
    Ok(())
}
