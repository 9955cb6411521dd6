using System.Runtime.CompilerServices;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// scikit-learn 1.2.1's <c>_fit_multiplicative_update</c> with <c>_multiplicative_update_w/h</c>
/// for dense input: Lee-Seung updates for any beta, the maximization-minimization exponent gamma
/// for beta &lt; 1 or beta &gt; 2, EPSILON guards, and the error test every 10 iterations.
/// </summary>
internal static class NmfMultiplicativeUpdate
{
    /// <summary>numpy's float32 machine epsilon, scikit-learn's EPSILON.</summary>
    public const double Epsilon = 1.1920928955078125e-07;

    /// <summary>float64 machine epsilon, the stability floor for beta &lt; 1.</summary>
    private const double DoubleEpsilon = 2.220446049250313e-16;

    /// <param name="w">m x k, updated in place.</param>
    /// <param name="h">k x n, updated in place when <paramref name="updateH"/>.</param>
    public static (int Iterations, bool Converged) Fit(
        RowMajorMatrix v, RowMajorMatrix vt, RowMajorMatrix w, RowMajorMatrix h, double beta, NmfRegularization reg,
        int maxIterations, double tolerance, bool updateH, Action<int> onIteration, CancellationToken cancellationToken)
    {
        double gamma = beta < 1 ? 1.0 / (2.0 - beta) : beta > 2 ? 1.0 / (beta - 1.0) : 1.0;
        double errorAtInit = BetaDivergence.Error(v, w, h, beta, cancellationToken);
        double previousError = errorAtInit;

        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            UpdateW(v, w, h, beta, reg.L1W, reg.L2W, gamma, cancellationToken);
            if (beta < 1)
            {
                ZeroBelow(w, DoubleEpsilon);
            }

            if (updateH)
            {
                UpdateH(v, vt, w, h, beta, reg.L1H, reg.L2H, gamma, cancellationToken);
                if (beta <= 1)
                {
                    ZeroBelow(h, DoubleEpsilon);
                }
            }

            onIteration(iteration);
            if (tolerance > 0 && iteration % 10 == 0)
            {
                double error = BetaDivergence.Error(v, w, h, beta, cancellationToken);
                if ((previousError - error) / errorAtInit < tolerance)
                {
                    return (iteration, true);
                }

                previousError = error;
            }
        }

        return (maxIterations, false);
    }

    /// <summary>W ← W ⊙ (numerator / denominator)^gamma.</summary>
    private static void UpdateW(RowMajorMatrix v, RowMajorMatrix w, RowMajorMatrix h, double beta, double l1, double l2, double gamma, CancellationToken ct)
    {
        if (beta == 2)
        {
            FrobeniusUpdate(v, w, h, l1, l2, gamma, ct);
            return;
        }

        // Both products run over the rows of V: (V ⊙ (WH)^(β-2)) Hᵀ and (WH)^(β-1) Hᵀ.
        var wh = NmfKernels.Multiply(w, h, ct);
        var (scaled, powered) = Weigh(v, wh, beta, ct);
        var numerator = NmfKernels.DotRows(scaled, h, ct);
        RowMajorMatrix denominator;
        if (beta == 1)
        {
            // Σ_j H[r, j] for every row of the denominator.
            denominator = new RowMajorMatrix(w.Rows, w.Cols);
            var hSum = RowSums(h);
            for (int i = 0; i < w.Rows; i++)
            {
                hSum.CopyTo(denominator.Row(i));
            }
        }
        else
        {
            denominator = NmfKernels.DotRows(powered!, h, ct);
        }

        ApplyUpdate(w, numerator, denominator, l1, l2, gamma);
    }

    /// <summary>H ← H ⊙ (numerator / denominator)^gamma, computed on Hᵀ so the products run over rows of Vᵀ.</summary>
    private static void UpdateH(RowMajorMatrix v, RowMajorMatrix vt, RowMajorMatrix w, RowMajorMatrix h, double beta, double l1, double l2, double gamma, CancellationToken ct)
    {
        var wt = w.Transpose();
        var ht = h.Transpose();
        if (beta == 2)
        {
            FrobeniusUpdate(vt, ht, wt, l1, l2, gamma, ct);
            ht.Transpose().Data.CopyTo(h.Data, 0);
            return;
        }

        var whT = NmfKernels.Multiply(ht, wt, ct);
        var (scaled, powered) = Weigh(vt, whT, beta, ct);
        var numerator = NmfKernels.DotRows(scaled, wt, ct);
        RowMajorMatrix denominator;
        if (beta == 1)
        {
            var wSum = RowSums(wt);
            for (int r = 0; r < wSum.Length; r++)
            {
                if (wSum[r] == 0)
                {
                    wSum[r] = 1.0;
                }
            }

            denominator = new RowMajorMatrix(ht.Rows, ht.Cols);
            for (int j = 0; j < ht.Rows; j++)
            {
                wSum.CopyTo(denominator.Row(j));
            }
        }
        else
        {
            denominator = NmfKernels.DotRows(powered!, wt, ct);
        }

        ApplyUpdate(ht, numerator, denominator, l1, l2, gamma);
        var updated = ht.Transpose();
        updated.Data.CopyTo(h.Data, 0);
    }

    /// <summary>
    /// From X and WH (same shape) builds X ⊙ WH^(β-2) and, unless β = 1, WH^(β-1), with
    /// scikit-learn's EPSILON substitutions for zeros of WH.
    /// </summary>
    private static (RowMajorMatrix Scaled, RowMajorMatrix? Powered) Weigh(RowMajorMatrix x, RowMajorMatrix wh, double beta, CancellationToken ct)
    {
        var scaled = new RowMajorMatrix(x.Rows, x.Cols);
        var powered = beta == 1 ? null : new RowMajorMatrix(x.Rows, x.Cols);
        NmfKernels.ForChunks(x.Rows, x.Cols * 4L, ct, (first, last) =>
        {
            for (int idx = first * x.Cols; idx < last * x.Cols; idx++)
            {
                double product = wh.Data[idx];
                if (powered is not null)
                {
                    // The denominator's copy only guards zeros for β < 1.
                    double safe = beta < 1 && product == 0 ? Epsilon : product;
                    powered.Data[idx] = Math.Pow(safe, beta - 1);
                }

                double guarded = beta < 2 && product == 0 ? Epsilon : product;
                double value = x.Data[idx];
                scaled.Data[idx] = beta switch
                {
                    1 => value / guarded,
                    0 => value * Square(1.0 / guarded),
                    _ => Math.Pow(guarded, beta - 2) * value,
                };
            }
        });
        return (scaled, powered);
    }

    private static double Square(double x) => x * x;

    /// <summary>
    /// The Frobenius update of <paramref name="target"/> (p x k) in X ≈ target · other: numerator
    /// X · otherᵀ, denominator target · (other · otherᵀ). Each chunk of rows gets its numerator rows
    /// and is updated in the same parallel pass.
    /// </summary>
    private static void FrobeniusUpdate(RowMajorMatrix x, RowMajorMatrix target, RowMajorMatrix other, double l1, double l2, double gamma, CancellationToken ct)
    {
        var gram = NmfKernels.DotRows(other, other, ct);
        NmfKernels.DotRowsThen(x, other, ct, (numerator, first, last) =>
        {
            UpdateRows(target, gram, numerator, first, last, l1, l2, gamma);
            return 0;
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateRows(RowMajorMatrix target, RowMajorMatrix gram, RowMajorMatrix numerator, int first, int last, double l1, double l2, double gamma)
    {
        var denominator = new double[target.Cols];
        for (int i = first; i < last; i++)
        {
            Span<double> row = target.Row(i);
            denominator.AsSpan().Clear();
            for (int s = 0; s < row.Length; s++)
            {
                double weight = row[s];
                ReadOnlySpan<double> gramRow = gram.Row(s);
                for (int r = 0; r < denominator.Length; r++)
                {
                    denominator[r] += weight * gramRow[r];
                }
            }

            ApplyUpdate(row, numerator.Row(i), denominator, l1, l2, gamma);
        }
    }

    private static void ApplyUpdate(RowMajorMatrix target, RowMajorMatrix numerator, RowMajorMatrix denominator, double l1, double l2, double gamma) =>
        ApplyUpdate(target.Data, numerator.Data, denominator.Data, l1, l2, gamma);

    /// <summary>target ← target ⊙ (num / (den + l1 + l2·target))^gamma, with a zero denominator replaced by EPSILON.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ApplyUpdate(Span<double> t, ReadOnlySpan<double> num, ReadOnlySpan<double> den, double l1, double l2, double gamma)
    {
        for (int i = 0; i < t.Length; i++)
        {
            double d = den[i];
            if (l1 > 0)
            {
                d += l1;
            }

            if (l2 > 0)
            {
                d += l2 * t[i];
            }

            if (d == 0)
            {
                d = Epsilon;
            }

            double delta = num[i] / d;
            if (gamma != 1)
            {
                delta = Math.Pow(delta, gamma);
            }

            t[i] *= delta;
        }
    }

    private static double[] RowSums(RowMajorMatrix m)
    {
        var sums = new double[m.Rows];
        for (int r = 0; r < m.Rows; r++)
        {
            double sum = 0;
            foreach (double value in m.Row(r))
            {
                sum += value;
            }

            sums[r] = sum;
        }

        return sums;
    }

    private static void ZeroBelow(RowMajorMatrix m, double floor)
    {
        for (int i = 0; i < m.Data.Length; i++)
        {
            if (m.Data[i] < floor)
            {
                m.Data[i] = 0;
            }
        }
    }
}
