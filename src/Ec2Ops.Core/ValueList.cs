using System.Collections.ObjectModel;

namespace Ec2Ops.Core;

/// <summary>
/// A read-only list of strings that prints as "a, b, c", so a list-valued property (security
/// groups, IPs) survives Export-Csv and Format-Table as readable text instead of "System.String[]".
/// </summary>
public sealed class ValueList : ReadOnlyCollection<string>
{
    public static new readonly ValueList Empty = new(Array.Empty<string>());

    public ValueList(IList<string> items)
        : base(items)
    {
    }

    /// <summary>Non-empty lines of an IMDS multi-line value.</summary>
    public static ValueList FromLines(string? text) =>
        text is null ? Empty : new ValueList(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray());

    public override string ToString() => string.Join(", ", this);
}
