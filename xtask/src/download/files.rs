//! What is fetched: the four MNIST files, each with the SHA-256 and size of
//! its decompressed content, the public mirrors, and how long a file may take.

use std::time::Duration;

/// One file of the data set: its name without `.gz`, the SHA-256 of its
/// decompressed content, and that content's size in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub name: &'a str,
    pub sha256: &'a str,
    pub size: u64,
}

impl Expected<'_> {
    /// The name the file is stored under: gzipped.
    pub fn gz_name(&self) -> String {
        format!("{}.gz", self.name)
    }

    /// The most a mirror may send for this file: its content uncompressed,
    /// or gzipped with no compression at all (deflate's stored blocks add 5
    /// bytes per 64 KiB; the gzip header and trailer are small), with margin.
    pub fn max_download(&self) -> u64 {
        self.size + self.size / 1000 + 1024
    }
}

/// The longest one file's download may take, from asking to the last byte: a
/// mirror that drips a byte now and then is given up on.
pub const FILE_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// The canonical MNIST files (LeCun & Cortes), hashed decompressed.
pub const MNIST_FILES: [Expected<'static>; 4] = [
    Expected {
        name: "train-images-idx3-ubyte",
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        size: 47_040_016,
    },
    Expected {
        name: "train-labels-idx1-ubyte",
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        size: 60_008,
    },
    Expected {
        name: "t10k-images-idx3-ubyte",
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        size: 7_840_016,
    },
    Expected {
        name: "t10k-labels-idx1-ubyte",
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        size: 10_008,
    },
];

/// Public mirrors, tried in this order.
pub const PUBLIC_MIRRORS: [&str; 2] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
];
