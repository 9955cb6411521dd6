#Requires -Version 7.4
# The README's console examples are real: every 'PS> ' command of README.md runs, in README order,
# in one fresh runspace with the built module, and prints what the README shows (ports, times and
# durations masked). See build/ReadmeExamples.psm1 for the rules; refresh the outputs after a
# deliberate change with build/Update-ReadmeExamples.ps1 and read the diff.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'build' 'ReadmeExamples.psm1') -Force
    # Hashtables, so that Pester makes Line, Section, Command and Expected variables of each test.
    $steps = @(Get-ReadmeExample -Path (Join-Path $PSScriptRoot '..' '..' 'README.md') | ForEach-Object {
            @{ Line = $_.Line; Section = $_.Section; Command = $_.Command; Expected = @($_.Expected) }
        })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $module = Import-Ec2OpsTestModule
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'build' 'ReadmeExamples.psm1') -Force

    # The README is read on a machine with no AWS settings: run it in one.
    $script:savedEnvironment = Save-AwsEnvironment
    foreach ($name in Get-AwsVariableName) { Set-EnvironmentValue -Name $name -Value $null }
    Stop-Ec2OpsEmulator
    $script:session = New-ReadmeSession -ModulePath (Join-Path $module.ModuleBase 'Ec2Ops.psd1') -WorkingDirectory $TestDrive
}

AfterAll {
    if ($script:session) {
        $null = Invoke-ReadmeStep -Session $script:session -Command 'Stop-Ec2OpsEmulator'
        $script:session.Runspace.Dispose()
        $script:session.Dispose()
    }
    Restore-AwsEnvironment $script:savedEnvironment
}

Describe 'README.md examples' {
    It 'has examples to check' -TestCases @{ Count = $steps.Count } {
        $Count | Should -BeGreaterThan 20
    }

    It 'line <Line> (<Section>): <Command>' -ForEach $steps {
        $actual = Invoke-ReadmeStep -Session $script:session -Command $Command
        ConvertTo-ComparableText $actual | Should -BeExactly (ConvertTo-ComparableText $Expected)
    }
}
