#Requires -Version 7.4
# Start-Ec2OpsEmulator from the user's side: the built module, plain HTTP calls, the environment.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Ec2OpsTestModule
    $script:command = 'Ec2Ops.Commands.StartEc2OpsEmulatorCommand'

    # No emulator left over from another file; remember the caller's environment to put it back.
    Stop-Ec2OpsEmulator
    $script:savedEnvironment = Save-AwsEnvironment

    # One IMDS request with Invoke-WebRequest (it never parses the text/plain replies).
    function Invoke-Imds {
        param(
            [Parameter(Mandatory)] [string] $Path,
            [string] $Token,
            [string] $Method = 'Get',
            [hashtable] $Headers = @{}
        )

        $all = @{} + $Headers
        if ($Token) {
            $all['X-aws-ec2-metadata-token'] = $Token
        }

        Invoke-WebRequest -Uri ($env:AWS_EC2_METADATA_SERVICE_ENDPOINT + $Path) -Method $Method -Headers $all -SkipHttpErrorCheck
    }

    function Get-ImdsToken {
        param([string] $Ttl = '21600')
        $reply = Invoke-Imds -Path '/latest/api/token' -Method Put -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = $Ttl }
        $reply.StatusCode | Should -Be 200
        [string] $reply.Content
    }
}

AfterAll {
    Stop-Ec2OpsEmulator
    Restore-AwsEnvironment $script:savedEnvironment
}

Describe 'Start-Ec2OpsEmulator' {
    AfterEach {
        Stop-Ec2OpsEmulator
    }

    Context 'the returned object' {
        It 'is the running emulator with its loopback endpoints and default t3.micro settings' {
            $emulator = Start-Ec2OpsEmulator

            $emulator | Should -BeOfType ([Ec2Ops.Core.Emulator.Ec2OpsEmulator])
            $emulator.IsRunning | Should -BeTrue
            $emulator.Endpoint.Host | Should -Be '127.0.0.1'
            $emulator.Endpoint.Port | Should -Be $emulator.Port
            $emulator.Port | Should -BeGreaterThan 0
            $emulator.ImdsEndpoint | Should -Be $emulator.Endpoint
            $emulator.InstanceType | Should -Be 't3.micro'
            $emulator.Region | Should -Be 'us-east-1'
            $emulator.AvailabilityZone | Should -Be 'us-east-1a'
            $emulator.RequireImdsV2 | Should -BeTrue
        }

        It 'shows a table with the endpoint, instance and IMDSv2 mode' {
            $emulator = Start-Ec2OpsEmulator
            $table = $emulator | Format-Table | Out-String -Width 80
            $list = $emulator | Format-List | Out-String -Width 200

            $table | Should -Match 'Endpoint\s+InstanceId\s+Type\s+Zone\s+ImdsV2'
            $table | Should -Match ([regex]::Escape("127.0.0.1:$($emulator.Port)"))
            $table | Should -Match 'Required'
            $list | Should -Match 'InstanceId\s*:\s*i-0a1b2c3d4e5f67890'
        }

        It 'reports the environment variables it set on the verbose stream' {
            $output = Start-Ec2OpsEmulator -Verbose 4>&1
            $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

            $verbose | Should -Contain "`$env:AWS_EC2_METADATA_SERVICE_ENDPOINT = $env:AWS_EC2_METADATA_SERVICE_ENDPOINT"
            ($verbose -join "`n") | Should -Not -Match 'ec2ops-emulator-dummy-secret'
        }
    }

    Context 'the environment' {
        It 'points AWS_EC2_METADATA_SERVICE_ENDPOINT at the emulator and clears AWS_EC2_METADATA_DISABLED' {
            $env:AWS_EC2_METADATA_DISABLED = 'true'
            $emulator = Start-Ec2OpsEmulator

            $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -Be "http://127.0.0.1:$($emulator.Port)"
            $env:AWS_EC2_METADATA_DISABLED | Should -BeNullOrEmpty

            Stop-Ec2OpsEmulator
            $env:AWS_EC2_METADATA_DISABLED | Should -Be 'true'
            Remove-Item Env:AWS_EC2_METADATA_DISABLED
        }

        It 'sets AWS_REGION and dummy credentials only when they are not set' {
            Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION, Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction SilentlyContinue
            Start-Ec2OpsEmulator -Region eu-west-1 | Out-Null
            $env:AWS_REGION | Should -Be 'eu-west-1'
            $env:AWS_ACCESS_KEY_ID | Should -Be 'AKIAEC2OPSEMULATOR00'
            Stop-Ec2OpsEmulator

            $env:AWS_REGION = 'ap-south-1'
            $env:AWS_ACCESS_KEY_ID = 'AKIAMINE'
            Start-Ec2OpsEmulator -Region eu-west-1 | Out-Null
            $env:AWS_REGION | Should -Be 'ap-south-1'
            $env:AWS_ACCESS_KEY_ID | Should -Be 'AKIAMINE'
            Stop-Ec2OpsEmulator
            Remove-Item Env:AWS_REGION, Env:AWS_ACCESS_KEY_ID
        }

        It 'lets Get-InstanceMetadata find the emulator with no -Endpoint' {
            Start-Ec2OpsEmulator -InstanceType t3.large | Out-Null

            (Get-InstanceMetadata -Path instance-type).Value | Should -Be 't3.large'
            (Get-InstanceMetadata).AvailabilityZone | Should -Be 'us-east-1a'
        }
    }

    Context 'IMDSv2 over HTTP' {
        It 'issues a token for a TTL of 1..21600, echoes the TTL and refuses other TTLs with 400' {
            Start-Ec2OpsEmulator | Out-Null

            $ok = Invoke-Imds -Path '/latest/api/token' -Method Put -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }
            $zero = Invoke-Imds -Path '/latest/api/token' -Method Put -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '0' }
            $tooLong = Invoke-Imds -Path '/latest/api/token' -Method Put -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '21601' }
            $missing = Invoke-Imds -Path '/latest/api/token' -Method Put

            $ok.StatusCode | Should -Be 200
            @($ok.Headers['X-aws-ec2-metadata-token-ttl-seconds'])[0] | Should -Be '300'
            ([string] $ok.Content).Length | Should -BeGreaterThan 20
            $zero.StatusCode | Should -Be 400
            $tooLong.StatusCode | Should -Be 400
            $missing.StatusCode | Should -Be 400
        }

        It 'answers 401 without a token and serves with one' {
            Start-Ec2OpsEmulator | Out-Null
            $token = Get-ImdsToken

            (Invoke-Imds -Path '/latest/meta-data/instance-id').StatusCode | Should -Be 401
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token 'forged').StatusCode | Should -Be 401
            $reply = Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token
            $reply.StatusCode | Should -Be 200
            $reply.Content | Should -Be 'i-0a1b2c3d4e5f67890'
        }

        It 'serves tokenless requests with -AllowImdsV1' {
            $emulator = Start-Ec2OpsEmulator -AllowImdsV1

            $emulator.RequireImdsV2 | Should -BeFalse
            (Invoke-Imds -Path '/latest/meta-data/instance-type').Content | Should -Be 't3.micro'
            (Invoke-Imds -Path '/latest/meta-data/instance-type' -Token 'forged').StatusCode | Should -Be 401
        }

        It 'lists folders with a trailing slash, with or without one in the request, and answers 404 for unknown paths' {
            Start-Ec2OpsEmulator | Out-Null
            $token = Get-ImdsToken

            $root = ([string] (Invoke-Imds -Path '/latest/meta-data/' -Token $token).Content) -split "`n"
            $placement = (Invoke-Imds -Path '/latest/meta-data/placement' -Token $token).Content

            $root | Should -Contain 'placement/'
            $root | Should -Contain 'instance-id'
            $placement | Should -Be "availability-zone`navailability-zone-id`nregion"
            (Invoke-Imds -Path '/latest/meta-data/no/such/path' -Token $token).StatusCode | Should -Be 404
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token -Method Post).StatusCode | Should -Be 405
        }

        It 'describes the instance given by -InstanceType, -Region, -AvailabilityZone and -InstanceId consistently' {
            Start-Ec2OpsEmulator -InstanceType t4g.small -Region eu-west-1 -AvailabilityZone eu-west-1b -InstanceId i-0fedcba9876543210 | Out-Null
            $token = Get-ImdsToken

            $document = (Invoke-Imds -Path '/latest/dynamic/instance-identity/document' -Token $token).Content | ConvertFrom-Json

            $document.instanceType | Should -Be 't4g.small'
            $document.region | Should -Be 'eu-west-1'
            $document.availabilityZone | Should -Be 'eu-west-1b'
            $document.instanceId | Should -Be 'i-0fedcba9876543210'
            $document.architecture | Should -Be 'arm64'
            (Invoke-Imds -Path '/latest/meta-data/placement/availability-zone' -Token $token).Content | Should -Be 'eu-west-1b'
        }

        It 'serves -UserData and -Tag, and 404 for user data given as an empty string' {
            Start-Ec2OpsEmulator -UserData "#!/bin/bash`necho hi" -Tag @{ Name = 'web-1'; Team = 'ops' } | Out-Null
            $token = Get-ImdsToken

            (Invoke-Imds -Path '/latest/user-data' -Token $token).Content | Should -Be "#!/bin/bash`necho hi"
            (Invoke-Imds -Path '/latest/meta-data/tags/instance/' -Token $token).Content | Should -Be "Name`nTeam"
            (Invoke-Imds -Path '/latest/meta-data/tags/instance/Team' -Token $token).Content | Should -Be 'ops'

            Start-Ec2OpsEmulator -UserData '' -Force | Out-Null
            (Invoke-Imds -Path '/latest/user-data' -Token (Get-ImdsToken)).StatusCode | Should -Be 404
        }

        It 'has scenario switches that change its behaviour at once' {
            $emulator = Start-Ec2OpsEmulator
            $token = Get-ImdsToken

            $emulator.Imds.ThrottleNextRequests = 1
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token).StatusCode | Should -Be 429
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token).StatusCode | Should -Be 200

            $emulator.Imds.Disabled = $true
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token).StatusCode | Should -Be 403

            $emulator.Imds.Reset()
            $emulator.Imds.ExpireAllTokens()
            (Invoke-Imds -Path '/latest/meta-data/instance-id' -Token $token).StatusCode | Should -Be 401

            $emulator.Imds.SpotInstanceAction = '{"action": "stop", "time": "2026-11-21T08:22:00Z"}'
            (Invoke-Imds -Path '/latest/meta-data/spot/instance-action' -Token (Get-ImdsToken)).Content | Should -Match '"stop"'
        }

        It 'logs the requests it answered, ready for Export-Csv' {
            $emulator = Start-Ec2OpsEmulator
            $token = Get-ImdsToken
            Invoke-Imds -Path '/latest/meta-data/nothing' -Token $token | Out-Null
            $csv = Join-Path $TestDrive 'requests.csv'

            $emulator.Requests | Export-Csv -Path $csv -NoTypeInformation
            $rows = @(Import-Csv -Path $csv)

            $rows.Count | Should -Be 2
            $rows[0].Method | Should -Be 'PUT'
            $rows[0].StatusCode | Should -Be '200'
            $rows[1].Path | Should -Be '/latest/meta-data/nothing'
            $rows[1].StatusCode | Should -Be '404'
            $rows[1].HadToken | Should -Be 'True'
        }
    }

    Context 'one emulator at a time' {
        It 'refuses a second start while one runs, and -Force replaces it' {
            $first = Start-Ec2OpsEmulator

            { Start-Ec2OpsEmulator } | Should -Throw -ErrorId "EmulatorAlreadyRunning,$script:command"
            $first.IsRunning | Should -BeTrue

            $second = Start-Ec2OpsEmulator -Force
            $first.IsRunning | Should -BeFalse
            $second.IsRunning | Should -BeTrue
            $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -Be "http://127.0.0.1:$($second.Port)"
        }

        It 'emulates the instance piped in by property name' {
            Start-Ec2OpsEmulator -InstanceType t3.large -Region eu-west-1 -AvailabilityZone eu-west-1c | Out-Null
            $described = Get-InstanceMetadata

            $clone = $described | Start-Ec2OpsEmulator -Force

            $clone.InstanceType | Should -Be 't3.large'
            $clone.Region | Should -Be 'eu-west-1'
            $clone.AvailabilityZone | Should -Be 'eu-west-1c'
            $clone.InstanceId | Should -Be $described.InstanceId
        }
    }

    Context 'errors' {
        It 'refuses a malformed region, naming it' {
            { Start-Ec2OpsEmulator -Region moon } | Should -Throw -ErrorId "EmulatorInvalidRegion,$script:command"
            { Start-Ec2OpsEmulator -Region moon } | Should -Throw '*moon*'
            $env:AWS_EC2_METADATA_SERVICE_ENDPOINT | Should -Be $script:savedEnvironment['AWS_EC2_METADATA_SERVICE_ENDPOINT']
        }

        It 'refuses a zone of another region and a bad tag key' {
            { Start-Ec2OpsEmulator -Region us-west-2 -AvailabilityZone us-east-1a } | Should -Throw -ErrorId "EmulatorInvalidAvailabilityZone,$script:command"
            { Start-Ec2OpsEmulator -Tag @{ 'has space' = 'x' } } | Should -Throw -ErrorId "EmulatorInvalidTagKey,$script:command"
        }

        It 'says a port is in use' {
            $busy = [Ec2Ops.Core.Emulator.Ec2OpsEmulator]::Start($null)
            try {
                { Start-Ec2OpsEmulator -Port $busy.Port } | Should -Throw -ErrorId "EmulatorPortInUse,$script:command"
            }
            finally {
                $busy.Stop()
            }
        }

        It 'validates the port range before starting' {
            { Start-Ec2OpsEmulator -Port 70000 } | Should -Throw -ErrorId "ParameterArgumentValidationError,$script:command"
        }
    }

    Context 'help' {
        It 'has a synopsis, examples and a description of every parameter' {
            $help = Get-Help Start-Ec2OpsEmulator -Full

            $help.Synopsis | Should -Match 'emulator'
            @($help.examples.example).Count | Should -BeGreaterOrEqual 5
            foreach ($name in 'Port', 'InstanceType', 'Region', 'AvailabilityZone', 'InstanceId', 'AllowImdsV1', 'UserData', 'Tag', 'Force') {
                ((Get-Help Start-Ec2OpsEmulator -Parameter $name).description | Out-String).Trim() | Should -Not -BeNullOrEmpty
            }
        }
    }
}
