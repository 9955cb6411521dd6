using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Ec2Ops.Loader;

namespace Ec2Ops.Tests.Contracts;

/// <summary>The module's load context: managed and native dependencies from its own folder only.</summary>
public sealed class DependencyLoadContextTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ec2ops-alc-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            // A native library loaded by a test stays mapped on some systems; the folder is in temp.
        }
    }

    [Fact]
    public void AManagedDependencyLoadsFromTheFolderIntoTheContextAndTheFrameworkFallsThrough()
    {
        var sdk = typeof(Amazon.Runtime.AWSCredentials).Assembly;
        File.Copy(sdk.Location, Path.Combine(_directory, "AWSSDK.Core.dll"));
        var context = new DependencyLoadContext(_directory, "ec2ops-test-managed");

        var loaded = context.LoadFromAssemblyName(sdk.GetName());
        var framework = context.LoadFromAssemblyName(typeof(object).Assembly.GetName());

        Assert.Equal(Path.Combine(_directory, "AWSSDK.Core.dll"), loaded.Location);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(loaded));
        Assert.NotSame(sdk, loaded);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(framework));
    }

    [Fact]
    public void RidSpecificManagedBuildsWinOverThePortableOne()
    {
        var rid = DependencyLoadContext.RuntimeIdentifiers()[0];
        var specific = Directory.CreateDirectory(Path.Combine(_directory, "runtimes", rid, "lib", "net8.0")).FullName;
        var sdk = typeof(Amazon.Runtime.AWSCredentials).Assembly;
        File.Copy(sdk.Location, Path.Combine(_directory, "AWSSDK.Core.dll"));
        File.Copy(sdk.Location, Path.Combine(specific, "AWSSDK.Core.dll"));

        var loaded = new DependencyLoadContext(_directory, "ec2ops-test-rid").LoadFromAssemblyName(sdk.GetName());

        Assert.Equal(Path.Combine(specific, "AWSSDK.Core.dll"), loaded.Location);
    }

    [Fact]
    public void RuntimeIdentifiersAreThisProcessesMostSpecificFirst()
    {
        var rids = DependencyLoadContext.RuntimeIdentifiers();
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";

        Assert.Equal(RuntimeInformation.RuntimeIdentifier, rids[0]);
        Assert.Contains(rids, r => r.StartsWith(os, StringComparison.Ordinal) && r.EndsWith("-" + arch, StringComparison.Ordinal));
        Assert.Equal(rids.Distinct(StringComparer.OrdinalIgnoreCase), rids);
    }

    [Fact]
    public void NativeLibrariesAreLookedForInRuntimesFolders()
    {
        var context = new DependencyLoadContext(_directory, "ec2ops-test-candidates");
        var rid = DependencyLoadContext.RuntimeIdentifiers()[0];

        var candidates = context.NativeCandidates("e_sqlite3").ToList();

        var (prefix, suffix) = OperatingSystem.IsWindows() ? ("", ".dll") : OperatingSystem.IsMacOS() ? ("lib", ".dylib") : ("lib", ".so");
        Assert.Equal(Path.Combine(_directory, "runtimes", rid, "native", "e_sqlite3" + suffix), candidates[0]);
        Assert.Contains(Path.Combine(_directory, "runtimes", rid, "native", prefix + "e_sqlite3" + suffix), candidates);
        Assert.Equal(Path.Combine(_directory, "e_sqlite3"), candidates[^1]);
    }

    [Fact]
    public void ANativeLibraryOfADependencyLoadsFromTheModuleFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The runtime's own native library used below is named differently there.
        }

        var suffix = OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        var native = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native" + suffix);
        var folder = Directory.CreateDirectory(Path.Combine(_directory, "runtimes", DependencyLoadContext.RuntimeIdentifiers()[0], "native")).FullName;
        File.Copy(native, Path.Combine(folder, "libec2opsfake" + suffix));
        var context = new DependencyLoadContext(_directory, "ec2ops-test-native");
        var load = typeof(DependencyLoadContext).GetMethod("LoadUnmanagedDll", BindingFlags.Instance | BindingFlags.NonPublic)!;

        var handle = (IntPtr)load.Invoke(context, new object[] { "ec2opsfake" })!;
        var missing = (IntPtr)load.Invoke(context, new object[] { "no-such-native-library" })!;

        Assert.NotEqual(IntPtr.Zero, handle);
        Assert.Equal(IntPtr.Zero, missing);
    }

    [Fact]
    public void AttachAndDetachAreIdempotent()
    {
        var before = DependencyLoadContext.IsAttached;
        try
        {
            DependencyLoadContext.Attach();
            DependencyLoadContext.Attach();
            Assert.True(DependencyLoadContext.IsAttached);
            DependencyLoadContext.Detach();
            DependencyLoadContext.Detach();
            Assert.False(DependencyLoadContext.IsAttached);
        }
        finally
        {
            if (before)
            {
                DependencyLoadContext.Attach();
            }
        }
    }
}
