using Microsoft.AspNetCore.Server.Kestrel.Core;
using Vespa.Worker.Options;

namespace Vespa.Worker.Hosting;

/// <summary>
/// Kestrel's limits for a server that faces the internet before it knows who is calling (issue 9,
/// finding 2). Each value is chosen, not inherited, and documented in the README's security section.
/// What a caller can make the worker hold before its signature is checked is bounded by: the
/// connection cap × (headers + Kestrel's per-connection buffer) + the unverified-body budget.
/// </summary>
internal static class KestrelLimits
{
    /// <summary>Request line (method, target, version): Kestrel's default, far above any signed query form (~1 KB).</summary>
    public const int MaxRequestLineSize = 8 * 1024;

    /// <summary>All request headers together: Kestrel's default; <c>X-Vespa-Auth-Data</c> needs under 1 KB.</summary>
    public const int MaxRequestHeadersTotalSize = 32 * 1024;

    /// <summary>Request headers per request: Kestrel's default.</summary>
    public const int MaxRequestHeaderCount = 100;

    /// <summary>
    /// Bytes Kestrel buffers per connection ahead of the application (default 1 MiB). The worker reads
    /// bodies as they come, so a smaller buffer costs no throughput and bounds what idle connections
    /// that never get read can pin.
    /// </summary>
    public const long MaxRequestBufferSize = 128 * 1024;

    /// <summary>
    /// Time allowed for a request's headers to arrive (default 30 s): a slowloris client that
    /// trickles header bytes loses its connection after this.
    /// </summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this (Kestrel's default; clients reuse connections).</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(130);

    /// <summary>
    /// Slowest upload accepted: 240 bytes/s after a 5 s grace (Kestrel's default), so a body
    /// trickled byte by byte is cut instead of holding a connection and its buffer.
    /// </summary>
    public static readonly MinDataRate MinRequestBodyDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>
    /// Slowest download accepted: 240 bytes/s after a 5 s grace (Kestrel's default). It is measured
    /// only while a write waits on the client, so a slow token stream never trips it, but a client
    /// that stops reading is cut instead of pinning buffers.
    /// </summary>
    public static readonly MinDataRate MinResponseDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    /// <summary>Concurrent streams per HTTP/2 connection (default 100); HTTP/2 is offered only with TLS (ALPN).</summary>
    public const int Http2MaxStreamsPerConnection = 32;

    /// <summary>HTTP/2 connection flow-control window (default 1 MiB): what one connection may send ahead.</summary>
    public const int Http2InitialConnectionWindowSize = 512 * 1024;

    /// <summary>HTTP/2 stream flow-control window (default 768 KiB).</summary>
    public const int Http2InitialStreamWindowSize = 256 * 1024;

    /// <summary>One HTTP/2 header field, and the HPACK table (Kestrel's defaults).</summary>
    public const int Http2MaxRequestHeaderFieldSize = 16 * 1024;

    public static void Apply(KestrelServerLimits limits, WorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(options);

        // Our own cap (VESPA_MAX_BODY_BYTES, 413) replaces Kestrel's 30 MB default, also for streamed bodies.
        limits.MaxRequestBodySize = options.MaxBodyBytes;
        limits.MaxConcurrentConnections = options.MaxClientConnections;
        limits.MaxConcurrentUpgradedConnections = options.MaxClientConnections;
        limits.MaxRequestLineSize = MaxRequestLineSize;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestBufferSize = MaxRequestBufferSize;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyDataRate;
        limits.MinResponseDataRate = MinResponseDataRate;
        limits.Http2.MaxStreamsPerConnection = Http2MaxStreamsPerConnection;
        limits.Http2.InitialConnectionWindowSize = Http2InitialConnectionWindowSize;
        limits.Http2.InitialStreamWindowSize = Http2InitialStreamWindowSize;
        limits.Http2.MaxRequestHeaderFieldSize = Http2MaxRequestHeaderFieldSize;
    }
}
