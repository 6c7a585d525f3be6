//! The kernels at the book's sizes: `dot` of 784 and 200 (scalar twin vs
//! the SIMD kernel in use), `W·x` and the rank-1 update for W_ih (200×784),
//! and the fused update-then-dot of one row; and the matrix product of
//! mini-batch training at 784-800-10's size (one thread's 400 rows of
//! `W_1`, a batch of 64).

#![forbid(unsafe_code)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mnn_matrix::{Matrix, kernels};
use std::hint::black_box;

fn vector(n: usize, seed: f32) -> Vec<f32> {
    (0..n)
        .map(|i| ((i as f32 + seed) * 0.618).fract() - 0.5)
        .collect()
}

fn dot(c: &mut Criterion) {
    let level = kernels::simd_level();
    let mut group = c.benchmark_group("dot");
    for n in [784, 200] {
        let (a, b) = (vector(n, 1.0), vector(n, 2.0));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("{n}/scalar"), |bench| {
            bench.iter(|| kernels::scalar::dot(black_box(&a), black_box(&b)))
        });
        group.bench_function(format!("{n}/{level}"), |bench| {
            bench.iter(|| kernels::dot(black_box(&a), black_box(&b)))
        });
    }
    group.finish();
}

fn matrix(c: &mut Criterion) {
    let (rows, cols) = (200, 784);
    let mut w = Matrix::from_fn(rows, cols, |r, c| {
        ((r * cols + c) as f32 * 0.618).fract() - 0.5
    });
    let (x, u) = (vector(cols, 3.0), vector(rows, 4.0));
    let mut out = vec![0.0; rows];
    let mut group = c.benchmark_group(format!("matrix 200x784 ({})", kernels::simd_level()));
    group.throughput(Throughput::Elements((rows * cols) as u64));
    group.bench_function("mul_vec (W·x)", |bench| {
        bench.iter(|| w.mul_vec(black_box(&x), &mut out))
    });
    group.bench_function("add_outer (W += a·u·xᵀ)", |bench| {
        bench.iter(|| w.add_outer(black_box(1e-9), black_box(&u), black_box(&x)))
    });
    let next = vector(cols, 5.0);
    group.bench_function("axpy_then_dot per row (fused update + next W·x)", |bench| {
        bench.iter(|| {
            for (r, o) in out.iter_mut().enumerate() {
                *o = kernels::axpy_then_dot(1e-9 * u[r], &x, w.row_mut(r), &next);
            }
        })
    });
    group.finish();
}

fn gemm(c: &mut Criterion) {
    use kernels::{Output, View};
    let (rows, cols, batch) = (400, 784, 64);
    let mut w = vector(rows * cols, 6.0);
    let x = vector(batch * cols, 7.0);
    let delta = vector(rows * batch, 8.0);
    let mut z = vec![0.0; rows * batch];
    let mut group = c.benchmark_group(format!(
        "gemm {rows}x{cols}, batch {batch} ({})",
        kernels::simd_level()
    ));
    // flops: a multiply-add counted as two
    group.throughput(Throughput::Elements((2 * rows * cols * batch) as u64));
    group.bench_function("forward (Z = W·Xᵀ)", |bench| {
        bench.iter(|| {
            let (w, x) = (
                View::row_major(&w, rows, cols),
                View::row_major(&x, batch, cols),
            );
            kernels::gemm(1.0, w, x.t(), Output::Overwrite, &mut z, batch)
        })
    });
    group.bench_function("update (W += lr·Δ·X)", |bench| {
        bench.iter(|| {
            let (d, x) = (
                View::row_major(&delta, rows, batch),
                View::row_major(&x, batch, cols),
            );
            kernels::gemm(black_box(1e-9), d, x, Output::Add, &mut w, cols)
        })
    });
    group.finish();
}

criterion_group!(benches, dot, matrix, gemm);
criterion_main!(benches);
