//! `mnn train --recipe` and `--validate`, end to end on the book's sample:
//! a recipe stands for its flags, flags given beside it win, `--recipe list`
//! shows them all, and held-out records are scored beside the test set.

mod common;

use common::{last_json, mnn, repo_data, stderr, stdout};

fn csv_args() -> Vec<String> {
    let data = repo_data();
    vec![
        "--train-csv".into(),
        data.join("mnist_train_100.csv").display().to_string(),
        "--test-csv".into(),
        data.join("mnist_test_10.csv").display().to_string(),
    ]
}

fn train(args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let extra = csv_args();
    let mut all = vec!["train"];
    all.extend(args);
    all.extend(extra.iter().map(String::as_str));
    mnn(&all, dir.path())
}

#[test]
fn a_recipe_is_its_flags_and_flags_given_beside_it_win() {
    let out = train(&[
        "--recipe", "mnist-99", "--hidden", "16", "--epochs", "2", "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains(
            "recipe mnist-99: --hidden 800 --activation relu --loss cross-entropy --bias --lr 0.01 \
             --lr-decay 0.92 --augment rotate=7.5,scale=0.15,elastic,sigma=6,alpha=36 --batch 64 \
             --epochs 28 (with --hidden, --epochs as given)"
        ),
        "{text}"
    );
    let json = last_json(&out);
    assert_eq!(json["layers"], serde_json::json!([784, 16, 10]));
    assert_eq!(json["epochs"], 2);
    assert_eq!(json["activation"], "relu");
    assert_eq!(json["lr_decay"], 0.92);
    assert_eq!(
        json["augment"],
        "rotate=7.5,scale=0.15,elastic,sigma=6,alpha=36"
    );
    assert_eq!(json["batch"], 64);
    // The same run spelt out as flags gives the same network.
    let spelt = train(&[
        "--hidden",
        "16",
        "--activation",
        "relu",
        "--loss",
        "cross-entropy",
        "--bias",
        "--lr",
        "0.01",
        "--lr-decay",
        "0.92",
        "--augment",
        "elastic,sigma=6,alpha=36,rotate=7.5,scale=0.15",
        "--batch",
        "64",
        "--epochs",
        "2",
        "--json",
    ]);
    assert!(spelt.status.success(), "{}", stderr(&spelt));
    assert_eq!(last_json(&spelt)["curve"], json["curve"]);
}

#[test]
fn the_book_recipe_is_mnns_default_run() {
    let by_recipe = train(&["--recipe", "book", "--epochs", "1", "--json"]);
    let plain = train(&["--epochs", "1", "--json"]);
    assert!(by_recipe.status.success(), "{}", stderr(&by_recipe));
    assert_eq!(last_json(&by_recipe)["curve"], last_json(&plain)["curve"]);
}

#[test]
fn recipe_list_shows_every_recipe_and_unknown_names_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = mnn(&["train", "--recipe", "list"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "book: 784-200-10",
        "book-first: 784-100-10",
        "mnist-99: 784-800-10",
        "simard: 784-800-10",
        "mnn train --recipe book = --hidden 200 --lr 0.1 --epochs 5",
        "accuracy: 0.9925",
        "chosen: ",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let listed = last_json(&mnn(&["train", "--recipe", "list", "--json"], dir.path()));
    assert_eq!(listed.as_array().unwrap().len(), 4);
    let out = mnn(&["train", "--recipe", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--recipe nope: there is no such recipe"));
}

#[test]
fn validate_scores_the_held_out_records_each_epoch() {
    let out = train(&[
        "--hidden",
        "10",
        "--epochs",
        "2",
        "--validate",
        "20",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("on 80 training records (the last 20 held out to validate on)"),
        "{text}"
    );
    assert!(text.contains("· validation accuracy "), "{text}");
    let json = last_json(&out);
    assert_eq!(json["validate"], 20);
    assert_eq!(json["train_records"], 80);
    assert_eq!(
        json["curve"]["validation_accuracy"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        json["validation_accuracy"],
        json["curve"]["validation_accuracy"][1]
    );
    // Without the flag, no validation keys.
    let plain = last_json(&train(&["--hidden", "10", "--epochs", "1", "--json"]));
    assert!(plain.get("validation_accuracy").is_none());
    assert!(plain["curve"].get("validation_accuracy").is_none());
    // Nothing left to train on: a usage error naming the flag.
    let out = train(&["--validate", "100"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--validate 100: there are 100 training records"),
        "{}",
        stderr(&out)
    );
}
