using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Run all:      dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*'
// Run a group:  dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*Nmf*'
//
// Benchmarks run in this process unless a class picks its own job: the project references the
// module (whose build lays out dependencies/), which BenchmarkDotNet's generated projects do not
// reproduce.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
