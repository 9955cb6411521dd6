using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Benchmarks.Factorization;

/// <summary>
/// The product NMF spends its time in, V·Hᵀ for V 4000 x 2000 and H 20 x 2000 (160 million
/// multiply-adds), with the AVX-512 kernel and with the portable Vector&lt;double&gt; kernel that CPUs
/// without AVX-512 run.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*NmfKernel*'
/// </summary>
[Config(typeof(Config))]
public class NmfKernelBenchmarks
{
    private RowMajorMatrix _v = null!;
    private RowMajorMatrix _h = null!;

    [Params(true, false)]
    public bool Avx512 { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _v = RowMajorMatrix.FromJagged(NmfBenchmarks.MakeData(4000, 2000, 20, seed: 0));
        var rng = new NumpyRandomState(1);
        _h = new RowMajorMatrix(20, 2000);
        for (int i = 0; i < _h.Data.Length; i++)
        {
            _h.Data[i] = rng.NextDouble();
        }
    }

    [Benchmark]
    public double VTimesHTransposed() => NmfKernels.DotRows(_v, _h, allowAvx512: Avx512).Data[0];

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(10));
        }
    }
}
