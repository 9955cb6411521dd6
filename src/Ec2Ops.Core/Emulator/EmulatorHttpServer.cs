using System.Collections.Specialized;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Core.Emulator;

/// <summary>One HTTP request as the emulator's services see it.</summary>
public sealed class EmulatorHttpRequest
{
    public required string HttpMethod { get; init; }

    /// <summary>The request target with scheme and host, e.g. http://127.0.0.1:PORT/latest/meta-data/?x=1.</summary>
    public required Uri Url { get; init; }

    /// <summary>Header values by name, case-insensitive; repeated headers are joined with commas.</summary>
    public required NameValueCollection Headers { get; init; }

    public byte[] Body { get; init; } = Array.Empty<byte>();

    public string? ContentType => Headers["Content-Type"];

    /// <summary>The body as a stream, for readers that want one.</summary>
    public Stream InputStream => new MemoryStream(Body, writable: false);
}

/// <summary>
/// The emulator's HTTP/1.1 server: a loopback socket, one dedicated thread to accept and one per
/// connection, synchronous I/O. It does not need the thread pool, so it answers even when the
/// process's pool is starved (the emulator usually shares a process with the client it serves),
/// and it only ever sends the reply its handler made: a request it cannot parse gets a 400 and the
/// connection closes; stopping answers requests still waiting (slow replies) and then closes.
/// (HttpListener's managed implementation answered a foreign Host header with its own 404 followed
/// by a stray empty 200, and sent empty 200s for requests in flight when closed.)
/// </summary>
internal sealed class EmulatorHttpServer : IDisposable
{
    private const int MaxHeaderBytes = 32 * 1024;
    private const int MaxBodyBytes = 8 * 1024 * 1024;
    private const int MaxConnections = 1024;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private readonly TcpListener _listener;
    private readonly Func<EmulatorHttpRequest, CancellationToken, EmulatorResponse> _handle;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _acceptThread;
    private readonly HashSet<Socket> _connections = new();
    private readonly object _gate = new();
    private int _stopped;
    private int _inFlight;
    private int _maxInFlight;

    private EmulatorHttpServer(TcpListener listener, Func<EmulatorHttpRequest, CancellationToken, EmulatorResponse> handle)
    {
        _listener = listener;
        _handle = handle;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = $"Ec2Ops emulator :{Port}" };
        _acceptThread.Start();
    }

    public int Port { get; }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/> (0: a free port). Throws <see cref="SocketException"/> when the port is taken.</summary>
    public static EmulatorHttpServer Start(int port, Func<EmulatorHttpRequest, CancellationToken, EmulatorResponse> handle)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        listener.Start(512);
        return new EmulatorHttpServer(listener, handle);
    }

    /// <summary>
    /// Stops accepting, lets requests in flight answer (a slow reply is cut short by the cancelled
    /// token and says so) for up to <paramref name="grace"/>, then closes every connection. Idempotent.
    /// </summary>
    public void Stop(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Stop();
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && InFlight > 0)
        {
            Thread.Sleep(5);
        }

        Socket[] open;
        lock (_gate)
        {
            open = _connections.ToArray();
        }

        foreach (var socket in open)
        {
            CloseQuietly(socket);
        }

        _acceptThread.Join(grace);
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(2));

    /// <summary>Requests being handled right now (read, answered, not yet written).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests that were being handled at the same moment since start or <see cref="ResetMaxInFlight"/>.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public void ResetMaxInFlight() => Volatile.Write(ref _maxInFlight, 0);

    private void RaiseMaxInFlight(int current)
    {
        int seen = Volatile.Read(ref _maxInFlight);
        while (current > seen)
        {
            int prior = Interlocked.CompareExchange(ref _maxInFlight, current, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }

    private void AcceptLoop()
    {
        try
        {
            AcceptConnections();
        }
        catch (Exception)
        {
            // A thread of its own: nothing may escape it (that would end the process). Stopped or broken, it ends.
        }
    }

    private void AcceptConnections()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = _listener.AcceptSocket();
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or InvalidOperationException)
            {
                continue;
            }

            lock (_gate)
            {
                if (_connections.Count >= MaxConnections)
                {
                    WriteQuietly(socket, Serialize(EmulatorResponse.Text(503, "Too many connections"), close: true));
                    CloseQuietly(socket);
                    continue;
                }

                _connections.Add(socket);
            }

            try
            {
                new Thread(() => Serve(socket), maxStackSize: 256 * 1024) { IsBackground = true, Name = "Ec2Ops emulator connection" }.Start();
            }
            catch (OutOfMemoryException)
            {
                // No thread to be had: refuse this connection rather than end the process.
                lock (_gate)
                {
                    _connections.Remove(socket);
                }

                CloseQuietly(socket);
            }
        }
    }

    // On a thread of its own: an exception that escaped would end the whole process (PowerShell
    // included), so none does. A socket closed under it (Stop) just ends the connection.
    private void Serve(Socket socket)
    {
        try
        {
            ServeConnection(socket);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _connections.Remove(socket);
            }

            CloseQuietly(socket);
        }
    }

    private void ServeConnection(Socket socket)
    {
        {
            socket.NoDelay = true;
            socket.ReceiveTimeout = (int)IdleTimeout.TotalMilliseconds;
            socket.SendTimeout = (int)IdleTimeout.TotalMilliseconds;
            var reader = new RequestReader(socket);
            while (!_stopping.IsCancellationRequested)
            {
                ParsedRequest? parsed;
                try
                {
                    parsed = reader.Read();
                }
                catch (BadRequestException bad)
                {
                    WriteQuietly(socket, Serialize(EmulatorResponse.Text(bad.StatusCode, bad.Message), close: true));
                    return;
                }

                if (parsed is null)
                {
                    return; // the client closed the connection, or it stayed idle too long
                }

                EmulatorResponse reply;
                RaiseMaxInFlight(Interlocked.Increment(ref _inFlight));
                try
                {
                    reply = _handle(parsed.Request, _stopping.Token);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    reply = EmulatorResponse.Text(503, "Emulator stopped");
                }
                catch (Exception failure)
                {
                    reply = EmulatorResponse.Text(500, "Emulator error: " + failure.Message);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }

                bool close = parsed.Close || _stopping.IsCancellationRequested;
                if (!WriteQuietly(socket, Serialize(reply, close)) || close)
                {
                    return;
                }
            }
        }
    }

    private static byte[] Serialize(EmulatorResponse reply, bool close)
    {
        byte[] body = Encoding.UTF8.GetBytes(reply.Body);
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.StatusCode} {ReasonPhrase(reply.StatusCode)}\r\n");
        head.Append("Server: EC2ws\r\n");
        head.Append("Date: ").Append(DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        bool hasContentType = false;
        if (reply.Headers is not null)
        {
            foreach (var header in reply.Headers)
            {
                hasContentType |= string.Equals(header.Key, "Content-Type", StringComparison.OrdinalIgnoreCase);
                head.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
            }
        }

        if (!hasContentType)
        {
            head.Append("Content-Type: ").Append(reply.ContentType ?? "text/plain").Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        head.Append(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
        head.Append("\r\n");
        byte[] headBytes = Latin1.GetBytes(head.ToString());
        var message = new byte[headBytes.Length + body.Length];
        headBytes.CopyTo(message, 0);
        body.CopyTo(message, headBytes.Length);
        return message;
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };

    private static bool WriteQuietly(Socket socket, byte[] message)
    {
        try
        {
            int sent = 0;
            while (sent < message.Length)
            {
                sent += socket.Send(message, sent, message.Length - sent, SocketFlags.None);
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    private sealed record ParsedRequest(EmulatorHttpRequest Request, bool Close);

    private sealed class BadRequestException(int statusCode, string message) : Exception(message)
    {
        public int StatusCode { get; } = statusCode;
    }

    /// <summary>Reads HTTP/1.1 requests off one connection: request line, headers, and a Content-Length or chunked body.</summary>
    private sealed class RequestReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        /// <summary>The next request, or null when the client closed (or idled out) between requests.</summary>
        public ParsedRequest? Read()
        {
            var head = ReadHead();
            if (head is null)
            {
                return null;
            }

            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || requestLine[0].Length == 0 || requestLine[1].Length == 0)
            {
                throw new BadRequestException(400, "Bad Request: malformed request line");
            }

            var headers = new NameValueCollection(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i < lines.Length; i++)
            {
                int colon = lines[i].IndexOf(':');
                if (colon <= 0)
                {
                    throw new BadRequestException(400, "Bad Request: malformed header");
                }

                headers.Add(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim());
            }

            string target = requestLine[1];
            if (!target.StartsWith('/') || !Uri.TryCreate("http://127.0.0.1" + target, UriKind.Absolute, out var url))
            {
                throw new BadRequestException(400, "Bad Request: the target must be an absolute path");
            }

            byte[] body = ReadBody(headers);
            bool http10 = requestLine[2] == "HTTP/1.0";
            string? connection = headers["Connection"];
            bool close = http10
                ? !string.Equals(connection, "keep-alive", StringComparison.OrdinalIgnoreCase)
                : string.Equals(connection, "close", StringComparison.OrdinalIgnoreCase);
            var request = new EmulatorHttpRequest { HttpMethod = requestLine[0].ToUpperInvariant(), Url = url, Headers = headers, Body = body };
            return new ParsedRequest(request, close);
        }

        private string? ReadHead()
        {
            var head = new List<byte>();
            while (true)
            {
                if (_start == _end && !Fill(allowEnd: head.Count == 0))
                {
                    return null;
                }

                while (_start < _end)
                {
                    head.Add(_buffer[_start++]);
                    int n = head.Count;
                    if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
                    {
                        return Latin1.GetString(head.ToArray(), 0, n - 4);
                    }

                    if (n > MaxHeaderBytes)
                    {
                        throw new BadRequestException(431, "Request Header Fields Too Large");
                    }
                }
            }
        }

        private byte[] ReadBody(NameValueCollection headers)
        {
            string? transfer = headers["Transfer-Encoding"];
            if (transfer is not null && transfer.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return ReadChunked();
            }

            string? length = headers["Content-Length"];
            if (length is null)
            {
                return Array.Empty<byte>();
            }

            if (!long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out long size))
            {
                throw new BadRequestException(400, "Bad Request: Content-Length is not a number");
            }

            if (size > MaxBodyBytes)
            {
                throw new BadRequestException(413, "Payload Too Large");
            }

            return ReadExactly((int)size);
        }

        private byte[] ReadChunked()
        {
            using var body = new MemoryStream();
            while (true)
            {
                string sizeLine = ReadLine();
                int semicolon = sizeLine.IndexOf(';');
                if (!int.TryParse(semicolon >= 0 ? sizeLine[..semicolon] : sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size < 0)
                {
                    throw new BadRequestException(400, "Bad Request: malformed chunk size");
                }

                if (size == 0)
                {
                    while (ReadLine().Length > 0)
                    {
                        // trailers are ignored
                    }

                    return body.ToArray();
                }

                if (body.Length + size > MaxBodyBytes)
                {
                    throw new BadRequestException(413, "Payload Too Large");
                }

                body.Write(ReadExactly(size));
                if (ReadLine().Length != 0)
                {
                    throw new BadRequestException(400, "Bad Request: malformed chunk");
                }
            }
        }

        private string ReadLine()
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !Fill(allowEnd: false))
                {
                    throw new BadRequestException(400, "Bad Request: the body ended early");
                }

                byte b = _buffer[_start++];
                if (b == '\n')
                {
                    return Latin1.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add(b);
                if (line.Count > 1024)
                {
                    throw new BadRequestException(400, "Bad Request: line too long");
                }
            }
        }

        private byte[] ReadExactly(int size)
        {
            var result = new byte[size];
            int filled = 0;
            while (filled < size)
            {
                if (_start == _end && !Fill(allowEnd: false))
                {
                    throw new BadRequestException(400, "Bad Request: the body ended early");
                }

                int take = Math.Min(size - filled, _end - _start);
                Buffer.BlockCopy(_buffer, _start, result, filled, take);
                _start += take;
                filled += take;
            }

            return result;
        }

        // False when the client closed cleanly (or went idle) where that is allowed, that is between requests.
        private bool Fill(bool allowEnd)
        {
            int read;
            try
            {
                read = socket.Receive(_buffer);
            }
            catch (SocketException) when (allowEnd)
            {
                return false;
            }
            catch (SocketException)
            {
                throw new BadRequestException(400, "Bad Request: the request was not completed in time");
            }

            if (read == 0)
            {
                if (allowEnd)
                {
                    return false;
                }

                throw new BadRequestException(400, "Bad Request: the connection closed mid-request");
            }

            _start = 0;
            _end = read;
            return true;
        }
    }
}
