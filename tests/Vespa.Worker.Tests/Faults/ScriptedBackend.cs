using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vespa.Testing;

namespace Vespa.Worker.Tests.Faults;

/// <summary>
/// A backend on a raw loopback socket, for what a well-behaved HTTP server never does: die mid-stream, never send
/// headers, stall a body, send framing no parser accepts. Every answer says <c>Connection: close</c>, so each request
/// is one connection and <see cref="OpenConnections"/> returning to 0 shows the worker let go of all of them.
/// </summary>
/// <remarks>
/// Paths: <c>/health</c> and <c>/ok</c> answer 200; <c>/kill</c> starts an SSE stream and, once released, resets the
/// connection (RST: a killed process); <c>/cut</c> does the same with a clean FIN and no last chunk;
/// <c>/hang</c> never answers; <c>/stall</c> sends headers and part of a declared body, then nothing;
/// <c>/bad-chunk</c> sends a first chunk and, once released, a chunk size that is not hex; <c>/bad-status</c> sends a status line that is not HTTP.
/// The ones that never finish by themselves wait until the worker closes the connection.
/// </remarks>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _accepting;
    private int _open;

    public ScriptedBackend()
    {
        _listener.Start();
        BaseUrl = new Uri("http://127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    /// <summary>Connections the backend holds open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Paths requested, health checks excluded.</summary>
    public IReadOnlyList<string> Paths => [.. _paths];

    /// <summary>Completes when a request reached <paramref name="name"/> (<c>kill:started</c>, <c>hang:closed</c>...) <paramref name="times"/> times.</summary>
    public Task Reached(string name, int times = 1) => Signal(name + "#" + times).Task.DefaultTimeout();

    /// <summary>Lets the <paramref name="times"/>-th request waiting at <paramref name="name"/> go on (<c>kill</c>, <c>cut</c>).</summary>
    public void Release(string name, int times = 1)
    {
        for (var i = 1; i <= times; i++)
        {
            Signal("release:" + name + "#" + i).TrySetResult();
        }
    }

    private TaskCompletionSource Signal(string key) =>
        _signals.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    private void Mark(string name)
    {
        var n = _counts.AddOrUpdate(name, 1, (_, c) => c + 1);
        Signal(name + "#" + n).TrySetResult();
    }

    private int Arrival(string name) => _counts.AddOrUpdate("arrival:" + name, 1, (_, c) => c + 1);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _open);
            var task = ServeAsync(socket);
            _connections.TryAdd(task, 0);
            _ = task.ContinueWith(t => _connections.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            var path = await ReadRequestAsync(stream);
            if (path is null)
            {
                return;
            }

            if (path != "/health")
            {
                _paths.Enqueue(path);
            }

            await RunScriptAsync(path, socket, stream);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The worker went away or the backend is stopping: the connection is over either way.
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task RunScriptAsync(string path, Socket socket, NetworkStream stream)
    {
        var name = path.TrimStart('/');
        switch (path)
        {
            case "/health":
            case "/ok":
                await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                break;
            case "/kill":
            case "/cut":
                var turn = Arrival(name);
                await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                await WriteAsync(stream, Chunk("data: chunk 0\n\n"));
                Mark(name + ":started");
                await Signal("release:" + name + "#" + turn).Task.WaitAsync(TaskTimeoutExtensions.Timeout, _stop.Token);
                if (path == "/kill")
                {
                    // What the kernel does for a killed process with unread data or SO_LINGER 0: a reset.
                    socket.LingerState = new LingerOption(true, 0);
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Send);
                }

                break;
            case "/hang":
                Mark("hang:started");
                await WaitForPeerCloseAsync(stream);
                Mark("hang:closed");
                break;
            case "/stall":
                await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 100000\r\nConnection: close\r\n\r\ndata: chunk 0\n\n");
                Mark("stall:started");
                await WaitForPeerCloseAsync(stream);
                Mark("stall:closed");
                break;
            case "/bad-chunk":
                var chunkTurn = Arrival(name);
                await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + Chunk("data: chunk 0\n\n"));
                Mark("bad-chunk:started");
                await Signal("release:bad-chunk#" + chunkTurn).Task.WaitAsync(TaskTimeoutExtensions.Timeout, _stop.Token);
                await WriteAsync(stream, "zz\r\nnot a chunk size\r\n");
                await WaitForPeerCloseAsync(stream);
                Mark("bad-chunk:closed");
                break;
            case "/bad-status":
                await WriteAsync(stream, "HTTP/1.1 two hundred OK\r\nContent-Length: 2\r\n\r\nok");
                Mark("bad-status:sent");
                await WaitForPeerCloseAsync(stream);
                Mark("bad-status:closed");
                break;
            default:
                await WriteAsync(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                break;
        }
    }

    private static string Chunk(string data) =>
        Encoding.UTF8.GetByteCount(data).ToString("x", CultureInfo.InvariantCulture) + "\r\n" + data + "\r\n";

    private async Task WriteAsync(NetworkStream stream, string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }

    /// <summary>Reads until the worker closes its side (or resets it), bounded by the test timeout.</summary>
    private async Task WaitForPeerCloseAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TaskTimeoutExtensions.Timeout);
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
    }

    /// <summary>The request head (and a Content-Length body); returns the path, or null when the peer left first.</summary>
    private async Task<string?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var length = lines.Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => long.Parse(p[1].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var body = new byte[4096];
        while (length > 0)
        {
            var read = await stream.ReadAsync(body.AsMemory(0, (int)Math.Min(body.Length, length)), _stop.Token);
            if (read == 0)
            {
                return null;
            }

            length -= read;
        }

        var target = lines[0].Split(' ')[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? target : target[..query];
    }

    private static bool EndsWithBlankLine(List<byte> bytes) =>
        bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.DefaultTimeout();
        await Task.WhenAll(_connections.Keys).DefaultTimeout();
        _stop.Dispose();
    }
}
