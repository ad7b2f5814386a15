namespace Vespa.Benchmarks.Builtin;

/// <summary>The model a language-model benchmark asks for, and how it was chosen.</summary>
/// <param name="Id">The model id to send; null sends no model field (the server's default).</param>
/// <param name="IdentityText">How the cache identity describes it.</param>
internal sealed record ModelChoice(string? Id, string IdentityText);
