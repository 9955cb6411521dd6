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

        Assert.Equal(reference.Iterations, result.Iterations);
        Assert.Equal(reference.Error, result.ReconstructionError, reference.Error * 1e-8);
        NmfAssert.Close(reference.W, result.W, 1e-8);
        NmfAssert.Close(reference.H, result.H, 1e-8);
    }
}

internal static class NmfAssert
{
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
