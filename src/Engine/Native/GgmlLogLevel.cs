namespace Vespa.Engine.Native;

/// <summary>C enum <c>ggml_log_level</c> (ggml.h). Values are exact for llama.cpp v0.5.0.</summary>
internal enum GgmlLogLevel
{
    None = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    /// <summary>Continues the previous message (no new line).</summary>
    Cont = 5,
}
