BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule

    # The seed's prime test (Python's ProcessPoolExecutor example), as plain script code.
    $script:isPrime = {
        $n = [long]$_
        $prime = $n -ge 2 -and ($n -eq 2 -or $n % 2 -ne 0)
        for ($i = [long]3; $prime -and $i * $i -le $n; $i += 2) {
            if ($n % $i -eq 0) { $prime = $false }
        }
        [pscustomobject]@{ Number = $n; IsPrime = $prime }
    }
}

Describe 'Invoke-Parallel' {
    Context 'the seed: fetching URLs from a slow server (ThreadPoolExecutor)' {
        BeforeAll {
            # Stop-Ec2OpsEmulator puts the AWS variables back exactly as they were.
            $emulator = Start-Ec2OpsEmulator -Force -AllowImdsV1
            $emulator.Imds.ResponseDelay = [timespan]::FromMilliseconds(500)
            $base = $emulator.Endpoint.ToString().TrimEnd('/')
            $urls = 'instance-id', 'instance-type', 'ami-id', 'hostname', 'local-ipv4', 'mac' |
                ForEach-Object { "$base/latest/meta-data/$_" }
        }

        AfterAll {
            Stop-Ec2OpsEmulator
        }

        It 'fetches every URL and is much faster than a sequential loop' {
            $sequential = Measure-Command { $one = $urls | ForEach-Object { Invoke-RestMethod $_ } }
            $parallel = Measure-Command { $many = $urls | Invoke-Parallel { Invoke-RestMethod $_ } -ThrottleLimit 6 -Ordered }

            $many | Should -Be $one
            $many[0] | Should -Be 'i-0a1b2c3d4e5f67890'
            $sequential.TotalSeconds | Should -BeGreaterThan 2.9   # six replies of 0.5 s, one after another
            $parallel.TotalSeconds | Should -BeLessThan ($sequential.TotalSeconds / 2)
        }
    }

    Context 'the seed: prime tests on worker processes (ProcessPoolExecutor)' {
        It 'finds all prime but the last, in input order, on pwsh workers' {
            $numbers = 112272535095293, 112582705942171, 112272535095293, 115280095190773, 115797848077099, 1099726899285419
            $results = $numbers | Invoke-Parallel -Mode Process -Ordered -ThrottleLimit 2 $isPrime -IncludeTiming

            $results.Input | Should -Be $numbers
            $results.Output.IsPrime | Should -Be @($true, $true, $true, $true, $true, $false)
            $results.Output.Number | Should -Be $numbers
            $results.Output[0].PSObject.TypeNames | Should -Contain 'Deserialized.System.Management.Automation.PSCustomObject'
            @($results.Worker | Sort-Object -Unique).Count | Should -BeLessOrEqual 2
            $results.Worker | ForEach-Object { $_ | Should -Match '^Process \d+$' }
        }
    }

    Context 'order and throttle' {
        It 'writes in completion order by default (as_completed)' {
            $out = 3, 2, 1 | Invoke-Parallel { Start-Sleep -Milliseconds (300 * $_); $_ } -ThrottleLimit 3
            $out | Should -Be @(1, 2, 3)
        }

        It 'writes in input order with -Ordered (map), still in parallel' {
            $elapsed = Measure-Command { $out = 3, 2, 1 | Invoke-Parallel { Start-Sleep -Milliseconds (300 * $_); $_ } -ThrottleLimit 3 -Ordered }
            $out | Should -Be @(3, 2, 1)
            $elapsed.TotalSeconds | Should -BeLessThan 1.7   # 0.9 s of the slowest, not 1.8 s in a row
        }

        It 'keeps the objects of one input together' {
            $out = 1..4 | Invoke-Parallel { "$_ a"; Start-Sleep -Milliseconds (20 * (5 - $_)); "$_ b" } -ThrottleLimit 4
            for ($i = 0; $i -lt 8; $i += 2) { ($out[$i] -split ' ')[0] | Should -Be ($out[$i + 1] -split ' ')[0] }
        }

        It 'runs at most -ThrottleLimit inputs at once, on reused workers' {
            $results = 1..12 | Invoke-Parallel { Start-Sleep -Milliseconds 100; $_ } -ThrottleLimit 3 -IncludeTiming
            @($results.Worker | Sort-Object -Unique).Count | Should -Be 3
            $results.Index | Sort-Object | Should -Be (0..11)
        }

        It 'holds the workers back while the caller does not consume output (bounded memory)' {
            $started = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $seen = $null
            1..20000 | Invoke-Parallel { $s = $using:started; $s.Add($_); $_ } -ThrottleLimit 2 | ForEach-Object {
                if ($null -eq $seen) { Start-Sleep -Seconds 2; $seen = $started.Count }
            }
            $started.Count | Should -Be 20000
            $seen | Should -BeLessThan 1200   # the window (64) and the write queue (1024), not the whole input
        }

        It 'streams: the pipeline is consumed as it comes and output flows before the input ends' {
            $elapsed = Measure-Command {
                $first = & { foreach ($i in 1..1000000) { $i } } | Invoke-Parallel { $_ * 2 } | Select-Object -First 5
            }
            $first.Count | Should -Be 5
            $elapsed.TotalSeconds | Should -BeLessThan 30
        }
    }

    Context 'errors, time limits and streams' {
        It 'turns a throwing input into a non-terminating error tied to that input' {
            $out = 1..4 | Invoke-Parallel { if ($_ -eq 3) { throw 'three is bad' }; $_ } -Ordered -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @(1, 2, 4)
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ParallelItemFailed,Ec2Ops.Commands.InvokeParallelCommand'
            $err[0].TargetObject | Should -Be 3
            $err[0].Exception.Message | Should -Be 'three is bad'
            $err[0].ErrorDetails.Message | Should -BeLike "Input '3' failed: three is bad*At line:1 char:*throw 'three is bad'*"
        }

        It 'stops an input over -TimeoutSeconds with a TimeoutException, replaces its runspace, and goes on' {
            $out = 1, 30, 2 | Invoke-Parallel { Start-Sleep -Seconds $_; "slept $_" } -TimeoutSeconds 4 -ThrottleLimit 1 -Ordered -ErrorVariable err -ErrorAction SilentlyContinue -IncludeTiming
            $out.Output | Should -Be @('slept 1', 'slept 2')
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'ParallelItemTimeout,Ec2Ops.Commands.InvokeParallelCommand'
            $err[0].Exception | Should -BeOfType [System.TimeoutException]
            $err[0].TargetObject | Should -Be 30
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $out[0].Worker | Should -Not -Be $out[1].Worker
        }

        It 'reports every input that the whole-run limit stopped or never started (none dropped)' {
            $out = 1..10 | Invoke-Parallel { Start-Sleep -Milliseconds 400; $_ } -ThrottleLimit 2 -RunTimeoutSeconds 1 -ErrorVariable err -ErrorAction SilentlyContinue
            ($out.Count + $err.Count) | Should -Be 10
            $err.Count | Should -BeGreaterThan 0
            $err | ForEach-Object {
                $_.FullyQualifiedErrorId | Should -Be 'ParallelRunTimeout,Ec2Ops.Commands.InvokeParallelCommand'
                $_.Exception | Should -BeOfType [System.TimeoutException]
            }
            (@($out) + @($err.TargetObject)) | Sort-Object | Should -Be (1..10)
        }

        It 'stops everything at the first error with -ErrorAction Stop' {
            $ran = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            { 1..100 | Invoke-Parallel { $r = $using:ran; $r.Add($_); if ($_ -eq 2) { throw 'stop here' }; Start-Sleep -Milliseconds 200 } -ThrottleLimit 2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParallelItemFailed,Ec2Ops.Commands.InvokeParallelCommand'
            $count = $ran.Count
            $count | Should -BeLessThan 20
            Start-Sleep -Milliseconds 600
            $ran.Count | Should -Be $count   # nothing kept running
        }

        It 'passes the script block''s verbose, warning, information and error streams to the caller' {
            $all = 1..2 | Invoke-Parallel { Write-Verbose "v$_"; Write-Warning "w$_"; Write-Information "i$_"; Write-Error "e$_"; "o$_" } -Verbose -Ordered -ErrorAction SilentlyContinue -ErrorVariable err -WarningVariable warn -InformationVariable info 4>&1
            ($all | Where-Object { $_ -is [string] }) | Should -Be @('o1', 'o2')
            ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'v*' }).Message | Sort-Object | Should -Be @('v1', 'v2')
            $warn.Message | Sort-Object | Should -Be @('w1', 'w2')
            $info.MessageData | Sort-Object | Should -Be @('i1', 'i2')
            $err.Exception.Message | Sort-Object | Should -Be @('e1', 'e2')
            $err.TargetObject | Sort-Object | Should -Be @(1, 2)
        }

        It 'passes streams and errors back from worker processes' {
            $out = 1, 2 | Invoke-Parallel -Mode Process { Write-Warning "w$_"; if ($_ -eq 2) { throw 'bad two' }; "o$_" } -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warn
            $out | Should -Be 'o1'
            $warn.Message | Sort-Object | Should -Be @('w1', 'w2')
            $err.Count | Should -Be 1
            $err[0].TargetObject | Should -Be 2
            $err[0].Exception.Message | Should -Be 'bad two'
        }

        It 'rejects a script block as an input, and goes on with the others' {
            $out = 1, { 'code' }, 3 | Invoke-Parallel { $_ } -Ordered -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @(1, 3)
            $err[0].FullyQualifiedErrorId | Should -Be 'ParallelInputIsScriptBlock,Ec2Ops.Commands.InvokeParallelCommand'
        }
    }

    Context 'Ctrl+C' {
        It 'stops running thread items at once and nothing keeps running' {
            $finished = [System.Collections.Concurrent.ConcurrentBag[int]]::new()
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($module, $bag) Import-Module $module; 1..8 | Invoke-Parallel { Start-Sleep -Seconds 30; $b = $using:bag; $b.Add($_) } -ThrottleLimit 4').
                AddArgument((Get-Module Ec2Ops).Path).AddArgument($finished)
            $handle = $ps.BeginInvoke()
            Start-Sleep -Seconds 3
            $elapsed = Measure-Command { $ps.Stop() }
            $elapsed.TotalSeconds | Should -BeLessThan 5
            $handle.IsCompleted | Should -BeTrue
            Start-Sleep -Seconds 1
            $finished.Count | Should -Be 0
            $ps.Dispose()
        }

        It 'kills the worker processes' {
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($module) Import-Module $module; 1..4 | Invoke-Parallel -Mode Process { Start-Sleep -Seconds 60 } -ThrottleLimit 2').AddArgument((Get-Module Ec2Ops).Path)
            $handle = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 200
                $workers = @(Get-Process pwsh -ErrorAction Ignore | Where-Object { $_.Parent.Id -eq $PID })
            } while ($workers.Count -lt 2 -and [datetime]::UtcNow -lt $deadline)
            $workers.Count | Should -Be 2
            Start-Sleep -Seconds 2

            $elapsed = Measure-Command { $ps.Stop() }
            $elapsed.TotalSeconds | Should -BeLessThan 5
            Start-Sleep -Milliseconds 500
            $workers | ForEach-Object { $_.Refresh(); $_.HasExited | Should -BeTrue }
            $ps.Dispose()
        }
    }

    Context 'caller state' {
        It 'gives $using: values, functions from any scope, modules and -Variable to thread workers' {
            function Test-Outer {
                function Get-Square([int] $x) { $x * $x }
                $offset = 100
                $list = 10, 20
                1..3 | Invoke-Parallel { (Get-Square $_) + $using:offset + $using:list[1] + $bonus } -ImportFunction Get-Square -Variable @{ bonus = 1 } -Ordered
            }
            Test-Outer | Should -Be @(122, 125, 130)
        }

        It 'imports modules in every worker' {
            $out = 1..2 | Invoke-Parallel { (Get-Command Invoke-Nmf).Source } -ImportModule Ec2Ops
            $out | Should -Be @('Ec2Ops', 'Ec2Ops')
        }

        It 'carries the same state into worker processes, serialized as remoting does' {
            function Get-Double([int] $x) { 2 * $x }
            $offset = 1000
            $when = [datetime]'2026-01-02T03:04:05Z'
            $out = 1, 2 | Invoke-Parallel -Mode Process { [pscustomobject]@{ Value = (Get-Double $_) + $using:offset + $extra; When = $using:when; Pid = $PID } } -ImportFunction Get-Double -Variable @{ extra = 5 } -Ordered
            $out.Value | Should -Be @(1007, 1009)
            $out[0].When | Should -BeOfType [datetime]
            $out[0].When | Should -Be $when
            $out[0].Pid | Should -Not -Be $PID
        }

        It 'runs in the caller''s current directory' {
            Push-Location ([IO.Path]::GetTempPath())
            try {
                $out = 1 | Invoke-Parallel { (Get-Location).Path }
                $out | Should -Be (Get-Location).Path
            }
            finally {
                Pop-Location
            }
        }

        It 'does not let one input''s local variables reach the next' {
            $out = 1..3 | Invoke-Parallel { $seen = Get-Variable -Name mine -ValueOnly -ErrorAction Ignore; $mine = $_; [bool]$seen } -ThrottleLimit 1
            $out | Should -Be @($false, $false, $false)
        }

        It 'reports a missing function before running anything' {
            { 1 | Invoke-Parallel { 1 } -ImportFunction No-SuchFunction } | Should -Throw -ErrorId 'ParallelFunctionNotFound,Ec2Ops.Commands.InvokeParallelCommand'
        }

        It 'reports a $using: variable the caller does not have' {
            { 1 | Invoke-Parallel { $using:noSuchVariable } } | Should -Throw -ErrorId 'ParallelUsingVariableNotFound,Ec2Ops.Commands.InvokeParallelCommand'
        }

        It 'reports a module that does not import as a terminating error' {
            { 1 | Invoke-Parallel { 1 } -ImportModule No.Such.Module.Ec2OpsTest } | Should -Throw -ErrorId 'ParallelWorkerStartFailed,Ec2Ops.Commands.InvokeParallelCommand'
        }

        It 'completes -ImportFunction names from the caller''s functions' {
            function Get-Ec2OpsCompletionProbe { 1 }
            $line = 'Invoke-Parallel { 1 } -ImportFunction Get-Ec2OpsCompletionPr'
            $completions = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $completions.CompletionMatches.CompletionText | Should -Contain 'Get-Ec2OpsCompletionProbe'
        }
    }

    Context '-AsJob' {
        It 'returns a job that Wait-Job and Receive-Job handle, Completed when all inputs completed' {
            $job = 1..6 | Invoke-Parallel { Start-Sleep -Milliseconds 200; $_ * 2 } -AsJob
            try {
                $job | Should -BeOfType [Ec2Ops.Commands.ParallelJob]
                $job.PSJobTypeName | Should -Be 'ParallelJob'
                Get-Job -Id $job.Id | Should -Not -BeNullOrEmpty
                $null = Wait-Job $job -Timeout 60
                $job.State | Should -Be 'Completed'
                Receive-Job $job | Sort-Object | Should -Be @(2, 4, 6, 8, 10, 12)
                $job.CompletedCount | Should -Be 6
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'is Failed when an input failed, with the error in the job' {
            $job = 1..3 | Invoke-Parallel { if ($_ -eq 2) { throw 'two' }; $_ } -AsJob -ErrorAction Continue
            try {
                $null = Wait-Job $job -Timeout 60
                $job.State | Should -Be 'Failed'
                $out = Receive-Job $job -ErrorVariable err -ErrorAction SilentlyContinue
                $out | Sort-Object | Should -Be @(1, 3)
                $err[0].TargetObject | Should -Be 2
            }
            finally {
                Remove-Job $job -Force
            }
        }

        It 'works with Wait-Job -Any and Stop-Job' {
            $slow = 1 | Invoke-Parallel { Start-Sleep -Seconds 60 } -AsJob
            $quick = 1 | Invoke-Parallel { 'quick' } -AsJob
            try {
                $first = Wait-Job $slow, $quick -Any -Timeout 60
                $first.Id | Should -Be $quick.Id
                $slow.State | Should -Be 'Running'
                Stop-Job $slow
                $slow.State | Should -Be 'Stopped'
            }
            finally {
                Remove-Job $slow, $quick -Force
            }
        }
    }

    Context '-IncludeTiming output' {
        BeforeAll {
            $results = 'alpha', 'beta' | Invoke-Parallel { "$_!"; $_.Length } -IncludeTiming -Ordered
        }

        It 'wraps each input as {Index, Input, Output, Elapsed, Worker}' {
            $results[0] | Should -BeOfType [Ec2Ops.Core.Parallelism.ParallelResult]
            $results.Input | Should -Be @('alpha', 'beta')
            $results[0].Output | Should -Be @('alpha!', 5)
            $results[0].Elapsed | Should -BeOfType [timespan]
            $results[0].Worker | Should -Match '^Runspace \d+$'
        }

        It 'fits 80 columns with its key columns' {
            $text = $results | Format-Table | Out-String -Width 80
            $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
            $text | Should -Match 'Index\s+Input\s+Output\s+Elapsed\s+Worker'
            $text | Should -Match 'alpha\s+alpha!, 5'
        }

        It 'exports readably to CSV and JSON' {
            $csv = $results | ConvertTo-Csv | ConvertFrom-Csv
            $csv[0].Output | Should -Be 'alpha!, 5'
            $csv[0].Input | Should -Be 'alpha'
            $json = $results | ConvertTo-Json -Depth 3 | ConvertFrom-Json
            $json[0].Output | Should -Be @('alpha!', 5)
            $json[0].Worker | Should -Match '^Runspace \d+$'
            ($results | ConvertTo-Json) | Should -Not -Match 'System\.'
        }
    }

    Context 'progress' {
        It 'shows done/total and the rate for a run that lasts, when the count is known' {
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($module) Import-Module $module; Invoke-Parallel -InputObject (1..12) { Start-Sleep -Milliseconds 250 } -ThrottleLimit 2').AddArgument((Get-Module Ec2Ops).Path)
            $null = $ps.Invoke()
            $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Invoke-Parallel')
            $ps.Dispose()
            $records.Count | Should -BeGreaterThan 0
            $records[0].StatusDescription | Should -Match '^\d+ of 12 done, \d+ running, [\d.]+/s$'
            $records[-1].RecordType | Should -Be 'Completed'
        }
    }

    Context 'help' {
        It 'has a synopsis, a description, examples and every parameter' {
            $help = Get-Help Invoke-Parallel -Full
            $help.Synopsis | Should -Match 'concurrent.futures'
            ($help.Description | Out-String) | Should -Match 'ThreadPoolExecutor'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 5
            $names = $help.Parameters.Parameter.Name
            foreach ($name in 'ScriptBlock', 'InputObject', 'Mode', 'ThrottleLimit', 'Ordered', 'TimeoutSeconds', 'RunTimeoutSeconds', 'ImportModule', 'ImportFunction', 'Variable', 'AsJob', 'IncludeTiming') {
                $names | Should -Contain $name
            }
        }
    }
}
