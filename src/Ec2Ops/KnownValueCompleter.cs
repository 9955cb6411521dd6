using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Ec2Ops.Commands;

/// <summary>Base of the tab completers: Core picks the values, this turns them into completion results.</summary>
public abstract class KnownValueCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Complete(wordToComplete ?? string.Empty).Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));

    protected abstract IEnumerable<string> Complete(string wordToComplete);
}
