using System.Diagnostics;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Tests.Parallel;

/// <summary>The process-worker pool against a worker program that is not PowerShell.</summary>
public class ProcessWorkerTests
{
    [Fact]
    public async Task WorkersAreStartedOnceAndReusedForEveryItem()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker());

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 2 }, factory, Enumerable.Range(0, 20).Select(_ => (object?)"sleep:20"));

        Assert.Equal(20, sink.Results.Count(r => r.Succeeded));
        Assert.Equal(2, factory.Started);
        var pids = sink.Results.Select(r => (string)r.Output.Single()!).Distinct().ToList();
        Assert.Equal(2, pids.Count);
        Assert.All(sink.Results, r => Assert.Equal("Process " + r.Output.Single(), r.Worker));
    }

    [Fact]
    public async Task OutputsStreamsAndFailuresCrossTheProtocol()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker("the setup"));

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 1, Ordered = true }, factory,
            new object?[] { "echo:a", "many:3", "stream:s", "fail:bad input", "multiline", "setup" });

        Assert.Equal("a", sink.Results[0].Output.Single());
        Assert.Equal(new object?[] { "1", "2", "3" }, sink.Results[1].Output);
        Assert.Equal("s", sink.Results[2].Output.Single());
        Assert.Equal((2L, (object)"record s"), sink.Streams.Single());
        var failed = sink.Results[3];
        Assert.Equal(ParallelItemStatus.Failed, failed.Status);
        Assert.Equal("bad input", Assert.IsType<ParallelRemoteException>(failed.Error).Payload);
        Assert.Equal("line1\nline2\ttab\\", sink.Results[4].Output.Single());
        Assert.Equal("the setup", sink.Results[5].Output.Single());
        Assert.Equal(1, factory.Started);
    }

    [Fact]
    public async Task AKilledWorkerFailsItsItemAndThePoolReplacesIt()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker());

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 1, Ordered = true }, factory,
            new object?[] { "pid", "crash:7", "pid", "pid" });

        var crashed = sink.Results[1];
        Assert.Equal(ParallelItemStatus.Failed, crashed.Status);
        Assert.Equal(ParallelErrorIds.WorkerCrashed, crashed.ErrorId);
        var broken = Assert.IsType<ParallelWorkerBrokenException>(crashed.Error);
        Assert.Contains("exited with code 7", broken.Message);
        Assert.Contains("'crash:7'", broken.Message);
        Assert.Contains("crashing on purpose", broken.Message);
        Assert.True(sink.Results[2].Succeeded && sink.Results[3].Succeeded);
        Assert.NotEqual(sink.Results[0].Output.Single(), sink.Results[2].Output.Single());
        Assert.Equal(sink.Results[2].Output.Single(), sink.Results[3].Output.Single());
        Assert.Equal(2, factory.Started);
    }

    [Fact]
    public async Task AHungWorkerIsKilledAtTheItemTimeoutAndReplaced()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker());
        var pids = new List<int>();
        var options = ParallelTestKit.TestWorker();

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 1, Ordered = true, ItemTimeout = TimeSpan.FromSeconds(2) }, factory,
            new object?[] { "pid", "hang", "pid" });

        Assert.Equal(ParallelItemStatus.TimedOut, sink.Results[1].Status);
        Assert.IsType<TimeoutException>(sink.Results[1].Error);
        Assert.True(sink.Results[2].Succeeded);
        int first = int.Parse((string)sink.Results[0].Output.Single()!);
        Assert.NotEqual(first, int.Parse((string)sink.Results[2].Output.Single()!));
        Assert.True(HasExited(first), $"the hung worker {first} is still running");
        Assert.Equal(2, factory.Started);
    }

    [Fact]
    public async Task StoppingKillsRunningWorkers()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker());
        var sink = new RecordingSink();
        using var cancel = new CancellationTokenSource();
        using var runner = new ParallelRunner(new ParallelRunOptions { ThrottleLimit = 2 }, factory, sink, cancel.Token);
        runner.Start();
        await runner.SubmitAsync("pid");
        await runner.SubmitAsync("pid");
        while (sink.Results.Count < 2)
        {
            await Task.Delay(20);
        }

        var pids = sink.Results.Select(r => int.Parse((string)r.Output.Single()!)).ToList();
        await runner.SubmitAsync("hang");
        await runner.SubmitAsync("hang");
        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
        Assert.All(pids, pid => Assert.True(HasExited(pid), $"worker {pid} still runs after the stop"));
    }

    [Fact]
    public async Task AWorkerThatRefusesItsSetupFailsTheRunWithItsReason()
    {
        var factory = new ProcessWorkerFactory(ParallelTestKit.TestWorker("fail"));
        var sink = new RecordingSink();
        using var runner = new ParallelRunner(new ParallelRunOptions { ThrottleLimit = 1 }, factory, sink);
        runner.Start();
        await runner.SubmitAsync("pid");
        runner.CompleteInput();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => runner.Completion.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(ParallelErrorIds.WorkerStartFailed, error.ErrorId);
        Assert.Contains("the setup says fail", error.Message);
    }

    [Fact]
    public async Task AProgramThatDoesNotExistIsAStartError()
    {
        var options = new ProcessWorkerOptions { StartInfo = () => new ProcessStartInfo("/no/such/worker-program") };

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => ProcessWorker.StartAsync(options, CancellationToken.None));

        Assert.Equal(ParallelErrorIds.WorkerStartFailed, error.ErrorId);
        Assert.Contains("/no/such/worker-program", error.Message);
    }

    private static bool HasExited(int pid)
    {
        for (int i = 0; i < 50; i++)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }
}
