using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using Ec2Ops.Core.Factorization;
using MathNet.Numerics.LinearAlgebra;

namespace Ec2Ops.Benchmarks.Factorization;

/// <summary>
/// The in-process baseline facts.md describes: a straightforward Frobenius multiplicative-update
/// loop on MathNet.Numerics matrices (managed provider), against Ec2Ops' solver on the same
/// 1000 x 500 rank 10 data and the same NNDSVDA start, 200 iterations.
/// Run: dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*NmfMathNetBaseline*'
/// </summary>
[Config(typeof(Config))]
public class NmfMathNetBaselineBenchmarks
{
    private double[][] _v = Array.Empty<double[]>();
    private Matrix<double> _vm = null!;
    private Matrix<double> _w0 = null!;
    private Matrix<double> _h0 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _v = NmfBenchmarks.MakeData(1000, 500, 10, seed: 0);
        _vm = Matrix<double>.Build.DenseOfRowArrays(_v);
        var v = RowMajorMatrix.FromJagged(_v);
        var (w, h) = NmfInitializer.Initialize(v, v.Transpose(), 10, NmfInit.Nndsvda, 0, CancellationToken.None);
        _w0 = Matrix<double>.Build.DenseOfRowMajor(w.Rows, w.Cols, w.Data);
        _h0 = Matrix<double>.Build.DenseOfRowMajor(h.Rows, h.Cols, h.Data);
    }

    [Benchmark(Baseline = true, Description = "MathNet MU loop")]
    public double MathNetMultiplicativeUpdate()
    {
        var w = _w0.Clone();
        var h = _h0.Clone();
        for (int iteration = 0; iteration < 200; iteration++)
        {
            w.PointwiseMultiply((_vm * h.Transpose()).PointwiseDivide(w * (h * h.Transpose())), w);
            h.PointwiseMultiply((w.Transpose() * _vm).PointwiseDivide(w.Transpose() * w * h), h);
        }

        return (_vm - (w * h)).FrobeniusNorm();
    }

    [Benchmark(Description = "Ec2Ops MU (incl. init)")]
    public double Ec2OpsMultiplicativeUpdate() =>
        new NmfService().Factorize(_v, new NmfOptions
        {
            Rank = 10, Solver = NmfSolver.MultiplicativeUpdate, Init = NmfInit.Nndsvda, MaxIterations = 200, Tolerance = 0,
        }).ReconstructionError;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(12).WithIterationCount(5)
                .WithInvocationCount(1).WithUnrollFactor(1).WithStrategy(RunStrategy.Monitoring));
        }
    }
}
