using System.Globalization;
using System.Text.RegularExpressions;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Core.Credits;

/// <summary>
/// Answers "how many CPU credits does this instance (or every burstable instance) have left, out
/// of how many, and when will it run dry?" EC2 says which instances exist, their type and credit
/// option; CloudWatch gives the four credit metrics of all of them in as few GetMetricData calls as
/// the 500-query limit allows; the credit table gives the maximum and the earning rate; the
/// forecast follows from the recent net burn rate.
/// </summary>
public sealed partial class CpuCreditService
{
    public const int DefaultPeriodSeconds = 300;

    /// <summary>How far back the current balance is looked for (metrics arrive every 5 minutes, late).</summary>
    public static readonly TimeSpan CurrentWindow = TimeSpan.FromHours(3);

    /// <summary>The history shown when no -StartTime is given.</summary>
    public static readonly TimeSpan DefaultHistory = TimeSpan.FromHours(3);

    /// <summary>The span the usage rate of the forecast is taken over.</summary>
    public static readonly TimeSpan RateWindow = TimeSpan.FromHours(1);

    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(1);

    private readonly IOperationLog _log;
    private readonly TimeProvider _time;
    private readonly AwsRetryPolicy _retry;
    private readonly IEnvironmentVariables _environment;
    private readonly Func<AwsContext, IOperationLog, ICloudWatchClient> _cloudWatch;
    private readonly Func<AwsContext, IOperationLog, IEc2InstanceDirectory> _ec2;
    private readonly Func<Amazon.Runtime.AWSCredentials>? _credentials;

    public CpuCreditService(IOperationLog? log = null, TimeProvider? time = null, AwsRetryPolicy? retry = null, IEnvironmentVariables? environment = null)
        : this(log, time, retry, environment, null, null)
    {
    }

    internal CpuCreditService(
        IOperationLog? log,
        TimeProvider? time,
        AwsRetryPolicy? retry,
        IEnvironmentVariables? environment,
        Func<AwsContext, IOperationLog, ICloudWatchClient>? cloudWatch,
        Func<AwsContext, IOperationLog, IEc2InstanceDirectory>? ec2,
        Func<Amazon.Runtime.AWSCredentials>? credentials = null)
    {
        _credentials = credentials;
        _log = log ?? NullOperationLog.Instance;
        _time = time ?? TimeProvider.System;
        _retry = retry ?? AwsRetryPolicy.Default;
        _environment = environment ?? ProcessEnvironment.Instance;
        _cloudWatch = cloudWatch ?? ((context, l) => CloudWatchQueryClient.Create(context, _retry, l));
        _ec2 = ec2 ?? ((context, l) => new Ec2SdkInstanceDirectory(context, _retry, l));
    }

    /// <summary>Whether <paramref name="instanceId"/> has the form of an EC2 instance id.</summary>
    public static bool IsInstanceId(string? instanceId) => instanceId is not null && InstanceIdPattern().IsMatch(instanceId);

    /// <summary>The CloudWatch window for a request: aligned to the period, end exclusive.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End, int Period) Window(CpuCreditRequest request, DateTimeOffset now)
    {
        var period = request.History ? request.PeriodSeconds ?? DefaultPeriodSeconds : DefaultPeriodSeconds;
        if (period < 300 || period % 300 != 0)
        {
            throw new Ec2OpsException(
                "CreditsInvalidPeriod",
                Ec2OpsErrorCategory.InvalidArgument,
                $"-Period is {period} seconds, but CloudWatch publishes CPU credit metrics every 300 seconds: the period must be a multiple of 300 (300, 900, 3600, ...).",
                period);
        }

        if (!request.History)
        {
            var end = Floor(now, period).AddSeconds(period);
            return (end - CurrentWindow, end, period);
        }

        // Aligned to period boundaries: the whole periods that overlap the asked span.
        var endTime = request.EndTime ?? now;
        var alignedEnd = request.EndTime is { } asked && Floor(asked, period) == asked ? asked : Floor(endTime, period).AddSeconds(period);
        var startTime = request.StartTime ?? alignedEnd - DefaultHistory;
        var alignedStart = Floor(startTime, period);
        if (alignedStart >= alignedEnd)
        {
            throw new Ec2OpsException(
                "CreditsInvalidTimeRange",
                Ec2OpsErrorCategory.InvalidArgument,
                $"-StartTime ({startTime.UtcDateTime:u}) must be before -EndTime ({endTime.UtcDateTime:u}).",
                startTime);
        }

        return (alignedStart, alignedEnd, period);
    }

    public async Task<CpuCreditReport> GetAsync(CpuCreditRequest request, IProgress<OperationProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        var (start, end, period) = Window(request, _time.GetUtcNow());

        // Which instances: the ones named, the fleet, or the instance this runs on (IMDS).
        var requested = request.InstanceIds.Select(id => id?.Trim() ?? "").Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        InstanceIdentityDocument? self = null;
        if (!request.All && requested.Count == 0)
        {
            self = await IdentityAsync(request.Imds, cancellation).ConfigureAwait(false);
            requested.Add(self.InstanceId!);
            _log.Verbose($"No -InstanceId or -All: reporting this instance, {self.InstanceId} ({self.InstanceType} in {self.Region}), from IMDS.");
        }

        var context = await ContextAsync(request, self, cancellation).ConfigureAwait(false);
        _log.Verbose($"Region {context.Region} (from {context.RegionSource}); EC2 {context.Ec2}; CloudWatch {context.CloudWatch}.");

        var items = new Dictionary<string, CpuCreditItem>(StringComparer.Ordinal);
        var valid = new List<string>();
        foreach (var id in requested)
        {
            if (IsInstanceId(id))
            {
                valid.Add(id);
            }
            else
            {
                items[id] = new CpuCreditItem { InstanceId = id, Error = InvalidInstanceId(id) };
            }
        }

        var ec2 = _ec2(context, _log);
        try
        {
            // EC2: the instances, then the credit option of the burstable ones.
            IReadOnlyList<Ec2Instance> instances;
            if (request.All)
            {
                instances = (await ec2.DescribeRunningBurstableAsync(cancellation).ConfigureAwait(false))
                    .OrderBy(i => i.InstanceId, StringComparer.Ordinal).ToList();
                _log.Verbose($"EC2 DescribeInstances: {instances.Count} running burstable instance(s) in {context.Region}.");
            }
            else
            {
                var found = valid.Count == 0
                    ? new Dictionary<string, Ec2Instance>()
                    : (await ec2.DescribeAsync(valid, cancellation).ConfigureAwait(false)).ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
                instances = valid.Where(found.ContainsKey).Select(id => found[id]).ToList();
                foreach (var missing in valid.Where(id => !found.ContainsKey(id)))
                {
                    items[missing] = new CpuCreditItem { InstanceId = missing, Error = NotFound(missing, context.Region) };
                }
            }

            var errors = new List<Ec2OpsException>();
            var specifications = await CreditSpecificationsAsync(ec2, instances, errors, cancellation).ConfigureAwait(false);

            // CloudWatch: four queries per instance, 500 per call, every page.
            var ids = instances.Select(i => i.InstanceId).ToList();
            var queries = CreditMetricQueries.Build(ids, period);
            var fetcher = new CreditMetricFetcher(_cloudWatch(context, _log), _log)
            {
                BatchDone = (done, total) => ReportProgress(progress, started, done, total, ids.Count),
            };
            _log.Verbose($"CloudWatch GetMetricData: {queries.Count} queries for {ids.Count} instance(s) in {CreditMetricQueries.Batches(queries).Count} call(s), {start.UtcDateTime:u} to {end.UtcDateTime:u}, period {period} s.");
            var series = queries.Count == 0
                ? new Dictionary<string, MetricSeries>()
                : await fetcher.FetchAsync(queries, start, end, cancellation).ConfigureAwait(false);

            for (var i = 0; i < instances.Count; i++)
            {
                var instance = instances[i];
                var metrics = CreditMetricQueries.Metrics.ToDictionary(m => m, m => series[CreditMetricQueries.QueryId(m, i)]);
                specifications.TryGetValue(instance.InstanceId, out var specification);
                items[instance.InstanceId] = request.History
                    ? new CpuCreditItem { InstanceId = instance.InstanceId, History = History(instance, specification, metrics, period, start, end) }
                    : new CpuCreditItem { InstanceId = instance.InstanceId, Balance = Balance(instance, specification, metrics, context.Region, period, start, end) };
            }

            var order = request.All ? instances.Select(i => i.InstanceId) : requested;
            return new CpuCreditReport
            {
                Region = context.Region,
                Items = order.Where(items.ContainsKey).Select(id => items[id]).ToList(),
                Errors = errors,
                Calls = new CpuCreditCalls(ec2.DescribeInstancesCalls, ec2.CreditSpecificationCalls, fetcher.Calls, queries.Count, fetcher.Datapoints),
                StartTime = start,
                EndTime = end,
            };
        }
        finally
        {
            (ec2 as IDisposable)?.Dispose();
        }
    }

    private async Task<InstanceIdentityDocument> IdentityAsync(ImdsRequestOptions options, CancellationToken cancellation)
    {
        try
        {
            var client = new ImdsClient(ImdsSettings.Resolve(options, _environment), log: _log);
            var identity = await new InstanceMetadataService(client, _log).GetIdentityDocumentAsync(cancellation).ConfigureAwait(false);
            if (string.IsNullOrEmpty(identity.InstanceId))
            {
                throw new Ec2OpsException("ImdsInvalidDocument", Ec2OpsErrorCategory.InvalidData, "The identity document names no instanceId.", ImdsPath.IdentityDocument);
            }

            return identity;
        }
        catch (Ec2OpsException failure) when (failure.ErrorId.StartsWith("Imds", StringComparison.Ordinal))
        {
            throw new Ec2OpsException(
                "CreditsNoInstance",
                Ec2OpsErrorCategory.ResourceUnavailable,
                $"Without -InstanceId or -All, Get-CpuCreditBalance reports the EC2 instance it runs on, found through the instance metadata service, which failed: {failure.Message}",
                null,
                failure)
            {
                RecommendedAction = "Off EC2, name the instances (-InstanceId i-... -Region ...) or use -All; to try it locally, Start-Ec2OpsEmulator first.",
            };
        }
    }

    private async Task<AwsContext> ContextAsync(CpuCreditRequest request, InstanceIdentityDocument? self, CancellationToken cancellation)
    {
        var resolved = AwsContext.ResolveRegion(request.Aws, _environment, out var tried);
        if (resolved is { } found)
        {
            return AwsContext.Create(request.Aws, found.Region, found.Source, _credentials);
        }

        if (self?.Region is { Length: > 0 } ownRegion)
        {
            return AwsContext.Create(request.Aws, ownRegion, "IMDS", _credentials);
        }

        // Last resort, as the SDKs do: the region of the instance this runs on. Fails fast off EC2.
        try
        {
            var client = new ImdsClient(ImdsSettings.Resolve(request.Imds, _environment), log: _log);
            var region = (await client.GetTextAsync(ImdsPath.MetaData + "placement/region", cancellation).ConfigureAwait(false)).Trim();
            return AwsContext.Create(request.Aws, region, "IMDS", _credentials);
        }
        catch (Ec2OpsException failure) when (failure.ErrorId.StartsWith("Imds", StringComparison.Ordinal))
        {
            throw new Ec2OpsException(
                "AwsNoRegion",
                Ec2OpsErrorCategory.InvalidArgument,
                $"No AWS region was given or configured: tried {string.Join(", ", tried)}, and the instance metadata service (this is not an EC2 instance, or IMDS is off): {failure.Message}",
                null,
                failure)
            {
                RecommendedAction = "Pass -Region (for example -Region us-east-1), or set $env:AWS_REGION, or a region in the profile.",
            };
        }
    }

    private async Task<IReadOnlyDictionary<string, string>> CreditSpecificationsAsync(IEc2InstanceDirectory ec2, IReadOnlyList<Ec2Instance> instances, List<Ec2OpsException> errors, CancellationToken cancellation)
    {
        // Only burstable instances may be asked: EC2 refuses the call for any other.
        var burstable = instances.Where(i => BurstableCatalog.IsBurstableFamily(i.InstanceType)).Select(i => i.InstanceId).ToList();
        if (burstable.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return await ec2.DescribeCreditSpecificationsAsync(burstable, cancellation).ConfigureAwait(false);
        }
        catch (AwsServiceException failure) when (failure.ErrorId is "AwsAccessDenied" or "AwsInvalidRequest")
        {
            // The credit option is one field; the balances are still worth having.
            errors.Add(failure);
            _log.Warning("CreditSpecification is empty: EC2 DescribeInstanceCreditSpecifications failed (see the error); the balances are reported without it.");
            return new Dictionary<string, string>();
        }
    }

    private CpuCreditBalance Balance(Ec2Instance instance, string? specification, IReadOnlyDictionary<CreditMetric, MetricSeries> metrics, string region, int period, DateTimeOffset start, DateTimeOffset end)
    {
        var type = BurstableCatalog.Find(instance.InstanceType);
        WarnAboutType(instance, type);
        WarnAboutStatus(instance, metrics);

        var balances = metrics[CreditMetric.Balance].Points;
        if (balances.Count == 0)
        {
            WarnNoData(instance, start, end);
            return new CpuCreditBalance
            {
                InstanceId = instance.InstanceId,
                InstanceType = instance.InstanceType,
                CreditSpecification = specification,
                State = instance.State,
                Region = region,
                MaxBalance = type?.MaxBalance,
                EarnedPerHour = type?.EarnedPerHour,
                BaselinePercent = type?.BaselinePercentPerVcpu,
                Trend = "no data",
            };
        }

        var (timestamp, balance) = balances[^1];
        bool InHour(DateTimeOffset t) => t > timestamp - RateWindow && t <= timestamp;
        var usage = metrics[CreditMetric.Usage].Points.Where(p => InHour(p.Time)).ToList();
        var charged = metrics[CreditMetric.SurplusCharged].Points.Where(p => InHour(p.Time)).ToList();
        var surplus = metrics[CreditMetric.SurplusBalance].Points.Where(p => p.Time <= timestamp).ToList();
        var hourOfBalances = balances.Where(p => InHour(p.Time)).ToList();
        (double, double)? balanceChange = hourOfBalances.Count >= 2
            ? (hourOfBalances[^1].Value - hourOfBalances[0].Value, (hourOfBalances[^1].Time - hourOfBalances[0].Time).TotalHours)
            : null;

        double? usageSum = usage.Count > 0 ? usage.Sum(p => p.Value) : null;
        double? surplusBalance = surplus.Count > 0 ? surplus[^1].Value : null;
        var netBurn = CreditMath.NetBurnPerHour(usageSum, usage.Count, period, type?.EarnedPerHour, balanceChange);
        var forecast = CreditMath.Forecast(balance, type?.MaxBalance, netBurn, specification == "unlimited", surplusBalance);
        return new CpuCreditBalance
        {
            InstanceId = instance.InstanceId,
            InstanceType = instance.InstanceType,
            CreditSpecification = specification,
            State = instance.State,
            Region = region,
            Timestamp = timestamp.ToUniversalTime(),
            Balance = balance,
            MaxBalance = type?.MaxBalance,
            PercentOfMax = CreditMath.PercentOfMax(balance, type?.MaxBalance),
            EarnedPerHour = type?.EarnedPerHour,
            BaselinePercent = type?.BaselinePercentPerVcpu,
            UsageLastHour = usageSum,
            SurplusBalance = surplusBalance,
            SurplusCharged = charged.Count > 0 ? charged.Sum(p => p.Value) : null,
            NetBurnPerHour = forecast.NetBurnPerHour,
            HoursToEmpty = forecast.HoursToEmpty,
            HoursToFull = forecast.HoursToFull,
            Trend = forecast.Trend,
        };
    }

    private IReadOnlyList<CpuCreditHistoryPoint> History(Ec2Instance instance, string? specification, IReadOnlyDictionary<CreditMetric, MetricSeries> metrics, int period, DateTimeOffset start, DateTimeOffset end)
    {
        var type = BurstableCatalog.Find(instance.InstanceType);
        WarnAboutType(instance, type);
        WarnAboutStatus(instance, metrics);

        var byMetric = metrics.ToDictionary(m => m.Key, m => m.Value.Points.ToDictionary(p => p.Time, p => p.Value));
        var times = byMetric.Values.SelectMany(d => d.Keys).Distinct().Order().ToList();
        if (times.Count == 0)
        {
            WarnNoData(instance, start, end);
            return Array.Empty<CpuCreditHistoryPoint>();
        }

        double? Value(CreditMetric metric, DateTimeOffset t) => byMetric[metric].TryGetValue(t, out var v) ? v : null;
        return times.Select(t => new CpuCreditHistoryPoint
        {
            InstanceId = instance.InstanceId,
            InstanceType = instance.InstanceType,
            CreditSpecification = specification,
            Timestamp = t.ToUniversalTime(),
            PeriodSeconds = period,
            Balance = Value(CreditMetric.Balance, t),
            MaxBalance = type?.MaxBalance,
            PercentOfMax = CreditMath.PercentOfMax(Value(CreditMetric.Balance, t), type?.MaxBalance),
            Usage = Value(CreditMetric.Usage, t),
            Earned = type?.EarnedIn(period),
            SurplusBalance = Value(CreditMetric.SurplusBalance, t),
            SurplusCharged = Value(CreditMetric.SurplusCharged, t),
        }).ToList();
    }

    private void WarnAboutType(Ec2Instance instance, BurstableInstanceType? type)
    {
        if (type is not null)
        {
            return;
        }

        _log.Warning(BurstableCatalog.IsBurstableFamily(instance.InstanceType)
            ? $"{instance.InstanceId} ({instance.InstanceType}): the type is not in the credit table (t2, t3, t3a, t4g: nano to 2xlarge), so MaxBalance, PercentOfMax, EarnedPerHour and BaselinePercent are empty."
            : $"{instance.InstanceId} ({instance.InstanceType}) is not a burstable instance type (T2, T3, T3a, T4g): it earns no CPU credits and CloudWatch publishes no credit metrics for it, so Balance, MaxBalance and the forecast are empty.");
    }

    private void WarnAboutStatus(Ec2Instance instance, IReadOnlyDictionary<CreditMetric, MetricSeries> metrics)
    {
        foreach (var (metric, series) in metrics)
        {
            if (series.StatusCode is "InternalError" or "Forbidden" or "PartialData")
            {
                var detail = series.Messages.Count > 0 ? ": " + string.Join("; ", series.Messages.Select(m => $"{m.Code} {m.Value}")) : "";
                _log.Warning($"{instance.InstanceId}: CloudWatch answered {CreditMetricQueries.MetricName(metric)} with status {series.StatusCode}{detail}; {(series.StatusCode == "PartialData" ? "its datapoints are incomplete" : "its values are left empty")}.");
            }
        }
    }

    private void WarnNoData(Ec2Instance instance, DateTimeOffset start, DateTimeOffset end)
    {
        var span = end - start;
        var window = span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours)
            ? $"in the {span.TotalHours.ToString(CultureInfo.InvariantCulture)} hour{(span.TotalHours == 1 ? "" : "s")} asked"
            : $"in the {span.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes asked";
        string why;
        if (!BurstableCatalog.IsBurstableFamily(instance.InstanceType))
        {
            // The warning about the type has said why already.
            return;
        }

        if (instance.State is not "running")
        {
            why = $"it is {instance.State}, and CloudWatch publishes no credit metrics while an instance does not run"
                + (instance.InstanceType.StartsWith("t2.", StringComparison.OrdinalIgnoreCase) ? " (a T2 loses its credits when it stops)" : " (T3, T3a and T4g keep theirs for 7 days after a stop)");
        }
        else if (instance.LaunchTime is { } launched && _time.GetUtcNow() - launched < TimeSpan.FromMinutes(20))
        {
            why = $"it was launched at {launched.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}, and the first credit metrics appear some minutes after launch";
        }
        else
        {
            why = "the instance may be stopped, not burstable, or its metrics not published yet (they arrive every 5 minutes, a few minutes late)";
        }

        _log.Warning($"No CPU credit datapoints for {instance.InstanceId} {window}: {why}. Balance is empty.");
    }

    private void ReportProgress(IProgress<OperationProgress>? progress, long started, int done, int total, int instances)
    {
        // Only for work that lasts: a quick run shows no progress bar.
        if (progress is not null && _time.GetElapsedTime(started) >= ProgressAfter)
        {
            progress.Report(new OperationProgress("Get-CpuCreditBalance", $"CloudWatch GetMetricData: {done} of {total} call(s) for {instances} instance(s)", total == 0 ? -1 : 100 * done / total));
        }
    }

    private static Ec2OpsException InvalidInstanceId(string id) =>
        new("CreditsInvalidInstanceId", Ec2OpsErrorCategory.InvalidArgument,
            $"'{id}' is not an EC2 instance id: an instance id is 'i-' followed by 8 or 17 hexadecimal digits, e.g. i-0a1b2c3d4e5f67890.", id);

    private static Ec2OpsException NotFound(string id, string region) =>
        new("CreditsInstanceNotFound", Ec2OpsErrorCategory.ObjectNotFound,
            $"EC2 DescribeInstances knows no instance '{id}' in {region}: it may be in another region or account, or terminated.", id)
        {
            RecommendedAction = "Check the id, and the region (-Region) and credentials (-ProfileName) it belongs to.",
        };

    private static DateTimeOffset Floor(DateTimeOffset time, int periodSeconds)
    {
        var seconds = time.ToUnixTimeSeconds();
        var floored = seconds - (((seconds % periodSeconds) + periodSeconds) % periodSeconds);
        return DateTimeOffset.FromUnixTimeSeconds(floored);
    }

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceIdPattern();
}
