using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ec2Ops.Tests.Emulator;

/// <summary>Exact bytes on the wire: writes a raw request and reads everything until the server closes or goes quiet.</summary>
internal static class RawHttp
{
    public static async Task<string> ExchangeAsync(int port, string request, TimeSpan? quiet = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        return await ReadAllAsync(stream, quiet ?? TimeSpan.FromSeconds(2));
    }

    /// <summary>Reads until the peer closes, or nothing more arrives for <paramref name="quiet"/>.</summary>
    public static async Task<string> ReadAllAsync(Stream stream, TimeSpan quiet)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            using var timeout = new CancellationTokenSource(quiet);
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (IOException)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }
}
