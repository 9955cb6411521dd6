using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Ec2Ops.Tests.Contracts;

namespace Ec2Ops.Tests.Parallel;

/// <summary>Invoke-Parallel in PowerShell 7.6 hosted in this process (Microsoft.PowerShell.SDK), with the built module imported.</summary>
public sealed class InvokeParallelHostedTests : IDisposable
{
    private readonly Runspace _runspace;

    public InvokeParallelHostedTests()
    {
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        Invoke($"Import-Module -Name '{Path.Combine(ModuleLayout.ModuleDirectory, "Ec2Ops.psd1")}' -ErrorAction Stop");
    }

    [Fact]
    public void StreamsOfTheScriptBlockReachTheCaller()
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        // $DebugPreference rather than -Debug: -Debug asks before each debug line, and this host cannot be asked.
        ps.AddScript("$DebugPreference = 'Continue'; 1..3 | Invoke-Parallel { Write-Verbose \"v$_\"; Write-Warning \"w$_\"; Write-Information \"i$_\"; Write-Debug \"d$_\"; Write-Error \"e$_\"; $_ * 2 } -Verbose -Ordered");

        var output = ps.Invoke();

        Assert.Equal(new object[] { 2, 4, 6 }, output.Select(o => o.BaseObject));
        Assert.Equal(new[] { "v1", "v2", "v3" }, ps.Streams.Verbose.Select(v => v.Message).Where(m => m.StartsWith('v')).Order());
        Assert.Equal(new[] { "w1", "w2", "w3" }, ps.Streams.Warning.Select(w => w.Message).Order());
        Assert.Equal(new[] { "i1", "i2", "i3" }, ps.Streams.Information.Select(i => i.MessageData.ToString()!).Order());
        Assert.Equal(new[] { "d1", "d2", "d3" }, ps.Streams.Debug.Select(d => d.Message).Order());
        Assert.Equal(new object[] { 1, 2, 3 }, ps.Streams.Error.Select(e => ((PSObject)e.TargetObject).BaseObject).OrderBy(o => o));
        Assert.All(ps.Streams.Error, e => Assert.StartsWith("e", e.Exception.Message));
    }

    [Fact]
    public void AThrowingItemIsANonTerminatingErrorTiedToItsInput()
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript("1..4 | Invoke-Parallel { if ($_ -eq 3) { throw 'three is bad' }; $_ } -Ordered");

        var output = ps.Invoke();

        Assert.Equal(new object[] { 1, 2, 4 }, output.Select(o => o.BaseObject));
        var error = Assert.Single(ps.Streams.Error);
        Assert.Equal("ParallelItemFailed,Ec2Ops.Commands.InvokeParallelCommand", error.FullyQualifiedErrorId);
        Assert.Equal(3, ((PSObject)error.TargetObject).BaseObject);
        Assert.Equal("three is bad", error.Exception.Message);
        Assert.StartsWith("Input '3' failed: three is bad" + Environment.NewLine + "At line:1 char:", error.ErrorDetails.Message);
        Assert.Contains("throw 'three is bad'", error.ErrorDetails.Message);
    }

    [Fact]
    public void CtrlCStopsRunningItemsPromptlyAndNothingKeepsRunning()
    {
        var started = new System.Collections.Concurrent.ConcurrentBag<int>();
        var finished = new System.Collections.Concurrent.ConcurrentBag<int>();
        _runspace.SessionStateProxy.SetVariable("started", started);
        _runspace.SessionStateProxy.SetVariable("finished", finished);
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript("1..8 | Invoke-Parallel { $s = $using:started; $f = $using:finished; $s.Add($_); Start-Sleep -Seconds 30; $f.Add($_) } -ThrottleLimit 4");
        var running = ps.BeginInvoke();
        var wait = Stopwatch.StartNew();
        while (started.Count < 4 && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(20);
        }

        Assert.Equal(4, started.Count);
        var clock = Stopwatch.StartNew();
        ps.Stop();
        Assert.True(running.IsCompleted);
        var latency = clock.Elapsed;

        Assert.True(latency < TimeSpan.FromSeconds(5), $"Ctrl+C took {latency.TotalMilliseconds} ms");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Thread.Sleep(500);
        Assert.Empty(finished);
        Assert.Equal(4, started.Count);
    }

    [Fact]
    public void ErrorActionStopEndsTheRunAtTheFirstError()
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        var ran = new System.Collections.Concurrent.ConcurrentBag<int>();
        _runspace.SessionStateProxy.SetVariable("ran", ran);
        ps.AddScript("1..200 | Invoke-Parallel { $r = $using:ran; $r.Add($_); if ($_ -eq 2) { throw 'stop here' }; Start-Sleep -Milliseconds 100 } -ThrottleLimit 2 -ErrorAction Stop");

        var error = Assert.ThrowsAny<RuntimeException>(() => ps.Invoke());

        Assert.Contains("stop here", error.Message);
        Assert.True(ran.Count < 50, $"{ran.Count} inputs ran after the error");
    }

    [Fact]
    public void UsingVariablesFunctionsFromAnyScopeAndVariablesReachTheWorkers()
    {
        var output = Invoke("""
            function Outer {
                function Get-Square([int] $x) { $x * $x }
                $offset = 100
                $list = 10, 20
                1..3 | Invoke-Parallel { (Get-Square $_) + $using:offset + $using:list[1] + $bonus } -ImportFunction Get-Square -Variable @{ bonus = 1 } -Ordered
            }
            Outer
            """);

        Assert.Equal(new object[] { 122, 125, 130 }, output.Select(o => o.BaseObject));
    }

    private List<PSObject> Invoke(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        var output = ps.AddScript(script).Invoke().ToList();
        if (ps.Streams.Error.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, ps.Streams.Error.Select(e => e.ToString())));
        }

        return output;
    }

    public void Dispose() => _runspace.Dispose();
}

