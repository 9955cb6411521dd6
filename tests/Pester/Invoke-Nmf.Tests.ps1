#Requires -Version 7.4
# Invoke-Nmf from the user's side: the built module, small matrices whose scikit-learn 1.2.1
# results are known (see tests/Ec2Ops.Tests/Factorization/Reference).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
    $script:command = 'Ec2Ops.Commands.InvokeNmfCommand'
    # np.random.seed(0); np.random.randint(0, 6, (5, 4))
    $script:v = @(4, 5, 0, 3), @(3, 3, 1, 3), @(5, 2, 4, 0), @(0, 4, 2, 1), @(0, 1, 5, 1)
    $script:reference = Join-Path $PSScriptRoot '..' 'Ec2Ops.Tests' 'Factorization' 'Reference'
}

Describe 'Invoke-Nmf' {
    Context 'the seed example' {
        It 'matches scikit-learn NMF(2) on the pipeline rows' {
            $r = $script:v | Invoke-Nmf -Rank 2
            $r | Should -BeOfType ([Ec2Ops.Core.Factorization.NmfResult])
            $r.ReconstructionError | Should -BeGreaterThan 4.2706936
            $r.ReconstructionError | Should -BeLessThan 4.2706937
            $r.Iterations | Should -Be 21
            $r.Converged | Should -BeTrue
            $r.Init | Should -Be 'Nndsvda'
            $r.W.Count | Should -Be 5
            $r.W[0].Count | Should -Be 2
            $r.H.Count | Should -Be 2
            $r.H[0].Count | Should -Be 4
            [math]::Abs($r.W[0][1] - 1.46956156845132) | Should -BeLessThan 1e-9
            [math]::Abs($r.H[0][2] - 5.19121492196148) | Should -BeLessThan 1e-9
        }

        It 'keeps the shape of a [double[,]] given to -Matrix' {
            $grid = [double[,]]::new(5, 4)
            for ($i = 0; $i -lt 5; $i++) { for ($j = 0; $j -lt 4; $j++) { $grid[$i, $j] = $script:v[$i][$j] } }
            $a = Invoke-Nmf -Matrix $grid -Rank 2
            $b = Invoke-Nmf -Matrix $script:v -Rank 2
            $a.RowCount | Should -Be 5
            $a.H[0].Count | Should -Be 4
            $a.ReconstructionError | Should -Be $b.ReconstructionError
        }

        It 'gives the same result from -Matrix, and from a file named by position' {
            $csv = Join-Path $TestDrive 'positional.csv'
            ($script:v | ForEach-Object { $_ -join ',' }) -join "`n" | Set-Content -Path $csv
            $a = Invoke-Nmf -Matrix $script:v -Rank 2
            $b = Invoke-Nmf $csv -Rank 2
            $a.ReconstructionError | Should -Be $b.ReconstructionError
            $a.W[3][0] | Should -Be $b.W[3][0]
        }

        It 'reconstructs W times H' {
            $r = Invoke-Nmf -Matrix $script:v -Rank 2 -Tolerance 0
            $product = $r.Reconstruct()
            $product.Count | Should -Be 5
            $expected = $r.W[2][0] * $r.H[0][1] + $r.W[2][1] * $r.H[1][1]
            [math]::Abs($product[2][1] - $expected) | Should -BeLessThan 1e-12
        }

        It 'shows a table and a list' {
            $r = Invoke-Nmf -Matrix $script:v -Rank 2
            ($r | Format-Table | Out-String -Width 80) | Should -Match 'Shape\s+Rank\s+Solver\s+Iterations\s+Converged\s+ReconstructionError'
            ($r | Format-Table | Out-String -Width 80) | Should -Match ('5 x 4\s+2 CoordinateDescent\s+\d+ True\s+' + [regex]::Escape("$($r.ReconstructionError)"))
            ($r | Format-List | Out-String -Width 200) | Should -Match ('W\s+: \[0, ' + [regex]::Escape("$($r.W[0][1])") + '\]')
            ($r | Format-List | Out-String -Width 200) | Should -Match 'Init\s+: Nndsvda'
        }

        It 'converts to JSON with W and H as nested arrays' {
            $json = Invoke-Nmf -Matrix $script:v -Rank 2 | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            $json.W.Count | Should -Be 5
            $json.H[1].Count | Should -Be 4
        }
    }

    Context 'rows as objects' {
        It 'uses the chosen properties as columns and names' {
            $rows = $script:v | ForEach-Object { [pscustomobject]@{ cpu = $_[0]; mem = $_[1]; disk = $_[2]; net = $_[3]; name = 'web-1' } }
            $r = $rows | Invoke-Nmf -Property cpu, mem, disk, net -Rank 2
            $r.FeatureNames | Should -Be @('cpu', 'mem', 'disk', 'net')
            [math]::Abs($r.ReconstructionError - 4.27069362832392) | Should -BeLessThan 1e-9
        }

        It 'takes every property of Import-Csv rows, numeric strings included' {
            $csv = Join-Path $TestDrive 'usage.csv'
            "a,b,c,d`n" + (($script:v | ForEach-Object { $_ -join ',' }) -join "`n") | Set-Content -Path $csv
            $r = Import-Csv -Path $csv | Invoke-Nmf -Rank 2
            $r.FeatureNames | Should -Be @('a', 'b', 'c', 'd')
            $r.Iterations | Should -Be 21
        }

        It 'takes one object or one hashtable given to -Matrix as one row' {
            # A [pscustomobject]'s properties live on its PSObject, not on its base object.
            $one = [pscustomobject]@{ cpu = 1; mem = 2; disk = 3 }
            $r = Invoke-Nmf -Matrix $one -Rank 1 -Tolerance 0 -MaxIterations 5
            $r.RowCount | Should -Be 1
            $r.FeatureNames | Should -Be @('cpu', 'mem', 'disk')
            $h = Invoke-Nmf -Matrix ([ordered]@{ cpu = 1; mem = 2; disk = 3 }) -Rank 1 -Tolerance 0 -MaxIterations 5
            $h.RowCount | Should -Be 1
            $h.FeatureNames | Should -Be @('cpu', 'mem', 'disk')
        }
    }

    Context 'files' {
        It 'reads a CSV with a header' {
            $csv = Join-Path $TestDrive 'v.csv'
            "w,x,y,z`n" + (($script:v | ForEach-Object { $_ -join ',' }) -join "`n") | Set-Content -Path $csv
            $r = Invoke-Nmf -Path $csv -Rank 2
            $r.FeatureNames | Should -Be @('w', 'x', 'y', 'z')
            $r.RowCount | Should -Be 5
            [math]::Abs($r.ReconstructionError - 4.27069362832392) | Should -BeLessThan 1e-9
        }

        It 'reads a Fortran-order .npy' {
            $r = Invoke-Nmf -Path (Join-Path $script:reference 'sample-f8-fortran.npy') -Rank 1 -Tolerance 0
            $r.RowCount | Should -Be 3
            $r.ColumnCount | Should -Be 4
            $r.FeatureNames | Should -BeNullOrEmpty
        }

        It 'fails with NmfFileNotFound for a missing file' {
            { Invoke-Nmf -Path (Join-Path $TestDrive 'none.csv') -Rank 2 } | Should -Throw -ErrorId "NmfFileNotFound,$script:command"
        }

        It 'names the line, row and column of a bad CSV cell' {
            $csv = Join-Path $TestDrive 'bad.csv'
            "a,b`n1,2`n3,oops`n" | Set-Content -Path $csv
            $err = { Invoke-Nmf -Path $csv -Rank 1 } | Should -Throw -ErrorId "NmfInvalidCell,$script:command" -PassThru
            $err.Exception.Message | Should -BeLike "Row 1, column 1 ('b') of 'bad.csv' (line 3) is 'oops'*"
        }
    }

    Context 'errors and warnings' {
        It 'skips a bad pipeline row with a non-terminating error and factors the rest' {
            $rows = @(1, 2), @(3, -1), @(4, 5), @(2, 2)
            $r = $rows | Invoke-Nmf -Rank 1 -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue
            $r.RowCount | Should -Be 3
            $problems.Count | Should -Be 1
            $problems[0].FullyQualifiedErrorId | Should -Be "NmfNegativeValue,$script:command"
            $problems[0].Exception.Message | Should -BeLike 'Row 1, column 1 of the input is -1*'
            $warnings[0].Message | Should -BeLike '1 of 4 input rows were skipped*'
        }

        It 'stops with a clear error when the loss needs the other solver' {
            { Invoke-Nmf -Matrix $script:v -Rank 2 -BetaLoss KullbackLeibler } |
                Should -Throw -ErrorId "NmfLossNeedsMultiplicativeUpdate,$script:command"
        }

        It 'names a value too large for the computation, and the limit, for either solver' -ForEach @(
            @{ Value = 1e308; Solver = 'CoordinateDescent' }, @{ Value = 1e200; Solver = 'MultiplicativeUpdate' }) {
            $err = { Invoke-Nmf -Matrix @(@($Value, $Value), @($Value, $Value)) -Rank 1 -Solver $Solver } | Should -Throw -ErrorId "NmfValueTooLarge,$script:command" -PassThru
            $err.Exception.Message | Should -Match '^Row 0, column 0 of the input is 1E\+(308|200): NMF sums squares of the values, which overflows a double above about 6\.7E\+150 for a 2 x 2 matrix\.$'
        }

        It 'refuses a rank above min(rows, columns) for NNDSVD' {
            { Invoke-Nmf -Matrix $script:v -Rank 5 -Init Nndsvd } | Should -Throw -ErrorId "NmfRankTooLarge,$script:command"
        }

        It 'warns like scikit-learn when MaxIterations is reached' {
            $r = Invoke-Nmf -Matrix $script:v -Rank 2 -MaxIterations 3 -Tolerance 1e-12 -WarningVariable warnings -WarningAction SilentlyContinue
            $r.Converged | Should -BeFalse
            $warnings[0].Message | Should -Be 'Maximum number of iterations 3 reached. Increase it to improve convergence.'
        }
    }

    Context 'solvers, seeds and transform' {
        It 'runs the multiplicative update with Kullback-Leibler loss' {
            $r = Invoke-Nmf -Matrix $script:v -Rank 2 -Solver MultiplicativeUpdate -BetaLoss KullbackLeibler -Tolerance 0
            $r.Solver | Should -Be 'MultiplicativeUpdate'
            $r.BetaLoss | Should -Be 'KullbackLeibler'
            $r.Iterations | Should -Be 200
            $r.Converged | Should -BeNullOrEmpty
        }

        It 'repeats a random initialization with the same seed' {
            $a = Invoke-Nmf -Matrix $script:v -Rank 2 -Init Random -Seed 7
            $b = Invoke-Nmf -Matrix $script:v -Rank 2 -Init Random -Seed 7
            $a.W[1][1] | Should -Be $b.W[1][1]
        }

        It 'shuffles the coordinate order as scikit-learn does for the same seed' {
            # NMF(2, shuffle=True, random_state=0): reconstruction_err_ 4.270693460016368, n_iter_ 33
            $r = Invoke-Nmf -Matrix $script:v -Rank 2 -Shuffle -Seed 0
            $r.Iterations | Should -Be 33
            [math]::Abs($r.ReconstructionError - 4.270693460016368) | Should -BeLessThan 1e-9
            [math]::Abs($r.W[1][0] - 1.5446372407966948) | Should -BeLessThan 1e-9
        }

        It 'solves only W for new rows with -Components' {
            $fit = Invoke-Nmf -Matrix $script:v -Rank 2
            $new = Invoke-Nmf -Matrix @(, @(1, 2, 3, 4)) -Components $fit.H
            $new.IsTransform | Should -BeTrue
            [math]::Abs($new.W[0][0] - 0.501220611879393) | Should -BeLessThan 1e-9
            [math]::Abs($new.W[0][1] - 0.627584376629502) | Should -BeLessThan 1e-9
        }
    }

    Context 'progress' {
        BeforeAll {
            # The progress stream is not redirectable; a nested PowerShell collects its records.
            function Get-ProgressCount([scriptblock] $Script) {
                $ps = [powershell]::Create()
                try {
                    $null = $ps.AddScript("Import-Module '$((Get-Module Ec2Ops).Path)'; $Script").Invoke()
                    $ps.Streams.Progress.Count
                }
                finally {
                    $ps.Dispose()
                }
            }
        }

        It 'shows no progress bar for work that ends within a second' {
            Get-ProgressCount { Invoke-Nmf -Matrix @(@(1, 2, 3, 4), @(2, 3, 4, 5)) -Rank 1 -WarningAction Ignore } | Should -Be 0
        }

        It 'shows progress for work that lasts' {
            $script = {
                $rng = [Random]::new(7)
                $V = foreach ($i in 1..300) { , [double[]]@(foreach ($j in 1..200) { $rng.NextDouble() }) }
                $null = Invoke-Nmf -Matrix $V -Rank 20 -MaxIterations 8000 -Tolerance 0 -Solver MultiplicativeUpdate
            }
            Get-ProgressCount $script | Should -BeGreaterThan 0
        }
    }

    Context 'help' {
        It 'has examples and describes every parameter' {
            $help = Get-Help Invoke-Nmf -Full
            $help.Synopsis | Should -Match 'non-negative matrix'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 6
            (($help.Parameters.Parameter | Where-Object Name -EQ 'Components').Description.Text -join ' ') | Should -Match 'transform'
            foreach ($name in 'InputObject', 'Property', 'Matrix', 'Path', 'Rank', 'Init', 'Solver', 'BetaLoss', 'Seed', 'Shuffle') {
                $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $name
                ($parameter.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            }
        }
    }
}
