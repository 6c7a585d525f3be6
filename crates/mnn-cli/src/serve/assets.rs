//! The drawing page: one HTML, one script and one style sheet, compiled into
//! the binary so the page works offline and needs no build step.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const INDEX_HTML: &str = include_str!("../../assets/web/index.html");
const APP_JS: &str = include_str!("../../assets/web/app.js");
const STYLE_CSS: &str = include_str!("../../assets/web/style.css");

/// What `/web.json` says when `mnn serve` serves the page: ask the server's
/// API. (The static site's web.json, written by `cargo xtask web`, names the
/// WebAssembly module and the files to load instead; docs/web.md.)
const WEB_JSON: &str = r#"{"api": "server"}"#;

/// `/`, `/app.js`, `/style.css` and `/web.json`.
pub fn routes() -> Router {
    Router::new()
        .route("/web.json", get(|| file("application/json", WEB_JSON)))
        .route("/", get(|| file("text/html; charset=utf-8", INDEX_HTML)))
        .route(
            "/app.js",
            get(|| file("text/javascript; charset=utf-8", APP_JS)),
        )
        .route(
            "/style.css",
            get(|| file("text/css; charset=utf-8", STYLE_CSS)),
        )
}

async fn file(content_type: &'static str, text: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
}
