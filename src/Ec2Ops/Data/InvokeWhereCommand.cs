using System.Management.Automation;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>
/// pandas <c>where</c> and numpy <c>np.where</c>: each element becomes -Then where the condition
/// holds (default: itself) and -Else where it does not (default: $null, NaN in a matrix, as pandas
/// fills with NaN). Positions follow <c>np.where(cond, x, y)</c>: condition, then, else.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Where", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Invoke-Where.md")]
[OutputType(typeof(object), typeof(double[,]), typeof(double[][]))]
public sealed class InvokeWhereCommand : ConditionalReplaceCommandBase
{
    /// <summary>The value where the condition holds; default: the element itself.</summary>
    [Parameter(Position = 1)]
    [AllowNull]
    [AllowEmptyString]
    public object? Then { get; set; }

    /// <summary>The value where the condition does not hold (pandas' <c>other</c>); default $null.</summary>
    [Parameter(Position = 2)]
    [AllowNull]
    [AllowEmptyString]
    public object? Else { get; set; }

    private protected override IEnumerable<ScriptBlock> ScriptParameters() =>
        base.ScriptParameters().Concat(new[] { PSDataObjectModel.UnwrapDeep(Then), PSDataObjectModel.UnwrapDeep(Else) }.OfType<ScriptBlock>());

    private protected override ConditionalReplacer CreateReplacer(ElementCondition condition) =>
        ConditionalReplacer.Where(
            condition,
            MyInvocation.BoundParameters.ContainsKey(nameof(Then)) ? ToElementValue(Then, "Then") : ElementValue.Keep,
            ToElementValue(Else, "Else"));
}
