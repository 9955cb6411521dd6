using System.Numerics;

namespace Ec2Ops.Core.Data;

/// <summary>How Test-NotDistinct compares.</summary>
public sealed record NotDistinctOptions
{
    /// <summary>Compare strings (and chars) ignoring case; by default they compare ordinally, case-sensitive.</summary>
    public bool IgnoreCase { get; init; }

    /// <summary>Treat NaN as NULL. Otherwise NaN is a value, equal to NaN (as PostgreSQL orders it) and distinct from NULL.</summary>
    public bool NaNIsNull { get; init; }

    /// <summary>Answer <c>IS DISTINCT FROM</c> instead of <c>IS NOT DISTINCT FROM</c>.</summary>
    public bool Distinct { get; init; }

    /// <summary>For records: the properties to compare; null compares every property the two share.</summary>
    public IReadOnlyList<string>? Properties { get; init; }
}

/// <summary>One compared pair of records, with the properties that differ.</summary>
public sealed class RecordComparison
{
    /// <summary>0-based position of the pair in the input.</summary>
    public long Index { get; init; }

    /// <summary>The answer to <see cref="Test"/>: with the default test, true when no compared property differs.</summary>
    public bool Result { get; init; }

    /// <summary><c>IS NOT DISTINCT FROM</c> or <c>IS DISTINCT FROM</c>.</summary>
    public string Test { get; init; } = NullSafeEquality.NotDistinctText;

    public ValueList DifferentProperties { get; init; } = ValueList.Empty;

    public ValueList ComparedProperties { get; init; } = ValueList.Empty;

    public object? Left { get; init; }

    public object? Right { get; init; }
}

/// <summary>
/// SQL's <c>IS NOT DISTINCT FROM</c> (MySQL <c>&lt;=&gt;</c>): NULL equals NULL, NULL differs from every
/// value, and two values compare as SQL users expect: numbers by value across types (1 = 1.0 =
/// 1.0m), strings ordinally (optionally ignoring case). Lists compare element by element (one
/// bool each; a scalar is broadcast against a list), records property by property.
/// </summary>
public sealed class NullSafeEquality
{
    public const string NotDistinctText = "IS NOT DISTINCT FROM";
    public const string DistinctText = "IS DISTINCT FROM";

    private PropertyPresence? _presence;

    // Nested records are compared to this depth, then by Equals, so cyclic object graphs end.
    private const int MaxDepth = 8;

    private readonly NotDistinctOptions _options;
    private readonly IDataObjectModel _model;

    public NullSafeEquality(NotDistinctOptions? options = null, IDataObjectModel? model = null)
    {
        _options = options ?? new NotDistinctOptions();
        _model = model ?? ClrDataObjectModel.Instance;
    }

    /// <summary>How many pairs <see cref="Test"/> has answered (the next pair's index).</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Answers one pair: a bool for two scalars, a bool[] when either side is a list, a
    /// <see cref="RecordComparison"/> when either side is a record. -Distinct is applied here.
    /// </summary>
    public object Test(object? left, object? right)
    {
        long index = Position++;
        left = _model.Unwrap(left);
        right = _model.Unwrap(right);

        if (_model.IsRecord(left) || _model.IsRecord(right))
        {
            return CompareRecords(left, right, index);
        }

        if (DataValue.IsList(left) || DataValue.IsList(right))
        {
            return CompareLists(left, right).Select(Flip).ToArray();
        }

        return Flip(AreNotDistinct(left, right, 0));
    }

    /// <summary>The core rule for two values of any kind (lists and records must match entirely).</summary>
    public bool AreNotDistinct(object? left, object? right) => AreNotDistinct(_model.Unwrap(left), _model.Unwrap(right), 0);

    private bool Flip(bool notDistinct) => _options.Distinct ? !notDistinct : notDistinct;

    private bool IsNull(object? value) => DataValue.IsNull(value) || (_options.NaNIsNull && DataValue.IsNaN(value));

    private bool AreNotDistinct(object? left, object? right, int depth)
    {
        bool leftNull = IsNull(left);
        bool rightNull = IsNull(right);
        if (leftNull || rightNull)
        {
            return leftNull && rightNull;
        }

        if (DataValue.IsNumber(left) && DataValue.IsNumber(right))
        {
            return NumbersEqual(left!, right!);
        }

        if (left is string or char && right is string or char)
        {
            return string.Equals(
                Convert.ToString(left, System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToString(right, System.Globalization.CultureInfo.InvariantCulture),
                _options.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        }

        if (DataValue.IsList(left) && DataValue.IsList(right))
        {
            var l = (System.Collections.IList)left!;
            var r = (System.Collections.IList)right!;
            if (l.Count != r.Count)
            {
                return false;
            }

            for (int i = 0; i < l.Count; i++)
            {
                if (!AreNotDistinct(_model.Unwrap(l[i]), _model.Unwrap(r[i]), depth + 1))
                {
                    return false;
                }
            }

            return true;
        }

        if (depth < MaxDepth && _model.IsRecord(left) && _model.IsRecord(right))
        {
            var (compared, different) = CompareProperties(left!, right!, null, depth + 1);
            return compared.Count > 0 ? different.Count == 0 : left!.Equals(right);
        }

        return left!.Equals(right);
    }

    // SQL compares numbers by value: a float on either side compares as float (as SQL converts
    // NUMERIC to FLOAT), decimals as decimal, integers of any width exactly.
    private static bool NumbersEqual(object left, object right)
    {
        if (IsFloating(left) || IsFloating(right))
        {
            DataValue.TryToDouble(left, out double l);
            DataValue.TryToDouble(right, out double r);
            return l.Equals(r); // Equals: NaN equals NaN, and 0.0 equals -0.0
        }

        if (left is decimal || right is decimal)
        {
            if (TryToDecimal(left, out decimal dl) && TryToDecimal(right, out decimal dr))
            {
                return dl == dr;
            }

            return false; // an integer beyond decimal's range cannot equal a decimal
        }

        return ToBigInteger(left) == ToBigInteger(right);
    }

    private static bool IsFloating(object value) => value is double or float or Half;

    private static bool TryToDecimal(object value, out decimal result)
    {
        if (value is decimal d)
        {
            result = d;
            return true;
        }

        var big = ToBigInteger(value);
        if (big >= (BigInteger)decimal.MinValue && big <= (BigInteger)decimal.MaxValue)
        {
            result = (decimal)big;
            return true;
        }

        result = 0;
        return false;
    }

    private static BigInteger ToBigInteger(object value) => value switch
    {
        BigInteger b => b,
        Int128 i => (BigInteger)i,
        UInt128 u => (BigInteger)u,
        ulong ul => ul,
        nuint nu => (ulong)nu,
        nint n => (long)n,
        _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private bool[] CompareLists(object? left, object? right)
    {
        var l = left as System.Collections.IList;
        var r = right as System.Collections.IList;
        if (l is not null && r is not null && l.Count != r.Count)
        {
            throw new Ec2OpsException(
                "NotDistinctLengthMismatch",
                Ec2OpsErrorCategory.InvalidArgument,
                $"Left has {l.Count} elements and Right has {r.Count}; lists compare element by element, so they must be the same length (or one side a single value).",
                null)
            {
                RecommendedAction = "Compare lists of equal length, or a list with a single value.",
            };
        }

        int count = (l ?? r)!.Count;
        var result = new bool[count];
        for (int i = 0; i < count; i++)
        {
            object? a = l is null ? left : _model.Unwrap(l[i]);
            object? b = r is null ? right : _model.Unwrap(r[i]);
            result[i] = AreNotDistinct(a, b, 1);
        }

        return result;
    }

    /// <summary>Which -Property names the compared objects had, to report a name no object has.</summary>
    public PropertyPresence Presence => _presence ??= new PropertyPresence(_options.Properties);

    private RecordComparison CompareRecords(object? left, object? right, long index)
    {
        if (_options.Properties is not null)
        {
            foreach (object? side in new[] { left, right })
            {
                if (_model.IsRecord(side))
                {
                    Presence.Observe(_model.GetProperties(side!));
                }
            }
        }

        List<string> compared;
        List<string> different;
        if (_model.IsRecord(left) && _model.IsRecord(right))
        {
            (compared, different) = CompareProperties(left!, right!, _options.Properties, 1);
            if (compared.Count == 0)
            {
                throw new Ec2OpsException(
                    "NotDistinctNoSharedProperty",
                    Ec2OpsErrorCategory.InvalidData,
                    $"Pair {index}: the two objects share no property, so there is nothing to compare (left: {Names(left!)}; right: {Names(right!)}).",
                    null)
                {
                    RecommendedAction = "Name the properties to compare with -Property.",
                };
            }
        }
        else
        {
            // A record against a scalar (typically a missing row, NULL): every property differs.
            object record = _model.IsRecord(left) ? left! : right!;
            compared = _options.Properties?.ToList() ?? _model.GetProperties(record).Select(p => p.Key).ToList();
            different = compared.ToList();
        }

        return new RecordComparison
        {
            Index = index,
            Result = Flip(different.Count == 0),
            Test = _options.Distinct ? DistinctText : NotDistinctText,
            ComparedProperties = new ValueList(compared),
            DifferentProperties = new ValueList(different),
            Left = left,
            Right = right,
        };
    }

    // Names match case-insensitively, as PowerShell's do; a named property missing on one side is NULL there.
    private (List<string> Compared, List<string> Different) CompareProperties(object left, object right, IReadOnlyList<string>? names, int depth)
    {
        var l = _model.GetProperties(left);
        var r = _model.GetProperties(right);
        var compared = names?.ToList()
            ?? l.Select(p => p.Key).Where(n => DataObjects.IndexOf(r, n) >= 0).ToList();
        var different = new List<string>();
        foreach (string name in compared)
        {
            int li = DataObjects.IndexOf(l, name);
            int ri = DataObjects.IndexOf(r, name);
            object? a = li < 0 ? null : _model.Unwrap(l[li].Value);
            object? b = ri < 0 ? null : _model.Unwrap(r[ri].Value);
            if (!AreNotDistinct(a, b, depth))
            {
                different.Add(name);
            }
        }

        return (compared, different);
    }

    private string Names(object record) => string.Join(", ", _model.GetProperties(record).Select(p => p.Key));
}
