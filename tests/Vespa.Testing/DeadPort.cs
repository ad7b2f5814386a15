using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Vespa.Testing;

/// <summary>A loopback URL nobody listens on (connections are refused).</summary>
public static class DeadPort
{
    /// <summary>
    /// Sockets bound to the dead ports and never listening, kept for the life of the test process: a port that is
    /// only found free and released can be handed to the next server bound to port 0 (a proxy under test, say),
    /// which then answers where the test expects "connection refused". A bound socket that does not listen keeps
    /// the port taken and still refuses every connection.
    /// </summary>
    private static readonly ConcurrentBag<Socket> Reserved = [];

    public static Uri Url() => new($"http://127.0.0.1:{Port()}");

    public static int Port()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Reserved.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
