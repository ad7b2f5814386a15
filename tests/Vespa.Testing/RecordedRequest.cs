namespace Vespa.Testing;

/// <summary>What a fake backend received, for assertions.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body);
