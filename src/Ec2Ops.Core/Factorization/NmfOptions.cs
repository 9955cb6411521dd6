namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Parameters of one factorization, named after scikit-learn 1.2.1's <c>NMF</c> and with the same
/// defaults (init=None, solver='cd', beta_loss='frobenius', tol=1e-4, max_iter=200, alpha_W=0,
/// alpha_H='same', l1_ratio=0, shuffle=False).
/// </summary>
public sealed record NmfOptions
{
    /// <summary>Number of components k (scikit-learn's <c>n_components</c>); null = number of columns.</summary>
    public int? Rank { get; init; }

    public NmfInit Init { get; init; } = NmfInit.Auto;

    public NmfSolver Solver { get; init; } = NmfSolver.CoordinateDescent;

    public NmfBetaLoss BetaLoss { get; init; } = NmfBetaLoss.Frobenius;

    /// <summary>Any real beta for the multiplicative update; when set it wins over <see cref="BetaLoss"/>.</summary>
    public double? Beta { get; init; }

    public int MaxIterations { get; init; } = 200;

    /// <summary>
    /// Stopping tolerance. 0 runs <see cref="MaxIterations"/> iterations, except that coordinate
    /// descent, like scikit-learn's, still stops at a fixed point where the violation is exactly zero.
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Seed of the numpy-compatible generator used by Random and Nndsvdar inits; null = unpredictable.</summary>
    public int? Seed { get; init; }

    /// <summary>Regularization of W (scaled by the number of columns, as scikit-learn does).</summary>
    public double AlphaW { get; init; }

    /// <summary>Regularization of H (scaled by the number of rows); null = same as <see cref="AlphaW"/>.</summary>
    public double? AlphaH { get; init; }

    /// <summary>Coordinate descent only: visit the components in a random order each sweep (scikit-learn's <c>shuffle</c>), drawn from <see cref="Seed"/>.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Share of L1 in the penalty: 0 = pure L2, 1 = pure L1.</summary>
    public double L1Ratio { get; init; }

    /// <summary>The beta actually used: <see cref="Beta"/> if set, else the value of <see cref="BetaLoss"/>.</summary>
    public double EffectiveBeta => Beta ?? BetaLoss switch
    {
        NmfBetaLoss.KullbackLeibler => 1.0,
        NmfBetaLoss.ItakuraSaito => 0.0,
        _ => 2.0,
    };
}
