#Requires -Version 7.4
<#
.SYNOPSIS
    Shows Ec2Ops working on any machine: starts the local emulator and runs the cmdlets against it.
    Run through: pwsh ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Show-Step([string] $Command) {
    Write-Host ''
    Write-Host "PS> $Command" -ForegroundColor Cyan
    Invoke-Expression $Command | Out-Host
}

$emulator = Start-Ec2OpsEmulator
try {
    Show-Step '$emulator'
    Show-Step 'Get-InstanceMetadata'
    Show-Step 'Get-InstanceMetadata -Path instance-id, placement/region, network/interfaces/macs/'
    Show-Step 'Get-InstanceMetadata -Category IdentityDocument'
    Show-Step 'Get-InstanceMetadata -Category Tags'
    Show-Step 'Get-InstanceMetadata -Path placement/ -Recurse | ConvertTo-Json'
    Show-Step 'Get-InstanceMetadata -Path no/such/path -ErrorAction Continue'
}
finally {
    $emulator | Stop-Ec2OpsEmulator
}
