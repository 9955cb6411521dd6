using System.Net;
using System.Text;
using System.Xml.Linq;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Tests.Credits;

namespace Ec2Ops.Tests.Emulator;

/// <summary>The emulator's CloudWatch and EC2 over the Query protocol, as any signed client calls them.</summary>
public class AwsEmulatorTests
{
    private static readonly XNamespace Cw = "http://monitoring.amazonaws.com/doc/2010-08-01/";
    private static readonly XNamespace Ec2 = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private static AwsQueryClient CloudWatch(Ec2OpsEmulator emulator) =>
        new("CloudWatch", "monitoring", "2010-08-01", new AwsEndpoint(emulator.Endpoint, "test"), "us-east-1", () => CreditsTestKit.Credentials, CreditsTestKit.FastRetry with { MaxAttempts = 1 });

    private static AwsQueryClient Ec2Client(Ec2OpsEmulator emulator) =>
        new("EC2", "ec2", "2016-11-15", new AwsEndpoint(emulator.Endpoint, "test"), "us-east-1", () => CreditsTestKit.Credentials, CreditsTestKit.FastRetry with { MaxAttempts = 1 });

    private static KeyValuePair<string, string>[] Fields(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], kv[1])).ToArray();

    private static string Now(int minutes = 0) => QueryForm.Timestamp(CreditFleet.NewestTimestamp(DateTimeOffset.UtcNow).AddMinutes(5 + minutes));

    [Fact]
    public async Task UnsignedRequestsAreRefused()
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new HttpClient();

        using var reply = await http.PostAsync(emulator.Endpoint, new StringContent("Action=ListMetrics&Version=2010-08-01", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var body = XElement.Parse(await reply.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, reply.StatusCode);
        Assert.Equal("text/xml", reply.Content.Headers.ContentType?.MediaType);
        Assert.Equal("MissingAuthenticationToken", body.Descendants(Cw + "Code").Single().Value);
        Assert.Equal("Sender", body.Descendants(Cw + "Type").Single().Value);
        Assert.Equal(403, emulator.Aws.Calls.Single().StatusCode);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261202/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "IncompleteSignature")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/2026/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", "IncompleteSignature")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261202/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", "SignatureDoesNotMatch")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIA/20261202/us-east-1/monitoring/aws4_request, SignedHeaders=x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", "IncompleteSignature")]
    [InlineData("Basic dXNlcjpwYXNz", "IncompleteSignature")]
    public async Task MalformedAuthorizationHeadersAreRefused(string authorization, string code)
    {
        using var emulator = Ec2OpsEmulator.Start();
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, emulator.Endpoint)
        {
            Content = new StringContent("Action=ListMetrics&Version=2010-08-01", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'"));

        using var reply = await http.SendAsync(request);

        Assert.Equal(code, XElement.Parse(await reply.Content.ReadAsStringAsync()).Descendants(Cw + "Code").Single().Value);
    }

    [Fact]
    public async Task GetMetricDataPagesWithNextTokenAndRejectsForeignTokens()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.MaxDatapointsPerPage = 10;
        var client = CloudWatch(emulator);
        var fields = Fields(
            "MetricDataQueries.member.1.Id=b0", "MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS/EC2",
            "MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUCreditBalance",
            "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId",
            $"MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value={CreditsTestKit.Draining}",
            "MetricDataQueries.member.1.MetricStat.Period=300", "MetricDataQueries.member.1.MetricStat.Stat=Average",
            $"StartTime={Now(-60)}", $"EndTime={Now()}");

        var first = CloudWatchQueryClient.ParseGetMetricData(await client.SendAsync("GetMetricData", fields, default));
        var second = CloudWatchQueryClient.ParseGetMetricData(await client.SendAsync("GetMetricData", fields.Append(KeyValuePair.Create("NextToken", first.NextToken!)), default));

        Assert.Equal(("PartialData", 10), (first.Results[0].StatusCode, first.Results[0].Values.Count));
        Assert.Equal(("Complete", 2), (second.Results[0].StatusCode, second.Results[0].Values.Count));
        Assert.Null(second.NextToken);
        Assert.True(first.Results[0].Timestamps[^1] > second.Results[0].Timestamps[0]);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.SendAsync("GetMetricData", fields.Append(KeyValuePair.Create("NextToken", "Zm9v")), default));
        Assert.Equal("InvalidNextToken", error.AwsErrorCode);
    }

    [Theory]
    [InlineData("MetricDataQueries.member.1.Id=B0", "ValidationError")]
    [InlineData("MetricDataQueries.member.1.MetricStat.Stat=Mean", "ValidationError")]
    [InlineData("MetricDataQueries.member.1.MetricStat.Period=90", "InvalidParameterValue")]
    [InlineData("StartTime=2030-01-01T00:00:00Z", "ValidationError")]
    [InlineData("Version=2011-01-01", "InvalidParameterValue")]
    public async Task BadGetMetricDataRequestsGetAwsShapedErrors(string replaced, string code)
    {
        using var emulator = Ec2OpsEmulator.Start();
        var name = replaced.Split('=')[0];
        var fields = Fields(
            "MetricDataQueries.member.1.Id=b0", "MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS/EC2",
            "MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUCreditBalance",
            "MetricDataQueries.member.1.MetricStat.Period=300", "MetricDataQueries.member.1.MetricStat.Stat=Average",
            $"StartTime={Now(-60)}", $"EndTime={Now()}").Where(f => f.Key != name).Append(KeyValuePair.Create(name, replaced.Split('=', 2)[1]));
        var client = name == "Version"
            ? new AwsQueryClient("CloudWatch", "monitoring", "2011-01-01", new AwsEndpoint(emulator.Endpoint, "test"), "us-east-1", () => CreditsTestKit.Credentials, CreditsTestKit.FastRetry)
            : CloudWatch(emulator);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.SendAsync("GetMetricData", fields.Where(f => f.Key != "Version"), default));

        Assert.Equal((code, 400), (error.AwsErrorCode, error.HttpStatusCode));
    }

    [Fact]
    public async Task GetMetricStatisticsRefusesMoreThan1440Datapoints()
    {
        using var emulator = Ec2OpsEmulator.Start();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => CloudWatch(emulator).SendAsync("GetMetricStatistics", Fields(
            "Namespace=AWS/EC2", "MetricName=CPUCreditUsage", $"StartTime={Now(-60 * 24 * 6)}", $"EndTime={Now()}", "Period=300", "Statistics.member.1=Sum"), default));

        Assert.Equal("InvalidParameterCombination", error.AwsErrorCode);
        Assert.Contains("exceeds the limit of 1440", error.Message);
    }

    [Fact]
    public async Task PutMetricDataStoresCustomMetricsThatListAndGetReturn()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var client = CloudWatch(emulator);
        var at = QueryForm.Timestamp(DateTimeOffset.UtcNow.AddMinutes(-1));

        await client.SendAsync("PutMetricData", Fields(
            "Namespace=Ec2Ops/Test", "MetricData.member.1.MetricName=Queue", "MetricData.member.1.Dimensions.member.1.Name=Host",
            "MetricData.member.1.Dimensions.member.1.Value=web-1", "MetricData.member.1.Value=4", $"MetricData.member.1.Timestamp={at}",
            "MetricData.member.2.MetricName=Queue", "MetricData.member.2.Dimensions.member.1.Name=Host", "MetricData.member.2.Dimensions.member.1.Value=web-1",
            "MetricData.member.2.Values.member.1=1", "MetricData.member.2.Values.member.2=10", "MetricData.member.2.Counts.member.1=1", "MetricData.member.2.Counts.member.2=2",
            $"MetricData.member.2.Timestamp={at}"), default);
        var listed = await client.SendAsync("ListMetrics", Fields("Namespace=Ec2Ops/Test"), default);
        var stats = CloudWatchQueryClient.ParseGetMetricStatistics(await client.SendAsync("GetMetricStatistics", Fields(
            "Namespace=Ec2Ops/Test", "MetricName=Queue", "Dimensions.member.1.Name=Host", "Dimensions.member.1.Value=web-1",
            $"StartTime={QueryForm.Timestamp(DateTimeOffset.UtcNow.AddHours(-1))}", $"EndTime={QueryForm.Timestamp(DateTimeOffset.UtcNow.AddHours(1))}", "Period=3600",
            "Statistics.member.1=Sum", "Statistics.member.2=SampleCount", "Statistics.member.3=Maximum", "Statistics.member.4=Average"), default));

        Assert.Equal(new[] { "Queue" }, listed.Descendants(Cw + "MetricName").Select(e => e.Value));
        Assert.Equal("web-1", listed.Descendants(Cw + "Value").Single().Value);
        var point = Assert.Single(stats.Datapoints);
        Assert.Equal((25.0, 4.0, 10.0, 6.25), (point.Sum!.Value, point.SampleCount!.Value, point.Maximum!.Value, point.Average!.Value));

        var reserved = await Assert.ThrowsAsync<AwsServiceException>(() => client.SendAsync("PutMetricData", Fields("Namespace=AWS/EC2", "MetricData.member.1.MetricName=X", "MetricData.member.1.Value=1"), default));
        Assert.Equal("InvalidParameterValue", reserved.AwsErrorCode);
    }

    [Fact]
    public async Task ListMetricsListsTheCreditMetricsOfRunningBurstableInstances()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var client = CloudWatch(emulator);

        var all = await client.SendAsync("ListMetrics", Fields("Namespace=AWS/EC2"), default);
        var one = await client.SendAsync("ListMetrics", Fields("Namespace=AWS/EC2", "Dimensions.member.1.Name=InstanceId", $"Dimensions.member.1.Value={CreditsTestKit.Unlimited}"), default);

        // Five running burstable instances, two metrics each, two more for the unlimited one.
        Assert.Equal(12, all.Descendants(Cw + "MetricName").Count());
        Assert.Equal(new[] { "CPUCreditBalance", "CPUCreditUsage", "CPUSurplusCreditBalance", "CPUSurplusCreditsCharged" }, one.Descendants(Cw + "MetricName").Select(e => e.Value));
    }

    [Fact]
    public async Task DescribeInstancesFiltersWithWildcardsAndPages()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var client = Ec2Client(emulator);

        var burstable = await client.SendAsync("DescribeInstances", Fields("Filter.1.Name=instance-type", "Filter.1.Value.1=t3*", "Filter.2.Name=instance-state-name", "Filter.2.Value.1=running"), default);
        var page = await client.SendAsync("DescribeInstances", Fields("MaxResults=5"), default);
        var rest = await client.SendAsync("DescribeInstances", Fields("MaxResults=5", $"NextToken={page.Element(Ec2 + "nextToken")!.Value}"), default);

        Assert.Equal(new[] { CreditsTestKit.Self, CreditsTestKit.Draining, CreditsTestKit.Unlimited }, burstable.Descendants(Ec2 + "instanceId").Select(e => e.Value));
        Assert.Equal("16", burstable.Descendants(Ec2 + "code").First().Value);
        Assert.Equal(5, page.Descendants(Ec2 + "instancesSet").Count());
        Assert.Equal(2, rest.Descendants(Ec2 + "instancesSet").Count());
        Assert.Null(rest.Element(Ec2 + "nextToken"));
        Assert.Equal("80", (await client.SendAsync("DescribeInstances", Fields($"InstanceId.1={CreditsTestKit.Stopped}"), default)).Descendants(Ec2 + "code").Single().Value);
    }

    [Theory]
    [InlineData("InstanceId.1=i-0123456789abcdef0", "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")]
    [InlineData("InstanceId.1=i-xyz", "InvalidInstanceID.Malformed", "Invalid id: \"i-xyz\"")]
    [InlineData("Filter.1.Name=color|Filter.1.Value.1=red", "InvalidParameterValue", "The filter 'color' is invalid")]
    [InlineData("InstanceId.1=i-0a1b2c3d4e5f67890|MaxResults=5", "InvalidParameterCombination", "cannot be used with the parameter maxResults")]
    [InlineData("MaxResults=3", "InvalidParameterValue", "Value ( 3 ) for parameter maxResults is invalid")]
    public async Task BadDescribeInstancesRequestsGetEc2Errors(string fields, string code, string message)
    {
        using var emulator = Ec2OpsEmulator.Start();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Ec2Client(emulator).SendAsync("DescribeInstances", Fields(fields.Split('|')), default));

        Assert.Equal((code, 400), (error.AwsErrorCode, error.HttpStatusCode));
        Assert.Contains(message, error.Message);
        Assert.NotNull(error.RequestId);
    }

    [Fact]
    public async Task CreditSpecificationsWithoutIdsListTheUnlimitedInstancesOnly()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var client = Ec2Client(emulator);

        var unlimited = await client.SendAsync("DescribeInstanceCreditSpecifications", Fields(), default);
        var named = await client.SendAsync("DescribeInstanceCreditSpecifications", Fields($"InstanceId.1={CreditsTestKit.Self}", $"InstanceId.2={CreditsTestKit.Unlimited}"), default);
        var refused = await Assert.ThrowsAsync<AwsServiceException>(() => client.SendAsync("DescribeInstanceCreditSpecifications", Fields($"InstanceId.1={CreditsTestKit.NotBurstable}"), default));

        Assert.Equal(new[] { CreditsTestKit.Unlimited }, unlimited.Descendants(Ec2 + "instanceId").Select(e => e.Value));
        Assert.Equal(new[] { "standard", "unlimited" }, named.Descendants(Ec2 + "cpuCredits").Select(e => e.Value));
        Assert.Equal("UnsupportedOperation", refused.AwsErrorCode);
    }

    [Fact]
    public async Task DryRunAnswersDryRunOperation()
    {
        using var emulator = Ec2OpsEmulator.Start();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Ec2Client(emulator).SendAsync("DescribeInstances", Fields("DryRun=true"), default));

        Assert.Equal(("DryRunOperation", 412), (error.AwsErrorCode, error.HttpStatusCode));
    }

    [Fact]
    public void TheFleetScenarioHasNRunningBurstableInstancesWithTheEmulatedOneFirst()
    {
        var options = new EmulatorOptions { FleetSize = 300 };
        var fleet = CreditFleet.Generate(300, options, DateTimeOffset.UtcNow);

        Assert.Equal(300, fleet.Instances.Count);
        Assert.Equal(options.InstanceId, fleet.Instances[0].InstanceId);
        Assert.Equal(300, fleet.Instances.Select(i => i.InstanceId).Distinct().Count());
        Assert.All(fleet.Instances, i => Assert.Matches("^i-[0-9a-f]{17}$", i.InstanceId));
        Assert.All(fleet.Instances, i => Assert.True(i.HasCreditMetrics));
        Assert.Equal(75, fleet.Instances.Count(i => i.CreditSpecification == "unlimited"));
        Assert.Equal(28, fleet.Instances.Select(i => i.InstanceType).Distinct().Count());
        Assert.Equal(CreditFleet.HistoryPeriods, fleet.Datapoints(fleet.Instances[17].InstanceId, "CPUCreditBalance", DateTimeOffset.UtcNow).Count);
    }

    [Fact]
    public void TheDefaultScenarioFollowsTheEmulatedInstance()
    {
        var fleet = CreditFleet.Default(new EmulatorOptions { InstanceId = CreditsTestKit.Draining, InstanceType = "m5.large" }, DateTimeOffset.UtcNow);

        Assert.Equal(6, fleet.Instances.Count);
        Assert.Equal(("m5.large", false), (fleet.Find(CreditsTestKit.Draining)!.InstanceType, fleet.Find(CreditsTestKit.Draining)!.HasCreditMetrics));
        Assert.Empty(fleet.Datapoints(CreditsTestKit.Draining, "CPUCreditBalance", DateTimeOffset.UtcNow));
        Assert.Equal("arm64", fleet.Find(CreditsTestKit.Steady)!.Architecture);
    }
}
