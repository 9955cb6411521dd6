using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Ec2Ops.Benchmarks.Parallel;

/// <summary>
/// One process hosting PowerShell 7.6.9 (Microsoft.PowerShell.SDK) with the built module imported:
/// ForEach-Object -Parallel (the anchor) against Invoke-Parallel on the same inputs, same run.
/// </summary>
public abstract class HostedPowerShellBenchmark
{
    private Runspace _runspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        string manifest = typeof(HostedPowerShellBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModuleManifest").Value!;
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        Run($"Import-Module -Name '{Path.GetFullPath(manifest)}' -ErrorAction Stop; if (-not (Get-Command Invoke-Parallel)) {{ throw 'no Invoke-Parallel' }}");
    }

    [GlobalCleanup]
    public void Cleanup() => _runspace.Dispose();

    protected void Run(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script).Invoke();
        if (ps.HadErrors && ps.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException(ps.Streams.Error[0].ToString());
        }
    }
}

/// <summary>
/// Per-item overhead: 10,000 empty items at ThrottleLimit 4, reported per item (OperationsPerInvoke).
/// Target: at least 10x below ForEach-Object -Parallel (measured at 1.3 to 4.8 ms per item).
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*ParallelOverhead*'
/// </summary>
[Config(typeof(HostedConfig.Overhead))]
public class ParallelOverheadBenchmarks : HostedPowerShellBenchmark
{
    private const int Items = 10_000;

    [Benchmark(Baseline = true, OperationsPerInvoke = Items, Description = "ForEach-Object -Parallel { $_ }")]
    public void ForEachObjectParallel() => Run($"1..{Items} | ForEach-Object -Parallel {{ $_ }} -ThrottleLimit 4 | Out-Null");

    [Benchmark(OperationsPerInvoke = Items, Description = "Invoke-Parallel { $_ }")]
    public void InvokeParallel() => Run($"1..{Items} | Invoke-Parallel {{ $_ }} -ThrottleLimit 4 | Out-Null");

    [Benchmark(OperationsPerInvoke = Items, Description = "ForEach-Object { $_ } (sequential)")]
    public void Sequential() => Run($"1..{Items} | ForEach-Object {{ $_ }} | Out-Null");
}

/// <summary>
/// 200 items of Start-Sleep -Milliseconds 50 at ThrottleLimit 4 and 32, against the ideal
/// (ceil(200 / ThrottleLimit) rounds of 50 ms, one Thread.Sleep). Target: within 10% of the ideal.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*ParallelSleep*'
/// </summary>
[Config(typeof(HostedConfig.Sleep))]
public class ParallelSleepBenchmarks : HostedPowerShellBenchmark
{
    [Params(4, 32)]
    public int ThrottleLimit { get; set; }

    [Benchmark(Baseline = true, Description = "ideal")]
    public void Ideal() => Thread.Sleep((200 + ThrottleLimit - 1) / ThrottleLimit * 50);

    [Benchmark(Description = "ForEach-Object -Parallel")]
    public void ForEachObjectParallel() => Run($"1..200 | ForEach-Object -Parallel {{ Start-Sleep -Milliseconds 50 }} -ThrottleLimit {ThrottleLimit}");

    [Benchmark(Description = "Invoke-Parallel")]
    public void InvokeParallel() => Run($"1..200 | Invoke-Parallel {{ Start-Sleep -Milliseconds 50 }} -ThrottleLimit {ThrottleLimit}");
}

/// <summary>
/// In-process jobs: the benchmark process itself hosts PowerShell (no generated project to build,
/// whose restore of the PowerShell SDK outlasts BenchmarkDotNet's build timeout on a loaded machine).
/// Each invocation is one whole run, measured as it is (Monitoring), few iterations: a
/// ForEach-Object -Parallel run of 10,000 items takes tens of seconds.
/// </summary>
public static class HostedConfig
{
    public sealed class Overhead : ManualConfig
    {
        public Overhead() => AddJob(BenchmarkDotNet.Jobs.Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
    }

    public sealed class Sleep : ManualConfig
    {
        public Sleep() => AddJob(BenchmarkDotNet.Jobs.Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1));
    }
}
