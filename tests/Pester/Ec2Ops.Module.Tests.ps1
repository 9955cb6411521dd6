#Requires -Version 7.4
# What every cmdlet of the module owes a user, checked across all of them: streams, views,
# exports, the manifest and the module's lifecycle.

BeforeDiscovery {
    # The cmdlets the manifest exports, known before the module is imported, for -ForEach.
    $exportedCmdlets = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' '..' 'src' 'Ec2Ops' 'Ec2Ops.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:module = Import-Ec2OpsTestModule
    # The manifest, not $module.Path (Ec2Ops.dll): the module is imported through its manifest,
    # whose nested loader sets up the load context for dependencies/.
    $script:manifest = Join-Path $script:module.ModuleBase 'Ec2Ops.psd1'
}

Describe 'Ec2Ops module' {
    Context '-Debug' {
        It 'prints debug and verbose lines and never prompts, even under -NonInteractive' {
            # A child pwsh -NonInteractive turns any prompt into an error instead of a hang.
            $script = {
                param($ModulePath)
                $ErrorActionPreference = 'Stop'
                Import-Module $ModulePath
                $emulator = Start-Ec2OpsEmulator -Force
                try {
                    Get-InstanceMetadata -Path instance-id -Debug 5>&1 | ForEach-Object { "$_" }
                    Invoke-Nmf -Matrix @(@(1, 2), @(3, 4)) -Rank 1 -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object { "$_" }
                    1, 2, 3 | Measure-Statistic -Statistic Sum -Debug 5>&1 | Out-Null
                    Get-CpuCreditBalance -Debug 5>&1 | Out-Null
                    Get-PackageVersion -Ecosystem PowerShell -Debug 5>&1 | Out-Null
                    1, 2 | Invoke-Parallel { $_ } -Debug 5>&1 | Out-Null
                    'finished'
                }
                finally {
                    $emulator | Stop-Ec2OpsEmulator
                }
            }
            $out = Invoke-ChildPwsh -ScriptBlock $script -ArgumentList $script:manifest
            $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
            $out.Output | Should -Contain 'finished'
            ($out.Output -join "`n") | Should -Match 'GET /latest/meta-data/instance-id -> 200'
            ($out.Output -join "`n") | Should -Match 'IMDS endpoint http://127\.0\.0\.1:'
            ($out.Output -join "`n") | Should -Not -Match 'NonInteractive mode'
        }
    }
}

Describe 'What a user sees and exports' {
    BeforeAll {
        $script:emulator = Start-Ec2OpsEmulator -Force
        $site = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'site-packages' 'demo_pkg-2.1.0.dist-info')
        Set-Content (Join-Path $site 'METADATA') "Name: demo-pkg`nVersion: 2.1.0`nSummary: A sample"
        # One sample of every output type, as the cmdlets give them.
        $script:samples = [ordered]@{
            InstanceMetadata = Get-InstanceMetadata
            MetadataEntry    = Get-InstanceMetadata -Path instance-id, placement/availability-zone, network/interfaces/macs/
            LongPaths        = Get-InstanceMetadata -Path "network/interfaces/macs/$((Get-InstanceMetadata).MacAddress)/"
            IdentityDocument = Get-InstanceMetadata -Category IdentityDocument
            InstanceTag      = Get-InstanceMetadata -Category Tags
            IamInfo          = Get-InstanceMetadata -Category IamInfo
            Emulator         = $script:emulator
            NmfResult        = Invoke-Nmf -Matrix @(@(1, 2, 3), @(4, 5, 6)) -Rank 1 -WarningAction Ignore
            StatisticResult  = 1, 2, 3, [double]::NaN | Measure-Statistic -Statistic Sum, Mean, CumSum
            RecordComparison = Test-NotDistinct ([pscustomobject]@{ a = 1; b = 2 }) ([pscustomobject]@{ a = 1; b = 3 })
            PackageVersion   = Get-PackageVersion -Path (Join-Path $TestDrive 'site-packages')
            CpuCreditBalance = Get-CpuCreditBalance -All -WarningAction Ignore
            CreditHistory    = Get-CpuCreditBalance -History | Select-Object -Last 3
            ParallelResult   = 1..3 | Invoke-Parallel { $_ * 2 } -IncludeTiming -Ordered
        }
        # The columns each default table must keep at 80 columns.
        $script:keyColumns = @{
            InstanceMetadata = 'InstanceId', 'Type', 'Zone', 'PrivateIp', 'PublicIp'
            MetadataEntry    = 'Path', 'Value'
            LongPaths        = 'Path', 'Value'
            InstanceTag      = 'Key', 'Value'
            Emulator         = 'Endpoint', 'InstanceId', 'Type', 'Zone', 'ImdsV2'
            NmfResult        = 'Shape', 'Rank', 'Solver', 'Iterations', 'Converged', 'ReconstructionError'
            RecordComparison = 'Index', 'Result', 'Test', 'DifferentProperties', 'ComparedProperties'
            PackageVersion   = 'Ecosystem', 'Name', 'Version', 'Location'
            CpuCreditBalance = 'InstanceId', 'Type', 'Balance', 'Max', '%', 'Trend'
            CreditHistory    = 'InstanceId', 'Timestamp', 'Balance', 'Usage', '%'
            ParallelResult   = 'Index', 'Input', 'Output', 'Elapsed', 'Worker'
        }
    }

    AfterAll {
        $script:emulator | Stop-Ec2OpsEmulator
    }

    It 'renders the default view of <_> within 80 columns' -ForEach @(
        'InstanceMetadata', 'MetadataEntry', 'LongPaths', 'IdentityDocument', 'InstanceTag', 'IamInfo',
        'Emulator', 'NmfResult', 'StatisticResult', 'RecordComparison', 'PackageVersion', 'CpuCreditBalance', 'CreditHistory', 'ParallelResult') {
        $text = $script:samples[$_] | Out-String -Width 80
        $lines = $text -split "`\r?`\n"
        $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        $text | Should -Not -Match '\.\.\.$'
        if ($script:keyColumns.ContainsKey($_)) {
            $header = ($lines | Where-Object { $_ -match '\S' } | Select-Object -First 1) -split '\s+' | Where-Object { $_ }
            foreach ($column in $script:keyColumns[$_]) {
                $header | Should -Contain $column
            }
        }
    }

    It 'keeps the instance id whole in a listing of long paths' {
        $text = $script:samples.MetadataEntry | Out-String -Width 80
        $text | Should -Match ([regex]::Escape($script:emulator.InstanceId))
        $long = $script:samples.LongPaths | Out-String -Width 80
        $long | Should -Match ([regex]::Escape('/subnet-ipv4-cidr-block'))
    }

    It 'never rounds numbers for display' {
        (1..5 | Measure-Statistic -Statistic Sum | Out-String) | Should -Match 'Sum\s*:\s*15\r?\n'
        (1.123456, 2 | Measure-Statistic -Statistic Sum | Out-String) | Should -Match 'Sum\s*:\s*3\.123456'
        (1.123456, 2 | Measure-Statistic -Statistic Sum | Out-String) | Should -Not -Match '3\.12\s'
        $error = $script:samples.NmfResult.ReconstructionError
        ($script:samples.NmfResult | Out-String -Width 80) | Should -Match ([regex]::Escape("$error"))
    }

    It 'exports <_> to CSV and JSON with readable values, never type names or enum numbers' -ForEach @(
        'InstanceMetadata', 'MetadataEntry', 'IdentityDocument', 'InstanceTag', 'IamInfo', 'Emulator',
        'NmfResult', 'StatisticResult', 'RecordComparison', 'PackageVersion', 'CpuCreditBalance', 'CreditHistory', 'ParallelResult') {
        $csv = $script:samples[$_] | ConvertTo-Csv -NoTypeInformation | Out-String
        $json = $script:samples[$_] | ConvertTo-Json -Depth 3 -WarningAction Ignore
        foreach ($text in $csv, $json) {
            $text | Should -Not -Match '(System|Ec2Ops)\.[A-Za-z.]+(`\d|\[\]|\[[A-Z])'
            $text | Should -Not -Match '"(System|Ec2Ops\.Core)\.[A-Za-z.]+"'
        }
    }

    It 'exports the values a user reads, by name' {
        $nmf = $script:samples.NmfResult | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $nmf.Solver | Should -Be 'CoordinateDescent'
        $nmf.Init | Should -Be 'Nndsvda'
        $nmf.BetaLoss | Should -Be 'Frobenius'
        $nmf.W.Count | Should -Be 2
        $nmf.H[0].Count | Should -Be 3
        ($script:samples.NmfResult | ConvertTo-Csv | ConvertFrom-Csv).H | Should -Match '^\[\[[0-9.]+, [0-9.]+, [0-9.]+\]\]$'
        $stat = $script:samples.StatisticResult | ConvertTo-Csv | ConvertFrom-Csv
        $stat.CumSum | Should -Be '1, 3, 6, 6'
        $stat.Statistics | Should -Be 'Sum, Mean, CumSum'
        ($script:samples.StatisticResult | ConvertTo-Json | ConvertFrom-Json).CumSum | Should -Be @(1, 3, 6, 6)
        $cmp = $script:samples.RecordComparison | ConvertTo-Csv | ConvertFrom-Csv
        $cmp.DifferentProperties | Should -Be 'b'
        $cmp.ComparedProperties | Should -Be 'a, b'
        ($script:samples.Emulator | ConvertTo-Csv | ConvertFrom-Csv).Imds | Should -Be 'healthy'
    }
}

Describe 'Tab completion of -Property' {
    BeforeAll {
        function Complete([string] $Line) {
            (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
        }
        $global:Ec2OpsCompletionRows = "Id,Name,WorkingSet`n1,a,10" | ConvertFrom-Csv
    }

    AfterAll {
        Remove-Variable -Name Ec2OpsCompletionRows -Scope Global
    }

    It 'offers the properties of piped <_> input, never file names' -ForEach @(
        'Measure-Statistic', 'Invoke-Where', 'Invoke-Mask', 'Test-NotDistinct', 'Invoke-Nmf') {
        $completions = Complete "`$Ec2OpsCompletionRows | $_ -Property Wo"
        $completions | Should -Be @('WorkingSet')
        Complete "Get-Process | $_ -Property WorkingS" | Should -Contain 'WorkingSet64'
        Complete "1..3 | $_ -Property " | Where-Object { $_ -match '[\\/.]' } | Should -BeNullOrEmpty
    }

    It 'offers the properties of -InputObject and -Left when nothing is piped' {
        Complete 'Measure-Statistic -InputObject $Ec2OpsCompletionRows -Property N' | Should -Be @('Name')
        Complete 'Test-NotDistinct -Left $Ec2OpsCompletionRows -Right $null -Property I' | Should -Be @('Id')
    }
}

Describe 'Help' {
    BeforeAll {
        $script:names = @((Get-Module Ec2Ops).ExportedCmdlets.Keys)
    }

    It '<_> opens its own help page online and links commands by name, not by file' -ForEach $exportedCmdlets {
        (Get-Command $_).HelpUri | Should -Be "https://github.com/ec2ops/Ec2Ops/blob/main/docs/help/$_.md"
        $links = (Get-Help $_ -Full).relatedLinks.navigationLink
        $links | Should -Not -BeNullOrEmpty
        foreach ($link in $links) {
            "$($link.uri)" | Should -Not -Match '\.md$'
            if ($link.uri) { $link.uri | Should -Match '^https?://' }
        }
        $links.linkText | Should -Contain 'about_Ec2Ops'
    }

    It 'has an about_Ec2Ops topic that names every cmdlet, the emulator and the environment variables' {
        $about = Get-Help about_Ec2Ops | Out-String
        foreach ($name in $script:names) {
            $about | Should -Match "\b$name\b"
        }
        $about | Should -Match 'AWS_EC2_METADATA_SERVICE_ENDPOINT'
        $about | Should -Match 'WHERE TO START'
        (Get-Content (Join-Path (Get-Module Ec2Ops).ModuleBase 'en-US' 'about_Ec2Ops.help.txt')) |
            Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
    }
}

Describe 'The manifest' {
    BeforeAll {
        $script:manifestPath = Join-Path $script:module.ModuleBase 'Ec2Ops.psd1'
        $script:manifestData = Import-PowerShellDataFile $script:manifestPath
        $script:exported = @($script:module.ExportedCmdlets.Keys)
        $script:repoRoot = Join-Path $PSScriptRoot '..' '..' | Resolve-Path
    }

    It 'describes only cmdlets the module has, and names each of them' {
        $named = [regex]::Matches($script:manifestData.Description, '\b[A-Z][a-z]+-[A-Z][A-Za-z0-9]+\b') | ForEach-Object Value | Sort-Object -Unique
        $named | Where-Object { $_ -notin $script:exported } | Should -BeNullOrEmpty
        $script:exported | Where-Object { $script:manifestData.Description -notmatch "\b$_\b" } | Should -BeNullOrEmpty
    }

    It 'tags only what the module has' {
        # Tags that promise a cmdlet.
        $promises = @{
            CloudWatch = 'Get-CpuCreditBalance'; CPUCredits = 'Get-CpuCreditBalance'; Burstable = 'Get-CpuCreditBalance'
            Parallel = 'Invoke-Parallel'; Packages = 'Get-PackageVersion'; PackageVersion = 'Get-PackageVersion'
            NMF = 'Invoke-Nmf'; IMDS = 'Get-InstanceMetadata'; Statistics = 'Measure-Statistic'; Emulator = 'Start-Ec2OpsEmulator'
        }
        foreach ($tag in $script:manifestData.PrivateData.PSData.Tags) {
            if ($promises.ContainsKey($tag)) {
                $script:exported | Should -Contain $promises[$tag] -Because "the tag $tag promises it"
            }
        }
    }

    It 'is the source manifest beside the code, copied unchanged into the built module' {
        $source = Join-Path $script:repoRoot 'src' 'Ec2Ops' 'Ec2Ops.psd1'
        Get-Content -Raw $source | Should -BeExactly (Get-Content -Raw $script:manifestPath)
    }

    It 'leaves no manifest at the repository root that would fail to import' {
        Get-ChildItem -LiteralPath $script:repoRoot -Filter '*.psd1' | Should -BeNullOrEmpty
    }
}

Describe 'The demo' {
    It 'walks through every cmdlet in lines that fit 80 columns, with no build log' {
        $demo = Join-Path $PSScriptRoot '..' '..' 'build' 'Demo.ps1'
        $out = Invoke-ChildPwsh -ScriptBlock { param($Demo, $ModulePath) & $Demo -ModulePath $ModulePath } -ArgumentList $demo, (Join-Path $script:module.ModuleBase 'Ec2Ops.psd1')
        $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
        $out.Output | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        $out.Output | Where-Object { $_ -match 'Determining projects|warning [A-Z]+\d+|Build succeeded' } | Should -BeNullOrEmpty
        $commands = $out.Output | Where-Object { $_ -like 'PS> *' }
        foreach ($name in (Get-Module Ec2Ops).ExportedCmdlets.Keys | Where-Object { $_ -notlike '*-Ec2OpsEmulator' }) {
            ($commands -join "`n") + ($out.Output -join "`n") | Should -Match $name -Because "the demo shows $name"
        }
        $out.Output | Should -Contain '== Get-InstanceMetadata'
    }
}

Describe 'Remove-Module Ec2Ops' {
    It 'stops a running emulator and restores the environment it changed' {
        $script = {
            param($ModulePath)
            $ErrorActionPreference = 'Stop'
            $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://before.example/'
            Remove-Item Env:AWS_REGION -ErrorAction Ignore
            Import-Module $ModulePath
            $emulator = Start-Ec2OpsEmulator
            $port = ([uri]$emulator.Endpoint).Port
            Remove-Module Ec2Ops
            "endpoint=$env:AWS_EC2_METADATA_SERVICE_ENDPOINT"
            "region=$([Environment]::GetEnvironmentVariable('AWS_REGION') -eq $null)"
            "running=$($emulator.IsRunning)"
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $port); 'port=open' } catch { 'port=closed' } finally { $client.Dispose() }
        }
        $out = Invoke-ChildPwsh -ScriptBlock $script -ArgumentList $script:manifest
        $out.ExitCode | Should -Be 0 -Because ($out.Output -join "`n")
        $out.Output | Should -Contain 'endpoint=http://before.example/'
        $out.Output | Should -Contain 'region=True'
        $out.Output | Should -Contain 'running=False'
        $out.Output | Should -Contain 'port=closed'
    }
}
