using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// The leading singular triplets scikit-learn's NNDSVD asks <c>randomized_svd</c> for, with its
/// sign convention. When rank + 10 oversamples cover the smaller side, scikit-learn's randomized
/// SVD is the exact SVD, so the exact one (thin QR, then SVD of R) is computed. Otherwise the same
/// randomized range finder runs on the fast kernels: numpy's Gaussian draws for the same seed,
/// 7 or 4 power iterations, normalized by Gram-Schmidt where scikit-learn uses LU (same subspace).
/// </summary>
internal static class TruncatedSvd
{
    private const int Oversamples = 10;

    /// <summary>Returns U (m x rank), the singular values, and Vᵀ (rank x n) of V.</summary>
    public static (RowMajorMatrix U, double[] S, RowMajorMatrix Vt) Compute(
        RowMajorMatrix v, RowMajorMatrix vt, int rank, int? seed, CancellationToken cancellationToken)
    {
        // Like scikit-learn, work on the orientation with more rows than columns.
        bool transpose = v.Rows < v.Cols;
        var a = transpose ? vt : v;
        var at = transpose ? v : vt;
        int size = rank + Oversamples;

        Matrix<double> leftOfA, rightOfAt; // A = left · diag(s) · rightOfAt
        Vector<double> s;
        if (size >= a.Cols)
        {
            (leftOfA, s, rightOfAt) = ThinSvd(ToMathNet(a));
        }
        else
        {
            var qt = RangeFinder(a, at, size, rank, seed, cancellationToken);
            // B = Qᵀ A is small (size x cols); its SVD lifts back through Q.
            var b = ToMathNet(NmfKernels.DotRows(qt, at, cancellationToken));
            var (bu, bs, bvt) = ThinSvdWide(b);
            leftOfA = ToMathNet(qt).TransposeThisAndMultiply(bu);
            s = bs;
            rightOfAt = bvt;
        }

        // Back to V's orientation: V = U diag(s) Vt.
        var u = transpose ? rightOfAt.Transpose() : leftOfA;
        var vtop = transpose ? leftOfA.Transpose() : rightOfAt;

        var uOut = new RowMajorMatrix(v.Rows, rank);
        var vOut = new RowMajorMatrix(rank, v.Cols);
        var sOut = new double[rank];
        for (int c = 0; c < rank; c++)
        {
            // scikit-learn's svd_flip: the entry of U's column with the largest magnitude
            // (first one on ties) is made positive.
            int best = 0;
            for (int i = 1; i < u.RowCount; i++)
            {
                if (Math.Abs(u[i, c]) > Math.Abs(u[best, c]))
                {
                    best = i;
                }
            }

            double sign = u[best, c] < 0 ? -1.0 : 1.0;
            for (int i = 0; i < v.Rows; i++)
            {
                uOut[i, c] = sign * u[i, c];
            }

            for (int j = 0; j < v.Cols; j++)
            {
                vOut[c, j] = sign * vtop[c, j];
            }

            sOut[c] = s[c];
        }

        return (uOut, sOut, vOut);
    }

    /// <summary>
    /// scikit-learn's randomized_range_finder, returning Qᵀ (size x rows): an orthonormal basis of A's
    /// dominant range. Everything stays transposed (Yᵀ = Ωᵀ Aᵀ, Zᵀ = Qᵀ A) so the products are
    /// row dot products and the basis vectors are contiguous rows.
    /// </summary>
    private static RowMajorMatrix RangeFinder(RowMajorMatrix a, RowMajorMatrix at, int size, int rank, int? seed, CancellationToken cancellationToken)
    {
        int powerIterations = rank < 0.1 * Math.Min(a.Rows, a.Cols) ? 7 : 4;
        var rng = NumpyRandomState.FromSeedOrEntropy(seed);

        // numpy draws Ω (cols x size) row by row; Ωᵀ is filled in that order.
        var omegaT = new RowMajorMatrix(size, a.Cols);
        for (int j = 0; j < a.Cols; j++)
        {
            for (int c = 0; c < size; c++)
            {
                omegaT[c, j] = rng.NextGaussian();
            }
        }

        var yt = NmfKernels.DotRows(omegaT, a, cancellationToken);
        for (int iteration = 0; iteration < powerIterations; iteration++)
        {
            // Normalizing every half step (scikit-learn uses LU; QR spans the same space) keeps
            // the small singular directions from drowning in rounding.
            var qt = OrthonormalizeRows(yt);
            var zt = OrthonormalizeRows(NmfKernels.DotRows(qt, at, cancellationToken));
            yt = NmfKernels.DotRows(zt, a, cancellationToken);
        }

        return OrthonormalizeRows(yt);
    }

    /// <summary>
    /// Gram-Schmidt on the rows, run twice ("twice is enough") so the result is orthonormal to
    /// rounding. A row that is (numerically) in the span of earlier rows becomes zero.
    /// </summary>
    private static RowMajorMatrix OrthonormalizeRows(RowMajorMatrix m)
    {
        var q = m.Clone();
        var norms = new double[q.Rows];
        for (int r = 0; r < q.Rows; r++)
        {
            norms[r] = Math.Sqrt(TensorPrimitives.SumOfSquares<double>(q.Row(r)));
        }

        for (int r = 0; r < q.Rows; r++)
        {
            Span<double> row = q.Row(r);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int p = 0; p < r; p++)
                {
                    ReadOnlySpan<double> earlier = q.Row(p);
                    double projection = TensorPrimitives.Dot(earlier, row);
                    TensorPrimitives.MultiplyAdd(earlier, -projection, row, row);
                }
            }

            double norm = Math.Sqrt(TensorPrimitives.SumOfSquares<double>(row));
            if (norm <= 1e-12 * norms[r] || norm == 0)
            {
                row.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(row, 1.0 / norm, row);
            }
        }

        return q;
    }

    /// <summary>SVD of a tall matrix (rows ≥ cols) through its thin QR: A = Q R, R = U' S Vᵀ, so U = Q U'.</summary>
    private static (Matrix<double> U, Vector<double> S, Matrix<double> Vt) ThinSvd(Matrix<double> a)
    {
        var qr = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var svd = qr.R.Svd(computeVectors: true);
        return (qr.Q * svd.U, svd.S, svd.VT);
    }

    /// <summary>SVD of a wide matrix (rows ≤ cols) via the SVD of its transpose.</summary>
    private static (Matrix<double> U, Vector<double> S, Matrix<double> Vt) ThinSvdWide(Matrix<double> b)
    {
        var (u, s, vt) = ThinSvd(b.Transpose());
        return (vt.Transpose(), s, u.Transpose());
    }

    private static Matrix<double> ToMathNet(RowMajorMatrix m) =>
        Matrix<double>.Build.DenseOfRowMajor(m.Rows, m.Cols, m.Data);
}
