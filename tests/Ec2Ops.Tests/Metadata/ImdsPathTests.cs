using Ec2Ops.Core;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Metadata;

public class ImdsPathTests
{
    [Theory]
    [InlineData("instance-id", "/latest/meta-data/instance-id")]
    [InlineData("placement/region", "/latest/meta-data/placement/region")]
    [InlineData("placement", "/latest/meta-data/placement/")]
    [InlineData("network/interfaces/macs/", "/latest/meta-data/network/interfaces/macs/")]
    [InlineData("/instance-id", "/latest/meta-data/instance-id")]
    [InlineData("", "/latest/meta-data/")]
    [InlineData("/", "/latest/meta-data/")]
    [InlineData("/latest/meta-data/ami-id", "/latest/meta-data/ami-id")]
    [InlineData("latest/user-data", "/latest/user-data")]
    [InlineData("/latest/dynamic/instance-identity/document", "/latest/dynamic/instance-identity/document")]
    [InlineData("/latest/dynamic", "/latest/dynamic/")]
    [InlineData("/latest", "/latest/")]
    [InlineData("  iam/info ", "/latest/meta-data/iam/info")]
    public void NormalizesWhatUsersType(string typed, string expected)
    {
        Assert.Equal(expected, ImdsPath.Normalize(typed));
    }

    [Theory]
    [InlineData("../secret", "'..'")]
    [InlineData("a b", "white space")]
    [InlineData("instance-id?x=1", "?")]
    [InlineData("placement//region", "//")]
    public void RejectsPathsThatCannotBeMetadataPaths(string typed, string reason)
    {
        var error = Assert.Throws<Ec2OpsException>(() => ImdsPath.Normalize(typed));

        Assert.Equal("ImdsInvalidPath", error.ErrorId);
        Assert.Contains(typed, error.Message);
        Assert.Contains(reason, error.Message);
        Assert.Equal(typed, error.TargetObject);
    }

    [Fact]
    public void ListingChildrenKeepFolderSlashes()
    {
        var children = ImdsPath.ChildPaths("/latest/meta-data/placement/", "availability-zone\nregion\n");

        Assert.Equal(new[] { "/latest/meta-data/placement/availability-zone", "/latest/meta-data/placement/region" }, children);
    }

    [Fact]
    public void RootListingNamesFoldersWithoutSlashes()
    {
        var children = ImdsPath.ChildPaths("/latest/", "dynamic\nmeta-data\nuser-data");

        Assert.Equal(new[] { "/latest/dynamic/", "/latest/meta-data/", "/latest/user-data" }, children);
    }

    [Fact]
    public void PublicKeysListIndexEqualsName()
    {
        var children = ImdsPath.ChildPaths("/latest/meta-data/public-keys/", "0=my-key\n1=other");

        Assert.Equal(new[] { "/latest/meta-data/public-keys/0/", "/latest/meta-data/public-keys/1/" }, children);
    }

    [Fact]
    public void NameIsTheLastSegment()
    {
        Assert.Equal("region", ImdsPath.NameOf("/latest/meta-data/placement/region"));
        Assert.Equal("macs", ImdsPath.NameOf("/latest/meta-data/network/interfaces/macs/"));
    }

    [Fact]
    public void CompletionOffersKnownPathsByPrefix()
    {
        var completions = KnownMetadataPaths.Complete("placement/r").ToList();

        Assert.Equal(new[] { "placement/region" }, completions);
        Assert.Contains("/latest/dynamic/instance-identity/document", KnownMetadataPaths.Complete("/latest/dyn"));
    }

    [Fact]
    public void CompletionIgnoresCaseAndQuotesAndKeepsOrder()
    {
        var values = new[] { "t3.micro", "t3.small", "T4g.micro", "m5.large" };

        Assert.Equal(new[] { "t3.micro", "t3.small" }, Completion.StartingWith(values, "'T3."));
        Assert.Equal(new[] { "T4g.micro" }, Completion.StartingWith(values, "t4"));
        Assert.Equal(values, Completion.StartingWith(values, null));
    }
}
