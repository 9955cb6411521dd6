using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Ec2Ops.Commands;

/// <summary>
/// Tab completion of a -Property parameter with the property names of the input, as Measure-Object
/// and Select-Object complete theirs. PowerShell's type inference is internal, so this asks
/// PowerShell to complete the same input as it would for Select-Object -Property: the pipeline up to
/// this command (or the -InputObject / -Left argument) followed by "Select-Object -Property word",
/// and keeps only the property names, never file names.
/// </summary>
public sealed class InputPropertyCompleter : IArgumentCompleter
{
    private static readonly string[] InputParameters = { "InputObject", "Left", "Right" };

    // Inference of a [pscustomobject] also yields the wrapper's own members; they are never data.
    private static readonly HashSet<string> PSObjectMembers = new(
        typeof(PSObject).GetProperties().Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? input = InputText(commandAst);
        if (input is null)
        {
            return Array.Empty<CompletionResult>();
        }

        string synthetic = input + " | Select-Object -Property " + wordToComplete;
        try
        {
            return CommandCompletion.CompleteInput(synthetic, synthetic.Length, null).CompletionMatches
                .Where(m => m.ResultType == CompletionResultType.Property && !PSObjectMembers.Contains(m.CompletionText))
                .ToList();
        }
        catch (Exception)
        {
            // Completion is a convenience: when inference fails, offer nothing rather than an error.
            return Array.Empty<CompletionResult>();
        }
    }

    // The text of whatever feeds the command: the pipeline before it, else its input argument.
    private static string? InputText(CommandAst command)
    {
        if (command.Parent is PipelineAst pipeline)
        {
            int index = pipeline.PipelineElements.IndexOf(command);
            if (index > 0)
            {
                var previous = pipeline.PipelineElements[index - 1];
                return pipeline.Extent.Text.Substring(0, previous.Extent.EndOffset - pipeline.Extent.StartOffset);
            }
        }

        for (int i = 0; i < command.CommandElements.Count - 1; i++)
        {
            if (command.CommandElements[i] is CommandParameterAst parameter
                && InputParameters.Any(p => p.StartsWith(parameter.ParameterName, StringComparison.OrdinalIgnoreCase))
                && (parameter.Argument ?? command.CommandElements[i + 1]) is ExpressionAst argument)
            {
                return argument.Extent.Text;
            }
        }

        return null;
    }
}
