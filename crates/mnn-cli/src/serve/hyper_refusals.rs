//! hyper's own refusals, given the API's one-line JSON body.
//!
//! hyper answers a request it cannot parse by itself, before any service
//! sees it: 400 for a malformed request line or header, 414 for a URI too
//! long, 431 for headers too large or too many. It sends a head with
//! `content-length: 0` and no body, and offers no hook to change that. So
//! the connection's socket is wrapped in [`JsonRefusals`], which recognises
//! that head as hyper writes it (one of those statuses, `content-length: 0`
//! and no `content-type`: every answer of mnn's own has a typed body, see
//! [`ApiError`]) and sends it on with the refusal's JSON body instead,
//! hyper's status line and other headers kept.

use super::api::ApiError;
use axum::http::StatusCode;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's socket whose writes pass through unchanged, but for
/// hyper's bodiless refusals, which get the API's JSON.
pub struct JsonRefusals<T> {
    inner: T,
    /// A refusal rewritten, still to be sent from `sent` on.
    pending: Vec<u8>,
    sent: usize,
}

impl<T> JsonRefusals<T> {
    pub fn new(inner: T) -> JsonRefusals<T> {
        JsonRefusals {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

/// What hyper's refusal with `status` says.
fn refusal(status: StatusCode) -> Option<ApiError> {
    let message = match status {
        StatusCode::BAD_REQUEST => {
            "the request is not HTTP/1.1 this server can read (a malformed request line or header)"
        }
        StatusCode::URI_TOO_LONG => "the request's URI (its path and query) is too long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            "the request's headers are too large or too many"
        }
        _ => return None,
    };
    Some(ApiError::new(status, message))
}

/// If `written` starts with hyper's bodiless refusal, the length of its
/// head and the answer to send instead.
fn with_json_body(written: &[u8]) -> Option<(usize, Vec<u8>)> {
    const VERSION: &[u8] = b"HTTP/1.1 ";
    let code = written.strip_prefix(VERSION)?.get(..3)?;
    let status = StatusCode::from_bytes(code).ok()?;
    let refusal = refusal(status)?;
    let end = written.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&written[..end - 4]).ok()?;
    let is = |line: &str, name: &str| {
        line.split_once(':')
            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
    };
    let bodiless = head.split("\r\n").any(|line| {
        is(line, "content-length") && line.split_once(':').is_some_and(|(_, v)| v.trim() == "0")
    });
    if !bodiless || head.split("\r\n").any(|line| is(line, "content-type")) {
        return None;
    }
    let body = refusal.body();
    let mut answer = String::with_capacity(end + 64);
    for line in head.split("\r\n") {
        if is(line, "content-length") {
            answer.push_str("content-type: application/json\r\n");
            answer.push_str(&format!("content-length: {}\r\n", body.len()));
        } else {
            answer.push_str(line);
            answer.push_str("\r\n");
        }
    }
    answer.push_str("\r\n");
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some((end, answer))
}

impl<T: AsyncWrite + Unpin> JsonRefusals<T> {
    /// Sends what is left of a rewritten refusal.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes hyper's refusal at the start of `written`, if it is one, and
    /// starts sending the rewritten one: how many of hyper's bytes it took.
    fn poll_take_refusal(
        &mut self,
        cx: &mut Context<'_>,
        written: &[u8],
    ) -> Option<Poll<io::Result<usize>>> {
        let (taken, answer) = with_json_body(written)?;
        self.pending = answer;
        self.sent = 0;
        // What the socket does not take now goes at the next write or flush.
        Some(match self.poll_pending(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(taken)),
        })
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonRefusals<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonRefusals<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(taken) = this.poll_take_refusal(cx, buf) {
            return taken;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(first) = bufs.iter().find(|b| !b.is_empty())
            && let Some(taken) = this.poll_take_refusal(cx, first)
        {
            return taken;
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_refusals_are_rewritten() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
                      content-length: 0\r\ndate: Mon, 07 Dec 2026 17:57:37 GMT\r\n\r\n";
        let (taken, answer) = with_json_body(hyper).unwrap();
        assert_eq!(taken, hyper.len());
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("\r\ncontent-type: application/json\r\n"));
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        assert!(head.contains("\r\ndate: Mon"));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert!(json["error"].as_str().unwrap().contains("headers"));
        // mnn's own answers, and a refusal of another status, go as they are.
        for untouched in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"{\"error\":\"HTTP/1.1 400 \"}",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
        ] {
            assert!(with_json_body(untouched).is_none());
        }
    }
}
