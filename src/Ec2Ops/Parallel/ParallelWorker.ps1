# The worker process of Invoke-Parallel -Mode Process. The parent pwsh starts it once per throttle
# slot (pwsh -NoProfile -NonInteractive -EncodedCommand <this script>) and talks to it over standard
# input and output, one message per line (Ec2Ops.Core.Parallelism.WorkerProtocol): the setup first,
# then one input after another, each serialized to CLIXML as PowerShell remoting does. The items run in
# a runspace of this process, exactly as in -Mode Thread; this script only loads the module and hands over.
$ErrorActionPreference = 'Stop'
try {
    Import-Module -Name $env:EC2OPS_PARALLEL_MODULE
}
catch {
    $message = "$($_.Exception.Message)" -replace '\\', '\\' -replace "`r", '\r' -replace "`n", '\n' -replace "`t", '\t'
    [Console]::Out.Write("initfail`t0`tImport-Module $($env:EC2OPS_PARALLEL_MODULE) failed: $message`n")
    [Console]::Out.Flush()
    exit 3
}

exit [Ec2Ops.Commands.ParallelProcessWorkerHost]::Run()
