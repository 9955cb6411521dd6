BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
}

Describe 'Invoke-Mask' {
    BeforeAll {
        $df = 0..4 | ForEach-Object { [pscustomobject]@{ A = 2 * $_; B = 2 * $_ + 1 } }
    }

    It 'negates the multiples of 3 and keeps the rest, as df.mask(df % 3 == 0, -df)' {
        $out = $df | Invoke-Mask -Property A, B -Condition { $_ % 3 -eq 0 } -Value { -$_ }
        $out.A | Should -Be @(0, 2, 4, -6, 8)
        $out.B | Should -Be @(1, -3, 5, 7, -9)
    }

    It 'replaces exactly what Invoke-Where keeps' {
        $values = 1..10
        $where = $values | Invoke-Where { $_ % 2 -eq 0 } -Else 'x'
        $mask = $values | Invoke-Mask { $_ % 2 -eq 0 } 'x'
        for ($i = 0; $i -lt $values.Count; $i++) {
            if ($values[$i] % 2 -eq 0) {
                $where[$i] | Should -Be $values[$i]
                $mask[$i] | Should -Be 'x'
            }
            else {
                $where[$i] | Should -Be 'x'
                $mask[$i] | Should -Be $values[$i]
            }
        }
    }

    It 'fills NaN cells of a matrix from another matrix' {
        $A = [double[,]]::new(1, 3)
        $A[0, 0] = 1; $A[0, 1] = [double]::NaN; $A[0, 2] = 3
        $B = [double[,]]::new(1, 3)
        $B[0, 0] = 10; $B[0, 1] = 20; $B[0, 2] = 30
        $filled = Invoke-Mask -InputObject $A -Condition { [double]::IsNaN($_) } -Value $B
        $filled[0, 0] | Should -Be 1
        $filled[0, 1] | Should -Be 20
        $filled[0, 2] | Should -Be 3
    }

    It 'caps a CSV column and passes the other columns through' {
        $rows = "Host,Cpu`na,50`nb,150" | ConvertFrom-Csv
        $out = $rows | Invoke-Mask -Property Cpu -Condition { [double]$_ -gt 100 } -Value 100
        $out.Cpu | Should -Be @('50', 100)
        $out.Host | Should -Be @('a', 'b')
        $rows[1].Cpu | Should -Be '150'
    }

    It 'rejects a matrix value of another shape' {
        $A = [double[,]]::new(2, 2)
        $out = , $A | Invoke-Mask -Condition $true -Value ([double[,]]::new(1, 2)) -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'MatrixShapeMismatch,Ec2Ops.Commands.InvokeMaskCommand'
        $err[0].Exception.Message | Should -Match '\(1, 2\).*\(2, 2\)'
    }

    It 'has help with examples' {
        @((Get-Help Invoke-Mask -Full).Examples.Example).Count | Should -BeGreaterOrEqual 2
    }
    Context 'a property whose getter throws' {
        BeforeAll { Add-FlakyRecordType }

        It 'is an error naming the property and the item, not a NULL, whether read by -Property or by the script' {
            $good = [pscustomobject]@{ a = 1; b = 5 }
            foreach ($call in { $input | Invoke-Mask -Property b { $_ -gt 1 } 0 -ErrorVariable err -ErrorAction SilentlyContinue },
                              { $input | Invoke-Mask { $_.b -gt 1 } 0 -ErrorVariable err -ErrorAction SilentlyContinue }) {
                $out = [Ec2OpsFlakyRecord]::new(), $good | . $call
                @($out).Count | Should -Be 1 -Because 'the good object still comes'
                $err.Count | Should -Be 1
                $err[0].FullyQualifiedErrorId | Should -Be 'DataPropertyUnreadable,Ec2Ops.Commands.InvokeMaskCommand'
                $err[0].CategoryInfo.Category | Should -Be 'ReadError'
                $err[0].TargetObject | Should -BeOfType ([Ec2OpsFlakyRecord])
                $err[0].Exception.Message | Should -Be "Input object 0 (Ec2OpsFlakyRecord): reading its property 'b' failed (boom); the object is left out rather than read as NULL."
            }
        }
    }
}
