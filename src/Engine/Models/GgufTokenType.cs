namespace Vespa.Engine.Models;

/// <summary>
/// Token attributes stored in <c>tokenizer.ggml.token_type</c> (<c>enum llama_token_type</c> in
/// <c>llama.h</c>); the numeric values are written to the file and must not change.
/// </summary>
public enum GgufTokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,

    /// <summary>A raw byte, spelled <c>&lt;0xNN&gt;</c>; without this flag llama.cpp prints the spelling instead of the byte.</summary>
    Byte = 6,
}
