#Requires -Version 7.4
# The README's console examples: read them, run them, compare them. Used by
# tests/Pester/README.Tests.ps1 (the check) and build/Update-ReadmeExamples.ps1 (the refresh).
#
# An example is a fenced block whose first line starts with 'PS> '. 'PS> ' starts a command, '>> '
# continues it, and the lines after it up to the next 'PS> ' are its output as an 80-column console
# shows it. A block right after a line '<!-- readme-check: skip, <reason> -->' is not run.

Set-StrictMode -Version Latest

# An 80-column console lays output out at 79 columns (PowerShell leaves the last column free).
$script:Width = 79

# Volatile values, masked on both sides before comparing.
$script:Masks = @(
    @{ Pattern = '127\.0\.0\.1:\d+'; Replacement = '127.0.0.1:PORT' }
    @{ Pattern = '\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?'; Replacement = 'TIME' }
    @{ Pattern = '\b\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?( [AP]M)?( [+-]\d{2}:\d{2})?'; Replacement = 'TIME' }
    @{ Pattern = '\b\d{2}:\d{2}:\d{2}\.\d{1,7}\b'; Replacement = 'ELAPSED' }
    @{ Pattern = '\b\d+(\.\d+)? (ms|s)\b(?= elapsed| in all|\)$)'; Replacement = 'DURATION' }
)

function Get-ReadmeExample {
    <# Every example step of a README: Line (of its command), Section, Command, Expected. #>
    param([Parameter(Mandatory)] [string] $Path)

    $lines = Get-Content -LiteralPath $Path
    $section = ''
    $inBlock = $false
    $skip = $false
    $block = $null
    $steps = [System.Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if (-not $inBlock) {
            if ($line -match '^#{2,3} (.+)$') { $section = $Matches[1] }
            if ($line -match '^```') {
                $inBlock = $true
                $block = [System.Collections.Generic.List[object]]::new()
                $previous = ($lines[0..([Math]::Max(0, $i - 1))] | Where-Object { $_.Trim() } | Select-Object -Last 1)
                $skip = $i -gt 0 -and "$previous" -match '^<!-- readme-check: skip'
            }
            continue
        }

        if ($line -match '^```\s*$') {
            $inBlock = $false
            $first = $block | Where-Object { $_.Text.Trim() } | Select-Object -First 1
            if (-not $skip -and $first -and $first.Text.StartsWith('PS> ')) {
                foreach ($step in Split-Step $block $section) { $steps.Add($step) }
            }
            continue
        }

        $block.Add([pscustomobject]@{ Number = $i + 1; Text = $line })
    }

    $steps
}

function Split-Step($Block, [string] $Section) {
    $current = $null
    foreach ($entry in $Block) {
        if ($entry.Text.StartsWith('PS> ')) {
            if ($current) { $current }
            $current = [pscustomobject]@{
                Line = $entry.Number; Section = $Section
                Command = $entry.Text.Substring(4); Expected = [System.Collections.Generic.List[string]]::new()
            }
        }
        elseif ($entry.Text.StartsWith('>> ') -and $current -and $current.Expected.Count -eq 0) {
            $current.Command += "`n" + $entry.Text.Substring(3)
        }
        elseif ($current) {
            $current.Expected.Add($entry.Text)
        }
    }

    if ($current) { $current }
}

function New-ReadmeSession {
    <# A fresh runspace with the module imported, where the README's commands run in order. #>
    param([Parameter(Mandatory)] [string] $ModulePath, [string] $WorkingDirectory)

    $runspace = [runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault2())
    $runspace.Open()
    $ps = [powershell]::Create()
    $ps.Runspace = $runspace
    $null = $ps.AddScript({
            param($ModulePath, $WorkingDirectory)
            Import-Module $ModulePath
            if ($WorkingDirectory) { Set-Location $WorkingDirectory }
        }).AddArgument($ModulePath).AddArgument($WorkingDirectory).Invoke()
    $ps.Commands.Clear()
    $ps
}

function Invoke-ReadmeStep {
    <#
    Runs one command as the console would and returns the lines it would print: every stream, in
    order, with the console's prefixes, laid out at 80 columns.
    #>
    param([Parameter(Mandatory)] [powershell] $Session, [Parameter(Mandatory)] [string] $Command)

    $Session.Commands.Clear()
    $Session.Streams.ClearStreams()
    # Not a local scope: the command runs dot-sourced in the session's global scope, as typed at a
    # prompt, so the variables it sets are there for the next command.
    $null = $Session.AddScript({
            param($ReadmeCommand, $ReadmeWidth)
            . {
                try { . ([scriptblock]::Create($ReadmeCommand)) *>&1 }
                catch { $_ }
            } | ForEach-Object {
                switch ($_) {
                    { $_ -is [System.Management.Automation.WarningRecord] } { "WARNING: $($_.Message)"; break }
                    { $_ -is [System.Management.Automation.VerboseRecord] } { "VERBOSE: $($_.Message)"; break }
                    { $_ -is [System.Management.Automation.DebugRecord] } { "DEBUG: $($_.Message)"; break }
                    { $_ -is [System.Management.Automation.InformationRecord] } { "$($_.MessageData)"; break }
                    default { $_ }
                }
            } | Out-String -Stream -Width $ReadmeWidth
        }).AddArgument($Command).AddArgument($script:Width)
    $output = $Session.Invoke()
    foreach ($text in $output) { "$text" -split "`r?`n" }
}

function ConvertTo-ComparableText {
    <# Masks volatile values, trims line ends, drops blank lines at both ends and collapses runs of them. #>
    param([AllowEmptyCollection()] [string[]] $Line)

    $result = [System.Collections.Generic.List[string]]::new()
    foreach ($text in $Line) {
        $masked = $text
        foreach ($mask in $script:Masks) { $masked = $masked -replace $mask.Pattern, $mask.Replacement }
        $masked = $masked.TrimEnd()
        if ($masked -eq '' -and ($result.Count -eq 0 -or $result[-1] -eq '')) { continue }
        $result.Add($masked)
    }

    while ($result.Count -gt 0 -and $result[-1] -eq '') { $result.RemoveAt($result.Count - 1) }
    $result -join "`n"
}

Export-ModuleMember -Function Get-ReadmeExample, New-ReadmeSession, Invoke-ReadmeStep, ConvertTo-ComparableText
