using System.Collections;
using System.Reflection;

namespace Ec2Ops.Core.Data;

/// <summary>
/// How Core sees the objects it is given, so that it never needs PowerShell: the cmdlet layer
/// supplies an implementation that unwraps PSObjects and reads their (note) properties; tests and
/// other .NET callers use <see cref="ClrDataObjectModel"/>.
/// </summary>
public interface IDataObjectModel
{
    /// <summary>The plain value behind a wrapper (a PSObject's BaseObject), or the value itself.</summary>
    object? Unwrap(object? value);

    /// <summary>The readable properties of an object, in their declared order, values unwrapped.</summary>
    IReadOnlyList<KeyValuePair<string, object?>> GetProperties(object value);

    /// <summary>True when <paramref name="value"/> is a record with properties (not a scalar, not a list).</summary>
    bool IsRecord(object? value);

    /// <summary>
    /// Why property <paramref name="name"/> of <paramref name="value"/> cannot be read (its getter
    /// threw), or null when it reads (or does not exist). <see cref="GetProperties"/> reads such a
    /// property as NULL, as Select-Object shows it; callers that use the value ask this first.
    /// </summary>
    string? ReadFailure(object value, string name) => null;
}

/// <summary>
/// Plain .NET objects: dictionaries are records of their entries, other non-scalar classes are
/// records of their public instance properties. Scalars (numbers, strings, bools, dates, enums,
/// GUIDs, NULLs) and lists are not records.
/// </summary>
public sealed class ClrDataObjectModel : IDataObjectModel
{
    public static readonly ClrDataObjectModel Instance = new();

    public object? Unwrap(object? value) => value;

    public IReadOnlyList<KeyValuePair<string, object?>> GetProperties(object value)
    {
        if (value is IDictionary dictionary)
        {
            var entries = new List<KeyValuePair<string, object?>>();
            foreach (DictionaryEntry e in dictionary)
            {
                entries.Add(new KeyValuePair<string, object?>(Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "", e.Value));
            }

            return entries;
        }

        return value.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => new KeyValuePair<string, object?>(p.Name, p.GetValue(value)))
            .ToList();
    }

    public bool IsRecord(object? value) => !IsScalar(value) && !DataValue.IsList(value);

    public string? ReadFailure(object value, string name)
    {
        if (value is IDictionary)
        {
            return null;
        }

        var property = value.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || !property.CanRead || property.GetIndexParameters().Length > 0)
        {
            return null;
        }

        try
        {
            property.GetValue(value);
            return null;
        }
        catch (TargetInvocationException failure)
        {
            return (failure.InnerException ?? failure).Message;
        }
    }

    /// <summary>Values compared as a whole: NULLs, numbers, text, bools, dates, times, GUIDs, enums, versions, URIs.</summary>
    public static bool IsScalar(object? value) => value is null or DBNull or string or char or bool
        or DateTime or DateTimeOffset or TimeSpan or DateOnly or TimeOnly or Guid or Enum or Version or Uri
        || DataValue.IsNumber(value);
}

/// <summary>Helpers over property rows.</summary>
public static class DataObjects
{
    /// <summary>
    /// Throws <c>DataPropertyUnreadable</c>, naming the property and the item, when one of the
    /// properties the work uses cannot be read: a getter that throws must not pass for a NULL value.
    /// </summary>
    public static void CheckReadable(IDataObjectModel model, object item, IEnumerable<string> properties, long position)
    {
        foreach (string name in properties)
        {
            if (model.ReadFailure(item, name) is { } failure)
            {
                string type = model.Unwrap(item)?.GetType().Name ?? "object";
                throw new Ec2OpsException(
                    "DataPropertyUnreadable",
                    Ec2OpsErrorCategory.ReadError,
                    $"Input object {position} ({type}): reading its property '{name}' failed ({failure.TrimEnd('.')}); the object is left out rather than read as NULL.",
                    name)
                {
                    RecommendedAction = "Read the property yourself first (ForEach-Object { ... }), or leave such objects out with -ErrorAction SilentlyContinue.",
                };
            }
        }
    }

    /// <summary>Index of a property by name, case-insensitive as PowerShell's names are; -1 when absent.</summary>
    public static int IndexOf(IReadOnlyList<KeyValuePair<string, object?>> row, string name)
    {
        for (int i = 0; i < row.Count; i++)
        {
            if (string.Equals(row[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
