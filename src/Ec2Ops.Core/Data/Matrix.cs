using System.Collections;

namespace Ec2Ops.Core.Data;

/// <summary>A matrix shape, printed as numpy prints <c>A.shape</c>: <c>(5, 2)</c>.</summary>
public readonly record struct MatrixShape(int Rows, int Columns)
{
    public override string ToString() => $"({Rows}, {Columns})";
}

/// <summary>
/// The two matrix forms the data tools accept, <c>double[,]</c> and jagged <c>double[][]</c>, and the
/// conversions of operands (Then/Else values, bool masks) to a rectangular array.
/// </summary>
public static class Matrix
{
    /// <summary>True when <paramref name="value"/> is an input matrix: a <c>double[,]</c> or a jagged <c>double[][]</c>.</summary>
    public static bool IsMatrix(object? value) => value is double[,] || value is double[][];

    public static MatrixShape ShapeOf(Array matrix) => matrix.Rank == 2
        ? new(matrix.GetLength(0), matrix.GetLength(1))
        : throw new ArgumentException("Not a 2-D array.", nameof(matrix));

    public static MatrixShape ShapeOf(double[][] matrix)
    {
        int columns = matrix.Length == 0 ? 0 : (matrix[0]?.Length ?? 0);
        for (int r = 0; r < matrix.Length; r++)
        {
            int length = matrix[r]?.Length ?? 0;
            if (matrix[r] is null || length != columns)
            {
                throw NotRectangular(r, length, columns, matrix);
            }
        }

        return new MatrixShape(matrix.Length, columns);
    }

    /// <summary>
    /// Reads a numeric matrix operand: <c>double[,]</c>, any 2-D array of numbers, or a list of
    /// rows (a jagged array or PowerShell's nested <c>@(@(1,2),@(3,4))</c>). Returns null when the
    /// value is not two-dimensional (then it is a scalar or a computed value).
    /// </summary>
    public static double[,]? TryReadNumeric(object? value, string role)
    {
        return TryRead(value, role, (item, r, c) => Cell(item, $"{role}[{r}, {c}]"));
    }

    /// <summary>
    /// One cell of a numeric matrix: NULL is NaN (as pandas stores None in a float column), a
    /// number is itself, anything else is an error naming <paramref name="where"/>.
    /// </summary>
    internal static double Cell(object? value, string where)
    {
        if (DataValue.IsNull(value))
        {
            return double.NaN;
        }

        if (DataValue.TryToDouble(value, out double d))
        {
            return d;
        }

        throw new Ec2OpsException(
            "MatrixValueNotNumeric",
            Ec2OpsErrorCategory.InvalidData,
            $"{where} is {DataValue.Describe(value)}, not a number; a matrix holds numbers only.",
            value);
    }

    /// <summary>Reads a bool mask: <c>bool[,]</c>, <c>bool[][]</c> or nested lists of bools. Null when not 2-D.</summary>
    public static bool[,]? TryReadMask(object? value, string role)
    {
        return TryRead(value, role, (item, r, c) => item is bool b
            ? b
            : throw new Ec2OpsException(
                "WhereMaskValueNotBoolean",
                Ec2OpsErrorCategory.InvalidData,
                $"{role}[{r}, {c}] is {DataValue.Describe(item)}; a mask holds only $true and $false.",
                item));
    }

    /// <summary>The error for two shapes that must be equal (numpy: "operands could not be broadcast together").</summary>
    public static Ec2OpsException ShapeMismatch(string role, MatrixShape actual, MatrixShape expected) => new(
        "MatrixShapeMismatch",
        Ec2OpsErrorCategory.InvalidArgument,
        $"{role} has shape {actual} but the input matrix has shape {expected}; they must be equal, or {role} a single value that is broadcast.",
        null)
    {
        RecommendedAction = $"Pass a {expected} matrix or a scalar as {role}.",
    };

    private static T[,]? TryRead<T>(object? value, string role, Func<object?, int, int, T> convert)
    {
        if (value is Array { Rank: 2 } array2)
        {
            var result = new T[array2.GetLength(0), array2.GetLength(1)];
            for (int r = 0; r < result.GetLength(0); r++)
            {
                for (int c = 0; c < result.GetLength(1); c++)
                {
                    result[r, c] = convert(array2.GetValue(r, c), r, c);
                }
            }

            return result;
        }

        // A list of rows, each itself a list: the jagged form.
        if (value is IList rows && rows.Count > 0 && rows.Cast<object?>().All(DataValue.IsList))
        {
            int columns = ((IList)rows[0]!).Count;
            var result = new T[rows.Count, columns];
            for (int r = 0; r < rows.Count; r++)
            {
                var row = (IList)rows[r]!;
                if (row.Count != columns)
                {
                    throw NotRectangular(r, row.Count, columns, value);
                }

                for (int c = 0; c < columns; c++)
                {
                    result[r, c] = convert(row[c], r, c);
                }
            }

            return result;
        }

        return null;
    }

    private static Ec2OpsException NotRectangular(int row, int length, int columns, object target) => new(
        "MatrixNotRectangular",
        Ec2OpsErrorCategory.InvalidData,
        $"Row {row} of the jagged matrix has {length} values but row 0 has {columns}; every row must have the same length.",
        target);
}
