//! `mnn train --recipe NAME`: a named run of mnn-train's table
//! ([`mnn_train::recipes`]) as the flags it stands for, with any flag given
//! on the command line in place of the recipe's; and `--recipe list`.

use crate::report::Reporter;
use crate::{TrainArgs, UsageError};
use anyhow::Result;
use mnn_train::{Augmentation, Recipe, RunSettings};
use serde_json::json;

/// What `--recipe list` asks for instead of a recipe's name.
pub const LIST: &str = "list";

/// The settings of `mnn train`: the recipe's, if one is named, with every
/// setting whose flag was given on the command line taken from `flags` (the
/// settings the flags say, defaults where none was given).
pub fn apply(args: &TrainArgs, flags: RunSettings) -> Result<(RunSettings, Option<Recipe>)> {
    let Some(name) = &args.recipe else {
        return Ok((flags, None));
    };
    let recipe = mnn_train::recipe(name).ok_or_else(|| {
        let names: Vec<&str> = mnn_train::recipes().iter().map(|r| r.name).collect();
        UsageError(format!(
            "--recipe {name}: there is no such recipe; the recipes are {} (`--recipe list` shows them)",
            names.join(", ")
        ))
    })?;
    let given = |id: &str| args.given.iter().any(|g| g == id);
    let mut settings = recipe.settings.clone();
    // Each setting given on the command line wins over the recipe's.
    macro_rules! given_wins {
        ($($id:literal => $field:ident),* $(,)?) => {
            $(if given($id) {
                settings.$field = flags.$field;
            })*
        };
    }
    given_wins! {
        "hidden" => hidden,
        "lr" => learning_rate,
        "epochs" => epochs,
        "seed" => seed,
        "rotate" => rotate,
        "bias" => bias,
        "activation" => activation,
        "loss" => loss,
        "lr_decay" => lr_decay,
        "augment" => augmentation,
        "validate" => validate,
    }
    if given("batch") {
        settings.batch = flags.batch;
    }
    Ok((settings, Some(recipe)))
}

/// The `mnn train` flags that ask for `settings` (the seed left out):
/// `--hidden 800 --activation relu … --epochs 20`, those at the book's
/// setting only when every run states them (hidden nodes, rate, epochs).
pub fn flags(settings: &RunSettings) -> String {
    let book = RunSettings::default();
    let hidden: Vec<String> = settings.hidden.iter().map(u32::to_string).collect();
    let mut flags = vec![format!("--hidden {}", hidden.join(","))];
    if settings.activation != book.activation {
        flags.push(format!("--activation {}", settings.activation.name()));
    }
    if settings.loss != book.loss {
        flags.push(format!("--loss {}", settings.loss.name()));
    }
    if settings.bias {
        flags.push("--bias".into());
    }
    flags.push(format!("--lr {}", settings.learning_rate));
    if settings.lr_decay != book.lr_decay {
        flags.push(format!("--lr-decay {}", settings.lr_decay));
    }
    if !settings.augmentation.is_none() {
        flags.push(format!(
            "--augment {}",
            augment_list(&settings.augmentation)
        ));
    }
    if let Some(degrees) = settings.rotate {
        flags.push(format!("--rotate {degrees}"));
    }
    if settings.batch != book.batch {
        flags.push(format!("--batch {}", settings.batch));
    }
    flags.push(format!("--epochs {}", settings.epochs));
    if settings.validate > 0 {
        flags.push(format!("--validate {}", settings.validate));
    }
    flags.join(" ")
}

/// `--augment`'s list, `elastic` alone for Simard's σ and α.
fn augment_list(augmentation: &Augmentation) -> String {
    let simard: Augmentation = "elastic".parse().expect("a valid list");
    if *augmentation == simard {
        "elastic".into()
    } else {
        augmentation.to_string()
    }
}

/// The line `mnn train --recipe NAME` prints first: `recipe mnist-99:
/// --hidden 800 …`, and the flags given beside it.
pub fn announce(recipe: &Recipe, args: &TrainArgs, out: &Reporter) {
    let overridden: Vec<String> = OVERRIDABLE
        .iter()
        .filter(|id| args.given.iter().any(|g| g == *id))
        .map(|id| format!("--{}", id.replace('_', "-")))
        .collect();
    out.line(format_args!(
        "recipe {}: {}{}",
        recipe.name,
        flags(&recipe.settings),
        if overridden.is_empty() {
            String::new()
        } else {
            format!(" (with {} as given)", overridden.join(", "))
        }
    ));
}

/// The flags a recipe sets, by their clap ids.
const OVERRIDABLE: [&str; 12] = [
    "hidden",
    "lr",
    "epochs",
    "seed",
    "rotate",
    "bias",
    "activation",
    "loss",
    "lr_decay",
    "augment",
    "validate",
    "batch",
];

/// `mnn train --recipe list`: each recipe with its network, its flags, its
/// figures and how it was chosen (with `--json`, one JSON array).
pub fn list(out: &Reporter) {
    let recipes = mnn_train::recipes();
    for (i, recipe) in recipes.iter().enumerate() {
        if i > 0 {
            out.line("");
        }
        out.line(format_args!(
            "{}: {}, {}",
            recipe.name,
            recipe.settings.sizes(),
            recipe.summary
        ));
        out.line(format_args!(
            "  mnn train --recipe {} = {}",
            recipe.name,
            flags(&recipe.settings)
        ));
        out.line(format_args!("  accuracy: {}", recipe.figures));
        out.line(format_args!("  chosen: {}", recipe.chosen));
    }
    let listed: Vec<_> = recipes
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "network": r.settings.sizes(),
                "description": r.settings.description(),
                "summary": r.summary,
                "flags": flags(&r.settings),
                "figures": r.figures,
                "chosen": r.chosen,
            })
        })
        .collect();
    out.json(&json!(listed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recipes_flags_are_the_ones_it_stands_for() {
        let flags_of = |name| flags(&mnn_train::recipe(name).unwrap().settings);
        assert_eq!(
            flags_of("mnist-99"),
            "--hidden 800 --activation relu --loss cross-entropy --bias --lr 0.01 --lr-decay 0.92 \
             --augment rotate=7.5,scale=0.15,elastic,sigma=6,alpha=36 --batch 64 --epochs 28"
        );
        assert_eq!(flags_of("book"), "--hidden 200 --lr 0.1 --epochs 5");
        assert_eq!(flags_of("book-first"), "--hidden 100 --lr 0.3 --epochs 1");
    }

    #[test]
    fn every_overridable_flag_is_a_train_flag() {
        use clap::Args;
        let command = TrainArgs::augment_args(clap::Command::new("mnn"));
        for id in OVERRIDABLE {
            assert!(command.get_arguments().any(|a| a.get_id() == id), "{id}");
        }
    }
}
