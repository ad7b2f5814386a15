namespace Vespa.Testing;

/// <summary>What a fake backend received, for assertions.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    /// <summary>The request target exactly as it arrived on the wire (escapes not decoded), when the server recorded it.</summary>
    public string? RawTarget { get; init; }
}
