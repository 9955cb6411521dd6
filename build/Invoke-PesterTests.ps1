#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every tests/Pester/*.Tests.ps1 against the built module, in this (fresh) pwsh process.
    Called by build.ps1 -Task Test in a child 'pwsh -NonInteractive', so a test that prompts fails
    instead of hanging, and the module's assemblies do not stay loaded in the caller.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string[]] $TestPath = (Join-Path $PSScriptRoot '..' 'tests' 'Pester'),
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Verbosity = 'Normal'
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

$env:EC2OPS_MODULE_PATH = $ModulePath
$config = New-PesterConfiguration
# 'pwsh -File' passes a list as one comma-separated string.
$config.Run.Path = @($TestPath | ForEach-Object { $_ -split ',' })
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = $Verbosity
if ([Console]::IsOutputRedirected) {
    $config.Output.RenderMode = 'Plaintext'  # CI logs: no ANSI escapes
}
$result = Invoke-Pester -Configuration $config

# Discovery or container failures are not tests; count them as failures so CI cannot pass by them.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount } |
    ConvertTo-Json -Compress | Set-Content -LiteralPath $SummaryPath
exit ([int]($failed -gt 0))
