//! The drawing page in a real browser: headless Chromium, driven through
//! chromedriver (WebDriver) by fantoccini. For the book's network and for a
//! deep ReLU network with biases and cross-entropy, it draws a "1" and a
//! small, off-centre "0" with pointer events, checks the answers, the
//! previews, the hidden layers' heat maps, the imagined digits and the
//! browser's console, teaches once, and saves a screenshot.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them)
//! and full MNIST in data/mnist, so it is ignored by default: run it with
//! `cargo test -- --include-ignored` (as CI does), and then a missing browser
//! or dataset is a failure.

mod browser_common;
mod common;
mod serve_common;

use browser_common::*;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use serve_common::{Server, mnn_ok};
use std::path::Path;

/// A network the learner draws on, and what the page must show for it.
struct Case {
    /// `mnn train` flags beyond `--data` and `--save`.
    train: &'static [&'static str],
    /// Its layer sizes, as the page's header writes them.
    sizes: &'static str,
    /// Nodes of each hidden layer: one heat map each.
    hidden: &'static [usize],
    /// The loss's targets (off, on).
    targets: (f64, f64),
    /// Whether the book's backquery can run it backwards (not with ReLU).
    backquery: bool,
    /// The screenshot's name.
    screenshot: &'static str,
}

const CASES: [Case; 2] = [
    Case {
        train: &["--hidden", "100", "--epochs", "2"],
        sizes: "784-100-10",
        hidden: &[100],
        targets: (0.01, 0.99),
        backquery: true,
        screenshot: "serve-page.png",
    },
    Case {
        train: &[
            "--hidden",
            "100,50",
            "--activation",
            "relu",
            "--loss",
            "cross-entropy",
            "--bias",
            "--lr",
            "0.01",
            "--epochs",
            "2",
        ],
        sizes: "784-100-50-10",
        hidden: &[100, 50],
        targets: (0.0, 1.0),
        backquery: false,
        screenshot: "serve-page-relu.png",
    },
];

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver, and full MNIST"]
async fn a_learner_draws_a_one_and_a_small_zero_and_teaches_once() {
    let (chromium, chromedriver) = browser();
    let mnist = common::full_mnist();
    for case in &CASES {
        learner_session(case, &chromium, &chromedriver, &mnist).await;
    }
}

/// One learner's visit to the page serving `case`'s network.
async fn learner_session(case: &Case, chromium: &Path, chromedriver: &Path, mnist: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.safetensors");
    let mut train = vec![
        "train",
        "--data",
        mnist.to_str().unwrap(),
        "--save",
        model.to_str().unwrap(),
    ];
    train.extend(case.train);
    mnn_ok(&train, dir.path());
    // Named as a person would, relative to where the server runs.
    let server = Server::start(&["--model", "m.safetensors"], dir.path());
    let (_driver, client) = open_browser(dir.path(), chromium, chromedriver).await;

    client.goto(&format!("{}/", server.url)).await.unwrap();
    until(
        &client,
        "the model info",
        &format!(
            "return document.getElementById('model-info').textContent.includes('{}')",
            case.sizes
        ),
    )
    .await;
    let imagined = if case.backquery {
        "#dreams img, #ascents img"
    } else {
        "#ascents img"
    };
    let pictures = format!(
        "return [...document.querySelectorAll('{imagined}')].every(i => i.complete && i.naturalWidth === 280)"
    );
    until(&client, "the imagined digits", &pictures).await;
    assert_eq!(
        js(&client, "return [document.getElementById('dreams').hidden, document.getElementById('no-backquery').hidden]").await,
        json!([!case.backquery, case.backquery]),
        "backquery shown where the network can be run backwards, the reason where not"
    );

    // A vertical "1" down the middle.
    let one: Vec<(f64, f64)> = (0..=12)
        .map(|i| (2.0 - i as f64 * 0.4, -100.0 + i as f64 * 16.0))
        .collect();
    draw(&client, &[one]).await;
    assert_eq!(text(&client, "#answer").await, "1");
    assert_eq!(text(&client, "#bars li.winner .digit").await, "1");
    assert!(
        inked(&client, "seen").await > 20,
        "the MNIST-way preview is drawn"
    );
    assert!(
        inked(&client, "raw").await > 5,
        "the book's-way preview is drawn"
    );
    // One heat map per hidden layer, each as many squares as nodes, some lit.
    let maps = js(
        &client,
        "return [...document.querySelectorAll('#hidden-layers canvas')].map(c => Number(c.dataset.nodes))",
    )
    .await;
    assert_eq!(maps, json!(case.hidden));

    // A small "0" in the top-left corner: the preparation centres it.
    client
        .find(Locator::Css("#clear"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        "a blank page",
        "return document.getElementById('answer').textContent === '?'",
    )
    .await;
    draw(&client, &[ellipse((-75.0, -65.0), 30.0, 42.0)]).await;
    assert_eq!(text(&client, "#answer").await, "0");
    assert!(inked(&client, "seen").await > 20);

    // Teach it once as "0": the outputs change.
    let before = outputs(&client).await;
    client
        .find(Locator::Css("#labels label:first-child"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#teach"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        "the lesson",
        "return document.getElementById('status').textContent.startsWith('Taught once as 0: output 0 went from')",
    )
    .await;
    let after = outputs(&client).await;
    assert_ne!(before, after, "teaching changes the outputs");
    // Nearer the network's targets (the book's 0.99 for the 0, 0.01 for the
    // others; 1 and 0 for cross-entropy) as a whole.
    let error = |outputs: &[f64]| -> f64 {
        let target = |d: usize| {
            if d == 0 {
                case.targets.1
            } else {
                case.targets.0
            }
        };
        outputs
            .iter()
            .enumerate()
            .map(|(d, o)| (target(d) - o).powi(2))
            .sum()
    };
    assert!(error(&after) < error(&before), "{before:?} → {after:?}");
    until(&client, "the new imagined digits", &pictures).await;

    js(&client, "window.scrollTo(0, 0); return true").await;
    screenshot(&client, case.screenshot).await;

    assert_quiet_console(&client).await;
    client.close().await.unwrap();
}

/// The Train panel: a short run started from the page (784-50-10 on the
/// first 20,000 MNIST records, 2 epochs), paused, watched, rewound to epoch
/// 1 and continued; the accuracy it ends with is `mnn train`'s for the same
/// settings.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver, and full MNIST"]
async fn a_learner_trains_a_network_on_the_page_rewinds_and_continues() {
    let (chromium, chromedriver) = browser();
    let mnist = common::full_mnist();
    let dir = tempfile::tempdir().unwrap();
    let settings = ["--hidden", "50", "--epochs", "2", "--limit", "20000"];
    let mut train = vec!["train", "--json", "--data", mnist.to_str().unwrap()];
    train.extend(settings);
    let out = mnn_ok(&train, dir.path());
    let expected: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let expected = expected["accuracy"].as_f64().unwrap();

    let server = Server::start(&["--data", mnist.to_str().unwrap()], dir.path());
    let (_driver, client) = open_browser(dir.path(), &chromium, &chromedriver).await;
    client.goto(&format!("{}/", server.url)).await.unwrap();
    until(
        &client,
        "the page",
        "return document.getElementById('model-info').textContent.includes('784-200-10')",
    )
    .await;
    // The learner's own network, as the form takes it.
    js(
        &client,
        "for (const [id, v] of [['t-preset', 'custom'], ['t-hidden', '50'], ['t-epochs', '2'], \
         ['t-limit', '20000'], ['t-lr', '0.1'], ['t-seed', '1']]) document.getElementById(id).value = v; \
         return true",
    )
    .await;
    let click = |id: &'static str| {
        let client = client.clone();
        async move {
            client
                .find(Locator::Id(id))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    };
    click("t-start").await;
    click("t-pause").await;
    until(
        &client,
        "the pause",
        "return document.getElementById('t-status').textContent.startsWith('Paused')",
    )
    .await;
    click("t-pause").await; // now "Resume"
    // Paused again once the first epoch has ended, for a picture of a run
    // under way (unless the second epoch ends first).
    until(
        &client,
        "the first epoch",
        "return document.querySelector('#t-kept button[data-epoch=\"1\"]') !== null",
    )
    .await;
    click("t-pause").await;
    until(
        &client,
        "the second pause, or the end",
        "const s = document.getElementById('t-status').textContent; \
         return s.startsWith('Paused') || s.startsWith('Finished')",
    )
    .await;
    js(
        &client,
        "window.scrollTo(0, document.body.scrollHeight); return true",
    )
    .await;
    screenshot(&client, "serve-training.png").await;
    let status = js(
        &client,
        "return document.getElementById('t-status').textContent",
    )
    .await;
    if status.as_str().unwrap().starts_with("Paused") {
        click("t-pause").await; // "Resume"
    }
    until(
        &client,
        "the end of the run",
        "return document.getElementById('t-status').textContent.startsWith('Finished')",
    )
    .await;
    let updates = js(
        &client,
        "return Number(document.getElementById('t-curve').dataset.updates)",
    )
    .await;
    assert!(
        updates.as_u64().unwrap() >= 3,
        "the curve was updated {updates} times"
    );
    let points = js(
        &client,
        "return Number(document.getElementById('t-curve').dataset.points)",
    )
    .await;
    assert!(
        points.as_u64().unwrap() >= 3,
        "{points} points on the curve"
    );
    let shown_accuracy = |epoch: u32| {
        let client = client.clone();
        async move {
            js(
                &client,
                &format!(
                    "return document.querySelector('#t-kept button[data-epoch=\"{epoch}\"]').textContent"
                ),
            )
            .await
            .as_str()
            .unwrap()
            .to_string()
        }
    };
    let percent = |accuracy: f64| format!("{:.1}%", 100.0 * accuracy);
    assert!(shown_accuracy(2).await.ends_with(&percent(expected)));
    let header = |client: Client| async move {
        js(
            &client,
            "return document.getElementById('model-info').textContent",
        )
        .await
    };
    assert!(
        header(client.clone())
            .await
            .as_str()
            .unwrap()
            .contains("epoch 2 of 2"),
        "the trained network is served"
    );

    // Back to epoch 1, then on from there: the same weights, the same score.
    client
        .find(Locator::Css("#t-kept button[data-epoch=\"1\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        "epoch 1 served",
        "return document.getElementById('model-info').textContent.includes('epoch 1 of 2')",
    )
    .await;
    click("t-continue").await;
    until(
        &client,
        "the continued run's end",
        "return document.getElementById('t-status').textContent.startsWith('Finished') \
         && document.getElementById('model-info').textContent.includes('epoch 2 of 2')",
    )
    .await;
    let status = js(
        &client,
        "return document.getElementById('t-status').textContent",
    )
    .await;
    assert!(
        status
            .as_str()
            .unwrap()
            .contains(&format!("{:.2}%", 100.0 * expected)),
        "{status} should show mnn train's {expected}"
    );
    let served: Value =
        serde_json::from_slice(&serve_common::get(&format!("{}/api/model", server.url)).body)
            .unwrap();
    assert_eq!(served["test_accuracy"].as_f64(), Some(expected));
    assert_quiet_console(&client).await;
    client.close().await.unwrap();
}

/// Each digit as strokes of polylines in a unit box (x right, y down).
fn digit_strokes(digit: usize) -> Vec<Vec<(f64, f64)>> {
    let ellipse = |cx: f64, cy: f64, rx: f64, ry: f64| -> Vec<(f64, f64)> {
        (0..=32)
            .map(|i| {
                let a = i as f64 / 32.0 * std::f64::consts::TAU;
                (cx + rx * a.sin(), cy - ry * a.cos())
            })
            .collect()
    };
    match digit {
        0 => vec![ellipse(0.5, 0.5, 0.38, 0.5)],
        1 => vec![vec![(0.35, 0.15), (0.6, 0.0), (0.5, 1.0)]],
        2 => vec![vec![
            (0.12, 0.25),
            (0.35, 0.03),
            (0.65, 0.0),
            (0.85, 0.2),
            (0.8, 0.45),
            (0.1, 1.0),
            (0.9, 1.0),
        ]],
        3 => vec![vec![
            (0.15, 0.1),
            (0.5, 0.0),
            (0.8, 0.15),
            (0.75, 0.38),
            (0.45, 0.5),
            (0.8, 0.6),
            (0.88, 0.85),
            (0.5, 1.0),
            (0.12, 0.9),
        ]],
        4 => vec![
            vec![(0.55, 0.0), (0.05, 0.65), (0.95, 0.65)],
            vec![(0.7, 0.3), (0.7, 1.0)],
        ],
        5 => vec![vec![
            (0.85, 0.0),
            (0.25, 0.0),
            (0.2, 0.45),
            (0.55, 0.38),
            (0.85, 0.58),
            (0.8, 0.9),
            (0.45, 1.0),
            (0.1, 0.9),
        ]],
        6 => vec![vec![
            (0.75, 0.0),
            (0.4, 0.2),
            (0.18, 0.55),
            (0.2, 0.88),
            (0.48, 1.0),
            (0.78, 0.88),
            (0.8, 0.62),
            (0.5, 0.5),
            (0.2, 0.65),
        ]],
        7 => vec![vec![(0.08, 0.0), (0.92, 0.0), (0.4, 1.0)]],
        8 => vec![
            ellipse(0.5, 0.25, 0.28, 0.25),
            ellipse(0.5, 0.73, 0.34, 0.27),
        ],
        _ => vec![ellipse(0.48, 0.3, 0.32, 0.3), vec![(0.8, 0.3), (0.72, 1.0)]],
    }
}

/// One way a person draws a digit on the 280×280 pad: where, how big, how
/// slanted, how shaky.
struct Style {
    name: &'static str,
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    /// Horizontal shift of the top against the bottom, in widths.
    slant: f64,
    /// Pixels of wobble.
    shake: f64,
}

const STYLES: [Style; 7] = [
    Style {
        name: "normal",
        left: 85.0,
        top: 45.0,
        width: 110.0,
        height: 185.0,
        slant: 0.0,
        shake: 0.0,
    },
    Style {
        name: "small",
        left: 115.0,
        top: 100.0,
        width: 50.0,
        height: 80.0,
        slant: 0.0,
        shake: 0.0,
    },
    Style {
        name: "in a corner",
        left: 12.0,
        top: 12.0,
        width: 45.0,
        height: 70.0,
        slant: 0.0,
        shake: 0.0,
    },
    Style {
        name: "tiny",
        left: 200.0,
        top: 210.0,
        width: 20.0,
        height: 32.0,
        slant: 0.0,
        shake: 0.0,
    },
    Style {
        name: "slanted",
        left: 70.0,
        top: 50.0,
        width: 110.0,
        height: 175.0,
        slant: 0.45,
        shake: 0.0,
    },
    Style {
        name: "squat",
        left: 60.0,
        top: 95.0,
        width: 160.0,
        height: 100.0,
        slant: 0.0,
        shake: 0.0,
    },
    Style {
        name: "shaky",
        left: 85.0,
        top: 45.0,
        width: 110.0,
        height: 185.0,
        slant: 0.0,
        shake: 5.0,
    },
];

/// Pen widths from thin to thick, as the page's slider offers them (6..40).
const PENS: [f64; 5] = [6.0, 12.0, 18.0, 28.0, 40.0];

/// `digit` in `style` with pen `pen`, as the page's strokes: pad pixels,
/// each segment cut into short steps (a mouse's samples), wobbled by a
/// fixed pseudo-random sequence.
fn drawn(digit: usize, style: &Style, pen: f64) -> Value {
    let mut wobble = (digit as u64 + 1) * 2_654_435_761;
    let mut next = || {
        wobble = wobble
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((wobble >> 33) as f64 / (1u64 << 31) as f64) * 2.0 - 1.0
    };
    let strokes: Vec<Value> = digit_strokes(digit)
        .iter()
        .map(|line| {
            let mut points = Vec::new();
            for pair in line.windows(2) {
                for step in 0..8 {
                    let t = step as f64 / 8.0;
                    let (x, y) = (
                        pair[0].0 + (pair[1].0 - pair[0].0) * t,
                        pair[0].1 + (pair[1].1 - pair[0].1) * t,
                    );
                    let x = x + style.slant * (0.5 - y);
                    points.push(json!([
                        style.left + x * style.width + style.shake * next(),
                        style.top + y * style.height + style.shake * next(),
                    ]));
                }
            }
            let (x, y) = *line.last().unwrap();
            let x = x + style.slant * (0.5 - y);
            points.push(json!([
                style.left + x * style.width,
                style.top + y * style.height
            ]));
            json!({ "width": pen, "points": points })
        })
        .collect();
    Value::Array(strokes)
}

/// Digits drawn every way a person draws them (10 digits × 7 styles, pens
/// from thin to thick) are read by the served default network (the book's
/// final, trained on MNIST) as the digits they are, nearly all of them: the
/// page sends each drawing with a pen sized to the digit, as MNIST's were.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver, and full MNIST"]
async fn drawn_digits_of_any_size_and_pen_are_read_as_mnist_would_have_them() {
    let (chromium, chromedriver) = browser();
    let mnist = common::full_mnist();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&["--data", mnist.to_str().unwrap()], dir.path());
    let (_driver, client) = open_browser(dir.path(), &chromium, &chromedriver).await;
    client.goto(&format!("{}/", server.url)).await.unwrap();
    until(
        &client,
        "the page",
        "return document.getElementById('model-info').textContent.includes('784-200-10')",
    )
    .await;
    let mut wrong = Vec::new();
    for (s, style) in STYLES.iter().enumerate() {
        for digit in 0..10 {
            let pen = PENS[(digit + s) % PENS.len()];
            let strokes = drawn(digit, style, pen);
            js(
                &client,
                &format!(
                    "strokes = {strokes}; document.body.dataset.answers = '0'; redraw(); drawingChanged(); return true"
                ),
            )
            .await;
            until(
                &client,
                "the answer",
                "return document.body.dataset.answers !== '0' && document.body.dataset.busy === '0'",
            )
            .await;
            let answer = text(&client, "[data-testid=answer]").await;
            if answer != digit.to_string() {
                wrong.push(format!(
                    "{digit} {} (pen {pen}) read as {answer}",
                    style.name
                ));
            }
        }
    }
    eprintln!(
        "{} of 70 drawings read right; wrong: {wrong:?}",
        70 - wrong.len()
    );
    assert!(wrong.len() <= 1, "read wrong: {wrong:#?}");
    assert_quiet_console(&client).await;
    client.close().await.unwrap();
}
