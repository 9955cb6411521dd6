using System.Collections;
using System.Globalization;
using System.Numerics;

namespace Ec2Ops.Core.Data;

/// <summary>
/// How the data tools read plain .NET values: what counts as missing (SQL NULL / pandas NA),
/// what counts as a number, and how numbers convert to double.
/// </summary>
public static class DataValue
{
    /// <summary><c>$null</c> and <c>[DBNull]::Value</c>: the two ways PowerShell and ADO.NET say NULL.</summary>
    public static bool IsNull(object? value) => value is null || value is DBNull;

    /// <summary>A float or double NaN (decimal and integers have none).</summary>
    public static bool IsNaN(object? value) => value switch
    {
        double d => double.IsNaN(d),
        float f => float.IsNaN(f),
        Half h => Half.IsNaN(h),
        _ => false,
    };

    /// <summary>True for every .NET numeric type (not bool, not char, not strings).</summary>
    public static bool IsNumber(object? value) => value is sbyte or byte or short or ushort or int or uint
        or long or ulong or Int128 or UInt128 or BigInteger or float or double or decimal or Half or nint or nuint;

    /// <summary>A number of any .NET numeric type as a double (decimal and big integers round to nearest).</summary>
    public static bool TryToDouble(object? value, out double result)
    {
        switch (value)
        {
            case double d: result = d; return true;
            case float f: result = f; return true;
            case int i: result = i; return true;
            case long l: result = l; return true;
            case decimal m: result = (double)m; return true;
            case short s: result = s; return true;
            case byte b: result = b; return true;
            case sbyte sb: result = sb; return true;
            case ushort us: result = us; return true;
            case uint ui: result = ui; return true;
            case ulong ul: result = ul; return true;
            case Int128 i128: result = (double)i128; return true;
            case UInt128 u128: result = (double)u128; return true;
            case BigInteger bi: result = (double)bi; return true;
            case Half h: result = (double)h; return true;
            case nint n: result = n; return true;
            case nuint nu: result = nu; return true;
            default: result = double.NaN; return false;
        }
    }

    /// <summary>
    /// Parses text the way PowerShell's <c>[double]'...'</c> does for plain numbers: invariant
    /// culture, leading/trailing spaces allowed, exponent allowed, "NaN" and "Infinity" accepted.
    /// </summary>
    public static bool TryParseNumber(string text, out double result) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result);

    /// <summary>A list the data tools treat element-wise: any IList (strings are not IList, so they stay scalars).</summary>
    public static bool IsList(object? value) => value is IList;

    /// <summary>
    /// The leaves of nested lists in order (a matrix row by row, a jagged array row by row), as
    /// numpy reduces over every element of an array by default. Strings are leaves, not lists.
    /// </summary>
    public static IEnumerable<object?> Flatten(object? value, Func<object?, object?>? unwrap = null)
    {
        unwrap ??= v => v;
        value = unwrap(value);
        if (value is not IList list)
        {
            yield return value;
            yield break;
        }

        foreach (object? item in list)
        {
            foreach (object? leaf in Flatten(item, unwrap))
            {
                yield return leaf;
            }
        }
    }

    /// <summary>Short, culture-invariant text for messages: strings quoted, NULLs named.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "$null",
        DBNull => "[DBNull]::Value",
        string s => $"'{s}' (string)",
        IFormattable f => $"{f.ToString(null, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
        _ => $"{value} ({value.GetType().Name})",
    };
}
