using System.Net;
using System.Net.Sockets;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Tests.Metadata;

/// <summary>The IMDS protocol rules, each driven through the emulator on 127.0.0.1.</summary>
public sealed class ImdsClientTests : IDisposable
{
    private readonly Ec2OpsEmulator _emulator = Ec2OpsEmulator.Start();
    private readonly ImdsTokenCache _tokens = new();
    private readonly RecordingOperationLog _log = new();

    public void Dispose() => _emulator.Dispose();

    private ImdsClient Client(ImdsRequestOptions? options = null, TimeProvider? time = null) =>
        new(ImdsSettings.Resolve((options ?? new ImdsRequestOptions()) with { Endpoint = (options?.Endpoint) ?? _emulator.ImdsEndpoint.AbsoluteUri }, new EnvironmentVariables()),
            _tokens, _log, time);

    private int Count(string method, string pathEnd, int? status = null) =>
        _emulator.Requests.Count(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal) && (status is null || r.StatusCode == status));

    [Fact]
    public async Task ReadsAValueWithASessionToken()
    {
        var client = Client();

        var id = await client.GetTextAsync("/latest/meta-data/instance-id");

        Assert.Equal(_emulator.InstanceId, id);
        Assert.Equal(2, client.ProtocolVersion);
        Assert.Equal(1, Count("PUT", "/latest/api/token", 200));
        Assert.True(_emulator.Requests.Single(r => r.Method == "GET").HadToken);
    }

    [Fact]
    public async Task OneTokenServesManyRequestsAndClients()
    {
        await Client().GetTextAsync("/latest/meta-data/instance-id");
        await Client().GetTextAsync("/latest/meta-data/instance-type");
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Client().GetTextAsync("/latest/meta-data/ami-id")));

        Assert.Equal(1, Count("PUT", "/latest/api/token"));
        Assert.Equal(12, Count("GET", "", 200));
    }

    [Fact]
    public async Task TokenIsRenewedBeforeItExpires()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var client = Client(new ImdsRequestOptions { TokenTtlSeconds = 100 }, time);
        await client.GetTextAsync("/latest/meta-data/instance-id");

        time.Now += TimeSpan.FromSeconds(85); // inside the lifetime: reused
        await client.GetTextAsync("/latest/meta-data/instance-id");
        Assert.Equal(1, Count("PUT", "/latest/api/token"));

        time.Now += TimeSpan.FromSeconds(6); // within the last 10% of 100 s: renewed without waiting for a 401
        await client.GetTextAsync("/latest/meta-data/instance-id");
        Assert.Equal(2, Count("PUT", "/latest/api/token"));
        Assert.Equal(0, Count("GET", "", 401));
    }

    [Fact]
    public async Task A401RenewsTheTokenAndRetriesOnce()
    {
        var client = Client();
        await client.GetTextAsync("/latest/meta-data/instance-id");

        _emulator.Imds.ExpireAllTokens();
        var type = await client.GetTextAsync("/latest/meta-data/instance-type");

        Assert.Equal("t3.micro", type);
        Assert.Equal(2, Count("PUT", "/latest/api/token", 200));
        Assert.Equal(1, Count("GET", "instance-type", 401));
        Assert.Equal(1, Count("GET", "instance-type", 200));
        Assert.Contains(_log.Entries, e => e.Message.Contains("401") && e.Message.Contains("renewing"));
    }

    [Theory]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    public async Task FallsBackToV1WhenTheTokenRequestIsRefused(int status)
    {
        _emulator.Imds.RequireToken = false;
        _emulator.Imds.TokenStatusCode = status;
        var client = Client();

        var id = await client.GetTextAsync("/latest/meta-data/instance-id");

        Assert.Equal(_emulator.InstanceId, id);
        Assert.Equal(1, client.ProtocolVersion);
        Assert.False(_emulator.Requests.Single(r => r.Method == "GET").HadToken);
        Assert.Contains(_log.Entries, e => e.Message.Contains("falling back to IMDSv1"));
    }

    [Fact]
    public async Task NoV1FallbackWhenV1IsDisabled()
    {
        _emulator.Imds.RequireToken = false;
        _emulator.Imds.TokenStatusCode = 405;
        var client = Client(new ImdsRequestOptions { DisableImdsV1 = true });

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsTokenRefused", error.ErrorId);
        Assert.Contains("405", error.Message);
        Assert.Contains("-DisableImdsV1", error.Message);
        Assert.Equal(0, Count("GET", ""));
    }

    [Fact]
    public async Task NoV1FallbackOnATimeout()
    {
        _emulator.Imds.ResponseDelay = TimeSpan.FromSeconds(2);
        _emulator.Imds.RequireToken = false;
        var client = Client(new ImdsRequestOptions { TimeoutSeconds = 0.2, MaxAttempts = 1 });

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsUnreachable", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.OperationTimeout, error.Category);
        Assert.Contains("token request", error.Message);
        Assert.Equal(2, client.ProtocolVersion);
    }

    [Fact]
    public async Task AV1OnlyAnswerToAV2OnlyServiceIsExplained()
    {
        _emulator.Imds.TokenStatusCode = 404; // the token step is refused, yet GETs need a token
        var client = Client();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsUnauthorized", error.ErrorId);
        Assert.Contains("token request was refused", error.Message);
    }

    [Fact]
    public async Task DisabledImdsIsForbidden()
    {
        _emulator.Imds.Disabled = true;
        var client = Client();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsForbidden", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.PermissionDenied, error.Category);
        Assert.Contains("403", error.Message);
        Assert.Contains("HttpEndpoint=disabled", error.Message);
    }

    [Fact]
    public async Task AMissingPathIsNullOrANamedError()
    {
        var client = Client();

        Assert.Null(await client.TryGetTextAsync("/latest/meta-data/no/such/path"));
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/no/such/path"));

        Assert.Equal("ImdsPathNotFound", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ObjectNotFound, error.Category);
        Assert.Equal("/latest/meta-data/no/such/path", error.TargetObject);
        Assert.Contains("/latest/meta-data/no/such/path", error.Message);
    }

    [Fact]
    public async Task ThrottlingIsRetriedWithBackoff()
    {
        var client = Client(new ImdsRequestOptions { MaxAttempts = 3 });
        await client.GetTextAsync("/latest/meta-data/instance-id");

        _emulator.Imds.ThrottleNextRequests = 2;
        var type = await client.GetTextAsync("/latest/meta-data/instance-type");

        Assert.Equal("t3.micro", type);
        Assert.Equal(2, Count("GET", "instance-type", 429));
        Assert.Equal(1, Count("GET", "instance-type", 200));
    }

    [Fact]
    public async Task PersistentThrottlingIsReported()
    {
        var client = Client(new ImdsRequestOptions { MaxAttempts = 2 });
        await client.GetTextAsync("/latest/meta-data/instance-id");

        _emulator.Imds.ThrottleNextRequests = 5;
        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-type"));

        Assert.Equal("ImdsThrottled", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.LimitsExceeded, error.Category);
        Assert.Contains("429", error.Message);
        Assert.Equal(2, Count("GET", "instance-type", 429));
    }

    [Fact]
    public async Task ServerErrorsAreRetried()
    {
        var client = Client();
        _emulator.Imds.FailStatusCode = 503;
        _emulator.Imds.FailNextRequests = 1; // the token request

        var id = await client.GetTextAsync("/latest/meta-data/instance-id");

        Assert.Equal(_emulator.InstanceId, id);
        Assert.Equal(1, Count("PUT", "/latest/api/token", 503));
        Assert.Equal(1, Count("PUT", "/latest/api/token", 200));
    }

    [Fact]
    public async Task PersistentServerErrorsAreReported()
    {
        var client = Client();
        await client.GetTextAsync("/latest/meta-data/instance-id");
        _emulator.Imds.FailStatusCode = 500;
        _emulator.Imds.FailNextRequests = 10;

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/ami-id"));

        Assert.Equal("ImdsServerError", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ResourceUnavailable, error.Category);
    }

    [Fact]
    public async Task ASlowServiceTimesOutWithWhatWasTried()
    {
        _emulator.Imds.ResponseDelay = TimeSpan.FromSeconds(2);
        var client = Client(new ImdsRequestOptions { TimeoutSeconds = 0.2, MaxAttempts = 2 });

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsUnreachable", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.OperationTimeout, error.Category);
        Assert.Contains(_emulator.ImdsEndpoint.AbsoluteUri, error.Message);
        Assert.Contains("PUT /latest/api/token", error.Message);
        Assert.Contains("2 attempt(s)", error.Message);
        Assert.Contains("0.2 s", error.Message);
        Assert.Contains("not an EC2 instance", error.Message);
        Assert.Contains("hop limit", error.Message);
        Assert.NotNull(error.RecommendedAction);
    }

    [Fact]
    public async Task NothingListeningIsAConnectionError()
    {
        var closedPort = FreePort();
        var client = Client(new ImdsRequestOptions { Endpoint = $"http://127.0.0.1:{closedPort}/" });

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsUnreachable", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ConnectionError, error.Category);
        Assert.Contains($"127.0.0.1:{closedPort}", error.Message);
        Assert.Contains("-Endpoint", error.Message);
        Assert.Contains("emulator", error.Message);
    }

    [Fact]
    public async Task CancellationStopsAWaitingRequest()
    {
        _emulator.Imds.ResponseDelay = TimeSpan.FromSeconds(5);
        var client = Client(new ImdsRequestOptions { TimeoutSeconds = 30 });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetTextAsync("/latest/meta-data/instance-id", cancel.Token));
    }

    [Fact]
    public async Task TokenLifetimeIsSentAndHonoured()
    {
        var client = Client(new ImdsRequestOptions { TokenTtlSeconds = 1 });
        await client.GetTextAsync("/latest/meta-data/instance-id");

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        await client.GetTextAsync("/latest/meta-data/instance-id");

        // The one-second token expired on both sides: a new one was fetched, no 401 was needed.
        Assert.Equal(2, Count("PUT", "/latest/api/token", 200));
        Assert.Equal(0, Count("GET", "", 401));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
