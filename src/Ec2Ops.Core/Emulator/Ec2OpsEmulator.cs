using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Core.Emulator;

/// <summary>One request the emulator answered, as tests inspect it.</summary>
public sealed record EmulatorRequest(string Method, string Path, int StatusCode, bool HadToken, DateTimeOffset Time);

/// <summary>The requests an emulator answered, oldest first; prints as "12 requests" in a CSV cell.</summary>
public sealed class EmulatorRequestLog : System.Collections.ObjectModel.ReadOnlyCollection<EmulatorRequest>
{
    public EmulatorRequestLog(IList<EmulatorRequest> requests)
        : base(requests)
    {
    }

    public override string ToString() => Count == 1 ? "1 request" : $"{Count} requests";
}

/// <summary>
/// A loopback emulator of the EC2 instance metadata service (IMDSv2), CloudWatch and the EC2 API,
/// for tests and demos off EC2. It listens on http://127.0.0.1:{port}/ only, answers each
/// connection on a thread of its own (so concurrent clients really run concurrently, and a starved
/// thread pool in the same process does not silence it), and stops cleanly. IMDS is served under
/// /latest/...; CloudWatch and EC2 as Query-protocol POST / (AwsApiService).
/// </summary>
public sealed class Ec2OpsEmulator : IDisposable, IAsyncDisposable
{
    private readonly EmulatorHttpServer _server;
    private readonly EmulatorOptions _options;
    private readonly ImdsService _imds;
    private readonly AwsApiService _aws;
    private readonly Queue<EmulatorRequest> _log = new();
    private readonly object _logGate = new();
    private int _stopped;

    private Ec2OpsEmulator(int port, EmulatorOptions options, DateTimeOffset startTime)
    {
        _options = options;
        StartTime = startTime;
        Tree = ImdsDefaultTree.Create(options, startTime);
        Imds = new ImdsScenario(Tree, options.RequireImdsV2);
        _imds = new ImdsService(Tree, Imds, options.TimeProvider);
        Fleet = options.FleetSize > 0 ? CreditFleet.Generate(options.FleetSize, options, startTime) : CreditFleet.Default(options, startTime);
        _aws = new AwsApiService(Fleet, Aws, options, Tree, options.TimeProvider);
        _server = EmulatorHttpServer.Start(port, Handle);
        Port = _server.Port;
        Endpoint = new Uri($"http://127.0.0.1:{Port}");
        ImdsEndpoint = Endpoint;
    }

    /// <summary>The base address of everything the emulator serves: http://127.0.0.1:PORT.</summary>
    public Uri Endpoint { get; }

    /// <summary>The IMDS base address (same as <see cref="Endpoint"/>; IMDS lives under /latest/...).</summary>
    public Uri ImdsEndpoint { get; }

    public int Port { get; }

    /// <summary>The settings this emulator runs with (a copy: changing it changes nothing).</summary>
    public EmulatorOptions Options => _options.Clone();

    public string InstanceType => _options.InstanceType;

    public string Region => _options.Region;

    public string AvailabilityZone => _options.AvailabilityZone;

    public string InstanceId => _options.InstanceId;

    /// <summary>Whether IMDS currently requires a v2 token (follows <see cref="ImdsScenario.RequireToken"/>).</summary>
    public bool RequireImdsV2 => Imds.RequireToken;

    public DateTimeOffset StartTime { get; }

    public bool IsRunning => Volatile.Read(ref _stopped) == 0;

    /// <summary>Switches that make IMDS misbehave (disabled, throttled, failing, slow, tokens expired).</summary>
    public ImdsScenario Imds { get; }

    /// <summary>Switches that make the emulated CloudWatch and EC2 misbehave, and the log of their calls.</summary>
    public AwsScenario Aws { get; } = new();

    /// <summary>The instances EC2 and CloudWatch know (the IMDS instance among them) and their credit metrics.</summary>
    public CreditFleet Fleet { get; }

    /// <summary>The metadata served; tests may Set and Remove paths while the emulator runs.</summary>
    public ImdsTree Tree { get; }

    /// <summary>The requests answered so far, oldest first (at most <see cref="Emulator_options.RequestLogCapacity"/>).</summary>
    public EmulatorRequestLog Requests
    {
        get
        {
            lock (_logGate)
            {
                return new EmulatorRequestLog(_log.ToArray());
            }
        }
    }

    /// <summary>The most requests that were being handled at the same moment.</summary>
    public int MaxConcurrentRequests => _server.MaxInFlight;

    /// <summary>Starts an emulator; throws an <see cref="Ec2OpsException"/> for bad options or a port in use.</summary>
    public static Ec2OpsEmulator Start(EmulatorOptions? options = null)
    {
        EmulatorOptions effective = (options ?? new EmulatorOptions()).Clone();
        effective.Validate();
        DateTimeOffset startTime = effective.TimeProvider.GetUtcNow();

        try
        {
            return new Ec2OpsEmulator(effective.Port, effective, startTime);
        }
        catch (SocketException ex)
        {
            throw new Ec2OpsException(
                "EmulatorPortInUse",
                Ec2OpsErrorCategory.ResourceUnavailable,
                $"The emulator cannot listen on http://127.0.0.1:{effective.Port}/: {ex.Message}",
                effective.Port,
                ex)
            {
                RecommendedAction = "Choose another port, or use port 0 to let the emulator pick a free one.",
            };
        }
    }

    /// <summary>Forgets the request log and the concurrency high-water mark.</summary>
    public void ClearRequests()
    {
        lock (_logGate)
        {
            _log.Clear();
        }

        _server.ResetMaxInFlight();
    }

    /// <summary>
    /// Stops listening, cuts slow replies short (they answer 503 "Emulator stopped") and waits
    /// briefly for requests in flight before closing the connections. Idempotent.
    /// </summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _server.Stop(TimeSpan.FromSeconds(2));
    }

    public void Dispose() => Stop();

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"Ec2OpsEmulator {Endpoint} ({InstanceType} in {AvailabilityZone}, {(IsRunning ? "running" : "stopped")})";

    // Called on the connection's own thread; a slow reply waits there, cut short when the emulator stops.
    private EmulatorResponse Handle(EmulatorHttpRequest request, CancellationToken stopping)
    {
        string path = request.Url.AbsolutePath;
        bool hadToken = !string.IsNullOrEmpty(request.Headers[ImdsService.TokenHeader]);
        try
        {
            EmulatorResponse reply = Answer(request.HttpMethod, Uri.UnescapeDataString(path), request, stopping);

            // Logged before the reply goes out (the server stops counting it in flight then too): a
            // client that has its answer finds it in the log, and its next request never overlaps this one.
            Log(request.HttpMethod, path, reply.StatusCode, hadToken);
            return reply;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Log(request.HttpMethod, path, 503, hadToken);
            throw;
        }
    }

    private EmulatorResponse Answer(string method, string path, EmulatorHttpRequest request, CancellationToken stopping)
    {
        // CloudWatch and EC2 (Query protocol, POST /): AwsApiService.cs.
        if (AwsApiService.Owns(method, path))
        {
            return _aws.Handle(request, stopping);
        }

        if (!ImdsService.Owns(path))
        {
            return EmulatorResponse.Text(404, "Not Found");
        }

        TimeSpan delay = Imds.ResponseDelay;
        if (delay > TimeSpan.Zero && stopping.WaitHandle.WaitOne(delay))
        {
            throw new OperationCanceledException(stopping);
        }

        return _imds.Handle(method, path, name => request.Headers[name]);
    }

    private void Log(string method, string path, int status, bool hadToken)
    {
        var entry = new EmulatorRequest(method, path, status, hadToken, _options.TimeProvider.GetUtcNow());
        lock (_logGate)
        {
            if (_options.RequestLogCapacity == 0)
            {
                return;
            }

            while (_log.Count >= _options.RequestLogCapacity)
            {
                _log.Dequeue();
            }

            _log.Enqueue(entry);
        }
    }
}
