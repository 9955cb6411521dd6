using System.Collections.Concurrent;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Ec2Ops.Core;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Credits;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Benchmarks.Credits;

/// <summary>
/// The credits of a fleet of 1,000 emulated burstable instances: Get-CpuCreditBalance -All (one
/// DescribeInstances, one DescribeInstanceCreditSpecifications, ceil(4N/500) = 8 GetMetricData calls)
/// against the seed's way, one GetMetricStatistics call per instance per metric (4,000 calls, one at a
/// time as a boto3 loop makes them), same emulator, same window, same run. The Calls column is the
/// number of AWS calls the emulator answered per operation. LatencyMs adds a delay to every AWS
/// answer, like a round trip to a region.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*CpuCreditFleet*'
/// </summary>
[Config(typeof(Config))]
public class CpuCreditFleetBenchmarks
{
    public const int FleetSize = 1000;

    private static readonly ConcurrentDictionary<string, double> CallsPerOperation = new();

    private Ec2OpsEmulator _emulator = null!;
    private IReadOnlyList<string> _instanceIds = null!;
    private CpuCreditService _service = null!;
    private CpuCreditRequest _request = null!;
    private ICloudWatchClient _cloudWatch = null!;

    [Params(0, 1)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _emulator = Ec2OpsEmulator.Start(new EmulatorOptions { FleetSize = FleetSize, RequestLogCapacity = 0 });
        _emulator.Aws.ResponseDelay = TimeSpan.FromMilliseconds(LatencyMs);
        _instanceIds = _emulator.Fleet.Instances.Select(i => i.InstanceId).ToList();
        AWSCredentials Credentials() => new BasicAWSCredentials(EmulatorSession.DummyAccessKeyId, EmulatorSession.DummySecretAccessKey);
        var options = new AwsRequestOptions { Region = "us-east-1", EndpointUrl = _emulator.Endpoint.ToString() };
        _service = new CpuCreditService(NullOperationLog.Instance, null, null, new EnvironmentVariables(), null, null, Credentials);
        _request = new CpuCreditRequest { All = true, Aws = options, Imds = new ImdsRequestOptions { Endpoint = _emulator.Endpoint.ToString() } };
        _cloudWatch = CloudWatchQueryClient.Create(AwsContext.Create(options, "us-east-1", "-Region", Credentials));
    }

    [GlobalCleanup]
    public void Cleanup() => _emulator.Dispose();

    [IterationSetup]
    public void ClearCalls() => _emulator.Aws.ClearCalls();

    [IterationCleanup(Target = nameof(PerInstancePerMetric))]
    public void CountSeedCalls() => CallsPerOperation[Key(nameof(PerInstancePerMetric))] = _emulator.Aws.Calls.Count;

    [IterationCleanup(Target = nameof(All))]
    public void CountAllCalls() => CallsPerOperation[Key(nameof(All))] = _emulator.Aws.Calls.Count;

    /// <summary>The seed's way: GetMetricStatistics for each instance and each of the four metrics, one call at a time.</summary>
    [Benchmark(Baseline = true, Description = "GetMetricStatistics per instance per metric")]
    public async Task<int> PerInstancePerMetric()
    {
        var (start, end, period) = CpuCreditService.Window(new CpuCreditRequest(), DateTimeOffset.UtcNow);
        var datapoints = 0;
        foreach (var id in _instanceIds)
        {
            foreach (var metric in CreditMetricQueries.Metrics)
            {
                var reply = await _cloudWatch.GetMetricStatisticsAsync(new GetMetricStatisticsRequest(
                    CreditMetricQueries.Namespace,
                    CreditMetricQueries.MetricName(metric),
                    new[] { new MetricDimension(CreditMetricQueries.Dimension, id) },
                    start,
                    end,
                    period,
                    new[] { CreditMetricQueries.Statistic(metric) })).ConfigureAwait(false);

                // Datapoints come unordered: the newest must be looked for.
                datapoints += reply.Datapoints.Count;
                _ = reply.Datapoints.MaxBy(p => p.Timestamp);
            }
        }

        return datapoints;
    }

    /// <summary>Get-CpuCreditBalance -All: the whole fleet with balances, maxima and forecasts.</summary>
    [Benchmark(Description = "Get-CpuCreditBalance -All")]
    public async Task<int> All()
    {
        var report = await _service.GetAsync(_request).ConfigureAwait(false);
        return report.Items.Count;
    }

    private string Key(string method) => $"{method}/{LatencyMs}";

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new CallsColumn());
        }
    }

    /// <summary>AWS calls the emulator answered during one operation (measured, not computed).</summary>
    private sealed class CallsColumn : IColumn
    {
        public string Id => nameof(CallsColumn);

        public string ColumnName => "Calls";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "AWS calls answered by the emulator per operation";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var latency = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(LatencyMs))?.Value;
            return CallsPerOperation.TryGetValue($"{benchmarkCase.Descriptor.WorkloadMethod.Name}/{latency}", out var calls) ? calls.ToString("N0") : "?";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
