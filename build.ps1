#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and packages the Ec2Ops module.
.DESCRIPTION
    Build   publishes the module into ./out/Ec2Ops (manifest, Ec2Ops.dll, Ec2Ops.Loader.dll, the
            format file and en-US help at the top; Ec2Ops.Core.dll and every other dependency in
            dependencies/, loaded in the module's own AssemblyLoadContext), ready for
            Import-Module ./out/Ec2Ops.
    Test    runs the xunit tests, builds the module, then runs every tests/Pester file in a child
            pwsh with Pester 5.9.1 restored from NuGet, and ends with one line 'N passed, N failed'
            that counts both. Exits 1 when any test failed.
    Pester  builds the module and runs the Pester files (all, or -TestPath) with detailed output,
            for the inner loop of working on one cmdlet.
    Demo    builds, imports the module, starts the local emulator and shows the cmdlets working.
    Package builds and zips the module folder into ./out/Ec2Ops-<version>.zip.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Demo', 'Package')]
    [string] $Task = 'Build',

    # With -Task Pester: only these Pester files (default: all of tests/Pester).
    [string[]] $TestPath,

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
    param([switch] $Quiet)
    if (Test-Path $moduleDir) {
        Remove-Item -Recurse -Force $moduleDir
    }
    $project = Join-Path $root 'src' 'Ec2Ops' 'Ec2Ops.csproj'
    if ($Quiet) {
        # The demo's reader wants the walk-through, not MSBuild's log: only errors and warnings print.
        $log = & dotnet publish $project -c $Configuration -o $moduleDir --nologo -v q '-clp:NoSummary;ErrorsOnly' 2>&1
        if ($LASTEXITCODE -ne 0) {
            $log | Write-Host
            throw "Building the module failed (dotnet publish exit code $LASTEXITCODE)."
        }
    }
    else {
        Invoke-Dotnet publish $project -c $Configuration -o $moduleDir --nologo
    }
    # Build-time leftovers that are not part of the module.
    Get-ChildItem $moduleDir -Filter '*.deps.json' | Remove-Item -Force
    if (-not $Quiet) {
        Write-Host "Module ready: Import-Module $moduleDir" -ForegroundColor Green
    }
}

# Pester 5.9.1 comes from NuGet (build/TestTools restores it); its package's tools/ folder is the module.
function Get-PesterModulePath {
    Invoke-Dotnet restore (Join-Path $root 'build' 'TestTools' 'TestTools.csproj') --nologo --verbosity quiet
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $packages.Trim() 'pester' '5.9.1' 'tools' 'Pester.psd1'
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Pester 5.9.1 was restored, but '$path' is missing."
    }
    $path
}

# The Pester files in a child 'pwsh -NonInteractive': a prompt fails instead of hanging, and the
# module's assemblies do not stay loaded in this session.
function Invoke-PesterChild {
    param([string] $SummaryPath, [string[]] $Path, [string] $Verbosity = 'Normal')
    $arguments = @(
        '-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build' 'Invoke-PesterTests.ps1'),
        '-PesterPath', (Get-PesterModulePath), '-ModulePath', (Join-Path $moduleDir 'Ec2Ops.psd1'),
        '-SummaryPath', $SummaryPath, '-Verbosity', $Verbosity
    )
    if ($Path) {
        $arguments += '-TestPath'
        $arguments += ($Path | ForEach-Object { $_ -split ',' } | ForEach-Object { (Resolve-Path $_).Path }) -join ','
    }
    & (Join-Path $PSHOME 'pwsh') @arguments
}

function Invoke-PesterOnly {
    Invoke-Build
    $summary = Join-Path ([IO.Path]::GetTempPath()) "ec2ops-pester-$PID.json"
    Invoke-PesterChild -SummaryPath $summary -Path $TestPath -Verbosity Detailed
    $result = Get-Content -Raw $summary | ConvertFrom-Json
    Remove-Item $summary
    Write-Host "$($result.Passed) passed, $($result.Failed) failed"
    if ($result.Failed -gt 0) {
        exit 1
    }
}

# xunit, then every Pester file in a child pwsh; one closing line counts both.
function Invoke-Test {
    $results = Join-Path $root 'out' 'TestResults'
    if (Test-Path $results) {
        Remove-Item -Recurse -Force $results
    }
    $null = New-Item -ItemType Directory -Force $results

    Invoke-Dotnet build (Join-Path $root 'Ec2Ops.sln') -c $Configuration --nologo
    & dotnet test (Join-Path $root 'Ec2Ops.sln') -c $Configuration --no-build --nologo `
        --logger 'trx;LogFileName=xunit.trx' --results-directory $results
    $xunitExit = $LASTEXITCODE
    $xunit = @{ Passed = 0; Failed = 0 }
    $trx = Join-Path $results 'xunit.trx'
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $count = { param($name) [int]('0' + $counters.GetAttribute($name)) }
        $xunit = @{ Passed = & $count 'passed'; Failed = (& $count 'failed') + (& $count 'error') + (& $count 'timeout') }
    }
    elseif ($xunitExit -ne 0) {
        $xunit.Failed = 1  # the run itself failed before writing results
    }

    Invoke-Build
    $summary = Join-Path $results 'pester.json'
    Invoke-PesterChild -SummaryPath $summary
    $pester = if (Test-Path $summary) { Get-Content -Raw $summary | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1 } }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host ''
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0 -or $xunitExit -ne 0) {
        exit 1
    }
}

function Invoke-Demo {
    Write-Host "Building the module into out/Ec2Ops ..."
    Invoke-Build -Quiet
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
    'Pester' { Invoke-PesterOnly }
    'Demo' { Invoke-Demo }
    'Package' { Invoke-Package }
}
