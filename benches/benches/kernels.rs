//! The kernels at the book's sizes: `dot` of 784 and 200 (scalar twin vs
//! the SIMD kernel in use), `W·x` and the rank-1 update for W_ih (200×784),
//! and the fused update-then-dot of one row.

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

criterion_group!(benches, dot, matrix);
criterion_main!(benches);
