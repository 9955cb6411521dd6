using Ec2Ops.Core.Packages;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Tests.Packages;

public class PythonReaderTests
{
    private const string DebianDist = "usr/lib/python3/dist-packages";
    private const string DebianLocal = "usr/local/lib/python3.11/dist-packages";

    // A Debian 12 system Python: the standard library marks the interpreter, dist-packages hold the packages.
    private static PackageFixture Debian()
    {
        var machine = new PackageFixture();
        machine.Write("usr/lib/python3.11/os.py", "# stdlib");
        machine.Dir(DebianDist);
        return machine;
    }

    private static PackageQuery Python(params string[] names) => new() { Names = names, Ecosystems = new[] { PackageEcosystem.Python } };

    [Fact]
    public void ReadsDistInfoEggInfoFolderAndEggInfoFileOfTheDebianSystemPython()
    {
        using var machine = Debian();
        var requests = machine.DistInfo(DebianDist, "requests", "2.28.1", "Python HTTP for Humans.");
        var six = machine.EggInfo(DebianDist, "six", "1.16.0", asFile: true);
        var chardet = machine.EggInfo(DebianDist, "chardet", "5.1.0", asFile: false);
        machine.DistInfo(DebianLocal, "boto3", "1.34.2");

        var found = machine.Find(Python()).Packages;

        Assert.Equal(new[] { "boto3", "chardet", "requests", "six" }, found.Select(p => p.Name));
        var first = found.Single(p => p.Name == "requests");
        Assert.Equal("2.28.1", first.Version);
        Assert.Equal(Pep440Version.Parse("2.28.1"), first.ParsedVersion);
        Assert.Equal("Python", first.Ecosystem);
        Assert.Equal(requests, first.Location);
        Assert.Equal("Python HTTP for Humans.", first.Summary);
        Assert.Equal($"python3.11 {Path.Combine(machine.Root, "usr")}", first.Environment);
        Assert.False(first.Shadowed);
        Assert.Equal(six, found.Single(p => p.Name == "six").Location);
        Assert.Equal(chardet, found.Single(p => p.Name == "chardet").Location);
        Assert.Empty(machine.Log.Warnings);
    }

    [Theory]
    [InlineData("Scikit_Learn")]
    [InlineData("scikit.learn")]
    [InlineData("SCIKIT--LEARN")]
    [InlineData("scikit_*")]
    public void NamesMatchAfterPep503Normalization(string name)
    {
        using var machine = Debian();
        machine.DistInfo(DebianDist, "scikit-learn", "1.2.1");
        var found = Assert.Single(machine.Find(Python(name)).Packages);
        Assert.Equal("scikit-learn", found.Name);
    }

    [Fact]
    public void TheFirstMatchInPathOrderWinsAndAllShowsTheShadowedOnes()
    {
        using var machine = Debian();
        var local = machine.DistInfo(DebianLocal, "urllib3", "2.1.0");
        var system = machine.DistInfo(DebianDist, "urllib3", "1.26.12");

        var winner = Assert.Single(machine.Find(Python("urllib3")).Packages);
        Assert.Equal(local, winner.Location);
        Assert.Equal("2.1.0", winner.Version);

        var all = machine.Find(Python("urllib3") with { All = true }).Packages;
        Assert.Equal(new[] { local, system }, all.Select(p => p.Location));
        Assert.Equal(new[] { false, true }, all.Select(p => p.Shadowed));
    }

    [Fact]
    public void UserSiteComesFirstUnlessPythonNoUserSite()
    {
        using var machine = Debian();
        var user = machine.DistInfo("home/admin/.local/lib/python3.11/site-packages", "awscli", "1.32.0");
        machine.DistInfo(DebianDist, "awscli", "1.22.34");
        Assert.Equal(user, Assert.Single(machine.Find(Python("awscli")).Packages).Location);

        machine.Environment["PYTHONNOUSERSITE"] = "1";
        Assert.Equal("1.22.34", Assert.Single(machine.Find(Python("awscli")).Packages).Version);
    }

    [Fact]
    public void PythonPathComesFirstAndPthFilesAddFoldersAfterTheirSite()
    {
        using var machine = Debian();
        var extra = machine.Dir("srv/libs");
        machine.DistInfo("srv/libs", "attrs", "23.1.0");
        machine.DistInfo(DebianDist, "attrs", "22.2.0");
        machine.Environment["PYTHONPATH"] = extra;
        Assert.Equal("23.1.0", Assert.Single(machine.Find(Python("attrs")).Packages).Version);

        machine.Environment["PYTHONPATH"] = null;
        machine.Dir("opt/editable");
        machine.DistInfo("opt/editable", "mytool", "0.1.dev0");
        machine.Write($"{DebianLocal}/easy-install.pth", "import sys; sys.__plen = len(sys.path)\n# a comment\n../../../../../opt/editable\n/does/not/exist\n");
        var found = Assert.Single(machine.Find(Python("mytool")).Packages);
        Assert.Equal("0.1.dev0", found.Version);
        Assert.True(found.ParsedVersion!.IsPrerelease);
    }

    [Fact]
    public void AmazonLinuxReadsSiteFoldersUnderLib64AndLibWithUsrLocalFirst()
    {
        using var machine = new PackageFixture();
        machine.Write("usr/lib64/python3.9/os.py", "# stdlib");
        machine.DistInfo("usr/lib/python3.9/site-packages", "awscli", "2.15.30");
        machine.DistInfo("usr/lib64/python3.9/site-packages", "PyYAML", "5.4.1");
        var local = machine.DistInfo("usr/local/lib/python3.9/site-packages", "awscli", "2.16.0");

        var found = machine.Find(Python()).Packages;
        Assert.Equal(new[] { "awscli", "PyYAML" }, found.Select(p => p.Name));
        Assert.Equal(local, found[0].Location);
        Assert.Equal($"python3.9 {Path.Combine(machine.Root, "usr")}", found[0].Environment);
    }

    [Fact]
    public void VirtualEnvReadsOnlyItsOwnSitePackagesUnlessItIncludesTheSystemOnes()
    {
        using var machine = Debian();
        var venv = machine.Dir("srv/app/.venv");
        machine.Write("srv/app/.venv/pyvenv.cfg", $"home = {Path.Combine(machine.Root, "usr/bin")}\ninclude-system-site-packages = false\nversion = 3.11.2\n");
        machine.DistInfo("srv/app/.venv/lib/python3.11/site-packages", "flask", "3.0.0");
        machine.DistInfo(DebianDist, "jinja2", "3.1.2");
        machine.Environment["VIRTUAL_ENV"] = venv;

        var found = machine.Find(Python()).Packages;
        var flask = Assert.Single(found, p => p.Name == "flask");
        Assert.Equal($"venv {venv}", flask.Environment);
        Assert.Equal($"python3.11 {Path.Combine(machine.Root, "usr")}", Assert.Single(found, p => p.Name == "jinja2").Environment);

        // With -Path the venv alone: the system's packages are not part of it.
        var only = machine.Find(Python() with { Paths = new[] { venv } }).Packages;
        Assert.Equal(new[] { "flask" }, only.Select(p => p.Name));

        machine.Write("srv/app/.venv/pyvenv.cfg", $"home = {Path.Combine(machine.Root, "usr/bin")}\ninclude-system-site-packages = true\nversion_info = 3.11.2.final.0\n");
        var withSystem = machine.Find(Python() with { Paths = new[] { venv } }).Packages;
        Assert.Equal(new[] { "flask", "jinja2" }, withSystem.Select(p => p.Name));
    }

    [Fact]
    public void CondaPrefixAndPathInterpretersAreFound()
    {
        using var machine = new PackageFixture();
        var conda = machine.Dir("opt/conda/envs/ml");
        machine.Write("opt/conda/envs/ml/lib/python3.10/os.py", "# stdlib");
        machine.DistInfo("opt/conda/envs/ml/lib/python3.10/site-packages", "numpy", "1.26.4");
        machine.Environment["CONDA_PREFIX"] = conda;
        machine.Write("opt/py312/lib/python3.12/os.py", "# stdlib");
        machine.Write("opt/py312/bin/python3.12", "#!binary");
        File.CreateSymbolicLink(Path.Combine(machine.Dir("opt/py312/bin"), "python3"), "python3.12");
        machine.DistInfo("opt/py312/lib/python3.12/site-packages", "numpy", "2.0.0");
        machine.Environment["PATH"] = Path.Combine(machine.Root, "opt/py312/bin");

        var found = machine.Find(Python("numpy")).Packages;
        Assert.Equal(new[] { "1.26.4", "2.0.0" }, found.Select(p => p.Version));
        Assert.Equal($"conda {conda}", found[0].Environment);
        Assert.Equal($"python3.12 {Path.Combine(machine.Root, "opt/py312")}", found[1].Environment);
    }

    [Fact]
    public void PyenvShimsResolveToTheSelectedVersion()
    {
        using var machine = new PackageFixture();
        var pyenv = Path.Combine(machine.Home, ".pyenv");
        machine.Write("home/admin/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n");
        machine.Write("home/admin/.pyenv/version", "3.11.7\n");
        machine.Write("home/admin/.pyenv/versions/3.11.7/lib/python3.11/os.py", "# stdlib");
        machine.Write("home/admin/.pyenv/versions/3.12.1/lib/python3.12/os.py", "# stdlib");
        machine.DistInfo("home/admin/.pyenv/versions/3.11.7/lib/python3.11/site-packages", "pip", "23.2.1");
        machine.DistInfo("home/admin/.pyenv/versions/3.12.1/lib/python3.12/site-packages", "pip", "24.0");
        machine.Environment["PATH"] = Path.Combine(pyenv, "shims");

        Assert.Equal("23.2.1", Assert.Single(machine.Find(Python("pip")).Packages).Version);
        machine.Write("home/admin/.python-version", "3.12.1\n");
        Assert.Equal("24.0", Assert.Single(machine.Find(Python("pip")).Packages).Version);
        machine.Environment["PYENV_VERSION"] = "system";
        Assert.Empty(machine.Find(Python("pip")).Packages);
    }

    [Fact]
    public void PathFoldersFormOneSearchPathInTheOrderGiven()
    {
        using var machine = new PackageFixture();
        var a = machine.Dir("a");
        var b = machine.Dir("b");
        machine.DistInfo("a", "idna", "3.6");
        machine.DistInfo("b", "idna", "3.4");
        machine.DistInfo("b", "certifi", "2023.7.22");

        var found = machine.Find(Python() with { Paths = new[] { b, a } }).Packages;
        Assert.Equal(new[] { ("certifi", "2023.7.22"), ("idna", "3.4") }, found.Select(p => (p.Name, p.Version)));
        Assert.Equal("-Path", found[0].Environment);
    }

    [Fact]
    public void BrokenMetadataIsAWarningAndTheScanGoesOn()
    {
        using var machine = Debian();
        machine.DistInfo(DebianDist, "good", "1.0");
        var truncated = machine.Write($"{DebianDist}/truncated-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: truncat");
        var empty = machine.Write($"{DebianDist}/empty-1.0.dist-info/METADATA", string.Empty);
        var noVersion = machine.Write($"{DebianDist}/noversion-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: noversion\nSummary: x\n\nVersion: 9 in the body\n");
        machine.Dir($"{DebianDist}/nometadata-1.0.dist-info");
        var badName = machine.WriteBytes($"{DebianDist}/badname-1.0.dist-info/METADATA", [.. "Metadata-Version: 2.1\nName: bad"u8, 0xFF, .. "name\nVersion: 1.0\n"u8]);
        var badSummary = machine.WriteBytes($"{DebianDist}/latin-2.0.dist-info/METADATA",
            [.. "Metadata-Version: 2.1\nName: latin\nVersion: 2.0\nSummary: caf"u8, 0xE9, .. "\n\n"u8]);
        var loop = Path.Combine(machine.Root, "usr/local/lib/python3.11/dist-packages");
        Directory.CreateDirectory(Path.GetDirectoryName(loop)!);
        File.CreateSymbolicLink(loop, loop); // a link to itself: listing it fails (ELOOP)
        var locked = machine.Dir("usr/lib/python3.11/dist-packages");
        machine.DistInfo("usr/lib/python3.11/dist-packages", "hidden", "1.0");
        var root = Environment.UserName == "root";
        if (!root)
        {
            File.SetUnixFileMode(locked, UnixFileMode.None); // root reads it anyway, so only checked as a user
        }

        var found = machine.Find(Python()).Packages;

        Assert.Equal(root ? new[] { "good", "hidden", "latin" } : new[] { "good", "latin" }, found.Select(p => p.Name));
        Assert.Equal("caf\uFFFD", found.Single(p => p.Name == "latin").Summary);
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains(truncated) && w.Contains("no Version header"));
        Assert.Contains(warnings, w => w.Contains(empty) && w.Contains("empty"));
        Assert.Contains(warnings, w => w.Contains(noVersion) && w.Contains("no Version header"));
        Assert.Contains(warnings, w => w.Contains("nometadata-1.0.dist-info") && w.Contains("no METADATA file"));
        Assert.Contains(warnings, w => w.Contains(badName) && w.Contains("Name header (line 2) is not valid UTF-8"));
        Assert.Contains(warnings, w => w.Contains(badSummary) && w.Contains("Summary header (line 4) is not valid UTF-8"));
        Assert.Contains(warnings, w => w.Contains(loop) && w.Contains("cannot be read"));
        if (!root)
        {
            Assert.Contains(warnings, w => w.Contains(locked) && w.Contains("permission denied"));
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Assert.All(warnings, w => Assert.StartsWith("Python: ", w));
    }

    [Fact]
    public void ReadsOnlyTheHeaderUpToTheFieldsItNeeds()
    {
        using var machine = Debian();
        // The body is not valid UTF-8 and huge: reading stops at the Summary, so neither matters.
        var body = new byte[1 << 20];
        Array.Fill(body, (byte)0xFF);
        machine.WriteBytes($"{DebianDist}/big-1.0.dist-info/METADATA", [.. "Metadata-Version: 2.1\r\nName: big\r\nVersion: 1.0\r\nSummary: Big\r\n  continued\r\nLicense: MIT\r\n\r\n"u8, .. body]);
        var found = Assert.Single(machine.Find(Python("big")).Packages);
        Assert.Equal("Big continued", found.Summary);
        Assert.Empty(machine.Log.Warnings);
    }

    [Fact]
    public void CompletionListsNormalizedNamesFromFolderNames()
    {
        using var machine = Debian();
        machine.DistInfo(DebianDist, "Scikit_Learn", "1.2.1", folderName: "scikit_learn-1.2.1.dist-info");
        machine.DistInfo(DebianDist, "scipy", "1.10.1");
        machine.DistInfo(DebianDist, "six", "1.16.0");
        Assert.Equal(new[] { "scikit-learn", "scipy" }, machine.Service.CompleteNames("sc", new[] { PackageEcosystem.Python }, Array.Empty<string>()));
    }
}
