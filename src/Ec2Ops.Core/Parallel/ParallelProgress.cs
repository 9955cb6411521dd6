using System.Globalization;

namespace Ec2Ops.Core.Parallelism;

/// <summary>
/// Reports a run's progress (done/total and the rate) through <see cref="IProgress{T}"/>: the first report
/// after <see cref="Delay"/> (quick runs show no progress bar), then every <see cref="Interval"/>.
/// The total is known when the caller says so up front, or once all input has been accepted.
/// </summary>
public sealed class ParallelProgressReporter : IDisposable
{
    private readonly ParallelRunner _runner;
    private readonly IProgress<OperationProgress> _progress;
    private readonly string _activity;
    private readonly long? _knownTotal;
    private readonly ITimer _timer;

    public ParallelProgressReporter(ParallelRunner runner, IProgress<OperationProgress> progress, string activity, long? knownTotal = null, TimeProvider? time = null)
    {
        _runner = runner;
        _progress = progress;
        _activity = activity;
        _knownTotal = knownTotal;
        _timer = (time ?? TimeProvider.System).CreateTimer(_ => Report(), null, Delay, Interval);
    }

    public static TimeSpan Delay { get; } = TimeSpan.FromSeconds(1);

    public static TimeSpan Interval { get; } = TimeSpan.FromMilliseconds(500);

    public void Report() => _progress.Report(Describe(_runner.Counters, _runner.Elapsed, _knownTotal, _activity));

    /// <summary>"37 of 200 done, 12.5/s" (percent and time left known) or "37 done, 12.5/s" while the total is unknown.</summary>
    public static OperationProgress Describe(ParallelCounters counters, TimeSpan elapsed, long? knownTotal, string activity)
    {
        long done = counters.Done;
        long? total = knownTotal ?? (counters.InputCompleted ? counters.Submitted : null);
        double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        string rateText = rate.ToString(rate >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture) + "/s";
        string failed = counters.Failed > 0 ? $", {counters.Failed} failed" : "";
        if (total is { } t && t > 0)
        {
            int percent = (int)Math.Clamp(done * 100 / t, 0, 100);
            int? secondsLeft = rate > 0 ? (int)Math.Ceiling((t - done) / rate) : null;
            return new OperationProgress(activity, $"{done} of {t} done{failed}, {counters.Running} running, {rateText}", percent, secondsLeft);
        }

        return new OperationProgress(activity, $"{done} done{failed}, {counters.Running} running, {rateText}", -1);
    }

    public void Dispose() => _timer.Dispose();
}
