using System.Globalization;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Emulator;

/// <summary>An AWS error the emulated services answer with (HTTP status, code, message).</summary>
internal sealed class AwsFault : Exception
{
    public AwsFault(int status, string code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public int Status { get; }

    public string Code { get; }

    public static AwsFault Invalid(string message) => new(400, "InvalidParameterValue", message);

    public static AwsFault Missing(string parameter) => new(400, "MissingParameter", $"The request must contain the parameter {parameter}.");
}

/// <summary>The form fields of a Query-protocol request, with the list conventions of CloudWatch and EC2.</summary>
internal sealed partial class AwsQueryRequest
{
    private readonly Dictionary<string, string> _fields;

    // Every list prefix ("MetricDataQueries.member.", "Filter.2.Value.") and the indexes under it,
    // built once: a 500-query GetMetricData has thousands of fields, and scanning them all for every
    // list would make parsing quadratic.
    private readonly Dictionary<string, SortedSet<int>> _indexes = new(StringComparer.Ordinal);

    public AwsQueryRequest(IEnumerable<KeyValuePair<string, string>> fields)
    {
        _fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            _fields[key] = value;
            var start = 0;
            while (start < key.Length)
            {
                var dot = key.IndexOf('.', start);
                var end = dot < 0 ? key.Length : dot;
                if (end > start && int.TryParse(key.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > 0)
                {
                    var prefix = key[..start];
                    if (!_indexes.TryGetValue(prefix, out var set))
                    {
                        _indexes[prefix] = set = new SortedSet<int>();
                    }

                    set.Add(index);
                }

                start = end + 1;
            }
        }
    }

    public string? Action => Get("Action");

    public string? Version => Get("Version");

    public IReadOnlyDictionary<string, string> Fields => _fields;

    public string? Get(string name) => _fields.TryGetValue(name, out var value) ? value : null;

    public string Required(string name) => Get(name) is { Length: > 0 } value ? value : throw AwsFault.Missing(name);

    /// <summary>The indexes N present under <paramref name="prefix"/> (e.g. "MetricDataQueries.member."), in numeric order.</summary>
    public IReadOnlyList<int> Indexes(string prefix) =>
        _indexes.TryGetValue(prefix, out var set) ? set.ToList() : Array.Empty<int>();

    /// <summary>The values of a flat list: Name.1, Name.2 (EC2) or Name.member.1 (CloudWatch).</summary>
    public IReadOnlyList<string> List(string prefix) => Indexes(prefix).Select(i => Get(prefix + i.ToString(CultureInfo.InvariantCulture))).OfType<string>().ToList();

    public int? Integer(string name)
    {
        if (Get(name) is not { } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw AwsFault.Invalid($"The value {text} for parameter {name} is not a valid integer.");
    }

    public double? Number(string name)
    {
        if (Get(name) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw AwsFault.Invalid($"The value {text} for parameter {name} is not a valid number.");
    }

    public bool Boolean(string name) => string.Equals(Get(name), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>An ISO 8601 timestamp (or epoch seconds), as the Query protocol sends them.</summary>
    public DateTimeOffset? Time(string name)
    {
        if (Get(name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var epoch))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000));
        }

        throw AwsFault.Invalid($"The parameter {name} must be a valid ISO 8601 timestamp, not '{text}'.");
    }

    /// <summary>An EC2 filter value matches: '*' any characters, '?' one, '\' escapes.</summary>
    public static bool Matches(string pattern, string? value)
    {
        if (value is null)
        {
            return false;
        }

        var regex = "^" + WildcardPattern().Replace(pattern, m => m.Value switch
        {
            "*" => ".*",
            "?" => ".",
            _ => Regex.Escape(m.Value.TrimStart('\\')),
        }) + "$";
        return Regex.IsMatch(value, regex, RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"\\.|\*|\?|[^*?\\]+")]
    private static partial Regex WildcardPattern();
}
