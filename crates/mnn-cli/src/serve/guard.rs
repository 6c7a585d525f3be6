//! Who may use the server: only the page it serves, at the address it
//! listens on.
//!
//! Any web page a person visits can send a request to 127.0.0.1 (a "simple"
//! POST, `Content-Type: text/plain`, needs no permission from the browser),
//! and a name an attacker controls can be made to point at 127.0.0.1 (DNS
//! rebinding). So every request must name this server in its `Host` header
//! (a loopback name or address, or the address given with `--host`); a
//! request that carries an `Origin` must come from the same host and port;
//! and a POST must say its body is `application/json` or `image/png`, which
//! a foreign page cannot send without the browser asking first. Refusals are
//! 403 and 415, in the API's one-line JSON.

use super::api::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The addresses the server answers as.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    /// `--host`: the address it listens on.
    pub host: IpAddr,
}

/// The rule, as an axum middleware.
pub async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    match guard.check(request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

impl Guard {
    /// Whether a request with `method` and `headers` may reach the routes.
    pub fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        // A request without Host comes from no browser (HTTP/1.1 requires it).
        if let Some(host) = text(header::HOST)
            && !self.answers_as(host)
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "Host {}: this server answers only as localhost or {} (a page reaching it under \
                     another name is refused)",
                    shortened(host),
                    self.host
                ),
            ));
        }
        if let Some(origin) = text(header::ORIGIN) {
            let from = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            if Some(from) != text(header::HOST) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    format!(
                        "requests from other pages are refused (Origin {})",
                        shortened(origin)
                    ),
                ));
            }
        }
        if method == Method::POST {
            let kind = text(header::CONTENT_TYPE).unwrap_or_default();
            let essence = kind.split(';').next().unwrap_or_default().trim();
            if !(essence.eq_ignore_ascii_case("application/json")
                || essence.eq_ignore_ascii_case("image/png"))
            {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "a POST's body must be Content-Type application/json (or image/png for a \
                         drawing), not {:?}",
                        shortened(kind)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether `host` (a Host header: a name or address, maybe with a port)
    /// names this server.
    fn answers_as(&self, host: &str) -> bool {
        let name = match host.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => host.rsplit_once(':').map_or(host, |(name, _)| name),
        };
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.host || self.host.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// At most 80 characters of what a client sent (a header, a path), for a
/// message.
pub(super) fn shortened(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn only_this_servers_names_and_pages_get_through() {
        let local = Guard {
            host: "127.0.0.1".parse().unwrap(),
        };
        let json = (header::CONTENT_TYPE, "application/json");
        for host in [
            "127.0.0.1:8784",
            "localhost:8784",
            "[::1]:8784",
            "LOCALHOST",
            "127.0.0.2",
        ] {
            let ok = headers(&[(header::HOST, host), json.clone()]);
            assert!(local.check(&Method::POST, &ok).is_ok(), "{host}");
        }
        let page = headers(&[
            (header::HOST, "127.0.0.1:8784"),
            (header::ORIGIN, "http://127.0.0.1:8784"),
            json.clone(),
        ]);
        assert!(local.check(&Method::POST, &page).is_ok());
        for (refused, status) in [
            (
                headers(&[(header::HOST, "evil.example"), json.clone()]),
                403,
            ),
            (
                headers(&[(header::HOST, "192.168.1.5:8784"), json.clone()]),
                403,
            ),
            (
                headers(&[
                    (header::HOST, "127.0.0.1:8784"),
                    (header::ORIGIN, "http://evil.example"),
                    json.clone(),
                ]),
                403,
            ),
            (
                headers(&[
                    (header::HOST, "127.0.0.1:8784"),
                    (header::ORIGIN, "http://127.0.0.1:9999"),
                    json.clone(),
                ]),
                403,
            ),
            (
                headers(&[
                    (header::HOST, "127.0.0.1:8784"),
                    (header::CONTENT_TYPE, "text/plain"),
                ]),
                415,
            ),
            (headers(&[(header::HOST, "127.0.0.1:8784")]), 415),
        ] {
            let response = local
                .check(&Method::POST, &refused)
                .unwrap_err()
                .into_response();
            assert_eq!(response.status().as_u16(), status, "{refused:?}");
        }
        // A GET needs no body type, but the right Host all the same.
        assert!(
            local
                .check(&Method::GET, &headers(&[(header::HOST, "localhost")]))
                .is_ok()
        );
        assert!(
            local
                .check(&Method::GET, &headers(&[(header::HOST, "evil.example")]))
                .is_err()
        );
        // Listening on every address, any address of this machine names it; names still do not.
        let everywhere = Guard {
            host: "0.0.0.0".parse().unwrap(),
        };
        let lan = headers(&[(header::HOST, "192.168.1.5:8784"), json.clone()]);
        assert!(everywhere.check(&Method::POST, &lan).is_ok());
        let named = headers(&[(header::HOST, "evil.example:8784"), json]);
        assert!(everywhere.check(&Method::POST, &named).is_err());
    }

    #[test]
    fn what_a_client_sent_is_shortened_in_messages() {
        let long = "x".repeat(1_000_000);
        let guard = Guard {
            host: "127.0.0.1".parse().unwrap(),
        };
        let error = guard
            .check(&Method::GET, &headers(&[(header::HOST, &long)]))
            .unwrap_err()
            .into_response();
        assert_eq!(error.status(), StatusCode::FORBIDDEN);
        assert_eq!(shortened(&long).chars().count(), 81);
    }
}
