namespace Ec2Ops.Core;

/// <summary>The one rule tab completion follows: known values that start with what was typed.</summary>
public static class Completion
{
    /// <summary>
    /// The values that start with <paramref name="typed"/>, case-insensitively; quotes the user
    /// typed around a partial word are ignored.
    /// </summary>
    public static IEnumerable<string> StartingWith(IEnumerable<string> values, string? typed)
    {
        var prefix = (typed ?? string.Empty).Trim('\'', '"');
        return values.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
    }
}
