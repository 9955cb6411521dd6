using System.Net;
using System.Net.Sockets;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>Starting, stopping, ports, concurrency, the request log and option validation.</summary>
public class EmulatorLifecycleTests
{
    [Fact]
    public void StartsOnALoopbackRandomPortAndExposesItsSettings()
    {
        using var emulator = Ec2OpsEmulator.Start();

        Assert.Equal("127.0.0.1", emulator.Endpoint.Host);
        Assert.Equal("http", emulator.Endpoint.Scheme);
        Assert.InRange(emulator.Port, 1, 65535);
        Assert.Equal(emulator.Port, emulator.Endpoint.Port);
        Assert.Equal(emulator.Endpoint, emulator.ImdsEndpoint);
        Assert.Equal(("t3.micro", "us-east-1", "us-east-1a", true), (emulator.InstanceType, emulator.Region, emulator.AvailabilityZone, emulator.RequireImdsV2));
        Assert.True(emulator.IsRunning);
    }

    [Fact]
    public async Task ListensOn127001OnlyNotOnEveryAddress()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var viaLoopback = new TcpClient();
        using var viaOtherAddress = new TcpClient();

        await viaLoopback.ConnectAsync(IPAddress.Loopback, emulator.Port);

        // A socket bound to 0.0.0.0 would accept 127.0.0.2 too (on Linux all of 127/8 is local).
        var refused = await Assert.ThrowsAsync<SocketException>(() => viaOtherAddress.ConnectAsync(IPAddress.Parse("127.0.0.2"), emulator.Port));
        Assert.True(viaLoopback.Connected);
        Assert.NotEqual(SocketError.Success, refused.SocketErrorCode);
    }

    [Fact]
    public void OptionsOfARunningEmulatorAreACopy()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { Tags = null! });

        emulator.Options.Region = "eu-west-1";

        Assert.Equal("us-east-1", emulator.Region);
        Assert.Equal("us-east-1", emulator.Options.Region);
        Assert.Empty(emulator.Options.Tags);
        Assert.False(emulator.Tree.IsFolder("meta-data/tags"));
    }

    [Fact]
    public void TwoEmulatorsGetDifferentPorts()
    {
        using var a = Ec2OpsEmulator.Start();
        using var b = Ec2OpsEmulator.Start();

        Assert.NotEqual(a.Port, b.Port);
    }

    [Fact]
    public async Task ExplicitPortIsUsedAndABusyPortIsAClearError()
    {
        int port = FreePort();
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { Port = port });
        using var http = new ImdsHttp(emulator);

        var ex = Assert.Throws<Ec2OpsException>(() => Ec2OpsEmulator.Start(new EmulatorOptions { Port = port }));

        Assert.Equal(port, emulator.Port);
        Assert.Equal("t3.micro", await http.GetOkAsync("/latest/meta-data/instance-type"));
        Assert.Equal("EmulatorPortInUse", ex.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ResourceUnavailable, ex.Category);
        Assert.Equal(port, ex.TargetObject);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }

    [Fact]
    public async Task StopIsIdempotentAndReleasesThePort()
    {
        var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        Assert.Equal("t3.micro", await http.GetOkAsync("/latest/meta-data/instance-type"));
        int port = emulator.Port;

        emulator.Stop();
        emulator.Stop();
        await emulator.DisposeAsync();

        Assert.False(emulator.IsRunning);
        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient().GetAsync($"http://127.0.0.1:{port}/latest/"));
        using var again = Ec2OpsEmulator.Start(new EmulatorOptions { Port = port });
        Assert.Equal(port, again.Port);
    }

    [Fact]
    public async Task StopAnswers503ToARequestStuckInASlowReply()
    {
        var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        using var http = new HttpClient { BaseAddress = emulator.Endpoint, Timeout = TimeSpan.FromSeconds(30) };
        emulator.Imds.ResponseDelay = TimeSpan.FromMinutes(5);
        var hanging = http.GetAsync("/latest/meta-data/instance-id");
        await WaitUntilAsync(() => emulator.MaxConcurrentRequests > 0);

        emulator.Stop();

        using var reply = await hanging;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.StatusCode);
        Assert.Equal("Emulator stopped", await reply.Content.ReadAsStringAsync());
        Assert.Equal(503, Assert.Single(emulator.Requests).StatusCode);
    }

    [Fact]
    public async Task ServesManyParallelRequestsConcurrently()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new ImdsHttp(emulator);
        string token = await http.TokenAsync();
        // A short delay on every reply makes requests overlap, so the high-water mark shows real concurrency.
        emulator.Imds.ResponseDelay = TimeSpan.FromMilliseconds(100);
        string[] paths = emulator.Tree.Paths.Where(p => p.StartsWith("meta-data/", StringComparison.Ordinal)).Take(32).ToArray();

        var results = await Task.WhenAll(paths.Select(p => http.GetAsync("/latest/" + p, token)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        for (int i = 0; i < paths.Length; i++)
        {
            Assert.Equal(emulator.Tree.GetValue(paths[i]), results[i].Body);
        }

        Assert.True(emulator.MaxConcurrentRequests > 1, $"MaxConcurrentRequests = {emulator.MaxConcurrentRequests}");
        Assert.Equal(paths.Length + 1, emulator.Requests.Count);
    }

    [Fact]
    public async Task RequestLogRecordsMethodPathStatusTokenAndTime()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 21, 7, 0, 0, TimeSpan.Zero));
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { TimeProvider = clock });
        using var http = new ImdsHttp(emulator);

        string token = await http.TokenAsync(60);
        clock.Advance(TimeSpan.FromSeconds(5));
        await http.GetAsync("/latest/meta-data/nothing-here", token);

        Assert.Equal(
            new[]
            {
                new EmulatorRequest("PUT", "/latest/api/token", 200, false, clock.GetUtcNow().AddSeconds(-5)),
                new EmulatorRequest("GET", "/latest/meta-data/nothing-here", 404, true, clock.GetUtcNow()),
            },
            emulator.Requests);

        emulator.ClearRequests();
        Assert.Empty(emulator.Requests);
        Assert.Equal(0, emulator.MaxConcurrentRequests);
    }

    [Fact]
    public async Task RequestLogKeepsOnlyTheNewestEntriesUpToItsCapacity()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false, RequestLogCapacity = 2 });
        using var http = new ImdsHttp(emulator);

        await http.GetAsync("/latest/meta-data/ami-id", null);
        await http.GetAsync("/latest/meta-data/mac", null);
        await http.GetAsync("/latest/meta-data/hostname", null);

        Assert.Equal(new[] { "/latest/meta-data/mac", "/latest/meta-data/hostname" }, emulator.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task PutWithoutContentLengthGetsATokenAsFromTheRealService()
    {
        // curl -X PUT sends no Content-Length; the real IMDS answers it, and so does the emulator.
        using var emulator = Ec2OpsEmulator.Start();
        string reply = await RawHttp.ExchangeAsync(emulator.Port,
            $"PUT /latest/api/token HTTP/1.1\r\nHost: 127.0.0.1:{emulator.Port}\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply);
        Assert.Equal(200, Assert.Single(emulator.Requests).StatusCode);
    }

    [Theory]
    [InlineData(nameof(EmulatorOptions.Port), "EmulatorInvalidPort")]
    [InlineData(nameof(EmulatorOptions.InstanceType), "EmulatorInvalidInstanceType")]
    [InlineData(nameof(EmulatorOptions.Region), "EmulatorInvalidRegion")]
    [InlineData(nameof(EmulatorOptions.AvailabilityZone), "EmulatorInvalidAvailabilityZone")]
    [InlineData(nameof(EmulatorOptions.InstanceId), "EmulatorInvalidInstanceId")]
    [InlineData(nameof(EmulatorOptions.AccountId), "EmulatorInvalidAccountId")]
    [InlineData(nameof(EmulatorOptions.ImageId), "EmulatorInvalidImageId")]
    [InlineData(nameof(EmulatorOptions.Tags), "EmulatorInvalidTagKey")]
    [InlineData(nameof(EmulatorOptions.IamRoleName), "EmulatorInvalidIamRoleName")]
    public void BadOptionsAreRefusedWithAnErrorNamingTheOption(string property, string errorId)
    {
        var options = new EmulatorOptions();
        switch (property)
        {
            case nameof(EmulatorOptions.Port): options.Port = 70000; break;
            case nameof(EmulatorOptions.InstanceType): options.InstanceType = "micro"; break;
            case nameof(EmulatorOptions.Region): options.Region = "Mars"; break;
            case nameof(EmulatorOptions.AvailabilityZone): options.AvailabilityZone = "eu-west-1a"; break;
            case nameof(EmulatorOptions.InstanceId): options.InstanceId = "i-xyz"; break;
            case nameof(EmulatorOptions.AccountId): options.AccountId = "12345"; break;
            case nameof(EmulatorOptions.ImageId): options.ImageId = "ami-?"; break;
            case nameof(EmulatorOptions.Tags): options.Tags = new Dictionary<string, string> { ["has space"] = "x" }; break;
            case nameof(EmulatorOptions.IamRoleName): options.IamRoleName = "bad/role"; break;
        }

        var ex = Assert.Throws<Ec2OpsException>(() => Ec2OpsEmulator.Start(options));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidArgument, ex.Category);
        Assert.Contains(property, ex.Message);
    }

    [Fact]
    public void AvailabilityZoneFollowsTheRegionUntilSetAndOptionsAreCopiedAtStart()
    {
        var options = new EmulatorOptions { Region = "ap-southeast-2" };
        Assert.Equal("ap-southeast-2a", options.AvailabilityZone);

        using var emulator = Ec2OpsEmulator.Start(options);
        options.Region = "us-west-2";
        options.Tags["Late"] = "x";

        Assert.Equal("ap-southeast-2", emulator.Region);
        Assert.Equal("ap-southeast-2a", emulator.AvailabilityZone);
        Assert.Null(emulator.Tree.GetValue("meta-data/tags/instance/Late"));
    }

    // Polls for something another thread does; gives up after 10 s so a bug fails the test instead of hanging it.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
