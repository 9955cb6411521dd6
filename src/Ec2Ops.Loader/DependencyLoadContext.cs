using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Ec2Ops.Loader;

/// <summary>
/// The module's own AssemblyLoadContext. Every dependency of the module (Ec2Ops.Core and what it
/// uses: the AWS SDK, MathNet, SQLite, ...) sits in the <c>dependencies/</c> folder beside
/// Ec2Ops.dll and loads here, so the module works whatever versions of the same assemblies another
/// module (AWS.Tools, AWSPowerShell.NetCore, ...) has loaded into the session, in either order.
/// <para>
/// Only one name crosses from the default context: <see cref="BridgeAssembly"/>, which Ec2Ops.dll
/// references. <see cref="Attach"/> hooks the default context's Resolving event for that name alone;
/// everything Ec2Ops.Core references is then resolved by <see cref="Load"/> from dependencies/
/// (framework assemblies fall through to the default context). Native libraries of dependencies
/// (<c>runtimes/&lt;rid&gt;/native/</c>) are found by <see cref="LoadUnmanagedDll"/>, since the
/// module folder carries no .deps.json to tell the runtime where they are.
/// </para>
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The assembly of the default context that is resolved into this one.</summary>
    public const string BridgeAssembly = "Ec2Ops.Core";

    /// <summary>The folder, beside Ec2Ops.dll, that holds every dependency.</summary>
    public const string DependencyFolderName = "dependencies";

    private static readonly object Gate = new();
    private static DependencyLoadContext? s_instance;
    private static bool s_attached;

    private readonly string _directory;
    private readonly IReadOnlyList<string> _runtimeIdentifiers;

    private DependencyLoadContext(string directory)
        : this(directory, "Ec2Ops")
    {
    }

    /// <summary>A context over another folder (tests).</summary>
    internal DependencyLoadContext(string directory, string name)
        : base(name, isCollectible: false)
    {
        _directory = directory;
        _runtimeIdentifiers = RuntimeIdentifiers();
    }

    /// <summary>The one load context of the module, over the dependencies/ folder beside this assembly.</summary>
    public static DependencyLoadContext Instance
    {
        get
        {
            lock (Gate)
            {
                return s_instance ??= new DependencyLoadContext(
                    Path.Combine(Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!, DependencyFolderName));
            }
        }
    }

    /// <summary>The folder this context loads from.</summary>
    public string DependencyDirectory => _directory;

    /// <summary>Whether the default context currently resolves <see cref="BridgeAssembly"/> into this one.</summary>
    public static bool IsAttached
    {
        get
        {
            lock (Gate)
            {
                return s_attached;
            }
        }
    }

    /// <summary>Hooks the default context's Resolving event (Import-Module). Idempotent.</summary>
    public static void Attach()
    {
        lock (Gate)
        {
            if (!s_attached)
            {
                Default.Resolving += OnDefaultResolving;
                s_attached = true;
            }
        }
    }

    /// <summary>Unhooks it again (Remove-Module). Idempotent.</summary>
    public static void Detach()
    {
        lock (Gate)
        {
            if (s_attached)
            {
                Default.Resolving -= OnDefaultResolving;
                s_attached = false;
            }
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { Length: > 0 } name)
        {
            return null;
        }

        // RID-specific managed builds first (runtimes/<rid>/lib/<tfm>/), then the folder itself.
        foreach (var rid in _runtimeIdentifiers)
        {
            foreach (var tfm in ManagedFrameworks)
            {
                var candidate = Path.Combine(_directory, "runtimes", rid, "lib", tfm, name + ".dll");
                if (File.Exists(candidate))
                {
                    return LoadFromAssemblyPath(candidate);
                }
            }
        }

        var path = Path.Combine(_directory, name + ".dll");

        // Not ours (the framework, PowerShell itself): the default context answers.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var path in NativeCandidates(unmanagedDllName))
        {
            if (File.Exists(path))
            {
                return LoadUnmanagedDllFromPath(path);
            }
        }

        // Not shipped with the module: let the runtime search the usual places.
        return IntPtr.Zero;
    }

    /// <summary>The files that may hold native library <paramref name="name"/>, most specific first.</summary>
    public IEnumerable<string> NativeCandidates(string name)
    {
        var fileNames = NativeFileNames(name).ToList();
        foreach (var rid in _runtimeIdentifiers)
        {
            foreach (var fileName in fileNames)
            {
                yield return Path.Combine(_directory, "runtimes", rid, "native", fileName);
            }
        }

        foreach (var fileName in fileNames)
        {
            yield return Path.Combine(_directory, fileName);
        }
    }

    private static IEnumerable<string> NativeFileNames(string name)
    {
        var (prefix, suffix) = OperatingSystem.IsWindows() ? ("", ".dll") : OperatingSystem.IsMacOS() ? ("lib", ".dylib") : ("lib", ".so");
        var hasSuffix = name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) || name.Contains(".so.", StringComparison.Ordinal);
        if (hasSuffix)
        {
            yield return name;
        }
        else
        {
            yield return name + suffix;
        }

        if (prefix.Length > 0 && !Path.GetFileName(name).StartsWith(prefix, StringComparison.Ordinal))
        {
            yield return prefix + (hasSuffix ? name : name + suffix);
        }

        if (!hasSuffix)
        {
            yield return name;
        }
    }

    // The target frameworks a package may ship RID-specific managed builds for, newest first.
    private static readonly string[] ManagedFrameworks = { "net8.0", "net7.0", "net6.0", "netcoreapp3.1", "netstandard2.1", "netstandard2.0" };

    /// <summary>
    /// The runtime identifiers whose runtimes/ folders fit this process, most specific first:
    /// the runtime's own (e.g. linux-x64), then the portable one for this OS and architecture
    /// (linux-musl-x64 on Alpine), then the OS alone.
    /// </summary>
    public static IReadOnlyList<string> RuntimeIdentifiers()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        var os = OperatingSystem.IsWindows() ? "win"
            : OperatingSystem.IsMacOS() ? "osx"
            : RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase) ? "linux-musl"
            : "linux";

        var result = new List<string> { RuntimeInformation.RuntimeIdentifier, $"{os}-{arch}" };
        if (os == "linux-musl")
        {
            result.Add($"linux-{arch}");
        }

        result.Add(os == "linux-musl" ? "linux" : os);
        if (os == "osx")
        {
            result.Add("osx-universal");
        }

        return result.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static Assembly? OnDefaultResolving(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, BridgeAssembly, StringComparison.OrdinalIgnoreCase)
            ? Instance.LoadFromAssemblyName(name)
            : null;
}
