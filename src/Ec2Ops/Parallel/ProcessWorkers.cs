using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using System.Text;
using Ec2Ops.Core;
using Ec2Ops.Core.Parallelism;

namespace Ec2Ops.Commands;

/// <summary>Process mode in the parent: how pwsh workers are started and how values cross (CLIXML, as remoting).</summary>
internal static class ProcessWorkers
{
    public static ProcessWorkerFactory CreateFactory(WorkerSetup setup, string pshome)
    {
        string pwsh = Path.Combine(pshome, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        if (!File.Exists(pwsh))
        {
            throw new Ec2OpsException("ParallelPwshNotFound", Ec2OpsErrorCategory.ObjectNotFound,
                $"-Mode Process starts worker processes with the caller's own PowerShell, but '{pwsh}' does not exist ($PSHOME is '{pshome}').", pwsh)
            {
                RecommendedAction = "Run Invoke-Parallel from pwsh itself, or use -Mode Thread.",
            };
        }

        // The manifest beside Ec2Ops.dll: importing the dll alone would skip the loader that resolves dependencies/.
        string module = Path.Combine(Path.GetDirectoryName(typeof(ProcessWorkers).Assembly.Location)!, "Ec2Ops.psd1");
        string script = ReadWorkerScript();
        string encoded = Convert.ToBase64String(Encoding.Unicode.GetBytes(script));
        string payload = setup.ToPayload();
        return new ProcessWorkerFactory(new ProcessWorkerOptions
        {
            StartInfo = () =>
            {
                var start = new ProcessStartInfo(pwsh);
                foreach (string argument in new[] { "-NoProfile", "-NonInteractive", "-NoLogo", "-EncodedCommand", encoded })
                {
                    start.ArgumentList.Add(argument);
                }

                start.Environment["EC2OPS_PARALLEL_MODULE"] = module;
                start.Environment["NO_COLOR"] = "1";
                if (setup.Location is { } location && Directory.Exists(location))
                {
                    start.WorkingDirectory = location;
                }

                return start;
            },
            InitPayload = payload,
            SerializeInput = input => PSSerializer.Serialize(input),
            DeserializeOutput = PSSerializer.Deserialize,
            DeserializeStream = ParallelRecords.DecodeStream,
        });
    }

    private static string ReadWorkerScript()
    {
        using var stream = typeof(ProcessWorkers).Assembly.GetManifestResourceStream("Ec2Ops.ParallelWorker.ps1")
            ?? throw new InvalidOperationException("The module is missing its embedded ParallelWorker.ps1.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>
/// The worker side of process mode, running inside the pwsh worker: reads the protocol from standard
/// input, runs each item in a <see cref="RunspaceWorker"/> of this process and writes what it produces
/// to standard output. When the parent goes away (end of input), the process exits at once, even mid-item.
/// </summary>
public static class ParallelProcessWorkerHost
{
    public static int Run()
    {
        var utf8 = new UTF8Encoding(false);
        var output = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = false, NewLine = "\n" };

        // Anything else that writes to the console goes to standard error, never into the protocol.
        Console.SetOut(Console.Error);
        var input = new StreamReader(Console.OpenStandardInput(), utf8);
        var lines = new BlockingCollection<string>();
        var reader = new Thread(() =>
        {
            string? line;
            while ((line = input.ReadLine()) is not null)
            {
                if (line.StartsWith(WorkerProtocol.Quit + "\t", StringComparison.Ordinal))
                {
                    break;
                }

                lines.Add(line);
            }

            // The parent said quit, closed our input, or died: nothing more is wanted from this process.
            output.Flush();
            Environment.Exit(0);
        })
        { IsBackground = true, Name = "Ec2Ops parallel worker input" };
        reader.Start();

        void Send(string verb, long id, string? payload = null)
        {
            lock (output)
            {
                output.Write(WorkerProtocol.Format(verb, id, payload));
                output.Write('\n');
                output.Flush();
            }
        }

        RunspaceWorker worker;
        try
        {
            string first = lines.Take();
            if (!WorkerProtocol.TryParse(first, out string verb, out _, out string setupPayload) || verb != WorkerProtocol.Init)
            {
                Send(WorkerProtocol.InitFail, 0, "The first message was not init.");
                return 2;
            }

            worker = RunspaceWorker.Start(WorkerSetup.FromPayload(setupPayload), reuse: false);
        }
        catch (Exception error)
        {
            Send(WorkerProtocol.InitFail, 0, error.Message);
            return 3;
        }

        Send(WorkerProtocol.Ready, Environment.ProcessId);
        foreach (string line in lines.GetConsumingEnumerable())
        {
            if (!WorkerProtocol.TryParse(line, out string verb, out long id, out string payload) || verb != WorkerProtocol.Run)
            {
                continue;
            }

            Exception? failure;
            try
            {
                var item = new ParallelItem(id, PSSerializer.Deserialize(payload));
                failure = worker.RunAsync(item, new Context(id, Send)).GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                failure = error;
            }

            if (failure is null)
            {
                Send(WorkerProtocol.Done, id);
            }
            else
            {
                Send(WorkerProtocol.Fail, id, ParallelRecords.EncodeFailure(failure));
            }
        }

        return 0;
    }

    private sealed class Context(long id, Action<string, long, string?> send) : IParallelItemContext
    {
        public void Output(object? value) => send(WorkerProtocol.Out, id, PSSerializer.Serialize(value));

        public void Stream(object record) => send(WorkerProtocol.Stream, id, ParallelRecords.EncodeStream(record));
    }
}
