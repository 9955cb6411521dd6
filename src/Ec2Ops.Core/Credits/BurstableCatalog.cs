namespace Ec2Ops.Core.Credits;

/// <summary>
/// The CPU credit figures of one burstable instance type (EC2 User Guide, "Key concepts and
/// definitions for burstable performance instances"): credits earned per hour, the most it can
/// accrue (24 hours of earning), vCPUs, baseline utilization per vCPU, and the launch credits per
/// vCPU a T2 standard instance starts with (outside the maximum).
/// </summary>
public sealed record BurstableInstanceType(
    string InstanceType,
    string Family,
    string Size,
    double EarnedPerHour,
    double MaxBalance,
    int VCpus,
    double BaselinePercentPerVcpu,
    int LaunchCreditsPerVcpu)
{
    /// <summary>Credits earned in one period of <paramref name="seconds"/>.</summary>
    public double EarnedIn(int seconds) => EarnedPerHour * seconds / 3600.0;
}

/// <summary>The credit table of the burstable families T2, T3, T3a and T4g, every size.</summary>
public static class BurstableCatalog
{
    /// <summary>The families whose instances earn CPU credits.</summary>
    public static IReadOnlyList<string> Families { get; } = new[] { "t2", "t3", "t3a", "t4g" };

    private static readonly Dictionary<string, BurstableInstanceType> Types = Build();

    /// <summary>Every type in the table, t2.nano first.</summary>
    public static IReadOnlyList<BurstableInstanceType> All { get; } = Types.Values.ToList();

    /// <summary>The figures of <paramref name="instanceType"/> (case-insensitive), or null when it is not in the table.</summary>
    public static BurstableInstanceType? Find(string? instanceType) =>
        instanceType is not null && Types.TryGetValue(instanceType.Trim(), out var found) ? found : null;

    /// <summary>Whether the type belongs to a burstable family (t2/t3/t3a/t4g), known size or not.</summary>
    public static bool IsBurstableFamily(string? instanceType) =>
        instanceType is not null && instanceType.Split('.', 2)[0].ToLowerInvariant() is var family && Families.Contains(family);

    private static Dictionary<string, BurstableInstanceType> Build()
    {
        var table = new Dictionary<string, BurstableInstanceType>(StringComparer.OrdinalIgnoreCase);
        void Add(string family, string size, double earned, double max, int vcpus, double baseline, int launch) =>
            table.Add($"{family}.{size}", new BurstableInstanceType($"{family}.{size}", family, size, earned, max, vcpus, baseline, launch));

        // T2: 30 launch credits per vCPU (standard mode), not counted toward the maximum.
        Add("t2", "nano", 3, 72, 1, 5, 30);
        Add("t2", "micro", 6, 144, 1, 10, 30);
        Add("t2", "small", 12, 288, 1, 20, 30);
        Add("t2", "medium", 24, 576, 2, 20, 30);
        Add("t2", "large", 36, 864, 2, 30, 30);
        Add("t2", "xlarge", 54, 1296, 4, 22.5, 30);
        Add("t2", "2xlarge", 81.6, 1958.4, 8, 17, 30);

        foreach (var family in new[] { "t3", "t3a", "t4g" })
        {
            Add(family, "nano", 6, 144, 2, 5, 0);
            Add(family, "micro", 12, 288, 2, 10, 0);
            Add(family, "small", 24, 576, 2, 20, 0);
            Add(family, "medium", 24, 576, 2, 20, 0);
            Add(family, "large", 36, 864, 2, 30, 0);
            Add(family, "xlarge", 96, 2304, 4, 40, 0);
            Add(family, "2xlarge", 192, 4608, 8, 40, 0);
        }

        return table;
    }
}
