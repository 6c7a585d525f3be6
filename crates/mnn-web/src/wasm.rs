//! The WebAssembly module's exports: plain `extern "C"` functions over
//! bytes in the module's memory, driven by `worker.js` (the page's Web
//! Worker). One [`Site`] lives in the module; every request is answered
//! into one reply buffer, which the worker copies out before the next call.
//!
//! The worker's side: `mnn_alloc` a buffer, write bytes into it, call, read
//! `mnn_reply_ptr`/`mnn_reply_len`, `mnn_free` the buffer.

use crate::site::{Reply, Site};
use crate::tab::TabData;
use mnn_net::Model;
use std::cell::RefCell;

thread_local! {
    static SITE: RefCell<Option<Site>> = const { RefCell::new(None) };
    static REPLY: RefCell<Reply> = RefCell::new(Reply {
        status: 0,
        content_type: "application/json",
        body: Vec::new(),
    });
}

/// The bytes at `ptr` (from [`mnn_alloc`]), `len` long.
fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: the worker passes a buffer it got from `mnn_alloc(len)` and
    // filled, and keeps it until the call returns.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

fn keep(reply: Reply) -> u32 {
    let status = u32::from(reply.status);
    REPLY.with(|kept| *kept.borrow_mut() = reply);
    status
}

fn refuse(status: u16, message: String) -> u32 {
    keep(Reply {
        status,
        content_type: "application/json",
        body: serde_json::json!({ "error": message })
            .to_string()
            .into_bytes(),
    })
}

/// A buffer of `len` bytes for the worker to write into.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_alloc(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let ptr = buffer.as_mut_ptr();
    std::mem::forget(buffer);
    ptr
}

/// Gives back a buffer of [`mnn_alloc`].
#[unsafe(no_mangle)]
pub extern "C" fn mnn_free(ptr: *mut u8, len: usize) {
    // SAFETY: `ptr` came from `mnn_alloc(len)`, which made a Vec of that capacity.
    drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
}

/// Opens the page with a saved network (a `.safetensors` file's bytes);
/// `source` says where it came from. 200, or a refusal in the reply.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_open(
    model: *const u8,
    model_len: usize,
    source: *const u8,
    source_len: usize,
) -> u32 {
    let source = String::from_utf8_lossy(bytes(source, source_len)).into_owned();
    match Model::from_safetensors(bytes(model, model_len)) {
        Ok((network, info)) => {
            if let Err(e) = mnn_train::check_digit_network(&network) {
                return refuse(422, e.to_string());
            }
            SITE.with(|site| *site.borrow_mut() = Some(Site::new(network, info, &source)));
            keep(Reply {
                status: 200,
                content_type: "application/json",
                body: b"{}".to_vec(),
            })
        }
        Err(e) => refuse(422, format!("{source}: {e}")),
    }
}

/// The records to train and score on in the tab: four decompressed IDX
/// files (training images and labels, test images and labels).
#[unsafe(no_mangle)]
pub extern "C" fn mnn_load_records(
    train_images: *const u8,
    train_images_len: usize,
    train_labels: *const u8,
    train_labels_len: usize,
    test_images: *const u8,
    test_images_len: usize,
    test_labels: *const u8,
    test_labels_len: usize,
) -> u32 {
    let data = TabData::from_idx(
        bytes(train_images, train_images_len),
        bytes(train_labels, train_labels_len),
        bytes(test_images, test_images_len),
        bytes(test_labels, test_labels_len),
    );
    match data {
        Ok(data) => SITE.with(|site| match site.borrow_mut().as_mut() {
            Some(site) => {
                // Loaded once for the page's whole life.
                site.set_data(Box::leak(Box::new(data)));
                refuse_none()
            }
            None => refuse(409, "open a network first".into()),
        }),
        Err(e) => refuse(422, e.to_string()),
    }
}

fn refuse_none() -> u32 {
    keep(Reply {
        status: 200,
        content_type: "application/json",
        body: b"{}".to_vec(),
    })
}

/// Answers a request as `mnn serve` would: `method` (0 GET, 1 POST), the
/// path and the body. Returns the status; the reply is at
/// [`mnn_reply_ptr`].
#[unsafe(no_mangle)]
pub extern "C" fn mnn_request(
    method: u32,
    path: *const u8,
    path_len: usize,
    body: *const u8,
    body_len: usize,
) -> u32 {
    let method = if method == 0 { "GET" } else { "POST" };
    let path = String::from_utf8_lossy(bytes(path, path_len)).into_owned();
    let reply = SITE.with(|site| match site.borrow_mut().as_mut() {
        Some(site) => Some(site.request(method, &path, bytes(body, body_len))),
        None => None,
    });
    match reply {
        Some(reply) => keep(reply),
        None => refuse(409, "open a network first".into()),
    }
}

/// Where the last reply's body is.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_reply_ptr() -> *const u8 {
    REPLY.with(|reply| reply.borrow().body.as_ptr())
}

/// How long the last reply's body is.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_reply_len() -> usize {
    REPLY.with(|reply| reply.borrow().body.len())
}

/// 1 if the last reply is a PNG, 0 if JSON.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_reply_is_png() -> u32 {
    REPLY.with(|reply| u32::from(reply.borrow().content_type == "image/png"))
}

/// `a·b + c` as the kernels compute it (`kernels::axpy` over eight values):
/// the worker asks for a case where the fused and the unfused results differ,
/// to learn whether this machine's `relaxed_madd` fuses.
#[unsafe(no_mangle)]
pub extern "C" fn mnn_kernel_mul_add(a: f32, b: f32, c: f32) -> f32 {
    let mut y = [c; 8];
    mnn_matrix::kernels::axpy(a, &[b; 8], &mut y);
    y[0]
}
