using System.Text.Json;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>The tree the emulator serves, and the corrected default data, without HTTP.</summary>
public class ImdsTreeTests
{
    [Fact]
    public void FoldersAreImpliedByLeavesAndListedWithTrailingSlash()
    {
        var tree = new ImdsTree();
        tree.Set("meta-data/b", "2");
        tree.Set("/latest/meta-data/a/x", "1");
        tree.Set("meta-data/a-b", "3");
        tree.Set("meta-data/a/y/z", "4");

        Assert.Equal(new[] { "a-b", "a/", "b" }, tree.GetListing("meta-data"));
        Assert.Equal(new[] { "x", "y/" }, tree.GetListing("/latest/meta-data/a/"));
        Assert.Equal(new[] { "meta-data/" }, tree.GetListing(""));
        Assert.Null(tree.GetListing("meta-data/b"));
        Assert.Null(tree.GetListing("meta-data/none"));
        Assert.Equal("1", tree.GetValue("latest/meta-data/a/x"));
        Assert.Null(tree.GetValue("meta-data/a"));
        Assert.True(tree.IsFolder("meta-data/a"));
        Assert.Equal(4, tree.Count);
    }

    [Fact]
    public void RemovingTheLastLeafRemovesItsFolders()
    {
        var tree = new ImdsTree();
        tree.Set("meta-data/spot/instance-action", "{}");
        tree.Set("meta-data/ami-id", "ami-1");

        Assert.True(tree.Remove("meta-data/spot/instance-action"));
        Assert.False(tree.Remove("meta-data/spot/instance-action"));

        Assert.Equal(new[] { "ami-id" }, tree.GetListing("meta-data"));
        Assert.False(tree.IsFolder("meta-data/spot"));
    }

    [Fact]
    public void RemovingAFolderRemovesItsSubtreeAndLabels()
    {
        var tree = new ImdsTree();
        tree.Set("meta-data/public-keys/0/openssh-key", "ssh-rsa A k");
        tree.SetListingLabel("meta-data/public-keys/0", "0=k");
        Assert.Equal(new[] { "0=k" }, tree.GetListing("meta-data/public-keys"));

        Assert.True(tree.Remove("meta-data/public-keys/"));
        tree.Set("meta-data/public-keys/0/openssh-key", "ssh-rsa B k2");

        Assert.Equal(new[] { "0/" }, tree.GetListing("meta-data/public-keys"));
    }

    [Fact]
    public void ALeafCannotBecomeAFolderOrTheReverse()
    {
        var tree = new ImdsTree();
        tree.Set("meta-data/instance-id", "i-1");
        tree.Set("meta-data/placement/region", "us-east-1");

        var below = Assert.Throws<Ec2OpsException>(() => tree.Set("meta-data/instance-id/x", "y"));
        var over = Assert.Throws<Ec2OpsException>(() => tree.Set("meta-data/placement", "y"));
        var empty = Assert.Throws<Ec2OpsException>(() => tree.Set("/latest/", "y"));
        var doubled = Assert.Throws<Ec2OpsException>(() => tree.Set("meta-data//x", "y"));

        Assert.Equal("EmulatorTreePathConflict", below.ErrorId);
        Assert.Contains("'meta-data/instance-id' is a value", below.Message);
        Assert.Equal("EmulatorTreePathConflict", over.ErrorId);
        Assert.Equal("EmulatorInvalidTreePath", empty.ErrorId);
        Assert.Equal("EmulatorInvalidTreePath", doubled.ErrorId);
        Assert.Equal("i-1", tree.GetValue("meta-data/instance-id"));
    }

    [Fact]
    public void ComputedValuesAreEvaluatedOnEveryRead()
    {
        var tree = new ImdsTree();
        int calls = 0;
        tree.Set("meta-data/counter", () => (++calls).ToString());

        Assert.Equal("1", tree.GetValue("meta-data/counter"));
        Assert.Equal("2", tree.GetValue("meta-data/counter"));
    }

    [Fact]
    public void DefaultTreeHasTheCorrectedReferenceData()
    {
        var launch = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
        var tree = ImdsDefaultTree.Create(new EmulatorOptions(), launch);

        Assert.Equal("t3.micro", tree.GetValue("meta-data/instance-type"));
        Assert.Equal("us-east-1a", tree.GetValue("meta-data/placement/availability-zone"));
        Assert.Equal("use1-az1", tree.GetValue("meta-data/placement/availability-zone-id"));
        Assert.Equal("us-east-1", tree.GetValue("meta-data/placement/region"));
        Assert.Equal("ip-172-16-34-43.ec2.internal", tree.GetValue("meta-data/local-hostname"));
        Assert.Equal("ec2-192-0-2-54.compute-1.amazonaws.com", tree.GetValue("meta-data/public-hostname"));
        Assert.Equal("launch-wizard-1\ndefault", tree.GetValue("meta-data/security-groups"));
        Assert.Equal("[]", tree.GetValue("meta-data/events/maintenance/scheduled"));
        Assert.Equal("aws", tree.GetValue("meta-data/services/partition"));
        Assert.Null(tree.GetValue("meta-data/spot/instance-action"));
        Assert.Null(tree.GetValue("meta-data/kernel-id"));
        Assert.False(tree.IsFolder("meta-data/elastic-inference"));
        Assert.Equal(new[] { "Environment", "Name" }, tree.GetListing("meta-data/tags/instance"));
        Assert.InRange(tree.Count, 50, 70);

        using var doc = JsonDocument.Parse(tree.GetValue("dynamic/instance-identity/document")!);
        Assert.Equal("us-east-1a", doc.RootElement.GetProperty("availabilityZone").GetString());
        Assert.Equal("2026-11-21T05:00:00Z", doc.RootElement.GetProperty("pendingTime").GetString());
        Assert.Equal("515336597381", doc.RootElement.GetProperty("accountId").GetString());
    }

    [Fact]
    public void CredentialsRotateHourlyAndAlwaysExpireHoursAhead()
    {
        var launch = new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(launch);
        var tree = ImdsDefaultTree.Create(new EmulatorOptions { TimeProvider = clock }, launch);
        const string path = "meta-data/iam/security-credentials/ec2ops-demo-role";

        var first = JsonDocument.Parse(tree.GetValue(path)!).RootElement;
        clock.Advance(TimeSpan.FromHours(30.5));
        var later = JsonDocument.Parse(tree.GetValue(path)!).RootElement;

        Assert.Equal("2026-11-21T11:00:00Z", first.GetProperty("Expiration").GetString());
        Assert.Equal("2026-11-22T11:00:00Z", later.GetProperty("LastUpdated").GetString());
        Assert.Equal("2026-11-22T17:00:00Z", later.GetProperty("Expiration").GetString());
        Assert.NotEqual(first.GetProperty("AccessKeyId").GetString(), later.GetProperty("AccessKeyId").GetString());
    }

    [Theory]
    [InlineData("t3.micro", "x86_64")]
    [InlineData("t4g.nano", "arm64")]
    [InlineData("m6gd.large", "arm64")]
    [InlineData("c7gn.xlarge", "arm64")]
    [InlineData("a1.medium", "arm64")]
    [InlineData("g4dn.xlarge", "x86_64")]
    [InlineData("m7i-flex.large", "x86_64")]
    public void ArchitectureFollowsTheInstanceFamily(string type, string architecture)
    {
        Assert.Equal(architecture, ImdsDefaultTree.ArchitectureOf(type));
    }

    [Theory]
    [InlineData("us-east-1", "us-east-1a", "use1-az1")]
    [InlineData("eu-west-2", "eu-west-2b", "euw2-az2")]
    [InlineData("ap-northeast-1", "ap-northeast-1c", "apne1-az3")]
    [InlineData("eu-central-1", "eu-central-1a", "euc1-az1")]
    [InlineData("us-gov-west-1", "us-gov-west-1a", "usgw1-az1")]
    public void ZoneIdsUseTheRegionShortCode(string region, string zone, string zoneId)
    {
        Assert.Equal(zoneId, ImdsDefaultTree.AvailabilityZoneIdOf(region, zone));
    }

    [Theory]
    [InlineData("cn-north-1", "aws-cn", "amazonaws.com.cn")]
    [InlineData("us-gov-east-1", "aws-us-gov", "amazonaws.com")]
    [InlineData("eu-north-1", "aws", "amazonaws.com")]
    public void PartitionAndServiceDomainFollowTheRegion(string region, string partition, string domain)
    {
        var tree = ImdsDefaultTree.Create(new EmulatorOptions { Region = region }, DateTimeOffset.UnixEpoch);

        Assert.Equal(partition, tree.GetValue("meta-data/services/partition"));
        Assert.Equal(domain, tree.GetValue("meta-data/services/domain"));
        Assert.StartsWith($"arn:{partition}:iam::", JsonDocument.Parse(tree.GetValue("meta-data/iam/info")!).RootElement.GetProperty("InstanceProfileArn").GetString());
    }
}
