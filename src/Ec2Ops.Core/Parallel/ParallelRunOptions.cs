namespace Ec2Ops.Core.Parallelism;

/// <summary>How a <see cref="ParallelRunner"/> schedules its items.</summary>
public sealed class ParallelRunOptions
{
    /// <summary>At most this many items run at once (one worker each).</summary>
    public int ThrottleLimit { get; init; } = Environment.ProcessorCount;

    /// <summary>Results in input order (concurrent.futures' map) instead of completion order (as_completed).</summary>
    public bool Ordered { get; init; }

    /// <summary>An item running longer is stopped, reported with a <see cref="TimeoutException"/>, and its worker replaced.</summary>
    public TimeSpan? ItemTimeout { get; init; }

    /// <summary>When the whole run has lasted this long, running items are stopped and the rest are reported as not run.</summary>
    public TimeSpan? RunTimeout { get; init; }

    /// <summary>
    /// Bounds the items accepted but not yet reported (queued, running, or waiting for their turn in
    /// ordered output): submitting waits while it is reached. Null gives the default
    /// (<see cref="DefaultWindow"/>); <see cref="Unbounded"/> never waits (for jobs, whose caller must not block).
    /// </summary>
    public int? Window { get; init; }

    public const int Unbounded = int.MaxValue;

    /// <summary>The default window: four items per worker, and at least 64.</summary>
    public int DefaultWindow => Math.Max(64, checked(ThrottleLimit * 4));

    /// <summary>The thread-mode default throttle, for waiting-bound work: Python's ThreadPoolExecutor rule, min(32, processors + 4).</summary>
    public static int DefaultThreadThrottle => Math.Min(32, Environment.ProcessorCount + 4);

    /// <summary>The process-mode default throttle, for CPU-bound work: one worker per processor.</summary>
    public static int DefaultProcessThrottle => Environment.ProcessorCount;

    public int EffectiveWindow => Window ?? DefaultWindow;

    public void Validate()
    {
        if (ThrottleLimit < 1)
        {
            throw new Ec2OpsException("ParallelInvalidThrottleLimit", Ec2OpsErrorCategory.InvalidArgument, $"ThrottleLimit {ThrottleLimit} is not valid: it must be at least 1.", ThrottleLimit);
        }

        if (ItemTimeout is { } item && item <= TimeSpan.Zero)
        {
            throw new Ec2OpsException("ParallelInvalidTimeout", Ec2OpsErrorCategory.InvalidArgument, $"The per-item timeout {item.TotalSeconds} s is not valid: it must be more than 0.", item);
        }

        if (RunTimeout is { } run && run <= TimeSpan.Zero)
        {
            throw new Ec2OpsException("ParallelInvalidTimeout", Ec2OpsErrorCategory.InvalidArgument, $"The whole-run timeout {run.TotalSeconds} s is not valid: it must be more than 0.", run);
        }

        if (Window is { } window && window < ThrottleLimit)
        {
            throw new Ec2OpsException("ParallelInvalidWindow", Ec2OpsErrorCategory.InvalidArgument, $"Window {window} is not valid: it must be at least the throttle limit ({ThrottleLimit}).", window);
        }
    }
}
