namespace Ec2Ops.Core.Factorization;

/// <summary>A matrix read from a file: its rows and, when the file had a header, the column names.</summary>
public sealed class NmfMatrixInput
{
    public NmfMatrixInput(double[][] rows, string[]? featureNames, string source)
    {
        Rows = rows;
        FeatureNames = featureNames;
        Source = source;
    }

    public double[][] Rows { get; }

    public string[]? FeatureNames { get; }

    /// <summary>Where the matrix came from (a file path), for messages.</summary>
    public string Source { get; }

    /// <summary>Reads a .csv or .npy file, chosen by extension (anything but .npy is read as CSV).</summary>
    public static NmfMatrixInput ReadFile(string path, bool? hasHeader = null) =>
        string.Equals(Path.GetExtension(path), ".npy", StringComparison.OrdinalIgnoreCase)
            ? NpyMatrixReader.Read(path)
            : CsvMatrixReader.Read(path, hasHeader);

    internal static Stream OpenFile(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw NmfValidation.Error("NmfFileNotFound", Ec2OpsErrorCategory.ObjectNotFound, $"The file '{path}' does not exist.", path,
                "Check the path; relative paths are resolved against the current location.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Ec2OpsException("NmfFileUnreadable", Ec2OpsErrorCategory.ResourceUnavailable, $"The file '{path}' cannot be read: {ex.Message}", path, ex)
            {
                RecommendedAction = "Check that the file exists, is readable and is not locked by another program.",
            };
        }
    }
}
