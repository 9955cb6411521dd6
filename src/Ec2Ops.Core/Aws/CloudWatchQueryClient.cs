using System.Globalization;
using System.Xml;
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
        var text = await _query.SendForTextAsync("GetMetricData", GetMetricDataForm(request), cancellation).ConfigureAwait(false);
        try
        {
            return ParseGetMetricData(text);
        }
        catch (XmlException failure)
        {
            throw new AwsServiceException("AwsInvalidResponse", Ec2OpsErrorCategory.InvalidResult, $"CloudWatch GetMetricData at {_query.Endpoint.Uri} answered XML that cannot be read: {failure.Message}", "CloudWatch", "GetMetricData", null, 200, null, null, null, failure);
        }
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

    /// <summary>
    /// Reads a GetMetricData answer with a streaming reader: a 500-query page holds tens of
    /// thousands of datapoints, which a DOM would make several times slower to read.
    /// </summary>
    public static GetMetricDataResponse ParseGetMetricData(string xml)
    {
        var results = new List<MetricDataResult>();
        var messages = new List<MetricMessage>();
        string? nextToken = null;
        var sawResult = false;

        // The same timestamps recur in every result of a page: parse each once.
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { IgnoreWhitespace = true, IgnoreComments = true, DtdProcessing = DtdProcessing.Prohibit });
        reader.MoveToContent();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }

            switch (reader.LocalName)
            {
                case "GetMetricDataResult":
                    sawResult = true;
                    reader.Read();
                    break;
                case "MetricDataResults":
                    ReadList(reader, r => results.Add(ReadResult(r, times)));
                    break;
                case "NextToken":
                    nextToken = NonEmpty(reader.ReadElementContentAsString());
                    break;
                case "Messages":
                    ReadList(reader, r => messages.Add(ReadMessage(r)));
                    break;
                case "ResponseMetadata":
                    reader.Skip();
                    break;
                default:
                    reader.Read();
                    break;
            }
        }

        if (!sawResult)
        {
            throw Malformed("GetMetricData", "GetMetricDataResult");
        }

        return new GetMetricDataResponse(results, nextToken, messages);
    }

    private static MetricDataResult ReadResult(XmlReader reader, Dictionary<string, DateTimeOffset> times)
    {
        string? id = null, label = null, status = null;
        var timestamps = new List<DateTimeOffset>();
        var values = new List<double>();
        var messages = new List<MetricMessage>();
        ReadChildren(reader, r =>
        {
            switch (r.LocalName)
            {
                case "Id": id = r.ReadElementContentAsString(); break;
                case "Label": label = r.ReadElementContentAsString(); break;
                case "StatusCode": status = r.ReadElementContentAsString(); break;
                case "Timestamps": ReadList(r, m => timestamps.Add(CachedTime(m.ReadElementContentAsString(), times))); break;
                case "Values": ReadList(r, m => values.Add(ParseDouble(m.ReadElementContentAsString()))); break;
                case "Messages": ReadList(r, m => messages.Add(ReadMessage(m))); break;
                default: r.Skip(); break;
            }
        });
        return new MetricDataResult(id ?? throw Malformed("GetMetricData", "MetricDataResults/member/Id"), label, status ?? "Complete", timestamps, values, messages);
    }

    private static MetricMessage ReadMessage(XmlReader reader)
    {
        string code = "", value = "";
        ReadChildren(reader, r =>
        {
            switch (r.LocalName)
            {
                case "Code": code = r.ReadElementContentAsString(); break;
                case "Value": value = r.ReadElementContentAsString(); break;
                default: r.Skip(); break;
            }
        });
        return new MetricMessage(code, value);
    }

    /// <summary>Calls <paramref name="member"/> for each child named member of the element the reader is on, and moves past the element.</summary>
    private static void ReadList(XmlReader reader, Action<XmlReader> member) =>
        ReadChildren(reader, r =>
        {
            if (r.LocalName == "member")
            {
                member(r);
            }
            else
            {
                r.Skip();
            }
        });

    /// <summary>Calls <paramref name="child"/> (which must consume it) for each child element, and moves past the element.</summary>
    private static void ReadChildren(XmlReader reader, Action<XmlReader> child)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                child(reader);
            }
            else
            {
                reader.Read();
            }
        }

        reader.Read();
    }

    public static GetMetricDataResponse ParseGetMetricData(XElement root) => ParseGetMetricData(root.ToString(SaveOptions.DisableFormatting));

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

    private static DateTimeOffset CachedTime(string text, Dictionary<string, DateTimeOffset> times)
    {
        if (!times.TryGetValue(text, out var time))
        {
            times[text] = time = ParseTime(text);
        }

        return time;
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static double ParseDouble(string text) => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static AwsServiceException Malformed(string operation, string element) =>
        new("AwsInvalidResponse", Ec2OpsErrorCategory.InvalidResult, $"CloudWatch {operation} answered XML without {element}.", "CloudWatch", operation, null);
}
