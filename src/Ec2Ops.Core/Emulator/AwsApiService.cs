using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Ec2Ops.Core.Aws;

namespace Ec2Ops.Core.Emulator;

/// <summary>
/// The emulator's AWS side: a Query-protocol POST to "/" is routed to CloudWatch or EC2 (by the
/// API Version, else the action, else the SigV4 credential scope), after the checks a real
/// endpoint makes: a form-urlencoded body, a well-formed SigV4 Authorization for the right
/// service (recomputed when the emulator knows the secret), then the scenario's denials,
/// throttling and failures. Every answer is logged in <see cref="AwsScenario.Calls"/>.
/// </summary>
internal sealed class AwsApiService
{
    private const int MaxBodyBytes = 8 * 1024 * 1024;

    private readonly CloudWatchEmulator _cloudWatch;
    private readonly Ec2Emulator _ec2;
    private readonly AwsScenario _scenario;
    private readonly EmulatorOptions _options;
    private readonly ImdsTree _tree;
    private readonly TimeProvider _clock;

    public AwsApiService(CreditFleet fleet, AwsScenario scenario, EmulatorOptions options, ImdsTree tree, TimeProvider clock)
    {
        _cloudWatch = new CloudWatchEmulator(fleet, scenario);
        _ec2 = new Ec2Emulator(fleet, options.AccountId, options.Region);
        _scenario = scenario;
        _options = options;
        _tree = tree;
        _clock = clock;
    }

    /// <summary>Whether a request is an AWS API call (Query protocol: POST /).</summary>
    public static bool Owns(string method, string path) => method == "POST" && path is "/" or "";

    /// <summary>Answers one Query-protocol call; runs on the connection's own thread (see EmulatorHttpServer).</summary>
    public EmulatorResponse Handle(EmulatorHttpRequest request, CancellationToken stopping)
    {
        var requestId = Guid.NewGuid().ToString();
        byte[] body = request.Body;

        string? Header(string name) => request.Headers[name];
        var fields = new AwsQueryRequest(QueryForm.Decode(Encoding.UTF8.GetString(body)));
        var service = ServiceOf(fields, Header("Authorization"));
        var action = fields.Action ?? "";
        var now = _clock.GetUtcNow();
        try
        {
            if (body.Length > MaxBodyBytes)
            {
                throw new AwsFault(413, "RequestEntityTooLarge", $"The request body is {body.Length} bytes; the limit is {MaxBodyBytes}.");
            }

            if (!(request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                throw new AwsFault(400, "InvalidParameterValue", $"The Query protocol takes a form-urlencoded body (Content-Type: application/x-www-form-urlencoded), not '{request.ContentType}'.");
            }

            if (action.Length == 0)
            {
                throw new AwsFault(400, "MissingAction", "The request must contain the parameter Action.");
            }

            if (service is null)
            {
                throw new AwsFault(400, "InvalidAction", $"The action {action} is not valid for this web service (the emulator serves CloudWatch {CloudWatchEmulator.Version} and EC2 {Ec2Emulator.Version}).");
            }

            var signingName = service == "CloudWatch" ? "monitoring" : "ec2";
            var signatureProblem = AwsSignatureCheck.Check(
                "POST", request.Url.AbsolutePath, request.Url.Query, Header, body, signingName, now,
                key => _scenario.VerifySignatures ? SecretOf(key) : null, out var signature);
            if (signatureProblem is { } problem)
            {
                throw new AwsFault(problem.Code == "MissingAuthenticationToken" && service == "EC2" ? 401 : 403, service == "EC2" && problem.Code == "MissingAuthenticationToken" ? "AuthFailure" : problem.Code, problem.Message);
            }

            var permission = (service == "CloudWatch" ? "cloudwatch:" : "ec2:") + action;
            if (_scenario.IsDenied(permission))
            {
                var who = $"arn:aws:sts::{_options.AccountId}:assumed-role/{_options.IamRoleName ?? "ec2ops-demo-role"}/{_options.InstanceId}";
                throw service == "CloudWatch"
                    ? new AwsFault(403, "AccessDenied", $"User: {who} is not authorized to perform: {permission} because no identity-based policy allows the {permission} action")
                    : new AwsFault(403, "UnauthorizedOperation", $"You are not authorized to perform this operation. User: {who} is not authorized to perform: {permission} because no identity-based policy allows the {permission} action");
            }

            if (_scenario.ConsumeThrottle())
            {
                throw service == "CloudWatch"
                    ? new AwsFault(400, "Throttling", "Rate exceeded")
                    : new AwsFault(503, "RequestLimitExceeded", "Request limit exceeded.");
            }

            if (_scenario.ConsumeFailure())
            {
                var status = _scenario.FailStatusCode;
                throw service == "CloudWatch"
                    ? new AwsFault(status, status == 500 ? "InternalFailure" : "ServiceUnavailable", status == 500 ? "The request processing has failed because of an unknown error, exception or failure." : "The request has failed due to a temporary failure of the server.")
                    : new AwsFault(status, status == 500 ? "InternalError" : "Unavailable", status == 500 ? "An internal error has occurred" : "The server is overloaded and can't handle the request.");
            }

            if (_scenario.ResponseDelay is { Ticks: > 0 } delay && stopping.WaitHandle.WaitOne(delay))
            {
                throw new OperationCanceledException(stopping);
            }

            var version = fields.Version;
            var expected = service == "CloudWatch" ? CloudWatchEmulator.Version : Ec2Emulator.Version;
            if (version is not null && version != expected)
            {
                throw new AwsFault(400, "InvalidParameterValue", $"Version {version} is not served; {service} here speaks {expected}.");
            }

            var document = service == "CloudWatch" ? _cloudWatch.Handle(fields, now) : _ec2.Handle(fields);
            return Reply(service, action, 200, null, document, requestId, now);
        }
        catch (AwsFault fault)
        {
            var document = CloudWatchEmulator.Text(service == "EC2" ? Ec2Emulator.Error(fault, requestId) : CloudWatchEmulator.Error(fault, requestId));
            return Reply(service ?? "Unknown", action, fault.Status, fault.Code, document, requestId, now);
        }
    }

    private EmulatorResponse Reply(string service, string action, int status, string? code, string document, string requestId, DateTimeOffset now)
    {
        _scenario.Record(new AwsCall(service, action, status, code, now));
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + document;
        return new EmulatorResponse(status, text, new Dictionary<string, string> { ["x-amzn-RequestId"] = requestId }, "text/xml");
    }

    private static string? ServiceOf(AwsQueryRequest fields, string? authorization)
    {
        switch (fields.Version)
        {
            case CloudWatchEmulator.Version:
                return "CloudWatch";
            case Ec2Emulator.Version:
                return "EC2";
        }

        if (CloudWatchEmulator.Handles(fields.Action))
        {
            return "CloudWatch";
        }

        if (Ec2Emulator.Handles(fields.Action))
        {
            return "EC2";
        }

        return authorization switch
        {
            { } a when a.Contains("/monitoring/aws4_request", StringComparison.Ordinal) => "CloudWatch",
            { } a when a.Contains("/ec2/aws4_request", StringComparison.Ordinal) => "EC2",
            _ => null,
        };
    }

    /// <summary>The secret of an access key the emulator handed out: its dummy key, or the instance profile's current keys.</summary>
    private (string Secret, string? Token)? SecretOf(string accessKeyId)
    {
        if (accessKeyId == EmulatorSession.DummyAccessKeyId)
        {
            return (EmulatorSession.DummySecretAccessKey, null);
        }

        if (_options.IamRoleName is { } role && _tree.GetValue("meta-data/iam/security-credentials/" + role) is { } json)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                if (root.GetProperty("AccessKeyId").GetString() == accessKeyId)
                {
                    return (root.GetProperty("SecretAccessKey").GetString()!, root.GetProperty("Token").GetString());
                }
            }
            catch (Exception failure) when (failure is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return null;
            }
        }

        return null;
    }
}
