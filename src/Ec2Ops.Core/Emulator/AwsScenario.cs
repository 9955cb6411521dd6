using System.Collections.Concurrent;

namespace Ec2Ops.Core.Emulator;

/// <summary>One AWS API call the emulator answered (CloudWatch or EC2).</summary>
public sealed record AwsCall(string Service, string Action, int StatusCode, string? ErrorCode, DateTimeOffset Time);

/// <summary>
/// Switches that make the emulated CloudWatch and EC2 misbehave the way the real ones can, and the
/// log of the calls they answered. Tests flip them while the server runs; every member is
/// thread-safe and takes effect on the next request.
/// </summary>
public sealed class AwsScenario
{
    /// <summary>GetMetricData's real limit of datapoints per answer (more comes with NextToken).</summary>
    public const int DefaultMaxDatapointsPerPage = 100_800;

    private readonly ConcurrentDictionary<string, byte> _denied = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _metricStatus = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AwsCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private int _throttleNext;
    private int _failNext;
    private int _failStatusCode = 500;
    private int _maxDatapointsPerPage = DefaultMaxDatapointsPerPage;
    private long _responseDelayTicks;
    private volatile bool _verifySignatures = true;

    /// <summary>The next N AWS calls answer Throttling (CloudWatch, 400) or RequestLimitExceeded (EC2, 503).</summary>
    public int ThrottleNextRequests
    {
        get => Volatile.Read(ref _throttleNext);
        set => Volatile.Write(ref _throttleNext, Math.Max(0, value));
    }

    /// <summary>The next N AWS calls answer <see cref="FailStatusCode"/> (InternalFailure / ServiceUnavailable).</summary>
    public int FailNextRequests
    {
        get => Volatile.Read(ref _failNext);
        set => Volatile.Write(ref _failNext, Math.Max(0, value));
    }

    /// <summary>500 or 503 (the default is 500).</summary>
    public int FailStatusCode
    {
        get => Volatile.Read(ref _failStatusCode);
        set
        {
            if (value is not (500 or 502 or 503 or 504))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A server failure is 500, 502, 503 or 504.");
            }

            Volatile.Write(ref _failStatusCode, value);
        }
    }

    /// <summary>At most this many datapoints per GetMetricData answer; the rest comes with NextToken.</summary>
    public int MaxDatapointsPerPage
    {
        get => Volatile.Read(ref _maxDatapointsPerPage);
        set => Volatile.Write(ref _maxDatapointsPerPage, Math.Max(1, value));
    }

    /// <summary>A delay before each AWS answer, like a real round trip to a region.</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _responseDelayTicks));
        set => Interlocked.Exchange(ref _responseDelayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>Recompute the SigV4 signature of requests signed with a key the emulator knows (default true).</summary>
    public bool VerifySignatures
    {
        get => _verifySignatures;
        set => _verifySignatures = value;
    }

    /// <summary>IAM actions the caller is not allowed (e.g. cloudwatch:GetMetricData, ec2:DescribeInstances).</summary>
    public IReadOnlyCollection<string> DeniedActions => _denied.Keys.Order(StringComparer.Ordinal).ToList();

    public void Deny(params string[] actions)
    {
        foreach (var action in actions)
        {
            _denied[action] = 0;
        }
    }

    public void Allow(params string[] actions)
    {
        foreach (var action in actions)
        {
            _denied.TryRemove(action, out _);
        }
    }

    public bool IsDenied(string action) => _denied.ContainsKey(action);

    /// <summary>
    /// Makes GetMetricData answer every query about <paramref name="instanceId"/> with this
    /// StatusCode (InternalError or Forbidden) and no values; null puts it back to Complete.
    /// </summary>
    public void SetMetricStatus(string instanceId, string? statusCode)
    {
        if (statusCode is null)
        {
            _metricStatus.TryRemove(instanceId, out _);
        }
        else if (statusCode is "InternalError" or "Forbidden")
        {
            _metricStatus[instanceId] = statusCode;
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A forced status is InternalError or Forbidden.");
        }
    }

    internal string? MetricStatusOf(string instanceId) => _metricStatus.TryGetValue(instanceId, out var status) ? status : null;

    /// <summary>The calls answered, oldest first (at most 100,000 kept).</summary>
    public IReadOnlyList<AwsCall> Calls => _calls.ToArray();

    /// <summary>How many calls of <paramref name="action"/> (e.g. GetMetricData) were answered, failures included.</summary>
    public int CallCount(string action) => _counts.TryGetValue(action, out var count) ? count : 0;

    /// <summary>Forgets the call log and counts.</summary>
    public void ClearCalls()
    {
        _calls.Clear();
        _counts.Clear();
    }

    /// <summary>The switches that are on, e.g. "Denied cloudwatch:GetMetricData"; "healthy" when none is.</summary>
    public override string ToString()
    {
        var on = new List<string>();
        if (ThrottleNextRequests > 0) on.Add($"ThrottleNextRequests {ThrottleNextRequests}");
        if (FailNextRequests > 0) on.Add($"FailNextRequests {FailNextRequests} ({FailStatusCode})");
        if (MaxDatapointsPerPage != DefaultMaxDatapointsPerPage) on.Add($"MaxDatapointsPerPage {MaxDatapointsPerPage}");
        if (ResponseDelay > TimeSpan.Zero) on.Add($"ResponseDelay {ResponseDelay.TotalMilliseconds:0.###} ms");
        if (!VerifySignatures) on.Add("signatures not checked");
        if (DeniedActions.Count > 0) on.Add("Denied " + string.Join(", ", DeniedActions));
        return on.Count == 0 ? "healthy" : string.Join("; ", on);
    }

    /// <summary>Healthy again: no throttling, failures, denials or forced statuses; default page size and delay.</summary>
    public void Reset()
    {
        ThrottleNextRequests = 0;
        FailNextRequests = 0;
        Volatile.Write(ref _failStatusCode, 500);
        MaxDatapointsPerPage = DefaultMaxDatapointsPerPage;
        ResponseDelay = TimeSpan.Zero;
        VerifySignatures = true;
        _denied.Clear();
        _metricStatus.Clear();
    }

    internal bool ConsumeThrottle() => Consume(ref _throttleNext);

    internal bool ConsumeFailure() => Consume(ref _failNext);

    internal void Record(AwsCall call)
    {
        _counts.AddOrUpdate(call.Action, 1, (_, c) => c + 1);
        _calls.Enqueue(call);
        while (_calls.Count > 100_000 && _calls.TryDequeue(out _))
        {
        }
    }

    private static bool Consume(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
