using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ec2Ops.Core.Emulator;

/// <summary>
/// CloudWatch's Query API (2010-08-01) as the emulator serves it: GetMetricData (500 queries,
/// MetricStat only, TimestampDescending by default, NextToken paging, StatusCode per result),
/// GetMetricStatistics (datapoints in no particular order, at most 1,440), ListMetrics (500 per
/// page) and PutMetricData (custom namespaces; AWS/ is reserved). The AWS/EC2 CPU credit metrics
/// come from the <see cref="CreditFleet"/>; other metrics from what PutMetricData stored.
/// </summary>
internal sealed partial class CloudWatchEmulator
{
    public const string Version = "2010-08-01";
    public static readonly XNamespace Xmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private static readonly HashSet<string> Statistics = new(StringComparer.Ordinal) { "SampleCount", "Average", "Sum", "Minimum", "Maximum" };

    private readonly CreditFleet _fleet;
    private readonly AwsScenario _scenario;
    private readonly ConcurrentDictionary<MetricKey, List<(DateTimeOffset Time, double Value)>> _custom = new();

    public CloudWatchEmulator(CreditFleet fleet, AwsScenario scenario)
    {
        _fleet = fleet;
        _scenario = scenario;
    }

    public static bool Handles(string? action) => action is "GetMetricData" or "GetMetricStatistics" or "ListMetrics" or "PutMetricData";

    /// <summary>The XML answer to one action (without the XML declaration).</summary>
    public string Handle(AwsQueryRequest request, DateTimeOffset now) => request.Action switch
    {
        "GetMetricData" => GetMetricData(request, now),
        "GetMetricStatistics" => Text(GetMetricStatistics(request, now)),
        "ListMetrics" => Text(ListMetrics(request)),
        "PutMetricData" => Text(PutMetricData(request, now)),
        var other => throw new AwsFault(400, "InvalidAction", $"The action {other} is not valid for this web service."),
    };

    /// <summary>The CloudWatch error document.</summary>
    public static XElement Error(AwsFault fault, string requestId) =>
        new(Xmlns + "ErrorResponse",
            new XElement(Xmlns + "Error",
                new XElement(Xmlns + "Type", fault.Status >= 500 ? "Receiver" : "Sender"),
                new XElement(Xmlns + "Code", fault.Code),
                new XElement(Xmlns + "Message", fault.Message)),
            new XElement(Xmlns + "RequestId", requestId));

    private string GetMetricData(AwsQueryRequest request, DateTimeOffset now)
    {
        var queries = ParseQueries(request);
        var start = request.Time("StartTime") ?? throw AwsFault.Missing("StartTime");
        var end = request.Time("EndTime") ?? throw AwsFault.Missing("EndTime");
        if (start >= end)
        {
            throw new AwsFault(400, "ValidationError", "The parameter StartTime must be less than the parameter EndTime.");
        }

        var scanBy = request.Get("ScanBy") ?? "TimestampDescending";
        if (scanBy is not ("TimestampDescending" or "TimestampAscending"))
        {
            throw new AwsFault(400, "ValidationError", $"1 validation error detected: Value '{scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]");
        }

        var budget = Math.Min(_scenario.MaxDatapointsPerPage, request.Integer("MaxDatapoints") is { } max and > 0 ? max : int.MaxValue);
        var fingerprint = Fingerprint(request);
        var (firstQuery, firstPoint) = request.Get("NextToken") is { } token ? ParseToken(token, fingerprint) : (0, 0);

        // Written as text: a 500-query answer has tens of thousands of elements.
        var xml = new StringBuilder(64 * 1024);
        xml.Append("<GetMetricDataResponse xmlns=\"").Append(Xmlns.NamespaceName).Append("\"><GetMetricDataResult><MetricDataResults>");
        string? nextToken = null;
        for (var q = firstQuery; q < queries.Count && nextToken is null; q++)
        {
            var query = queries[q];
            var skip = q == firstQuery ? firstPoint : 0;
            var instanceId = query.Dimensions.FirstOrDefault(d => d.Name == "InstanceId").Value;
            var forced = query.Namespace == "AWS/EC2" && instanceId is not null ? _scenario.MetricStatusOf(instanceId) : null;
            var points = forced is null ? Aggregate(Raw(query.Namespace, query.MetricName, query.Dimensions, now, start, end), start, end, query.Period, query.Stat) : new();
            if (scanBy == "TimestampDescending")
            {
                points.Reverse();
            }

            var take = Math.Max(0, Math.Min(points.Count - skip, budget));
            budget -= take;
            var status = forced ?? (skip + take < points.Count ? "PartialData" : "Complete");
            if (status == "PartialData")
            {
                nextToken = MakeToken(q, skip + take, fingerprint);
            }

            xml.Append("<member><Id>").Append(Escape(query.Id)).Append("</Id><Label>").Append(Escape(query.Label ?? query.MetricName)).Append("</Label><Timestamps>");
            for (var i = skip; i < skip + take; i++)
            {
                xml.Append("<member>").Append(Time(points[i].Time)).Append("</member>");
            }

            xml.Append("</Timestamps><Values>");
            for (var i = skip; i < skip + take; i++)
            {
                xml.Append("<member>").Append(Number(points[i].Value)).Append("</member>");
            }

            xml.Append("</Values><StatusCode>").Append(status).Append("</StatusCode>");
            if (forced is not null)
            {
                xml.Append("<Messages><member><Code>").Append(forced).Append("</Code><Value>")
                    .Append(forced == "Forbidden" ? "Insufficient permissions to read this metric." : "An internal error occurred while reading this metric.")
                    .Append("</Value></member></Messages>");
            }

            xml.Append("</member>");
            if (budget == 0 && nextToken is null && q + 1 < queries.Count)
            {
                nextToken = MakeToken(q + 1, 0, fingerprint);
            }
        }

        xml.Append("</MetricDataResults><Messages/>");
        if (nextToken is not null)
        {
            xml.Append("<NextToken>").Append(Escape(nextToken)).Append("</NextToken>");
        }

        return xml.Append("</GetMetricDataResult><ResponseMetadata><RequestId>").Append(Guid.NewGuid()).Append("</RequestId></ResponseMetadata></GetMetricDataResponse>").ToString();
    }

    private XElement GetMetricStatistics(AwsQueryRequest request, DateTimeOffset now)
    {
        var ns = request.Required("Namespace");
        var name = request.Required("MetricName");
        var dimensions = Dimensions(request, "Dimensions.member.");
        var start = request.Time("StartTime") ?? throw AwsFault.Missing("StartTime");
        var end = request.Time("EndTime") ?? throw AwsFault.Missing("EndTime");
        var period = request.Integer("Period") ?? throw AwsFault.Missing("Period");
        ValidPeriod(period, "Period");
        var statistics = request.List("Statistics.member.");
        if (request.List("ExtendedStatistics.member.").Count > 0)
        {
            throw new AwsFault(400, "InvalidParameterValue", "The emulator answers Statistics only, not ExtendedStatistics.");
        }

        if (statistics.Count == 0)
        {
            throw new AwsFault(400, "InvalidParameterCombination", "Must specify either Statistics or ExtendedStatistics, but not both.");
        }

        foreach (var statistic in statistics)
        {
            if (!Statistics.Contains(statistic))
            {
                throw new AwsFault(400, "InvalidParameterValue", $"The parameter Statistics.member.N must be one of SampleCount, Average, Sum, Minimum, Maximum, not '{statistic}'.");
            }
        }

        if (start >= end)
        {
            throw new AwsFault(400, "InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.");
        }

        var requested = (long)Math.Ceiling((end - start).TotalSeconds / period);
        if (requested > 1440)
        {
            throw new AwsFault(400, "InvalidParameterCombination", $"You have requested up to {requested} datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.");
        }

        var raw = Raw(ns, name, dimensions, now, start, end);
        var buckets = Buckets(raw, start, end, period);
        var unit = ns == "AWS/EC2" ? "Count" : "None";

        // Datapoints come in no particular order, as CloudWatch's do: here, by a hash of the time.
        var points = buckets.OrderBy(b => Scramble(b.Key)).Select(b =>
        {
            var member = new XElement(Xmlns + "member", new XElement(Xmlns + "Timestamp", Time(b.Key)));
            foreach (var statistic in new[] { "SampleCount", "Average", "Sum", "Minimum", "Maximum" }.Where(statistics.Contains))
            {
                member.Add(new XElement(Xmlns + statistic, Number(Statistic(b.Value, statistic))));
            }

            member.Add(new XElement(Xmlns + "Unit", unit));
            return member;
        });

        return Response("GetMetricStatistics", new XElement(Xmlns + "GetMetricStatisticsResult",
            new XElement(Xmlns + "Label", name),
            new XElement(Xmlns + "Datapoints", points)));
    }

    private XElement ListMetrics(AwsQueryRequest request)
    {
        var ns = request.Get("Namespace");
        var name = request.Get("MetricName");
        var filters = request.Indexes("Dimensions.member.").Select(i => (
            Name: request.Required($"Dimensions.member.{i}.Name"),
            Value: request.Get($"Dimensions.member.{i}.Value"))).ToList();

        var all = _fleet.Instances
            .SelectMany(instance => CreditFleet.MetricNames(instance).Select(metric => new MetricKey("AWS/EC2", metric, new[] { ("InstanceId", instance.InstanceId) })))
            .Concat(_custom.Keys)
            .Where(k => ns is null || k.Namespace == ns)
            .Where(k => name is null || k.Name == name)
            .Where(k => filters.All(f => k.Dimensions.Any(d => d.Name == f.Name && (f.Value is null || d.Value == f.Value))))
            .OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal).ThenBy(k => k.DimensionText, StringComparer.Ordinal)
            .ToList();

        var offset = 0;
        if (request.Get("NextToken") is { } token)
        {
            offset = ParseOffset(token, "lm");
        }

        var page = all.Skip(offset).Take(500).ToList();
        var result = new XElement(Xmlns + "ListMetricsResult",
            new XElement(Xmlns + "Metrics", page.Select(k => new XElement(Xmlns + "member",
                new XElement(Xmlns + "Namespace", k.Namespace),
                new XElement(Xmlns + "MetricName", k.Name),
                new XElement(Xmlns + "Dimensions", k.Dimensions.Select(d => new XElement(Xmlns + "member",
                    new XElement(Xmlns + "Name", d.Name),
                    new XElement(Xmlns + "Value", d.Value))))))));
        if (offset + page.Count < all.Count)
        {
            result.Add(new XElement(Xmlns + "NextToken", Convert.ToBase64String(Encoding.UTF8.GetBytes($"lm:{offset + page.Count}"))));
        }

        return Response("ListMetrics", result);
    }

    private XElement PutMetricData(AwsQueryRequest request, DateTimeOffset now)
    {
        var ns = request.Required("Namespace");
        if (ns.StartsWith("AWS/", StringComparison.Ordinal))
        {
            throw new AwsFault(400, "InvalidParameterValue", $"The value {ns} for parameter Namespace is invalid.");
        }

        var data = request.Indexes("MetricData.member.");
        if (data.Count == 0)
        {
            throw AwsFault.Missing("MetricData");
        }

        if (data.Count > 1000)
        {
            throw new AwsFault(400, "InvalidParameterValue", $"The collection MetricData must not have a size greater than 1000 (it has {data.Count}).");
        }

        var staged = new List<(MetricKey Key, DateTimeOffset Time, double[] Values)>();
        foreach (var i in data)
        {
            var prefix = $"MetricData.member.{i}.";
            var name = request.Required(prefix + "MetricName");
            var dimensions = Dimensions(request, prefix + "Dimensions.member.");
            var time = request.Time(prefix + "Timestamp") ?? now;
            if (time < now.AddDays(-14) || time > now.AddHours(2))
            {
                throw new AwsFault(400, "InvalidParameterValue", $"The parameter MetricData.member.{i}.Timestamp must specify a time no more than two weeks in the past or two hours in the future.");
            }

            double[] values;
            if (request.Number(prefix + "Value") is { } single)
            {
                values = new[] { single };
            }
            else if (request.Indexes(prefix + "Values.member.").Count > 0)
            {
                var listed = request.Indexes(prefix + "Values.member.").Select(j => request.Number($"{prefix}Values.member.{j}")!.Value).ToList();
                var counts = request.Indexes(prefix + "Counts.member.").Select(j => request.Number($"{prefix}Counts.member.{j}")!.Value).ToList();
                values = listed.SelectMany((v, j) => Enumerable.Repeat(v, counts.Count > j ? (int)Math.Max(1, counts[j]) : 1)).ToArray();
            }
            else if (request.Number(prefix + "StatisticValues.Sum") is { } sum && request.Number(prefix + "StatisticValues.SampleCount") is { } count and > 0)
            {
                // A statistic set is kept as its mean, count times; Min/Max are not reproduced.
                values = Enumerable.Repeat(sum / count, (int)count).ToArray();
            }
            else
            {
                throw new AwsFault(400, "InvalidParameterCombination", $"The parameters MetricData.member.{i}.Value, Values and StatisticValues are mutually exclusive and you have specified none of them.");
            }

            staged.Add((new MetricKey(ns, name, dimensions), time, values));
        }

        foreach (var (key, time, values) in staged)
        {
            var list = _custom.GetOrAdd(key, _ => new List<(DateTimeOffset, double)>());
            lock (list)
            {
                list.AddRange(values.Select(v => (time, v)));
            }
        }

        return new XElement(Xmlns + "PutMetricDataResponse", Metadata());
    }

    private IReadOnlyList<(DateTimeOffset Time, double Value)> Raw(string ns, string name, IReadOnlyList<(string Name, string Value)> dimensions, DateTimeOffset now, DateTimeOffset start, DateTimeOffset end)
    {
        if (ns == "AWS/EC2")
        {
            return dimensions.Count == 1 && dimensions[0].Name == "InstanceId"
                ? _fleet.Datapoints(dimensions[0].Value, name, now, start, end)
                : Array.Empty<(DateTimeOffset, double)>();
        }

        if (_custom.TryGetValue(new MetricKey(ns, name, dimensions), out var list))
        {
            lock (list)
            {
                return list.Where(p => p.Time >= start && p.Time < end).OrderBy(p => p.Time).ToList();
            }
        }

        return Array.Empty<(DateTimeOffset, double)>();
    }

    private static List<(DateTimeOffset Time, double Value)> Aggregate(IReadOnlyList<(DateTimeOffset Time, double Value)> raw, DateTimeOffset start, DateTimeOffset end, int period, string stat) =>
        Buckets(raw, start, end, period).Select(b => (b.Key, Statistic(b.Value, stat))).ToList();

    /// <summary>
    /// Raw samples (oldest first) grouped by period (aligned to multiples of the period), oldest
    /// first, within [start, end): one pass, since the samples are in time order.
    /// </summary>
    private static List<KeyValuePair<DateTimeOffset, List<double>>> Buckets(IReadOnlyList<(DateTimeOffset Time, double Value)> raw, DateTimeOffset start, DateTimeOffset end, int period)
    {
        var buckets = new List<KeyValuePair<DateTimeOffset, List<double>>>();
        foreach (var (time, value) in raw)
        {
            if (time < start || time >= end)
            {
                continue;
            }

            var seconds = time.ToUnixTimeSeconds();
            var key = DateTimeOffset.FromUnixTimeSeconds(seconds - seconds % period);
            if (key < start)
            {
                key = start;
            }

            if (buckets.Count == 0 || buckets[^1].Key != key)
            {
                buckets.Add(KeyValuePair.Create(key, new List<double>(1)));
            }

            buckets[^1].Value.Add(value);
        }

        return buckets;
    }

    private static double Statistic(List<double> values, string stat)
    {
        switch (stat)
        {
            case "SampleCount":
                return values.Count;
            case "Sum":
                return values.Sum();
            case "Average":
                return values.Sum() / values.Count;
            case "Minimum":
                return values.Min();
            case "Maximum":
                return values.Max();
        }

        // pNN(.N): nearest rank.
        var percentile = double.Parse(stat.AsSpan(1), NumberStyles.Float, CultureInfo.InvariantCulture);
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static List<Query> ParseQueries(AwsQueryRequest request)
    {
        var indexes = request.Indexes("MetricDataQueries.member.");
        if (indexes.Count == 0)
        {
            throw AwsFault.Missing("MetricDataQueries");
        }

        if (indexes.Count > 500)
        {
            throw new AwsFault(400, "ValidationError", $"The collection MetricDataQueries must not have a size greater than 500 (it has {indexes.Count}).");
        }

        var queries = new List<Query>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in indexes)
        {
            var prefix = $"MetricDataQueries.member.{i}.";
            var id = request.Required(prefix + "Id");
            if (!IdPattern().IsMatch(id))
            {
                throw new AwsFault(400, "ValidationError", $"The value {id} for parameter MetricDataQueries.member.{i}.Id is invalid: it must start with a lowercase letter and contain only letters, digits and underscores.");
            }

            if (!ids.Add(id))
            {
                throw new AwsFault(400, "ValidationError", $"The values for parameter id in MetricDataQueries are not unique: {id}.");
            }

            if (request.Get(prefix + "Expression") is not null)
            {
                throw new AwsFault(400, "ValidationError", $"MetricDataQueries.member.{i}.Expression: metric math is not served by the emulator; use MetricStat.");
            }

            var period = request.Integer(prefix + "MetricStat.Period") ?? throw AwsFault.Missing(prefix + "MetricStat.Period");
            ValidPeriod(period, prefix + "MetricStat.Period");
            var stat = request.Required(prefix + "MetricStat.Stat");
            if (!Statistics.Contains(stat) && !PercentilePattern().IsMatch(stat))
            {
                throw new AwsFault(400, "ValidationError", $"The value {stat} for parameter MetricDataQueries.member.{i}.MetricStat.Stat is not a valid statistic.");
            }

            queries.Add(new Query(
                id,
                request.Required(prefix + "MetricStat.Metric.Namespace"),
                request.Required(prefix + "MetricStat.Metric.MetricName"),
                Dimensions(request, prefix + "MetricStat.Metric.Dimensions.member."),
                period,
                stat,
                request.Get(prefix + "Label")));
        }

        return queries;
    }

    private static IReadOnlyList<(string Name, string Value)> Dimensions(AwsQueryRequest request, string prefix) =>
        request.Indexes(prefix).Select(d => (request.Required($"{prefix}{d}.Name"), request.Required($"{prefix}{d}.Value"))).ToList();

    private static void ValidPeriod(int period, string name)
    {
        if (period < 1 || (period >= 60 && period % 60 != 0) || (period < 60 && period is not (1 or 5 or 10 or 30)))
        {
            throw new AwsFault(400, "InvalidParameterValue", $"The parameter {name} must be 1, 5, 10, 30 or a multiple of 60, not {period}.");
        }
    }

    // Ties a NextToken to the request it continues (same queries and window); valid within this emulator process.
    private static string Fingerprint(AwsQueryRequest request)
    {
        // Order-independent: the same fields may come in any order.
        var combined = 0;
        var count = 0;
        foreach (var (key, value) in request.Fields)
        {
            if (key is not ("NextToken" or "Action" or "Version"))
            {
                combined += StringComparer.Ordinal.GetHashCode(key) ^ (StringComparer.Ordinal.GetHashCode(value) * 31);
                count++;
            }
        }

        return combined.ToString("x8", CultureInfo.InvariantCulture) + count.ToString(CultureInfo.InvariantCulture);
    }

    private static string MakeToken(int query, int point, string fingerprint) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"gmd:{query}:{point}:{fingerprint}"));

    private static (int Query, int Point) ParseToken(string token, string fingerprint)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 4 && parts[0] == "gmd" && parts[3] == fingerprint
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var query)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var point))
            {
                return (query, point);
            }
        }
        catch (FormatException)
        {
        }

        throw new AwsFault(400, "InvalidNextToken", "The service couldn't process your request because the NextToken is invalid or belongs to other parameters.");
    }

    private static int ParseOffset(string token, string kind)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            if (parts.Length == 2 && parts[0] == kind && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw new AwsFault(400, "InvalidNextToken", "The NextToken is invalid.");
    }

    private static uint Scramble(DateTimeOffset time)
    {
        var x = (uint)(time.ToUnixTimeSeconds() / 60);
        x ^= x >> 16;
        x *= 0x7feb352d;
        x ^= x >> 15;
        return x;
    }

    private static XElement Response(string action, XElement result) =>
        new(Xmlns + (action + "Response"), result, Metadata());

    private static XElement Metadata() =>
        new(Xmlns + "ResponseMetadata", new XElement(Xmlns + "RequestId", Guid.NewGuid().ToString()));

    internal static string Text(XElement element) => element.ToString(SaveOptions.DisableFormatting);

    internal static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";

    // Answers repeat the same few timestamps thousands of times; formatting each anew dominated a 500-query answer.
    private static readonly ConcurrentDictionary<long, string> TimeText = new();

    internal static string Time(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        if (time.Millisecond != 0)
        {
            return time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        if (TimeText.TryGetValue(seconds, out var text))
        {
            return text;
        }

        if (TimeText.Count > 100_000)
        {
            TimeText.Clear();
        }

        return TimeText[seconds] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z][a-zA-Z0-9_]*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^p(\d{1,2}(\.\d+)?|100)$")]
    private static partial Regex PercentilePattern();

    private sealed record Query(string Id, string Namespace, string MetricName, IReadOnlyList<(string Name, string Value)> Dimensions, int Period, string Stat, string? Label);

    private sealed class MetricKey : IEquatable<MetricKey>
    {
        public MetricKey(string ns, string name, IEnumerable<(string Name, string Value)> dimensions)
        {
            Namespace = ns;
            Name = name;
            Dimensions = dimensions.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
            DimensionText = string.Join(",", Dimensions.Select(d => d.Name + "=" + d.Value));
        }

        public string Namespace { get; }

        public string Name { get; }

        public IReadOnlyList<(string Name, string Value)> Dimensions { get; }

        public string DimensionText { get; }

        public bool Equals(MetricKey? other) => other is not null && Namespace == other.Namespace && Name == other.Name && DimensionText == other.DimensionText;

        public override bool Equals(object? obj) => Equals(obj as MetricKey);

        public override int GetHashCode() => HashCode.Combine(Namespace, Name, DimensionText);
    }
}
