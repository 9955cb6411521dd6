using Ec2Ops.Core;
using Ec2Ops.Core.Aws;

namespace Ec2Ops.Tests.Aws;

/// <summary>AWS error codes to ErrorIds, categories, retry decisions and the missing permission.</summary>
public class AwsErrorsTests
{
    private static readonly Uri Endpoint = new("https://monitoring.us-east-1.amazonaws.com/");

    [Theory]
    [InlineData("CloudWatch", "GetMetricData", 403, "AccessDenied", "AwsAccessDenied", Ec2OpsErrorCategory.PermissionDenied, "cloudwatch:GetMetricData")]
    [InlineData("EC2", "DescribeInstances", 403, "UnauthorizedOperation", "AwsAccessDenied", Ec2OpsErrorCategory.PermissionDenied, "ec2:DescribeInstances")]
    [InlineData("EC2", "DescribeInstanceCreditSpecifications", 403, null, "AwsAccessDenied", Ec2OpsErrorCategory.PermissionDenied, "ec2:DescribeInstanceCreditSpecifications")]
    [InlineData("CloudWatch", "GetMetricData", 400, "Throttling", "AwsThrottled", Ec2OpsErrorCategory.LimitsExceeded, null)]
    [InlineData("EC2", "DescribeInstances", 503, "RequestLimitExceeded", "AwsThrottled", Ec2OpsErrorCategory.LimitsExceeded, null)]
    [InlineData("CloudWatch", "GetMetricData", 403, "SignatureDoesNotMatch", "AwsAuthenticationFailed", Ec2OpsErrorCategory.AuthenticationError, null)]
    [InlineData("EC2", "DescribeInstances", 401, "AuthFailure", "AwsAuthenticationFailed", Ec2OpsErrorCategory.AuthenticationError, null)]
    [InlineData("CloudWatch", "GetMetricData", 400, "InvalidParameterValue", "AwsInvalidRequest", Ec2OpsErrorCategory.InvalidArgument, null)]
    [InlineData("CloudWatch", "GetMetricData", 500, "InternalFailure", "AwsServiceError", Ec2OpsErrorCategory.ResourceUnavailable, null)]
    [InlineData("EC2", "DescribeInstances", 503, "Unavailable", "AwsServiceError", Ec2OpsErrorCategory.ResourceUnavailable, null)]
    [InlineData("EC2", "DescribeInstances", 409, "Conflict", "AwsRequestFailed", Ec2OpsErrorCategory.NotSpecified, null)]
    public void ErrorAnswersMapToStableIds(string service, string operation, int status, string? code, string errorId, Ec2OpsErrorCategory category, string? permission)
    {
        var error = AwsErrors.FromResponse(service, operation, Endpoint, status, code, "said so.", "req-1", attempts: 3);

        Assert.Equal((errorId, category, permission), (error.ErrorId, error.Category, error.RequiredPermission));
        Assert.Equal((service, operation, code, status, "req-1"), (error.Service, error.Operation, error.AwsErrorCode, error.HttpStatusCode, error.RequestId));
        Assert.Contains($"{service} {operation} at {Endpoint} answered {status}", error.Message);
        Assert.Contains("said so.", error.Message);
        Assert.DoesNotContain("req-1", error.Message);
        if (permission is not null)
        {
            Assert.Contains($"need the IAM permission {permission}", error.Message);
            Assert.Contains(permission, error.RecommendedAction);
        }
    }

    [Fact]
    public void ThrottledAfterRetriesSaysHowManyAttempts()
    {
        var error = AwsErrors.FromResponse("CloudWatch", "GetMetricData", Endpoint, 400, "Throttling", "Rate exceeded", null, attempts: 5);
        Assert.Contains("(after 5 attempts)", error.Message);
    }

    [Theory]
    [InlineData(400, "Throttling", true)]
    [InlineData(400, "ThrottlingException", true)]
    [InlineData(503, "RequestLimitExceeded", true)]
    [InlineData(429, null, true)]
    [InlineData(500, null, true)]
    [InlineData(502, null, true)]
    [InlineData(400, "InternalFailure", true)]
    [InlineData(400, "InvalidParameterValue", false)]
    [InlineData(403, "AccessDenied", false)]
    [InlineData(404, null, false)]
    public void RetriesAreForThrottlingAndServerErrors(int status, string? code, bool retry) =>
        Assert.Equal(retry, AwsErrors.IsRetryable(status, code));

    [Fact]
    public void AnUnreachableEndpointNamesTheEndpointAndItsSource()
    {
        var error = AwsErrors.Unreachable("CloudWatch", "GetMetricData", new Uri("http://127.0.0.1:9/"), "AWS_ENDPOINT_URL_CLOUDWATCH", 5, new HttpRequestException("Connection refused", new IOException("refused")));

        Assert.Equal(("AwsUnreachable", Ec2OpsErrorCategory.ConnectionError), (error.ErrorId, error.Category));
        Assert.Contains("http://127.0.0.1:9/ (endpoint from AWS_ENDPOINT_URL_CLOUDWATCH)", error.Message);
        Assert.Contains("after 5 attempt(s): Connection refused (refused).", error.Message);
        Assert.Contains("emulator", error.RecommendedAction);
    }

    [Theory]
    [InlineData(1, 0.5, 0)]
    [InlineData(2, 1.0, 200)]
    [InlineData(2, 0.5, 100)]
    [InlineData(3, 1.0, 400)]
    [InlineData(5, 1.0, 1600)]
    [InlineData(20, 1.0, 20000)]
    [InlineData(4, 0.0, 0)]
    public void BackoffIsFullJitterUnderAnExponentialCeiling(int attempt, double uniform, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), AwsRetryPolicy.Default.DelayBefore(attempt, uniform));
}
