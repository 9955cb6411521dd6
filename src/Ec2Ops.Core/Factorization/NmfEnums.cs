namespace Ec2Ops.Core.Factorization;

/// <summary>How W and H are first filled (scikit-learn's <c>init</c>).</summary>
public enum NmfInit
{
    /// <summary><see cref="Nndsvda"/> when the rank is at most min(rows, columns), else <see cref="Random"/>.</summary>
    Auto,

    /// <summary>|N(0,1)| scaled by sqrt(mean(V) / rank).</summary>
    Random,

    /// <summary>Nonnegative double SVD; keeps zeros (sparse start).</summary>
    Nndsvd,

    /// <summary>NNDSVD with zeros replaced by mean(V).</summary>
    Nndsvda,

    /// <summary>NNDSVD with zeros replaced by small random values.</summary>
    Nndsvdar,
}

/// <summary>The numerical solver (scikit-learn's <c>solver</c>).</summary>
public enum NmfSolver
{
    /// <summary>Coordinate descent (fast HALS), scikit-learn's <c>cd</c>. Frobenius loss only.</summary>
    CoordinateDescent,

    /// <summary>Multiplicative update, scikit-learn's <c>mu</c>. Any beta loss.</summary>
    MultiplicativeUpdate,
}

/// <summary>The named beta-divergences (scikit-learn's <c>beta_loss</c> strings).</summary>
public enum NmfBetaLoss
{
    /// <summary>beta = 2: half the squared Frobenius norm.</summary>
    Frobenius,

    /// <summary>beta = 1: generalized Kullback-Leibler divergence.</summary>
    KullbackLeibler,

    /// <summary>beta = 0: Itakura-Saito divergence (V must be strictly positive).</summary>
    ItakuraSaito,
}
