using System.Globalization;

namespace Ec2Ops.Core.Packages.Versions;

/// <summary>
/// A Debian package version, <c>[epoch:]upstream_version[-debian_revision]</c>, ordered exactly as
/// <c>dpkg --compare-versions</c> orders it: epochs numerically, then upstream version and revision
/// by dpkg's algorithm (alternating non-digit and digit runs; in non-digit runs <c>~</c> sorts
/// before everything, even the end of the string, then the end, then letters, then every other
/// character; digit runs compare as numbers). So <c>1.0~rc1</c> &lt; <c>1.0</c> &lt; <c>1.0+b1</c>.
/// </summary>
public sealed class DebianVersion : ComparableVersion
{
    private DebianVersion(long epoch, bool hasEpoch, string upstream, string? revision)
    {
        Epoch = epoch;
        HasEpoch = hasEpoch;
        UpstreamVersion = upstream;
        DebianRevision = revision;
    }

    public override string Scheme => "Debian";

    public long Epoch { get; }

    public string UpstreamVersion { get; }

    /// <summary>The Debian revision (after the last hyphen), or null for a native package.</summary>
    public string? DebianRevision { get; }

    public override bool IsPrerelease => UpstreamVersion.Contains('~');

    private bool HasEpoch { get; }

    public static DebianVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid Debian version.");

    /// <summary>Reads a version as dpkg's parseversion does: the epoch must be a number, the upstream part must start with a digit.</summary>
    public static bool TryParse(string? text, out DebianVersion version)
    {
        version = null!;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || value.Any(char.IsWhiteSpace))
        {
            return false;
        }

        long epoch = 0;
        var hasEpoch = false;
        var colon = value.IndexOf(':');
        if (colon >= 0)
        {
            if (!long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out epoch) || epoch > int.MaxValue)
            {
                return false;
            }

            hasEpoch = true;
            value = value[(colon + 1)..];
        }

        string? revision = null;
        var hyphen = value.LastIndexOf('-');
        if (hyphen >= 0)
        {
            revision = value[(hyphen + 1)..];
            value = value[..hyphen];
            if (revision.Length == 0 || !revision.All(IsRevisionChar))
            {
                return false;
            }
        }

        if (value.Length == 0 || !char.IsAsciiDigit(value[0]) || !value.All(IsUpstreamChar))
        {
            return false;
        }

        version = new DebianVersion(epoch, hasEpoch, value, revision);
        return true;
    }

    /// <summary>dpkg's verrevcmp: the comparison of one upstream version or revision.</summary>
    public static int CompareFragment(string? left, string? right)
    {
        left ??= string.Empty;
        right ??= string.Empty;
        int i = 0, j = 0;
        while (i < left.Length || j < right.Length)
        {
            var firstDiff = 0;
            while ((i < left.Length && !char.IsAsciiDigit(left[i])) || (j < right.Length && !char.IsAsciiDigit(right[j])))
            {
                var a = Order(i < left.Length ? left[i] : '\0');
                var b = Order(j < right.Length ? right[j] : '\0');
                if (a != b)
                {
                    return Math.Sign(a - b);
                }

                i++;
                j++;
            }

            while (i < left.Length && left[i] == '0')
            {
                i++;
            }

            while (j < right.Length && right[j] == '0')
            {
                j++;
            }

            while (i < left.Length && j < right.Length && char.IsAsciiDigit(left[i]) && char.IsAsciiDigit(right[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = left[i] - right[j];
                }

                i++;
                j++;
            }

            if (i < left.Length && char.IsAsciiDigit(left[i]))
            {
                return 1;
            }

            if (j < right.Length && char.IsAsciiDigit(right[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return Math.Sign(firstDiff);
            }
        }

        return 0;
    }

    public override string ToString()
    {
        var text = HasEpoch ? Epoch.ToString(CultureInfo.InvariantCulture) + ":" + UpstreamVersion : UpstreamVersion;
        return DebianRevision is null ? text : text + "-" + DebianRevision;
    }

    protected override int CompareSameScheme(ComparableVersion other)
    {
        var that = (DebianVersion)other;
        var result = Epoch.CompareTo(that.Epoch);
        if (result != 0)
        {
            return result;
        }

        result = CompareFragment(UpstreamVersion, that.UpstreamVersion);
        return result != 0 ? result : CompareFragment(DebianRevision, that.DebianRevision);
    }

    protected override ComparableVersion? ParseSameScheme(string text) => TryParse(text, out var version) ? version : null;

    // Versions that compare equal differ only in leading zeros of digit runs (and "0:" vs no epoch).
    protected override string CanonicalKey => $"{Epoch}:{StripZeros(UpstreamVersion)}-{StripZeros(DebianRevision ?? string.Empty)}";

    // dpkg's order(): digits 0 (never reached in the loop above), letters their code, '~' below
    // everything including the end of the string, any other character after all letters.
    private static int Order(char c) => c switch
    {
        '\0' => 0,
        '~' => -1,
        _ when char.IsAsciiDigit(c) => 0,
        _ when char.IsAsciiLetter(c) => c,
        _ => c + 256,
    };

    private static bool IsUpstreamChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '-' or '~' or ':' or '_';

    private static bool IsRevisionChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '+' or '~' or '_';

    private static string StripZeros(string text)
    {
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var startsRun = char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiDigit(text[i - 1]));
            if (startsRun)
            {
                var end = i;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                {
                    end++;
                }

                var digits = text[i..end].TrimStart('0');
                result.Append(digits); // an all-zero run equals no run at all in verrevcmp ("1.0" == "1.")
                i = end - 1;
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }
}
