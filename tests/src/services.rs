//! Where the real services the tests talk to are, and their URLs pointed
//! elsewhere, such as at a [`Proxy`](crate::Proxy).

use std::net::SocketAddr;

/// The address of a service: the variable's value, or `default` when it is
/// unset or blank.
pub fn service(variable: &str, default: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// `host:port` of a URL such as `postgres://user@host:5432/db`.
pub fn host_port(url: &str) -> String {
    let body = url.split_once("://").map_or(url, |(_, body)| body);
    let authority = body.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    host.to_owned()
}

/// `url` with its host and port replaced by `address`, user information
/// and path kept.
pub fn redirect(url: &str, address: SocketAddr) -> String {
    let (scheme, body) = url.split_once("://").expect("a URL with a scheme");
    let authority_end = body.find(['/', '?', '#']).unwrap_or(body.len());
    let (authority, rest) = body.split_at(authority_end);
    let userinfo = authority
        .rsplit_once('@')
        .map(|(userinfo, _)| format!("{userinfo}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}{address}{rest}")
}
