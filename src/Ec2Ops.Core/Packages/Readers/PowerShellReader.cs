using System.Collections.Concurrent;
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
        var manifests = new ConcurrentBag<(int Root, int Index, Manifest Manifest)>();
        Parallel.For(0, roots.Count, new ParallelOptions { CancellationToken = request.Cancellation }, r =>
        {
            var found = Manifests(roots[r], request.Filter, result);
            Parallel.For(0, found.Count, new ParallelOptions { CancellationToken = request.Cancellation }, i =>
            {
                if (Read(found[i], result) is { } manifest)
                {
                    manifests.Add((r, i, manifest));
                }
            });
        });

        foreach (var root in roots.Where(r => Directory.Exists(r) || File.Exists(r)))
        {
            result.AddSearched(root);
        }

        // Import-Module's choice: the first root that has the module, its highest version there.
        var ordered = manifests
            .OrderBy(m => m.Root)
            .ThenByDescending(m => m.Manifest.Package.ParsedVersion)
            .ThenBy(m => m.Index);
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
        return Roots(request).SelectMany(root => Manifests(root, request.Filter, result)).Select(m => m.Name).Distinct(StringComparer.OrdinalIgnoreCase);
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

    // The manifests under one root: a .psd1 file, a module folder, or a folder of module folders.
    private static List<Candidate> Manifests(string root, PackageNameFilter filter, ScanResult result)
    {
        var found = new List<Candidate>();
        if (File.Exists(root))
        {
            if (root.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
            {
                found.Add(new Candidate(Path.GetFileNameWithoutExtension(root), root, null, Path.GetDirectoryName(root)!));
            }

            return found;
        }

        if (!Directory.Exists(root))
        {
            return found;
        }

        if (IsModuleFolder(root))
        {
            AddModule(root, root, found, result);
            return found;
        }

        foreach (var folder in Folders.ListFolders(root, result) ?? Array.Empty<string>())
        {
            if (filter.MightMatch(PackageEcosystem.PowerShell, Path.GetFileName(folder)))
            {
                AddModule(folder, root, found, result);
            }
        }

        return found;
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

    private static void AddModule(string folder, string root, List<Candidate> found, ScanResult result)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var manifest = Path.Combine(folder, name + ".psd1");
        if (File.Exists(manifest))
        {
            found.Add(new Candidate(name, manifest, null, root));
        }

        foreach (var versionFolder in Folders.ListFolders(folder, result) ?? Array.Empty<string>())
        {
            var folderName = Path.GetFileName(versionFolder);
            if (System.Version.TryParse(folderName, out var folderVersion))
            {
                var versioned = Path.Combine(versionFolder, name + ".psd1");
                if (File.Exists(versioned))
                {
                    found.Add(new Candidate(name, versioned, folderVersion, root));
                }
            }
        }
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

    private sealed record Candidate(string Name, string Path, System.Version? FolderVersion, string Root);

    private sealed record Manifest(PackageVersion Package);
}
