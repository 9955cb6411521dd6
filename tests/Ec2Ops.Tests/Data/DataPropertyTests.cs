using Ec2Ops.Core.Data;
using FsCheck;
using FsCheck.Fluent;

namespace Ec2Ops.Tests.Data;

// Properties that hold for any input FsCheck generates.
public class DataPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static Arbitrary<double[]> FiniteArrays() =>
        Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 64.0).ArrayOf().ToArbitrary();

    private static Arbitrary<(double[] Values, bool[] Condition)> ArraysWithMasks() =>
        Gen.Choose(0, 30).SelectMany(n => Gen.Zip(
            Gen.Choose(-1000, 1000).Select(i => (double)i).ArrayOf(n),
            ArbMap.Default.GeneratorFor<bool>().ArrayOf(n)))
        .ToArbitrary();

    [Fact]
    public void WhereThenMaskWithTheSameConditionIsTheIdentityOnKeptValues()
    {
        // where(cond, other) keeps x where cond; mask(cond, other) replaces exactly there, so
        // applying both leaves every cond-true value as it was and every other value as "other".
        Prop.ForAll(ArraysWithMasks(), input =>
        {
            var (values, condition) = input;
            var where = ConditionalReplacer.Where(ElementCondition.FromValue(condition), ElementValue.Keep, ElementValue.FromValue(-0.5, "Else"));
            var mask = ConditionalReplacer.Mask(ElementCondition.FromValue(condition), ElementValue.FromValue(-0.5, "Value"));
            var kept = values.Select(v => where.ReplaceScalar(v)).ToArray();
            var masked = kept.Select(v => mask.ReplaceScalar(v)).ToArray();
            return values.Select((v, i) => condition[i] ? Equals(kept[i], v) && Equals(masked[i], -0.5) : Equals(masked[i], -0.5) && Equals(kept[i], -0.5)).All(b => b);
        }).Check(Runs);
    }

    [Fact]
    public void WhereWithTheMaskedValuesAsElseGivesBackTheInput()
    {
        // x.where(c, x.mask(c, y)) == x: where c holds Where keeps x, where it does not Mask kept x.
        Prop.ForAll(ArraysWithMasks(), input =>
        {
            var (values, condition) = input;
            var mask = ConditionalReplacer.Mask(ElementCondition.FromValue(condition), ElementValue.FromValue(double.NaN, "Value"));
            var masked = values.Select(v => mask.ReplaceScalar(v)).ToArray();
            var where = ConditionalReplacer.Where(ElementCondition.FromValue(condition), ElementValue.Keep, ElementValue.FromValue(masked, "Else"));
            return values.Select(v => where.ReplaceScalar(v)).SequenceEqual(values.Cast<object?>());
        }).Check(Runs);
    }

    [Fact]
    public void WhereAndMaskAreComplementsOnMatrices()
    {
        // np.where(c, A, B) and mask(c, B) on A agree cell by cell.
        Prop.ForAll(ArraysWithMasks(), input =>
        {
            var (values, condition) = input;
            int n = values.Length;
            var a = new double[1, n];
            var b = new double[1, n];
            var c = new bool[1, n];
            for (int i = 0; i < n; i++)
            {
                a[0, i] = values[i];
                b[0, i] = values[i] + 1;
                c[0, i] = !condition[i]; // where keeps A where the mask does not replace it
            }

            var where = (double[,])ConditionalReplacer.Where(ElementCondition.FromValue(c), ElementValue.Keep, ElementValue.FromValue(b, "Else")).ReplaceMatrix(a);
            var mask = (double[,])ConditionalReplacer.Mask(ElementCondition.FromValue(AsRow(condition)), ElementValue.FromValue(b, "Value")).ReplaceMatrix(a);
            return where.Cast<double>().SequenceEqual(mask.Cast<double>());
        }).Check(Runs);
    }

    private static bool[,] AsRow(bool[] row)
    {
        var m = new bool[1, row.Length];
        for (int i = 0; i < row.Length; i++)
        {
            m[0, i] = row[i];
        }

        return m;
    }

    [Fact]
    public void NanStatisticsEqualPlainStatisticsOnNaNFreeData()
    {
        Prop.ForAll(FiniteArrays(), a =>
            NanStatistics.NanSum(a).Equals(NanStatistics.Sum(a))
            && NanStatistics.NanMean(a).Equals(NanStatistics.Mean(a))
            && NanStatistics.NanVar(a, 0).Equals(NanStatistics.Var(a, 0))
            && NanStatistics.NanStd(a, 1).Equals(NanStatistics.Std(a, 1))
            && NanStatistics.NanMedian(a).Equals(NanStatistics.Median(a))
            && NanStatistics.NanPercentile(a, 95).Equals(NanStatistics.Percentile(a, 95))
            && NanStatistics.NanMin(a).Equals(NanStatistics.Min(a))
            && NanStatistics.NanMax(a).Equals(NanStatistics.Max(a))
            && NanStatistics.NanProd(a).Equals(NanStatistics.Prod(a))
            && NanStatistics.NanArgMin(a) == NanStatistics.ArgMin(a)
            && NanStatistics.NanArgMax(a) == NanStatistics.ArgMax(a)
            && NanStatistics.NanCumSum(a).SequenceEqual(NanStatistics.CumSum(a))
            && NanStatistics.NanCumProd(a).SequenceEqual(NanStatistics.CumProd(a)))
        .Check(Runs);
    }

    [Fact]
    public void NanStatisticsIgnoreInsertedNaNs()
    {
        // Inserting NaNs anywhere changes no order-free nan-statistic (sums may regroup, so compare closely).
        Prop.ForAll(FiniteArrays(), Gen.Choose(0, 5).ToArbitrary(), (a, every) =>
        {
            var withNaN = a.SelectMany((v, i) => every > 0 && i % every == 0 ? new[] { double.NaN, v } : new[] { v }).ToArray();
            return NanStatistics.CountNonNaN(withNaN) == a.Length
                && Close(NanStatistics.NanSum(withNaN), NanStatistics.Sum(a))
                && NanStatistics.NanMedian(withNaN).Equals(NanStatistics.Median(a))
                && NanStatistics.NanPercentile(withNaN, 30).Equals(NanStatistics.Percentile(a, 30))
                && NanStatistics.NanMax(withNaN).Equals(NanStatistics.Max(a));
        }).Check(Runs);
    }

    [Fact]
    public void PercentileLiesBetweenMinAndMaxAndIsMonotone()
    {
        Prop.ForAll(FiniteArrays(), Gen.Choose(0, 100).ToArbitrary(), (a, p) =>
        {
            if (a.Length == 0)
            {
                return double.IsNaN(NanStatistics.Percentile(a, p));
            }

            double v = NanStatistics.Percentile(a, p);
            double next = NanStatistics.Percentile(a, Math.Min(100, p + 1));
            return v >= NanStatistics.Min(a) && v <= NanStatistics.Max(a) && next >= v;
        }).Check(Runs);
    }

    [Fact]
    public void NotDistinctIsReflexiveSymmetricAndDistinctIsItsNegation()
    {
        var values = Gen.OneOf(
            Gen.Constant<object?>(null),
            Gen.Constant<object?>(DBNull.Value),
            Gen.Choose(-3, 3).Select(i => (object?)i),
            Gen.Choose(-3, 3).Select(i => (object?)(double)i),
            Gen.Choose(-3, 3).Select(i => (object?)(decimal)i),
            Gen.Elements<object?>("a", "A", "b", double.NaN)).ToArbitrary();
        var same = new NullSafeEquality();
        var distinct = new NullSafeEquality(new NotDistinctOptions { Distinct = true });
        Prop.ForAll(values, values, (x, y) =>
            (bool)same.Test(x, x)
            && (bool)same.Test(x, y) == (bool)same.Test(y, x)
            && (bool)distinct.Test(x, y) == !(bool)same.Test(x, y))
        .Check(Runs);
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(b));
}
