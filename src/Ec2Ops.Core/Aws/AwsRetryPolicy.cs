namespace Ec2Ops.Core.Aws;

/// <summary>
/// How AWS calls are retried: up to <see cref="MaxAttempts"/> tries (the first included) on
/// throttling (Throttling, RequestLimitExceeded, 429), 5xx answers and failed connections, waiting
/// a "full jitter" exponential backoff between tries: a random time between zero and
/// min(<see cref="MaxDelay"/>, <see cref="BaseDelay"/> x 2^(try-1)), so many clients throttled at
/// once do not come back in step.
/// </summary>
public sealed record AwsRetryPolicy
{
    public static AwsRetryPolicy Default { get; } = new();

    public int MaxAttempts { get; init; } = 5;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The pause before try <paramref name="attempt"/> (2, 3, ...), given a uniform draw in [0, 1).</summary>
    public TimeSpan DelayBefore(int attempt, double uniform)
    {
        if (attempt <= 1)
        {
            return TimeSpan.Zero;
        }

        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 2));
        return TimeSpan.FromMilliseconds(Math.Clamp(uniform, 0, 1) * ceiling);
    }
}
