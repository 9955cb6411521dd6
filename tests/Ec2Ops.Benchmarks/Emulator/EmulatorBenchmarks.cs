using BenchmarkDotNet.Attributes;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Benchmarks.Emulator;

/// <summary>
/// How fast the emulator starts and stops (a test can afford one per test), and that it serves
/// requests concurrently rather than one at a time: 32 GETs in parallel against the same 32 one
/// after another, with a per-reply delay like a real IMDS round trip.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*EmulatorBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[WarmupCount(2)]
[IterationCount(10)]
public class EmulatorBenchmarks
{
    private const int Requests = 32;

    private readonly HttpClient _http = new();
    private Ec2OpsEmulator _emulator = null!;
    private string _token = null!;
    private Uri[] _paths = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _emulator = Ec2OpsEmulator.Start(new EmulatorOptions { RequestLogCapacity = 0 });
        _token = await PutTokenAsync(_emulator);
        _emulator.Imds.ResponseDelay = TimeSpan.FromMilliseconds(1);
        _paths = _emulator.Tree.Paths
            .Where(p => p.StartsWith("meta-data/", StringComparison.Ordinal))
            .Take(Requests)
            .Select(p => new Uri(_emulator.Endpoint, "/latest/" + p))
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _emulator.Dispose();
        _http.Dispose();
    }

    [Benchmark(Description = "start, first token, stop")]
    public async Task<string> StartTokenStop()
    {
        using var emulator = Ec2OpsEmulator.Start();
        return await PutTokenAsync(emulator);
    }

    [Benchmark(Baseline = true, Description = "32 GETs one at a time (1 ms replies)")]
    public async Task<int> Sequential()
    {
        int bytes = 0;
        foreach (var path in _paths)
        {
            bytes += (await GetAsync(path)).Length;
        }

        return bytes;
    }

    [Benchmark(Description = "32 GETs in parallel (1 ms replies)")]
    public async Task<int> Parallel()
    {
        var bodies = await Task.WhenAll(_paths.Select(GetAsync));
        return bodies.Sum(b => b.Length);
    }

    private async Task<string> GetAsync(Uri path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-aws-ec2-metadata-token", _token);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> PutTokenAsync(Ec2OpsEmulator emulator)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.Endpoint, "/latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "21600");
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
