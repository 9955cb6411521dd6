using System.Diagnostics;
using System.Globalization;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Non-negative matrix factorization V ≈ W·H, a port of scikit-learn 1.2.1's <c>NMF</c> for dense
/// input: <see cref="Factorize"/> is <c>fit_transform</c> (W) plus <c>components_</c> (H);
/// <see cref="Transform"/> is <c>transform</c> (H fixed, W solved with the same solver).
/// </summary>
public sealed class NmfService
{
    private const string Activity = "Non-negative matrix factorization";
    private readonly IOperationLog _log;
    private readonly IProgress<OperationProgress>? _progress;

    public NmfService(IOperationLog? log = null, IProgress<OperationProgress>? progress = null)
    {
        _log = log ?? NullOperationLog.Instance;
        _progress = progress;
    }

    /// <summary>Factors <paramref name="rows"/> (rows x columns, non-negative, finite).</summary>
    /// <param name="featureNames">Optional column names carried into the result.</param>
    public NmfResult Factorize(double[][] rows, NmfOptions options, string[]? featureNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var v = NmfValidation.ToMatrix(rows, "the input", featureNames);
        int rank = options.Rank ?? v.Cols;
        var init = NmfInitializer.Resolve(options.Init, rank, v.Rows, v.Cols);
        NmfValidation.CheckOptions(options, v, featureNames, rank, init);
        if (options.Solver == NmfSolver.MultiplicativeUpdate && init == NmfInit.Nndsvd)
        {
            _log.Warning("The multiplicative update solver cannot update zeros present in the initialization, and so " +
                         "leads to poorer results when used jointly with Init Nndsvd. You may try Nndsvda or Nndsvdar instead.");
        }

        var clock = Stopwatch.StartNew();
        var vt = v.Transpose();
        _log.Verbose(Invariant($"Factoring a {v.Rows} x {v.Cols} matrix with rank {rank}: init {init}, solver {options.Solver}, beta {options.EffectiveBeta}."));
        var (w, h) = NmfInitializer.Initialize(v, vt, rank, init, options.Seed, cancellationToken);
        return Solve(v, vt, w, h, rank, init, options, featureNames, updateH: true, clock, cancellationToken);
    }

    /// <summary>
    /// Solves for W with <paramref name="components"/> (Rank x columns) held fixed, as scikit-learn's
    /// <c>transform</c>: W starts at zero for coordinate descent and at sqrt(mean(V)/rank) for
    /// multiplicative update. <see cref="NmfOptions.Init"/> is not used; <see cref="NmfOptions.Rank"/>, if set, must equal the number of component rows.
    /// </summary>
    public NmfResult Transform(double[][] rows, double[][] components, NmfOptions options, string[]? featureNames = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var v = NmfValidation.ToMatrix(rows, "the input", featureNames);
        var h = NmfValidation.ToComponents(components, v.Cols);
        int rank = h.Rows;
        if (options.Rank is int asked && asked != rank)
        {
            throw NmfValidation.Error("NmfComponentShape", Ec2OpsErrorCategory.InvalidArgument,
                $"Rank {asked} differs from the {rank} rows of the components: a transform keeps the rank of its components.", asked,
                "Leave out the rank when passing components.");
        }

        // No initialization runs, so NNDSVD's rank limit does not apply: check as for Random.
        NmfValidation.CheckOptions(options, v, featureNames, rank, NmfInit.Random);

        var clock = Stopwatch.StartNew();
        var vt = v.Transpose();
        var w = new RowMajorMatrix(v.Rows, rank);
        if (options.Solver == NmfSolver.MultiplicativeUpdate)
        {
            // Multiplicative updates cannot move away from zero.
            Array.Fill(w.Data, Math.Sqrt(NmfInitializer.Mean(v) / rank));
        }

        _log.Verbose(Invariant($"Transforming a {v.Rows} x {v.Cols} matrix onto {rank} fixed components with solver {options.Solver}."));
        return Solve(v, vt, w, h, rank, options.Init, options, featureNames, updateH: false, clock, cancellationToken);
    }

    private NmfResult Solve(
        RowMajorMatrix v, RowMajorMatrix vt, RowMajorMatrix w, RowMajorMatrix h, int rank, NmfInit init, NmfOptions options,
        string[]? featureNames, bool updateH, Stopwatch clock, CancellationToken cancellationToken)
    {
        double beta = options.EffectiveBeta;
        var reg = NmfRegularization.Compute(v.Rows, v.Cols, options.AlphaW, options.AlphaH ?? options.AlphaW, options.L1Ratio);
        int lastPercent = -1;
        void OnIteration(int iteration)
        {
            int percent = (int)(100L * iteration / options.MaxIterations);
            if (_progress is not null && percent != lastPercent)
            {
                lastPercent = percent;
                // Iterations cost about the same, so the time so far predicts the rest.
                int remaining = (int)Math.Ceiling(clock.Elapsed.TotalSeconds / iteration * (options.MaxIterations - iteration));
                _progress.Report(new OperationProgress(Activity, Invariant($"Iteration {iteration} of at most {options.MaxIterations}"), percent, remaining));
            }
        }

        int iterations;
        bool converged;
        if (options.Solver == NmfSolver.CoordinateDescent)
        {
            var ht = h.Transpose();
            // scikit-learn draws the orders from a fresh check_random_state(random_state).
            var shuffleRandom = options.Shuffle ? NumpyRandomState.FromSeedOrEntropy(options.Seed) : null;
            (iterations, converged) = NmfCoordinateDescent.Fit(v, vt, w, ht, reg, options.MaxIterations, options.Tolerance, updateH, shuffleRandom, OnIteration, cancellationToken);
            h = ht.Transpose();
        }
        else
        {
            (iterations, converged) = NmfMultiplicativeUpdate.Fit(v, vt, w, h, beta, reg, options.MaxIterations, options.Tolerance, updateH, OnIteration, cancellationToken);
        }

        if (options.Tolerance > 0 && !converged)
        {
            // scikit-learn's ConvergenceWarning, in its words.
            _log.Warning(Invariant($"Maximum number of iterations {options.MaxIterations} reached. Increase it to improve convergence."));
        }

        double error = BetaDivergence.Error(v, w, h, beta, cancellationToken);
        clock.Stop();
        _log.Verbose(Invariant($"{iterations} iterations, reconstruction error {error:R}, {clock.Elapsed.TotalSeconds:F3} s."));
        _progress?.Report(new OperationProgress(Activity, "Done", 100));

        return new NmfResult
        {
            W = new NumberMatrix(w.ToJagged()),
            H = new NumberMatrix(h.ToJagged()),
            ReconstructionError = error,
            Iterations = iterations,
            Converged = options.Tolerance > 0 ? converged : null,
            FeatureNames = featureNames is null ? null : new ValueList(featureNames.ToArray()),
            RowCount = v.Rows,
            ColumnCount = v.Cols,
            Rank = rank,
            Solver = options.Solver.ToString(),
            Init = init.ToString(),
            BetaLoss = beta switch { 2 => nameof(NmfBetaLoss.Frobenius), 1 => nameof(NmfBetaLoss.KullbackLeibler), 0 => nameof(NmfBetaLoss.ItakuraSaito), _ => null },
            Beta = beta,
            IsTransform = !updateH,
            Elapsed = clock.Elapsed,
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
