using System.Globalization;
using System.Xml.Linq;

namespace Ec2Ops.Core.Aws;

/// <summary>
/// CloudWatch over the Query protocol (API version 2010-08-01, SigV4 service name
/// <c>monitoring</c>): serializes requests as the API model names their members
/// (<c>MetricDataQueries.member.N.MetricStat.Metric.Dimensions.member.M.Name</c>, ...) and reads the
/// XML answers (<c>GetMetricDataResponse/GetMetricDataResult/MetricDataResults/member</c>, ...).
/// </summary>
internal sealed class CloudWatchQueryClient : ICloudWatchClient
{
    public const string Version = "2010-08-01";
    public static readonly XNamespace Xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private readonly AwsQueryClient _query;

    public CloudWatchQueryClient(AwsQueryClient query)
    {
        _query = query;
    }

    public AwsQueryClient Query => _query;

    public static CloudWatchQueryClient Create(AwsContext context, AwsRetryPolicy? retry = null, IOperationLog? log = null, HttpClient? http = null) =>
        new(new AwsQueryClient("CloudWatch", "monitoring", Version, context.CloudWatch, context.Region, () => context.Credentials, retry, log, http));

    public async Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellation = default)
    {
        var root = await _query.SendAsync("GetMetricData", GetMetricDataForm(request), cancellation).ConfigureAwait(false);
        return ParseGetMetricData(root);
    }

    public async Task<GetMetricStatisticsResponse> GetMetricStatisticsAsync(GetMetricStatisticsRequest request, CancellationToken cancellation = default)
    {
        var root = await _query.SendAsync("GetMetricStatistics", GetMetricStatisticsForm(request), cancellation).ConfigureAwait(false);
        return ParseGetMetricStatistics(root);
    }

    /// <summary>The form fields of a GetMetricData call, after Action and Version, in the order sent.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> GetMetricDataForm(GetMetricDataRequest request)
    {
        var fields = new List<KeyValuePair<string, string>>();
        void Add(string name, string value) => fields.Add(KeyValuePair.Create(name, value));

        for (var i = 0; i < request.Queries.Count; i++)
        {
            var query = request.Queries[i];
            var prefix = $"MetricDataQueries.member.{i + 1}.";
            Add(prefix + "Id", query.Id);
            Add(prefix + "MetricStat.Metric.Namespace", query.Namespace);
            Add(prefix + "MetricStat.Metric.MetricName", query.MetricName);
            for (var d = 0; d < query.Dimensions.Count; d++)
            {
                Add($"{prefix}MetricStat.Metric.Dimensions.member.{d + 1}.Name", query.Dimensions[d].Name);
                Add($"{prefix}MetricStat.Metric.Dimensions.member.{d + 1}.Value", query.Dimensions[d].Value);
            }

            Add(prefix + "MetricStat.Period", query.Period.ToString(CultureInfo.InvariantCulture));
            Add(prefix + "MetricStat.Stat", query.Stat);
            if (query.Label is not null)
            {
                Add(prefix + "Label", query.Label);
            }
        }

        Add("StartTime", QueryForm.Timestamp(request.StartTime));
        Add("EndTime", QueryForm.Timestamp(request.EndTime));
        if (request.NextToken is not null)
        {
            Add("NextToken", request.NextToken);
        }

        Add("ScanBy", request.ScanBy);
        if (request.MaxDatapoints is { } max)
        {
            Add("MaxDatapoints", max.ToString(CultureInfo.InvariantCulture));
        }

        return fields;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> GetMetricStatisticsForm(GetMetricStatisticsRequest request)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            KeyValuePair.Create("Namespace", request.Namespace),
            KeyValuePair.Create("MetricName", request.MetricName),
        };
        for (var d = 0; d < request.Dimensions.Count; d++)
        {
            fields.Add(KeyValuePair.Create($"Dimensions.member.{d + 1}.Name", request.Dimensions[d].Name));
            fields.Add(KeyValuePair.Create($"Dimensions.member.{d + 1}.Value", request.Dimensions[d].Value));
        }

        fields.Add(KeyValuePair.Create("StartTime", QueryForm.Timestamp(request.StartTime)));
        fields.Add(KeyValuePair.Create("EndTime", QueryForm.Timestamp(request.EndTime)));
        fields.Add(KeyValuePair.Create("Period", request.Period.ToString(CultureInfo.InvariantCulture)));
        for (var s = 0; s < request.Statistics.Count; s++)
        {
            fields.Add(KeyValuePair.Create($"Statistics.member.{s + 1}", request.Statistics[s]));
        }

        if (request.Unit is not null)
        {
            fields.Add(KeyValuePair.Create("Unit", request.Unit));
        }

        return fields;
    }

    public static GetMetricDataResponse ParseGetMetricData(XElement root)
    {
        var result = Child(root, "GetMetricDataResult") ?? throw Malformed("GetMetricData", "GetMetricDataResult");
        var results = Members(Child(result, "MetricDataResults")).Select(member => new MetricDataResult(
            Child(member, "Id")?.Value ?? throw Malformed("GetMetricData", "MetricDataResults/member/Id"),
            Child(member, "Label")?.Value,
            Child(member, "StatusCode")?.Value ?? "Complete",
            Members(Child(member, "Timestamps")).Select(t => ParseTime(t.Value)).ToList(),
            Members(Child(member, "Values")).Select(v => ParseDouble(v.Value)).ToList(),
            Messages(Child(member, "Messages")))).ToList();
        return new GetMetricDataResponse(results, NonEmpty(Child(result, "NextToken")?.Value), Messages(Child(result, "Messages")));
    }

    public static GetMetricStatisticsResponse ParseGetMetricStatistics(XElement root)
    {
        var result = Child(root, "GetMetricStatisticsResult") ?? throw Malformed("GetMetricStatistics", "GetMetricStatisticsResult");
        double? Number(XElement point, string name) => Child(point, name) is { } e ? ParseDouble(e.Value) : null;
        var points = Members(Child(result, "Datapoints")).Select(p => new MetricDatapoint(
            ParseTime(Child(p, "Timestamp")?.Value ?? throw Malformed("GetMetricStatistics", "Datapoints/member/Timestamp")),
            Number(p, "SampleCount"),
            Number(p, "Average"),
            Number(p, "Sum"),
            Number(p, "Minimum"),
            Number(p, "Maximum"),
            Child(p, "Unit")?.Value)).ToList();
        return new GetMetricStatisticsResponse(Child(result, "Label")?.Value, points);
    }

    private static IReadOnlyList<MetricMessage> Messages(XElement? list) =>
        Members(list).Select(m => new MetricMessage(Child(m, "Code")?.Value ?? "", Child(m, "Value")?.Value ?? "")).ToList();

    private static XElement? Child(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static IEnumerable<XElement> Members(XElement? list) => list?.Elements().Where(e => e.Name.LocalName == "member") ?? Enumerable.Empty<XElement>();

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static double ParseDouble(string text) => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static AwsServiceException Malformed(string operation, string element) =>
        new("AwsInvalidResponse", Ec2OpsErrorCategory.InvalidResult, $"CloudWatch {operation} answered XML without {element}.", "CloudWatch", operation, null);
}
