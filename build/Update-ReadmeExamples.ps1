#Requires -Version 7.4
<#
.SYNOPSIS
    Runs every 'PS> ' example of README.md against the built module and writes what each printed
    back under its command. For refreshing the README after a deliberate change: read the diff.
    tests/Pester/README.Tests.ps1 checks the same outputs.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh -NoProfile -File build/Update-ReadmeExamples.ps1
#>
[CmdletBinding()]
param(
    [string] $ReadmePath = (Join-Path $PSScriptRoot '..' 'README.md'),
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'Ec2Ops' 'Ec2Ops.psd1')
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReadmeExamples.psm1') -Force
$ModulePath = (Resolve-Path $ModulePath).Path
$ReadmePath = (Resolve-Path $ReadmePath).Path

# As tests/Pester/README.Tests.ps1 does: no AWS settings, a scratch working folder.
. (Join-Path $PSScriptRoot '..' 'tests' 'Pester' 'TestHelpers.ps1')
foreach ($name in Get-AwsVariableName) { Set-EnvironmentValue -Name $name -Value $null }
$scratch = Join-Path ([IO.Path]::GetTempPath()) "ec2ops-readme-$PID"
$null = New-Item -ItemType Directory -Force $scratch

$steps = Get-ReadmeExample -Path $ReadmePath
$session = New-ReadmeSession -ModulePath $ModulePath -WorkingDirectory $scratch
$outputs = @{}
try {
    foreach ($step in $steps) {
        $lines = @(Invoke-ReadmeStep -Session $session -Command $step.Command | ForEach-Object { $_.TrimEnd() })
        # Blank lines as the console prints them (one before and after a table or list), never two in a row.
        $kept = [System.Collections.Generic.List[string]]::new()
        foreach ($line in $lines) {
            if ($line -eq '' -and $kept.Count -gt 0 -and $kept[-1] -eq '') { continue }
            $kept.Add($line)
        }
        if ($kept.Count -eq 1 -and $kept[0] -eq '') { $kept.Clear() }
        # Output that differs only in masked values (ports, times) stays as it was: no churn in the diff.
        if ((ConvertTo-ComparableText $kept) -ceq (ConvertTo-ComparableText $step.Expected)) {
            $kept = [System.Collections.Generic.List[string]]::new([string[]]@($step.Expected))
            while ($kept.Count -gt 1 -and $kept[$kept.Count - 1] -eq '' -and $kept[$kept.Count - 2] -eq '') { $kept.RemoveAt($kept.Count - 1) }
        }
        $outputs[$step.Line] = $kept
        Write-Host "line $($step.Line): $($step.Command.Split("`n")[0])"
    }
}
finally {
    $null = Invoke-ReadmeStep -Session $session -Command 'Stop-Ec2OpsEmulator'
    $session.Dispose()
    Remove-Item -Recurse -Force $scratch
}

# Rewrite: keep each command (and its '>> ' lines), replace the old output with the new one.
$source = Get-Content -LiteralPath $ReadmePath
$result = [System.Collections.Generic.List[string]]::new()
$skipping = $false
$lastHadOutput = $false
for ($i = 0; $i -lt $source.Count; $i++) {
    $number = $i + 1
    $line = $source[$i]
    if ($outputs.ContainsKey($number)) {
        $result.Add($line)
        while ($i + 1 -lt $source.Count -and $source[$i + 1].StartsWith('>> ')) { $i++; $result.Add($source[$i]) }
        foreach ($out in $outputs[$number]) { $result.Add($out) }
        $lastHadOutput = $outputs[$number].Count -gt 0 -and $outputs[$number][-1] -ne ''
        $skipping = $true
        continue
    }
    if ($skipping) {
        if ($line.StartsWith('PS> ') -or $line -match '^```\s*$') {
            $skipping = $false
            if ($line.StartsWith('PS> ') -and $lastHadOutput) { $result.Add('') }
        }
        else {
            continue
        }
    }
    $result.Add($line)
}
# No blank line right before a closing fence.
$final = [System.Collections.Generic.List[string]]::new()
$inFence = $false
foreach ($line in $result) {
    if ($line -match '^```') {
        if ($inFence) { while ($final.Count -gt 0 -and $final[-1] -eq '') { $final.RemoveAt($final.Count - 1) } }
        $inFence = -not $inFence
    }
    $final.Add($line)
}
Set-Content -LiteralPath $ReadmePath -Value $final
Write-Host "Updated $($outputs.Count) outputs in $ReadmePath"
