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

# Call it dot-sourced (. Show-Step '...'): Invoke-Expression runs in the caller's scope, so a
# variable a step sets (such as $nmf) is still there for the next step.
function Show-Step([string] $Command) {
    Write-Host ''
    Write-Host "PS> $Command" -ForegroundColor Cyan
    Invoke-Expression $Command | Out-Host
}

$emulator = Start-Ec2OpsEmulator -Force
try {
    Write-Host '== The emulator (IMDSv2 on 127.0.0.1; the session''s AWS_EC2_METADATA_SERVICE_ENDPOINT points at it)' -ForegroundColor Yellow
    . Show-Step '$emulator'

    Write-Host ''
    Write-Host '== Get-InstanceMetadata' -ForegroundColor Yellow
    . Show-Step 'Get-InstanceMetadata'
    . Show-Step 'Get-InstanceMetadata | Format-List'
    . Show-Step 'Get-InstanceMetadata -Path instance-id, placement/region, network/interfaces/macs/'
    . Show-Step 'Get-InstanceMetadata -Category IdentityDocument'
    . Show-Step 'Get-InstanceMetadata -Category Tags'
    . Show-Step 'Get-InstanceMetadata -Path placement/ -Recurse | ConvertTo-Json'
    . Show-Step 'Get-InstanceMetadata -Path no/such/path -ErrorAction Continue'

    Write-Host ''
    Write-Host '== Data tools' -ForegroundColor Yellow
    . Show-Step '45, 60, 72, 59, 88 | Invoke-Where { $_ -ge 60 } -Then pass -Else fail'
    . Show-Step '$df = 0..4 | ForEach-Object { [pscustomobject]@{ A = 2 * $_; B = 2 * $_ + 1 } }; $df | Invoke-Where -Property A, B -Condition { $_ % 3 -eq 0 } -Else { -$_ }'
    . Show-Step '1, 1, 2, 3, [double]::NaN, 8 | Measure-Statistic -Statistic Sum, Mean, Median, Std, Count'
    . Show-Step 'Test-NotDistinct -Left $null -Right $null'

    if (Get-Command Invoke-Nmf -ErrorAction Ignore) {
        Write-Host ''
        Write-Host '== Invoke-Nmf (the 5 x 4 seed matrix, rank 2)' -ForegroundColor Yellow
        . Show-Step '$V = [double[][]]@(@(4, 5, 0, 3), @(3, 3, 1, 3), @(5, 2, 4, 0), @(0, 4, 2, 1), @(0, 1, 5, 1)); $nmf = Invoke-Nmf -Matrix $V -Rank 2 -Init Nndsvd; $nmf'
        . Show-Step '$nmf.W | ForEach-Object { $_ -join "  " }'
    }

    if (Get-Command Invoke-Parallel -ErrorAction Ignore) {
        Write-Host ''
        Write-Host '== Invoke-Parallel (concurrent.futures)' -ForegroundColor Yellow
        . Show-Step '$emulator.Imds.ResponseDelay = [timespan]::FromMilliseconds(400)'
        . Show-Step '$token = Invoke-RestMethod -Method Put "$($emulator.Endpoint)latest/api/token" -Headers @{
            "X-aws-ec2-metadata-token-ttl-seconds" = 300 }'
        . Show-Step '$urls = "instance-id", "instance-type", "ami-id", "local-ipv4" |
            ForEach-Object { "$($emulator.Endpoint)latest/meta-data/$_" }'
        . Show-Step '(Measure-Command { $urls | ForEach-Object { Invoke-RestMethod $_ -Headers @{
            "X-aws-ec2-metadata-token" = $token } } }).TotalSeconds'
        . Show-Step '(Measure-Command { $urls | Invoke-Parallel { Invoke-RestMethod $_ -Headers @{
            "X-aws-ec2-metadata-token" = $using:token } } }).TotalSeconds'
        . Show-Step '$emulator.Imds.ResponseDelay = [timespan]::Zero'
        . Show-Step '1..4 | Invoke-Parallel { if ($_ -eq 3) { throw "bad" }; $_ } -Ordered -ErrorAction Continue'
        . Show-Step '1, 9 | Invoke-Parallel { Start-Sleep $_; $_ } -TimeoutSeconds 2 -ErrorAction Continue'
        . Show-Step '1..4 | Invoke-Parallel { Start-Sleep -Milliseconds (50 * $_); $_ } -IncludeTiming'
    }
}
finally {
    $emulator | Stop-Ec2OpsEmulator
}
