#Requires -Version 7.4
# What every cmdlet of the module owes a user, checked across all of them: streams, views,
# exports, the manifest and the module's lifecycle.

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
