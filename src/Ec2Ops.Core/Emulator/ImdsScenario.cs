namespace Ec2Ops.Core.Emulator;

/// <summary>
/// Switches that make the emulated IMDS misbehave the way the real one can. Tests flip them while
/// the server runs; every member is thread-safe and takes effect on the next request.
/// </summary>
public sealed class ImdsScenario
{
    internal const string SpotInstanceActionPath = "meta-data/spot/instance-action";
    internal const string SpotTerminationTimePath = "meta-data/spot/termination-time";

    private readonly ImdsTree _tree;
    private readonly bool _defaultRequireToken;
    private readonly object _spotGate = new();
    private volatile bool _disabled;
    private volatile bool _requireToken;
    private int _tokenStatusCode;
    private int _throttleNext;
    private int _failNext;
    private int _failStatusCode = 503;
    private long _responseDelayTicks;
    private long _tokenGeneration;
    private string? _spotInstanceAction;

    internal ImdsScenario(ImdsTree tree, bool requireToken)
    {
        _tree = tree;
        _defaultRequireToken = requireToken;
        _requireToken = requireToken;
    }

    /// <summary>IMDS turned off on the instance: every request answers 403.</summary>
    public bool Disabled
    {
        get => _disabled;
        set => _disabled = value;
    }

    /// <summary>
    /// IMDSv2 required (HttpTokens=required): a GET without a valid token answers 401. When false
    /// (v1 allowed), a GET without a token is served, but a wrong or expired token still answers 401.
    /// </summary>
    public bool RequireToken
    {
        get => _requireToken;
        set => _requireToken = value;
    }

    /// <summary>When set, the token PUT answers this status (403/404/405 simulate an IMDS without v2).</summary>
    public int? TokenStatusCode
    {
        get
        {
            int code = Volatile.Read(ref _tokenStatusCode);
            return code == 0 ? null : code;
        }

        set
        {
            if (value is { } code && (code < 100 || code > 599))
            {
                throw new ArgumentOutOfRangeException(nameof(value), code, "An HTTP status code is 100..599.");
            }

            Volatile.Write(ref _tokenStatusCode, value ?? 0);
        }
    }

    /// <summary>The next N requests (of any kind) answer 429 Too Many Requests.</summary>
    public int ThrottleNextRequests
    {
        get => Volatile.Read(ref _throttleNext);
        set => Volatile.Write(ref _throttleNext, Math.Max(0, value));
    }

    /// <summary>The next N requests (of any kind) answer <see cref="FailStatusCode"/>.</summary>
    public int FailNextRequests
    {
        get => Volatile.Read(ref _failNext);
        set => Volatile.Write(ref _failNext, Math.Max(0, value));
    }

    /// <summary>The status <see cref="FailNextRequests"/> answers with; 503 by default.</summary>
    public int FailStatusCode
    {
        get => Volatile.Read(ref _failStatusCode);
        set
        {
            if (value < 500 || value > 599)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "FailStatusCode must be a 5xx status.");
            }

            Volatile.Write(ref _failStatusCode, value);
        }
    }

    /// <summary>Every reply waits this long before it is sent (a slow or hanging IMDS).</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _responseDelayTicks));
        set
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "ResponseDelay cannot be negative.");
            }

            Volatile.Write(ref _responseDelayTicks, value.Ticks);
        }
    }

    /// <summary>
    /// The JSON served at <c>meta-data/spot/instance-action</c> (e.g.
    /// <c>{"action": "terminate", "time": "2026-11-21T08:22:00Z"}</c>); null (the default) answers 404
    /// as on an instance with no interruption notice. For a "time" in the JSON,
    /// <c>spot/termination-time</c> is served too.
    /// </summary>
    public string? SpotInstanceAction
    {
        get => Volatile.Read(ref _spotInstanceAction);
        set
        {
            lock (_spotGate)
            {
                Volatile.Write(ref _spotInstanceAction, value);
                _tree.Remove(SpotInstanceActionPath);
                _tree.Remove(SpotTerminationTimePath);
                if (value is null)
                {
                    return;
                }

                _tree.Set(SpotInstanceActionPath, value);
                if (TryReadTime(value) is { } time)
                {
                    _tree.Set(SpotTerminationTimePath, time);
                }
            }
        }
    }

    /// <summary>Generation tokens are checked against; bumped by <see cref="ExpireAllTokens"/>.</summary>
    internal long TokenGeneration => Interlocked.Read(ref _tokenGeneration);

    /// <summary>Every token issued so far becomes invalid: the next request that uses one answers 401.</summary>
    public void ExpireAllTokens() => Interlocked.Increment(ref _tokenGeneration);

    /// <summary>The switches that are on, e.g. "Disabled, ResponseDelay 50 ms"; "healthy" when none is.</summary>
    public override string ToString()
    {
        var on = new List<string>();
        if (Disabled) on.Add("Disabled");
        if (!RequireToken) on.Add("IMDSv1 allowed");
        if (TokenStatusCode is { } code) on.Add($"TokenStatusCode {code}");
        if (ThrottleNextRequests > 0) on.Add($"ThrottleNextRequests {ThrottleNextRequests}");
        if (FailNextRequests > 0) on.Add($"FailNextRequests {FailNextRequests} ({FailStatusCode})");
        if (ResponseDelay > TimeSpan.Zero) on.Add($"ResponseDelay {ResponseDelay.TotalMilliseconds:0.###} ms");
        if (SpotInstanceAction is not null) on.Add("SpotInstanceAction");
        return on.Count == 0 ? "healthy" : string.Join(", ", on);
    }

    /// <summary>Clears every switch back to a healthy IMDS (RequireToken back to the emulator's option).</summary>
    public void Reset()
    {
        Disabled = false;
        RequireToken = _defaultRequireToken;
        TokenStatusCode = null;
        ThrottleNextRequests = 0;
        FailNextRequests = 0;
        FailStatusCode = 503;
        ResponseDelay = TimeSpan.Zero;
        SpotInstanceAction = null;
    }

    /// <summary>Takes one from a "next N requests" counter; true when this request must fail.</summary>
    internal static bool TryConsume(ref int counter)
    {
        while (true)
        {
            int current = Volatile.Read(ref counter);
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

    internal bool ConsumeThrottle() => TryConsume(ref _throttleNext);

    internal bool ConsumeFailure() => TryConsume(ref _failNext);

    private static string? TryReadTime(string json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && doc.RootElement.TryGetProperty("time", out var time)
                   && time.ValueKind == System.Text.Json.JsonValueKind.String
                ? time.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Tests may serve deliberately broken JSON; then there is simply no termination-time.
            return null;
        }
    }
}
