using System.Net;

namespace Ec2Ops.Core.Aws;

/// <summary>
/// The one place AWS error codes become <see cref="AwsServiceException"/>s: a stable ErrorId per kind
/// of failure (users match on it), the AWS code and request id kept, and for a denied call the IAM
/// permission the caller lacks. Also says which errors are worth retrying.
/// </summary>
public static class AwsErrors
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "BandwidthLimitExceeded", "EC2ThrottledException",
    };

    private static readonly HashSet<string> DeniedCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "OptInRequired",
    };

    private static readonly HashSet<string> AuthenticationCodes = new(StringComparer.Ordinal)
    {
        "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken", "AuthFailure",
        "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException", "RequestExpired",
        "MissingAuthenticationTokenException", "InvalidAccessKeyId",
    };

    private static readonly HashSet<string> InvalidRequestCodes = new(StringComparer.Ordinal)
    {
        "InvalidParameterValue", "InvalidParameterCombination", "MissingParameter", "MissingRequiredParameter", "ValidationError",
        "InvalidNextToken", "InvalidAction", "InvalidQueryParameter", "MalformedQueryString", "InvalidParameter",
        "InvalidInstanceID.Malformed", "InvalidFilter", "UnknownParameter", "InvalidParameterValueException",
        "MissingRequiredParameterException", "InvalidParameterCombinationException",
    };

    private static readonly HashSet<string> ServerCodes = new(StringComparer.Ordinal)
    {
        "InternalFailure", "InternalError", "InternalServiceFault", "ServiceUnavailable", "ServiceUnavailableException", "Unavailable",
        "InternalServiceError", "InternalServerError",
    };

    /// <summary>Throttling, RequestLimitExceeded and kin, 429 and every 5xx: try again after a pause.</summary>
    public static bool IsRetryable(int httpStatus, string? code) =>
        httpStatus is 429 or >= 500 || (code is not null && (ThrottlingCodes.Contains(code) || ServerCodes.Contains(code)));

    public static bool IsThrottling(string? code) => code is not null && ThrottlingCodes.Contains(code);

    /// <summary>The IAM action an operation needs: cloudwatch:GetMetricData, ec2:DescribeInstances, ...</summary>
    public static string PermissionFor(string service, string operation) =>
        (service.Equals("CloudWatch", StringComparison.OrdinalIgnoreCase) || service.Equals("monitoring", StringComparison.OrdinalIgnoreCase)
            ? "cloudwatch:"
            : service.ToLowerInvariant() + ":") + operation;

    /// <summary>The exception for an error answer of <paramref name="service"/> to <paramref name="operation"/>.</summary>
    public static AwsServiceException FromResponse(
        string service,
        string operation,
        Uri endpoint,
        int httpStatus,
        string? code,
        string? message,
        string? requestId,
        int attempts = 1,
        object? targetObject = null,
        Exception? inner = null)
    {
        code = string.IsNullOrWhiteSpace(code) ? null : code.Trim();
        var said = string.IsNullOrWhiteSpace(message) ? "" : $": {message!.Trim().TrimEnd('.')}.";
        var answered = $"{service} {operation} at {endpoint} answered {httpStatus}{(code is null ? "" : " " + code)}{(said.Length > 0 ? said : ".")}";
        var tried = attempts > 1 ? $" (after {attempts} attempts)" : "";

        // The request id stays out of the message (it differs on every call): it is the exception's RequestId.
        AwsServiceException Error(string errorId, Ec2OpsErrorCategory category, string text, string? action = null, string? permission = null) =>
            new(errorId, category, text, service, operation, code, httpStatus, requestId, permission, targetObject, inner) { RecommendedAction = action };

        if (code is not null && DeniedCodes.Contains(code) || httpStatus == 403 && code is null)
        {
            var permission = PermissionFor(service, operation);
            return Error(
                "AwsAccessDenied",
                Ec2OpsErrorCategory.PermissionDenied,
                $"{answered} The credentials in use are not allowed to call it: they need the IAM permission {permission}.",
                $"Allow {permission} in the policy of the role or user these credentials belong to (for the instance: its instance profile role), or use other credentials (-ProfileName).",
                permission);
        }

        if (code is not null && AuthenticationCodes.Contains(code))
        {
            return Error(
                "AwsAuthenticationFailed",
                Ec2OpsErrorCategory.AuthenticationError,
                $"{answered} The credentials were not accepted (wrong, expired or for another partition), or the clock of this machine is off.",
                "Check the credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, -ProfileName, the instance profile) and the system clock.");
        }

        if (IsThrottling(code) || httpStatus == 429)
        {
            return Error(
                "AwsThrottled",
                Ec2OpsErrorCategory.LimitsExceeded,
                $"{answered}{tried} The account's request rate for this API is exhausted.",
                "Wait a moment and run the command again; fewer concurrent scripts calling the same API help.");
        }

        if (code is not null && InvalidRequestCodes.Contains(code) || httpStatus == 400 && code is null)
        {
            return Error("AwsInvalidRequest", Ec2OpsErrorCategory.InvalidArgument, answered);
        }

        if (httpStatus >= 500 || code is not null && ServerCodes.Contains(code))
        {
            return Error("AwsServiceError", Ec2OpsErrorCategory.ResourceUnavailable, $"{answered}{tried} The service failed on its side.", "Run the command again in a moment.");
        }

        return Error("AwsRequestFailed", Ec2OpsErrorCategory.NotSpecified, answered);
    }

    /// <summary>The exception for a call that got no answer: connection refused, DNS, timeout.</summary>
    public static AwsServiceException Unreachable(string service, string operation, Uri endpoint, string endpointSource, int attempts, Exception failure) =>
        new(
            "AwsUnreachable",
            Ec2OpsErrorCategory.ConnectionError,
            $"{service} did not answer at {endpoint} (endpoint from {endpointSource}): {operation} failed after {attempts} attempt(s): {Describe(failure)}",
            service, operation, null, null, null, null, endpoint.ToString(), failure)
        {
            RecommendedAction = endpointSource == "default"
                ? "Check the network path to AWS (proxy, VPC endpoint, security group egress), or point -EndpointUrl / AWS_ENDPOINT_URL_* at a reachable endpoint."
                : $"Check the endpoint ({endpointSource}); for the local emulator, is it running (Start-Ec2OpsEmulator)?",
        };

    internal static string Describe(Exception failure) => failure switch
    {
        TaskCanceledException or TimeoutException => "the request timed out",
        HttpRequestException { InnerException: { } inner } http => $"{http.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})",
        _ => failure.Message.TrimEnd('.'),
    } + ".";

    internal static int? StatusOf(HttpStatusCode status) => (int)status;
}
