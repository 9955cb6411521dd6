using Ec2Ops.Core.Credits;

namespace Ec2Ops.Tests.Credits;

/// <summary>Four queries per instance, 500 per GetMetricData call.</summary>
public class CreditMetricQueriesTests
{
    [Fact]
    public void EachInstanceGetsItsFourMetricsWithTheRightStatistic()
    {
        var queries = CreditMetricQueries.Build(new[] { "i-0a1b2c3d4e5f67890", "i-0b5e2c7d9f1a3b4c5" }, 300);

        Assert.Equal(new[] { "b0", "u0", "s0", "c0", "b1", "u1", "s1", "c1" }, queries.Select(q => q.Id));
        Assert.Equal(
            new[] { "CPUCreditBalance/Average", "CPUCreditUsage/Sum", "CPUSurplusCreditBalance/Average", "CPUSurplusCreditsCharged/Sum" },
            queries.Take(4).Select(q => $"{q.MetricName}/{q.Stat}"));
        Assert.All(queries, q => Assert.Equal(("AWS/EC2", 300), (q.Namespace, q.Period)));
        Assert.Equal("i-0b5e2c7d9f1a3b4c5", Assert.Single(queries[5].Dimensions) is { Name: "InstanceId" } d ? d.Value : null);
    }

    [Theory]
    [InlineData("b0", CreditMetric.Balance, 0)]
    [InlineData("u17", CreditMetric.Usage, 17)]
    [InlineData("s999", CreditMetric.SurplusBalance, 999)]
    [InlineData("c3", CreditMetric.SurplusCharged, 3)]
    public void QueryIdsReadBack(string id, CreditMetric metric, int index)
    {
        Assert.Equal((metric, index), CreditMetricQueries.ParseId(id));
        Assert.Equal(id, CreditMetricQueries.QueryId(metric, index));
    }

    [Theory]
    [InlineData("x1")]
    [InlineData("b")]
    [InlineData("b-1")]
    public void OtherIdsAreNotCreditQueries(string id) => Assert.Null(CreditMetricQueries.ParseId(id));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(125, 1)]
    [InlineData(126, 2)]
    [InlineData(250, 2)]
    [InlineData(1000, 8)]
    [InlineData(1001, 9)]
    public void NInstancesTakeCeilingOfFourNOver500Calls(int instances, int calls)
    {
        var ids = Enumerable.Range(0, instances).Select(i => $"i-{i:x17}").ToList();
        var batches = CreditMetricQueries.Batches(CreditMetricQueries.Build(ids, 300));

        Assert.Equal(calls, batches.Count);
        Assert.Equal(calls, CreditMetricQueries.CallsFor(instances));
        Assert.All(batches, b => Assert.InRange(b.Count, 1, 500));
        Assert.Equal(4 * instances, batches.Sum(b => b.Count));
    }
}
