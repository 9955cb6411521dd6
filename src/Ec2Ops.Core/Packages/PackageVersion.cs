using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages;

/// <summary>The package ecosystems Get-PackageVersion reads.</summary>
public enum PackageEcosystem
{
    /// <summary>Python distributions: *.dist-info/METADATA, *.egg-info (PKG-INFO) in site- and dist-packages.</summary>
    Python,

    /// <summary>PowerShell modules: manifests (.psd1) on PSModulePath.</summary>
    PowerShell,

    /// <summary>NuGet packages: .nuspec files in the global packages folder.</summary>
    NuGet,

    /// <summary>.NET assemblies: .dll files under -Path.</summary>
    Assembly,

    /// <summary>npm packages: package.json of node_modules (global, or under -Path).</summary>
    Npm,

    /// <summary>Debian packages: the dpkg status database.</summary>
    Dpkg,

    /// <summary>RPM packages: the SQLite rpmdb of rpm 4.16 and later.</summary>
    Rpm,
}

/// <summary>
/// One installed package version, as its own metadata states it: what Get-PackageVersion returns.
/// Nothing was imported, loaded or run to learn it.
/// </summary>
public class PackageVersion
{
    /// <summary>The package name as its metadata writes it (Python: the Name header; dpkg: Package).</summary>
    public required string Name { get; init; }

    /// <summary>The version exactly as the metadata writes it.</summary>
    public required string Version { get; init; }

    /// <summary>
    /// The version parsed under the ecosystem's scheme (PEP 440, SemVer/NuGet, Debian, RPM), so that
    /// sorting by it sorts as the ecosystem does; null when the text is not valid under the scheme.
    /// </summary>
    public ComparableVersion? ParsedVersion { get; init; }

    /// <summary>Python, PowerShell, NuGet, Assembly, Npm, Dpkg or Rpm.</summary>
    public required string Ecosystem { get; init; }

    /// <summary>The metadata file the version was read from (for dpkg and rpm: the database).</summary>
    public required string Location { get; init; }

    /// <summary>The one-line description, where the metadata has one.</summary>
    public string? Summary { get; init; }

    /// <summary>The architecture of a dpkg or rpm package (amd64, x86_64, noarch, ...); otherwise null.</summary>
    public string? Architecture { get; init; }

    /// <summary>
    /// Python: the interpreter or environment whose search path found the package, e.g.
    /// <c>python3.11 /usr</c> or <c>venv /srv/app/.venv</c>. PowerShell, npm and NuGet: the root folder
    /// it was found in. Otherwise null.
    /// </summary>
    public string? Environment { get; init; }

    /// <summary>
    /// True when an earlier entry of the same name hides this one from the ecosystem's loader (Python:
    /// a distribution earlier on the path; PowerShell: a module that Import-Module would pick instead).
    /// Shadowed packages are returned only with -All.
    /// </summary>
    public bool Shadowed { get; init; }

    public override string ToString() => $"{Name} {Version}";
}

/// <summary>A .NET assembly's versions, read from its metadata without loading it for execution.</summary>
public sealed class AssemblyPackageVersion : PackageVersion
{
    /// <summary>The assembly identity's version (what binding uses), e.g. 13.0.0.0.</summary>
    public required string AssemblyVersion { get; init; }

    /// <summary>AssemblyFileVersionAttribute, or null.</summary>
    public string? FileVersion { get; init; }

    /// <summary>AssemblyInformationalVersionAttribute (the product version, often with +commit), or null.</summary>
    public string? InformationalVersion { get; init; }
}
