using System.Collections.Concurrent;

namespace Ec2Ops.Core.Packages;

/// <summary>What one ecosystem's reader is asked: where, which names, shadowed ones or not.</summary>
internal sealed record ScanRequest(PackageSearchContext Context, IReadOnlyList<string> Paths, PackageNameFilter Filter, bool All, CancellationToken Cancellation)
{
    /// <summary>True when the user named this reader's ecosystem with -Ecosystem (not just "every one present").</summary>
    public bool Explicit { get; init; }

    /// <summary>True when the user gave -Path: only those places are read.</summary>
    public bool HasPaths => Paths.Count > 0;
}

/// <summary>What one ecosystem's reader found, where it looked, and what it could not read. Thread-safe.</summary>
internal sealed class ScanResult(PackageEcosystem ecosystem)
{
    private readonly ConcurrentBag<(PackageVersion Package, long Order)> _packages = new();
    private readonly ConcurrentBag<(string Location, string Message)> _warnings = new();
    private readonly List<string> _searched = new();

    public PackageEcosystem Ecosystem { get; } = ecosystem;

    /// <summary>Where the reader looked, in search order (folders, files, databases).</summary>
    public IReadOnlyList<string> Searched
    {
        get
        {
            lock (_searched)
            {
                return _searched.ToArray();
            }
        }
    }

    public void AddSearched(string location)
    {
        lock (_searched)
        {
            if (!_searched.Contains(location, StringComparer.Ordinal))
            {
                _searched.Add(location);
            }
        }
    }

    /// <summary>A package found; <paramref name="order"/> is its place in search order (earlier wins).</summary>
    public void Add(PackageVersion package, long order) => _packages.Add((package, order));

    /// <summary>A package or folder that could not be read: a warning; the scan goes on.</summary>
    public void Warn(string location, string message) => _warnings.Add((location, message));

    public IReadOnlyList<(PackageVersion Package, long Order)> Packages => _packages.ToArray();

    public IReadOnlyList<(string Location, string Message)> Warnings =>
        _warnings.OrderBy(w => w.Location, StringComparer.Ordinal).ThenBy(w => w.Message, StringComparer.Ordinal).ToArray();
}

/// <summary>One ecosystem: finds its places (standard ones, or what it recognizes in -Path) and reads them.</summary>
internal abstract class PackageReader
{
    public abstract PackageEcosystem Ecosystem { get; }

    public abstract void Scan(ScanRequest request, ScanResult result);

    /// <summary>
    /// Only the names, as cheaply as possible (folder names where the ecosystem's layout gives them),
    /// for tab completion. The default reads the metadata.
    /// </summary>
    public virtual IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        Scan(request with { All = true }, result);
        return result.Packages.Select(p => p.Package.Name);
    }
}

/// <summary>File-system helpers that turn an unreadable folder into a warning instead of a failure.</summary>
internal static class Folders
{
    public static bool Exists(string path) => Directory.Exists(path);

    /// <summary>The entries of a folder, or null (with a warning) when it cannot be listed.</summary>
    public static string[]? List(string folder, ScanResult result, string pattern = "*")
    {
        try
        {
            var entries = Directory.GetFileSystemEntries(folder, pattern);
            Array.Sort(entries, StringComparer.Ordinal);
            return entries;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            result.Warn(folder, $"The folder cannot be read ({Reason(e)}); its packages are not listed.");
            return null;
        }
    }

    /// <summary>The sub-folders of a folder, or null (with a warning) when it cannot be listed.</summary>
    public static string[]? ListFolders(string folder, ScanResult result)
    {
        try
        {
            var entries = Directory.GetDirectories(folder);
            Array.Sort(entries, StringComparer.Ordinal);
            return entries;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            result.Warn(folder, $"The folder cannot be read ({Reason(e)}); its packages are not listed.");
            return null;
        }
    }

    /// <summary>
    /// True (with a warning) when a folder to search is a symbolic link that cannot be followed:
    /// dangling, or a loop. A plain missing folder is just not there and says nothing.
    /// </summary>
    public static bool IsBrokenLink(string folder, ScanResult result)
    {
        try
        {
            if (Directory.Exists(folder) || new FileInfo(folder).LinkTarget is not { } target)
            {
                return false;
            }

            result.Warn(folder, $"The folder cannot be read (it is a link to '{target}' that cannot be followed: dangling or a loop); its packages are not listed.");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A short reason for an I/O failure, without the stack or the path repeated.</summary>
    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "it does not exist or is a dangling link",
        FileNotFoundException => "it does not exist",
        PathTooLongException => "the path is too long",
        _ => e.Message.TrimEnd('.').Split(" : ")[0],
    };

    /// <summary>
    /// The full path with every symbolic link on the way resolved (realpath), so that one tree reached
    /// through two names (/lib and /usr/lib on merged-/usr systems) is read once. Unresolvable parts
    /// are kept as they are.
    /// </summary>
    public static string Canonical(string path) => Canonical(path, 0);

    private static string Canonical(string path, int depth)
    {
        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            return path;
        }

        if (depth > 32)
        {
            return full; // a link loop
        }

        var root = Path.GetPathRoot(full) ?? string.Empty;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            current = target is null ? next : Canonical(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
        }

        return current;
    }
}
