use super::*;
use crate::synthetic_digits;
use mnn_net::deep::{Activation, Loss};

fn book() -> RunSettings {
    RunSettings {
        hidden: vec![8],
        learning_rate: 0.3,
        epochs: 3,
        seed: 5,
        rotate: Some(10.0),
        ..RunSettings::default()
    }
}

fn beyond() -> RunSettings {
    RunSettings {
        hidden: vec![12, 8],
        activation: Activation::Tanh,
        loss: Loss::CrossEntropy,
        bias: true,
        learning_rate: 0.05,
        lr_decay: 0.5,
        epochs: 3,
        seed: 3,
        augmentation: "shift=1".parse().unwrap(),
        rotate: None,
        validate: 0,
        batch: 1,
    }
}

/// A run of `settings` on 20 synthetic digits, on one thread, and its events.
fn run(settings: &RunSettings, tests: &Tests) -> (Trained, Vec<Event>) {
    let data = synthetic_digits(20, 7);
    let mut events = Vec::new();
    let trained = train(settings, &data, &data, Threads::given(1), tests, |e| {
        events.push(e)
    })
    .unwrap();
    (trained, events)
}

#[test]
fn each_epoch_starts_counts_its_samples_and_ends_in_order() {
    let (trained, events) = run(&book(), &Tests::EveryEpoch);
    let mut events = events.into_iter().peekable();
    for number in 1..=3 {
        assert_eq!(
            events.next(),
            Some(Event::EpochStarted {
                epoch: number,
                samples: 60
            })
        );
        let mut done = vec![];
        while let Some(Event::Samples { done: d }) = events.peek() {
            done.push(*d);
            events.next();
        }
        assert_eq!(done.last(), Some(&60), "epoch {number}: {done:?}");
        assert!(done.windows(2).all(|w| w[0] < w[1]), "{done:?}");
        let Some(Event::EpochEnded(epoch)) = events.next() else {
            panic!("epoch {number} ends after its samples");
        };
        assert_eq!((epoch.number, epoch.samples), (number, 60));
        assert_eq!(epoch.learning_rate, 0.3);
        assert!(epoch.mean_error > 0.0 && epoch.seconds >= 0.0);
        assert!(epoch.accuracy.is_some());
        assert_eq!(trained.epochs[number as usize - 1], epoch);
    }
    assert_eq!(
        events.next(),
        None,
        "no fallback on given threads, no divergence"
    );
    assert_eq!(trained.epochs.len(), 3);
    assert_eq!(
        trained.epochs[2].accuracy,
        Some(trained.evaluation.accuracy())
    );
    let seconds: f64 = trained.epochs.iter().map(|e| e.seconds).sum();
    assert!((trained.train_seconds - seconds).abs() < 1e-9);
    assert_eq!(trained.diverged, None);
}

#[test]
fn a_run_is_its_epochs_called_by_hand() {
    let data = synthetic_digits(20, 7);
    for settings in [book(), beyond()] {
        let (trained, _) = run(&settings, &Tests::AtTheEnd);
        let mut by_hand = Training::new(&data, &settings, Threads::given(1)).unwrap();
        let mut errors = vec![];
        for _ in 0..settings.epochs {
            errors.push(by_hand.epoch(|_| {}).unwrap().mean_error);
        }
        match (&trained.network, by_hand.network()) {
            (Model::Book(run), Model::Book(hand)) => {
                assert!(settings.is_book());
                assert_eq!(run.weights_input_hidden(), hand.weights_input_hidden());
                assert_eq!(run.weights_hidden_output(), hand.weights_hidden_output());
            }
            (Model::Deep(run), Model::Deep(hand)) => {
                assert!(!settings.is_book());
                assert_eq!(run.layers(), hand.layers());
            }
            _ => panic!("the same kind of network"),
        }
        let curve: Vec<f64> = trained.epochs.iter().map(|e| e.mean_error).collect();
        assert_eq!(curve, errors);
        assert_eq!(trained.evaluation, {
            let mut hand = by_hand.evaluate(&data);
            hand.seconds = trained.evaluation.seconds;
            hand
        });
    }
}

#[test]
fn a_schedule_reports_the_rate_each_epoch_trained_with() {
    let (trained, _) = run(&beyond(), &Tests::AtTheEnd);
    let rates: Vec<f32> = trained.epochs.iter().map(|e| e.learning_rate).collect();
    assert_eq!(rates, [0.05, 0.025, 0.0125]);
    assert_eq!(trained.network.learning_rate(), 0.00625);
}

#[test]
fn tests_run_after_the_epochs_asked_for_and_at_the_end() {
    let tested = |tests: &Tests| -> Vec<bool> {
        let (trained, _) = run(&book(), tests);
        trained
            .epochs
            .iter()
            .map(|e| e.accuracy.is_some())
            .collect()
    };
    assert_eq!(tested(&Tests::AtTheEnd), [false, false, true]);
    assert_eq!(tested(&Tests::After(vec![1])), [true, false, true]);
    assert_eq!(tested(&Tests::EveryEpoch), [true, true, true]);
}

#[test]
fn no_epochs_test_the_initial_weights() {
    let settings = RunSettings {
        epochs: 0,
        ..book()
    };
    let (trained, events) = run(&settings, &Tests::EveryEpoch);
    assert!(events.is_empty() && trained.epochs.is_empty());
    assert_eq!(trained.evaluation.total, 20);
    let Model::Book(net) = &trained.network else {
        panic!("the book's network");
    };
    let Model::Book(fresh) = settings.build().unwrap() else {
        panic!("the book's network");
    };
    assert_eq!(net.weights_input_hidden(), fresh.weights_input_hidden());
}

#[test]
fn divergence_is_reported_after_the_last_epoch() {
    let settings = RunSettings {
        learning_rate: 1e9,
        epochs: 1,
        ..book()
    };
    let (trained, events) = run(&settings, &Tests::AtTheEnd);
    let seen = trained.diverged.expect("diverged");
    assert_eq!(events.last(), Some(&Event::Diverged(seen)));
    // Beyond the book, softmax outputs near 0 are no sign of it.
    let settings = RunSettings {
        learning_rate: 1e9,
        epochs: 1,
        ..beyond()
    };
    assert_eq!(run(&settings, &Tests::AtTheEnd).0.diverged, None);
}

#[test]
fn validation_holds_out_the_last_records_and_scores_them_each_epoch() {
    let data = synthetic_digits(20, 7);
    let settings = RunSettings {
        validate: 5,
        ..beyond()
    };
    let mut started = vec![];
    let trained = train(
        &settings,
        &data,
        &data,
        Threads::given(1),
        &Tests::EveryEpoch,
        |e| {
            if let Event::EpochStarted { samples, .. } = e {
                started.push(samples);
            }
        },
    )
    .unwrap();
    assert_eq!(
        started,
        [15, 15, 15],
        "the last 5 records are not trained on"
    );
    // The same network as a run on the first 15 records, scored on the last 5.
    let (mut first, mut last) = (data.clone(), data.clone());
    first.truncate(15);
    let last = last.split_off(15);
    let plain = RunSettings {
        validate: 0,
        ..settings.clone()
    };
    let alone = train(
        &plain,
        &first,
        &data,
        Threads::given(1),
        &Tests::EveryEpoch,
        |_| {},
    )
    .unwrap();
    for (with, without) in trained.epochs.iter().zip(&alone.epochs) {
        assert_eq!(with.accuracy, without.accuracy);
        assert!(without.validation_accuracy.is_none());
    }
    let held = crate::evaluate(&alone.network, &last, Threads::given(1)).accuracy();
    assert_eq!(trained.epochs[2].validation_accuracy, Some(held));
    assert!(
        trained
            .epochs
            .iter()
            .all(|e| e.validation_accuracy.is_some())
    );
}

#[test]
fn validation_must_leave_records_to_train_on() {
    let data = synthetic_digits(20, 7);
    let settings = RunSettings {
        validate: 20,
        ..beyond()
    };
    let err = train(
        &settings,
        &data,
        &data,
        Threads::given(1),
        &Tests::AtTheEnd,
        |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::Validation {
                held: 20,
                records: 20
            }
        ),
        "{err}"
    );
}
