namespace Vespa.Client.Commands;

/// <summary>An account key and where it was found (a flag, a variable or a file), for messages when it is refused.</summary>
/// <param name="Value">The key (a secret: never printed).</param>
/// <param name="Source"><c>--account-key</c>, a variable name, or a file path.</param>
internal sealed record AccountKeySource(string Value, string Source);
