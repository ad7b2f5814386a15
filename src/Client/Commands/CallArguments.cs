using Vespa.Client.Output;

namespace Vespa.Client.Commands;

/// <summary>What <c>call</c> was asked to send and how to show the answer.</summary>
internal sealed record CallArguments(
    string Method,
    string PathAndQuery,
    string? Data,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    double Cost,
    bool Stream,
    OutputMode Mode);
