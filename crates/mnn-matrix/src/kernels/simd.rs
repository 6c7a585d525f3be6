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

/// Chains of the peak measurement: as many independent accumulators as
/// keep two FMA units with a latency of 4–5 cycles busy, and few enough
/// to stay in 16 vector registers with the two constants.
pub(super) const CHAINS: usize = 12;

/// [`super::fma_burst`]: `rounds` rounds of [`CHAINS`] independent fused
/// multiply-adds, `acc = acc·a + b`, on registers only (no memory), and the
/// flops done (two per lane and multiply-add) with a checksum of every chain.
#[inline(always)]
pub(super) fn fma_burst<S: Simd>(isa: S, rounds: u64) -> (f64, f32) {
    let a = isa.splat(std::hint::black_box(0.999_999));
    let b = isa.splat(std::hint::black_box(1e-7));
    // Different starting values, so that the compiler cannot merge the chains.
    let mut acc: [S::V; CHAINS] =
        std::array::from_fn(|i| isa.splat(std::hint::black_box(1.0 + i as f32)));
    for _ in 0..rounds {
        for x in &mut acc {
            *x = isa.mul_add(*x, a, b);
        }
    }
    let flops = rounds as f64 * (CHAINS * S::LANES * 2) as f64;
    // Every chain goes into the checksum, so that none can be left out.
    let total = acc
        .into_iter()
        .fold(isa.splat(0.0), |sum, x| isa.add(sum, x));
    (flops, isa.sum(total))
}

/// [`super::gemm()`], blocked and packed as BLIS and matrixmultiply do it:
/// `k` in blocks of [`KC`](super::gemm::KC), `n` in blocks of
/// [`NC`](super::gemm::NC) whose `KC × NC` panel of `B` is packed into
/// strips `NR = NV·LANES` columns wide, `m` in blocks of
/// [`MC`](super::gemm::MC); then an `MR × NR` tile of `C` at a time in
/// registers ([`tile_at`]). `A` is packed into strips `MR` rows tall only
/// if its rows are not contiguous: a row-major `A` (a weight matrix) is
/// read where it is, `MR` rows side by side, which spares copying the
/// biggest operand for every product. The caller has checked the shapes;
/// `packed_a` and `packed_b` are working memory, grown as needed.
#[inline(always)]
pub(super) fn gemm<S: Simd, const MR: usize, const NV: usize>(
    isa: S,
    job: super::gemm::Job<'_>,
    packed_a: &mut Vec<f32>,
    packed_b: &mut Vec<f32>,
) {
    use super::gemm::{KC, MC, NC};
    let nr = NV * S::LANES;
    let (m, k, n) = (job.a.rows(), job.a.cols(), job.b.cols());
    let direct_a = job.a.col_stride() == 1;
    let a_len = MC.min(m).next_multiple_of(MR) * KC.min(k);
    let b_len = KC.min(k) * NC.min(n).next_multiple_of(nr);
    if packed_a.len() < a_len {
        packed_a.resize(a_len, 0.0);
    }
    if packed_b.len() < b_len {
        packed_b.resize(b_len, 0.0);
    }
    let c = job.c;
    for j0 in (0..n).step_by(NC) {
        let nc = NC.min(n - j0);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            // Only the first block of k overwrites C, if asked to.
            let overwrite = job.overwrite && p0 == 0;
            job.b.pack_cols(p0..p0 + kc, j0..j0 + nc, nr, packed_b);
            for i0 in (0..m).step_by(MC) {
                let mc = MC.min(m - i0);
                if !direct_a {
                    job.a.pack_rows(i0..i0 + mc, p0..p0 + kc, MR, packed_a);
                }
                for (s, ir) in (0..mc).step_by(MR).enumerate() {
                    let rows = MR.min(mc - ir);
                    // A's strip: (i, p) at a[i·row_step + p·col_step].
                    let (a, row_step, col_step) = if !direct_a {
                        (&packed_a[s * MR * kc..(s + 1) * MR * kc], 1, MR)
                    } else if rows == MR {
                        let (data, stride) = job.a.rows_from(i0 + ir, p0);
                        (data, stride, 1)
                    } else {
                        // The last rows: packed, so no row beyond A is read.
                        let strip = &mut packed_a[..MR * kc];
                        job.a.pack_rows(i0 + ir..i0 + mc, p0..p0 + kc, MR, strip);
                        (&*strip, 1, MR)
                    };
                    for (jr, b) in (0..nc).step_by(nr).zip(packed_b.chunks_exact(kc * nr)) {
                        let cols = nr.min(nc - jr);
                        let at = (i0 + ir) * job.c_stride + j0 + jr;
                        let operands = Tile {
                            a,
                            row_step,
                            col_step,
                            b,
                            kc,
                            alpha: job.alpha,
                            overwrite,
                        };
                        tile::<S, MR, NV>(isa, operands, &mut c[at..], job.c_stride, (rows, cols));
                    }
                }
            }
        }
    }
}

/// One tile's operands: `MR` rows of `A` (`(i, p)` at
/// `a[i·row_step + p·col_step]`) and `NR` packed columns of `B`
/// (`b[p·NR + j]`) over the same `kc`, and what to do with `C`.
struct Tile<'a> {
    a: &'a [f32],
    row_step: usize,
    col_step: usize,
    b: &'a [f32],
    kc: usize,
    alpha: f32,
    overwrite: bool,
}

/// `C_tile = alpha·A_strip·B_strip + (0 if overwrite else C_tile)` for the
/// `rows × cols` corner of an `MR × NR` tile whose row `i` starts at
/// `c[i·c_stride]`. Each element's sum runs over `p` in order, one fused
/// multiply-add per step from zero, then `alpha·sum + c` rounded once: the
/// same arithmetic wherever the element sits, in a whole tile or in a
/// corner (computed in a full tile on the stack and copied).
#[inline(always)]
fn tile<S: Simd, const MR: usize, const NV: usize>(
    isa: S,
    tile: Tile<'_>,
    c: &mut [f32],
    c_stride: usize,
    (rows, cols): (usize, usize),
) {
    let nr = NV * S::LANES;
    assert!(
        tile.kc == 0
            || tile.a.len() > (MR - 1) * tile.row_step + (tile.kc - 1) * tile.col_step
                && tile.b.len() >= tile.kc * nr,
        "tile: strips too short"
    );
    if rows == MR && cols == nr {
        assert!(c.len() >= (MR - 1) * c_stride + nr, "tile: C too short");
        // SAFETY: row i of the tile is c[i·c_stride..][..nr], and the
        // strips hold what the tile reads (both asserted above).
        unsafe { tile_at::<S, MR, NV>(isa, &tile, c.as_mut_ptr(), c_stride) };
        return;
    }
    // A corner: the same arithmetic on a full tile on the stack.
    let mut full = [0.0f32; 64 * 4];
    assert!(MR * nr <= full.len(), "tile: MR×NR too big for the corner");
    if !tile.overwrite {
        for i in 0..rows {
            full[i * nr..i * nr + cols].copy_from_slice(&c[i * c_stride..i * c_stride + cols]);
        }
    }
    // SAFETY: `full` holds MR rows of nr values (asserted above), and the
    // strips what the tile reads.
    unsafe { tile_at::<S, MR, NV>(isa, &tile, full.as_mut_ptr(), nr) };
    for i in 0..rows {
        c[i * c_stride..i * c_stride + cols].copy_from_slice(&full[i * nr..i * nr + cols]);
    }
}

/// The microkernel: `MR × NV` vectors of sums in registers, `MR`
/// broadcasts of `A` and `NV` loads of `B` per step of `p`.
///
/// # Safety
/// `c` points to `MR` rows of `NV·LANES` writable values, `c_stride` apart;
/// the strips hold every value the tile reads.
#[inline(always)]
unsafe fn tile_at<S: Simd, const MR: usize, const NV: usize>(
    isa: S,
    tile: &Tile<'_>,
    c: *mut f32,
    c_stride: usize,
) {
    let nr = NV * S::LANES;
    let (a, b) = (tile.a.as_ptr(), tile.b.as_ptr());
    let (row_step, col_step) = (tile.row_step, tile.col_step);
    let mut acc = [[isa.splat(0.0); NV]; MR];
    for p in 0..tile.kc {
        // SAFETY: p < kc, and the strips hold what the tile reads.
        unsafe {
            let b_row: [S::V; NV] = std::array::from_fn(|v| isa.load(b.add(p * nr + v * S::LANES)));
            let a_p = a.add(p * col_step);
            for (i, acc) in acc.iter_mut().enumerate() {
                let a_ip = isa.splat(*a_p.add(i * row_step));
                for (acc, b) in acc.iter_mut().zip(&b_row) {
                    *acc = isa.mul_add(a_ip, *b, *acc);
                }
            }
        }
    }
    let alpha = isa.splat(tile.alpha);
    for (i, acc) in acc.iter().enumerate() {
        for (v, acc) in acc.iter().enumerate() {
            // SAFETY: the caller's promise.
            unsafe {
                let at = c.add(i * c_stride + v * S::LANES);
                let old = if tile.overwrite {
                    isa.splat(0.0)
                } else {
                    isa.load(at)
                };
                isa.store(at, isa.mul_add(alpha, *acc, old));
            }
        }
    }
}
