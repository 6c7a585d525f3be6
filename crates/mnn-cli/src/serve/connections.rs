//! The server's connections, bounded: hyper's HTTP/1 server with a timeout
//! for reading a request's headers (which also closes a kept-alive
//! connection that sends nothing), a timeout for each request (its body
//! read and its answer), a cap on open connections, and a shutdown that
//! waits for requests under way for a bounded time only; hyper's own
//! refusals get the API's JSON ([`JsonRefusals`]). What each limit is
//! stands in [`Bounds::SERVED`] and [`REQUEST_TIMEOUT`] (and in
//! docs/reliability.md).

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::api::ApiError;
use super::hyper_refusals::JsonRefusals;

/// How long clients may take and how many are served at once: the
/// connections' bounds, as a value ([`Bounds::SERVED`] is what `mnn serve`
/// uses; a test may shorten them).
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// A client must send a request's headers within this (and a
    /// kept-alive connection is closed when no next request starts within it).
    pub header_timeout: Duration,
    /// Connections served at once; more wait, in the order they came, for a
    /// free place (connections that send nothing free theirs within
    /// `header_timeout`) for up to `wait_for_a_place`, then are closed.
    pub max_connections: usize,
    /// How long a connection over the cap waits for a place.
    pub wait_for_a_place: Duration,
    /// How long requests under way may take to finish once the server is
    /// told to stop.
    pub shutdown_grace: Duration,
}

impl Bounds {
    /// `mnn serve`'s bounds (docs/reliability.md).
    pub const SERVED: Bounds = Bounds {
        header_timeout: Duration::from_secs(10),
        max_connections: 64,
        wait_for_a_place: Duration::from_secs(60),
        shutdown_grace: Duration::from_secs(5),
    };
}

/// A request must be read and answered within this (an event stream's
/// answer starts at once; its messages then flow for as long as it lasts).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The request timeout, as an axum middleware: 408 in the API's JSON.
pub async fn request_timeout(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request was not sent and answered within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Serves `app` on `listener` within `bounds` until `stop` completes, then
/// lets requests under way finish for at most `bounds.shutdown_grace`;
/// `true` if they all did.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    bounds: Bounds,
    stop: impl Future<Output = ()>,
) -> bool {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(bounds.header_timeout)
        .keep_alive(true);
    let open = Arc::new(Semaphore::new(bounds.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset while queued:
            // wait a moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        // hyper's own refusals (malformed HTTP, 414, 431) get the API's JSON.
        let io = TokioIo::new(JsonRefusals::new(stream));
        let connection = graceful.watch(http.serve_connection(io, service));
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            // Over the cap: wait for a place (silent connections free theirs
            // within the header timeout), or close.
            let Ok(Ok(_permit)) =
                tokio::time::timeout(bounds.wait_for_a_place, open.acquire_owned()).await
            else {
                return;
            };
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::time::timeout(bounds.shutdown_grace, graceful.shutdown())
        .await
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::io::{Read, Write};

    /// Sends `request` on a new connection to `address` and reads the
    /// answers until the server closes it.
    async fn exchange(address: std::net::SocketAddr, request: &[u8]) -> String {
        let request = request.to_vec();
        let answer = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            stream.write_all(&request).unwrap();
            let mut answer = Vec::new();
            stream
                .read_to_end(&mut answer)
                .expect("the server closes the connection");
            answer
        });
        String::from_utf8(answer.await.unwrap()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn hypers_own_refusals_are_one_line_json_too() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = Router::new().route("/", get(|| async { "hello" }));
        tokio::spawn(serve(listener, app, Bounds::SERVED, std::future::pending()));
        let many: String = (0..200).map(|i| format!("X-{i}: a\r\n")).collect();
        let long_uri = format!("/?{}", "a".repeat(70_000));
        for (request, status, words) in [
            ("GARBAGE\r\n\r\n".to_string(), 400, "malformed"),
            ("GET / HTTP/9.9\r\n\r\n".to_string(), 400, "malformed"),
            (
                "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n".to_string(),
                400,
                "malformed",
            ),
            (
                "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n".to_string(),
                400,
                "malformed",
            ),
            (format!("GET {long_uri} HTTP/1.1\r\n\r\n"), 414, "URI"),
            (format!("GET / HTTP/1.1\r\n{many}\r\n"), 431, "headers"),
            // After a good request on the same connection, too.
            (
                "GET / HTTP/1.1\r\nHost: localhost\r\n\r\nGARBAGE\r\n\r\n".to_string(),
                400,
                "malformed",
            ),
        ] {
            let answer = exchange(address, request.as_bytes()).await;
            // After "hello" (the good request's answer), if any, the refusal.
            let refusal = answer
                .rsplit_once("\r\n\r\nhello")
                .map_or(&*answer, |(_, r)| r);
            assert_eq!(
                answer.len() > refusal.len(),
                request.contains("Host: localhost"),
                "{answer}"
            );
            assert!(
                refusal.starts_with(&format!("HTTP/1.1 {status} ")),
                "{answer}"
            );
            let (head, body) = refusal.split_once("\r\n\r\n").unwrap();
            assert!(
                head.contains("\r\ncontent-type: application/json\r\n"),
                "{head}"
            );
            assert!(head.contains(&format!("content-length: {}\r\n", body.len())));
            assert!(!body.contains('\n'), "{body}");
            let json: serde_json::Value = serde_json::from_str(body).unwrap();
            assert!(json["error"].as_str().unwrap().contains(words), "{body}");
        }
    }
}
