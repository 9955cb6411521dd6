using Ec2Ops.Core;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Tests.Factorization;

public class NmfReaderTests
{
    private static readonly double[][] Sample =
    {
        new double[] { 0, 1, 2, 3 },
        new double[] { 4, 5, 6, 7 },
        new double[] { 8, 9, 10, 11 },
    };

    private static string ReferencePath(string file) => Path.Combine(AppContext.BaseDirectory, "Factorization", "Reference", file);

    private static NmfMatrixInput Csv(string text, bool? hasHeader = null) =>
        CsvMatrixReader.Read(new StringReader(text), "data.csv", hasHeader);

    [Fact]
    public void CsvWithHeaderGivesFeatureNames()
    {
        var input = Csv("cpu,\"mem, MiB\",disk\n1,2,3\n4.5,5e1,0\n");

        Assert.Equal(new[] { "cpu", "mem, MiB", "disk" }, input.FeatureNames);
        Assert.Equal(new[] { new double[] { 1, 2, 3 }, new double[] { 4.5, 50, 0 } }, input.Rows);
    }

    [Fact]
    public void CsvWithoutHeaderIsAllData()
    {
        var input = Csv("1,2\r\n\r\n3,4\r\n");

        Assert.Null(input.FeatureNames);
        Assert.Equal(new[] { new double[] { 1, 2 }, new double[] { 3, 4 } }, input.Rows);
    }

    [Fact]
    public void CsvHeaderCanBeForcedEitherWay()
    {
        Assert.Equal(new[] { "1", "2" }, Csv("1,2\n3,4\n", hasHeader: true).FeatureNames);
        var error = Assert.Throws<Ec2OpsException>(() => Csv("a,b\n3,4\n", hasHeader: false));
        Assert.Equal("NmfInvalidCell", error.ErrorId);
    }

    [Fact]
    public void CsvBadCellNamesLineRowAndColumn()
    {
        var error = Assert.Throws<Ec2OpsException>(() => Csv("a,b,c\n1,2,3\n4,x5,6\n"));

        Assert.Equal("NmfInvalidCell", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidData, error.Category);
        Assert.Equal("Row 1, column 1 ('b') of 'data.csv' (line 3) is 'x5', which is not a number.", error.Message);
    }

    [Fact]
    public void CsvEmptyCellIsReported()
    {
        var error = Assert.Throws<Ec2OpsException>(() => Csv("1,2\n3,\n"));

        Assert.Equal("NmfInvalidCell", error.ErrorId);
        Assert.Contains("Row 1, column 1", error.Message);
        Assert.Contains("(line 2) is empty", error.Message);
    }

    [Theory]
    [InlineData("1,2\n3,-4\n", "NmfNegativeValue", "Row 1, column 1 of 'data.csv' (line 2) is -4")]
    [InlineData("1,NaN\n3,4\n", "NmfNonFiniteValue", "Row 0, column 1 of 'data.csv' (line 1) is NaN")]
    [InlineData("1,2\n3,4,5\n", "NmfRaggedRow", "Row 1 of 'data.csv' (line 2) has 3 values but the first row has 2")]
    [InlineData("a,b\n1,2,3\n", "NmfRaggedRow", "Row 0 of 'data.csv' (line 2) has 3 values but the header has 2")]
    [InlineData("a,b\n\n", "NmfEmptyInput", "'data.csv' has no data rows")]
    [InlineData("1,\"2\n", "NmfInvalidCsv", "Line 1 of 'data.csv' has an unclosed quote")]
    public void CsvErrors(string text, string errorId, string messageStart)
    {
        var error = Assert.Throws<Ec2OpsException>(() => Csv(text));

        Assert.Equal(errorId, error.ErrorId);
        Assert.StartsWith(messageStart, error.Message);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public void CsvFileIsReadFromDisk()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nmf-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,y\n1,2\n");
        try
        {
            var input = NmfMatrixInput.ReadFile(path);

            Assert.Equal(new[] { "x", "y" }, input.FeatureNames);
            Assert.Equal(new[] { new double[] { 1, 2 } }, input.Rows);
            Assert.Equal(Path.GetFileName(path), input.Source);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingFileIsObjectNotFound()
    {
        var error = Assert.Throws<Ec2OpsException>(() => NmfMatrixInput.ReadFile("/nonexistent/nmf/data.npy"));

        Assert.Equal("NmfFileNotFound", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ObjectNotFound, error.Category);
        Assert.Contains("/nonexistent/nmf/data.npy", error.Message);
    }

    [Theory]
    [InlineData("sample-f8-c.npy")]
    [InlineData("sample-f8-fortran.npy")]
    [InlineData("sample-f4-c.npy")]
    [InlineData("sample-i4-fortran.npy")]
    [InlineData("sample-i8-c.npy")]
    public void NpyDtypesAndOrdersReadTheSameMatrix(string file)
    {
        var input = NmfMatrixInput.ReadFile(ReferencePath(file));

        Assert.Equal(Sample, input.Rows);
        Assert.Null(input.FeatureNames);
    }

    [Theory]
    [InlineData("sample-f8-big-endian.npy", "NmfNpyUnsupportedType", "'>f8'")]
    [InlineData("sample-1d.npy", "NmfNpyShape", "has shape (4,)")]
    [InlineData("sample-f8-nan.npy", "NmfNonFiniteValue", "Row 1, column 2 of 'sample-f8-nan.npy' is NaN")]
    [InlineData("sample-f8-negative.npy", "NmfNegativeValue", "Row 2, column 1 of 'sample-f8-negative.npy' is -3")]
    public void NpyErrors(string file, string errorId, string messagePart)
    {
        var error = Assert.Throws<Ec2OpsException>(() => NmfMatrixInput.ReadFile(ReferencePath(file)));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void NpyTruncatedOrForeignFilesAreRejected()
    {
        var good = File.ReadAllBytes(ReferencePath("sample-f8-c.npy"));

        var truncated = Assert.Throws<Ec2OpsException>(() => NpyMatrixReader.Read(new MemoryStream(good[..^8]), "cut.npy"));
        var foreign = Assert.Throws<Ec2OpsException>(() => NpyMatrixReader.Read(new MemoryStream("a,b\n1,2\n"u8.ToArray()), "text.npy"));

        Assert.Equal("NmfNpyTruncated", truncated.ErrorId);
        Assert.Equal("'cut.npy' declares shape (3, 4) of <f8, 12 values in 96 bytes, but holds 88 bytes after its header (11 values).", truncated.Message);
        Assert.Equal("NmfNpyInvalid", foreign.ErrorId);
        Assert.Contains("magic", foreign.Message);
    }

    [Fact]
    public void AHeaderThatPromisesMoreThanTheFileHoldsIsNamedBeforeAnythingIsAllocated()
    {
        // The hardening report's file: shape (16384, 16384) declared, 10 values held.
        var file = Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (16384, 16384), }", 10 * 8);

        var seekable = Assert.Throws<Ec2OpsException>(() => NpyMatrixReader.Read(new MemoryStream(file), "big.npy"));
        var streamed = Assert.Throws<Ec2OpsException>(() => NpyMatrixReader.Read(new ForwardOnlyStream(file), "big.npy"));

        Assert.Equal("NmfNpyTruncated", seekable.ErrorId);
        Assert.Equal("'big.npy' declares shape (16384, 16384) of <f8, 268,435,456 values in 2,147,483,648 bytes, but holds 80 bytes after its header (10 values).", seekable.Message);
        Assert.Equal("big.npy", seekable.TargetObject);
        Assert.Equal("NmfNpyTooLarge", streamed.ErrorId);
        Assert.Contains("(16384, 16384), 268,435,456 values", streamed.Message);
    }

    [Fact]
    public void ANegativeShapeIsAShapeError()
    {
        var error = Assert.Throws<Ec2OpsException>(() => NpyMatrixReader.Read(new MemoryStream(Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 4), }", 0)), "neg.npy"));
        Assert.Equal("NmfNpyShape", error.ErrorId);
    }

    private static byte[] Npy(string header, int dataBytes)
    {
        var text = header.PadRight(117) + "\n"; // 10-byte preamble + 118 = 128, as numpy aligns
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange(new byte[] { 1, 0, (byte)text.Length, 0 });
        bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(text));
        bytes.AddRange(new byte[dataBytes]);
        return bytes.ToArray();
    }

    /// <summary>A stream that cannot tell its length, like a pipe.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
