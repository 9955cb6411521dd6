using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Reads a 2-D numpy <c>.npy</c> file (format versions 1-3) of little-endian float64, float32,
/// int32 or int64, in C or Fortran order, into rows of doubles.
/// </summary>
public static partial class NpyMatrixReader
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>The most values read: the byte buffer and the matrix it becomes must each fit one .NET array.</summary>
    public const long MaxValues = 250_000_000;

    public static NmfMatrixInput Read(string path)
    {
        using var stream = NmfMatrixInput.OpenFile(path);
        return Read(stream, Path.GetFileName(path));
    }

    public static NmfMatrixInput Read(Stream stream, string sourceName)
    {
        var prefix = new byte[Magic.Length + 2];
        if (ReadFully(stream, prefix) < prefix.Length || !prefix.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw Invalid(sourceName, "it does not start with the .npy magic string (\\x93NUMPY)");
        }

        int major = prefix[Magic.Length];
        var lengthBytes = new byte[major == 1 ? 2 : 4];
        if (major is < 1 or > 3 || ReadFully(stream, lengthBytes) < lengthBytes.Length)
        {
            throw Invalid(sourceName, $"format version {major}.{prefix[Magic.Length + 1]} is not one of 1.0, 2.0, 3.0");
        }

        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > 1 << 20)
        {
            throw Invalid(sourceName, $"its header claims {headerLength} bytes");
        }

        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerBytes.Length)
        {
            throw Invalid(sourceName, "the header is cut short");
        }

        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shape.Success)
        {
            throw Invalid(sourceName, $"the header {header.Trim()} lacks 'descr', 'fortran_order' or 'shape'");
        }

        string type = descr.Groups[1].Value;
        int itemSize = type switch
        {
            "<f8" or "<i8" => 8,
            "<f4" or "<i4" => 4,
            _ => throw NmfValidation.Error("NmfNpyUnsupportedType", Ec2OpsErrorCategory.InvalidType,
                $"'{sourceName}' holds dtype '{type}': only little-endian float64 '<f8', float32 '<f4', int64 '<i8' and int32 '<i4' are read.", type,
                "Save it with numpy as float64: np.save(path, a.astype('<f8'))."),
        };
        bool fortran = order.Groups[1].Value == "True";
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (dims.Length != 2 || !int.TryParse(dims[0], out int rows) || !int.TryParse(dims[1], out int cols) || rows < 0 || cols < 0)
        {
            throw NmfValidation.Error("NmfNpyShape", Ec2OpsErrorCategory.InvalidData,
                $"'{sourceName}' has shape ({shape.Groups[1].Value}): NMF needs a 2-D array (rows, columns).", shape.Value,
                "Reshape it to 2-D before saving, e.g. a.reshape(1, -1) for one row.");
        }

        if (rows == 0 || cols == 0)
        {
            throw NmfValidation.Error("NmfEmptyInput", Ec2OpsErrorCategory.InvalidData, $"'{sourceName}' has shape ({rows}, {cols}): there is nothing to factor.",
                sourceName, "Save a non-empty array.");
        }

        // Checked against what the file holds before anything is allocated: a header can promise more
        // than the file has, or more than memory can take.
        long values = (long)rows * cols;
        long declared = values * itemSize;
        long? holds = stream.CanSeek ? stream.Length - stream.Position : null;
        if (holds is { } available && available < declared)
        {
            throw NmfValidation.Error("NmfNpyTruncated", Ec2OpsErrorCategory.InvalidData,
                $"'{sourceName}' declares shape ({rows}, {cols}) of {type}, {values:N0} values in {declared:N0} bytes, but holds {available:N0} bytes after its header ({available / itemSize:N0} values).",
                sourceName, "The file is cut short or its header is wrong: write it again with numpy.save.");
        }

        if (values > MaxValues)
        {
            throw NmfValidation.Error("NmfNpyTooLarge", Ec2OpsErrorCategory.LimitsExceeded,
                $"'{sourceName}' declares shape ({rows}, {cols}), {values:N0} values: more than the {MaxValues:N0} that can be factored in memory.",
                sourceName, "Factor a sample of the rows, or a smaller matrix.");
        }

        var data = new byte[declared];
        if (ReadFully(stream, data) < data.Length)
        {
            throw NmfValidation.Error("NmfNpyTruncated", Ec2OpsErrorCategory.InvalidData,
                $"'{sourceName}' declares shape ({rows}, {cols}) of {type}, {values:N0} values in {declared:N0} bytes, but ends before them.",
                sourceName, "The file is cut short or its header is wrong: write it again with numpy.save.");
        }

        var result = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            result[i] = new double[cols];
            for (int j = 0; j < cols; j++)
            {
                long index = fortran ? ((long)j * rows) + i : ((long)i * cols) + j;
                var bytes = data.AsSpan((int)(index * itemSize), itemSize);
                double value = type switch
                {
                    "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                    "<f4" => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                    "<i8" => BinaryPrimitives.ReadInt64LittleEndian(bytes),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(bytes),
                };
                NmfValidation.CheckCell(value, i, j, $"'{sourceName}'", null);
                result[i][j] = value;
            }
        }

        return new NmfMatrixInput(result, null, sourceName);
    }

    private static int ReadFully(Stream stream, byte[] buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    private static Ec2OpsException Invalid(string sourceName, string reason) =>
        NmfValidation.Error("NmfNpyInvalid", Ec2OpsErrorCategory.InvalidData, $"'{sourceName}' is not a readable .npy file: {reason}.", sourceName,
            "Write the file with numpy.save.");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
