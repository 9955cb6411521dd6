namespace Ec2Ops.Core.Factorization;

/// <summary>
/// One factorization V ≈ W·H. W and H are lists of rows, so PowerShell indexes them as
/// <c>$r.W[row][component]</c> and <c>$r.H[component][column]</c>, and they export readably.
/// Solver, Init and BetaLoss are the names of the values used (strings, so JSON shows the name).
/// </summary>
public sealed class NmfResult
{
    /// <summary>Row weights, RowCount x Rank (scikit-learn's <c>fit_transform</c> output).</summary>
    public required NumberMatrix W { get; init; }

    /// <summary>Components, Rank x ColumnCount (scikit-learn's <c>components_</c>).</summary>
    public required NumberMatrix H { get; init; }

    /// <summary>sqrt(2 · beta-divergence(V, WH)); for Frobenius loss this is ||V - WH||_F (scikit-learn's <c>reconstruction_err_</c>).</summary>
    public double ReconstructionError { get; init; }

    /// <summary>Iterations run (scikit-learn's <c>n_iter_</c>).</summary>
    public int Iterations { get; init; }

    /// <summary>True when the tolerance test stopped the solver before MaxIterations; null when Tolerance is 0 (no test made).</summary>
    public bool? Converged { get; init; }

    /// <summary>Column names (from a CSV header or -Property), or null.</summary>
    public ValueList? FeatureNames { get; init; }

    public int RowCount { get; init; }

    public int ColumnCount { get; init; }

    public int Rank { get; init; }

    /// <summary>CoordinateDescent or MultiplicativeUpdate (<see cref="NmfSolver"/>).</summary>
    public required string Solver { get; init; }

    /// <summary>The initialization actually used (Auto resolved).</summary>
    public required string Init { get; init; }

    /// <summary>The named loss (<see cref="NmfBetaLoss"/>), or null when a custom beta was used.</summary>
    public string? BetaLoss { get; init; }

    public double Beta { get; init; }

    /// <summary>True for a transform (H given and fixed, only W solved).</summary>
    public bool IsTransform { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The product W·H, RowCount x ColumnCount.</summary>
    public double[][] Reconstruct()
    {
        var product = NmfKernels.Multiply(RowMajorMatrix.FromJagged(W.ToArray()), RowMajorMatrix.FromJagged(H.ToArray()));
        return product.ToJagged();
    }
}
