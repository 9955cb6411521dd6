#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the Ec2Ops module.
.DESCRIPTION
    Build   publishes the module into ./out/Ec2Ops (manifest, Ec2Ops.dll, Ec2Ops.Core.dll and its
            dependencies, the format file and en-US help), ready for Import-Module ./out/Ec2Ops.
    Test    runs 'dotnet test', then builds the module and runs the Pester files in tests/Pester
            when Pester 5 is installed.
    Demo    builds, imports the module, starts the local emulator and shows the cmdlets working.
    Package builds and zips the module folder into ./out/Ec2Ops-<version>.zip.
.EXAMPLE
    pwsh ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out' 'Ec2Ops'

# A simple function on purpose: its arguments go to dotnet untouched. With [Parameter()] it would be
# an advanced function, and '-o' would be an ambiguous abbreviation of -OutVariable / -OutBuffer.
function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    if (Test-Path $moduleDir) {
        Remove-Item -Recurse -Force $moduleDir
    }
    Invoke-Dotnet publish (Join-Path $root 'src' 'Ec2Ops' 'Ec2Ops.csproj') -c $Configuration -o $moduleDir --nologo
    # Build-time leftovers that are not part of the module.
    Get-ChildItem $moduleDir -Filter '*.deps.json' | Remove-Item -Force
    Write-Host "Module ready: Import-Module $moduleDir" -ForegroundColor Green
}

function Invoke-Test {
    Invoke-Dotnet test (Join-Path $root 'Ec2Ops.sln') -c $Configuration --nologo
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed: the tests in tests/Pester were not run (Install-Module Pester -MinimumVersion 5.0).'
        return
    }
    Invoke-Build
    Import-Module $pester -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests' 'Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $env:EC2OPS_MODULE_PATH = Join-Path $moduleDir 'Ec2Ops.psd1'
    try {
        $result = Invoke-Pester -Configuration $config
    }
    finally {
        Remove-Item Env:EC2OPS_MODULE_PATH -ErrorAction SilentlyContinue
    }
    if ($result.FailedCount -gt 0) {
        throw "$($result.FailedCount) Pester test(s) failed."
    }
}

function Invoke-Demo {
    Invoke-Build
    # A child pwsh, so the demo's module and environment changes do not stay in the caller's session.
    $demo = Join-Path $root 'build' 'Demo.ps1'
    & (Join-Path $PSHOME 'pwsh') -NoProfile -File $demo -ModulePath (Join-Path $moduleDir 'Ec2Ops.psd1')
    if ($LASTEXITCODE -ne 0) {
        throw "The demo failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile (Join-Path $moduleDir 'Ec2Ops.psd1')).ModuleVersion
    $zip = Join-Path $root 'out' "Ec2Ops-$version.zip"
    Compress-Archive -Path $moduleDir -DestinationPath $zip -Force
    Write-Host "Package: $zip" -ForegroundColor Green
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
}
