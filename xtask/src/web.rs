//! `cargo xtask web`: the drawing page as a static site in `target/web/`
//! (docs/web.md): the page's HTML, script and style (the same files `mnn
//! serve` serves), the Web Worker, mnn's WebAssembly build (crates/mnn-web,
//! twice: with the exact fused multiply-add, and with relaxed SIMD's),
//! a trained network, and MNIST records to train on in the tab.
//!
//! [`toolchain`] finds a compiler for `wasm32-unknown-unknown` (rustup's, or
//! Debian's `rustc-web` building the standard library from `rust-web-src`);
//! [`records`] writes the bundled records.

mod records;
mod toolchain;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::project_root;
use crate::shell::run_command;

/// The page's own files, served by `mnn serve` from the binary.
const PAGE_FILES: [&str; 4] = ["index.html", "app.js", "style.css", "worker.js"];
/// The network the static page answers with, unless `--model` names one:
/// the book's final experiment (`mnn train --recipe book`, 97.2 %).
const DEFAULT_RECIPE: &str = "book";

#[derive(Args)]
pub struct WebArgs {
    /// Where to write the site.
    #[arg(long, value_name = "DIR", default_value = "target/web")]
    out: PathBuf,
    /// Serve this saved network instead of training the book's final one
    /// (`mnn train --recipe book`, about half a minute).
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Training records bundled for the Train panel: the first N of MNIST's
    /// training set (all 10,000 test records are bundled to score them).
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=60_000))]
    records: u64,
}

pub fn run(args: &WebArgs) -> Result<()> {
    let root = project_root();
    let out = if args.out.is_absolute() {
        args.out.clone()
    } else {
        root.join(&args.out)
    };
    let mnist = root.join("data/mnist");
    if !mnist.join("train-images-idx3-ubyte.gz").exists() {
        bail!(
            "the static page bundles MNIST records, and {} has none: run `cargo xtask download` first",
            mnist.display()
        );
    }
    let toolchain = toolchain::find()?;
    println!("WebAssembly toolchain: {}", toolchain.route);
    let exact = toolchain.build(&root, toolchain::Flavour::Exact)?;
    let relaxed = toolchain.build(&root, toolchain::Flavour::Relaxed)?;

    fs::create_dir_all(&out).with_context(|| format!("cannot make {}", out.display()))?;
    let assets = root.join("crates/mnn-cli/assets/web");
    for file in PAGE_FILES {
        fs::copy(assets.join(file), out.join(file))
            .with_context(|| format!("cannot copy {file} into {}", out.display()))?;
    }
    fs::copy(&exact, out.join("mnn.wasm")).context("cannot copy the WebAssembly module")?;
    fs::copy(&relaxed, out.join("mnn-relaxed.wasm"))
        .context("cannot copy the WebAssembly module")?;

    let model = out.join("model.safetensors");
    let model_source = match &args.model {
        Some(path) => {
            fs::copy(path, &model).with_context(|| format!("cannot copy {}", path.display()))?;
            format!(
                "{} (bundled with the page)",
                path.file_name().unwrap_or_default().to_string_lossy()
            )
        }
        None => {
            train_model(&root, &model)?;
            format!("mnn train --recipe {DEFAULT_RECIPE} (bundled with the page)")
        }
    };

    let bundle = records::write(&mnist, &out.join("mnist"), args.records as usize)?;
    let manifest = serde_json_manifest(&model_source, &bundle);
    fs::write(out.join("web.json"), manifest).context("cannot write web.json")?;

    println!("\n{}:", out.display());
    let mut total = 0;
    for (name, size) in listing(&out)? {
        total += size;
        println!("  {size:>10}  {name}");
    }
    println!("  {total:>10}  in all (bytes)");
    println!(
        "\nOpen it through any static file server, e.g.\n  python3 -m http.server --directory {} 8000\n\
         and browse to http://localhost:8000/. Opened as a file:// page it cannot work: browsers \
         start no Web Worker and fetch no file from file:// pages.",
        out.display()
    );
    Ok(())
}

/// `mnn train --recipe book --save <model>`, built as `cargo run` builds it.
fn train_model(root: &Path, model: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "run",
            "-q",
            "-p",
            "mnn-cli",
            "--",
            "train",
            "--recipe",
            DEFAULT_RECIPE,
            "--save",
        ])
        .arg(model);
    run_command(&mut command).context("cannot train the page's network")
}

/// web.json: what the page loads, and what the records are.
fn serde_json_manifest(model_source: &str, bundle: &records::Bundle) -> String {
    let quote = |s: &str| format!("{s:?}");
    format!(
        "{{\n  \"wasm\": \"mnn.wasm\",\n  \"wasm_relaxed\": \"mnn-relaxed.wasm\",\n  \"model\": \"model.safetensors\",\n  \"model_source\": {},\n  \
         \"records\": {{\n    \"about\": {},\n    \"train\": {},\n    \"test\": {},\n    \
         \"train_images\": \"mnist/{}\",\n    \"train_labels\": \"mnist/{}\",\n    \
         \"test_images\": \"mnist/{}\",\n    \"test_labels\": \"mnist/{}\"\n  }}\n}}\n",
        quote(model_source),
        quote(&bundle.about()),
        bundle.train,
        bundle.test,
        records::TRAIN_IMAGES,
        records::TRAIN_LABELS,
        records::TEST_IMAGES,
        records::TEST_LABELS,
    )
}

/// Every file under `dir`, by its path from there, with its size.
fn listing(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                folders.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                files.push((name, entry.metadata()?.len()));
            }
        }
    }
    files.sort();
    Ok(files)
}
