//! A run as the page sees it: where it is, its learning curve, its epochs'
//! ends and speed, and the messages its watchers are sent.

use serde::Serialize;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No run yet.
    Idle,
    Running,
    Paused,
    /// Stop was pressed; the epoch under way is finishing.
    Stopping,
    /// Stopped before its last epoch.
    Stopped,
    /// Trained all its epochs.
    Finished,
    /// Training failed (the message says why).
    Failed,
}

impl Status {
    pub(super) fn is_active(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Stopping)
    }
}

/// One point of the learning curve within an epoch.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Point {
    /// Epochs done, fractional: 1.5 is halfway through the second.
    pub at: f64,
    /// Mean training error over the samples since the previous point.
    pub mean_error: f64,
}

/// An epoch's end.
#[derive(Debug, Clone, Serialize)]
pub struct EpochEnd {
    pub epoch: usize,
    /// Mean training error over the whole epoch.
    pub mean_error: f64,
    /// On the whole test set.
    pub accuracy: f64,
    /// The rate this epoch trained with.
    pub learning_rate: f32,
    pub seconds: f64,
    /// Rows: the true digit; columns: the answer.
    pub confusion: Vec<Vec<usize>>,
}

/// How fast the epoch under way goes.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Speed {
    /// Epoch under way, from 1.
    pub epoch: usize,
    pub samples: usize,
    pub samples_per_epoch: usize,
    pub samples_per_second: f64,
    /// Until the run's last epoch ends, at this speed.
    pub seconds_left: f64,
}

/// A run as a watcher sees it: its settings, where it is, and all it has
/// learnt so far.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub status: Status,
    /// Why it failed, or what the data is.
    pub message: String,
    /// The network, `784-200-10, learning rate 0.1` and more.
    pub description: String,
    pub epochs: u32,
    /// Training records used, and the data they come from.
    pub records: usize,
    pub data: String,
    pub curve: Vec<Point>,
    pub epoch_ends: Vec<EpochEnd>,
    pub speed: Option<Speed>,
    /// The epoch whose network is served (0: the initial weights).
    pub served_epoch: Option<usize>,
}

/// What watchers are sent.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Watch {
    /// The whole run (when a watcher arrives, and whenever its status changes).
    Run(RunView),
    /// A point of the curve and the speed, about every 0.2 s and at every epoch's end.
    Progress { point: Point, speed: Speed },
    /// An epoch ended; its network is now served.
    Epoch(EpochEnd),
}

/// No run yet.
pub(super) fn idle_view() -> RunView {
    RunView {
        status: Status::Idle,
        message: String::new(),
        description: String::new(),
        epochs: 0,
        records: 0,
        data: String::new(),
        curve: Vec::new(),
        epoch_ends: Vec::new(),
        speed: None,
        served_epoch: None,
    }
}
