using System.Collections;
using System.Globalization;

namespace Ec2Ops.Core.Factorization;

/// <summary>
/// Builds the input matrix one row at a time from loosely typed values (pipeline objects, arrays,
/// numeric strings; a string is one value, never split on commas). A bad row throws an <see cref="Ec2OpsException"/> naming its row and column
/// and is not added, so a caller can report it and keep the good rows.
/// </summary>
public sealed class NmfRowCollector
{
    private readonly string[]? _properties;
    private readonly List<double[]> _rows = new();
    private string[]? _featureNames;

    /// <param name="properties">For objects: the properties to read, in column order; null = all of the first object's properties.</param>
    public NmfRowCollector(IReadOnlyList<string>? properties = null)
    {
        _properties = properties is { Count: > 0 } ? properties.ToArray() : null;
        _featureNames = _properties;
    }

    /// <summary>Input rows seen so far, accepted or not: the index the next row's messages will use.</summary>
    public int InputCount { get; private set; }

    /// <summary>Rows that were rejected.</summary>
    public int RejectedCount { get; private set; }

    public int RowCount => _rows.Count;

    /// <summary>Column names when rows came from objects, else null.</summary>
    public IReadOnlyList<string>? FeatureNames => _featureNames;

    public double[][] ToRows() => _rows.ToArray();

    /// <summary>Adds one row given as its values (an array or list of numbers or numeric strings).</summary>
    public void AddValues(IEnumerable values)
    {
        int row = InputCount++;
        var cells = values.Cast<object?>().ToArray();
        Accept(row, cells, _featureNames);
    }

    /// <summary>Adds every row of a two-dimensional array (<c>double[,]</c>, <c>int[,]</c>, <c>object[,]</c>, ...).</summary>
    public void AddGrid(Array grid)
    {
        if (grid.Rank != 2)
        {
            throw NmfValidation.Error("NmfInvalidMatrix", Ec2OpsErrorCategory.InvalidArgument,
                $"The matrix has {grid.Rank} dimensions; give a two-dimensional array (double[,]) or an array of rows (double[][]).", null,
                "Pass a double[,] or an array of rows.");
        }

        for (int i = 0; i < grid.GetLength(0); i++)
        {
            var row = new object?[grid.GetLength(1)];
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = grid.GetValue(i, j);
            }

            AddValues(row);
        }
    }

    /// <summary>
    /// Adds one row given as an object's properties (name, value) in declaration order. Names
    /// compare case-insensitively, as PowerShell property names do.
    /// </summary>
    public void AddProperties(IReadOnlyList<KeyValuePair<string, object?>> properties)
    {
        int row = InputCount++;
        string[] names = _properties ?? _featureNames ?? properties.Select(p => p.Key).ToArray();
        var cells = new object?[names.Length];
        for (int j = 0; j < names.Length; j++)
        {
            int found = -1;
            for (int p = 0; p < properties.Count; p++)
            {
                if (string.Equals(properties[p].Key, names[j], StringComparison.OrdinalIgnoreCase))
                {
                    found = p;
                    break;
                }
            }

            if (found < 0)
            {
                RejectedCount++;
                throw NmfValidation.Error("NmfMissingProperty", Ec2OpsErrorCategory.InvalidData,
                    $"Row {row} of the input has no property '{names[j]}'; the columns are {string.Join(", ", names.Select(n => $"'{n}'"))}.", null,
                    "Give every object the same properties, or choose them with -Property.");
            }

            cells[j] = properties[found].Value;
        }

        Accept(row, cells, names);
        _featureNames ??= names;
    }

    private void Accept(int row, object?[] cells, IReadOnlyList<string>? names)
    {
        try
        {
            int expected = _rows.Count > 0 ? _rows[0].Length : names?.Count ?? cells.Length;
            if (cells.Length != expected || cells.Length == 0)
            {
                throw NmfValidation.Error(cells.Length == 0 ? "NmfEmptyRow" : "NmfRaggedRow", Ec2OpsErrorCategory.InvalidData,
                    cells.Length == 0
                        ? $"Row {row} of the input has no values."
                        : $"Row {row} of the input has {cells.Length} values but the rows before it have {expected}: every row needs the same number of columns.",
                    cells, "Give every row the same number of values.");
            }

            var namesArray = names as string[] ?? names?.ToArray();
            var values = new double[cells.Length];
            for (int j = 0; j < cells.Length; j++)
            {
                values[j] = ToNumber(cells[j], row, j, namesArray);
                NmfValidation.CheckCell(values[j], row, j, "the input", namesArray);
            }

            _rows.Add(values);
        }
        catch (Ec2OpsException)
        {
            RejectedCount++;
            throw;
        }
    }

    private static double ToNumber(object? cell, int row, int col, string[]? names)
    {
        switch (cell)
        {
            case double d:
                return d;
            case string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed):
                return parsed;
            case string s:
                throw NotANumber(row, col, names, s.Trim().Length == 0 ? "empty" : $"'{s}', which is not a number", s);
            case null:
                throw NotANumber(row, col, names, "empty", null);
            case bool b:
                throw NotANumber(row, col, names, $"the boolean {b}, which is not a number", b);
            case IConvertible convertible when IsNumeric(convertible.GetTypeCode()):
                return convertible.ToDouble(CultureInfo.InvariantCulture);
            default:
                throw NotANumber(row, col, names, $"a {cell.GetType().Name}, which is not a number", cell);
        }
    }

    private static bool IsNumeric(TypeCode code) => code is >= TypeCode.SByte and <= TypeCode.Decimal;

    private static Ec2OpsException NotANumber(int row, int col, string[]? names, string what, object? value) =>
        NmfValidation.Error("NmfInvalidCell", Ec2OpsErrorCategory.InvalidData, $"{NmfValidation.CellName(row, col, "the input", names)} is {what}.", value,
            "Pass numbers (or numeric strings with '.' as the decimal separator).");
}
