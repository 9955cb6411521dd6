namespace Ec2Ops.Core.Factorization;

/// <summary>scikit-learn 1.2.1's <c>_initialize_nmf</c>: Random and the NNDSVD family.</summary>
internal static class NmfInitializer
{
    /// <summary>Values below this are set to zero after NNDSVD, as scikit-learn does.</summary>
    private const double Eps = 1e-6;

    /// <summary>scikit-learn's rule for init=None.</summary>
    public static NmfInit Resolve(NmfInit init, int rank, int rows, int cols) =>
        init != NmfInit.Auto ? init : rank <= Math.Min(rows, cols) ? NmfInit.Nndsvda : NmfInit.Random;

    public static (RowMajorMatrix W, RowMajorMatrix H) Initialize(
        RowMajorMatrix v, RowMajorMatrix vt, int rank, NmfInit init, int? seed, CancellationToken cancellationToken)
    {
        int m = v.Rows, n = v.Cols;
        double mean = Mean(v);
        if (init == NmfInit.Random)
        {
            // Same draw order as numpy: H (rank x n) first, then W (m x rank).
            var rng = NumpyRandomState.FromSeedOrEntropy(seed);
            double scale = Math.Sqrt(mean / rank);
            var h0 = new RowMajorMatrix(rank, n);
            var w0 = new RowMajorMatrix(m, rank);
            for (int i = 0; i < h0.Data.Length; i++)
            {
                h0.Data[i] = Math.Abs(scale * rng.NextGaussian());
            }

            for (int i = 0; i < w0.Data.Length; i++)
            {
                w0.Data[i] = Math.Abs(scale * rng.NextGaussian());
            }

            return (w0, h0);
        }

        var (u, s, vtop) = TruncatedSvd.Compute(v, vt, rank, seed, cancellationToken);
        var w = new RowMajorMatrix(m, rank);
        var h = new RowMajorMatrix(rank, n);

        // The leading singular pair of a non-negative matrix is non-negative up to sign.
        double root0 = Math.Sqrt(s[0]);
        for (int i = 0; i < m; i++)
        {
            w[i, 0] = root0 * Math.Abs(u[i, 0]);
        }

        for (int j = 0; j < n; j++)
        {
            h[0, j] = root0 * Math.Abs(vtop[0, j]);
        }

        var x = new double[m];
        var y = new double[n];
        for (int c = 1; c < rank; c++)
        {
            for (int i = 0; i < m; i++)
            {
                x[i] = u[i, c];
            }

            for (int j = 0; j < n; j++)
            {
                y[j] = vtop[c, j];
            }

            // Keep the positive or the negative parts of the pair, whichever carries more weight.
            double xp = PartNorm(x, positive: true), yp = PartNorm(y, positive: true);
            double xn = PartNorm(x, positive: false), yn = PartNorm(y, positive: false);
            double mp = xp * yp, mn = xn * yn;
            bool usePositive = mp > mn;
            double xNorm = usePositive ? xp : xn, yNorm = usePositive ? yp : yn;
            double lambda = Math.Sqrt(s[c] * (usePositive ? mp : mn));
            for (int i = 0; i < m; i++)
            {
                w[i, c] = lambda * (Part(x[i], usePositive) / xNorm);
            }

            for (int j = 0; j < n; j++)
            {
                h[c, j] = lambda * (Part(y[j], usePositive) / yNorm);
            }
        }

        ZeroBelowEps(w.Data);
        ZeroBelowEps(h.Data);

        if (init == NmfInit.Nndsvda)
        {
            FillZeros(w.Data, () => mean);
            FillZeros(h.Data, () => mean);
        }
        else if (init == NmfInit.Nndsvdar)
        {
            // A fresh generator with the same seed, exactly as scikit-learn's check_random_state(int).
            var rng = NumpyRandomState.FromSeedOrEntropy(seed);
            FillZeros(w.Data, () => Math.Abs(mean * rng.NextGaussian() / 100));
            FillZeros(h.Data, () => Math.Abs(mean * rng.NextGaussian() / 100));
        }

        return (w, h);
    }

    public static double Mean(RowMajorMatrix v)
    {
        double sum = 0;
        foreach (double value in v.Data)
        {
            sum += value;
        }

        return v.Data.Length == 0 ? 0 : sum / v.Data.Length;
    }

    private static double Part(double value, bool positive) =>
        positive ? Math.Max(value, 0) : Math.Abs(Math.Min(value, 0));

    private static double PartNorm(double[] values, bool positive)
    {
        double sum = 0;
        foreach (double value in values)
        {
            double p = Part(value, positive);
            sum += p * p;
        }

        return Math.Sqrt(sum);
    }

    private static void ZeroBelowEps(double[] data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] < Eps)
            {
                data[i] = 0;
            }
        }
    }

    private static void FillZeros(double[] data, Func<double> value)
    {
        // Row-major order, as numpy's boolean-mask assignment fills.
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] == 0)
            {
                data[i] = value();
            }
        }
    }
}
