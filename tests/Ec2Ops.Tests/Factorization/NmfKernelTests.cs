using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

public class NmfKernelTests
{
    private static RowMajorMatrix Random(int rows, int cols, uint seed)
    {
        var rng = new NumpyRandomState(seed);
        var m = new RowMajorMatrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
        {
            m.Data[i] = rng.NextDouble();
        }

        return m;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(7, 13, 6)]
    [InlineData(9, 16, 4)]
    [InlineData(64, 203, 10)]
    [InlineData(300, 257, 21)] // large enough to run in parallel, with edges in every direction
    public void DotRowsEqualsNaiveProduct(int p, int q, int s)
    {
        var a = Random(p, q, 1);
        var b = Random(s, q, 2);

        // Both the AVX-512 kernel (where the CPU has it) and the portable one other CPUs run.
        foreach (bool allowAvx512 in new[] { true, false })
        {
            AssertProduct(a, b, NmfKernels.DotRows(a, b, allowAvx512: allowAvx512));
        }
    }

    private static void AssertProduct(RowMajorMatrix a, RowMajorMatrix b, RowMajorMatrix c)
    {
        int p = a.Rows, q = a.Cols, s = b.Rows;

        for (int i = 0; i < p; i++)
        {
            for (int r = 0; r < s; r++)
            {
                double expected = 0;
                for (int j = 0; j < q; j++)
                {
                    expected += a[i, j] * b[r, j];
                }

                Assert.Equal(expected, c[i, r], 1e-12 * q);
            }
        }
    }

    [Theory]
    [InlineData(3, 2, 5)]
    [InlineData(40, 7, 100)]
    [InlineData(500, 12, 300)]
    public void MultiplyAndErrorEqualNaive(int p, int k, int q)
    {
        var a = Random(p, k, 3);
        var b = Random(k, q, 4);
        var v = Random(p, q, 5);

        var c = NmfKernels.Multiply(a, b);
        double error = NmfKernels.FrobeniusErrorSquared(v, a, b);

        double expectedError = 0;
        for (int i = 0; i < p; i++)
        {
            for (int j = 0; j < q; j++)
            {
                double expected = 0;
                for (int r = 0; r < k; r++)
                {
                    expected += a[i, r] * b[r, j];
                }

                Assert.Equal(expected, c[i, j], 1e-12 * k);
                expectedError += (v[i, j] - expected) * (v[i, j] - expected);
            }
        }

        Assert.Equal(expectedError, error, expectedError * 1e-12);
    }

    [Fact]
    public void TransposeSwapsIndexes()
    {
        var m = Random(37, 45, 6);

        var t = m.Transpose();

        Assert.Equal((45, 37), (t.Rows, t.Cols));
        Assert.Equal(m[36, 44], t[44, 36]);
        Assert.Equal(m[5, 33], t[33, 5]);
    }

    [Fact]
    public void RandomStateMatchesNumpy()
    {
        // numpy 1.24: RandomState(0).rand(3), then .standard_normal(3) from the same state.
        var rng = new NumpyRandomState(0);
        Assert.Equal(0.5488135039273248, rng.NextDouble());
        Assert.Equal(0.7151893663724195, rng.NextDouble());
        Assert.Equal(0.6027633760716439, rng.NextDouble());
        Assert.Equal(-2.268328201180374, rng.NextGaussian());
        Assert.Equal(1.3335453816218967, rng.NextGaussian());
        Assert.Equal(-0.8427240538292873, rng.NextGaussian());

        // RandomState(0).standard_normal(3) and randint(0, 2**32, 2, dtype=np.uint32).
        var fresh = new NumpyRandomState(0);
        Assert.Equal(new[] { 1.764052345967664, 0.4001572083672233, 0.9787379841057392 }, new[] { fresh.NextGaussian(), fresh.NextGaussian(), fresh.NextGaussian() });
        var raw = new NumpyRandomState(0);
        Assert.Equal(new[] { 2357136044u, 2546248239u }, new[] { raw.NextUInt32(), raw.NextUInt32() });
    }

    [Fact]
    public void PermutationMatchesNumpy()
    {
        // RandomState(0).permutation(10); RandomState(3).permutation(4) twice, then permutation(7).
        Assert.Equal(new[] { 2, 8, 4, 9, 1, 6, 7, 3, 0, 5 }, new NumpyRandomState(0).Permutation(10));
        var rng = new NumpyRandomState(3);
        Assert.Equal(new[] { 3, 1, 0, 2 }, rng.Permutation(4));
        Assert.Equal(new[] { 1, 2, 0, 3 }, rng.Permutation(4));
        Assert.Equal(new[] { 6, 4, 1, 2, 3, 5, 0 }, rng.Permutation(7));
    }
}
