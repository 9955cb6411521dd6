using System.Collections.Concurrent;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// .NET assemblies (.dll files) under -Path, read as metadata with System.Reflection.Metadata: never
/// loaded for execution, so an assembly for another runtime or CPU, or one already loaded in another
/// version, reads just as well. Folders are searched recursively with -Ecosystem Assembly, only
/// their top level otherwise. The assembly name and version come from the assembly definition; the
/// file and informational (product) versions, the description and the title from their attributes.
/// Version is the informational version, else the file version, else the assembly version. Native
/// DLLs (no .NET metadata) are left out quietly. Linked folders are not followed (no loops). Only under -Path: a machine has too many assemblies to list them all.
/// </summary>
internal sealed class AssemblyReader : PackageReader
{
    public override PackageEcosystem Ecosystem => PackageEcosystem.Assembly;

    public override void Scan(ScanRequest request, ScanResult result)
    {
        if (!request.HasPaths)
        {
            return;
        }

        var files = new ConcurrentBag<(int Root, string File)>();
        Parallel.For(0, request.Paths.Count, new ParallelOptions { CancellationToken = request.Cancellation }, r =>
        {
            foreach (var file in Dlls(request.Paths[r], request.Explicit, result, request.Cancellation))
            {
                files.Add((r, file));
            }
        });

        foreach (var root in request.Paths)
        {
            result.AddSearched(root);
        }

        var ordered = files.OrderBy(f => f.Root).ThenBy(f => f.File, StringComparer.Ordinal).ToArray();
        Parallel.For(0, ordered.Length, new ParallelOptions { CancellationToken = request.Cancellation }, i =>
        {
            if (Read(ordered[i].File, result) is { } package && request.Filter.IsMatch(PackageEcosystem.Assembly, package.Name))
            {
                result.Add(package, i);
            }
        });
    }

    // Recursively only when -Ecosystem Assembly was asked for: a -Path given for every ecosystem
    // (a site-packages folder, a project) is not walked to its leaves for DLLs, only its top level.
    private static IEnumerable<string> Dlls(string root, bool recurse, ScanResult result, CancellationToken cancellation)
    {
        if (File.Exists(root))
        {
            if (root.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || root.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
            {
                yield return root;
            }

            yield break;
        }

        var pending = new Stack<string>();
        if (Directory.Exists(root))
        {
            pending.Push(root);
        }

        while (pending.Count > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            var folder = pending.Pop();
            var entries = Folders.List(folder, result);
            if (entries is null)
            {
                continue;
            }

            foreach (var entry in Enumerable.Reverse(entries))
            {
                if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && File.Exists(entry))
                {
                    yield return entry;
                }
                else if (recurse && Directory.Exists(entry) && new DirectoryInfo(entry).LinkTarget is null)
                {
                    pending.Push(entry);
                }
            }
        }
    }

    private static PackageVersion? Read(string file, ScanResult result)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return null; // a native DLL
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return null; // a netmodule: part of another assembly
            }

            var definition = metadata.GetAssemblyDefinition();
            var name = metadata.GetString(definition.Name);
            var assemblyVersion = definition.Version.ToString();
            string? fileVersion = null, informational = null, description = null, title = null;
            foreach (var handle in definition.GetCustomAttributes())
            {
                var attribute = metadata.GetCustomAttribute(handle);
                switch (AttributeName(metadata, attribute))
                {
                    case "AssemblyFileVersionAttribute":
                        fileVersion = StringArgument(metadata, attribute);
                        break;
                    case "AssemblyInformationalVersionAttribute":
                        informational = StringArgument(metadata, attribute);
                        break;
                    case "AssemblyDescriptionAttribute":
                        description = StringArgument(metadata, attribute);
                        break;
                    case "AssemblyTitleAttribute":
                        title = StringArgument(metadata, attribute);
                        break;
                }
            }

            var version = NonEmpty(informational) ?? NonEmpty(fileVersion) ?? assemblyVersion;
            return new AssemblyPackageVersion
            {
                Name = name,
                Version = version,
                ParsedVersion = SemanticVersion.TryParse(version, out var parsed) ? parsed
                    : SemanticVersion.TryParse(fileVersion, out parsed) ? parsed
                    : SemanticVersion.TryParse(assemblyVersion, out parsed) ? parsed : null,
                Ecosystem = nameof(PackageEcosystem.Assembly),
                Location = file,
                Summary = NonEmpty(description) ?? NonEmpty(title),
                AssemblyVersion = assemblyVersion,
                FileVersion = NonEmpty(fileVersion),
                InformationalVersion = NonEmpty(informational),
            };
        }
        catch (BadImageFormatException e)
        {
            result.Warn(file, $"The file is not a valid PE image ({e.Message.TrimEnd('.')}: truncated?); its version is unknown.");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Warn(file, $"The file cannot be read ({Folders.Reason(e)}); its version is unknown.");
            return null;
        }
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string? AttributeName(MetadataReader metadata, CustomAttribute attribute)
    {
        switch (attribute.Constructor.Kind)
        {
            case HandleKind.MemberReference:
                var reference = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
                return reference.Parent.Kind == HandleKind.TypeReference
                    ? metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)reference.Parent).Name)
                    : null;
            case HandleKind.MethodDefinition:
                var method = metadata.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor);
                return metadata.GetString(metadata.GetTypeDefinition(method.GetDeclaringType()).Name);
            default:
                return null;
        }
    }

    // The one string argument of an attribute: prolog 0x0001, then a SerString.
    private static string? StringArgument(MetadataReader metadata, CustomAttribute attribute)
    {
        var blob = metadata.GetBlobReader(attribute.Value);
        if (blob.Length < 2 || blob.ReadUInt16() != 1)
        {
            return null;
        }

        return blob.ReadSerializedString();
    }
}
