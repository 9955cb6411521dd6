using System.Globalization;

namespace Ec2Ops.Core.Packages.Versions;

/// <summary>
/// An RPM <c>[epoch:]version-release</c>, ordered as <c>rpm</c> (rpmvercmp of rpm 4.15+) orders it:
/// epoch numerically (none is 0), then version, then release. Within each, runs of digits compare as
/// numbers and runs of letters as strings, a number beats letters, other characters only separate;
/// <c>~</c> sorts before everything (even the end: <c>1.0~rc1</c> &lt; <c>1.0</c>) and <c>^</c>
/// after the end but before anything else (<c>1.0</c> &lt; <c>1.0^git1</c> &lt; <c>1.0.1</c>).
/// </summary>
public sealed class RpmVersion : ComparableVersion
{
    private RpmVersion(long? epoch, string version, string? release)
    {
        Epoch = epoch;
        Version = version;
        Release = release;
    }

    public override string Scheme => "RPM";

    /// <summary>The epoch, or null when the package has none (compares as 0).</summary>
    public long? Epoch { get; }

    public string Version { get; }

    public string? Release { get; }

    public override bool IsPrerelease => Version.Contains('~') || (Release?.Contains('~') ?? false);

    public static RpmVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid RPM version.");

    /// <summary>Reads <c>[epoch:]version[-release]</c> (the release is after the last hyphen).</summary>
    public static bool TryParse(string? text, out RpmVersion version)
    {
        version = null!;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        long? epoch = null;
        var colon = value.IndexOf(':');
        if (colon >= 0)
        {
            if (!long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                return false;
            }

            epoch = e;
            value = value[(colon + 1)..];
        }

        string? release = null;
        var hyphen = value.LastIndexOf('-');
        if (hyphen >= 0)
        {
            release = value[(hyphen + 1)..];
            value = value[..hyphen];
        }

        return From(epoch, value, release, out version);
    }

    /// <summary>Builds a version from the separate header values (EPOCH, VERSION, RELEASE tags).</summary>
    public static bool From(long? epoch, string? version, string? release, out RpmVersion result)
    {
        result = null!;
        if (string.IsNullOrEmpty(version) || version.Contains('-') || (release is not null && (release.Length == 0 || release.Contains('-'))))
        {
            return false;
        }

        result = new RpmVersion(epoch, version, release);
        return true;
    }

    /// <summary>rpmvercmp: compares one version or release string as rpm does (-1, 0, 1).</summary>
    public static int CompareSegment(string? left, string? right)
    {
        left ??= string.Empty;
        right ??= string.Empty;
        if (string.Equals(left, right, StringComparison.Ordinal))
        {
            return 0;
        }

        int i = 0, j = 0;
        while (i < left.Length || j < right.Length)
        {
            while (i < left.Length && !IsSignificant(left[i]))
            {
                i++;
            }

            while (j < right.Length && !IsSignificant(right[j]))
            {
                j++;
            }

            var a = i < left.Length ? left[i] : '\0';
            var b = j < right.Length ? right[j] : '\0';

            // The tilde sorts before everything else, the end of the string included.
            if (a == '~' || b == '~')
            {
                if (a != '~')
                {
                    return 1;
                }

                if (b != '~')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            // The caret sorts after the end of the string but before anything else.
            if (a == '^' || b == '^')
            {
                if (a == '\0')
                {
                    return -1;
                }

                if (b == '\0')
                {
                    return 1;
                }

                if (a != '^')
                {
                    return 1;
                }

                if (b != '^')
                {
                    return -1;
                }

                i++;
                j++;
                continue;
            }

            if (a == '\0' || b == '\0')
            {
                break;
            }

            var numeric = char.IsAsciiDigit(a);
            var endA = i;
            var endB = j;
            if (numeric)
            {
                while (endA < left.Length && char.IsAsciiDigit(left[endA]))
                {
                    endA++;
                }

                while (endB < right.Length && char.IsAsciiDigit(right[endB]))
                {
                    endB++;
                }
            }
            else
            {
                while (endA < left.Length && char.IsAsciiLetter(left[endA]))
                {
                    endA++;
                }

                while (endB < right.Length && char.IsAsciiLetter(right[endB]))
                {
                    endB++;
                }
            }

            // Segments of different kinds: a number is newer than letters.
            if (endB == j)
            {
                return numeric ? 1 : -1;
            }

            var segmentA = left.AsSpan(i, endA - i);
            var segmentB = right.AsSpan(j, endB - j);
            if (numeric)
            {
                segmentA = segmentA.TrimStart('0');
                segmentB = segmentB.TrimStart('0');
                if (segmentA.Length != segmentB.Length)
                {
                    return segmentA.Length > segmentB.Length ? 1 : -1;
                }
            }

            var result = segmentA.SequenceCompareTo(segmentB);
            if (result != 0)
            {
                return Math.Sign(result);
            }

            i = endA;
            j = endB;
        }

        var leftDone = i >= left.Length;
        var rightDone = j >= right.Length;
        if (leftDone && rightDone)
        {
            return 0;
        }

        return leftDone ? -1 : 1;
    }

    /// <summary><c>epoch:version-release</c> as rpm prints EVR, the epoch only when there is one.</summary>
    public override string ToString()
    {
        var text = Epoch is { } epoch ? epoch.ToString(CultureInfo.InvariantCulture) + ":" + Version : Version;
        return Release is null ? text : text + "-" + Release;
    }

    protected override int CompareSameScheme(ComparableVersion other)
    {
        var that = (RpmVersion)other;
        var result = (Epoch ?? 0).CompareTo(that.Epoch ?? 0);
        if (result != 0)
        {
            return result;
        }

        result = CompareSegment(Version, that.Version);
        if (result != 0 || Release is null || that.Release is null)
        {
            // rpm compares releases only when both sides have one.
            return result;
        }

        return CompareSegment(Release, that.Release);
    }

    protected override ComparableVersion? ParseSameScheme(string text) => TryParse(text, out var version) ? version : null;

    // Equal versions can differ in separators and leading zeros; hashing by epoch alone stays consistent.
    protected override string CanonicalKey => (Epoch ?? 0).ToString(CultureInfo.InvariantCulture);

    private static bool IsSignificant(char c) => char.IsAsciiLetterOrDigit(c) || c is '~' or '^';
}
