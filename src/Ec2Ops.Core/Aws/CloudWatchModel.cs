namespace Ec2Ops.Core.Aws;

/// <summary>
/// The CloudWatch operations the module calls, shaped like the AWS SDK's IAmazonCloudWatch (one
/// page per call, NextToken to continue), so that AWSSDK.CloudWatch, where it is available, can
/// replace <see cref="CloudWatchQueryClient"/> in one file. Wire names: reference/aws-models.
/// </summary>
public interface ICloudWatchClient
{
    /// <summary>One GetMetricData page (at most 500 queries; follow <see cref="GetMetricDataResponse.NextToken"/>).</summary>
    Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellation = default);

    /// <summary>One metric's statistics (datapoints in no particular order, at most 1,440).</summary>
    Task<GetMetricStatisticsResponse> GetMetricStatisticsAsync(GetMetricStatisticsRequest request, CancellationToken cancellation = default);
}

public sealed record MetricDimension(string Name, string Value);

/// <summary>One MetricDataQuery with a MetricStat (no math expressions).</summary>
public sealed record MetricStatQuery(
    string Id,
    string Namespace,
    string MetricName,
    IReadOnlyList<MetricDimension> Dimensions,
    int Period,
    string Stat,
    string? Label = null);

/// <summary>GetMetricData input. ScanBy defaults to TimestampDescending (newest first), as the API does.</summary>
public sealed record GetMetricDataRequest(
    IReadOnlyList<MetricStatQuery> Queries,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    string? NextToken = null,
    string ScanBy = "TimestampDescending",
    int? MaxDatapoints = null);

/// <summary>A code/value message CloudWatch attaches to a result or to the whole answer.</summary>
public sealed record MetricMessage(string Code, string Value);

/// <summary>One MetricDataResult: Complete, PartialData (more with NextToken), InternalError or Forbidden.</summary>
public sealed record MetricDataResult(
    string Id,
    string? Label,
    string StatusCode,
    IReadOnlyList<DateTimeOffset> Timestamps,
    IReadOnlyList<double> Values,
    IReadOnlyList<MetricMessage> Messages);

public sealed record GetMetricDataResponse(
    IReadOnlyList<MetricDataResult> Results,
    string? NextToken,
    IReadOnlyList<MetricMessage> Messages);

public sealed record GetMetricStatisticsRequest(
    string Namespace,
    string MetricName,
    IReadOnlyList<MetricDimension> Dimensions,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    int Period,
    IReadOnlyList<string> Statistics,
    string? Unit = null);

public sealed record MetricDatapoint(
    DateTimeOffset Timestamp,
    double? SampleCount,
    double? Average,
    double? Sum,
    double? Minimum,
    double? Maximum,
    string? Unit);

public sealed record GetMetricStatisticsResponse(string? Label, IReadOnlyList<MetricDatapoint> Datapoints);
