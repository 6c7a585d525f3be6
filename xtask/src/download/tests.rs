//! `install_all` end to end: folder and HTTP mirrors (served on loopback),
//! good, bad, truncated, too large and too slow copies, and what each leaves
//! behind.

use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::files::Expected;
use super::install::Summary;
use super::verify::GZIP_MAGIC;
use super::*;

/// SHA-256 of the five bytes `hello`, a well-known value.
const HELLO_SHA256: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
const HELLO: Expected<'static> = Expected {
    name: "fake-hello",
    sha256: HELLO_SHA256,
    size: 5,
};

/// [`install_all`] with a short deadline per file.
fn install(dest: &Path, files: &[Expected], sources: &[Source]) -> Result<Summary> {
    install_all(dest, files, sources, &Fetcher::new(Duration::from_secs(3)))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

/// The names in a folder, sorted: to check nothing but what we expect is left.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The message of an [`install`] that must fail.
fn refusal(dest: &Path, files: &[Expected], sources: &[Source]) -> String {
    install(dest, files, sources).unwrap_err().to_string()
}

/// Checks that a refused download left nothing in `dir`.
fn assert_left_empty(dir: &Path) {
    assert!(names_in(dir).is_empty(), "{:?}", names_in(dir));
}

fn mirror_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let mirror = tempfile::tempdir().unwrap();
    fs::write(mirror.path().join(name), bytes).unwrap();
    mirror
}

#[test]
fn valid_gzip_is_installed_as_downloaded() {
    let served = gzip(b"hello");
    let mirror = mirror_with("fake-hello.gz", &served);
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Dir(mirror.path().to_path_buf())];

    let summary = install(dest.path(), &[HELLO], &sources).unwrap();

    assert_eq!((summary.installed, summary.already_present), (1, 0));
    assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
    assert_eq!(fs::read(dest.path().join("fake-hello.gz")).unwrap(), served);
}

#[test]
fn valid_file_already_present_is_skipped() {
    let mirror = mirror_with("fake-hello.gz", &gzip(b"hello"));
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Dir(mirror.path().to_path_buf())];
    install(dest.path(), &[HELLO], &sources).unwrap();

    // With the mirror emptied, only a skip can succeed.
    fs::remove_file(mirror.path().join("fake-hello.gz")).unwrap();
    let summary = install(dest.path(), &[HELLO], &sources).unwrap();

    assert_eq!((summary.installed, summary.already_present), (0, 1));
    assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
}

#[test]
fn wrong_content_is_refused_and_leaves_no_file() {
    let served = gzip(b"jello");
    let mirror = mirror_with("fake-hello.gz", &served);
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Dir(mirror.path().to_path_buf())];

    let message = refusal(dest.path(), &[HELLO], &sources);

    let mut actual = Sha256::new();
    actual.update(b"jello");
    let actual: String = actual
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(message.contains("fake-hello.gz"), "{message}");
    assert!(message.contains(HELLO_SHA256), "{message}");
    assert!(message.contains(&actual), "{message}");
    assert_left_empty(dest.path());
}

#[test]
fn truncated_gzip_is_refused_and_leaves_no_file() {
    let whole = gzip(&[7u8; 10_000]);
    let truncated = &whole[..whole.len() / 2];
    let mirror = mirror_with("fake-hello.gz", truncated);
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Dir(mirror.path().to_path_buf())];

    let message = refusal(dest.path(), &[HELLO], &sources);

    assert!(message.contains("not a valid gzip stream"), "{message}");
    assert!(message.contains(HELLO_SHA256), "{message}");
    assert_left_empty(dest.path());
}

#[test]
fn invalid_existing_file_is_replaced_only_by_a_verified_one() {
    let dest = tempfile::tempdir().unwrap();
    let final_path = dest.path().join("fake-hello.gz");
    let stale = gzip(b"stale");
    fs::write(&final_path, &stale).unwrap();

    // A bad mirror does not replace it...
    let bad = mirror_with("fake-hello.gz", &gzip(b"jello"));
    let message = refusal(dest.path(), &[HELLO], &[Source::Dir(bad.path().into())]);
    assert!(message.contains("already there is invalid"), "{message}");
    assert_eq!(fs::read(&final_path).unwrap(), stale);

    // ...a good one does.
    let good = mirror_with("fake-hello.gz", &gzip(b"hello"));
    let summary = install(dest.path(), &[HELLO], &[Source::Dir(good.path().into())]).unwrap();
    assert_eq!(summary.installed, 1);
    assert_eq!(gunzip(&fs::read(&final_path).unwrap()), b"hello");
    assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
}

#[test]
fn uncompressed_mirror_file_is_stored_gzipped() {
    let mirror = mirror_with("fake-hello", b"hello");
    let dest = tempfile::tempdir().unwrap();

    install(dest.path(), &[HELLO], &[Source::Dir(mirror.path().into())]).unwrap();

    let stored = fs::read(dest.path().join("fake-hello.gz")).unwrap();
    assert_eq!(stored[..2], GZIP_MAGIC);
    assert_eq!(gunzip(&stored), b"hello");
}

#[test]
fn later_source_is_tried_when_the_first_lacks_the_file() {
    let empty = tempfile::tempdir().unwrap();
    let good = mirror_with("fake-hello.gz", &gzip(b"hello"));
    let dest = tempfile::tempdir().unwrap();
    let sources = [
        Source::Dir(empty.path().into()),
        Source::Dir(good.path().into()),
    ];

    install(dest.path(), &[HELLO], &sources).unwrap();

    assert_eq!(names_in(dest.path()), ["fake-hello.gz"]);
}

#[test]
fn unreachable_mirror_gives_a_clear_message() {
    // Nothing listens on port 1 of the loopback address: refused at once.
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Http("http://127.0.0.1:1/mnist/".into())];
    let other = Expected {
        name: "fake-other",
        sha256: HELLO_SHA256,
        size: 5,
    };

    let message = refusal(dest.path(), &[HELLO, other], &sources);

    // One short message, not one line per file per mirror.
    assert_eq!(message.lines().count(), 3, "{message}");
    assert!(
        message.starts_with("cannot reach http://127.0.0.1:1/mnist/ ("),
        "{message}"
    );
    assert!(
        message.contains("`cargo run -p mnn-cli` still works"),
        "{message}"
    );
    assert!(message.contains("--from DIR"), "{message}");
    assert_left_empty(dest.path());

    // A folder the failed download created is not left behind, empty.
    let fresh = dest.path().join("data/mnist");
    install(&fresh, &[HELLO], &sources).unwrap_err();
    assert!(!fresh.exists());
    assert!(dest.path().join("data").exists());
}

#[test]
fn temporaries_of_killed_runs_are_removed() {
    let mirror = mirror_with("fake-hello.gz", &gzip(b"hello"));
    let dest = tempfile::tempdir().unwrap();
    let live = format!(".fake-hello.gz.{}.XyZ.tmp", std::process::id());
    for name in [
        ".fake-hello.gz.4294967.AbC.tmp", // a pid that cannot exist
        ".fake-hello.gz.AbCdEf.tmp",      // an older version's name
        live.as_str(),
    ] {
        fs::write(dest.path().join(name), b"partial").unwrap();
    }
    install(dest.path(), &[HELLO], &[Source::Dir(mirror.path().into())]).unwrap();
    if Path::new("/proc/self").exists() {
        let mut expected = vec![live, "fake-hello.gz".to_string()];
        expected.sort();
        assert_eq!(names_in(dest.path()), expected);
    }
}

#[test]
fn a_mirror_announcing_or_sending_too_much_is_cut_off() {
    let dest = tempfile::tempdir().unwrap();
    let max = HELLO.max_download() as usize;
    let announced = serve(vec![("200 OK", vec![0; max + 1])]);
    let message = refusal(dest.path(), &[HELLO], &[Source::Http(announced)]);
    assert!(
        message.contains("more than this file can take"),
        "{message}"
    );

    // No Content-Length: the body is read only as far as the cap.
    let endless = serve_without_length(vec![7; 10 * max]);
    let message = refusal(dest.path(), &[HELLO], &[Source::Http(endless)]);
    assert!(
        message.contains("sent more than this file can take"),
        "{message}"
    );
    assert_left_empty(dest.path());
}

#[test]
fn a_dripping_mirror_meets_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        for _ in 0..100 {
            if stream.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let dest = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let fetcher = Fetcher::new(Duration::from_secs(1));
    let err = install_all(dest.path(), &[HELLO], &[Source::Http(base)], &fetcher).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(err.to_string().contains("fake-hello.gz"), "{err}");
    assert_left_empty(dest.path());
}

/// Accepts the next connection and reads its request up to the blank
/// line; the answer goes to the writer returned.
fn next_request(listener: &TcpListener) -> BufWriter<std::net::TcpStream> {
    let (stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 2 {
        line.clear();
    }
    BufWriter::new(stream)
}

/// Serves `body` once with no Content-Length (the body ends when the
/// connection closes). Returns the URL base.
fn serve_without_length(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut out = next_request(&listener);
        let _ = out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let _ = out.write_all(&body);
        let _ = out.flush();
    });
    base
}

/// Serves `responses` (status line + body) to successive connections on
/// loopback, then stops. Returns the URL base.
fn serve(responses: Vec<(&'static str, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (status, body) in responses {
            let mut out = next_request(&listener);
            write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .unwrap();
            out.write_all(&body).unwrap();
            out.flush().unwrap();
        }
    });
    base
}

#[test]
fn http_mirror_is_used_after_a_404() {
    let served = gzip(b"hello");
    let missing = serve(vec![("404 Not Found", Vec::new())]);
    let good = serve(vec![("200 OK", served.clone())]);
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Http(missing), Source::Http(good)];

    install(dest.path(), &[HELLO], &sources).unwrap();

    assert_eq!(fs::read(dest.path().join("fake-hello.gz")).unwrap(), served);
}

/// The real thing, against the shared copy of MNIST beside the repository
/// (`<dir>/repo` next to `<dir>/shared`), installed into a temporary folder.
#[test]
#[ignore = "needs the shared copy of MNIST in ../shared/data/mnist, beside the repository"]
fn real_mnist_from_the_shared_copy_verifies() {
    let shared = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/mnist"
    ));
    assert!(
        shared.is_dir(),
        "this test needs the shared copy of MNIST at {} (the repository beside shared/)",
        shared.display()
    );
    let dest = tempfile::tempdir().unwrap();
    let sources = [Source::Dir(shared.to_path_buf())];

    let summary = install(dest.path(), &MNIST_FILES, &sources).unwrap();

    assert_eq!(summary.installed, 4);
    let again = install(dest.path(), &MNIST_FILES, &sources).unwrap();
    assert_eq!(again.already_present, 4);
}
