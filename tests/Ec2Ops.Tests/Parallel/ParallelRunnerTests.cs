using System.Diagnostics;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Tests.Parallel;

public class ParallelRunnerTests
{
    [Fact]
    public async Task CompletionOrderWritesEachItemWhenItFinishes()
    {
        // Input 0 takes longest, input 3 is quickest: as_completed yields 3, 2, 1, 0.
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400 - 120 * (int)item.Input!), token);
            context.Output((int)item.Input! * 10);
        });

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 4 }, factory, new object?[] { 0, 1, 2, 3 });

        Assert.Equal(new long[] { 3, 2, 1, 0 }, sink.Results.Select(r => r.Item.Index));
        Assert.Equal(new object?[] { 30, 20, 10, 0 }, sink.Results.Select(r => r.Output.Single()));
        Assert.All(sink.Results, r => Assert.Equal(ParallelItemStatus.Completed, r.Status));
    }

    [Fact]
    public async Task OrderedWritesInInputOrderWhileRunningInParallel()
    {
        int running = 0, peak = 0;
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(Random.Shared.Next(1, 30), token);
            context.Output(item.Input);
            context.Output("after " + item.Input);
            Interlocked.Decrement(ref running);
        });

        var inputs = Enumerable.Range(0, 200).Cast<object?>().ToArray();
        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 8, Ordered = true }, factory, inputs);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), sink.Results.Select(r => r.Item.Index));
        Assert.Equal(inputs, sink.Results.Select(r => r.Output[0]));
        Assert.All(sink.Results, r => Assert.Equal("after " + r.Item.Input, r.Output[1]));
        Assert.True(peak > 1, $"ordered output must not serialize the work (peak concurrency {peak})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public async Task NeverRunsMoreThanTheThrottleLimitAtOnce(int limit)
    {
        int running = 0, peak = 0;
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(5, token);
            Interlocked.Decrement(ref running);
        });

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = limit }, factory, Enumerable.Range(0, 120).Cast<object?>());

        Assert.Equal(120, sink.Results.Count);
        Assert.True(peak <= limit, $"peak {peak} exceeded the limit {limit}");
        Assert.Equal(limit, peak);
        Assert.True(factory.Created <= limit, $"{factory.Created} workers for a limit of {limit}: workers must be reused");
    }

    [Fact]
    public async Task StartsOnlyAsManyWorkersAsThereAreInputs()
    {
        var factory = ParallelTestKit.Delegates((item, context, token) => Task.CompletedTask);

        await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 32 }, factory, new object?[] { 1, 2 });

        Assert.InRange(factory.Created, 1, 2);
    }

    [Fact]
    public async Task AFailingItemIsReportedWithItsInputAndTheOthersComplete()
    {
        var boom = new InvalidOperationException("boom");
        var factory = ParallelTestKit.Delegates((item, context, token) =>
        {
            context.Output("partial " + item.Input);
            if ((int)item.Input! == 3)
            {
                throw boom;
            }

            context.Output(item.Input);
            return Task.CompletedTask;
        });

        var sink = await ParallelTestKit.RunAsync(new ParallelRunOptions { ThrottleLimit = 2, Ordered = true }, factory, Enumerable.Range(1, 5).Cast<object?>());

        var failed = Assert.Single(sink.Results, r => r.Status == ParallelItemStatus.Failed);
        Assert.Equal(3, failed.Item.Input);
        Assert.Same(boom, failed.Error);
        Assert.Equal(ParallelErrorIds.ItemFailed, failed.ErrorId);
        Assert.Equal(new object?[] { 1, 2, 4, 5 }, sink.Results.Where(r => r.Succeeded).Select(r => r.Output[1]));
        Assert.Equal(1, sink.Results.Count(r => !r.Succeeded));
    }

    [Fact]
    public async Task AnItemOverThePerItemLimitTimesOutAndItsWorkerIsReplaced()
    {
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            if ((string)item.Input! == "slow")
            {
                // Ignores its token on purpose: the runner must not wait for it.
                await Task.Delay(TimeSpan.FromSeconds(30), CancellationToken.None);
            }

            context.Output(item.Input);
        });

        var clock = Stopwatch.StartNew();
        var sink = await ParallelTestKit.RunAsync(
            new ParallelRunOptions { ThrottleLimit = 1, ItemTimeout = TimeSpan.FromMilliseconds(300) },
            factory,
            new object?[] { "a", "slow", "b", "c" });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the run waited for the stuck item ({clock.Elapsed})");
        var timedOut = Assert.Single(sink.Results, r => r.Status == ParallelItemStatus.TimedOut);
        Assert.Equal("slow", timedOut.Item.Input);
        var timeout = Assert.IsType<TimeoutException>(timedOut.Error);
        Assert.Contains("'slow'", timeout.Message);
        Assert.Equal(ParallelErrorIds.ItemTimeout, timedOut.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.OperationTimeout, timedOut.Category);
        Assert.Equal(new object?[] { "a", "b", "c" }, sink.Results.Where(r => r.Succeeded).Select(r => r.Output.Single()));
        Assert.Equal(2, factory.Created);
    }

    [Fact]
    public async Task TheWholeRunLimitStopsRunningItemsAndReportsEveryOtherInput()
    {
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), token);
            context.Output(item.Input);
        });

        var options = new ParallelRunOptions { ThrottleLimit = 2, RunTimeout = TimeSpan.FromMilliseconds(600) };
        var sink = new RecordingSink();
        using (var runner = new ParallelRunner(options, factory, sink))
        {
            runner.Start();
            for (int i = 0; i < 10; i++)
            {
                await runner.SubmitAsync(i);
            }

            await Task.Delay(900);
            Assert.True(runner.RunTimedOut);

            // Inputs arriving after the limit are reported too, never dropped.
            for (int i = 10; i < 13; i++)
            {
                await runner.SubmitAsync(i);
            }

            runner.CompleteInput();
            await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), sink.Results.Select(r => r.Item.Index).Order());
        Assert.Contains(sink.Results, r => r.Succeeded);
        Assert.Contains(sink.Results, r => r.Status == ParallelItemStatus.NotRun);
        Assert.All(sink.Results.Where(r => !r.Succeeded), r =>
        {
            Assert.IsType<TimeoutException>(r.Error);
            Assert.Equal(ParallelErrorIds.RunTimeout, r.ErrorId);
        });
        Assert.All(sink.Results.Where(r => r.Item.Index >= 10), r => Assert.Equal(ParallelItemStatus.NotRun, r.Status));
    }

    [Fact]
    public async Task StopEndsRunningItemsPromptlyAndReportsNothingMore()
    {
        int started = 0;
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            Interlocked.Increment(ref started);
            await Task.Delay(TimeSpan.FromSeconds(60), CancellationToken.None);
        });

        var sink = new RecordingSink();
        using var cancel = new CancellationTokenSource();
        using var runner = new ParallelRunner(new ParallelRunOptions { ThrottleLimit = 4 }, factory, sink, cancel.Token);
        runner.Start();
        for (int i = 0; i < 20; i++)
        {
            await runner.SubmitAsync(i);
        }

        while (Volatile.Read(ref started) < 4)
        {
            await Task.Delay(10);
        }

        var clock = Stopwatch.StartNew();
        cancel.Cancel();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
        Assert.True(runner.IsStopped);
        Assert.Empty(sink.Results);
        Assert.Equal(4, started);

        // A submission after the stop is not run and does not block.
        await runner.SubmitAsync("late").AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AMillionItemsFlowWithBoundedMemory()
    {
        var factory = ParallelTestKit.Delegates((item, context, token) =>
        {
            context.Output((long)item.Input!);
            return Task.CompletedTask;
        });

        long sum = 0, count = 0;
        long memoryAtStart = 0, memoryLate = 0;
        var sink = new CountingSink(result =>
        {
            sum += (long)result.Output[0]!;
            count++;
            if (count == 100_000)
            {
                memoryAtStart = GC.GetTotalMemory(forceFullCollection: true);
            }
            else if (count == 900_000)
            {
                memoryLate = GC.GetTotalMemory(forceFullCollection: true);
            }
        });

        var options = new ParallelRunOptions { ThrottleLimit = 4 };
        using var runner = new ParallelRunner(options, factory, sink);
        runner.Start();
        for (long i = 0; i < 1_000_000; i++)
        {
            await runner.SubmitAsync(i);
        }

        runner.CompleteInput();
        await runner.Completion.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(1_000_000, count);
        Assert.Equal(999_999L * 1_000_000 / 2, sum);
        Assert.True(runner.Counters.PendingPeak <= options.DefaultWindow, $"{runner.Counters.PendingPeak} items were pending at once; the window is {options.DefaultWindow}");
        Assert.True(memoryLate - memoryAtStart < 16 * 1024 * 1024, $"the heap grew by {(memoryLate - memoryAtStart) / 1024} KiB between item 100,000 and 900,000");
    }

    [Fact]
    public async Task OrderedOutputBuffersAtMostTheWindowBehindASlowItem()
    {
        var release = new TaskCompletionSource();
        int started = 0;
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            Interlocked.Increment(ref started);
            if ((int)item.Input! == 0)
            {
                await release.Task;
            }

            context.Output(item.Input);
        });

        var options = new ParallelRunOptions { ThrottleLimit = 2, Ordered = true, Window = 8 };
        var sink = new RecordingSink();
        using var runner = new ParallelRunner(options, factory, sink);
        runner.Start();
        var feeding = Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await runner.SubmitAsync(i);
            }

            runner.CompleteInput();
        });

        await Task.Delay(500);
        Assert.False(feeding.IsCompleted);
        Assert.True(Volatile.Read(ref started) <= 8, $"{started} items started while the head was stuck; the window is 8");
        Assert.Empty(sink.Results);

        release.SetResult();
        await feeding.WaitAsync(TimeSpan.FromSeconds(30));
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 100).Cast<object?>(), sink.Results.Select(r => r.Output.Single()));
    }

    [Fact]
    public async Task ABlockingSinkHoldsTheWorkersBack()
    {
        var gate = new ManualResetEventSlim(false);
        int started = 0;
        var factory = ParallelTestKit.Delegates((item, context, token) =>
        {
            Interlocked.Increment(ref started);
            return Task.CompletedTask;
        });

        var sink = new CountingSink(_ => gate.Wait());
        var options = new ParallelRunOptions { ThrottleLimit = 2, Window = 10 };
        using var runner = new ParallelRunner(options, factory, sink);
        runner.Start();
        var feeding = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
            {
                await runner.SubmitAsync(i);
            }

            runner.CompleteInput();
        });

        await Task.Delay(300);
        Assert.True(Volatile.Read(ref started) <= 10, $"{started} items ran while nothing was consumed");
        gate.Set();
        await feeding.WaitAsync(TimeSpan.FromSeconds(30));
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, Volatile.Read(ref started));
    }

    [Fact]
    public async Task StreamsOfARunningItemArriveBeforeItCompletes()
    {
        var seen = new TaskCompletionSource();
        var sink = new RecordingSink();
        var factory = ParallelTestKit.Delegates(async (item, context, token) =>
        {
            context.Stream("working on " + item.Input);
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(10), token);
            context.Output(item.Input);
        });

        using var runner = new ParallelRunner(new ParallelRunOptions { ThrottleLimit = 1 }, factory, sink);
        runner.Start();
        await runner.SubmitAsync("x");
        runner.CompleteInput();
        while (sink.Streams.Count == 0)
        {
            await Task.Delay(10);
        }

        Assert.Empty(sink.Results);
        Assert.Equal((0L, (object)"working on x"), sink.Streams.Single());
        seen.SetResult();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("x", sink.Results.Single().Output.Single());
    }

    [Fact]
    public async Task AWorkerThatCannotStartFailsTheRun()
    {
        var factory = new FailingFactory();
        var sink = new RecordingSink();
        using var runner = new ParallelRunner(new ParallelRunOptions { ThrottleLimit = 2 }, factory, sink);
        runner.Start();
        await runner.SubmitAsync(1);
        runner.CompleteInput();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => runner.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ParallelErrorIds.WorkerStartFailed, error.ErrorId);
        Assert.Contains("no such program", error.Message);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Equal("ParallelInvalidThrottleLimit", Assert.Throws<Ec2OpsException>(() => new ParallelRunOptions { ThrottleLimit = 0 }.Validate()).ErrorId);
        Assert.Equal("ParallelInvalidTimeout", Assert.Throws<Ec2OpsException>(() => new ParallelRunOptions { ItemTimeout = TimeSpan.Zero }.Validate()).ErrorId);
        Assert.Equal("ParallelInvalidTimeout", Assert.Throws<Ec2OpsException>(() => new ParallelRunOptions { RunTimeout = TimeSpan.FromSeconds(-1) }.Validate()).ErrorId);
        Assert.Equal("ParallelInvalidWindow", Assert.Throws<Ec2OpsException>(() => new ParallelRunOptions { ThrottleLimit = 8, Window = 4 }.Validate()).ErrorId);
        Assert.Equal(64, new ParallelRunOptions { ThrottleLimit = 4 }.DefaultWindow);
        Assert.Equal(128, new ParallelRunOptions { ThrottleLimit = 32 }.DefaultWindow);
        Assert.Equal(Math.Min(32, Environment.ProcessorCount + 4), ParallelRunOptions.DefaultThreadThrottle);
        Assert.Equal(Environment.ProcessorCount, ParallelRunOptions.DefaultProcessThrottle);
    }

    [Fact]
    public void ProgressSaysDoneTotalAndRate()
    {
        var known = ParallelProgressReporter.Describe(new ParallelCounters(200, 4, 48, 2, false, 4, 64), TimeSpan.FromSeconds(10), 200, "Invoke-Parallel");
        Assert.Equal("50 of 200 done, 2 failed, 4 running, 5.0/s", known.Status);
        Assert.Equal(25, known.PercentComplete);
        Assert.Equal(30, known.SecondsRemaining);

        var unknown = ParallelProgressReporter.Describe(new ParallelCounters(90, 3, 80, 0, false, 3, 64), TimeSpan.FromSeconds(2), null, "Invoke-Parallel");
        Assert.Equal("80 done, 3 running, 40.0/s", unknown.Status);
        Assert.Equal(-1, unknown.PercentComplete);

        var ended = ParallelProgressReporter.Describe(new ParallelCounters(1000, 0, 500, 0, true, 3, 64), TimeSpan.FromSeconds(2), null, "Invoke-Parallel");
        Assert.Equal("500 of 1000 done, 0 running, 250/s", ended.Status);
        Assert.Equal(50, ended.PercentComplete);
    }

    [Fact]
    public void ResultsPrintTheirOutputReadably()
    {
        var output = new ParallelOutput(new object?[] { 1, "two", null });
        Assert.Equal("1, two, ", output.ToString());
        Assert.Equal("'abc'", ParallelItem.DescribeValue("abc"));
        Assert.Equal("'(null)'", ParallelItem.DescribeValue(null));
        Assert.Equal(62, ParallelItem.DescribeValue(new string('x', 100)).Length);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class CountingSink(Action<ParallelItemResult> onCompleted) : IParallelSink
    {
        public void OnStream(ParallelItem item, object record)
        {
        }

        public void OnCompleted(ParallelItemResult result) => onCompleted(result);
    }

    private sealed class FailingFactory : IParallelWorkerFactory
    {
        public Task<IParallelWorker> CreateAsync(int slot, CancellationToken cancellation) =>
            Task.FromException<IParallelWorker>(new FileNotFoundException("no such program"));
    }
}
