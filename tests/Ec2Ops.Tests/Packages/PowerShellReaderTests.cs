using Ec2Ops.Core.Packages;
using Ec2Ops.Core.Packages.Readers;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Tests.Packages;

public class PowerShellReaderTests
{
    private static PackageQuery PowerShell(params string[] names) => new() { Names = names, Ecosystems = new[] { PackageEcosystem.PowerShell } };

    [Fact]
    public void ParsesAManifestAsDataWithNestedHashtablesCommentsArraysAndHereStrings()
    {
        var (data, script) = PowerShellDataFile.Parse(PackageFixture.Manifest("1.2.3", "preview4", "First line.\nSecond line."));

        Assert.Empty(script);
        Assert.Equal("1.2.3", data["moduleversion"]);
        Assert.Equal("Example \"Quoted\" Author", data["Author"]);
        Assert.Equal("First line.\nSecond line.", data["Description"]);
        Assert.Equal(new object[] { "Core", "Desktop" }, data["CompatiblePSEditions"]);
        Assert.Equal(new object[] { "Get-Sample", "Set-Sample" }, data["FunctionsToExport"]);
        Assert.Equal(new object[] { "a.ps1", "b.ps1" }, data["FileList"]);
        Assert.Equal(Array.Empty<object>(), data["AliasesToExport"]);
        Assert.Equal(10240L, ((PowerShellNumber)data["MaximumSize"]!).Value);
        Assert.Equal("preview4", PowerShellDataFile.Get(data, "PrivateData", "PSData", "Prerelease"));
        Assert.Equal("1.0", PowerShellDataFile.Get(data, "PrivateData", "PSData", "ExternalModuleDependencies", "Version")!.ToString());
        Assert.Null(PowerShellDataFile.Get(data, "PrivateData", "Nope", "Prerelease"));
    }

    [Theory]
    [InlineData("@{ A = 'it''s'; B = \"tab`there\"; C = $true; D = $null; E = 0x10; F = -1.5e3; G = ('x') }")]
    [InlineData("<# header #>\n@{\n  A = 'it''s' # trailing\n  B = \"tab`there\"\n  C = $TRUE\n  D = $null\n  E = 16\n  F = -1500.0\n  G = @('x')\n}\n# end")]
    public void ReadsEveryDataLiteral(string text)
    {
        var (data, script) = PowerShellDataFile.Parse(text);
        Assert.Empty(script);
        Assert.Equal("it's", data["A"]);
        Assert.Equal("tab\there", data["B"]);
        Assert.Equal(true, data["C"]);
        Assert.Null(data["D"]);
        Assert.Equal(16L, ((PowerShellNumber)data["E"]!).Value);
        Assert.Equal(-1500.0, ((PowerShellNumber)data["F"]!).Value);
        Assert.Equal("x", data["G"] is object[] array ? array[0] : data["G"]);
    }

    [Theory]
    [InlineData("RequiredModules = Get-ChildItem . | Select-Object -First 1", "Get-ChildItem")]
    [InlineData("Version = [version]'1.0'", "[version]")]
    [InlineData("Files = \"$(Get-Date)\"", "Get-Date")]
    [InlineData("Path = \"$env:HOME/x\"", "$env:HOME")]
    [InlineData("Block = { Remove-Item -Recurse / }", "Remove-Item")]
    [InlineData("Sum = 1 + 2", "1 + 2")]
    [InlineData("List = @(Get-Process)", "Get-Process")]
    public void ScriptIsRecognizedSkippedAndNeverRun(string line, string snippet)
    {
        var text = $"@{{\n  ModuleVersion = '2.0'\n  {line}\n  Root = \"$PSScriptRoot/bin\"\n  Description = 'after'\n}}";
        var (data, script) = PowerShellDataFile.Parse(text);
        var value = Assert.Single(script);
        Assert.Equal(3, value.Line);
        Assert.Contains(snippet, value.Text);
        Assert.Equal("2.0", data["ModuleVersion"]);
        Assert.Equal("after", data["Description"]);
        Assert.Equal("$PSScriptRoot/bin", data["Root"]);
    }

    [Theory]
    [InlineData("@{ ModuleVersion = '1.0'", "never closed")]
    [InlineData("@{ ModuleVersion = '1.0 }", "never closed")]
    [InlineData("@{ Description = @'\nunterminated\n", "never closed")]
    [InlineData("<# only a comment", "never closed")]
    [InlineData("ModuleVersion = '1.0'", "does not start with a hashtable")]
    [InlineData("@{ ModuleVersion '1.0' }", "'=' expected")]
    [InlineData("", "does not start with a hashtable")]
    public void TruncatedOrMalformedFilesAreErrors(string text, string message)
    {
        var error = Assert.Throws<PowerShellDataFileException>(() => PowerShellDataFile.Parse(text));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ListsModulesOfEveryPsModulePathFolderVersionedOrNot()
    {
        using var machine = new PackageFixture();
        var user = machine.Dir("home/admin/.local/share/powershell/Modules");
        var shared = machine.Dir("usr/local/share/powershell/Modules");
        machine.Write("home/admin/.local/share/powershell/Modules/Pester/5.5.0/Pester.psd1", PackageFixture.Manifest("5.5.0"));
        machine.Write("home/admin/.local/share/powershell/Modules/Pester/5.10.1/Pester.psd1", PackageFixture.Manifest("5.10.1", description: "Testing framework."));
        machine.Write("home/admin/.local/share/powershell/Modules/Pester/6.0.0/Pester.psd1", PackageFixture.Manifest("6.0.0", "alpha5"));
        var flat = machine.Write("usr/local/share/powershell/Modules/Yayaml/Yayaml.psd1", PackageFixture.Manifest("0.6.0"));
        machine.Write("usr/local/share/powershell/Modules/Pester/4.10.1/Pester.psd1", PackageFixture.Manifest("4.10.1"));
        machine.Write("usr/local/share/powershell/Modules/NotAModule/readme.txt", "no manifest");
        machine.Environment["PSModulePath"] = $"{user}{Path.PathSeparator}{shared}";

        var found = machine.Find(PowerShell()).Packages;
        Assert.Equal(new[] { ("Pester", "6.0.0-alpha5"), ("Yayaml", "0.6.0") }, found.Select(p => (p.Name, p.Version)));
        Assert.Equal(user, found[0].Environment);
        Assert.Equal(flat, found[1].Location);
        Assert.Equal("Does things.", found[1].Summary);

        var all = machine.Find(PowerShell("pester") with { All = true }).Packages;
        Assert.Equal(new[] { "6.0.0-alpha5", "5.10.1", "5.5.0", "4.10.1" }, all.Select(p => p.Version));
        Assert.Equal(new[] { false, true, true, true }, all.Select(p => p.Shadowed));
        Assert.Equal(new[] { "4.10.1", "5.5.0", "5.10.1", "6.0.0-alpha5" }, all.OrderBy(p => p.ParsedVersion).Select(p => p.Version));
        Assert.IsType<SemanticVersion>(all[0].ParsedVersion);
        Assert.True(all[0].ParsedVersion!.IsPrerelease);
    }

    [Fact]
    public void DefaultsToTheUserAndSharedFoldersWithoutPsModulePath()
    {
        using var machine = new PackageFixture();
        machine.Write("usr/local/share/powershell/Modules/Shared/1.0/Shared.psd1", PackageFixture.Manifest("1.0"));
        Assert.Equal("Shared", Assert.Single(machine.Find(PowerShell()).Packages).Name);
    }

    [Fact]
    public void PathTakesAModuleFolderAManifestOrAFolderOfModules()
    {
        using var machine = new PackageFixture();
        var module = machine.Dir("src/MyModule");
        var manifest = machine.Write("src/MyModule/MyModule.psd1", PackageFixture.Manifest("0.3.0"));
        machine.Write("src/Other/Other.psd1", PackageFixture.Manifest("2.0.0"));

        Assert.Equal("MyModule", Assert.Single(machine.Find(PowerShell() with { Paths = new[] { module } }).Packages).Name);
        Assert.Equal("0.3.0", Assert.Single(machine.Find(PowerShell() with { Paths = new[] { manifest } }).Packages).Version);
        Assert.Equal(2, machine.Find(PowerShell() with { Paths = new[] { Path.Combine(machine.Root, "src") } }).Packages.Count);
    }

    [Fact]
    public void BrokenManifestsAreWarningsAndTheScanGoesOn()
    {
        using var machine = new PackageFixture();
        var root = machine.Dir("modules");
        machine.Write("modules/Good/1.0.0/Good.psd1", PackageFixture.Manifest("1.0.0"));
        var scripted = machine.Write("modules/Scripted/Scripted.psd1", PackageFixture.Manifest("3.1.0", extra: "NestedModules = Get-ChildItem $PSScriptRoot -Filter *.psm1"));
        var scriptedVersion = machine.Write("modules/Dynamic/Dynamic.psd1", "@{ ModuleVersion = (Get-Content $PSScriptRoot/version.txt) }");
        var truncated = machine.Write("modules/Cut/Cut.psd1", PackageFixture.Manifest("1.0")[..200]);
        var noVersion = machine.Write("modules/NoVersion/NoVersion.psd1", "@{ RootModule = 'x.psm1' }");
        var mismatch = machine.Write("modules/Wrong/1.0.0/Wrong.psd1", PackageFixture.Manifest("2.0.0"));
        var latin = machine.WriteBytes("modules/Latin/Latin.psd1", [.. "@{ ModuleVersion = '1.5'; Description = 'Caf"u8, 0xE9, .. "' }"u8]);

        var found = machine.Find(PowerShell() with { Paths = new[] { root } }).Packages;

        Assert.Equal(new[] { ("Good", "1.0.0"), ("Latin", "1.5"), ("Scripted", "3.1.0") }, found.Select(p => (p.Name, p.Version)));
        Assert.Equal("Café", found[1].Summary);
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains(scripted) && w.Contains("script where data belongs") && w.Contains("NestedModules = Get-ChildItem"));
        Assert.Contains(warnings, w => w.Contains(scriptedVersion) && w.Contains("ModuleVersion is script"));
        Assert.Contains(warnings, w => w.Contains(truncated) && w.Contains("not a valid data file"));
        Assert.Contains(warnings, w => w.Contains(noVersion) && w.Contains("no ModuleVersion"));
        Assert.Contains(warnings, w => w.Contains(mismatch) && w.Contains("does not match"));
        Assert.Equal(5, warnings.Length);
    }

    [Fact]
    public void CompletionUsesModuleFolderNames()
    {
        using var machine = new PackageFixture();
        var root = machine.Dir("modules");
        machine.Write("modules/PSReadLine/2.3.4/PSReadLine.psd1", PackageFixture.Manifest("2.3.4"));
        machine.Write("modules/PSScriptAnalyzer/1.21.0/PSScriptAnalyzer.psd1", PackageFixture.Manifest("1.21.0"));
        machine.Write("modules/Pester/5.5.0/Pester.psd1", PackageFixture.Manifest("5.5.0"));
        machine.Dir("modules/PSNotAModule/1.0.0");
        machine.Environment["PSModulePath"] = root;
        Assert.Equal(new[] { "PSReadLine", "PSScriptAnalyzer" }, machine.Service.CompleteNames("ps", new[] { PackageEcosystem.PowerShell }, Array.Empty<string>()));
    }
}
