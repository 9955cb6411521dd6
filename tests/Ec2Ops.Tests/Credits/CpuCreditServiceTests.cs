using System.Diagnostics;
using Ec2Ops.Core;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Credits;
using Ec2Ops.Core.Emulator;
using Ec2Ops.Core.Metadata;
using Ec2Ops.Tests.Emulator;
using static Ec2Ops.Tests.Credits.CreditsTestKit;

namespace Ec2Ops.Tests.Credits;

/// <summary>The credits service end to end against the emulator's EC2 (through AWSSDK.EC2) and CloudWatch.</summary>
public class CpuCreditServiceTests
{
    [Fact]
    public async Task AllReportsTheRunningBurstableInstancesInFewCalls()
    {
        using var emulator = Ec2OpsEmulator.Start();

        var report = await Service().GetAsync(Request(emulator) with { All = true });

        var balances = report.Items.Select(i => i.Balance!).ToList();
        Assert.Equal(new[] { Self, LaunchCredits, Draining, Unlimited, Steady }, balances.Select(b => b.InstanceId));
        Assert.Equal(new CpuCreditCalls(1, 1, 1, 20, report.Calls.Datapoints), report.Calls);
        Assert.Equal((1, 1, 1), (emulator.Aws.CallCount("DescribeInstances"), emulator.Aws.CallCount("DescribeInstanceCreditSpecifications"), emulator.Aws.CallCount("GetMetricData")));
        Assert.All(balances, b => Assert.Equal(("running", "us-east-1"), (b.State, b.Region)));
        Assert.All(balances, b => Assert.Equal(CreditFleet.NewestTimestamp(DateTimeOffset.UtcNow), b.Timestamp!.Value, TimeSpan.FromMinutes(5)));
        Assert.All(balances, b => Assert.Equal(TimeSpan.Zero, b.Timestamp!.Value.Offset));
        Assert.Empty(report.Errors);
    }

    [Fact]
    public async Task TheDefaultScenarioGivesTheDocumentedValues()
    {
        using var emulator = Ec2OpsEmulator.Start();

        var report = await Service().GetAsync(Request(emulator) with { All = true });
        var byId = report.Items.ToDictionary(i => i.InstanceId, i => i.Balance!);

        // The emulated t3.micro: idle for the last hour, filling at 9 credits an hour.
        var self = byId[Self];
        Assert.Equal(("t3.micro", "standard", 198.0, 288.0, 68.8), (self.InstanceType, self.CreditSpecification, self.Balance, self.MaxBalance, self.PercentOfMax));
        Assert.Equal((12.0, 10.0, 3.0, -9.0, (double?)null, 10.0, "full in 10 h"), (self.EarnedPerHour!.Value, self.BaselinePercent!.Value, self.UsageLastHour!.Value, self.NetBurnPerHour!.Value, self.HoursToEmpty, self.HoursToFull!.Value, self.Trend));
        Assert.Null(self.SurplusBalance);

        // A T2 with launch credits: above its maximum, reported as it is.
        var t2 = byId[LaunchCredits];
        Assert.Equal((168.0, 144.0, 116.7, 0.0, "full"), (t2.Balance!.Value, t2.MaxBalance!.Value, t2.PercentOfMax!.Value, t2.HoursToFull!.Value, t2.Trend));

        // Draining toward zero: 60 an hour used, 24 earned.
        var draining = byId[Draining];
        Assert.Equal((144.0, 25.0, 60.0, 36.0, 4.0, "empty in 4 h"), (draining.Balance!.Value, draining.PercentOfMax!.Value, draining.UsageLastHour!.Value, draining.NetBurnPerHour!.Value, draining.HoursToEmpty!.Value, draining.Trend));
        Assert.Null(draining.HoursToFull);

        // Unlimited, on surplus credits, charged beyond the maximum.
        var unlimited = byId[Unlimited];
        Assert.Equal(("unlimited", 0.0, 576.0, 48.0, 0.0, "surplus"), (unlimited.CreditSpecification, unlimited.Balance!.Value, unlimited.SurplusBalance!.Value, unlimited.NetBurnPerHour!.Value, unlimited.HoursToEmpty!.Value, unlimited.Trend));
        Assert.Equal(48.0, unlimited.SurplusCharged);

        var steady = byId[Steady];
        Assert.Equal((300.0, 0.0, "steady"), (steady.Balance!.Value, steady.NetBurnPerHour!.Value, steady.Trend));
        Assert.Null(steady.HoursToEmpty);
        Assert.Null(steady.HoursToFull);
    }

    [Fact]
    public async Task NamedInstancesComeInTheOrderAskedAndBadOnesAreErrorsOfTheirOwn()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var log = new RecordingOperationLog();

        var report = await Service(log).GetAsync(Request(emulator, Steady, "i-0123", Stopped, "i-0123456789abcdef0", NotBurstable, Steady, Draining));

        Assert.Equal(new[] { Steady, "i-0123", Stopped, "i-0123456789abcdef0", NotBurstable, Draining }, report.Items.Select(i => i.InstanceId));
        Assert.Equal("CreditsInvalidInstanceId", report.Items[1].Error?.ErrorId);
        Assert.Equal("i-0123", report.Items[1].Error?.TargetObject);
        Assert.Equal("CreditsInstanceNotFound", report.Items[3].Error?.ErrorId);
        Assert.Equal(Ec2OpsErrorCategory.ObjectNotFound, report.Items[3].Error?.Category);

        // Stopped: no datapoints, still an object, and a warning that says why.
        var stopped = report.Items[2].Balance!;
        Assert.Equal(("t3.nano", "stopped", "no data", 144.0), (stopped.InstanceType, stopped.State, stopped.Trend, stopped.MaxBalance!.Value));
        Assert.Null(stopped.Balance);
        Assert.Null(stopped.Timestamp);
        Assert.Contains(log.Warnings, w => w.Contains(Stopped) && w.Contains("it is stopped"));

        // Not burstable: MaxBalance empty, no credit option asked, one warning.
        var m5 = report.Items[4].Balance!;
        Assert.Equal(("m5.large", "running", null, null), (m5.InstanceType, m5.State, m5.MaxBalance, m5.CreditSpecification));
        Assert.Single(log.Warnings, w => w.Contains(NotBurstable));
        Assert.Contains(log.Warnings, w => w.Contains(NotBurstable) && w.Contains("not a burstable instance type"));
        Assert.Equal(144.0, report.Items[5].Balance!.Balance);
    }

    [Fact]
    public async Task WithoutInstanceIdsItReportsTheInstanceItRunsOn()
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { InstanceId = "i-0123456789abcdef0", InstanceType = "t3.large", Region = "eu-west-1" });
        var log = new RecordingOperationLog();
        var request = Request(emulator) with { Aws = new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() } };

        var report = await Service(log).GetAsync(request);

        var self = Assert.Single(report.Items).Balance!;
        Assert.Equal(("i-0123456789abcdef0", "t3.large", "eu-west-1", 864.0), (self.InstanceId, self.InstanceType, self.Region, self.MaxBalance!.Value));
        Assert.Equal("eu-west-1", report.Region);
        Assert.Contains(log.Entries, e => e.Message.Contains("Region eu-west-1 (from IMDS)"));
    }

    [Fact]
    public async Task TheRegionComesFromTheEnvironmentBeforeImds()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var log = new RecordingOperationLog();
        var request = Request(emulator, Self) with { Aws = new AwsRequestOptions { EndpointUrl = emulator.Endpoint.ToString() } };

        var report = await Service(log, environment: new EnvironmentVariables { ["AWS_DEFAULT_REGION"] = "ap-south-1" }).GetAsync(request);

        Assert.Equal("ap-south-1", report.Region);
        Assert.Contains(log.Entries, e => e.Message.Contains("Region ap-south-1 (from AWS_DEFAULT_REGION)"));
    }

    [Fact]
    public async Task OffEc2WithoutInstanceIdsItFailsFastSayingWhy()
    {
        var request = new CpuCreditRequest { Aws = new AwsRequestOptions { Region = "us-east-1" }, Imds = new ImdsRequestOptions { Endpoint = "http://127.0.0.1:9" } };
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service().GetAsync(request));

        Assert.Equal("CreditsNoInstance", error.ErrorId);
        Assert.Contains("http://127.0.0.1:9/", error.Message);
        Assert.Equal("ImdsUnreachable", ((Ec2OpsException)error.InnerException!).ErrorId);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task OffEc2WithNoRegionAnywhereItFailsFastSayingWhatItTried()
    {
        var request = new CpuCreditRequest { InstanceIds = new[] { Self }, Imds = new ImdsRequestOptions { Endpoint = "http://127.0.0.1:9" } };

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service().GetAsync(request));

        Assert.Equal("AwsNoRegion", error.ErrorId);
        Assert.Contains("-Region, AWS_REGION, AWS_DEFAULT_REGION, profile 'default'", error.Message);
        Assert.Contains("-Region", error.RecommendedAction);
    }

    [Fact]
    public async Task ImdsDisabledByTheEnvironmentIsAClearErrorToo()
    {
        var request = new CpuCreditRequest { Aws = new AwsRequestOptions { Region = "us-east-1" } };

        var error = await Assert.ThrowsAsync<Ec2OpsException>(() => Service(environment: new EnvironmentVariables { ["AWS_EC2_METADATA_DISABLED"] = "true" }).GetAsync(request));

        Assert.Equal("CreditsNoInstance", error.ErrorId);
        Assert.Equal("ImdsDisabled", ((Ec2OpsException)error.InnerException!).ErrorId);
    }

    [Fact]
    public async Task HistoryIsOnePointPerPeriodOldestFirstFromTheCreditFormula()
    {
        using var emulator = Ec2OpsEmulator.Start();

        var report = await Service().GetAsync(Request(emulator, Draining) with { History = true });

        var history = Assert.Single(report.Items).History;
        Assert.Equal(report.EndTime - TimeSpan.FromHours(3), report.StartTime);
        Assert.InRange(history.Count, 34, 36);
        Assert.Equal(history.OrderBy(p => p.Timestamp).Select(p => p.Timestamp), history.Select(p => p.Timestamp));
        Assert.All(history, p => Assert.Equal((300, 5.0, 2.0, 576.0, "t3a.medium", "standard"), (p.PeriodSeconds, p.Usage!.Value, p.Earned!.Value, p.MaxBalance!.Value, p.InstanceType!, p.CreditSpecification!)));

        // Standard mode: each balance is the one before plus earned minus used.
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].Balance!.Value + 2 - 5, history[i].Balance!.Value);
        }

        Assert.Equal(144, history[^1].Balance);
        Assert.Equal(25, history[^1].PercentOfMax);
    }

    [Fact]
    public async Task HistoryInLongerPeriodsAveragesBalancesAndSumsUsage()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var now = DateTimeOffset.UtcNow;
        var end = CreditFleet.NewestTimestamp(now).AddSeconds(300);
        var hourEnd = DateTimeOffset.FromUnixTimeSeconds(end.ToUnixTimeSeconds() / 3600 * 3600);
        var request = Request(emulator, Draining) with { PeriodSeconds = 3600, StartTime = hourEnd.AddHours(-3), EndTime = hourEnd, History = true };

        var fine = await Service().GetAsync(Request(emulator, Draining) with { History = true, StartTime = hourEnd.AddHours(-3), EndTime = hourEnd });
        var hourly = await Service().GetAsync(request);

        var points = Assert.Single(hourly.Items).History;
        Assert.Equal(3, points.Count);
        var fivers = Assert.Single(fine.Items).History;
        foreach (var point in points)
        {
            var inHour = fivers.Where(p => p.Timestamp >= point.Timestamp && p.Timestamp < point.Timestamp.AddHours(1)).ToList();
            Assert.Equal(12, inHour.Count);
            Assert.Equal(inHour.Average(p => p.Balance!.Value), point.Balance!.Value, 9);
            Assert.Equal(inHour.Sum(p => p.Usage!.Value), point.Usage);
            Assert.Equal(24, point.Earned);
            Assert.Equal(3600, point.PeriodSeconds);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    [InlineData(450)]
    public void APeriodMustBeAMultipleOf300(int period)
    {
        var error = Assert.Throws<Ec2OpsException>(() => CpuCreditService.Window(new CpuCreditRequest { History = true, PeriodSeconds = period }, DateTimeOffset.UtcNow));
        Assert.Equal(("CreditsInvalidPeriod", Ec2OpsErrorCategory.InvalidArgument), (error.ErrorId, error.Category));
        Assert.Equal(period, error.TargetObject);
    }

    [Fact]
    public void WindowsAreAlignedToPeriodBoundaries()
    {
        var now = new DateTimeOffset(2026, 12, 2, 6, 43, 17, TimeSpan.Zero);

        Assert.Equal((now.Date.AddHours(3).AddMinutes(45), now.Date.AddHours(6).AddMinutes(45), 300), CpuCreditService.Window(new CpuCreditRequest(), now));
        Assert.Equal((now.Date.AddHours(3).AddMinutes(45), now.Date.AddHours(6).AddMinutes(45), 300), CpuCreditService.Window(new CpuCreditRequest { History = true }, now));
        var asked = new CpuCreditRequest { History = true, PeriodSeconds = 3600, StartTime = now.AddHours(-5), EndTime = now };
        Assert.Equal((now.Date.AddHours(1), now.Date.AddHours(7), 3600), CpuCreditService.Window(asked, now));
        var exact = new CpuCreditRequest { History = true, StartTime = now.Date, EndTime = now.Date.AddHours(1) };
        Assert.Equal((now.Date, now.Date.AddHours(1), 300), CpuCreditService.Window(exact, now));

        var backwards = Assert.Throws<Ec2OpsException>(() => CpuCreditService.Window(new CpuCreditRequest { History = true, StartTime = now, EndTime = now.AddHours(-1) }, now));
        Assert.Equal("CreditsInvalidTimeRange", backwards.ErrorId);
    }

    [Theory]
    [InlineData(126, 2)]
    [InlineData(1000, 8)]
    public async Task AFleetOfNTakesCeilingOfFourNOver500GetMetricDataCalls(int size, int calls)
    {
        using var emulator = Ec2OpsEmulator.Start(new EmulatorOptions { FleetSize = size });

        var report = await Service().GetAsync(Request(emulator) with { All = true });

        Assert.Equal(size, report.Items.Count);
        Assert.All(report.Items, i => Assert.NotNull(i.Balance?.Balance));
        Assert.Equal(calls, report.Calls.GetMetricData);
        Assert.Equal(calls, emulator.Aws.CallCount("GetMetricData"));
        Assert.Equal(0, emulator.Aws.CallCount("GetMetricStatistics"));
        Assert.Equal((1, 1), (report.Calls.DescribeInstances, report.Calls.DescribeInstanceCreditSpecifications));
        Assert.Equal(4 * size, report.Calls.MetricQueries);
        Assert.Contains(report.Items, i => i.Balance!.CreditSpecification == "unlimited");
    }

    [Fact]
    public async Task PagedAnswersGiveTheSameResultAsOnePage()
    {
        using var emulator = Ec2OpsEmulator.Start();
        var whole = await Service().GetAsync(Request(emulator) with { All = true, History = true });
        emulator.Aws.MaxDatapointsPerPage = 25;
        emulator.Aws.ClearCalls();

        var paged = await Service().GetAsync(Request(emulator) with { All = true, History = true });

        Assert.True(paged.Calls.GetMetricData > 5, $"{paged.Calls.GetMetricData} calls");
        Assert.Equal(paged.Calls.GetMetricData, emulator.Aws.CallCount("GetMetricData"));
        Assert.Equal(whole.Calls.Datapoints, paged.Calls.Datapoints);
        Assert.Equal(
            whole.Items.SelectMany(i => i.History).Select(p => (p.InstanceId, p.Timestamp, p.Balance, p.Usage, p.SurplusBalance, p.SurplusCharged)),
            paged.Items.SelectMany(i => i.History).Select(p => (p.InstanceId, p.Timestamp, p.Balance, p.Usage, p.SurplusBalance, p.SurplusCharged)));
    }

    [Fact]
    public async Task AMetricAnsweredWithAnErrorStatusLeavesThatInstanceEmptyAndWarns()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.SetMetricStatus(Steady, "InternalError");
        var log = new RecordingOperationLog();

        var report = await Service(log).GetAsync(Request(emulator, Steady, Draining));

        Assert.Null(report.Items[0].Balance!.Balance);
        Assert.Equal(144, report.Items[1].Balance!.Balance);
        Assert.Contains(log.Warnings, w => w.Contains(Steady) && w.Contains("CPUCreditBalance with status InternalError"));
    }

    [Fact]
    public async Task ThrottlingAndServerErrorsAreRetried()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.ThrottleNextRequests = 2;

        var report = await Service().GetAsync(Request(emulator, Draining));

        Assert.Equal(144, Assert.Single(report.Items).Balance!.Balance);
        Assert.Contains(emulator.Aws.Calls, c => c.ErrorCode == "RequestLimitExceeded");

        emulator.Aws.ClearCalls();
        emulator.Aws.FailNextRequests = 1;
        emulator.Aws.FailStatusCode = 503;
        await Service().GetAsync(Request(emulator, Draining));
        Assert.Equal(2, emulator.Aws.CallCount("DescribeInstances"));
    }

    [Fact]
    public async Task ADeniedGetMetricDataNamesThePermission()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.Deny("cloudwatch:GetMetricData");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Service().GetAsync(Request(emulator, Draining)));

        Assert.Equal(("AwsAccessDenied", "AccessDenied", "cloudwatch:GetMetricData", 403), (error.ErrorId, error.AwsErrorCode, error.RequiredPermission, error.HttpStatusCode));
        Assert.Contains("cloudwatch:GetMetricData", error.Message);
        Assert.Equal(1, emulator.Aws.CallCount("GetMetricData"));
    }

    [Fact]
    public async Task ADeniedDescribeInstancesNamesThePermission()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.Deny("ec2:DescribeInstances");

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Service().GetAsync(Request(emulator) with { All = true }));

        Assert.Equal(("AwsAccessDenied", "UnauthorizedOperation", "ec2:DescribeInstances", "EC2"), (error.ErrorId, error.AwsErrorCode, error.RequiredPermission, error.Service));
        Assert.Equal(Ec2OpsErrorCategory.PermissionDenied, error.Category);
    }

    [Fact]
    public async Task ADeniedCreditOptionIsAnErrorButTheBalancesStillComeOut()
    {
        using var emulator = Ec2OpsEmulator.Start();
        emulator.Aws.Deny("ec2:DescribeInstanceCreditSpecifications");
        var log = new RecordingOperationLog();

        var report = await Service(log).GetAsync(Request(emulator) with { All = true });

        var error = Assert.IsType<AwsServiceException>(Assert.Single(report.Errors));
        Assert.Equal(("AwsAccessDenied", "ec2:DescribeInstanceCreditSpecifications"), (error.ErrorId, error.RequiredPermission));
        Assert.Equal(5, report.Items.Count);
        Assert.All(report.Items, i => Assert.Null(i.Balance!.CreditSpecification));
        Assert.All(report.Items, i => Assert.NotNull(i.Balance!.Balance));
        Assert.Contains(log.Warnings, w => w.Contains("CreditSpecification is empty"));
    }

    [Fact]
    public async Task AnUnreachableEndpointSaysWhereItCameFrom()
    {
        var request = new CpuCreditRequest { InstanceIds = new[] { Self }, Aws = new AwsRequestOptions { Region = "us-east-1", EndpointUrl = "http://127.0.0.1:9" } };

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => Service(retry: FastRetry with { MaxAttempts = 2 }).GetAsync(request));

        Assert.Equal(("AwsUnreachable", Ec2OpsErrorCategory.ConnectionError, "EC2"), (error.ErrorId, error.Category, error.Service));
        Assert.Contains("-EndpointUrl", error.Message);
    }

    [Fact]
    public async Task EmulatedDataIsTheSameWhereverInItsFiveMinutesTheClockIs()
    {
        var boundary = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 300 * 300);
        var early = new ManualTimeProvider(boundary.AddSeconds(5));
        var late = new ManualTimeProvider(boundary.AddSeconds(295));
        using var first = Ec2OpsEmulator.Start(new EmulatorOptions { TimeProvider = early });
        using var second = Ec2OpsEmulator.Start(new EmulatorOptions { TimeProvider = late });

        var a = await Service(time: early).GetAsync(Request(first) with { All = true });
        var b = await Service(time: late).GetAsync(Request(second) with { All = true });

        Assert.Equal(
            a.Items.Select(i => (i.InstanceId, i.Balance!.Timestamp, i.Balance.Balance, i.Balance.UsageLastHour, i.Balance.Trend)),
            b.Items.Select(i => (i.InstanceId, i.Balance!.Timestamp, i.Balance.Balance, i.Balance.UsageLastHour, i.Balance.Trend)));
        Assert.Equal(boundary.AddMinutes(-5), a.Items[0].Balance!.Timestamp);
    }
}
