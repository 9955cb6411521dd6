#Requires -Version 7.4
<#
.SYNOPSIS
    Shows Ec2Ops working on any machine: starts the local emulator and runs the cmdlets against it.
    Run through: dotnet pwsh ./build.ps1 -Task Demo
.DESCRIPTION
    Every line it prints fits 80 columns (an SSH terminal on an instance): commands are short,
    output is laid out at 80 columns and long messages are wrapped at word boundaries.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path $ModulePath).Path -Force

$width = 80

# Long lines (error and warning messages are not laid out by width) wrap at spaces, indented.
function Write-Wrapped([string] $Line) {
    while ($Line.Length -gt $width) {
        $cut = $Line.LastIndexOf(' ', $width - 1)
        if ($cut -le 2) { $cut = $width - 1 }
        Write-Host $Line.Substring(0, $cut).TrimEnd()
        $Line = '    ' + $Line.Substring($cut).TrimStart()
    }
    Write-Host $Line
}

function Show-Section([string] $Title) {
    Write-Host ''
    Write-Host "== $Title" -ForegroundColor Yellow
}

# Call it dot-sourced (. Show-Step '...'): the step is dot-sourced too, so a variable it sets
# (such as $nmf) is still there for the next step. (Invoke-Expression would lose the errors a
# step writes.) A step of several lines is shown as PowerShell shows continued input (PS>, >>).
function Show-Step([string[]] $Line) {
    Write-Host ''
    for ($i = 0; $i -lt $Line.Count; $i++) {
        Write-Host ($(if ($i -eq 0) { 'PS> ' } else { '>> ' }) + $Line[$i]) -ForegroundColor Cyan
    }
    $step = [scriptblock]::Create($Line -join "`n")
    $output = . $step *>&1 | Out-String -Stream -Width $width
    foreach ($text in $output -split "`r?`n") {
        Write-Wrapped $text
    }
}

$emulator = Start-Ec2OpsEmulator -Force
try {
    Show-Section 'The emulator: IMDS, CloudWatch, EC2 on 127.0.0.1; this session uses it'
    . Show-Step '$emulator'

    Show-Section 'Get-InstanceMetadata'
    . Show-Step 'Get-InstanceMetadata'
    . Show-Step 'Get-InstanceMetadata -Category InstanceId, Region, SecurityGroup'
    . Show-Step 'Get-InstanceMetadata -Path placement/region, network/interfaces/macs/'
    . Show-Step 'Get-InstanceMetadata -Category Tags'
    . Show-Step 'Get-InstanceMetadata -Path placement/ -Recurse | ConvertTo-Json'
    . Show-Step 'Get-InstanceMetadata -Path no/such/path -ErrorAction Continue'

    Show-Section 'Get-CpuCreditBalance: emulated CloudWatch and EC2'
    . Show-Step 'Get-CpuCreditBalance'
    . Show-Step 'Get-CpuCreditBalance -All'
    . Show-Step 'Get-CpuCreditBalance -All | Where-Object HoursToEmpty | Format-List'
    . Show-Step 'Get-CpuCreditBalance -History | Select-Object -Last 3'
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "ec2ops-demo-$PID"
    Push-Location (New-Item -ItemType Directory -Force $scratch)
    try {
        . Show-Step 'Get-CpuCreditBalance -All | Export-Csv credits.csv'
        . Show-Step 'Import-Csv credits.csv | Format-Table InstanceId, Balance, Trend'
    }
    finally {
        Pop-Location
        Remove-Item -Recurse -Force $scratch -ErrorAction Ignore
    }

    Show-Section 'Data tools'
    . Show-Step '45, 60, 72, 59, 88 | Invoke-Where { $_ -ge 60 } pass fail'
    . Show-Step @(
        '$df = 0..4 | ForEach-Object { [pscustomobject]@{ A = 2*$_; B = 2*$_ + 1 } }'
        '$df | Invoke-Where -Property A, B { $_ % 3 -eq 0 } -Else { -$_ }'
    )
    . Show-Step '1..6 | Invoke-Mask { $_ % 2 } 0'
    . Show-Step '1, 1, 2, 3, [double]::NaN, 8 | Measure-Statistic -Statistic Sum, Mean, Std'
    . Show-Step 'Test-NotDistinct $null $null; Test-NotDistinct $null 0'

    Show-Section 'Invoke-Nmf: the 5 x 4 seed matrix, rank 2'
    . Show-Step @(
        '$V = (4, 5, 0, 3), (3, 3, 1, 3), (5, 2, 4, 0), (0, 4, 2, 1), (0, 1, 5, 1)'
        '$nmf = Invoke-Nmf -Matrix $V -Rank 2 -Init Nndsvd; $nmf'
    )
    . Show-Step '$nmf.W | ForEach-Object { $_ -join ", " }'

    Show-Section 'Invoke-Parallel: concurrent.futures for the pipeline'
    . Show-Step @(
        '$emulator.Imds.ResponseDelay = [timespan]::FromMilliseconds(400)'
        '$base = "$($emulator.Endpoint)latest"'
        '$ttl = @{ "X-aws-ec2-metadata-token-ttl-seconds" = 300 }'
        '$token = Invoke-RestMethod -Method Put "$base/api/token" -Headers $ttl'
        '$h = @{ "X-aws-ec2-metadata-token" = $token }'
        '$urls = "instance-id", "instance-type", "ami-id", "local-ipv4" |'
        '    ForEach-Object { "$base/meta-data/$_" }'
    )
    . Show-Step @(
        '(Measure-Command {'
        '    $urls | ForEach-Object { irm $_ -Headers $h } }).TotalSeconds'
    )
    . Show-Step @(
        '(Measure-Command {'
        '    $urls | Invoke-Parallel { irm $_ -Headers $using:h } }).TotalSeconds'
    )
    . Show-Step '$emulator.Imds.ResponseDelay = [timespan]::Zero'
    . Show-Step @(
        '1..4 | Invoke-Parallel -Ordered -ErrorAction Continue {'
        '    if ($_ -eq 3) { throw "bad" }; $_ }'
    )
    . Show-Step @(
        '1, 9 | Invoke-Parallel -TimeoutSeconds 2 -ErrorAction Continue {'
        '    Start-Sleep $_; $_ }'
    )
    . Show-Step @(
        '1..4 | Invoke-Parallel -IncludeTiming {'
        '    Start-Sleep -Milliseconds (50 * $_); $_ }'
    )

    Show-Section 'Get-PackageVersion: read from metadata, nothing imported or run'
    . Show-Step @(
        '$site = Join-Path ([IO.Path]::GetTempPath()) ec2ops-demo-site'
        '$pkg = New-Item -ItemType Directory -Force "$site/broken_pkg"'
        '$meta = "$site/broken_pkg-1.4.2.dist-info"'
        '$null = New-Item -ItemType Directory -Force $meta'
        'Set-Content "$pkg/__init__.py" "raise ImportError(''libbroken.so.1'')"'
        'Set-Content "$meta/METADATA" "Name: broken-pkg`nVersion: 1.4.2"'
    )
    . Show-Step 'Get-PackageVersion Broken_Pkg -Path $site | Format-List Name, Version'
    . Show-Step 'Get-PackageVersion -Ecosystem PowerShell | Select-Object -First 5'
    . Show-Step 'Remove-Item -Recurse -Force $site'
}
finally {
    $emulator | Stop-Ec2OpsEmulator
}
