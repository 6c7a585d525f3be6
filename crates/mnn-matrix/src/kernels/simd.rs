//! The SIMD kernels' bodies, written once for every instruction set.
//!
//! [`Simd`] is all an instruction set has to offer: a vector type of
//! [`Simd::LANES`] `f32`, and load, store, splat, fused multiply-add, add and
//! the sum of one vector's lanes. `avx2.rs` and `neon.rs` implement it with
//! their intrinsics and nothing else; the loops below drive it, and are
//! compiled once per instruction set into that module's kernels (inlined
//! into an AVX2 function with `#[target_feature]`, so the intrinsics inline
//! too).
//!
//! Every element is computed with a fused multiply-add, in the vector body
//! and in the scalar tail alike, so an element's result never depends on
//! where it sits in a slice. `dot` and `axpy_then_dot` share one summation
//! order: `U` accumulators over blocks of `U·LANES`, then blocks of `LANES`
//! into the first accumulator, then a scalar tail, then the accumulators
//! summed pairwise as a tree ([`sum_tree`]) and the lanes in the instruction
//! set's fixed order. That is what makes the fused kernel's dot product bit
//! for bit equal to [`dot`]'s.

use super::WINDOW;

/// One instruction set's vector operations on `f32`.
///
/// # Safety
/// A value of the implementing type is the proof that this CPU runs these
/// instructions: implementors create one only after checking (or where the
/// target guarantees it), and their safe methods rely on that.
pub(super) unsafe trait Simd: Copy {
    /// A vector of [`Self::LANES`] `f32`.
    type V: Copy;
    /// `f32` lanes in one vector.
    const LANES: usize;

    /// `x` in every lane.
    fn splat(self, x: f32) -> Self::V;
    /// `a·b + c` in every lane, rounded once.
    fn mul_add(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a + b` in every lane.
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    /// The sum of the lanes, in one fixed order.
    fn sum(self, v: Self::V) -> f32;
    /// The `LANES` values at `p`.
    ///
    /// # Safety
    /// `p` points to `LANES` readable `f32` (any alignment).
    unsafe fn load(self, p: *const f32) -> Self::V;
    /// Writes `v` over the `LANES` values at `p`.
    ///
    /// # Safety
    /// `p` points to `LANES` writable `f32` (any alignment).
    unsafe fn store(self, p: *mut f32, v: Self::V);
}

/// The first `LANES` values of `s` as a vector.
#[inline(always)]
fn load<S: Simd>(isa: S, s: &[f32]) -> S::V {
    let s = &s[..S::LANES];
    // SAFETY: `s` holds LANES readable f32.
    unsafe { isa.load(s.as_ptr()) }
}

/// Writes `v` over the first `LANES` values of `s`.
#[inline(always)]
fn store<S: Simd>(isa: S, s: &mut [f32], v: S::V) {
    let s = &mut s[..S::LANES];
    // SAFETY: `s` holds LANES writable f32.
    unsafe { isa.store(s.as_mut_ptr(), v) }
}

/// The `U` accumulators summed pairwise as a tree (`(a0 + a1) + (a2 + a3)`
/// for four), then the lanes: one fixed order.
#[inline(always)]
fn sum_tree<S: Simd, const U: usize>(isa: S, mut acc: [S::V; U]) -> f32 {
    const { assert!(U.is_power_of_two()) };
    let mut n = U;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            acc[i] = isa.add(acc[2 * i], acc[2 * i + 1]);
        }
    }
    isa.sum(acc[0])
}

/// `Σ a[i]·b[i]` with `U` accumulators. The caller has checked
/// `a.len() == b.len()`.
#[inline(always)]
pub(super) fn dot<S: Simd, const U: usize>(isa: S, a: &[f32], b: &[f32]) -> f32 {
    let block = S::LANES * U;
    let mut acc = [isa.splat(0.0); U];
    let (a_blocks, b_blocks) = (a.chunks_exact(block), b.chunks_exact(block));
    let (a_rest, b_rest) = (a_blocks.remainder(), b_blocks.remainder());
    for (a, b) in a_blocks.zip(b_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * S::LANES..;
            *acc = isa.mul_add(load(isa, &a[lanes.clone()]), load(isa, &b[lanes]), *acc);
        }
    }
    let (a_vectors, b_vectors) = (a_rest.chunks_exact(S::LANES), b_rest.chunks_exact(S::LANES));
    let (a_tail, b_tail) = (a_vectors.remainder(), b_vectors.remainder());
    for (a, b) in a_vectors.zip(b_vectors) {
        acc[0] = isa.mul_add(load(isa, a), load(isa, b), acc[0]);
    }
    let mut tail = 0.0f32;
    for (a, b) in a_tail.iter().zip(b_tail) {
        tail = a.mul_add(*b, tail);
    }
    sum_tree(isa, acc) + tail
}

/// `y += alpha·x`. The caller has checked `x.len() == y.len()`.
#[inline(always)]
pub(super) fn axpy<S: Simd>(isa: S, alpha: f32, x: &[f32], y: &mut [f32]) {
    let a = isa.splat(alpha);
    let mut x_vectors = x.chunks_exact(S::LANES);
    let mut y_vectors = y.chunks_exact_mut(S::LANES);
    for (x, y) in (&mut x_vectors).zip(&mut y_vectors) {
        store(isa, y, isa.mul_add(a, load(isa, x), load(isa, y)));
    }
    for (x, y) in x_vectors.remainder().iter().zip(y_vectors.into_remainder()) {
        *y = alpha.mul_add(*x, *y);
    }
}

/// `y += alpha·x`, then `Σ y[i]·z[i]` in [`dot`]'s order, in one pass. The
/// caller has checked that the three lengths agree.
#[inline(always)]
pub(super) fn axpy_then_dot<S: Simd, const U: usize>(
    isa: S,
    alpha: f32,
    x: &[f32],
    y: &mut [f32],
    z: &[f32],
) -> f32 {
    let block = S::LANES * U;
    let a = isa.splat(alpha);
    let mut acc = [isa.splat(0.0); U];
    let (mut x_blocks, mut y_blocks, mut z_blocks) = (
        x.chunks_exact(block),
        y.chunks_exact_mut(block),
        z.chunks_exact(block),
    );
    for ((x, y), z) in (&mut x_blocks).zip(&mut y_blocks).zip(&mut z_blocks) {
        for (u, acc) in acc.iter_mut().enumerate() {
            let lanes = u * S::LANES..;
            let updated = isa.mul_add(
                a,
                load(isa, &x[lanes.clone()]),
                load(isa, &y[lanes.clone()]),
            );
            store(isa, &mut y[lanes.clone()], updated);
            *acc = isa.mul_add(updated, load(isa, &z[lanes]), *acc);
        }
    }
    let (mut x_vectors, mut y_vectors, mut z_vectors) = (
        x_blocks.remainder().chunks_exact(S::LANES),
        y_blocks.into_remainder().chunks_exact_mut(S::LANES),
        z_blocks.remainder().chunks_exact(S::LANES),
    );
    for ((x, y), z) in (&mut x_vectors).zip(&mut y_vectors).zip(&mut z_vectors) {
        let updated = isa.mul_add(a, load(isa, x), load(isa, y));
        store(isa, y, updated);
        acc[0] = isa.mul_add(updated, load(isa, z), acc[0]);
    }
    let mut tail = 0.0f32;
    let tails = x_vectors.remainder().iter().zip(y_vectors.into_remainder());
    for ((x, y), z) in tails.zip(z_vectors.remainder()) {
        *y = alpha.mul_add(*x, *y);
        tail = y.mul_add(*z, tail);
    }
    sum_tree(isa, acc) + tail
}

/// The operands of [`super::add_outer4_then_mul_vec4`] as its public
/// function has checked them, handed to an instruction set's kernel in one:
/// the rows, each row's four coefficients, the updates' vectors `x`, the
/// products' vectors `z`, and each row's four products.
pub(super) struct WindowSweep<'a>(
    pub(super) &'a mut [f32],
    pub(super) &'a [[f32; WINDOW]],
    pub(super) [&'a [f32]; WINDOW],
    pub(super) [&'a [f32]; WINDOW],
    pub(super) &'a mut [[f32; WINDOW]],
);

/// [`super::add_outer4_then_mul_vec4`]. The caller has checked the shapes
/// and that the rows are not empty. Rows go through two at a time, sharing
/// the loads of `x` and `z`; a row's arithmetic is the same alone or paired.
#[inline(always)]
pub(super) fn add_outer4_then_mul_vec4<S: Simd>(isa: S, sweep: WindowSweep<'_>) {
    let WindowSweep(rows, alphas, x, z, out) = sweep;
    let cols = x[0].len();
    let mut pairs = rows.chunks_exact_mut(2 * cols);
    let (mut alpha_pairs, mut out_pairs) = (alphas.chunks_exact(2), out.chunks_exact_mut(2));
    for ((pair, alpha), out) in (&mut pairs).zip(&mut alpha_pairs).zip(&mut out_pairs) {
        let (first, second) = pair.split_at_mut(cols);
        let [o0, o1] = sweep_rows(isa, [first, second], [alpha[0], alpha[1]], x, z);
        out[0] = o0;
        out[1] = o1;
    }
    let last = pairs.into_remainder();
    if let ([alpha], [out]) = (alpha_pairs.remainder(), out_pairs.into_remainder()) {
        [*out] = sweep_rows(isa, [last], [*alpha], x, z);
    }
}

/// The window sweep for `R` rows at once.
#[inline(always)]
fn sweep_rows<S: Simd, const R: usize>(
    isa: S,
    mut rows: [&mut [f32]; R],
    alphas: [[f32; WINDOW]; R],
    x: [&[f32]; WINDOW],
    z: [&[f32]; WINDOW],
) -> [[f32; WINDOW]; R] {
    let cols = x[0].len();
    assert!(
        rows.iter().all(|r| r.len() == cols) && x.iter().chain(&z).all(|v| v.len() == cols),
        "sweep_rows: every row and vector must have {cols} values"
    );
    let body = cols - cols % S::LANES;
    let splats: [[S::V; WINDOW]; R] = alphas.map(|a| a.map(|a| isa.splat(a)));
    let mut acc = [[isa.splat(0.0); WINDOW]; R];
    {
        let w_at = rows.each_mut().map(|r| r.as_mut_ptr());
        let (x_at, z_at) = (x.map(<[f32]>::as_ptr), z.map(<[f32]>::as_ptr));
        for i in (0..body).step_by(S::LANES) {
            // SAFETY: i + LANES <= body <= cols, and every row and vector
            // holds cols values (asserted above); the rows are distinct
            // &mut slices.
            unsafe {
                let mut w: [S::V; R] = std::array::from_fn(|r| isa.load(w_at[r].add(i)));
                for j in 0..WINDOW {
                    let xj = isa.load(x_at[j].add(i));
                    for r in 0..R {
                        w[r] = isa.mul_add(splats[r][j], xj, w[r]);
                    }
                }
                for r in 0..R {
                    isa.store(w_at[r].add(i), w[r]);
                }
                accumulate_products(isa, &mut acc, &w, &z_at, i);
            }
        }
    }
    let mut tails = [[0.0f32; WINDOW]; R];
    for i in body..cols {
        for r in 0..R {
            let mut w = rows[r][i];
            for j in 0..WINDOW {
                w = alphas[r][j].mul_add(x[j][i], w);
            }
            rows[r][i] = w;
            for j in 0..WINDOW {
                tails[r][j] = w.mul_add(z[j][i], tails[r][j]);
            }
        }
    }
    finish_products(isa, &acc, &tails)
}

/// [`super::mul_vec4`]. The caller has checked the shapes and that the rows
/// are not empty. Rows go through `G` at a time (as many as the vector
/// registers hold: `G` rows × 4 vectors of accumulators, plus the rows'
/// values), sharing the loads of `x`; a row's arithmetic is the same
/// whatever its group.
#[inline(always)]
pub(super) fn mul_vec4<S: Simd, const G: usize>(
    isa: S,
    rows: &[f32],
    x: [&[f32]; WINDOW],
    out: &mut [[f32; WINDOW]],
) {
    let cols = x[0].len();
    let mut groups = rows.chunks_exact(G * cols);
    let mut out_groups = out.chunks_exact_mut(G);
    for (group, out) in (&mut groups).zip(&mut out_groups) {
        let rows: [&[f32]; G] = std::array::from_fn(|r| &group[r * cols..(r + 1) * cols]);
        out.copy_from_slice(&products(isa, rows, x));
    }
    let rest = groups.remainder().chunks_exact(cols);
    for (row, out) in rest.zip(out_groups.into_remainder()) {
        [*out] = products(isa, [row], x);
    }
}

/// `row_r · x[j]` for `R` rows and four vectors: one accumulator per product,
/// then the scalar tail.
#[inline(always)]
fn products<S: Simd, const R: usize>(
    isa: S,
    rows: [&[f32]; R],
    x: [&[f32]; WINDOW],
) -> [[f32; WINDOW]; R] {
    let cols = x[0].len();
    assert!(
        rows.iter().chain(&x).all(|v| v.len() == cols),
        "products: every row and vector must have {cols} values"
    );
    let body = cols - cols % S::LANES;
    let mut acc = [[isa.splat(0.0); WINDOW]; R];
    let (w_at, x_at) = (rows.map(<[f32]>::as_ptr), x.map(<[f32]>::as_ptr));
    for i in (0..body).step_by(S::LANES) {
        // SAFETY: i + LANES <= body <= cols, and every row and vector
        // holds cols values (asserted above).
        unsafe {
            let w: [S::V; R] = std::array::from_fn(|r| isa.load(w_at[r].add(i)));
            accumulate_products(isa, &mut acc, &w, &x_at, i);
        }
    }
    let mut tails = [[0.0f32; WINDOW]; R];
    for i in body..cols {
        for r in 0..R {
            for j in 0..WINDOW {
                tails[r][j] = rows[r][i].mul_add(x[j][i], tails[r][j]);
            }
        }
    }
    finish_products(isa, &acc, &tails)
}

/// One step of the products `row_r · z[j]` that the window sweep and
/// [`mul_vec4`] both compute: lanes `i..i + LANES` of every row (in `w`)
/// times the same lanes of every vector, into `acc`. One code path, so the
/// two kernels' products agree bit for bit.
///
/// # Safety
/// Every `z_at[j]` points to at least `i + LANES` readable values.
#[inline(always)]
unsafe fn accumulate_products<S: Simd, const R: usize>(
    isa: S,
    acc: &mut [[S::V; WINDOW]; R],
    w: &[S::V; R],
    z_at: &[*const f32; WINDOW],
    i: usize,
) {
    for j in 0..WINDOW {
        // SAFETY: the caller's promise.
        let zj = unsafe { isa.load(z_at[j].add(i)) };
        for r in 0..R {
            acc[r][j] = isa.mul_add(w[r], zj, acc[r][j]);
        }
    }
}

/// The products' totals: each accumulator's lanes summed, plus its tail.
#[inline(always)]
fn finish_products<S: Simd, const R: usize>(
    isa: S,
    acc: &[[S::V; WINDOW]; R],
    tails: &[[f32; WINDOW]; R],
) -> [[f32; WINDOW]; R] {
    std::array::from_fn(|r| std::array::from_fn(|j| isa.sum(acc[r][j]) + tails[r][j]))
}
