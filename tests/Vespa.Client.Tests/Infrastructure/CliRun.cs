namespace Vespa.Client.Tests.Infrastructure;

/// <summary>A finished in-process run of vespa-client.</summary>
internal sealed record CliRun(int Exit, string Output, string Error, byte[] OutputBytes);
