using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Tests.Parallel;

/// <summary>A sink that records what a run reports, in the order reported.</summary>
internal sealed class RecordingSink : IParallelSink
{
    private readonly List<ParallelItemResult> _results = new();
    private readonly ConcurrentQueue<(long Index, object Record)> _streams = new();

    public Action<ParallelItemResult>? OnEach { get; init; }

    public IReadOnlyList<ParallelItemResult> Results
    {
        get
        {
            lock (_results)
            {
                return _results.ToArray();
            }
        }
    }

    public IReadOnlyCollection<(long Index, object Record)> Streams => _streams.ToArray();

    public void OnStream(ParallelItem item, object record) => _streams.Enqueue((item.Index, record));

    public void OnCompleted(ParallelItemResult result)
    {
        lock (_results)
        {
            _results.Add(result);
        }

        OnEach?.Invoke(result);
    }
}

internal static class ParallelTestKit
{
    /// <summary>Runs the inputs through a runner and waits for it (bounded, so a hang fails the test instead of stalling it).</summary>
    public static async Task<RecordingSink> RunAsync(ParallelRunOptions options, IParallelWorkerFactory factory, IEnumerable<object?> inputs, RecordingSink? sink = null, CancellationToken cancellation = default)
    {
        sink ??= new RecordingSink();
        using var runner = new ParallelRunner(options, factory, sink, cancellation);
        runner.Start();
        foreach (var input in inputs)
        {
            await runner.SubmitAsync(input);
        }

        runner.CompleteInput();
        await runner.Completion.WaitAsync(TimeSpan.FromSeconds(120));
        return sink;
    }

    public static DelegateWorkerFactory Delegates(Func<ParallelItem, IParallelItemContext, CancellationToken, Task> body) => new(body);

    /// <summary>The test worker process (a .NET program that is not PowerShell) speaking the pool's protocol.</summary>
    public static ProcessWorkerOptions TestWorker(string init = "hello") => new()
    {
        StartInfo = () =>
        {
            var start = new ProcessStartInfo(DotnetHost());
            start.ArgumentList.Add(TestWorkerPath);
            return start;
        },
        InitPayload = init,
        QuitTimeout = TimeSpan.FromSeconds(10),
    };

    public static string TestWorkerPath => Path.GetFullPath(typeof(ParallelTestKit).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ParallelTestWorker").Value!);

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
