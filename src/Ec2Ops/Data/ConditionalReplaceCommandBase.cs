using System.Management.Automation;
using Ec2Ops.Core;
using Ec2Ops.Core.Data;

namespace Ec2Ops.Commands;

/// <summary>
/// What Invoke-Where and Invoke-Mask share: the input, the condition, -Property, and the loop that
/// hands each scalar, object or matrix to Core's <see cref="ConditionalReplacer"/> on the pipeline
/// thread (the condition and values may be script blocks, which must run there).
/// </summary>
public abstract class ConditionalReplaceCommandBase : Ec2OpsCmdlet
{
    private ConditionalReplacer? _replacer;
    private IReadOnlyList<string> _readByScripts = Array.Empty<string>();

    /// <summary>A scalar, an object (with -Property) or a matrix (double[,] or double[][]).</summary>
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object? InputObject { get; set; }

    /// <summary>A script block ($_ is the element), a bool, a bool per element, or a bool matrix.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public object Condition { get; set; } = null!;

    /// <summary>Replace in these properties of the input objects; the others pass through.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InputPropertyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    /// <summary>Builds Core's replacer from the bound parameters.</summary>
    private protected abstract ConditionalReplacer CreateReplacer(ElementCondition condition);

    /// <summary>The script blocks among the condition and the values, whose reads of $_ are checked.</summary>
    private protected virtual IEnumerable<ScriptBlock> ScriptParameters() =>
        new[] { PSDataObjectModel.UnwrapDeep(Condition) }.OfType<ScriptBlock>();

    private protected static ElementValue ToElementValue(object? value, string role) =>
        PSDataObjectModel.UnwrapDeep(value) is ScriptBlock script
            ? ElementValue.Computed(PSDataObjectModel.Compute(script))
            : ElementValue.FromValue(PSDataObjectModel.UnwrapDeep(value), role);

    protected override void BeginProcessing()
    {
        try
        {
            var condition = PSDataObjectModel.UnwrapDeep(Condition) is ScriptBlock script
                ? ElementCondition.FromPredicate(PSDataObjectModel.Predicate(script))
                : ElementCondition.FromValue(PSDataObjectModel.UnwrapDeep(Condition));
            _replacer = CreateReplacer(condition);
            _readByScripts = ScriptParameters()
                .SelectMany(PSDataObjectModel.PropertiesReadFromItem)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
        }
    }

    protected override void ProcessRecord()
    {
        // Called once without input when nothing is piped and -InputObject is not given: nothing to do.
        if (!MyInvocation.ExpectingInput && !MyInvocation.BoundParameters.ContainsKey(nameof(InputObject)))
        {
            return;
        }

        var replacer = _replacer!;
        var model = PSDataObjectModel.Instance;
        object? item = model.Unwrap(InputObject);
        try
        {
            // A property the work reads must read: a getter that throws is an error for this object, not NULL.
            var used = Property is { Length: > 0 } ? Property : _readByScripts;
            if (used.Count > 0 && InputObject is not null && model.IsRecord(InputObject))
            {
                DataObjects.CheckReadable(model, InputObject, used, replacer.Position);
            }

            if (Property is { Length: > 0 })
            {
                var row = InputObject is null ? Array.Empty<KeyValuePair<string, object?>>() : model.GetProperties(InputObject);
                var changes = replacer.ReplaceProperties(row, Property);
                WriteObject(PSDataObjectModel.CopyWith(InputObject!, row, changes));
            }
            else if (Matrix.IsMatrix(item))
            {
                WriteObject(replacer.ReplaceMatrix(item!));
            }
            else
            {
                WriteObject(replacer.ReplaceScalar(item));
            }
        }
        catch (Ec2OpsException error)
        {
            if (error.ErrorId == "DataPropertyUnreadable")
            {
                replacer.Skip();
            }

            WriteCoreError(error, InputObject);
        }
        catch (RuntimeException error) when (error is not PipelineStoppedException)
        {
            // The condition or a value script block failed for this element; the next one goes on.
            WriteError(new ErrorRecord(error.ErrorRecord, error));
        }
    }
}
