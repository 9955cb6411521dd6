using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// npm packages from the package.json of each top-level package in a node_modules folder
/// (<c>name/package.json</c> and scoped <c>@scope/name/package.json</c>). Without -Path: the global
/// node_modules of every npm prefix here (NPM_CONFIG_PREFIX, <c>prefix=</c> in ~/.npmrc, the prefix
/// of each <c>node</c> on PATH, /usr/local and /usr), read as <c>npm ls -g</c> would. With -Path: a
/// node_modules folder, a project folder that has one, or a package folder. Only the top-level
/// name, version and description of each package.json are read.
/// </summary>
internal sealed class NpmReader : PackageReader
{
    public override PackageEcosystem Ecosystem => PackageEcosystem.Npm;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        var roots = Roots(request);
        var files = new ConcurrentBag<(int Root, string File)>();
        Parallel.For(0, roots.Count, new ParallelOptions { CancellationToken = request.Cancellation }, r =>
        {
            foreach (var file in PackageFiles(roots[r], request.Filter, result))
            {
                files.Add((r, file));
            }
        });

        foreach (var root in roots.Where(r => Directory.Exists(r) || File.Exists(r) || request.HasPaths))
        {
            result.AddSearched(root);
        }

        var ordered = files.OrderBy(f => f.Root).ThenBy(f => f.File, StringComparer.Ordinal).ToArray();
        Parallel.For(0, ordered.Length, new ParallelOptions { CancellationToken = request.Cancellation }, i =>
        {
            var (root, file) = ordered[i];
            if (Read(file, roots[root], result) is { } package && request.Filter.IsMatch(PackageEcosystem.Npm, package.Name))
            {
                result.Add(package, i);
            }
        });
    }

    public override IEnumerable<string> ListNames(ScanRequest request)
    {
        var result = new ScanResult(Ecosystem);
        return Roots(request).SelectMany(r => PackageFiles(r, request.Filter, result).Select(f => NameFromFolder(r, f))).Distinct(StringComparer.Ordinal);
    }

    private static string NameFromFolder(string root, string packageJson)
    {
        var folder = Path.GetDirectoryName(packageJson)!;
        var parent = Path.GetFileName(Path.GetDirectoryName(folder));
        return parent is not null && parent.StartsWith('@') ? parent + "/" + Path.GetFileName(folder) : Path.GetFileName(folder);
    }

    private static IReadOnlyList<string> Roots(ScanRequest request)
    {
        if (request.HasPaths)
        {
            return request.Paths.Select(p =>
                Path.GetFileName(Path.TrimEndingDirectorySeparator(p)) == "node_modules" || File.Exists(p) || File.Exists(Path.Combine(p, "package.json")) && !Directory.Exists(Path.Combine(p, "node_modules"))
                    ? p
                    : Path.Combine(p, "node_modules")).ToArray();
        }

        var context = request.Context;
        var prefixes = new List<string>();
        if ((context.Environment.Get("NPM_CONFIG_PREFIX") ?? context.Environment.Get("npm_config_prefix")) is { } configured)
        {
            prefixes.Add(Path.GetFullPath(configured, context.WorkingDirectory));
        }

        if (NpmrcPrefix(context.Home(".npmrc")) is { } userPrefix)
        {
            prefixes.Add(Path.GetFullPath(userPrefix.StartsWith('~') ? context.Home(userPrefix.TrimStart('~', '/')) : userPrefix, context.HomeDirectory));
        }

        // npm's default global prefix is the prefix of the node that runs it: <prefix>/bin/node.
        foreach (var folder in context.PathList("PATH"))
        {
            var node = Path.Combine(Path.GetFullPath(folder, context.WorkingDirectory), "node");
            if (File.Exists(node) && Path.GetDirectoryName(Path.GetDirectoryName(Folders.Canonical(node))) is { } prefix)
            {
                prefixes.Add(prefix);
            }
        }

        prefixes.Add(context.System("/usr/local"));
        prefixes.Add(context.System("/usr"));
        return prefixes.Select(p => Path.Combine(p, "lib", "node_modules")).DistinctBy(Folders.Canonical).ToArray();
    }

    private static string? NpmrcPrefix(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            foreach (var line in File.ReadLines(file))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("prefix", StringComparison.Ordinal) && trimmed.IndexOf('=') is var equals and > 0 && trimmed[..equals].Trim() == "prefix")
                {
                    return trimmed[(equals + 1)..].Trim().Trim('"');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    // The package.json of each top-level package of a node_modules folder (or the one file or package folder given).
    private static IEnumerable<string> PackageFiles(string root, PackageNameFilter filter, ScanResult result)
    {
        if (File.Exists(root))
        {
            return Path.GetFileName(root) == "package.json" ? new[] { root } : Array.Empty<string>();
        }

        if (!Directory.Exists(root))
        {
            return Array.Empty<string>();
        }

        if (Path.GetFileName(Path.TrimEndingDirectorySeparator(root)) != "node_modules")
        {
            var single = Path.Combine(root, "package.json");
            return File.Exists(single) ? new[] { single } : Array.Empty<string>();
        }

        var found = new List<string>();
        foreach (var folder in Folders.ListFolders(root, result) ?? Array.Empty<string>())
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                continue; // .bin, .cache, .package-lock.json's folder
            }

            if (name.StartsWith('@'))
            {
                foreach (var scoped in Folders.ListFolders(folder, result) ?? Array.Empty<string>())
                {
                    if (filter.MightMatch(PackageEcosystem.Npm, name + "/" + Path.GetFileName(scoped)))
                    {
                        AddIfPresent(scoped, found);
                    }
                }
            }
            else if (filter.MightMatch(PackageEcosystem.Npm, name))
            {
                AddIfPresent(folder, found);
            }
        }

        return found;
    }

    private static void AddIfPresent(string folder, List<string> found)
    {
        var file = Path.Combine(folder, "package.json");
        if (File.Exists(file))
        {
            found.Add(file);
        }
    }

    private static PackageVersion? Read(string file, string root, ScanResult result)
    {
        string? name = null, version = null, description = null;
        try
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length == 0)
            {
                result.Warn(file, "The package.json is empty (truncated?); its version is unknown.");
                return null;
            }

            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                result.Warn(file, "The package.json is not a JSON object (empty or truncated?); its version is unknown.");
                return null;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var property = reader.GetString();
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && property is "name" or "version" or "description")
                {
                    var value = reader.GetString();
                    _ = property switch
                    {
                        "name" => name = value,
                        "version" => version = value,
                        _ => description = value,
                    };
                    if (name is not null && version is not null && description is not null)
                    {
                        break;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or DecoderFallbackException or ArgumentException)
        {
            if (name is null || version is null)
            {
                result.Warn(file, $"The package.json is not valid JSON ({e.Message.Split('.')[0]}: truncated or bad encoding?); its version is unknown.");
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(file, $"The package.json cannot be read ({Folders.Reason(e)}); its version is unknown.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(version))
        {
            result.Warn(file, $"The package.json has no \"{(string.IsNullOrWhiteSpace(name) ? "name" : "version")}\"; the package is skipped.");
            return null;
        }

        return new PackageVersion
        {
            Name = name,
            Version = version,
            ParsedVersion = SemanticVersion.TryParse(version, out var parsed) ? parsed : null,
            Ecosystem = nameof(PackageEcosystem.Npm),
            Location = file,
            Summary = string.IsNullOrWhiteSpace(description) ? null : description.Trim(),
            Environment = root,
        };
    }
}
