using System.Runtime.CompilerServices;

namespace Ec2Ops.Core.Factorization;

/// <summary>A dense matrix stored row by row in one array: the layout every kernel works on.</summary>
internal sealed class RowMajorMatrix
{
    public RowMajorMatrix(int rows, int cols)
        : this(rows, cols, new double[checked(rows * cols)])
    {
    }

    public RowMajorMatrix(int rows, int cols, double[] data)
    {
        if (data.Length != rows * cols)
        {
            throw new ArgumentException($"{rows}x{cols} needs {rows * cols} values, got {data.Length}.", nameof(data));
        }

        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }

    public int Cols { get; }

    public double[] Data { get; }

    public double this[int row, int col]
    {
        get => Data[(row * Cols) + col];
        set => Data[(row * Cols) + col] = value;
    }

    public Span<double> Row(int row) => Data.AsSpan(row * Cols, Cols);

    public RowMajorMatrix Clone() => new(Rows, Cols, (double[])Data.Clone());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RowMajorMatrix Transpose()
    {
        var t = new RowMajorMatrix(Cols, Rows);
        // Blocked so both source and target stay in cache on large matrices.
        const int block = 32;
        for (int i0 = 0; i0 < Rows; i0 += block)
        {
            int i1 = Math.Min(Rows, i0 + block);
            for (int j0 = 0; j0 < Cols; j0 += block)
            {
                int j1 = Math.Min(Cols, j0 + block);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        t.Data[(j * Rows) + i] = Data[(i * Cols) + j];
                    }
                }
            }
        }

        return t;
    }

    /// <summary>Copies a rectangular jagged array (callers validate the shape first).</summary>
    public static RowMajorMatrix FromJagged(double[][] rows)
    {
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var m = new RowMajorMatrix(rows.Length, cols);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i].AsSpan().CopyTo(m.Row(i));
        }

        return m;
    }

    public double[][] ToJagged()
    {
        var result = new double[Rows][];
        for (int i = 0; i < Rows; i++)
        {
            result[i] = Row(i).ToArray();
        }

        return result;
    }
}
