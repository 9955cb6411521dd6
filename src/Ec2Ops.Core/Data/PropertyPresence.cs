namespace Ec2Ops.Core.Data;

/// <summary>
/// Tracks which of the properties a user named (-Property) any input object actually has, so that a
/// mistyped name is reported once the input ends, instead of silently reading as missing everywhere.
/// A property that only some objects lack is not an error: that is a missing value (pandas' NaN).
/// </summary>
public sealed class PropertyPresence
{
    private const int MaxNamesShown = 30;

    private readonly string[] _requested;
    private readonly bool[] _found;
    private readonly List<string> _seenNames = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private long _objects;

    public PropertyPresence(IReadOnlyList<string>? requested)
    {
        _requested = requested?.ToArray() ?? Array.Empty<string>();
        _found = new bool[_requested.Length];
    }

    /// <summary>Records the properties of one input object.</summary>
    public void Observe(IReadOnlyList<KeyValuePair<string, object?>> row)
    {
        _objects++;
        foreach (var property in row)
        {
            if (_seen.Add(property.Key))
            {
                _seenNames.Add(property.Key);
            }
        }

        for (int i = 0; i < _requested.Length; i++)
        {
            _found[i] |= DataObjects.IndexOf(row, _requested[i]) >= 0;
        }
    }

    /// <summary>True when <paramref name="property"/> was named and no object so far has it.</summary>
    public bool IsMissing(string property)
    {
        int i = Array.FindIndex(_requested, r => string.Equals(r, property, StringComparison.OrdinalIgnoreCase));
        return i >= 0 && _objects > 0 && !_found[i];
    }

    /// <summary>
    /// One <c>PropertyNotFound</c> error per named property that no input object had (none when there
    /// was no object input: then there is nothing to say the name is wrong against).
    /// </summary>
    public IReadOnlyList<Ec2OpsException> MissingErrors(string parameter = "-Property")
    {
        var errors = new List<Ec2OpsException>();
        if (_objects == 0)
        {
            return errors;
        }

        for (int i = 0; i < _requested.Length; i++)
        {
            if (_found[i])
            {
                continue;
            }

            string name = _requested[i];
            string have = _seenNames.Count == 0
                ? "they have no properties"
                : "they have: " + string.Join(", ", _seenNames.Take(MaxNamesShown)) + (_seenNames.Count > MaxNamesShown ? $", ... ({_seenNames.Count} in all)" : "");
            var close = _seenNames.Where(n => IsClose(name, n)).Take(3).ToList();
            string hint = close.Count > 0 ? $" Did you mean {string.Join(" or ", close.Select(c => $"'{c}'"))}?" : "";
            errors.Add(new Ec2OpsException(
                "PropertyNotFound",
                Ec2OpsErrorCategory.InvalidArgument,
                $"No input object has a property '{name}' ({parameter}); {have}.{hint}",
                name)
            {
                RecommendedAction = "Check the name against the input's properties: ... | Get-Member -MemberType Properties.",
            });
        }

        return errors;
    }

    // A near miss: one name starts with the other, or at most two edits apart.
    private static bool IsClose(string typed, string actual)
    {
        if (actual.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || typed.StartsWith(actual, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return Math.Abs(typed.Length - actual.Length) <= 2 && EditDistance(typed.ToLowerInvariant(), actual.ToLowerInvariant()) <= 2;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
