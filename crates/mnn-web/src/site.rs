//! The page's API answered without a server: the routes of `mnn serve`
//! that the static page uses (docs/web.md), on a [`Page`] and the records
//! bundled with it, plus `POST /api/train/step`, the tab's way of training
//! a part of an epoch at a time.

use crate::drawing;
use crate::json::{reading_json, recipes_json, teach_json};
use crate::page::{Imagining, Page};
use crate::start::StartRequest;
use crate::tab::{TabData, TabRun};
use mnn_data::{DIGITS, IMAGE_COLS, IMAGE_ROWS, PngPixels};
use mnn_net::{Model, ModelInfo};
use serde::Deserialize;
use serde_json::{Value, json};

/// An answer: its HTTP status, content type and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    /// `application/json` or `image/png`.
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    fn json(value: &Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }

    fn refuse(status: u16, message: impl std::fmt::Display) -> Reply {
        Reply {
            status,
            ..Reply::json(&json!({ "error": message.to_string() }))
        }
    }
}

/// The static page's network, the records bundled with it, and the run the
/// Train panel started in the tab, with every epoch's network kept.
pub struct Site {
    page: Page,
    data: Option<&'static TabData>,
    run: Option<TabRun<'static>>,
    /// The run's networks: the initial weights, then one per epoch.
    kept: Vec<Model>,
}

/// `POST /api/train/step`: how many samples to train.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepRequest {
    samples: usize,
}

/// `POST /api/train/rewind` and `/continue`: a kept epoch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochRequest {
    epoch: usize,
}

impl Site {
    /// The page for `network` (as its file says, `info`), without records.
    pub fn new(network: Model, info: ModelInfo, source: &str) -> Site {
        Site {
            page: Page::new(network, info, source),
            data: None,
            run: None,
            kept: Vec::new(),
        }
    }

    /// The records the Train panel trains on and scores with, kept for the
    /// page's whole life.
    pub fn set_data(&mut self, data: &'static TabData) {
        self.data = Some(data);
    }

    /// The network the page answers with now.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Answers `method path` with `body`, as `mnn serve` would.
    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> Reply {
        let route = path.split('?').next().unwrap_or(path);
        match (method, route) {
            ("GET", "/api/model") => {
                let mut value = self.page.model_json();
                value["simd"] = json!(mnn_matrix::kernels::simd_level());
                Reply::json(&value)
            }
            ("POST", "/api/query") => self.drawing_route(body, |page, image, label| {
                if label.is_some() {
                    return Err(Reply::refuse(
                        400,
                        "label: a query takes no label (teach and collect do)",
                    ));
                }
                let reading = page.read(&image).map_err(|e| unreadable(&e))?;
                Ok(reading_json(&reading, page.lessons()))
            }),
            ("POST", "/api/teach") => self.drawing_route(body, |page, image, label| {
                let label = drawing::digit(label).map_err(|e| Reply::refuse(400, e))?;
                let (before, after) = page
                    .teach(&image, label)
                    .map_err(|e| Reply::refuse(422, e))?;
                Ok(teach_json(&before, &after, page.lessons(), label))
            }),
            ("POST", "/api/reset") => {
                self.page.reset();
                Reply::json(&json!({ "lessons": 0 }))
            }
            ("GET", "/api/train/recipes") => Reply::json(&recipes_json()),
            ("POST", "/api/train/start") => self.start(body),
            ("POST", "/api/train/step") => self.step(body),
            ("POST", "/api/train/score") => self.score(),
            ("POST", "/api/train/rewind") => self.rewind(body),
            ("POST", "/api/train/continue") => self.continue_run(body),
            ("GET", _) if route.starts_with("/api/backquery/") => {
                self.imagined(route, Imagining::Backquery)
            }
            ("GET", _) if route.starts_with("/api/imagine/") => {
                self.imagined(route, Imagining::Ascent)
            }
            _ if route.starts_with("/api/") => Reply::refuse(
                404,
                format!(
                    "{method} {route} is not answered by the page in the browser (docs/web.md lists what is)"
                ),
            ),
            _ => Reply::refuse(404, format!("no such page: {route}")),
        }
    }

    fn drawing_route(
        &mut self,
        body: &[u8],
        work: impl FnOnce(&mut Page, mnn_data::GrayImage, Option<i64>) -> Result<Value, Reply>,
    ) -> Reply {
        let (image, label) = match drawing::from_json(body) {
            Ok(drawing) => drawing,
            Err(message) => return Reply::refuse(400, message),
        };
        match work(&mut self.page, image, label) {
            Ok(value) => Reply::json(&value),
            Err(refusal) => refusal,
        }
    }

    fn imagined(&mut self, route: &str, how: Imagining) -> Reply {
        let file = route.rsplit('/').next().unwrap_or_default();
        let Some(digit) = file
            .strip_suffix(".png")
            .filter(|d| d.len() == 1)
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|&d| d < DIGITS)
        else {
            return Reply::refuse(404, format!("no image {file:?}: there are 0.png .. 9.png"));
        };
        let Some(greys) = self.page.imagine(digit, how) else {
            return Reply::refuse(
                409,
                "this network cannot be run backwards (ReLU has no inverse)",
            );
        };
        match PngPixels::gray(IMAGE_COLS, IMAGE_ROWS, &greys).to_bytes() {
            Ok(png) => Reply {
                status: 200,
                content_type: "image/png",
                body: png,
            },
            Err(e) => Reply::refuse(500, format!("cannot make PNG: {e}")),
        }
    }

    fn start(&mut self, body: &[u8]) -> Reply {
        let Some(data) = self.data else {
            return Reply::refuse(409, "no training records were loaded with the page");
        };
        let request: StartRequest = match parse(body) {
            Ok(request) => request,
            Err(refusal) => return refusal,
        };
        match TabRun::start(data, request) {
            Ok(run) => {
                let described = run.describe();
                self.kept = vec![run.network().clone()];
                self.run = Some(run);
                Reply::json(&described)
            }
            Err(message) => Reply::refuse(400, message),
        }
    }

    fn step(&mut self, body: &[u8]) -> Reply {
        let request: StepRequest = match parse(body) {
            Ok(request) => request,
            Err(refusal) => return refusal,
        };
        let Some(run) = &mut self.run else {
            return Reply::refuse(409, "no run: start one first");
        };
        match run.step(request.samples) {
            Ok(step) => Reply::json(&step),
            Err(message) => Reply::refuse(409, message),
        }
    }

    /// `POST /api/train/score`: the run's network after the epoch just ended,
    /// scored on the test records; it is kept and the page answers with it.
    fn score(&mut self) -> Reply {
        let Some(run) = &self.run else {
            return Reply::refuse(409, "no run: start one first");
        };
        let epochs = run.epochs_done();
        if epochs == 0 || self.kept.len() != epochs {
            return Reply::refuse(409, "no epoch has ended since the last score");
        }
        let score = run.score();
        let network = run.network().clone();
        self.kept.push(network.clone());
        self.serve(network, epochs, score["accuracy"].as_f64());
        Reply::json(&score)
    }

    fn serve(&mut self, network: Model, epochs: usize, accuracy: Option<f64>) {
        let info = ModelInfo {
            epochs: Some(epochs),
            test_accuracy: accuracy,
            ..ModelInfo::default()
        };
        let source = format!("trained in this tab, epoch {epochs}");
        self.page = Page::new(network, info, source);
    }

    fn kept_epoch(&self, body: &[u8]) -> Result<usize, Reply> {
        let request: EpochRequest = parse(body)?;
        if request.epoch >= self.kept.len() {
            return Err(Reply::refuse(
                400,
                format!(
                    "epoch: {} is not kept (0 to {})",
                    request.epoch,
                    self.kept.len().saturating_sub(1)
                ),
            ));
        }
        Ok(request.epoch)
    }

    fn rewind(&mut self, body: &[u8]) -> Reply {
        match self.kept_epoch(body) {
            Ok(epoch) => {
                self.serve(self.kept[epoch].clone(), epoch, None);
                Reply::json(&json!({ "served_epoch": epoch }))
            }
            Err(refusal) => refusal,
        }
    }

    fn continue_run(&mut self, body: &[u8]) -> Reply {
        let epoch = match self.kept_epoch(body) {
            Ok(epoch) => epoch,
            Err(refusal) => return refusal,
        };
        let (Some(run), Some(data)) = (&self.run, self.data) else {
            return Reply::refuse(409, "no run: start one first");
        };
        match run.resume(data, self.kept[epoch].clone(), epoch) {
            Ok(resumed) => {
                self.kept.truncate(epoch + 1);
                self.run = Some(resumed);
                Reply::json(&json!({ "served_epoch": epoch }))
            }
            Err(message) => Reply::refuse(409, message),
        }
    }
}

/// A drawing that cannot be read, refused as the server refuses it.
fn unreadable(err: &mnn_data::DataError) -> Reply {
    let (status, message) = drawing::unreadable(err);
    Reply::refuse(status, message)
}

/// A JSON body, or a 400 naming the problem.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Reply> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| Reply::refuse(400, drawing::malformed_json(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let network = Model::Book(mnn_net::NeuralNetwork::new(784, 20, 10, 0.3, 1).unwrap());
        let mut site = Site::new(network, ModelInfo::default(), "a test network");
        let all = mnn_train::synthetic_digits(30, 3);
        let mut train = all.clone();
        let test = train.split_off(20);
        site.set_data(Box::leak(Box::new(TabData { train, test })));
        site
    }

    fn json_of(reply: &Reply) -> Value {
        assert_eq!(reply.content_type, "application/json");
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn the_routes_answer_as_the_server_does() {
        let mut site = site();
        let model = json_of(&site.request("GET", "/api/model", b""));
        assert_eq!(model["layers"], json!([784, 20, 10]));
        assert_eq!(model["source"], "a test network");
        let mut pixels = vec![255u8; 100];
        for y in 1..9 {
            pixels[y * 10 + 5] = 0;
        }
        let drawing = json!({ "width": 10, "height": 10, "pixels": pixels });
        let query = site.request("POST", "/api/query", drawing.to_string().as_bytes());
        assert_eq!(query.status, 200);
        let reading = json_of(&query);
        let expected = site
            .page()
            .read(&mnn_data::GrayImage::new(10, 10, pixels.clone()))
            .unwrap();
        assert_eq!(reading, reading_json(&expected, 0));
        let mut lesson = drawing.clone();
        lesson["label"] = json!(3);
        let taught = json_of(&site.request("POST", "/api/teach", lesson.to_string().as_bytes()));
        assert_eq!(taught["lessons"], 1);
        assert_eq!(taught["taught"], 3);
        let png = site.request("GET", "/api/imagine/3.png?t=1", b"");
        assert_eq!((png.status, png.content_type), (200, "image/png"));
        assert!(png.body.starts_with(b"\x89PNG"));
        assert_eq!(
            site.request("GET", "/api/backquery/12.png", b"").status,
            404
        );
        assert_eq!(site.request("POST", "/api/query", b"{").status, 400);
        assert_eq!(site.request("POST", "/api/save", b"").status, 404);
        assert_eq!(
            json_of(&site.request("POST", "/api/reset", b""))["lessons"],
            0
        );
    }

    #[test]
    fn a_run_trains_in_steps_serves_each_epoch_and_can_go_back() {
        let mut site = site();
        assert_eq!(
            site.request("POST", "/api/train/step", br#"{"samples":8}"#)
                .status,
            409
        );
        let start = site.request(
            "POST",
            "/api/train/start",
            br#"{"hidden":[12],"epochs":2,"lr":0.3}"#,
        );
        assert_eq!(json_of(&start)["records"], 20);
        let mut ends = Vec::new();
        for _ in 0..6 {
            let step = json_of(&site.request("POST", "/api/train/step", br#"{"samples":8}"#));
            if !step["end"].is_null() {
                ends.push(step["end"]["epoch"].clone());
                let score = json_of(&site.request("POST", "/api/train/score", b""));
                assert!(score["accuracy"].as_f64().unwrap() >= 0.0);
                assert_eq!(site.request("POST", "/api/train/score", b"").status, 409);
            }
        }
        assert_eq!(ends, [json!(1), json!(2)]);
        assert_eq!(site.page().model_json()["layers"], json!([784, 12, 10]));
        assert_eq!(
            site.request("POST", "/api/train/step", br#"{"samples":8}"#)
                .status,
            409
        );
        let after_two = site.page().network().clone();
        assert_eq!(
            site.request("POST", "/api/train/rewind", br#"{"epoch":1}"#)
                .status,
            200
        );
        assert_eq!(
            site.request("POST", "/api/train/continue", br#"{"epoch":1}"#)
                .status,
            200
        );
        for _ in 0..3 {
            let step = json_of(&site.request("POST", "/api/train/step", br#"{"samples":8}"#));
            if !step["end"].is_null() {
                site.request("POST", "/api/train/score", b"");
            }
        }
        let bytes = |m: &Model| m.to_safetensors(&Default::default());
        assert!(
            bytes(site.page().network()) == bytes(&after_two),
            "continued from epoch 1 as the run went"
        );
        assert_eq!(
            site.request("POST", "/api/train/rewind", br#"{"epoch":9}"#)
                .status,
            400
        );
    }
}
