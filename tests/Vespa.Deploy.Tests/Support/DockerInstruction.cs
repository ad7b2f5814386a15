namespace Vespa.Deploy.Tests.Support;

/// <summary>One Dockerfile instruction with its continuation lines joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments);
