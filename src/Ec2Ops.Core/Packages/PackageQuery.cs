namespace Ec2Ops.Core.Packages;

/// <summary>What Get-PackageVersion asks: which names, in which ecosystems, where.</summary>
public sealed record PackageQuery
{
    /// <summary>Names or wildcard patterns; empty lists everything found.</summary>
    public IReadOnlyList<string> Names { get; init; } = Array.Empty<string>();

    /// <summary>Ecosystems to read; empty means every ecosystem present here.</summary>
    public IReadOnlyList<PackageEcosystem> Ecosystems { get; init; } = Array.Empty<PackageEcosystem>();

    /// <summary>
    /// Absolute folders or files to read instead of the standard places. Each ecosystem reads what it
    /// recognizes there (a site-packages folder, a virtual environment, a module folder, node_modules,
    /// a dpkg status file, an rpmdb.sqlite, .nuspec and .dll files).
    /// </summary>
    public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();

    /// <summary>Also return packages that an earlier one of the same name shadows.</summary>
    public bool All { get; init; }
}

/// <summary>
/// Where the standard places are: the file-system root they hang under (a test fixture's folder in
/// the tests, <c>/</c> otherwise), the home folder, the working folder and the environment variables
/// (PATH, VIRTUAL_ENV, CONDA_PREFIX, PYTHONPATH, PSModulePath, NUGET_PACKAGES, ...).
/// </summary>
public sealed record PackageSearchContext
{
    public required string RootDirectory { get; init; }

    public required string HomeDirectory { get; init; }

    public required string WorkingDirectory { get; init; }

    public required IEnvironmentVariables Environment { get; init; }

    /// <summary>The running process's view: <c>/</c>, $HOME, the current directory, the real environment.</summary>
    public static PackageSearchContext ForProcess(string? workingDirectory = null) => new()
    {
        RootDirectory = OperatingSystem.IsWindows() ? Path.GetPathRoot(global::System.Environment.SystemDirectory) ?? "C:\\" : "/",
        HomeDirectory = global::System.Environment.GetFolderPath(global::System.Environment.SpecialFolder.UserProfile),
        WorkingDirectory = workingDirectory ?? global::System.Environment.CurrentDirectory,
        Environment = ProcessEnvironment.Instance,
    };

    /// <summary>A standard absolute path (<c>/usr/lib/python3</c>) under <see cref="RootDirectory"/>.</summary>
    public string System(string absolute) =>
        RootDirectory == "/" ? absolute : Path.Combine(RootDirectory, absolute.TrimStart('/', '\\'));

    /// <summary>A path under the home folder.</summary>
    public string Home(params string[] parts) => Path.Combine([HomeDirectory, .. parts]);

    /// <summary>The entries of a PATH-like variable, empty ones dropped.</summary>
    public IReadOnlyList<string> PathList(string variable) =>
        (Environment.Get(variable) ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
