using System.Xml.Linq;
using Ec2Ops.Core.Aws;

namespace Ec2Ops.Tests.Aws;

/// <summary>Request serialization (exact form fields) and reply parsing of the CloudWatch Query client.</summary>
public class QueryProtocolTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 3, 45, 0, TimeSpan.Zero);

    [Fact]
    public void GetMetricDataIsSerializedAsTheApiModelNamesItsMembers()
    {
        var request = new GetMetricDataRequest(
            new[]
            {
                new MetricStatQuery("b0", "AWS/EC2", "CPUCreditBalance", new[] { new MetricDimension("InstanceId", "i-0a1b2c3d4e5f67890") }, 300, "Average"),
                new MetricStatQuery("u0", "AWS/EC2", "CPUCreditUsage", new[] { new MetricDimension("InstanceId", "i-0a1b2c3d4e5f67890") }, 300, "Sum", "usage"),
            },
            Start,
            Start.AddHours(3),
            NextToken: "abc+/=");

        var fields = CloudWatchQueryClient.GetMetricDataForm(request);

        Assert.Equal(
            new[]
            {
                "MetricDataQueries.member.1.Id=b0",
                "MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS/EC2",
                "MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUCreditBalance",
                "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId",
                "MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-0a1b2c3d4e5f67890",
                "MetricDataQueries.member.1.MetricStat.Period=300",
                "MetricDataQueries.member.1.MetricStat.Stat=Average",
                "MetricDataQueries.member.2.Id=u0",
                "MetricDataQueries.member.2.MetricStat.Metric.Namespace=AWS/EC2",
                "MetricDataQueries.member.2.MetricStat.Metric.MetricName=CPUCreditUsage",
                "MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Name=InstanceId",
                "MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Value=i-0a1b2c3d4e5f67890",
                "MetricDataQueries.member.2.MetricStat.Period=300",
                "MetricDataQueries.member.2.MetricStat.Stat=Sum",
                "MetricDataQueries.member.2.Label=usage",
                "StartTime=2026-12-02T03:45:00Z",
                "EndTime=2026-12-02T06:45:00Z",
                "NextToken=abc+/=",
                "ScanBy=TimestampDescending",
            },
            fields.Select(f => $"{f.Key}={f.Value}"));
    }

    [Fact]
    public void TheBodyStartsWithActionAndVersionAndIsPercentEncoded()
    {
        var body = QueryForm.Encode(new[] { KeyValuePair.Create("Action", "GetMetricData"), KeyValuePair.Create("Version", "2010-08-01") }
            .Concat(CloudWatchQueryClient.GetMetricDataForm(new GetMetricDataRequest(
                new[] { new MetricStatQuery("q1", "AWS/EC2", "CPUCreditBalance", new[] { new MetricDimension("InstanceId", "i-1") }, 300, "Average") },
                Start,
                Start.AddMinutes(5)))));

        Assert.Equal(
            "Action=GetMetricData&Version=2010-08-01&MetricDataQueries.member.1.Id=q1&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FEC2"
            + "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUCreditBalance&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=InstanceId"
            + "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=i-1&MetricDataQueries.member.1.MetricStat.Period=300"
            + "&MetricDataQueries.member.1.MetricStat.Stat=Average&StartTime=2026-12-02T03%3A45%3A00Z&EndTime=2026-12-02T03%3A50%3A00Z&ScanBy=TimestampDescending",
            body);
    }

    [Fact]
    public void FormEncodingIsRfc3986AndDecodesBack()
    {
        var fields = new[] { KeyValuePair.Create("A b", "x/y z+~-_.é") };

        var body = QueryForm.Encode(fields);

        Assert.Equal("A%20b=x%2Fy%20z%2B~-_.%C3%A9", body);
        Assert.Equal(fields, QueryForm.Decode(body));
        Assert.Equal(new[] { KeyValuePair.Create("a", "b c") }, QueryForm.Decode("a=b+c"));
    }

    [Fact]
    public void TimestampsAreUtcIso8601()
    {
        Assert.Equal("2026-12-02T03:45:00Z", QueryForm.Timestamp(new DateTimeOffset(2026, 12, 2, 4, 45, 0, TimeSpan.FromHours(1))));
        Assert.Equal("2026-12-02T03:45:00.250Z", QueryForm.Timestamp(Start.AddMilliseconds(250)));
    }

    [Fact]
    public void GetMetricStatisticsIsSerializedWithItsListMembers()
    {
        var fields = CloudWatchQueryClient.GetMetricStatisticsForm(new GetMetricStatisticsRequest(
            "AWS/EC2", "CPUCreditUsage", new[] { new MetricDimension("InstanceId", "i-1") }, Start, Start.AddHours(1), 300, new[] { "Sum", "Average" }, "Count"));

        Assert.Equal(
            "Namespace=AWS/EC2|MetricName=CPUCreditUsage|Dimensions.member.1.Name=InstanceId|Dimensions.member.1.Value=i-1|StartTime=2026-12-02T03:45:00Z"
            + "|EndTime=2026-12-02T04:45:00Z|Period=300|Statistics.member.1=Sum|Statistics.member.2=Average|Unit=Count",
            string.Join("|", fields.Select(f => $"{f.Key}={f.Value}")));
    }

    [Fact]
    public void GetMetricDataRepliesAreReadWithStatusesMessagesAndNextToken()
    {
        var xml = XElement.Parse("""
            <GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <GetMetricDataResult>
                <MetricDataResults>
                  <member>
                    <Id>b0</Id><Label>CPUCreditBalance</Label>
                    <Timestamps><member>2026-12-02T06:35:00Z</member><member>2026-12-02T06:30:00.000Z</member></Timestamps>
                    <Values><member>144.5</member><member>1.5E2</member></Values>
                    <StatusCode>PartialData</StatusCode>
                  </member>
                  <member>
                    <Id>u0</Id><Label>CPUCreditUsage</Label><Timestamps/><Values/><StatusCode>InternalError</StatusCode>
                    <Messages><member><Code>InternalError</Code><Value>try later</Value></member></Messages>
                  </member>
                </MetricDataResults>
                <NextToken>token-2</NextToken>
                <Messages><member><Code>MaxQueryTimeRangeExceed</Code><Value>too long</Value></member></Messages>
              </GetMetricDataResult>
              <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
            </GetMetricDataResponse>
            """);

        var reply = CloudWatchQueryClient.ParseGetMetricData(xml);

        Assert.Equal("token-2", reply.NextToken);
        Assert.Equal(new MetricMessage("MaxQueryTimeRangeExceed", "too long"), Assert.Single(reply.Messages));
        var balance = reply.Results[0];
        Assert.Equal(("b0", "CPUCreditBalance", "PartialData"), (balance.Id, balance.Label, balance.StatusCode));
        Assert.Equal(new[] { Start.AddHours(2).AddMinutes(50), Start.AddHours(2).AddMinutes(45) }, balance.Timestamps);
        Assert.Equal(new[] { 144.5, 150 }, balance.Values);
        Assert.Equal(new MetricMessage("InternalError", "try later"), Assert.Single(reply.Results[1].Messages));
        Assert.Empty(reply.Results[1].Values);
    }

    [Fact]
    public void AReplyWithoutItsResultElementIsAnInvalidResponse()
    {
        var error = Assert.Throws<AwsServiceException>(() => CloudWatchQueryClient.ParseGetMetricData(XElement.Parse("<GetMetricDataResponse/>")));
        Assert.Equal("AwsInvalidResponse", error.ErrorId);
    }

    [Fact]
    public void GetMetricStatisticsRepliesAreRead()
    {
        var xml = XElement.Parse("""
            <GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <GetMetricStatisticsResult><Label>CPUCreditUsage</Label><Datapoints>
                <member><Timestamp>2026-12-02T04:00:00Z</Timestamp><Sum>5</Sum><Average>2.5</Average><Unit>Count</Unit></member>
                <member><Timestamp>2026-12-02T03:55:00Z</Timestamp><Sum>1</Sum><Unit>Count</Unit></member>
              </Datapoints></GetMetricStatisticsResult>
            </GetMetricStatisticsResponse>
            """);

        var reply = CloudWatchQueryClient.ParseGetMetricStatistics(xml);

        Assert.Equal("CPUCreditUsage", reply.Label);
        Assert.Equal(new MetricDatapoint(Start.AddMinutes(15), null, 2.5, 5, null, null, "Count"), reply.Datapoints[0]);
        Assert.Null(reply.Datapoints[1].Average);
    }

    [Theory]
    [InlineData("<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>abc</RequestId></ErrorResponse>", "Throttling", "Rate exceeded", "abc")]
    [InlineData("<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message></Error></Errors><RequestID>def</RequestID></Response>", "UnauthorizedOperation", "You are not authorized", "def")]
    [InlineData("not xml", null, "not xml", null)]
    public void ErrorBodiesOfBothServicesAreRead(string body, string? code, string? message, string? requestId) =>
        Assert.Equal((code, message, requestId), AwsQueryClient.ParseError(body));
}
