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
}
