using System.Reflection;
using System.Runtime.InteropServices;

namespace Ec2Ops.Tests.Contracts;

/// <summary>Where the built module and the sources are, as the test project's build recorded them.</summary>
internal static class ModuleLayout
{
    public static string ModuleDirectory => Path.GetFullPath(Metadata("ModuleDirectory"));

    /// <summary>Where the module keeps its dependencies, loaded in its own AssemblyLoadContext.</summary>
    public static string DependencyDirectory => Path.Combine(ModuleDirectory, "dependencies");

    public static string ModuleAssembly => Path.Combine(ModuleDirectory, "Ec2Ops.dll");

    public static string SystemManagementAutomation => Path.GetFullPath(Metadata("SystemManagementAutomation"));

    public static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));

    public static string Manifest => Path.Combine(RepositoryRoot, "src", "Ec2Ops", "Ec2Ops.psd1");

    public static string HelpSources => Path.Combine(RepositoryRoot, "docs", "help");

    /// <summary>A metadata-only view of the module and PowerShell's reference assembly.</summary>
    public static MetadataLoadContext OpenModule()
    {
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(ModuleDirectory, "*.dll"))
            .Concat(Directory.Exists(DependencyDirectory) ? Directory.GetFiles(DependencyDirectory, "*.dll") : Array.Empty<string>())
            .Append(SystemManagementAutomation)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last());
        return new MetadataLoadContext(new PathAssemblyResolver(paths));
    }

    private static string Metadata(string key) =>
        typeof(ModuleLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test build did not record {key}.");
}
