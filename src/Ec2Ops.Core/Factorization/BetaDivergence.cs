namespace Ec2Ops.Core.Factorization;

/// <summary>scikit-learn 1.2.1's <c>_beta_divergence(X, W, H, beta, square_root=True)</c> for dense X.</summary>
internal static class BetaDivergence
{
    /// <summary>sqrt(2 · D_beta(V || WH)); for beta = 2 this is ||V - WH||_F.</summary>
    public static double Error(RowMajorMatrix v, RowMajorMatrix w, RowMajorMatrix h, double beta, CancellationToken cancellationToken)
    {
        if (beta == 2)
        {
            return Math.Sqrt(NmfKernels.FrobeniusErrorSquared(v, w, h, cancellationToken));
        }

        var wh = NmfKernels.Multiply(w, h, cancellationToken);
        double res;
        if (beta == 1)
        {
            // Σ WH from the factor sums, then Σ x log(x / wh) where x is not ~0.
            double sumWh = 0;
            for (int r = 0; r < w.Cols; r++)
            {
                double columnSum = 0, rowSum = 0;
                for (int i = 0; i < w.Rows; i++)
                {
                    columnSum += w[i, r];
                }

                foreach (double value in h.Row(r))
                {
                    rowSum += value;
                }

                sumWh += columnSum * rowSum;
            }

            double dot = 0, sumX = 0;
            ForKept(v, wh, (x, y) =>
            {
                dot += x * Math.Log(x / y);
                sumX += x;
            });
            res = dot + (sumWh - sumX);
        }
        else if (beta == 0)
        {
            double sumDiv = 0, sumLog = 0;
            ForKept(v, wh, (x, y) =>
            {
                double div = x / y;
                sumDiv += div;
                sumLog += Math.Log(div);
            });
            res = sumDiv - ((double)v.Rows * v.Cols) - sumLog;
        }
        else
        {
            double sumWhBeta = 0;
            foreach (double y in wh.Data)
            {
                sumWhBeta += Math.Pow(y, beta);
            }

            double sumXWh = 0, sumXBeta = 0;
            ForKept(v, wh, (x, y) =>
            {
                sumXWh += x * Math.Pow(y, beta - 1);
                sumXBeta += Math.Pow(x, beta);
            });
            res = sumXBeta - (beta * sumXWh);
            res += sumWhBeta * (beta - 1);
            res /= beta * (beta - 1);
        }

        // Rounding can make a tiny divergence negative.
        return Math.Sqrt(2 * Math.Max(res, 0));
    }

    /// <summary>Visits (x, wh) where x &gt; EPSILON, with wh = 0 replaced by EPSILON: zeros of V do not count.</summary>
    private static void ForKept(RowMajorMatrix v, RowMajorMatrix wh, Action<double, double> visit)
    {
        for (int i = 0; i < v.Data.Length; i++)
        {
            double x = v.Data[i];
            if (x > NmfMultiplicativeUpdate.Epsilon)
            {
                double y = wh.Data[i];
                visit(x, y == 0 ? NmfMultiplicativeUpdate.Epsilon : y);
            }
        }
    }
}
