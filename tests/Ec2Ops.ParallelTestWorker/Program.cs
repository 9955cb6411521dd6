using System.Text;
using Ec2Ops.Core.Parallelism;

// Inputs are commands: "echo:x" writes x; "sleep:ms" sleeps then writes its pid; "pid" writes the
// process id; "fail:message" fails the item; "stream:x" writes a stream record then x; "crash:code"
// exits at once; "hang" never ends; "many:n" writes 1..n. An init payload "fail" refuses to start.
var utf8 = new UTF8Encoding(false);
using var output = new StreamWriter(Console.OpenStandardOutput(), utf8) { NewLine = "\n" };
using var input = new StreamReader(Console.OpenStandardInput(), utf8);
string? setup = null;

void Send(string verb, long id, string? payload = null)
{
    output.Write(WorkerProtocol.Format(verb, id, payload) + "\n");
    output.Flush();
}

Console.Error.WriteLine("test worker starting");
output.Write("a stray line that is not a message\n");
string? line;
while ((line = input.ReadLine()) is not null)
{
    if (!WorkerProtocol.TryParse(line, out string verb, out long id, out string payload))
    {
        continue;
    }

    switch (verb)
    {
        case WorkerProtocol.Init:
            setup = payload;
            if (payload == "fail")
            {
                Send(WorkerProtocol.InitFail, 0, "the setup says fail");
                return 1;
            }

            Send(WorkerProtocol.Ready, Environment.ProcessId);
            break;
        case WorkerProtocol.Quit:
            return 0;
        case WorkerProtocol.Run:
            string[] parts = payload.Split(':', 2);
            string arg = parts.Length > 1 ? parts[1] : "";
            switch (parts[0])
            {
                case "echo":
                    Send(WorkerProtocol.Out, id, arg);
                    break;
                case "setup":
                    Send(WorkerProtocol.Out, id, setup);
                    break;
                case "pid":
                    Send(WorkerProtocol.Out, id, Environment.ProcessId.ToString());
                    break;
                case "sleep":
                    Thread.Sleep(int.Parse(arg));
                    Send(WorkerProtocol.Out, id, Environment.ProcessId.ToString());
                    break;
                case "stream":
                    Send(WorkerProtocol.Stream, id, "record " + arg);
                    Send(WorkerProtocol.Out, id, arg);
                    break;
                case "many":
                    for (int i = 1; i <= int.Parse(arg); i++)
                    {
                        Send(WorkerProtocol.Out, id, i.ToString());
                    }

                    break;
                case "fail":
                    Send(WorkerProtocol.Fail, id, arg);
                    continue;
                case "crash":
                    Console.Error.WriteLine("crashing on purpose");
                    Environment.Exit(int.Parse(arg));
                    break;
                case "hang":
                    Thread.Sleep(Timeout.Infinite);
                    break;
                case "multiline":
                    Send(WorkerProtocol.Out, id, "line1\nline2\ttab\\");
                    break;
            }

            Send(WorkerProtocol.Done, id);
            break;
    }
}

return 0;
