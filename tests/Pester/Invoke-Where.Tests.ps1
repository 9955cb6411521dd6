BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
}

Describe 'Invoke-Where' {
    Context 'objects with -Property (pandas df.where)' {
        BeforeAll {
            # pd.DataFrame(np.arange(10).reshape(-1, 2), columns=['A', 'B']), plus a column left alone.
            $df = 0..4 | ForEach-Object { [pscustomobject]@{ A = 2 * $_; B = 2 * $_ + 1; Name = "row$_" } }
        }

        It 'keeps the multiples of 3 and negates the rest, as df.where(df % 3 == 0, -df)' {
            $out = $df | Invoke-Where -Property A, B -Condition { $_ % 3 -eq 0 } -Else { -$_ }
            $out.A | Should -Be @(0, -2, -4, 6, -8)
            $out.B | Should -Be @(-1, 3, -5, -7, 9)
            $out.Name | Should -Be @('row0', 'row1', 'row2', 'row3', 'row4')
        }

        It 'returns copies and leaves the input objects unchanged' {
            $out = $df | Invoke-Where -Property A -Condition $false -Else 0
            $out.A | Should -Be @(0, 0, 0, 0, 0)
            $df.A | Should -Be @(0, 2, 4, 6, 8)
        }

        It 'writes a non-terminating error for an object without the property and goes on' {
            $rows = [pscustomobject]@{ A = 1 }, [pscustomobject]@{ X = 1 }, [pscustomobject]@{ A = 3 }
            $out = $rows | Invoke-Where -Property A -Condition { $_ -gt 2 } -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue
            $out.A | Should -Be @(0, 3)
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'DataPropertyNotFound,Ec2Ops.Commands.InvokeWhereCommand'
            $err[0].Exception.Message | Should -Match "'A'"
        }
    }

    Context 'scalars (np.where)' {
        It 'turns scores into pass and fail, as np.where(scores >= 60, "pass", "fail")' {
            45, 60, 72, 59, 88 | Invoke-Where { $_ -ge 60 } -Then pass -Else fail |
                Should -Be @('fail', 'pass', 'pass', 'fail', 'pass')
        }

        It 'takes then and else by position, as np.where(cond, x, y) and as Invoke-Mask takes its value' {
            45, 60, 72, 59, 88 | Invoke-Where { $_ -ge 60 } pass fail | Should -Be @('fail', 'pass', 'pass', 'fail', 'pass')
            1, 2 | Invoke-Where { $_ -gt 1 } yes | Should -Be @($null, 'yes')
        }

        It 'fills with $null where the condition fails when -Else is not given, as pandas s.where(cond)' {
            $out = 1..5 | Invoke-Where { $_ -gt 2 }
            $out.Count | Should -Be 5
            $out | Should -Be @($null, $null, 3, 4, 5)
        }

        It 'fills a matrix with NaN without -Else' {
            $m = [double[,]]::new(1, 3); $m[0, 0] = 1; $m[0, 1] = 5; $m[0, 2] = 9
            $out = Invoke-Where -InputObject $m -Condition { $_ -gt 4 }
            [double]::IsNaN($out[0, 0]) | Should -BeTrue
            $out[0, 1] | Should -Be 5
        }

        It 'takes a bool per element as the condition' {
            10, 20, 30 | Invoke-Where -Condition @($true, $false, $true) -Else 0 | Should -Be @(10, 0, 30)
        }

        It 'reports a mask that is too short for the input' {
            $out = 1, 2, 3 | Invoke-Where -Condition @($true, $true) -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @(1, 2)
            $err[0].FullyQualifiedErrorId | Should -Be 'WhereMaskTooShort,Ec2Ops.Commands.InvokeWhereCommand'
        }

        It 'keeps going when the condition script block fails for one element' {
            $out = 1, 2, 3 | Invoke-Where { if ($_ -eq 2) { throw 'boom' }; $true } -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be @(1, 3)
            $err.Count | Should -Be 1
        }

        It 'rejects a condition that is not boolean before reading input' {
            { 1 | Invoke-Where -Condition 'yes' -Else 0 } | Should -Throw -ErrorId 'WhereConditionNotBoolean,Ec2Ops.Commands.InvokeWhereCommand'
        }

        It 'outputs nothing when nothing is piped' {
            Invoke-Where -Condition $true -Else 0 | Should -BeNullOrEmpty
        }
    }

    Context 'matrices' {
        BeforeAll {
            $A = [double[,]]::new(2, 3)
            $A[0, 0] = 1; $A[0, 1] = [double]::NaN; $A[0, 2] = 3
            $A[1, 0] = [double]::NaN; $A[1, 1] = 5; $A[1, 2] = 6
            $B = [double[,]]::new(2, 3)
            $B[0, 0] = 10; $B[0, 1] = 20; $B[0, 2] = 30
            $B[1, 0] = 40; $B[1, 1] = 50; $B[1, 2] = 60
        }

        It 'fills the NaNs of A from B, as np.where(np.isnan(A), B, A)' {
            $filled = Invoke-Where -InputObject $A -Condition { [double]::IsNaN($_) } -Then $B -Else { $_ }
            $filled.GetType().FullName | Should -Be 'System.Double[,]'
            $filled[0, 0] | Should -Be 1
            $filled[0, 1] | Should -Be 20
            $filled[1, 0] | Should -Be 40
            $filled[1, 2] | Should -Be 6
            [double]::IsNaN($A[0, 1]) | Should -BeTrue
        }

        It 'broadcasts a scalar and keeps a jagged matrix jagged' {
            [double[][]]$jagged = @(, [double[]](1, 5)) + @(, [double[]](7, 2))
            $out = , $jagged | Invoke-Where -Condition { $_ -gt 4 } -Else 0
            $out.GetType().FullName | Should -Be 'System.Double[][]'
            $out[0] | Should -Be @(0, 5)
            $out[1] | Should -Be @(7, 0)
        }

        It 'names both shapes when they do not match' {
            $C = [double[,]]::new(3, 2)
            $out = Invoke-Where -InputObject $A -Condition $true -Then $C -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'MatrixShapeMismatch,Ec2Ops.Commands.InvokeWhereCommand'
            $err[0].Exception.Message | Should -Match 'Then has shape \(3, 2\)'
            $err[0].Exception.Message | Should -Match 'input matrix has shape \(2, 3\)'
        }
    }

    It 'has help with examples' {
        $help = Get-Help Invoke-Where -Full
        $help.Synopsis | Should -Match 'np.where'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
    Context 'a property whose getter throws' {
        BeforeAll { Add-FlakyRecordType }

        It 'is an error naming the property and the item, not a NULL, whether read by -Property or by the script' {
            $good = [pscustomobject]@{ a = 1; b = 5 }
            foreach ($call in { $input | Invoke-Where -Property b { $_ -gt 1 } -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue },
                              { $input | Invoke-Where { $_.b -gt 1 } -Else 0 -ErrorVariable err -ErrorAction SilentlyContinue }) {
                $out = [Ec2OpsFlakyRecord]::new(), $good | . $call
                @($out).Count | Should -Be 1 -Because 'the good object still comes'
                $err.Count | Should -Be 1
                $err[0].FullyQualifiedErrorId | Should -Be 'DataPropertyUnreadable,Ec2Ops.Commands.InvokeWhereCommand'
                $err[0].CategoryInfo.Category | Should -Be 'ReadError'
                $err[0].TargetObject | Should -BeOfType ([Ec2OpsFlakyRecord])
                $err[0].Exception.Message | Should -Be "Input object 0 (Ec2OpsFlakyRecord): reading its property 'b' failed (boom); the object is left out rather than read as NULL."
            }
        }
    }
}
