//! Memory limits: every bomb is refused quickly within a few hundred MB, and
//! the largest inputs accepted take what the limits' derivations say.
//!
//! A counting allocator measures the peak of live heap bytes; the tests in
//! this binary take turns (one lock) so that each peak is its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TURN: Mutex<()> = Mutex::new(());

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as if the old block were still there while the new one is
        // made: the worst case of a copy.
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MB: usize = 1_000_000;

/// Each test holds its turn throughout, so no other test allocates meanwhile.
fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f`, returning its result, the peak of heap bytes it added and its time.
fn measured<T>(f: impl FnOnce() -> T) -> (T, usize, Duration) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (out, PEAK.load(Ordering::Relaxed) - base, took)
}

fn regression(target: &str, name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_bomb_among_the_regression_files_is_refused_fast_in_little_memory() {
    let _turn = turn();
    let bombs = [
        ("png", "bomb-1x100000000.png"),
        ("png", "bomb-100000000x1.png"),
        ("idx-gzip", "bomb-claims-4000000000-images.gz"),
        ("idx-gzip", "bomb-200MB-after-the-last-record.gz"),
        ("idx-images", "claims-4000000000-images.idx"),
        ("csv", "label-then-endless-digits.csv"),
    ];
    for (target, name) in bombs {
        let bytes = regression(target, name);
        let run = mnn_fuzz::target(target).unwrap().run;
        let (answer, peak, took) = measured(|| run(&bytes));
        let message = answer.expect_err(name);
        eprintln!("{name}: peak {peak} bytes, {took:?}: {message}");
        assert!(peak < 8 * MB, "{name}: {peak} bytes at peak ({message})");
        assert!(took < Duration::from_secs(2), "{name}: {took:?}");
    }
}

/// A model whose `layer_sizes` lists 200,001 layers in a 400 KB file of one
/// tensor: refused from the list's length, in a few times the file's size
/// (it took 70 times: a name and a size for every layer listed).
#[test]
fn a_model_listing_more_layers_than_it_has_tensors_is_refused_in_little_memory() {
    let _turn = turn();
    let name = "layer-sizes-of-200000-layers.safetensors";
    let bytes = regression("model", name);
    let run = mnn_fuzz::target("model").unwrap().run;
    let (answer, peak, took) = measured(|| run(&bytes));
    let message = answer.expect_err(name);
    eprintln!("{name}: peak {peak} bytes, {took:?}: {message}");
    assert!(message.contains("lists 200002 layers"), "{message}");
    assert!(
        peak < 4 * bytes.len() + MB,
        "{peak} bytes at peak for a file of {}",
        bytes.len()
    );
    assert!(took < Duration::from_secs(2), "{name}: {took:?}");
}

/// An IDX file announcing the most records we accept, followed by zeros
/// without end: read as far as the header promises (235 MB), then refused.
#[test]
fn the_largest_idx_promise_is_held_to() {
    let _turn = turn();
    let max = mnn_data::idx::MAX_RECORDS;
    let header: Vec<u8> = [0x803, max, 28, 28]
        .iter()
        .flat_map(|v: &u32| v.to_be_bytes())
        .collect();
    let endless = Cursor::new(header).chain(std::io::repeat(0));
    let (answer, peak, _) =
        measured(|| mnn_data::idx::read_images(endless, Path::new("bomb.idx")).map(drop));
    let message = answer.unwrap_err().to_string();
    assert!(
        message.contains("unexpected bytes after the last"),
        "{message}"
    );
    let promised = max as usize * 784;
    eprintln!("largest IDX promise: peak {peak} bytes for {promised} promised");
    assert!(
        peak < promised + 40 * MB,
        "{peak} bytes at peak for {promised} promised"
    );
}

/// Decoding and preparing a 16-bit RGBA PNG (the widest pixel) takes about
/// 5 bytes per pixel, as `MAX_PIXELS`'s derivation counts (6 allowed here).
#[test]
fn a_large_png_takes_the_memory_the_limit_derives_from() {
    let _turn = turn();
    let (w, h) = (2000u32, 2000u32);
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        encoder.set_compression(png::Compression::Fastest);
        let mut writer = encoder.write_header().unwrap();
        // White paper, opaque, with a dark square of ink in the middle.
        let mut data = vec![255u8; (w * h * 8) as usize];
        for y in 800..1200 {
            for x in 900..1100 {
                let at = ((y * w + x) * 8) as usize;
                data[at..at + 6].fill(0);
            }
        }
        writer.write_image_data(&data).unwrap();
    }
    let (answer, peak, _) = measured(|| {
        let image = mnn_data::image::decode_png_gray(Cursor::new(&bytes), Path::new("large.png"))?;
        mnn_data::prepare_raw(&image);
        mnn_data::prepare_digit(&image)
    });
    answer.unwrap();
    let pixels = (w * h) as usize;
    eprintln!(
        "{w}×{h} RGBA 16-bit PNG: peak {peak} bytes, {:.2} bytes per pixel",
        peak as f64 / pixels as f64
    );
    assert!(
        peak < 6 * pixels + 2 * MB,
        "{peak} bytes at peak: {:.1} bytes per pixel",
        peak as f64 / pixels as f64
    );
}
