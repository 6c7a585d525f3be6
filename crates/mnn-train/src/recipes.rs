//! Named recipes: runs worth repeating, each a [`RunSettings`] with what it
//! is, the accuracy docs/results.md documents for it, and how its settings
//! were chosen. `mnn train --recipe NAME` runs one (any flag given beside it
//! overrides that setting), `mnn train --recipe list` shows them all, and a
//! page can offer the same list: this table is the one place they are
//! written.

use crate::settings::RunSettings;
use mnn_augment::{Augmentation, Elastic};
use mnn_net::deep::{Activation, Loss};

/// A run worth repeating, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    /// What `--recipe` calls it: `book`, `mnist-99`.
    pub name: &'static str,
    /// The run (its seed is the default, 1; a seed given beside the recipe
    /// replaces it).
    pub settings: RunSettings,
    /// What it is, in a line.
    pub summary: &'static str,
    /// Its test accuracy as docs/results.md documents it.
    pub figures: &'static str,
    /// How its settings were chosen.
    pub chosen: &'static str,
}

/// Every recipe, in the order `mnn train --recipe list` shows them.
pub fn recipes() -> Vec<Recipe> {
    let book = RunSettings::default();
    let simard_network = RunSettings {
        hidden: vec![800],
        activation: Activation::Relu,
        loss: Loss::CrossEntropy,
        bias: true,
        learning_rate: 0.01,
        augmentation: Augmentation {
            elastic: Some(Elastic::SIMARD),
            ..Augmentation::default()
        },
        ..book.clone()
    };
    vec![
        Recipe {
            name: "book",
            summary: "the book's final network (p. 172), mnn's default",
            figures: "0.9721 (0.9720-0.9734), median of seeds 1-3; the book's one run 0.9751 (p. 169)",
            chosen: "the book's settings",
            settings: book.clone(),
        },
        Recipe {
            name: "book-first",
            summary: "the book's first full MNIST run (p. 164)",
            figures: "0.9455 (0.9448-0.9473), median of seeds 1-3; the book's one run 0.9473 (p. 164)",
            chosen: "the book's settings",
            settings: RunSettings {
                hidden: vec![100],
                learning_rate: 0.3,
                epochs: 1,
                ..book.clone()
            },
        },
        Recipe {
            name: "mnist-99",
            summary: "99 % in under 45 s on two cores: one hidden layer of 800, ReLU, softmax, biases, \
                      elastic distortions, a decaying rate, mini-batches of 64 (a departure from the book)",
            figures: "0.9904 (0.9902-0.9924), median of seeds 1-3, measured once after the choice; \
                      37.1 s wall on two cores (idle machine)",
            chosen: "on --validate 10000 only: batches of 64 at the per-sample rate 0.01 (0.02 and \
                     batches of 128 at 0.02 worse or unstable), decay 0.9 against 0.93 and 0.95, 24 \
                     epochs for the 45 s; validation 0.9913, 0.9903, 0.9908 for seeds 1-3 (0.93: \
                     0.9907, 0.9892, 0.9909)",
            settings: RunSettings {
                lr_decay: 0.9,
                epochs: 24,
                batch: 64,
                ..simard_network.clone()
            },
        },
        Recipe {
            name: "simard",
            summary: "Simard et al. 2003's 784-800-10 with cross-entropy and elastic distortions (0.7 % error)",
            figures: "0.9921 (0.9919-0.9931), median of seeds 1-3, in 2:23 wall on two cores (idle; \
                      0.9930 before the elastic distortions' second speed-up changed them); Simard et al. 0.993",
            chosen: "on --validate 10000 only, seed 1: lr decay 0.96 against 0.98 after 20 to 60 \
                     epochs (0.9921 and 0.9922 after 60, 0.96 ahead after 40 and 50); one seed, so \
                     differences under 0.1 pp are noise",
            settings: RunSettings {
                lr_decay: 0.96,
                epochs: 60,
                ..simard_network
            },
        },
    ]
}

/// The recipe called `name`, if there is one.
pub fn recipe(name: &str) -> Option<Recipe> {
    recipes().into_iter().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_recipes_are_the_books_runs() {
        let book = recipe("book").unwrap().settings;
        assert_eq!(book, RunSettings::default());
        let first = recipe("book-first").unwrap().settings;
        assert!(first.is_book());
        assert_eq!(
            (first.sizes(), first.learning_rate, first.epochs),
            ("784-100-10".to_string(), 0.3, 1)
        );
    }

    #[test]
    fn the_99_percent_recipe_is_the_documented_one() {
        let s = recipe("mnist-99").unwrap().settings;
        assert_eq!(
            s.description(),
            "784-800-10 relu, cross-entropy (softmax), biases, learning rate 0.01 ×0.9 per \
             epoch, distortions elastic,sigma=4,alpha=34, batches of 64"
        );
        assert_eq!((s.epochs, s.seed, s.validate, s.batch), (24, 1, 0, 64));
    }

    #[test]
    fn names_are_unique_and_every_recipe_can_be_built() {
        let all = recipes();
        for (i, r) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|o| o.name != r.name), "{}", r.name);
            assert!(r.settings.augmentation.validate().is_ok());
            assert_eq!(r.settings.seed, 1);
        }
        assert!(recipe("list").is_none(), "list is not a recipe's name");
        assert!(recipe("nope").is_none());
    }
}
