//! Docs that cannot drift: every relative link in every Markdown file of the
//! repository points at a file or folder that exists, and
//! `docs/ARCHITECTURE.md` names every source module of every crate, and
//! names no file that does not exist.

use pulldown_cmark::{Event, LinkType, Parser, Tag};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository's root: xtask's parent.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

/// Files under `dir` whose names end with `suffix`, skipping build output,
/// hidden folders and the dataset.
fn files(dir: &Path, suffix: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                files(&path, suffix, found);
            }
        } else if name.ends_with(suffix) {
            found.push(path);
        }
    }
}

/// The link targets of a Markdown text (inline, reference and images).
fn links(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) if !matches!(link_type, LinkType::Email) => Some(dest_url.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_relative_link_in_the_docs_points_at_something() {
    let root = root();
    let mut markdown = Vec::new();
    files(&root, ".md", &mut markdown);
    assert!(
        markdown.len() > 10,
        "found {} Markdown files",
        markdown.len()
    );
    let mut broken = Vec::new();
    for file in &markdown {
        let text = std::fs::read_to_string(file).unwrap();
        for target in links(&text) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            let resolved = file.parent().unwrap().join(path);
            if !resolved.exists() {
                let shown = file
                    .strip_prefix(&root)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                broken.push(format!("{shown}: ({target})"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
}

#[test]
fn links_are_read_as_commonmark_reads_them() {
    let text = "[a](a.md) `[b](b.md)` ![c](img/c.png) [d][ref] <https://e.org>\n\n\
                ```\n[f](f.md)\n```\n\n[ref]: d.md#part\n";
    assert_eq!(
        links(text),
        ["a.md", "img/c.png", "d.md#part", "https://e.org"]
    );
}

/// The source files `docs/ARCHITECTURE.md` must name for the crate in
/// `dir`: every `.rs` under its `src/`, as a path from `src/` (a `mod.rs`
/// may be named by its folder), except the unit tests' own files.
fn modules(dir: &Path) -> Vec<String> {
    let src = dir.join("src");
    let mut found = Vec::new();
    files(&src, ".rs", &mut found);
    found
        .iter()
        .map(|path| {
            path.strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|name| !(name == "tests.rs" || name.ends_with("/tests.rs")))
        .collect()
}

/// The `.rs` and `.md` paths written in code spans in `text`.
fn named_files(text: &str) -> BTreeSet<String> {
    Parser::new(text)
        .filter_map(|event| match event {
            Event::Code(code) => Some(code.to_string()),
            _ => None,
        })
        .filter(|code| {
            !code.contains(' ')
                && (code.ends_with(".rs") || code.ends_with(".md") || code.ends_with('/'))
        })
        .collect()
}

#[test]
fn the_architecture_names_every_module_and_only_files_that_exist() {
    let root = root();
    let architecture = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    // One section per crate: "### `crates/NAME`" (or "### `xtask`"), up to the next "##".
    let mut sections = Vec::new();
    for part in architecture.split("\n### ").skip(1) {
        let (heading, body) = part.split_once('\n').unwrap_or((part, ""));
        let body = body.split("\n## ").next().unwrap_or_default();
        let dir = heading.trim().trim_matches('`').to_string();
        sections.push((dir, body.to_string()));
    }
    let mut crates = vec!["xtask".to_string(), "benches".to_string()];
    let mut found = Vec::new();
    files(&root.join("crates"), "Cargo.toml", &mut found);
    for manifest in found {
        let dir = manifest.parent().unwrap().strip_prefix(&root).unwrap();
        crates.push(dir.to_string_lossy().replace('\\', "/"));
    }
    let mut problems = Vec::new();
    for dir in &crates {
        let Some((_, body)) = sections.iter().find(|(d, _)| d == dir) else {
            problems.push(format!("no section \"### `{dir}`\""));
            continue;
        };
        let named = named_files(body);
        for module in modules(&root.join(dir)) {
            let folder = module.strip_suffix("mod.rs").map(str::to_string);
            let said = named.contains(&module)
                || folder.as_ref().is_some_and(|f| named.contains(f))
                || named.contains(&format!("src/{module}"));
            if !said {
                problems.push(format!("{dir}: src/{module} is not named"));
            }
        }
        for name in &named {
            let candidates = [
                root.join(dir).join("src").join(name),
                root.join(dir).join(name),
                root.join(name),
            ];
            if !candidates.iter().any(|c| c.exists()) {
                problems.push(format!("{dir}: names `{name}`, which does not exist"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md:\n{}",
        problems.join("\n")
    );
}
