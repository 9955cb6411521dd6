using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Text;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// PowerShell modules as Get-Module -ListAvailable finds them, from their manifests only: in each
/// PSModulePath folder, <c>Name/Name.psd1</c> and <c>Name/&lt;version&gt;/Name.psd1</c>. Each
/// manifest is read as data (<see cref="PowerShellDataFile"/>): never imported, no script in it run.
/// The version is ModuleVersion plus PrivateData.PSData.Prerelease (<c>2.0.0-preview3</c>). A
/// version folder whose name differs from the manifest's ModuleVersion is skipped with a warning, as
/// PowerShell skips it. The module Import-Module would load (the first PSModulePath folder that has
/// it, its highest version) wins; the other versions are shadowed and returned with -All.
/// </summary>
internal sealed class PowerShellReader : PackageReader
{
    public override PackageEcosystem Ecosystem => PackageEcosystem.PowerShell;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        var roots = Roots(request);
        var options = new ParallelOptions { CancellationToken = request.Cancellation, MaxDegreeOfParallelism = Math.Max(8, Environment.ProcessorCount * 4) };

        // Each root's module folders, then every module folder of every root at once: most of the
        // cost is listing folders and opening files, which overlap well.
        var folders = new ConcurrentBag<(int Root, string Folder, string RootPath)>();
        Parallel.For(0, roots.Count, options, r =>
        {
            foreach (var folder in ModuleFolders(roots[r], request.Filter, result))
            {
                folders.Add((r, folder, roots[r]));
            }
        });

        var manifests = new ConcurrentBag<(int Root, string Path, Manifest Manifest)>();
        Parallel.ForEach(folders, options, entry =>
        {
            foreach (var candidate in Candidates(entry.Folder, entry.RootPath, result))
            {
                if (Read(candidate, result) is { } manifest)
                {
                    manifests.Add((entry.Root, candidate.Path, manifest));
                }
            }
        });

        foreach (var root in roots.Where(r => Directory.Exists(r) || File.Exists(r)))
        {
            result.AddSearched(root);
        }

        // Import-Module's choice: the first root that has the module, its highest version there.
        var ordered = manifests
            .OrderBy(m => m.Root)
            .ThenByDescending(m => m.Manifest.Package.ParsedVersion)
            .ThenBy(m => m.Path, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long order = 0;
        foreach (var (_, _, manifest) in ordered)
        {
            var winner = seen.Add(manifest.Package.Name);
            if ((winner || request.All) && request.Filter.IsMatch(PackageEcosystem.PowerShell, manifest.Package.Name))
            {
                result.Add(winner ? manifest.Package : Shadowed(manifest.Package), order++);
            }
        }
    }

    public override IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        // A folder counts when it holds a manifest (directly or in a version folder), as for a scan.
        return Roots(request)
            .SelectMany(root => ModuleFolders(root, request.Filter, result).Select(folder => (root, folder)))
            .SelectMany(x => Candidates(x.folder, x.root, result).Where(c => File.Exists(c.Path)).Take(1))
            .Select(c => c.Name)
            .Distinct(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>PSModulePath, or when it is not set, PowerShell's defaults for this user.</summary>
    private static IReadOnlyList<string> Roots(ScanRequest request)
    {
        if (request.HasPaths)
        {
            return request.Paths;
        }

        var context = request.Context;
        var paths = context.PathList("PSModulePath");
        if (paths.Count == 0)
        {
            paths = new[]
            {
                context.Home(".local", "share", "powershell", "Modules"),
                context.System("/usr/local/share/powershell/Modules"),
            };
        }

        return paths.Select(p => Path.GetFullPath(p, context.WorkingDirectory)).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static PackageVersion Shadowed(PackageVersion package) => new()
    {
        Name = package.Name,
        Version = package.Version,
        ParsedVersion = package.ParsedVersion,
        Ecosystem = package.Ecosystem,
        Location = package.Location,
        Summary = package.Summary,
        Environment = package.Environment,
        Shadowed = true,
    };

    // The module folders under one root: the root itself when it is a module folder (or a .psd1
    // file), else its sub-folders whose name may match.
    private static IEnumerable<string> ModuleFolders(string root, PackageNameFilter filter, ScanResult result)
    {
        if (File.Exists(root))
        {
            return root.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase) ? new[] { root } : Array.Empty<string>();
        }

        if (!Directory.Exists(root))
        {
            return Array.Empty<string>();
        }

        if (IsModuleFolder(root))
        {
            return new[] { root };
        }

        return (Folders.ListFolders(root, result) ?? Array.Empty<string>())
            .Where(folder => filter.MightMatch(PackageEcosystem.PowerShell, Path.GetFileName(folder)));
    }

    private static bool IsModuleFolder(string folder)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        if (File.Exists(Path.Combine(folder, name + ".psd1")))
        {
            return true;
        }

        try
        {
            return Directory.EnumerateDirectories(folder).Any(v => System.Version.TryParse(Path.GetFileName(v), out _) && File.Exists(Path.Combine(v, name + ".psd1")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The manifests of one module folder, from one listing of it: Name.psd1 beside the version
    // folders, and Name.psd1 in each folder named like a version (read later; absent is fine).
    private static List<Candidate> Candidates(string folder, string root, ScanResult result)
    {
        var found = new List<Candidate>();
        if (File.Exists(folder))
        {
            found.Add(new Candidate(Path.GetFileNameWithoutExtension(folder), folder, null, Path.GetDirectoryName(folder)!, MayBeAbsent: false));
            return found;
        }

        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var manifestName = name + ".psd1";
        try
        {
            var entries = new FileSystemEnumerable<(string Name, bool IsFolder)>(
                folder,
                (ref FileSystemEntry entry) => (entry.FileName.ToString(), entry.IsDirectory),
                new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 });
            foreach (var (entryName, isFolder) in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (!isFolder && entryName == manifestName)
                {
                    found.Add(new Candidate(name, Path.Combine(folder, entryName), null, root, MayBeAbsent: false));
                }
                else if (isFolder && System.Version.TryParse(entryName, out var version))
                {
                    found.Add(new Candidate(name, Path.Combine(folder, entryName, manifestName), version, root, MayBeAbsent: true));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            result.Warn(folder, $"The folder cannot be read ({Folders.Reason(e)}); its packages are not listed.");
        }

        return found;
    }

    private static Manifest? Read(Candidate candidate, ScanResult result)
    {
        string text;
        try
        {
            text = File.ReadAllText(candidate.Path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            // PowerShell also reads manifests in the system code page when they are not UTF-8.
            text = File.ReadAllText(candidate.Path, Encoding.Latin1);
        }
        catch (Exception e) when (candidate.MayBeAbsent && e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // a version-named folder without this module's manifest: not a module version
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(candidate.Path, $"The module manifest cannot be read ({Folders.Reason(e)}); its version is unknown.");
            return null;
        }

        Dictionary<string, object?> data;
        IReadOnlyList<PowerShellScriptValue> script;
        try
        {
            (data, script) = PowerShellDataFile.Parse(text);
        }
        catch (PowerShellDataFileException e)
        {
            result.Warn(candidate.Path, $"The module manifest is not a valid data file ({e.Message}); its version is unknown.");
            return null;
        }

        var moduleVersion = data.TryGetValue("ModuleVersion", out var raw) ? raw : null;
        if (moduleVersion is PowerShellScriptValue scripted)
        {
            result.Warn(candidate.Path, $"The manifest's ModuleVersion is script (line {scripted.Line}: {scripted.Text}), which is never run here; its version is unknown.");
            return null;
        }

        if (script.Count > 0)
        {
            var parts = string.Join("; ", script.Select(s => $"line {s.Line}: {s.Text}"));
            result.Warn(candidate.Path, $"The manifest has script where data belongs ({parts}); it was not run. The version is read from the data.");
        }

        var version = moduleVersion is string or PowerShellNumber ? moduleVersion.ToString()!.Trim() : null;
        if (string.IsNullOrEmpty(version))
        {
            result.Warn(candidate.Path, "The module manifest has no ModuleVersion; its version is unknown.");
            return null;
        }

        if (candidate.FolderVersion is { } folderVersion && (!System.Version.TryParse(version, out var manifestVersion) || manifestVersion != folderVersion))
        {
            result.Warn(candidate.Path, $"The version folder '{folderVersion}' does not match the manifest's ModuleVersion '{version}'; PowerShell does not load the module from there.");
            return null;
        }

        if (PowerShellDataFile.Get(data, "PrivateData", "PSData", "Prerelease") is string { Length: > 0 } prerelease)
        {
            version += "-" + prerelease.Trim().TrimStart('-');
        }

        var description = data.TryGetValue("Description", out var d) && d is string text2 && text2.Trim().Length > 0 ? text2.Trim() : null;
        return new Manifest(new PackageVersion
        {
            Name = candidate.Name,
            Version = version,
            ParsedVersion = SemanticVersion.TryParse(version, out var parsed) ? parsed : null,
            Ecosystem = nameof(PackageEcosystem.PowerShell),
            Location = candidate.Path,
            Summary = description is null ? null : FirstLine(description),
            Environment = candidate.Root,
        });
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length < text.Trim().Length ? line + " ..." : line;
    }

    private sealed record Candidate(string Name, string Path, System.Version? FolderVersion, string Root, bool MayBeAbsent);

    private sealed record Manifest(PackageVersion Package);
}
