using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Metadata;

/// <summary>What Get-InstanceMetadata returns, driven through the emulator's default t3.micro tree.</summary>
public sealed class InstanceMetadataServiceTests : IDisposable
{
    private readonly Ec2OpsEmulator _emulator;
    private readonly RecordingOperationLog _log = new();

    public InstanceMetadataServiceTests() : this(new EmulatorOptions())
    {
    }

    private InstanceMetadataServiceTests(EmulatorOptions options) => _emulator = Ec2OpsEmulator.Start(options);

    public void Dispose() => _emulator.Dispose();

    private InstanceMetadataService Service(Ec2OpsEmulator? emulator = null)
    {
        var settings = ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = (emulator ?? _emulator).ImdsEndpoint.AbsoluteUri }, new EnvironmentVariables());
        return new InstanceMetadataService(new ImdsClient(settings, new ImdsTokenCache(), _log), _log);
    }

    [Fact]
    public async Task SummaryDescribesTheInstance()
    {
        var summary = await Service().GetSummaryAsync();

        Assert.Equal(_emulator.InstanceId, summary.InstanceId);
        Assert.Equal("t3.micro", summary.InstanceType);
        Assert.Equal("us-east-1", summary.Region);
        Assert.Equal("us-east-1a", summary.AvailabilityZone);
        Assert.Equal(_emulator.Options.AccountId, summary.AccountId);
        Assert.Equal(_emulator.Options.ImageId, summary.ImageId);
        Assert.Equal(ImdsDefaultTree.PrivateIp, summary.PrivateIpAddress);
        Assert.Equal(ImdsDefaultTree.PublicIp, summary.PublicIpAddress);
        Assert.Equal(ImdsDefaultTree.Mac, summary.MacAddress);
        Assert.Equal(ImdsDefaultTree.SecurityGroups, summary.SecurityGroups);
        Assert.Equal("launch-wizard-1, default", summary.SecurityGroups.ToString());
        Assert.Equal("ec2ops-demo-role", summary.IamRoleName);
        Assert.EndsWith("instance-profile/ec2ops-demo-role", summary.IamInstanceProfileArn);
        Assert.Equal("on-demand", summary.InstanceLifecycle);
        Assert.Equal("x86_64", summary.Architecture);
        Assert.NotNull(summary.PendingTime);
        Assert.StartsWith("ip-172-16-34-43", summary.PrivateDnsName);
        Assert.Equal(2, summary.ImdsVersion);
    }

    [Fact]
    public async Task SummaryLeavesOutWhatTheInstanceDoesNotHave()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { IamRoleName = null });
        emulator.Tree.Remove("meta-data/public-ipv4");
        emulator.Tree.Remove("meta-data/public-hostname");

        var summary = await Service(emulator).GetSummaryAsync();

        Assert.Null(summary.PublicIpAddress);
        Assert.Null(summary.PublicDnsName);
        Assert.Null(summary.IamRoleName);
        Assert.Null(summary.IamInstanceProfileArn);
        Assert.Equal(emulator.InstanceId, summary.InstanceId);
    }

    [Fact]
    public async Task SummaryWithoutAnIdentityDocumentUsesThePaths()
    {
        _emulator.Tree.Remove("dynamic/instance-identity/document");

        var summary = await Service().GetSummaryAsync();

        Assert.Equal(_emulator.InstanceId, summary.InstanceId);
        Assert.Equal("t3.micro", summary.InstanceType);
        Assert.Equal("us-east-1a", summary.AvailabilityZone);
        Assert.Null(summary.AccountId);
        Assert.Null(summary.PendingTime);
    }

    [Fact]
    public async Task AValuePathGivesOneEntry()
    {
        var entries = await Service().GetEntriesAsync("placement/region");

        var entry = Assert.Single(entries);
        Assert.Equal("/latest/meta-data/placement/region", entry.Path);
        Assert.Equal("region", entry.Name);
        Assert.Equal("us-east-1", entry.Value);
        Assert.False(entry.IsFolder);
    }

    [Fact]
    public async Task AFolderPathListsItsChildren()
    {
        var entries = await Service().GetEntriesAsync("network/interfaces/macs/");

        var mac = Assert.Single(entries);
        Assert.Equal($"/latest/meta-data/network/interfaces/macs/{ImdsDefaultTree.Mac}/", mac.Path);
        Assert.Equal(ImdsDefaultTree.Mac, mac.Name);
        Assert.True(mac.IsFolder);
        Assert.Null(mac.Value);
    }

    [Fact]
    public async Task AWellKnownFolderWithoutItsSlashIsListed()
    {
        var names = (await Service().GetEntriesAsync("placement")).Select(e => e.Name).ToList();

        Assert.Contains("region", names);
        Assert.Contains("availability-zone", names);
    }

    [Fact]
    public async Task RawIsExactlyWhatImdsSent()
    {
        var raw = await Service().GetRawAsync("security-groups");

        Assert.Equal("launch-wizard-1\ndefault", raw);
    }

    [Fact]
    public async Task RecurseReturnsTheSubtreeInListingOrder()
    {
        var tree = await Service().GetTreeAsync("placement/");

        Assert.True(tree.IsFolder);
        Assert.Equal("placement", tree.Name);
        var byName = tree.Children.ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal("us-east-1", byName["region"]);
        Assert.Equal("us-east-1a", byName["availability-zone"]);
        Assert.Equal(tree.Children.Select(c => c.Name).Order(StringComparer.Ordinal), tree.Children.Select(c => c.Name));
    }

    [Fact]
    public async Task RecurseOverTheWholeTreeRunsRequestsConcurrentlyAndLeavesOutCredentials()
    {
        _emulator.ClearRequests();

        // A short delay on every reply makes requests overlap in the emulator's handler, so the
        // high-water mark shows the walk's concurrency even on a loaded two-core machine.
        _emulator.Imds.ResponseDelay = TimeSpan.FromMilliseconds(50);
        var tree = await Service().GetTreeAsync("/", maxConcurrency: 8);

        var leaves = Flatten(tree).ToList();
        Assert.Contains(leaves, l => l.Path == "/latest/meta-data/instance-id" && l.Value == _emulator.InstanceId);
        var credentials = Assert.Single(leaves, l => l.Path == "/latest/meta-data/iam/security-credentials/ec2ops-demo-role");
        Assert.Null(credentials.Value);
        Assert.DoesNotContain(_emulator.Requests, r => r.Path.Contains("security-credentials/ec2ops-demo-role"));
        Assert.True(_emulator.MaxConcurrentRequests > 1, $"max in flight was {_emulator.MaxConcurrentRequests}");
        Assert.Contains(_log.Entries, e => e.Message.Contains("Left out") && e.Message.Contains("security-credentials"));
    }

    [Fact]
    public async Task RecurseWithConcurrencyOneSendsOneRequestAtATime()
    {
        var tree = await Service().GetTreeAsync("network/", maxConcurrency: 1);

        Assert.Contains(Flatten(tree), l => l.Name == "local-ipv4s" && l.Value == ImdsDefaultTree.PrivateIp);
        Assert.Equal(1, _emulator.MaxConcurrentRequests);
    }

    [Fact]
    public async Task ListedUserDataThatAnswers404IsLeftOutQuietly()
    {
        // IMDS lists user-data at /latest/ even for an instance launched without any.
        var replies = new Dictionary<string, string>
        {
            ["/latest/"] = "dynamic\nmeta-data\nuser-data",
            ["/latest/dynamic/"] = "instance-identity/",
            ["/latest/dynamic/instance-identity/"] = "document",
            ["/latest/dynamic/instance-identity/document"] = "{}",
            ["/latest/meta-data/"] = "instance-id",
            ["/latest/meta-data/instance-id"] = "i-0123456789abcdef0",
        };
        var settings = ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = "http://127.0.0.1:1/" }, new EnvironmentVariables());
        var client = new ImdsClient(settings, new ImdsTokenCache(), _log, http: new HttpClient(new FakeImds(replies)));

        var root = await new InstanceMetadataService(client, _log).GetTreeAsync("/latest/");

        Assert.DoesNotContain(root.Children, c => c.Name == "user-data");
        var metaData = Assert.Single(root.Children, c => c.Name == "meta-data");
        Assert.Equal("i-0123456789abcdef0", Assert.Single(metaData.Children).Value);
        Assert.Contains(_log.Entries, e => e.Message.Contains("/latest/user-data is listed but answered 404"));
    }

    [Fact]
    public async Task AListedChildThatAnswers404OrAnEmptyListingIsAnErrorForThatNodeAndTheWalkGoesOn()
    {
        var replies = new Dictionary<string, string>
        {
            ["/latest/meta-data/"] = "instance-id\ngone\nnetwork/",
            ["/latest/meta-data/instance-id"] = "i-0123456789abcdef0",
            ["/latest/meta-data/network/"] = "",
        };
        var settings = ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = "http://127.0.0.1:1/" }, new EnvironmentVariables());
        var client = new ImdsClient(settings, new ImdsTokenCache(), _log, http: new HttpClient(new FakeImds(replies)));
        var errors = new List<Ec2OpsException>();

        var root = await new InstanceMetadataService(client, _log).GetTreeAsync("/", nodeError: errors.Add);

        Assert.Equal("i-0123456789abcdef0", Assert.Single(root.Children).Value);
        Assert.Equal(new[] { "ImdsEmptyListing", "ImdsListedPathMissing" }, errors.Select(e => e.ErrorId).Order());
        Assert.Contains(errors, e => (string?)e.TargetObject == "/latest/meta-data/gone" && e.Message.Contains("listed by its folder but answered 404"));

        // Without a handler, the first such node fails the walk.
        var thrown = await Assert.ThrowsAsync<Ec2OpsException>(() => new InstanceMetadataService(client, _log).GetTreeAsync("/"));
        Assert.Contains(thrown.ErrorId, new[] { "ImdsEmptyListing", "ImdsListedPathMissing" });
    }

    [Fact]
    public async Task AMissingStartingPathIsAnError()
    {
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service().GetTreeAsync("no/such/folder/"));

        Assert.Equal("ImdsPathNotFound", error.ErrorId);
    }

    [Fact]
    public async Task CredentialsComeOnlyByExplicitPath()
    {
        var entry = Assert.Single(await Service().GetEntriesAsync("iam/security-credentials/ec2ops-demo-role"));

        Assert.Contains("\"AccessKeyId\"", entry.Value);
        Assert.DoesNotContain(_log.Entries, e => e.Message.Contains("AccessKeyId") || e.Message.Contains("SecretAccessKey"));
    }

    [Fact]
    public async Task RecurseRejectsAConcurrencyBelowOne()
    {
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service().GetTreeAsync("/", maxConcurrency: 0));

        Assert.Equal("ImdsInvalidSetting", error.ErrorId);
    }

    [Fact]
    public async Task IdentityDocumentIsTypedAndConsistent()
    {
        var document = await Service().GetIdentityDocumentAsync();

        Assert.Equal(_emulator.InstanceId, document.InstanceId);
        Assert.Equal("t3.micro", document.InstanceType);
        Assert.Equal("us-east-1", document.Region);
        Assert.Equal("us-east-1a", document.AvailabilityZone);
        Assert.Equal(ImdsDefaultTree.PrivateIp, document.PrivateIp);
        Assert.Equal("2017-09-30", document.Version);
        Assert.Equal(TimeSpan.Zero, document.PendingTime!.Value.Offset);
    }

    [Fact]
    public async Task UserDataIsReturnedOrItsAbsenceNamed()
    {
        Assert.StartsWith("#!/bin/bash", await Service().GetUserDataAsync());

        using var bare = Ec2OpsEmulator.Start(new EmulatorOptions { UserData = null });
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(bare).GetUserDataAsync());
        Assert.Equal("ImdsNoUserData", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ObjectNotFound, error.Category);
    }

    [Fact]
    public async Task TagsAreKeyValuePairs()
    {
        var tags = await Service().GetTagsAsync();

        Assert.Contains(new InstanceTag("Name", "ec2ops-demo"), tags);
        Assert.Contains(new InstanceTag("Environment", "dev"), tags);
        Assert.Equal(2, tags.Count);
    }

    [Fact]
    public async Task TagsNotExposedIsExplained()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { Tags = new Dictionary<string, string>() });

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(emulator).GetTagsAsync());

        Assert.Equal("ImdsTagsNotExposed", error.ErrorId);
        Assert.Contains("instance-metadata-tags", error.RecommendedAction);
    }

    [Fact]
    public async Task SpotNoticeIsNullUntilOneIsScheduled()
    {
        var service = Service();
        Assert.Null(await service.GetSpotInstanceActionAsync());

        _emulator.Imds.SpotInstanceAction = "{\"action\": \"terminate\", \"time\": \"2026-11-21T08:22:00Z\"}";
        var notice = await service.GetSpotInstanceActionAsync();

        Assert.Equal("terminate", notice!.Action);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 22, 0, TimeSpan.Zero), notice.Time);
    }

    [Fact]
    public async Task ScheduledEventsParseImdsDates()
    {
        var service = Service();
        Assert.Empty(await service.GetScheduledEventsAsync());

        _emulator.Tree.Set("meta-data/events/maintenance/scheduled",
            "[{\"NotBefore\":\"21 Jan 2019 09:00:43 GMT\",\"Code\":\"system-reboot\",\"Description\":\"scheduled reboot\",\"EventId\":\"instance-event-0d59937288b749b32\",\"NotAfter\":\"21 Jan 2019 09:17:23 GMT\",\"State\":\"active\"}]");
        var scheduled = Assert.Single(await service.GetScheduledEventsAsync());

        Assert.Equal("system-reboot", scheduled.Code);
        Assert.Equal("active", scheduled.State);
        Assert.Equal(new DateTimeOffset(2019, 1, 21, 9, 0, 43, TimeSpan.Zero), scheduled.NotBefore);
        Assert.Equal(new DateTimeOffset(2019, 1, 21, 9, 17, 23, TimeSpan.Zero), scheduled.NotAfter);
        Assert.Null(scheduled.NotBeforeDeadline);
    }

    [Fact]
    public async Task IamInfoNamesProfileAndRole()
    {
        var info = await Service().GetIamInfoAsync();

        Assert.Equal("Success", info.Code);
        Assert.Equal("ec2ops-demo-role", info.RoleName);
        Assert.Equal($"arn:aws:iam::{_emulator.Options.AccountId}:instance-profile/ec2ops-demo-role", info.InstanceProfileArn);

        using var noRole = Ec2OpsEmulator.Start(new EmulatorOptions { IamRoleName = null });
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(noRole).GetIamInfoAsync());
        Assert.Equal("ImdsNoIamRole", error.ErrorId);
    }

    [Fact]
    public async Task ADocumentThatIsNotJsonIsInvalidData()
    {
        _emulator.Tree.Set("meta-data/iam/info", "<html>oops</html>");

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service().GetIamInfoAsync());

        Assert.Equal("ImdsInvalidDocument", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidData, error.Category);
        Assert.Contains("iam/info", error.Message);
    }

    [Fact]
    public void EveryCategoryHasAPath()
    {
        Assert.All(Enum.GetValues<MetadataCategory>(), c => Assert.StartsWith("/latest/", InstanceMetadataService.PathOf(c)));
    }

    private static IEnumerable<MetadataNode> Flatten(MetadataNode node) =>
        node.IsFolder ? node.Children.SelectMany(Flatten) : new[] { node };

    /// <summary>A minimal IMDSv2 that answers from a dictionary and 404s everything else.</summary>
    private sealed class FakeImds(IReadOnlyDictionary<string, string> replies) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Put && path == "/latest/api/token")
            {
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("token") });
            }

            return Task.FromResult(replies.TryGetValue(path, out var text)
                ? new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(text) }
                : new HttpResponseMessage(System.Net.HttpStatusCode.NotFound));
        }
    }
}
