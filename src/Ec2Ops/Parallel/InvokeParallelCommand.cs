using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Commands;

/// <summary>
/// Runs a script block for each input on a pool of reused runspaces (-Mode Thread) or pwsh worker
/// processes (-Mode Process), in completion order or, with -Ordered, in input order. The scheduling
/// is Core's <see cref="ParallelRunner"/>; this cmdlet only captures the caller's state, streams the
/// pipeline into the runner and writes what comes back.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Parallel", HelpUri = "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/Invoke-Parallel.md")]
[OutputType(typeof(PSObject))]
[OutputType(typeof(ParallelResult))]
[OutputType(typeof(ParallelJob))]
public sealed class InvokeParallelCommand : Ec2OpsCmdlet
{
    private ParallelRunner? _runner;
    private CoreRun? _run;
    private ParallelProgressReporter? _progress;
    private ParallelJob? _job;
    private bool _inputFromParameter;
    private bool _finished;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    [Parameter]
    [ValidateSet("Thread", "Process")]
    public string Mode { get; set; } = "Thread";

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; }

    [Parameter]
    public SwitchParameter Ordered { get; set; }

    [Parameter]
    [ValidateRange(0.001, 2147483.0)]
    public double TimeoutSeconds { get; set; }

    [Parameter]
    [ValidateRange(0.001, 2147483.0)]
    public double RunTimeoutSeconds { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ParallelModuleCompleter))]
    public string[]? ImportModule { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ParallelFunctionCompleter))]
    public string[]? ImportFunction { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Hashtable? Variable { get; set; }

    [Parameter]
    public SwitchParameter AsJob { get; set; }

    [Parameter]
    public SwitchParameter IncludeTiming { get; set; }

    private bool ProcessMode => string.Equals(Mode, "Process", StringComparison.OrdinalIgnoreCase);

    protected override void BeginProcessing()
    {
        _inputFromParameter = MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));
        try
        {
            var setup = WorkerSetup.Capture(this, ScriptBlock, ImportFunction, ImportModule, Variable);
            var options = new ParallelRunOptions
            {
                ThrottleLimit = ThrottleLimit > 0 ? ThrottleLimit : ProcessMode ? ParallelRunOptions.DefaultProcessThrottle : ParallelRunOptions.DefaultThreadThrottle,
                Ordered = Ordered,
                ItemTimeout = TimeoutSeconds > 0 ? TimeSpan.FromSeconds(TimeoutSeconds) : null,
                RunTimeout = RunTimeoutSeconds > 0 ? TimeSpan.FromSeconds(RunTimeoutSeconds) : null,
                Window = AsJob ? ParallelRunOptions.Unbounded : null,
            };
            IParallelWorkerFactory factory = ProcessMode
                ? ProcessWorkers.CreateFactory(setup, SessionState.PSVariable.GetValue("PSHOME")?.ToString() ?? AppContext.BaseDirectory)
                : new RunspaceWorkerFactory(setup);
            WriteVerbose($"Invoke-Parallel: -Mode {(ProcessMode ? "Process" : "Thread")}, ThrottleLimit {options.ThrottleLimit}, {(Ordered ? "input order" : "completion order")}.");

            if (AsJob)
            {
                _job = new ParallelJob(ScriptBlock.ToString(), null, IncludeTiming, StopOnError());
                _runner = new ParallelRunner(options, factory, _job);
                _job.Start(_runner);
                return;
            }

            var session = CreateCoreSession();
            _runner = new ParallelRunner(options, factory, new SessionSink(session, IncludeTiming), StopToken);
            _runner.Start();
            _run = StartCore(session, _runner.Completion);
            long? total = _inputFromParameter ? CountOf(InputObject) : null;
            _progress = new ParallelProgressReporter(_runner, session.Progress, ProgressActivity, total);
        }
        catch (Ec2OpsException error)
        {
            ThrowCoreError(error);
        }
    }

    protected override void ProcessRecord()
    {
        try
        {
            if (_inputFromParameter && InputObject is not null && LanguagePrimitives.GetEnumerable(InputObject.BaseObject) is { } many and not string)
            {
                foreach (object? input in many)
                {
                    Submit(input is null ? null : PSObject.AsPSObject(input));
                }
            }
            else
            {
                Submit(InputObject);
            }
        }
        catch
        {
            _runner?.Stop();
            throw;
        }
    }

    protected override void EndProcessing()
    {
        _finished = true;
        if (_job is not null)
        {
            _job.CompleteInput();
            JobRepository.Add(_job);
            WriteObject(_job);
            return;
        }

        try
        {
            _runner!.CompleteInput();
            FinishCore(_run!);
        }
        catch
        {
            _runner?.Stop();
            throw;
        }
        finally
        {
            _progress?.Dispose();
        }
    }

    protected override void StopProcessing()
    {
        // A job already handed out keeps running; everything else stops now.
        if (_job is null || !_finished)
        {
            _runner?.Stop();
        }

        base.StopProcessing();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _progress?.Dispose();
            if (_job is not null)
            {
                if (!_finished)
                {
                    _job.StopJob();
                    _job.Dispose();
                }
            }
            else
            {
                _runner?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void Submit(PSObject? input)
    {
        if (input?.BaseObject is ScriptBlock)
        {
            WriteError(new ErrorRecord(
                new PSArgumentException("A script block cannot be an input of Invoke-Parallel: it belongs to the caller's runspace and cannot run in a worker. Pass its text and create it with [scriptblock]::Create()."),
                "ParallelInputIsScriptBlock", ErrorCategory.InvalidType, input));
            return;
        }

        if (_job is not null)
        {
            _job.Submit(input);
            return;
        }

        DrainCore(_run!);
        var submitted = _runner!.SubmitAsync(input, StopToken);
        if (!submitted.IsCompletedSuccessfully)
        {
            // The window is full: write what the workers produce until an item is reported (back-pressure).
            PumpCore(_run!, submitted.AsTask());
        }
    }

    private bool StopOnError()
    {
        if (MyInvocation.BoundParameters.TryGetValue("ErrorAction", out var action))
        {
            return action is ActionPreference.Stop || (LanguagePrimitives.TryConvertTo(action, out ActionPreference p) && p == ActionPreference.Stop);
        }

        return LanguagePrimitives.TryConvertTo(SessionState.PSVariable.GetValue("ErrorActionPreference"), out ActionPreference preference) && preference == ActionPreference.Stop;
    }

    private static long? CountOf(PSObject? input)
    {
        if (input is null)
        {
            return 1;
        }

        return input.BaseObject switch
        {
            string => 1,
            ICollection collection => collection.Count,
            IEnumerable => null,
            _ => 1,
        };
    }

    /// <summary>Writes a run's results through the cmdlet's bounded write queue, on the pipeline thread.</summary>
    private sealed class SessionSink(CoreSession session, bool includeTiming) : IParallelSink
    {
        public void OnStream(ParallelItem item, object record)
        {
            switch (record)
            {
                case ErrorRecord error:
                    var attached = ParallelRecords.AttachInput(error, item);
                    session.Post(c => c.WriteError(attached));
                    break;
                case WarningRecord warning:
                    session.Post(c => c.WriteWarning(warning.Message));
                    break;
                case VerboseRecord verbose:
                    session.Post(c => c.WriteVerbose(verbose.Message));
                    break;
                case DebugRecord debug:
                    session.Post(c => c.WriteDebug(debug.Message));
                    break;
                case InformationRecord information:
                    session.Post(c => c.WriteInformation(information));
                    break;
                case ProgressRecord progress:
                    session.Post(c => c.WriteProgress(progress));
                    break;
            }
        }

        public void OnCompleted(ParallelItemResult result)
        {
            if (!result.Succeeded)
            {
                var record = ParallelRecords.ToErrorRecord(result);
                session.Post(c => c.WriteError(record));
                return;
            }

            if (includeTiming)
            {
                var timed = ParallelResult.From(result);
                session.Post(c => c.WriteObject(timed));
                return;
            }

            var output = result.Output;
            if (output.Count == 1)
            {
                var single = output[0];
                session.Post(c => c.WriteObject(single));
            }
            else if (output.Count > 1)
            {
                session.Post(c =>
                {
                    foreach (var value in output)
                    {
                        c.WriteObject(value);
                    }
                });
            }
        }
    }
}

/// <summary>Tab completion of -ImportModule: the modules loaded in the session.</summary>
public sealed class ParallelModuleCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        SessionNames.Of("Get-Module | ForEach-Object Name", wordToComplete);
}

/// <summary>Tab completion of -ImportFunction: the functions the caller can see.</summary>
public sealed class ParallelFunctionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        SessionNames.Of("Get-ChildItem -Path function: | ForEach-Object Name", wordToComplete);
}

internal static class SessionNames
{
    public static IEnumerable<CompletionResult> Of(string script, string wordToComplete)
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        var names = ps.AddScript(script).Invoke<string>();
        return Completion.StartingWith(names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList(), wordToComplete)
            .Select(n => new CompletionResult(n.Contains(' ') ? "'" + n + "'" : n, n, CompletionResultType.ParameterValue, n));
    }
}
