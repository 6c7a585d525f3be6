//! The limits of a run started from the page: mnn-web's, shared with the
//! page's WebAssembly build, and printed when the server starts.

pub use mnn_web::start::Limits;
