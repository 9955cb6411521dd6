using BenchmarkDotNet.Attributes;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Benchmarks.Metadata;

/// <summary>
/// Get-InstanceMetadata -Path / -Recurse over the emulator's default tree: the bounded-concurrency
/// walk against the same walk one request at a time (the baseline), same emulator, same run.
/// LatencyMs adds a per-reply delay like a real IMDS round trip (about a millisecond on an instance).
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*ImdsRecurse*'
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(10)]
public class ImdsRecurseBenchmarks
{
    private Ec2OpsEmulator _emulator = null!;
    private ImdsSettings _settings = null!;
    private ImdsTokenCache _tokens = null!;

    [Params(0, 1)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequestLogCapacity = 0 });
        _emulator.Imds.ResponseDelay = TimeSpan.FromMilliseconds(LatencyMs);
        _settings = ImdsSettings.Resolve(new ImdsRequestOptions { Endpoint = _emulator.ImdsEndpoint.AbsoluteUri }, new EnvironmentVariables());
        _tokens = new ImdsTokenCache();
    }

    [GlobalCleanup]
    public void Cleanup() => _emulator.Dispose();

    [Benchmark(Baseline = true, Description = "one request at a time")]
    public Task<MetadataNode> Sequential() => Walk(1);

    [Benchmark(Description = "bounded concurrency (8)")]
    public Task<MetadataNode> Concurrent() => Walk(InstanceMetadataService.DefaultMaxConcurrency);

    private Task<MetadataNode> Walk(int concurrency) =>
        new InstanceMetadataService(new ImdsClient(_settings, _tokens)).GetTreeAsync("/", concurrency);
}
