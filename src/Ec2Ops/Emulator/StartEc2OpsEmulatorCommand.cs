using System.Collections;
using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Commands;

/// <summary>
/// Starts the local emulator (IMDSv2 on 127.0.0.1) and points this session's AWS environment
/// variables at it, so the other cmdlets talk to it. It keeps running after the pipeline ends,
/// until Stop-Ec2OpsEmulator. Instance id, type, region and zone bind by property name, so
/// <c>Get-InstanceMetadata | Start-Ec2OpsEmulator -Force</c> emulates the instance described.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Ec2OpsEmulator", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Start-Ec2OpsEmulator.md")]
[OutputType(typeof(Ec2OpsEmulator))]
public sealed class StartEc2OpsEmulatorCommand : Ec2OpsCmdlet
{
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EmulatorInstanceTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string InstanceType { get; set; } = "t3.micro";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EmulatorRegionCompleter))]
    [ValidateNotNullOrEmpty]
    public string Region { get; set; } = "us-east-1";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? AvailabilityZone { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? InstanceId { get; set; }

    [Parameter]
    public SwitchParameter AllowImdsV1 { get; set; }

    [Parameter]
    [AllowEmptyString]
    [AllowNull]
    public string? UserData { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Tag { get; set; }

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int FleetSize { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var options = new EmulatorOptions
        {
            Port = Port,
            InstanceType = InstanceType,
            Region = Region,
            RequireImdsV2 = !AllowImdsV1,
            FleetSize = FleetSize,
        };

        if (AvailabilityZone is not null)
        {
            options.AvailabilityZone = AvailabilityZone;
        }

        if (InstanceId is not null)
        {
            options.InstanceId = InstanceId;
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(UserData)))
        {
            // An empty string means "launched without user data": IMDS then answers 404.
            options.UserData = string.IsNullOrEmpty(UserData) ? null : UserData;
        }

        if (Tag is not null)
        {
            options.Tags = Tag.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? "", e => e.Value?.ToString()!, StringComparer.Ordinal);
        }

        Ec2OpsEmulator emulator;
        try
        {
            emulator = EmulatorRegistry.Process.Start(options, Force);
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
            return;
        }

        foreach (var change in EmulatorRegistry.Process.CurrentSession?.Changes ?? Array.Empty<EnvironmentChange>())
        {
            string shown = change.After is null ? "(unset)" : change.Name == EmulatorSession.SecretKeyVariable ? "(dummy secret)" : change.After;
            WriteVerbose($"$env:{change.Name} = {shown}");
        }

        WriteObject(emulator);
    }
}

/// <summary>Tab completion of burstable instance types for the emulator.</summary>
public sealed class EmulatorInstanceTypeCompleter : KnownValueCompleter
{
    protected override IEnumerable<string> Complete(string wordToComplete) =>
        Completion.StartingWith(EmulatorOptions.SuggestedInstanceTypes, wordToComplete);
}

/// <summary>Tab completion of region names for the emulator.</summary>
public sealed class EmulatorRegionCompleter : KnownValueCompleter
{
    protected override IEnumerable<string> Complete(string wordToComplete) =>
        Completion.StartingWith(EmulatorOptions.SuggestedRegions, wordToComplete);
}
