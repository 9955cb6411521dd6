using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Aws;
using Ec2Ops.Core.Credits;
using Ec2Ops.Core.Metadata;

namespace Ec2Ops.Commands;

/// <summary>
/// CPU credits of burstable EC2 instances: this instance (no arguments, from IMDS), the ones named
/// or piped in (-InstanceId), or every running burstable instance of the region (-All); now, or a
/// history (-History). Instance ids from the whole pipeline are collected and asked for together,
/// so a fleet costs a handful of AWS calls.
/// </summary>
[Cmdlet(VerbsCommon.Get, "CpuCreditBalance", DefaultParameterSetName = InstanceSet, HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Get-CpuCreditBalance.md")]
[OutputType(typeof(CpuCreditBalance), typeof(CpuCreditHistoryPoint))]
public sealed class GetCpuCreditBalanceCommand : Ec2OpsCmdlet
{
    private const string InstanceSet = "Instance";
    private const string AllSet = "All";

    private readonly List<string> _instanceIds = new();

    [Parameter(ParameterSetName = InstanceSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? InstanceId { get; set; }

    [Parameter(ParameterSetName = AllSet, Mandatory = true)]
    public SwitchParameter All { get; set; }

    [Parameter]
    public SwitchParameter History { get; set; }

    [Parameter]
    public DateTime? StartTime { get; set; }

    [Parameter]
    public DateTime? EndTime { get; set; }

    [Parameter]
    [ValidateRange(300, 86400 * 7)]
    public int? Period { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(EmulatorRegionCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(AwsProfileCompleter))]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    protected override void ProcessRecord()
    {
        if (InstanceId is not null)
        {
            _instanceIds.AddRange(InstanceId);
        }
    }

    protected override void EndProcessing()
    {
        // Input was piped but none came (an empty list): nothing to report, not "this instance".
        if (!All && _instanceIds.Count == 0 && MyInvocation.ExpectingInput)
        {
            return;
        }

        var request = new CpuCreditRequest
        {
            InstanceIds = _instanceIds,
            All = All,
            History = History || StartTime is not null || EndTime is not null || Period is not null,
            StartTime = Utc(StartTime),
            EndTime = Utc(EndTime),
            PeriodSeconds = Period,
            Aws = new AwsRequestOptions { Region = Region, ProfileName = ProfileName, EndpointUrl = EndpointUrl },
        };

        RunCore(async session =>
        {
            var report = await new CpuCreditService(session.Log).GetAsync(request, session.Progress, session.Cancellation).ConfigureAwait(false);
            foreach (var error in report.Errors)
            {
                session.WriteError(error);
            }

            foreach (var item in report.Items)
            {
                if (item.Error is not null)
                {
                    session.WriteError(item.Error, item.InstanceId);
                }
                else if (item.Balance is not null)
                {
                    session.WriteObject(item.Balance);
                }
                else
                {
                    foreach (var point in item.History)
                    {
                        session.WriteObject(point);
                    }
                }
            }

            var calls = report.Calls;
            session.Verbose($"{report.Items.Count} instance(s) in {report.Region}: {calls.DescribeInstances} DescribeInstances, {calls.DescribeInstanceCreditSpecifications} DescribeInstanceCreditSpecifications and {calls.GetMetricData} GetMetricData call(s) ({calls.MetricQueries} queries, {calls.Datapoints} datapoints).");
        });
    }

    // PowerShell's dates are local unless they say otherwise; AWS wants UTC.
    private static DateTimeOffset? Utc(DateTime? time) => time is { } t
        ? new DateTimeOffset(t.Kind == DateTimeKind.Utc ? t : t.ToUniversalTime(), TimeSpan.Zero)
        : null;
}

/// <summary>Tab completion of the profiles in the shared AWS config and credentials files.</summary>
public sealed class AwsProfileCompleter : KnownValueCompleter
{
    protected override IEnumerable<string> Complete(string wordToComplete) =>
        Completion.StartingWith(AwsProfiles.Names(), wordToComplete);
}
