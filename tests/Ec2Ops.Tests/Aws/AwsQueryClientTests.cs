using Amazon.Runtime;
using Ec2Ops.Core;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Tests.Credits;

namespace Ec2Ops.Tests.Aws;

/// <summary>The signed Query client against the emulator: signing, retries, error answers.</summary>
public class AwsQueryClientTests
{
    private static GetMetricDataRequest Request(string instanceId = CreditsTestKit.Draining)
    {
        var end = CreditFleet.NewestTimestamp(DateTimeOffset.UtcNow).AddMinutes(5);
        return new GetMetricDataRequest(
            new[] { new MetricStatQuery("b0", "AWS/EC2", "CPUCreditBalance", new[] { new MetricDimension("InstanceId", instanceId) }, 300, "Average") },
            end.AddHours(-1),
            end);
    }

    [Fact]
    public async Task SignedRequestsAreAcceptedAndAnswered()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var client = CreditsTestKit.CloudWatch(emulator);

        var reply = await client.GetMetricDataAsync(Request());

        var result = Assert.Single(reply.Results);
        Assert.Equal(("b0", "Complete", 12), (result.Id, result.StatusCode, result.Values.Count));
        Assert.Equal(144, result.Values[0]);
        Assert.True(result.Timestamps[0] > result.Timestamps[1], "newest first");
        Assert.Null(reply.NextToken);
        Assert.Equal(200, Assert.Single(emulator.Aws.Calls).StatusCode);
    }

    [Fact]
    public async Task ThrottlingIsRetriedWithBackoffUntilItPasses()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.ThrottleNextRequests = 2;
        var log = new RecordingOperationLog();
        var client = CreditsTestKit.CloudWatch(emulator, log: log);

        await client.GetMetricDataAsync(Request());

        Assert.Equal(new[] { 400, 400, 200 }, emulator.Aws.Calls.Select(c => c.StatusCode));
        Assert.Equal(3, client.Query.HttpRequests);
        Assert.Equal(2, log.Entries.Count(e => e.Message.Contains("answered 400 Throttling: retrying")));
    }

    [Fact]
    public async Task ServerErrorsBeyondTheLastAttemptBecomeAServiceError()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.FailNextRequests = 10;
        var client = CreditsTestKit.CloudWatch(emulator, CreditsTestKit.FastRetry with { MaxAttempts = 3 });

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetMetricDataAsync(Request()));

        Assert.Equal(("AwsServiceError", "InternalFailure", 500), (error.ErrorId, error.AwsErrorCode, error.HttpStatusCode));
        Assert.Contains("(after 3 attempts)", error.Message);
        Assert.Equal(3, emulator.Aws.CallCount("GetMetricData"));
    }

    [Fact]
    public async Task DenialsAreNotRetried()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.Deny("cloudwatch:GetMetricData");
        var client = CreditsTestKit.CloudWatch(emulator);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetMetricDataAsync(Request()));

        Assert.Equal("cloudwatch:GetMetricData", error.RequiredPermission);
        Assert.NotNull(error.RequestId);
        Assert.Equal(1, emulator.Aws.CallCount("GetMetricData"));
    }

    [Fact]
    public async Task AWrongSecretIsRefusedAsABadSignature()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var context = AwsContext.Create(new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() }, "us-east-1", "-Region",
            () => new BasicAWSCredentials(EmulatorSession.DummyAccessKeyId, "not-the-secret"));
        var client = CloudWatchQueryClient.Create(context, CreditsTestKit.FastRetry);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetMetricDataAsync(Request()));

        Assert.Equal(("AwsAuthenticationFailed", "SignatureDoesNotMatch", 403), (error.ErrorId, error.AwsErrorCode, error.HttpStatusCode));
    }

    [Fact]
    public async Task KeysTheEmulatorDoesNotKnowAreCheckedForFormOnly()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var context = AwsContext.Create(new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() }, "us-east-1", "-Region",
            () => new SessionAWSCredentials("ASIAUSERKEY000000000", "user-secret", "user-token"));
        var client = CloudWatchQueryClient.Create(context, CreditsTestKit.FastRetry);

        var reply = await client.GetMetricDataAsync(Request());

        Assert.Equal(12, Assert.Single(reply.Results).Values.Count);
    }

    [Fact]
    public async Task InstanceProfileCredentialsServedByTheEmulatorsImdsAreVerified()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var document = System.Text.Json.JsonDocument.Parse(emulator.Tree.GetValue("meta-data/iam/security-credentials/ec2ops-demo-role")!).RootElement;
        var good = new SessionAWSCredentials(document.GetProperty("AccessKeyId").GetString(), document.GetProperty("SecretAccessKey").GetString(), document.GetProperty("Token").GetString());
        var badToken = new SessionAWSCredentials(document.GetProperty("AccessKeyId").GetString(), document.GetProperty("SecretAccessKey").GetString(), "other-token");
        AwsContext Context(AWSCredentials c) => AwsContext.Create(new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() }, "us-east-1", "-Region", () => c);

        await CloudWatchQueryClient.Create(Context(good), CreditsTestKit.FastRetry).GetMetricDataAsync(Request());
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => CloudWatchQueryClient.Create(Context(badToken), CreditsTestKit.FastRetry).GetMetricDataAsync(Request()));

        Assert.Equal("InvalidClientTokenId", error.AwsErrorCode);
    }

    [Fact]
    public async Task NoAnswerAtAllIsUnreachableAfterTheAttempts()
    {
        var context = AwsContext.Create(new AwsRequestOptions { EndpointUrl = "http://127.0.0.1:9" }, "us-east-1", "-Region", () => CreditsTestKit.Credentials);
        var client = CloudWatchQueryClient.Create(context, CreditsTestKit.FastRetry with { MaxAttempts = 2 });

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetMetricDataAsync(Request()));

        Assert.Equal(("AwsUnreachable", 2), (error.ErrorId, client.Query.HttpRequests));
        Assert.Contains("(endpoint from -EndpointUrl)", error.Message);
    }

    [Fact]
    public async Task GetMetricStatisticsAnswersUnorderedDatapoints()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var end = CreditFleet.NewestTimestamp(DateTimeOffset.UtcNow).AddMinutes(5);

        var reply = await CreditsTestKit.CloudWatch(emulator).GetMetricStatisticsAsync(new GetMetricStatisticsRequest(
            "AWS/EC2", "CPUCreditUsage", new[] { new MetricDimension("InstanceId", CreditsTestKit.Draining) }, end.AddHours(-2), end, 300, new[] { "Sum", "SampleCount" }));

        Assert.Equal(24, reply.Datapoints.Count);
        Assert.All(reply.Datapoints, p => Assert.Equal((5.0, 1.0, "Count"), (p.Sum!.Value, p.SampleCount!.Value, p.Unit!)));
        Assert.NotEqual(reply.Datapoints.OrderBy(p => p.Timestamp).Select(p => p.Timestamp), reply.Datapoints.Select(p => p.Timestamp));
        Assert.NotEqual(reply.Datapoints.OrderByDescending(p => p.Timestamp).Select(p => p.Timestamp), reply.Datapoints.Select(p => p.Timestamp));
    }
}
