using System.Diagnostics;
using System.Text;
using Ec2Ops.Core.Packages.Readers;

namespace Ec2Ops.Core.Packages;

/// <summary>What a search found: the packages in output order, the names not found, and where it looked.</summary>
public sealed class PackageSearchResult
{
    public required IReadOnlyList<PackageVersion> Packages { get; init; }

    /// <summary>One error per literal name that nothing matched (ErrorId PackageNotFound).</summary>
    public required IReadOnlyList<Ec2OpsException> NotFound { get; init; }

    /// <summary>One error per -Path that does not exist (ErrorId PackagePathNotFound).</summary>
    public required IReadOnlyList<Ec2OpsException> PathErrors { get; init; }

    /// <summary>Where each ecosystem looked, in search order.</summary>
    public required IReadOnlyDictionary<PackageEcosystem, IReadOnlyList<string>> Searched { get; init; }
}

/// <summary>
/// Answers "which version of X is installed here" for every ecosystem at once, from metadata only:
/// nothing is imported, loaded or run. Each ecosystem's reader scans its places (every root in
/// parallel, each tree once, only the header lines needed); broken metadata becomes a warning for
/// that package and the scan goes on; literal names that match nothing become not-found errors that
/// say where the search looked.
/// </summary>
public sealed class PackageVersionService
{
    private const string Activity = "Reading package metadata";

    private static readonly PackageReader[] AllReaders =
    {
        new PythonReader(), new PowerShellReader(), new NuGetReader(), new AssemblyReader(), new NpmReader(), new DpkgReader(), new RpmReader(),
    };

    private readonly PackageSearchContext _context;
    private readonly IOperationLog _log;
    private readonly IProgress<OperationProgress>? _progress;
    private readonly string _root;

    public PackageVersionService(PackageSearchContext context, IOperationLog? log = null, IProgress<OperationProgress>? progress = null)
    {
        _context = context;
        _log = log ?? NullOperationLog.Instance;
        _progress = progress;
        _root = context.WorkingDirectory;
    }

    /// <summary>Every ecosystem's name, for -Ecosystem completion and messages.</summary>
    public static IReadOnlyList<string> EcosystemNames { get; } = Enum.GetNames<PackageEcosystem>();

    public PackageSearchResult Find(PackageQuery query, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var (paths, pathErrors) = CheckPaths(query.Paths);
        var filter = new PackageNameFilter(query.Names);
        var readers = Readers(query.Ecosystems);
        var request = new ScanRequest(_context, paths, filter, query.All, cancellation);
        var results = readers.Select(r => new ScanResult(r.Ecosystem)).ToArray();

        if (query.Paths.Count > 0 && paths.Count == 0)
        {
            // Every -Path was missing: nothing to read, and the path errors say why.
            return new PackageSearchResult
            {
                Packages = Array.Empty<PackageVersion>(),
                NotFound = Array.Empty<Ec2OpsException>(),
                PathErrors = pathErrors,
                Searched = results.ToDictionary(r => r.Ecosystem, r => r.Searched),
            };
        }

        var done = 0;
        using (var timer = new Timer(_ => ReportProgress(clock, done, readers.Count), null, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500)))
        {
            Parallel.For(0, readers.Count, new ParallelOptions { CancellationToken = cancellation }, i =>
            {
                readers[i].Scan(request with { Explicit = query.Ecosystems.Contains(readers[i].Ecosystem) }, results[i]);
                Interlocked.Increment(ref done);
            });
        }

        if (clock.Elapsed > TimeSpan.FromSeconds(1))
        {
            _progress?.Report(new OperationProgress(Activity, "Done", 100));
        }

        foreach (var result in results)
        {
            foreach (var (location, message) in result.Warnings)
            {
                _log.Warning($"{result.Ecosystem}: {location}: {message}");
            }

            _log.Verbose($"{result.Ecosystem}: {result.Packages.Count} package(s) from {result.Searched.Count} place(s){(result.Searched.Count > 0 ? ": " + string.Join(", ", result.Searched) : string.Empty)}.");
        }

        _log.Verbose($"Read package metadata in {clock.Elapsed.TotalMilliseconds:0} ms.");
        var packages = results
            .SelectMany(r => r.Packages.Select(p => (p.Package, p.Order, Ecosystem: (int)r.Ecosystem)))
            .OrderBy(p => p.Ecosystem)
            .ThenBy(p => p.Package.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.Package.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Package.Shadowed)
            .ThenBy(p => p.Order)
            .Select(p => p.Package)
            .ToArray();
        return new PackageSearchResult
        {
            Packages = packages,
            NotFound = filter.Unmatched().Select(name => NotFound(name, results, query)).ToArray(),
            PathErrors = pathErrors,
            Searched = results.ToDictionary(r => r.Ecosystem, r => r.Searched),
        };
    }

    /// <summary>The names installed here that start with <paramref name="prefix"/>, for tab completion (cheap: folder names where possible).</summary>
    public IReadOnlyList<string> CompleteNames(string? prefix, IReadOnlyList<PackageEcosystem> ecosystems, IReadOnlyList<string> paths, CancellationToken cancellation = default)
    {
        var typed = (prefix ?? string.Empty).Trim('\'', '"');
        var filter = new PackageNameFilter(new[] { PackageNameFilter.HasWildcard(typed) ? typed : typed + "*" });
        var (existing, _) = CheckPaths(paths);
        if (paths.Count > 0 && existing.Count == 0)
        {
            return Array.Empty<string>(); // -Path names only places that do not exist: nothing to offer
        }

        var request = new ScanRequest(_context, existing, filter, true, cancellation);
        var names = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(Readers(ecosystems), new ParallelOptions { CancellationToken = cancellation }, reader =>
        {
            foreach (var name in reader.ListNames(request with { Explicit = ecosystems.Contains(reader.Ecosystem) }))
            {
                if (filter.MightMatch(reader.Ecosystem, name))
                {
                    names.Add(name);
                }
            }
        });
        return names.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private static IReadOnlyList<PackageReader> Readers(IReadOnlyList<PackageEcosystem> ecosystems) =>
        ecosystems.Count == 0 ? AllReaders : AllReaders.Where(r => ecosystems.Contains(r.Ecosystem)).ToArray();

    private (IReadOnlyList<string> Existing, IReadOnlyList<Ec2OpsException> Errors) CheckPaths(IReadOnlyList<string> paths)
    {
        var existing = new List<string>();
        var errors = new List<Ec2OpsException>();
        foreach (var path in paths.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path, _context.WorkingDirectory));
            if (File.Exists(full) || Directory.Exists(full))
            {
                if (!existing.Contains(full, StringComparer.Ordinal))
                {
                    existing.Add(full);
                }
            }
            else
            {
                errors.Add(new Ec2OpsException(
                    "PackagePathNotFound",
                    Ec2OpsErrorCategory.ObjectNotFound,
                    $"The path '{path}' does not exist, so no packages were read there.",
                    path));
            }
        }

        return (existing, errors);
    }

    private void ReportProgress(Stopwatch clock, int done, int total) =>
        _progress?.Report(new OperationProgress(Activity, $"{done} of {total} ecosystem(s) read, {clock.Elapsed.TotalSeconds:0} s", total == 0 ? -1 : 100 * done / total));

    // importlib's PackageNotFoundError, with the places that were searched.
    private Ec2OpsException NotFound(string name, IReadOnlyList<ScanResult> results, PackageQuery query)
    {
        var message = new StringBuilder($"No package named '{name}' was found");
        var looked = results.Where(r => r.Searched.Count > 0).ToArray();
        var kinds = query.Ecosystems.Count == 0 ? string.Empty : $" ({string.Join(", ", query.Ecosystems)})";
        if (query.Paths.Count > 0)
        {
            // Under -Path every ecosystem reads the same places: name them once.
            var places = results.SelectMany(r => r.Searched).Select(RootOf).Distinct().ToList();
            message.Append($" under -Path{kinds}: {string.Join(", ", places.Count > 0 ? places : query.Paths)}.");
        }
        else if (looked.Length == 0)
        {
            message.Append(query.Ecosystems.Count == 0
                ? ": no package metadata of any ecosystem was found on this machine."
                : $": there was nowhere to look for {string.Join(", ", results.Select(r => r.Ecosystem))} packages here.");
        }
        else
        {
            message.Append(". Looked in ");
            message.AppendJoin("; ", looked.Select(r => $"{r.Ecosystem}: {string.Join(", ", r.Searched)}"));
            message.Append('.');
        }

        string RootOf(string searched) => query.Paths.FirstOrDefault(p => searched.StartsWith(Path.TrimEndingDirectorySeparator(Path.GetFullPath(p, _root)), StringComparison.Ordinal)) is { } given
            ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(given, _root))
            : searched;

        return new Ec2OpsException("PackageNotFound", Ec2OpsErrorCategory.ObjectNotFound, message.ToString(), name)
        {
            RecommendedAction = "Check the name (wildcards are allowed), add -Ecosystem, or point -Path at the folder or database that holds it.",
        };
    }
}
