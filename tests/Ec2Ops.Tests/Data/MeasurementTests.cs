using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Tests.Data;

public class MeasurementTests
{
    private static readonly Statistic[] All = Enum.GetValues<Statistic>();

    private static StatisticResult Measure(StatisticOptions options, IOperationLog? log, params object?[] values)
    {
        var acc = new StatisticAccumulator("Value", options);
        foreach (var v in values)
        {
            Assert.Null(acc.Add(v));
        }

        return acc.Compute(log);
    }

    [Fact]
    public void SeedSumsSkipNaNAndCountIt()
    {
        // np.nansum([1, 1, 2, 3, np.nan, 8]) == 15.0; np.sum(...) is nan.
        var r = Measure(new StatisticOptions { Statistics = All, Percentile = 95, Quantile = 0.3 }, null, 1, 1, 2, 3, double.NaN, 8);
        Assert.Equal("Value", r.Property);
        Assert.Equal(5, r.Count);
        Assert.Equal(1, r.Skipped);
        Assert.Equal(0, r.Rejected);
        Assert.Equal(15.0, r.Sum);
        Assert.Equal(3.0, r.Mean);
        Assert.Equal(2.0, r.Median);
        Assert.Equal(1.0, r.Min);
        Assert.Equal(8.0, r.Max);
        Assert.Equal(2.6076809620810595, r.Std);
        Assert.Equal(6.8, r.Var);
        Assert.Equal(48.0, r.Prod);
        Assert.Equal(6.999999999999999, r.Percentile);
        Assert.Equal(95.0, r.PercentileLevel);
        Assert.Equal(1.2, r.Quantile);
        Assert.Equal(0.3, r.QuantileLevel);
        Assert.Equal(0, r.ArgMin);
        Assert.Equal(5, r.ArgMax);
        Assert.Equal(new[] { 1.0, 2, 4, 7, 7, 15 }, r.CumSum);
        Assert.Equal(new[] { 1.0, 1, 2, 6, 6, 48 }, r.CumProd);
    }

    [Fact]
    public void PropagateNaNGivesPlainNumpy()
    {
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Count, Statistic.CumSum, Statistic.ArgMax }, PropagateNaN = true }, null,
            1, 1, 2, 3, double.NaN, 8);
        Assert.True(double.IsNaN(r.Sum!.Value));
        Assert.Equal(5, r.Count); // Count never counts NaN (pandas count)
        Assert.Equal(1, r.Skipped);
        Assert.Equal(new[] { 1.0, 2, 4, 7, double.NaN, double.NaN }, r.CumSum);
        Assert.Equal(4, r.ArgMax);
    }

    [Fact]
    public void NullAndDBNullAreMissingLikeNaN()
    {
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Mean, Statistic.ArgMax, Statistic.CumSum } }, null,
            1, null, 2, DBNull.Value, 3);
        Assert.Equal(3, r.Count);
        Assert.Equal(2, r.Skipped);
        Assert.Equal(6.0, r.Sum);
        Assert.Equal(2.0, r.Mean);
        Assert.Equal(4, r.ArgMax); // position in the input, missing values included
        Assert.Equal(new[] { 1.0, 1, 3, 3, 6 }, r.CumSum);

        var plain = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum }, PropagateNaN = true }, null, 1, null, 2);
        Assert.True(double.IsNaN(plain.Sum!.Value)); // pandas stores None in a float column as NaN
    }

    [Fact]
    public void EveryNumericTypeCounts()
    {
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Count } }, null,
            (byte)1, (sbyte)-1, (short)2, (ushort)3, 4, 5u, 6L, 7UL, 0.5f, 0.25, 1.25m, (Half)0.5, (Int128)10, new System.Numerics.BigInteger(100));
        Assert.Equal(14, r.Count);
        Assert.Equal(139.5, r.Sum);
    }

    [Fact]
    public void NumericStringsParseInvariantlyAndEmptyStringsAreMissing()
    {
        // Import-Csv gives strings: they are read as PowerShell's [double] reads them.
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Count } }, null, "1.5", " 2 ", "1e3", "", "NaN");
        Assert.Equal(3, r.Count);
        Assert.Equal(2, r.Skipped);
        Assert.Equal(1003.5, r.Sum);
    }

    [Fact]
    public void NonNumericValueIsAnErrorNamingItButKeepsTheRest()
    {
        var acc = new StatisticAccumulator("Cpu", new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.CumSum } });
        Assert.Null(acc.Add(2));
        var error = acc.Add("abc");
        var boolError = acc.Add(true); // bools are not numbers here (numpy would count True as 1)
        Assert.Null(acc.Add(3));

        Assert.NotNull(error);
        Assert.Equal("StatisticValueNotNumeric", error!.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidData, error.Category);
        Assert.Equal("abc", error.TargetObject);
        Assert.Contains("Property 'Cpu' of input 1", error.Message);
        Assert.Contains("'abc' (string)", error.Message);
        Assert.Contains("-SkipNonNumeric", error.RecommendedAction);
        Assert.Equal("StatisticValueNotNumeric", boolError!.ErrorId);

        var r = acc.Compute();
        Assert.Equal(5.0, r.Sum);
        Assert.Equal(2, r.Count);
        Assert.Equal(2, r.Rejected);
        Assert.Equal(0, r.Skipped);
        Assert.Equal(new[] { 2.0, 2, 2, 5 }, r.CumSum); // rejected values keep their positions
    }

    [Fact]
    public void SkipNonNumericLeavesThemOutQuietly()
    {
        var acc = new StatisticAccumulator(null, new StatisticOptions { Statistics = new[] { Statistic.Mean }, SkipNonNumeric = true });
        Assert.Null(acc.Add(4));
        Assert.Null(acc.Add(new object()));
        Assert.Null(acc.Add(6));
        var r = acc.Compute();
        Assert.Null(r.Property);
        Assert.Equal(5.0, r.Mean);
        Assert.Equal(1, r.Rejected);
    }

    [Fact]
    public void ErrorWithoutPropertyNamesTheInputPosition()
    {
        var acc = new StatisticAccumulator(null, new StatisticOptions());
        acc.Add(1);
        var error = acc.Add('x');
        Assert.Contains("Input value 1", error!.Message);
    }

    [Fact]
    public void AllNaNWarnsOnceAndGivesNumpysValues()
    {
        var log = new RecordingOperationLog();
        var r = Measure(new StatisticOptions { Statistics = All }, log, double.NaN, null);
        Assert.Equal(0, r.Count);
        Assert.Equal(2, r.Skipped);
        Assert.Equal(0.0, r.Sum);
        Assert.Equal(1.0, r.Prod);
        Assert.True(double.IsNaN(r.Mean!.Value));
        Assert.True(double.IsNaN(r.Median!.Value));
        Assert.True(double.IsNaN(r.Std!.Value));
        Assert.Null(r.ArgMin);
        Assert.Equal(new[] { 0.0, 0 }, r.CumSum);
        var warning = Assert.Single(log.Warnings);
        Assert.Contains("Property 'Value' has no numbers (2 missing, 0 non-numeric)", warning);
        Assert.Contains("Mean, Median, Min, Max, Std, Var, Percentile, Quantile are NaN; ArgMin, ArgMax are null", warning);
        Assert.Contains("All-NaN slice encountered", warning);
    }

    [Fact]
    public void EmptyInputWarnsEvenWithPropagateNaN()
    {
        var log = new RecordingOperationLog();
        var r = Measure(new StatisticOptions { PropagateNaN = true }, log);
        Assert.Equal(0, r.Count);
        Assert.Equal(0.0, r.Sum);
        Assert.True(double.IsNaN(r.Mean!.Value));
        Assert.Contains("has no values", Assert.Single(log.Warnings));
    }

    [Fact]
    public void OnlySumsAskedForMeansNoWarning()
    {
        var log = new RecordingOperationLog();
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum } }, log, double.NaN);
        Assert.Equal(0.0, r.Sum);
        Assert.Null(r.Mean);
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void DdofAtOrAboveCountWarns()
    {
        var log = new RecordingOperationLog();
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Std }, Ddof = 1 }, log, 5);
        Assert.True(double.IsNaN(r.Std!.Value));
        Assert.Equal(1, r.Ddof);
        Assert.Contains("Degrees of freedom <= 0", Assert.Single(log.Warnings));
    }

    [Fact]
    public void DefaultStatisticsAreCountSumMeanMedianMinMaxStd()
    {
        var r = Measure(new StatisticOptions(), null, 1, 2, 3, 4);
        Assert.Equal(4, r.Count);
        Assert.Equal(10.0, r.Sum);
        Assert.Equal(2.5, r.Mean);
        Assert.Equal(2.5, r.Median);
        Assert.Equal(1.0, r.Min);
        Assert.Equal(4.0, r.Max);
        Assert.Equal(1.118033988749895, r.Std); // np.std([1, 2, 3, 4])
        Assert.Null(r.Var);
        Assert.Null(r.Prod);
        Assert.Null(r.Percentile);
        Assert.Null(r.CumSum);
    }

    [Theory]
    [InlineData(101.0, 0.5, 0, "StatisticPercentileOutOfRange")]
    [InlineData(50.0, -0.1, 0, "StatisticQuantileOutOfRange")]
    [InlineData(50.0, 0.5, -1, "StatisticDdofNegative")]
    public void OptionsAreValidatedBeforeInput(double percentile, double quantile, int ddof, string errorId)
    {
        var options = new StatisticOptions { Percentile = percentile, Quantile = quantile, Ddof = ddof };
        var ex = Assert.Throws<Ec2OpsException>(options.Validate);
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, ex.Category);
    }

    [Fact]
    public void DisplayShowsCountsAndOnlyRequestedStatistics()
    {
        var r = Measure(new StatisticOptions { Statistics = new[] { Statistic.Sum, Statistic.Count, Statistic.Percentile, Statistic.Sum } }, null, 1, 2);
        Assert.Equal(new[] { "Property", "Count", "Skipped", "Sum", "Percentile" }, r.DisplayPropertyNames());
        Assert.Equal(new[] { "Sum", "Count", "Percentile", "Sum" }, r.Statistics);

        var acc = new StatisticAccumulator("X", new StatisticOptions { Statistics = new[] { Statistic.Mean }, SkipNonNumeric = true });
        acc.Add("x");
        Assert.Equal(new[] { "Property", "Count", "Skipped", "Rejected", "Mean" }, acc.Compute().DisplayPropertyNames());
    }

    [Fact]
    public void FlattenWalksMatricesAndJaggedArraysRowByRow()
    {
        Assert.Equal(new object?[] { 1.0, 2.0, 3.0, 4.0 }, DataValue.Flatten(new double[,] { { 1, 2 }, { 3, 4 } }));
        Assert.Equal(new object?[] { 1.0, 2.0, 3.0 }, DataValue.Flatten(new[] { new[] { 1.0 }, new[] { 2.0, 3.0 } }));
        Assert.Equal(new object?[] { "ab" }, DataValue.Flatten("ab"));
        Assert.Equal(new object?[] { null }, DataValue.Flatten(null));
        Assert.Equal(new object?[] { 1, 2 }, DataValue.Flatten(new object[] { new Box(1), new object[] { new Box(2) } }, v => v is Box b ? b.Value : v));
    }

    private sealed record Box(object Value);
}
