using System.Collections.Concurrent;
using System.Xml;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// NuGet packages from their .nuspec files: the global packages folder (NUGET_PACKAGES, else
/// ~/.nuget/packages, laid out <c>id/version/id.nuspec</c>) or, under -Path, a .nuspec file, a
/// package folder, a packages.config folder (<c>Id.Version/Id.nuspec</c>) or a global-packages-style
/// folder. Only the start of each .nuspec is read, up to the id, version and description. Every
/// version is listed: they sit side by side and none hides another.
/// </summary>
internal sealed class NuGetReader : PackageReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        XmlResolver = null,
        CloseInput = true,
    };

    public override PackageEcosystem Ecosystem => PackageEcosystem.NuGet;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        var roots = Roots(request);
        var files = new ConcurrentBag<(int Root, string File)>();
        Parallel.For(0, roots.Count, new ParallelOptions { CancellationToken = request.Cancellation }, r =>
        {
            foreach (var file in Nuspecs(roots[r], request.Filter, result))
            {
                files.Add((r, file));
            }
        });

        foreach (var root in roots.Where(r => Directory.Exists(r) || File.Exists(r)))
        {
            result.AddSearched(root);
        }

        var ordered = files.OrderBy(f => f.Root).ThenBy(f => f.File, StringComparer.Ordinal).ToArray();
        Parallel.For(0, ordered.Length, new ParallelOptions { CancellationToken = request.Cancellation }, i =>
        {
            var (root, file) = ordered[i];
            if (Read(file, roots[root], result) is { } package && request.Filter.IsMatch(PackageEcosystem.NuGet, package.Name))
            {
                result.Add(package, i);
            }
        });
    }

    public override IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        return Roots(request).SelectMany(r => Nuspecs(r, request.Filter, result))
            .Select(f => Path.GetFileNameWithoutExtension(f)).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    private static IReadOnlyList<string> Roots(ScanRequest request)
    {
        if (request.HasPaths)
        {
            return request.Paths;
        }

        var context = request.Context;
        var folder = context.Environment.Get("NUGET_PACKAGES") is { } configured
            ? Path.GetFullPath(configured, context.WorkingDirectory)
            : context.Home(".nuget", "packages");
        return new[] { folder };
    }

    // A .nuspec, a folder with .nuspec files, or up to two levels of folders above them.
    private static IEnumerable<string> Nuspecs(string root, PackageNameFilter filter, ScanResult result)
    {
        if (File.Exists(root))
        {
            return root.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) ? new[] { root } : Array.Empty<string>();
        }

        if (!Directory.Exists(root))
        {
            return Array.Empty<string>();
        }

        var here = Folders.List(root, result, "*.nuspec");
        if (here is { Length: > 0 })
        {
            return here;
        }

        var found = new List<string>();
        foreach (var package in Folders.ListFolders(root, result) ?? Array.Empty<string>())
        {
            var name = Path.GetFileName(package);
            if (name.StartsWith('.'))
            {
                continue;
            }

            // Global packages folder: id/version/id.nuspec. The folder name is the id, lower-cased.
            var nuspec = Path.Combine(package, name + ".nuspec");
            if (File.Exists(nuspec))
            {
                found.Add(nuspec); // packages.config layout (Id.Version/Id.nuspec) or a package folder
                continue;
            }

            if (!filter.MightMatch(PackageEcosystem.NuGet, name) && !LooksVersioned(name))
            {
                continue;
            }

            foreach (var version in Folders.ListFolders(package, result) ?? Array.Empty<string>())
            {
                var inside = Path.Combine(version, name + ".nuspec");
                if (File.Exists(inside))
                {
                    found.Add(inside);
                }
                else if (Folders.List(version, result, "*.nuspec") is { Length: > 0 } other)
                {
                    found.AddRange(other);
                }
                else if (File.Exists(Path.Combine(version, ".nupkg.metadata")))
                {
                    result.Warn(version, "The package folder has no .nuspec (an interrupted restore?); its version is unknown.");
                }
            }
        }

        return found;
    }

    // A packages.config folder name (Id.1.2.3) does not match the id pattern; read it anyway.
    private static bool LooksVersioned(string name) => name.Contains('.') && char.IsAsciiDigit(name[^1]);

    private static PackageVersion? Read(string file, string root, ScanResult result)
    {
        string? id = null, version = null, description = null, summary = null;
        try
        {
            using var reader = XmlReader.Create(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan), Settings);
            var inMetadata = false;
            var more = reader.Read();
            while (more)
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "metadata")
                {
                    break;
                }

                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "metadata")
                {
                    inMetadata = true;
                }
                else if (inMetadata && reader.NodeType == XmlNodeType.Element && reader.Depth == 2
                    && reader.LocalName is "id" or "version" or "summary" or "description")
                {
                    var name = reader.LocalName;
                    var value = reader.ReadElementContentAsString().Trim(); // moves to the next node itself
                    _ = name switch
                    {
                        "id" => id = value,
                        "version" => version = value,
                        "summary" => summary = value,
                        _ => description = value,
                    };
                    if (id is not null && version is not null && description is not null)
                    {
                        break; // enough: a (deprecated) <summary> is used only when it came before the description
                    }

                    continue;
                }

                more = reader.Read();
            }
        }
        catch (XmlException e) when (id is null || version is null)
        {
            result.Warn(file, $"The .nuspec is not well-formed XML (line {e.LineNumber}: truncated or bad encoding?); its version is unknown.");
            return null;
        }
        catch (XmlException)
        {
            // Broken after the id and version: the version is known.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(file, $"The .nuspec cannot be read ({Folders.Reason(e)}); its version is unknown.");
            return null;
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(version))
        {
            result.Warn(file, $"The .nuspec has no {(string.IsNullOrEmpty(id) ? "<id>" : "<version>")} in <metadata>; the package is skipped.");
            return null;
        }

        var text = string.IsNullOrEmpty(summary) ? description : summary;
        return new PackageVersion
        {
            Name = id,
            Version = version,
            ParsedVersion = SemanticVersion.TryParse(version, out var parsed) ? parsed : null,
            Ecosystem = nameof(PackageEcosystem.NuGet),
            Location = file,
            Summary = string.IsNullOrEmpty(text) ? null : FirstLine(text),
            Environment = root,
        };
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length < text.Length ? line + " ..." : line;
    }
}
