namespace Ec2Ops.Core.Aws;

/// <summary>
/// An error an AWS service answered (or the failure to reach it), as an <see cref="Ec2OpsException"/>
/// that keeps what AWS said: its error code, the HTTP status, the request id, and for a denied call
/// the IAM permission that was missing. The ErrorRecord's Exception is this object, so a script can
/// read <c>$err.Exception.AwsErrorCode</c> or <c>.RequiredPermission</c>.
/// </summary>
public sealed class AwsServiceException : Ec2OpsException
{
    public AwsServiceException(
        string errorId,
        Ec2OpsErrorCategory category,
        string message,
        string service,
        string operation,
        string? awsErrorCode,
        int? httpStatusCode = null,
        string? requestId = null,
        string? requiredPermission = null,
        object? targetObject = null,
        Exception? innerException = null)
        : base(errorId, category, message, targetObject, innerException)
    {
        Service = service;
        Operation = operation;
        AwsErrorCode = awsErrorCode;
        HttpStatusCode = httpStatusCode;
        RequestId = requestId;
        RequiredPermission = requiredPermission;
    }

    /// <summary>The service as AWS names it: CloudWatch or EC2.</summary>
    public string Service { get; }

    /// <summary>The API action, e.g. GetMetricData, DescribeInstances.</summary>
    public string Operation { get; }

    /// <summary>The error code AWS answered (AccessDenied, Throttling, ...); null when no answer came.</summary>
    public string? AwsErrorCode { get; }

    public int? HttpStatusCode { get; }

    public string? RequestId { get; }

    /// <summary>The IAM action the call needs (e.g. cloudwatch:GetMetricData), for denied calls.</summary>
    public string? RequiredPermission { get; }
}
