using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ec2Ops.Core.Factorization;

/// <summary>The value one row contributes to a sum; <paramref name="scratch"/> is the chunk's own buffer.</summary>
internal delegate double RowValue(int row, Span<double> scratch);

/// <summary>
/// The dense products NMF spends its time in. Every product is written as row-by-row dot products
/// (<see cref="DotRows"/>) or row combinations (<see cref="Multiply"/>) on row-major data, split
/// across cores by rows. Reductions are summed per chunk in chunk order, so results do not depend
/// on thread timing.
/// </summary>
internal static class NmfKernels
{
    /// <summary>Below this many multiply-adds a product runs on the calling thread.</summary>
    private const long ParallelThreshold = 1 << 16;

    /// <summary>C = A · Bᵀ, i.e. C[i, r] = dot(A row i, B row r). A is p x q, B is s x q, C is p x s.</summary>
    /// <param name="allowAvx512">False forces the portable kernel (for tests of the path other CPUs take).</param>
    public static RowMajorMatrix DotRows(RowMajorMatrix a, RowMajorMatrix b, CancellationToken cancellationToken = default, bool allowAvx512 = true)
    {
        if (a.Cols != b.Cols)
        {
            throw new ArgumentException($"Inner sizes differ: {a.Cols} and {b.Cols}.");
        }

        var c = new RowMajorMatrix(a.Rows, b.Rows);
        int blocks = (a.Rows + 3) / 4;
        ForChunks(blocks, (long)a.Cols * b.Rows * 4, cancellationToken, (first, last) =>
        {
            for (int block = first; block < last; block++)
            {
                DotRowBlock(a, b, c, block * 4, allowAvx512 && Avx512F.IsSupported);
            }
        });
        return c;
    }

    /// <summary>
    /// <see cref="DotRows"/> fused with a follow-up on the rows just computed: each parallel chunk
    /// fills its rows of C = A · Bᵀ, then calls <paramref name="afterRows"/>(C, firstRow, lastRow)
    /// while they are still in cache. Returns the sum of what the calls return, in chunk order.
    /// </summary>
    public static double DotRowsThen(RowMajorMatrix a, RowMajorMatrix b, CancellationToken cancellationToken, Func<RowMajorMatrix, int, int, double> afterRows)
    {
        if (a.Cols != b.Cols)
        {
            throw new ArgumentException($"Inner sizes differ: {a.Cols} and {b.Cols}.");
        }

        var c = new RowMajorMatrix(a.Rows, b.Rows);
        int blocks = (a.Rows + 3) / 4;
        return SumChunks(blocks, (long)a.Cols * b.Rows * 4, cancellationToken, (first, last) =>
        {
            for (int block = first; block < last; block++)
            {
                DotRowBlock(a, b, c, block * 4, Avx512F.IsSupported);
            }

            return afterRows(c, first * 4, Math.Min(a.Rows, last * 4));
        });
    }

    /// <summary>C = A · B with A p x k and B k x q: each row of C is a combination of B's rows.</summary>
    public static RowMajorMatrix Multiply(RowMajorMatrix a, RowMajorMatrix b, CancellationToken cancellationToken = default)
    {
        if (a.Cols != b.Rows)
        {
            throw new ArgumentException($"Inner sizes differ: {a.Cols} and {b.Rows}.");
        }

        var c = new RowMajorMatrix(a.Rows, b.Cols);
        ForChunks(a.Rows, (long)a.Cols * b.Cols, cancellationToken, (first, last) =>
        {
            for (int i = first; i < last; i++)
            {
                CombineRows(a.Row(i), b, c.Row(i));
            }
        });
        return c;
    }

    /// <summary>||V - W·H||²_F without forming W·H as a whole (one row at a time).</summary>
    public static double FrobeniusErrorSquared(RowMajorMatrix v, RowMajorMatrix w, RowMajorMatrix h, CancellationToken cancellationToken = default)
    {
        return SumRows(v.Rows, (long)w.Cols * h.Cols, cancellationToken, h.Cols, (i, buffer) =>
        {
            CombineRows(w.Row(i), h, buffer);
            TensorPrimitives.Subtract(v.Row(i), buffer, buffer);
            return TensorPrimitives.SumOfSquares<double>(buffer);
        });
    }

    /// <summary>
    /// Sums rowValue(i, scratch) over rows 0..rows-1 in parallel; each chunk gets its own scratch
    /// buffer of <paramref name="scratchLength"/> doubles. Partial sums are added in chunk order.
    /// </summary>
    public static double SumRows(int rows, long workPerRow, CancellationToken cancellationToken, int scratchLength, RowValue rowValue) =>
        SumChunks(rows, workPerRow, cancellationToken, (first, last) =>
        {
            var scratch = new double[scratchLength];
            double sum = 0;
            for (int i = first; i < last; i++)
            {
                sum += rowValue(i, scratch);
            }

            return sum;
        });

    /// <summary>Sums body(first, last) over contiguous chunks of [0, count), in parallel, adding the parts in chunk order.</summary>
    public static double SumChunks(int count, long workPerItem, CancellationToken cancellationToken, Func<int, int, double> body)
    {
        int chunks = ChunkCount(count, workPerItem);
        var partial = new double[chunks];
        RunChunks(count, chunks, cancellationToken, (chunk, first, last) => partial[chunk] = body(first, last));
        double total = 0;
        foreach (double p in partial)
        {
            total += p;
        }

        return total;
    }

    /// <summary>Runs body(first, last) over [0, count) in contiguous chunks, in parallel when the work is large enough.</summary>
    public static void ForChunks(int count, long workPerItem, CancellationToken cancellationToken, Action<int, int> body)
    {
        int chunks = ChunkCount(count, workPerItem);
        RunChunks(count, chunks, cancellationToken, (_, first, last) => body(first, last));
    }

    private static int ChunkCount(int count, long workPerItem)
    {
        if (count <= 1 || (long)count * workPerItem < ParallelThreshold)
        {
            return 1;
        }

        // A few chunks per core so a core slowed by other load does not hold everyone up.
        return Math.Min(count, Environment.ProcessorCount * 4);
    }

    private static void RunChunks(int count, int chunks, CancellationToken cancellationToken, Action<int, int, int> body)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (chunks <= 1)
        {
            body(0, 0, count);
            return;
        }

        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, chunks, options, chunk =>
        {
            int first = (int)((long)count * chunk / chunks);
            int last = (int)((long)count * (chunk + 1) / chunks);
            body(chunk, first, last);
        });
    }

    /// <summary>target = Σ_r weights[r] · B row r.</summary>
    // Hot loops: compiled fully optimized on first use, since one cmdlet call is all a user may run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CombineRows(ReadOnlySpan<double> weights, RowMajorMatrix b, Span<double> target)
    {
        target.Clear();
        if (b.Cols < 32)
        {
            // Short rows (k x k products): a plain loop beats a vector call per row of B.
            for (int r = 0; r < weights.Length; r++)
            {
                double weight = weights[r];
                ReadOnlySpan<double> source = b.Row(r);
                for (int j = 0; j < source.Length; j++)
                {
                    target[j] += weight * source[j];
                }
            }

            return;
        }

        for (int r = 0; r < weights.Length; r++)
        {
            double weight = weights[r];
            if (weight != 0)
            {
                TensorPrimitives.MultiplyAdd(b.Row(r), weight, target, target);
            }
        }
    }

    /// <summary>Fills C rows i0..i0+3 (fewer at the bottom edge): dot products with every row of B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotRowBlock(RowMajorMatrix a, RowMajorMatrix b, RowMajorMatrix c, int i0, bool avx512)
    {
        int q = a.Cols;
        int rowsHere = Math.Min(4, a.Rows - i0);
        if (q < 8)
        {
            // Too short to vectorize: sum in index order, as reference BLAS does.
            for (int i = i0; i < i0 + rowsHere; i++)
            {
                ReadOnlySpan<double> x = a.Row(i);
                for (int r = 0; r < b.Rows; r++)
                {
                    ReadOnlySpan<double> y = b.Row(r);
                    double sum = 0;
                    for (int j = 0; j < q; j++)
                    {
                        sum += x[j] * y[j];
                    }

                    c[i, r] = sum;
                }
            }

            return;
        }

        if (!avx512)
        {
            PortableDotRowBlock(a, b, c, i0, rowsHere);
            return;
        }

        Span<double> tile = stackalloc double[16];
        fixed (double* aData = a.Data, bData = b.Data)
        {
            // A bottom-edge block repeats its last row: the extra results are computed and dropped.
            double* a0 = aData + ((long)i0 * q);
            double* a1 = aData + ((long)(i0 + Math.Min(1, rowsHere - 1)) * q);
            double* a2 = aData + ((long)(i0 + Math.Min(2, rowsHere - 1)) * q);
            double* a3 = aData + ((long)(i0 + Math.Min(3, rowsHere - 1)) * q);
            int r0 = 0;
            for (; r0 + 4 <= b.Rows; r0 += 4)
            {
                double* b0 = bData + ((long)r0 * q);
                Dot4x4(a0, a1, a2, a3, b0, b0 + q, b0 + (2L * q), b0 + (3L * q), q, tile);
                StoreTile(c, tile, i0, rowsHere, r0, 4, 4);
            }

            // The last 1-3 rows of B, two at a time (an odd one is paired with itself):
            // cheaper than padding them to a full 4x4 tile.
            for (; r0 < b.Rows; r0 += 2)
            {
                int colsHere = Math.Min(2, b.Rows - r0);
                double* b0 = bData + ((long)r0 * q);
                Dot4x2(a0, a1, a2, a3, b0, b0 + ((colsHere - 1L) * q), q, tile);
                StoreTile(c, tile, i0, rowsHere, r0, colsHere, 2);
            }
        }
    }

    /// <summary>
    /// The same 4x4 tiling with <see cref="Vector{T}"/> (AVX2, or Arm64 NEON on Graviton) for CPUs
    /// without AVX-512; edge tiles repeat their last row or column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PortableDotRowBlock(RowMajorMatrix a, RowMajorMatrix b, RowMajorMatrix c, int i0, int rowsHere)
    {
        int q = a.Cols;
        int width = Vector<double>.Count;
        Span<double> tile = stackalloc double[16];
        fixed (double* aData = a.Data, bData = b.Data)
        {
            double* a0 = aData + ((long)i0 * q);
            double* a1 = aData + ((long)(i0 + Math.Min(1, rowsHere - 1)) * q);
            double* a2 = aData + ((long)(i0 + Math.Min(2, rowsHere - 1)) * q);
            double* a3 = aData + ((long)(i0 + Math.Min(3, rowsHere - 1)) * q);
            for (int r0 = 0; r0 < b.Rows; r0 += 4)
            {
                int colsHere = Math.Min(4, b.Rows - r0);
                double* b0 = bData + ((long)r0 * q);
                double* b1 = bData + ((long)(r0 + Math.Min(1, colsHere - 1)) * q);
                double* b2 = bData + ((long)(r0 + Math.Min(2, colsHere - 1)) * q);
                double* b3 = bData + ((long)(r0 + Math.Min(3, colsHere - 1)) * q);
                var c00 = Vector<double>.Zero; var c01 = c00; var c02 = c00; var c03 = c00;
                var c10 = c00; var c11 = c00; var c12 = c00; var c13 = c00;
                var c20 = c00; var c21 = c00; var c22 = c00; var c23 = c00;
                var c30 = c00; var c31 = c00; var c32 = c00; var c33 = c00;
                int j = 0;
                for (; j <= q - width; j += width)
                {
                    var y0 = Unsafe.ReadUnaligned<Vector<double>>(b0 + j);
                    var y1 = Unsafe.ReadUnaligned<Vector<double>>(b1 + j);
                    var y2 = Unsafe.ReadUnaligned<Vector<double>>(b2 + j);
                    var y3 = Unsafe.ReadUnaligned<Vector<double>>(b3 + j);
                    var x = Unsafe.ReadUnaligned<Vector<double>>(a0 + j);
                    c00 += x * y0; c01 += x * y1; c02 += x * y2; c03 += x * y3;
                    x = Unsafe.ReadUnaligned<Vector<double>>(a1 + j);
                    c10 += x * y0; c11 += x * y1; c12 += x * y2; c13 += x * y3;
                    x = Unsafe.ReadUnaligned<Vector<double>>(a2 + j);
                    c20 += x * y0; c21 += x * y1; c22 += x * y2; c23 += x * y3;
                    x = Unsafe.ReadUnaligned<Vector<double>>(a3 + j);
                    c30 += x * y0; c31 += x * y1; c32 += x * y2; c33 += x * y3;
                }

                tile[0] = Vector.Sum(c00); tile[1] = Vector.Sum(c01); tile[2] = Vector.Sum(c02); tile[3] = Vector.Sum(c03);
                tile[4] = Vector.Sum(c10); tile[5] = Vector.Sum(c11); tile[6] = Vector.Sum(c12); tile[7] = Vector.Sum(c13);
                tile[8] = Vector.Sum(c20); tile[9] = Vector.Sum(c21); tile[10] = Vector.Sum(c22); tile[11] = Vector.Sum(c23);
                tile[12] = Vector.Sum(c30); tile[13] = Vector.Sum(c31); tile[14] = Vector.Sum(c32); tile[15] = Vector.Sum(c33);
                AddTail(a0, a1, a2, a3, b0, b1, b2, b3, j, q, tile);
                StoreTile(c, tile, i0, rowsHere, r0, colsHere, 4);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StoreTile(RowMajorMatrix c, Span<double> tile, int i0, int rowsHere, int r0, int colsHere, int tileWidth)
    {
        for (int x = 0; x < rowsHere; x++)
        {
            for (int y = 0; y < colsHere; y++)
            {
                c[i0 + x, r0 + y] = tile[(x * tileWidth) + y];
            }
        }
    }

    /// <summary>The 8 dot products of 4 A rows with 2 B rows (the edge of <see cref="Dot4x4"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot4x2(double* a0, double* a1, double* a2, double* a3, double* b0, double* b1, int q, Span<double> tile)
    {
        var c00 = Vector512<double>.Zero; var c01 = c00; var c10 = c00; var c11 = c00;
        var c20 = c00; var c21 = c00; var c30 = c00; var c31 = c00;
        int j = 0;
        for (; j <= q - 8; j += 8)
        {
            var y0 = Avx512F.LoadVector512(b0 + j);
            var y1 = Avx512F.LoadVector512(b1 + j);
            var x = Avx512F.LoadVector512(a0 + j);
            c00 = Avx512F.FusedMultiplyAdd(x, y0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, y1, c01);
            x = Avx512F.LoadVector512(a1 + j);
            c10 = Avx512F.FusedMultiplyAdd(x, y0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, y1, c11);
            x = Avx512F.LoadVector512(a2 + j);
            c20 = Avx512F.FusedMultiplyAdd(x, y0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, y1, c21);
            x = Avx512F.LoadVector512(a3 + j);
            c30 = Avx512F.FusedMultiplyAdd(x, y0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, y1, c31);
        }

        tile[0] = Vector512.Sum(c00); tile[1] = Vector512.Sum(c01);
        tile[2] = Vector512.Sum(c10); tile[3] = Vector512.Sum(c11);
        tile[4] = Vector512.Sum(c20); tile[5] = Vector512.Sum(c21);
        tile[6] = Vector512.Sum(c30); tile[7] = Vector512.Sum(c31);
        for (; j < q; j++)
        {
            double y0 = b0[j], y1 = b1[j];
            tile[0] += a0[j] * y0; tile[1] += a0[j] * y1;
            tile[2] += a1[j] * y0; tile[3] += a1[j] * y1;
            tile[4] += a2[j] * y0; tile[5] += a2[j] * y1;
            tile[6] += a3[j] * y0; tile[7] += a3[j] * y1;
        }
    }

    /// <summary>
    /// The 16 dot products of 4 A rows with 4 B rows, 8 doubles at a time: 8 loads feed 16
    /// fused multiply-adds held in registers, the ratio that keeps the FMA units busy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot4x4(
        double* a0, double* a1, double* a2, double* a3,
        double* b0, double* b1, double* b2, double* b3,
        int q, Span<double> tile)
    {
        var c00 = Vector512<double>.Zero; var c01 = c00; var c02 = c00; var c03 = c00;
        var c10 = c00; var c11 = c00; var c12 = c00; var c13 = c00;
        var c20 = c00; var c21 = c00; var c22 = c00; var c23 = c00;
        var c30 = c00; var c31 = c00; var c32 = c00; var c33 = c00;
        int j = 0;
        for (; j <= q - 8; j += 8)
        {
            var y0 = Avx512F.LoadVector512(b0 + j);
            var y1 = Avx512F.LoadVector512(b1 + j);
            var y2 = Avx512F.LoadVector512(b2 + j);
            var y3 = Avx512F.LoadVector512(b3 + j);
            var x = Avx512F.LoadVector512(a0 + j);
            c00 = Avx512F.FusedMultiplyAdd(x, y0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, y1, c01);
            c02 = Avx512F.FusedMultiplyAdd(x, y2, c02);
            c03 = Avx512F.FusedMultiplyAdd(x, y3, c03);
            x = Avx512F.LoadVector512(a1 + j);
            c10 = Avx512F.FusedMultiplyAdd(x, y0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, y1, c11);
            c12 = Avx512F.FusedMultiplyAdd(x, y2, c12);
            c13 = Avx512F.FusedMultiplyAdd(x, y3, c13);
            x = Avx512F.LoadVector512(a2 + j);
            c20 = Avx512F.FusedMultiplyAdd(x, y0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, y1, c21);
            c22 = Avx512F.FusedMultiplyAdd(x, y2, c22);
            c23 = Avx512F.FusedMultiplyAdd(x, y3, c23);
            x = Avx512F.LoadVector512(a3 + j);
            c30 = Avx512F.FusedMultiplyAdd(x, y0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, y1, c31);
            c32 = Avx512F.FusedMultiplyAdd(x, y2, c32);
            c33 = Avx512F.FusedMultiplyAdd(x, y3, c33);
        }

        tile[0] = Vector512.Sum(c00); tile[1] = Vector512.Sum(c01); tile[2] = Vector512.Sum(c02); tile[3] = Vector512.Sum(c03);
        tile[4] = Vector512.Sum(c10); tile[5] = Vector512.Sum(c11); tile[6] = Vector512.Sum(c12); tile[7] = Vector512.Sum(c13);
        tile[8] = Vector512.Sum(c20); tile[9] = Vector512.Sum(c21); tile[10] = Vector512.Sum(c22); tile[11] = Vector512.Sum(c23);
        tile[12] = Vector512.Sum(c30); tile[13] = Vector512.Sum(c31); tile[14] = Vector512.Sum(c32); tile[15] = Vector512.Sum(c33);

        AddTail(a0, a1, a2, a3, b0, b1, b2, b3, j, q, tile);
    }

    /// <summary>Adds the columns j..q-1 that did not fill a whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddTail(
        double* a0, double* a1, double* a2, double* a3,
        double* b0, double* b1, double* b2, double* b3,
        int j, int q, Span<double> tile)
    {
        for (; j < q; j++)
        {
            double x0 = a0[j], x1 = a1[j], x2 = a2[j], x3 = a3[j];
            double y0 = b0[j], y1 = b1[j], y2 = b2[j], y3 = b3[j];
            tile[0] += x0 * y0; tile[1] += x0 * y1; tile[2] += x0 * y2; tile[3] += x0 * y3;
            tile[4] += x1 * y0; tile[5] += x1 * y1; tile[6] += x1 * y2; tile[7] += x1 * y3;
            tile[8] += x2 * y0; tile[9] += x2 * y1; tile[10] += x2 * y2; tile[11] += x2 * y3;
            tile[12] += x3 * y0; tile[13] += x3 * y1; tile[14] += x3 * y2; tile[15] += x3 * y3;
        }
    }
}
