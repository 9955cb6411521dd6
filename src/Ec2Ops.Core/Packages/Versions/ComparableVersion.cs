namespace Ec2Ops.Core.Packages.Versions;

/// <summary>
/// A package version parsed under its ecosystem's scheme, so that sorting and comparing follow that
/// ecosystem's rules: PEP 440 for Python, SemVer/NuGet for PowerShell, NuGet, npm and assemblies,
/// dpkg's and rpm's epoch:version-release for system packages. Two versions of one scheme compare by
/// that scheme; versions of different schemes (a mixed listing) group by scheme name, so a sort of
/// everything stays a total order.
/// </summary>
/// <remarks>
/// Each concrete type has a static <c>Parse(string)</c>, which PowerShell uses to convert a string
/// operand, so <c>$p.ParsedVersion -ge '2.0'</c> compares by the package's own scheme.
/// </remarks>
public abstract class ComparableVersion : IComparable<ComparableVersion>, IComparable, IEquatable<ComparableVersion>
{
    /// <summary>The version scheme: <c>PEP 440</c>, <c>SemVer</c>, <c>Debian</c> or <c>RPM</c>.</summary>
    public abstract string Scheme { get; }

    /// <summary>True for a pre-release (PEP 440 a/b/rc/dev, SemVer label, a tilde in dpkg or rpm).</summary>
    public abstract bool IsPrerelease { get; }

    public int CompareTo(ComparableVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        return other.GetType() == GetType() ? CompareSameScheme(other) : string.CompareOrdinal(Scheme, other.Scheme);
    }

    /// <summary>Compares with another version, or with a string read under this version's scheme.</summary>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        ComparableVersion version => CompareTo(version),
        string text => CompareTo(ParseSameScheme(text) ?? throw new ArgumentException($"'{text}' is not a valid {Scheme} version.", nameof(obj))),
        _ => throw new ArgumentException($"A {Scheme} version cannot be compared with a {obj.GetType().Name}.", nameof(obj)),
    };

    public bool Equals(ComparableVersion? other) => other is not null && other.GetType() == GetType() && CompareSameScheme(other) == 0;

    public override bool Equals(object? obj) => obj is ComparableVersion other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Scheme, CanonicalKey);

    public static bool operator ==(ComparableVersion? left, ComparableVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ComparableVersion? left, ComparableVersion? right) => !(left == right);

    public static bool operator <(ComparableVersion? left, ComparableVersion? right) => Compare(left, right) < 0;

    public static bool operator >(ComparableVersion? left, ComparableVersion? right) => Compare(left, right) > 0;

    public static bool operator <=(ComparableVersion? left, ComparableVersion? right) => Compare(left, right) <= 0;

    public static bool operator >=(ComparableVersion? left, ComparableVersion? right) => Compare(left, right) >= 0;

    /// <summary>Null sorts first, as Sort-Object sorts $null.</summary>
    public static int Compare(ComparableVersion? left, ComparableVersion? right) =>
        left is null ? (right is null ? 0 : -1) : left.CompareTo(right);

    /// <summary>Orders two versions known to be of this type.</summary>
    protected abstract int CompareSameScheme(ComparableVersion other);

    /// <summary>Reads a string under this scheme, or null when it is not a valid version of it.</summary>
    protected abstract ComparableVersion? ParseSameScheme(string text);

    /// <summary>The version as written (what Export-Csv writes for a ParsedVersion).</summary>
    public abstract override string ToString();

    /// <summary>A string equal for exactly the versions that compare equal (for hashing).</summary>
    protected abstract string CanonicalKey { get; }
}
