namespace Ec2Ops.Core.Factorization;

/// <summary>
/// One factorization V ≈ W·H. W and H are jagged arrays so PowerShell indexes them as
/// <c>$r.W[row][component]</c> and <c>$r.H[component][column]</c>.
/// </summary>
public sealed class NmfResult
{
    /// <summary>Row weights, RowCount x Rank (scikit-learn's <c>fit_transform</c> output).</summary>
    public required double[][] W { get; init; }

    /// <summary>Components, Rank x ColumnCount (scikit-learn's <c>components_</c>).</summary>
    public required double[][] H { get; init; }

    /// <summary>sqrt(2 · beta-divergence(V, WH)); for Frobenius loss this is ||V - WH||_F (scikit-learn's <c>reconstruction_err_</c>).</summary>
    public double ReconstructionError { get; init; }

    /// <summary>Iterations run (scikit-learn's <c>n_iter_</c>).</summary>
    public int Iterations { get; init; }

    /// <summary>True when the tolerance test stopped the solver before MaxIterations; null when Tolerance is 0 (no test made).</summary>
    public bool? Converged { get; init; }

    /// <summary>Column names (from a CSV header or -Property), or null.</summary>
    public string[]? FeatureNames { get; init; }

    public int RowCount { get; init; }

    public int ColumnCount { get; init; }

    public int Rank { get; init; }

    public NmfSolver Solver { get; init; }

    /// <summary>The initialization actually used (Auto resolved).</summary>
    public NmfInit Init { get; init; }

    /// <summary>The named loss, or null when a custom beta was used.</summary>
    public NmfBetaLoss? BetaLoss { get; init; }

    public double Beta { get; init; }

    /// <summary>True for a transform (H given and fixed, only W solved).</summary>
    public bool IsTransform { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The product W·H, RowCount x ColumnCount.</summary>
    public double[][] Reconstruct()
    {
        var product = NmfKernels.Multiply(RowMajorMatrix.FromJagged(W), RowMajorMatrix.FromJagged(H));
        return product.ToJagged();
    }
}
