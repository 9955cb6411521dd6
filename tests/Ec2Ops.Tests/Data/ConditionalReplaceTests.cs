using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Tests.Data;

// Expected values from pandas 1.5.3 / numpy 1.24.2, committed as literals.
public class ConditionalReplaceTests
{
    private static KeyValuePair<string, object?> P(string name, object? value) => new(name, value);

    private static IReadOnlyList<KeyValuePair<string, object?>> Row(int a, int b) => new[] { P("A", a), P("B", b) };

    private static readonly ElementCondition MultipleOfThree = ElementCondition.FromPredicate(v => (int)v! % 3 == 0);

    private static readonly ElementValue Negate = ElementValue.Computed(v => -(int)v!);

    [Fact]
    public void SeedDataFrameWhere()
    {
        // df = pd.DataFrame(np.arange(10).reshape(-1, 2), columns=['A', 'B']); m = df % 3 == 0
        // df.where(m, -df) ->  A: 0 -2 -4 6 -8   B: -1 3 -5 -7 9
        var where = ConditionalReplacer.Where(MultipleOfThree, ElementValue.Keep, Negate);
        var rows = Enumerable.Range(0, 5).Select(i => where.ReplaceProperties(Row(2 * i, (2 * i) + 1), new[] { "A", "B" })).ToList();
        Assert.Equal(new object?[] { 0, -2, -4, 6, -8 }, rows.Select(r => r[0].Value));
        Assert.Equal(new object?[] { -1, 3, -5, -7, 9 }, rows.Select(r => r[1].Value));
        Assert.All(rows, r => Assert.Equal(new[] { "A", "B" }, r.Select(p => p.Key)));
    }

    [Fact]
    public void SeedDataFrameMask()
    {
        // df.mask(m, -df) ->  A: 0 2 4 -6 8   B: 1 -3 5 7 -9
        var mask = ConditionalReplacer.Mask(MultipleOfThree, Negate);
        var rows = Enumerable.Range(0, 5).Select(i => mask.ReplaceProperties(Row(2 * i, (2 * i) + 1), new[] { "A", "B" })).ToList();
        Assert.Equal(new object?[] { 0, 2, 4, -6, 8 }, rows.Select(r => r[0].Value));
        Assert.Equal(new object?[] { 1, -3, 5, 7, -9 }, rows.Select(r => r[1].Value));
    }

    [Fact]
    public void OnlyChosenPropertiesAreReplacedAndNamesMatchIgnoringCase()
    {
        var where = ConditionalReplacer.Where(MultipleOfThree, ElementValue.Keep, ElementValue.FromValue(0, "Else"));
        var replaced = where.ReplaceProperties(new[] { P("Name", "x"), P("Score", 7) }, new[] { "score" });
        var only = Assert.Single(replaced);
        Assert.Equal("Score", only.Key); // the object's own spelling
        Assert.Equal(0, only.Value);
    }

    [Fact]
    public void MissingPropertyIsAnErrorNamingIt()
    {
        var where = ConditionalReplacer.Where(MultipleOfThree, ElementValue.Keep, Negate);
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceProperties(Row(1, 2), new[] { "C" }));
        Assert.Equal("DataPropertyNotFound", ex.ErrorId);
        Assert.Contains("'C'", ex.Message);
        Assert.Contains("A, B", ex.Message);
        Assert.Equal(1, where.Position); // the bad row still counts, so masks stay aligned
    }

    [Fact]
    public void SeedPassFail()
    {
        // np.where(scores >= 60, 'pass', 'fail') for [45, 60, 72, 59, 88]
        var where = ConditionalReplacer.Where(
            ElementCondition.FromPredicate(v => Convert.ToDouble(v) >= 60),
            ElementValue.FromValue("pass", "Then"),
            ElementValue.FromValue("fail", "Else"));
        var result = new object?[] { 45, 60, 72, 59, 88 }.Select(where.ReplaceScalar).ToArray();
        Assert.Equal(new object?[] { "fail", "pass", "pass", "fail", "pass" }, result);
        Assert.Equal(5, where.Position);
    }

    [Fact]
    public void BoolListConditionMatchesByPosition()
    {
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(new object[] { true, false, true }), ElementValue.Keep, ElementValue.FromValue(null, "Else"));
        Assert.Equal(1, where.ReplaceScalar(1));
        Assert.Null(where.ReplaceScalar(2));
        Assert.Equal(3, where.ReplaceScalar(3));
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceScalar(4));
        Assert.Equal("WhereMaskTooShort", ex.ErrorId);
        Assert.Contains("3 values", ex.Message);
        Assert.Contains("element 3", ex.Message);
    }

    [Fact]
    public void ValueListsMatchByPositionAsNpWhereDoes()
    {
        // np.where([True, False, True], [1, 2, 3], [10, 20, 30]) -> [1, 20, 3]
        var where = ConditionalReplacer.Where(
            ElementCondition.FromValue(new[] { true, false, true }),
            ElementValue.FromValue(new[] { 1, 2, 3 }, "Then"),
            ElementValue.FromValue(new[] { 10, 20, 30 }, "Else"));
        Assert.Equal(new object?[] { 1, 20, 3 }, new object?[] { "a", "b", "c" }.Select(where.ReplaceScalar));

        var shortList = ConditionalReplacer.Mask(ElementCondition.FromValue(true), ElementValue.FromValue(new[] { 1 }, "Value"));
        shortList.ReplaceScalar(0);
        Assert.Equal("WhereValueListTooShort", Assert.Throws<Ec2OpsException>(() => shortList.ReplaceScalar(0)).ErrorId);
    }

    [Fact]
    public void ConstantConditionAppliesToEveryElement()
    {
        var mask = ConditionalReplacer.Mask(ElementCondition.FromValue(true), ElementValue.FromValue(-1, "Value"));
        Assert.Equal(-1, mask.ReplaceScalar(5));
        var keep = ConditionalReplacer.Mask(ElementCondition.FromValue(false), ElementValue.FromValue(-1, "Value"));
        Assert.Equal(5, keep.ReplaceScalar(5));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData(1)]
    [InlineData(null)]
    public void NonBooleanConditionIsRejected(object? condition)
    {
        var ex = Assert.Throws<Ec2OpsException>(() => ElementCondition.FromValue(condition));
        Assert.Equal("WhereConditionNotBoolean", ex.ErrorId);
    }

    [Fact]
    public void NonBooleanMaskItemIsRejectedWithItsIndex()
    {
        var ex = Assert.Throws<Ec2OpsException>(() => ElementCondition.FromValue(new object[] { true, 1 }));
        Assert.Equal("WhereMaskValueNotBoolean", ex.ErrorId);
        Assert.Contains("Condition[1]", ex.Message);
    }

    [Fact]
    public void SeedNaNFillFromAnotherMatrix()
    {
        // A = [[1, nan, 3], [nan, 5, 6]]; B = [[10, 20, 30], [40, 50, 60]]
        // np.where(np.isnan(A), B, A) -> [[1, 20, 3], [40, 5, 6]]
        double[,] a = { { 1, double.NaN, 3 }, { double.NaN, 5, 6 } };
        double[,] b = { { 10, 20, 30 }, { 40, 50, 60 } };
        var where = ConditionalReplacer.Where(
            ElementCondition.FromPredicate(v => double.IsNaN((double)v!)),
            ElementValue.FromValue(b, "Then"),
            ElementValue.Keep);
        var result = Assert.IsType<double[,]>(where.ReplaceMatrix(a));
        Assert.Equal(new double[,] { { 1, 20, 3 }, { 40, 5, 6 } }, result);
        Assert.True(double.IsNaN(a[0, 1])); // the input is not mutated
    }

    [Fact]
    public void JaggedMatrixWithScalarBroadcastStaysJagged()
    {
        // np.where(A > 2, A, 0) -> [[0, 0, 3], [0, 5, 6]] (NaN > 2 is False)
        double[][] a = { new[] { 1, double.NaN, 3 }, new[] { double.NaN, 5, 6.0 } };
        var where = ConditionalReplacer.Where(ElementCondition.FromPredicate(v => (double)v! > 2), ElementValue.Keep, ElementValue.FromValue(0, "Else"));
        var result = Assert.IsType<double[][]>(where.ReplaceMatrix(a));
        Assert.Equal(new[] { 0.0, 0, 3 }, result[0]);
        Assert.Equal(new[] { 0.0, 5, 6 }, result[1]);
    }

    [Fact]
    public void BoolMatrixMaskAndNestedListsAreAccepted()
    {
        double[,] a = { { 1, 2 }, { 3, 4 } };
        var mask = ConditionalReplacer.Mask(
            ElementCondition.FromValue(new[] { new[] { true, false }, new[] { false, true } }),
            ElementValue.FromValue(new object[] { new object[] { 10, 20 }, new object[] { 30m, 40L } }, "Value"));
        Assert.Equal(new double[,] { { 10, 2 }, { 3, 40 } }, mask.ReplaceMatrix(a));
    }

    [Fact]
    public void ComputedMatrixValueAndNullBecomeNumbers()
    {
        double[,] a = { { 1, -2 } };
        var where = ConditionalReplacer.Where(ElementCondition.FromPredicate(v => (double)v! > 0), ElementValue.Computed(v => (double)v! * 10), ElementValue.FromValue(null, "Else"));
        var result = (double[,])where.ReplaceMatrix(a);
        Assert.Equal(10.0, result[0, 0]);
        Assert.True(double.IsNaN(result[0, 1])); // pandas' default other: NaN
    }

    [Fact]
    public void ShapeMismatchNamesBothShapes()
    {
        double[,] a = new double[5, 2];
        double[,] b = new double[3, 2];
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(true), ElementValue.FromValue(b, "Then"), ElementValue.Keep);
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceMatrix(a));
        Assert.Equal("MatrixShapeMismatch", ex.ErrorId);
        Assert.Contains("Then has shape (3, 2)", ex.Message);
        Assert.Contains("input matrix has shape (5, 2)", ex.Message);

        var maskShape = ConditionalReplacer.Mask(ElementCondition.FromValue(new bool[2, 2]), ElementValue.FromValue(0, "Value"));
        Assert.Contains("Condition has shape (2, 2)", Assert.Throws<Ec2OpsException>(() => maskShape.ReplaceMatrix(a)).Message);
    }

    [Fact]
    public void RaggedJaggedMatrixIsRejected()
    {
        double[][] a = { new[] { 1.0, 2 }, new[] { 3.0 } };
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(true), ElementValue.Keep, ElementValue.FromValue(0, "Else"));
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceMatrix(a));
        Assert.Equal("MatrixNotRectangular", ex.ErrorId);
        Assert.Contains("Row 1", ex.Message);
    }

    [Fact]
    public void NonNumericMatrixValueIsRejectedWithItsCell()
    {
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(false), ElementValue.Keep, ElementValue.FromValue("x", "Else"));
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceMatrix(new double[,] { { 1 } }));
        Assert.Equal("MatrixValueNotNumeric", ex.ErrorId);
        Assert.Contains("[0, 0]", ex.Message);
        Assert.Contains("'x' (string)", ex.Message);
    }

    [Fact]
    public void ListConditionOnAMatrixIsAShapeError()
    {
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(new[] { true, false }), ElementValue.Keep, ElementValue.FromValue(0, "Else"));
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceMatrix(new double[,] { { 1, 2 } }));
        Assert.Equal("MatrixShapeMismatch", ex.ErrorId);
        Assert.Contains("(1, 2)", ex.Message);
    }

    [Fact]
    public void MatrixOperandOnAScalarStreamIsAnError()
    {
        var where = ConditionalReplacer.Where(ElementCondition.FromValue(true), ElementValue.FromValue(new double[,] { { 1 } }, "Then"), ElementValue.Keep);
        var ex = Assert.Throws<Ec2OpsException>(() => where.ReplaceScalar(1));
        Assert.Equal("WhereMatrixValueNeedsMatrix", ex.ErrorId);
        Assert.Contains(",$A", ex.RecommendedAction);

        var gridCondition = ConditionalReplacer.Mask(ElementCondition.FromValue(new bool[1, 1]), ElementValue.FromValue(0, "Value"));
        Assert.Equal("WhereMaskNeedsMatrix", Assert.Throws<Ec2OpsException>(() => gridCondition.ReplaceScalar(1)).ErrorId);
    }

    [Fact]
    public void MatrixRecognition()
    {
        Assert.True(Matrix.IsMatrix(new double[1, 1]));
        Assert.True(Matrix.IsMatrix(new[] { new[] { 1.0 } }));
        Assert.False(Matrix.IsMatrix(new[] { 1.0 }));
        Assert.False(Matrix.IsMatrix(new int[1, 1]));
        Assert.Equal("(5, 2)", new MatrixShape(5, 2).ToString());
    }
}
