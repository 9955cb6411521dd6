using NuGet.Versioning;

namespace Ec2Ops.Core.Packages.Versions;

/// <summary>
/// A SemVer 2.0 / NuGet version (PowerShell modules, NuGet packages, npm packages, assembly
/// versions), read and ordered by NuGet.Versioning: numeric parts (up to four), then a pre-release
/// label sorts before the release (<c>1.0.0-rc.1</c> &lt; <c>1.0.0</c>), label identifiers compare
/// numerically where they are numbers; build metadata (<c>+sha</c>) is kept but does not order.
/// </summary>
public sealed class SemanticVersion : ComparableVersion
{
    private SemanticVersion(NuGetVersion version) => Value = version;

    public override string Scheme => "SemVer";

    /// <summary>The NuGet.Versioning value (internal: a public one would nest in ConvertTo-Json output).</summary>
    internal NuGetVersion Value { get; }

    public int Major => Value.Major;

    public int Minor => Value.Minor;

    public int Patch => Value.Patch;

    /// <summary>The fourth part of a four-part version (PowerShell, assemblies), else 0.</summary>
    public int Revision => Value.Revision;

    /// <summary>The pre-release label (<c>preview.3</c>), or null.</summary>
    public string? Prerelease => Value.IsPrerelease ? Value.Release : null;

    /// <summary>Build metadata (after <c>+</c>), or null.</summary>
    public string? Metadata => Value.HasMetadata ? Value.Metadata : null;

    public override bool IsPrerelease => Value.IsPrerelease;

    public static SemanticVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a valid SemVer or NuGet version.");

    /// <summary>Reads a version; a leading <c>v</c> or <c>=</c> (as npm tolerates) and spaces are ignored.</summary>
    public static bool TryParse(string? text, out SemanticVersion version)
    {
        version = null!;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (trimmed[0] is 'v' or 'V' or '=')
        {
            trimmed = trimmed[1..].TrimStart();
        }

        if (!NuGetVersion.TryParse(trimmed, out var parsed))
        {
            return false;
        }

        version = new SemanticVersion(parsed);
        return true;
    }

    /// <summary>The normalized form (<c>1.0</c> becomes <c>1.0.0</c>), with build metadata.</summary>
    public override string ToString() => Value.ToFullString();

    protected override int CompareSameScheme(ComparableVersion other) =>
        VersionComparer.Default.Compare(Value, ((SemanticVersion)other).Value);

    protected override ComparableVersion? ParseSameScheme(string text) => TryParse(text, out var version) ? version : null;

    protected override string CanonicalKey => Value.ToNormalizedString().ToUpperInvariant();
}
