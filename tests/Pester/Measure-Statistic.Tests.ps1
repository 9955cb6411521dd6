BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
}

# Expected values are numpy's (np.nansum, np.nanmean, ...), computed once and written here.
Describe 'Measure-Statistic' {
    Context 'the seed [1, 1, 2, 3, NaN, 8]' {
        It 'skips NaN and counts it, as np.nansum and np.nanmean' {
            $r = 1, 1, 2, 3, [double]::NaN, 8 | Measure-Statistic -Statistic Sum, Mean, Median, Count, CumSum
            $r.Sum | Should -Be 15
            $r.Mean | Should -Be 3
            $r.Median | Should -Be 2
            $r.Count | Should -Be 5
            $r.Skipped | Should -Be 1
            $r.CumSum | Should -Be @(1, 2, 4, 7, 7, 15)
        }

        It 'propagates NaN with -PropagateNaN, as np.sum' {
            $r = 1, 1, 2, 3, [double]::NaN, 8 | Measure-Statistic -Statistic Sum, CumSum -PropagateNaN
            [double]::IsNaN($r.Sum) | Should -BeTrue
            $r.CumSum[3] | Should -Be 7
            [double]::IsNaN($r.CumSum[4]) | Should -BeTrue
        }

        It 'gives the sample std with -Ddof 1, as pandas' {
            $r = 1, 1, 2, 3, [double]::NaN, 8 | Measure-Statistic -Statistic Std, Var -Ddof 1
            $r.Std | Should -Be 2.9154759474226504
            $r.Var | Should -Be 8.5
        }

        It 'gives positions for ArgMin and ArgMax and the first of ties' {
            $r = 3, 1, [double]::NaN, 1, 5, 5 | Measure-Statistic -Statistic ArgMin, ArgMax
            $r.ArgMin | Should -Be 1
            $r.ArgMax | Should -Be 4
        }
    }

    It 'treats $null and DBNull as missing' {
        $r = 1, $null, 2, [DBNull]::Value | Measure-Statistic -Statistic Sum
        $r.Sum | Should -Be 3
        $r.Skipped | Should -Be 2
    }

    It 'uses numpy''s linear percentile' {
        $r = 1..10 | Measure-Statistic -Percentile 95
        $r.Percentile | Should -Be 9.549999999999999
        $r.PercentileLevel | Should -Be 95
    }

    It 'measures CSV columns by property, one result each, skipping empty cells' {
        $rows = "Host,Cpu,Mem`na,10,`nb,20,512`nc,,1024" | ConvertFrom-Csv
        $r = $rows | Measure-Statistic -Property Cpu, Mem -Statistic Sum, Median
        $r.Count | Should -Be 2
        $r[0].Property | Should -Be 'Cpu'
        $r[0].Sum | Should -Be 30
        $r[0].Skipped | Should -Be 1
        $r[1].Property | Should -Be 'Mem'
        $r[1].Sum | Should -Be 1536
        $r[1].Median | Should -Be 768
    }

    It 'writes an error naming a non-numeric value and keeps the rest' {
        $r = 1, 'abc', 2 | Measure-Statistic -Statistic Sum -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Sum | Should -Be 3
        $r.Rejected | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'StatisticValueNotNumeric,Ec2Ops.Commands.MeasureStatisticCommand'
        $err[0].Exception.Message | Should -Match "'abc'"
        $err[0].TargetObject | Should -Be 'abc'
    }

    It 'leaves non-numeric values out quietly with -SkipNonNumeric' {
        $r = 1, 'abc', 2 | Measure-Statistic -Statistic Sum -SkipNonNumeric -ErrorVariable err
        $r.Sum | Should -Be 3
        $err.Count | Should -Be 0
    }

    It 'warns and gives NaN when there is no number' {
        $r = [double]::NaN, $null | Measure-Statistic -Statistic Mean, Sum -WarningVariable w -WarningAction SilentlyContinue
        [double]::IsNaN($r.Mean) | Should -BeTrue
        $r.Sum | Should -Be 0
        @($w).Count | Should -Be 1
        "$($w[0])" | Should -Match 'All-NaN slice'
    }

    It 'measures every element of a list given as -InputObject' {
        (Measure-Statistic -InputObject @(1, 2, 3) -Statistic Sum).Sum | Should -Be 6
    }

    It 'flattens a matrix passed as one object, as numpy reduces over every element' {
        $m = [double[,]]::new(2, 2)
        $m[0, 0] = 1; $m[0, 1] = [double]::NaN; $m[1, 0] = 3; $m[1, 1] = 4
        $r = , $m | Measure-Statistic -Statistic Sum, ArgMax
        $r.Sum | Should -Be 8
        $r.Skipped | Should -Be 1
        $r.ArgMax | Should -Be 3
    }

    It 'rejects a percentile outside [0, 100] before reading input' {
        { 1 | Measure-Statistic -Percentile 101 } | Should -Throw -ErrorId 'StatisticPercentileOutOfRange,Ec2Ops.Commands.MeasureStatisticCommand'
    }

    It 'shows only the requested statistics by default' {
        $r = 1, 2 | Measure-Statistic -Statistic Sum
        $r.PSStandardMembers.DefaultDisplayPropertySet.ReferencedPropertyNames | Should -Be @('Property', 'Count', 'Skipped', 'Sum')
        $r.PSObject.TypeNames[0] | Should -Be 'Ec2Ops.Core.Data.StatisticResult'
        $lines = ($r | Out-String) -split "`r?`n" | Where-Object { $_ -match '\S' } | ForEach-Object { ($_ -split ':')[0].Trim() }
        $lines | Should -Be @('Count', 'Skipped', 'Sum')
    }

    It 'prints numbers in full, never rounded: <Values> sum to <Text>' -ForEach @(
        @{ Values = @(1, 2, 3, 4, 5); Text = '15' }
        @{ Values = @(1.123456, 2); Text = '3.123456' }
    ) {
        ($Values | Measure-Statistic -Statistic Sum | Out-String) | Should -Match "Sum\s+: $([regex]::Escape($Text))\r?\n"
    }

    It 'reports a property no input has, naming it and the properties that exist' {
        $rows = [pscustomobject]@{ Name = 'a'; WorkingSet = 10 }, [pscustomobject]@{ Name = 'b'; WorkingSet = 30 }
        $r = $rows | Measure-Statistic -Property WorkingSett, WorkingSet -Statistic Sum -ErrorVariable err -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Property | Should -Be 'WorkingSet'
        $r.Sum | Should -Be 40
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'PropertyNotFound,Ec2Ops.Commands.MeasureStatisticCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'WorkingSett'
        $err[0].Exception.Message | Should -Be "No input object has a property 'WorkingSett' (-Property); they have: Name, WorkingSet. Did you mean 'WorkingSet'?"
    }

    It 'reads a property that only some objects lack as missing, without an error' {
        $rows = [pscustomobject]@{ A = 1 }, [pscustomobject]@{ B = 2 }, [pscustomobject]@{ A = 3 }
        $r = $rows | Measure-Statistic -Property A -Statistic Sum -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $r.Sum | Should -Be 4
        $r.Skipped | Should -Be 1
    }

    It 'converts to JSON' {
        $json = 1, 2, 3 | Measure-Statistic -Statistic Mean | ConvertTo-Json | ConvertFrom-Json
        $json.Mean | Should -Be 2
    }

    It 'has help with examples' {
        @((Get-Help Measure-Statistic -Full).Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}
