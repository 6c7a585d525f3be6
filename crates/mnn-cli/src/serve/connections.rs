//! The server's connections, bounded: hyper's HTTP/1 server with a timeout
//! for reading a request's headers (which also closes a kept-alive
//! connection that sends nothing), a timeout for each request (its body
//! read and its answer), a cap on open connections, and a shutdown that
//! waits for requests under way for a bounded time only. What each limit is
//! stands in the constants below (and in docs/reliability.md).

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

/// A client must send a request's headers within this (and a kept-alive
/// connection is closed when no next request starts within it).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request must be read and answered within this (an event stream's
/// answer starts at once; its messages then flow for as long as it lasts).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more wait, in the order they came, for a
/// free place (connections that send nothing free theirs within
/// [`HEADER_TIMEOUT`]) for up to [`WAIT_FOR_A_PLACE`], then are closed.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a connection over the cap waits for a place.
pub const WAIT_FOR_A_PLACE: Duration = Duration::from_secs(60);
/// How long requests under way may take to finish once the server is told
/// to stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

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

/// Serves `app` on `listener` until `stop` completes, then lets requests
/// under way finish for at most [`SHUTDOWN_GRACE`]; `true` if they all did.
pub async fn serve(listener: TcpListener, app: Router, stop: impl Future<Output = ()>) -> bool {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let open = Arc::new(Semaphore::new(MAX_CONNECTIONS));
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
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            // Over the cap: wait for a place (silent connections free theirs
            // within the header timeout), or close.
            let Ok(Ok(_permit)) =
                tokio::time::timeout(WAIT_FOR_A_PLACE, open.acquire_owned()).await
            else {
                return;
            };
            let _ = connection.await;
        });
    }
    drop(listener);
    tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_ok()
}
