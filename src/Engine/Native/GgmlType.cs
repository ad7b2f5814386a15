namespace Vespa.Engine.Native;

/// <summary>C enum <c>ggml_type</c> (ggml.h): the subset Vespa uses for the KV cache. Values are exact for llama.cpp v0.5.0.</summary>
internal enum GgmlType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    BF16 = 30,
}
