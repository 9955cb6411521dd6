using Ec2Ops.Core;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

public class NmfServiceTests
{
    // np.random.seed(0); np.random.randint(0, 6, (5, 4))
    private static readonly double[][] Seed =
    {
        new double[] { 4, 5, 0, 3 },
        new double[] { 3, 3, 1, 3 },
        new double[] { 5, 2, 4, 0 },
        new double[] { 0, 4, 2, 1 },
        new double[] { 0, 1, 5, 1 },
    };

    private static readonly NmfOptions Rank2 = new() { Rank = 2 };

    private static Ec2OpsException Fails(double[][] rows, NmfOptions options, string[]? names = null) =>
        Assert.Throws<Ec2OpsException>(() => new NmfService().Factorize(rows, options, names));

    [Fact]
    public void ResultCarriesShapeNamesAndReconstruction()
    {
        var names = new[] { "a", "b", "c", "d" };

        var result = new NmfService().Factorize(Seed, Rank2 with { Tolerance = 0 }, names);

        Assert.Equal((5, 4, 2), (result.RowCount, result.ColumnCount, result.Rank));
        Assert.Equal(names, result.FeatureNames);
        Assert.Equal(nameof(NmfSolver.CoordinateDescent), result.Solver);
        Assert.Equal(nameof(NmfBetaLoss.Frobenius), result.BetaLoss);
        Assert.Equal(2.0, result.Beta);
        Assert.Null(result.Converged);
        Assert.False(result.IsTransform);
        Assert.True(result.Elapsed > TimeSpan.Zero);
        var product = result.Reconstruct();
        double squared = 0;
        for (int i = 0; i < 5; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double expected = result.W[i][0] * result.H[0][j] + result.W[i][1] * result.H[1][j];
                Assert.Equal(expected, product[i][j], 1e-12);
                squared += (Seed[i][j] - product[i][j]) * (Seed[i][j] - product[i][j]);
            }
        }

        Assert.Equal(Math.Sqrt(squared), result.ReconstructionError, 1e-12);
        // The blog example's figure, scikit-learn's reconstruction_err_ for this input.
        Assert.Equal(4.270693447536778, result.ReconstructionError, 1e-9);
    }

    [Fact]
    public void RankDefaultsToColumnCount()
    {
        var result = new NmfService().Factorize(Seed, new NmfOptions { Tolerance = 0, MaxIterations = 50 });

        Assert.Equal(4, result.Rank);
        Assert.Equal(nameof(NmfInit.Nndsvda), result.Init);
    }

    [Fact]
    public void CustomBetaIsReportedWithoutName()
    {
        var result = new NmfService().Factorize(Seed, Rank2 with { Solver = NmfSolver.MultiplicativeUpdate, Beta = 1.5, MaxIterations = 20 });

        Assert.Null(result.BetaLoss);
        Assert.Equal(1.5, result.Beta);
    }

    [Fact]
    public void UnseededRandomInitStillFactors()
    {
        var result = new NmfService().Factorize(Seed, Rank2 with { Init = NmfInit.Random, Seed = null, Tolerance = 0 });

        Assert.All(result.W.SelectMany(r => r).Concat(result.H.SelectMany(r => r)), x => Assert.True(x >= 0));
        Assert.InRange(result.ReconstructionError, 4.2, 6.0);
    }

    [Fact]
    public void MultiplicativeUpdateWithNndsvdWarnsLikeScikitLearn()
    {
        var log = new RecordingOperationLog();

        new NmfService(log).Factorize(Seed, Rank2 with { Solver = NmfSolver.MultiplicativeUpdate, Init = NmfInit.Nndsvd, Tolerance = 0 });

        var warning = Assert.Single(log.Warnings);
        Assert.StartsWith("The multiplicative update solver cannot update zeros", warning);
    }

    [Fact]
    public void ConvergenceWarningWhenMaxIterationsReached()
    {
        var log = new RecordingOperationLog();

        var result = new NmfService(log).Factorize(Seed, Rank2 with { MaxIterations = 3, Tolerance = 1e-12 });

        Assert.Equal(new[] { "Maximum number of iterations 3 reached. Increase it to improve convergence." }, log.Warnings);
        Assert.False(result.Converged);
        Assert.Equal(3, result.Iterations);
    }

    [Fact]
    public void VerboseMessagesDescribeTheRun()
    {
        var log = new RecordingOperationLog();

        new NmfService(log).Factorize(Seed, Rank2 with { Tolerance = 0, MaxIterations = 50 });

        var verbose = log.Entries.Where(e => e.Level == "Verbose").Select(e => e.Message).ToArray();
        Assert.Equal("Factoring a 5 x 4 matrix with rank 2: init Nndsvda, solver CoordinateDescent, beta 2.", verbose[0]);
        Assert.StartsWith("50 iterations, reconstruction error 4.27", verbose[1]);
    }

    [Fact]
    public void ProgressRisesToOneHundred()
    {
        var reports = new List<OperationProgress>();
        var progress = new SynchronousProgress(reports.Add);

        new NmfService(progress: progress).Factorize(Seed, Rank2 with { Tolerance = 0, MaxIterations = 40 });

        Assert.Equal(Enumerable.Range(1, 40).Select(i => 100 * i / 40).Distinct().Append(100), reports.Select(r => r.PercentComplete));
        Assert.Equal("Iteration 1 of at most 40", reports[0].Status);
        Assert.Equal("Done", reports[^1].Status);
        Assert.All(reports.SkipLast(1), r => Assert.True(r.SecondsRemaining >= 0));
        Assert.Equal(0, reports[^2].SecondsRemaining);
    }

    [Fact]
    public void CancelledTokenStopsBeforeWork()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new NmfService().Factorize(Seed, Rank2, cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData(NmfSolver.CoordinateDescent)]
    [InlineData(NmfSolver.MultiplicativeUpdate)]
    public void CancellationDuringIterationsStopsPromptly(NmfSolver solver)
    {
        // 10,000 iterations would finish without error; cancelling at the first progress report
        // (iteration 1) must end the run with OperationCanceledException instead.
        using var cts = new CancellationTokenSource();
        var statuses = new List<string>();
        var progress = new SynchronousProgress(p =>
        {
            statuses.Add(p.Status);
            cts.Cancel();
        });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new NmfService(progress: progress).Factorize(Seed, Rank2 with { Solver = solver, Tolerance = 0, MaxIterations = 10_000 }, cancellationToken: cts.Token));
        Assert.Equal(new[] { "Iteration 1 of at most 10000" }, statuses);
    }

    public static TheoryData<string, double[][], NmfOptions, string> BadInputs() => new()
    {
        { "NmfEmptyInput", Array.Empty<double[]>(), Rank2, "The input has no rows" },
        { "NmfEmptyRow", new[] { new double[] { 1, 2 }, Array.Empty<double>() }, Rank2, "Row 1 of the input has no values." },
        { "NmfRaggedRow", new[] { new double[] { 1, 2 }, new double[] { 1, 2, 3 } }, Rank2, "Row 1 of the input has 3 values but row 0 has 2" },
        { "NmfNegativeValue", new[] { new double[] { 1, 2 }, new double[] { 1, -0.5 } }, Rank2, "Row 1, column 1 of the input is -0.5" },
        { "NmfNonFiniteValue", new[] { new double[] { double.PositiveInfinity, 2 }, new double[] { 1, 0 } }, Rank2, "Row 0, column 0 of the input is Infinity" },
        { "NmfInvalidRank", Seed, new NmfOptions { Rank = 0 }, "Rank 0 is not allowed" },
        { "NmfRankTooLarge", Seed, new NmfOptions { Rank = 5, Init = NmfInit.Nndsvd }, "Init Nndsvd needs a rank of at most min(rows, columns) = 4, got 5." },
        { "NmfInvalidMaxIterations", Seed, Rank2 with { MaxIterations = 0 }, "MaxIterations 0 is not allowed" },
        { "NmfInvalidTolerance", Seed, Rank2 with { Tolerance = -1 }, "Tolerance -1 is not allowed" },
        { "NmfInvalidTolerance", Seed, Rank2 with { Tolerance = double.NaN }, "Tolerance NaN is not allowed" },
        { "NmfInvalidAlpha", Seed, Rank2 with { AlphaW = -0.1 }, "AlphaW -0.1 is not allowed" },
        { "NmfInvalidAlpha", Seed, Rank2 with { AlphaH = -2 }, "AlphaH -2 is not allowed" },
        { "NmfInvalidL1Ratio", Seed, Rank2 with { L1Ratio = 1.5 }, "L1Ratio 1.5 is not allowed" },
        { "NmfInvalidSeed", Seed, Rank2 with { Seed = -1 }, "Seed -1 is not allowed" },
        { "NmfInvalidBeta", Seed, Rank2 with { Solver = NmfSolver.MultiplicativeUpdate, Beta = double.NaN }, "Beta NaN is not allowed" },
        { "NmfLossNeedsMultiplicativeUpdate", Seed, Rank2 with { BetaLoss = NmfBetaLoss.KullbackLeibler }, "The coordinate descent solver only handles the Frobenius loss (beta 2), not beta 1." },
        { "NmfZeroWithNonPositiveBeta", Seed, Rank2 with { Solver = NmfSolver.MultiplicativeUpdate, BetaLoss = NmfBetaLoss.ItakuraSaito }, "Row 0, column 2 of the input is 0, but beta 0" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsRejectedWithItsErrorId(string errorId, double[][] rows, NmfOptions options, string messageStart)
    {
        var error = Fails(rows, options);

        Assert.Equal(errorId, error.ErrorId);
        Assert.StartsWith(messageStart, error.Message);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public void BadCellMessageNamesTheFeature()
    {
        var rows = new[] { new double[] { 1, 2 }, new double[] { double.NaN, 1 } };

        var error = Fails(rows, Rank2 with { Rank = 1 }, new[] { "cpu", "mem" });

        Assert.Equal("NmfNonFiniteValue", error.ErrorId);
        Assert.Equal("Row 1, column 0 ('cpu') of the input is NaN: NMF needs finite numbers.", error.Message);
        Assert.Equal(double.NaN, error.TargetObject);
    }

    [Fact]
    public void FeatureNameCountMustMatch()
    {
        var error = Fails(Seed, Rank2, new[] { "a", "b" });

        Assert.Equal("NmfFeatureNameCount", error.ErrorId);
        Assert.Equal("There are 2 feature names for 4 columns.", error.Message);
    }

    [Fact]
    public void TransformChecksTheComponents()
    {
        var service = new NmfService();

        var wrongShape = Assert.Throws<Ec2OpsException>(() => service.Transform(Seed, new[] { new double[] { 1, 2, 3 } }, Rank2));
        var negative = Assert.Throws<Ec2OpsException>(() => service.Transform(Seed, new[] { new double[] { 1, 2, 3, -4 } }, Rank2));
        var zero = Assert.Throws<Ec2OpsException>(() => service.Transform(Seed, new[] { new double[] { 0, 0, 0, 0 } }, Rank2));
        var empty = Assert.Throws<Ec2OpsException>(() => service.Transform(Seed, Array.Empty<double[]>(), Rank2));

        Assert.Equal("NmfComponentShape", wrongShape.ErrorId);
        Assert.Equal("Component row 0 has 3 values but the input has 4 columns: H must be rank x 4.", wrongShape.Message);
        Assert.Equal("NmfNegativeValue", negative.ErrorId);
        Assert.StartsWith("Row 0, column 3 of the components is -4", negative.Message);
        Assert.Equal("NmfComponentsAllZero", zero.ErrorId);
        Assert.Equal("NmfComponentShape", empty.ErrorId);
    }

    [Fact]
    public void RegularizationScalesLikeScikitLearn()
    {
        // NMF(alpha_W=0.1, l1_ratio=0.25)._compute_regularization(np.zeros((7, 3))), alpha_H 'same' then 0.4.
        var same = NmfRegularization.Compute(7, 3, 0.1, 0.1, 0.25);
        var own = NmfRegularization.Compute(7, 3, 0.1, 0.4, 0.25);

        Assert.Equal(new NmfRegularization(0.07500000000000001, 0.17500000000000002, 0.22500000000000003, 0.525), same);
        Assert.Equal(new NmfRegularization(0.07500000000000001, 0.7000000000000001, 0.22500000000000003, 2.1), own);
    }

    [Fact]
    public void RegularizationShrinksTheFactors()
    {
        var plain = new NmfService().Factorize(Seed, Rank2 with { Tolerance = 0 });
        var l1 = new NmfService().Factorize(Seed, Rank2 with { Tolerance = 0, AlphaW = 0.5, L1Ratio = 1 });

        double Sum(NmfResult r) => r.W.SelectMany(x => x).Sum() + r.H.SelectMany(x => x).Sum();
        Assert.True(Sum(l1) < Sum(plain));
        Assert.True(l1.ReconstructionError > plain.ReconstructionError);
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<OperationProgress> report) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) => report(value);
    }
}

public class NmfOverflowTests
{
    [Theory]
    [InlineData(1e308, NmfSolver.CoordinateDescent)]
    [InlineData(1e200, NmfSolver.CoordinateDescent)]
    [InlineData(1e200, NmfSolver.MultiplicativeUpdate)]
    public void ValuesThatOverflowTheComputationAreNamedWithTheLimit(double value, NmfSolver solver)
    {
        var v = new[] { new[] { 1.0, value }, new[] { value, value } };

        var error = Assert.Throws<Ec2Ops.Core.Ec2OpsException>(() => new NmfService().Factorize(v, new NmfOptions { Rank = 1, Solver = solver }));

        Assert.Equal("NmfValueTooLarge", error.ErrorId);
        Assert.Equal(Ec2Ops.Core.Ec2OpsErrorCategory.InvalidData, error.Category);
        Assert.StartsWith($"Row 0, column 1 of the input is {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}: NMF sums squares of the values, which overflows a double above about 6.7E+150 for a 2 x 2 matrix.", error.Message);
        Assert.Equal(value, error.TargetObject);
    }

    [Theory]
    [InlineData(NmfSolver.CoordinateDescent)]
    [InlineData(NmfSolver.MultiplicativeUpdate)]
    public void ValuesJustUnderTheLimitFactor(NmfSolver solver)
    {
        double large = NmfValidation.MaxMagnitude(2, 2);
        var v = new[] { new[] { large, large / 2 }, new[] { large / 3, large } };

        var result = new NmfService().Factorize(v, new NmfOptions { Rank = 1, Solver = solver, MaxIterations = 50 });

        Assert.True(double.IsFinite(result.ReconstructionError));
        Assert.All(result.W.SelectMany(r => r), w => Assert.True(double.IsFinite(w)));
    }
}
