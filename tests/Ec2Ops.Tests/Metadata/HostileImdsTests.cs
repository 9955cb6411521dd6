using System.Diagnostics;
using Ec2Ops.Core;
using Ec2Ops.Core.Metadata;
using Ec2Ops.Tests.Emulator;

namespace Ec2Ops.Tests.Metadata;

/// <summary>The client against servers that misbehave: every answer is checked, every wait bounded.</summary>
public class HostileImdsTests
{
    private readonly RecordingOperationLog _log = new();

    private ImdsClient Client(MisbehavingImds server, double timeoutSeconds = 1, int attempts = 2) =>
        new(ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = server.Endpoint.ToString(), TimeoutSeconds = timeoutSeconds, MaxAttempts = attempts }, new EnvironmentVariables()),
            new ImdsTokenCache(), _log);

    private InstanceMetadataService Service(MisbehavingImds server) => new(Client(server), _log);

    [Fact]
    public async Task AListingThatNamesItselfForeverStopsAtTheDepthCap()
    {
        using var server = MisbehavingImds.WithToken(_ => Misbehaviour.Reply(200, "a/\nb"));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(server).GetTreeAsync("/", 1));

        Assert.Equal("ImdsTreeTooDeep", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.LimitsExceeded, error.Category);
        Assert.Contains("stops at 12 levels", error.Message);
        Assert.InRange(server.Requests.Count(r => r.Method == "GET"), 10, 30);
    }

    [Fact]
    public async Task AListingThatFansOutForeverStopsAtTheRequestCap()
    {
        var wide = string.Join("\n", Enumerable.Range(0, 20).Select(i => $"f{i}/"));
        using var server = MisbehavingImds.WithToken(_ => Misbehaviour.Reply(200, wide));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(server).GetTreeAsync("/", 8));

        Assert.Equal("ImdsTreeTooLarge", error.ErrorId);
        Assert.Contains("stopped after 1,000 requests", error.Message);
        Assert.InRange(server.Requests.Count(r => r.Method == "GET"), 1000, 1008);
    }

    [Theory]
    [InlineData("../\nx")]
    [InlineData("instance-id\n../../x")]
    [InlineData("a%2F..%2F/")]
    [InlineData("evil\u0001/")]
    [InlineData("a/b")]
    public async Task AListingEntryThatIsNotANameIsNeverFollowed(string listing)
    {
        using var server = MisbehavingImds.WithToken(r => r.Path == "/latest/meta-data/" ? Misbehaviour.Reply(200, listing) : Misbehaviour.Reply(200, "value"));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(server).GetTreeAsync("/"));

        Assert.Equal("ImdsInvalidListing", error.ErrorId);
        Assert.Contains("which is not a metadata name", error.Message);
        Assert.All(server.Requests.Where(r => r.Method == "GET"), r => Assert.Equal("/latest/meta-data/", r.Path));
    }

    [Theory]
    [InlineData("SECRETTOKEN123\r\nX-Evil: 1", null, "printable ASCII")]
    [InlineData("", null, "it is empty")]
    [InlineData("AQAEAGood==", "0", "not a number of seconds from 1 to 21600")]
    [InlineData("AQAEAGood==", "86400", "not a number of seconds from 1 to 21600")]
    [InlineData("AQAEAGood==", "soon", "not a number of seconds from 1 to 21600")]
    public async Task ABadTokenIsRefusedNeverCachedAndAskedForAgain(string token, string? ttl, string problem)
    {
        using var server = MisbehavingImds.Start(r => r.Method == "PUT"
            ? Misbehaviour.Reply(200, token, ttl is null ? Array.Empty<string>() : new[] { "X-aws-ec2-metadata-token-ttl-seconds: " + ttl })
            : Misbehaviour.Reply(200, "i-0123456789abcdef0"));
        var client = Client(server);

        var first = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));
        var second = await Assert.ThrowsAsync<Ec2OpsException>(() => client.GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsInvalidToken", first.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ProtocolError, first.Category);
        Assert.Contains(problem, first.Message);
        Assert.DoesNotContain("SECRETTOKEN123", first.Message);
        Assert.Equal("ImdsInvalidToken", second.ErrorId);
        Assert.Equal(2, server.Requests.Count(r => r.Method == "PUT"));
        Assert.DoesNotContain(server.Requests, r => r.Method == "GET");
    }

    [Fact]
    public async Task ATokenLongerThanAnyRealOneIsRefused()
    {
        using var server = MisbehavingImds.Start(r => Misbehaviour.Reply(200, new string('A', 5000)));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Client(server).GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsInvalidToken", error.ErrorId);
        Assert.Contains("5,000 characters long (at most 1,024)", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AHugeReplyIsAbandonedPastTheCap(bool declareLength)
    {
        using var server = MisbehavingImds.WithToken(_ => Misbehaviour.Huge(100L * 1024 * 1024, declareLength));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Client(server, timeoutSeconds: 30).GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsReplyTooLarge", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.InvalidData, error.Category);
        Assert.Contains("the cap is 64 KiB", error.Message);
        Assert.Equal(1, server.Requests.Count(r => r.Method == "GET"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the reply was read far past the cap");
    }

    [Fact]
    public async Task AHugeTokenIsAbandonedPastTheCap()
    {
        using var server = MisbehavingImds.Start(_ => Misbehaviour.Huge(8L * 1024 * 1024));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Client(server).GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsReplyTooLarge", error.ErrorId);
        Assert.Contains("PUT /latest/api/token", error.Message);
    }

    [Fact]
    public async Task AServerThatStreamsWithoutEndIsSaidToDoSoNotToBeSilent()
    {
        using var server = MisbehavingImds.WithToken(_ => Misbehaviour.Stream(TimeSpan.FromMilliseconds(50)));

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Client(server, timeoutSeconds: 0.5).GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsIncompleteReply", error.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.OperationTimeout, error.Category);
        Assert.Contains("began answering GET /latest/meta-data/instance-id (200) but had not finished the reply after 0.5 s", error.Message);
        Assert.DoesNotContain("did not answer", error.Message);
    }

    [Fact]
    public async Task AServerThatNeverAnswersTimesOutAfterTheAttempts()
    {
        using var server = MisbehavingImds.Start(_ => Misbehaviour.Hang);

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Client(server, timeoutSeconds: 0.3).GetTextAsync("/latest/meta-data/instance-id"));

        Assert.Equal("ImdsUnreachable", error.ErrorId);
        Assert.Contains("no answer within 0.3 s", error.Message);
        Assert.Equal(2, _log.Entries.Count(e => e.Message.Contains("did not answer the IMDSv2 token request (PUT /latest/api/token) within 0.3 s")));
    }
}

/// <summary>The timeout of a call holds while the process's thread pool is starved (the emulator and the client share a process in Pester and in users' sessions).</summary>
[Collection(ThreadPoolStarvation.Name)]
public class StarvedPoolTimeoutTests
{
    [Fact]
    public void ACallToAHangingServerFailsOnTimeWhileThePoolIsStarved()
    {
        using var server = MisbehavingImds.Start(_ => Misbehaviour.Hang);
        var client = new ImdsClient(
            ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = server.Endpoint.ToString(), TimeoutSeconds = 1, MaxAttempts = 2 }, new EnvironmentVariables()),
            new ImdsTokenCache());

        var release = new ManualResetEventSlim(); // not disposed: queued work items may still wait on it
        ThreadPool.GetMinThreads(out int workers, out int io);
        Exception? outcome = null;
        var clock = new Stopwatch();
        try
        {
            ThreadPool.SetMinThreads(1, io);
            for (int i = 0; i < 8 * Environment.ProcessorCount + 16; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(TimeSpan.FromSeconds(60)), null);
            }

            // The caller waits on a thread of its own, as the cmdlets now start their work.
            var caller = new Thread(() =>
            {
                clock.Start();
                try
                {
                    client.GetTextAsync("/latest/meta-data/instance-id").GetAwaiter().GetResult();
                }
                catch (Exception ex)
                {
                    outcome = ex;
                }

                clock.Stop();
            });
            caller.Start();
            Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "the call did not end within 30 s");
        }
        finally
        {
            release.Set();
            ThreadPool.SetMinThreads(workers, io);
        }

        var error = Assert.IsType<Ec2OpsException>(outcome);
        Assert.Equal("ImdsUnreachable", error.ErrorId);
        Assert.Contains("timeout 1 s", error.Message);

        // Two attempts of 1 s and a backoff of under 0.1 s: about 2.1 s. Before the deadlines had a
        // thread of their own, this took 38 to 115 s. The bound leaves room for a loaded machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
