using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Tests.Data;

// Expected values were computed with numpy 1.24.2 (Debian's /usr/bin/python3) and are committed
// as literals; the tests never call Python. Exact equality is used where numpy's algorithm is
// reproduced step by step, so a change in summation order shows up here.
public class NanStatisticsTests
{
    // The seed: np.nansum([1, 1, 2, 3, np.nan, 8]) and friends.
    private static readonly double[] Seed = { 1, 1, 2, 3, double.NaN, 8 };

    [Fact]
    public void SeedNanFunctionsMatchNumpy()
    {
        Assert.Equal(15.0, NanStatistics.NanSum(Seed));
        Assert.Equal(3.0, NanStatistics.NanMean(Seed));
        Assert.Equal(2.0, NanStatistics.NanMedian(Seed));
        Assert.Equal(1.0, NanStatistics.NanMin(Seed));
        Assert.Equal(8.0, NanStatistics.NanMax(Seed));
        Assert.Equal(2.6076809620810595, NanStatistics.NanStd(Seed, 0));
        Assert.Equal(6.8, NanStatistics.NanVar(Seed, 0));
        Assert.Equal(2.9154759474226504, NanStatistics.NanStd(Seed, 1)); // pandas' default std (ddof=1)
        Assert.Equal(8.5, NanStatistics.NanVar(Seed, 1));
        Assert.Equal(48.0, NanStatistics.NanProd(Seed));
        Assert.Equal(0, NanStatistics.NanArgMin(Seed));
        Assert.Equal(5, NanStatistics.NanArgMax(Seed));
        Assert.Equal(new[] { 1.0, 2, 4, 7, 7, 15 }, NanStatistics.NanCumSum(Seed));
        Assert.Equal(new[] { 1.0, 1, 2, 6, 6, 48 }, NanStatistics.NanCumProd(Seed));
        Assert.Equal(6.999999999999999, NanStatistics.NanPercentile(Seed, 95)); // numpy's _lerp, to the bit
        Assert.Equal(1.2, NanStatistics.NanQuantile(Seed, 0.3));
        Assert.Equal(5, NanStatistics.CountNonNaN(Seed));
    }

    [Fact]
    public void SeedPlainFunctionsPropagateNaN()
    {
        Assert.True(double.IsNaN(NanStatistics.Sum(Seed)));
        Assert.True(double.IsNaN(NanStatistics.Mean(Seed)));
        Assert.True(double.IsNaN(NanStatistics.Median(Seed)));
        Assert.True(double.IsNaN(NanStatistics.Min(Seed)));
        Assert.True(double.IsNaN(NanStatistics.Max(Seed)));
        Assert.True(double.IsNaN(NanStatistics.Var(Seed, 0)));
        Assert.True(double.IsNaN(NanStatistics.Percentile(Seed, 50)));
        Assert.True(double.IsNaN(NanStatistics.Prod(Seed)));
        Assert.Equal(new[] { 1.0, 2, 4, 7, double.NaN, double.NaN }, NanStatistics.CumSum(Seed));
        Assert.Equal(4, NanStatistics.ArgMin(Seed)); // np.argmin returns the first NaN's index
        Assert.Equal(4, NanStatistics.ArgMax(Seed));
    }

    // 1000 values x_i = ((i * 7919) % 1009) / 13 - 37, every 17th replaced by NaN: large enough
    // for numpy's pairwise summation to split, and exactly representable the same way in both.
    private static double[] Formula(bool withNaN)
    {
        var x = new double[1000];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ((i * 7919) % 1009) / 13.0 - 37.0;
            if (withNaN && i % 17 == 0)
            {
                x[i] = double.NaN;
            }
        }

        return x;
    }

    [Fact]
    public void PairwiseSumMatchesNumpyBitForBitWhereNaiveSumDoesNot()
    {
        var y = Formula(withNaN: false);
        Assert.Equal(1821.3846153846152, NanStatistics.Sum(y));
        Assert.Equal(1821.3846153846155, y.Aggregate(0.0, (s, v) => s + v)); // Python's sum(): left to right
        Assert.Equal(1.8213846153846152, NanStatistics.Mean(y));
        Assert.Equal(502.3083332307693, NanStatistics.Var(y, 0));
        Assert.Equal(22.423450768673952, NanStatistics.Std(y, 1));
        Assert.Equal(1.8846153846153832, NanStatistics.Median(y));
        Assert.Equal(36.69615384615384, NanStatistics.Percentile(y, 95));
        Assert.Equal(-17.55769230769231, NanStatistics.Quantile(y, 0.25));
    }

    [Fact]
    public void LargeNanInputMatchesNumpy()
    {
        var x = Formula(withNaN: true);
        Assert.Equal(941, NanStatistics.CountNonNaN(x));
        Assert.Equal(1723.6923076923076, NanStatistics.NanSum(x));
        Assert.Equal(1.8317665331480422, NanStatistics.NanMean(x));
        Assert.Equal(501.99298921472086, NanStatistics.NanVar(x, 0));
        Assert.Equal(22.417114540226407, NanStatistics.NanStd(x, 1));
        Assert.Equal(1.9230769230769198, NanStatistics.NanMedian(x));
        Assert.Equal(36.61538461538461, NanStatistics.NanPercentile(x, 95));
        Assert.Equal(-11.075384615384616, NanStatistics.NanPercentile(x, 33.3));
        Assert.Equal(40.389230769230764, NanStatistics.NanQuantile(x, 0.999));
        Assert.Equal(244, NanStatistics.NanArgMin(x));
        Assert.Equal(521, NanStatistics.NanArgMax(x));
        Assert.Equal(-36.92307692307692, NanStatistics.NanMin(x));
        Assert.Equal(40.46153846153847, NanStatistics.NanMax(x));
        Assert.Equal(1723.6923076923076, NanStatistics.NanCumSum(x)[^1]);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(25.0, 2.25)]
    [InlineData(50.0, 3.5)]
    [InlineData(95.0, 9.25)]
    [InlineData(100.0, 10.0)]
    [InlineData(33.3, 2.665)]
    public void PercentileUsesLinearInterpolation(double p, double expected)
    {
        Assert.Equal(expected, NanStatistics.Percentile(new[] { 10.0, 7, 4, 3, 2, 1 }, p));
    }

    [Fact]
    public void MedianOfEvenCountIsMeanOfMiddleTwo()
    {
        Assert.Equal(2.5, NanStatistics.Median(new[] { 4.0, 1, 3, 2 }));
        Assert.Equal(2.5, NanStatistics.NanMedian(new[] { 4.0, 1, double.NaN, 3, 2 }));
        Assert.Equal(3.0, NanStatistics.NanMedian(new[] { 5.0, 1, 3 }));
    }

    [Fact]
    public void ArgMinAndArgMaxTakeTheFirstOfTiesAndIndexTheFullInput()
    {
        double[] a = { 3, 1, double.NaN, 1, 5, 5 };
        Assert.Equal(1, NanStatistics.NanArgMin(a));
        Assert.Equal(4, NanStatistics.NanArgMax(a));
    }

    [Fact]
    public void DdofChangesTheDivisor()
    {
        double[] a = { 2, 4, 4, 4, 5, 5, 7, 9 };
        Assert.Equal(2.0, NanStatistics.NanStd(a, 0));
        Assert.Equal(4.571428571428571, NanStatistics.NanVar(a, 1));

        // numpy divides by max(n - ddof, 0): np.var([1, 2], ddof=2) is inf; nanvar gives NaN.
        Assert.Equal(double.PositiveInfinity, NanStatistics.Var(new[] { 1.0, 2 }, 2));
        Assert.True(double.IsNaN(NanStatistics.NanVar(new[] { 1.0, 2 }, 2)));
    }

    [Fact]
    public void ProductsTreatNaNAsOne()
    {
        double[] a = { 1.5, double.NaN, -2, 4 };
        Assert.Equal(-12.0, NanStatistics.NanProd(a));
        Assert.Equal(new[] { 1.5, 1.5, -3, -12 }, NanStatistics.NanCumProd(a));
        Assert.Equal(new[] { 1.5, double.NaN, double.NaN, double.NaN }, NanStatistics.CumProd(a));
    }

    [Fact]
    public void AllNaNGivesNumpysFallbacks()
    {
        double[] a = { double.NaN, double.NaN };
        Assert.Equal(0.0, NanStatistics.NanSum(a));
        Assert.Equal(1.0, NanStatistics.NanProd(a));
        Assert.True(double.IsNaN(NanStatistics.NanMean(a)));
        Assert.True(double.IsNaN(NanStatistics.NanMin(a)));
        Assert.True(double.IsNaN(NanStatistics.NanMax(a)));
        Assert.True(double.IsNaN(NanStatistics.NanMedian(a)));
        Assert.True(double.IsNaN(NanStatistics.NanStd(a, 0)));
        Assert.True(double.IsNaN(NanStatistics.NanPercentile(a, 50)));
        Assert.Null(NanStatistics.NanArgMin(a)); // numpy raises "All-NaN slice encountered"
        Assert.Null(NanStatistics.NanArgMax(a));
        Assert.Equal(new[] { 0.0, 0.0 }, NanStatistics.NanCumSum(a));
    }

    [Fact]
    public void EmptyInputBehavesLikeAllNaN()
    {
        double[] a = Array.Empty<double>();
        Assert.Equal(0.0, NanStatistics.Sum(a));
        Assert.True(double.IsNaN(NanStatistics.Mean(a)));
        Assert.True(double.IsNaN(NanStatistics.Min(a)));
        Assert.Null(NanStatistics.ArgMax(a));
        Assert.Empty(NanStatistics.CumSum(a));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void PercentileOutsideRangeIsRejected(double p)
    {
        var ex = Assert.Throws<Ec2OpsException>(() => NanStatistics.NanPercentile(new[] { 1.0 }, p));
        Assert.Equal("StatisticPercentileOutOfRange", ex.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, ex.Category);
    }

    [Fact]
    public void QuantileOutsideRangeIsRejected()
    {
        var ex = Assert.Throws<Ec2OpsException>(() => NanStatistics.Quantile(new[] { 1.0 }, 1.5));
        Assert.Equal("StatisticQuantileOutOfRange", ex.ErrorId);
        Assert.Contains("1.5", ex.Message);
    }
}

// The README's and the Pester files' numbers, held here so they cannot drift from Core.
public class DocumentedExampleTests
{
    [Fact]
    public void PercentileOfOneToTenMatchesNumpy()
    {
        // np.percentile(np.arange(1, 11), 95) == 9.549999999999999
        Assert.Equal(9.549999999999999, NanStatistics.Percentile(Enumerable.Range(1, 10).Select(i => (double)i).ToArray(), 95));
    }

    [Fact]
    public void CsvColumnsWithEmptyCells()
    {
        var cpu = new StatisticAccumulator("Cpu", new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Median } });
        var mem = new StatisticAccumulator("Mem", new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Median } });
        foreach (var (c, m) in new[] { ("10", ""), ("20", "512"), ("", "1024") })
        {
            Assert.Null(cpu.Add(c));
            Assert.Null(mem.Add(m));
        }

        var rc = cpu.Compute();
        var rm = mem.Compute();
        Assert.Equal((30.0, 1, 15.0), (rc.Sum!.Value, rc.Skipped, rc.Median!.Value));
        Assert.Equal((1536.0, 768.0), (rm.Sum!.Value, rm.Median!.Value));
    }

    [Fact]
    public void CsvDiffOfStringRows()
    {
        static Dictionary<string, object?> Row(string id, string name, string zone) => new() { ["Id"] = id, ["Name"] = name, ["Zone"] = zone };
        var oldRows = new[] { Row("1", "web", "us-east-1a"), Row("2", "db", ""), Row("3", "cache", "us-east-1c") };
        var newRows = new[] { Row("1", "web", "us-east-1b"), Row("2", "db", ""), Row("3", "Cache", "us-east-1c") };
        var cmp = new NullSafeEquality();
        var results = oldRows.Zip(newRows, (l, r) => Assert.IsType<RecordComparison>(cmp.Test(l, r))).ToList();
        Assert.Equal(new[] { false, true, false }, results.Select(r => r.Result));
        Assert.Equal(new[] { "Zone" }, results[0].DifferentProperties);
        Assert.Equal(new[] { "Name" }, results[2].DifferentProperties);
        Assert.Equal(new long[] { 0, 1, 2 }, results.Select(r => r.Index));

        var ignoreCase = new NullSafeEquality(new NotDistinctOptions { IgnoreCase = true, Properties = new[] { "Name" } });
        Assert.All(oldRows.Zip(newRows, ignoreCase.Test), r => Assert.True(((RecordComparison)r).Result));
    }
}
