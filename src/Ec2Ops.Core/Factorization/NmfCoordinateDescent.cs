using System.Runtime.CompilerServices;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// scikit-learn 1.2.1's <c>_fit_coordinate_descent</c> (fast HALS, shuffle=False): alternate one
/// sweep over W's coordinates and one over Hᵀ's, each from the Gram form (HHᵀ, VHᵀ), and stop when
/// the summed projected-gradient violation falls to tol times the first iteration's.
/// </summary>
internal static class NmfCoordinateDescent
{
    /// <param name="w">m x k, updated in place.</param>
    /// <param name="ht">n x k (H transposed), updated in place when <paramref name="updateH"/>.</param>
    /// <param name="shuffleRandom">When set (scikit-learn's shuffle=True), each sweep visits the components in a fresh random order drawn from it.</param>
    public static (int Iterations, bool Converged) Fit(
        RowMajorMatrix v, RowMajorMatrix vt, RowMajorMatrix w, RowMajorMatrix ht, NmfRegularization reg,
        int maxIterations, double tolerance, bool updateH, NumpyRandomState? shuffleRandom, Action<int> onIteration, CancellationToken cancellationToken)
    {
        int k = w.Cols;
        int[] inOrder = Enumerable.Range(0, k).ToArray();
        double violationInit = 0;
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var h = ht.Transpose();
            double violation = Sweep(v, w, h, reg.L1W, reg.L2W, shuffleRandom?.Permutation(k) ?? inOrder, cancellationToken);
            if (updateH)
            {
                var wt = w.Transpose();
                violation += Sweep(vt, ht, wt, reg.L1H, reg.L2H, shuffleRandom?.Permutation(k) ?? inOrder, cancellationToken);
            }

            onIteration(iteration);
            if (iteration == 1)
            {
                violationInit = violation;
            }

            if (violationInit == 0)
            {
                return (iteration, true);
            }

            if (violation / violationInit <= tolerance)
            {
                return (iteration, true);
            }
        }

        return (maxIterations, false);
    }

    /// <summary>
    /// One pass of <c>_update_coordinate_descent</c> on X ≈ W·H (W p x k updated, H k x q fixed).
    /// Rows of W are independent for a fixed component, so rows run in parallel; each row visits
    /// the components in <paramref name="order"/>, the order scikit-learn applies to every row.
    /// </summary>
    private static double Sweep(RowMajorMatrix x, RowMajorMatrix w, RowMajorMatrix h, double l1, double l2, int[] order, CancellationToken cancellationToken)
    {
        int k = w.Cols;
        var hht = NmfKernels.DotRows(h, h, cancellationToken);
        if (l2 != 0.0)
        {
            for (int t = 0; t < k; t++)
            {
                hht[t, t] += l2;
            }
        }

        // XHᵀ is computed and consumed chunk by chunk, in one parallel pass.
        return NmfKernels.DotRowsThen(x, h, cancellationToken, (xht, first, last) => SweepRows(w, hht, xht, first, last, l1, order));
    }

    /// <summary>Updates rows first..last-1 of W, one coordinate at a time; returns their violation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SweepRows(RowMajorMatrix w, RowMajorMatrix hht, RowMajorMatrix xht, int first, int last, double l1, int[] order)
    {
        int k = w.Cols;
        double violation = 0;
        for (int i = first; i < last; i++)
        {
            Span<double> row = w.Row(i);
            Span<double> target = xht.Row(i);
            if (l1 != 0.0)
            {
                for (int t = 0; t < k; t++)
                {
                    target[t] -= l1;
                }
            }

            foreach (int t in order)
            {
                // Gradient of row i, component t: (W HHᵀ - XHᵀ)[i, t], summed in scikit-learn's
                // order (a plain loop over r): near a fixed point the violation is a sum of
                // rounding noise, and tol = 0 stops only at exactly zero.
                double grad = -target[t];
                ReadOnlySpan<double> hhtRow = hht.Row(t);
                for (int r = 0; r < k; r++)
                {
                    grad += hhtRow[r] * row[r];
                }

                // Projected gradient: at the bound only a descent direction counts.
                double pg = row[t] == 0 ? Math.Min(0.0, grad) : grad;
                violation += Math.Abs(pg);
                double hess = hhtRow[t];
                if (hess != 0)
                {
                    row[t] = Math.Max(row[t] - (grad / hess), 0.0);
                }
            }
        }

        return violation;
    }
}

/// <summary>scikit-learn's <c>_compute_regularization</c>: alphas scaled by the opposite dimension and split by l1_ratio.</summary>
internal readonly record struct NmfRegularization(double L1W, double L1H, double L2W, double L2H)
{
    public static NmfRegularization Compute(int rows, int cols, double alphaW, double alphaH, double l1Ratio) => new(
        L1W: cols * alphaW * l1Ratio,
        L1H: rows * alphaH * l1Ratio,
        L2W: cols * alphaW * (1.0 - l1Ratio),
        L2H: rows * alphaH * (1.0 - l1Ratio));
}
