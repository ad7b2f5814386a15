using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vespa.Core.Envelopes;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// One HTTP/1.1 client connection on a plain socket, for what <see cref="HttpClient"/> cannot do on purpose: stop
/// reading, trickle a body, reset the connection half-way.
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        Stream = tcp.GetStream();
    }

    public NetworkStream Stream { get; }

    /// <summary>Connects; a small <paramref name="receiveBuffer"/> (set before connecting, so the kernel does not grow it) makes a slow reader.</summary>
    public static async Task<RawClient> ConnectAsync(Uri worker, int? receiveBuffer = null)
    {
        var tcp = new TcpClient();
        if (receiveBuffer is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }

        await tcp.ConnectAsync(IPAddress.Loopback, worker.Port).DefaultTimeout();
        return new RawClient(tcp);
    }

    /// <summary>Sends a request head; <paramref name="contentLength"/> is what it declares, whatever follows.</summary>
    public Task SendHeadAsync(string method, string target, long contentLength, params string[] headers)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("\r\n");
        return SendAsync(Encoding.ASCII.GetBytes(head.ToString()));
    }

    /// <summary>A whole signed envelope POST.</summary>
    public async Task SendEnvelopeAsync(string target, AuthData auth, string payload = "{}")
    {
        var body = Encoding.UTF8.GetBytes(TestAutoscalerKey.Envelope(auth, payload));
        await SendHeadAsync("POST", target, body.Length);
        await SendAsync(body);
    }

    public Task SendAsync(byte[] bytes) => Stream.WriteAsync(bytes).AsTask().DefaultTimeout();

    /// <summary>Reads the response head (status and headers), leaving the body in the stream.</summary>
    public async Task<(int Status, long? ContentLength, byte[] BodyStart)> ReadHeadAsync()
    {
        var buffer = new byte[4096];
        var received = new List<byte>();
        while (true)
        {
            var read = await Stream.ReadAsync(buffer).AsTask().DefaultTimeout();
            if (read == 0)
            {
                throw new IOException("the connection closed before the response head");
            }

            received.AddRange(buffer.AsSpan(0, read));
            var text = Encoding.ASCII.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
            {
                continue;
            }

            var lines = text[..end].Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            long? length = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                .Select(p => (long?)long.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            return (status, length, [.. received.Skip(end + 4)]);
        }
    }

    /// <summary>Reads until the server closes; returns the bytes (or what came before a reset).</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await Stream.ReadAsync(buffer).AsTask().DefaultTimeout()) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset by the server: what arrived before is the answer.
        }

        return all.ToArray();
    }

    /// <summary>Drops the connection with a reset (what a killed client or a network cut looks like).</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        _tcp.Close();
    }

    public void Dispose()
    {
        Stream.Dispose();
        _tcp.Dispose();
    }
}
