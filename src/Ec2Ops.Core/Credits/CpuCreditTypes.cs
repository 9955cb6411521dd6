namespace Ec2Ops.Core.Credits;

/// <summary>
/// The CPU credits of one burstable instance now: the newest CloudWatch datapoints, the credit
/// table's figures for its type, and a forecast at the recent net burn rate. Values that cannot be
/// known are null (no datapoints, a type not in the table).
/// </summary>
public sealed class CpuCreditBalance
{
    public required string InstanceId { get; init; }

    public string? InstanceType { get; init; }

    /// <summary>standard | unlimited (EC2 DescribeInstanceCreditSpecifications).</summary>
    public string? CreditSpecification { get; init; }

    /// <summary>running, stopped, ... (EC2 DescribeInstances).</summary>
    public string? State { get; init; }

    public string? Region { get; init; }

    /// <summary>UTC time of the newest CPUCreditBalance datapoint (CloudWatch's period start).</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>CPUCreditBalance, in credits (vCPU-minutes). A T2 balance above MaxBalance holds launch credits and is reported as it is.</summary>
    public double? Balance { get; init; }

    /// <summary>The most credits the type can accrue (24 hours of earning); null for a type not in the credit table.</summary>
    public double? MaxBalance { get; init; }

    /// <summary>100 x Balance / MaxBalance, to one decimal.</summary>
    public double? PercentOfMax { get; init; }

    public double? EarnedPerHour { get; init; }

    /// <summary>Baseline utilization per vCPU, in percent.</summary>
    public double? BaselinePercent { get; init; }

    /// <summary>CPUCreditUsage summed over the hour that ends with the newest datapoint.</summary>
    public double? UsageLastHour { get; init; }

    /// <summary>CPUSurplusCreditBalance (unlimited mode): surplus credits spent while the balance was zero.</summary>
    public double? SurplusBalance { get; init; }

    /// <summary>CPUSurplusCreditsCharged (unlimited mode) summed over the same hour: surplus credits billed.</summary>
    public double? SurplusCharged { get; init; }

    /// <summary>Credits per hour the balance loses at the recent rate (usage minus earnings); negative while it grows.</summary>
    public double? NetBurnPerHour { get; init; }

    /// <summary>Hours until the balance is zero at <see cref="NetBurnPerHour"/> (two decimals); null when it is not falling.</summary>
    public double? HoursToEmpty { get; init; }

    /// <summary>Hours until the balance is at <see cref="MaxBalance"/> at the recent rate (two decimals); 0 when full; null when it is not rising.</summary>
    public double? HoursToFull { get; init; }

    /// <summary>The forecast in words: "empty in 3.5 h", "full in 12 h", "full", "empty", "surplus", "steady", "no data".</summary>
    public required string Trend { get; init; }

    public override string ToString() => $"{InstanceId} {Balance?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/{MaxBalance?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} ({Trend})";
}

/// <summary>One period of one instance's credit history (Get-CpuCreditBalance -History), oldest first.</summary>
public sealed class CpuCreditHistoryPoint
{
    public required string InstanceId { get; init; }

    public string? InstanceType { get; init; }

    public string? CreditSpecification { get; init; }

    /// <summary>UTC start of the period.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Length of the period in seconds (a multiple of 300).</summary>
    public required int PeriodSeconds { get; init; }

    /// <summary>CPUCreditBalance, average over the period.</summary>
    public double? Balance { get; init; }

    public double? MaxBalance { get; init; }

    /// <summary>100 x Balance / MaxBalance, to one decimal.</summary>
    public double? PercentOfMax { get; init; }

    /// <summary>CPUCreditUsage, summed over the period.</summary>
    public double? Usage { get; init; }

    /// <summary>Credits the type earns in one period (the credit table's rate, not a metric).</summary>
    public double? Earned { get; init; }

    /// <summary>CPUSurplusCreditBalance, average over the period (unlimited mode).</summary>
    public double? SurplusBalance { get; init; }

    /// <summary>CPUSurplusCreditsCharged, summed over the period (unlimited mode).</summary>
    public double? SurplusCharged { get; init; }

    public override string ToString() => $"{InstanceId} {Timestamp:u} {Balance?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
}

/// <summary>What Get-CpuCreditBalance asks: which instances, now or a history, and how to reach AWS.</summary>
public sealed record CpuCreditRequest
{
    /// <summary>Instances to report; empty (and not <see cref="All"/>) means the instance this runs on.</summary>
    public IReadOnlyList<string> InstanceIds { get; init; } = Array.Empty<string>();

    /// <summary>Every running burstable instance of the region.</summary>
    public bool All { get; init; }

    /// <summary>One object per period per instance instead of one per instance.</summary>
    public bool History { get; init; }

    /// <summary>History start; default: three hours before <see cref="EndTime"/>.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>History end; default: now.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>History period in seconds, a multiple of 300; default 300.</summary>
    public int? PeriodSeconds { get; init; }

    public Aws.AwsRequestOptions Aws { get; init; } = new();

    /// <summary>How to reach IMDS when the instance itself (or its region) is needed.</summary>
    public Metadata.ImdsRequestOptions Imds { get; init; } = new();
}

/// <summary>The answer for one requested instance, in the order asked: the balance or history, or an error.</summary>
public sealed class CpuCreditItem
{
    public required string InstanceId { get; init; }

    public CpuCreditBalance? Balance { get; init; }

    public IReadOnlyList<CpuCreditHistoryPoint> History { get; init; } = Array.Empty<CpuCreditHistoryPoint>();

    /// <summary>Why this instance has no answer (malformed id, not found); the others are unaffected.</summary>
    public Ec2OpsException? Error { get; init; }
}

/// <summary>How many calls a report took: the figures a fleet query is judged by.</summary>
public sealed record CpuCreditCalls(int DescribeInstances, int DescribeInstanceCreditSpecifications, int GetMetricData, int MetricQueries, int Datapoints);

/// <summary>Everything one Get-CpuCreditBalance run found.</summary>
public sealed class CpuCreditReport
{
    public required string Region { get; init; }

    public required IReadOnlyList<CpuCreditItem> Items { get; init; }

    /// <summary>Errors that concern no single instance and did not stop the run (e.g. credit options not readable).</summary>
    public IReadOnlyList<Ec2OpsException> Errors { get; init; } = Array.Empty<Ec2OpsException>();

    public required CpuCreditCalls Calls { get; init; }

    /// <summary>The window asked of CloudWatch (aligned to the period).</summary>
    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset EndTime { get; init; }
}
