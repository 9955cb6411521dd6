using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Tests.Emulator;

/// <summary>The emulator sends exactly the replies it means, whatever the client sends.</summary>
[Collection(ThreadPoolStarvation.Name)]
public class EmulatorHttpServerTests
{
    private static int CountReplies(string wire) => Regex.Matches(wire, @"HTTP/1\.1 \d{3} ").Count;

    [Theory]
    [InlineData("x")]
    [InlineData("localhost")]
    [InlineData("169.254.169.254")]
    public async Task AnswersAnyHostHeaderWithTheRealReplyAndNothingElse(string host)
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        string wire = await RawHttp.ExchangeAsync(emulator.Port, $"GET /latest/meta-data/placement/ HTTP/1.1\r\nHost: {host}\r\n\r\n", TimeSpan.FromMilliseconds(500));

        Assert.Equal(1, CountReplies(wire));
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", wire);
        Assert.EndsWith("\r\n\r\navailability-zone\navailability-zone-id\nregion", wire);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET relative HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nno colon here\r\n\r\n")]
    [InlineData("PUT /latest/api/token HTTP/1.1\r\nContent-Length: banana\r\n\r\n")]
    public async Task AnswersAMalformedRequestWithOne400AndCloses(string request)
    {
        using var emulator = Ec2OpsEmulator.Start();
        string wire = await RawHttp.ExchangeAsync(emulator.Port, request);

        Assert.Equal(1, CountReplies(wire));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", wire);
        Assert.Contains("Connection: close\r\n", wire);
    }

    [Fact]
    public async Task KeepsAConnectionAliveForSeveralRequestsAndReadsChunkedBodies()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        string two = "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\n\r\n"
            + "PUT /latest/api/token HTTP/1.1\r\nHost: a\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        string wire = await RawHttp.ExchangeAsync(emulator.Port, two, TimeSpan.FromMilliseconds(500));

        Assert.Equal(2, CountReplies(wire));
        Assert.Contains("i-0a1b2c3d4e5f67890", wire);
        Assert.Equal(new[] { 200, 200 }, emulator.Requests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task StoppingAnswersSlowRepliesWith503AndNeverAnEmpty200()
    {
        var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        emulator.Imds.ResponseDelay = TimeSpan.FromSeconds(30);
        var pending = Enumerable.Range(0, 4)
            .Select(_ => RawHttp.ExchangeAsync(emulator.Port, "GET /latest/meta-data/ HTTP/1.1\r\nHost: a\r\n\r\n", TimeSpan.FromSeconds(10)))
            .ToList();
        await WaitUntilAsync(() => emulator.MaxConcurrentRequests == 4);

        emulator.Stop();
        var replies = await Task.WhenAll(pending);

        Assert.All(replies, wire =>
        {
            Assert.Equal(1, CountReplies(wire));
            Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", wire);
            Assert.EndsWith("Emulator stopped", wire);
        });
    }

    [Fact]
    public async Task RefusesOversizedHeadersWith431()
    {
        using var emulator = Ec2OpsEmulator.Start();
        string wire = await RawHttp.ExchangeAsync(emulator.Port, "GET / HTTP/1.1\r\nX-Big: " + new string('a', 40_000) + "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431 ", wire);
        Assert.Equal(1, CountReplies(wire));
    }

    [Fact]
    public async Task AnswersWhileTheThreadPoolIsStarved()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequireImdsV2 = false });
        var release = new ManualResetEventSlim(); // not disposed: queued work items may still wait on it
        ThreadPool.GetMinThreads(out int workers, out int io);
        try
        {
            ThreadPool.SetMinThreads(1, io);
            for (int i = 0; i < 4 * Environment.ProcessorCount + 8; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(TimeSpan.FromSeconds(30)), null);
            }

            // A client on a thread of its own with synchronous I/O: nothing here needs the pool.
            string? wire = null;
            var client = new Thread(() =>
            {
                using var tcp = new TcpClient();
                tcp.Connect(IPAddress.Loopback, emulator.Port);
                tcp.ReceiveTimeout = 10_000;
                var stream = tcp.GetStream();
                stream.Write(Encoding.ASCII.GetBytes("GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
                wire = new StreamReader(stream).ReadToEnd();
            });
            client.Start();
            Assert.True(client.Join(TimeSpan.FromSeconds(10)), "the emulator did not answer while the pool was starved");
            Assert.EndsWith("i-0a1b2c3d4e5f67890", wire);
        }
        finally
        {
            release.Set();
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}

/// <summary>Tests that starve the thread pool run alone: every other test needs the pool.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadPoolStarvation
{
    public const string Name = "Thread pool starvation";
}
