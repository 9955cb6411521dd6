using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Tests.Metadata;

/// <summary>One request the misbehaving server received.</summary>
internal sealed record RawRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers);

/// <summary>What the misbehaving server does with a request.</summary>
internal abstract record Misbehaviour
{
    /// <summary>A well-formed reply, with whatever body and extra header lines it is given.</summary>
    public static Misbehaviour Reply(int status, string body, params string[] headerLines) => new Exact(status, Encoding.Latin1.GetBytes(body), headerLines);

    /// <summary>Accepts the request and never answers.</summary>
    public static readonly Misbehaviour Hang = new HangForever();

    /// <summary>A 200 with headers, then a body that never ends (no Content-Length, a chunk every interval).</summary>
    public static Misbehaviour Stream(TimeSpan interval) => new Endless(interval);

    /// <summary>A 200 with a body of <paramref name="bytes"/> bytes, sent as fast as the client reads.</summary>
    public static Misbehaviour Huge(long bytes, bool declareLength = true) => new Large(bytes, declareLength);

    internal sealed record Exact(int Status, byte[] Body, string[] HeaderLines) : Misbehaviour;

    internal sealed record HangForever : Misbehaviour;

    internal sealed record Endless(TimeSpan Interval) : Misbehaviour;

    internal sealed record Large(long Bytes, bool DeclareLength) : Misbehaviour;
}

/// <summary>
/// A deliberately broken IMDS for the client's tests: raw sockets on 127.0.0.1, a thread per
/// connection (so it works while a test starves the thread pool), answers chosen per request. It is
/// bounded so a test that goes wrong cannot run away: at most 64 connections, 256 MB sent in all,
/// and it stops by itself after <c>lifetime</c> (default 60 s) if the test does not dispose it.
/// </summary>
internal sealed class MisbehavingImds : IDisposable
{
    private const long MaxBytesSent = 256L * 1024 * 1024;
    private readonly TcpListener _listener;
    private readonly Func<RawRequest, Misbehaviour> _answer;
    private readonly CancellationTokenSource _stop;
    private readonly ConcurrentQueue<RawRequest> _requests = new();
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private long _sent;

    private MisbehavingImds(Func<RawRequest, Misbehaviour> answer, TimeSpan lifetime)
    {
        _answer = answer;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _stop = new CancellationTokenSource(lifetime);
        _stop.Token.Register(Shutdown);
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        new Thread(Accept) { IsBackground = true, Name = "misbehaving IMDS" }.Start();
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<RawRequest> Requests => _requests.ToArray();

    public static MisbehavingImds Start(Func<RawRequest, Misbehaviour> answer, TimeSpan? lifetime = null) =>
        new(answer, lifetime ?? TimeSpan.FromSeconds(60));

    /// <summary>Answers the token request with a normal token, everything else with <paramref name="answer"/>.</summary>
    public static MisbehavingImds WithToken(Func<RawRequest, Misbehaviour> answer) =>
        Start(r => r.Method == "PUT" ? Misbehaviour.Reply(200, "AQAEAFakeSessionToken==", "X-aws-ec2-metadata-token-ttl-seconds: 21600") : answer(r));

    public void Dispose() => _stop.Cancel();

    private void Shutdown()
    {
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }
    }

    private void Accept()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = _listener.AcceptSocket();
            }
            catch (Exception)
            {
                return;
            }

            if (_open.Count >= 64)
            {
                socket.Dispose();
                continue;
            }

            _open[socket] = true;
            new Thread(() => Serve(socket)) { IsBackground = true }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        try
        {
            var stream = new NetworkStream(socket, ownsSocket: false);
            while (!_stop.IsCancellationRequested)
            {
                var request = ReadRequest(stream);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                if (!Answer(stream, _answer(request)))
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            // A thread of its own: an escaping exception would end the test run.
        }
        finally
        {
            _open.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    // False when the connection must end after this answer.
    private bool Answer(NetworkStream stream, Misbehaviour behaviour)
    {
        switch (behaviour)
        {
            case Misbehaviour.Exact exact:
                var head = new StringBuilder($"HTTP/1.1 {exact.Status} Status\r\n");
                foreach (var line in exact.HeaderLines)
                {
                    head.Append(line).Append("\r\n");
                }

                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {exact.Body.Length}\r\n\r\n");
                Send(stream, Encoding.Latin1.GetBytes(head.ToString()));
                Send(stream, exact.Body);
                return true;
            case Misbehaviour.HangForever:
                _stop.Token.WaitHandle.WaitOne();
                return false;
            case Misbehaviour.Endless endless:
                Send(stream, Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
                var chunk = Encoding.Latin1.GetBytes("i-0123456789abcdef0");
                while (!_stop.Token.WaitHandle.WaitOne(endless.Interval))
                {
                    Send(stream, chunk);
                }

                return false;
            case Misbehaviour.Large large:
                Send(stream, Encoding.Latin1.GetBytes(large.DeclareLength
                    ? $"HTTP/1.1 200 OK\r\nContent-Length: {large.Bytes}\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
                var block = Enumerable.Repeat((byte)'x', 64 * 1024).ToArray();
                for (long left = large.Bytes; left > 0; left -= block.Length)
                {
                    Send(stream, block.AsSpan(0, (int)Math.Min(block.Length, left)).ToArray());
                }

                return large.DeclareLength;
            default:
                return false;
        }
    }

    private void Send(NetworkStream stream, byte[] bytes)
    {
        if (Interlocked.Add(ref _sent, bytes.Length) > MaxBytesSent)
        {
            throw new IOException("the misbehaving server's send budget is spent");
        }

        stream.Write(bytes);
    }

    private static RawRequest? ReadRequest(NetworkStream stream)
    {
        var head = new List<byte>();
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            int b = stream.ReadByte();
            if (b < 0 || head.Count > 64 * 1024)
            {
                return null;
            }

            head.Add((byte)b);
        }

        var lines = Encoding.Latin1.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out int size))
        {
            for (int i = 0; i < size && stream.ReadByte() >= 0; i++)
            {
            }
        }

        return new RawRequest(first[0], first.Length > 1 ? first[1] : "", headers);
    }
}
