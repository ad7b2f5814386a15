namespace Vespa.Engine.Native;

/// <summary>C enum <c>llama_vocab_type</c> Values are exact for llama.cpp v0.5.0.</summary>
internal enum LlamaVocabType
{
    None = 0,
    Spm = 1,
    Bpe = 2,
    Wpm = 3,
    Ugm = 4,
    Rwkv = 5,
    Plamo2 = 6,
    Test = 7,
}
