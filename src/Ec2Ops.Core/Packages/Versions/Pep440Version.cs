using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ec2Ops.Core.Packages.Versions;

/// <summary>
/// A Python version under PEP 440, ordered as the <c>packaging</c> library orders it: epoch, release
/// (trailing zeros ignored, so 1.0 == 1.0.0), then <c>.devN</c> &lt; <c>aN</c> &lt; <c>bN</c> &lt;
/// <c>rcN</c> &lt; the release &lt; <c>.postN</c>, and a local label (<c>+ubuntu1</c>) after the
/// same public version. <see cref="ToString"/> gives the normalized form (<c>1.0-RC.1</c> becomes
/// <c>1.0rc1</c>).
/// </summary>
public sealed partial class Pep440Version : ComparableVersion
{
    private readonly long[] _release;

    private Pep440Version(long epoch, long[] release, string? preLabel, long preNumber, long? post, long? dev, string[]? local)
    {
        Epoch = epoch;
        _release = release;
        PreLabel = preLabel;
        PreNumber = preNumber;
        PostRelease = post;
        DevRelease = dev;
        LocalSegments = local;
    }

    public override string Scheme => "PEP 440";

    public long Epoch { get; }

    /// <summary>The release segment as written after normalization, e.g. <c>1.10.0</c>.</summary>
    public string Release => string.Join('.', _release.Select(n => n.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The pre-release part, normalized (<c>a1</c>, <c>b2</c>, <c>rc1</c>), or null.</summary>
    public string? PreRelease => PreLabel is null ? null : PreLabel + PreNumber.ToString(CultureInfo.InvariantCulture);

    public long? PostRelease { get; }

    public long? DevRelease { get; }

    /// <summary>The local version label (after <c>+</c>), or null.</summary>
    public string? Local => LocalSegments is null ? null : string.Join('.', LocalSegments);

    public override bool IsPrerelease => PreLabel is not null || DevRelease is not null;

    private string? PreLabel { get; }

    private long PreNumber { get; }

    private string[]? LocalSegments { get; }

    public static Pep440Version Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid PEP 440 version.");

    public static bool TryParse(string? text, out Pep440Version version)
    {
        version = null!;
        if (text is null)
        {
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        try
        {
            var epoch = match.Groups["epoch"].Success ? long.Parse(match.Groups["epoch"].Value, CultureInfo.InvariantCulture) : 0;
            var release = match.Groups["release"].Value.Split('.').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            string? preLabel = null;
            long preNumber = 0;
            if (match.Groups["pre_l"].Success)
            {
                preLabel = match.Groups["pre_l"].Value.ToLowerInvariant() switch
                {
                    "alpha" or "a" => "a",
                    "beta" or "b" => "b",
                    _ => "rc", // c, rc, pre, preview
                };
                preNumber = match.Groups["pre_n"].Success ? long.Parse(match.Groups["pre_n"].Value, CultureInfo.InvariantCulture) : 0;
            }

            long? post = null;
            if (match.Groups["post_n1"].Success)
            {
                post = long.Parse(match.Groups["post_n1"].Value, CultureInfo.InvariantCulture);
            }
            else if (match.Groups["post_l"].Success)
            {
                post = match.Groups["post_n2"].Success ? long.Parse(match.Groups["post_n2"].Value, CultureInfo.InvariantCulture) : 0;
            }

            long? dev = match.Groups["dev_l"].Success
                ? (match.Groups["dev_n"].Success ? long.Parse(match.Groups["dev_n"].Value, CultureInfo.InvariantCulture) : 0)
                : null;
            var local = match.Groups["local"].Success
                ? match.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
                : null;
            version = new Pep440Version(epoch, release, preLabel, preNumber, post, dev, local);
            return true;
        }
        catch (OverflowException)
        {
            return false; // a number longer than 18 digits: not a version anyone can compare
        }
    }

    /// <summary>The normalized form, as <c>packaging.version.Version</c> prints it.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Epoch != 0)
        {
            text.Append(Epoch.ToString(CultureInfo.InvariantCulture)).Append('!');
        }

        text.Append(Release);
        text.Append(PreRelease);
        if (PostRelease is { } post)
        {
            text.Append(".post").Append(post.ToString(CultureInfo.InvariantCulture));
        }

        if (DevRelease is { } dev)
        {
            text.Append(".dev").Append(dev.ToString(CultureInfo.InvariantCulture));
        }

        if (Local is { } local)
        {
            text.Append('+').Append(local);
        }

        return text.ToString();
    }

    protected override int CompareSameScheme(ComparableVersion other)
    {
        var that = (Pep440Version)other;
        var result = Epoch.CompareTo(that.Epoch);
        if (result != 0)
        {
            return result;
        }

        result = CompareRelease(_release, that._release);
        if (result != 0)
        {
            return result;
        }

        result = PreKey().CompareTo(that.PreKey());
        if (result != 0)
        {
            return result;
        }

        result = (PostRelease ?? -1).CompareTo(that.PostRelease ?? -1);
        if (result != 0)
        {
            return result;
        }

        result = (DevRelease ?? long.MaxValue).CompareTo(that.DevRelease ?? long.MaxValue);
        return result != 0 ? result : CompareLocal(LocalSegments, that.LocalSegments);
    }

    protected override ComparableVersion? ParseSameScheme(string text) => TryParse(text, out var version) ? version : null;

    protected override string CanonicalKey
    {
        get
        {
            var release = _release.AsEnumerable().Reverse().SkipWhile(n => n == 0).Reverse();
            return $"{Epoch}!{string.Join('.', release)}|{PreKey()}|{PostRelease}|{DevRelease}|{Local}";
        }
    }

    // packaging's _cmpkey: a dev release without pre or post sorts before every pre-release of that
    // release (1.0.dev0 < 1.0a0); no pre-release sorts after every pre-release.
    private (int Rank, long Number) PreKey()
    {
        if (PreLabel is null && PostRelease is null && DevRelease is not null)
        {
            return (-1, 0);
        }

        return PreLabel switch
        {
            null => (3, 0),
            "a" => (0, PreNumber),
            "b" => (1, PreNumber),
            _ => (2, PreNumber),
        };
    }

    private static int CompareRelease(long[] left, long[] right)
    {
        var length = Math.Max(left.Length, right.Length);
        for (var i = 0; i < length; i++)
        {
            var result = (i < left.Length ? left[i] : 0).CompareTo(i < right.Length ? right[i] : 0);
            if (result != 0)
            {
                return result;
            }
        }

        return 0;
    }

    // No local label sorts first; segments compare pairwise, numbers above words, words
    // lexicographically; a longer label that starts like the shorter one sorts after it.
    private static int CompareLocal(string[]? left, string[]? right)
    {
        if (left is null || right is null)
        {
            return (left is null ? 0 : 1) - (right is null ? 0 : 1);
        }

        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
        {
            var leftNumber = long.TryParse(left[i], NumberStyles.None, CultureInfo.InvariantCulture, out var a);
            var rightNumber = long.TryParse(right[i], NumberStyles.None, CultureInfo.InvariantCulture, out var b);
            var result = (leftNumber, rightNumber) switch
            {
                (true, true) => a.CompareTo(b),
                (true, false) => 1,
                (false, true) => -1,
                _ => string.CompareOrdinal(left[i], right[i]),
            };
            if (result != 0)
            {
                return Math.Sign(result);
            }
        }

        return left.Length.CompareTo(right.Length);
    }

    // The version pattern of PEP 440's appendix (also packaging's VERSION_PATTERN), whole string.
    [GeneratedRegex(
        """
        ^\s*v?
        (?:(?<epoch>[0-9]+)!)?
        (?<release>[0-9]+(?:\.[0-9]+)*)
        (?<pre>[-_\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\.]?(?<pre_n>[0-9]+)?)?
        (?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\.]?(?<post_l>post|rev|r)[-_\.]?(?<post_n2>[0-9]+)?))?
        (?<dev>[-_\.]?(?<dev_l>dev)[-_\.]?(?<dev_n>[0-9]+)?)?
        (?:\+(?<local>[a-z0-9]+(?:[-_\.][a-z0-9]+)*))?
        \s*$
        """,
        RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
