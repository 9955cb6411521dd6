BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
}

Describe 'Test-NotDistinct' {
    Context 'SQL truth table' {
        It 'is true for NULL and NULL, false for NULL and a value' {
            Test-NotDistinct $null $null | Should -BeTrue
            Test-NotDistinct ([DBNull]::Value) $null | Should -BeTrue
            Test-NotDistinct $null 0 | Should -BeFalse
            Test-NotDistinct 1 ([DBNull]::Value) | Should -BeFalse
        }

        It 'compares values by equality' {
            Test-NotDistinct 1 1 | Should -BeTrue
            Test-NotDistinct 1 2 | Should -BeFalse
        }

        It 'answers IS DISTINCT FROM with -Distinct' {
            Test-NotDistinct $null $null -Distinct | Should -BeFalse
            Test-NotDistinct $null 1 -Distinct | Should -BeTrue
        }
    }

    It 'compares numbers by value across types' {
        Test-NotDistinct 1 1.0 | Should -BeTrue
        Test-NotDistinct ([long]5) ([decimal]5.0) | Should -BeTrue
        Test-NotDistinct '1' 1 | Should -BeFalse
    }

    It 'compares strings case-sensitively unless -IgnoreCase' {
        Test-NotDistinct 'Running' 'RUNNING' | Should -BeFalse
        Test-NotDistinct 'Running' 'RUNNING' -IgnoreCase | Should -BeTrue
    }

    It 'treats NaN as a value, or as NULL with -NaNIsNull' {
        Test-NotDistinct ([double]::NaN) ([double]::NaN) | Should -BeTrue
        Test-NotDistinct ([double]::NaN) $null | Should -BeFalse
        Test-NotDistinct ([double]::NaN) $null -NaNIsNull | Should -BeTrue
    }

    It 'compares lists element by element, one bool per element down the pipeline' {
        $r = Test-NotDistinct -Left (1, $null, [double]::NaN) -Right (1, $null, $null) -NaNIsNull
        $r.Count | Should -Be 3
        $r | ForEach-Object { $_ | Should -BeOfType [bool] }
        $r | Should -Be @($true, $true, $true)
        @(Test-NotDistinct -Left (1, 2, 3) -Right (1, 5, 3) | Where-Object { -not $_ }).Count | Should -Be 1
        Test-NotDistinct -Left (1, $null, 3) -Right $null | Should -Be @($false, $true, $false)
    }

    It 'reports lists of different lengths' {
        Test-NotDistinct -Left (1, 2) -Right (1, 2, 3) -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'NotDistinctLengthMismatch,Ec2Ops.Commands.TestNotDistinctCommand'
    }

    It 'takes Left/Right pairs from the pipeline' {
        $pairs = [pscustomobject]@{ Left = $null; Right = $null }, [pscustomobject]@{ Left = 1; Right = 2 }, [pscustomobject]@{ Left = 'a'; Right = 'a' }
        $pairs | Test-NotDistinct | Should -Be @($true, $false, $true)
    }

    Context 'a CSV diff' {
        BeforeAll {
            $old = "Id,Name,Zone`n1,web,us-east-1a`n2,db,`n3,cache,us-east-1c" | ConvertFrom-Csv
            $new = "Id,Name,Zone`n1,web,us-east-1b`n2,db,`n3,Cache,us-east-1c" | ConvertFrom-Csv
        }

        It 'returns one comparison per row, naming the properties that differ' {
            $r = 0..2 | ForEach-Object { [pscustomobject]@{ Left = $old[$_]; Right = $new[$_] } } | Test-NotDistinct
            $r.Count | Should -Be 3
            $r[0].GetType().FullName | Should -Be 'Ec2Ops.Core.Data.RecordComparison'
            $r[0].Result | Should -BeFalse
            $r[0].DifferentProperties | Should -Be 'Zone'
            $r[1].Result | Should -BeTrue
            $r[2].DifferentProperties | Should -Be 'Name'
            $r[2].ComparedProperties | Should -Be @('Id', 'Name', 'Zone')
            $r.Index | Should -Be @(0, 1, 2)
        }

        It 'reports a -Property that no object has instead of calling every pair equal' {
            $pairs = 0..2 | ForEach-Object { [pscustomobject]@{ Left = $old[$_]; Right = $new[$_] } }
            $r = $pairs | Test-NotDistinct -Property Zoen -ErrorVariable err -ErrorAction SilentlyContinue
            @($r).Count | Should -Be 3
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'PropertyNotFound,Ec2Ops.Commands.TestNotDistinctCommand'
            $err[0].Exception.Message | Should -Match "'Zoen'.*they have: Id, Name, Zone\. Did you mean 'Zone'\?"
        }

        It 'compares only -Property, and ignores case with -IgnoreCase' {
            $r = 0..2 | ForEach-Object { [pscustomobject]@{ Left = $old[$_]; Right = $new[$_] } } | Test-NotDistinct -Property Name -IgnoreCase
            $r.Result | Should -Be @($true, $true, $true)
        }
    }

    It 'has help with examples' {
        @((Get-Help Test-NotDistinct -Full).Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}
