using System.Net;
using System.Net.Sockets;

namespace Vespa.Client.Tests.Infrastructure;

/// <summary>A loopback URL nobody listens on (connections are refused).</summary>
internal static class DeadPort
{
    public static Uri Url()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
