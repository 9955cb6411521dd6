using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Commands;

/// <summary>Thread-mode workers: one runspace each, taken from <see cref="RunspaceCache"/> when one is idle.</summary>
internal sealed class RunspaceWorkerFactory(WorkerSetup setup, bool reuseRunspaces = true) : IParallelWorkerFactory
{
    public Task<IParallelWorker> CreateAsync(int slot, CancellationToken cancellation) =>
        Task.Run<IParallelWorker>(() => RunspaceWorker.Start(setup, reuseRunspaces), cancellation);
}

/// <summary>
/// Runs items in one runspace. A single pipeline runs for the worker's whole life: it waits for an
/// item, invokes the script block with <c>$_</c> set (in a new scope, so an item's local variables do
/// not reach the next one) and waits again, so an item costs a script block call, not a pipeline.
/// What the block writes to its other streams is passed on as it is written. Stopping (timeout,
/// Ctrl+C) stops that pipeline; the runspace is then never reused.
/// </summary>
internal sealed class RunspaceWorker : IParallelWorker
{
    private const string LoopScript = "param($__ec2opsWorker) $__ec2opsWorker.RunLoop()";

    private const string SetupScript = """
        param($Modules, $Functions, $ScriptBlocks)
        foreach ($module in $Modules) { Import-Module -Name $module -ErrorAction Stop }
        foreach ($entry in $Functions.GetEnumerator()) { Set-Item -LiteralPath ('function:global:' + $entry.Key) -Value ([scriptblock]::Create($entry.Value)) }
        foreach ($entry in $ScriptBlocks.GetEnumerator()) { Set-Variable -Scope Global -Name $entry.Key -Value ([scriptblock]::Create($entry.Value)) }
        """;

    private readonly WorkerSetup _setup;
    private readonly bool _reuse;
    private readonly Runspace _runspace;
    private readonly SemaphoreSlim _signal = new(0);
    private PowerShell? _loop;
    private IAsyncResult? _loopResult;
    private Job? _pending;
    private volatile Job? _current;
    private volatile bool _aborted;
    private int _disposed;

    private RunspaceWorker(WorkerSetup setup, bool reuse, Runspace runspace)
    {
        _setup = setup;
        _reuse = reuse;
        _runspace = runspace;
        Name = "Runspace " + runspace.Id;
    }

    public string Name { get; }

    public static RunspaceWorker Start(WorkerSetup setup, bool reuse)
    {
        var runspace = (reuse ? RunspaceCache.TryTake(setup.LanguageMode) : null) ?? RunspaceCache.Open(setup.LanguageMode);
        var worker = new RunspaceWorker(setup, reuse, runspace);
        try
        {
            worker.ApplySetup();
            worker.StartLoop();
            return worker;
        }
        catch
        {
            worker._aborted = true;
            worker.Dispose();
            throw;
        }
    }

    public Task<Exception?> RunAsync(ParallelItem item, IParallelItemContext context)
    {
        var job = new Job(item, context);
        if (_aborted || Interlocked.CompareExchange(ref _pending, job, null) is not null)
        {
            throw new ParallelWorkerBrokenException($"Input {item.Describe()} failed: {Name} is stopped or busy.");
        }

        _signal.Release();
        return job.Completion.Task;
    }

    public void Abort()
    {
        _aborted = true;
        Interlocked.Exchange(ref _pending, null)?.Completion.TrySetResult(null);
        _signal.Release();
        try
        {
            _loop?.BeginStop(null, null);
        }
        catch (Exception error) when (error is ObjectDisposedException or InvalidOperationException or PSInvalidOperationException)
        {
        }
    }

    /// <summary>Ends the loop; a worker that was never stopped mid-item gives its runspace back for reuse.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        bool clean = !_aborted;
        _signal.Release(); // an idle loop wakes up, finds no item and returns
        try
        {
            if (_loop is not null && _loopResult is not null)
            {
                if (!_loopResult.AsyncWaitHandle.WaitOne(clean ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(5)))
                {
                    clean = false;
                    _loop.BeginStop(null, null);
                    _loopResult.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5));
                }

                clean &= _loop.InvocationStateInfo.State == PSInvocationState.Completed;
                _loop.Dispose();
            }
        }
        catch (Exception error) when (error is ObjectDisposedException or InvalidOperationException or PSInvalidOperationException)
        {
            clean = false;
        }

        if (clean && _reuse)
        {
            RunspaceCache.Return(_runspace);
        }
        else
        {
            RunspaceCache.Discard(_runspace);
        }

        _signal.Dispose();
    }

    /// <summary>The worker's pipeline calls this and stays in it until the worker ends.</summary>
    public void RunLoop()
    {
        var script = ScriptBlock.Create(_setup.Script);
        var variables = new List<PSVariable>(1);
        while (true)
        {
            _signal.Wait();
            var job = Interlocked.Exchange(ref _pending, null);
            if (job is null || _aborted)
            {
                job?.Completion.TrySetResult(null);
                return;
            }

            _current = job;
            Exception? failure = null;
            try
            {
                variables.Clear();
                variables.Add(new PSVariable("_", job.Item.Input));
                Collection<PSObject> output = script.InvokeWithContext(null, variables);
                foreach (var value in output)
                {
                    job.Context.Output(value);
                }
            }
            catch (PipelineStoppedException)
            {
                _current = null;
                job.Completion.TrySetResult(null);
                throw;
            }
            catch (Exception error) when (error is ExitException or LoopFlowException)
            {
                // 'exit', or 'break' / 'continue' outside a loop: the item ends there, as in a script.
            }
            catch (Exception error)
            {
                failure = error;
            }

            _current = null;
            job.Completion.TrySetResult(failure);
        }
    }

    private void ApplySetup()
    {
        var proxy = _runspace.SessionStateProxy;
        foreach (var (name, value) in _setup.Preferences)
        {
            proxy.SetVariable(name, Enum.Parse<ActionPreference>(value));
        }

        var scriptBlocks = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in _setup.Variables)
        {
            switch (value)
            {
                case ScriptBlock block:
                    // A script block belongs to the runspace that made it: workers get a new one from its text.
                    scriptBlocks[name] = block.ToString();
                    break;
                case WorkerSetup.ScriptBlockText text:
                    scriptBlocks[name] = text.ScriptBlockSource;
                    break;
                default:
                    proxy.SetVariable(name, value);
                    break;
            }
        }

        if (_setup.Location is { } location && !string.Equals(proxy.Path.CurrentFileSystemLocation?.ProviderPath, location, StringComparison.Ordinal))
        {
            try
            {
                proxy.Path.SetLocation(WildcardPattern.Escape(location));
            }
            catch (Exception error) when (error is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or PSInvalidOperationException or PSArgumentException)
            {
                // A location the worker cannot reach: it starts where the process is.
            }
        }

        if (_setup.Modules.Count == 0 && _setup.Functions.Count == 0 && scriptBlocks.Count == 0)
        {
            return;
        }

        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(SetupScript)
            .AddArgument(_setup.Modules.ToArray())
            .AddArgument(new System.Collections.Hashtable(_setup.Functions, StringComparer.OrdinalIgnoreCase))
            .AddArgument(scriptBlocks);
        try
        {
            ps.Invoke();
        }
        catch (RuntimeException error)
        {
            throw new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.ResourceUnavailable,
                $"A parallel worker could not be set up: {error.Message}", _setup.Modules.Count > 0 ? string.Join(", ", _setup.Modules) : null, error);
        }

        if (ps.HadErrors && ps.Streams.Error.Count > 0)
        {
            var first = ps.Streams.Error[0];
            throw new Ec2OpsException(ParallelErrorIds.WorkerStartFailed, Ec2OpsErrorCategory.ResourceUnavailable,
                $"A parallel worker could not be set up: {first.Exception.Message}", first.TargetObject, first.Exception);
        }
    }

    private void StartLoop()
    {
        var loop = PowerShell.Create();
        loop.Runspace = _runspace;
        loop.AddScript(LoopScript).AddArgument(this);
        Forward(loop.Streams.Error);
        Forward(loop.Streams.Warning);
        Forward(loop.Streams.Verbose);
        Forward(loop.Streams.Debug);
        Forward(loop.Streams.Information);
        Forward(loop.Streams.Progress);
        _loop = loop;
        _loopResult = loop.BeginInvoke<object, PSObject>(null, new PSDataCollection<PSObject>());
    }

    private void Forward<T>(PSDataCollection<T> stream)
    {
        stream.DataAdded += (_, _) =>
        {
            foreach (var record in stream.ReadAll())
            {
                if (record is not null)
                {
                    _current?.Context.Stream(record);
                }
            }
        };
    }

    private sealed class Job(ParallelItem item, IParallelItemContext context)
    {
        public ParallelItem Item { get; } = item;

        public IParallelItemContext Context { get; } = context;

        // Asynchronous continuations: the runner must never run on (and so block) the worker's pipeline thread.
        public TaskCompletionSource<Exception?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// Opened runspaces kept for the next items and the next calls: opening one costs tens of
/// milliseconds, which dominates short items. A runspace comes back only from a worker that was
/// never stopped mid-item, and is reset before it is used again: global variables
/// (ResetRunspaceState), location, and every function, alias and module added since it was opened.
/// The reset happens when a runspace is taken (on the worker's own start, in parallel with the
/// others), so the end of a run never waits for it. Idle runspaces are closed after
/// <see cref="IdleTimeout"/>; at most <see cref="MaxIdle"/> are kept.
/// </summary>
internal static class RunspaceCache
{
    private static readonly ConcurrentDictionary<PSLanguageMode, InitialSessionState> States = new();
    private static readonly ConcurrentDictionary<Guid, Baseline> Baselines = new();
    private static readonly ConcurrentStack<(Runspace Runspace, DateTime Since)> Idle = new();
    private static readonly Timer Sweeper = new(_ => Sweep(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    public static TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public static int MaxIdle { get; set; } = 64;

    public static int IdleCount => Idle.Count;

    /// <summary>True for a runspace this cache opened for Invoke-Parallel's workers.</summary>
    public static bool IsWorker(Runspace? runspace) => runspace is not null && Baselines.ContainsKey(runspace.InstanceId);

    /// <summary>An idle runspace of this language mode, reset; null when there is none.</summary>
    public static Runspace? TryTake(PSLanguageMode mode)
    {
        var skipped = new List<(Runspace, DateTime)>();
        try
        {
            while (Idle.TryPop(out var entry))
            {
                if (entry.Runspace.RunspaceStateInfo.State != RunspaceState.Opened)
                {
                    Discard(entry.Runspace);
                    continue;
                }

                if (entry.Runspace.SessionStateProxy.LanguageMode != mode)
                {
                    skipped.Add(entry);
                    continue;
                }

                if (Reset(entry.Runspace))
                {
                    return entry.Runspace;
                }
            }

            return null;
        }
        finally
        {
            foreach (var entry in skipped)
            {
                Idle.Push(entry);
            }
        }
    }

    /// <summary>A new runspace with the default commands, in the caller's language mode.</summary>
    public static Runspace Open(PSLanguageMode mode)
    {
        var state = States.GetOrAdd(mode, m =>
        {
            var iss = InitialSessionState.CreateDefault();
            iss.LanguageMode = m;
            iss.ThreadOptions = PSThreadOptions.ReuseThread;
            return iss;
        });

        var runspace = RunspaceFactory.CreateRunspace(state.Clone());
        runspace.ThreadOptions = PSThreadOptions.ReuseThread;
        runspace.Open();
        runspace.Name = "Ec2OpsParallel" + runspace.Id;
        Baselines[runspace.InstanceId] = Baseline.Of(runspace);
        return runspace;
    }

    /// <summary>Keeps a runspace for reuse (it is reset when taken); closes it when too many are idle.</summary>
    public static void Return(Runspace runspace)
    {
        if (Idle.Count >= MaxIdle || !Baselines.ContainsKey(runspace.InstanceId))
        {
            Discard(runspace);
            return;
        }

        Idle.Push((runspace, DateTime.UtcNow));
    }

    public static void Discard(Runspace runspace)
    {
        Baselines.TryRemove(runspace.InstanceId, out _);
        try
        {
            runspace.Dispose();
        }
        catch (Exception error) when (error is InvalidOperationException or PSInvalidOperationException)
        {
        }
    }

    /// <summary>Closes every idle runspace (Remove-Module).</summary>
    public static void Clear()
    {
        while (Idle.TryPop(out var entry))
        {
            Discard(entry.Runspace);
        }
    }

    private static bool Reset(Runspace runspace)
    {
        if (!Baselines.TryGetValue(runspace.InstanceId, out var baseline))
        {
            Discard(runspace);
            return false;
        }

        try
        {
            var now = Baseline.Of(runspace);
            var provider = runspace.SessionStateProxy.InvokeProvider;
            foreach (string name in now.Functions.Except(baseline.Functions, StringComparer.OrdinalIgnoreCase))
            {
                provider.Item.Remove(@"function:\" + WildcardPattern.Escape(name), false);
            }

            foreach (string name in now.Aliases.Except(baseline.Aliases, StringComparer.OrdinalIgnoreCase))
            {
                provider.Item.Remove(@"alias:\" + WildcardPattern.Escape(name), false);
            }

            var modules = now.Modules.Except(baseline.Modules, StringComparer.OrdinalIgnoreCase).ToArray();
            if (modules.Length > 0)
            {
                using var ps = PowerShell.Create();
                ps.Runspace = runspace;
                ps.AddCommand("Remove-Module").AddParameter("Name", modules).AddParameter("Force").AddParameter("ErrorAction", ActionPreference.SilentlyContinue).Invoke();
            }

            runspace.ResetRunspaceState();
            return true;
        }
        catch (Exception error) when (error is RuntimeException or InvalidOperationException or PSInvalidOperationException)
        {
            Discard(runspace);
            return false;
        }
    }

    private static void Sweep()
    {
        var keep = new List<(Runspace, DateTime)>();
        while (Idle.TryPop(out var entry))
        {
            if (DateTime.UtcNow - entry.Since > IdleTimeout)
            {
                Discard(entry.Runspace);
            }
            else
            {
                keep.Add(entry);
            }
        }

        for (int i = keep.Count - 1; i >= 0; i--)
        {
            Idle.Push(keep[i]);
        }
    }

    /// <summary>What a runspace had when it was opened: its functions, aliases and modules.</summary>
    private sealed class Baseline(HashSet<string> functions, HashSet<string> aliases, HashSet<string> modules)
    {
        public HashSet<string> Functions { get; } = functions;

        public HashSet<string> Aliases { get; } = aliases;

        public HashSet<string> Modules { get; } = modules;

        public static Baseline Of(Runspace runspace)
        {
            var commands = runspace.SessionStateProxy.InvokeCommand;
            var functions = commands.GetCommands("*", CommandTypes.Function | CommandTypes.Filter, nameIsPattern: true).Select(c => c.Name);
            var aliases = commands.GetCommands("*", CommandTypes.Alias, nameIsPattern: true).Select(c => c.Name);
            var modules = ModuleNames(runspace);
            return new Baseline(
                new HashSet<string>(functions, StringComparer.OrdinalIgnoreCase),
                new HashSet<string>(aliases, StringComparer.OrdinalIgnoreCase),
                new HashSet<string>(modules, StringComparer.OrdinalIgnoreCase));
        }

        private static IEnumerable<string> ModuleNames(Runspace runspace)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            return ps.AddCommand("Get-Module").Invoke<PSModuleInfo>().Select(m => m.Name).ToList();
        }
    }
}
