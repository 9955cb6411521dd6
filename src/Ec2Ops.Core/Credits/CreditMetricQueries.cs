using Ec2Ops.Core.Aws;

namespace Ec2Ops.Core.Credits;

/// <summary>The four CloudWatch metrics of a burstable instance and the statistic each is read with.</summary>
public enum CreditMetric
{
    /// <summary>CPUCreditBalance, Average.</summary>
    Balance,

    /// <summary>CPUCreditUsage, Sum.</summary>
    Usage,

    /// <summary>CPUSurplusCreditBalance, Average (unlimited mode).</summary>
    SurplusBalance,

    /// <summary>CPUSurplusCreditsCharged, Sum (unlimited mode).</summary>
    SurplusCharged,
}

/// <summary>
/// Builds the GetMetricData queries for a set of instances (four per instance, <c>AWS/EC2</c>,
/// dimension <c>InstanceId</c>) and cuts them into calls of at most 500: N instances take
/// ceil(4N / 500) calls (more only when CloudWatch pages an answer with NextToken).
/// </summary>
public static class CreditMetricQueries
{
    public const string Namespace = "AWS/EC2";
    public const string Dimension = "InstanceId";

    /// <summary>Queries per GetMetricData call, the API's limit.</summary>
    public const int MaxQueriesPerCall = 500;

    public static IReadOnlyList<CreditMetric> Metrics { get; } = Enum.GetValues<CreditMetric>();

    public static string MetricName(CreditMetric metric) => metric switch
    {
        CreditMetric.Balance => "CPUCreditBalance",
        CreditMetric.Usage => "CPUCreditUsage",
        CreditMetric.SurplusBalance => "CPUSurplusCreditBalance",
        CreditMetric.SurplusCharged => "CPUSurplusCreditsCharged",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>Balances are averaged over a period, usage and charges summed (facts: "Sum for usage, Average for balances").</summary>
    public static string Statistic(CreditMetric metric) => metric is CreditMetric.Usage or CreditMetric.SurplusCharged ? "Sum" : "Average";

    /// <summary>The query id of a metric of the instance at <paramref name="index"/>: b0, u0, s0, c0, b1, ...</summary>
    public static string QueryId(CreditMetric metric, int index) => metric switch
    {
        CreditMetric.Balance => "b",
        CreditMetric.Usage => "u",
        CreditMetric.SurplusBalance => "s",
        _ => "c",
    } + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a query id back: which metric of which instance.</summary>
    public static (CreditMetric Metric, int Index)? ParseId(string id)
    {
        if (id.Length < 2 || !int.TryParse(id.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }

        CreditMetric? metric = id[0] switch
        {
            'b' => CreditMetric.Balance,
            'u' => CreditMetric.Usage,
            's' => CreditMetric.SurplusBalance,
            'c' => CreditMetric.SurplusCharged,
            _ => null,
        };
        return metric is { } m ? (m, index) : null;
    }

    /// <summary>All queries for <paramref name="instanceIds"/>, instance by instance, the four metrics each.</summary>
    public static IReadOnlyList<MetricStatQuery> Build(IReadOnlyList<string> instanceIds, int periodSeconds)
    {
        var queries = new List<MetricStatQuery>(instanceIds.Count * Metrics.Count);
        for (var i = 0; i < instanceIds.Count; i++)
        {
            var dimensions = new[] { new MetricDimension(Dimension, instanceIds[i]) };
            foreach (var metric in Metrics)
            {
                queries.Add(new MetricStatQuery(QueryId(metric, i), Namespace, MetricName(metric), dimensions, periodSeconds, Statistic(metric)));
            }
        }

        return queries;
    }

    /// <summary>The queries cut into GetMetricData calls of at most <see cref="MaxQueriesPerCall"/>.</summary>
    public static IReadOnlyList<IReadOnlyList<MetricStatQuery>> Batches(IReadOnlyList<MetricStatQuery> queries) =>
        queries.Chunk(MaxQueriesPerCall).Select(c => (IReadOnlyList<MetricStatQuery>)c).ToList();

    /// <summary>GetMetricData calls needed for <paramref name="instances"/> instances without paging: ceil(4N / 500).</summary>
    public static int CallsFor(int instances) => (instances * Metrics.Count + MaxQueriesPerCall - 1) / MaxQueriesPerCall;
}
