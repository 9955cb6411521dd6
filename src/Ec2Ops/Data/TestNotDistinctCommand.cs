using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>
/// SQL <c>IS NOT DISTINCT FROM</c> (MySQL <c>&lt;=&gt;</c>): NULL equals NULL. A bool for two values,
/// a bool per element for lists (enumerated), a <see cref="RecordComparison"/> for objects. Pairs can be
/// piped as objects with Left and Right properties.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "NotDistinct", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Test-NotDistinct.md")]
[OutputType(typeof(bool), typeof(RecordComparison))]
public sealed class TestNotDistinctCommand : Ec2OpsCmdlet
{
    private NullSafeEquality? _equality;

    /// <summary>The left value, list or object.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object? Left { get; set; }

    /// <summary>The right value, list or object.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object? Right { get; set; }

    /// <summary>For objects: compare these properties (default: every property both have).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InputPropertyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    /// <summary>Compare strings ignoring case.</summary>
    [Parameter]
    public SwitchParameter IgnoreCase { get; set; }

    /// <summary>Treat NaN as NULL.</summary>
    [Parameter]
    public SwitchParameter NaNIsNull { get; set; }

    /// <summary>Answer IS DISTINCT FROM instead.</summary>
    [Parameter]
    public SwitchParameter Distinct { get; set; }

    protected override void BeginProcessing()
    {
        _equality = new NullSafeEquality(
            new NotDistinctOptions { IgnoreCase = IgnoreCase, NaNIsNull = NaNIsNull, Distinct = Distinct, Properties = Property },
            PSDataObjectModel.Instance);
    }

    protected override void ProcessRecord()
    {
        try
        {
            // Lists give one bool per element, enumerated as PowerShell's own comparisons of lists
            // do, so the results pipe on and Should/Where-Object see bools, not one array.
            var result = _equality!.Test(Left, Right);
            WriteObject(result, enumerateCollection: result is bool[]);
        }
        catch (Ec2OpsException error)
        {
            var pair = new PSObject();
            pair.Properties.Add(new PSNoteProperty(nameof(Left), Left));
            pair.Properties.Add(new PSNoteProperty(nameof(Right), Right));
            WriteCoreError(error, pair);
        }
    }

    protected override void EndProcessing()
    {
        // A -Property name that no compared object has would make every pair "equal" (NULL = NULL).
        foreach (var error in _equality!.Presence.MissingErrors())
        {
            WriteCoreError(error);
        }
    }
}
