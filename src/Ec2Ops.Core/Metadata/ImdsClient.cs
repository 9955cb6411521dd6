using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Core.Metadata;

/// <summary>
/// A small, strict IMDS client: IMDSv2 first (token cached per endpoint, renewed before expiry or
/// on 401), IMDSv1 only when the token request answers 403/404/405 and v1 is allowed, retries with
/// jittered backoff on timeouts, connection failures, 429 and 5xx, and errors that say what was tried.
/// It trusts nothing it receives: replies are capped in size and time, and a token is checked
/// before it is cached or sent. Its deadlines fire on a dedicated thread (<see cref="DeadlineTimer"/>),
/// so a timeout holds even when the process's thread pool is starved.
/// </summary>
public sealed class ImdsClient
{
    /// <summary>The most a reply may carry. IMDS values are small: user-data, the largest, is at most 16 KB.</summary>
    public const int MaxReplyBytes = 64 * 1024;

    /// <summary>The longest session token accepted (real ones are about 60 characters).</summary>
    public const int MaxTokenLength = 1024;

    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const string TokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

    // One handler for the process: connections are pooled; proxies are never used for IMDS.
    private static readonly HttpClient SharedHttp = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 16,
        MaxResponseHeadersLength = 16, // KiB
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly HttpClient _http;
    private readonly ImdsTokenCache _tokens;
    private readonly IOperationLog _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private volatile bool _useV1;

    public ImdsClient(ImdsSettings settings, ImdsTokenCache? tokens = null, IOperationLog? log = null, TimeProvider? time = null, HttpClient? http = null)
    {
        Settings = settings;
        _tokens = tokens ?? ImdsTokenCache.Shared;
        _log = log ?? NullOperationLog.Instance;
        _time = time ?? TimeProvider.System;
        _http = http ?? SharedHttp;
    }

    public ImdsSettings Settings { get; }

    /// <summary>2 while session tokens are used, 1 after falling back to IMDSv1.</summary>
    public int ProtocolVersion => _useV1 ? 1 : 2;

    /// <summary>The text at an absolute IMDS path. A missing path throws <c>ImdsPathNotFound</c>.</summary>
    public async Task<string> GetTextAsync(string absolutePath, CancellationToken cancellation = default) =>
        await TryGetTextAsync(absolutePath, cancellation).ConfigureAwait(false)
        ?? throw new Ec2OpsException(
            "ImdsPathNotFound",
            Ec2OpsErrorCategory.ObjectNotFound,
            $"The instance metadata path '{absolutePath}' does not exist on this instance (404 from {Settings.Endpoint}).",
            absolutePath)
        {
            RecommendedAction = "List what exists with Get-InstanceMetadata -Path <folder>/ (for example Get-InstanceMetadata -Path / ).",
        };

    /// <summary>The text at an absolute IMDS path, or null when the service answers 404.</summary>
    public async Task<string?> TryGetTextAsync(string absolutePath, CancellationToken cancellation = default)
    {
        var token = await GetTokenAsync(cancellation).ConfigureAwait(false);
        var reply = await SendAsync(HttpMethod.Get, absolutePath, token, cancellation).ConfigureAwait(false);
        if (reply.StatusCode == HttpStatusCode.Unauthorized && token is not null)
        {
            // The token expired or the service restarted: renew once and try again.
            _log.Verbose($"IMDS answered 401 for {absolutePath}: renewing the session token.");
            _tokens.Invalidate(Settings.Endpoint, token);
            token = await GetTokenAsync(cancellation).ConfigureAwait(false);
            var retried = await SendAsync(HttpMethod.Get, absolutePath, token, cancellation).ConfigureAwait(false);
            return Read(retried, absolutePath, token);
        }

        return Read(reply, absolutePath, token);
    }

    private string? Read(ImdsReply reply, string path, string? token)
    {
        switch (reply.StatusCode)
        {
            case HttpStatusCode.OK:
                return reply.Body;
            case HttpStatusCode.NotFound:
                return null;
            case HttpStatusCode.Unauthorized:
                throw new Ec2OpsException(
                    "ImdsUnauthorized",
                    Ec2OpsErrorCategory.AuthenticationError,
                    token is null
                        ? $"IMDS at {Settings.Endpoint} answered 401 to GET {path}: it requires IMDSv2 session tokens, but its token request was refused earlier, so no token could be sent."
                        : $"IMDS at {Settings.Endpoint} answered 401 to GET {path} even with a freshly issued session token.",
                    path);
            case HttpStatusCode.Forbidden:
                throw new Ec2OpsException(
                    "ImdsForbidden",
                    Ec2OpsErrorCategory.PermissionDenied,
                    $"IMDS at {Settings.Endpoint} answered 403 Forbidden to GET {path}: the metadata service is turned off for this instance (HttpEndpoint=disabled), or the request is not allowed.",
                    path)
                {
                    RecommendedAction = "Turn IMDS on: aws ec2 modify-instance-metadata-options --instance-id <id> --http-endpoint enabled.",
                };
            default:
                throw UnexpectedStatus(reply, $"GET {path}");
        }
    }

    /// <summary>The session token to send, or null once the client has fallen back to IMDSv1.</summary>
    private async Task<string?> GetTokenAsync(CancellationToken cancellation)
    {
        if (_useV1)
        {
            return null;
        }

        if (_tokens.TryGet(Settings.Endpoint, _time.GetUtcNow(), out var cached))
        {
            return cached;
        }

        await _tokenGate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            // Another request may have fetched one while this one waited.
            if (_tokens.TryGet(Settings.Endpoint, _time.GetUtcNow(), out cached))
            {
                return cached;
            }

            var issuedAt = _time.GetUtcNow();
            var reply = await SendAsync(HttpMethod.Put, ImdsPath.Token, null, cancellation).ConfigureAwait(false);
            if (reply.StatusCode == HttpStatusCode.OK)
            {
                // Checked before it is cached: a bad token would break every later call of the session.
                var token = reply.Body.Trim();
                var ttl = ValidateToken(token, reply.TokenTtl);
                _tokens.Store(Settings.Endpoint, token, issuedAt, TimeSpan.FromSeconds(ttl));
                _log.Verbose($"IMDSv2 session token from {Settings.Endpoint} (lifetime {ttl} s).");
                return token;
            }

            if (reply.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
            {
                var status = (int)reply.StatusCode;
                if (!Settings.AllowImdsV1)
                {
                    throw new Ec2OpsException(
                        "ImdsTokenRefused",
                        Ec2OpsErrorCategory.PermissionDenied,
                        $"IMDS at {Settings.Endpoint} answered {status} to the IMDSv2 token request (PUT {ImdsPath.Token}), and the IMDSv1 fallback is disabled (-DisableImdsV1 or {ImdsSettings.V1DisabledVariable}=true). "
                        + (status == 403 ? "A 403 also means IMDS may be turned off for this instance (HttpEndpoint=disabled)." : "This endpoint may not support IMDSv2."),
                        ImdsPath.Token);
                }

                _log.Verbose($"IMDS answered {status} to the token request: falling back to IMDSv1 (no token).");
                _useV1 = true;
                return null;
            }

            throw UnexpectedStatus(reply, $"PUT {ImdsPath.Token} (IMDSv2 token request)");
        }
        finally
        {
            _tokenGate.Release();
        }
    }

    /// <summary>
    /// A token is printable ASCII without spaces, 1 to <see cref="MaxTokenLength"/> characters, and
    /// its TTL header, when sent, is 1..21600. Returns the lifetime to cache it for.
    /// </summary>
    private int ValidateToken(string token, string? ttlHeader)
    {
        string? problem = token.Length == 0 ? "it is empty"
            : token.Length > MaxTokenLength ? $"it is {token.Length:N0} characters long (at most {MaxTokenLength:N0})"
            : token.Any(c => c is < '!' or > '~') ? "it contains characters other than printable ASCII (a line break, a control character or a space)"
            : null;
        int ttl = Settings.TokenTtlSeconds;
        if (problem is null && ttlHeader is not null
            && (!int.TryParse(ttlHeader, NumberStyles.Integer, CultureInfo.InvariantCulture, out ttl) || ttl is < 1 or > ImdsSettings.MaxTokenTtlSeconds))
        {
            problem = $"its lifetime header {TokenTtlHeader} is '{Shorten(ttlHeader)}', not a number of seconds from 1 to {ImdsSettings.MaxTokenTtlSeconds}";
        }

        if (problem is not null)
        {
            throw new Ec2OpsException(
                "ImdsInvalidToken",
                Ec2OpsErrorCategory.ProtocolError,
                $"IMDS at {Settings.Endpoint} answered the IMDSv2 token request (PUT {ImdsPath.Token}) with a session token that cannot be used: {problem}. It was not kept, and nothing was sent with it.",
                ImdsPath.Token)
            {
                RecommendedAction = "Check that the endpoint is the instance metadata service (-Endpoint, " + ImdsSettings.EndpointVariable + ").",
            };
        }

        return ttl;
    }

    /// <summary>Sends one request, retrying timeouts, connection failures, 429 and 5xx up to MaxAttempts.</summary>
    private async Task<ImdsReply> SendAsync(HttpMethod method, string path, string? token, CancellationToken cancellation)
    {
        var step = method == HttpMethod.Put ? $"the IMDSv2 token request (PUT {path})" : $"GET {path}";
        Exception? lastFailure = null;
        HttpStatusCode? lastStatus = null;

        for (var attempt = 1; attempt <= Settings.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await DeadlineTimer.Delay(Backoff(attempt), cancellation).ConfigureAwait(false);
            }

            var progress = new ExchangeProgress();
            using var exchangeCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var exchange = ExchangeAsync(method, path, token, progress, exchangeCancellation.Token);
            using (var deadline = DeadlineTimer.Start(Settings.Timeout))
            {
                if (await Task.WhenAny(exchange, deadline.Expired).ConfigureAwait(false) != exchange)
                {
                    // Out of time: abandon the exchange (its failure is observed, not rethrown).
                    exchangeCancellation.Cancel();
                    _ = exchange.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    lastFailure = progress.StatusCode is { } started
                        ? new ImdsIncompleteReplyException(started, Volatile.Read(ref progress.BytesRead))
                        : new TimeoutException($"no answer within {Seconds(Settings.Timeout)} s");
                    _log.Verbose(lastFailure is ImdsIncompleteReplyException
                        ? $"IMDS began answering {step} but had not finished after {Seconds(Settings.Timeout)} s (attempt {attempt} of {Settings.MaxAttempts})."
                        : $"IMDS did not answer {step} within {Seconds(Settings.Timeout)} s (attempt {attempt} of {Settings.MaxAttempts}).");
                    continue;
                }
            }

            try
            {
                var reply = await exchange.ConfigureAwait(false);
                if (reply.StatusCode == HttpStatusCode.TooManyRequests || (int)reply.StatusCode >= 500)
                {
                    lastStatus = reply.StatusCode;
                    lastFailure = null;
                    _log.Verbose($"IMDS answered {(int)reply.StatusCode} to {step} (attempt {attempt} of {Settings.MaxAttempts}).");
                    continue;
                }

                _log.Debug($"{method} {path} -> {(int)reply.StatusCode}");
                return reply;
            }
            catch (HttpRequestException failure)
            {
                lastFailure = failure;
                _log.Verbose($"IMDS connection failed for {step}: {failure.Message} (attempt {attempt} of {Settings.MaxAttempts}).");
            }
        }

        if (lastStatus is { } status && lastFailure is null)
        {
            var throttled = status == HttpStatusCode.TooManyRequests;
            throw new Ec2OpsException(
                throttled ? "ImdsThrottled" : "ImdsServerError",
                throttled ? Ec2OpsErrorCategory.LimitsExceeded : Ec2OpsErrorCategory.ResourceUnavailable,
                $"IMDS at {Settings.Endpoint} answered {(int)status} to {step} on all {Settings.MaxAttempts} attempt(s)"
                + (throttled ? ": the instance is sending metadata requests faster than IMDS allows." : "."),
                path)
            {
                RecommendedAction = $"Try again in a moment, or allow more attempts with -MaxAttempts or {ImdsSettings.AttemptsVariable}.",
            };
        }

        if (lastFailure is ImdsIncompleteReplyException incomplete)
        {
            throw new Ec2OpsException(
                "ImdsIncompleteReply",
                Ec2OpsErrorCategory.OperationTimeout,
                $"IMDS at {Settings.Endpoint} began answering {step} ({incomplete.StatusCode}) but had not finished the reply after {Seconds(Settings.Timeout)} s "
                + $"({incomplete.BytesRead:N0} bytes received), on all {Settings.MaxAttempts} attempt(s). A real IMDS answers in milliseconds: this endpoint sends without end or very slowly.",
                path,
                incomplete)
            {
                RecommendedAction = "Check that the endpoint is the instance metadata service (-Endpoint, " + ImdsSettings.EndpointVariable + ").",
            };
        }

        throw Unreachable(step, lastFailure);
    }

    /// <summary>One request and its whole reply, the body read with a cap of <see cref="MaxReplyBytes"/>.</summary>
    private async Task<ImdsReply> ExchangeAsync(HttpMethod method, string path, string? token, ExchangeProgress progress, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, new Uri(Settings.Endpoint, path.TrimStart('/')));
        if (method == HttpMethod.Put)
        {
            request.Headers.Add(TokenTtlHeader, Settings.TokenTtlSeconds.ToString(CultureInfo.InvariantCulture));
        }
        else if (token is not null)
        {
            request.Headers.Add(TokenHeader, token);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
        progress.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentLength is > MaxReplyBytes)
        {
            throw TooLarge(method, path, response.Content.Headers.ContentLength.Value);
        }

        using var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxReplyBytes)
            {
                throw TooLarge(method, path, null);
            }

            buffer.Write(chunk, 0, read);
            Interlocked.Add(ref progress.BytesRead, read);
        }

        string? ttl = response.Headers.TryGetValues(TokenTtlHeader, out var values) ? values.FirstOrDefault() : null;
        return new ImdsReply(response.StatusCode, response.ReasonPhrase, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), ttl);
    }

    private Ec2OpsException TooLarge(HttpMethod method, string path, long? declared) => new(
        "ImdsReplyTooLarge",
        Ec2OpsErrorCategory.InvalidData,
        $"IMDS at {Settings.Endpoint} sent {(declared is { } size ? $"a reply of {size:N0} bytes" : "more than " + (MaxReplyBytes / 1024) + " KiB")} for {method} {path}; "
        + $"the cap is {MaxReplyBytes / 1024} KiB, as IMDS values are small (user-data, the largest, is at most 16 KB). The reply was abandoned.",
        path)
    {
        RecommendedAction = "Check that the endpoint is the instance metadata service (-Endpoint, " + ImdsSettings.EndpointVariable + ").",
    };

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private Ec2OpsException Unreachable(string step, Exception? failure)
    {
        var timedOut = failure is TimeoutException;
        var refused = (failure as HttpRequestException)?.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };
        var what = timedOut ? failure!.Message : failure?.Message ?? "no answer";
        return new Ec2OpsException(
            "ImdsUnreachable",
            timedOut ? Ec2OpsErrorCategory.OperationTimeout : Ec2OpsErrorCategory.ConnectionError,
            $"The instance metadata service did not answer at {Settings.Endpoint} (endpoint from {Settings.EndpointSource}). "
            + $"Tried {step}, {Settings.MaxAttempts} attempt(s), timeout {Settings.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {what}. "
            + "Likely causes: this machine is not an EC2 instance; the metadata endpoint is turned off for the instance (HttpEndpoint=disabled); "
            + "inside a container the hop limit (HttpPutResponseHopLimit) is 1 and must be at least 2"
            + (refused ? "; nothing listens at that address and port (is the emulator running?)" : string.Empty) + ".",
            Settings.Endpoint.AbsoluteUri,
            failure)
        {
            RecommendedAction = "On EC2, check the instance's metadata options (aws ec2 describe-instances --query 'Reservations[].Instances[].MetadataOptions'). "
                + $"Off EC2, use Start-Ec2OpsEmulator, or point -Endpoint / {ImdsSettings.EndpointVariable} at an IMDS.",
        };
    }

    private Ec2OpsException UnexpectedStatus(ImdsReply reply, string step) => new(
        "ImdsUnexpectedStatus",
        Ec2OpsErrorCategory.ProtocolError,
        $"IMDS at {Settings.Endpoint} answered {(int)reply.StatusCode} {reply.ReasonPhrase} to {step}, which is not an answer IMDS gives.",
        step);

    // Exponential with full jitter: 50 ms, 100 ms, 200 ms ... capped at 1 s.
    private static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(1000, 50 * Math.Pow(2, attempt - 2));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>What came back: status, body (capped), and the token lifetime header of a token reply.</summary>
    private sealed record ImdsReply(HttpStatusCode StatusCode, string? ReasonPhrase, string Body, string? TokenTtl);

    /// <summary>How far an exchange got, read when its deadline passes.</summary>
    private sealed class ExchangeProgress
    {
        private int _status;

        public long BytesRead;

        /// <summary>The status of the reply once its headers came; null before.</summary>
        public int? StatusCode
        {
            get => Volatile.Read(ref _status) is var status and > 0 ? status : null;
            set => Volatile.Write(ref _status, value ?? 0);
        }
    }

    /// <summary>A reply whose status and headers came but whose body did not finish in time.</summary>
    private sealed class ImdsIncompleteReplyException(int statusCode, long bytesRead)
        : TimeoutException($"the reply ({statusCode}) had not finished ({bytesRead:N0} bytes received)")
    {
        public int StatusCode { get; } = statusCode;

        public long BytesRead { get; } = bytesRead;
    }
}
