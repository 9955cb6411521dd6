using System.Diagnostics;
using System.Reflection;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Job = BenchmarkDotNet.Jobs.Job;
using Ec2Ops.Core;
using Ec2Ops.Core.Packages;

namespace Ec2Ops.Benchmarks.Packages;

/// <summary>
/// Get-PackageVersion's full listings against their anchors, in the same run, over the same
/// generated trees: a site-packages folder of 2,000 distributions (wheel METADATA with a README
/// body, a tenth of them distutils egg-info) and a PSModulePath folder of 300 modules (manifests as
/// New-ModuleManifest writes them, two version folders for every tenth).
/// <list type="bullet">
/// <item>Python: Debian's /usr/bin/python3 running
/// <c>import importlib.metadata as m, sys; sys.path[:] = [site]; [d.version for d in m.distributions()]</c>
/// as a process (the interpreter's start is part of what a user pays; "python3 startup only" shows
/// how much). Target: Ec2Ops at least 5x faster.</item>
/// <item>PowerShell: <c>Get-Module -ListAvailable</c> with PSModulePath set to the generated folder,
/// in a PowerShell 7.6.9 runspace hosted in this process (Microsoft.PowerShell.SDK), next to
/// <c>Get-PackageVersion -Ecosystem PowerShell -All</c> (every version, as Get-Module lists them) in
/// the same runspace, and the Core service alone. Target: Ec2Ops at least 10x faster.</item>
/// </list>
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*PackageVersion*'
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[Config(typeof(InProcessConfig))]
public class PackageVersionBenchmarks
{
    // In process, as the other hosted-PowerShell benchmarks: the module is imported from its build
    // output (dependencies/ beside it), which a generated benchmark project would not reproduce.
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(8));
    }

    public const int Distributions = 2000;
    public const int Modules = 300;

    // Every tenth module has two versions: Get-Module -ListAvailable lists each, as -All does.
    public const int ModuleVersions = Modules + (Modules / 10);
    private const string Python = "/usr/bin/python3";

    private static readonly string Tree = Path.Combine(Path.GetTempPath(), "ec2ops-bench-packages-v1");
    private static readonly string Site = Path.Combine(Tree, "site-packages");
    private static readonly string ModulePath = Path.Combine(Tree, "Modules");

    private PackageVersionService _service = null!;
    private Runspace _runspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        Generate();
        _service = new PackageVersionService(PackageSearchContext.ForProcess(Tree));
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        Run("$env:PSModulePath = $args[0]", ModulePath);
        // The built module through its manifest (its loader resolves dependencies/), as users import it.
        var module = Path.GetFullPath(typeof(PackageVersionBenchmarks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModuleManifest").Value!);
        Run("Import-Module $args[0]", module);

        // The anchors must read what Ec2Ops reads, or the comparison means nothing.
        Check(Ec2OpsPython(), Distributions, "Ec2Ops Python listing");
        Check(Ec2OpsPowerShell(), ModuleVersions, "Ec2Ops PowerShell listing");
        Check(GetModuleListAvailable(), ModuleVersions, "Get-Module -ListAvailable");
        Check(GetPackageVersionCmdlet(), ModuleVersions, "Get-PackageVersion -Ecosystem PowerShell -All");
        Check(int.Parse(RunPython("print(len([d.version for d in m.distributions()]))").Trim()), Distributions, "importlib");
    }

    [GlobalCleanup]
    public void Cleanup() => _runspace.Dispose();

    [BenchmarkCategory("Python"), Benchmark(Baseline = true, Description = "python3 importlib.metadata (process)")]
    public string Importlib() => RunPython("[d.version for d in m.distributions()]");

    [BenchmarkCategory("Python"), Benchmark(Description = "python3 startup only (process)")]
    public string PythonStartup() => RunPython("pass");

    [BenchmarkCategory("Python"), Benchmark(Description = "Ec2Ops Python listing (Core)")]
    public int Ec2OpsPython() => Find(PackageEcosystem.Python, Site);

    [BenchmarkCategory("PowerShell"), Benchmark(Baseline = true, Description = "Get-Module -ListAvailable (hosted pwsh)")]
    public int GetModuleListAvailable() => Run("Get-Module -ListAvailable").Count;

    [BenchmarkCategory("PowerShell"), Benchmark(Description = "Get-PackageVersion -Ecosystem PowerShell -All (hosted pwsh)")]
    public int GetPackageVersionCmdlet() => Run("Get-PackageVersion -Ecosystem PowerShell -All").Count;

    [BenchmarkCategory("PowerShell"), Benchmark(Description = "Ec2Ops PowerShell listing (Core)")]
    public int Ec2OpsPowerShell() => Find(PackageEcosystem.PowerShell, ModulePath);

    private int Find(PackageEcosystem ecosystem, string path) =>
        _service.Find(new PackageQuery { Ecosystems = new[] { ecosystem }, Paths = new[] { path }, All = true }).Packages.Count;

    private System.Collections.ObjectModel.Collection<PSObject> Run(string script, params object[] arguments)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        foreach (var argument in arguments)
        {
            shell.AddArgument(argument);
        }

        var result = shell.Invoke();
        if (shell.HadErrors)
        {
            throw new InvalidOperationException($"'{script}' failed: {shell.Streams.Error.FirstOrDefault()}");
        }

        return result;
    }

    private static string RunPython(string code)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"import importlib.metadata as m, sys; sys.path[:] = [{PythonString(Site)}]; {code}");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"python3 failed: {error}");
    }

    private static string PythonString(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    private static void Check(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what} found {actual} packages instead of the {expected} generated.");
        }
    }

    /// <summary>Writes the trees once; later runs reuse them (the marker says they are complete).</summary>
    internal static void Generate()
    {
        var marker = Path.Combine(Tree, "complete");
        if (File.Exists(marker))
        {
            return;
        }

        if (Directory.Exists(Tree))
        {
            Directory.Delete(Tree, recursive: true);
        }

        var random = new Random(440);
        var body = string.Join('\n', Enumerable.Range(0, 60).Select(i => $"Line {i} of a README that importlib reads and Ec2Ops does not. " + new string('x', random.Next(20, 80))));
        for (var i = 0; i < Distributions; i++)
        {
            var name = $"package-{i:D4}";
            var version = $"{random.Next(0, 5)}.{random.Next(0, 30)}.{random.Next(0, 10)}";
            var header = string.Join('\n',
                "Metadata-Version: 2.1", $"Name: {name}", $"Version: {version}", $"Summary: Generated distribution number {i}",
                $"Home-page: https://example.org/{name}", "Author: Example", "Author-email: dev@example.org", "License: MIT",
                "Classifier: Development Status :: 5 - Production/Stable", "Classifier: License :: OSI Approved :: MIT License",
                "Classifier: Programming Language :: Python :: 3", "Requires-Python: >=3.8",
                "Requires-Dist: requests (>=2.0)", "Requires-Dist: urllib3 (<3,>=1.21.1)", "Description-Content-Type: text/markdown");
            if (i % 10 == 9)
            {
                var egg = Directory.CreateDirectory(Path.Combine(Site, $"{name.Replace('-', '_')}-{version}-py3.11.egg-info")).FullName;
                File.WriteAllText(Path.Combine(egg, "PKG-INFO"), header + "\n\n" + body);
                File.WriteAllText(Path.Combine(egg, "top_level.txt"), name.Replace('-', '_'));
            }
            else
            {
                var info = Directory.CreateDirectory(Path.Combine(Site, $"{name.Replace('-', '_')}-{version}.dist-info")).FullName;
                File.WriteAllText(Path.Combine(info, "METADATA"), header + "\n\n" + body);
                File.WriteAllText(Path.Combine(info, "RECORD"), string.Join('\n', Enumerable.Range(0, 20).Select(f => $"{name}/file{f}.py,sha256=abc,123")));
                File.WriteAllText(Path.Combine(info, "WHEEL"), "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
                File.WriteAllText(Path.Combine(info, "INSTALLER"), "pip\n");
            }

            Directory.CreateDirectory(Path.Combine(Site, name.Replace('-', '_')));
        }

        for (var i = 0; i < Modules; i++)
        {
            var name = $"Module{i:D3}";
            var versions = i % 10 == 0 ? new[] { "1.0.0", "1.2.0" } : new[] { $"{1 + (i % 3)}.{i % 7}.0" };
            foreach (var version in versions)
            {
                var folder = Directory.CreateDirectory(Path.Combine(ModulePath, name, version)).FullName;
                File.WriteAllText(Path.Combine(folder, name + ".psd1"), Manifest(name, version));
                File.WriteAllText(Path.Combine(folder, name + ".psm1"), "function Get-Thing { 'thing' }\n");
            }
        }

        File.WriteAllText(marker, DateTime.UtcNow.ToString("O"));
    }

    // What New-ModuleManifest writes, comments and all.
    private static string Manifest(string name, string version) => $$"""
        #
        # Module manifest for module '{{name}}'
        #
        # Generated by: Ec2Ops benchmarks
        #
        @{

        # Script module or binary module file associated with this manifest.
        RootModule = '{{name}}.psm1'

        # Version number of this module.
        ModuleVersion = '{{version}}'

        # Supported PSEditions
        CompatiblePSEditions = @('Core')

        # ID used to uniquely identify this module
        GUID = '{{Guid.NewGuid()}}'

        # Author of this module
        Author = 'Ec2Ops'

        # Company or vendor of this module
        CompanyName = 'Unknown'

        # Copyright statement for this module
        Copyright = '(c) Ec2Ops. All rights reserved.'

        # Description of the functionality provided by this module
        Description = 'Generated module {{name}} for the Get-PackageVersion benchmark.'

        # Minimum version of the PowerShell engine required by this module
        PowerShellVersion = '7.4'

        # Functions to export from this module, for best performance, do not use wildcards and do not delete the entry, use an empty array if there are no functions to export.
        FunctionsToExport = @('Get-Thing')

        # Cmdlets to export from this module, for best performance, do not use wildcards and do not delete the entry, use an empty array if there are no cmdlets to export.
        CmdletsToExport = @()

        # Variables to export from this module
        VariablesToExport = @()

        # Aliases to export from this module, for best performance, do not use wildcards and do not delete the entry, use an empty array if there are no aliases to export.
        AliasesToExport = @()

        # Private data to pass to the module specified in RootModule/ModuleToProcess. This may also contain a PSData hashtable with additional module metadata used by PowerShell.
        PrivateData = @{

            PSData = @{

                # Tags applied to this module. These help with module discovery in online galleries.
                Tags = @('benchmark', 'generated')

                # A URL to the license for this module.
                LicenseUri = 'https://example.org/license'

                # A URL to the main website for this project.
                ProjectUri = 'https://example.org/{{name}}'

            } # End of PSData hashtable

        } # End of PrivateData hashtable

        }
        """;
}
