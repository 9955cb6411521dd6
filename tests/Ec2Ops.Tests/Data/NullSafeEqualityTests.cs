using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Tests.Data;

public class NullSafeEqualityTests
{
    private static readonly NullSafeEquality Default = new();

    // SQL: NULL IS NOT DISTINCT FROM NULL is TRUE, where NULL = NULL is UNKNOWN.
    [Fact]
    public void TruthTableOfIsNotDistinctFrom()
    {
        Assert.Equal(true, Default.Test(null, null));
        Assert.Equal(true, Default.Test(DBNull.Value, null));
        Assert.Equal(false, Default.Test(null, 1));
        Assert.Equal(false, Default.Test(1, DBNull.Value));
        Assert.Equal(true, Default.Test(1, 1));
        Assert.Equal(false, Default.Test(1, 2));
    }

    [Fact]
    public void DistinctFlipsEveryAnswer()
    {
        var distinct = new NullSafeEquality(new NotDistinctOptions { Distinct = true });
        Assert.Equal(false, distinct.Test(null, null));
        Assert.Equal(true, distinct.Test(null, 1));
        Assert.Equal(false, distinct.Test(1, 1));
        Assert.Equal(true, distinct.Test(1, 2));
        Assert.Equal(new[] { false, true }, distinct.Test(new[] { 1, 2 }, new[] { 1, 3 }));
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(1L, 1)]
    [InlineData((byte)7, 7UL)]
    [InlineData(0.5f, 0.5)]
    [InlineData(-3, -3.0f)]
    public void NumbersCompareByValueAcrossTypes(object left, object right)
    {
        Assert.Equal(true, Default.Test(left, right));
    }

    [Fact]
    public void DecimalsCompareWithIntegersAndDoubles()
    {
        Assert.Equal(true, Default.Test(1.0m, 1));
        Assert.Equal(true, Default.Test(1.00m, 1.0m));
        Assert.Equal(true, Default.Test(0.1m, 0.1)); // SQL converts NUMERIC to FLOAT
        Assert.Equal(false, Default.Test(1.5m, 1));
        Assert.Equal(false, Default.Test((Int128)1 << 100, 1m)); // beyond decimal's range
        Assert.Equal(true, Default.Test(ulong.MaxValue, (Int128)ulong.MaxValue));
        Assert.Equal(false, Default.Test(long.MaxValue, long.MaxValue - 1));
        Assert.Equal(true, Default.Test((nint)7, 7m));
        Assert.Equal(true, Default.Test(new System.Numerics.BigInteger(7), (byte)7));
    }

    [Fact]
    public void NaNIsAValueUnlessNaNIsNull()
    {
        Assert.Equal(true, Default.Test(double.NaN, double.NaN));
        Assert.Equal(true, Default.Test(double.NaN, float.NaN));
        Assert.Equal(false, Default.Test(double.NaN, null));
        Assert.Equal(false, Default.Test(double.NaN, 1.0));

        var nanIsNull = new NullSafeEquality(new NotDistinctOptions { NaNIsNull = true });
        Assert.Equal(true, nanIsNull.Test(double.NaN, null));
        Assert.Equal(true, nanIsNull.Test(DBNull.Value, float.NaN));
        Assert.Equal(false, nanIsNull.Test(double.NaN, 0.0));
    }

    [Fact]
    public void StringsAreCaseSensitiveUnlessIgnoreCase()
    {
        Assert.Equal(false, Default.Test("abc", "ABC"));
        Assert.Equal(true, Default.Test("abc", "abc"));
        Assert.Equal(true, Default.Test('a', "a"));
        var ignoreCase = new NullSafeEquality(new NotDistinctOptions { IgnoreCase = true });
        Assert.Equal(true, ignoreCase.Test("abc", "ABC"));
        Assert.Equal(false, ignoreCase.Test("abc", "abd"));
    }

    [Fact]
    public void DifferentKindsAreDistinct()
    {
        Assert.Equal(false, Default.Test("1", 1)); // no implicit string-to-number cast
        Assert.Equal(false, Default.Test(true, 1));
        Assert.Equal(true, Default.Test(true, true));
        Assert.Equal(true, Default.Test(new DateTime(2024, 1, 2), new DateTime(2024, 1, 2)));
        Assert.Equal(false, Default.Test("", null)); // an empty string is not NULL
    }

    [Fact]
    public void ListsCompareElementWise()
    {
        var result = Default.Test(new object?[] { 1, null, "a", double.NaN }, new object?[] { 1.0, null, "A", double.NaN });
        Assert.Equal(new[] { true, true, false, true }, result);
    }

    [Fact]
    public void ScalarIsBroadcastAgainstAList()
    {
        Assert.Equal(new[] { false, true, false }, Default.Test(new object?[] { 1, null, 3 }, null));
        Assert.Equal(new[] { true, false }, Default.Test(2, new[] { 2, 3 }));
    }

    [Fact]
    public void ListsOfDifferentLengthAreAnError()
    {
        var ex = Assert.Throws<Ec2OpsException>(() => Default.Test(new[] { 1, 2 }, new[] { 1, 2, 3 }));
        Assert.Equal("NotDistinctLengthMismatch", ex.ErrorId);
        Assert.Contains("Left has 2 elements and Right has 3", ex.Message);
    }

    private sealed record Row(string Name, int? Cpu, string? Zone);

    private sealed record Other(string Name, double? Cpu, string Extra);

    [Fact]
    public void RecordsCompareSharedPropertiesAndNameTheDifferentOnes()
    {
        var cmp = new NullSafeEquality();
        var same = Assert.IsType<RecordComparison>(cmp.Test(new Row("a", null, "z1"), new Row("a", null, "z1")));
        Assert.True(same.Result);
        Assert.Empty(same.DifferentProperties);
        Assert.Equal(new[] { "Name", "Cpu", "Zone" }, same.ComparedProperties);
        Assert.Equal(0, same.Index);
        Assert.Equal(NullSafeEquality.NotDistinctText, same.Test);

        var diff = Assert.IsType<RecordComparison>(cmp.Test(new Row("a", 1, "z1"), new Other("a", 2.0, "e")));
        Assert.False(diff.Result);
        Assert.Equal(new[] { "Name", "Cpu" }, diff.ComparedProperties); // shared ones only
        Assert.Equal(new[] { "Cpu" }, diff.DifferentProperties);
        Assert.Equal(1, diff.Index);

        var numericAcrossTypes = Assert.IsType<RecordComparison>(cmp.Test(new Row("a", 2, "z"), new Other("a", 2.0, "e")));
        Assert.True(numericAcrossTypes.Result);
    }

    [Fact]
    public void ChosenPropertiesOnlyAndMissingOnesAreNull()
    {
        var cmp = new NullSafeEquality(new NotDistinctOptions { Properties = new[] { "zone", "Extra" } });
        var r = Assert.IsType<RecordComparison>(cmp.Test(new Row("a", 1, null), new Row("b", 2, null)));
        Assert.True(r.Result); // Zone: NULL vs NULL; Extra: missing on both sides, so NULL vs NULL
        Assert.Equal(new[] { "zone", "Extra" }, r.ComparedProperties);

        var distinct = new NullSafeEquality(new NotDistinctOptions { Properties = new[] { "Name" }, Distinct = true });
        var d = Assert.IsType<RecordComparison>(distinct.Test(new Row("a", 1, null), new Row("b", 1, null)));
        Assert.True(d.Result);
        Assert.Equal(NullSafeEquality.DistinctText, d.Test);
        Assert.Equal(new[] { "Name" }, d.DifferentProperties);
    }

    [Fact]
    public void DictionariesAreRecordsToo()
    {
        var left = new System.Collections.Hashtable { ["Id"] = 1, ["Tags"] = new[] { "a", "b" } };
        var right = new Dictionary<string, object?> { ["id"] = 1L, ["tags"] = new[] { "a", "c" } };
        var r = Assert.IsType<RecordComparison>(Default.Test(left, right));
        Assert.Equal(new[] { "Tags" }, r.DifferentProperties.Select(n => n == "tags" ? "Tags" : n));
        Assert.False(r.Result);
    }

    [Fact]
    public void RecordAgainstNullDiffersInEveryProperty()
    {
        var r = Assert.IsType<RecordComparison>(Default.Test(new Row("a", 1, "z"), null));
        Assert.False(r.Result);
        Assert.Equal(new[] { "Name", "Cpu", "Zone" }, r.DifferentProperties);
    }

    [Fact]
    public void RecordsWithNothingInCommonAreAnError()
    {
        var ex = Assert.Throws<Ec2OpsException>(() => Default.Test(new { A = 1 }, new { B = 1 }));
        Assert.Equal("NotDistinctNoSharedProperty", ex.ErrorId);
        Assert.Contains("left: A; right: B", ex.Message);
    }

    [Fact]
    public void NestedRecordsCompareDeeply()
    {
        var left = new { Name = "x", Inner = new { Cpu = 1 } };
        var right = new { Name = "x", Inner = new { Cpu = 1.0 } };
        Assert.True(new NullSafeEquality().AreNotDistinct(left, right));
        Assert.False(new NullSafeEquality().AreNotDistinct(left, new { Name = "x", Inner = new { Cpu = 2 } }));
    }

    private sealed class Wrapper
    {
        public Wrapper(object? value) => Value = value;

        public object? Value { get; }
    }

    // A model like the cmdlet's: values arrive wrapped and Core must look through the wrapper.
    private sealed class WrappingModel : IDataObjectModel
    {
        public object? Unwrap(object? value) => value is Wrapper w ? w.Value : value;

        public IReadOnlyList<KeyValuePair<string, object?>> GetProperties(object value) => ClrDataObjectModel.Instance.GetProperties(value);

        public bool IsRecord(object? value) => ClrDataObjectModel.Instance.IsRecord(value);
    }

    [Fact]
    public void TheModelUnwrapsValuesAndListElements()
    {
        var cmp = new NullSafeEquality(model: new WrappingModel());
        Assert.Equal(true, cmp.Test(new Wrapper(1), 1.0));
        Assert.Equal(new[] { true, false }, cmp.Test(new object[] { new Wrapper("a"), new Wrapper(2) }, new object[] { "a", 3 }));
    }
}
