#Requires -Version 7.4
# Get-CpuCreditBalance from the user's side: the built module against the emulator's IMDS,
# CloudWatch and EC2 (default scenario: the emulated t3.micro and six more instances).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:module = Import-Ec2OpsTestModule
    $script:manifest = Join-Path $script:module.ModuleBase 'Ec2Ops.psd1'
    $script:savedEnvironment = Save-AwsEnvironment
    $script:savedEndpoints = @{
        AWS_ENDPOINT_URL_CLOUDWATCH = $env:AWS_ENDPOINT_URL_CLOUDWATCH
        AWS_ENDPOINT_URL_EC2        = $env:AWS_ENDPOINT_URL_EC2
    }
    $script:emulator = Start-Ec2OpsEmulator -Force
    $script:command = 'Ec2Ops.Commands.GetCpuCreditBalanceCommand'
    $script:ids = @{
        Self          = 'i-0a1b2c3d4e5f67890'
        LaunchCredits = 'i-0b5e2c7d9f1a3b4c5'
        Draining      = 'i-0c6f3d8e0a2b4c5d6'
        Unlimited     = 'i-0d7a4e9f1b3c5d6e7'
        Steady        = 'i-0e8b5f0a2c4d6e7f8'
        Stopped       = 'i-0f9c6a1b3d5e7f809'
        NotBurstable  = 'i-01ad7b2c4e6f80912'
    }
}

AfterAll {
    $script:emulator | Stop-Ec2OpsEmulator
    Restore-AwsEnvironment $script:savedEnvironment
    Restore-AwsEnvironment $script:savedEndpoints
}

Describe 'Get-CpuCreditBalance' {
    BeforeEach {
        $script:emulator.Aws.Reset()
        $script:emulator.Aws.ClearCalls()
    }

    Context 'with no arguments, on the instance' {
        It 'reports the instance it runs on, found through IMDS, as one typed object' {
            $balance = Get-CpuCreditBalance
            @($balance).Count | Should -Be 1
            $balance | Should -BeOfType ([Ec2Ops.Core.Credits.CpuCreditBalance])
            $balance.InstanceId | Should -Be $script:emulator.InstanceId
            $balance.InstanceType | Should -Be 't3.micro'
            $balance.CreditSpecification | Should -Be 'standard'
            $balance.Region | Should -Be 'us-east-1'
            $balance.Balance | Should -Be 198
            $balance.MaxBalance | Should -Be 288
            $balance.PercentOfMax | Should -Be 68.8
            $balance.EarnedPerHour | Should -Be 12
            $balance.BaselinePercent | Should -Be 10
            $balance.UsageLastHour | Should -Be 3
            $balance.HoursToFull | Should -Be 10
            $balance.HoursToEmpty | Should -BeNullOrEmpty
            $balance.Trend | Should -Be 'full in 10 h'
            $balance.Timestamp.Offset | Should -Be ([timespan]::Zero)
            $balance.Timestamp | Should -BeLessThan ([DateTimeOffset]::UtcNow)
        }

        It 'exports to CSV with readable values' {
            $csv = Join-Path $TestDrive 'credits.csv'
            Get-CpuCreditBalance | Export-Csv -Path $csv
            $row = Import-Csv -Path $csv
            $row.InstanceId | Should -Be $script:emulator.InstanceId
            $row.Balance | Should -Be '198'
            $row.Trend | Should -Be 'full in 10 h'
            Get-Content -Raw $csv | Should -Not -Match 'System\.|Ec2Ops\.Core'
        }

        It 'fails within a few seconds off EC2, saying what it tried' {
            $saved = $env:AWS_EC2_METADATA_SERVICE_ENDPOINT
            $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9'
            try {
                $watch = [Diagnostics.Stopwatch]::StartNew()
                { Get-CpuCreditBalance } | Should -Throw -ErrorId "CreditsNoInstance,$script:command"
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
                $err = $null
                try { Get-CpuCreditBalance } catch { $err = $_ }
                $err.Exception.Message | Should -Match 'http://127\.0\.0\.1:9/'
                $err.ErrorDetails.RecommendedAction | Should -Match '-InstanceId'
            }
            finally {
                $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = $saved
            }
        }

        It 'fails fast with no region anywhere when instances are named off EC2' {
            $saved = Save-AwsEnvironment
            try {
                Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION -ErrorAction Ignore
                $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9'
                { Get-CpuCreditBalance $script:ids.Draining } | Should -Throw -ErrorId "AwsNoRegion,$script:command"
            }
            finally {
                Restore-AwsEnvironment $saved
            }
        }
    }

    Context '-All' {
        It 'reports every running burstable instance in three AWS calls' {
            $all = Get-CpuCreditBalance -All
            $all.InstanceId | Should -Be @($script:ids.Self, $script:ids.LaunchCredits, $script:ids.Draining, $script:ids.Unlimited, $script:ids.Steady)
            $script:emulator.Aws.CallCount('DescribeInstances') | Should -Be 1
            $script:emulator.Aws.CallCount('DescribeInstanceCreditSpecifications') | Should -Be 1
            $script:emulator.Aws.CallCount('GetMetricData') | Should -Be 1
            $script:emulator.Aws.CallCount('GetMetricStatistics') | Should -Be 0
        }

        It 'reports a T2 balance above its maximum (launch credits) as it is' {
            $t2 = Get-CpuCreditBalance -All | Where-Object InstanceId -eq $script:ids.LaunchCredits
            $t2.Balance | Should -Be 168
            $t2.MaxBalance | Should -Be 144
            $t2.PercentOfMax | Should -Be 116.7
            $t2.Trend | Should -Be 'full'
        }

        It 'forecasts the draining instance and shows the unlimited one on surplus' {
            $all = Get-CpuCreditBalance -All
            $draining = $all | Where-Object InstanceId -eq $script:ids.Draining
            $draining.HoursToEmpty | Should -Be 4
            $draining.NetBurnPerHour | Should -Be 36
            $unlimited = $all | Where-Object InstanceId -eq $script:ids.Unlimited
            $unlimited.CreditSpecification | Should -Be 'unlimited'
            $unlimited.Balance | Should -Be 0
            $unlimited.SurplusBalance | Should -Be 576
            $unlimited.SurplusCharged | Should -Be 48
            $unlimited.Trend | Should -Be 'surplus'
            ($all | Where-Object { $null -ne $_.HoursToEmpty -and $_.HoursToEmpty -lt 24 -and $_.CreditSpecification -eq 'standard' }).InstanceId | Should -Be $script:ids.Draining
        }

        It 'shows a table that fits 80 columns with the key columns' {
            $text = Get-CpuCreditBalance -All | Format-Table | Out-String -Width 80
            $lines = $text -split "`r?`n"
            $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
            $text | Should -Match 'InstanceId\s+Type\s+Balance\s+Max\s+%\s+Trend'
            $text | Should -Match 'i-0c6f3d8e0a2b4c5d6 t3a\.medium\s+144\s+576\s+25 empty in 4 h'
            $text | Should -Match 'i-0b5e2c7d9f1a3b4c5 t2\.micro\s+168\s+144\s+116\.7 full'
        }

        It 'shows every property in the list view' {
            $text = Get-CpuCreditBalance $script:ids.Unlimited | Format-List | Out-String -Width 80
            foreach ($name in 'InstanceId', 'InstanceType', 'CreditSpecification', 'State', 'Region', 'Timestamp', 'Balance', 'MaxBalance', 'PercentOfMax',
                'EarnedPerHour', 'BaselinePercent', 'UsageLastHour', 'SurplusBalance', 'SurplusCharged', 'NetBurnPerHour', 'HoursToEmpty', 'HoursToFull', 'Trend') {
                $text | Should -Match "(?m)^$name\s+:"
            }
            $text | Should -Match 'SurplusCharged\s+: 48'
        }

        It 'converts to JSON with numbers and strings, never type names' {
            $json = Get-CpuCreditBalance -All | ConvertTo-Json
            $json | Should -Not -Match 'System\.|Ec2Ops\.Core'
            $parsed = $json | ConvertFrom-Json
            $parsed.Count | Should -Be 5
            $parsed[0].Balance | Should -Be 198
            $parsed[3].CreditSpecification | Should -Be 'unlimited'
            $parsed[0].Trend | Should -Be 'full in 10 h'
        }

        It 'exports the fleet to CSV' {
            $csv = Join-Path $TestDrive 'fleet.csv'
            Get-CpuCreditBalance -All | Export-Csv -Path $csv
            $rows = Import-Csv -Path $csv
            $rows.Count | Should -Be 5
            $rows[2].HoursToEmpty | Should -Be '4'
            $rows[0].HoursToEmpty | Should -Be ''
        }

        It 'reads a fleet of 1,000 in ceil(4N/500) = 8 GetMetricData calls' {
            $fleet = Start-Ec2OpsEmulator -FleetSize 1000 -Force
            try {
                $all = Get-CpuCreditBalance -All
                $all.Count | Should -Be 1000
                ($all | Where-Object Balance -eq $null).Count | Should -Be 0
                $fleet.Aws.CallCount('GetMetricData') | Should -Be 8
                $fleet.Aws.CallCount('DescribeInstances') | Should -Be 1
            }
            finally {
                $script:emulator = Start-Ec2OpsEmulator -Force
            }
        }
    }

    Context '-InstanceId and the pipeline' {
        It 'takes ids positionally and keeps their order' {
            $result = Get-CpuCreditBalance $script:ids.Steady, $script:ids.Draining
            $result.InstanceId | Should -Be @($script:ids.Steady, $script:ids.Draining)
        }

        It 'takes ids from the pipeline by value and asks for them together' {
            $result = $script:ids.Draining, $script:ids.Steady, $script:ids.Self | Get-CpuCreditBalance
            $result.Count | Should -Be 3
            $script:emulator.Aws.CallCount('GetMetricData') | Should -Be 1
            $script:emulator.Aws.CallCount('DescribeInstances') | Should -Be 1
        }

        It 'takes anything with an InstanceId property' {
            (Get-InstanceMetadata | Get-CpuCreditBalance).InstanceId | Should -Be $script:emulator.InstanceId
            ([pscustomobject]@{ InstanceId = $script:ids.Draining; Name = 'build-agent' } | Get-CpuCreditBalance).Balance | Should -Be 144
            $csv = Join-Path $TestDrive 'ids.csv'
            "InstanceId,Team`n$($script:ids.Steady),cache`n$($script:ids.Unlimited),api" | Set-Content $csv
            (Import-Csv $csv | Get-CpuCreditBalance).InstanceId | Should -Be @($script:ids.Steady, $script:ids.Unlimited)
        }

        It 'writes nothing for an empty pipeline' {
            @() | Get-CpuCreditBalance | Should -BeNullOrEmpty
            $script:emulator.Aws.Calls.Count | Should -Be 0
        }

        It 'writes a non-terminating error for a malformed id and reports the others' {
            $result = Get-CpuCreditBalance $script:ids.Steady, 'i-123', $script:ids.Draining -ErrorVariable errors -ErrorAction SilentlyContinue
            $result.InstanceId | Should -Be @($script:ids.Steady, $script:ids.Draining)
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "CreditsInvalidInstanceId,$script:command"
            $errors[0].TargetObject | Should -Be 'i-123'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'writes a non-terminating error for an instance EC2 does not know' {
            $result = Get-CpuCreditBalance 'i-0123456789abcdef0', $script:ids.Draining -ErrorVariable errors -ErrorAction SilentlyContinue
            $result.InstanceId | Should -Be $script:ids.Draining
            $errors[0].FullyQualifiedErrorId | Should -Be "CreditsInstanceNotFound,$script:command"
            $errors[0].TargetObject | Should -Be 'i-0123456789abcdef0'
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'still writes an object with an empty balance, and a warning, for a stopped instance' {
            $stopped = Get-CpuCreditBalance $script:ids.Stopped -WarningVariable warnings -WarningAction SilentlyContinue
            $stopped.State | Should -Be 'stopped'
            $stopped.Balance | Should -BeNullOrEmpty
            $stopped.MaxBalance | Should -Be 144
            $stopped.Trend | Should -Be 'no data'
            "$warnings" | Should -Match 'i-0f9c6a1b3d5e7f809 .*it is stopped'
        }

        It 'warns that a non-burstable type has no maximum and still fills the other fields' {
            $m5 = Get-CpuCreditBalance $script:ids.NotBurstable -WarningVariable warnings -WarningAction SilentlyContinue
            $m5.InstanceType | Should -Be 'm5.large'
            $m5.State | Should -Be 'running'
            $m5.MaxBalance | Should -BeNullOrEmpty
            @($warnings).Count | Should -Be 1
            "$warnings" | Should -Match 'm5\.large\) is not a burstable instance type'
        }
    }

    Context '-History' {
        It 'writes one typed point per 5 minutes, oldest first, for the last three hours' {
            $points = Get-CpuCreditBalance -History $script:ids.Draining
            $points[0] | Should -BeOfType ([Ec2Ops.Core.Credits.CpuCreditHistoryPoint])
            $points.Count | Should -BeIn 34, 35, 36
            ($points.Timestamp | Sort-Object) | Should -Be $points.Timestamp
            $points.PeriodSeconds | Select-Object -Unique | Should -Be 300
            $points[-1].Balance | Should -Be 144
            $points[-1].Usage | Should -Be 5
            $points[-1].Earned | Should -Be 2
            ($points[-1].Timestamp - $points[-2].Timestamp) | Should -Be ([timespan]'0:05:00')
        }

        It 'takes -StartTime, -EndTime and -Period (and those imply -History)' {
            $end = [DateTimeOffset]::FromUnixTimeSeconds([long]([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() / 3600 - 1) * 3600).UtcDateTime
            $points = Get-CpuCreditBalance $script:ids.Draining -StartTime $end.AddHours(-6) -EndTime $end -Period 3600
            $points.Count | Should -Be 6
            $points.PeriodSeconds | Select-Object -Unique | Should -Be 3600
            $points | ForEach-Object { $_.Earned | Should -Be 24 }
            $points[-1].Usage | Should -Be 60
        }

        It 'exports the history to CSV' {
            $csv = Join-Path $TestDrive 'history.csv'
            Get-CpuCreditBalance -History $script:ids.Unlimited | Export-Csv -Path $csv
            $rows = Import-Csv $csv
            $rows.Count | Should -BeGreaterThan 30
            $rows[-1].SurplusBalance | Should -Be '576'
            $rows[-1].Timestamp | Should -Not -BeNullOrEmpty
            (Get-Content $csv -First 1) | Should -Be '"InstanceId","InstanceType","CreditSpecification","Timestamp","PeriodSeconds","Balance","MaxBalance","PercentOfMax","Usage","Earned","SurplusBalance","SurplusCharged"'
        }

        It 'shows a history table that fits 80 columns' {
            $text = Get-CpuCreditBalance -History $script:ids.Draining | Format-Table | Out-String -Width 80
            ($text -split "`r?`n") | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
            $text | Should -Match 'InstanceId\s+Timestamp\s+Balance\s+Usage\s+%'
        }

        It 'refuses a period that is not a multiple of 300' {
            { Get-CpuCreditBalance -History -Period 450 } | Should -Throw -ErrorId "CreditsInvalidPeriod,$script:command"
            { Get-CpuCreditBalance -History -Period 60 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Ec2Ops.Commands.GetCpuCreditBalanceCommand'
        }

        It 'refuses a start after the end' {
            { Get-CpuCreditBalance -StartTime (Get-Date) -EndTime (Get-Date).AddHours(-1) } | Should -Throw -ErrorId "CreditsInvalidTimeRange,$script:command"
        }
    }

    Context 'AWS access' {
        It 'names the missing permission when GetMetricData is denied, with the AWS error code' {
            $script:emulator.Aws.Deny('cloudwatch:GetMetricData')
            $err = $null
            try { Get-CpuCreditBalance -All } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be "AwsAccessDenied,$script:command"
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.AwsErrorCode | Should -Be 'AccessDenied'
            $err.Exception.RequiredPermission | Should -Be 'cloudwatch:GetMetricData'
            $err.Exception.Message | Should -Match 'cloudwatch:GetMetricData'
        }

        It 'names ec2:DescribeInstances when it is denied' {
            $script:emulator.Aws.Deny('ec2:DescribeInstances')
            $err = $null
            try { Get-CpuCreditBalance -All } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be "AwsAccessDenied,$script:command"
            $err.Exception.AwsErrorCode | Should -Be 'UnauthorizedOperation'
            $err.Exception.RequiredPermission | Should -Be 'ec2:DescribeInstances'
        }

        It 'reports the balances when only the credit option is denied, with a non-terminating error' {
            $script:emulator.Aws.Deny('ec2:DescribeInstanceCreditSpecifications')
            $all = Get-CpuCreditBalance -All -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $all.Count | Should -Be 5
            $all | ForEach-Object { $_.CreditSpecification | Should -BeNullOrEmpty }
            $errors[0].FullyQualifiedErrorId | Should -Be "AwsAccessDenied,$script:command"
            $errors[0].Exception.RequiredPermission | Should -Be 'ec2:DescribeInstanceCreditSpecifications'
        }

        It 'retries throttling and server errors' {
            $script:emulator.Aws.ThrottleNextRequests = 2
            $script:emulator.Aws.FailNextRequests = 1
            (Get-CpuCreditBalance $script:ids.Draining).Balance | Should -Be 144
            ($script:emulator.Aws.Calls | Where-Object StatusCode -ne 200).Count | Should -Be 3
        }

        It 'takes -Region and -EndpointUrl as the AWS Tools name them' {
            $saved = Save-AwsEnvironment
            try {
                $endpoint = $script:emulator.Endpoint.ToString()
                Remove-Item Env:AWS_ENDPOINT_URL_CLOUDWATCH, Env:AWS_ENDPOINT_URL_EC2 -ErrorAction Ignore
                $result = Get-CpuCreditBalance $script:ids.Steady -Region eu-west-1 -EndpointUrl $endpoint -Verbose 4>&1
                $balance = $result | Where-Object { $_ -is [Ec2Ops.Core.Credits.CpuCreditBalance] }
                $balance.Region | Should -Be 'eu-west-1'
                ($result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n" | Should -Match 'Region eu-west-1 \(from -Region\); EC2 http://127\.0\.0\.1:\d+/ \(from -EndpointUrl\)'
            }
            finally {
                Restore-AwsEnvironment $saved
                $env:AWS_ENDPOINT_URL_CLOUDWATCH = $script:emulator.Endpoint.GetLeftPart('Authority')
                $env:AWS_ENDPOINT_URL_EC2 = $script:emulator.Endpoint.GetLeftPart('Authority')
            }
        }

        It 'says where an unreachable endpoint came from' {
            { Get-CpuCreditBalance $script:ids.Steady -EndpointUrl http://127.0.0.1:9 } | Should -Throw -ErrorId "AwsUnreachable,$script:command"
        }

        It 'refuses a bad endpoint, region or profile with a specific error' {
            { Get-CpuCreditBalance -All -EndpointUrl 'ftp://x' } | Should -Throw -ErrorId "AwsInvalidEndpoint,$script:command"
            { Get-CpuCreditBalance -All -Region 'Mars' } | Should -Throw -ErrorId "AwsInvalidRegion,$script:command"
            { Get-CpuCreditBalance -All -ProfileName 'no-such-profile-ec2ops' } | Should -Throw -ErrorId "AwsProfileNotFound,$script:command"
        }

        It 'says what it did with -Verbose and never prompts with -Debug' {
            $out = Get-CpuCreditBalance -All -Verbose -Debug 5>&1 4>&1 | Where-Object { $_ -isnot [Ec2Ops.Core.Credits.CpuCreditBalance] } | ForEach-Object { "$_" }
            ($out -join "`n") | Should -Match '5 instance\(s\) in us-east-1: 1 DescribeInstances, 1 DescribeInstanceCreditSpecifications and 1 GetMetricData call\(s\) \(20 queries'
            ($out -join "`n") | Should -Match 'CloudWatch GetMetricData -> 200'
        }
    }

    Context 'assembly isolation' {
        It 'loads no AWS SDK assembly on Import-Module, and its own in its own load context when a command needs it' {
            $script = {
                param($ModulePath)
                $ErrorActionPreference = 'Stop'
                function Aws { [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK*' } | ForEach-Object { '{0}={1}@{2}' -f $_.GetName().Name, $_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name } }
                Import-Module $ModulePath
                "import:$(@(Aws).Count)"
                $null = Start-Ec2OpsEmulator
                "start:$(@(Aws).Count)"
                $null = Get-CpuCreditBalance
                Aws
                Stop-Ec2OpsEmulator
            }
            $out = Invoke-ChildPwsh -ScriptBlock $script -ArgumentList $script:manifest
            $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
            $out.Output | Should -Contain 'import:0'
            $out.Output | Should -Contain 'start:0'
            $out.Output | Should -Contain 'AWSSDK.Core=4.0.0.0@Ec2Ops'
            $out.Output | Should -Contain 'AWSSDK.EC2=4.0.0.0@Ec2Ops'
        }

        It 'works when AWSSDK.Core <Version> was loaded into the session first, and leaves that one to the session' -ForEach @(
            @{ Version = '3.7.402'; Expected = '3.3.0.0' }
            @{ Version = '4.1.0'; Expected = '4.0.0.0' }
        ) {
            $package = Get-TestPackagePath -Id 'AWSSDK.Core' -Version $Version
            $dll = Join-Path $package 'lib' 'net8.0' 'AWSSDK.Core.dll'
            $script = {
                param($ModulePath, $OtherSdk)
                $ErrorActionPreference = 'Stop'
                Add-Type -Path $OtherSdk
                Import-Module $ModulePath
                $null = Start-Ec2OpsEmulator
                $all = Get-CpuCreditBalance -All
                "count:$($all.Count)"
                "draining:$(($all | Where-Object InstanceId -eq 'i-0c6f3d8e0a2b4c5d6').Balance)"
                [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object {
                    'core={0}@{1}@{2}' -f $_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name, [Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion
                }
                # The session's own SDK still answers to its type names.
                "session:$([Amazon.Runtime.BasicAWSCredentials].Assembly.Location -eq $OtherSdk)"
                "credentials:$([Amazon.Runtime.BasicAWSCredentials]::new('AKIDFIRST', 'secret').GetCredentials().AccessKey)"
                Stop-Ec2OpsEmulator
            }
            $out = Invoke-ChildPwsh -ScriptBlock $script -ArgumentList $script:manifest, $dll
            $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
            $out.Output | Should -Contain 'count:5'
            $out.Output | Should -Contain 'draining:144'
            $out.Output | Should -Contain 'session:True'
            $out.Output | Should -Contain 'credentials:AKIDFIRST'
            ($out.Output | Where-Object { $_ -like 'core=*' }).Count | Should -Be 2
            $out.Output | Should -Contain "core=$Expected@Default@$Version.0"
            ($out.Output | Where-Object { $_ -like 'core=4.0.0.0@Ec2Ops@4.0.102.*' }).Count | Should -Be 1
        }

        It 'lets another module load its own AWSSDK.Core after Ec2Ops used its own' {
            $package = Get-TestPackagePath -Id 'AWSSDK.Core' -Version '3.7.402'
            $dll = Join-Path $package 'lib' 'net8.0' 'AWSSDK.Core.dll'
            $script = {
                param($ModulePath, $OtherSdk)
                $ErrorActionPreference = 'Stop'
                Import-Module $ModulePath
                $null = Start-Ec2OpsEmulator
                "before:$((Get-CpuCreditBalance -All).Count)"
                Add-Type -Path $OtherSdk
                "loaded:$([Amazon.Runtime.BasicAWSCredentials].Assembly.GetName().Version)"
                "after:$((Get-CpuCreditBalance -All).Count)"
                Stop-Ec2OpsEmulator
                Remove-Module Ec2Ops
                "attached:$([Ec2Ops.Loader.DependencyLoadContext]::IsAttached)"
            }
            $out = Invoke-ChildPwsh -ScriptBlock $script -ArgumentList $script:manifest, $dll
            $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
            $out.Output | Should -Contain 'before:5'
            $out.Output | Should -Contain 'loaded:3.3.0.0'
            $out.Output | Should -Contain 'after:5'
            $out.Output | Should -Contain 'attached:False'
        }
    }

    Context 'help' {
        It 'has a synopsis, a description, examples and every parameter' {
            $help = Get-Help Get-CpuCreditBalance -Full
            $help.Synopsis | Should -Match 'CPU credits'
            ($help.description | Out-String) | Should -Match 'GetMetricData'
            @($help.examples.example).Count | Should -BeGreaterOrEqual 6
            $names = $help.parameters.parameter.name
            foreach ($name in 'InstanceId', 'All', 'History', 'StartTime', 'EndTime', 'Period', 'Region', 'ProfileName', 'EndpointUrl') {
                $names | Should -Contain $name
            }
            (Get-Command Get-CpuCreditBalance).OutputType.Name | Should -Contain 'Ec2Ops.Core.Credits.CpuCreditBalance'
        }
    }
}
