using System.Collections.ObjectModel;
using System.Globalization;

namespace Ec2Ops.Core;

/// <summary>
/// A read-only list of numbers that prints as "1, 2, 4.5" (each in its shortest exact form), so a
/// list-valued result (running sums) exports to CSV as readable text instead of "System.Double[]",
/// and to JSON as an array.
/// </summary>
public sealed class NumberList : ReadOnlyCollection<double>
{
    public NumberList(IList<double> items)
        : base(items)
    {
    }

    public override string ToString() => string.Join(", ", this.Select(Format));

    /// <summary>Shortest text that reads back as the same double ("R"), invariant culture.</summary>
    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// A read-only matrix as a list of rows, indexed <c>$m[row][column]</c> like a jagged array. It prints
/// as nested brackets ("[[1, 2], [3, 4]]", valid JSON), so CSV cells hold the numbers, not a type
/// name, and ConvertTo-Json writes an array of arrays.
/// </summary>
public sealed class NumberMatrix : ReadOnlyCollection<NumberList>
{
    public NumberMatrix(double[][] rows)
        : base(rows.Select(r => new NumberList(r)).ToArray())
    {
    }

    public int RowCount => Count;

    public int ColumnCount => Count == 0 ? 0 : this[0].Count;

    /// <summary>A copy as a jagged array, for arithmetic.</summary>
    public double[][] ToArray() => this.Select(r => r.ToArray()).ToArray();

    public override string ToString() =>
        "[" + string.Join(", ", this.Select(r => "[" + string.Join(", ", r.Select(NumberList.Format)) + "]")) + "]";
}
