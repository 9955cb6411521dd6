using System.Net;
using System.Text.Json;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>What the emulator serves: listings, folders, documents, user data, tags, changes at run time.</summary>
public class EmulatorDataTests
{
    [Fact]
    public async Task MetaDataListingHasFoldersWithTrailingSlashAndLeavesWithout()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        string[] entries = (await http.GetOkAsync("/latest/meta-data/")).Split('\n');

        Assert.Contains("instance-id", entries);
        Assert.Contains("instance-type", entries);
        Assert.Contains("placement/", entries);
        Assert.Contains("network/", entries);
        Assert.Contains("tags/", entries);
        Assert.Contains("iam/", entries);
        Assert.DoesNotContain("spot/", entries); // no interruption notice by default
        Assert.DoesNotContain("", entries);      // LF-separated, no trailing newline
        Assert.Equal(entries.OrderBy(e => e, StringComparer.Ordinal), entries);
    }

    [Theory]
    [InlineData("/latest/meta-data/placement")]
    [InlineData("/latest/meta-data/placement/")]
    [InlineData("/latest/meta-data//placement/")]
    public async Task FolderAnswersItsListingWithOrWithoutTrailingSlash(string path)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("availability-zone\navailability-zone-id\nregion", await http.GetOkAsync(path));
    }

    [Fact]
    public async Task TopLevelListingsMatchTheRealService()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        string versions = await http.GetOkAsync("/");
        Assert.Equal("dynamic\nmeta-data\nuser-data", await http.GetOkAsync("/latest/"));
        Assert.Equal("dynamic\nmeta-data\nuser-data", await http.GetOkAsync("/latest"));
        Assert.Equal("fws/\ninstance-identity/", await http.GetOkAsync("/latest/dynamic/"));
        Assert.Equal("document\npkcs7\nrsa2048\nsignature", await http.GetOkAsync("/latest/dynamic/instance-identity/"));
        Assert.StartsWith("1.0\n2007-01-19\n", versions);
        Assert.EndsWith("\nlatest", versions);
    }

    [Fact]
    public async Task DatedVersionsServeTheSameDataAsLatest()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("t3.micro", await http.GetOkAsync("/2021-07-15/meta-data/instance-type"));
        var unknownVersion = await http.GetAsync("/1999-01-01/meta-data/instance-type", await http.TokenAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.Status);
    }

    [Theory]
    [InlineData("/latest/meta-data/no-such-path")]
    [InlineData("/latest/meta-data/placement/no-such-leaf")]
    [InlineData("/latest/meta-data/instance-id/child")]
    [InlineData("/latest/dynamic/nothing")]
    [InlineData("/elsewhere")]
    [InlineData("/latest/meta-data/spot/instance-action")]
    public async Task UnknownPathsAnswer404(string path)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        var (status, body) = await http.GetAsync(path, await http.TokenAsync());

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not Found", body);
        Assert.Equal(404, emulator.Requests[^1].StatusCode);
    }

    [Fact]
    public async Task IdentityDocumentIsJsonConsistentWithPlacementAndInstanceType()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        using var doc = JsonDocument.Parse(await http.GetOkAsync("/latest/dynamic/instance-identity/document"));
        var root = doc.RootElement;
        string S(string name) => root.GetProperty(name).GetString()!;

        Assert.Equal(await http.GetOkAsync("/latest/meta-data/instance-id"), S("instanceId"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/instance-type"), S("instanceType"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/placement/region"), S("region"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/placement/availability-zone"), S("availabilityZone"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/ami-id"), S("imageId"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/local-ipv4"), S("privateIp"));
        Assert.Equal(await http.GetOkAsync($"/latest/meta-data/network/interfaces/macs/{ImdsDefaultTree.Mac}/owner-id"), S("accountId"));
        Assert.Equal(("t3.micro", "us-east-1", "us-east-1a", "x86_64", "2017-09-30"),
            (S("instanceType"), S("region"), S("availabilityZone"), S("architecture"), S("version")));
        Assert.Equal(emulator.StartTime.ToUnixTimeSeconds(), DateTimeOffset.Parse(S("pendingTime")).ToUnixTimeSeconds());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("kernelId").ValueKind);
    }

    [Fact]
    public async Task OptionsChangeTheInstanceEverywhere()
    {
        var options = new EmulatorOptions
        {
            InstanceType = "t4g.small",
            Region = "eu-west-1",
            AvailabilityZone = "eu-west-1c",
            InstanceId = "i-0fedcba9876543210",
        };
        using var emulator = Ec2OpsEmulator.Start(options);
        using var http = new ImdsHttp(emulator);

        using var doc = JsonDocument.Parse(await http.GetOkAsync("/latest/dynamic/instance-identity/document"));

        Assert.Equal("eu-west-1c", await http.GetOkAsync("/latest/meta-data/placement/availability-zone"));
        Assert.Equal("euw1-az3", await http.GetOkAsync("/latest/meta-data/placement/availability-zone-id"));
        Assert.Equal("eu-west-1", await http.GetOkAsync("/latest/meta-data/placement/region"));
        Assert.Equal("ip-172-16-34-43.eu-west-1.compute.internal", await http.GetOkAsync("/latest/meta-data/local-hostname"));
        Assert.Equal("arm64", doc.RootElement.GetProperty("architecture").GetString());
        Assert.Equal("eu-west-1c", doc.RootElement.GetProperty("availabilityZone").GetString());
        Assert.Equal("i-0fedcba9876543210", doc.RootElement.GetProperty("instanceId").GetString());
        Assert.Equal("t4g.small", doc.RootElement.GetProperty("instanceType").GetString());
    }

    [Fact]
    public async Task UserDataIsServedAsSetAnd404WhenNone()
    {
        using (var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { UserData = "#cloud-config\npackages: [jq]\n" }))
        using (var http = new ImdsHttp(emulator))
        {
            Assert.Equal("#cloud-config\npackages: [jq]\n", await http.GetOkAsync("/latest/user-data"));
        }

        using (var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { UserData = null }))
        using (var http = new ImdsHttp(emulator))
        {
            var (status, _) = await http.GetAsync("/latest/user-data", await http.TokenAsync());
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("dynamic\nmeta-data", await http.GetOkAsync("/latest/"));
        }
    }

    [Fact]
    public async Task TagsAreExposedUnderTagsInstance()
    {
        var options = new EmulatorOptions { Tags = new Dictionary<string, string> { ["Name"] = "web-1", ["Team"] = "ops", ["cost:center"] = "42" } };
        using var emulator = Ec2OpsEmulator.Start(options);
        using var http = new ImdsHttp(emulator);

        Assert.Equal("Name\nTeam\ncost:center", await http.GetOkAsync("/latest/meta-data/tags/instance/"));
        Assert.Equal("web-1", await http.GetOkAsync("/latest/meta-data/tags/instance/Name"));
        Assert.Equal("42", await http.GetOkAsync("/latest/meta-data/tags/instance/cost:center"));
    }

    [Fact]
    public async Task DefaultTagsAreNameAndEnvironment()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("Environment\nName", await http.GetOkAsync("/latest/meta-data/tags/instance"));
        Assert.Equal("ec2ops-demo", await http.GetOkAsync("/latest/meta-data/tags/instance/Name"));
    }

    [Fact]
    public async Task IamInfoAndCredentialsAreJsonThatExpiresInTheFuture()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("info\nsecurity-credentials/", await http.GetOkAsync("/latest/meta-data/iam/"));
        Assert.Equal("ec2ops-demo-role", await http.GetOkAsync("/latest/meta-data/iam/security-credentials/"));
        using var info = JsonDocument.Parse(await http.GetOkAsync("/latest/meta-data/iam/info"));
        using var creds = JsonDocument.Parse(await http.GetOkAsync("/latest/meta-data/iam/security-credentials/ec2ops-demo-role"));

        Assert.Equal("arn:aws:iam::515336597381:instance-profile/ec2ops-demo-role", info.RootElement.GetProperty("InstanceProfileArn").GetString());
        Assert.Equal("Success", creds.RootElement.GetProperty("Code").GetString());
        Assert.Equal("AWS-HMAC", creds.RootElement.GetProperty("Type").GetString());
        Assert.StartsWith("ASIA", creds.RootElement.GetProperty("AccessKeyId").GetString());
        var expiration = DateTimeOffset.Parse(creds.RootElement.GetProperty("Expiration").GetString()!);
        Assert.True(expiration > DateTimeOffset.UtcNow.AddHours(5), $"credentials expire at {expiration:o}");
    }

    [Fact]
    public async Task NoRoleMeansNoIamFolder()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { IamRoleName = null });
        using var http = new ImdsHttp(emulator);

        var (status, _) = await http.GetAsync("/latest/meta-data/iam/", await http.TokenAsync());

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("iam/", (await http.GetOkAsync("/latest/meta-data/")).Split('\n'));
    }

    [Fact]
    public async Task NetworkInterfaceFolderDescribesThePrimaryEni()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string mac = await http.GetOkAsync("/latest/meta-data/mac");
        string nic = $"/latest/meta-data/network/interfaces/macs/{mac}/";

        Assert.Equal(mac + "/", await http.GetOkAsync("/latest/meta-data/network/interfaces/macs/"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/local-ipv4"), await http.GetOkAsync(nic + "local-ipv4s"));
        Assert.Equal("sg-0b07f8f6cb485d4df\nsg-0e4a5c8d2b1f37a96", await http.GetOkAsync(nic + "security-group-ids"));
        Assert.Equal(await http.GetOkAsync("/latest/meta-data/security-groups"), await http.GetOkAsync(nic + "security-groups"));
        Assert.Equal("192.0.2.54", await http.GetOkAsync(nic + "ipv4-associations/"));
        Assert.Equal("172.16.34.43", await http.GetOkAsync(nic + "ipv4-associations/192.0.2.54"));
    }

    [Fact]
    public async Task EventsAreEmptyListsAndPublicKeysListLikeTheRealService()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("[]", await http.GetOkAsync("/latest/meta-data/events/maintenance/scheduled"));
        Assert.Equal("history\nscheduled", await http.GetOkAsync("/latest/meta-data/events/maintenance/"));
        Assert.Equal("0=ec2ops-demo-key", await http.GetOkAsync("/latest/meta-data/public-keys/"));
        Assert.Equal("openssh-key", await http.GetOkAsync("/latest/meta-data/public-keys/0/"));
        Assert.EndsWith(" ec2ops-demo-key", await http.GetOkAsync("/latest/meta-data/public-keys/0/openssh-key"));
    }

    [Fact]
    public async Task SpotInstanceActionAppearsWhenSetAndDisappearsWhenCleared()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        const string notice = "{\"action\": \"terminate\", \"time\": \"2026-11-21T08:22:00Z\"}";

        emulator.Imds.SpotInstanceAction = notice;
        string served = await http.GetOkAsync("/latest/meta-data/spot/instance-action");
        string time = await http.GetOkAsync("/latest/meta-data/spot/termination-time");
        string listing = await http.GetOkAsync("/latest/meta-data/spot/");
        emulator.Imds.SpotInstanceAction = null;
        var (after, _) = await http.GetAsync("/latest/meta-data/spot/instance-action", await http.TokenAsync());

        Assert.Equal(notice, served);
        Assert.Equal("2026-11-21T08:22:00Z", time);
        Assert.Equal("instance-action\ntermination-time", listing);
        Assert.Equal(HttpStatusCode.NotFound, after);
    }

    [Fact]
    public async Task TreeChangesAreServedAtOnce()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        emulator.Tree.Set("/latest/meta-data/events/maintenance/scheduled", "[{\"Code\": \"system-reboot\"}]");
        emulator.Tree.Set("meta-data/autoscaling/target-lifecycle-state", "InService");
        emulator.Tree.Remove("meta-data/public-ipv4");

        Assert.Equal("[{\"Code\": \"system-reboot\"}]", await http.GetOkAsync("/latest/meta-data/events/maintenance/scheduled"));
        Assert.Equal("InService", await http.GetOkAsync("/latest/meta-data/autoscaling/target-lifecycle-state"));
        var (status, _) = await http.GetAsync("/latest/meta-data/public-ipv4", await http.TokenAsync());
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task PercentEncodedPathsAreDecoded()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);

        Assert.Equal("ec2ops-demo", await http.GetOkAsync("/latest/meta-data/tags/instance/%4Eame"));
    }

    [Fact]
    public async Task RepliesAreTextPlainFromEc2ws()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        var request = new HttpRequestMessage(HttpMethod.Get, "/latest/dynamic/instance-identity/document");
        request.Headers.Add(ImdsHttp.TokenHeader, await http.TokenAsync());

        using var response = await http.Client.SendAsync(request);

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("EC2ws", response.Headers.Server.ToString());
    }
}
