using Ec2Ops.Core;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

public class NmfRowCollectorTests
{
    private static KeyValuePair<string, object?>[] Props(params (string Name, object? Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)).ToArray();

    [Fact]
    public void ArraysOfMixedNumericTypesAndStringsBecomeRows()
    {
        var collector = new NmfRowCollector();

        collector.AddValues(new object?[] { 1, 2.5, "3e0", 4L });
        collector.AddValues(new object?[] { (byte)5, 6.0f, 7m, " 8 " });

        Assert.Equal(new[] { new double[] { 1, 2.5, 3, 4 }, new double[] { 5, 6, 7, 8 } }, collector.ToRows());
        Assert.Null(collector.FeatureNames);
        Assert.Equal((2, 2, 0), (collector.InputCount, collector.RowCount, collector.RejectedCount));
    }

    [Fact]
    public void ATwoDimensionalArrayKeepsItsShape()
    {
        var collector = new NmfRowCollector();

        collector.AddGrid(new double[,] { { 4, 5, 0, 3 }, { 3, 3, 1, 3 }, { 5, 2, 4, 0 } });
        collector.AddGrid(new int[,] { { 0, 4, 2, 1 } });

        Assert.Equal(new[] { new double[] { 4, 5, 0, 3 }, new double[] { 3, 3, 1, 3 }, new double[] { 5, 2, 4, 0 }, new double[] { 0, 4, 2, 1 } }, collector.ToRows());
    }

    [Fact]
    public void AnArrayOfAnotherRankIsNotAMatrix()
    {
        var error = Assert.Throws<Ec2OpsException>(() => new NmfRowCollector().AddGrid(new double[2, 2, 2]));

        Assert.Equal("NmfInvalidMatrix", error.ErrorId);
        Assert.Contains("3 dimensions", error.Message);
    }

    [Fact]
    public void ObjectsUseAllPropertiesOfTheFirstInItsOrder()
    {
        var collector = new NmfRowCollector();

        collector.AddProperties(Props(("cpu", "1"), ("mem", 2)));
        collector.AddProperties(Props(("MEM", 4), ("Cpu", 3.5)));

        Assert.Equal(new[] { "cpu", "mem" }, collector.FeatureNames);
        Assert.Equal(new[] { new double[] { 1, 2 }, new double[] { 3.5, 4 } }, collector.ToRows());
    }

    [Fact]
    public void ChosenPropertiesPickAndOrderTheColumns()
    {
        var collector = new NmfRowCollector(new[] { "b", "a" });

        collector.AddProperties(Props(("a", 1), ("b", 2), ("name", "web-1")));

        Assert.Equal(new[] { "b", "a" }, collector.FeatureNames);
        Assert.Equal(new[] { new double[] { 2, 1 } }, collector.ToRows());
    }

    [Fact]
    public void BadRowsAreRejectedAndGoodOnesKept()
    {
        var collector = new NmfRowCollector(new[] { "a", "b" });
        var errors = new List<Ec2OpsException>();
        void Add(params (string, object?)[] pairs)
        {
            try
            {
                collector.AddProperties(Props(pairs));
            }
            catch (Ec2OpsException e)
            {
                errors.Add(e);
            }
        }

        Add(("a", 1), ("b", 2));
        Add(("a", 1));
        Add(("a", "x"), ("b", 2));
        Add(("a", true), ("b", 2));
        Add(("a", null), ("b", 2));
        Add(("a", -1), ("b", 2));
        Add(("a", DateTime.UnixEpoch), ("b", 2));
        Add(("a", 3), ("b", 4));

        Assert.Equal(new[] { new double[] { 1, 2 }, new double[] { 3, 4 } }, collector.ToRows());
        Assert.Equal((8, 6), (collector.InputCount, collector.RejectedCount));
        Assert.Equal(
            new[] { "NmfMissingProperty", "NmfInvalidCell", "NmfInvalidCell", "NmfInvalidCell", "NmfNegativeValue", "NmfInvalidCell" },
            errors.Select(e => e.ErrorId));
        Assert.Equal("Row 1 of the input has no property 'b'; the columns are 'a', 'b'.", errors[0].Message);
        Assert.Equal("Row 2, column 0 ('a') of the input is 'x', which is not a number.", errors[1].Message);
        Assert.Equal("Row 3, column 0 ('a') of the input is the boolean True, which is not a number.", errors[2].Message);
        Assert.Equal("Row 4, column 0 ('a') of the input is empty.", errors[3].Message);
        Assert.StartsWith("Row 5, column 0 ('a') of the input is -1", errors[4].Message);
        Assert.Equal("Row 6, column 0 ('a') of the input is a DateTime, which is not a number.", errors[5].Message);
    }

    [Fact]
    public void RaggedAndEmptyArraysAreRejected()
    {
        var collector = new NmfRowCollector();
        collector.AddValues(new object?[] { 1, 2 });

        var ragged = Assert.Throws<Ec2OpsException>(() => collector.AddValues(new object?[] { 1, 2, 3 }));
        var empty = Assert.Throws<Ec2OpsException>(() => collector.AddValues(Array.Empty<object?>()));

        Assert.Equal("NmfRaggedRow", ragged.ErrorId);
        Assert.Equal("Row 1 of the input has 3 values but the rows before it have 2: every row needs the same number of columns.", ragged.Message);
        Assert.Equal("NmfEmptyRow", empty.ErrorId);
        Assert.Equal(1, collector.RowCount);
    }

    [Fact]
    public void TransformRankMustMatchTheComponents()
    {
        var rows = new[] { new double[] { 1, 2 } };
        var h = new[] { new double[] { 1, 0 }, new double[] { 0, 1 } };

        var error = Assert.Throws<Ec2OpsException>(() => new NmfService().Transform(rows, h, new NmfOptions { Rank = 3 }));

        Assert.Equal("NmfComponentShape", error.ErrorId);
        Assert.Equal("Rank 3 differs from the 2 rows of the components: a transform keeps the rank of its components.", error.Message);
    }
}
