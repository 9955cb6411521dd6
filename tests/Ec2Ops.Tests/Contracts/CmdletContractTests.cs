using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Ec2Ops.HelpGen;

namespace Ec2Ops.Tests.Contracts;

/// <summary>
/// Checks the compiled module the way PowerShell will see it, reading attributes as metadata only
/// (PowerShellStandard.Library is a reference assembly: instantiating its attributes throws).
/// </summary>
public class CmdletContractTests
{
    private const string Sma = "System.Management.Automation.";

    // Parameter names PowerShell adds to every advanced cmdlet; a cmdlet must not declare them again.
    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    private static readonly Lazy<IReadOnlyList<CmdletInfo>> Cmdlets = new(() =>
        CmdletMetadata.Read(ModuleLayout.ModuleAssembly, new[] { ModuleLayout.SystemManagementAutomation }));

    [Fact]
    public void EveryCmdletUsesAnApprovedVerb()
    {
        var approved = ApprovedVerbs();
        Assert.Contains("Get", approved);
        Assert.Contains("Invoke", approved);
        Assert.Empty(Cmdlets.Value.Where(c => !approved.Contains(c.Verb)).Select(c => c.Name));
    }

    [Fact]
    public void EveryCmdletDeclaresOutputType()
    {
        Assert.Empty(Cmdlets.Value.Where(c => c.OutputTypes.Count == 0).Select(c => c.Name));
    }

    [Fact]
    public void NoCmdletRedeclaresACommonParameter()
    {
        var clashes = Cmdlets.Value
            .SelectMany(c => c.Parameters.SelectMany(p => p.Aliases.Append(p.Name)).Select(n => (c.Name, Parameter: n)))
            .Where(x => CommonParameters.Contains(x.Parameter, StringComparer.OrdinalIgnoreCase));
        Assert.Empty(clashes);
    }

    [Fact]
    public void ParameterNamesAndAliasesAreUniquePerCmdlet()
    {
        var duplicates = Cmdlets.Value
            .SelectMany(c => c.Parameters.SelectMany(p => p.Aliases.Append(p.Name))
                .GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() > 1)
                .Select(g => $"{c.Name} -{g.Key}"));
        Assert.Empty(duplicates);
    }

    [Fact]
    public void ParameterSetsAreUnambiguous()
    {
        var problems = new List<string>();
        foreach (var cmdlet in Cmdlets.Value)
        {
            var sets = cmdlet.ParameterSets;
            foreach (var set in sets)
            {
                var members = cmdlet.Parameters.Select(p => (p.Name, Usage: p.In(set))).Where(x => x.Usage is not null).ToList();

                // Two parameters at one position in one set: PowerShell cannot tell which gets the argument.
                problems.AddRange(members.Where(m => m.Usage!.Position is not null)
                    .GroupBy(m => m.Usage!.Position)
                    .Where(g => g.Count() > 1)
                    .Select(g => $"{cmdlet.Name} [{set}]: position {g.Key} is taken by {string.Join(", ", g.Select(m => m.Name))}"));

                // A set must be selectable: some parameter belongs to it alone (the default set is chosen when none is).
                var isDefault = string.Equals(set, cmdlet.DefaultParameterSet, StringComparison.OrdinalIgnoreCase);
                if (sets.Count > 1 && !isDefault && !members.Any(m => cmdlet.Parameters.Single(p => p.Name == m.Name).Sets.All(s => s.Name == set)))
                {
                    problems.Add($"{cmdlet.Name} [{set}]: no parameter belongs to this set alone, so it can never be chosen");
                }
            }

            if (sets.Count > 1 && (cmdlet.DefaultParameterSet is null || !sets.Contains(cmdlet.DefaultParameterSet, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add($"{cmdlet.Name}: {sets.Count} parameter sets need a DefaultParameterSetName that names one of them");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void InstanceIdBindsFromPipelineByPropertyName()
    {
        var wrong = Cmdlets.Value
            .SelectMany(c => c.Parameters.Where(p => p.Name == "InstanceId").Select(p => (c.Name, p)))
            .Where(x => x.p.Sets.Any(s => !s.ByPropertyName))
            .Select(x => x.Name);
        Assert.Empty(wrong);
    }

    [Fact]
    public void ManifestExportsExactlyTheCompiledCmdlets()
    {
        var manifest = File.ReadAllText(ModuleLayout.Manifest);
        var exported = ManifestList(manifest, "CmdletsToExport").Order(StringComparer.Ordinal);
        Assert.Equal(Cmdlets.Value.Select(c => c.Name).Order(StringComparer.Ordinal), exported);
    }

    [Fact]
    public void ManifestDeclaresCoreEditionPowerShell74AndGalleryMetadata()
    {
        var manifest = File.ReadAllText(ModuleLayout.Manifest);
        Assert.Equal(new[] { "Core" }, ManifestList(manifest, "CompatiblePSEditions"));
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.4'", manifest);
        Assert.Matches(@"RootModule\s*=\s*'Ec2Ops\.dll'", manifest);
        Assert.Matches(@"ProjectUri\s*=\s*'https://", manifest);
        Assert.Matches(@"LicenseUri\s*=\s*'https://", manifest);
        Assert.Matches(@"ReleaseNotes\s*=\s*'.+'", manifest);
        Assert.NotEmpty(ManifestList(manifest, "Tags"));
        foreach (var format in ManifestList(manifest, "FormatsToProcess"))
        {
            Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleDirectory, format)), $"{format} is not in the module folder");
        }
    }

    [Fact]
    public void EveryCmdletAndParameterHasHelp()
    {
        var docs = Directory.GetFiles(ModuleLayout.HelpSources, "*.md").Select(HelpDocument.Load).ToList();
        Assert.Empty(HelpValidator.Problems(Cmdlets.Value, docs));
    }

    [Fact]
    public void BuiltMamlHelpCoversEveryCmdletAndParameter()
    {
        var maml = XDocument.Load(Path.Combine(ModuleLayout.ModuleDirectory, "en-US", "Ec2Ops.dll-Help.xml"));
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        XNamespace maml2004 = "http://schemas.microsoft.com/maml/2004/10";
        var commands = maml.Descendants(command + "command").ToDictionary(
            c => c.Element(command + "details")!.Element(command + "name")!.Value,
            c => c.Element(command + "parameters")!.Elements(command + "parameter")
                .Where(p => p.Element(maml2004 + "description")!.Elements().Any(e => e.Value.Length > 0))
                .Select(p => p.Element(maml2004 + "name")!.Value).ToHashSet());

        foreach (var cmdlet in Cmdlets.Value)
        {
            Assert.True(commands.ContainsKey(cmdlet.Name), $"{cmdlet.Name} is missing from the MAML help");
            Assert.Equal(cmdlet.Parameters.Select(p => p.Name).ToHashSet(), commands[cmdlet.Name]);
        }

        // An alert without paragraphs would show as an empty NOTES section in Get-Help -Full.
        Assert.DoesNotContain(maml.Descendants(maml2004 + "alert"), a => !a.Elements(maml2004 + "para").Any());
    }

    [Fact]
    public void FormatViewsNameRealPublicTypes()
    {
        var format = XDocument.Load(Path.Combine(ModuleLayout.ModuleDirectory, "Ec2Ops.Format.ps1xml"));
        using var context = ModuleLayout.OpenModule();
        var types = new[] { ModuleLayout.ModuleAssembly, Path.Combine(ModuleLayout.DependencyDirectory, "Ec2Ops.Core.dll") }
            .SelectMany(f => context.LoadFromAssemblyPath(f).GetExportedTypes())
            .Select(t => t.FullName)
            .ToHashSet();
        var unknown = format.Descendants("TypeName").Select(t => t.Value.Trim()).Where(t => !types.Contains(t));
        Assert.Empty(unknown);
    }

    [Fact]
    public void CoreDoesNotReferencePowerShell()
    {
        using var context = ModuleLayout.OpenModule();
        var core = context.LoadFromAssemblyPath(Path.Combine(ModuleLayout.DependencyDirectory, "Ec2Ops.Core.dll"));
        Assert.DoesNotContain(core.GetReferencedAssemblies(), a => a.Name == "System.Management.Automation");
    }

    [Fact]
    public void ModuleFolderDoesNotShipSystemManagementAutomation()
    {
        // PowerShell brings its own; shipping the reference assembly would break loading.
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDirectory, "System.Management.Automation.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleLayout.DependencyDirectory, "System.Management.Automation.dll")));
    }

    [Fact]
    public void DependenciesLiveInTheirOwnFolderAndOnlyTheModuleFilesAtTheTop()
    {
        // design.md rule 5: everything the module depends on loads in its own AssemblyLoadContext,
        // from dependencies/; at the top, only what PowerShell loads into the default context.
        var top = Directory.GetFiles(ModuleLayout.ModuleDirectory, "*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "Ec2Ops.Loader.dll", "Ec2Ops.dll" }, top);
        foreach (var dependency in new[] { "Ec2Ops.Core.dll", "AWSSDK.Core.dll", "AWSSDK.EC2.dll" })
        {
            Assert.True(File.Exists(Path.Combine(ModuleLayout.DependencyDirectory, dependency)), $"{dependency} is not in dependencies/");
        }
    }

    [Fact]
    public void ManifestImportsTheLoaderBeforeTheCmdlets()
    {
        var manifest = File.ReadAllText(ModuleLayout.Manifest);
        Assert.Equal(new[] { "Ec2Ops.Loader.dll" }, ManifestList(manifest, "NestedModules"));
    }

    [Fact]
    public void OnlyCoreCrossesIntoTheModuleLoadContext()
    {
        // Ec2Ops.dll and the loader load in the default context: a direct reference to an AWS SDK
        // assembly there would bind to whatever AWSSDK another module loaded first.
        using var context = ModuleLayout.OpenModule();
        var cmdlets = context.LoadFromAssemblyPath(ModuleLayout.ModuleAssembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Ec2Ops.Core", cmdlets);
        Assert.DoesNotContain(cmdlets, n => n.StartsWith("AWSSDK", StringComparison.Ordinal) || n.StartsWith("MathNet", StringComparison.Ordinal));
        var loader = context.LoadFromAssemblyPath(Path.Combine(ModuleLayout.ModuleDirectory, "Ec2Ops.Loader.dll")).GetReferencedAssemblies().Select(a => a.Name!);
        Assert.All(loader, n => Assert.True(n.StartsWith("System", StringComparison.Ordinal) || n is "netstandard" or "mscorlib", $"the loader references {n}"));
    }

    [Fact]
    public void CoreErrorCategoriesAreNamedLikePowerShellErrorCategories()
    {
        using var context = ModuleLayout.OpenModule();
        var sma = context.LoadFromAssemblyPath(ModuleLayout.SystemManagementAutomation);
        var powerShell = sma.GetType(Sma + "ErrorCategory")!.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToHashSet();
        Assert.Subset(powerShell, Enum.GetNames<Core.Ec2OpsErrorCategory>().ToHashSet());
    }

    private static HashSet<string> ApprovedVerbs()
    {
        using var context = ModuleLayout.OpenModule();
        var sma = context.LoadFromAssemblyPath(ModuleLayout.SystemManagementAutomation);
        return new[] { "VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity" }
            .SelectMany(t => sma.GetType(Sma + t)!.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The quoted strings of <c>Key = @( ... )</c> in a .psd1.</summary>
    internal static IReadOnlyList<string> ManifestList(string manifest, string key)
    {
        var match = Regex.Match(manifest, key + @"\s*=\s*@\((?<items>[^)]*)\)", RegexOptions.Singleline);
        Assert.True(match.Success, $"the manifest has no {key} = @(...)");
        return Regex.Matches(match.Groups["items"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToList();
    }
}
