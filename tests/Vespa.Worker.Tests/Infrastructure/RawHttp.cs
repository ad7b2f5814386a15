using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a plain socket, for request targets and framings that <see cref="HttpClient"/> would
/// normalise (<c>%5C</c>, dot segments, duplicate headers) and for connections held half-sent.
/// </summary>
internal static class RawHttp
{
    /// <summary>A response read until the worker closed the connection (requests say <c>Connection: close</c>).</summary>
    internal sealed record Response(int Status, string Head, string Body);

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> with <paramref name="headers"/> and <paramref name="body"/>.</summary>
    public static async Task<Response> SendAsync(Uri worker, string method, string target, string? body = null, params string[] headers)
    {
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: {worker.Authority}\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        if (body is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {bytes.Length}\r\n");
        }

        head.Append("\r\n");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, worker.Port).DefaultTimeout();
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).DefaultTimeout();
        await stream.WriteAsync(bytes).DefaultTimeout();
        return await ReadAsync(stream);
    }

    /// <summary>Reads a whole response from a connection the server closes after it.</summary>
    public static async Task<Response> ReadAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().DefaultTimeout();
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var statusLine = head.Split("\r\n")[0].Split(' ');
        var status = statusLine.Length > 1 && int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
        return new Response(status, head, split < 0 ? "" : text[(split + 4)..]);
    }
}
