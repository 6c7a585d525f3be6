//! Part 1's worked examples: the book's inputs and weights, put through
//! mnn-matrix and mnn-net, laid out as the book lays them out.
//!
//! Every number is tied to the book's figure it reproduces (a page and a JSON
//! pointer into that page's entry of `worked_examples.json`).

use crate::{Block, BookRef, Chapter, Num, Seg, Source, Step, Term};
use mnn_matrix::Matrix;
use mnn_net::{NeuralNetwork, sigmoid};

const PREDICTING_MACHINE: BookRef = BookRef {
    chapter: "A Simple Predicting Machine",
    page: 14,
};
const CLASSIFIER: BookRef = BookRef {
    chapter: "Training A Simple Classifier",
    page: 27,
};
const MODERATED_CLASSIFIER: BookRef = BookRef {
    chapter: "Training A Simple Classifier",
    page: 33,
};
const SIGNALS: BookRef = BookRef {
    chapter: "Following Signals Through A Neural Network",
    page: 54,
};
const MATRIX_MULTIPLICATION: BookRef = BookRef {
    chapter: "Matrix Multiplication is Useful .. Honest!",
    page: 59,
};
const THREE_LAYERS: BookRef = BookRef {
    chapter: "A Three Layer Example with Matrix Multiplication",
    page: 65,
};
const MORE_THAN_ONE_NODE: BookRef = BookRef {
    chapter: "Learning Weights From More Than One Node",
    page: 73,
};
const MORE_OUTPUT_NODES: BookRef = BookRef {
    chapter: "Backpropagating Errors From More Output Nodes",
    page: 76,
};
const MORE_LAYERS: BookRef = BookRef {
    chapter: "Backpropagating Errors To More Layers",
    page: 79,
};
const ERRORS_AS_MATRICES: BookRef = BookRef {
    chapter: "Backpropagating Errors with Matrix Multiplication",
    page: 80,
};
const ERROR_MEASURES: BookRef = BookRef {
    chapter: "How Do We Actually Update Weights?",
    page: 90,
};
const WEIGHT_UPDATE: BookRef = BookRef {
    chapter: "Weight Update Worked Example",
    page: 100,
};
const PREPARING_DATA: BookRef = BookRef {
    chapter: "Preparing Data",
    page: 103,
};
const PREPARING_MNIST: BookRef = BookRef {
    chapter: "Part 2: The MNIST Dataset of Handwritten Numbers (preparing MNIST data)",
    page: 151,
};

/// The book's figure at `pointer` on `page`, as mnn computed it.
fn fig(page: u16, pointer: impl Into<String>, value: f32, decimals: usize) -> Seg {
    Seg::Num(num(page, pointer, value, decimals))
}

/// The book's figure `/values/{name}` on `page` (the values its text
/// prints), as mnn computed it.
fn at(page: u16, name: impl std::fmt::Display, value: f32, decimals: usize) -> Seg {
    fig(page, format!("/values/{name}"), value, decimals)
}

fn num(page: u16, pointer: impl Into<String>, value: f32, decimals: usize) -> Num {
    Num {
        value: f64::from(value),
        decimals,
        source: Source::Book {
            page,
            pointer: pointer.into(),
        },
    }
}

fn t(text: &str) -> Seg {
    Seg::Text(text.to_string())
}

fn op(text: &str) -> Term {
    Term::Text(text.to_string())
}

/// `m` as an equation term, element (r, c) at `{pointer}/{r}/{c}`.
fn matrix(m: &Matrix, page: u16, pointer: &str, decimals: usize) -> Term {
    Term::Matrix(
        (0..m.rows())
            .map(|r| {
                (0..m.cols())
                    .map(|c| num(page, format!("{pointer}/{r}/{c}"), m.get(r, c), decimals))
                    .collect()
            })
            .collect(),
    )
}

/// `v` as a column vector, element i at `{pointer}/{i}`.
fn vector(v: &[f32], page: u16, pointer: &str, decimals: usize) -> Term {
    Term::Matrix(
        v.iter()
            .enumerate()
            .map(|(i, &x)| vec![num(page, format!("{pointer}/{i}"), x, decimals)])
            .collect(),
    )
}

fn rows<const C: usize>(rows: &[[f32; C]]) -> Matrix {
    Matrix::from_rows(rows).expect("the book's matrices are rectangular")
}

/// The book's worked examples of Part 1 (and its data preparation), one
/// chapter each, in the book's order.
pub fn book_chapters() -> Vec<Chapter> {
    vec![
        predicting_machine(),
        simple_classifier(),
        signals(),
        matrix_multiplication(),
        three_layers(),
        backpropagating_errors(),
        errors_as_matrices(),
        error_measures(),
        weight_update(),
        preparing_data(),
    ]
}

/// `[[value]]`, a 1×1 matrix: one link, no activation.
fn one_link(value: f32) -> Matrix {
    Matrix::from_vec(1, 1, vec![value]).expect("1×1")
}

/// `y = A·x` for the 1×1 matrix `a`.
fn through(a: &Matrix, x: f32) -> f32 {
    let mut y = [0.0f32];
    a.mul_vec(&[x], &mut y);
    y[0]
}

/// p14: kilometres to miles, c guessed and corrected by the error.
fn predicting_machine() -> Chapter {
    const P: u16 = PREDICTING_MACHINE.page;
    let km = 100.0f32;
    let truth = 62.137f32;
    let trials = [0.5f32, 0.6, 0.7, 0.61];
    let rows: Vec<Vec<Seg>> = trials
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let miles = through(&one_link(c), km); // miles = c·km
            let error = truth - miles;
            vec![
                at(P, format!("c_trials/{i}"), c, 2),
                at(P, format!("miles_calculated/{i}"), miles, 0),
                at(P, format!("error_truth_minus_calculated/{i}"), error, 3),
            ]
        })
        .collect();
    Chapter {
        title: "A simple predicting machine".into(),
        steps: vec![Step {
            title: "Kilometres to miles: guess c, let the error correct it".into(),
            book: PREDICTING_MACHINE,
            code: vec!["mnn_matrix::Matrix::mul_vec (a 1×1 matrix: one link, no activation)"],
            blocks: vec![
                Block::Line(vec![
                    t("a true example: "),
                    at(P, "km_input", km, 0),
                    t(" km is "),
                    at(P, "truth_examples_km_miles/1/1", truth, 3),
                    t(" miles; the machine computes miles = c × km"),
                ]),
                Block::Table {
                    header: ["c", "miles", "error = truth − miles"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                },
                Block::Line(vec![t(
                    "a positive error says c is too small, a negative one (an overshoot) too large; \
                     the nudges get smaller as the error does",
                )]),
            ],
        }],
    }
}

/// pp27 and 33: a dividing line y = A·x, refined by each example's error.
fn simple_classifier() -> Chapter {
    const P: u16 = CLASSIFIER.page;
    const Q: u16 = MODERATED_CLASSIFIER.page;
    // One example: y = A·x, error E = target − y, then A += rate·E·(1/x).
    let learn = |a: &mut Matrix, x: f32, target: f32, rate: f32| {
        let y = through(a, x);
        let e = target - y;
        let before = a.get(0, 0);
        a.add_outer(rate, &[e], &[1.0 / x]); // ΔA = rate·(E / x)
        (y, e, a.get(0, 0) - before, a.get(0, 0))
    };
    let (x1, x2) = (3.0f32, 1.0f32);
    let (t1, t2) = (1.1f32, 2.9f32);
    // Example `n` as `page` prints it: y, target, E, ΔA and A after it (named `a_after`).
    let example = |page: u16, n: u8, a_after: &str, x: f32, values: (f32, f32, f32, f32)| {
        let (y, e, delta, a) = values;
        let v = |name: &str| format!("/values/ex{n}_{name}");
        Block::Line(vec![
            t("x = "),
            fig(P, v("x"), x, 1),
            t(": y = "),
            fig(page, v("y_calculated"), y, 4),
            t(", target "),
            fig(page, v("target"), if n == 1 { t1 } else { t2 }, 1),
            t(", error E = "),
            fig(page, v("error_E"), e, 4),
            t(", ΔA = "),
            fig(page, v("delta_A"), delta, 4),
            t(", A = "),
            at(page, a_after, a, 4),
        ])
    };
    // Both examples from A = 0.25 at learning rate `rate`: the first's line,
    // y of the first example with the new A (to `decimals`), the second's line.
    let both = |page: u16, rate: f32, a_final: &str, decimals: usize| {
        let mut a = one_link(0.25);
        let first = learn(&mut a, x1, t1, rate);
        let y_after = through(&a, x1);
        let second = learn(&mut a, x2, t2, rate);
        (
            example(page, 1, "A_after_ex1", x1, first),
            at(page, "ex1_y_with_new_A", y_after, decimals),
            example(page, 2, a_final, x2, second),
        )
    };

    let (first, y_after, second) = both(P, 1.0, "A_after_ex2", 1);
    let plain = vec![
        Block::Line(vec![
            t("the line y = A·x starts at A = "),
            at(P, "A_initial", 0.25, 2),
            t("; targets sit just beside the bugs; each error moves A by ΔA = E / x"),
        ]),
        first,
        Block::Line(vec![
            t("the line now passes through the first target exactly: y = "),
            y_after,
        ]),
        second,
        Block::Line(vec![t(
            "each update undoes the last: the line only ever fits the latest example",
        )]),
    ];

    let rate = 0.5f32;
    let (first, y_after, second) = both(Q, rate, "A_final", 3);
    let moderated = vec![
        Block::Line(vec![
            t("the same two examples with a learning rate L = "),
            at(Q, "learning_rate_L", rate, 1),
            t(": ΔA = L·(E / x), from A = "),
            at(Q, "A_initial", 0.25, 2),
        ]),
        first,
        Block::Line(vec![
            t("y for the first example is now "),
            y_after,
            t(", only part of the way to its target"),
        ]),
        second,
        Block::Line(vec![t(
            "the line ends between the two examples: moderated updates let many examples shape it together \
             (mnn's learning rate does the same)",
        )]),
    ];
    Chapter {
        title: "Training a simple classifier".into(),
        steps: vec![
            Step {
                title: "Refining the slope by each error".into(),
                book: CLASSIFIER,
                code: vec![
                    "mnn_matrix::Matrix::mul_vec",
                    "mnn_matrix::Matrix::add_outer (ΔA = E·(1/x))",
                ],
                blocks: plain,
            },
            Step {
                title: "Moderating the updates with a learning rate".into(),
                book: MODERATED_CLASSIFIER,
                code: vec![
                    "mnn_matrix::Matrix::mul_vec",
                    "mnn_matrix::Matrix::add_outer (ΔA = L·E·(1/x))",
                ],
                blocks: moderated,
            },
        ],
    }
}

/// p54: two layers of two nodes.
fn signals() -> Chapter {
    const P: u16 = SIGNALS.page;
    let inputs = [1.0f32, 0.5];
    // W: (receiving node, sending node); element (j, i) is the book's w_i_j.
    let w = rows(&[[0.9, 0.3], [0.2, 0.8]]);
    let weight_ptr = |r: usize, c: usize| format!("/values/w_{}_{}", c + 1, r + 1);
    let mut x = [0.0f32; 2];
    w.mul_vec(&inputs, &mut x); // x = W·I
    let x_ptr = ["/values/x_node1", "/values/x_node2"];
    let x_decimals = [2, 1];

    let mut sums = vec![
        Block::Line(vec![
            t("inputs: "),
            at(P, "inputs/0", inputs[0], 1),
            t(" into node 1 of the first layer, "),
            at(P, "inputs/1", inputs[1], 1),
            t(" into node 2; the first layer passes them on unchanged"),
        ]),
        Block::Line(vec![
            t("link weights wᵢ,ⱼ (from node i to node j): w₁,₁ = "),
            fig(P, weight_ptr(0, 0), w.get(0, 0), 1),
            t("  w₁,₂ = "),
            fig(P, weight_ptr(1, 0), w.get(1, 0), 1),
            t("  w₂,₁ = "),
            fig(P, weight_ptr(0, 1), w.get(0, 1), 1),
            t("  w₂,₂ = "),
            fig(P, weight_ptr(1, 1), w.get(1, 1), 1),
        ]),
    ];
    for j in 0..2 {
        sums.push(Block::Line(vec![
            t(&format!("node {}: x = (", j + 1)),
            at(P, "inputs/0", inputs[0], 1),
            t(" × "),
            fig(P, weight_ptr(j, 0), w.get(j, 0), 1),
            t(") + ("),
            at(P, "inputs/1", inputs[1], 1),
            t(" × "),
            fig(P, weight_ptr(j, 1), w.get(j, 1), 1),
            t(") = "),
            fig(P, x_ptr[j], x[j], x_decimals[j]),
        ]));
    }
    sums.push(Block::Line(vec![t(
        "the same two sums as one matrix product (the book's next chapters), X = W·I:",
    )]));
    let weight_matrix = Term::Matrix(
        (0..2)
            .map(|r| {
                (0..2)
                    .map(|c| num(P, weight_ptr(r, c), w.get(r, c), 1))
                    .collect()
            })
            .collect(),
    );
    sums.push(Block::Equation(vec![
        weight_matrix,
        op(" · "),
        vector(&inputs, P, "/values/inputs", 1),
        op(" = "),
        Term::Matrix((0..2).map(|j| vec![num(P, x_ptr[j], x[j], 2)]).collect()),
    ]));

    let mut outputs = vec![Block::Line(vec![t(
        "each node of the second layer applies the sigmoid y = 1 / (1 + e^−x) to its sum:",
    )])];
    for j in 0..2 {
        let e = (-x[j]).exp();
        let n = j + 1;
        outputs.push(Block::Line(vec![
            t(&format!("node {n}: y = 1 / (1 + e^−")),
            fig(P, x_ptr[j], x[j], x_decimals[j]),
            t(") = 1 / (1 + "),
            at(P, format!("exp_minus_x_node{n}"), e, 4),
            t(") = 1 / "),
            at(P, format!("denominator_node{n}"), 1.0 + e, 4),
            t(" = "),
            at(P, format!("y_node{n}"), sigmoid(x[j]), 4),
        ]));
    }
    Chapter {
        title: "Following signals through a neural network".into(),
        steps: vec![
            Step {
                title: "Two layers: the combined input to each node".into(),
                book: SIGNALS,
                code: vec!["mnn_matrix::Matrix::mul_vec"],
                blocks: sums,
            },
            Step {
                title: "Two layers: each node's output".into(),
                book: SIGNALS,
                code: vec!["mnn_net::sigmoid"],
                blocks: outputs,
            },
        ],
    }
}

/// p59: a 2×2 matrix product, element by element.
fn matrix_multiplication() -> Chapter {
    const P: u16 = MATRIX_MULTIPLICATION.page;
    let a = rows(&[[1.0, 2.0], [3.0, 4.0]]);
    let b = rows(&[[5.0, 6.0], [7.0, 8.0]]);
    // Column c of A·B is A times column c of B.
    let bt = b.transpose();
    let mut product = Matrix::zeros(2, 2);
    let mut column = [0.0f32; 2];
    for c in 0..2 {
        a.mul_vec(bt.row(c), &mut column);
        for (r, &v) in column.iter().enumerate() {
            product.set(r, c, v);
        }
    }
    let mut blocks = vec![Block::Equation(vec![
        matrix(&a, P, "/values/A", 0),
        op(" · "),
        matrix(&b, P, "/values/B", 0),
        op(" = "),
        matrix(&product, P, "/values/A_dot_B", 0),
    ])];
    let names = [["top left", "top right"], ["bottom left", "bottom right"]];
    let terms = [
        ["top_left_terms", "top_right_terms"],
        ["bottom_left_terms", "bottom_right_terms"],
    ];
    for r in 0..2 {
        for c in 0..2 {
            let mut line = vec![t(&format!("{}: ", names[r][c]))];
            for k in 0..2 {
                line.extend([
                    t(if k == 0 { "(" } else { " + (" }),
                    at(P, format!("A/{r}/{k}"), a.get(r, k), 0),
                    t(" × "),
                    at(P, format!("B/{k}/{c}"), b.get(k, c), 0),
                    t(")"),
                ]);
            }
            line.push(t(" = "));
            for k in 0..2 {
                if k > 0 {
                    line.push(t(" + "));
                }
                let pointer = format!("/values/{}/{k}", terms[r][c]);
                line.push(fig(P, pointer, a.get(r, k) * b.get(k, c), 0));
            }
            line.push(t(" = "));
            let pointer = format!("/values/A_dot_B/{r}/{c}");
            line.push(fig(P, pointer, product.get(r, c), 0));
            blocks.push(Block::Line(line));
        }
    }
    blocks.push(Block::Line(vec![t(
        "each element is a whole row of the first matrix times a whole column of the second, \
         never one element times one element",
    )]));
    Chapter {
        title: "Matrix multiplication is useful".into(),
        steps: vec![Step {
            title: "A row times a column, four times".into(),
            book: MATRIX_MULTIPLICATION,
            code: vec!["mnn_matrix::Matrix::mul_vec (once per column of the second matrix)"],
            blocks,
        }],
    }
}

/// p65: three layers of three nodes, as one network.
fn three_layers() -> Chapter {
    const P: u16 = THREE_LAYERS.page;
    let inputs = [0.9f32, 0.1, 0.8];
    // W_ih: (hidden, inputs); (0, 2) is w_3_1, 0.4 by the author's errata.
    let w_ih = rows(&[[0.9, 0.3, 0.4], [0.2, 0.8, 0.2], [0.1, 0.5, 0.6]]);
    // W_ho: (outputs, hidden)
    let w_ho = rows(&[[0.3, 0.7, 0.5], [0.6, 0.5, 0.2], [0.8, 0.1, 0.9]]);
    let net = NeuralNetwork::from_weights(w_ih.clone(), w_ho.clone(), 0.3)
        .expect("the book's 3-3-3 network");
    let mut x_hidden = [0.0f32; 3];
    w_ih.mul_vec(&inputs, &mut x_hidden); // X_hidden = W_ih·I
    let mut activations = net.activations();
    net.forward(&inputs, &mut activations); // O_hidden = σ(X_hidden), O_output = σ(W_ho·O_hidden)
    let o_hidden = activations.hidden.clone();
    let mut x_output = [0.0f32; 3];
    w_ho.mul_vec(&o_hidden, &mut x_output); // X_output = W_ho·O_hidden
    let o_output = net.query(&inputs);

    let figures = "/figure_only_values";
    // The book's X_output, from its hidden outputs rounded to three decimals.
    let rounded = |i: usize, value: f32| {
        let pointer = format!("{figures}/X_output_from_rounded_O_hidden/{i}");
        fig(P, pointer, value, 3)
    };
    let hidden_inputs = vec![
        Block::Line(vec![
            t("inputs I, and the weights from the text: w₁,₁ = "),
            at(P, "w_1_1_input_hidden", w_ih.get(0, 0), 1),
            t(", w₂,₂ = "),
            at(P, "w_2_2_input_hidden", w_ih.get(1, 1), 1),
            t(" (row: the receiving hidden node, column: the sending input)"),
        ]),
        Block::Equation(vec![
            op("X_hidden = W_input_hidden · I = "),
            matrix(&w_ih, P, &format!("{figures}/W_input_hidden"), 1),
            op(" · "),
            vector(&inputs, P, "/values/I", 1),
            op(" = "),
            vector(&x_hidden, P, "/values/X_hidden", 2),
        ]),
        Block::Line(vec![
            t("book erratum: the text says w₃,₁ = "),
            at(P, "w_3_1_input_hidden/book_printed", 0.1, 1),
            t("; it must be "),
            at(P, "w_3_1_input_hidden/recomputed", w_ih.get(0, 2), 1),
            t(" (the author's errata), as above, to give X_hidden's first value "),
            at(P, "X_hidden/0", x_hidden[0], 2),
        ]),
    ];
    let hidden_outputs = vec![
        Block::Line(vec![
            t("first hidden node: 1 / (1 + e^−"),
            at(P, "X_hidden/0", x_hidden[0], 2),
            t(") = 1 / (1 + "),
            at(P, "exp_minus_1.16", (-x_hidden[0]).exp(), 4),
            t(") = "),
            at(P, "O_hidden_first", o_hidden[0], 3),
        ]),
        Block::Equation(vec![
            op("O_hidden = sigmoid"),
            vector(&x_hidden, P, "/values/X_hidden", 2),
            op(" = "),
            vector(&o_hidden, P, &format!("{figures}/O_hidden"), 3),
        ]),
    ];
    let output_inputs = vec![
        Block::Equation(vec![
            op("X_output = W_hidden_output · O_hidden = "),
            matrix(&w_ho, P, &format!("{figures}/W_hidden_output"), 1),
            op(" · "),
            vector(&o_hidden, P, &format!("{figures}/O_hidden"), 3),
            op(" = "),
            vector(&x_output, P, &format!("{figures}/X_output_unrounded"), 3),
        ]),
        Block::Line(vec![
            t("the book's figure shows "),
            rounded(0, 0.975),
            t(", "),
            rounded(1, 0.888),
            t(", "),
            rounded(2, 1.254),
            t(": it multiplied the hidden outputs rounded to three decimals"),
        ]),
    ];
    let outputs = vec![
        Block::Equation(vec![
            op("O_output = sigmoid"),
            vector(&x_output, P, &format!("{figures}/X_output_unrounded"), 3),
            op(" = "),
            Term::Matrix(
                o_output
                    .iter()
                    .map(|&o| vec![num(P, "/notes", o, 4)])
                    .collect(),
            ),
        ]),
        Block::Line(vec![
            t("the book prints "),
            at(P, "O_output/0", 0.726, 3),
            t(", "),
            at(P, "O_output/1", 0.708, 3),
            t(" and "),
            at(P, "O_output/2", 0.778, 3),
            t("; its middle value is sigmoid("),
            rounded(1, 0.888),
            t("), from the rounded X_output of its figure"),
        ]),
        Block::Line(vec![t(
            "the whole pass, both layers, is one call: NeuralNetwork::query(I)",
        )]),
    ];
    let step = |title: &str, code: Vec<&'static str>, blocks| Step {
        title: title.into(),
        book: THREE_LAYERS,
        code,
        blocks,
    };
    Chapter {
        title: "A three layer example with matrix multiplication".into(),
        steps: vec![
            step(
                "Into the hidden layer: X_hidden = W_input_hidden · I",
                vec!["mnn_matrix::Matrix::mul_vec"],
                hidden_inputs,
            ),
            step(
                "Out of the hidden layer: O_hidden = sigmoid(X_hidden)",
                vec!["mnn_net::NeuralNetwork::forward (Activations::hidden)"],
                hidden_outputs,
            ),
            step(
                "Into the output layer: X_output = W_hidden_output · O_hidden",
                vec!["mnn_matrix::Matrix::mul_vec"],
                output_inputs,
            ),
            step(
                "Out of the network: O_output = sigmoid(X_output)",
                vec!["mnn_net::NeuralNetwork::query"],
                outputs,
            ),
        ],
    }
}

/// The network of p79 (reused on p80 and p100): two hidden nodes, two
/// output nodes. W_ho: (outputs, hidden); row k holds w_1_k, w_2_k.
fn p79_weights() -> Matrix {
    rows(&[[2.0, 3.0], [1.0, 4.0]])
}

/// Where p79's weights and errors are in the book's figures.
const P79_IMPLIED: &str = "/implied_values_not_printed_in_this_section";
fn p79_weight_pointer(k: usize, j: usize) -> String {
    match (j, k) {
        (0, 0) => format!("{P79_IMPLIED}/w_1_1_hidden_output"),
        (1, 0) => format!("{P79_IMPLIED}/w_2_1_hidden_output"),
        (0, 1) => "/values/w_1_2_hidden_output".into(),
        _ => "/values/w_2_2_hidden_output".into(),
    }
}
fn p79_error_pointer(k: usize) -> String {
    if k == 0 {
        format!("{P79_IMPLIED}/e_output_1")
    } else {
        "/values/e_output_2".into()
    }
}

/// Each row of `w` divided by its sum: the share of an output's error each
/// incoming link carries back.
fn error_fractions(w: &Matrix) -> Matrix {
    let mut f = w.clone();
    for r in 0..f.rows() {
        let sum: f32 = f.row(r).iter().sum();
        f.row_mut(r).iter_mut().for_each(|x| *x /= sum);
    }
    f
}

/// pp73-79: errors split back in proportion to the link weights.
fn backpropagating_errors() -> Chapter {
    let one_node = {
        const P: u16 = MORE_THAN_ONE_NODE.page;
        let w = rows(&[[3.0, 1.0]]);
        let f = error_fractions(&w);
        let mut line = vec![t("two links with weights ")];
        line.extend([
            at(P, "link_weights/0", w.get(0, 0), 1),
            t(" and "),
            at(P, "link_weights/1", w.get(0, 1), 1),
            t(" share one output's error: "),
        ]);
        for i in 0..2 {
            let fraction = f.get(0, i);
            line.extend([
                t(if i == 0 { "" } else { " and " }),
                at(P, format!("link_weights/{i}"), w.get(0, i), 1),
                t(" / ("),
                at(P, "link_weights/0", w.get(0, 0), 1),
                t(" + "),
                at(P, "link_weights/1", w.get(0, 1), 1),
                t(") = "),
                at(P, format!("error_fraction_per_link/{i}"), fraction, 2),
            ]);
        }
        Step {
            title: "One output node: the error split by weight".into(),
            book: MORE_THAN_ONE_NODE,
            code: vec![
                "the idea that mnn_net::NeuralNetwork::train keeps as W_hoᵀ·e (next chapter)",
            ],
            blocks: vec![
                Block::Line(line),
                Block::Line(vec![t(
                    "the link with the larger weight carried more of the signal, so it gets more of the blame",
                )]),
            ],
        }
    };

    let more_outputs = {
        const P: u16 = MORE_OUTPUT_NODES.page;
        let w = rows(&[[6.0, 3.0], [4.0, 4.0]]);
        let f = error_fractions(&w);
        let mut blocks = vec![];
        for (case, r) in [("a", 0), ("b", 1)] {
            let w11 = format!("/values/case_{case}_w11");
            let w21 = format!("/values/case_{case}_w21");
            let mut line = vec![
                t("w₁,₁ = "),
                fig(P, w11.clone(), w.get(r, 0), 0),
                t(", w₂,₁ = "),
                fig(P, w21.clone(), w.get(r, 1), 0),
                t(": e₁ splits "),
            ];
            for (i, (name, ptr)) in [("w₁,₁", &w11), ("w₂,₁", &w21)].into_iter().enumerate()
            {
                let fraction = if case == "a" {
                    format!("/values/case_a_fraction_{}", ["w11", "w21"][i])
                } else {
                    "/values/case_b_fraction_each".into()
                };
                line.extend([
                    t(if i == 0 { "" } else { ", " }),
                    fig(P, ptr.clone(), w.get(r, i), 0),
                    t(" / ("),
                    fig(P, w11.clone(), w.get(r, 0), 0),
                    t(" + "),
                    fig(P, w21.clone(), w.get(r, 1), 0),
                    t(") = "),
                    fig(P, fraction, f.get(r, i), if case == "a" { 4 } else { 1 }),
                    t(&format!(" to {name}")),
                ]);
            }
            blocks.push(Block::Line(line));
        }
        blocks.push(Block::Line(vec![t(
            "the second output's error e₂ splits the same way over w₁,₂ and w₂,₂",
        )]));
        Step {
            title: "Two output nodes: each error split over its own links".into(),
            book: MORE_OUTPUT_NODES,
            code: vec![
                "the idea that mnn_net::NeuralNetwork::train keeps as W_hoᵀ·e (next chapter)",
            ],
            blocks,
        }
    };

    let more_layers =
        {
            const P: u16 = MORE_LAYERS.page;
            let w = p79_weights();
            let f = error_fractions(&w);
            let e = [1.5f32, 0.5];
            let mut blocks = vec![Block::Line(vec![
                t("output errors e₁ = "),
                fig(P, p79_error_pointer(0), e[0], 1),
                t(", e₂ = "),
                fig(P, p79_error_pointer(1), e[1], 1),
                t("; weights w₁,₁ = "),
                fig(P, p79_weight_pointer(0, 0), w.get(0, 0), 1),
                t(", w₂,₁ = "),
                fig(P, p79_weight_pointer(0, 1), w.get(0, 1), 1),
                t(", w₁,₂ = "),
                fig(P, p79_weight_pointer(1, 0), w.get(1, 0), 1),
                t(", w₂,₂ = "),
                fig(P, p79_weight_pointer(1, 1), w.get(1, 1), 1),
            ])];
            let splits = [
                format!("{P79_IMPLIED}/e_output_1_split"),
                "/values/e_output_2_split".to_string(),
            ];
            for k in 0..2 {
                let mut line = vec![t(&format!("e{} = ", ["₁", "₂"][k]))];
                line.push(fig(P, p79_error_pointer(k), e[k], 1));
                line.push(t(" splits into "));
                for j in 0..2 {
                    line.extend([
                        t(if j == 0 { "" } else { " and " }),
                        fig(P, format!("{}/{j}", splits[k]), e[k] * f.get(k, j), 1),
                        t(&format!(" (to hidden node {})", j + 1)),
                    ]);
                }
                blocks.push(Block::Line(line));
            }
            // e_hidden = Fᵀ·e_output, F: each output's link weights as fractions
            let mut e_hidden = [0.0f32; 2];
            f.transpose_mul_vec(&e, &mut e_hidden);
            blocks.push(Block::Line(vec![
                t("hidden node 1 adds up what reaches it: "),
                fig(P, format!("{}/0", splits[0]), e[0] * f.get(0, 0), 1),
                t(" + "),
                at(P, "e_output_2_split/0", e[1] * f.get(1, 0), 1),
                t(" = "),
                fig(P, format!("{P79_IMPLIED}/e_hidden_1"), e_hidden[0], 1),
                t(" (the book leaves this one to the reader)"),
            ]));
            blocks.push(Block::Line(vec![
                t("hidden node 2: "),
                at(P, "hidden2_incoming_split_errors/0", e[0] * f.get(0, 1), 1),
                t(" + "),
                at(P, "hidden2_incoming_split_errors/1", e[1] * f.get(1, 1), 1),
                t(" = "),
                at(P, "e_hidden_2", e_hidden[1], 1),
            ]));
            let revised = [0.8f32, 0.5];
            let mut revised_hidden = [0.0f32; 2];
            f.transpose_mul_vec(&revised, &mut revised_hidden);
            let later = format!("{P79_IMPLIED}/later_revised_printing");
            blocks.push(Block::Line(vec![
            t("book erratum: an output error of "),
            fig(P, p79_error_pointer(0), e[0], 1),
            t(" is impossible for a sigmoid output (between 0 and 1); later printings use e₁ = "),
            fig(P, format!("{later}_e_output_1"), revised[0], 1),
            t(", which splits into "),
            fig(P, format!("{later}_e_output_1_split/0"), revised[0] * f.get(0, 0), 2),
            t(" and "),
            fig(P, format!("{later}_e_output_1_split/1"), revised[0] * f.get(0, 1), 2),
            t(" and gives hidden errors "),
            fig(P, format!("{later}_e_hidden/0"), revised_hidden[0], 2),
            t(" and "),
            fig(P, format!("{later}_e_hidden/1"), revised_hidden[1], 2),
        ]));
            Step {
                title: "Back into the hidden layer: the shares added up".into(),
                book: MORE_LAYERS,
                code: vec!["mnn_matrix::Matrix::transpose_mul_vec (on the weights as fractions)"],
                blocks,
            }
        };

    Chapter {
        title: "Backpropagating errors".into(),
        steps: vec![one_node, more_outputs, more_layers],
    }
}

/// p80: the same backwards split as one product with Wᵀ, denominators dropped.
fn errors_as_matrices() -> Chapter {
    const Q: u16 = MORE_LAYERS.page;
    const P: u16 = ERRORS_AS_MATRICES.page;
    let w = p79_weights();
    let e = [1.5f32, 0.5];
    let mut e_hidden = [0.0f32; 2];
    w.transpose_mul_vec(&e, &mut e_hidden); // e_h = W_hoᵀ·e_o
    let mut normalised = [0.0f32; 2];
    error_fractions(&w).transpose_mul_vec(&e, &mut normalised);
    let wt = Term::Matrix(
        (0..2)
            .map(|j| {
                (0..2)
                    .map(|k| num(Q, p79_weight_pointer(k, j), w.get(k, j), 1))
                    .collect()
            })
            .collect(),
    );
    let errors = Term::Matrix(
        (0..2)
            .map(|k| vec![num(Q, p79_error_pointer(k), e[k], 1)])
            .collect(),
    );
    let not_in_book = "/recomputed_not_in_book/illustrative_with_p79_network";
    let blocks = vec![
        Block::Line(vec![t(
            "the book drops the fractions' denominators and writes the hidden errors as one product; \
             it prints no numbers here, so these use the previous step's network:",
        )]),
        Block::Equation(vec![
            op("error_hidden = W_hidden_outputᵀ · error_output = "),
            wt,
            op(" · "),
            errors,
            op(" = "),
            vector(
                &e_hidden,
                P,
                &format!("{not_in_book}_unnormalised_WT_dot_e"),
                1,
            ),
        ]),
        Block::Line(vec![
            t("with the denominators kept they were "),
            fig(P, format!("{not_in_book}_normalised/0"), normalised[0], 1),
            t(" and "),
            fig(P, format!("{not_in_book}_normalised/1"), normalised[1], 1),
            t(
                ": the split keeps its proportions, only the scale changes, and the learning rate takes care of scale",
            ),
        ]),
        Block::Line(vec![t(
            "mnn_net::NeuralNetwork::train computes e_h = W_hoᵀ·e_o this way, with W_ho before its update",
        )]),
    ];
    Chapter {
        title: "Backpropagating errors with matrix multiplication".into(),
        steps: vec![Step {
            title: "error_hidden = W_hidden_outputᵀ · error_output".into(),
            book: ERRORS_AS_MATRICES,
            code: vec!["mnn_matrix::Matrix::transpose_mul_vec"],
            blocks,
        }],
    }
}

/// p90: three ways to measure the error.
fn error_measures() -> Chapter {
    const P: u16 = ERROR_MEASURES.page;
    let outputs = [0.4f32, 0.8, 1.0];
    let targets = [0.5f32, 0.7, 1.0];
    let cell = |ptr: &str, i: usize, v: f32, d: usize| at(P, format!("{ptr}/{i}"), v, d);
    let mut rows = vec![];
    let mut sums = [0.0f32; 3];
    for i in 0..3 {
        let e = targets[i] - outputs[i]; // e_o = target − out
        let measures = [e, e.abs(), e * e];
        for (s, m) in sums.iter_mut().zip(measures) {
            *s += m;
        }
        rows.push(vec![
            cell("network_output", i, outputs[i], 1),
            cell("target_output", i, targets[i], 1),
            cell("error_target_minus_actual", i, measures[0], 1),
            cell("abs_error", i, measures[1], 1),
            cell("squared_error", i, measures[2], 2),
        ]);
    }
    rows.push(vec![
        t(""),
        t("sum"),
        at(P, "sums/error", sums[0], 1),
        at(P, "sums/abs_error", sums[1], 1),
        at(P, "sums/squared_error", sums[2], 2),
    ]);
    let header = ["output", "target", "target − output", "|error|", "error²"]
        .map(String::from)
        .to_vec();
    Chapter {
        title: "How do we actually update weights?".into(),
        steps: vec![Step {
            title: "Three error measures".into(),
            book: ERROR_MEASURES,
            code: vec!["mnn_net::NeuralNetwork::train (e_o = target − out)"],
            blocks: vec![
                Block::Table { header, rows },
                Block::Line(vec![t(
                    "plain errors cancel out; the squared error cannot, and its slope is smooth, so \
                     gradient descent minimises it: its slope for each weight is the update of the next chapter",
                )]),
            ],
        }],
    }
}

/// p100: one gradient step on w_1_1 of the p79 network.
fn weight_update() -> Chapter {
    const Q: u16 = MORE_LAYERS.page;
    const P: u16 = WEIGHT_UPDATE.page;
    let w_ho = p79_weights();
    let hidden = [0.4f32, 0.5];
    let errors = [1.5f32, 0.5];
    let learning_rate = 0.1f32;
    let mut sums = [0.0f32; 2];
    w_ho.mul_vec(&hidden, &mut sums); // Σ_j w_jk·o_j
    let s = sigmoid(sums[0]);
    let middle = s * (1.0 - s);
    // ∂E/∂w_jk = −e_k · σ(Σ) · (1 − σ(Σ)) · o_j
    let slope = -errors[0] * middle * hidden[0];

    // The same step by the library: a network whose hidden outputs are 0.4
    // and 0.5 (one input of 1.0, W_ih = logit(o)), trained toward targets
    // that make its output errors 1.5 and 0.5.
    let w_ih = rows(&[[mnn_net::logit(hidden[0])], [mnn_net::logit(hidden[1])]]);
    let mut net = NeuralNetwork::from_weights(w_ih, w_ho.clone(), learning_rate)
        .expect("the book's 1-2-2 network");
    let outputs = net.query(&[1.0]);
    let targets = [outputs[0] + errors[0], outputs[1] + errors[1]];
    net.train(&[1.0], &targets);
    let updated = net.weights_hidden_output().get(0, 0);
    let change = updated - w_ho.get(0, 0);

    let w11 = || at(P, "w11_initial", w_ho.get(0, 0), 1);
    // sigmoid × (1 − sigmoid), as computed and as the book printed it
    let middle_part = |how: &str, value: f32| {
        let name = format!("middle_expression_s_times_1_minus_s/{how}");
        at(P, name, value, 3)
    };
    let slope_blocks = vec![
        Block::Line(vec![
            t("output node 1 of the network of \"Backpropagating errors\": its weights w₁,₁ = "),
            w11(),
            t(" and w₂,₁ = "),
            at(P, "second_weight_in_sum/recomputed", w_ho.get(0, 1), 1),
            t(", hidden outputs o₁ = "),
            at(P, "o_j1", hidden[0], 1),
            t(" and o₂ = "),
            at(P, "o_j2", hidden[1], 1),
            t(", error e₁ = "),
            at(P, "e1", errors[0], 1),
        ]),
        Block::Line(vec![
            t("the sum into the node, Σ wⱼ,₁·oⱼ = ("),
            w11(),
            t(" × "),
            at(P, "o_j1", hidden[0], 1),
            t(") + ("),
            at(P, "second_weight_in_sum/recomputed", w_ho.get(0, 1), 1),
            t(" × "),
            at(P, "o_j2", hidden[1], 1),
            t(") = "),
            at(P, "sum_w_jk_o_j/recomputed", sums[0], 1),
        ]),
        Block::Line(vec![
            t("sigmoid("),
            at(P, "sum_w_jk_o_j/recomputed", sums[0], 1),
            t(") = "),
            at(P, "sigmoid_of_sum/recomputed", s, 3),
            t(", and the middle part sigmoid × (1 − sigmoid) = "),
            middle_part("recomputed", middle),
        ]),
        Block::Line(vec![
            t("slope ∂E/∂w₁,₁ = −e₁ × sigmoid × (1 − sigmoid) × o₁ = −"),
            at(P, "e1", errors[0], 1),
            t(" × "),
            middle_part("recomputed", middle),
            t(" × "),
            at(P, "last_part_o_j", hidden[0], 1),
            t(" = "),
            at(P, "error_slope/recomputed", slope, 5),
        ]),
        Block::Line(vec![
            t("book erratum: the book prints the sum "),
            at(P, "sum_w_jk_o_j/book_printed", 2.8, 1),
            t(", sigmoid "),
            at(P, "sigmoid_of_sum/book_printed", 0.943, 3),
            t(", middle part "),
            middle_part("book_printed", 0.054),
            t(" and slope "),
            at(P, "error_slope/book_printed", -0.06048, 5),
            t(": it used w₂,₁ = "),
            at(P, "second_weight_in_sum/book_printed", 4.0, 1),
            t(" instead of "),
            at(P, "second_weight_in_sum/recomputed", w_ho.get(0, 1), 1),
            t(" (the author's errata), then multiplied by the sum instead of e₁"),
        ]),
    ];
    let update_blocks = vec![
        Block::Line(vec![
            t("new w₁,₁ = w₁,₁ − learning rate × slope = "),
            w11(),
            t(" − "),
            at(P, "learning_rate", learning_rate, 1),
            t(" × ("),
            at(P, "error_slope/recomputed", slope, 5),
            t(")"),
        ]),
        Block::Line(vec![
            t("NeuralNetwork::train on this network (output errors "),
            fig(Q, p79_error_pointer(0), errors[0], 1),
            t(" and "),
            fig(Q, p79_error_pointer(1), errors[1], 1),
            t(") moves w₁,₁ by "),
            at(P, "weight_change/recomputed", change, 3),
            t(", from "),
            w11(),
            t(" to "),
            at(P, "w11_updated/recomputed", updated, 3),
        ]),
        Block::Line(vec![
            t("book erratum: the book prints a change of "),
            at(P, "weight_change/book_printed", 0.006, 3),
            t(" and a new weight of "),
            at(P, "w11_updated/book_printed", 2.006, 3),
            t(", from its slope above"),
        ]),
        Block::Line(vec![t(
            "a small change: the learning rate keeps each step modest, and many examples do the rest",
        )]),
    ];
    Chapter {
        title: "Weight update worked example".into(),
        steps: vec![
            Step {
                title: "The error's slope for one weight".into(),
                book: WEIGHT_UPDATE,
                code: vec!["mnn_matrix::Matrix::mul_vec", "mnn_net::sigmoid"],
                blocks: slope_blocks,
            },
            Step {
                title: "One step down the slope".into(),
                book: WEIGHT_UPDATE,
                code: vec!["mnn_net::NeuralNetwork::train"],
                blocks: update_blocks,
            },
        ],
    }
}

/// The standard deviation of the weights a new network draws for
/// `incoming` links, over `nodes` hidden nodes.
fn drawn_weights_spread(incoming: usize, nodes: usize) -> f32 {
    let net = NeuralNetwork::new(incoming, nodes, 1, 0.1, 1).expect("a valid shape");
    let w = net.weights_input_hidden().as_slice();
    let n = w.len() as f64;
    let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let var = w
        .iter()
        .map(|&x| (f64::from(x) - mean).powi(2))
        .sum::<f64>()
        / n;
    var.sqrt() as f32
}

/// pp103 and 151: inputs, targets and initial weights that keep the sigmoid
/// out of its flat ends.
fn preparing_data() -> Chapter {
    const P: u16 = PREPARING_MNIST.page;
    const Q: u16 = PREPARING_DATA.page;
    let mut targets = [0.0f32; mnn_data::DIGITS];
    mnn_data::fill_targets(0, &mut targets);
    let mut target_cells = vec![t("targets for the label 0: ")];
    for (k, &v) in targets.iter().enumerate() {
        target_cells.push(t(if k == 0 { "" } else { " " }));
        target_cells.push(at(P, format!("backquery_target_example_label0/{k}"), v, 2));
    }
    let inputs = vec![
        Block::Line(vec![
            t("inputs: each pixel, "),
            at(P, "pixel_raw_range/0", 0.0, 0),
            t(" to "),
            at(P, "pixel_raw_range/1", 255.0, 0),
            t(", becomes "),
            Seg::Quote {
                page: P,
                pointer: "/values/input_scaling_formula",
                text: "(pixel / 255.0 * 0.99) + 0.01".into(),
            },
            t(": "),
            at(P, "input_scaled_range/0", mnn_data::scale_pixel(0), 2),
            t(" to "),
            at(P, "input_scaled_range/1", mnn_data::scale_pixel(255), 2),
            t(", never zero (a zero input would stop its weights learning)"),
        ]),
        Block::Line(vec![
            t("targets: "),
            at(P, "target_on_value", mnn_data::TARGET_ON, 2),
            t(" at the label and "),
            at(P, "target_off_value", mnn_data::TARGET_OFF, 2),
            t(" elsewhere, since a sigmoid never reaches 1 or 0"),
        ]),
        Block::Line(target_cells),
    ];
    let three = drawn_weights_spread(3, 100_000);
    let hundred = drawn_weights_spread(100, 3_000);
    let weights = vec![
        Block::Line(vec![t(
            "initial weights: random, spread about ±1/√(incoming links), so sums stay where the sigmoid is steep",
        )]),
        Block::Line(vec![
            t("the book's rule of thumb: 3 links → ±"),
            at(Q, "rule_of_thumb_links_3_range", 1.0 / 3f32.sqrt(), 3),
            t(", 100 links → ±"),
            at(Q, "rule_of_thumb_links_100_range", 1.0 / 10.0, 2),
        ]),
        Block::Line(vec![
            t(
                "NeuralNetwork::new draws Normal(0, 1/√links) with its seed; measured spread of what it drew: ",
            ),
            at(Q, "rule_of_thumb_links_3_range", three, 3),
            t(" for 3 links (300,000 weights), "),
            at(Q, "rule_of_thumb_links_100_range", hundred, 2),
            t(" for 100 links (300,000 weights)"),
        ]),
    ];
    Chapter {
        title: "Preparing data".into(),
        steps: vec![
            Step {
                title: "Inputs and targets the sigmoid can live with".into(),
                book: PREPARING_MNIST,
                code: vec!["mnn_data::scale_pixel", "mnn_data::fill_targets"],
                blocks: inputs,
            },
            Step {
                title: "Random initial weights".into(),
                book: PREPARING_DATA,
                code: vec!["mnn_net::NeuralNetwork::new"],
                blocks: weights,
            },
        ],
    }
}
