using System.Globalization;
using Ec2Ops.Core.Credits;

namespace Ec2Ops.Core.Emulator;

/// <summary>
/// One EC2 instance the emulator's EC2 and CloudWatch know. Burstable instances that run have 24
/// hours of CPU credit metrics, simulated period by period with the standard- or unlimited-mode
/// formula (earn, spend, cap, surplus, charge) from a usage pattern.
/// </summary>
public sealed class EmulatedInstance
{
    private readonly Lazy<CreditTrajectory?> _trajectory;

    internal EmulatedInstance(
        string instanceId,
        string instanceType,
        string state,
        string creditSpecification,
        string availabilityZone,
        string name,
        DateTimeOffset launchTime,
        string privateIpAddress,
        string imageId,
        CreditPattern pattern,
        double startBalance)
    {
        InstanceId = instanceId;
        InstanceType = instanceType;
        State = state;
        CreditSpecification = creditSpecification;
        AvailabilityZone = availabilityZone;
        Name = name;
        LaunchTime = launchTime;
        PrivateIpAddress = privateIpAddress;
        ImageId = imageId;
        Pattern = pattern;
        StartBalance = startBalance;
        _trajectory = new Lazy<CreditTrajectory?>(() => CreditTrajectory.Simulate(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string InstanceId { get; }

    public string InstanceType { get; }

    /// <summary>running, stopped, ...</summary>
    public string State { get; }

    /// <summary>standard | unlimited (burstable instances only).</summary>
    public string CreditSpecification { get; }

    public string AvailabilityZone { get; }

    /// <summary>The Name tag.</summary>
    public string Name { get; }

    public DateTimeOffset LaunchTime { get; }

    public string PrivateIpAddress { get; }

    public string ImageId { get; }

    /// <summary>The usage pattern its credit history is simulated from.</summary>
    public CreditPattern Pattern { get; }

    /// <summary>The earned balance 24 hours ago, where the simulation starts.</summary>
    public double StartBalance { get; }

    public bool IsBurstable => BurstableCatalog.IsBurstableFamily(InstanceType);

    public string Architecture => InstanceType.Split('.')[0].EndsWith('g') ? "arm64" : "x86_64";

    /// <summary>CloudWatch has credit metrics for it: a burstable type in the credit table that runs.</summary>
    public bool HasCreditMetrics => State == "running" && BurstableCatalog.Find(InstanceType) is not null;

    internal CreditTrajectory? Trajectory => _trajectory.Value;

    public override string ToString() => $"{InstanceId} {InstanceType} {State} {CreditSpecification}";
}

/// <summary>The usage an emulated instance asks for, period by period.</summary>
public enum CreditPattern
{
    /// <summary>An hour of heavy use every four hours, idle between (the emulated instance itself).</summary>
    Bursty,

    /// <summary>Idle but for a small blip every hour; a new T2 keeps most of its launch credits.</summary>
    Idle,

    /// <summary>Light use for twelve hours, then well above baseline: the balance drains toward zero.</summary>
    Draining,

    /// <summary>Light use, then far above baseline: an unlimited instance runs on surplus credits.</summary>
    Heavy,

    /// <summary>Exactly its baseline on average: the balance holds.</summary>
    Steady,
}

/// <summary>The simulated metrics of one instance, 5-minute periods, index 0 the oldest.</summary>
internal sealed class CreditTrajectory
{
    private CreditTrajectory(double[] balance, double[] usage, double[] surplus, double[] charged)
    {
        Balance = balance;
        Usage = usage;
        Surplus = surplus;
        Charged = charged;
    }

    public double[] Balance { get; }

    public double[] Usage { get; }

    public double[] Surplus { get; }

    public double[] Charged { get; }

    public static CreditTrajectory? Simulate(EmulatedInstance instance)
    {
        if (BurstableCatalog.Find(instance.InstanceType) is not { } type)
        {
            return null;
        }

        var n = CreditFleet.HistoryPeriods;
        var earnedPerPeriod = type.EarnedIn(CreditFleet.PeriodSeconds);
        var unlimited = instance.CreditSpecification == "unlimited";
        var balance = new double[n];
        var usage = new double[n];
        var surplus = new double[n];
        var charged = new double[n];

        var earned = Math.Min(instance.StartBalance, type.MaxBalance);
        var launch = !unlimited && type.LaunchCreditsPerVcpu > 0 && instance.Pattern == CreditPattern.Idle ? type.LaunchCreditsPerVcpu * type.VCpus : 0.0;
        var surplusBalance = 0.0;
        for (var i = 0; i < n; i++)
        {
            var wanted = Wanted(instance.Pattern, i, earnedPerPeriod);
            if (unlimited)
            {
                var (b, s, c) = CreditMath.UnlimitedStep(earned, surplusBalance, earnedPerPeriod, wanted, type.MaxBalance);
                earned = b;
                surplusBalance = s;
                usage[i] = wanted;
                surplus[i] = s;
                charged[i] = c;
            }
            else
            {
                var (e, l, used) = CreditMath.StandardStep(earned, launch, earnedPerPeriod, wanted, type.MaxBalance);
                earned = e;
                launch = l;
                usage[i] = used;
            }

            balance[i] = earned + launch;
        }

        return new CreditTrajectory(balance, usage, unlimited ? surplus : Array.Empty<double>(), unlimited ? charged : Array.Empty<double>());
    }

    // Wanted usage per 5-minute period, in multiples of the earning rate so every type behaves alike.
    private static double Wanted(CreditPattern pattern, int i, double earned) => pattern switch
    {
        CreditPattern.Bursty => i % 48 < 12 ? 2.5 * earned : 0.25 * earned,
        CreditPattern.Idle => i % 12 == 0 ? 0.5 * earned : 0,
        CreditPattern.Draining => i < 144 ? 0.5 * earned : 2.5 * earned,
        CreditPattern.Heavy => i < 48 ? 0.25 * earned : 3 * earned,
        CreditPattern.Steady => i % 2 == 0 ? 0.875 * earned : 1.125 * earned,
        _ => 0,
    };
}

/// <summary>
/// The instances of the emulated region and their credit metrics. The default scenario is a small
/// fleet around the emulated instance (IMDS's instance id is one of them); <see cref="Generate"/>
/// makes a fleet of N for benchmarks. Data is relative to the current 5-minute boundary: the newest
/// datapoint is the period that ended at the last boundary, so what a client sees is the same on
/// every run except the timestamps.
/// </summary>
public sealed class CreditFleet
{
    public const int PeriodSeconds = 300;

    /// <summary>24 hours of 5-minute periods.</summary>
    public const int HistoryPeriods = 288;

    private readonly Dictionary<string, EmulatedInstance> _byId;

    private CreditFleet(IReadOnlyList<EmulatedInstance> instances)
    {
        Instances = instances;
        _byId = instances.ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
    }

    public IReadOnlyList<EmulatedInstance> Instances { get; }

    public EmulatedInstance? Find(string instanceId) => _byId.TryGetValue(instanceId, out var found) ? found : null;

    /// <summary>What a CSV cell shows for the fleet.</summary>
    public override string ToString() => Instances.Count == 1 ? "1 instance" : $"{Instances.Count} instances";

    /// <summary>The start of the newest period with data: the last 5-minute boundary minus one period.</summary>
    public static DateTimeOffset NewestTimestamp(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds - seconds % PeriodSeconds - PeriodSeconds);
    }

    /// <summary>The 5-minute datapoints of one credit metric of an instance, oldest first (empty when it has none).</summary>
    public IReadOnlyList<(DateTimeOffset Time, double Value)> Datapoints(string instanceId, string metricName, DateTimeOffset now) =>
        Datapoints(instanceId, metricName, now, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>The datapoints within [<paramref name="start"/>, <paramref name="end"/>), oldest first.</summary>
    public IReadOnlyList<(DateTimeOffset Time, double Value)> Datapoints(string instanceId, string metricName, DateTimeOffset now, DateTimeOffset start, DateTimeOffset end)
    {
        if (Find(instanceId) is not { HasCreditMetrics: true } instance || instance.Trajectory is not { } trajectory)
        {
            return Array.Empty<(DateTimeOffset, double)>();
        }

        var values = metricName switch
        {
            "CPUCreditBalance" => trajectory.Balance,
            "CPUCreditUsage" => trajectory.Usage,
            "CPUSurplusCreditBalance" => trajectory.Surplus,
            "CPUSurplusCreditsCharged" => trajectory.Charged,
            _ => Array.Empty<double>(),
        };

        var newest = NewestTimestamp(now);
        var first = newest.AddSeconds(-PeriodSeconds * (values.Length - 1));

        // Only the periods inside the window (and since launch), found by arithmetic.
        var from = new[] { start, instance.LaunchTime.AddSeconds(-PeriodSeconds), first }.Max();
        var lo = (int)Math.Ceiling((from - first).TotalSeconds / PeriodSeconds);
        var hi = end >= newest.AddSeconds(PeriodSeconds) ? values.Length : (int)Math.Ceiling((end - first).TotalSeconds / PeriodSeconds);
        lo = Math.Clamp(lo, 0, values.Length);
        hi = Math.Clamp(hi, lo, values.Length);
        var result = new (DateTimeOffset, double)[hi - lo];
        for (var i = lo; i < hi; i++)
        {
            result[i - lo] = (first.AddSeconds(PeriodSeconds * i), values[i]);
        }

        return result;
    }

    /// <summary>The metric names CloudWatch lists for an instance.</summary>
    public static IEnumerable<string> MetricNames(EmulatedInstance instance) =>
        !instance.HasCreditMetrics ? Array.Empty<string>()
        : instance.CreditSpecification == "unlimited"
            ? new[] { "CPUCreditBalance", "CPUCreditUsage", "CPUSurplusCreditBalance", "CPUSurplusCreditsCharged" }
            : new[] { "CPUCreditBalance", "CPUCreditUsage" };

    /// <summary>
    /// The default scenario: the emulated instance (bursty use) and six more: a new t2.micro still
    /// holding launch credits (its balance above the maximum), a t3a.medium draining toward zero,
    /// an unlimited t3.small running on surplus credits and being charged, a steady t4g.medium, a
    /// stopped t3.nano and a running m5.large (not burstable).
    /// </summary>
    public static CreditFleet Default(EmulatorOptions options, DateTimeOffset startTime)
    {
        var newest = NewestTimestamp(startTime);
        var month = newest.AddDays(-30);
        var zone = options.AvailabilityZone;
        var zoneB = options.Region + "b";
        var instances = new List<EmulatedInstance>
        {
            Self(options, month),
            new("i-0b5e2c7d9f1a3b4c5", "t2.micro", "running", "standard", zoneB, "ci-runner", newest.AddSeconds(-PeriodSeconds * HistoryPeriods), "172.16.40.11", options.ImageId, CreditPattern.Idle, 0),
            new("i-0c6f3d8e0a2b4c5d6", "t3a.medium", "running", "standard", zone, "build-agent", month, "172.16.34.52", options.ImageId, CreditPattern.Draining, 576),
            new("i-0d7a4e9f1b3c5d6e7", "t3.small", "running", "unlimited", zoneB, "api-worker", month, "172.16.40.23", options.ImageId, CreditPattern.Heavy, 200),
            new("i-0e8b5f0a2c4d6e7f8", "t4g.medium", "running", "standard", zone, "cache", month, "172.16.34.64", "ami-0c1d2e3f4a5b6c7d8", CreditPattern.Steady, 300),
            new("i-0f9c6a1b3d5e7f809", "t3.nano", "stopped", "standard", zone, "batch-nightly", month, "172.16.34.75", options.ImageId, CreditPattern.Idle, 0),
            new("i-01ad7b2c4e6f80912", "m5.large", "running", "standard", zoneB, "db-primary", month, "172.16.40.86", options.ImageId, CreditPattern.Steady, 0),
        };

        // The emulated instance may have been given one of these ids: it wins.
        return new CreditFleet(instances.Where((i, index) => index == 0 || i.InstanceId != options.InstanceId).ToList());
    }

    /// <summary>
    /// A fleet of <paramref name="size"/> running burstable instances for benchmarks: the emulated
    /// instance first, then generated ones cycling through every type of the credit table, every
    /// fourth unlimited, with varied usage patterns.
    /// </summary>
    public static CreditFleet Generate(int size, EmulatorOptions options, DateTimeOffset startTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var month = NewestTimestamp(startTime).AddDays(-30);
        var types = BurstableCatalog.All;
        var patterns = new[] { CreditPattern.Bursty, CreditPattern.Draining, CreditPattern.Steady, CreditPattern.Idle };
        var instances = new List<EmulatedInstance>(size) { Self(options, month) };
        for (var i = 1; instances.Count < size; i++)
        {
            var id = "i-0" + (0xf000000000000000UL + (ulong)i).ToString("x16", CultureInfo.InvariantCulture);
            if (id == options.InstanceId)
            {
                continue;
            }

            var type = types[i % types.Count];
            var unlimited = i % 4 == 3;
            instances.Add(new EmulatedInstance(
                id,
                type.InstanceType,
                "running",
                unlimited ? "unlimited" : "standard",
                options.Region + (char)('a' + i % 3),
                $"fleet-{i:D4}",
                month,
                $"172.16.{i / 250}.{i % 250 + 4}",
                options.ImageId,
                unlimited ? CreditPattern.Heavy : patterns[i % patterns.Length],
                type.MaxBalance * (i % 5) / 4));
        }

        return new CreditFleet(instances);
    }

    private static EmulatedInstance Self(EmulatorOptions options, DateTimeOffset launched)
    {
        var max = BurstableCatalog.Find(options.InstanceType)?.MaxBalance ?? 0;
        var name = options.Tags is { } tags && tags.TryGetValue("Name", out var n) ? n : "ec2ops-demo";
        return new EmulatedInstance(options.InstanceId, options.InstanceType, "running", "standard", options.AvailabilityZone, name, launched, "172.16.34.43", options.ImageId, CreditPattern.Bursty, max / 2);
    }
}
