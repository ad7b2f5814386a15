namespace Vespa.Worker.Forwarding;

/// <summary>
/// What one request sends to the backend, decided before forwarding and read by
/// <see cref="EnvelopeTransformer"/>: the body to send in place of the client's (the unwrapped
/// payload, or the already-read pass-through body), and the query string minus the envelope.
/// Stored as a request feature so the transformer can stay a singleton.
/// </summary>
internal sealed class ForwardingPlan
{
    /// <summary>Body bytes to send; <c>null</c> streams the client's body through unchanged.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }

    /// <summary>Content type for <see cref="Body"/>; <c>null</c> keeps the client's content headers.</summary>
    public string? ContentType { get; init; }

    public QueryString Query { get; init; }

    /// <summary>When forwarding began (<see cref="TimeProvider.GetTimestamp"/>), for the time-to-first-byte and
    /// byte metrics of a metered request; <c>null</c> for requests the metrics do not follow (sessions).</summary>
    public long? MeteredSince { get; set; }

    /// <summary>The response body's declared length (Content-Length), set when the response started; the bytes
    /// relayed when the exchange completes.</summary>
    public long? DeclaredResponseLength { get; set; }

    /// <summary>The counter on the client's response stream, installed only for responses without a declared length
    /// (streams): a response with Content-Length needs no wrapper to know its size.</summary>
    public CountingStream? ResponseCounter { get; set; }

    /// <summary>Response body bytes relayed to the client, as far as known once the exchange ended.</summary>
    public long ResponseBytes(bool completed) =>
        ResponseCounter?.BytesWritten ?? (completed ? DeclaredResponseLength ?? 0 : 0);
}
