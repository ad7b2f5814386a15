namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_rope_scaling_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaRopeScalingType
{
    Unspecified = -1,
    None = 0,
    Linear = 1,
    Yarn = 2,
    LongRope = 3,
}
