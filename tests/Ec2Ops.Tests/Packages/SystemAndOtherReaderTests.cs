using System.Reflection;
using Ec2Ops.Core;
using Ec2Ops.Core.Packages;
using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Tests.Packages;

public class SystemAndOtherReaderTests
{
    private const string DpkgStatus = """
        Package: bash
        Essential: yes
        Status: install ok installed
        Priority: required
        Section: shells
        Installed-Size: 7164
        Maintainer: Matthias Klose <doko@debian.org>
        Architecture: amd64
        Multi-Arch: foreign
        Version: 5.2.15-2+b8
        Replaces: bash-completion (<< 20060301-0)
        Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)
        Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6.1)
        Conffiles:
         /etc/bash.bashrc 89269e1298235f1b12b4c16e4065ad0d
         /etc/skel/.bashrc 0ac8d9d5b2a1cc6fd1e0d2b0ee59a1ba
        Description: GNU Bourne Again SHell
         Bash is an sh-compatible command language interpreter.
        Homepage: http://tiswww.case.edu/php/chet/bash/bashtop.html

        Package: libc6
        Status: install ok installed
        Architecture: i386
        Version: 2.36-9+deb12u4
        Description: GNU C Library: Shared libraries

        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Version: 2.36-9+deb12u10
        Description: GNU C Library: Shared libraries

        Package: oldkernel
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 6.1.0-9
        Description: removed, configuration kept

        Package: never
        Status: purge ok not-installed
        Architecture: amd64

        Package: halfway
        Status: install reinstreq half-configured
        Architecture: all
        Version: 1:0.9~rc2-1
        Description: being configured

        Package: noversion
        Status: install ok installed
        Architecture: amd64
        Description: lost its version

        Status: install ok installed
        Version: 1.0

        Package: weird
        Status: installed
        Version: 1.0

        """;

    private static PackageQuery Only(PackageEcosystem ecosystem, params string[] names) => new() { Names = names, Ecosystems = new[] { ecosystem } };

    [Fact]
    public void DpkgReadsInstalledPackagesFromTheStatusDatabase()
    {
        using var machine = new PackageFixture();
        var status = machine.Write("var/lib/dpkg/status", DpkgStatus);

        var found = machine.Find(Only(PackageEcosystem.Dpkg)).Packages;

        Assert.Equal(new[] { "bash", "halfway", "libc6", "libc6" }, found.Select(p => p.Name));
        var bash = found[0];
        Assert.Equal(("5.2.15-2+b8", "amd64", "GNU Bourne Again SHell", status, "Dpkg"), (bash.Version, bash.Architecture, bash.Summary, bash.Location, bash.Ecosystem));
        Assert.IsType<DebianVersion>(bash.ParsedVersion);
        Assert.Equal(new[] { "i386", "amd64" }, found.Where(p => p.Name == "libc6").Select(p => p.Architecture));
        Assert.Equal(new[] { "2.36-9+deb12u4", "2.36-9+deb12u10" }, found.Where(p => p.Name == "libc6").OrderBy(p => p.ParsedVersion).Select(p => p.Version));
        Assert.True(found[1].ParsedVersion!.IsPrerelease);
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains("package noversion") && w.Contains("no Version field"));
        Assert.Contains(warnings, w => w.Contains("the stanza at line 54") && w.Contains("no Package field"));
        Assert.Contains(warnings, w => w.Contains("package weird") && w.Contains("not 'want flag state'"));
        Assert.Equal(3, warnings.Length);
    }

    [Fact]
    public void DpkgSkipsAPackageWhoseNameOrVersionIsNotUtf8AndTakesAnAdminFolderAsPath()
    {
        using var machine = new PackageFixture();
        var admin = machine.Dir("chroot/var/lib/dpkg");
        machine.WriteBytes("chroot/var/lib/dpkg/status", [.. "Package: good\nStatus: install ok installed\nVersion: 1.0\nDescription: caf"u8, 0xE9, .. "\n\nPackage: bad\nStatus: install ok installed\nVersion: 1."u8, 0xFF, .. "\n"u8]);
        var found = machine.Find(Only(PackageEcosystem.Dpkg) with { Paths = new[] { admin } }).Packages;
        Assert.Equal("café", Assert.Single(found).Summary);
        Assert.Contains(machine.Log.Warnings, w => w.Contains("package bad") && w.Contains("Version field (line 8) is not valid UTF-8"));
    }

    [Fact]
    public void RpmReadsTheSqliteRpmdbHeaders()
    {
        using var machine = new PackageFixture();
        var database = machine.RpmDatabase("var/lib/rpm/rpmdb.sqlite",
            PackageFixture.RpmHeader("bash", "5.2.15", "1.amzn2023.0.2", summary: "The GNU Bourne Again shell"),
            PackageFixture.RpmHeader("openssl-libs", "3.0.8", "1.amzn2023.0.12", epoch: 1, summary: "A general purpose cryptography library", magic: true),
            PackageFixture.RpmHeader("kernel", "6.1.79", "99.164.amzn2023"),
            PackageFixture.RpmHeader("kernel", "6.1.102", "108.177.amzn2023"),
            PackageFixture.RpmHeader("gpg-pubkey", "d832c631", "5e0f1b4d", arch: null));

        var found = machine.Find(Only(PackageEcosystem.Rpm)).Packages;

        Assert.Equal(new[] { "bash", "gpg-pubkey", "kernel", "kernel", "openssl-libs" }, found.Select(p => p.Name));
        var bash = found[0];
        Assert.Equal(("5.2.15-1.amzn2023.0.2", "x86_64", "The GNU Bourne Again shell", database, "Rpm"), (bash.Version, bash.Architecture, bash.Summary, bash.Location, bash.Ecosystem));
        var openssl = found[4];
        Assert.Equal("1:3.0.8-1.amzn2023.0.12", openssl.Version);
        Assert.Equal(1, ((RpmVersion)openssl.ParsedVersion!).Epoch);
        Assert.Equal(new[] { "6.1.79-99.164.amzn2023", "6.1.102-108.177.amzn2023" }, found.Where(p => p.Name == "kernel").OrderBy(p => p.ParsedVersion).Select(p => p.Version));
        Assert.Null(found[1].Architecture);
        Assert.Empty(machine.Log.Warnings);

        // The same database, found under /usr/lib/sysimage/rpm too, is still read once.
        Assert.Single(machine.Find(Only(PackageEcosystem.Rpm, "bash") with { Paths = new[] { Path.GetDirectoryName(database)!, database } }).Packages);
    }

    [Fact]
    public void RpmBrokenHeadersAreWarningsAndTheScanGoesOn()
    {
        using var machine = new PackageFixture();
        var good = PackageFixture.RpmHeader("good", "1.0", "1");
        var truncated = good[..(good.Length - 10)];
        var noVersion = PackageFixture.RpmHeader("noversion", null, "1");
        var noName = PackageFixture.RpmHeader(null, "1.0", "1");
        var garbage = "not a header at all"u8.ToArray();
        var badUtf8 = PackageFixture.RpmHeader("bad", "1.0", "1");
        badUtf8[8 + (16 * 5) + 16] = 0xFF; // the first byte of the NAME string, after the index and the region data
        machine.RpmDatabase("var/lib/rpm/rpmdb.sqlite", good, truncated, noVersion, noName, garbage, null, badUtf8);

        var found = machine.Find(Only(PackageEcosystem.Rpm)).Packages;

        Assert.Equal("good", Assert.Single(found).Name);
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains("header #2") && w.Contains("truncated"));
        Assert.Contains(warnings, w => w.Contains("package noversion") && w.Contains("no VERSION"));
        Assert.Contains(warnings, w => w.Contains("header #4") && w.Contains("no NAME"));
        Assert.Contains(warnings, w => w.Contains("header #5") && w.Contains("malformed"));
        Assert.Contains(warnings, w => w.Contains("header #6") && w.Contains("empty"));
        Assert.Contains(warnings, w => w.Contains("header #7") && w.Contains("not valid UTF-8"));
        Assert.Equal(6, warnings.Length);
    }

    [Fact]
    public void RpmSaysWhenTheDatabaseIsBerkeleyDbOrNotSqlite()
    {
        using var machine = new PackageFixture();
        var berkeley = machine.Write("var/lib/rpm/Packages", "\0\0\0\0\x61\x15\x06\0 (Berkeley DB hash)");
        Assert.Empty(machine.Find(Only(PackageEcosystem.Rpm)).Packages);
        Assert.Contains(machine.Log.Warnings, w => w.Contains(berkeley) && w.Contains("Berkeley DB"));

        var notSqlite = machine.Write("other/rpmdb.sqlite", "this is not a database");
        Assert.Empty(machine.Find(Only(PackageEcosystem.Rpm) with { Paths = new[] { notSqlite } }).Packages);
        Assert.Contains(machine.Log.Warnings, w => w.Contains(notSqlite) && w.Contains("SQLite error"));
    }

    [Fact]
    public void NuGetReadsTheGlobalPackagesFolderAndEveryVersion()
    {
        using var machine = new PackageFixture();
        var json = machine.Nuspec("home/admin/.nuget/packages", "Newtonsoft.Json", "13.0.3", "Json.NET is a popular high-performance JSON framework for .NET");
        machine.Nuspec("home/admin/.nuget/packages", "Newtonsoft.Json", "13.0.1");
        machine.Nuspec("home/admin/.nuget/packages", "Newtonsoft.Json", "9.0.1");
        machine.Nuspec("home/admin/.nuget/packages", "xunit", "2.9.3-pre.1", "line one\nline two");

        var found = machine.Find(Only(PackageEcosystem.NuGet)).Packages;

        Assert.Equal(new[] { "Newtonsoft.Json", "Newtonsoft.Json", "Newtonsoft.Json", "xunit" }, found.Select(p => p.Name));
        Assert.Equal(new[] { "9.0.1", "13.0.1", "13.0.3" }, found.Take(3).OrderBy(p => p.ParsedVersion).Select(p => p.Version));
        var latest = found.Single(p => p.Version == "13.0.3");
        Assert.Equal(json, latest.Location);
        Assert.Equal("Json.NET is a popular high-performance JSON framework for .NET", latest.Summary);
        Assert.Equal("line one ...", found[3].Summary);
        Assert.True(found[3].ParsedVersion!.IsPrerelease);
        Assert.All(found, p => Assert.False(p.Shadowed));

        machine.Environment["NUGET_PACKAGES"] = machine.Dir("elsewhere");
        Assert.Empty(machine.Find(Only(PackageEcosystem.NuGet)).Packages);
    }

    [Fact]
    public void NuGetPathTakesPackagesConfigFoldersAndNuspecFilesAndWarnsOnBrokenOnes()
    {
        using var machine = new PackageFixture();
        var packages = machine.Dir("solution/packages");
        machine.Write("solution/packages/Serilog.3.1.1/Serilog.3.1.1.nuspec", "<package><metadata><id>Serilog</id><version>3.1.1</version><description>Structured logging.</description></metadata></package>");
        var truncated = machine.Write("solution/packages/Cut.1.0.0/Cut.1.0.0.nuspec", "<?xml version=\"1.0\"?><package><metadata><id>Cut</id><vers");
        var noVersion = machine.Write("solution/packages/NoVersion.1.0.0/NoVersion.1.0.0.nuspec", "<package><metadata><id>NoVersion</id><description>x</description></metadata></package>");
        var latin = machine.WriteBytes("solution/packages/Latin.1.0.0/Latin.1.0.0.nuspec", [.. "<?xml version=\"1.0\" encoding=\"utf-8\"?><package><metadata><id>Lat"u8, 0xE9, .. "</id><version>1.0.0</version></metadata></package>"u8]);
        machine.Write("solution/packages/Incomplete/1.0.0/.nupkg.metadata", "{}");

        var found = machine.Find(Only(PackageEcosystem.NuGet) with { Paths = new[] { packages } }).Packages;

        Assert.Equal(("Serilog", "3.1.1", "Structured logging."), (Assert.Single(found).Name, found[0].Version, found[0].Summary));
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains(truncated) && w.Contains("not well-formed"));
        Assert.Contains(warnings, w => w.Contains(noVersion) && w.Contains("no <version>"));
        Assert.Contains(warnings, w => w.Contains(latin) && w.Contains("not well-formed"));
        Assert.Contains(warnings, w => w.Contains("Incomplete") && w.Contains("no .nuspec"));
        Assert.Equal("3.1.1", Assert.Single(machine.Find(Only(PackageEcosystem.NuGet) with { Paths = new[] { Path.Combine(packages, "Serilog.3.1.1", "Serilog.3.1.1.nuspec") } }).Packages).Version);
    }

    [Fact]
    public void NpmReadsGlobalTopLevelAndScopedPackages()
    {
        using var machine = new PackageFixture();
        machine.PackageJson("usr/lib/node_modules", "npm", "9.2.0", "a package manager for JavaScript");
        var scoped = machine.PackageJson("usr/lib/node_modules", "@aws-sdk/client-s3", "3.540.0");
        machine.PackageJson("usr/lib/node_modules/npm/node_modules", "semver", "7.5.4");
        machine.Write("usr/lib/node_modules/.bin/npm", "#!/bin/sh");
        machine.PackageJson("home/admin/.npm-global/lib/node_modules", "typescript", "5.4.5");
        machine.Write("home/admin/.npmrc", "fund=false\nprefix=~/.npm-global\n");

        var found = machine.Find(Only(PackageEcosystem.Npm)).Packages;

        Assert.Equal(new[] { "@aws-sdk/client-s3", "npm", "typescript" }, found.Select(p => p.Name));
        Assert.Equal(scoped, found[0].Location);
        Assert.Equal("a package manager for JavaScript", found[1].Summary);
        Assert.Equal(Path.Combine(machine.Root, "home/admin/.npm-global/lib/node_modules"), found[2].Environment);
        Assert.Equal(new[] { "@aws-sdk/client-s3" }, machine.Service.CompleteNames("@aws", new[] { PackageEcosystem.Npm }, Array.Empty<string>()));
    }

    [Fact]
    public void NpmPathTakesAProjectAndWarnsOnBrokenPackageJson()
    {
        using var machine = new PackageFixture();
        var project = machine.Dir("srv/web");
        machine.Write("srv/web/package.json", "{ \"name\": \"web\", \"version\": \"1.0.0\" }");
        machine.PackageJson("srv/web/node_modules", "express", "4.19.2");
        var truncated = machine.Write("srv/web/node_modules/cut/package.json", "{ \"name\": \"cut\", \"descr");
        var noVersion = machine.Write("srv/web/node_modules/noversion/package.json", "{ \"name\": \"noversion\" }");
        var empty = machine.Write("srv/web/node_modules/empty/package.json", "");
        var latin = machine.WriteBytes("srv/web/node_modules/latin/package.json", [.. "{ \"name\": \"lat"u8, 0xE9, .. "\", \"version\": \"1.0.0\" }"u8]);

        var found = machine.Find(Only(PackageEcosystem.Npm) with { Paths = new[] { project } }).Packages;

        Assert.Equal(("express", "4.19.2"), (Assert.Single(found).Name, found[0].Version));
        var warnings = machine.Log.Warnings.ToArray();
        Assert.Contains(warnings, w => w.Contains(truncated) && w.Contains("not valid JSON"));
        Assert.Contains(warnings, w => w.Contains(noVersion) && w.Contains("no \"version\""));
        Assert.Contains(warnings, w => w.Contains(empty) && w.Contains("is empty"));
        Assert.Contains(warnings, w => w.Contains(latin) && w.Contains("not valid JSON"));
    }

    [Fact]
    public void AssembliesAreReadAsMetadataWithAllThreeVersions()
    {
        using var machine = new PackageFixture();
        var bin = machine.Dir("app/bin");
        var core = typeof(PackageVersionService).Assembly.Location;
        var xunit = typeof(FactAttribute).Assembly.Location;
        File.Copy(core, Path.Combine(bin, "Ec2Ops.Core.dll"));
        File.Copy(xunit, Path.Combine(machine.Dir("app/bin/sub"), Path.GetFileName(xunit)));
        var truncated = machine.WriteBytes("app/bin/Broken.dll", File.ReadAllBytes(core)[..300]);
        machine.Write("app/bin/notes.txt", "not a dll");

        var found = machine.Find(Only(PackageEcosystem.Assembly) with { Paths = new[] { bin } }).Packages;

        var expected = AssemblyName.GetAssemblyName(core);
        var ours = Assert.IsType<AssemblyPackageVersion>(found.Single(p => p.Name == "Ec2Ops.Core"));
        Assert.Equal(expected.Version!.ToString(), ours.AssemblyVersion);
        Assert.Equal(typeof(PackageVersionService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion, ours.InformationalVersion);
        Assert.Equal(typeof(PackageVersionService).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()!.Version, ours.FileVersion);
        Assert.Equal(ours.InformationalVersion, ours.Version);
        Assert.IsType<SemanticVersion>(ours.ParsedVersion);
        Assert.Equal("Assembly", ours.Ecosystem);
        Assert.Contains(found, p => p.Name == AssemblyName.GetAssemblyName(xunit).Name);
        Assert.Contains(machine.Log.Warnings, w => w.Contains(truncated) && w.Contains("not a valid PE image"));

        // Without -Ecosystem Assembly only the top level of a -Path folder is read (no walk of a big tree).
        var topLevel = machine.Find(new PackageQuery { Paths = new[] { bin } }).Packages;
        Assert.Equal(new[] { "Ec2Ops.Core" }, topLevel.Select(p => p.Name));

        // Without -Path there is nothing to read: a machine has too many assemblies to list them all.
        Assert.Empty(machine.Find(Only(PackageEcosystem.Assembly)).Packages);
    }

    [Fact]
    public void NotFoundNamesAreErrorsThatSayWhereTheSearchLooked()
    {
        using var machine = new PackageFixture();
        machine.Write("var/lib/dpkg/status", DpkgStatus);
        var result = machine.Find(new PackageQuery { Names = new[] { "bash", "no-such-package", "nothing*" } });

        Assert.Equal("bash", Assert.Single(result.Packages).Name);
        var error = Assert.Single(result.NotFound);
        Assert.Equal("PackageNotFound", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal("no-such-package", error.TargetObject);
        Assert.Equal("No package named 'no-such-package' was found. Looked in Dpkg: " + Path.Combine(machine.Root, "var/lib/dpkg/status") + ".", error.Message);
        Assert.NotNull(error.RecommendedAction);

        var site = machine.Dir("site");
        machine.PackageJson("site/node_modules", "left-pad", "1.3.0");
        var underPath = machine.Find(new PackageQuery { Names = new[] { "right-pad" }, Paths = new[] { site } });
        Assert.Equal($"No package named 'right-pad' was found under -Path: {site}.", Assert.Single(underPath.NotFound).Message);
        var typed = machine.Find(new PackageQuery { Names = new[] { "right-pad" }, Paths = new[] { site }, Ecosystems = new[] { PackageEcosystem.Npm, PackageEcosystem.NuGet } });
        Assert.Equal($"No package named 'right-pad' was found under -Path (Npm, NuGet): {site}.", Assert.Single(typed.NotFound).Message);

        var nowhere = machine.Find(new PackageQuery { Names = new[] { "x" }, Ecosystems = new[] { PackageEcosystem.Rpm } });
        Assert.Equal("No package named 'x' was found: there was nowhere to look for Rpm packages here.", Assert.Single(nowhere.NotFound).Message);
    }

    [Fact]
    public void MissingPathsAreErrorsAndTheOthersAreStillRead()
    {
        using var machine = new PackageFixture();
        var site = machine.Dir("site");
        machine.DistInfo("site", "six", "1.16.0");
        var result = machine.Find(new PackageQuery { Paths = new[] { Path.Combine(machine.Root, "missing"), site } });

        Assert.Equal("six", Assert.Single(result.Packages).Name);
        var error = Assert.Single(result.PathErrors);
        Assert.Equal(("PackagePathNotFound", Ec2OpsErrorCategory.ObjectNotFound), (error.ErrorId, error.Category));

        var none = machine.Find(new PackageQuery { Names = new[] { "six" }, Paths = new[] { "relative/missing" } });
        Assert.Empty(none.Packages);
        Assert.Empty(none.NotFound);
        Assert.Contains("'relative/missing' does not exist", Assert.Single(none.PathErrors).Message);
    }

    [Fact]
    public void EverythingComesSortedByEcosystemThenName()
    {
        using var machine = new PackageFixture();
        machine.Write("var/lib/dpkg/status", DpkgStatus);
        machine.Write("usr/lib/python3.11/os.py", string.Empty);
        machine.DistInfo("usr/lib/python3/dist-packages", "Zope", "5.0");
        machine.DistInfo("usr/lib/python3/dist-packages", "attrs", "22.2.0");
        machine.PackageJson("usr/lib/node_modules", "npm", "9.2.0");
        var all = machine.Find().Packages;
        Assert.Equal(new[] { "Python", "Python", "Npm", "Dpkg", "Dpkg", "Dpkg", "Dpkg" }, all.Select(p => p.Ecosystem));
        Assert.Equal(new[] { "attrs", "Zope" }, all.Take(2).Select(p => p.Name));
    }

    [Fact]
    public void AQuickScanShowsNoProgressAndLogsWhatItRead()
    {
        using var machine = new PackageFixture();
        machine.Write("var/lib/dpkg/status", DpkgStatus);
        var progress = new List<Ec2Ops.Core.OperationProgress>();
        var service = new PackageVersionService(machine.Context, machine.Log, new Progress(progress));
        Assert.Equal(4, service.Find(new PackageQuery { Ecosystems = new[] { PackageEcosystem.Dpkg } }).Packages.Count);
        Assert.Empty(progress);
        Assert.Contains(machine.Log.Entries, e => e.Level == "Verbose" && e.Message.StartsWith("Dpkg: 4 package(s) from 1 place(s): ", StringComparison.Ordinal));
    }

    [Fact]
    public void CompletionOffersNothingForPathsThatDoNotExist()
    {
        using var machine = new PackageFixture();
        machine.Write("var/lib/dpkg/status", DpkgStatus);
        Assert.Equal(new[] { "bash" }, machine.Service.CompleteNames("ba", Array.Empty<PackageEcosystem>(), Array.Empty<string>()));
        Assert.Equal(new[] { "bash", "halfway" }, machine.Service.CompleteNames("*a*", new[] { PackageEcosystem.Dpkg }, Array.Empty<string>()));
        Assert.Empty(machine.Service.CompleteNames("ba", Array.Empty<PackageEcosystem>(), new[] { Path.Combine(machine.Root, "missing") }));
    }

    private sealed class Progress(List<Ec2Ops.Core.OperationProgress> reports) : IProgress<Ec2Ops.Core.OperationProgress>
    {
        public void Report(Ec2Ops.Core.OperationProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
