using Ec2Ops.Core;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

/// <summary>Every scikit-learn reference result, reproduced.</summary>
public class NmfReferenceTests
{
    [Theory]
    [InlineData("seed-5x4-rank2-nndsvd-cd")]
    [InlineData("seed-5x4-rank2-nndsvda-mu")]
    [InlineData("rand-30x12-rank4-nndsvd-cd")]
    [InlineData("rand-30x12-rank4-nndsvda-mu-kl")]
    [InlineData("rand-30x12-rank4-nndsvdar-cd-l1")]
    public void ReproducesScikitLearn(string name)
    {
        var reference = NmfReference.Load(name);

        var result = new NmfService().Factorize(reference.V, reference.Options);

        NmfAssert.SameIterations(reference, result);
        Assert.Equal(reference.Error, result.ReconstructionError, reference.Error * 1e-8);
        NmfAssert.Close(reference.W, result.W.ToArray(), 1e-8);
        NmfAssert.Close(reference.H, result.H.ToArray(), 1e-8);
    }
}

/// <summary>More scikit-learn 1.2.1 results (Reference/make_extra_cases.py wrote them; the values are committed).</summary>
public class NmfExtraCaseTests
{
    [Theory]
    [InlineData("seed-cd-regularized")]
    [InlineData("seed-mu-regularized")]
    [InlineData("rand-mu-itakura-saito")]
    [InlineData("rand-mu-beta-1.5")]
    [InlineData("rand-mu-beta-3")]
    [InlineData("rand-cd-random-init")]
    [InlineData("seed-auto-init-rank5-random")]
    [InlineData("seed-auto-init-rank2-nndsvda")]
    [InlineData("rand-cd-tol")]
    [InlineData("rand-cd-tol-loose")]
    [InlineData("rand-mu-tol")]
    [InlineData("rand-cd-not-converged")]
    [InlineData("rand-cd-shuffle")]
    [InlineData("rand-cd-shuffle-tol")]
    public void ReproducesScikitLearn(string name)
    {
        var reference = NmfReference.LoadExtra(name);
        var log = new RecordingOperationLog();

        var result = new NmfService(log).Factorize(reference.V, reference.Options);

        NmfAssert.SameIterations(reference, result);
        Assert.Equal(reference.Error, result.ReconstructionError, reference.Error * 1e-8);
        NmfAssert.Close(reference.W, result.W.ToArray(), 1e-8);
        NmfAssert.Close(reference.H, result.H.ToArray(), 1e-8);
        Assert.Equal(reference.Warnings, log.Warnings);
        Assert.Equal(reference.Options.Tolerance > 0 ? reference.Warnings.Length == 0 : null, result.Converged);
    }

    [Fact]
    public void AutoInitFollowsScikitLearnRule()
    {
        var small = NmfReference.LoadExtra("seed-auto-init-rank5-random");
        var fit = NmfReference.LoadExtra("seed-auto-init-rank2-nndsvda");

        Assert.Equal(nameof(NmfInit.Random), new NmfService().Factorize(small.V, small.Options).Init);
        Assert.Equal(nameof(NmfInit.Nndsvda), new NmfService().Factorize(fit.V, fit.Options).Init);
        Assert.Equal(NmfInit.Nndsvda, NmfInitializer.Resolve(NmfInit.Auto, 4, 4, 9));
        Assert.Equal(NmfInit.Random, NmfInitializer.Resolve(NmfInit.Auto, 5, 4, 9));
        Assert.Equal(NmfInit.Nndsvd, NmfInitializer.Resolve(NmfInit.Nndsvd, 2, 4, 9));
    }

    [Fact]
    public void RandomizedSvdPathMatchesScikitLearn()
    {
        // 40 x 60 with rank 3: 3 + 10 oversamples < 40, so both sides use a randomized SVD. The
        // Gaussian test matrix is numpy's, so the sampled subspace is the same; scikit-learn
        // normalizes power steps with LU, this port with Gram-Schmidt, which spans the same space.
        var reference = NmfReference.LoadExtra("wide-cd-randomized-svd");

        var result = new NmfService().Factorize(reference.V, reference.Options);

        Assert.Equal(reference.Error, result.ReconstructionError, reference.Error * 1e-8);
        NmfAssert.Close(reference.W, result.W.ToArray(), 1e-8);
        NmfAssert.Close(reference.H, result.H.ToArray(), 1e-8);
    }

    [Theory]
    [InlineData("seed-cd-transform")]
    [InlineData("seed-mu-transform")]
    public void TransformMatchesScikitLearn(string name)
    {
        var reference = NmfReference.LoadExtra(name);
        var service = new NmfService();
        var fit = service.Factorize(reference.V, reference.Options);

        var transformed = service.Transform(reference.TransformV!, fit.H.ToArray(), reference.Options);

        NmfAssert.Close(reference.TransformW!, transformed.W.ToArray(), 1e-8);
        Assert.True(transformed.IsTransform);
        Assert.Equal(fit.H, transformed.H);
        Assert.Equal(3, transformed.RowCount);
        Assert.Equal(2, transformed.Rank);
    }
}

internal static class NmfAssert
{
    /// <summary>
    /// The iteration count must match, with one exception: with tol = 0 coordinate descent stops
    /// only when the violation is exactly zero, i.e. at a fixed point. Whether rounding noise sums
    /// to exactly zero there depends on summation order (SIMD width), so an earlier stop is accepted
    /// for that case; the W, H and error checks then show the same fixed point was reached.
    /// </summary>
    public static void SameIterations(NmfReference reference, NmfResult result)
    {
        bool fixedPointEarly = reference.Options.Tolerance == 0 && reference.Options.Solver == NmfSolver.CoordinateDescent
            && result.Iterations < reference.Iterations;
        if (!fixedPointEarly)
        {
            Assert.Equal(reference.Iterations, result.Iterations);
        }
    }

    /// <summary>Every entry within relTol of the largest entry of the expected matrix.</summary>
    public static void Close(double[][] expected, double[][] actual, double relTol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.SelectMany(r => r).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int j = 0; j < expected[i].Length; j++)
            {
                double diff = Math.Abs(expected[i][j] - actual[i][j]);
                Assert.True(diff <= relTol * Math.Max(scale, 1e-300), $"[{i}][{j}]: expected {expected[i][j]:R}, got {actual[i][j]:R} (diff {diff:E2})");
            }
        }
    }
}
