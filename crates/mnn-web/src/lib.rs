//! The drawing page's network, apart from HTTP, for `mnn serve` and for the
//! page as a static site (its WebAssembly build).
//!
//! - [`reading`]: a drawing read both ways (MNIST's and the book's), with
//!   every hidden layer's signals;
//! - [`page`]: the page's network as loaded, taught and reset, and what it
//!   imagines for each digit;
//! - [`json`]: the page's JSON, the same from the server and from the tab;
//! - [`drawing`]: a drawing as the page sends it;
//! - [`start`]: a Train panel start request and the page's limits;
//! - [`tab`]: a run trained in the browser tab, a part of an epoch at a time,
//!   bit for bit `mnn train --threads 1`;
//! - [`site`]: the page's API answered without a server (the routes the
//!   static page uses);
//! - `wasm` (built for `wasm32` only): the module's `extern "C"` exports.
//!
//! ```
//! use mnn_net::{Model, ModelInfo, NeuralNetwork};
//! use mnn_web::site::Site;
//!
//! let network = Model::Book(NeuralNetwork::new(784, 20, 10, 0.3, 1)?);
//! let mut site = Site::new(network, ModelInfo::default(), "a fresh network");
//! let drawing = br#"{"width":3,"height":3,"pixels":[255,0,255,255,0,255,255,0,255]}"#;
//! let reply = site.request("POST", "/api/query", drawing);
//! assert_eq!(reply.status, 200);
//! let reading: serde_json::Value = serde_json::from_slice(&reply.body)?;
//! assert_eq!(reading["outputs"].as_array().unwrap().len(), 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(not(target_arch = "wasm32"), forbid(unsafe_code))]
#![cfg_attr(target_arch = "wasm32", deny(unsafe_code))]

pub mod drawing;
pub mod json;
pub mod page;
pub mod reading;
pub mod site;
pub mod start;
pub mod tab;
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod wasm;
