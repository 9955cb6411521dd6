namespace Ec2Ops.Core.Data;

/// <summary>
/// numpy's reductions over a 1-D float64 array, computed the way numpy computes them so results
/// agree to the last bit where numpy's own algorithm is deterministic: sums use numpy's pairwise
/// summation, means divide the sum by the count, variance is the mean of squared deviations
/// (numpy's two-pass formula), quantiles use numpy's default <c>linear</c> method and its
/// <c>_lerp</c>. The <c>Nan*</c> variants skip NaN as numpy's <c>nan*</c> functions do; the plain
/// ones propagate it. Empty or all-NaN input gives what numpy gives (NaN for the mean family,
/// 0 for sums, 1 for products); ArgMin/ArgMax give null there, where numpy raises.
/// </summary>
public static class NanStatistics
{
    private const int PairwiseBlock = 128;

    /// <summary>numpy's pairwise summation (<c>DOUBLE_pairwise_sum</c>): 8 accumulators per block of at most 128, halves above.</summary>
    public static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            double r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                r0 += a[i];
                r1 += a[i + 1];
                r2 += a[i + 2];
                r3 += a[i + 3];
                r4 += a[i + 4];
                r5 += a[i + 5];
                r6 += a[i + 6];
                r7 += a[i + 7];
            }

            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }

    /// <summary>How many values are not NaN.</summary>
    public static int CountNonNaN(ReadOnlySpan<double> a)
    {
        int count = 0;
        foreach (double x in a)
        {
            if (!double.IsNaN(x))
            {
                count++;
            }
        }

        return count;
    }

    public static double Sum(ReadOnlySpan<double> a) => 0.0 + PairwiseSum(a);

    /// <summary><c>np.nansum</c>: NaN counts as 0; all-NaN or empty gives 0.</summary>
    public static double NanSum(ReadOnlySpan<double> a) => Sum(ReplaceNaN(a, 0.0));

    /// <summary><c>np.mean</c>: NaN if any value is NaN; NaN for empty input.</summary>
    public static double Mean(ReadOnlySpan<double> a) => Sum(a) / a.Length;

    /// <summary><c>np.nanmean</c>: sum of the non-NaN values over their count; NaN when there are none.</summary>
    public static double NanMean(ReadOnlySpan<double> a) => NanSum(a) / CountNonNaN(a);

    /// <summary><c>np.var(a, ddof=ddof)</c>; numpy divides by max(n - ddof, 0), so ddof &gt;= n gives inf or NaN.</summary>
    public static double Var(ReadOnlySpan<double> a, int ddof)
    {
        double mean = Sum(a) / a.Length;
        var squares = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - mean;
            squares[i] = d * d;
        }

        return Sum(squares) / Math.Max(a.Length - ddof, 0);
    }

    /// <summary><c>np.nanvar(a, ddof=ddof)</c>: NaN when the non-NaN count minus ddof is 0 or less.</summary>
    public static double NanVar(ReadOnlySpan<double> a, int ddof)
    {
        int count = CountNonNaN(a);
        double mean = NanSum(a) / count;

        // numpy keeps the NaN positions as zeros, so the pairwise sum groups exactly as it does there.
        var squares = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsNaN(a[i]))
            {
                double d = a[i] - mean;
                squares[i] = d * d;
            }
        }

        int dof = count - ddof;
        return dof <= 0 ? double.NaN : Sum(squares) / dof;
    }

    public static double Std(ReadOnlySpan<double> a, int ddof) => Math.Sqrt(Var(a, ddof));

    public static double NanStd(ReadOnlySpan<double> a, int ddof) => Math.Sqrt(NanVar(a, ddof));

    /// <summary><c>np.median</c>: NaN if any value is NaN; the mean of the two middle values for an even count.</summary>
    public static double Median(ReadOnlySpan<double> a) => HasNaN(a) ? double.NaN : SortedMedian(Sorted(a));

    public static double NanMedian(ReadOnlySpan<double> a) => SortedMedian(Sorted(WithoutNaN(a)));

    /// <summary><c>np.quantile(a, q)</c> with the default linear method; q in [0, 1].</summary>
    public static double Quantile(ReadOnlySpan<double> a, double q)
    {
        CheckQuantile(q);
        return HasNaN(a) ? double.NaN : SortedQuantile(Sorted(a), q);
    }

    public static double NanQuantile(ReadOnlySpan<double> a, double q)
    {
        CheckQuantile(q);
        return SortedQuantile(Sorted(WithoutNaN(a)), q);
    }

    /// <summary><c>np.percentile(a, p)</c>: numpy divides p by 100 and takes that quantile.</summary>
    public static double Percentile(ReadOnlySpan<double> a, double p)
    {
        CheckPercentile(p);
        return Quantile(a, p / 100.0);
    }

    public static double NanPercentile(ReadOnlySpan<double> a, double p)
    {
        CheckPercentile(p);
        return NanQuantile(a, p / 100.0);
    }

    /// <summary><c>np.min</c> (NaN if any NaN); NaN for empty input (numpy raises there).</summary>
    public static double Min(ReadOnlySpan<double> a) => Extreme(a, preferLower: true, skipNaN: false);

    public static double Max(ReadOnlySpan<double> a) => Extreme(a, preferLower: false, skipNaN: false);

    /// <summary><c>np.nanmin</c>: NaN (and numpy's "All-NaN slice" warning, from the caller) when nothing is left.</summary>
    public static double NanMin(ReadOnlySpan<double> a) => Extreme(a, preferLower: true, skipNaN: true);

    public static double NanMax(ReadOnlySpan<double> a) => Extreme(a, preferLower: false, skipNaN: true);

    /// <summary><c>np.prod</c>: a left-to-right product (numpy does not multiply pairwise); 1 for empty input.</summary>
    public static double Prod(ReadOnlySpan<double> a)
    {
        double p = 1.0;
        foreach (double x in a)
        {
            p *= x;
        }

        return p;
    }

    /// <summary><c>np.nanprod</c>: NaN counts as 1.</summary>
    public static double NanProd(ReadOnlySpan<double> a) => Prod(ReplaceNaN(a, 1.0));

    /// <summary><c>np.argmin</c>: the first NaN's index if there is one, else the first minimum's; null for empty input.</summary>
    public static int? ArgMin(ReadOnlySpan<double> a) => ArgExtreme(a, preferLower: true, skipNaN: false);

    public static int? ArgMax(ReadOnlySpan<double> a) => ArgExtreme(a, preferLower: false, skipNaN: false);

    /// <summary><c>np.nanargmin</c>: the index (in the full input) of the first minimum, NaN skipped; null when all are NaN (numpy raises).</summary>
    public static int? NanArgMin(ReadOnlySpan<double> a) => ArgExtreme(a, preferLower: true, skipNaN: true);

    public static int? NanArgMax(ReadOnlySpan<double> a) => ArgExtreme(a, preferLower: false, skipNaN: true);

    /// <summary><c>np.cumsum</c>: running sum, NaN from the first NaN on.</summary>
    public static double[] CumSum(ReadOnlySpan<double> a) => Running(a, 0.0, (acc, x) => acc + x);

    /// <summary><c>np.nancumsum</c>: NaN counts as 0, so the output has one value per input position.</summary>
    public static double[] NanCumSum(ReadOnlySpan<double> a) => CumSum(ReplaceNaN(a, 0.0));

    public static double[] CumProd(ReadOnlySpan<double> a) => Running(a, 1.0, (acc, x) => acc * x);

    /// <summary><c>np.nancumprod</c>: NaN counts as 1.</summary>
    public static double[] NanCumProd(ReadOnlySpan<double> a) => CumProd(ReplaceNaN(a, 1.0));

    private static bool HasNaN(ReadOnlySpan<double> a)
    {
        foreach (double x in a)
        {
            if (double.IsNaN(x))
            {
                return true;
            }
        }

        return false;
    }

    private static double[] ReplaceNaN(ReadOnlySpan<double> a, double with)
    {
        var copy = a.ToArray();
        for (int i = 0; i < copy.Length; i++)
        {
            if (double.IsNaN(copy[i]))
            {
                copy[i] = with;
            }
        }

        return copy;
    }

    private static double[] WithoutNaN(ReadOnlySpan<double> a)
    {
        var kept = new List<double>(a.Length);
        foreach (double x in a)
        {
            if (!double.IsNaN(x))
            {
                kept.Add(x);
            }
        }

        return kept.ToArray();
    }

    private static double[] Sorted(ReadOnlySpan<double> a)
    {
        var copy = a.ToArray();
        Array.Sort(copy);
        return copy;
    }

    private static double SortedMedian(double[] sorted)
    {
        int n = sorted.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2.0;
    }

    // numpy's linear method: virtual index (n - 1) * q between floor and floor + 1, then _lerp,
    // which interpolates from the nearer end so that q = 1 lands exactly on the maximum.
    private static double SortedQuantile(double[] sorted, double q)
    {
        int n = sorted.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        double virtualIndex = (n - 1) * q;
        double previousIndex = Math.Floor(virtualIndex);
        int previous = (int)previousIndex;
        int next = previous + 1;
        if (virtualIndex >= n - 1)
        {
            previous = next = n - 1;
        }

        double gamma = virtualIndex - previousIndex;
        double a = sorted[previous];
        double b = sorted[next];
        double diff = b - a;
        return gamma >= 0.5 ? b - (diff * (1 - gamma)) : a + (diff * gamma);
    }

    private static double Extreme(ReadOnlySpan<double> a, bool preferLower, bool skipNaN)
    {
        int? index = ArgExtreme(a, preferLower, skipNaN);
        return index is { } i ? a[i] : double.NaN;
    }

    private static int? ArgExtreme(ReadOnlySpan<double> a, bool preferLower, bool skipNaN)
    {
        int? best = null;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i];
            if (double.IsNaN(x))
            {
                if (skipNaN)
                {
                    continue;
                }

                return i;
            }

            if (best is null || (preferLower ? x < a[best.Value] : x > a[best.Value]))
            {
                best = i;
            }
        }

        return best;
    }

    private static double[] Running(ReadOnlySpan<double> a, double start, Func<double, double, double> step)
    {
        var result = new double[a.Length];
        double acc = start;
        for (int i = 0; i < a.Length; i++)
        {
            acc = i == 0 ? a[0] : step(acc, a[i]);
            result[i] = acc;
        }

        return result;
    }

    private static void CheckQuantile(double q)
    {
        if (!(q >= 0.0 && q <= 1.0))
        {
            throw new Ec2OpsException(
                "StatisticQuantileOutOfRange",
                Ec2OpsErrorCategory.InvalidArgument,
                $"Quantile {q} is outside [0, 1] (numpy: \"Quantiles must be in the range [0, 1]\").",
                q);
        }
    }

    private static void CheckPercentile(double p)
    {
        if (!(p >= 0.0 && p <= 100.0))
        {
            throw new Ec2OpsException(
                "StatisticPercentileOutOfRange",
                Ec2OpsErrorCategory.InvalidArgument,
                $"Percentile {p} is outside [0, 100] (numpy: \"Percentiles must be in the range [0, 100]\").",
                p);
        }
    }
}
