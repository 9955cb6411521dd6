using System.Management.Automation;
using Ec2Ops.Core.Emulator;

namespace Ec2Ops.Commands;

/// <summary>
/// Stops the running emulator (or the ones piped in) and puts the AWS environment variables back
/// exactly as they were before Start-Ec2OpsEmulator.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Ec2OpsEmulator", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Stop-Ec2OpsEmulator.md")]
[OutputType(typeof(Ec2OpsEmulator))]
public sealed class StopEc2OpsEmulatorCommand : Ec2OpsCmdlet
{
    private bool _sawInput;

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public Ec2OpsEmulator? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is null)
        {
            return;
        }

        _sawInput = true;
        Stop(InputObject);
    }

    protected override void EndProcessing()
    {
        if (!_sawInput)
        {
            Stop(EmulatorRegistry.Process.Current);
        }
    }

    private void Stop(Ec2OpsEmulator? emulator)
    {
        // Idempotent like the Core call: stopping what is not running is not an error.
        bool stopped = EmulatorRegistry.Process.Stop(emulator);
        WriteVerbose((stopped, emulator) switch
        {
            (true, not null) => $"Stopped the emulator at {emulator.Endpoint}.",
            (true, null) => "Restored the environment of an emulator that had already been stopped.",
            (false, null) => "No Ec2Ops emulator is running.",
            (false, not null) => $"The emulator at {emulator.Endpoint} was already stopped.",
        });

        if (PassThru && emulator is not null)
        {
            WriteObject(emulator);
        }
    }
}
