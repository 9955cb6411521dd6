using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Ec2Ops.Core.Factorization;

namespace Ec2Ops.Benchmarks.Factorization;

/// <summary>
/// NMF against the scikit-learn 1.2.1 anchors in facts.md (same 2-core machine, OpenBLAS):
/// 1000x500 rank 10: cd 0.144 s (error 27.64), mu 0.164 s (50.45);
/// 4000x2000 rank 20: cd 4.20 s (216.39), mu 4.23 s (445.49).
/// Data: V = W0·H0 + 0.1·U(0,1) with W0, H0 ~ U(0,1), drawn from numpy's RandomState(0) in the
/// order W0, H0, noise, so the same matrix can be rebuilt in Python to compare errors.
/// 200 iterations, tol 0, init Nndsvda. The reconstruction error of each case is printed
/// by [GlobalCleanup] ("NMF error ...") in the run log.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*NmfBenchmarks*'
/// </summary>
[Config(typeof(ShortRunConfig))]
public class NmfBenchmarks
{
    private double[][] _v = Array.Empty<double[]>();
    private NmfResult? _last;

    [Params("1000x500r10", "4000x2000r20")]
    public string Problem { get; set; } = "1000x500r10";

    [Params(NmfSolver.CoordinateDescent, NmfSolver.MultiplicativeUpdate)]
    public NmfSolver Solver { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (m, n, k) = Problem == "1000x500r10" ? (1000, 500, 10) : (4000, 2000, 20);
        _v = MakeData(m, n, k, seed: 0);
    }

    [Benchmark]
    public double Factorize()
    {
        int k = Problem == "1000x500r10" ? 10 : 20;
        var options = new NmfOptions { Rank = k, Solver = Solver, Init = NmfInit.Nndsvda, MaxIterations = 200, Tolerance = 0, Seed = 0 };
        _last = new NmfService().Factorize(_v, options);
        return _last.ReconstructionError;
    }

    [GlobalCleanup]
    public void Report() =>
        Console.WriteLine($"NMF error {Problem} {Solver}: {_last?.ReconstructionError:F4} after {_last?.Iterations} iterations");

    /// <summary>numpy: r = RandomState(seed); W0 = r.rand(m, k); H0 = r.rand(k, n); V = W0 @ H0 + 0.1 * r.rand(m, n).</summary>
    public static double[][] MakeData(int m, int n, int k, uint seed)
    {
        var rng = new NumpyRandomState(seed);
        var w0 = new double[m * k];
        var h0 = new double[k * n];
        for (int i = 0; i < w0.Length; i++)
        {
            w0[i] = rng.NextDouble();
        }

        for (int i = 0; i < h0.Length; i++)
        {
            h0[i] = rng.NextDouble();
        }

        var v = new double[m][];
        for (int i = 0; i < m; i++)
        {
            v[i] = new double[n];
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int r = 0; r < k; r++)
                {
                    sum += w0[(i * k) + r] * h0[(r * n) + j];
                }

                v[i][j] = sum;
            }
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                v[i][j] += 0.1 * rng.NextDouble();
            }
        }

        return v;
    }

    /// <summary>
    /// One launch, twelve warm-ups (the JIT's tiering and dynamic PGO take about 1.5 s of running to
    /// settle), five measured runs: a few minutes on a shared 2-core box.
    /// </summary>
    private sealed class ShortRunConfig : ManualConfig
    {
        public ShortRunConfig()
        {
            AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(12)
                .WithIterationCount(5)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithStrategy(RunStrategy.Monitoring));
        }
    }
}
