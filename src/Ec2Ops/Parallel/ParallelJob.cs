using System.Management.Automation;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Commands;

/// <summary>
/// The job of Invoke-Parallel -AsJob (the future of concurrent.futures): a real PowerShell job in the
/// session's job repository, so Get-Job, Receive-Job, Wait-Job (-Any) and Stop-Job work on it. It is
/// Running while items run, then Completed when every item completed, Failed when any failed or
/// timed out (their ErrorRecords are in the job's Error stream), Stopped after Stop-Job.
/// </summary>
public sealed class ParallelJob : Job, IParallelSink
{
    private readonly bool _includeTiming;
    private readonly bool _stopOnError;
    private ParallelRunner? _runner;
    private volatile bool _stopRequested;
    private volatile bool _anyFailed;

    internal ParallelJob(string command, string? name, bool includeTiming, bool stopOnError)
        : base(command, name)
    {
        PSJobTypeName = "ParallelJob";
        _includeTiming = includeTiming;
        _stopOnError = stopOnError;
    }

    public override string Location => "localhost";

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Information.Count > 0 || Progress.Count > 0;

    public override string StatusMessage
    {
        get
        {
            var counters = Counters;
            string total = counters.InputCompleted ? $" of {counters.Submitted}" : "";
            return $"{counters.Done}{total} done, {counters.Failed} failed, {counters.Running} running";
        }
    }

    /// <summary>Inputs accepted so far.</summary>
    public long InputCount => Counters.Submitted;

    /// <summary>Inputs whose script block completed.</summary>
    public long CompletedCount => Counters.Completed;

    /// <summary>Inputs that failed, timed out or were not run.</summary>
    public long FailedCount => Counters.Failed;

    /// <summary>Inputs running now.</summary>
    public long RunningCount => Counters.Running;

    private ParallelCounters Counters => _runner?.Counters ?? default;

    internal void Start(ParallelRunner runner)
    {
        _runner = runner;
        SetJobState(JobState.Running);
        runner.Start();
        runner.Completion.ContinueWith(Finish, TaskScheduler.Default);
    }

    /// <summary>Accepts an input without waiting (the caller of a job never blocks on the work).</summary>
    internal void Submit(object? input) => _runner!.SubmitAsync(input).AsTask().GetAwaiter().GetResult();

    internal void CompleteInput() => _runner?.CompleteInput();

    public override void StopJob()
    {
        _stopRequested = true;
        if (_runner is null)
        {
            SetJobState(JobState.Stopped);
            return;
        }

        _runner.Stop();
        try
        {
            _runner.Completion.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }

        Finished.WaitOne(TimeSpan.FromSeconds(10));
    }

    void IParallelSink.OnStream(ParallelItem item, object record)
    {
        switch (record)
        {
            case ErrorRecord error:
                Error.Add(ParallelRecords.AttachInput(error, item));
                break;
            case WarningRecord warning:
                Warning.Add(warning);
                break;
            case VerboseRecord verbose:
                Verbose.Add(verbose);
                break;
            case DebugRecord debug:
                Debug.Add(debug);
                break;
            case InformationRecord information:
                Information.Add(information);
                break;
            case ProgressRecord progress:
                Progress.Add(progress);
                break;
        }
    }

    void IParallelSink.OnCompleted(ParallelItemResult result)
    {
        if (result.Succeeded)
        {
            if (_includeTiming)
            {
                Output.Add(PSObject.AsPSObject(ParallelResult.From(result)));
            }
            else
            {
                foreach (var value in result.Output)
                {
                    Output.Add(value is null ? null : PSObject.AsPSObject(value));
                }
            }

            return;
        }

        _anyFailed = true;
        Error.Add(ParallelRecords.ToErrorRecord(result));
        if (_stopOnError)
        {
            _runner?.Stop();
        }
    }

    private void Finish(Task completion)
    {
        JobState state = _stopRequested ? JobState.Stopped
            : completion.IsFaulted || _anyFailed ? JobState.Failed
            : JobState.Completed;
        if (completion.Exception?.GetBaseException() is { } fatal)
        {
            Error.Add(fatal is Core.Ec2OpsException core ? CoreErrors.ToErrorRecord(core) : new ErrorRecord(fatal, "ParallelJobFailed", ErrorCategory.NotSpecified, null));
        }

        _runner?.Dispose();
        SetJobState(state);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _runner is { } runner && !IsFinishedState(JobStateInfo.State))
        {
            runner.Stop();
        }

        base.Dispose(disposing);
    }

    private static bool IsFinishedState(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;
}
