using Ec2Ops.Core.Packages.Versions;

namespace Ec2Ops.Tests.Packages;

/// <summary>Each scheme against its ecosystem's own published ordering rules and test cases.</summary>
public class VersionOrderingTests
{
    // packaging's documented order of PEP 440 versions (pre, post, dev and local releases).
    private static readonly string[] Pep440Order =
    {
        "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
        "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456",
        "1.0.15", "1.1.dev1", "1.9", "1.10", "1!0.1",
    };

    // semver.org section 11's example, plus numeric parts.
    private static readonly string[] SemVerOrder =
    {
        "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
        "1.9.0", "1.10.0", "1.10.0.1", "2.0.0",
    };

    [Fact]
    public void Pep440SortsAsPackagingDocuments()
    {
        var shuffled = Pep440Order.Reverse().Select(Pep440Version.Parse).OrderBy(v => v).Select(v => v.ToString());
        Assert.Equal(Pep440Order, shuffled);
    }

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1.0RC1", "1.0rc1")]
    [InlineData("1.0-alpha.2", "1.0a2")]
    [InlineData("1.0c1", "1.0rc1")]
    [InlineData("1.0preview1", "1.0rc1")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0.rev3", "1.0.post3")]
    [InlineData("v1.0", "1.0")]
    [InlineData("1.0.DEV", "1.0.dev0")]
    [InlineData("1.0+Ubuntu-1", "1.0+ubuntu.1")]
    public void Pep440EqualSpellingsCompareEqual(string left, string right)
    {
        Assert.Equal(0, Pep440Version.Parse(left).CompareTo(Pep440Version.Parse(right)));
        Assert.Equal(Pep440Version.Parse(left).GetHashCode(), Pep440Version.Parse(right).GetHashCode());
    }

    [Fact]
    public void Pep440NormalizesAndExposesItsParts()
    {
        var version = Pep440Version.Parse(" 2!1.10.0-RC.3.post2.dev1+Local_7 ");
        Assert.Equal("2!1.10.0rc3.post2.dev1+local.7", version.ToString());
        Assert.Equal(2, version.Epoch);
        Assert.Equal("1.10.0", version.Release);
        Assert.Equal("rc3", version.PreRelease);
        Assert.Equal(2, version.PostRelease);
        Assert.Equal(1, version.DevRelease);
        Assert.Equal("local.7", version.Local);
        Assert.True(version.IsPrerelease);
        Assert.False(Pep440Version.Parse("1.0.post1").IsPrerelease);
    }

    [Theory]
    [InlineData("")]
    [InlineData("french toast")]
    [InlineData("1.0+")]
    [InlineData("2004d")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.99999999999999999999")]
    public void Pep440RejectsInvalidVersions(string text) => Assert.False(Pep440Version.TryParse(text, out _));

    [Fact]
    public void SemVerSortsAsSemverOrgAndNuGet()
    {
        var sorted = SemVerOrder.Reverse().Select(SemanticVersion.Parse).OrderBy(v => v).Select(v => v.ToString());
        Assert.Equal(SemVerOrder, sorted);
        Assert.Equal(0, SemanticVersion.Parse("1.0.0+build.1").CompareTo(SemanticVersion.Parse("1.0.0+build.2")));
    }

    [Fact]
    public void SemVerReadsNpmAndPowerShellSpellings()
    {
        var npm = SemanticVersion.Parse("v2.3.4-beta.1+sha.5");
        Assert.Equal((2, 3, 4), (npm.Major, npm.Minor, npm.Patch));
        Assert.Equal("beta.1", npm.Prerelease);
        Assert.Equal("sha.5", npm.Metadata);
        Assert.True(npm.IsPrerelease);
        var module = SemanticVersion.Parse("7.0.0.1");
        Assert.Equal(1, module.Revision);
        Assert.Equal("1.0.0", SemanticVersion.Parse("1.0").ToString());
        Assert.False(SemanticVersion.TryParse("not.a.version", out _));
        Assert.False(SemanticVersion.TryParse(" ", out _));
    }

    // dpkg --compare-versions results (dpkg's own test suite and Debian policy 5.6.12).
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0-1", "2.0-2", -1)]
    [InlineData("2.2~rc-4", "2.2-1", -1)]
    [InlineData("1.0~beta1~svn1245", "1.0~beta1", -1)]
    [InlineData("1.0~beta1", "1.0", -1)]
    [InlineData("1.0", "1.0+dfsg", -1)]
    [InlineData("1.0", "1.0a", -1)]
    [InlineData("1.0a", "1.0+", -1)]
    [InlineData("1:1.0", "2.0", 1)]
    [InlineData("0:1.0", "1.0", 0)]
    [InlineData("1.0000-1", "1.0-1", 0)]
    [InlineData("1.2.3", "1.2.3-0", 0)]
    [InlineData("1.9", "1.10", -1)]
    [InlineData("2.36-9+deb12u4", "2.36-9+deb12u10", -1)]
    [InlineData("7.88.1-10+deb12u5", "7.88.1-10", 1)]
    [InlineData("1.0-1~bpo1", "1.0-1", -1)]
    public void DebianOrdersAsDpkg(string left, string right, int expected)
    {
        var a = DebianVersion.Parse(left);
        var b = DebianVersion.Parse(right);
        Assert.Equal(expected, Math.Sign(a.CompareTo(b)));
        Assert.Equal(-expected, Math.Sign(b.CompareTo(a)));
        if (expected == 0)
        {
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
        }
    }

    [Fact]
    public void DebianExposesItsParts()
    {
        var version = DebianVersion.Parse("1:2.36-9+deb12u4");
        Assert.Equal(1, version.Epoch);
        Assert.Equal("2.36", version.UpstreamVersion);
        Assert.Equal("9+deb12u4", version.DebianRevision);
        Assert.Equal("1:2.36-9+deb12u4", version.ToString());
        Assert.True(DebianVersion.Parse("1.0~rc1").IsPrerelease);
        Assert.Null(DebianVersion.Parse("1.0").DebianRevision);
        Assert.Equal("1.0-1-2", DebianVersion.Parse("1.0-1-2").UpstreamVersion + "-" + DebianVersion.Parse("1.0-1-2").DebianRevision);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a1.0")]
    [InlineData("x:1.0")]
    [InlineData("1.0-")]
    [InlineData("1.0 1")]
    public void DebianRejectsWhatDpkgRejects(string text) => Assert.False(DebianVersion.TryParse(text, out _));

    // rpm's tests/rpmvercmp.at expectations.
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "2.0", -1)]
    [InlineData("2.0.1", "2.0", 1)]
    [InlineData("2.0.1a", "2.0.1", 1)]
    [InlineData("5.5p1", "5.5p2", -1)]
    [InlineData("5.5p10", "5.5p1", 1)]
    [InlineData("10xyz", "10.1xyz", -1)]
    [InlineData("xyz10", "xyz10.1", -1)]
    [InlineData("xyz.4", "8", -1)]
    [InlineData("xyz.4", "2", -1)]
    [InlineData("5.5p2", "5.6p1", -1)]
    [InlineData("5.6p1", "6.5p1", -1)]
    [InlineData("6.0.rc1", "6.0", 1)]
    [InlineData("10b2", "10a1", 1)]
    [InlineData("1.0a", "1.0aa", -1)]
    [InlineData("10.0001", "10.1", 0)]
    [InlineData("10.0001", "10.0039", -1)]
    [InlineData("4.999.9", "5.0", -1)]
    [InlineData("20101121", "20101122", -1)]
    [InlineData("2_0", "2.0", 0)]
    [InlineData("a+", "a_", 0)]
    [InlineData("+_", "_+", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~rc1", "1.0~rc2", -1)]
    [InlineData("1.0~rc1~git123", "1.0~rc1", -1)]
    [InlineData("1.0^", "1.0", 1)]
    [InlineData("1.0^git1", "1.0", 1)]
    [InlineData("1.0^git1", "1.01", -1)]
    [InlineData("1.0^20160101", "1.0.1", -1)]
    [InlineData("1.0^20160101^git1", "1.0^20160102", -1)]
    [InlineData("1.0~rc1^git1", "1.0~rc1", 1)]
    [InlineData("1.0^git1~pre", "1.0^git1", -1)]
    public void RpmOrdersAsRpmvercmp(string left, string right, int expected)
    {
        Assert.Equal(expected, RpmVersion.CompareSegment(left, right));
        Assert.Equal(-expected, RpmVersion.CompareSegment(right, left));
    }

    [Fact]
    public void RpmComparesEpochThenVersionThenRelease()
    {
        Assert.True(RpmVersion.Parse("1:1.0-1") > RpmVersion.Parse("2.0-1"));
        Assert.True(RpmVersion.Parse("0:1.0-1") == RpmVersion.Parse("1.0-1"));
        Assert.True(RpmVersion.Parse("3.0.8-1.amzn2023.0.12") > RpmVersion.Parse("3.0.8-1.amzn2023.0.9"));
        Assert.Equal(0, RpmVersion.Parse("1.0").CompareTo(RpmVersion.Parse("1.0-5"))); // no release on one side: not compared
        var parsed = RpmVersion.Parse("1:3.0.8-1.amzn2023.0.12");
        Assert.Equal((1L, "3.0.8", "1.amzn2023.0.12"), (parsed.Epoch!.Value, parsed.Version, parsed.Release));
        Assert.Equal("1:3.0.8-1.amzn2023.0.12", parsed.ToString());
        Assert.True(RpmVersion.Parse("1.0~rc1-1").IsPrerelease);
        Assert.False(RpmVersion.TryParse("x:1.0", out _));
        Assert.False(RpmVersion.From(null, "", "1", out _));
    }

    [Fact]
    public void MixedSchemesGroupBySchemeAndStringsCompareInTheSameScheme()
    {
        var mixed = new ComparableVersion[] { RpmVersion.Parse("1.0-1"), Pep440Version.Parse("1.0"), DebianVersion.Parse("1.0-1"), SemanticVersion.Parse("1.0.0") };
        Assert.Equal(new[] { "Debian", "PEP 440", "RPM", "SemVer" }, mixed.Order().Select(v => v.Scheme));
        Assert.True(Pep440Version.Parse("2.1").CompareTo((object)"2.0") > 0);
        Assert.True(DebianVersion.Parse("1.0~rc1").CompareTo((object)"1.0") < 0);
        Assert.Throws<ArgumentException>(() => Pep440Version.Parse("2.1").CompareTo((object)"not a version"));
        Assert.Throws<ArgumentException>(() => Pep440Version.Parse("2.1").CompareTo((object)42));
        Assert.Equal(1, Pep440Version.Parse("1.0").CompareTo((object?)null));
        Assert.True(ComparableVersion.Compare(null, Pep440Version.Parse("0")) < 0);
        Assert.False(Pep440Version.Parse("1.0").Equals(SemanticVersion.Parse("1.0.0")));
    }
}
