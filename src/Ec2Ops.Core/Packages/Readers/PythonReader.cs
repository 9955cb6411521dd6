using System.Collections.Concurrent;
using System.IO.Enumeration;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// Python distributions as importlib.metadata finds them: in each folder of an environment's search
/// path, every <c>*.dist-info</c> (METADATA) and <c>*.egg-info</c> (a folder with PKG-INFO, or a file
/// that is itself PKG-INFO); names match after PEP 503 normalization of the part of the folder name
/// before the first hyphen, as importlib's fast path does, and only matching metadata files are
/// read, each only up to the Summary header. The first match in path order wins; later ones of the
/// same name are shadowed. Paths listed in <c>*.pth</c> files are searched right after their site
/// folder, as site.py adds them (lines that start with <c>import</c> are code and are never run).
/// Nothing is imported and no Python is started.
/// </summary>
internal sealed class PythonReader : PackageReader
{
    private static readonly string[] Fields = { "Name", "Version", "Summary" };

    public override PackageEcosystem Ecosystem => PackageEcosystem.Python;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        var environments = Environments(request);
        var listings = ListRoots(environments, result, request.Cancellation);

        // Read the metadata of every distribution whose folder name may match, each file once, in parallel.
        var candidates = listings.Values.SelectMany(l => l.Distributions)
            .Where(d => request.Filter.MightMatch(PackageEcosystem.Python, d.Name))
            .DistinctBy(d => d.Path)
            .ToArray();
        var read = new ConcurrentDictionary<string, Metadata?>(StringComparer.Ordinal);
        Parallel.ForEach(
            candidates,
            new ParallelOptions { CancellationToken = request.Cancellation, MaxDegreeOfParallelism = Math.Max(8, Environment.ProcessorCount * 4) },
            d => read[d.Path] = ReadMetadata(d, result));

        // Walk each environment's path in order: the first distribution of a name wins.
        var emitted = new Dictionary<string, (PackageVersion Package, long Order)>(StringComparer.Ordinal);
        long order = 0;
        foreach (var environment in environments)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var root in ExpandedRoots(environment, listings))
            {
                foreach (var distribution in listings[root].Distributions)
                {
                    order++;
                    if (!read.TryGetValue(distribution.Path, out var metadata) || metadata is null)
                    {
                        continue;
                    }

                    var normalized = PackageNameFilter.NormalizePython(metadata.Name);
                    var winner = seen.Add(normalized);
                    if (emitted.TryGetValue(distribution.Path, out var earlier))
                    {
                        if (winner && earlier.Package.Shadowed)
                        {
                            emitted[distribution.Path] = (Package(metadata, environment, shadowed: false), earlier.Order);
                        }

                        continue;
                    }

                    emitted[distribution.Path] = (Package(metadata, environment, shadowed: !winner), order);
                }
            }
        }

        foreach (var (package, packageOrder) in emitted.Values)
        {
            if ((request.All || !package.Shadowed) && request.Filter.IsMatch(PackageEcosystem.Python, package.Name))
            {
                result.Add(package, packageOrder);
            }
        }
    }

    public override IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        var listings = ListRoots(Environments(request), result, request.Cancellation);
        return listings.Values.SelectMany(l => l.Distributions).Select(d => d.Name).Distinct(StringComparer.Ordinal);
    }

    private static IReadOnlyList<PythonEnvironment> Environments(ScanRequest request) =>
        request.HasPaths ? PythonEnvironments.FromPaths(request.Context, request.Paths) : PythonEnvironments.Standard(request.Context);

    private static PackageVersion Package(Metadata metadata, PythonEnvironment environment, bool shadowed) => new()
    {
        Name = metadata.Name,
        Version = metadata.Version,
        ParsedVersion = Pep440Version.TryParse(metadata.Version, out var parsed) ? parsed : null,
        Ecosystem = nameof(PackageEcosystem.Python),
        Location = metadata.Location,
        Summary = metadata.Summary,
        Environment = environment.Label,
        Shadowed = shadowed,
    };

    // Every existing root of every environment, and the folders their .pth files add, listed once each.
    private static Dictionary<string, Listing> ListRoots(IReadOnlyList<PythonEnvironment> environments, ScanResult result, CancellationToken cancellation)
    {
        var listings = new ConcurrentDictionary<string, Listing>(StringComparer.Ordinal);
        var pending = environments.SelectMany(e => e.Roots).Distinct(StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            Parallel.ForEach(pending, new ParallelOptions { CancellationToken = cancellation }, root => listings[root] = List(root, result));
            pending = listings.Values.SelectMany(l => l.PthFolders).Where(f => !listings.ContainsKey(f)).Distinct(StringComparer.Ordinal).ToList();
        }

        foreach (var environment in environments)
        {
            foreach (var root in ExpandedRoots(environment, listings))
            {
                result.AddSearched(root);
            }
        }

        return new Dictionary<string, Listing>(listings, StringComparer.Ordinal);
    }

    // An environment's search path with each site folder followed by the folders its .pth files add.
    private static IEnumerable<string> ExpandedRoots(PythonEnvironment environment, IReadOnlyDictionary<string, Listing> listings)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in environment.Roots)
        {
            if (!listings.TryGetValue(root, out var listing) || !listing.Exists || !done.Add(root))
            {
                continue;
            }

            yield return root;
            foreach (var extra in listing.PthFolders)
            {
                if (listings.TryGetValue(extra, out var added) && added.Exists && done.Add(extra))
                {
                    yield return extra;
                }
            }
        }
    }

    private static Listing List(string root, ScanResult result)
    {
        if (!Directory.Exists(root))
        {
            Folders.IsBrokenLink(root, result);
            return Listing.Missing;
        }

        // One pass over the folder that keeps only metadata entries: no path string, no stat, for the
        // thousands of package folders beside them (the entry says whether it is a folder).
        List<(string Path, string Name, bool IsFolder)> entries;
        try
        {
            entries = new FileSystemEnumerable<(string, string, bool)>(
                root,
                (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.FileName.ToString(), entry.IsDirectory),
                new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 })
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => IsMetadataName(entry.FileName),
            }.ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            result.Warn(root, $"The folder cannot be read ({Folders.Reason(e)}); its packages are not listed.");
            return Listing.Missing;
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var distributions = new List<Distribution>();
        var pthFiles = new List<string>();
        foreach (var (entry, name, isFolder) in entries)
        {
            if (name.EndsWith(".dist-info", StringComparison.OrdinalIgnoreCase))
            {
                distributions.Add(new Distribution(entry, Path.Combine(entry, "METADATA"), NameOf(name)));
            }
            else if (name.EndsWith(".egg-info", StringComparison.OrdinalIgnoreCase))
            {
                distributions.Add(new Distribution(entry, isFolder ? Path.Combine(entry, "PKG-INFO") : entry, NameOf(name)));
            }
            else if (!name.StartsWith('.'))
            {
                pthFiles.Add(entry);
            }
        }

        return new Listing(true, distributions, PthFolders(root, pthFiles, result));
    }

    private static bool IsMetadataName(ReadOnlySpan<char> name) =>
        name.EndsWith(".dist-info", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".egg-info", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".pth", StringComparison.OrdinalIgnoreCase);

    // importlib's Prepared/FastPath: the name is the part before the first hyphen, normalized.
    private static string NameOf(string folderName)
    {
        var stem = folderName[..folderName.LastIndexOf('.')];
        var hyphen = stem.IndexOf('-');
        return PackageNameFilter.NormalizePython(hyphen < 0 ? stem : stem[..hyphen]);
    }

    // site.addpackage: each line of a .pth file (files in name order) that is not a comment and not
    // code names a folder, relative to the site folder, added to the path when it exists.
    private static List<string> PthFolders(string root, List<string> pthFiles, ScanResult result)
    {
        var folders = new List<string>();
        foreach (var file in pthFiles)
        {
            try
            {
                foreach (var raw in File.ReadLines(file))
                {
                    var line = raw.TrimEnd();
                    if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("import\t", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(line, root));
                    if (Directory.Exists(folder))
                    {
                        folders.Add(folder);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                result.Warn(file, $"The path file cannot be read ({Folders.Reason(e)}); the folders it lists are not searched.");
            }
        }

        return folders;
    }

    private static Metadata? ReadMetadata(Distribution distribution, ScanResult result)
    {
        var header = HeaderFile.Read(distribution.MetadataFile, Fields);
        if (header.Missing)
        {
            var what = Path.GetFileName(distribution.MetadataFile);
            result.Warn(distribution.Path, Directory.Exists(distribution.Path)
                ? $"The distribution has no {what} file (an interrupted install or uninstall?); its version is unknown."
                : "The metadata file cannot be read; its version is unknown.");
            return null;
        }

        if (header.Error is { } error)
        {
            result.Warn(distribution.MetadataFile, $"The metadata file {error}; its version is unknown.");
            return null;
        }

        var (name, version, summary) = (header.Values[0], header.Values[1], header.Values[2]);
        if (header.EncodingProblems.Any(p => p.Contains("Name header") || p.Contains("Version header")))
        {
            result.Warn(distribution.MetadataFile, $"Bad encoding: {string.Join("; ", header.EncodingProblems)}; the package is skipped.");
            return null;
        }

        if (header.EncodingProblems.Count > 0)
        {
            result.Warn(distribution.MetadataFile, $"Bad encoding: {string.Join("; ", header.EncodingProblems)}; the summary is shown with replacement characters.");
        }

        if (string.IsNullOrEmpty(version))
        {
            var size = new FileInfo(distribution.MetadataFile).Length;
            result.Warn(distribution.MetadataFile, size == 0
                ? "The metadata file is empty (truncated?); its version is unknown."
                : "The metadata has no Version header (truncated or not a METADATA/PKG-INFO file); the package is skipped.");
            return null;
        }

        var displayName = string.IsNullOrEmpty(name) ? distribution.Name : name;
        return new Metadata(displayName, version, string.IsNullOrEmpty(summary) || summary == "UNKNOWN" ? null : summary, distribution.MetadataFile);
    }

    private sealed record Distribution(string Path, string MetadataFile, string Name);

    private sealed record Metadata(string Name, string Version, string? Summary, string Location);

    private sealed record Listing(bool Exists, IReadOnlyList<Distribution> Distributions, IReadOnlyList<string> PthFolders)
    {
        public static readonly Listing Missing = new(false, Array.Empty<Distribution>(), Array.Empty<string>());
    }
}
