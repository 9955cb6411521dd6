using BenchmarkDotNet.Running;

// Run all:      dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*'
// Run a group:  dotnet run -c Release --project tests/Ec2Ops.Benchmarks -- --filter '*Nmf*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
