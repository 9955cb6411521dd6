using System.Collections;

namespace Ec2Ops.Core.Data;

/// <summary>
/// Where a condition holds, element by element: a predicate (a script block), one bool for every
/// element, a list of bools matched to the elements by position, or a 2-D bool mask matched to
/// a matrix cell by cell.
/// </summary>
public sealed class ElementCondition
{
    private readonly Func<object?, bool>? _predicate;
    private readonly bool _constant;
    private readonly IReadOnlyList<bool>? _sequence;
    private readonly bool[,]? _grid;

    private ElementCondition(Func<object?, bool>? predicate, bool constant, IReadOnlyList<bool>? sequence, bool[,]? grid)
    {
        _predicate = predicate;
        _constant = constant;
        _sequence = sequence;
        _grid = grid;
    }

    /// <summary>A test run on each element (the cmdlet turns a script block into this, with the element as <c>$_</c>).</summary>
    public static ElementCondition FromPredicate(Func<object?, bool> predicate) =>
        new(predicate ?? throw new ArgumentNullException(nameof(predicate)), false, null, null);

    /// <summary>
    /// A condition given as data: <c>$true</c>/<c>$false</c> (for every element), a list of bools
    /// (element i of the input uses item i), or a 2-D mask (<c>bool[,]</c>, <c>bool[][]</c>, nested lists).
    /// </summary>
    public static ElementCondition FromValue(object? value)
    {
        switch (value)
        {
            case bool b:
                return new ElementCondition(null, b, null, null);
            case null:
            case DBNull:
            case string:
                throw NotACondition(value);
        }

        if (Matrix.TryReadMask(value, "Condition") is { } grid)
        {
            return new ElementCondition(null, false, null, grid);
        }

        if (value is IList list)
        {
            var bools = new bool[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                bools[i] = list[i] is bool b ? b : throw new Ec2OpsException(
                    "WhereMaskValueNotBoolean",
                    Ec2OpsErrorCategory.InvalidData,
                    $"Condition[{i}] is {DataValue.Describe(list[i])}; a mask holds only $true and $false.",
                    list[i]);
            }

            return new ElementCondition(null, false, bools, null);
        }

        throw NotACondition(value);
    }

    internal bool IsGrid => _grid is not null;

    internal bool ForElement(object? element, long position)
    {
        if (_predicate is not null)
        {
            return _predicate(element);
        }

        if (_sequence is not null)
        {
            if (position >= _sequence.Count)
            {
                throw new Ec2OpsException(
                    "WhereMaskTooShort",
                    Ec2OpsErrorCategory.InvalidArgument,
                    $"The condition mask has {_sequence.Count} values, but input element {position} (0-based) needs value {position}.",
                    element)
                {
                    RecommendedAction = "Pass one bool per input element.",
                };
            }

            return _sequence[(int)position];
        }

        if (_grid is not null)
        {
            throw new Ec2OpsException(
                "WhereMaskNeedsMatrix",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The condition is a {Matrix.ShapeOf(_grid)} mask, but input element {position} is {DataValue.Describe(element)}, not a matrix.",
                element)
                {
                    RecommendedAction = "Pass the matrix as one object (-InputObject $A, or ,$A | ...): piped without the comma, PowerShell unrolls it into single numbers.",
                };
        }

        return _constant;
    }

    internal bool ForCell(double element, int row, int column, MatrixShape shape)
    {
        if (_grid is not null)
        {
            return _grid[row, column];
        }

        if (_sequence is not null)
        {
            throw new Ec2OpsException(
                "MatrixShapeMismatch",
                Ec2OpsErrorCategory.InvalidArgument,
                $"The condition is a list of {_sequence.Count} bools, but the input is a {shape} matrix; pass a {shape} mask, a script block or a single bool.",
                null);
        }

        return _predicate is not null ? _predicate(element) : _constant;
    }

    internal void CheckShape(MatrixShape shape)
    {
        if (_grid is not null && Matrix.ShapeOf(_grid) != shape)
        {
            throw Matrix.ShapeMismatch("Condition", Matrix.ShapeOf(_grid), shape);
        }
    }

    private static Ec2OpsException NotACondition(object? value) => new(
        "WhereConditionNotBoolean",
        Ec2OpsErrorCategory.InvalidArgument,
        $"The condition is {DataValue.Describe(value)}; it must be a script block, a bool, a list of bools or a 2-D bool mask.",
        value);
}

/// <summary>
/// What an element becomes: itself (keep), a constant, a value computed from the element (a script
/// block), a list matched to the elements by position, or a matrix matched cell by cell.
/// </summary>
public sealed class ElementValue
{
    private readonly Kind _kind;
    private readonly object? _constant;
    private readonly Func<object?, object?>? _compute;
    private readonly IList? _sequence;
    private readonly double[,]? _grid;

    private ElementValue(Kind kind, object? constant = null, Func<object?, object?>? compute = null, IList? sequence = null, double[,]? grid = null)
    {
        _kind = kind;
        _constant = constant;
        _compute = compute;
        _sequence = sequence;
        _grid = grid;
    }

    private enum Kind
    {
        Keep,
        Constant,
        Computed,
        Sequence,
        Grid,
    }

    /// <summary>Leave the element as it is (Where's default Then, Mask's unmatched elements).</summary>
    public static ElementValue Keep { get; } = new(Kind.Keep);

    public bool IsKeep => _kind == Kind.Keep;

    /// <summary>A value computed from the element (the cmdlet turns a script block into this, with the element as <c>$_</c>).</summary>
    public static ElementValue Computed(Func<object?, object?> compute) =>
        new(Kind.Computed, compute: compute ?? throw new ArgumentNullException(nameof(compute)));

    /// <summary>
    /// A value given as data: a 2-D matrix (cell by cell, matrix input only), a list (by position,
    /// as <c>np.where(c, x, y)</c> picks <c>x[i]</c>), or anything else as one constant for every element.
    /// </summary>
    public static ElementValue FromValue(object? value, string role)
    {
        if (value is not string && Matrix.TryReadNumeric(value, role) is { } grid)
        {
            return new ElementValue(Kind.Grid, grid: grid);
        }

        if (DataValue.IsList(value))
        {
            return new ElementValue(Kind.Sequence, sequence: (IList)value!);
        }

        return new ElementValue(Kind.Constant, constant: value);
    }

    internal object? ForElement(object? element, long position, string role)
    {
        switch (_kind)
        {
            case Kind.Keep:
                return element;
            case Kind.Constant:
                return _constant;
            case Kind.Computed:
                return _compute!(element);
            case Kind.Sequence:
                if (position >= _sequence!.Count)
                {
                    throw new Ec2OpsException(
                        "WhereValueListTooShort",
                        Ec2OpsErrorCategory.InvalidArgument,
                        $"{role} has {_sequence.Count} values, but input element {position} (0-based) needs value {position}.",
                        element)
                    {
                        RecommendedAction = $"Pass one {role} value per input element, or a single value.",
                    };
                }

                return _sequence[(int)position];
            default:
                throw new Ec2OpsException(
                    "WhereMatrixValueNeedsMatrix",
                    Ec2OpsErrorCategory.InvalidArgument,
                    $"{role} is a {Matrix.ShapeOf(_grid!)} matrix, but input element {position} is {DataValue.Describe(element)}, not a matrix.",
                    element)
                    {
                        RecommendedAction = "Pass the matrix as one object (-InputObject $A, or ,$A | ...): piped without the comma, PowerShell unrolls it into single numbers.",
                    };
        }
    }

    internal double ForCell(double element, int row, int column, MatrixShape shape, string role)
    {
        object? value;
        switch (_kind)
        {
            case Kind.Keep:
                return element;
            case Kind.Grid:
                return _grid![row, column];
            case Kind.Sequence:
                throw new Ec2OpsException(
                    "MatrixShapeMismatch",
                    Ec2OpsErrorCategory.InvalidArgument,
                    $"{role} is a list of {_sequence!.Count} values, but the input is a {shape} matrix; pass a {shape} matrix, a script block or a single number.",
                    null);
            case Kind.Constant:
                value = _constant;
                break;
            default:
                value = _compute!(element);
                break;
        }

        return Matrix.Cell(value, $"{role} for cell [{row}, {column}]");
    }

    internal void CheckShape(MatrixShape shape, string role)
    {
        if (_grid is not null && Matrix.ShapeOf(_grid) != shape)
        {
            throw Matrix.ShapeMismatch(role, Matrix.ShapeOf(_grid), shape);
        }
    }
}

/// <summary>
/// pandas <c>where</c>/<c>mask</c> and numpy <c>np.where</c> over a stream of elements: each element
/// becomes <c>WhenTrue</c> where the condition holds and <c>WhenFalse</c> where it does not.
/// Where: <c>WhenTrue</c> = Then (default keep), <c>WhenFalse</c> = Else. Mask: <c>WhenTrue</c> = Value,
/// <c>WhenFalse</c> = keep. One instance serves one pipeline: it counts elements so that lists
/// (masks, value lists) are matched by position.
/// </summary>
public sealed class ConditionalReplacer
{
    private readonly ElementCondition _condition;
    private readonly ElementValue _whenTrue;
    private readonly ElementValue _whenFalse;
    private readonly string _trueRole;
    private readonly string _falseRole;

    private ConditionalReplacer(ElementCondition condition, ElementValue whenTrue, ElementValue whenFalse, string trueRole, string falseRole)
    {
        _condition = condition ?? throw new ArgumentNullException(nameof(condition));
        _whenTrue = whenTrue ?? throw new ArgumentNullException(nameof(whenTrue));
        _whenFalse = whenFalse ?? throw new ArgumentNullException(nameof(whenFalse));
        _trueRole = trueRole;
        _falseRole = falseRole;
    }

    /// <summary>pandas <c>df.where(cond, other)</c> is <c>Where(cond, Keep, other)</c>; <c>np.where(c, x, y)</c> is <c>Where(c, x, y)</c>.</summary>
    public static ConditionalReplacer Where(ElementCondition condition, ElementValue then, ElementValue @else) =>
        new(condition, then, @else, "Then", "Else");

    /// <summary>pandas <c>df.mask(cond, other)</c>: replace where the condition holds, keep the rest.</summary>
    public static ConditionalReplacer Mask(ElementCondition condition, ElementValue value) =>
        new(condition, value, ElementValue.Keep, "Value", "Else");

    /// <summary>How many input elements (scalars, objects or matrices) have been handled.</summary>
    public long Position { get; private set; }

    /// <summary>Passes over one element that was reported as an error, so later ones keep their positions (lists match by position).</summary>
    public void Skip() => Position++;

    /// <summary>Replaces one scalar element of the stream.</summary>
    public object? ReplaceScalar(object? element)
    {
        long position = Position++;
        return Choose(element, position);
    }

    /// <summary>
    /// Replaces the chosen properties of one object (a row). Returns the new values of exactly
    /// <paramref name="properties"/>, in that order; the caller copies the object and sets them, so
    /// the other properties pass through and the input is not mutated. Names match case-insensitively,
    /// as PowerShell property names do.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> ReplaceProperties(
        IReadOnlyList<KeyValuePair<string, object?>> row,
        IReadOnlyList<string> properties)
    {
        long position = Position++;
        var result = new List<KeyValuePair<string, object?>>(properties.Count);
        foreach (string name in properties)
        {
            int index = DataObjects.IndexOf(row, name);
            if (index < 0)
            {
                throw new Ec2OpsException(
                    "DataPropertyNotFound",
                    Ec2OpsErrorCategory.InvalidArgument,
                    $"Input object {position} has no property '{name}'; it has: {string.Join(", ", row.Select(p => p.Key))}.",
                    null)
                {
                    RecommendedAction = "Check the -Property names against the input objects.",
                };
            }

            result.Add(new KeyValuePair<string, object?>(row[index].Key, Choose(row[index].Value, position)));
        }

        return result;
    }

    /// <summary>Replaces cell by cell in a <c>double[,]</c> or <c>double[][]</c>; returns a new matrix of the same kind.</summary>
    public object ReplaceMatrix(object matrix)
    {
        Position++;
        switch (matrix)
        {
            case double[,] m:
            {
                var shape = Matrix.ShapeOf(m);
                CheckShapes(shape);
                var result = new double[shape.Rows, shape.Columns];
                for (int r = 0; r < shape.Rows; r++)
                {
                    for (int c = 0; c < shape.Columns; c++)
                    {
                        result[r, c] = ChooseCell(m[r, c], r, c, shape);
                    }
                }

                return result;
            }

            case double[][] jagged:
            {
                var shape = Matrix.ShapeOf(jagged);
                CheckShapes(shape);
                var result = new double[shape.Rows][];
                for (int r = 0; r < shape.Rows; r++)
                {
                    result[r] = new double[shape.Columns];
                    for (int c = 0; c < shape.Columns; c++)
                    {
                        result[r][c] = ChooseCell(jagged[r][c], r, c, shape);
                    }
                }

                return result;
            }

            default:
                throw new ArgumentException($"Not a matrix: {matrix?.GetType().Name}", nameof(matrix));
        }
    }

    private object? Choose(object? element, long position) => _condition.ForElement(element, position)
        ? _whenTrue.ForElement(element, position, _trueRole)
        : _whenFalse.ForElement(element, position, _falseRole);

    private double ChooseCell(double element, int row, int column, MatrixShape shape) =>
        _condition.ForCell(element, row, column, shape)
            ? _whenTrue.ForCell(element, row, column, shape, _trueRole)
            : _whenFalse.ForCell(element, row, column, shape, _falseRole);

    // Shapes are checked before any cell is touched, so a mismatch names both shapes and nothing else.
    private void CheckShapes(MatrixShape shape)
    {
        _condition.CheckShape(shape);
        _whenTrue.CheckShape(shape, _trueRole);
        _whenFalse.CheckShape(shape, _falseRole);
    }
}
