using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace Ec2Ops.Core.Aws;

/// <summary>
/// The AWS Query protocol on AWSSDK.Core's signer: an HTTP POST of a form-urlencoded body
/// (<c>Action=...&amp;Version=...&amp;...</c>), signed with Signature Version 4, answered in XML.
/// Retries throttling, 5xx and failed connections with jittered backoff
/// (<see cref="AwsRetryPolicy"/>); turns error answers into <see cref="AwsServiceException"/>s.
/// </summary>
internal sealed class AwsQueryClient
{
    internal const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    // One handler for the process: connections to the endpoint are pooled and reused.
    private static readonly HttpClient SharedHttp = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxConnectionsPerServer = 32,
        AutomaticDecompression = System.Net.DecompressionMethods.All,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly HttpClient _http;
    private readonly Func<AWSCredentials> _credentials;
    private readonly RegionEndpoint _region;
    private readonly IOperationLog _log;
    private readonly Random _random;
    private int _calls;

    public AwsQueryClient(
        string service,
        string signingName,
        string version,
        AwsEndpoint endpoint,
        string region,
        Func<AWSCredentials> credentials,
        AwsRetryPolicy? retry = null,
        IOperationLog? log = null,
        HttpClient? http = null,
        Random? random = null)
    {
        Service = service;
        SigningName = signingName;
        Version = version;
        Endpoint = endpoint;
        _region = RegionEndpoint.GetBySystemName(region);
        _credentials = credentials;
        Retry = retry ?? AwsRetryPolicy.Default;
        _log = log ?? NullOperationLog.Instance;
        _http = http ?? SharedHttp;
        _random = random ?? Random.Shared;
    }

    /// <summary>The service as AWS names it in errors and IAM (CloudWatch, EC2).</summary>
    public string Service { get; }

    /// <summary>The SigV4 service name (monitoring, ec2).</summary>
    public string SigningName { get; }

    public string Version { get; }

    public AwsEndpoint Endpoint { get; }

    public AwsRetryPolicy Retry { get; }

    /// <summary>HTTP requests sent so far (retries included).</summary>
    public int HttpRequests => Volatile.Read(ref _calls);

    /// <summary>The body sent for an action: <c>Action</c>, <c>Version</c>, then the parameters in order.</summary>
    public string FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters) =>
        QueryForm.Encode(new[] { KeyValuePair.Create("Action", action), KeyValuePair.Create("Version", Version) }.Concat(parameters));

    /// <summary>Sends one action and returns the root element of its XML answer.</summary>
    public async Task<XElement> SendAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellation)
    {
        var text = await SendForTextAsync(action, parameters, cancellation).ConfigureAwait(false);
        return ParseXml(text, action, 200);
    }

    /// <summary>Sends one action and returns its XML answer as text, for callers that stream-parse large answers.</summary>
    public async Task<string> SendForTextAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellation)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(action, parameters));
        AWSCredentials credentials;
        try
        {
            credentials = _credentials();
        }
        catch (AmazonClientException failure)
        {
            throw AwsContext.NoCredentials(failure);
        }

        Exception? lastFailure = null;
        for (var attempt = 1; attempt <= Retry.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                var pause = Retry.DelayBefore(attempt, NextUniform());
                _log.Verbose($"{Service} {action}: try {attempt} of {Retry.MaxAttempts} in {pause.TotalMilliseconds:0} ms.");
                await Task.Delay(pause, cancellation).ConfigureAwait(false);
            }

            using var request = Sign(body, credentials);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(Retry.AttemptTimeout);
            var watch = Stopwatch.StartNew();
            HttpResponseMessage reply;
            string text;
            try
            {
                Interlocked.Increment(ref _calls);
                reply = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                text = await reply.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is HttpRequestException or IOException
                || failure is OperationCanceledException && !cancellation.IsCancellationRequested)
            {
                lastFailure = failure;
                _log.Debug($"{Service} {action} at {Endpoint.Uri}: no answer ({AwsErrors.Describe(failure)})");
                continue;
            }
            catch (AmazonClientException failure)
            {
                throw AwsContext.NoCredentials(failure);
            }

            using (reply)
            {
                var status = (int)reply.StatusCode;
                _log.Debug($"{Service} {action} -> {status} in {watch.ElapsedMilliseconds} ms ({body.Length} bytes sent, {text.Length} received).");
                if (reply.IsSuccessStatusCode)
                {
                    return text;
                }

                var (code, message, requestId) = ParseError(text);
                if (AwsErrors.IsRetryable(status, code) && attempt < Retry.MaxAttempts)
                {
                    _log.Verbose($"{Service} {action} answered {status} {code}: retrying.");
                    continue;
                }

                throw AwsErrors.FromResponse(Service, action, Endpoint.Uri, status, code, message, requestId, attempt);
            }
        }

        throw AwsErrors.Unreachable(Service, action, Endpoint.Uri, Endpoint.Source, Retry.MaxAttempts, lastFailure!);
    }

    private HttpRequestMessage Sign(byte[] body, AWSCredentials credentials)
    {
        var signing = new AWSSigningRequest
        {
            HttpMethod = HttpMethod.Post,
            RequestUri = Endpoint.Uri,
            Content = body,
        };
        signing.Headers["Content-Type"] = FormContentType;
        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = _region,
            Service = SigningName,
            SignPayload = true,
        });

        // Every header that was signed must be sent: the signer's and the Content-Type.
        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint.Uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(FormContentType);
        foreach (var (name, value) in signed.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    internal XElement ParseXml(string text, string action, int status)
    {
        try
        {
            return XDocument.Parse(text).Root ?? throw new XmlException("the document is empty");
        }
        catch (XmlException failure)
        {
            throw new AwsServiceException(
                "AwsInvalidResponse",
                Ec2OpsErrorCategory.InvalidResult,
                $"{Service} {action} at {Endpoint.Uri} answered {status} with a body that is not XML: {failure.Message}",
                Service, action, null, status, null, null, null, failure);
        }
    }

    /// <summary>Code, message and request id of an error body (CloudWatch's ErrorResponse or EC2's Response/Errors).</summary>
    internal static (string? Code, string? Message, string? RequestId) ParseError(string text)
    {
        try
        {
            var root = XDocument.Parse(text).Root;
            if (root is null)
            {
                return (null, null, null);
            }

            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            string? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            var requestId = root.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
            return (Child(error, "Code"), Child(error, "Message"), requestId);
        }
        catch (XmlException)
        {
            return (null, text.Length > 200 ? text[..200] : text, null);
        }
    }

    private double NextUniform()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }
}

/// <summary>Form encoding as the Query protocol signs and sends it: RFC 3986 percent-encoding, '/' as %2F, ' ' as %20.</summary>
public static class QueryForm
{
    public static string Encode(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));

    /// <summary>The ISO 8601 UTC form AWS expects for timestamps: 2026-12-02T06:00:00Z.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Decodes a form body (also '+' as a space) into fields, in order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Decode(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => KeyValuePair.Create(Unescape(kv[0]), kv.Length > 1 ? Unescape(kv[1]) : ""))
            .ToList();

    private static string Unescape(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
