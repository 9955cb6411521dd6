using System.Management.Automation;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>pandas <c>mask</c>: each element becomes -Value where the condition holds and stays itself elsewhere.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "Mask", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Invoke-Mask.md")]
[OutputType(typeof(object), typeof(double[,]), typeof(double[][]))]
public sealed class InvokeMaskCommand : ConditionalReplaceCommandBase
{
    /// <summary>The replacement where the condition holds (pandas' <c>other</c>).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [AllowNull]
    [AllowEmptyString]
    public object? Value { get; set; }

    private protected override IEnumerable<ScriptBlock> ScriptParameters() =>
        base.ScriptParameters().Concat(new[] { PSDataObjectModel.UnwrapDeep(Value) }.OfType<ScriptBlock>());

    private protected override ConditionalReplacer CreateReplacer(ElementCondition condition) =>
        ConditionalReplacer.Mask(condition, ToElementValue(Value, "Value"));
}
