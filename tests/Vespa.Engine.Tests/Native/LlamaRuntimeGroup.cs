namespace Vespa.Engine.Tests.Native;

/// <summary>Tests that touch the process-global runtime state run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LlamaRuntimeGroup
{
    public const string Name = "LlamaRuntime";
}
