#Requires -Version 7.4
# Stop-Ec2OpsEmulator from the user's side: the emulator stops and the environment comes back exactly.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
    $script:variables = Get-AwsVariableName

    Stop-Ec2OpsEmulator
    $script:savedEnvironment = Save-AwsEnvironment

    function Get-AwsEnvironment {
        $values = [ordered]@{}
        foreach ($name in $script:variables) {
            $values[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        [pscustomobject] $values
    }
}

AfterAll {
    Restore-AwsEnvironment $script:savedEnvironment
}

Describe 'Stop-Ec2OpsEmulator' {
    AfterEach {
        Stop-Ec2OpsEmulator
    }

    It 'restores every variable it changed to its earlier value' {
        $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://169.254.169.254'
        $env:AWS_EC2_METADATA_DISABLED = 'true'
        $env:AWS_REGION = 'ap-southeast-2'
        Remove-Item Env:AWS_DEFAULT_REGION, Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction SilentlyContinue
        $before = Get-AwsEnvironment | ConvertTo-Json

        Start-Ec2OpsEmulator | Out-Null
        $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -Not -Be 'http://169.254.169.254'
        $env:AWS_ACCESS_KEY_ID | Should -Not -BeNullOrEmpty
        Stop-Ec2OpsEmulator

        Get-AwsEnvironment | ConvertTo-Json | Should -Be $before
    }

    It 'removes again the variables that were not set' {
        foreach ($name in $script:variables) {
            Remove-Item "Env:$name" -ErrorAction SilentlyContinue
        }

        Start-Ec2OpsEmulator | Out-Null
        Stop-Ec2OpsEmulator

        foreach ($name in $script:variables) {
            Test-Path "Env:$name" | Should -BeFalse -Because "$name was not set before the emulator started"
        }
    }

    It 'puts back a variable that was set to the empty string, as set to the empty string' {
        foreach ($name in $script:variables) {
            Remove-Item "Env:$name" -ErrorAction SilentlyContinue
        }
        $env:AWS_REGION = ''
        $env:AWS_EC2_METADATA_SERVICE_ENDPOINT = ''
        Test-Path Env:AWS_REGION | Should -BeTrue -Because 'PowerShell 7.6 keeps a variable set to the empty string'

        Start-Ec2OpsEmulator | Out-Null
        $env:AWS_REGION | Should -Be 'us-east-1' -Because 'an empty region is no region'
        Stop-Ec2OpsEmulator

        Test-Path Env:AWS_REGION | Should -BeTrue
        $env:AWS_REGION | Should -BeExactly ''
        Test-Path Env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -BeTrue
        $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -BeExactly ''
        Test-Path Env:AWS_ACCESS_KEY_ID | Should -BeFalse
        Remove-Item Env:AWS_REGION, Env:AWS_EC2_METADATA_SERVICE_ENDPOINT
    }

    It 'stops the emulator piped in and releases its port' {
        $emulator = Start-Ec2OpsEmulator
        $uri = "$($emulator.Endpoint)latest/"

        $emulator | Stop-Ec2OpsEmulator

        $emulator.IsRunning | Should -BeFalse
        { Invoke-WebRequest -Uri $uri -TimeoutSec 5 } | Should -Throw
    }

    It 'returns the stopped emulator with -PassThru, its request log still readable' {
        $emulator = Start-Ec2OpsEmulator -AllowImdsV1
        Invoke-WebRequest -Uri "$($emulator.Endpoint)latest/meta-data/instance-id" | Out-Null

        $stopped = Stop-Ec2OpsEmulator -PassThru

        $stopped | Should -Be $emulator
        $stopped.IsRunning | Should -BeFalse
        $stopped.Requests[0].Path | Should -Be '/latest/meta-data/instance-id'
        $stopped.Requests[0].StatusCode | Should -Be 200
    }

    It 'returns nothing without -PassThru' {
        Start-Ec2OpsEmulator | Out-Null

        $output = Stop-Ec2OpsEmulator

        $output | Should -BeNullOrEmpty
    }

    It 'is idempotent: nothing running is not an error' {
        Stop-Ec2OpsEmulator
        $output = Stop-Ec2OpsEmulator -Verbose -ErrorVariable problems 4>&1

        $problems | Should -BeNullOrEmpty
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Be 'No Ec2Ops emulator is running.'
    }

    It 'stops a replaced emulator without touching the environment of the current one' {
        $old = Start-Ec2OpsEmulator
        $current = Start-Ec2OpsEmulator -Force
        $endpoint = $env:AWS_EC2_METADATA_SERVICE_ENDPOINT

        $old | Stop-Ec2OpsEmulator

        $current.IsRunning | Should -BeTrue
        $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -Be $endpoint
    }

    It 'restores the environment even when the emulator was stopped directly' {
        Remove-Item Env:AWS_EC2_METADATA_SERVICE_ENDPOINT -ErrorAction SilentlyContinue
        $emulator = Start-Ec2OpsEmulator
        $emulator.Stop()

        Stop-Ec2OpsEmulator

        Test-Path Env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -BeFalse
    }

    It 'has help with examples and a description of every parameter' {
        $help = Get-Help Stop-Ec2OpsEmulator -Full

        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($name in 'InputObject', 'PassThru') {
            ((Get-Help Stop-Ec2OpsEmulator -Parameter $name).description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }
}
