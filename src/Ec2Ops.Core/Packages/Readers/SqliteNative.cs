using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Ec2Ops.Core.Packages.Readers;

/// <summary>
/// Makes SQLite's native library (e_sqlite3, from SQLitePCLRaw.lib.e_sqlite3) loadable wherever the
/// module's assemblies sit. In a normal .NET app the host finds <c>runtimes/&lt;rid&gt;/native/</c>
/// through the app's .deps.json; a PowerShell module has none (build.ps1 deletes it, and pwsh would
/// not read it), so the runtime's default probing only looks beside the assembly and fails. This
/// hooks the <c>ResolvingUnmanagedDll</c> event of the load context that holds SQLitePCLRaw's
/// provider assembly (the default context today, the module's own context if it gets one): when
/// the default probing has failed, it loads
/// <c>&lt;folder of SQLitePCLRaw.provider.e_sqlite3.dll&gt;/runtimes/&lt;rid&gt;/native/libe_sqlite3.so</c>
/// (.dylib on macOS, e_sqlite3.dll on Windows), trying the RIDs of this OS and CPU from the most
/// specific (linux-musl-x64 on Alpine) to the generic. It is an event, not a DllImport resolver, so
/// it never conflicts with one SQLitePCLRaw or the host may set.
/// </summary>
internal static class SqliteNative
{
    private const string LibraryName = "e_sqlite3";
    private static readonly object Gate = new();
    private static bool s_hooked;

    /// <summary>Hooks the resolver once; cheap to call before every database open.</summary>
    public static void EnsureResolvable()
    {
        if (s_hooked)
        {
            return;
        }

        lock (Gate)
        {
            if (s_hooked)
            {
                return;
            }

            // The context of this assembly and of the provider: the same one in every layout the
            // module has had, but hooking both costs nothing.
            var provider = ProviderAssembly();
            var contexts = new[] { typeof(SqliteNative).Assembly, provider }
                .Where(a => a is not null)
                .Select(a => AssemblyLoadContext.GetLoadContext(a!) ?? AssemblyLoadContext.Default)
                .Distinct();
            foreach (var context in contexts)
            {
                context.ResolvingUnmanagedDll += Resolve;
            }

            s_hooked = true;
        }
    }

    /// <summary>Where the native library is looked for, most specific first (for tests and messages).</summary>
    public static IEnumerable<string> Candidates(string baseFolder)
    {
        var file = OperatingSystem.IsWindows() ? "e_sqlite3.dll" : OperatingSystem.IsMacOS() ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
        foreach (var rid in RuntimeIdentifiers())
        {
            yield return Path.Combine(baseFolder, "runtimes", rid, "native", file);
        }

        yield return Path.Combine(baseFolder, file);
    }

    private static IntPtr Resolve(Assembly assembly, string name)
    {
        if (!name.Equals(LibraryName, StringComparison.OrdinalIgnoreCase) && !name.Equals("lib" + LibraryName, StringComparison.OrdinalIgnoreCase))
        {
            return IntPtr.Zero;
        }

        var folders = new[] { Path.GetDirectoryName(assembly.Location), Path.GetDirectoryName(typeof(SqliteNative).Assembly.Location) }
            .Where(f => !string.IsNullOrEmpty(f)).Distinct();
        foreach (var folder in folders)
        {
            foreach (var candidate in Candidates(folder!))
            {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    return handle;
                }
            }
        }

        return IntPtr.Zero;
    }

    private static Assembly? ProviderAssembly()
    {
        try
        {
            // Loading it here (not running it) puts it in the context that will call into e_sqlite3.
            return Assembly.Load(new AssemblyName("SQLitePCLRaw.provider.e_sqlite3"));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }

    private static IEnumerable<string> RuntimeIdentifiers()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            Architecture.S390x => "s390x",
            Architecture.Ppc64le => "ppc64le",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (OperatingSystem.IsWindows())
        {
            yield return $"win-{arch}";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return $"osx-{arch}";
        }
        else
        {
            // musl (Alpine) needs its own build; glibc's would fail to load there, and the other way round.
            var rid = RuntimeInformation.RuntimeIdentifier;
            if (rid.Contains("musl", StringComparison.OrdinalIgnoreCase) || File.Exists("/etc/alpine-release"))
            {
                yield return $"linux-musl-{arch}";
            }

            yield return $"linux-{arch}";
        }
    }
}
