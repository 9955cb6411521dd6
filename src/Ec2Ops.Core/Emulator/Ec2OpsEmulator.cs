using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Core.Emulator;

/// <summary>One request the emulator answered, as tests inspect it.</summary>
public sealed record EmulatorRequest(string Method, string Path, int StatusCode, bool HadToken, DateTimeOffset Time);

/// <summary>
/// A loopback emulator of the EC2 instance metadata service (IMDSv2), CloudWatch and the EC2 API,
/// for tests and demos off EC2. It listens on http://127.0.0.1:{port}/ only, answers every request
/// on the thread pool (so concurrent clients really run concurrently), and stops cleanly. IMDS is
/// served under /latest/...; CloudWatch and EC2 as Query-protocol POST / (AwsApiService).
/// </summary>
public sealed class Ec2OpsEmulator : IDisposable, IAsyncDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly HttpListener _listener;
    private readonly EmulatorOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ImdsService _imds;
    private readonly AwsApiService _aws;
    private readonly Queue<EmulatorRequest> _log = new();
    private readonly object _logGate = new();
    private readonly Task _acceptLoop;
    private int _inFlight;
    private int _maxInFlight;
    private int _stopped;

    private Ec2OpsEmulator(HttpListener listener, int port, EmulatorOptions options, DateTimeOffset startTime)
    {
        _listener = listener;
        Port = port;
        _options = options;
        StartTime = startTime;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        ImdsEndpoint = Endpoint;
        Tree = ImdsDefaultTree.Create(options, startTime);
        Imds = new ImdsScenario(Tree, options.RequireImdsV2);
        _imds = new ImdsService(Tree, Imds, options.TimeProvider);
        Fleet = options.FleetSize > 0 ? CreditFleet.Generate(options.FleetSize, options, startTime) : CreditFleet.Default(options, startTime);
        _aws = new AwsApiService(Fleet, Aws, options, Tree, options.TimeProvider);
        _acceptLoop = Task.Run(AcceptLoopAsync);
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
    public IReadOnlyList<EmulatorRequest> Requests
    {
        get
        {
            lock (_logGate)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>The most requests that were being handled at the same moment.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    /// <summary>Starts an emulator; throws an <see cref="Ec2OpsException"/> for bad options or a port in use.</summary>
    public static Ec2OpsEmulator Start(EmulatorOptions? options = null)
    {
        EmulatorOptions effective = (options ?? new EmulatorOptions()).Clone();
        effective.Validate();
        DateTimeOffset startTime = effective.TimeProvider.GetUtcNow();

        // With port 0, another process can take the free port we found before we bind it: retry.
        for (int attempt = 1; ; attempt++)
        {
            int port = effective.Port != 0 ? effective.Port : FindFreePort();
            var listener = new HttpListener { IgnoreWriteExceptions = true };
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException ex) when (ex.ErrorCode == 5)
            {
                // Windows' http.sys refuses the registration to a user without a URL reservation.
                listener.Close();
                throw new Ec2OpsException(
                    "EmulatorAccessDenied",
                    Ec2OpsErrorCategory.PermissionDenied,
                    $"The emulator is not allowed to listen on http://127.0.0.1:{port}/: {ex.Message}",
                    port,
                    ex)
                {
                    RecommendedAction = "On Windows, run PowerShell as administrator once, or reserve the address: netsh http add urlacl url=http://127.0.0.1:<port>/ user=<you>, then start with -Port <port>.",
                };
            }
            catch (HttpListenerException ex)
            {
                listener.Close();
                if (effective.Port == 0 && attempt < 10)
                {
                    continue;
                }

                throw new Ec2OpsException(
                    "EmulatorPortInUse",
                    Ec2OpsErrorCategory.ResourceUnavailable,
                    $"The emulator cannot listen on http://127.0.0.1:{port}/: {ex.Message}",
                    port,
                    ex)
                {
                    RecommendedAction = "Choose another port, or use port 0 to let the emulator pick a free one.",
                };
            }

            try
            {
                return new Ec2OpsEmulator(listener, port, effective, startTime);
            }
            catch
            {
                listener.Close();
                throw;
            }
        }
    }

    /// <summary>Forgets the request log and the concurrency high-water mark.</summary>
    public void ClearRequests()
    {
        lock (_logGate)
        {
            _log.Clear();
        }

        Volatile.Write(ref _maxInFlight, 0);
    }

    /// <summary>Stops listening, cancels slow replies and waits briefly for requests in flight. Idempotent.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Cancel slow replies first and let their handlers answer, then close the listener: closing
        // it with requests in flight would send those clients an empty 200.
        _stopping.Cancel();
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by the listener throwing; nothing to report.
        }
    }

    public void Dispose() => Stop();

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"Ec2OpsEmulator {Endpoint} ({InstanceType} in {AvailabilityZone}, {(IsRunning ? "running" : "stopped")})";

    private static int FindFreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                // A client that hung up mid-handshake; keep serving the others.
                continue;
            }

            // Each request on the thread pool: a slow reply never holds up the next one.
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        int now = Interlocked.Increment(ref _inFlight);
        bool counted = true;
        UpdateMax(now);
        HttpListenerRequest request = context.Request;
        HttpListenerResponse response = context.Response;
        string method = request.HttpMethod.ToUpperInvariant();
        string path = request.Url?.AbsolutePath ?? "/";
        bool hadToken = !string.IsNullOrEmpty(request.Headers[ImdsService.TokenHeader]);
        try
        {
            if (!OperatingSystem.IsWindows() && (method is "PUT" or "POST") && request.Headers["Content-Length"] is null && request.Headers["Transfer-Encoding"] is null)
            {
                // HttpListener's managed implementation has already answered 411 Length Required
                // (curl -X PUT without a body sends no Content-Length) yet still hands us the request.
                Log(method, path, 411, hadToken);
                return;
            }

            EmulatorResponse reply = await AnswerAsync(method, Uri.UnescapeDataString(path), request).ConfigureAwait(false);

            // Logged, and no longer counted in flight, before the reply goes out: a client that has
            // its answer finds it in the log, and its next request never overlaps this one.
            Log(method, path, reply.StatusCode, hadToken);
            LeaveFlight(ref counted);
            await WriteAsync(response, reply).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped during a slow reply: say so rather than leave the client hanging.
            var stopped = EmulatorResponse.Text(503, "Emulator stopped");
            Log(method, path, stopped.StatusCode, hadToken);
            await TryWriteAsync(response, stopped).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away or the emulator is stopping; the log already says what we answered.
            Abort(response);
        }
        finally
        {
            LeaveFlight(ref counted);
        }
    }

    private void LeaveFlight(ref bool counted)
    {
        if (counted)
        {
            counted = false;
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<EmulatorResponse> AnswerAsync(string method, string path, HttpListenerRequest request)
    {
        // CloudWatch and EC2 (Query protocol, POST /): AwsApiService.cs.
        if (AwsApiService.Owns(method, path))
        {
            return await _aws.HandleAsync(request, _stopping.Token).ConfigureAwait(false);
        }

        if (!ImdsService.Owns(path))
        {
            return EmulatorResponse.Text(404, "Not Found");
        }

        TimeSpan delay = Imds.ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
        }

        return _imds.Handle(method, path, name => request.Headers[name]);
    }

    private static async Task TryWriteAsync(HttpListenerResponse response, EmulatorResponse reply)
    {
        try
        {
            await WriteAsync(response, reply).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            Abort(response);
        }
    }

    private static void Abort(HttpListenerResponse response)
    {
        try
        {
            response.Abort();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, EmulatorResponse reply)
    {
        byte[] body = Utf8.GetBytes(reply.Body);
        response.StatusCode = reply.StatusCode;
        response.ContentType = reply.ContentType ?? "text/plain";
        response.Headers["Server"] = "EC2ws";
        if (reply.Headers is not null)
        {
            foreach (var header in reply.Headers)
            {
                response.Headers[header.Key] = header.Value;
            }
        }

        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }

    private void UpdateMax(int current)
    {
        int seen = Volatile.Read(ref _maxInFlight);
        while (current > seen)
        {
            int prior = Interlocked.CompareExchange(ref _maxInFlight, current, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
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
